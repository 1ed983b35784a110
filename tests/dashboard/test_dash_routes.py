"""Every HTTP route: shapes, special run/tag names, non-finite values, CSV, downsampling, security."""

from __future__ import annotations

import http.client
import json
import math
import time
import urllib.parse

import pytest
from dash_helpers import make_client, scalar_event, write_records

from tlboard.summaries.protos import event_pb2, summary_pb2

EVENT_NAME = "events.out.tfevents.1700000000.host"
ODD_RUN = "group/run with spaces/ünï 📈"
ODD_TAG = "loss/train ünï 指标"
SPIKE_INDEX = 6_543
N_POINTS = 10_000


def q(**params) -> str:
    return urllib.parse.urlencode(params)


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    root = tmp_path_factory.mktemp("logs")
    specials = [(0, 1.5), (1, math.nan), (2, math.inf), (3, -math.inf), (4, -0.0), (2**40, 2.5)]
    write_records(root / ODD_RUN / EVENT_NAME, [scalar_event(ODD_TAG, s, v, wall=100.0 + s) for s, v in specials[:5]]
                  + [scalar_event(ODD_TAG, 2**40, 2.5, wall=200.0)])
    spiky = []
    for s in range(N_POINTS):
        value = 1e9 if s == SPIKE_INDEX else -1e9 if s == 1234 else math.sin(s / 50.0)
        spiky.append(scalar_event("spiky", s, value, wall=1000.0 + s))
    write_records(root / "long" / EVENT_NAME, spiky)
    # Big steps beyond 2**53 must come back exactly.
    write_records(root / "long" / EVENT_NAME, [scalar_event("big", 2**63 - 1, 1.0), scalar_event("other", 5, 2.0)])
    return root


@pytest.fixture(scope="module")
def client(logdir, tmp_path_factory):
    static = tmp_path_factory.mktemp("static")
    (static / "index.html").write_text("<!doctype html><title>tlboard test page</title>")
    (static / "app.js").write_text("console.log('app');")
    (static.parent / "secret.txt").write_text("TOP SECRET")
    with make_client(logdir, static_dir=str(static)) as c:
        yield c


def test_runs_environment_listing(client, logdir):
    assert client.get("/data/runs").json() == sorted([ODD_RUN, "long"])
    env = client.get("/data/environment").json()
    assert env["data_location"] == str(logdir) and env["window_title"] == "tlboard"
    listing = client.get("/data/plugins_listing").json()
    assert set(listing) >= {"scalars", "histograms", "distributions", "images", "text", "graphs"}
    assert listing["scalars"]["enabled"] is True and listing["images"]["enabled"] is False


def test_scalar_route_spells_non_finite_like_tensorboard(client):
    resp = client.get(f"/data/plugin/scalars/scalars?{q(run=ODD_RUN, tag=ODD_TAG)}")
    assert resp.status_code == 200
    body = resp.text
    assert "NaN" in body and "Infinity" in body and "-Infinity" in body and "null" not in body
    rows = json.loads(body)
    assert [r[1] for r in rows] == [0, 1, 2, 3, 4, 2**40]
    assert math.isnan(rows[1][2]) and rows[2][2] == math.inf and rows[3][2] == -math.inf
    assert rows[4][2] == 0.0 and math.copysign(1, rows[4][2]) == -1
    assert rows[0] == [100.0, 0, 1.5]


def test_scalar_csv(client):
    resp = client.get(f"/data/plugin/scalars/scalars?{q(run=ODD_RUN, tag=ODD_TAG, format='csv')}")
    assert resp.headers["content-type"].startswith("text/csv")
    lines = resp.text.strip().split("\n")
    assert lines[0] == "Wall time,Step,Value"
    assert lines[1] == "100.0,0,1.5" and lines[-1] == f"200.0,{2**40},2.5"
    assert len(lines) == 7


def test_big_steps_exact(client):
    rows = client.get(f"/data/plugin/scalars/scalars?{q(run='long', tag='big')}").json()
    assert rows[0][1] == 2**63 - 1


def test_tags_route_lists_odd_names(client):
    tags = client.get("/data/plugin/scalars/tags").json()
    assert tags[ODD_RUN] == {ODD_TAG: {"displayName": ODD_TAG, "description": ""}}
    assert set(tags["long"]) == {"spiky", "big", "other"}


def test_multirun_post_urlencoded_and_multipart(client):
    resp = client.post("/data/plugin/scalars/scalars_multirun",
                       data={"tag": ODD_TAG, "runs": [ODD_RUN, "long", "missing"]})
    assert resp.status_code == 200
    body = resp.json()
    assert list(body) == [ODD_RUN]  # runs without the tag are left out
    assert [r[1] for r in body[ODD_RUN]] == [0, 1, 2, 3, 4, 2**40]
    resp = client.post("/data/plugin/scalars/scalars_multirun", files={"tag": (None, "other"), "runs": (None, "long")})
    assert resp.json() == {"long": [[pytest.approx(resp.json()["long"][0][0]), 5, 2.0]]}
    assert client.post("/data/plugin/scalars/scalars_multirun", data={"runs": "long"}).status_code == 400
    bad = client.post("/data/plugin/scalars/scalars_multirun", content=b"\xff\xfe",
                      headers={"content-type": "application/x-www-form-urlencoded"})
    assert bad.status_code == 400


def test_api_scalars_full_and_downsampled_keeps_spikes(client):
    full = client.get(f"/api/scalars?{q(run='long', tag='spiky')}").json()
    assert full["total"] == N_POINTS and full["downsampled"] is False and len(full["step"]) == N_POINTS
    small = client.get(f"/api/scalars?{q(run='long', tag='spiky', width=100)}").json()
    assert small["downsampled"] is True and small["total"] == N_POINTS
    assert len(small["step"]) <= 2 * 100 + 2
    assert small["step"][0] == 0 and small["step"][-1] == N_POINTS - 1
    assert small["step"] == sorted(small["step"])
    assert 1e9 in small["value"] and SPIKE_INDEX in small["step"]
    assert -1e9 in small["value"] and 1234 in small["step"]
    assert small["value"][small["step"].index(SPIKE_INDEX)] == 1e9
    # Each bucket's extremes are kept, so the envelope of the full series is preserved.
    assert max(small["value"]) == max(full["value"]) and min(small["value"]) == min(full["value"])
    # n <= 2 * width: everything.
    assert client.get(f"/api/scalars?{q(run='long', tag='spiky', width=5000)}").json()["downsampled"] is False


def test_api_scalars_non_finite_as_strings(client):
    body = client.get(f"/api/scalars?{q(run=ODD_RUN, tag=ODD_TAG)}").json()
    assert body["value"][1:4] == ["NaN", "Infinity", "-Infinity"]
    assert body["step"] == [0, 1, 2, 3, 4, 2**40] and body["wall_time"][0] == 100.0
    assert client.get(f"/api/scalars?{q(run=ODD_RUN, tag=ODD_TAG, width=0)}").status_code == 400
    assert client.get(f"/api/scalars?{q(run=ODD_RUN, tag=ODD_TAG, width='wide')}").status_code == 400


def test_api_runs(client):
    body = client.get("/api/runs").json()
    assert isinstance(body["generation"], int) and body["generation"] >= 1
    runs = {r["name"]: r for r in body["runs"]}
    assert runs[ODD_RUN]["scalars"] == [ODD_TAG] and runs[ODD_RUN]["graph"] is False
    assert runs["long"]["errors"] == 0


def test_exports(client):
    resp = client.get(f"/api/export?{q(run=ODD_RUN, tag=ODD_TAG, format='csv')}")
    assert resp.status_code == 200 and "attachment" in resp.headers["content-disposition"]
    assert resp.text.split("\n")[0] == "step,wall_time,value"
    assert resp.text.split("\n")[2] == "1,101.0,nan"
    js = client.get(f"/api/export?{q(run='long', tag='spiky', format='json')}")
    assert "attachment" in js.headers["content-disposition"]
    assert len(js.json()["value"]) == N_POINTS
    run_csv = client.get(f"/api/export_run?{q(run='long')}").text.strip().split("\n")
    assert run_csv[0] == "tag,step,wall_time,value"
    assert len(run_csv) == 1 + N_POINTS + 2
    assert f"big,{2**63 - 1},1000.0,1.0" in run_csv
    run_json = client.get(f"/api/export_run?{q(run='long', format='json')}").json()
    assert set(run_json["scalars"]) == {"spiky", "big", "other"}
    assert client.get(f"/api/export?{q(run='long', tag='spiky', format='xml')}").status_code == 400


def test_plugin_routes_on_real_data(testdata_client):
    c = testdata_client
    hist_tags = c.get("/data/plugin/histograms/tags").json()
    assert hist_tags == c.get("/data/plugin/distributions/tags").json()
    assert set(hist_tags["tf2_eager"]) == {"weights", "constant"}
    hist = c.get(f"/data/plugin/histograms/histograms?{q(run='tf1_graph_mode', tag='layer1/weights')}").json()
    assert [h[1] for h in hist] == [0, 1, 2, 3, 4]
    buckets = hist[0][2]
    # Empty end buckets dropped; outer edges are the recorded min and max.
    assert buckets[0][2] > 0 and buckets[-1][2] > 0
    assert buckets[0][0] == pytest.approx(-0.7023873329162598) and buckets[-1][1] == pytest.approx(0.7012563347816467)
    assert sum(b[2] for b in buckets) == 32
    dist = c.get(f"/data/plugin/distributions/distributions?{q(run='tf2_eager', tag='weights')}").json()
    bps = [bp for bp, _ in dist[0][2]]
    assert bps == [0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000]
    values = [v for _, v in dist[0][2]]
    assert values == sorted(values)
    assert values[0] == pytest.approx(-2.434837764107139) and values[-1] == pytest.approx(2.528325706806398)
    api = c.get(f"/api/histograms?{q(run='tf2_eager', tag='weights')}").json()
    assert api["steps"] == [0, 1, 2] and len(api["wall_times"]) == 3 and len(api["buckets"][0]) == 10
    text_tags = c.get("/data/plugin/text/tags").json()
    assert text_tags["tf2_eager"] == ["notes", "table"]
    text = c.get(f"/data/plugin/text/text?{q(run='tf2_eager', tag='notes')}").json()
    assert [t["step"] for t in text] == [0, 1, 2]
    assert "hello world" in text[0]["text"]
    table = c.get(f"/data/plugin/text/text?{q(run='tf2_eager', tag='table')}").json()[0]["text"]
    assert table.count("<tr>") == 2 and table.count("<td>") == 4


def test_text_is_escaped(tmp_path):
    from tlboard.summaries.protos import tensor_pb2, types_pb2

    meta = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="text"))
    tensor = tensor_pb2.TensorProto(dtype=types_pb2.DT_STRING, string_val=[b"<script>alert(1)</script>"])
    value = summary_pb2.Summary.Value(tag="t", tensor=tensor, metadata=meta)
    event = event_pb2.Event(step=1, wall_time=1.0, summary=summary_pb2.Summary(value=[value]))
    write_records(tmp_path / EVENT_NAME, [event.SerializeToString()])
    with make_client(tmp_path) as c:
        html = c.get("/data/plugin/text/text?run=.&tag=t").json()[0]["text"]
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_not_found_and_malformed(client):
    for url in (f"/data/plugin/scalars/scalars?{q(run='nope', tag='x')}",
                f"/data/plugin/scalars/scalars?{q(run='long', tag='nope')}",
                f"/api/scalars?{q(run='long', tag='nope')}",
                f"/data/plugin/histograms/histograms?{q(run='long', tag='spiky')}",
                f"/data/plugin/graphs/graph?{q(run='long')}",
                "/data/plugin/images/individualImage?blob_key=0123abcd"):
        resp = client.get(url)
        assert resp.status_code == 404, url
        assert "detail" in resp.json()
    malformed = (
        "/data/plugin/scalars/scalars?run=long",
        "/api/scalars",
        "/data/plugin/images/images?run=x&tag=y&sample=-1",
    )
    for url in malformed:
        resp = client.get(url)
        assert resp.status_code == 400, url
        assert "detail" in resp.json()


TRAVERSALS = [
    "..", "../..", "../../../../etc/passwd", "/etc/passwd", "..%2f..%2fetc%2fpasswd", "%2e%2e%2f%2e%2e%2fsecret.txt",
    "%252e%252e%252fsecret.txt", "..\\..\\secret.txt", "a\x00b", "long\x00", "....//....//etc/passwd",
    "../secret.txt", "C:\\Windows\\win.ini", "long/../long",
]


def test_traversal_attempts_on_query_routes(client, testdata_client):
    routes = [
        "/data/plugin/scalars/scalars?{}", "/api/scalars?{}", "/api/export?{}", "/api/export_run?{}",
        "/data/plugin/histograms/histograms?{}", "/data/plugin/distributions/distributions?{}",
        "/api/histograms?{}", "/data/plugin/images/images?{}", "/data/plugin/text/text?{}",
        "/data/plugin/graphs/graph?{}", "/api/graph?{}",
    ]
    for c in (client, testdata_client):
        for route in routes:
            for bad in TRAVERSALS:
                cases = [{"run": bad, "tag": "spiky"}, {"run": bad, "tag": bad}]
                if "export_run" not in route and "graph" not in route:  # these take no tag
                    cases.append({"run": "long", "tag": bad})
                for params in cases:
                    resp = c.get(route.format(q(**params)))
                    assert 400 <= resp.status_code < 500, (route, bad, resp.status_code)
                    assert "root:" not in resp.text and "TOP SECRET" not in resp.text
        for bad in TRAVERSALS + ["abc/../def", "f" * 41]:
            resp = c.get(f"/data/plugin/images/individualImage?{q(blob_key=bad)}")
            assert 400 <= resp.status_code < 500, bad


def test_static_files_and_plotly(client):
    index = client.get("/")
    assert index.status_code == 200 and "tlboard test page" in index.text
    assert index.headers["content-type"].startswith("text/html")
    assert client.get("/static/app.js").headers["content-type"].startswith("text/javascript")
    plotly = client.get("/static/plotly.min.js")
    assert plotly.status_code == 200 and "plotly" in plotly.text[:200].lower()
    assert len(plotly.content) > 1_000_000
    assert client.get("/static/missing.js").status_code == 404


def test_static_traversal_through_real_socket(logdir, tmp_path, live_server_factory):
    from tlboard.dashboard.app import create_app

    static = tmp_path / "static"
    static.mkdir()
    (static / "index.html").write_text("page")
    (tmp_path / "secret.txt").write_text("TOP SECRET")
    server = live_server_factory(create_app(str(logdir), start_reloader=False, static_dir=str(static)))
    raw_paths = [
        "/static/../secret.txt", "/static/..%2fsecret.txt", "/static/%2e%2e/secret.txt", "/static/%2e%2e%2fsecret.txt",
        "/static/%252e%252e%252fsecret.txt", "/static/..\\secret.txt", "/static/..%5csecret.txt",
        "/static//etc/passwd", "/static/%2fetc%2fpasswd", "/static/index.html%00", "/static/%00",
        "/static/....//secret.txt", "/../secret.txt", "/static/./index.html/../../secret.txt",
        "/data/plugin/scalars/scalars?run=..%2f..%2fetc%2fpasswd&tag=x",
        "/data/plugin/images/individualImage?blob_key=..%2f..%2fsecret.txt",
        "/data/plugin/images/individualImage?blob_key=%00",
    ]
    for raw in raw_paths:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", raw)
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        assert 400 <= resp.status < 500, (raw, resp.status)
        assert b"TOP SECRET" not in body and b"root:" not in body, raw


def test_openapi_documents_every_route(client):
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    expected = [
        "/data/runs", "/data/environment", "/data/plugins_listing", "/data/plugin/scalars/tags",
        "/data/plugin/scalars/scalars", "/data/plugin/scalars/scalars_multirun", "/data/plugin/histograms/tags",
        "/data/plugin/histograms/histograms", "/data/plugin/distributions/tags",
        "/data/plugin/distributions/distributions", "/data/plugin/images/tags", "/data/plugin/images/images",
        "/data/plugin/images/individualImage", "/data/plugin/text/tags", "/data/plugin/text/text",
        "/data/plugin/graphs/info", "/data/plugin/graphs/graph", "/api/runs", "/api/scalars", "/api/export",
        "/api/export_run", "/api/histograms", "/api/graph", "/", "/static/{name}",
    ]
    for path in expected:
        assert path in paths, path
        for op in paths[path].values():
            assert op.get("summary"), path


def test_samples_cap_keeps_evenly_spaced_and_last(logdir):
    with make_client(logdir, samples={"scalars": 10}) as c:
        rows = c.get(f"/data/plugin/scalars/scalars?{q(run='long', tag='spiky')}").json()
        assert len(rows) == 10
        assert rows[0][1] == 0 and rows[-1][1] == N_POINTS - 1
        gaps = {b[1] - a[1] for a, b in zip(rows, rows[1:])}
        assert max(gaps) - min(gaps) <= 1
        full = c.get(f"/api/export?{q(run='long', tag='spiky', format='json')}").json()
        assert len(full["step"]) == N_POINTS  # downloads stay full-resolution


def test_symlinked_run_dirs_followed_and_loops_guarded(tmp_path):
    outside = tmp_path / "outside" / "real"
    write_records(outside / EVENT_NAME, [scalar_event("loss", 3, 1.0)])
    logdir = tmp_path / "logdir"
    write_records(logdir / "plain" / EVENT_NAME, [scalar_event("loss", 1, 1.0)])
    (logdir / "linked").symlink_to(outside)
    (logdir / "plain" / "loop").symlink_to(logdir)  # a cycle back to the root
    (outside / "back").symlink_to(outside)  # a self-loop
    with make_client(logdir) as c:
        assert c.get("/data/runs").json() == ["linked", "plain"]
        assert c.get(f"/data/plugin/scalars/scalars?{q(run='linked', tag='loss')}").json()[0][1:] == [3, 1.0]


def test_logdir_spec_names_runs(tmp_path):
    write_records(tmp_path / "a" / EVENT_NAME, [scalar_event("x", 1, 1.0)])
    write_records(tmp_path / "b" / "sub" / EVENT_NAME, [scalar_event("x", 2, 2.0)])
    with make_client(f"first:{tmp_path / 'a'},second:{tmp_path / 'b'}") as c:
        assert c.get("/data/runs").json() == ["first", "second/sub"]


def test_background_reload_through_real_socket(tmp_path, live_server_factory, http):
    from tlboard.dashboard.app import create_app

    path = tmp_path / "run" / EVENT_NAME
    write_records(path, [scalar_event("loss", s, float(s)) for s in range(5)])
    server = live_server_factory(create_app(str(tmp_path), reload_interval=0.1))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        body = http.get(f"{server.url}/api/runs").json()
        if body["runs"] and body["runs"][0]["scalars"]:
            break
        time.sleep(0.05)
    generation = body["generation"]
    assert generation >= 1
    write_records(path, [scalar_event("loss", s, float(s)) for s in range(5, 8)])
    while time.monotonic() < deadline:
        body = http.get(f"{server.url}/api/runs").json()
        if body["generation"] > generation:
            break
        time.sleep(0.05)
    assert body["generation"] > generation
    rows = http.get(f"{server.url}/data/plugin/scalars/scalars", params={"run": "run", "tag": "loss"}).json()
    assert [r[1] for r in rows] == list(range(8))
