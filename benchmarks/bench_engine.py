"""Engine benchmark: one training step of an MLP and of the Deep MNIST CNN, and a one-op `sess.run`, timed
for tlboard against a hand-written NumPy MLP, TensorFlow 1 graph mode (`tensorflow.compat.v1`) and PyTorch
when they are importable. Contestants run interleaved (round robin, several rounds) and the median time per
step is reported, with ratios.

    python benchmarks/bench_engine.py                    # every contestant pinned to one thread
    python benchmarks/bench_engine.py --threads default  # libraries' default thread counts
    python benchmarks/bench_engine.py --only mlp --rounds 9
    python benchmarks/bench_engine.py --profile mlp      # cProfile of tlboard's MLP step

Issue targets: MLP step <= 1.0x TF1 graph mode, CNN step <= 1.3x TF1, one-op sess.run no slower than TF1.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

_PIN_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
             "NUMEXPR_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", choices=["1", "default"], default="1",
                   help="pin every contestant to one thread (default) or leave the libraries' defaults")
    p.add_argument("--only", choices=["mlp", "cnn", "oneop"], action="append",
                   help="run only these workloads (repeatable)")
    p.add_argument("--rounds", type=int, default=7, help="round-robin rounds (the median is reported)")
    p.add_argument("--seconds", type=float, default=0.25, help="target time of one measurement")
    p.add_argument("--skip", action="append", default=[], choices=["tensorflow", "torch", "numpy"],
                   help="leave a contestant out")
    p.add_argument("--profile", choices=["mlp", "cnn", "oneop"], help="cProfile tlboard's step instead")
    return p.parse_args(argv)


def pin_threads_by_reexec(args) -> None:
    """Thread pools read their size at import, so set the env vars and restart before importing numpy."""
    if args.threads != "1" or os.environ.get("TLBOARD_BENCH_PINNED") == "1":
        return
    env = dict(os.environ, TLBOARD_BENCH_PINNED="1", TF_CPP_MIN_LOG_LEVEL="2")
    env.update({v: "1" for v in _PIN_VARS})
    os.execve(sys.executable, [sys.executable, os.path.abspath(__file__), *sys.argv[1:]], env)


ARGS = parse_args()
pin_threads_by_reexec(ARGS)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402  (after the thread env vars)

PINNED = ARGS.threads == "1"
if PINNED:
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(1)
    except ImportError:
        pass

# --- problem sizes
MLP_SIZES = (784, 256, 256, 10)
MLP_BATCH = 128
CNN_BATCH = 64
LR = 0.01


def mlp_params(rng):
    sizes = MLP_SIZES
    return [(rng.normal(0, np.sqrt(2.0 / a), (a, b)).astype(np.float32), np.zeros(b, np.float32))
            for a, b in zip(sizes[:-1], sizes[1:])]


def cnn_params(rng):
    def w(*shape, fan_in):
        return rng.normal(0, np.sqrt(2.0 / fan_in), shape).astype(np.float32)
    return {
        "c1": w(5, 5, 1, 32, fan_in=25), "b1": np.full(32, 0.1, np.float32),
        "c2": w(5, 5, 32, 64, fan_in=800), "b2": np.full(64, 0.1, np.float32),
        "f1": w(7 * 7 * 64, 1024, fan_in=3136), "bf1": np.full(1024, 0.1, np.float32),
        "f2": w(1024, 10, fan_in=1024), "bf2": np.full(10, 0.1, np.float32),
    }


def batch(rng, n):
    x = rng.random((n, 784), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, n)]
    return x, y


# --- tlboard

def tlboard_mlp():
    import tlboard as tf
    rng = np.random.default_rng(0)
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 784])
        y = tf.placeholder(tf.float32, [None, 10])
        h = x
        params = mlp_params(rng)
        for i, (w, b) in enumerate(params):
            h = tf.matmul(h, tf.Variable(w, name=f"w{i}")) + tf.Variable(b, name=f"b{i}")
            if i < len(params) - 1:
                h = tf.nn.relu(h)
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=h))
        train = tf.train.GradientDescentOptimizer(LR).minimize(loss)
        init = tf.global_variables_initializer()
    sess = tf.Session(graph=g)
    sess.run(init)
    xb, yb = batch(rng, MLP_BATCH)
    feed = {x: xb, y: yb}
    return (lambda: sess.run(train, feed)), (lambda: sess.run(loss, feed))


def tlboard_cnn():
    import tlboard as tf
    rng = np.random.default_rng(0)
    p = cnn_params(rng)
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 784])
        y = tf.placeholder(tf.float32, [None, 10])
        keep = tf.placeholder(tf.float32, [])
        v = {k: tf.Variable(a, name=k) for k, a in p.items()}
        h = tf.reshape(x, [-1, 28, 28, 1])
        h = tf.nn.relu(tf.nn.conv2d(h, v["c1"], strides=[1, 1, 1, 1], padding="SAME") + v["b1"])
        h = tf.nn.max_pool(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
        h = tf.nn.relu(tf.nn.conv2d(h, v["c2"], strides=[1, 1, 1, 1], padding="SAME") + v["b2"])
        h = tf.nn.max_pool(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
        h = tf.reshape(h, [-1, 7 * 7 * 64])
        h = tf.nn.relu(tf.matmul(h, v["f1"]) + v["bf1"])
        h = tf.nn.dropout(h, keep_prob=keep)
        logits = tf.matmul(h, v["f2"]) + v["bf2"]
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
        train = tf.train.AdamOptimizer(1e-4).minimize(loss)
        init = tf.global_variables_initializer()
    sess = tf.Session(graph=g)
    sess.run(init)
    xb, yb = batch(rng, CNN_BATCH)
    feed = {x: xb, y: yb, keep: 0.5}
    return (lambda: sess.run(train, feed)), (lambda: sess.run(loss, {**feed, keep: 1.0}))


def tlboard_oneop():
    import tlboard as tf
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(1.0)
    sess = tf.Session(graph=g)
    return (lambda: sess.run(c)), None


# --- hand-written NumPy MLP (forward, backward and SGD by hand, float32 throughout)

def numpy_mlp():
    rng = np.random.default_rng(0)
    params = mlp_params(rng)
    xb, yb = batch(rng, MLP_BATCH)
    lr = np.float32(LR)

    def forward(x):
        acts = [x]
        h = x
        for i, (w, b) in enumerate(params):
            h = h @ w + b
            if i < len(params) - 1:
                h = np.maximum(h, 0)
            acts.append(h)
        return acts

    def loss_of(logits, y):
        z = logits - logits.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return -(y * logp).sum(axis=1).mean()

    def step():
        acts = forward(xb)
        logits = acts[-1]
        z = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(z)
        d = (e / e.sum(axis=1, keepdims=True) - yb) / np.float32(len(xb))
        for i in range(len(params) - 1, -1, -1):
            w, b = params[i]
            a = acts[i]
            gw, gb = a.T @ d, d.sum(axis=0)
            if i:
                d = (d @ w.T) * (a > 0)
            w -= lr * gw
            b -= lr * gb

    return step, (lambda: loss_of(forward(xb)[-1], yb))


# --- TensorFlow 1 graph mode

def _tf1():
    import tensorflow.compat.v1 as tf1
    tf1.disable_eager_execution()
    return tf1


def _tf1_session(tf1, graph):
    if PINNED:
        config = tf1.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=1)
    else:
        config = tf1.ConfigProto()
    return tf1.Session(graph=graph, config=config)


def tf1_mlp():
    tf1 = _tf1()
    rng = np.random.default_rng(0)
    g = tf1.Graph()
    with g.as_default():
        x = tf1.placeholder(tf1.float32, [None, 784])
        y = tf1.placeholder(tf1.float32, [None, 10])
        h = x
        params = mlp_params(rng)
        for i, (w, b) in enumerate(params):
            h = tf1.matmul(h, tf1.Variable(w)) + tf1.Variable(b)
            if i < len(params) - 1:
                h = tf1.nn.relu(h)
        loss = tf1.reduce_mean(tf1.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=h))
        train = tf1.train.GradientDescentOptimizer(LR).minimize(loss)
        init = tf1.global_variables_initializer()
    sess = _tf1_session(tf1, g)
    sess.run(init)
    xb, yb = batch(rng, MLP_BATCH)
    feed = {x: xb, y: yb}
    return (lambda: sess.run(train, feed)), (lambda: sess.run(loss, feed))


def tf1_cnn():
    tf1 = _tf1()
    rng = np.random.default_rng(0)
    p = cnn_params(rng)
    g = tf1.Graph()
    with g.as_default():
        x = tf1.placeholder(tf1.float32, [None, 784])
        y = tf1.placeholder(tf1.float32, [None, 10])
        keep = tf1.placeholder(tf1.float32, [])
        v = {k: tf1.Variable(a) for k, a in p.items()}
        h = tf1.reshape(x, [-1, 28, 28, 1])
        h = tf1.nn.relu(tf1.nn.conv2d(h, v["c1"], strides=[1, 1, 1, 1], padding="SAME") + v["b1"])
        h = tf1.nn.max_pool(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
        h = tf1.nn.relu(tf1.nn.conv2d(h, v["c2"], strides=[1, 1, 1, 1], padding="SAME") + v["b2"])
        h = tf1.nn.max_pool(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
        h = tf1.reshape(h, [-1, 7 * 7 * 64])
        h = tf1.nn.relu(tf1.matmul(h, v["f1"]) + v["bf1"])
        h = tf1.nn.dropout(h, rate=1.0 - keep)
        logits = tf1.matmul(h, v["f2"]) + v["bf2"]
        loss = tf1.reduce_mean(tf1.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
        train = tf1.train.AdamOptimizer(1e-4).minimize(loss)
        init = tf1.global_variables_initializer()
    sess = _tf1_session(tf1, g)
    sess.run(init)
    xb, yb = batch(rng, CNN_BATCH)
    feed = {x: xb, y: yb, keep: 0.5}
    return (lambda: sess.run(train, feed)), (lambda: sess.run(loss, {**feed, keep: 1.0}))


def tf1_oneop():
    tf1 = _tf1()
    g = tf1.Graph()
    with g.as_default():
        c = tf1.constant(1.0)
    sess = _tf1_session(tf1, g)
    return (lambda: sess.run(c)), None


# --- PyTorch

def _torch():
    import torch
    if PINNED:
        torch.set_num_threads(1)
        try:
            torch.set_num_interop_threads(1)
        except RuntimeError:  # already set (only allowed once per process)
            pass
    return torch


def torch_mlp():
    torch = _torch()
    rng = np.random.default_rng(0)
    layers = []
    params = mlp_params(rng)
    for i, (w, b) in enumerate(params):
        lin = torch.nn.Linear(*w.shape)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w.T.copy()))
            lin.bias.copy_(torch.from_numpy(b))
        layers.append(lin)
        if i < len(params) - 1:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    xb, yb = batch(rng, MLP_BATCH)
    x, y = torch.from_numpy(xb), torch.from_numpy(yb.argmax(1))
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()
        opt.step()

    return step, (lambda: float(loss_fn(model(x), y).detach()))


def torch_cnn():
    torch = _torch()
    nn = torch.nn
    rng = np.random.default_rng(0)
    p = cnn_params(rng)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.c1 = nn.Conv2d(1, 32, 5, padding=2)
            self.c2 = nn.Conv2d(32, 64, 5, padding=2)
            self.f1 = nn.Linear(7 * 7 * 64, 1024)
            self.f2 = nn.Linear(1024, 10)
            self.drop = nn.Dropout(0.5)

        def forward(self, x):
            h = x.view(-1, 1, 28, 28)
            h = torch.max_pool2d(torch.relu(self.c1(h)), 2)
            h = torch.max_pool2d(torch.relu(self.c2(h)), 2)
            h = torch.relu(self.f1(h.permute(0, 2, 3, 1).flatten(1)))  # NHWC order, as the TF weights
            return self.f2(self.drop(h))

    model = Net()
    with torch.no_grad():
        model.c1.weight.copy_(torch.from_numpy(p["c1"].transpose(3, 2, 0, 1).copy()))
        model.c2.weight.copy_(torch.from_numpy(p["c2"].transpose(3, 2, 0, 1).copy()))
        model.f1.weight.copy_(torch.from_numpy(p["f1"].T.copy()))
        model.f2.weight.copy_(torch.from_numpy(p["f2"].T.copy()))
        for layer, bias in ((model.c1, "b1"), (model.c2, "b2"), (model.f1, "bf1"), (model.f2, "bf2")):
            layer.bias.copy_(torch.from_numpy(p[bias]))
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    xb, yb = batch(rng, CNN_BATCH)
    x, y = torch.from_numpy(xb), torch.from_numpy(yb.argmax(1))
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()
        opt.step()

    def loss():
        model.eval()
        with torch.no_grad():
            v = float(loss_fn(model(x), y))
        model.train()
        return v

    return step, loss


# --- the runner

WORKLOADS = {
    "mlp": ("MLP 784-256-256-10, batch 128, SGD: one training step",
            [("tlboard", tlboard_mlp), ("numpy (hand-written)", numpy_mlp), ("tensorflow 1 graph", tf1_mlp),
             ("pytorch", torch_mlp)]),
    "cnn": ("Deep MNIST CNN, batch 64, Adam: one training step",
            [("tlboard", tlboard_cnn), ("tensorflow 1 graph", tf1_cnn), ("pytorch", torch_cnn)]),
    "oneop": ("sess.run of a one-op graph (a scalar Const)",
              [("tlboard", tlboard_oneop), ("tensorflow 1 graph", tf1_oneop)]),
}
_SKIP_KEYS = {"tensorflow": "tensorflow", "torch": "pytorch", "numpy": "numpy"}


def build_contestants(entries, skip):
    built = []
    for name, factory in entries:
        if any(name.startswith(_SKIP_KEYS[s]) for s in skip):
            continue
        try:
            step, loss = factory()
        except ImportError as e:
            print(f"  {name:22s} skipped: {e.name or e} is not importable")
            continue
        before = loss() if loss else None
        for _ in range(3):  # warm up: plans compiled, buffers allocated, kernels chosen
            step()
        if loss:
            print(f"  {name:22s} loss {before:.4f} -> {loss():.4f} after 3 warm-up steps (sanity: it trains)")
        built.append((name, step))
    return built


def calibrate(step, seconds: float) -> int:
    t0 = time.perf_counter()
    step()
    one = max(time.perf_counter() - t0, 1e-6)
    return max(1, min(2000, int(seconds / one)))


def run_workload(key: str) -> dict:
    title, entries = WORKLOADS[key]
    print(f"\n== {title}")
    contestants = build_contestants(entries, ARGS.skip)
    inner = {name: calibrate(step, ARGS.seconds) for name, step in contestants}
    times: dict[str, list[float]] = {name: [] for name, _ in contestants}
    for _ in range(ARGS.rounds):
        for name, step in contestants:  # round robin: drift hits every contestant alike
            n = inner[name]
            t0 = time.perf_counter()
            for _ in range(n):
                step()
            times[name].append((time.perf_counter() - t0) / n)
    medians = {name: float(np.median(ts)) for name, ts in times.items()}
    ref = medians.get("tensorflow 1 graph")
    base = medians.get("tlboard")
    print(f"  {'contestant':22s} {'median ms':>10s} {'min ms':>9s} {'tlboard/this':>13s}")
    for name, med in medians.items():
        ratio = f"{base / med:12.2f}x" if base else ""
        print(f"  {name:22s} {med * 1e3:10.3f} {min(times[name]) * 1e3:9.3f} {ratio}")
    if ref and base:
        print(f"  -> tlboard / TF1 = {base / ref:.2f}x")
    return medians


def profile(key: str) -> None:
    import cProfile
    import pstats
    factory = {"mlp": tlboard_mlp, "cnn": tlboard_cnn, "oneop": tlboard_oneop}[key]
    step, _ = factory()
    for _ in range(3):
        step()
    n = calibrate(step, 1.0)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(n):
        step()
    prof.disable()
    print(f"cProfile of {n} tlboard {key} steps (sorted by own time):")
    pstats.Stats(prof).sort_stats("tottime").print_stats(25)


def main() -> None:
    import platform
    print(f"bench_engine: python {platform.python_version()}, numpy {np.__version__}, "
          f"threads={'1 (pinned)' if PINNED else 'library defaults'}, rounds={ARGS.rounds}, cpus={os.cpu_count()}")
    if ARGS.profile:
        profile(ARGS.profile)
        return
    for key in ARGS.only or ["mlp", "cnn", "oneop"]:
        run_workload(key)


if __name__ == "__main__":
    main()
