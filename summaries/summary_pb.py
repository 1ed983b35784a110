"""Pure functions that build `Summary` protos in TensorFlow 1's wire format (no graph engine needed)."""

from __future__ import annotations

import numpy as np

from tlboard.summaries.histogram import Histogram, numpy_histogram, tf_histogram
from tlboard.summaries.png import DEFAULT_COMPRESSION, encode_png
from tlboard.summaries.protos import summary_pb2, tensor_pb2, types_pb2
from tlboard.summaries.wav import encode_wav

Summary = summary_pb2.Summary
_BAD_COLOR = np.array([255, 0, 0, 255], dtype=np.uint8)  # TF1's default colour for non-finite pixels
_ZERO_THRESHOLD = 1e-6


def _scalar_float(value: object, what: str) -> float:
    array = np.asarray(value)
    if array.size != 1:
        raise ValueError(f"{what} must be a single number, got shape {array.shape}")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{what} must be a real number, got {array.dtype}")
    return float(array.reshape(()))


def scalar_pb(tag: str, value: object) -> summary_pb2.Summary:
    """A scalar summary stored as simple_value (float32 on the wire), as tf.compat.v1.summary.scalar does."""
    return Summary(value=[Summary.Value(tag=tag, simple_value=_scalar_float(value, "scalar value"))])


def histogram_proto(histogram: Histogram) -> summary_pb2.HistogramProto:
    """Convert a computed Histogram into its HistogramProto."""
    return summary_pb2.HistogramProto(
        min=histogram.min,
        max=histogram.max,
        num=histogram.num,
        sum=histogram.sum,
        sum_squares=histogram.sum_squares,
        bucket_limit=histogram.bucket_limit.tolist(),
        bucket=histogram.bucket.tolist(),
    )


def histogram_pb(tag: str, values: object, bins: object = None, xp=np,
                 to_host=np.asarray) -> summary_pb2.Summary:
    """A histogram summary; bins=None (or 'tensorflow') uses TF1's default exponential buckets, computed
    where the values live (`xp`, `to_host`: see tf_histogram)."""
    if bins is None or (isinstance(bins, str) and bins == "tensorflow"):
        histogram = tf_histogram(values, xp, to_host)
    else:
        histogram = numpy_histogram(values, bins)
    return Summary(value=[Summary.Value(tag=tag, histo=histogram_proto(histogram))])


def images_to_uint8(images: object) -> np.ndarray:
    """Convert an NHWC batch to uint8 pixels with TF1's per-image rule (uint8 passes through unchanged).

    Floats, per image, over pixels whose channels are all finite: if the minimum is >= 0 they are scaled so
    the maximum becomes 255; otherwise scaled by 127/max|v| and offset by 128 (so 0 maps to 128). Scale is 0
    when the relevant magnitude is below 1e-6; results truncate toward zero; non-finite pixels become red.
    """
    array = np.asarray(images)
    if array.ndim != 4:
        raise ValueError(f"images must be 4-D [batch, height, width, channels], got shape {array.shape}")
    if array.dtype == np.uint8:
        return array
    if array.dtype.kind != "f":
        raise TypeError(f"images must be uint8 or floating point, got {array.dtype}")
    values = array.astype(np.float32, copy=False)
    depth = values.shape[3]
    finite_pixel = np.isfinite(values).all(axis=3, keepdims=True)
    out = np.empty(values.shape, dtype=np.uint8)
    for i in range(values.shape[0]):
        image, ok = values[i], finite_pixel[i]
        finite_values = image[np.broadcast_to(ok, image.shape)]
        low = finite_values.min() if finite_values.size else np.float32(np.inf)
        high = finite_values.max() if finite_values.size else np.float32(-np.inf)
        if low < 0:
            peak = max(abs(low), abs(high))
            scale = np.float32(0.0 if peak < _ZERO_THRESHOLD else np.float32(127.0) / peak)
            offset = np.float32(128.0)
        else:
            scale = np.float32(0.0 if high < _ZERO_THRESHOLD else np.float32(255.0) / high)
            offset = np.float32(0.0)
        with np.errstate(invalid="ignore", over="ignore"):
            scaled = image * scale + offset
        converted = np.where(ok, scaled, 0).astype(np.uint8)
        out[i] = np.where(ok, converted, _BAD_COLOR[:depth])
    return out


def _output_tags(tag: str, kind: str, count: int, max_outputs: int) -> list[str]:
    # TF1 names outputs by the number REQUESTED: one requested -> "tag/kind", else "tag/kind/i".
    if max_outputs == 1:
        return [f"{tag}/{kind}"][:count]
    return [f"{tag}/{kind}/{i}" for i in range(count)]


def image_pb(
    tag: str, images: object, max_outputs: int = 3, compression: int = DEFAULT_COMPRESSION
) -> summary_pb2.Summary:
    """Image summaries (PNG) for up to max_outputs images of an NHWC batch with 1, 3 or 4 channels."""
    if max_outputs < 1:
        raise ValueError(f"max_outputs must be at least 1, got {max_outputs}")
    pixels = images_to_uint8(images)
    if pixels.shape[3] not in (1, 3, 4):
        raise ValueError(f"images must have 1, 3 or 4 channels, got {pixels.shape[3]}")
    count = min(pixels.shape[0], max_outputs)
    summary = Summary()
    for i, name in enumerate(_output_tags(tag, "image", count, max_outputs)):
        height, width, depth = pixels[i].shape
        summary.value.add(
            tag=name,
            image=Summary.Image(
                height=height,
                width=width,
                colorspace=depth,
                encoded_image_string=encode_png(pixels[i], compression),
            ),
        )
    return summary


def string_tensor_pb(strings: object) -> tensor_pb2.TensorProto:
    """A DT_STRING TensorProto (UTF-8) of any shape from a str, bytes, or array-like of them."""
    array = np.asarray(strings, dtype=object)
    flat = [s.encode("utf-8") if isinstance(s, str) else bytes(s) for s in array.ravel()]
    tensor = tensor_pb2.TensorProto(dtype=types_pb2.DT_STRING, string_val=flat)
    for size in array.shape:
        tensor.tensor_shape.dim.add(size=size)
    return tensor


def text_pb(tag: str, text: object) -> summary_pb2.Summary:
    """A text summary: a DT_STRING tensor with plugin "text", as tf.compat.v1.summary.text writes it."""
    array = np.asarray(text, dtype=object)
    if not all(isinstance(s, (str, bytes)) for s in array.ravel()):
        raise TypeError("text must be a str, bytes, or an array of them")
    metadata = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="text"))
    return Summary(value=[Summary.Value(tag=tag, metadata=metadata, tensor=string_tensor_pb(array))])


def audio_pb(tag: str, audio: object, sample_rate: float, max_outputs: int = 3) -> summary_pb2.Summary:
    """Audio summaries (16-bit WAV) for up to max_outputs clips of a [batch, frames(, channels)] float array."""
    if max_outputs < 1:
        raise ValueError(f"max_outputs must be at least 1, got {max_outputs}")
    clips = np.asarray(audio)
    if clips.ndim == 2:
        clips = clips[:, :, None]
    if clips.ndim != 3:
        raise ValueError(f"audio must be [batch, frames] or [batch, frames, channels], got {clips.shape}")
    if clips.dtype.kind != "f":
        raise TypeError(f"audio samples must be floating point in [-1, 1], got {clips.dtype}")
    if not sample_rate > 0:
        raise ValueError(f"sample_rate must be positive, got {sample_rate}")
    count = min(clips.shape[0], max_outputs)
    summary = Summary()
    for i, name in enumerate(_output_tags(tag, "audio", count, max_outputs)):
        frames, channels = clips[i].shape
        summary.value.add(
            tag=name,
            audio=Summary.Audio(
                sample_rate=float(sample_rate),
                num_channels=channels,
                length_frames=frames,
                encoded_audio_string=encode_wav(clips[i], int(sample_rate)),
                content_type="audio/wav",
            ),
        )
    return summary
