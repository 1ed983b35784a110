"""The page's pure JavaScript (smoothing, URL state, colours, re-binning, graph layout, sanitising),
imported as ES modules into Chromium from the real server and checked against hand-worked values."""

from __future__ import annotations

import math

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def js(browser, server):
    """Evaluate `body` in one shared page with the named modules of web/static imported; returns its result."""
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(f"{server}/#tab=text")
    page.wait_for_selector("#tab-text.active")

    def run(modules: list[str], body: str, arg=None):
        imports = ", ".join(f'import("./static/{name}.js")' for name in modules)
        script = f"""async (arg) => {{
            const [{", ".join(modules)}] = await Promise.all([{imports}]);
            {body}
        }}"""
        return page.evaluate(script, arg)

    yield run
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


def test_smoothing_matches_the_debiased_ema(js):
    # w = 0.5 on [1, 2, 3]: last = 0.5, 1.25, 2.125; debias by 0.5, 0.75, 0.875.
    out = js(["smoothing"], "return smoothing.smoothEma([1, 2, 3], 0.5);")
    assert out == pytest.approx([1.0, 1.25 / 0.75, 2.125 / 0.875])
    # Weight 0 leaves the data alone; a NaN passes through and does not enter the average.
    assert js(["smoothing"], "return smoothing.smoothEma([4, -2, 7], 0);") == [4, -2, 7]
    out = js(["smoothing"], "return smoothing.smoothEma([1, NaN, 3], 0.5).map(String);")
    assert out[0] == "1" and out[1] == "NaN" and math.isclose(float(out[2]), 1.75 / 0.75)
    out = js(["smoothing"], "return smoothing.smoothEma([2, Infinity, 2], 0.9).map(String);")
    assert out[1] == "Infinity" and float(out[0]) == pytest.approx(2) and float(out[2]) == pytest.approx(2)


def test_scalar_series_parsing_and_x_axes(js):
    body = """
        const s = scalars.parseSeries({step: [0, 10], wall_time: [1000, 8200], value: [1.5, "NaN"],
                                       total: 2, downsampled: false});
        return [String(s.value[1]), scalars.xValues(s, "step"), scalars.xValues(s, "relative"),
                scalars.xValues(s, "wall")];
    """
    nan, step, relative, wall = js(["scalars"], body)
    assert nan == "NaN"
    assert step == [0, 10]
    assert relative == [0, 2.0]  # (8200 - 1000) s = 2 hours.
    assert wall == [1_000_000, 8_200_000]  # Milliseconds for plotly's date axis.
    assert js(["api"], 'return ["Infinity", "-Infinity", 3].map(api.toNumber).map(String);') == [
        "Infinity", "-Infinity", "3",
    ]


def test_url_state_round_trip(js):
    body = """
        const s = {tab: "graph", smoothing: 0.25, x: "wall", log: true, tagre: "loss|acc", runre: "a&b",
                   off: ["run,2", "run 1"], graphrun: "train/x"};
        const back = state.parseHash(state.toHash(s));
        return [back, state.parseHash("#tab=nope&smoothing=7&x=sideways")];
    """
    back, bad = js(["state"], body)
    assert back == {
        "tab": "graph", "smoothing": 0.25, "x": "wall", "log": True, "tagre": "loss|acc", "runre": "a&b",
        "off": ["run 1", "run,2"], "graphrun": "train/x",
    }
    assert bad["tab"] == "scalars" and bad["smoothing"] == 0.999 and bad["x"] == "step"


def test_run_colours_are_stable_and_distinct(js):
    body = """
        const a = colors.assignRunColors(["b", "a", "c"]);
        const b = colors.assignRunColors(["c", "b", "a"]);
        return [[...a.entries()].sort(), [...b.entries()].sort()];
    """
    first, second = js(["colors"], body)
    assert first == second
    assert len({color for _, color in first}) == 3


def test_histogram_rebinning_keeps_counts(js):
    body = """
        return histograms.rebin([[[0, 1, 4], [1, 2, 6]], [[0, 2, 8]], [[1.5, 1.5, 3]]], 2);
    """
    out = js(["histograms"], body)
    assert (out["lo"], out["hi"]) == (0, 2)
    assert out["centers"] == [0.5, 1.5]
    # Buckets matching the bins map one to one; a wide bucket splits by overlap; a zero-width one lands whole.
    assert out["counts"] == [[4, 6], [4, 4], [0, 3]]
    # Open-ended buckets (±DBL_MAX edges) do not stretch the range.
    out = js(["histograms"], "return histograms.rebin([[[-1.7976931348623157e308, -1, 2], [-1, 1, 2]]], 2);")
    assert (out["lo"], out["hi"]) == (-1, 1)
    assert sum(out["counts"][0]) == pytest.approx(4)
    assert js(["histograms"], "return histograms.evenlySpaced(10, 4);") == [0, 3, 6, 9]


def test_distribution_columns_follow_basis_points(js):
    rows = [[0.0, 3, [[bp, bp / 100] for bp in (0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000)]]]
    out = js(["distributions"], "return distributions.percentileSeries(arg);", rows)
    assert out == [[0.0], [6.68], [15.87], [30.85], [50.0], [69.15], [84.13], [93.32], [100.0]]


def test_graph_hierarchy_and_shapes(js):
    nodes = [
        {"name": "x", "op": "Placeholder", "inputs": [], "output_shapes": [[-1, 784]]},
        {"name": "dense/kernel", "op": "VariableV2", "inputs": [], "output_shapes": [[784, 10]]},
        {"name": "dense/kernel/read", "op": "Identity", "inputs": ["dense/kernel"], "output_shapes": [[784, 10]]},
        {"name": "dense/MatMul", "op": "MatMul", "inputs": ["x", "dense/kernel/read:0"], "output_shapes": [[-1, 10]]},
        {"name": "loss", "op": "Mean", "inputs": ["dense/MatMul", "^x", "missing"], "output_shapes": [[]]},
    ]
    body = """
        const h = graph_layout.buildHierarchy(arg);
        const closed = graph_layout.layoutGraph(h, new Set());
        const open = graph_layout.layoutGraph(h, new Set(["dense"]));
        return {
            home: h.opScope.get("dense/kernel"),
            rep: graph_layout.visibleItem(h, "dense/kernel/read", new Set(["dense"])),
            closedBoxes: closed.boxes.map(b => b.id).sort(),
            closedEdges: closed.edges.map(e => [e.from, e.to, e.control, e.label]).sort(),
            openBoxes: open.boxes.map(b => [b.id, b.expanded]).sort(),
            input: graph_layout.parseInput("^scope/op:3"),
            shapes: [graph_layout.formatShape([-1, 784]), graph_layout.formatShape([]), graph_layout.formatShape(null)],
        };
    """
    out = js(["graph_layout"], body, nodes)
    assert out["home"] == "dense/kernel"  # An op named like a scope lives inside that scope.
    assert out["rep"] == "sc:dense/kernel"
    assert out["closedBoxes"] == ["op:loss", "op:x", "sc:dense"]
    assert out["closedEdges"] == [
        ["op:x", "op:loss", True, ""],
        ["op:x", "sc:dense", False, "?×784"],
        ["sc:dense", "op:loss", False, "?×10"],
    ]
    assert out["openBoxes"] == [
        ["op:dense/MatMul", False], ["op:loss", False], ["op:x", False], ["sc:dense", True],
        ["sc:dense/kernel", False],
    ]
    assert out["input"] == {"name": "scope/op", "output": 3, "control": True}
    assert out["shapes"] == ["?×784", "scalar", ""]


def test_layered_layout_points_edges_down_without_overlaps(js):
    body = """
        const items = ["a", "b", "c", "d", "e"].map((id, i) => ({id, w: 40 + 10 * i, h: 30}));
        // A diamond plus a cycle back to the top: the cycle must not hang or break the layering.
        const edges = [["a", "b"], ["a", "c"], ["b", "d"], ["c", "d"], ["d", "e"], ["e", "a"]];
        const out = graph_layout.layeredLayout(items, edges);
        return Object.fromEntries([...out.pos].map(([id, p]) => [id, [p.x, p.y, p.layer]]));
    """
    pos = js(["graph_layout"], body)
    layer = {k: v[2] for k, v in pos.items()}
    assert layer["a"] < layer["b"] == layer["c"] < layer["d"] < layer["e"]
    widths = {"a": 40, "b": 50, "c": 60, "d": 70, "e": 80}
    left, right = sorted(["b", "c"], key=lambda k: pos[k][0])
    assert pos[left][0] + widths[left] <= pos[right][0]  # Same layer, no overlap.
    assert pos["a"][1] < pos["b"][1] < pos["d"][1] < pos["e"][1]


def test_big_graph_layout_stays_fast(js):
    # 3000 ops in 30 scopes, opened 5 at a time: a regression guard against quadratic layout, with a
    # generous bound (the speed target itself belongs to benchmarks).
    body = """
        const nodes = [];
        for (let i = 0; i < 3000; i++) {
            const inputs = i ? [`s${(i - 1) % 30}/n${i - 1}`, `s${(i * 7) % 30}/n${(i * 7919) % i}`] : [];
            nodes.push({name: `s${i % 30}/n${i}`, op: "Add", inputs});
        }
        const start = performance.now();
        const h = graph_layout.buildHierarchy(nodes);
        const out = graph_layout.layoutGraph(h, new Set(["s0", "s1", "s2", "s3", "s4"]));
        return [performance.now() - start, out.boxes.length];
    """
    elapsed_ms, boxes = js(["graph_layout"], body)
    assert boxes == 5 + 5 * 100 + 25  # 5 open frames, their 500 ops, 25 closed scopes.
    assert elapsed_ms < 5000


def test_text_sanitiser_keeps_formatting_only(js):
    html = (
        '<p onclick="x()">hi <b>bold</b><script>alert(1)</script><img src=x onerror="alert(2)">'
        '<a href="javascript:alert(3)">bad</a> <a href="https://example.org/">ok</a>'
        '<custom-tag>kept text</custom-tag><style>p{}</style></p>'
    )
    body = """
        const div = document.createElement("div");
        div.append(text.sanitizeHtml(arg));
        return div.innerHTML;
    """
    out = js(["text"], body, html)
    assert out == (
        '<p>hi <b>bold</b><a>bad</a> '
        '<a href="https://example.org/" rel="noopener noreferrer" target="_blank">ok</a>kept text</p>'
    )
