"""The NumPy backend's GEMM (oneMKL through ctypes when the `mkl` wheel is installed, NumPy otherwise) and
the plan rewrite that folds a weight gradient's MatMul into its GradientDescent update (one GEMM that
accumulates into the variable). References are computed here in float64 NumPy, independently."""
import os
import subprocess
import sys
from importlib import metadata

import numpy as np
import pytest

import tlboard as tf
from tlboard.engine.backends import blas

RNG = np.random.default_rng(7)


def _mkl_installed() -> bool:
    try:
        metadata.distribution("mkl")
    except metadata.PackageNotFoundError:
        return False
    return True


def test_mkl_is_used_when_its_wheel_is_installed():
    # Guards the fast path against being lost silently (a renamed library, a failed load).
    assert blas.name == ("mkl" if _mkl_installed() and os.environ.get("TLBOARD_BLAS") != "numpy" else "numpy")


def _operand(shape, transposed, dtype):
    """A (rows, cols) operand, as a C array or as the transposed view of one (F order)."""
    x = RNG.standard_normal(shape[::-1] if transposed else shape).astype(dtype)
    return x.T if transposed else x


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ta", [False, True])
@pytest.mark.parametrize("tb", [False, True])
@pytest.mark.parametrize("mkn", [(96, 128, 100), (5, 3, 4)])  # above and below the size that goes to oneMKL
def test_matmul_matches_float64_reference_in_every_layout(dtype, ta, tb, mkn):
    m, k, n = mkn
    a, b = _operand((m, k), ta, dtype), _operand((k, n), tb, dtype)
    got = blas.matmul(a, b)
    want = a.astype(np.float64) @ b.astype(np.float64)
    assert got.dtype == dtype and got.shape == (m, n) and got.flags.c_contiguous
    tol = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol * np.abs(want).max())


@pytest.mark.parametrize("mkn", [(96, 128, 100), (5, 3, 4)])
def test_alpha_and_beta_accumulate_into_out(mkn):
    m, k, n = mkn
    a, b = _operand((m, k), True, np.float32), _operand((k, n), False, np.float32)
    old = RNG.standard_normal((m, n)).astype(np.float32)
    out = old.copy()
    res = blas.matmul(a, b, out=out, alpha=-0.25, beta=1.0)
    assert res is out
    want = old.astype(np.float64) - 0.25 * (a.astype(np.float64) @ b.astype(np.float64))
    np.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-4 * np.abs(want).max())
    out2 = old.copy()
    blas.matmul(a, b, out=out2, alpha=2.0, beta=0.5)
    want2 = 0.5 * old.astype(np.float64) + 2.0 * (a.astype(np.float64) @ b.astype(np.float64))
    np.testing.assert_allclose(out2, want2, rtol=1e-4, atol=1e-4 * np.abs(want2).max())


def test_beta_zero_ignores_garbage_in_out():
    a, b = _operand((96, 128), False, np.float32), _operand((128, 100), False, np.float32)
    out = np.full((96, 100), np.nan, np.float32)
    blas.matmul(a, b, out=out)
    np.testing.assert_allclose(out, a.astype(np.float64) @ b, rtol=1e-4, atol=1e-3)


def test_layouts_blas_cannot_read_and_other_dtypes_fall_back_to_numpy():
    big = RNG.standard_normal((96, 256)).astype(np.float32)
    a = big[:, ::2]  # neither C nor F contiguous
    b = RNG.standard_normal((128, 100)).astype(np.float32)
    np.testing.assert_allclose(blas.matmul(a, b), a.astype(np.float64) @ b, rtol=1e-4, atol=1e-3)
    ai = np.arange(6).reshape(2, 3)
    np.testing.assert_array_equal(blas.matmul(ai, ai.T), [[5, 14], [14, 50]])
    h = np.ones((2, 3), np.float16)
    assert blas.matmul(h, h.T).dtype == np.float16
    assert blas.matmul(np.ones((0, 3), np.float32), np.ones((3, 4), np.float32)).shape == (0, 4)
    np.testing.assert_array_equal(blas.matmul(np.ones((2, 0), np.float32), np.ones((0, 3), np.float32)),
                                  np.zeros((2, 3)))


@pytest.mark.skipif(not _mkl_installed(), reason="the split needs oneMKL, installed wherever `mkl` installs")
def test_big_products_go_to_onemkl_only_when_numpy_blas_runs_one_thread(monkeypatch):
    from threadpoolctl import threadpool_limits
    calls = []
    numpy_gemm = blas._numpy_gemm
    monkeypatch.setattr(blas, "_numpy_gemm", lambda *args: calls.append(1) or numpy_gemm(*args))
    a, b = _operand((256, 512), False, np.float32), _operand((512, 512), False, np.float32)  # 2^26 > _MAX_WORK
    want = a.astype(np.float64) @ b
    for threads, numpy_used in ((1, False), (2, True)):
        calls.clear()
        with threadpool_limits(limits=threads, user_api="blas"):
            got = blas.matmul(a, b)
        assert bool(calls) is numpy_used
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-3)


def test_numpy_can_be_chosen_by_environment():
    code = ("from tlboard.engine.backends import blas; import numpy as np; a = np.ones((200, 100), np.float32);"
            "print(blas.name, float(blas.matmul(a, a.T)[0, 0]))")
    out = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, TLBOARD_BLAS="numpy"),
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == ["numpy", "100.0"]


# --- folding a weight gradient's product into its update

def _plan(sess):
    return list(sess._plans.values())[-1]


def _softmax_xent_grad(logits, labels):
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    return (p - labels) / len(logits)


def test_sgd_step_of_a_two_layer_net_folds_weight_gradients_and_matches_the_hand_computed_update():
    n, d, h, c, lr = 64, 300, 128, 10, 0.1  # layer 1's gradient is big enough to go to oneMKL
    xv = RNG.standard_normal((n, d)).astype(np.float32)
    yv = np.eye(c, dtype=np.float32)[RNG.integers(0, c, n)]
    w1v = (RNG.standard_normal((d, h)) * 0.1).astype(np.float32)
    w2v = (RNG.standard_normal((h, c)) * 0.1).astype(np.float32)
    x, y = tf.placeholder(tf.float32, [None, d]), tf.placeholder(tf.float32, [None, c])
    w1, w2 = tf.Variable(w1v, name="w1"), tf.Variable(w2v, name="w2")
    hid = tf.nn.relu(tf.matmul(x, w1))
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=tf.matmul(hid, w2)))
    train = tf.train.GradientDescentOptimizer(lr).minimize(loss)
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        s.run(train, {x: xv, y: yv})
        assert sorted(_plan(s).folded) == ["GradientDescent/update_w1/ApplyGradientDescent",
                                           "GradientDescent/update_w2/ApplyGradientDescent"]
        got1, got2 = s.run([w1, w2])
    x64, a1 = xv.astype(np.float64), np.maximum(xv.astype(np.float64) @ w1v, 0)
    g2 = _softmax_xent_grad(a1 @ w2v, yv)
    g1 = (g2 @ w2v.T) * (a1 > 0)
    np.testing.assert_allclose(got2, w2v - lr * (a1.T @ g2), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got1, w1v - lr * (x64.T @ g1), rtol=1e-5, atol=1e-6)


def test_a_fetched_gradient_is_not_folded_and_both_values_are_right():
    xv = RNG.standard_normal((8, 5)).astype(np.float32)
    wv = RNG.standard_normal((5, 3)).astype(np.float32)
    x, w = tf.placeholder(tf.float32, [None, 5]), tf.Variable(wv)
    loss = tf.reduce_sum(tf.matmul(x, w))
    opt = tf.train.GradientDescentOptimizer(0.5)
    (g, _), = opt.compute_gradients(loss, [w])
    train = opt.apply_gradients([(g, w)])
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        gv, _ = s.run([g, train], {x: xv})
        assert _plan(s).folded == []
        want_g = xv.astype(np.float64).T @ np.ones((8, 3))
        np.testing.assert_allclose(gv, want_g, rtol=1e-6)
        np.testing.assert_allclose(s.run(w), wv - 0.5 * want_g, rtol=1e-6, atol=1e-6)


def test_an_operand_that_an_earlier_update_changes_is_not_folded():
    # loss = sum(V @ W): W's gradient V.T @ 1 reads V's buffer, which V's own update (it runs first) changes.
    vv = RNG.standard_normal((4, 6)).astype(np.float32)
    wv = RNG.standard_normal((6, 3)).astype(np.float32)
    v, w = tf.Variable(vv, name="V"), tf.Variable(wv, name="W")
    train = tf.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_sum(tf.matmul(v, w)))
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        s.run(train)
        assert _plan(s).folded == []
        ones = np.ones((4, 3))
        np.testing.assert_allclose(s.run(v), vv - 0.1 * (ones @ wv.T.astype(np.float64)), rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(s.run(w), wv - 0.1 * (vv.T.astype(np.float64) @ ones), rtol=1e-6, atol=1e-6)


def test_a_gradient_another_op_reads_is_not_folded():
    xv = RNG.standard_normal((8, 5)).astype(np.float32)
    x, w = tf.placeholder(tf.float32, [None, 5]), tf.Variable(np.zeros((5, 3), np.float32))
    g = tf.matmul(x, tf.ones([8, 3]), transpose_a=True)
    total = tf.reduce_sum(g)
    train = tf.train.GradientDescentOptimizer(1.0).apply_gradients([(g, w)])
    with tf.Session() as s:
        s.run(w.initializer)
        tv, _ = s.run([total, train], {x: xv})
        assert _plan(s).folded == []
        want = xv.astype(np.float64).T @ np.ones((8, 3))
        np.testing.assert_allclose(tv, want.sum(), rtol=1e-5)
        np.testing.assert_allclose(s.run(w), -want, rtol=1e-6, atol=1e-6)


def test_a_folded_update_of_an_uninitialized_variable_names_it():
    x = tf.placeholder(tf.float32, [None, 3])
    w = tf.Variable(np.ones((3, 2), np.float32), name="weights")
    grad = tf.matmul(x, tf.ones([4, 2]), transpose_a=True)  # reads nothing of w: only the update meets it
    train = tf.train.GradientDescentOptimizer(0.1).apply_gradients([(grad, w)])
    with tf.Session() as s:
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value weights"):
            s.run(train, {x: np.ones((4, 3), np.float32)})
        assert _plan(s).folded == ["GradientDescent/update_weights/ApplyGradientDescent"]


# --- the relu gradient merged into the max-pool gradient under it

def _pool_grad_reference(z, w, k, s, through_relu=True):
    """d/dz of sum(w * max_pool(relu(z))) for VALID windows, by loops: each window's gradient goes to its
    first maximum (row-major within the window), times relu's derivative there (d/d relu(z) without it)."""
    r = np.maximum(z, 0)
    n, h, wd, c = z.shape
    oh, ow = (h - k) // s + 1, (wd - k) // s + 1
    dz = np.zeros_like(z)
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                for ch in range(c):
                    win = r[b, i * s:i * s + k, j * s:j * s + k, ch]
                    di, dj = np.unravel_index(np.argmax(win), win.shape)  # argmax: the first maximum
                    if z[b, i * s + di, j * s + dj, ch] > 0 or not through_relu:
                        dz[b, i * s + di, j * s + dj, ch] += w[b, i, j, ch]
    return dz


@pytest.mark.parametrize("k,s", [(2, 2), (3, 2)])  # tiling windows, and overlapping ones
def test_relu_then_max_pool_gradient_is_merged_and_matches_the_loop_reference(k, s):
    z = RNG.standard_normal((2, 7, 9, 3)).astype(np.float32)
    z[0, :2, :2, 0] = -1.0  # a window with no positive cell: its maximum is a relu zero, tied
    z[1, 2:4, 2:4, 1] = 0.5  # a window of tied positive maxima
    zt = tf.placeholder(tf.float32, z.shape)
    pooled = tf.nn.max_pool(tf.nn.relu(zt), [1, k, k, 1], [1, s, s, 1], "VALID")
    w = RNG.standard_normal(pooled.shape.as_list()).astype(np.float32)
    dz, = tf.gradients(tf.reduce_sum(pooled * w), [zt])
    with tf.Session() as sess:
        got = sess.run(dz, {zt: z})
        assert _plan(sess).folded == [dz.op.name]
    np.testing.assert_allclose(got, _pool_grad_reference(z.astype(np.float64), w, k, s), rtol=1e-6, atol=1e-6)


def test_merged_relu_pool_gradient_agrees_with_finite_differences_in_float64():
    z = RNG.permutation(np.linspace(-1.0, 1.0, 2 * 6 * 6 * 2)).reshape(2, 6, 6, 2)  # distinct: no ties
    w = RNG.standard_normal((2, 3, 3, 2))
    zt = tf.placeholder(tf.float64, z.shape)
    loss = tf.reduce_sum(tf.nn.max_pool(tf.nn.relu(zt), [1, 2, 2, 1], [1, 2, 2, 1], "SAME") * w)
    dz, = tf.gradients(loss, [zt])
    with tf.Session() as sess:
        got = sess.run(dz, {zt: z})
        assert _plan(sess).folded == [dz.op.name]
        eps, numeric = 1e-6, np.zeros_like(z)
        for idx in np.ndindex(z.shape):
            zp, zm = z.copy(), z.copy()
            zp[idx] += eps
            zm[idx] -= eps
            numeric[idx] = (sess.run(loss, {zt: zp}) - sess.run(loss, {zt: zm})) / (2 * eps)
    np.testing.assert_allclose(got, numeric, rtol=1e-6, atol=1e-8)


def test_a_fetched_max_pool_gradient_is_not_merged():
    z = RNG.standard_normal((1, 4, 4, 2)).astype(np.float32)
    zt = tf.placeholder(tf.float32, z.shape)
    relu = tf.nn.relu(zt)
    pooled = tf.nn.max_pool(relu, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    dr, dz = tf.gradients(tf.reduce_sum(pooled), [relu, zt])
    with tf.Session() as sess:
        got_dr, got_dz = sess.run([dr, dz], {zt: z})
        assert _plan(sess).folded == []
    want = _pool_grad_reference(z.astype(np.float64), np.ones((1, 2, 2, 2)), 2, 2)
    np.testing.assert_allclose(got_dz, want)
    np.testing.assert_allclose(got_dr, _pool_grad_reference(z.astype(np.float64), np.ones((1, 2, 2, 2)), 2, 2,
                                                            through_relu=False))


def test_relu_grad_of_other_features_than_the_pooled_ones_is_not_merged():
    from tlboard.engine.ops.core import make
    x = np.array([[[[1.0], [3.0]], [[2.0], [0.5]]]], np.float32)  # one 2x2 window, maximum 3 at (0, 1)
    other = np.array([[[[1.0], [-1.0]], [[1.0], [1.0]]]], np.float32)  # negative where the maximum is
    xt, ot = tf.placeholder(tf.float32, x.shape), tf.placeholder(tf.float32, other.shape)
    pooled = tf.nn.max_pool(xt, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    pool_grad = make("MaxPoolGrad", [xt, pooled, tf.constant([[[[5.0]]]])], name="MaxPoolGrad",
                     ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID", data_format="NHWC")
    masked = make("ReluGrad", [pool_grad, ot], name="ReluGrad")
    with tf.Session() as sess:
        got = sess.run(masked, {xt: x, ot: other})
        assert _plan(sess).folded == []
    np.testing.assert_array_equal(got, np.zeros_like(x))  # the 5 routed to (0, 1) meets other's -1 there
