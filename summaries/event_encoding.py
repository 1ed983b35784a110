"""Hand-encoding of the most frequent `Event` shapes, byte-identical to protobuf's serialization.

Writers emit hundreds of thousands of scalar events; building an Event message per value costs more than
the rest of the write path, so these helpers lay the bytes out directly (field order by number, proto3
zero-value omission, oneof members always present). Tests compare them with protobuf's output.
"""

from __future__ import annotations

import math
import struct

_pack_double = struct.Struct("<d").pack
_pack_float = struct.Struct("<f").pack

# Tag bytes: (field_number << 3) | wire_type.
_WALL_TIME = b"\x09"  # 1, fixed64
_STEP = b"\x10"  # 2, varint
_SUMMARY = b"\x2a"  # 5, length-delimited
_VALUE = b"\x0a"  # Summary.value = 1, length-delimited
_TAG = b"\x0a"  # Summary.Value.tag = 1, length-delimited
_SIMPLE_VALUE = b"\x15"  # Summary.Value.simple_value = 2, fixed32


def varint(value: int) -> bytes:
    """Encode an int64 as a protobuf varint (negative numbers as their 64-bit two's complement)."""
    if 0 <= value < 0x80:
        return bytes((value,))
    value &= 0xFFFFFFFFFFFFFFFF
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _header(wall_time: float, step: int) -> bytes:
    # proto3 omits a double only when its bits are all zero, so -0.0 is still written.
    present = wall_time != 0.0 or math.copysign(1.0, wall_time) < 0
    head = _WALL_TIME + _pack_double(wall_time) if present else b""
    if step:
        head += _STEP + varint(step)
    return head


def encode_summary_event(wall_time: float, step: int, summary: bytes) -> bytes:
    """Serialized Event{wall_time, step, summary} around an already serialized Summary."""
    return _header(wall_time, step) + _SUMMARY + varint(len(summary)) + summary


def encode_scalar_value(tag: bytes, value: float) -> bytes:
    """Serialized Summary.Value{tag, simple_value} (tag given as UTF-8 bytes)."""
    try:
        packed = _pack_float(value)
    except OverflowError:  # beyond float32 range: protobuf stores a same-signed infinity
        packed = _pack_float(math.copysign(math.inf, value))
    if not tag:  # proto3 omits an empty string
        return _SIMPLE_VALUE + packed
    return _TAG + varint(len(tag)) + tag + _SIMPLE_VALUE + packed


def encode_scalar_event(wall_time: float, step: int, tag: bytes, value: float) -> bytes:
    """Serialized Event{wall_time, step, summary{value{tag, simple_value}}}."""
    item = encode_scalar_value(tag, value)
    summary = _VALUE + varint(len(item)) + item
    return _header(wall_time, step) + _SUMMARY + varint(len(summary)) + summary
