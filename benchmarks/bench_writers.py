"""Write throughput of tlboard's writers against tensorboardX, PyTorch and TensorFlow, in one interleaved run.

Workloads (each timed from writer creation through close()):
  scalars     200,000 add_scalar calls
  histograms  2,000 histograms of 10,000 normal values (TensorFlow's default buckets)
  images      200 RGB 64x64 uint8 images (random noise: the worst case for PNG compression)

Writers that are not installed are skipped with a note. Every workload runs `--rounds` times, the writers
interleaved within each round, and the best round is reported.

Usage: python benchmarks/bench_writers.py [--rounds 3] [--scale 1.0]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Callable

import numpy as np

SCALARS = 200_000
HISTOGRAMS = 2_000
HISTOGRAM_SIZE = 10_000
IMAGES = 200
TARGETS = {"scalars": 71_500, "histograms": 2_000, "images": 6_000}  # TensorFlow's C++ writer, items/s

rng = np.random.default_rng(0)
HISTOGRAM_DATA = [rng.normal(size=HISTOGRAM_SIZE) for _ in range(16)]
IMAGE_DATA = [rng.integers(0, 256, size=(64, 64, 3), dtype=np.uint8) for _ in range(16)]


def tlboard_filewriter() -> dict[str, Callable]:
    from tlboard.summaries.summary_pb import histogram_pb, image_pb, scalar_pb
    from tlboard.summaries.writer import FileWriter

    def scalars(logdir, n):
        writer = FileWriter(logdir)
        for step in range(n):
            writer.add_summary(scalar_pb("loss", step * 0.001), step)
        writer.close()

    def histograms(logdir, n):
        writer = FileWriter(logdir)
        for step in range(n):
            writer.add_summary(histogram_pb("weights", HISTOGRAM_DATA[step % 16]), step)
        writer.close()

    def images(logdir, n):
        writer = FileWriter(logdir)
        for step in range(n):
            writer.add_summary(image_pb("input", IMAGE_DATA[step % 16][None], max_outputs=1), step)
        writer.close()

    return {"scalars": scalars, "histograms": histograms, "images": images}


def summary_writer_api(writer_class: type) -> dict[str, Callable]:
    """The workloads through the PyTorch/tensorboardX-style SummaryWriter call shapes."""

    def scalars(logdir, n):
        writer = writer_class(logdir)
        for step in range(n):
            writer.add_scalar("loss", step * 0.001, step)
        writer.close()

    def histograms(logdir, n):
        writer = writer_class(logdir)
        for step in range(n):
            writer.add_histogram("weights", HISTOGRAM_DATA[step % 16], step, bins="tensorflow")
        writer.close()

    def images(logdir, n):
        writer = writer_class(logdir)
        for step in range(n):
            writer.add_image("input", IMAGE_DATA[step % 16], step, dataformats="HWC")
        writer.close()

    return {"scalars": scalars, "histograms": histograms, "images": images}


def tensorflow_writer() -> dict[str, Callable]:
    import tensorflow as tf  # TF2 eager summaries: the C++ EventsWriter

    def run(kind):
        def workload(logdir, n):
            writer = tf.summary.create_file_writer(logdir)
            with writer.as_default():
                for step in range(n):
                    if kind == "scalars":
                        tf.summary.scalar("loss", step * 0.001, step=step)
                    elif kind == "histograms":
                        tf.summary.histogram("weights", HISTOGRAM_DATA[step % 16], step=step)
                    else:
                        tf.summary.image("input", IMAGE_DATA[step % 16][None], step=step)
            writer.close()

        return workload

    return {kind: run(kind) for kind in TARGETS}


def candidates() -> tuple[dict[str, dict[str, Callable]], list[str]]:
    """The writers available in this environment, and notes on those that are not."""
    from tlboard.summaries.summary_writer import SummaryWriter

    writers = {"tlboard FileWriter": tlboard_filewriter(), "tlboard SummaryWriter": summary_writer_api(SummaryWriter)}
    notes = []
    try:
        from tensorboardX import SummaryWriter as XWriter

        writers["tensorboardX"] = summary_writer_api(XWriter)
    except ImportError:
        notes.append("tensorboardX not installed: skipped")
    try:
        from torch.utils.tensorboard import SummaryWriter as TorchWriter

        writers["PyTorch"] = summary_writer_api(TorchWriter)
    except ImportError:
        notes.append("torch not installed: PyTorch's SummaryWriter skipped")
    try:
        writers["TensorFlow"] = tensorflow_writer()
    except ImportError:
        notes.append("tensorflow not installed: TensorFlow's writer skipped")
    return writers, notes


def main() -> None:
    """Run the interleaved benchmark and print items/s and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the item counts (for quick runs)")
    args = parser.parse_args()
    counts = {
        "scalars": max(1, int(SCALARS * args.scale)),
        "histograms": max(1, int(HISTOGRAMS * args.scale)),
        "images": max(1, int(IMAGES * args.scale)),
    }
    writers, notes = candidates()
    best: dict[tuple[str, str], float] = {}
    root = tempfile.mkdtemp(prefix="bench_writers_")
    try:
        for round_index in range(args.rounds):
            for kind, n in counts.items():
                for name, workloads in writers.items():
                    logdir = f"{root}/{round_index}/{kind}/{name.replace(' ', '_')}"
                    start = time.perf_counter()
                    workloads[kind](logdir, n)
                    rate = n / (time.perf_counter() - start)
                    best[name, kind] = max(best.get((name, kind), 0.0), rate)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    print(f"items: {counts}; best of {args.rounds} interleaved rounds; each run includes close()")
    for note in notes:
        print(f"note: {note}")
    others = [name for name in writers if not name.startswith("tlboard")]
    header = f"{'workload':<11} {'writer':<22} {'items/s':>12}  " + "  ".join(f"ours/{o}" for o in others)
    print(header)
    for kind in counts:
        for name in writers:
            rate = best[name, kind]
            ratios = ""
            if name.startswith("tlboard"):
                ratios = "  ".join(f"{rate / best[o, kind]:>{len('ours/' + o)}.2f}" for o in others)
            print(f"{kind:<11} {name:<22} {rate:>12,.0f}  {ratios}")
        print(f"{'':<11} {'target (TF C++ writer)':<22} {TARGETS[kind]:>12,}")


if __name__ == "__main__":
    main()
