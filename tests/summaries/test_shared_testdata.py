"""Our reader (scan_records + event_pb2) reads every real event file as MANIFEST.json describes it."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np

from tlboard.summaries.protos import event_pb2, types_pb2
from tlboard.summaries.records import scan_records


def _manifest_number(value):
    return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}.get(value, value) if isinstance(value, str) else value


def _scalar(value):
    """The scalar stored in a Summary.Value, as the manifest records it (float32 widened, or float64)."""
    if value.WhichOneof("value") == "simple_value":
        return value.simple_value
    tensor = value.tensor
    dtype = {types_pb2.DT_FLOAT: "<f4", types_pb2.DT_DOUBLE: "<f8"}[tensor.dtype]
    if tensor.tensor_content:
        return float(np.frombuffer(tensor.tensor_content, dtype=dtype)[0])
    return float(tensor.float_val[0] if tensor.dtype == types_pb2.DT_FLOAT else tensor.double_val[0])


def _same(a, b):
    return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))


def test_every_run_matches_the_manifest(testdata, manifest):
    assert len(manifest["runs"]) >= 8
    for run_name, run in manifest["runs"].items():
        run_dir = testdata / run["path"]
        points = defaultdict(list)
        for file_info in run["files"]:
            records, next_offset, errors = scan_records((run_dir / file_info["name"]).read_bytes())
            assert errors == [] and next_offset == file_info["size_bytes"], (run_name, file_info["name"])
            assert len(records) == file_info["record_count"]
            events = [event_pb2.Event.FromString(payload) for _, payload in records]
            assert events[0].file_version == file_info["file_version"]
            writer = events[0].source_metadata.writer if events[0].HasField("source_metadata") else None
            assert writer == file_info["source_metadata_writer"]
            assert Counter(e.WhichOneof("what") for e in events) == file_info["records_by_kind"]
            for event in events:
                for value in event.summary.value:
                    points[value.tag].append((event.step, value))
        assert set(points) == set(run["tags"]), run_name
        for tag, expected in run["tags"].items():
            series = points[tag]
            assert len(series) == expected["num_points"], (run_name, tag)
            assert [step for step, _ in series] == expected["steps"], (run_name, tag)
            assert series[0][1].WhichOneof("value") == expected["storage"], (run_name, tag)
            if expected["plugin_name"]:
                assert series[0][1].metadata.plugin_data.plugin_name == expected["plugin_name"]
            if expected["kind"] == "scalar":
                for (_, value), want in zip(series, expected["values"]):
                    assert _same(_scalar(value), float(_manifest_number(want))), (run_name, tag, want)
            if expected["kind"] == "histogram" and expected["storage"] == "histo":
                for (_, value), want in zip(series, expected["points"]):
                    assert len(value.histo.bucket) == want["bucket_count"]
                    assert list(value.histo.bucket) == want["bucket_counts"]
                    assert (value.histo.min, value.histo.max, value.histo.num) == (
                        want["min"], want["max"], want["num"])
