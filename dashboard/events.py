"""Turn Event record payloads into store updates (TF1 and TF2 summary layouts into one model).

Two paths: a vectorised NumPy recogniser for the most common record of all (an Event holding one
`simple_value` scalar and nothing else, as tf.compat.v1, tensorboardX and PyTorch write them), and
the generated protobuf classes for everything else. Decoding happens outside the store lock; the
result is a `Batch` applied under the lock in one go.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from google.protobuf.message import DecodeError

from tlboard.dashboard.store import (
    HistogramPoint,
    ImagePoint,
    ImageRef,
    PointSeries,
    RunData,
    ScalarSeries,
    Store,
    TagInfo,
    TextPoint,
)
from tlboard.summaries.protos import event_pb2, types_pb2

PLUGIN_SCALARS = "scalars"
PLUGIN_HISTOGRAMS = "histograms"
PLUGIN_IMAGES = "images"
PLUGIN_TEXT = "text"

_FAST_PATH_MIN_RECORDS = 32
_FAST_PATH_CHUNK = 1 << 15


@dataclass
class Batch:
    """Decoded content of a run of consecutive records of one file, ready to apply."""

    # tag -> list of (record_index array, step, wall_time, value arrays) fragments
    scalars: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]] = field(default_factory=dict)
    # (kind, tag, point, blobs) in record order; blobs: [(bytes, content_type, width, height)]
    points: list[tuple[str, str, Any, list[tuple[bytes, str, int, int]]]] = field(default_factory=list)
    tag_info: dict[str, TagInfo] = field(default_factory=dict)
    graph: bytes | None = None
    errors: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        """True when the batch carries no data (errors aside)."""
        return not (self.scalars or self.points or self.graph is not None or self.tag_info)


def decode_payloads(payloads: list[bytes], plugins: dict[str, str], where: str = "") -> Batch:
    """Decode Event payloads in file order; `plugins` remembers each tag's plugin for this file."""
    batch = Batch()
    handled = _fast_simple_scalars(payloads, batch)
    slow_scalars: dict[str, tuple[list[int], list[int], list[float], list[float]]] = {}
    for index, payload in enumerate(payloads):
        if handled is not None and handled[index]:
            continue
        try:
            event = event_pb2.Event.FromString(payload)
        except (DecodeError, ValueError) as exc:
            batch.errors.append(f"{where}: undecodable Event record #{index}: {exc}")
            continue
        _decode_event(event, index, plugins, batch, slow_scalars, where)
    for tag, (idx, steps, walls, values) in slow_scalars.items():
        batch.scalars.setdefault(tag, []).append(
            (
                np.array(idx, np.int64),
                np.array(steps, np.int64),
                np.array(walls, np.float64),
                np.array(values, np.float64),
            )
        )
    return batch


def apply_batch(store: Store, run: RunData, batch: Batch) -> None:
    """Apply a decoded batch to `run` (caller holds store.lock)."""
    purge = store.purge
    for tag, info in batch.tag_info.items():
        run.tag_info.setdefault(tag, info)
    for tag, fragments in batch.scalars.items():
        if len(fragments) == 1:
            _, steps, walls, values = fragments[0]
        else:
            # Both decoding paths saw this tag: restore record order before applying.
            idx = np.concatenate([f[0] for f in fragments])
            order = np.argsort(idx, kind="stable")
            steps = np.concatenate([f[1] for f in fragments])[order]
            walls = np.concatenate([f[2] for f in fragments])[order]
            values = np.concatenate([f[3] for f in fragments])[order]
        series = run.scalars.get(tag)
        if series is None:
            series = run.scalars[tag] = ScalarSeries()
        series.extend(steps, walls, values, purge)
    for kind, tag, point, blobs in batch.points:
        if kind == PLUGIN_IMAGES:
            point.images = [
                ImageRef(store.mint_blob(data, ctype), width, height) for data, ctype, width, height in blobs
            ]
        table = _point_table(run, kind)
        series = table.get(tag)
        if series is None:
            series = table[tag] = PointSeries()
        for gone in series.append(point, purge):
            for ref in getattr(gone, "images", ()):
                store.drop_blob(ref.key)
    if batch.graph is not None:
        run.graph = batch.graph
    for message in batch.errors:
        run.add_error(message)


def _point_table(run: RunData, kind: str) -> dict[str, PointSeries]:
    if kind == PLUGIN_HISTOGRAMS:
        return run.histograms
    if kind == PLUGIN_IMAGES:
        return run.images
    return run.texts


def _decode_event(
    event: Any,
    index: int,
    plugins: dict[str, str],
    batch: Batch,
    scalars: dict[str, tuple[list[int], list[int], list[float], list[float]]],
    where: str,
) -> None:
    what = event.WhichOneof("what")
    if what == "graph_def":
        batch.graph = event.graph_def
        return
    if what != "summary":
        return
    step, wall = event.step, event.wall_time
    for value in event.summary.value:
        tag = value.tag
        if value.HasField("metadata"):
            meta = value.metadata
            name = meta.plugin_data.plugin_name
            if name:
                plugins[tag] = name
            if meta.display_name or meta.summary_description:
                batch.tag_info.setdefault(tag, TagInfo(meta.display_name or tag, meta.summary_description))
        kind = value.WhichOneof("value")
        try:
            if kind == "simple_value":
                _add_scalar(scalars, tag, index, step, wall, value.simple_value)
            elif kind == "histo":
                batch.points.append((PLUGIN_HISTOGRAMS, tag, _histogram_from_proto(step, wall, value.histo), []))
            elif kind == "image":
                img = value.image
                data = img.encoded_image_string
                batch.points.append(
                    (PLUGIN_IMAGES, tag, ImagePoint(step, wall, []), [(data, _image_type(data), img.width, img.height)])
                )
            elif kind == "tensor":
                _decode_tensor_value(plugins.get(tag), tag, value.tensor, index, step, wall, batch, scalars)
        except (ValueError, IndexError, TypeError) as exc:
            batch.errors.append(f"{where}: tag {tag!r} at step {step}: unreadable {kind} ({exc})")


def _add_scalar(scalars: dict, tag: str, index: int, step: int, wall: float, value: float) -> None:
    entry = scalars.get(tag)
    if entry is None:
        entry = scalars[tag] = ([], [], [], [])
    entry[0].append(index)
    entry[1].append(step)
    entry[2].append(wall)
    entry[3].append(value)


def _decode_tensor_value(
    plugin: str | None, tag: str, tensor: Any, index: int, step: int, wall: float, batch: Batch, scalars: dict
) -> None:
    if plugin == PLUGIN_SCALARS:
        values = _tensor_numbers(tensor)
        if values.size != 1:
            raise ValueError(f"scalar tensor has {values.size} elements")
        _add_scalar(scalars, tag, index, step, wall, float(values.reshape(-1)[0]))
    elif plugin == PLUGIN_HISTOGRAMS:
        values = _tensor_numbers(tensor).astype(np.float64)
        if values.size % 3:
            raise ValueError("histogram tensor is not [k, 3]")
        buckets = values.reshape(-1, 3)
        if len(buckets):
            lo, hi, num = float(buckets[0, 0]), float(buckets[-1, 1]), float(buckets[:, 2].sum())
        else:
            lo = hi = num = 0.0
        batch.points.append((PLUGIN_HISTOGRAMS, tag, HistogramPoint(step, wall, lo, hi, num, None, None, buckets), []))
    elif plugin == PLUGIN_IMAGES:
        strings = list(tensor.string_val)
        if len(strings) < 2:
            raise ValueError("image tensor lacks width/height")
        width, height = int(strings[0]), int(strings[1])
        blobs = [(data, _image_type(data), width, height) for data in strings[2:]]
        batch.points.append((PLUGIN_IMAGES, tag, ImagePoint(step, wall, []), blobs))
    elif plugin == PLUGIN_TEXT:
        shape = tuple(d.size for d in tensor.tensor_shape.dim)
        flat = [s.decode("utf-8", "replace") for s in tensor.string_val]
        batch.points.append((PLUGIN_TEXT, tag, TextPoint(step, wall, _nest(flat, shape), shape), []))


_CONTENT_DTYPES = {
    types_pb2.DT_FLOAT: ("<f4", "float_val"),
    types_pb2.DT_DOUBLE: ("<f8", "double_val"),
    types_pb2.DT_HALF: ("<f2", "half_val"),
    types_pb2.DT_INT32: ("<i4", "int_val"),
    types_pb2.DT_INT64: ("<i8", "int64_val"),
}


def _tensor_numbers(tensor: Any) -> np.ndarray:
    """Flat float64 values of a numeric TensorProto (tensor_content or the typed repeated field)."""
    spec = _CONTENT_DTYPES.get(tensor.dtype)
    if spec is None:
        raise ValueError(f"unsupported tensor dtype {tensor.dtype}")
    dtype, repeated = spec
    if tensor.tensor_content:
        return np.frombuffer(tensor.tensor_content, dtype).astype(np.float64)
    field_values = getattr(tensor, repeated)
    if tensor.dtype == types_pb2.DT_HALF:
        # half_val carries the raw 16-bit patterns in int32 slots.
        return np.array(field_values, np.uint16).view(np.float16).astype(np.float64)
    values = np.array(field_values, np.float64)
    count = int(np.prod([d.size for d in tensor.tensor_shape.dim])) if tensor.tensor_shape.dim else 1
    if len(values) == 1 and count > 1:
        values = np.repeat(values, count)  # a single repeated value fills the whole tensor
    return values


def _nest(flat: list[str], shape: tuple[int, ...]) -> Any:
    if not shape:
        return flat[0] if flat else ""
    if len(shape) == 1:
        return flat
    step = len(flat) // shape[0] if shape[0] else 0
    return [_nest(flat[i * step : (i + 1) * step], shape[1:]) for i in range(shape[0])]


def _histogram_from_proto(step: int, wall: float, histo: Any) -> HistogramPoint:
    counts = np.array(histo.bucket, np.float64)
    limits = np.array(histo.bucket_limit, np.float64)
    if len(limits) != len(counts):
        raise ValueError(f"{len(limits)} bucket limits for {len(counts)} buckets")
    # Bucket i spans (limit[i-1], limit[i]]; the outer edges are the recorded min and max.
    lefts = np.concatenate(([histo.min], limits[:-1])) if len(limits) else limits
    rights = np.concatenate((limits[:-1], [histo.max])) if len(limits) else limits
    buckets = np.column_stack((lefts, rights, counts)) if len(counts) else np.zeros((0, 3))
    return HistogramPoint(step, wall, histo.min, histo.max, histo.num, histo.sum, histo.sum_squares, buckets)


def _image_type(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if data.startswith(b"GIF8"):
        return "image/gif"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"BM"):
        return "image/bmp"
    return "application/octet-stream"


def _fast_simple_scalars(payloads: list[bytes], batch: Batch) -> np.ndarray | None:
    """Recognise single-simple_value Events by their bytes; returns the mask of records handled."""
    n = len(payloads)
    if n < _FAST_PATH_MIN_RECORDS:
        return None
    handled = np.zeros(n, bool)
    for lo in range(0, n, _FAST_PATH_CHUNK):
        hi = min(n, lo + _FAST_PATH_CHUNK)
        _fast_chunk(payloads, lo, hi, handled, batch)
    return handled


_VARINT_SHIFTS = np.arange(10, dtype=np.uint64) * np.uint64(7)
_GATHER10 = np.arange(10)
_GATHER8 = np.arange(8)
_GATHER4 = np.arange(4)


def _fast_chunk(payloads: list[bytes], lo: int, hi: int, handled: np.ndarray, batch: Batch) -> None:
    # Layout recognised (protobuf writes fields in number order):
    #   09 <f64 wall_time> [10 <varint step>] 2a <len> 0a <len> 0a <len> <tag> 15 <f32 value>
    chunk = payloads[lo:hi]
    n = len(chunk)
    lengths = np.fromiter(map(len, chunk), np.int64, n)
    ends = np.cumsum(lengths)
    starts = ends - lengths
    buf = np.frombuffer(b"".join(chunk) + bytes(16), np.uint8)
    top = len(buf) - 1

    def at(pos: np.ndarray) -> np.ndarray:
        return buf[np.minimum(pos, top)]

    ok = (lengths >= 20) & (at(starts) == 0x09)
    p = starts + 9
    has_step = at(p) == 0x10
    raw = buf[np.minimum((p + 1)[:, None] + _GATHER10, top)]
    cont = raw >= 0x80
    ok &= ~(has_step & cont.all(axis=1))
    vlen = np.argmin(cont, axis=1) + 1
    p = p + np.where(has_step, 1 + vlen, 0)
    ok &= at(p) == 0x2A
    summary_len = at(p + 1).astype(np.int64)
    ok &= (summary_len < 0x80) & (p + 2 + summary_len == ends)
    ok &= at(p + 2) == 0x0A
    ok &= at(p + 3).astype(np.int64) + 2 == summary_len
    ok &= at(p + 4) == 0x0A
    tag_len = at(p + 5).astype(np.int64)
    ok &= tag_len + 9 == summary_len
    ok &= at(p + 6 + tag_len) == 0x15
    rows = np.flatnonzero(ok)
    if not len(rows):
        return
    handled[lo + rows] = True
    starts, p, tag_len, has_step = starts[rows], p[rows], tag_len[rows], has_step[rows]
    raw, vlen = raw[rows], vlen[rows]

    walls = buf[starts[:, None] + 1 + _GATHER8].copy().view("<f8").ravel()
    digits = (raw & 0x7F).astype(np.uint64) << _VARINT_SHIFTS
    digits[np.arange(10) >= vlen[:, None]] = 0
    steps = np.bitwise_or.reduce(digits, axis=1).view(np.int64)
    steps[~has_step] = 0
    values = buf[(p + 7 + tag_len)[:, None] + _GATHER4].copy().view("<f4").ravel().astype(np.float64)

    width = int(tag_len.max())
    tag_bytes = buf[np.minimum((p + 6)[:, None] + np.arange(width), top)].copy()
    tag_bytes[np.arange(width) >= tag_len[:, None]] = 0
    group, firsts = _group_rows(tag_bytes, tag_len)
    order = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[order], np.arange(len(firsts) + 1))
    record_index = (lo + rows).astype(np.int64)
    for g, first in enumerate(firsts):
        sel = order[bounds[g] : bounds[g + 1]]
        tag = bytes(tag_bytes[first, : tag_len[first]]).decode("utf-8", "replace")
        batch.scalars.setdefault(tag, []).append((record_index[sel], steps[sel], walls[sel], values[sel]))


def _group_rows(tag_bytes: np.ndarray, tag_len: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group identical tags: (group id per row, first row of each group)."""
    # A 64-bit FNV-style hash groups in one sort; the equality check below guards collisions.
    h = tag_len.astype(np.uint64)
    prime = np.uint64(1099511628211)
    with np.errstate(over="ignore"):
        for col in range(tag_bytes.shape[1]):
            h = (h * prime) ^ tag_bytes[:, col].astype(np.uint64)
    _, firsts, group = np.unique(h, return_index=True, return_inverse=True)
    group = group.ravel()
    rep = firsts[group]
    if (tag_bytes == tag_bytes[rep]).all() and (tag_len == tag_len[rep]).all():
        return group, firsts
    keyed = np.column_stack((tag_len, tag_bytes.astype(np.int64)))
    _, firsts, group = np.unique(keyed, axis=0, return_index=True, return_inverse=True)
    return group.ravel(), firsts
