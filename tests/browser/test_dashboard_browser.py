"""The dashboard page in a real browser: Debian's Chromium, driven by Playwright, against the real server."""

from __future__ import annotations

import time

import pytest
from dashboard_logdir import (
    EXTRA_POINTS,
    HISTOGRAM_STEPS,
    IMAGE_SIZE,
    IMAGE_STEPS,
    IMAGE_TAG,
    RUN,
    SCALAR_POINTS,
    SCALAR_TAG,
    append_points,
    loss_value,
)

pytestmark = pytest.mark.browser

CHART = f'.chart-card[data-tag="{SCALAR_TAG}"] .js-plotly-plot'
TIMEOUT_MS = 15000


def traces(page, selector=CHART):
    """The plotly traces of the chart matching selector, as plain data."""
    return page.evaluate(
        """(sel) => document.querySelector(sel).data.map(t => ({
               name: t.name, meta: t.meta, x: Array.from(t.x), y: Array.from(t.y) }))""",
        selector,
    )


def wait_for_points(page, run, count, selector=CHART, at_least=False):
    """Wait until the chart has the raw trace of `run` with `count` points (or more, with at_least)."""
    page.wait_for_function(
        """([sel, run, n, atLeast]) => {
               const div = document.querySelector(sel);
               return div && div.data && div.data.some(t => t.meta && t.meta.run === run
                   && t.meta.kind === "raw" && (atLeast ? t.x.length >= n : t.x.length === n));
           }""",
        arg=[selector, run, count, at_least],
        timeout=TIMEOUT_MS,
    )


def raw_trace(page, run):
    return next(t for t in traces(page) if t["meta"] == {"run": run, "kind": "raw"})


def smoothed_trace(page, run):
    return next(t for t in traces(page) if t["meta"] == {"run": run, "kind": "smoothed"})


def debiased_ema(values, weight):
    """TensorBoard's smoothing, written independently of the page: last = last*w + (1-w)*v, / (1 - w^n)."""
    last, out = 0.0, []
    for n, v in enumerate(values, start=1):
        last = last * weight + (1 - weight) * v
        out.append(last / (1 - weight**n))
    return out


def test_tabs_show_logged_data(page, server, artifacts):
    page.goto(f"{server}/")
    # Scalars: every logged point of the run is in the chart, with the logged values, smoothed as specified.
    wait_for_points(page, RUN, SCALAR_POINTS)
    raw = raw_trace(page, RUN)
    assert raw["x"] == list(range(SCALAR_POINTS))
    assert raw["y"] == pytest.approx([loss_value(s) for s in range(SCALAR_POINTS)], rel=1e-6)
    smoothed = smoothed_trace(page, RUN)
    expected = debiased_ema([loss_value(s) for s in range(SCALAR_POINTS)], 0.6)
    assert smoothed["y"] == pytest.approx(expected, rel=1e-6)
    # Both runs are overlaid on the same chart, each in its own colour.
    wait_for_points(page, "eval", len(range(0, SCALAR_POINTS, 4)))
    colors = page.evaluate(
        f"""Array.from(document.querySelector('{CHART}').data)
              .filter(t => t.meta.kind === 'smoothed').map(t => [t.meta.run, t.line.color])"""
    )
    assert {run for run, _ in colors} == {RUN, "eval"}
    assert len({color for _, color in colors}) == 2
    page.screenshot(path=str(artifacts / "scalars.png"))

    # Images: the logged PNG loads at its real size; the slider goes back to the first step.
    page.click("#tab-images")
    image = f'.image-card[data-run="{RUN}"][data-tag="{IMAGE_TAG}"] img'
    page.wait_for_function(
        "(sel) => { const img = document.querySelector(sel); return img && img.complete && img.naturalWidth > 0; }",
        arg=image, timeout=TIMEOUT_MS,
    )
    natural = page.evaluate(
        "(sel) => { const i = document.querySelector(sel); return [i.naturalWidth, i.naturalHeight]; }", image
    )
    assert natural == list(IMAGE_SIZE)
    card = f'.image-card[data-run="{RUN}"][data-tag="{IMAGE_TAG}"]'
    assert page.text_content(f"{card} .image-meta").startswith(f"step {IMAGE_STEPS - 1} ")
    page.fill(f"{card} .step-slider", "0")
    assert page.text_content(f"{card} .image-meta").startswith("step 0 ")
    page.screenshot(path=str(artifacts / "images.png"))

    # Histograms: one ridge per logged step; distributions: the median line over the same steps.
    hist = f'.hist-card[data-run="{RUN}"][data-tag="weights"] .js-plotly-plot'
    page.click("#tab-histograms")
    page.wait_for_function("(sel) => document.querySelector(sel)?.data?.length > 0", arg=hist, timeout=TIMEOUT_MS)
    names = page.evaluate("(sel) => document.querySelector(sel).data.map(t => t.name)", hist)
    assert names == [f"step {s}" for s in range(HISTOGRAM_STEPS)]
    page.screenshot(path=str(artifacts / "histograms.png"))
    dist = f'.dist-card[data-run="{RUN}"][data-tag="weights"] .js-plotly-plot'
    page.click("#tab-distributions")
    page.wait_for_function("(sel) => document.querySelector(sel)?.data?.length > 0", arg=dist, timeout=TIMEOUT_MS)
    median = page.evaluate("(sel) => document.querySelector(sel).data.find(t => t.name === 'median')", dist)
    assert median["x"] == list(range(HISTOGRAM_STEPS))
    # The logged samples are centred on 0.3 * step: the median must climb with the step.
    assert all(b > a for a, b in zip(median["y"], median["y"][1:]))
    page.screenshot(path=str(artifacts / "distributions.png"))
    page.click("#tab-text")
    page.wait_for_selector(f'.text-card[data-run="{RUN}"] .text-entry', timeout=TIMEOUT_MS)
    steps = page.eval_on_selector_all(
        f'.text-card[data-run="{RUN}"] .text-entry', "els => els.map(e => e.dataset.step)"
    )
    assert steps == ["1", "0"]  # Newest first.
    page.screenshot(path=str(artifacts / "text.png"))

    # Graph: top level shows scopes as boxes; opening one shows its ops; clicking an op shows its details.
    page.click("#tab-graph")
    page.wait_for_selector("#graph-view .scope-node", timeout=TIMEOUT_MS)
    scopes = page.eval_on_selector_all("#graph-view .scope-node", "els => els.map(e => e.dataset.id)")
    assert set(scopes) == {"sc:dense", "sc:loss"}
    assert page.eval_on_selector_all("#graph-view .op-node", "els => els.map(e => e.dataset.id)") == ["op:x"]
    labels = page.eval_on_selector_all("#graph-view .edge-label", "els => els.map(e => e.textContent)")
    assert "?×784" in labels
    page.click('#graph-view .scope-node[data-id="sc:dense"]')
    page.wait_for_selector('#graph-view .op-node[data-id="op:dense/MatMul"]')
    page.click('#graph-view .op-node[data-id="op:dense/MatMul"]')
    assert page.text_content("#graph-info .info-op") == "MatMul"
    assert page.eval_on_selector_all("#graph-info .info-inputs li", "els => els.map(e => e.textContent)") == [
        "x ?×784", "dense/kernel/read 784×10",
    ]
    page.screenshot(path=str(artifacts / "graph.png"))
    # The URL now says which tab is open, so reloading it comes back here.
    assert "tab=graph" in page.url
    page.reload()
    page.wait_for_selector("#graph-view .scope-node", timeout=TIMEOUT_MS)
    assert page.get_attribute("#tab-graph", "aria-selected") == "true"


def test_view_state_comes_from_the_url(page, server):
    page.goto(f"{server}/#tab=scalars&smoothing=0&log=1&x=relative&tagre=^loss$&off=eval")
    wait_for_points(page, RUN, SCALAR_POINTS)
    cards = page.eval_on_selector_all(".chart-card", "els => els.map(e => e.dataset.tag)")
    assert cards == [SCALAR_TAG]  # "accuracy" is filtered out by the tag regex.
    data = traces(page)
    assert [t["meta"] for t in data] == [{"run": RUN, "kind": "raw"}]  # No smoothing, eval unchecked.
    layout = page.evaluate(
        "(sel) => { const l = document.querySelector(sel).layout; return [l.yaxis.type, l.xaxis.title.text]; }",
        CHART,
    )
    assert layout == ["log", "hours"]
    assert data[0]["x"][0] == 0  # Relative time starts at the run's first point.
    assert page.input_value("#smoothing-value") == "0"
    assert page.is_checked("#log-scale")
    assert not page.is_checked('.run-checkbox[value="eval"]')
    # Checking the run again brings it back and records that in the URL.
    page.check('.run-checkbox[value="eval"]')
    wait_for_points(page, "eval", len(range(0, SCALAR_POINTS, 4)))
    assert "off=" not in page.url


def test_fetch_errors_are_shown_inline(page, server):
    page.route("**/api/scalars?*", lambda route: route.fulfill(
        status=404, content_type="application/json", body='{"detail": "no such tag (test)"}'))
    page.goto(f"{server}/#tab=scalars&tagre=^loss$")
    error = f'.chart-card[data-tag="{SCALAR_TAG}"] .card-error'
    page.wait_for_selector(f"{error}:not([hidden])", timeout=TIMEOUT_MS)
    assert "no such tag (test)" in page.text_content(error)
    # The server going away shows a banner instead of emptying the page.
    page.route("**/api/runs", lambda route: route.abort())
    page.click("#reload-button")
    page.wait_for_selector("#banner:not([hidden])", timeout=TIMEOUT_MS)
    assert "Cannot reach the server" in page.text_content("#banner")
    assert page.query_selector(f'.chart-card[data-tag="{SCALAR_TAG}"]') is not None


def test_reload_button_refetches_what_is_shown(page, server):
    page.goto(f"{server}/#tab=scalars&tagre=^loss$")
    wait_for_points(page, RUN, SCALAR_POINTS, at_least=True)
    with page.expect_request(lambda request: "/api/scalars?" in request.url, timeout=TIMEOUT_MS):
        page.click("#reload-button")
    wait_for_points(page, RUN, SCALAR_POINTS, at_least=True)


def test_new_data_appears_without_losing_zoom(page, server, logdir):
    page.goto(f"{server}/#tab=scalars&tagre=^loss$")
    wait_for_points(page, RUN, SCALAR_POINTS)
    page.evaluate(f"Plotly.relayout(document.querySelector('{CHART}'), {{'xaxis.range': [2, 9]}})")
    append_points(logdir)
    started = time.monotonic()
    wait_for_points(page, RUN, SCALAR_POINTS + EXTRA_POINTS)
    assert time.monotonic() - started < 15
    x_range = page.evaluate(f"Array.from(document.querySelector('{CHART}').layout.xaxis.range)")
    assert x_range == [2, 9]
    assert raw_trace(page, RUN)["y"][-1] == pytest.approx(loss_value(SCALAR_POINTS + EXTRA_POINTS - 1), rel=1e-6)
