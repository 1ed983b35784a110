"""The NumPy backend (CPU): the array namespace plus the kernels ops need beyond it."""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided as _as_strided

from . import blas, spectral_conv
from .geometry import output_size  # noqa: F401 - part of the backend interface
from .geometry import pair as _pair
from .scratch import scratch as _scratch

name = "numpy"
device_type = "CPU"
xp = np


def is_available() -> bool:
    return True


def asarray(x, dtype=None) -> np.ndarray:
    """An ndarray from host data or another backend's array (copied to the host)."""
    if hasattr(x, "get") and not isinstance(x, np.ndarray):  # a device array: copy it to the host
        x = x.get()
    return np.asarray(x, dtype=dtype)


def to_numpy(x) -> np.ndarray:
    """The host ndarray for a value of this backend (no copy)."""
    return x


def make_rng(seed: int | None, seed2: int | None) -> np.random.Generator:
    """A random generator seeded from TF's (graph seed, op seed) pair; fresh entropy when both are None."""
    if seed is None and seed2 is None:
        return np.random.default_rng()
    return np.random.default_rng([seed or 0, seed2 or 0])


# --- Kernels beyond the array namespace (convolution, pooling, ...) are appended below by their ops'
# authors; the CuPy backend mirrors each name.


def matmul(a, b, transpose_a: bool = False, transpose_b: bool = False) -> np.ndarray:
    """a @ b for matrices, either operand optionally transposed (oneMKL's GEMM when installed)."""
    return blas.matmul(a.T if transpose_a else a, b.T if transpose_b else b)


# ======================================================================================================
# --- Optimizer update kernels (tf.train; owner: engine/train). Each updates `var` and its slots IN PLACE
# and allocates nothing per step: work goes through a scratch buffer kept in `cache` (the op's per-plan-step
# dict). Big variables are processed in blocks that stay in the CPU cache, so the several NumPy passes an
# update needs cost about one trip through memory (Adam on 3.2M floats: 8.2 ms instead of 11 ms).
# Scalars (lr, beta1, ...) may be Python numbers or 0-d arrays; they are turned into the variable's dtype
# so float32 stays float32. The CuPy backend mirrors each name as one fused kernel.
# (No SciPy BLAS axpy here: SciPy ships its own OpenBLAS whose thread pool fights NumPy's, making a
# default-threads MLP step 10x slower on 2 cores.)
# ======================================================================================================

_UPDATE_BLOCK = 32768  # elements per block: a block of every operand fits in L2 together (measured best:
# Adam on 3.2M floats after a cache flush, 6.7 ms against 7.0 at 65536 and 7.7 at 16384)


def _add_scaled(y, x, a, tmp) -> None:
    """y += a * x in place; `tmp` is scratch (it may be `x` itself when x is scratch too)."""
    np.multiply(x, y.dtype.type(a), out=tmp)
    y += tmp


def _run_blocked(cache, block_fn, state: tuple, grad, n_scratch: int = 1) -> None:
    """Calls `block_fn(*state_blocks, grad_block, *scratch)` over cache-sized blocks of flat views.

    `state` (the variable and its slots) is updated in place: flat views are used only when every state
    array is C-contiguous (always, for arrays the session owns); otherwise one call covers the whole arrays.
    """
    var = state[0]
    if var.size <= _UPDATE_BLOCK or not all(s.flags.c_contiguous for s in state):
        buf = _scratch(cache, "scratch_whole", (n_scratch,) + var.shape, var.dtype)
        block_fn(*state, grad, *[buf[i, ...] for i in range(n_scratch)])  # [i, ...]: arrays even when 0-d
        return
    flat = [s.reshape(-1) for s in state]
    g = np.ascontiguousarray(grad, dtype=var.dtype).reshape(-1)
    n = var.size
    size = min(n, _UPDATE_BLOCK)
    buf = cache.get("scratch") if cache is not None else None
    if buf is None or buf.shape != (n_scratch, size) or buf.dtype != var.dtype:
        buf = np.empty((n_scratch, size), var.dtype)
        if cache is not None:
            cache["scratch"] = buf
    for lo in range(0, n, size):
        hi = min(lo + size, n)
        scratch = buf[:, : hi - lo] if hi - lo != size else buf
        block_fn(*[f[lo:hi] for f in flat], g[lo:hi], *scratch)


def apply_gradient_descent(var, lr, grad, cache=None, grad_is_scratch=False):
    """var -= lr * grad. With `grad_is_scratch` (nothing reads the gradient afterwards) it is scaled in
    place: two passes over memory instead of three."""
    neg_lr = -float(lr)
    if grad_is_scratch and grad.shape == var.shape:
        np.multiply(grad, grad.dtype.type(neg_lr), out=grad)
        var += grad
        return var

    def block(v, g, tmp):
        _add_scaled(v, g, neg_lr, tmp)

    _run_blocked(cache, block, (var,), grad)
    return var


def apply_gradient_descent_product(var, lr, a, b, transpose_a=False, transpose_b=False):
    """var -= lr * a @ b (either operand transposed) as one GEMM that accumulates into var: no gradient
    buffer, and one pass over the variable instead of three."""
    return blas.matmul(a.T if transpose_a else a, b.T if transpose_b else b, out=var, alpha=-float(lr), beta=1.0)


def apply_momentum(var, accum, lr, grad, momentum, use_nesterov=False, cache=None):
    """accum = momentum*accum + grad; var -= lr*accum (Nesterov: var -= lr*(grad + momentum*accum))."""
    t = var.dtype.type
    lr, mu = float(lr), t(momentum)

    def block(v, acc, g, tmp):
        acc *= mu
        acc += g
        if use_nesterov:
            np.multiply(acc, mu, out=tmp)
            tmp += g
            _add_scaled(v, tmp, -lr, tmp)
        else:
            _add_scaled(v, acc, -lr, tmp)

    _run_blocked(cache, block, (var, accum), grad)
    return var


def apply_adam(var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad, use_nesterov=False,
               cache=None):
    """Adam, epsilon-hat form: lr_t = lr*sqrt(1-b2^t)/(1-b1^t); var -= lr_t*m/(sqrt(v)+eps)."""
    t = var.dtype.type
    b1, b2 = float(beta1), float(beta2)
    lr_t = float(lr) * np.sqrt(1.0 - float(beta2_power)) / (1.0 - float(beta1_power))
    eps = t(epsilon)

    def block(w, m_, v_, g, tmp, *extra):
        np.subtract(g, m_, out=tmp)  # m += (1-b1)(g - m)
        _add_scaled(m_, tmp, 1.0 - b1, tmp)
        np.multiply(g, g, out=tmp)  # v += (1-b2)(g^2 - v)
        tmp -= v_
        _add_scaled(v_, tmp, 1.0 - b2, tmp)
        np.sqrt(v_, out=tmp)
        tmp += eps
        if use_nesterov:  # b1*m + (1-b1)*g in place of m
            num, spare = extra
            np.multiply(m_, t(b1), out=num)
            _add_scaled(num, g, 1.0 - b1, spare)
            np.divide(num, tmp, out=tmp)
        else:
            np.divide(m_, tmp, out=tmp)
        _add_scaled(w, tmp, -lr_t, tmp)

    _run_blocked(cache, block, (var, m, v), grad, n_scratch=3 if use_nesterov else 1)
    return var


def apply_rms_prop(var, ms, mom, lr, rho, momentum, epsilon, grad, cache=None):
    """ms = rho*ms + (1-rho)*g^2; mom = momentum*mom + lr*g/sqrt(ms+eps); var -= mom."""
    t = var.dtype.type
    rho, lr, mu, eps = float(rho), float(lr), t(momentum), t(epsilon)

    def block(w, ms_, mom_, g, tmp):
        np.multiply(g, g, out=tmp)  # ms += (1-rho)(g^2 - ms)
        tmp -= ms_
        _add_scaled(ms_, tmp, 1.0 - rho, tmp)
        np.add(ms_, eps, out=tmp)
        np.sqrt(tmp, out=tmp)
        np.divide(g, tmp, out=tmp)
        mom_ *= mu
        _add_scaled(mom_, tmp, lr, tmp)
        w -= mom_

    _run_blocked(cache, block, (var, ms, mom), grad)
    return var


def apply_centered_rms_prop(var, mg, ms, mom, lr, rho, momentum, epsilon, grad, cache=None):
    """Centered RMSProp: also mg = rho*mg + (1-rho)*g, and the denominator is sqrt(ms - mg^2 + eps)."""
    t = var.dtype.type
    rho, lr, mu, eps = float(rho), float(lr), t(momentum), t(epsilon)

    def block(w, mg_, ms_, mom_, g, tmp):
        np.subtract(g, mg_, out=tmp)  # mg += (1-rho)(g - mg)
        _add_scaled(mg_, tmp, 1.0 - rho, tmp)
        np.multiply(g, g, out=tmp)  # ms += (1-rho)(g^2 - ms)
        tmp -= ms_
        _add_scaled(ms_, tmp, 1.0 - rho, tmp)
        np.multiply(mg_, mg_, out=tmp)
        np.subtract(ms_, tmp, out=tmp)
        tmp += eps
        np.sqrt(tmp, out=tmp)
        np.divide(g, tmp, out=tmp)
        mom_ *= mu
        _add_scaled(mom_, tmp, lr, tmp)
        w -= mom_

    _run_blocked(cache, block, (var, mg, ms, mom), grad)
    return var


def apply_adagrad(var, accum, lr, grad, update_slots=True, cache=None):
    """accum += g^2; var -= lr*g/sqrt(accum)."""
    lr = float(lr)

    def block(w, acc, g, tmp):
        if update_slots:
            np.multiply(g, g, out=tmp)
            acc += tmp
        np.sqrt(acc, out=tmp)
        np.divide(g, tmp, out=tmp)
        _add_scaled(w, tmp, -lr, tmp)

    _run_blocked(cache, block, (var, accum), grad)
    return var

# --- end of optimizer update kernels


# --- Neural-network kernels (tf.nn; owner: engine/ops/nn_ops.py). NHWC images, HWIO filters; `strides`,
# `ksize` and `dilations` are NHWC 4-lists ([1, h, w, 1]) or (h, w) pairs; `padding` is "SAME" or "VALID"
# with TF's rule (SAME pads `total = max((out-1)*stride + eff_k - in, 0)`, `total // 2` before, rest after).

_CHUNK_BYTES = 1 << 21  # im2col works a few images at a time so each column block stays in cache






class _Geometry:
    """Sizes of one NHWC window operation: output size and the padding on each side of H and W."""

    __slots__ = ("oh", "ow", "pads", "strides", "dilations")

    def __init__(self, h: int, w: int, kh: int, kw: int, strides, dilations, padding):
        self.strides = _pair(strides, "strides")
        self.dilations = _pair(dilations, "dilations")
        (sh, sw), (dh, dw) = self.strides, self.dilations
        self.oh, pt = output_size(h, kh, sh, dh, padding)
        self.ow, pl = output_size(w, kw, sw, dw, padding)
        pb = max((self.oh - 1) * sh + (kh - 1) * dh + 1 - h - pt, 0)
        pr = max((self.ow - 1) * sw + (kw - 1) * dw + 1 - w - pl, 0)
        self.pads = ((pt, pb), (pl, pr))

    @property
    def padded(self) -> bool:
        return any(self.pads[0]) or any(self.pads[1])


def _pad_hw(x: np.ndarray, pads, value=0) -> np.ndarray:
    """`x` with rows/columns of `value` added around H and W (no copy when there is nothing to add)."""
    (pt, pb), (pl, pr) = pads
    if not (pt or pb or pl or pr):
        return x
    n, h, w, c = x.shape
    out = np.full((n, h + pt + pb, w + pl + pr, c), value, dtype=x.dtype)
    out[:, pt:pt + h, pl:pl + w, :] = x
    return out


def _windows(xp: np.ndarray, kh: int, kw: int, g: _Geometry) -> np.ndarray:
    """Read-only view (N, Ho, Wo, kh, kw, C) of every window of a padded NHWC image."""
    n, _, _, c = xp.shape
    s0, s1, s2, s3 = xp.strides
    (sh, sw), (dh, dw) = g.strides, g.dilations
    return _as_strided(xp, (n, g.oh, g.ow, kh, kw, c), (s0, s1 * sh, s2 * sw, s1 * dh, s2 * dw, s3),
                       writeable=False)


def _add_windows(dxp: np.ndarray, dcols: np.ndarray, g: _Geometry) -> None:
    """col2im: adds window values (N, Ho, Wo, kh, kw, C) back onto the padded image, one kernel offset at a
    time (kh*kw strided adds, never a loop over pixels)."""
    _, ho, wo, kh, kw, _ = dcols.shape
    (sh, sw), (dh, dw) = g.strides, g.dilations
    for i in range(kh):
        r0 = i * dh
        for j in range(kw):
            c0 = j * dw
            dxp[:, r0:r0 + (ho - 1) * sh + 1:sh, c0:c0 + (wo - 1) * sw + 1:sw, :] += dcols[:, :, :, i, j, :]


def _crop(dxp: np.ndarray, g: _Geometry, h: int, w: int) -> np.ndarray:
    (pt, _), (pl, _) = g.pads
    return np.ascontiguousarray(dxp[:, pt:pt + h, pl:pl + w, :]) if g.padded else dxp


def _images_per_chunk(per_image_bytes: int) -> int:
    return max(1, _CHUNK_BYTES // max(per_image_bytes, 1))


def _padded_scratch(x: np.ndarray, pads, cache, key: str) -> np.ndarray:
    """`x` zero-padded around H and W, in a buffer reused across steps: its zero border is written once and
    later steps copy only the interior."""
    (pt, pb), (pl, pr) = pads
    if not (pt or pb or pl or pr):
        return x
    if cache is None:
        return _pad_hw(x, pads)
    n, h, w, c = x.shape
    shape = (n, h + pt + pb, w + pl + pr, c)
    buf = cache.get(key)
    if buf is None or buf.shape != shape or buf.dtype != x.dtype:
        buf = cache[key] = np.zeros(shape, x.dtype)
    buf[:, pt:pt + h, pl:pl + w, :] = x
    return buf


_FEW_CHANNELS = 4  # up to this many input channels, im2col builds transposed columns (see _columns_t)


def _columns_t(xp: np.ndarray, kh: int, kw: int, g: _Geometry, b: int, e: int, buf: np.ndarray) -> np.ndarray:
    """Transposed im2col of padded images b:e, (kh*kw*c, images*oh*ow), written into the front of the flat
    `buf`: one copy per (tap, channel) whose destination is a contiguous row. With few channels this is
    several times faster than copying window-major columns, whose contiguous runs are only kw*c long."""
    c = xp.shape[3]
    (sh, sw), (dh, dw) = g.strides, g.dilations
    m = (e - b) * g.oh * g.ow
    cols = buf[:kh * kw * c * m].reshape(kh, kw, c, e - b, g.oh, g.ow)
    for i in range(kh):
        r0 = i * dh
        for j in range(kw):
            c0 = j * dw
            src = xp[b:e, r0:r0 + (g.oh - 1) * sh + 1:sh, c0:c0 + (g.ow - 1) * sw + 1:sw, :]
            np.copyto(cols[i, j], src.transpose(3, 0, 1, 2))
    return cols.reshape(kh * kw * c, m)


def conv2d(x, w, strides, padding, dilations=(1, 1, 1, 1), cache=None, x_derived=None) -> np.ndarray:
    """NHWC convolution of x [N,H,W,C] with filter w [KH,KW,C,OC] (TF's Conv2D): chunked im2col + GEMM, or
    through the DFT where that is cheaper (spectral_conv).

    `cache` (the op's per-step dict) keeps scratch buffers between steps; `x_derived` (a dict shared by the
    readers of x within one run, or None) lets the filter gradient reuse x's spectrum."""
    n, h, wd, c = x.shape
    kh, kw, _, oc = w.shape
    g = _Geometry(h, wd, kh, kw, strides, dilations, padding)
    dtype = np.result_type(x, w)
    if x.size and spectral_conv.suits(x.shape, w.shape, g, dtype):
        return spectral_conv.conv2d(x.astype(dtype, copy=False), w.astype(dtype, copy=False), g, cache,
                                    x_derived)
    out = np.empty((n, g.oh, g.ow, oc), dtype=dtype)
    if out.size == 0:
        return out
    k = kh * kw * c
    w2 = w.reshape(k, oc)
    xp = _padded_scratch(x, g.pads, cache, "padded")
    win = _windows(xp, kh, kw, g)
    step = min(n, _images_per_chunk(g.oh * g.ow * k * x.itemsize))
    cols = _scratch(cache, "cols", (step, g.oh, g.ow, kh, kw, c), out.dtype)
    out3 = out.reshape(n, g.oh * g.ow, oc)
    for b in range(0, n, step):
        e = min(b + step, n)
        if c <= _FEW_CHANNELS:
            a = _columns_t(xp, kh, kw, g, b, e, cols.reshape(-1)).T
        else:
            a = cols[:e - b]
            np.copyto(a, win[b:e])  # the one copy: this chunk's column block, into the reused buffer
            a = a.reshape(-1, k)
        blas.matmul(a, w2, out=out3[b:e].reshape(-1, oc))
    return out


def conv2d_backprop_input(input_shape, w, dy, strides, padding, dilations=(1, 1, 1, 1),
                          cache=None, dy_derived=None) -> np.ndarray:
    """The gradient of conv2d with respect to its input, shaped `input_shape` (TF's Conv2DBackpropInput);
    `dy_derived` as conv2d's `x_derived`."""
    n, h, wd, c = (int(d) for d in input_shape)
    kh, kw, _, oc = w.shape
    g = _Geometry(h, wd, kh, kw, strides, dilations, padding)
    dtype = np.result_type(dy, w)
    if dy.size and spectral_conv.suits((n, h, wd, c), w.shape, g, dtype):
        return spectral_conv.conv2d_backprop_input((n, h, wd, c), w.astype(dtype, copy=False),
                                                   dy.astype(dtype, copy=False), g, cache, dy_derived)
    if g.strides == (1, 1) and dy.size:
        return _full_correlation(dy, w, g, h, wd, cache)
    (pt, pb), (pl, pr) = g.pads
    dxp = np.zeros((n, h + pt + pb, wd + pl + pr, c), dtype=dy.dtype)
    if dy.size and dxp.size:
        k = kh * kw * c
        w2t = w.reshape(k, oc).T
        step = min(n, _images_per_chunk(g.oh * g.ow * k * dy.itemsize))
        dcols = _scratch(cache, "dcols", (step * g.oh * g.ow, k), np.result_type(dy, w))
        dy3 = dy.reshape(n, g.oh * g.ow, oc)
        for b in range(0, n, step):
            e = min(b + step, n)
            block = dcols[:(e - b) * g.oh * g.ow]
            blas.matmul(dy3[b:e].reshape(-1, oc), w2t, out=block)
            _add_windows(dxp[b:e], block.reshape(-1, g.oh, g.ow, kh, kw, c), g)
    return _crop(dxp, g, h, wd)


def _full_correlation(dy, w, g: _Geometry, h: int, wd: int, cache=None) -> np.ndarray:
    """Stride-1 input gradient as a VALID convolution of the padded output gradient with the flipped,
    in/out-swapped filter: one more chunked im2col + GEMM instead of kh*kw scattered adds."""
    kh, kw, _, _ = w.shape
    dh, dw = g.dilations
    (pt, _), (pl, _) = g.pads
    top, left = (kh - 1) * dh - pt, (kw - 1) * dw - pl
    bottom = h + (kh - 1) * dh - g.oh - top
    right = wd + (kw - 1) * dw - g.ow - left
    dyp = _padded_scratch(dy, ((top, bottom), (left, right)), cache, "padded_dy")
    w_flip = np.ascontiguousarray(w[::-1, ::-1].transpose(0, 1, 3, 2))
    return conv2d(dyp, w_flip, (1, 1), "VALID", (dh, dw), cache)


def conv2d_backprop_filter(x, filter_shape, dy, strides, padding, dilations=(1, 1, 1, 1),
                           cache=None, x_derived=None, dy_derived=None) -> np.ndarray:
    """The gradient of conv2d with respect to its filter, shaped `filter_shape` (TF's Conv2DBackpropFilter);
    `x_derived` and `dy_derived` as conv2d's `x_derived`."""
    n, h, wd, c = x.shape
    kh, kw, _, oc = (int(d) for d in filter_shape)
    g = _Geometry(h, wd, kh, kw, strides, dilations, padding)
    k = kh * kw * c
    dtype = np.result_type(x, dy)
    if dy.size and x.size and spectral_conv.suits(x.shape, (kh, kw, c, oc), g, dtype):
        return spectral_conv.conv2d_backprop_filter(x.astype(dtype, copy=False), (kh, kw, c, oc),
                                                    dy.astype(dtype, copy=False), g, cache, x_derived,
                                                    dy_derived)
    dw = np.zeros((k, oc), dtype=dtype)
    if dy.size and x.size:
        xp = _padded_scratch(x, g.pads, cache, "padded")
        win = _windows(xp, kh, kw, g)
        step = min(n, _images_per_chunk(g.oh * g.ow * k * x.itemsize))
        cols = _scratch(cache, "cols", (step, g.oh, g.ow, kh, kw, c), dtype)
        dy3 = dy.reshape(n, g.oh * g.ow, oc)
        for b in range(0, n, step):
            e = min(b + step, n)
            if c <= _FEW_CHANNELS:
                a = _columns_t(xp, kh, kw, g, b, e, cols.reshape(-1))
            else:
                a = cols[:e - b]
                np.copyto(a, win[b:e])
                a = a.reshape(-1, k).T
            blas.matmul(a, dy3[b:e].reshape(-1, oc), out=dw, beta=1.0 if b else 0.0)  # chunks accumulate
    return dw.reshape(kh, kw, c, oc).astype(dy.dtype, copy=False)


def _pool_geometry(x_shape, ksize, strides, padding) -> tuple[_Geometry, int, int]:
    kh, kw = _pair(ksize, "ksize")
    return _Geometry(int(x_shape[1]), int(x_shape[2]), kh, kw, strides, (1, 1), padding), kh, kw


def _tiles(x_shape, g: _Geometry, kh: int, kw: int) -> bool:
    """True when the windows are disjoint and cover the image exactly (the common 2x2/2 VALID pooling)."""
    return (g.strides == (kh, kw) and not g.padded and x_shape[1] == g.oh * kh and x_shape[2] == g.ow * kw)


def _lowest(dtype):
    return -np.inf if np.dtype(dtype).kind == "f" else np.iinfo(dtype).min


def _offset_views(img: np.ndarray, kh: int, kw: int, g: _Geometry):
    """For each kernel offset (i, j) in row-major order, the (N, Ho, Wo, C) view of the cells it touches."""
    sh, sw = g.strides
    for i in range(kh):
        for j in range(kw):
            yield img[:, i:i + (g.oh - 1) * sh + 1:sh, j:j + (g.ow - 1) * sw + 1:sw, :]


def max_pool(x, ksize, strides, padding) -> np.ndarray:
    """Max pooling; padded cells never win (TF's MaxPool)."""
    g, kh, kw = _pool_geometry(x.shape, ksize, strides, padding)
    if _tiles(x.shape, g, kh, kw) and x.flags.c_contiguous and kh * kw > 1:
        return _max_pool_tiles(x, kh, kw, g)
    views = _offset_views(_pad_hw(x, g.pads, _lowest(x.dtype)), kh, kw, g)
    out = next(views)
    first = True
    for v in views:
        if first:  # the first maximum allocates the result: no separate copy of the first view
            out, first = np.maximum(out, v), False
        else:
            np.maximum(out, v, out=out)
    return np.array(out) if first else out


def _max_pool_tiles(x, kh: int, kw: int, g: _Geometry) -> np.ndarray:
    """MaxPool when the windows tile the image: the maximum over each window's rows first, whose operands
    are long contiguous runs (W*C values), then over its columns (10% faster than per-offset views)."""
    n, _, w, c = x.shape
    rows = x.reshape(n, g.oh, kh, w * c)
    out = _max_along(rows, 2, kh)
    return _max_along(out.reshape(n, g.oh, g.ow, kw, c), 3, kw)


def _max_along(a: np.ndarray, axis: int, k: int) -> np.ndarray:
    """The elementwise maximum of the k slices of `a` along `axis` (NaN wins, as in np.maximum)."""
    index = [slice(None)] * a.ndim
    part = []
    for i in range(k):
        index[axis] = i
        part.append(a[tuple(index)])
    if k == 1:
        return np.array(part[0])
    out = np.maximum(part[0], part[1])
    for p in part[2:]:
        np.maximum(out, p, out=out)
    return out


def max_pool_grad(x, y, dy, ksize, strides, padding) -> np.ndarray:
    """MaxPool's input gradient: each window's gradient goes to its first maximum (TF's MaxPoolGrad)."""
    g, kh, kw = _pool_geometry(x.shape, ksize, strides, padding)
    n, h, w, c = x.shape
    if _tiles(x.shape, g, kh, kw) and x.flags.c_contiguous:
        return _max_pool_grad_tiles(x, y, dy, kh, kw, g)
    (pt, pb), (pl, pr) = g.pads
    disjoint = g.strides[0] >= kh and g.strides[1] >= kw
    # Windows that tile the image exactly write every cell once, so the buffer needs no zeroing.
    alloc = np.empty if _tiles(x.shape, g, kh, kw) else np.zeros
    dxp = alloc((n, h + pt + pb, w + pl + pr, c), dtype=dy.dtype)
    found = np.zeros(y.shape, dtype=bool)  # windows whose first maximum was already seen
    for xv, dv in zip(_offset_views(_pad_hw(x, g.pads, _lowest(x.dtype)), kh, kw, g),
                      _offset_views(dxp, kh, kw, g)):
        hit = np.equal(xv, y)
        np.greater(hit, found, out=hit)  # a hit only where no earlier cell of the window was the maximum
        np.logical_or(found, hit, out=found)
        if disjoint:
            np.multiply(dy, hit, out=dv)
        else:
            dv += dy * hit
    return _crop(dxp, g, h, w)


def _max_pool_grad_tiles(x, y, dy, kh: int, kw: int, g: _Geometry) -> np.ndarray:
    """MaxPoolGrad when the windows tile the image: one comparison over the whole input, first-maximum
    ties settled on the (small) boolean hits, one multiply writing every input cell."""
    n, _, _, c = x.shape
    tiled = (n, g.oh, kh, g.ow, kw, c)
    hit = np.equal(x.reshape(tiled), y[:, :, None, :, None, :])
    found = np.array(hit[:, :, 0, :, 0, :])  # windows whose first maximum was already seen
    last = kh * kw - 1
    for o in range(1, kh * kw):
        h = hit[:, :, o // kw, :, o % kw, :]
        np.greater(h, found, out=h)  # a hit only where no earlier cell of the window was the maximum
        if o != last:
            np.logical_or(found, h, out=found)
    dx = np.empty(x.shape, dtype=dy.dtype)
    np.multiply(hit, dy[:, :, None, :, None, :], out=dx.reshape(tiled))
    return dx


def _window_counts(h: int, w: int, g: _Geometry, kh: int, kw: int, dtype) -> np.ndarray:
    """How many in-image cells each pooling window covers, shaped (Ho, Wo, 1) to broadcast over NHWC."""
    ones = _pad_hw(np.ones((1, h, w, 1), dtype=dtype), g.pads, 0)
    return _windows(ones, kh, kw, g).sum(axis=(3, 4))[0]


def avg_pool(x, ksize, strides, padding) -> np.ndarray:
    """Average pooling over the in-image cells of each window (TF's AvgPool)."""
    g, kh, kw = _pool_geometry(x.shape, ksize, strides, padding)
    n, h, w, c = x.shape
    if _tiles(x.shape, g, kh, kw):
        return x.reshape(n, g.oh, kh, g.ow, kw, c).mean(axis=(2, 4), dtype=x.dtype)
    sums = _windows(_pad_hw(x, g.pads, 0), kh, kw, g).sum(axis=(3, 4))
    return sums / _window_counts(h, w, g, kh, kw, x.dtype)


def avg_pool_grad(input_shape, dy, ksize, strides, padding) -> np.ndarray:
    """AvgPool's input gradient, shaped `input_shape` (TF's AvgPoolGrad)."""
    n, h, w, c = (int(d) for d in input_shape)
    g, kh, kw = _pool_geometry((n, h, w, c), ksize, strides, padding)
    share = dy / _window_counts(h, w, g, kh, kw, dy.dtype)
    (pt, pb), (pl, pr) = g.pads
    dxp = np.zeros((n, h + pt + pb, w + pl + pr, c), dtype=dy.dtype)
    _add_windows(dxp, np.broadcast_to(share[:, :, :, None, None, :], (n, g.oh, g.ow, kh, kw, c)), g)
    return _crop(dxp, g, h, w)


def _row_max(x: np.ndarray) -> np.ndarray:
    """max over the last axis of a 2-D array, kept as a column. NumPy's max reduction is slow on short
    rows (7 us for 128x10); argmax and a gather give the same values (NaN included) in under half that."""
    if x.shape[1] == 0 or not x.flags.c_contiguous:
        return x.max(axis=-1, keepdims=True)
    first = x.argmax(axis=1)
    first += np.arange(0, x.size, x.shape[1])
    return x.reshape(-1).take(first)[:, None]


def _log_softmax_rows(logits: np.ndarray) -> np.ndarray:
    shifted = logits - _row_max(logits)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax_cross_entropy(logits, labels) -> tuple[np.ndarray, np.ndarray]:
    """(loss [R], backprop [R, C]) of softmax cross-entropy with dense labels, in one pass."""
    labels = np.asarray(labels, dtype=logits.dtype)
    if logits.ndim != 2:
        raise ValueError(f"logits must be 2-dimensional, got shape {tuple(logits.shape)}")
    if labels.shape != logits.shape:
        raise ValueError(f"logits and labels must be same size: logits_size=[{','.join(map(str, logits.shape))}] "
                         f"labels_size=[{','.join(map(str, labels.shape))}]")
    shifted = logits - _row_max(logits)
    e = np.exp(shifted)
    total = e.sum(axis=-1, keepdims=True)
    shifted -= np.log(total)  # now log-softmax
    loss = -np.einsum("ij,ij->i", labels, shifted)
    e /= total
    e -= labels
    return loss, e


def sparse_softmax_cross_entropy(logits, labels) -> tuple[np.ndarray, np.ndarray]:
    """(loss [R], backprop [R, C]) of softmax cross-entropy with one class index per row."""
    if logits.ndim != 2:
        raise ValueError(f"logits must be 2-dimensional, got shape {tuple(logits.shape)}")
    r, c = logits.shape
    labels = np.asarray(labels).reshape(-1)
    if labels.shape[0] != r:
        raise ValueError(f"logits and labels must have the same first dimension, got logits shape "
                         f"[{r},{c}] and labels shape [{labels.shape[0]}]")
    bad = (labels < 0) | (labels >= c)
    if bad.any():
        raise ValueError(f"Received a label value of {int(labels[bad][0])} which is outside the valid range "
                         f"of [0, {c}).  Label values: {' '.join(str(int(v)) for v in labels)}")
    logp = _log_softmax_rows(logits)
    rows = np.arange(r)
    loss = -logp[rows, labels]
    backprop = np.exp(logp)
    backprop[rows, labels] -= 1
    return loss, backprop


def bias_add_relu(x, bias) -> np.ndarray:
    """max(x + bias, 0) with `bias` along the last axis."""
    if bias.ndim != 1 or x.shape[-1] != bias.shape[0]:
        raise ValueError(f"Must provide as many biases as the last dimension of the input tensor: "
                         f"{list(bias.shape)} vs. {list(x.shape)}")
    y = x + bias
    return np.maximum(y, 0, out=y)


def relu_grad(dy, y, out=None) -> np.ndarray:
    """dy where the relu's output `y` is positive, else 0 (TF's ReluGrad); written into `out` if given."""
    return np.multiply(dy, y > 0, out=out)  # a multiply by the mask: several times faster than np.where


def dropout_mask(rng, shape, keep_prob, dtype=np.float32) -> np.ndarray:
    """A mask of 0 and 1/keep_prob, each entry kept with probability `keep_prob` (TF1's dropout rule)."""
    if not 0 < float(keep_prob) <= 1:
        raise ValueError(f"keep_prob must be in the range (0, 1], got {float(keep_prob)}")
    dtype = np.dtype(dtype)
    keep = dtype.type(keep_prob)
    u = rng.random(tuple(int(d) for d in shape), dtype=dtype if dtype.kind == "f" and dtype.itemsize >= 4
                   else np.float32).astype(dtype, copy=False)
    # TF1 keeps an entry when floor(keep_prob + u) == 1, i.e. when u >= 1 - keep_prob.
    return np.where(u >= dtype.type(1) - keep, dtype.type(1) / keep, dtype.type(0))
# --- end of neural-network kernels


# --- Gather's gradient (owner: engine/ops/array_ops.py)

def gather_grad(params_shape, indices, grad, axis: int):
    """The dense adjoint of take(params, indices, axis): zeros of params_shape with grad scatter-added
    at indices (repeated indices accumulate)."""
    out = np.zeros(params_shape, dtype=grad.dtype)
    flat = np.asarray(indices).reshape(-1)
    pre, post = tuple(params_shape[:axis]), tuple(params_shape[axis + 1:])
    np.add.at(out, (slice(None),) * axis + (flat,), np.reshape(grad, pre + (flat.size,) + post))
    return out
