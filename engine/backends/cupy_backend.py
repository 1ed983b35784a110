"""The CuPy backend (NVIDIA GPUs): CuPy's array namespace plus our own CUDA kernels (engine/backends/cuda/).

It mirrors numpy_backend function by function. Importing it never needs CuPy: without CuPy (or without a
device) `is_available()` is False and the session never selects it. Kernels are compiled once per process
with NVRTC through `cupy.RawModule` and cached; each comes in float32/float64 and 32/64-bit index variants,
and the 32-bit one is used whenever every size fits.
"""
from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

import numpy as np

from .geometry import output_size
from .geometry import pair as _pair

try:  # CuPy is an optional dependency (`pip install tlboard[gpu]`)
    import cupy
except Exception:  # noqa: BLE001 - a broken CUDA install must not break `import tlboard`
    cupy = None

name = "cupy"
device_type = "GPU"
xp = cupy

CUDA_DIR = Path(__file__).resolve().parent / "cuda"
_BLOCK = 256  # threads per block for elementwise / gather kernels
_MAX_BLOCKS = 65536  # grid-stride loops cover the rest; keeps 32-bit strides small
_I32_LIMIT = 2**31 - 1 - _BLOCK * _MAX_BLOCKS  # largest size the 32-bit-index variants handle safely
_XENT_BLOCK = 256  # must equal XENT_BLOCK in softmax_xent.cu
_SUFFIX = {np.dtype(np.float32): "f32", np.dtype(np.float64): "f64"}


@lru_cache(maxsize=1)
def is_available() -> bool:
    """True when CuPy imports and at least one CUDA device is usable; never raises."""
    if cupy is None:
        return False
    try:
        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # noqa: BLE001 - no driver, no device, version mismatch: all mean "not available"
        return False


def _require_cupy() -> None:
    if cupy is None:
        raise RuntimeError("The GPU backend needs CuPy: pip install 'tlboard[gpu]' (cupy-cuda12x[ctk])")


def asarray(x, dtype=None):
    """A device array from host data (copied host->device) or a device array (no copy when dtype matches)."""
    _require_cupy()
    return cupy.asarray(x, dtype=dtype)


def to_numpy(x) -> np.ndarray:
    """The host ndarray for a device array (copied device->host); host values pass through."""
    if cupy is not None and isinstance(x, cupy.ndarray):
        return x.get()
    return np.asarray(x)


def is_device_array(x) -> bool:
    """True for a CuPy array (values the session must copy to the host before CPU ops read them)."""
    return cupy is not None and isinstance(x, cupy.ndarray)


class _DeviceRng:
    """CuPy's Generator, with NumPy's Generator (same seeds) for the few methods CuPy lacks."""

    def __init__(self, seed: int | None, seed2: int | None):
        if seed is None and seed2 is None:
            self._device = cupy.random.default_rng()
            self._host = np.random.default_rng()
        else:
            self._device = cupy.random.default_rng((seed or 0) * 2**32 + (seed2 or 0))
            self._host = np.random.default_rng([seed or 0, seed2 or 0])

    def __getattr__(self, attr):
        dev = getattr(self._device, attr, None)
        return dev if dev is not None else getattr(self._host, attr)


def make_rng(seed: int | None, seed2: int | None):
    """A device random generator seeded from TF's (graph seed, op seed) pair; fresh entropy when both are None."""
    _require_cupy()
    return _DeviceRng(seed, seed2)


# --- kernel loading

def kernel_source(module: str) -> str:
    """The CUDA source of cuda/<module>.cu with its local includes inlined (what NVRTC compiles)."""
    lines = []
    for line in (CUDA_DIR / f"{module}.cu").read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("#include \"") and stripped.endswith("\""):
            header = stripped[len("#include \""):-1]
            lines.append(kernel_source_header(header))
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


def kernel_source_header(header: str) -> str:
    """A local header's text without its include guard pragma (inlined once per module)."""
    text = (CUDA_DIR / header).read_text()
    return "\n".join(line for line in text.splitlines() if line.strip() != "#pragma once")


@cache
def _module(module: str):
    return cupy.RawModule(code=kernel_source(module), options=("--std=c++17",))


@cache
def _function(module: str, kernel: str):
    return _module(module).get_function(kernel)


def _launch(module: str, base: str, dtype, total: int, args: tuple, index_sizes: tuple = (),
            blocks: int | None = None, threads: int = _BLOCK) -> None:
    """Runs `base` for `dtype` over `total` work items; `args` holds `None` where the index-typed size goes."""
    if total == 0:
        return
    suffix = _SUFFIX.get(np.dtype(dtype))
    if suffix is None:
        raise TypeError(f"The GPU kernel {base} supports float32 and float64, not {np.dtype(dtype).name}")
    wide = max((total, *index_sizes)) > _I32_LIMIT
    index = np.int64 if wide else np.int32
    fn = _function(module, f"{base}_{suffix}_{'i64' if wide else 'i32'}")
    if blocks is None:
        blocks = min((total + threads - 1) // threads, _MAX_BLOCKS)
    fn((max(blocks, 1),), (threads,), tuple(index(total) if a is None else a for a in args))


def _i32(*values) -> tuple:
    return tuple(np.int32(v) for v in values)


def _contig(x):
    return cupy.ascontiguousarray(x)


def _device_scalars(dtype, *values):
    """The scalars as one small device array of the kernel's value type, without reading anything back:
    device values (0-d CuPy arrays: a learning-rate constant, Adam's beta powers, a fed keep_prob) are
    gathered on the device; when all are host numbers they go over in one asynchronous copy."""
    if not any(isinstance(v, cupy.ndarray) for v in values):
        return cupy.asarray(np.array([float(v) for v in values], dtype=dtype))
    return cupy.concatenate([cupy.asarray(v, dtype=dtype).reshape(1) for v in values])


# --- geometry shared by convolution and pooling (TensorFlow's SAME / VALID rules, NHWC)





class _Geometry:
    """Sizes of an NHWC window operation: input, kernel, strides, dilations, output and padding."""

    __slots__ = ("N", "H", "W", "C", "KH", "KW", "sh", "sw", "dh", "dw", "OH", "OW", "pt", "pl")

    def __init__(self, in_shape, kh: int, kw: int, strides, dilations, padding):
        self.N, self.H, self.W, self.C = (int(d) for d in in_shape)
        self.KH, self.KW = kh, kw
        self.sh, self.sw = _pair(strides, "strides")
        self.dh, self.dw = _pair(dilations, "dilations")
        self.OH, self.pt = output_size(self.H, kh, self.sh, self.dh, padding)
        self.OW, self.pl = output_size(self.W, kw, self.sw, self.dw, padding)

    def window_args(self) -> tuple:
        """The (H, W, C, OH, OW, KH, KW, sh, sw, dh, dw, pad_top, pad_left) kernel arguments."""
        return _i32(self.H, self.W, self.C, self.OH, self.OW, self.KH, self.KW,
                    self.sh, self.sw, self.dh, self.dw, self.pt, self.pl)

    def pool_args(self) -> tuple:
        """The (H, W, C, OH, OW, KH, KW, sh, sw, pad_top, pad_left) kernel arguments (no dilation)."""
        return _i32(self.H, self.W, self.C, self.OH, self.OW, self.KH, self.KW,
                    self.sh, self.sw, self.pt, self.pl)


# --- matrix product (cuBLAS)

def matmul(a, b, transpose_a: bool = False, transpose_b: bool = False):
    """a @ b for matrices, either operand optionally transposed."""
    return cupy.matmul(a.T if transpose_a else a, b.T if transpose_b else b)


# --- convolution: im2col + cuBLAS GEMM; col2im as a deterministic gather

def _im2col(x, g: _Geometry):
    rows, k = g.N * g.OH * g.OW, g.KH * g.KW * g.C
    cols = cupy.empty((rows, k), dtype=x.dtype)
    _launch("conv", "im2col", x.dtype, rows * k, (x, cols, None, *g.window_args()), (x.size,))
    return cols


def _is_pointwise(g: _Geometry) -> bool:
    return g.KH == g.KW == 1 and g.sh == g.sw == 1 and g.pt == g.pl == 0


def conv2d(x, w, strides, padding, dilations=(1, 1, 1, 1), cache=None, x_derived=None):
    """NHWC convolution of x [N,H,W,C] with filter w [KH,KW,C,OC] (TF's Conv2D); `cache` and `x_derived`
    are unused here."""
    x, w = _contig(x), _contig(w)
    kh, kw, c, oc = w.shape
    g = _Geometry(x.shape, kh, kw, strides, dilations, padding)
    cols = x.reshape(-1, c) if _is_pointwise(g) else _im2col(x, g)
    return cupy.matmul(cols, w.reshape(kh * kw * c, oc)).reshape(g.N, g.OH, g.OW, oc)


def conv2d_backprop_input(input_shape, w, dy, strides, padding, dilations=(1, 1, 1, 1), cache=None,
                          dy_derived=None):
    """The gradient of conv2d with respect to its input, shaped `input_shape` (TF's Conv2DBackpropInput)."""
    w, dy = _contig(w), _contig(dy)
    kh, kw, c, oc = w.shape
    g = _Geometry(tuple(int(d) for d in input_shape), kh, kw, strides, dilations, padding)
    dcols = cupy.matmul(dy.reshape(-1, oc), w.reshape(kh * kw * c, oc).T)
    if _is_pointwise(g):
        return dcols.reshape(g.N, g.H, g.W, g.C)
    dx = cupy.empty((g.N, g.H, g.W, g.C), dtype=dy.dtype)
    _launch("conv", "col2im", dy.dtype, dx.size, (_contig(dcols), dx, None, *g.window_args()), (dcols.size,))
    return dx


def conv2d_backprop_filter(x, filter_shape, dy, strides, padding, dilations=(1, 1, 1, 1), cache=None,
                           x_derived=None, dy_derived=None):
    """The gradient of conv2d with respect to its filter, shaped `filter_shape` (TF's Conv2DBackpropFilter)."""
    x, dy = _contig(x), _contig(dy)
    kh, kw, c, oc = (int(d) for d in filter_shape)
    g = _Geometry(x.shape, kh, kw, strides, dilations, padding)
    cols = x.reshape(-1, c) if _is_pointwise(g) else _im2col(x, g)
    return cupy.matmul(cols.T, dy.reshape(-1, oc)).reshape(kh, kw, c, oc)


# --- pooling (NHWC)

def _pool_geometry(x_shape, ksize, strides, padding) -> _Geometry:
    kh, kw = _pair(ksize, "ksize")
    return _Geometry(x_shape, kh, kw, strides, (1, 1), padding)


def max_pool(x, ksize, strides, padding):
    """Max pooling; padded cells never win (TF's MaxPool)."""
    x = _contig(x)
    g = _pool_geometry(x.shape, ksize, strides, padding)
    y = cupy.empty((g.N, g.OH, g.OW, g.C), dtype=x.dtype)
    _launch("pool", "max_pool", x.dtype, y.size, (x, y, None, *g.pool_args()), (x.size,))
    return y


def max_pool_grad(x, y, dy, ksize, strides, padding):
    """MaxPool's input gradient: each window's gradient goes to its first maximum (TF's MaxPoolGrad)."""
    x, dy = _contig(x), _contig(dy)
    g = _pool_geometry(x.shape, ksize, strides, padding)
    dx = cupy.empty_like(x)
    _launch("pool", "max_pool_grad", x.dtype, dx.size, (x, dy, dx, None, *g.pool_args()), (dy.size,))
    return dx


def avg_pool(x, ksize, strides, padding):
    """Average pooling over the in-image cells of each window (TF's AvgPool)."""
    x = _contig(x)
    g = _pool_geometry(x.shape, ksize, strides, padding)
    y = cupy.empty((g.N, g.OH, g.OW, g.C), dtype=x.dtype)
    _launch("pool", "avg_pool", x.dtype, y.size, (x, y, None, *g.pool_args()), (x.size,))
    return y


def avg_pool_grad(input_shape, dy, ksize, strides, padding):
    """AvgPool's input gradient, shaped `input_shape` (TF's AvgPoolGrad)."""
    dy = _contig(dy)
    g = _pool_geometry(tuple(int(d) for d in input_shape), ksize, strides, padding)
    dx = cupy.empty((g.N, g.H, g.W, g.C), dtype=dy.dtype)
    _launch("pool", "avg_pool_grad", dy.dtype, dx.size, (dy, dx, None, *g.pool_args()), (dy.size,))
    return dx


# --- fused softmax cross-entropy

def _rows(logits):
    if logits.ndim != 2:
        raise ValueError(f"logits must be 2-dimensional, got shape {tuple(logits.shape)}")
    return logits.shape


def softmax_cross_entropy(logits, labels):
    """(loss [R], backprop [R, C]) of softmax cross-entropy with dense labels, in one pass."""
    logits = _contig(logits)
    labels = _contig(cupy.asarray(labels, dtype=logits.dtype))
    r, c = _rows(logits)
    if labels.shape != logits.shape:
        raise ValueError(f"logits and labels must be same size: logits_size=[{r},{c}] "
                         f"labels_size=[{','.join(str(d) for d in labels.shape)}]")
    loss = cupy.empty((r,), dtype=logits.dtype)
    backprop = cupy.empty_like(logits)
    _launch("softmax_xent", "softmax_xent", logits.dtype, r,
            (logits, labels, loss, backprop, None, np.int32(c)), (logits.size,),
            blocks=min(r, _MAX_BLOCKS), threads=_XENT_BLOCK)
    return loss, backprop


def sparse_softmax_cross_entropy(logits, labels):
    """(loss [R], backprop [R, C]) of softmax cross-entropy with one class index per row."""
    logits = _contig(logits)
    r, c = _rows(logits)
    host = to_numpy(labels).reshape(-1)
    if host.shape[0] != r:
        raise ValueError(f"logits and labels must have the same first dimension, got logits shape "
                         f"[{r},{c}] and labels shape [{host.shape[0]}]")
    bad = (host < 0) | (host >= c)
    if bad.any():
        raise ValueError(f"Received a label value of {int(host[bad][0])} which is outside the valid range "
                         f"of [0, {c}).  Label values: {' '.join(str(int(v)) for v in host)}")
    labels = cupy.asarray(host, dtype=np.int64)
    loss = cupy.empty((r,), dtype=logits.dtype)
    backprop = cupy.empty_like(logits)
    _launch("softmax_xent", "sparse_softmax_xent", logits.dtype, r,
            (logits, labels, loss, backprop, None, np.int32(c)), (logits.size,),
            blocks=min(r, _MAX_BLOCKS), threads=_XENT_BLOCK)
    return loss, backprop


# --- fused elementwise kernels

def bias_add_relu(x, bias):
    """max(x + bias, 0) with `bias` along the last axis, in one kernel."""
    x, bias = _contig(x), _contig(cupy.asarray(bias, dtype=x.dtype))
    if bias.ndim != 1 or x.shape[-1] != bias.shape[0]:
        raise ValueError(f"Must provide as many biases as the last dimension of the input tensor: "
                         f"{list(bias.shape)} vs. {list(x.shape)}")
    y = cupy.empty_like(x)
    _launch("elementwise", "bias_add_relu", x.dtype, x.size, (x, bias, y, None, np.int32(bias.shape[0])))
    return y


def relu_grad(dy, y, out=None):
    """dy where the relu's output `y` is positive, else 0 (TF's ReluGrad); written into `out` if given."""
    dy, y = _contig(dy), _contig(y)
    dx = out if out is not None and out.flags.c_contiguous else cupy.empty_like(dy)
    _launch("elementwise", "relu_grad", dy.dtype, dy.size, (dy, y, dx, None))
    return dx


def dropout_mask(rng, shape, keep_prob, dtype=np.float32):
    """A mask of 0 and 1/keep_prob, each entry kept with probability `keep_prob` (TF1's dropout rule)."""
    dtype = np.dtype(dtype)
    u = rng.random(tuple(int(d) for d in shape), dtype=dtype)
    mask = cupy.empty_like(u)
    _launch("elementwise", "dropout_mask", dtype, u.size, (u, mask, None, _device_scalars(dtype, keep_prob)))
    return mask


# --- fused optimizer updates: in place on the variable and its slots, TF's raw-op argument order.
# `cache` (the numpy kernels' scratch-buffer dict) is accepted and unused: one fused kernel needs no scratch.

def _check_same(var, *others) -> None:
    for o in others:
        if o.shape != var.shape:
            raise ValueError(f"var and update must have the same shape: {list(var.shape)} vs {list(o.shape)}")


def apply_gradient_descent(var, lr, grad, cache=None, grad_is_scratch=False):
    """var -= lr * grad (TF's ApplyGradientDescent) in one fused kernel; returns var."""
    grad = _contig(cupy.asarray(grad, dtype=var.dtype))
    _check_same(var, grad)
    _launch("optimizers", "apply_sgd", var.dtype, var.size, (var, grad, None, _device_scalars(var.dtype, lr)))
    return var


def apply_gradient_descent_product(var, lr, a, b, transpose_a=False, transpose_b=False):
    """var -= lr * a @ b (either operand transposed); returns var."""
    return apply_gradient_descent(var, lr, matmul(a, b, transpose_a, transpose_b))


def apply_momentum(var, accum, lr, grad, momentum, use_nesterov=False, cache=None):
    """accum = momentum*accum + grad; var -= lr*accum (or Nesterov's step) (TF's ApplyMomentum); returns var."""
    grad = _contig(cupy.asarray(grad, dtype=var.dtype))
    _check_same(var, accum, grad)
    t = var.dtype
    _launch("optimizers", "apply_momentum", t, var.size,
            (var, accum, grad, None, _device_scalars(t, lr, momentum), np.int32(bool(use_nesterov))))
    return var


def apply_adam(var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad, use_nesterov=False,
               cache=None):
    """Adam's update with bias correction from beta1_power/beta2_power (TF's ApplyAdam); returns var."""
    grad = _contig(cupy.asarray(grad, dtype=var.dtype))
    _check_same(var, m, v, grad)
    t = var.dtype
    hp = _device_scalars(t, lr, beta1, beta2, epsilon, beta1_power, beta2_power)
    _launch("optimizers", "apply_adam", t, var.size, (var, m, v, grad, None, hp, np.int32(bool(use_nesterov))))
    return var


def apply_rms_prop(var, ms, mom, lr, rho, momentum, epsilon, grad, cache=None):
    """RMSProp's update (TF's ApplyRMSProp); returns var."""
    grad = _contig(cupy.asarray(grad, dtype=var.dtype))
    _check_same(var, ms, mom, grad)
    t = var.dtype
    _launch("optimizers", "apply_rmsprop", t, var.size,
            (var, ms, mom, ms, grad, None, _device_scalars(t, lr, rho, momentum, epsilon), np.int32(0)))
    return var


def apply_centered_rms_prop(var, mg, ms, mom, lr, rho, momentum, epsilon, grad, cache=None):
    """Centered RMSProp's update (TF's ApplyCenteredRMSProp); returns var."""
    grad = _contig(cupy.asarray(grad, dtype=var.dtype))
    _check_same(var, mg, ms, mom, grad)
    t = var.dtype
    _launch("optimizers", "apply_rmsprop", t, var.size,
            (var, ms, mom, mg, grad, None, _device_scalars(t, lr, rho, momentum, epsilon), np.int32(1)))
    return var


def apply_adagrad(var, accum, lr, grad, update_slots=True, cache=None):
    """accum += grad^2; var -= lr * grad / sqrt(accum) (TF's ApplyAdagrad); returns var."""
    grad = _contig(cupy.asarray(grad, dtype=var.dtype))
    _check_same(var, accum, grad)
    _launch("optimizers", "apply_adagrad", var.dtype, var.size,
            (var, accum, grad, None, _device_scalars(var.dtype, lr), np.int32(bool(update_slots))))
    return var


# --- gather's adjoint

def gather_grad(params_shape, indices, grad, axis: int):
    """Zeros of `params_shape` with `grad` added at `indices` along `axis` (repeats accumulate), summed in
    index order by one deterministic kernel (no atomics). The indices live on the host, where they are
    sorted; only the sort's result is copied over."""
    shape = tuple(int(d) for d in params_shape)
    flat = np.asarray(to_numpy(indices)).reshape(-1).astype(np.int64)
    rows = shape[axis]
    order = np.argsort(flat, kind="stable")
    starts = np.searchsorted(flat[order], np.arange(rows + 1), side="left")
    out = cupy.empty(shape, dtype=grad.dtype)
    inner = int(np.prod(shape[axis + 1:], dtype=np.int64))
    grad = _contig(cupy.asarray(grad, dtype=out.dtype))
    _launch("elementwise", "gather_grad", out.dtype, out.size,
            (grad, cupy.asarray(order), cupy.asarray(starts.astype(np.int64)), out, None,
             np.int64(rows), np.int64(flat.size), np.int64(inner)), index_sizes=(grad.size,))
    return out
