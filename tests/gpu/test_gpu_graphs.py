"""Whole graphs on the GPU: op values and gradients match the CPU within float32 tolerance, and small
networks train to the CPU's accuracy.

Each test runs on the real GPU ("cuda", marked gpu, skipped without CuPy and a device) and on the host
emulator ("emulated": our CUDA sources compiled with g++, NumPy standing in for CuPy's array API), which
checks the session's device placement and every kernel call site on machines without a GPU.
"""
from __future__ import annotations

import cuda_emulator
import numpy as np
import pytest

import tlboard as tf
from tlboard.engine.backends import cupy_backend


def _has_gpu() -> bool:
    cupy_backend.is_available.cache_clear()
    return cupy_backend.is_available()


@pytest.fixture(params=[
    pytest.param("cuda", marks=[pytest.mark.gpu, pytest.mark.skipif(
        not _has_gpu(), reason="needs CuPy and a CUDA device: pip install 'tlboard[gpu]' on a GPU machine")]),
    pytest.param("emulated", marks=pytest.mark.skipif(
        not cuda_emulator.available(), reason="needs g++ to emulate the CUDA kernels on the host")),
])
def device(request, monkeypatch):
    """'/gpu:0' backed by the real device or by the emulator."""
    if request.param == "emulated":
        cuda_emulator.emulate(monkeypatch)
    cupy_backend._module.cache_clear()
    cupy_backend._function.cache_clear()
    yield "/gpu:0"
    cupy_backend._module.cache_clear()
    cupy_backend._function.cache_clear()


def _run_on(device_name: str, build, feeds_np: dict, dtype=np.float32):
    """Builds `build(placeholders)` in a fresh graph on `device_name`; returns its fetched values."""
    graph = tf.Graph()
    with graph.as_default(), tf.device(device_name):
        phs = {k: tf.placeholder(tf.as_dtype(v.dtype), v.shape, name=k) for k, v in feeds_np.items()}
        fetches = build(phs)
    with tf.Session(graph=graph) as sess:
        return sess.run(fetches, {phs[k]: v for k, v in feeds_np.items()})


def _weighted_sum(t):
    """A loss whose gradient differs per element (so a permuted gradient cannot pass)."""
    w = tf.reshape(tf.cast(tf.range(tf.size(t)), t.dtype), tf.shape(t))
    return tf.reduce_sum(tf.multiply(t, tf.multiply(w, 0.01)))


GRAPHS = {  # name: (builder of the output from placeholders, input shapes, inputs differentiated)
    "dense_relu": (lambda p: tf.nn.relu(tf.nn.bias_add(tf.matmul(p["x"], p["w"]), p["b"])),
                   {"x": (8, 5), "w": (5, 4), "b": (4,)}, ["x", "w", "b"]),
    "broadcast_arith": (lambda p: tf.multiply(tf.add(p["x"], p["b"]), tf.exp(p["b"])),
                        {"x": (3, 4), "b": (4,)}, ["x", "b"]),
    "reductions": (lambda p: tf.concat([tf.reduce_mean(p["x"], axis=1, keepdims=True),
                                        tf.reduce_max(p["x"], axis=1, keepdims=True),
                                        tf.transpose(p["x"])[:1, :, None][0]], axis=1),
                   {"x": (4, 4)}, ["x"]),
    "conv_same_s1": (lambda p: tf.nn.conv2d(p["x"], p["w"], [1, 1, 1, 1], "SAME"),
                     {"x": (2, 6, 6, 3), "w": (3, 3, 3, 4)}, ["x", "w"]),
    "conv_valid_s2": (lambda p: tf.nn.conv2d(p["x"], p["w"], [1, 2, 2, 1], "VALID"),
                      {"x": (2, 7, 7, 2), "w": (3, 3, 2, 3)}, ["x", "w"]),
    "max_pool": (lambda p: tf.nn.max_pool(p["x"], [1, 2, 2, 1], [1, 2, 2, 1], "SAME"),
                 {"x": (2, 5, 5, 3)}, ["x"]),
    "avg_pool": (lambda p: tf.nn.avg_pool(p["x"], [1, 3, 3, 1], [1, 2, 2, 1], "SAME"),
                 {"x": (2, 5, 5, 3)}, ["x"]),
    "softmax_xent": (lambda p: tf.nn.softmax_cross_entropy_with_logits_v2(
        labels=tf.nn.softmax(p["y"]), logits=p["x"]), {"x": (6, 10), "y": (6, 10)}, ["x"]),
    "softmax": (lambda p: tf.nn.log_softmax(p["x"]) + tf.nn.softmax(p["x"]), {"x": (5, 7)}, ["x"]),
    "embedding": (lambda p: tf.gather(p["x"], tf.constant([3, 0, 3, 1])), {"x": (5, 3)}, ["x"]),
    "einsum": (lambda p: tf.einsum("bij,bjk->bik", p["x"], p["y"]), {"x": (2, 3, 4), "y": (2, 4, 5)}, ["x", "y"]),
    "top_k": (lambda p: tf.nn.top_k(p["x"], k=3).values, {"x": (4, 6)}, ["x"]),
    "gather_scatter_nd": (lambda p: tf.scatter_nd(tf.constant([[1], [3], [1]]), tf.gather_nd(
        p["x"], tf.constant([[0, 1], [2, 2], [1, 0]])), tf.constant([5])), {"x": (3, 4)}, ["x"]),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", sorted(GRAPHS))
def test_graph_values_and_gradients_match_the_cpu(device, case, dtype):
    out_fn, shapes, wrt = GRAPHS[case]
    rng = np.random.default_rng(abs(hash(case)) % 2**32)
    feeds = {k: rng.standard_normal(s).astype(dtype) for k, s in shapes.items()}

    def build(p):
        out = out_fn(p)
        return [out] + tf.gradients(_weighted_sum(out), [p[w] for w in wrt])

    cpu = _run_on("/cpu:0", build, feeds)
    gpu = _run_on(device, build, feeds)
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-11)
    for i, (c, g) in enumerate(zip(cpu, gpu)):
        assert type(g) is np.ndarray and g.dtype == c.dtype, (case, i)
        np.testing.assert_allclose(g, c, err_msg=f"{case} output {i}", **tol)


def test_sparse_softmax_cross_entropy_with_int_labels(device):
    rng = np.random.default_rng(3)
    feeds = {"x": rng.standard_normal((6, 10)).astype(np.float32), "y": rng.integers(0, 10, 6).astype(np.int64)}

    def build(p):
        loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=p["y"], logits=p["x"])
        acc = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(p["x"], 1), p["y"]), tf.float32))
        return [loss, acc] + tf.gradients(tf.reduce_mean(loss), [p["x"]])

    for c, g in zip(_run_on("/cpu:0", build, feeds), _run_on(device, build, feeds)):
        np.testing.assert_allclose(g, c, rtol=1e-5, atol=1e-6)


def test_dropout_on_the_device_keeps_about_keep_prob(device):
    def build(p):
        return tf.nn.dropout(p["x"], keep_prob=0.5, seed=3)

    got = _run_on(device, build, {"x": np.ones((100, 100), np.float32)})
    assert set(np.unique(got)) <= {0.0, 2.0}
    assert abs((got != 0).mean() - 0.5) < 0.03


# --- training: the GPU reaches the CPU's accuracy

def _digits():
    datasets = pytest.importorskip("sklearn.datasets", reason="scikit-learn provides the digits data")
    d = datasets.load_digits()
    x = (d.images / 16.0).astype(np.float32)
    return x[:1500], d.target[:1500].astype(np.int64), x[1500:], d.target[1500:].astype(np.int64)


def _train(device_name: str, model: str, steps: int) -> float:
    xtr, ytr, xte, yte = _digits()
    graph = tf.Graph()
    with graph.as_default(), tf.device(device_name):
        x = tf.placeholder(tf.float32, [None, 8, 8])
        y = tf.placeholder(tf.int64, [None])
        if model == "mlp":
            h = tf.reshape(x, [-1, 64])
            w1 = tf.Variable(tf.truncated_normal([64, 64], stddev=0.1, seed=1))
            h = tf.nn.relu(tf.matmul(h, w1) + tf.Variable(tf.zeros([64])))
            w2 = tf.Variable(tf.truncated_normal([64, 10], stddev=0.1, seed=2))
            logits = tf.matmul(h, w2) + tf.Variable(tf.zeros([10]))
            opt = tf.train.AdamOptimizer(0.01)
        else:
            img = tf.reshape(x, [-1, 8, 8, 1])
            k1 = tf.Variable(tf.truncated_normal([3, 3, 1, 16], stddev=0.2, seed=1))
            c1 = tf.nn.relu(tf.nn.conv2d(img, k1, [1, 1, 1, 1], "SAME") + tf.Variable(tf.zeros([16])))
            p1 = tf.nn.max_pool(c1, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
            flat = tf.reshape(p1, [-1, 4 * 4 * 16])
            w = tf.Variable(tf.truncated_normal([256, 10], stddev=0.1, seed=2))
            logits = tf.matmul(tf.nn.dropout(flat, keep_prob=0.9, seed=4), w) + tf.Variable(tf.zeros([10]))
            opt = tf.train.MomentumOptimizer(0.05, 0.9)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
        step = opt.minimize(loss)
        acc = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32))
        init = tf.global_variables_initializer()
    rng = np.random.default_rng(0)
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        for _ in range(steps):
            idx = rng.integers(0, len(xtr), 64)
            sess.run(step, {x: xtr[idx], y: ytr[idx]})
        return float(sess.run(acc, {x: xte, y: yte}))


@pytest.mark.parametrize("model, steps", [("mlp", 200), ("cnn", 150)])
def test_training_on_the_gpu_reaches_cpu_accuracy(device, model, steps):
    cpu = _train("/cpu:0", model, steps)
    gpu = _train(device, model, steps)
    assert cpu > 0.8, f"the CPU baseline itself failed to learn ({cpu:.3f})"
    # The device draws its own random numbers (initial weights, dropout): equal up to that noise.
    assert gpu >= cpu - 0.05, f"GPU accuracy {gpu:.3f} vs CPU {cpu:.3f}"


@pytest.mark.skipif(not cuda_emulator.available(), reason="needs g++ to emulate the CUDA kernels on the host")
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam", "rmsprop", "adagrad"])
def test_a_training_step_reads_nothing_back_from_the_device(monkeypatch, optimizer):
    # On a GPU every host read of a device value waits for the device: a step may read back only what is
    # fetched. The emulator's device arrays record such reads (float(), bool(), item(), ...).
    cuda_emulator.emulate(monkeypatch)
    graph = tf.Graph()
    with graph.as_default(), tf.device("/gpu:0"):
        x = tf.placeholder(tf.float32, [None, 8, 8])
        y = tf.placeholder(tf.int64, [None])
        keep = tf.placeholder(tf.float32, [])
        conv = tf.nn.conv2d(tf.reshape(x, [-1, 8, 8, 1]), tf.Variable(tf.truncated_normal([3, 3, 1, 4], seed=1)),
                            [1, 1, 1, 1], "SAME")
        pooled = tf.nn.max_pool(tf.nn.relu(conv + tf.Variable(tf.zeros([4]))), [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
        flat = tf.nn.dropout(tf.reshape(pooled, [-1, 64]), keep_prob=keep)
        logits = tf.matmul(flat, tf.Variable(tf.truncated_normal([64, 10], stddev=0.1, seed=2)))
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
        step = tf.train.get_or_create_global_step()
        lr = tf.train.exponential_decay(0.05, step, 10, 0.9)  # a learning rate computed on the device
        opt = {"sgd": tf.train.GradientDescentOptimizer(lr), "momentum": tf.train.MomentumOptimizer(lr, 0.9),
               "adam": tf.train.AdamOptimizer(lr), "rmsprop": tf.train.RMSPropOptimizer(lr, momentum=0.5),
               "adagrad": tf.train.AdagradOptimizer(lr)}[optimizer]
        train = opt.minimize(loss, global_step=step)
        init = tf.global_variables_initializer()
    rng = np.random.default_rng(0)
    feed = {x: rng.random((16, 8, 8), dtype=np.float32), y: rng.integers(0, 10, 16), keep: 0.5}
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        before = sess.run(loss, {**feed, keep: 1.0})
        with cuda_emulator.watch_syncs() as reads:
            for _ in range(3):
                sess.run(train, feed)
        assert reads == []
        assert sess.run(step) == 3 and sess.run(loss, {**feed, keep: 1.0}) != before
