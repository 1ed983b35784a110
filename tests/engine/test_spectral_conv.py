"""Stride-1 convolutions through the DFT (engine/backends/spectral_conv.py), which the NumPy backend takes
for many-channel convolutions with large filters: values and both gradients against per-tap loops in
float64, the choice of path, scratch reuse across steps, and the sharing of spectra between the kernels of
one run (KernelContext.derived)."""
import numpy as np
import pytest
from gradcheck import check_gradients
from test_conv_pool_kernels import ref_conv, ref_conv_grads

import tlboard as tf
from tlboard.engine.backends import numpy_backend as nb
from tlboard.engine.backends import spectral_conv as sc

RNG = np.random.default_rng(11)

CASES = [  # (x shape, filter shape, dilation, padding): even and odd frames, VALID, dilations, non-square
    ((3, 14, 14, 8), (5, 5, 8, 9), 1, "SAME"),  # the Deep MNIST conv2 geometry, smaller
    ((2, 9, 11, 8), (4, 3, 8, 10), 1, "SAME"),
    ((2, 12, 13, 9), (5, 4, 9, 8), 1, "VALID"),
    ((2, 13, 12, 8), (3, 2, 8, 8), 2, "SAME"),
    ((1, 13, 12, 8), (3, 3, 8, 8), 3, "VALID"),
]


@pytest.fixture
def always_spectral(monkeypatch):
    """Take the DFT path for every stride-1 float convolution with enough channels, however small."""
    monkeypatch.setattr(sc, "MIN_SAVING", 0.0)


def _geometry(xs, ws, dilation, padding):
    return nb._Geometry(xs[1], xs[2], ws[0], ws[1], (1, 1), (dilation, dilation), padding)


@pytest.mark.parametrize("xs,ws,dilation,padding", CASES)
def test_kernels_match_per_tap_loops_in_float64(always_spectral, xs, ws, dilation, padding):
    g = _geometry(xs, ws, dilation, padding)
    assert sc.suits(xs, ws, g, np.float64)
    x, w = RNG.normal(size=xs), RNG.normal(size=ws)
    want = ref_conv(x, w, 1, dilation, padding)
    dy = RNG.normal(size=want.shape)
    want_dx, want_dw = ref_conv_grads(x, w, dy, 1, dilation, padding)
    np.testing.assert_allclose(sc.conv2d(x, w, g, {}), want, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(sc.conv2d_backprop_input(xs, w, dy, g, {}), want_dx, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(sc.conv2d_backprop_filter(x, ws, dy, g, {}), want_dw, rtol=1e-10, atol=1e-10)


def test_backend_routes_deep_mnist_conv2_through_the_dft_and_stays_float32(monkeypatch):
    xs, ws = (4, 14, 14, 32), (5, 5, 32, 64)
    g = _geometry(xs, ws, 1, "SAME")
    assert sc.suits(xs, ws, g, np.float32)
    assert not sc.suits(xs, ws, g, np.float16)  # half precision keeps im2col
    assert not sc.suits((4, 28, 28, 1), (5, 5, 1, 32), g, np.float32)  # one input channel: im2col
    x = RNG.normal(size=xs).astype(np.float32)
    w = (RNG.normal(size=ws) * 0.05).astype(np.float32)
    calls = []
    real = sc.conv2d
    monkeypatch.setattr(sc, "conv2d", lambda *a, **k: calls.append(1) or real(*a, **k))
    y = nb.conv2d(x, w, 1, "SAME")
    assert calls and y.dtype == np.float32
    np.testing.assert_allclose(y, ref_conv(x.astype(np.float64), w.astype(np.float64), 1, 1, "SAME"),
                               rtol=1e-4, atol=1e-4)


def test_3x3_filters_on_small_images_keep_im2col():
    xs, ws = (8, 14, 14, 32), (3, 3, 32, 64)
    assert not sc.suits(xs, ws, _geometry(xs, ws, 1, "SAME"), np.float32)
    strided = nb._Geometry(14, 14, 5, 5, (2, 2), (1, 1), "SAME")
    assert not sc.suits(xs, (5, 5, 32, 64), strided, np.float32)


def test_scratch_buffers_are_reused_and_survive_a_change_of_batch_size(always_spectral):
    ws = (5, 5, 8, 8)
    caches = {}, {}, {}
    kept = None
    for n in (3, 3, 1, 3):
        xs = (n, 10, 10, 8)
        g = _geometry(xs, ws, 1, "SAME")
        x, w = RNG.normal(size=xs).astype(np.float32), RNG.normal(size=ws).astype(np.float32)
        dy = RNG.normal(size=xs[:3] + (8,)).astype(np.float32)
        y = sc.conv2d(x, w, g, caches[0])
        dx = sc.conv2d_backprop_input(xs, w, dy, g, caches[1])
        dw = sc.conv2d_backprop_filter(x, ws, dy, g, caches[2])
        x64, w64, dy64 = (a.astype(np.float64) for a in (x, w, dy))
        want_dx, want_dw = ref_conv_grads(x64, w64, dy64, 1, 1, "SAME")
        np.testing.assert_allclose(y, ref_conv(x64, w64, 1, 1, "SAME"), rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(dx, want_dx, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(dw, want_dw, rtol=1e-4, atol=1e-3)
        if kept is not None and kept.shape[0] == n:
            assert caches[0]["x_spec"] is kept  # same shape as the step before: that step's buffer
        kept = caches[0]["x_spec"]


def test_filter_gradient_reuses_the_spectra_of_its_run(always_spectral, monkeypatch):
    xs, ws = (2, 10, 10, 8), (5, 5, 8, 8)
    g = _geometry(xs, ws, 1, "SAME")
    x, w, dy = RNG.normal(size=xs), RNG.normal(size=ws), RNG.normal(size=xs[:3] + (8,))
    analyzed = _count_analyses(monkeypatch)
    x_derived, dy_derived = {}, {}
    sc.conv2d(x, w, g, {}, x_derived)
    sc.conv2d_backprop_input(xs, w, dy, g, {}, dy_derived)
    assert analyzed == [xs, dy.shape]
    analyzed.clear()
    dw = sc.conv2d_backprop_filter(x, ws, dy, g, {}, x_derived, dy_derived)
    assert analyzed == []  # both spectra came from the run's earlier kernels
    np.testing.assert_allclose(dw, ref_conv_grads(x, w, dy, 1, 1, "SAME")[1], rtol=1e-10, atol=1e-10)
    # Spectra placed differently in the frame (VALID: no offset) are not taken for these.
    g_valid = _geometry(xs, ws, 1, "VALID")
    dy_valid = RNG.normal(size=(2, 6, 6, 8))
    sc.conv2d_backprop_filter(x, ws, dy_valid, g_valid, {}, x_derived, {})
    assert analyzed == [xs, dy_valid.shape]


def _count_analyses(monkeypatch) -> list:
    """The shapes of the images whose spectra kernels compute from here on (filters are not counted)."""
    analyzed = []
    real = sc._analyze
    monkeypatch.setattr(sc, "_analyze", lambda s, *a, **k: analyzed.append(s.shape) or real(s, *a, **k))
    return analyzed


def test_a_training_run_analyzes_each_tensor_once_per_run(always_spectral, monkeypatch):
    analyzed = _count_analyses(monkeypatch)
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float64, [2, 10, 10, 8])
        w = tf.Variable(RNG.normal(size=(5, 5, 8, 8)))
        loss = tf.reduce_sum(tf.square(tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME")))
        grads = tf.gradients(loss, [x, w])
        init = tf.global_variables_initializer()
    xv = RNG.normal(size=(2, 10, 10, 8))
    with tf.Session(graph=g) as sess:
        sess.run(init)
        first = sess.run(grads, {x: xv})
        assert len(analyzed) == 2  # x (forward, reused by the filter gradient) and dy (reused likewise)
        analyzed.clear()
        second = sess.run(grads, {x: xv * 2})  # a new run: nothing carried over from the last one
        assert len(analyzed) == 2
    np.testing.assert_allclose(second[0], 2 * first[0], rtol=1e-9)  # dL/dx = 2 conv^T(y), y doubled
    np.testing.assert_allclose(second[1], 4 * first[1], rtol=1e-9)


def test_variable_values_are_not_shared_within_a_run(always_spectral, monkeypatch):
    """A variable's buffer, and a view of it, may change between two readers in one run (here an
    assign_add runs between two convolutions of the same tensor), so no spectrum of it is kept."""
    analyzed = _count_analyses(monkeypatch)
    g = tf.Graph()
    x0 = RNG.normal(size=(2, 10, 10, 8))
    w = RNG.normal(size=(5, 5, 8, 8))
    with g.as_default():
        v = tf.Variable(x0)
        x = tf.reshape(v, [2, 10, 10, 8])  # a view of the variable's buffer
        y1 = tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME")
        with tf.control_dependencies([y1]):
            bump = tf.assign_add(v, tf.ones_like(v))
        with tf.control_dependencies([bump]):
            y2 = tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME")
        init = tf.global_variables_initializer()
    with tf.Session(graph=g) as sess:
        sess.run(init)
        first, second = sess.run([y1, y2])
    assert len(analyzed) == 2
    np.testing.assert_allclose(first, ref_conv(x0, w, 1, 1, "SAME"), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(second, ref_conv(x0 + 1, w, 1, 1, "SAME"), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("xs,ws,padding,dilation", [
    ((1, 10, 10, 8), (5, 5, 8, 8), "SAME", 1),
    ((2, 7, 6, 8), (3, 2, 8, 8), "VALID", 2),
])
def test_conv2d_gradients_through_the_dft(always_spectral, xs, ws, padding, dilation):
    assert sc.suits(xs, ws, _geometry(xs, ws, dilation, padding), np.float64)

    def build(x, w):
        return tf.nn.conv2d(x, w, [1, 1, 1, 1], padding, dilations=[1, dilation, dilation, 1])
    check_gradients(build, [RNG.normal(size=xs), RNG.normal(size=ws)])


def test_a_cnn_trains_through_the_dft(always_spectral, monkeypatch):
    """The bar-orientation problem of test_training, with a second 5x5x8x8 convolution that takes the DFT
    path (forward and both gradients) at every step, still reaches the stated accuracy with Adam."""
    from test_training import bars
    calls = _count_analyses(monkeypatch)
    train_x, train_y, _ = bars(640, seed=4)
    test_x, _, test_labels = bars(400, seed=5)
    rng = np.random.default_rng(6)
    x = tf.placeholder(tf.float32, [None, 8, 8, 1])
    y = tf.placeholder(tf.float32, [None, 2])
    k1 = tf.Variable(rng.normal(0, 0.4, (3, 3, 1, 8)).astype(np.float32))
    k2 = tf.Variable(rng.normal(0, 0.1, (5, 5, 8, 8)).astype(np.float32))
    h = tf.nn.relu(tf.nn.conv2d(x, k1, [1, 1, 1, 1], "SAME"))
    h = tf.nn.relu(tf.nn.conv2d(h, k2, [1, 1, 1, 1], "SAME"))
    h = tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    w = tf.Variable(rng.normal(0, np.sqrt(2 / 128), (128, 2)).astype(np.float32))
    logits = tf.matmul(tf.reshape(h, [-1, 128]), w)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
    train = tf.train.AdamOptimizer(0.01).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for i in range(150):
            lo = (i * 64) % len(train_x)
            sess.run(train, {x: train_x[lo:lo + 64], y: train_y[lo:lo + 64]})
        assert len(calls) == 2 * 150  # per step: the conv2 input's spectra, and its output gradient's
        predicted = np.argmax(sess.run(logits, {x: test_x}), axis=1)
    accuracy = np.mean(predicted == test_labels)
    assert accuracy >= 0.95, f"test accuracy {accuracy:.3f} < 0.95"
