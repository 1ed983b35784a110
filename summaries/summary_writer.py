"""A framework-free `SummaryWriter` with the call shapes PyTorch and tensorboardX users know."""

from __future__ import annotations

import math
import os
import socket
import time
from datetime import datetime
from typing import Any

import numpy as np

from tlboard.summaries.event_encoding import encode_scalar_event, encode_summary_event
from tlboard.summaries.histogram import numpy_histogram, tf_histogram
from tlboard.summaries.png import DEFAULT_COMPRESSION, encode_png
from tlboard.summaries.protos import event_pb2, hparams_pb2, summary_pb2
from tlboard.summaries.summary_pb import audio_pb, histogram_proto, string_tensor_pb
from tlboard.summaries.writer import EventFileWriter, graph_def_bytes

Summary = summary_pb2.Summary
_TEXT_METADATA = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="text"))
_HPARAMS_PLUGIN = "hparams"
# Tag names TensorBoard's hparams plugin looks for.
_EXPERIMENT_TAG = "_hparams_/experiment"
_SESSION_START_TAG = "_hparams_/session_start_info"
_SESSION_END_TAG = "_hparams_/session_end_info"
_GRID_COLUMNS = 8


def _default_logdir(comment: str) -> str:
    stamp = datetime.now().strftime("%b%d_%H-%M-%S")
    return os.path.join("runs", f"{stamp}_{socket.gethostname()}{comment}")


def _float(value: Any, what: str) -> float:
    array = np.asarray(value)
    if array.size != 1 or array.dtype.kind not in "biuf":
        raise ValueError(f"{what} must be a single real number, got {value!r}")
    return float(array.reshape(()))


def _to_hwc(image: np.ndarray, dataformats: str) -> np.ndarray:
    fmt = dataformats.upper()
    if sorted(fmt) not in (sorted("CHW"), sorted("HW"), sorted("HWC")) or len(set(fmt)) != len(fmt):
        raise ValueError(f"dataformats must be a permutation of CHW, HWC or HW, got {dataformats!r}")
    if image.ndim != len(fmt):
        raise ValueError(f"image has {image.ndim} dimensions but dataformats is {dataformats!r}")
    if "C" not in fmt:
        return image.transpose([fmt.index("H"), fmt.index("W")])[:, :, None]
    return image.transpose([fmt.index("H"), fmt.index("W"), fmt.index("C")])


def _to_nhwc(images: np.ndarray, dataformats: str) -> np.ndarray:
    fmt = dataformats.upper()
    if "N" not in fmt:
        raise ValueError(f"add_images needs a batch dimension N in dataformats, got {dataformats!r}")
    if images.ndim != len(fmt):
        raise ValueError(f"images have {images.ndim} dimensions but dataformats is {dataformats!r}")
    batch_first = images.transpose([fmt.index("N")] + [i for i, axis in enumerate(fmt) if axis != "N"])
    return np.stack([_to_hwc(image, fmt.replace("N", "")) for image in batch_first]) if len(batch_first) else (
        np.zeros((0, 1, 1, 1), dtype=images.dtype))


def _pixels(image: np.ndarray) -> np.ndarray:
    # PyTorch/tensorboardX convention: float images are in [0, 1] and are scaled by 255, then clipped.
    if image.dtype == np.uint8:
        return image
    if image.dtype.kind not in "biuf":
        raise TypeError(f"images must be numeric, got {image.dtype}")
    scale = 255.0 if image.dtype.kind == "f" else 1.0
    return np.clip(np.nan_to_num(image.astype(np.float32) * scale), 0, 255).astype(np.uint8)


def _grid(images: np.ndarray) -> np.ndarray:
    """Tile N HWC images into one image, up to 8 per row, filling gaps with black."""
    count, height, width, channels = images.shape
    columns = min(count, _GRID_COLUMNS)
    rows = math.ceil(count / columns)
    canvas = np.zeros((rows * height, columns * width, channels), dtype=images.dtype)
    for i, image in enumerate(images):
        r, c = divmod(i, columns)
        canvas[r * height : (r + 1) * height, c * width : (c + 1) * width] = image
    return canvas


def _array(values: Any) -> np.ndarray:
    # Accept framework tensors (torch, cupy, ...) without importing those frameworks.
    for method in ("detach", "cpu"):
        if hasattr(values, method) and not isinstance(values, np.ndarray):
            values = getattr(values, method)()
    if hasattr(values, "get") and type(values).__module__.startswith("cupy"):
        values = values.get()
    if hasattr(values, "numpy") and not isinstance(values, np.ndarray):
        values = values.numpy()
    return np.asarray(values)


class SummaryWriter:
    """Writes scalars, histograms, images, text, graphs and hparams to an event file in logdir."""

    def __init__(self, logdir: str | os.PathLike | None = None, comment: str = "", purge_step: int | None = None,
                 max_queue: int = 10, flush_secs: float = 120, filename_suffix: str = "",
                 png_compression: int = DEFAULT_COMPRESSION):
        self.logdir = os.fspath(logdir) if logdir is not None else _default_logdir(comment)
        self._max_queue = max_queue
        self._flush_secs = flush_secs
        self._suffix = filename_suffix
        self._png_compression = png_compression
        self._writer: EventFileWriter | None = None
        self._sub_writers: dict[str, SummaryWriter] = {}
        self._tag_bytes: dict[str, bytes] = {}
        if purge_step is not None:
            # A START session log makes TensorBoard drop the points at or after purge_step from earlier runs.
            event = event_pb2.Event(step=int(purge_step), wall_time=time.time())
            event.session_log.status = event_pb2.SessionLog.START
            self._file_writer().add_event(event)

    def get_logdir(self) -> str:
        """The directory this writer writes into."""
        return self.logdir

    def _file_writer(self) -> EventFileWriter:
        # Created lazily, and again after close(), as PyTorch's writer does.
        writer = self._writer
        if writer is None or writer.closed:
            writer = self._writer = EventFileWriter(self.logdir, self._max_queue, self._flush_secs, self._suffix)
        return writer

    def _add_summary(self, summary: summary_pb2.Summary, global_step: int | None, walltime: float | None) -> None:
        wall = time.time() if walltime is None else float(walltime)
        step = 0 if global_step is None else int(global_step)
        self._file_writer().add_serialized_event(encode_summary_event(wall, step, summary.SerializeToString()))

    def add_scalar(self, tag: str, scalar_value: Any, global_step: int | None = None,
                   walltime: float | None = None) -> None:
        """Log one scalar (stored as a float32 simple_value)."""
        tag_bytes = self._tag_bytes.get(tag)
        if tag_bytes is None:
            tag_bytes = self._tag_bytes[tag] = tag.encode("utf-8")
        kind = type(scalar_value)
        value = float(scalar_value) if kind is float or kind is int else _float(scalar_value, "scalar_value")
        event = encode_scalar_event(
            time.time() if walltime is None else float(walltime),
            0 if global_step is None else int(global_step),
            tag_bytes,
            value,
        )
        writer = self._writer
        if writer is None or writer.closed:
            writer = self._file_writer()
        writer.add_serialized_event(event)

    def add_scalars(self, main_tag: str, tag_scalar_dict: dict[str, Any], global_step: int | None = None,
                    walltime: float | None = None) -> None:
        """Log several scalars under main_tag, one sub-run per key (logdir/main_tag/key), as tensorboardX does."""
        walltime = time.time() if walltime is None else walltime
        for key, value in tag_scalar_dict.items():
            run_dir = os.path.join(self.logdir, main_tag, key)
            sub = self._sub_writers.get(run_dir)
            if sub is None:
                sub = self._sub_writers[run_dir] = SummaryWriter(
                    run_dir, max_queue=self._max_queue, flush_secs=self._flush_secs, filename_suffix=self._suffix)
            sub.add_scalar(main_tag, value, global_step, walltime)

    def add_histogram(self, tag: str, values: Any, global_step: int | None = None, bins: Any = "tensorflow",
                      walltime: float | None = None) -> None:
        """Log a histogram; bins='tensorflow' uses TF's exponential buckets, else numpy.histogram bins."""
        array = _array(values)
        histogram = tf_histogram(array) if isinstance(bins, str) and bins == "tensorflow" else numpy_histogram(
            array, bins)
        self._add_summary(Summary(value=[Summary.Value(tag=tag, histo=histogram_proto(histogram))]),
                          global_step, walltime)

    def _image_summary(self, tag: str, image_hwc: np.ndarray) -> summary_pb2.Summary:
        height, width, channels = image_hwc.shape
        if channels not in (1, 3, 4):
            raise ValueError(f"images must have 1, 3 or 4 channels, got {channels}")
        png = encode_png(np.ascontiguousarray(image_hwc), self._png_compression)
        image = Summary.Image(height=height, width=width, colorspace=channels, encoded_image_string=png)
        return Summary(value=[Summary.Value(tag=tag, image=image)])

    def add_image(self, tag: str, img_tensor: Any, global_step: int | None = None, walltime: float | None = None,
                  dataformats: str = "CHW") -> None:
        """Log one image (floats in [0, 1] are scaled by 255; uint8 as is)."""
        image = _pixels(_to_hwc(_array(img_tensor), dataformats))
        self._add_summary(self._image_summary(tag, image), global_step, walltime)

    def add_images(self, tag: str, img_tensor: Any, global_step: int | None = None, walltime: float | None = None,
                   dataformats: str = "NCHW") -> None:
        """Log a batch of images tiled into one grid image (8 per row)."""
        images = _to_nhwc(_array(img_tensor), dataformats)
        if images.shape[0] == 0:
            raise ValueError("add_images needs at least one image")
        self._add_summary(self._image_summary(tag, _grid(_pixels(images))), global_step, walltime)

    def add_text(self, tag: str, text_string: str, global_step: int | None = None,
                 walltime: float | None = None) -> None:
        """Log text (Markdown) as tag '<tag>/text_summary', a [1] string tensor for the text plugin."""
        if not isinstance(text_string, (str, bytes)):
            raise TypeError(f"text_string must be str or bytes, got {type(text_string)}")
        value = Summary.Value(tag=f"{tag}/text_summary", metadata=_TEXT_METADATA,
                              tensor=string_tensor_pb([text_string]))
        self._add_summary(Summary(value=[value]), global_step, walltime)

    def add_audio(self, tag: str, snd_tensor: Any, global_step: int | None = None, sample_rate: int = 44100,
                  walltime: float | None = None) -> None:
        """Log one audio clip ([frames] or [frames, channels] floats in [-1, 1]) as a WAV file."""
        clip = _array(snd_tensor).astype(np.float32, copy=False)
        summary = audio_pb(tag, clip[None], sample_rate, max_outputs=1)
        summary.value[0].tag = tag
        self._add_summary(summary, global_step, walltime)

    def add_graph(self, graph: Any, global_step: int | None = None) -> None:
        """Log a graph: a GraphDef proto, its bytes, or an object with as_graph_def()."""
        event = event_pb2.Event(wall_time=time.time(), graph_def=graph_def_bytes(graph))
        if global_step is not None:
            event.step = int(global_step)
        self._file_writer().add_event(event)

    def add_hparams(self, hparam_dict: dict[str, Any], metric_dict: dict[str, Any],
                    hparam_domain_discrete: dict[str, list] | None = None, run_name: str | None = None,
                    global_step: int | None = None) -> None:
        """Log one hparams session (with its metrics) into the sub-run logdir/run_name, as PyTorch does."""
        if not isinstance(hparam_dict, dict) or not isinstance(metric_dict, dict):
            raise TypeError("hparam_dict and metric_dict must both be dicts")
        experiment, start, end = hparams_summaries(hparam_dict, metric_dict, hparam_domain_discrete)
        run_dir = os.path.join(self.logdir, run_name or str(time.time()))
        with SummaryWriter(run_dir, max_queue=self._max_queue, flush_secs=self._flush_secs) as sub:
            for summary in (experiment, start, end):
                sub._add_summary(summary, global_step, None)
            for key, value in metric_dict.items():
                sub.add_scalar(key, value, global_step)

    def flush(self) -> None:
        """Block until everything logged so far is in the event files."""
        if self._writer is not None:
            self._writer.flush()
        for sub in self._sub_writers.values():
            sub.flush()

    def close(self) -> None:
        """Flush and close the event files (logging again afterwards starts new files)."""
        if self._writer is not None:
            self._writer.close()
        for sub in self._sub_writers.values():
            sub.close()

    def __enter__(self) -> SummaryWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _hparam_value(name: str, value: Any) -> tuple[Any, int]:
    """Return (value for google.protobuf.Value, hparams DataType) of one hyperparameter."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value), hparams_pb2.DATA_TYPE_BOOL
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value), hparams_pb2.DATA_TYPE_FLOAT64
    if isinstance(value, str):
        return value, hparams_pb2.DATA_TYPE_STRING
    raise TypeError(f"hyperparameter {name!r} must be a bool, number or str, got {type(value)}")


def _set_value(target: Any, value: Any) -> None:
    if isinstance(value, bool):
        target.bool_value = value
    elif isinstance(value, float):
        target.number_value = value
    else:
        target.string_value = value


def _plugin_summary(tag: str, data: hparams_pb2.HParamsPluginData) -> summary_pb2.Summary:
    metadata = summary_pb2.SummaryMetadata()
    metadata.plugin_data.plugin_name = _HPARAMS_PLUGIN
    metadata.plugin_data.content = data.SerializeToString()
    return Summary(value=[Summary.Value(tag=tag, metadata=metadata)])


def hparams_summaries(hparam_dict: dict[str, Any], metric_dict: dict[str, Any],
                      domain_discrete: dict[str, list] | None = None) -> tuple[summary_pb2.Summary, ...]:
    """The experiment, session-start and session-end summaries TensorBoard's hparams plugin reads."""
    domain_discrete = domain_discrete or {}
    experiment = hparams_pb2.HParamsPluginData(version=0)
    start = hparams_pb2.HParamsPluginData(version=0)
    start.session_start_info.start_time_secs = time.time()
    for name, raw in hparam_dict.items():
        value, data_type = _hparam_value(name, raw)
        _set_value(start.session_start_info.hparams[name], value)
        info = experiment.experiment.hparam_infos.add(name=name, type=data_type)
        if name in domain_discrete:
            for option in domain_discrete[name]:
                option_value, option_type = _hparam_value(name, option)
                if option_type != data_type:
                    raise TypeError(f"domain of {name!r} mixes types: {option!r} vs {raw!r}")
                _set_value(info.domain_discrete.values.add(), option_value)
    for key in metric_dict:
        experiment.experiment.metric_infos.add().name.tag = key
    end = hparams_pb2.HParamsPluginData(version=0)
    end.session_end_info.status = hparams_pb2.STATUS_SUCCESS
    end.session_end_info.end_time_secs = time.time()
    return (
        _plugin_summary(_EXPERIMENT_TAG, experiment),
        _plugin_summary(_SESSION_START_TAG, start),
        _plugin_summary(_SESSION_END_TAG, end),
    )
