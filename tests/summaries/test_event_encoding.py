"""The hand-encoded Event bytes must equal protobuf's own serialization."""

from __future__ import annotations

import math
import struct

import pytest

from tlboard.summaries.event_encoding import encode_scalar_event, encode_summary_event, varint
from tlboard.summaries.protos import event_pb2, summary_pb2

WALL_TIMES = [0.0, -0.0, 1.5, 1795840742.123456, 1e-300]
STEPS = [0, 1, 127, 128, 300, 2**31, 2**63 - 1, -1, -(2**63)]
VALUES = [0.0, -0.0, 0.1, -2.5, 1e-45, 3.4028234663852886e38, 1e39, -1e39, math.inf, -math.inf, 1e300]
TAGS = ["loss", "", "a/b/c", "unicode/指标 📈", "x" * 200]


def _reference(wall_time, step, tag, value):
    event = event_pb2.Event(wall_time=wall_time, step=step)
    event.summary.value.add(tag=tag, simple_value=value)
    return event.SerializeToString()


@pytest.mark.parametrize("wall_time", WALL_TIMES)
@pytest.mark.parametrize("step", STEPS)
def test_scalar_event_matches_protobuf_for_times_and_steps(wall_time, step):
    assert encode_scalar_event(wall_time, step, b"loss", 0.25) == _reference(wall_time, step, "loss", 0.25)


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("tag", TAGS)
def test_scalar_event_matches_protobuf_for_values_and_tags(value, tag):
    ours = encode_scalar_event(1.25, 7, tag.encode(), value)
    assert ours == _reference(1.25, 7, tag, value)


def test_nan_scalar_round_trips():
    parsed = event_pb2.Event.FromString(encode_scalar_event(2.0, 3, b"n", math.nan))
    assert math.isnan(parsed.summary.value[0].simple_value)


def test_summary_event_matches_protobuf():
    summary = summary_pb2.Summary()
    summary.value.add(tag="h").histo.bucket_limit.extend([1.0, 2.0] * 100)  # > 127 bytes: 2-byte length
    summary.value.add(tag="s", simple_value=1.0)
    data = summary.SerializeToString()
    for wall_time, step in [(0.0, 0), (123.5, 5), (9.0, -3)]:
        expected = event_pb2.Event(wall_time=wall_time, step=step, summary=summary).SerializeToString()
        assert encode_summary_event(wall_time, step, data) == expected


def test_varint_known_encodings():
    assert varint(0) == b"\x00" and varint(1) == b"\x01" and varint(127) == b"\x7f"
    assert varint(128) == b"\x80\x01" and varint(300) == b"\xac\x02"
    assert varint(-1) == b"\xff" * 9 + b"\x01"
    assert struct.pack("<B", 0x7F) == varint(127)
