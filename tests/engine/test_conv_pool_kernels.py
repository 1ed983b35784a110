"""The NumPy backend's convolution and pooling kernels against plain per-tap loops in float64, including
the paths the op-level tests reach rarely: several im2col chunks, few-channel (transposed) columns,
scratch buffers reused across calls through `cache`, and max-pool gradients with many tied windows."""
import numpy as np
import pytest

from tlboard.engine.backends import numpy_backend as nb

RNG = np.random.default_rng(7)


def _pads(size, k, stride, dilation, padding):
    eff = (k - 1) * dilation + 1
    if padding == "VALID":
        return (size - eff) // stride + 1, 0, 0
    out = -(-size // stride)
    total = max((out - 1) * stride + eff - size, 0)
    return out, total // 2, total - total // 2


def _geometry(x_shape, w_shape, stride, dilation, padding):
    _, h, wd, _ = x_shape
    kh, kw = w_shape[:2]
    oh, pt, pb = _pads(h, kh, stride, dilation, padding)
    ow, pl, pr = _pads(wd, kw, stride, dilation, padding)
    return oh, ow, ((0, 0), (pt, pb), (pl, pr), (0, 0))


def _tap(a, i, j, oh, ow, stride, dilation):
    """The (N, oh, ow, C) cells of padded `a` that filter tap (i, j) meets."""
    r, c = i * dilation, j * dilation
    return a[:, r:r + (oh - 1) * stride + 1:stride, c:c + (ow - 1) * stride + 1:stride, :]


def ref_conv(x, w, stride, dilation, padding):
    oh, ow, pads = _geometry(x.shape, w.shape, stride, dilation, padding)
    xp = np.pad(x, pads)
    out = np.zeros((x.shape[0], oh, ow, w.shape[3]))
    for i in range(w.shape[0]):
        for j in range(w.shape[1]):
            out += _tap(xp, i, j, oh, ow, stride, dilation) @ w[i, j]
    return out


def ref_conv_grads(x, w, dy, stride, dilation, padding):
    oh, ow, pads = _geometry(x.shape, w.shape, stride, dilation, padding)
    xp = np.pad(x, pads)
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    for i in range(w.shape[0]):
        for j in range(w.shape[1]):
            _tap(dxp, i, j, oh, ow, stride, dilation)[...] += dy @ w[i, j].T
            dw[i, j] = np.einsum("nhwc,nhwo->co", _tap(xp, i, j, oh, ow, stride, dilation), dy)
    (_, _), (pt, _), (pl, _), _ = pads
    return dxp[:, pt:pt + x.shape[1], pl:pl + x.shape[2], :], dw


CASES = [  # (x shape, filter shape, stride, dilation, padding)
    ((9, 8, 7, 1), (3, 3, 1, 4), 1, 1, "SAME"),
    ((9, 8, 7, 3), (3, 2, 3, 5), 2, 1, "SAME"),
    ((7, 9, 9, 2), (2, 3, 2, 3), 1, 2, "VALID"),
    ((9, 8, 8, 6), (3, 3, 6, 4), 1, 1, "SAME"),
    ((7, 9, 8, 6), (3, 3, 6, 5), 2, 1, "VALID"),
    ((5, 9, 9, 5), (2, 2, 5, 3), 1, 3, "SAME"),
]


@pytest.fixture
def small_chunks(monkeypatch):
    # One to three images per im2col chunk: several chunks per call, some with a partial last chunk.
    monkeypatch.setattr(nb, "_CHUNK_BYTES", 5000)


@pytest.mark.parametrize("xs,ws,stride,dilation,padding", CASES)
def test_conv_kernels_match_per_tap_loops(small_chunks, xs, ws, stride, dilation, padding):
    cache_f, cache_i, cache_w = {}, {}, {}
    for _ in range(2):  # the second round reuses the scratch buffers the first one left in the caches
        x = RNG.normal(size=xs).astype(np.float32)
        w = RNG.normal(size=ws).astype(np.float32)
        st, dl = [1, stride, stride, 1], [1, dilation, dilation, 1]
        y = nb.conv2d(x, w, st, padding, dl, cache=cache_f)
        want = ref_conv(x.astype(np.float64), w.astype(np.float64), stride, dilation, padding)
        assert y.dtype == np.float32 and y.shape == want.shape
        np.testing.assert_allclose(y, want, rtol=1e-4, atol=1e-4)
        dy = RNG.normal(size=want.shape).astype(np.float32)
        dx = nb.conv2d_backprop_input(xs, w, dy, st, padding, dl, cache=cache_i)
        dw = nb.conv2d_backprop_filter(x, ws, dy, st, padding, dl, cache=cache_w)
        want_dx, want_dw = ref_conv_grads(x.astype(np.float64), w.astype(np.float64), dy.astype(np.float64),
                                          stride, dilation, padding)
        assert dx.dtype == np.float32 and dw.dtype == np.float32
        np.testing.assert_allclose(dx, want_dx, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(dw, want_dw, rtol=1e-4, atol=1e-3)
    assert cache_f and cache_w  # the buffers were kept for the next step


def test_conv_cache_survives_a_change_of_batch_size():
    cache = {}
    w = RNG.normal(size=(3, 3, 6, 2)).astype(np.float32)
    for n in (4, 1, 4):
        x = RNG.normal(size=(n, 6, 6, 6)).astype(np.float32)
        np.testing.assert_allclose(nb.conv2d(x, w, 1, "SAME", cache=cache),
                                   ref_conv(x.astype(np.float64), w.astype(np.float64), 1, 1, "SAME"),
                                   rtol=1e-4, atol=1e-4)


def ref_max_pool_grad(x, dy, k, stride, padding):
    """Per-window loop: each window's gradient goes to its first maximum in row-major order."""
    n, h, w, c = x.shape
    oh, pt, _ = _pads(h, k, stride, 1, padding)
    ow, pl, _ = _pads(w, k, stride, 1, padding)
    dx = np.zeros_like(x, dtype=np.float64)
    for b in range(n):
        for ch in range(c):
            for oy in range(oh):
                for ox in range(ow):
                    r0, c0 = oy * stride - pt, ox * stride - pl
                    cells = [(r, s) for r in range(max(r0, 0), min(r0 + k, h))
                             for s in range(max(c0, 0), min(c0 + k, w))]
                    best = max(x[b, r, s, ch] for r, s in cells)
                    r, s = next(rs for rs in cells if x[b, rs[0], rs[1], ch] == best)
                    dx[b, r, s, ch] += dy[b, oy, ox, ch]
    return dx


@pytest.mark.parametrize("k,stride,padding,shape", [(2, 2, "SAME", (3, 8, 6, 4)), (2, 2, "VALID", (2, 6, 4, 3)),
                                                    (3, 3, "VALID", (2, 6, 9, 2)), (3, 2, "SAME", (2, 7, 6, 3))])
def test_max_pool_grad_with_many_ties(k, stride, padding, shape):
    # Small integers after a relu-like clip: most windows hold several equal maxima (often all zero).
    x = np.maximum(RNG.integers(-3, 3, size=shape), 0).astype(np.float32)
    y = nb.max_pool(x, k, stride, padding)
    dy = RNG.normal(size=y.shape).astype(np.float32)
    dx = nb.max_pool_grad(x, y, dy, k, stride, padding)
    assert dx.dtype == np.float32
    np.testing.assert_allclose(dx, ref_max_pool_grad(x, dy, k, stride, padding), rtol=1e-6, atol=1e-6)
