"""The loader and the TensorBoard-compatible routes against every count and value in MANIFEST.json."""

from __future__ import annotations

import hashlib
import io
import math
import urllib.parse

import numpy as np
import pytest
from PIL import Image

from tlboard.dashboard.loader import Loader
from tlboard.dashboard.store import PURGE_ALL, PURGE_EVICT, Store


def _same(read: float, expected) -> bool:
    """Manifest comparison: exact, 'nan'/'inf'/'-inf' strings, -0.0 keeps its sign."""
    if isinstance(expected, str):
        return {"nan": math.isnan(read), "inf": read == math.inf, "-inf": read == -math.inf}[expected]
    return read == expected and math.copysign(1.0, read) == math.copysign(1.0, expected)


def _load(testdata, purge: str) -> Store:
    store = Store(purge=purge)
    Loader(str(testdata / "logs"), store).reload()
    return store


@pytest.fixture(scope="module")
def evict_store(testdata) -> Store:
    return _load(testdata, PURGE_EVICT)


@pytest.fixture(scope="module")
def all_store(testdata) -> Store:
    return _load(testdata, PURGE_ALL)


def _tags(manifest, kind):
    for run_name, run in manifest["runs"].items():
        for tag, spec in run["tags"].items():
            if spec["kind"] == kind:
                yield run_name, tag, spec


def test_run_set_matches(manifest, evict_store, testdata_client):
    assert sorted(evict_store.runs) == sorted(manifest["runs"])
    assert testdata_client.get("/data/runs").json() == sorted(manifest["runs"])
    for name, run in evict_store.runs.items():
        assert run.error_count == 0, (name, run.error_messages)


def test_tag_sets_per_kind(manifest, evict_store):
    for run_name, run in manifest["runs"].items():
        loaded = evict_store.runs[run_name]
        by_kind = {"scalar": loaded.scalars, "histogram": loaded.histograms, "image": loaded.images,
                   "text": loaded.texts}
        for kind, table in by_kind.items():
            expected = sorted(t for t, s in run["tags"].items() if s["kind"] == kind)
            assert sorted(table) == expected, (run_name, kind)


def _expected_scalars(spec: dict, reading: str) -> tuple[list, list]:
    semantics = spec.get("semantics")
    if semantics and reading in semantics:
        return semantics[reading]["steps"], semantics[reading]["values"]
    return spec["steps"], spec["values"]


def test_scalars_evict_mode_match_rustboard_reading(manifest, evict_store):
    checked = 0
    for run_name, tag, spec in _tags(manifest, "scalar"):
        steps, values = _expected_scalars(spec, "tensorboard_rustboard")
        if spec.get("dtype") == "DT_DOUBLE":
            # Documented choice: DT_DOUBLE scalars are loaded (the Rust server drops them).
            steps, values = _expected_scalars(spec, "all_points_in_file_order")
        got_steps, _, got_values = evict_store.scalar_series(run_name, tag).columns()
        assert got_steps.tolist() == steps, (run_name, tag)
        assert len(got_values) == len(values)
        assert all(_same(r, e) for r, e in zip(got_values.tolist(), values)), (run_name, tag)
        checked += 1
    assert checked >= 20


def test_scalars_all_mode_match_all_points_reading(manifest, all_store):
    for run_name, tag, spec in _tags(manifest, "scalar"):
        steps, values = _expected_scalars(spec, "all_points_in_file_order")
        got_steps, _, got_values = all_store.scalar_series(run_name, tag).columns()
        assert got_steps.tolist() == steps, (run_name, tag)
        assert len(got_steps) == spec["num_points"]
        assert all(_same(r, e) for r, e in zip(got_values.tolist(), values)), (run_name, tag)


def test_scalars_route_serves_rustboard_reading(manifest, testdata_client):
    for run_name, tag, spec in _tags(manifest, "scalar"):
        if spec.get("dtype") == "DT_DOUBLE":
            continue
        steps, values = _expected_scalars(spec, "tensorboard_rustboard")
        q = urllib.parse.urlencode({"run": run_name, "tag": tag})
        rows = testdata_client.get(f"/data/plugin/scalars/scalars?{q}").json()
        assert [r[1] for r in rows] == steps
        assert all(_same(r[2], e) for r, e in zip(rows, values)), (run_name, tag)


def test_histograms_match(manifest, evict_store):
    checked = 0
    for run_name, tag, spec in _tags(manifest, "histogram"):
        points = evict_store.point_series(run_name, tag, "histograms").points
        assert [p.step for p in points] == spec["steps"]
        assert len(points) == spec["num_points"] == len(spec["points"])
        for got, want in zip(points, spec["points"]):
            assert got.step == want["step"]
            assert got.min == want["min"] and got.max == want["max"] and got.num == want["num"]
            assert got.sum == want["sum"]
            if "sum_squares" in want:
                assert got.sum_squares == want["sum_squares"]
            assert len(got.buckets) == want["bucket_count"]
            assert got.buckets[:, 2].tolist() == want["bucket_counts"]
            checked += 1
    assert checked >= 15


def test_images_match_pixels(manifest, testdata_client):
    checked = 0
    for run_name, tag, spec in _tags(manifest, "image"):
        per_point = spec["images_per_point"]
        tags = testdata_client.get("/data/plugin/images/tags").json()
        assert tags[run_name][tag]["samples"] == per_point
        by_sample = []
        for sample in range(per_point):
            q = urllib.parse.urlencode({"run": run_name, "tag": tag, "sample": sample})
            listing = testdata_client.get(f"/data/plugin/images/images?{q}").json()
            assert [e["step"] for e in listing] == spec["steps"]
            by_sample.append(listing)
        # Manifest order: every image of every point, in step order.
        entries = [by_sample[s][i] for i in range(spec["num_points"]) for s in range(per_point)]
        assert len(entries) == len(spec["images"])
        for entry, want in zip(entries, spec["images"]):
            assert (entry["width"], entry["height"]) == (want["width"], want["height"])
            resp = testdata_client.get(f"/data/plugin/images/individualImage?{entry['query']}")
            assert resp.status_code == 200
            assert resp.headers["content-type"] == "image/png"
            pixels = np.asarray(Image.open(io.BytesIO(resp.content)))
            assert pixels.shape[:2] == (want["height"], want["width"])
            channels = 1 if pixels.ndim == 2 else pixels.shape[2]
            assert channels == want["channels"]
            assert hashlib.sha256(pixels.astype(np.uint8).tobytes()).hexdigest() == want["pixel_sha256"]
            checked += 1
    assert checked >= 20


def test_text_matches(manifest, evict_store):
    for run_name, tag, spec in _tags(manifest, "text"):
        points = evict_store.point_series(run_name, tag, "text").points
        assert [p.step for p in points] == spec["steps"]
        assert [p.strings for p in points] == spec["strings"]
        assert all(list(p.shape) == spec["tensor_shape"] for p in points)


def test_graphs_match(manifest, testdata_client):
    info = testdata_client.get("/data/plugin/graphs/info").json()
    with_graph = {name for name, run in manifest["runs"].items() if run["graph"]["present"]}
    assert set(info) == with_graph
    for name in with_graph:
        want = manifest["runs"][name]["graph"]
        nodes = testdata_client.get(f"/api/graph?run={urllib.parse.quote(name)}").json()["nodes"]
        assert len(nodes) == want["node_count"]
        names = [n["name"] for n in nodes]
        assert [names[0], names[1], names[-1]] == want["sample_node_names"]
        pbtxt = testdata_client.get(f"/data/plugin/graphs/graph?run={urllib.parse.quote(name)}")
        assert pbtxt.headers["content-type"].startswith("text/x-protobuf")
        assert pbtxt.text.count("node {") == want["node_count"]
        assert f'name: "{want["sample_node_names"][0]}"' in pbtxt.text


def test_tag_metadata_display_and_description(manifest, testdata_client):
    tags = testdata_client.get("/data/plugin/scalars/tags").json()
    acc = manifest["runs"]["tensorboardX"]["tags"]["train/acc"]
    assert tags["tensorboardX"]["train/acc"] == {"displayName": acc["display_name"], "description": acc["description"]}
    lr = manifest["runs"]["tf2_eager"]["tags"]["learning_rate"]
    assert tags["tf2_eager"]["learning_rate"]["description"] == lr["description"]
    assert tags["tf2_eager"]["loss"] == {"displayName": "loss", "description": ""}
