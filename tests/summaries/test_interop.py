"""Files we write, read back by the real client: stock TensorBoard's EventAccumulator and its server."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from stock_tensorboard import stock_tensorboard

from tlboard.summaries.summary_pb import histogram_pb, image_pb, scalar_pb, text_pb
from tlboard.summaries.summary_writer import SummaryWriter
from tlboard.summaries.writer import FileWriter

ea = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
GUIDANCE = {ea.SCALARS: 0, ea.HISTOGRAMS: 0, ea.IMAGES: 0, ea.TENSORS: 0, ea.AUDIO: 0}


def _accumulator(path):
    acc = ea.EventAccumulator(str(path), size_guidance=GUIDANCE)
    acc.Reload()
    return acc


def _float32(x):
    return float(np.float32(x))


def test_filewriter_output_is_read_by_event_accumulator(tmp_path):
    rng = np.random.default_rng(0)
    losses = [1.0 / (step + 1) for step in range(20)]
    weights = [rng.normal(size=100) for _ in range(3)]
    images = rng.integers(0, 256, size=(2, 6, 9, 3), dtype=np.uint8)
    with FileWriter(tmp_path) as writer:
        for step, loss in enumerate(losses):
            writer.add_summary(scalar_pb("loss", loss), step)
        for step, w in enumerate(weights):
            writer.add_summary(histogram_pb("weights", w), step * 10)
        writer.add_summary(image_pb("input", images, max_outputs=2), 7)
        writer.add_summary(text_pb("notes", "hello **world**"), 2)
        writer.add_summary(text_pb("notes", "again"), 3)
    acc = _accumulator(tmp_path)
    assert [(e.step, e.value) for e in acc.Scalars("loss")] == [(s, _float32(v)) for s, v in enumerate(losses)]
    histos = acc.Histograms("weights")
    assert [e.step for e in histos] == [0, 10, 20]
    for event, w in zip(histos, weights):
        h = event.histogram_value
        assert (h.min, h.max, h.num) == (w.min(), w.max(), 100)
        assert h.sum == pytest.approx(w.sum())
    for i in range(2):
        (image,) = acc.Images(f"input/image/{i}")
        assert (image.step, image.width, image.height) == (7, 9, 6)
        decoded = np.asarray(Image.open(io.BytesIO(image.encoded_image_string)))
        assert np.array_equal(decoded, images[i])
    notes = acc.Tensors("notes")
    assert [(e.step, e.tensor_proto.string_val) for e in notes] == [(2, [b"hello **world**"]), (3, [b"again"])]
    assert acc.PluginTagToContent("text") == {"notes": b""}


def test_summary_writer_output_is_read_by_event_accumulator(tmp_path):
    rng = np.random.default_rng(1)
    values = rng.normal(size=1000)
    chw = rng.random((3, 4, 5)).astype(np.float32)
    batch = rng.integers(0, 256, size=(10, 3, 4, 5), dtype=np.uint8)
    with SummaryWriter(tmp_path) as writer:
        for step in range(30):
            writer.add_scalar("train/loss", 0.5 * step, step)
        writer.add_scalar("np", np.float32(2.5), 1)
        writer.add_histogram("dist", values, 4)
        writer.add_image("one", chw, 5)
        writer.add_images("many", batch, 6)
        writer.add_text("notes", "some *markdown*", 8)
        writer.add_scalars("losses", {"train": 1.0, "val": 2.0}, 9)
        writer.add_hparams({"lr": 0.01, "opt": "adam", "bn": True}, {"hparam/acc": 0.75}, run_name="hp")
    acc = _accumulator(tmp_path)
    assert [(e.step, e.value) for e in acc.Scalars("train/loss")] == [(s, 0.5 * s) for s in range(30)]
    assert acc.Scalars("np")[0].value == 2.5
    h = acc.Histograms("dist")[0].histogram_value
    assert (h.min, h.max, h.num) == (values.min(), values.max(), 1000)
    (one,) = acc.Images("one")
    assert (one.width, one.height) == (5, 4)
    pixels = np.asarray(Image.open(io.BytesIO(one.encoded_image_string)))
    assert np.array_equal(pixels, (chw.transpose(1, 2, 0) * 255).astype(np.uint8))
    (grid,) = acc.Images("many")
    assert (grid.width, grid.height) == (8 * 5, 2 * 4)
    grid_pixels = np.asarray(Image.open(io.BytesIO(grid.encoded_image_string)))
    assert np.array_equal(grid_pixels[4:8, 5:10], batch[9].transpose(1, 2, 0))  # 10th image: row 1, column 1
    assert not grid_pixels[4:8, 10:].any()  # empty grid cells are black
    assert acc.Tensors("notes/text_summary")[0].tensor_proto.string_val == [b"some *markdown*"]
    for run, expected in (("train", 1.0), ("val", 2.0)):
        sub = _accumulator(tmp_path / "losses" / run)
        assert [(e.step, e.value) for e in sub.Scalars("losses")] == [(9, expected)]
    hp = _accumulator(tmp_path / "hp")
    assert hp.Scalars("hparam/acc")[0].value == _float32(0.75)
    content = hp.PluginTagToContent("hparams")
    from tensorboard.plugins.hparams import plugin_data_pb2

    start = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/session_start_info"])
    hparams = start.session_start_info.hparams
    assert (hparams["lr"].number_value, hparams["opt"].string_value, hparams["bn"].bool_value) == (0.01, "adam", True)
    experiment = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/experiment"]).experiment
    assert [i.name for i in experiment.hparam_infos] == ["lr", "opt", "bn"]
    assert [m.name.tag for m in experiment.metric_infos] == ["hparam/acc"]


@pytest.mark.slow
def test_stock_tensorboard_server_serves_our_scalars(tmp_path):
    with SummaryWriter(tmp_path) as writer:
        for step in range(12):
            writer.add_scalar("acc", step / 16, step)
    with stock_tensorboard(tmp_path) as server:
        points = server.poll_json("/data/plugin/scalars/scalars", lambda p: len(p) == 12, timeout=60,
                                  run=".", tag="acc")
    assert [(p[1], p[2]) for p in points] == [(s, s / 16) for s in range(12)]
