"""Each example runs (--quick) as a newcomer would, reaches its accuracy threshold, and writes event
files that stock TensorBoard reads."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sklearn", reason="the examples train on scikit-learn's digits (the `examples` extra)")
event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator",
                                        reason="stock tensorboard is needed to read the event files back")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ACCURACY = re.compile(r"^test accuracy: (\d\.\d{4}) \(threshold (\d\.\d\d)\)$", re.MULTILINE)


def run_example(name: str, logdir: Path) -> str:
    proc = subprocess.run([sys.executable, str(EXAMPLES / f"{name}.py"), "--quick", "--logdir", str(logdir)],
                          capture_output=True, text=True, timeout=120, cwd=logdir.parent)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    match = ACCURACY.search(proc.stdout)
    assert match, proc.stdout
    assert float(match.group(1)) >= float(match.group(2))
    return proc.stdout


def load_run(logdir: Path):
    assert list(logdir.glob("events.out.tfevents.*")), f"no event file in {logdir}"
    acc = event_accumulator.EventAccumulator(str(logdir), size_guidance={"scalars": 0, "histograms": 0,
                                                                        "images": 0})
    acc.Reload()
    return acc


def test_mnist_softmax(tmp_path):
    run_example("mnist_softmax", tmp_path / "logs")
    run = load_run(tmp_path / "logs")
    assert [e.step for e in run.Scalars("cross_entropy")] == list(range(0, 100, 10))
    assert run.Scalars("accuracy")[-1].value > run.Scalars("accuracy")[0].value
    assert "weights" in run.Tags()["histograms"] and run.Tags()["graph"]


def test_mnist_cnn(tmp_path):
    run_example("mnist_cnn", tmp_path / "logs")
    train, test = load_run(tmp_path / "logs" / "train"), load_run(tmp_path / "logs" / "test")
    assert train.Tags()["graph"] and not test.Tags()["graph"]
    tags = train.Tags()
    assert {"cross_entropy", "accuracy", "conv1/weight_summaries/mean", "dropout/dropout_keep_probability"} <= set(
        tags["scalars"])
    assert {"conv1/weight_summaries/histogram", "fc1/activations"} <= set(tags["histograms"])
    images = train.Images("input/digits/image/0")
    assert images and (images[0].width, images[0].height) == (8, 8)
    assert [e.step for e in test.Scalars("accuracy")] == list(range(0, 80, 10))


def test_keras_sequential(tmp_path):
    out = run_example("keras_sequential", tmp_path / "logs")
    assert "dense_1 (Dense)              (None, 64)                4160" in out  # 64 pixels -> 64 units
    assert "Total params: 8,970" in out
    run = load_run(tmp_path / "logs")
    assert {"loss", "accuracy"} <= set(run.Tags()["scalars"])
    assert "dense_1/kernel_0" in run.Tags()["histograms"]


def test_keras_fit(tmp_path):
    out = run_example("keras_fit", tmp_path / "logs")
    assert "Epoch 3/3" in out and " - val_acc: " in out
    run = load_run(tmp_path / "logs")
    assert set(run.Tags()["scalars"]) == {"loss", "acc", "val_loss", "val_acc"}
    assert [e.step for e in run.Scalars("val_acc")] == [0, 1, 2]
    assert run.Tags()["graph"]
