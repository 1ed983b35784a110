"""Matrix products for the NumPy backend through oneMKL's CBLAS when the `mkl` wheel is installed.

On the shapes a training step multiplies (a 128x784 batch by 784x256 weights and their gradients) oneMKL's
SGEMM is 10-25% faster than the OpenBLAS inside NumPy's wheels, which is the gap between a NumPy training
step and TensorFlow's oneDNN one. GEMM also takes `alpha` and `beta`, so an update such as
`W -= lr * x.T @ dy` is one pass over W instead of three. Without the wheel (or with TLBOARD_BLAS=numpy)
every call falls back to `numpy.matmul`, with the same results up to rounding.
"""
from __future__ import annotations

import ctypes
import glob
import os
from importlib import metadata

import numpy as np

_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112
_INT_MAX = 2**31 - 1  # the LP64 interface takes 32-bit sizes
_THREADING_SEQUENTIAL = 1  # oneMKL starts no thread pool: one beside NumPy's OpenBLAS pool (which the
# convolutions use) fought it over the cores, the CNN step with default threads taking 82 ms against 53
_MAX_WORK = 1 << 25  # multiply-adds above which a multi-threaded OpenBLAS keeps the product (the CNN's dense
# layer): single-threaded oneMKL would idle the other cores. On one thread oneMKL takes it (CNN step 56.3 ms
# against 58.5 with OpenBLAS, interleaved)
_MIN_WORK = 1 << 20  # multiply-adds below which NumPy's GEMM wins: oneMKL through ctypes costs ~7 us more
# per call (measured: 128x256 @ 256x10, 17.5 against 9.9 us; 64x256 @ 256x128, 34.8 against 35.8 us)


def _load_mkl():
    """oneMKL's runtime library from the installed `mkl` distribution, or None."""
    if os.environ.get("TLBOARD_BLAS", "").lower() == "numpy":
        return None
    try:
        files = metadata.files("mkl") or []
    except metadata.PackageNotFoundError:
        return None
    for f in files:
        if f.name.startswith("libmkl_rt.so"):
            try:
                lib = ctypes.CDLL(str(f.locate()))
                lib.MKL_Set_Threading_Layer(_THREADING_SEQUENTIAL)
            except (OSError, AttributeError):  # not loadable here, or an MKL without this entry point
                continue
            return lib
    return None


def _gemm_function(lib, symbol: str, scalar):
    fn = getattr(lib, symbol)
    i, p = ctypes.c_int, ctypes.c_void_p
    fn.argtypes = [i, i, i, i, i, i, scalar, p, i, p, i, scalar, p, i]
    fn.restype = None
    return fn


def _numpy_blas_threads():
    """A function returning how many threads NumPy's bundled OpenBLAS now uses (threadpoolctl may change
    it at any time), or None where that library can't be found."""
    libs = glob.glob(os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs", "lib*openblas*.so*"))
    for path in libs:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for symbol in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_",
                       "openblas_get_num_threads"):
            fn = getattr(lib, symbol, None)
            if fn is not None:
                fn.restype = ctypes.c_int
                return fn
    return None


_MKL = _load_mkl()
_NUMPY_BLAS_THREADS = _numpy_blas_threads() if _MKL is not None else None
_GEMM = {} if _MKL is None else {
    np.dtype(np.float32): _gemm_function(_MKL, "cblas_sgemm", ctypes.c_float),
    np.dtype(np.float64): _gemm_function(_MKL, "cblas_dgemm", ctypes.c_double),
}
name = "mkl" if _MKL is not None else "numpy"


def _numpy_blas_single_threaded() -> bool:
    return _NUMPY_BLAS_THREADS is not None and _NUMPY_BLAS_THREADS() == 1


def _operand(a: np.ndarray):
    """(array, transpose flag, leading dimension) for a 2-D operand BLAS can read in place, else None."""
    if a.flags.c_contiguous:
        return a, _NO_TRANS, max(1, a.shape[1])
    if a.flags.f_contiguous:  # a transposed view of a C-ordered matrix
        return a, _TRANS, max(1, a.shape[0])
    return None


def matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None, alpha: float = 1.0,
           beta: float = 0.0) -> np.ndarray:
    """alpha * a @ b + beta * out for 2-D arrays (out C-contiguous; its old values are read only if beta)."""
    m, k = a.shape
    n = b.shape[1]
    dtype = a.dtype
    if out is None:
        out = np.empty((m, n), dtype)
    gemm = _GEMM.get(dtype)
    work = m * n * k
    ok = (gemm is not None and b.dtype == dtype and out.dtype == dtype and out.flags.c_contiguous
          and work >= _MIN_WORK and (work <= _MAX_WORK or _numpy_blas_single_threaded())
          and m <= _INT_MAX and n <= _INT_MAX and k <= _INT_MAX)
    pa = _operand(a) if ok else None
    pb = _operand(b) if pa is not None else None
    if pb is None:
        return _numpy_gemm(a, b, out, alpha, beta)
    gemm(_ROW_MAJOR, pa[1], pb[1], m, n, k, alpha, a.ctypes.data, pa[2], b.ctypes.data, pb[2], beta,
         out.ctypes.data, max(1, n))
    return out


def _numpy_gemm(a, b, out, alpha, beta):
    if beta == 0.0:
        np.matmul(a, b, out=out)
        if alpha != 1.0:
            out *= alpha
        return out
    prod = np.matmul(a, b)
    if alpha != 1.0:
        prod *= alpha
    if beta != 1.0:
        out *= beta
    out += prod
    return out
