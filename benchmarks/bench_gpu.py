"""GPU training-step speed: tlboard on CuPy vs PyTorch eager on the same GPU.

Models: an MLP (784-512-512-10, Adam, batch 128) and TF's Deep-MNIST CNN (conv5x5x32, pool, conv5x5x64,
pool, fc1024, dropout 0.5, fc10, Adam, batch 50), on synthetic MNIST-shaped data (no download).
Prints ms per training step for each framework and the ratio tlboard / PyTorch; `--json FILE` also
writes the figures. Run: python benchmarks/bench_gpu.py [--steps 100] [--cpu]
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np


def _data(batch: int, rng) -> tuple[np.ndarray, np.ndarray]:
    return rng.random((batch, 784), dtype=np.float32), rng.integers(0, 10, batch).astype(np.int64)


def _tlboard_step(model: str, device: str, batch: int):
    import tlboard as tf

    graph = tf.Graph()
    with graph.as_default(), tf.device(device):
        x = tf.placeholder(tf.float32, [None, 784])
        y = tf.placeholder(tf.int64, [None])
        keep = tf.placeholder_with_default(tf.constant(1.0), [])

        def dense(h, n_in, n_out, seed):
            w = tf.Variable(tf.truncated_normal([n_in, n_out], stddev=0.1, seed=seed))
            return tf.matmul(h, w) + tf.Variable(tf.constant(0.1, shape=[n_out]))

        def conv(h, k, c_in, c_out, seed):
            w = tf.Variable(tf.truncated_normal([k, k, c_in, c_out], stddev=0.1, seed=seed))
            return tf.nn.relu(tf.nn.conv2d(h, w, [1, 1, 1, 1], "SAME") + tf.Variable(tf.constant(0.1, shape=[c_out])))

        if model == "mlp":
            h = tf.nn.relu(dense(x, 784, 512, 1))
            h = tf.nn.relu(dense(h, 512, 512, 2))
            logits = dense(h, 512, 10, 3)
        else:
            img = tf.reshape(x, [-1, 28, 28, 1])
            h = tf.nn.max_pool(conv(img, 5, 1, 32, 1), [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
            h = tf.nn.max_pool(conv(h, 5, 32, 64, 2), [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
            h = tf.nn.relu(dense(tf.reshape(h, [-1, 7 * 7 * 64]), 7 * 7 * 64, 1024, 3))
            logits = dense(tf.nn.dropout(h, keep_prob=keep, seed=4), 1024, 10, 5)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
        train = tf.train.AdamOptimizer(1e-4).minimize(loss)
        init = tf.global_variables_initializer()
    sess = tf.Session(graph=graph)
    sess.run(init)
    feeds_extra = {keep: 0.5} if model == "cnn" else {}

    def step(xb, yb, fetch_loss: bool):
        out = sess.run([train, loss] if fetch_loss else train, {x: xb, y: yb, **feeds_extra})
        return out[1] if fetch_loss else None
    return step


def _torch_step(model: str, batch: int):
    import torch
    from torch import nn

    dev = torch.device("cuda")
    if model == "mlp":
        net = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
    else:
        net = nn.Sequential(nn.Unflatten(1, (1, 28, 28)), nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(),
                            nn.MaxPool2d(2), nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Flatten(), nn.Linear(7 * 7 * 64, 1024), nn.ReLU(), nn.Dropout(0.5),
                            nn.Linear(1024, 10))
    net = net.to(dev)
    opt = torch.optim.Adam(net.parameters(), lr=1e-4)
    lossf = nn.CrossEntropyLoss()

    def step(xb, yb, fetch_loss: bool):
        xt, yt = torch.from_numpy(xb).to(dev), torch.from_numpy(yb).to(dev)
        opt.zero_grad(set_to_none=True)
        loss = lossf(net(xt), yt)
        loss.backward()
        opt.step()
        return float(loss) if fetch_loss else None  # float() syncs, as tlboard's fetch does
    return step


def _time(step, batch: int, steps: int, sync) -> float:
    rng = np.random.default_rng(0)
    batches = [_data(batch, rng) for _ in range(8)]
    for i in range(5):  # warm-up: kernel compilation, cuBLAS handles, memory pools
        step(*batches[i % 8], True)
    sync()
    t0 = time.perf_counter()
    for i in range(steps):
        step(*batches[i % 8], i == steps - 1)
    sync()
    return (time.perf_counter() - t0) / steps * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--cpu", action="store_true", help="also time tlboard on the CPU (slow for the CNN)")
    ap.add_argument("--json", help="write the figures to this file")
    args = ap.parse_args()

    import tlboard as tf
    from tlboard.engine.backends import gpu_available

    if not gpu_available():
        raise SystemExit("no usable GPU (CuPy and a CUDA device are needed): nothing to benchmark")
    try:
        import torch
        has_torch = torch.cuda.is_available()
    except ImportError:
        has_torch = False
    import cupy

    sync_gpu = cupy.cuda.Device().synchronize
    print(f"device: {tf.test.gpu_device_name()} {tf.config.list_physical_devices('GPU')}")
    results = {}
    for model, batch in (("mlp", 128), ("cnn", 50)):
        row = {"batch": batch}
        row["tlboard_gpu_ms"] = _time(_tlboard_step(model, "/gpu:0", batch), batch, args.steps, sync_gpu)
        if has_torch:
            row["torch_gpu_ms"] = _time(_torch_step(model, batch), batch, args.steps, torch.cuda.synchronize)
            row["ratio_tlboard_over_torch"] = row["tlboard_gpu_ms"] / row["torch_gpu_ms"]
        if args.cpu:
            row["tlboard_cpu_ms"] = _time(_tlboard_step(model, "/cpu:0", batch), batch,
                                          max(args.steps // 10, 3), lambda: None)
        results[model] = row
        parts = [f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()]
        print(f"{model:4s} " + "  ".join(parts) + ("" if has_torch else "  (PyTorch with CUDA not installed)"))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
