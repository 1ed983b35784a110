"""The GPU backend's kernels against plain NumPy references (tests/gpu/gpu_refs.py).

Each test runs twice: on the real GPU ("cuda", marked gpu, skipped without CuPy and a device) and on the
host emulator ("emulated": the same CUDA sources compiled with g++, see cuda_emulator.py), so kernel
logic is checked on every machine and device execution wherever a GPU exists.
"""
from __future__ import annotations

import sys

import cuda_emulator
import gpu_refs as ref
import numpy as np
import pytest

from tlboard.engine.backends import cupy_backend, numpy_backend


def _has_gpu() -> bool:
    cupy_backend.is_available.cache_clear()
    return cupy_backend.is_available()


@pytest.fixture(params=[
    pytest.param("cuda", marks=[pytest.mark.gpu, pytest.mark.skipif(
        not _has_gpu(), reason="needs CuPy and a CUDA device: pip install 'tlboard[gpu]' on a GPU machine")]),
    pytest.param("emulated", marks=pytest.mark.skipif(
        not cuda_emulator.available(), reason="needs g++ to emulate the CUDA kernels on the host")),
])
def gpu(request, monkeypatch):
    """The GPU backend module, running on the device or on the host emulator."""
    if request.param == "emulated":
        monkeypatch.setattr(cupy_backend, "cupy", cuda_emulator.fake_cupy())
        monkeypatch.setitem(sys.modules, "cupyx", cuda_emulator.fake_cupyx())
    cupy_backend._module.cache_clear()
    cupy_backend._function.cache_clear()
    yield cupy_backend
    cupy_backend._module.cache_clear()
    cupy_backend._function.cache_clear()


@pytest.fixture
def wide_index(monkeypatch):
    """Forces the 64-bit index kernel variants."""
    monkeypatch.setattr(cupy_backend, "_I32_LIMIT", 0)


def dev(x):
    return cupy_backend.asarray(x)


def host(x) -> np.ndarray:
    return cupy_backend.to_numpy(x)


def rand(rng, shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


TOL = {np.float32: dict(rtol=2e-4, atol=2e-4), np.float64: dict(rtol=1e-10, atol=1e-10)}

CONV_CASES = [  # (x shape, filter shape, stride, dilation, padding)
    ((2, 7, 7, 3), (3, 3, 3, 4), 1, 1, "SAME"),
    ((2, 7, 7, 3), (3, 3, 3, 4), 2, 1, "SAME"),
    ((2, 8, 6, 2), (2, 3, 2, 5), 2, 1, "VALID"),
    ((1, 9, 9, 2), (3, 3, 2, 3), 1, 2, "SAME"),
    ((1, 9, 9, 2), (3, 3, 2, 3), 1, 2, "VALID"),
    ((3, 5, 5, 4), (1, 1, 4, 6), 1, 1, "SAME"),  # pointwise: the GEMM-only path
    ((2, 6, 6, 1), (5, 5, 1, 2), 3, 1, "SAME"),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("xs, ws, stride, dil, pad", CONV_CASES)
def test_conv2d_forward_and_gradients(gpu, xs, ws, stride, dil, pad, dtype):
    rng = np.random.default_rng(1)
    x, w = rand(rng, xs, dtype), rand(rng, ws, dtype)
    strides, dilations = [1, stride, stride, 1], [1, dil, dil, 1]
    y = host(gpu.conv2d(dev(x), dev(w), strides, pad, dilations))
    want = ref.conv2d(x, w, stride, dil, pad)
    assert y.dtype == dtype and y.shape == want.shape
    np.testing.assert_allclose(y, want, **TOL[dtype])
    dy = rand(rng, want.shape, dtype)
    dx_want, dw_want = ref.conv2d_grads(x, w, dy, stride, dil, pad)
    dx = host(gpu.conv2d_backprop_input(np.array(xs), dev(w), dev(dy), strides, pad, dilations))
    dw = host(gpu.conv2d_backprop_filter(dev(x), np.array(ws), dev(dy), strides, pad, dilations))
    np.testing.assert_allclose(dx, dx_want, **TOL[dtype])
    np.testing.assert_allclose(dw, dw_want, **TOL[dtype])


def test_kernels_with_64_bit_indices(gpu, wide_index):
    rng = np.random.default_rng(2)
    x, w = rand(rng, (2, 7, 7, 3)), rand(rng, (3, 3, 3, 2))
    y = host(gpu.conv2d(dev(x), dev(w), [1, 2, 2, 1], "SAME"))
    np.testing.assert_allclose(y, ref.conv2d(x, w, 2, 1, "SAME"), **TOL[np.float32])
    dy = rand(rng, y.shape)
    dx = host(gpu.conv2d_backprop_input([2, 7, 7, 3], dev(w), dev(dy), [1, 2, 2, 1], "SAME"))
    np.testing.assert_allclose(dx, ref.conv2d_grads(x, w, dy, 2, 1, "SAME")[0], **TOL[np.float32])
    p = host(gpu.max_pool(dev(x), [1, 3, 3, 1], [1, 2, 2, 1], "SAME"))
    np.testing.assert_array_equal(p, ref.max_pool(x, 3, 2, "SAME"))
    loss, _ = gpu.sparse_softmax_cross_entropy(dev(x.reshape(6, -1)), np.arange(6))
    want, _ = ref.softmax_xent(x.reshape(6, -1), np.eye(x.size // 6)[np.arange(6)])
    np.testing.assert_allclose(host(loss), want, **TOL[np.float32])


POOL_CASES = [  # (x shape, window, stride, padding)
    ((2, 6, 6, 3), 2, 2, "SAME"),
    ((2, 7, 7, 2), 3, 2, "SAME"),
    ((1, 7, 5, 2), 3, 1, "SAME"),
    ((2, 7, 7, 2), 3, 2, "VALID"),
    ((1, 5, 8, 1), 2, 3, "VALID"),
]


@pytest.mark.parametrize("xs, k, stride, pad", POOL_CASES)
def test_max_pool_and_its_gradient_with_ties(gpu, xs, k, stride, pad):
    rng = np.random.default_rng(3)
    x = rng.integers(0, 3, size=xs).astype(np.float32)  # many ties: the first maximum must win
    ks, ss = [1, k, k, 1], [1, stride, stride, 1]
    y = host(gpu.max_pool(dev(x), ks, ss, pad))
    np.testing.assert_array_equal(y, ref.max_pool(x, k, stride, pad))
    dy = rand(rng, y.shape)
    dx = host(gpu.max_pool_grad(dev(x), dev(y), dev(dy), ks, ss, pad))
    np.testing.assert_allclose(dx, ref.max_pool_grad(x, dy, k, stride, pad), **TOL[np.float32])


def test_max_pool_of_negative_values_ignores_padding(gpu):
    x = -np.arange(1, 1 + 2 * 5 * 5, dtype=np.float32).reshape(2, 5, 5, 1)
    y = host(gpu.max_pool(dev(x), [1, 3, 3, 1], [1, 2, 2, 1], "SAME"))
    np.testing.assert_array_equal(y, ref.max_pool(x, 3, 2, "SAME"))
    assert y.max() < 0  # a zero from padding would have won otherwise


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("xs, k, stride, pad", POOL_CASES)
def test_avg_pool_and_its_gradient(gpu, xs, k, stride, pad, dtype):
    rng = np.random.default_rng(4)
    x = rand(rng, xs, dtype)
    ks, ss = [1, k, k, 1], [1, stride, stride, 1]
    y = host(gpu.avg_pool(dev(x), ks, ss, pad))
    np.testing.assert_allclose(y, ref.avg_pool(x, k, stride, pad), **TOL[dtype])
    dy = rand(rng, y.shape, dtype)
    dx = host(gpu.avg_pool_grad(list(xs), dev(dy), ks, ss, pad))
    np.testing.assert_allclose(dx, ref.avg_pool_grad(xs, dy, k, stride, pad), **TOL[dtype])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rows, classes", [(5, 10), (3, 700), (1, 1)])
def test_softmax_cross_entropy_dense(gpu, rows, classes, dtype):
    rng = np.random.default_rng(5)
    logits = (rand(rng, (rows, classes), dtype) * 4).astype(dtype)
    labels = rng.random((rows, classes)).astype(dtype)
    labels /= labels.sum(axis=1, keepdims=True)
    loss, backprop = gpu.softmax_cross_entropy(dev(logits), dev(labels))
    want_loss, want_bp = ref.softmax_xent(logits, labels)
    np.testing.assert_allclose(host(loss), want_loss, **TOL[dtype])
    np.testing.assert_allclose(host(backprop), want_bp, **TOL[dtype])


def test_softmax_cross_entropy_is_stable_for_huge_logits(gpu):
    logits = np.array([[1000.0, 0.0, -1000.0], [50.0, 50.0, 50.0]], np.float32)
    labels = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], np.float32)
    loss, backprop = gpu.softmax_cross_entropy(dev(logits), dev(labels))
    np.testing.assert_allclose(host(loss), [1000.0, np.log(3.0)], rtol=1e-5)
    np.testing.assert_allclose(host(backprop), [[1, -1, 0], [1 / 3 - 1, 1 / 3, 1 / 3]], atol=1e-6)


@pytest.mark.parametrize("label_dtype", [np.int32, np.int64])
def test_sparse_softmax_cross_entropy(gpu, label_dtype):
    rng = np.random.default_rng(6)
    logits = rand(rng, (6, 300))
    labels = rng.integers(0, 300, size=6).astype(label_dtype)
    loss, backprop = gpu.sparse_softmax_cross_entropy(dev(logits), labels)
    want_loss, want_bp = ref.softmax_xent(logits, np.eye(300)[labels])
    np.testing.assert_allclose(host(loss), want_loss, **TOL[np.float32])
    np.testing.assert_allclose(host(backprop), want_bp, **TOL[np.float32])


def test_sparse_softmax_cross_entropy_rejects_out_of_range_labels(gpu):
    logits = np.zeros((3, 4), np.float32)
    with pytest.raises(ValueError, match=r"label value of 4 which is outside the valid range of \[0, 4\)"):
        gpu.sparse_softmax_cross_entropy(dev(logits), np.array([0, 4, 1]))
    with pytest.raises(ValueError, match="label value of -1"):
        gpu.sparse_softmax_cross_entropy(dev(logits), np.array([-1, 0, 1]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bias_add_relu_and_relu_grad(gpu, dtype):
    rng = np.random.default_rng(7)
    x, b = rand(rng, (4, 3, 5), dtype), rand(rng, (5,), dtype)
    y = host(gpu.bias_add_relu(dev(x), dev(b)))
    want = np.maximum(x + b, 0)
    np.testing.assert_allclose(y, want, **TOL[dtype])
    dy = rand(rng, x.shape, dtype)
    dx = host(gpu.relu_grad(dev(dy), dev(y)))
    np.testing.assert_array_equal(dx, np.where(want > 0, dy, 0))
    with pytest.raises(ValueError, match="as many biases"):
        gpu.bias_add_relu(dev(x), dev(rand(rng, (4,), dtype)))


def test_dropout_mask_keeps_the_right_fraction_scaled(gpu):
    rng = gpu.make_rng(1, 2)
    mask = host(gpu.dropout_mask(rng, (200, 100), 0.25, np.float32))
    kept = mask != 0
    assert set(np.unique(mask)) <= {np.float32(0), np.float32(4.0)}
    assert abs(kept.mean() - 0.25) < 0.02  # 20000 draws: 5 standard deviations is ~0.015
    again = host(gpu.dropout_mask(gpu.make_rng(1, 2), (200, 100), 0.25, np.float32))
    np.testing.assert_array_equal(mask, again)  # seeded: reproducible


# --- fused optimizers against the NumPy backend's update rules (same arguments, in place)

def _slots(rng, n, shape, dtype, positive=()):
    """var, slots..., grad: squared-gradient slots positive (>= 1), other slots small (so a centered
    RMSProp's ms - mg^2 stays positive)."""
    out = []
    for i in range(n):
        a = rand(rng, shape, dtype)
        if i in positive:
            a = np.abs(a) + dtype(1)
        elif 0 < i < n - 1:
            a = a * dtype(0.3)
        out.append(a)
    return out


OPTIMIZERS = {  # name: (number of arrays incl. var and grad, indices of positive slots, builder of args)
    "apply_gradient_descent": (2, (), lambda v, g: ([v], (0.1, g), {})),
    "apply_momentum": (3, (), lambda v, a, g: ([v, a], (0.1, g, 0.9), {})),
    "apply_momentum_nesterov": (3, (), lambda v, a, g: ([v, a], (0.1, g, 0.9), {"use_nesterov": True})),
    "apply_adam": (4, (2,), lambda v, m, s, g: ([v, m, s], (0.9**3, 0.999**3, 0.01, 0.9, 0.999, 1e-7, g), {})),
    "apply_adam_nesterov": (4, (2,), lambda v, m, s, g: (
        [v, m, s], (0.9**3, 0.999**3, 0.01, 0.9, 0.999, 1e-7, g), {"use_nesterov": True})),
    "apply_rms_prop": (4, (1,), lambda v, ms, mom, g: ([v, ms, mom], (0.01, 0.9, 0.5, 1e-6, g), {})),
    "apply_centered_rms_prop": (5, (2,), lambda v, mg, ms, mom, g: (
        [v, mg, ms, mom], (0.01, 0.9, 0.5, 1e-2, g), {})),
    "apply_adagrad": (3, (1,), lambda v, a, g: ([v, a], (0.1, g), {})),
    "apply_adagrad_frozen_slots": (3, (1,), lambda v, a, g: ([v, a], (0.1, g), {"update_slots": False})),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("which", sorted(OPTIMIZERS))
def test_fused_optimizer_matches_numpy_backend(gpu, which, dtype):
    fn_name = which.replace("_nesterov", "").replace("_frozen_slots", "")
    n, positive, build = OPTIMIZERS[which]
    arrays = _slots(np.random.default_rng(8), n, (7, 3), dtype, positive)
    cpu_arrays = [a.copy() for a in arrays]
    gpu_arrays = [dev(a.copy()) for a in arrays]
    state, scalars, kw = build(*cpu_arrays)
    getattr(numpy_backend, fn_name)(*state, *scalars, **kw)
    g_state, g_scalars, g_kw = build(*gpu_arrays)
    out = getattr(gpu, fn_name)(*g_state, *g_scalars, **g_kw)
    assert out is g_state[0]  # updated in place and returned, like the NumPy kernels
    for got, want in zip(g_state, state):
        np.testing.assert_allclose(host(got), want, **TOL[dtype])
    assert not np.allclose(host(g_state[0]), arrays[0])  # the variable moved


def test_adam_folds_bias_correction_into_the_step(gpu):
    var, m, v = (np.zeros(2, np.float32) for _ in range(3))
    g = np.array([0.5, -2.0], np.float32)
    dv, dm, dvv = dev(var), dev(m), dev(v)
    gpu.apply_adam(dv, dm, dvv, 0.9, 0.999, 0.1, 0.9, 0.999, 1e-8, dev(g))
    # First step: m = 0.1 g, v = 0.001 g^2, lr_t = 0.1 sqrt(0.001) / 0.1, so var = -0.1 sign(g) (almost).
    np.testing.assert_allclose(host(dv), [-0.1, 0.1], rtol=1e-4)
    np.testing.assert_allclose(host(dm), 0.1 * g, rtol=1e-6)
    np.testing.assert_allclose(host(dvv), 0.001 * g * g, rtol=1e-4)  # 1 - 0.999 in float32


def test_optimizer_rejects_mismatched_shapes(gpu):
    with pytest.raises(ValueError, match="same shape"):
        gpu.apply_gradient_descent(dev(np.zeros(3, np.float32)), 0.1, dev(np.zeros(4, np.float32)))


def test_integer_tensors_are_refused_by_float_kernels(gpu):
    with pytest.raises(TypeError, match="float32 and float64"):
        gpu.relu_grad(dev(np.ones(3, np.int32)), dev(np.ones(3, np.int32)))


def test_gather_grad_accumulates_repeated_indices(gpu):
    rng = np.random.default_rng(9)
    g = rand(rng, (2, 4, 3))
    indices = np.array([[1, 1], [4, 0]])  # gathered along axis 1 of a [2, 5, 3] tensor: 4 picks
    got = host(gpu.gather_grad([2, 5, 3], indices, dev(g), 1))
    want = np.zeros((2, 5, 3), np.float32)
    for pick, row in enumerate([1, 1, 4, 0]):
        want[:, row, :] += g[:, pick, :]
    np.testing.assert_allclose(got, want, **TOL[np.float32])


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_gather_grad_is_deterministic_and_sums_in_numpys_order(gpu, axis):
    # No atomics: each output element adds its picks in index order, as np.add.at does, so the GPU result is
    # bitwise the CPU one (float32 sums of many repeats depend on their order) and the same every run.
    rng = np.random.default_rng(axis)
    shape = [6, 7, 5]
    indices = rng.integers(0, shape[axis], size=(40, 3))  # 120 picks: every row many times, some never
    g_shape = shape[:axis] + [40, 3] + shape[axis + 1:]
    g = (rng.standard_normal(g_shape) * 10 ** rng.uniform(-3, 3, g_shape)).astype(np.float32)
    want = numpy_backend.gather_grad(shape, indices, g, axis)
    got = host(gpu.gather_grad(shape, indices, dev(g), axis))
    assert got.dtype == np.float32 and np.array_equal(got, want)
    assert np.array_equal(host(gpu.gather_grad(shape, indices, dev(g), axis)), got)
