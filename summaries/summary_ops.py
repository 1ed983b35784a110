"""TF1 summary ops as graph nodes: each yields a serialized `Summary` (a string tensor) when run.

The op kernels pull their input to the host and call the framework-free builders in summary_pb.py, so the
bytes are identical to what `SummaryWriter` writes for the same values.
"""
from __future__ import annotations

import numpy as np

from tlboard.engine import dtypes as _dt
from tlboard.engine.graph import GraphKeys, Tensor, convert_to_tensor, get_default_graph
from tlboard.engine.ops.array_ops import constant
from tlboard.engine.registry import op_def
from tlboard.engine.shapes import TensorShape

from . import summary_pb
from .protos import summary_pb2

__all__ = ["scalar", "histogram", "image", "text", "audio", "merge", "merge_all"]


def _bytes_scalar(b: bytes) -> np.ndarray:
    out = np.empty((), dtype=object)
    out[()] = b
    return out


def _host(k, x) -> np.ndarray:
    return np.asarray(k.b.to_numpy(x))


def _tag(x) -> str:
    v = x[()] if isinstance(x, np.ndarray) else x
    return v.decode() if isinstance(v, bytes) else str(v)


def _string_scalar_shape(op) -> TensorShape:
    return TensorShape([])


def _string_dtype(op):
    return _dt.string


@op_def
class ScalarSummary:
    shape = _string_scalar_shape
    dtype = _string_dtype

    def forward(k, tags, values):
        v = _host(k, values)
        if v.size != 1:
            raise ValueError(f"tags and values not the same shape: [] != {list(v.shape)} "
                             f"(tag '{_tag(tags)}')")
        return _bytes_scalar(summary_pb.scalar_pb(_tag(tags), float(v.reshape(())))
                             .SerializeToString())


@op_def
class HistogramSummary:
    shape = _string_scalar_shape
    dtype = _string_dtype

    def forward(k, tag, values):
        # Bucketed on the values' device: only the bucket counts and moments come to the host.
        values = k.xp.asarray(values)
        if values.dtype.kind == "f" and not bool(k.xp.isfinite(values).all()):
            raise ValueError(f"Nan in summary histogram for: {_tag(tag)}")
        return _bytes_scalar(summary_pb.histogram_pb(_tag(tag), values, xp=k.xp, to_host=k.b.to_numpy)
                             .SerializeToString())


@op_def
class ImageSummary:
    attrs = {"max_images": 3}
    shape = _string_scalar_shape
    dtype = _string_dtype

    def forward(k, tag, tensor):
        n = k.attrs["max_images"]
        images = _host(k, tensor[:n])  # only the images that get logged leave the device
        if images.ndim != 4 or images.shape[-1] not in (1, 3, 4):
            raise ValueError(f"Tensor must be 4-D with last dim 1, 3, or 4, not {list(images.shape)}")
        return _bytes_scalar(summary_pb.image_pb(_tag(tag), summary_pb.images_to_uint8(images),
                                                 max_outputs=n).SerializeToString())


@op_def
class AudioSummaryV2:
    attrs = {"max_outputs": 3}
    shape = _string_scalar_shape
    dtype = _string_dtype

    def forward(k, tag, tensor, sample_rate):
        n = k.attrs["max_outputs"]
        audio = _host(k, tensor[:n])
        rate = float(_host(k, sample_rate))
        return _bytes_scalar(summary_pb.audio_pb(_tag(tag), audio, rate, max_outputs=n).SerializeToString())


@op_def
class TensorSummaryV2:
    """Used by tf.summary.text: a string tensor with the text plugin's metadata."""

    shape = _string_scalar_shape
    dtype = _string_dtype

    def forward(k, tag, tensor, serialized_summary_metadata):
        return _bytes_scalar(summary_pb.text_pb(_tag(tag), _host(k, tensor)).SerializeToString())


@op_def
class MergeSummary:
    shape = _string_scalar_shape
    dtype = _string_dtype

    def forward(k, *inputs):
        # A Summary is one repeated field, so serialized Summaries concatenate into their merge.
        return _bytes_scalar(b"".join(_tag_bytes(x) for x in inputs))


def _tag_bytes(x) -> bytes:
    v = x[()] if isinstance(x, np.ndarray) else x
    return v if isinstance(v, bytes) else bytes(v)


def _summary_op(op_type: str, name: str, inputs, collections, family=None, consts=(), **attrs) -> Tensor:
    """Creates a summary op named after its (uniquified) scope, with that scope as the tag, as TF1 does.

    `consts` are (name, bytes) string constants appended to the inputs, created inside the scope.
    """
    graph = get_default_graph()
    if family:
        name = f"{family}/{name}"
    with graph.name_scope(name) as scope:
        tag = scope.rstrip("/")
        tag_t = constant(tag, dtype=_dt.string, name="tag" if op_type != "ScalarSummary" else "tags")
        extra = [constant(value, dtype=_dt.string, name=cname) for cname, value in consts]
        op = graph.create_op(op_type, [tag_t] + [convert_to_tensor(x) for x in inputs] + extra, attrs,
                             name=scope)
    out = op.outputs[0]
    for key in (collections if collections is not None else [GraphKeys.SUMMARIES]):
        graph.add_to_collection(key, out)
    return out


def scalar(name: str, tensor, collections=None, family=None) -> Tensor:
    """`tf.summary.scalar`: a serialized Summary with one `simple_value`."""
    t = convert_to_tensor(tensor)
    if t.shape.ndims not in (None, 0) and t.shape.num_elements() != 1:
        raise ValueError(f"Shape {t.shape.bracket()} must have rank 0 for scalar summary '{name}'")
    return _summary_op("ScalarSummary", name, [t], collections, family)


def histogram(name: str, values, collections=None, family=None) -> Tensor:
    """`tf.summary.histogram`: a serialized Summary with a HistogramProto (TF1's default buckets)."""
    return _summary_op("HistogramSummary", name, [values], collections, family)


def image(name: str, tensor, max_outputs: int = 3, collections=None, family=None) -> Tensor:
    """`tf.summary.image`: up to `max_outputs` PNG images from a [batch, h, w, 1|3|4] tensor."""
    t = convert_to_tensor(tensor)
    if t.shape.ndims is not None and t.shape.ndims != 4:
        raise ValueError(f"Shape must be rank 4 but is rank {t.shape.ndims} for image summary '{name}'")
    return _summary_op("ImageSummary", name, [t], collections, family, max_images=int(max_outputs))


def audio(name: str, tensor, sample_rate, max_outputs: int = 3, collections=None, family=None) -> Tensor:
    """`tf.summary.audio`: up to `max_outputs` WAV clips from a [batch, frames(, channels)] float tensor."""
    rate = convert_to_tensor(sample_rate, dtype=_dt.float32)
    return _summary_op("AudioSummaryV2", name, [tensor, rate], collections, family,
                       max_outputs=int(max_outputs))


def text(name: str, tensor, collections=None) -> Tensor:
    """`tf.summary.text`: a string tensor logged for TensorBoard's text plugin."""
    t = convert_to_tensor(tensor, dtype=_dt.string)
    meta = summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="text")).SerializeToString()
    return _summary_op("TensorSummaryV2", name, [t], collections,
                       consts=[("serialized_summary_metadata", meta)])


def merge(inputs, collections=None, name=None) -> Tensor:
    """`tf.summary.merge`: one serialized Summary holding every value of `inputs`."""
    inputs = [convert_to_tensor(x) for x in inputs]
    graph = inputs[0].graph if inputs else get_default_graph()
    with graph.name_scope(name or "Merge"):
        op = graph.create_op("MergeSummary", inputs, {"N": len(inputs)}, name="MergeSummary")
    out = op.outputs[0]
    for key in collections or []:
        graph.add_to_collection(key, out)
    return out


def merge_all(key: str = GraphKeys.SUMMARIES, scope=None, name=None) -> Tensor | None:
    """`tf.summary.merge_all`: merges every summary in `key`; None when there are none, as in TF1."""
    summaries = get_default_graph().get_collection(key, scope=scope)
    if not summaries:
        return None
    return merge(summaries, name=name)
