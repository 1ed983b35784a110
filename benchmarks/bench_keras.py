"""tf.keras benchmark: `model.fit` throughput (samples/s) of the course's MLP (Dense 64 relu, Dropout,
Dense 64 relu, Dropout, Dense 10 softmax; SGD, categorical cross-entropy, batch 32) and `predict`
throughput, for tlboard and, when importable, TensorFlow's Keras (Keras 3 on TF 2, eager/compiled).
Median of several timed epochs after a warm-up epoch.

    python benchmarks/bench_keras.py
    python benchmarks/bench_keras.py --samples 20000 --epochs 5 --skip tensorflow

Target (issue 5): per-batch overhead small enough that the course model trains at >= 20,000 samples/s on
one CPU core (batch 32), so the examples finish in seconds.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def data(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 20), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, n)]
    return x, y


def time_fit(build, x, y, epochs: int, batch_size: int) -> tuple[float, float]:
    """(median fit samples/s over epochs, predict samples/s), after one warm-up epoch."""
    model = build()
    model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
    times = []
    for _ in range(epochs):
        t = time.perf_counter()
        model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
        times.append(time.perf_counter() - t)
    t = time.perf_counter()
    model.predict(x, batch_size=256, verbose=0)
    predict_s = time.perf_counter() - t
    return len(x) / statistics.median(times), len(x) / predict_s


def build_with(keras):
    def build():
        m = keras.models.Sequential([
            keras.layers.Dense(64, activation="relu", input_shape=(20,)),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(10, activation="softmax"),
        ])
        m.compile(optimizer=keras.optimizers.SGD(0.01), loss="categorical_crossentropy", metrics=["accuracy"])
        return m
    return build


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--samples", type=int, default=10000)
    p.add_argument("--epochs", type=int, default=3, help="timed epochs (the median is reported)")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--skip", action="append", default=[], choices=["tensorflow"])
    args = p.parse_args(argv)
    x, y = data(args.samples)

    import tlboard as tf
    results = {"tlboard": time_fit(build_with(tf.keras), x, y, args.epochs, args.batch_size)}
    if "tensorflow" not in args.skip:
        try:
            import tensorflow
            results["tensorflow.keras"] = time_fit(build_with(tensorflow.keras), x, y, args.epochs,
                                                   args.batch_size)
        except ImportError:
            pass
    print(f"course MLP, {args.samples} samples, batch {args.batch_size}")
    print(f"{'':18s}{'fit samples/s':>16s}{'predict samples/s':>20s}")
    for name, (fit_rate, predict_rate) in results.items():
        print(f"{name:18s}{fit_rate:16,.0f}{predict_rate:20,.0f}")


if __name__ == "__main__":
    main()
