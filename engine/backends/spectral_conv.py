"""Stride-1 convolutions through the 2-D discrete Fourier transform, done as real GEMMs (NumPy backend).

Why: a KHxKW convolution costs KH*KW multiply-adds per output pixel and channel pair. Over the DFT of the
padded image (an Lh x Lw frame, of which Lw//2+1 columns suffice for real data) it costs one complex
product per frequency bin, 4 real multiply-adds: for 5x5 filters on 14x14 images about 7x less work.
NumPy's FFT is slow on thousands of tiny planes, so each 1-D DFT here is a small dense matrix applied by
one batched matmul per image, and every layout is one that BLAS reads in place: nothing is transposed.

Circular correlation over the frame equals the linear one: the frame is exactly the padded input, so no
output reads across the wrap, and the wrapped terms of the gradients multiply zeros. Rounding: in float32
the largest error is about 3e-7 of the largest output (im2col: 4e-7, measured on the Deep MNIST conv2).

Layouts (real arrays; a complex value is an axis `ri` of length 2, real part first; V = Lw//2+1 bins kept
along W): images (N, H, W, C) have spectra (N, Lh, V, ri, C), so per bin (u, v) the rows [re | im] of all
images form one strided (N, 2C) matrix. A filter (KH, KW, C, F) gives, one frequency row at a time, the
spectrum pair (V, j, 2C, F) of s and i*s: [re | im] @ pair[j] is the real (j=0) and imaginary (j=1) part of
a complex product, with no block matrix to assemble.
  forward          y^ = x^ conj(w^)                   (s = DFT of w)
  input gradient   dx^ = dy^ w^                       (s = conj DFT of w transposed to (KH, KW, F, C))
  filter gradient  dw^ = sum over images of x^ conj(dy^)
"""
from __future__ import annotations

import functools

import numpy as np

from .scratch import scratch

# Take this path where its multiply-adds are well under im2col's (MIN_SAVING), with enough channels for the
# per-bin products to be real GEMMs. Measured (one thread, ms, forward / filter gradient, im2col vs DFT):
# 64x14x14x32 * 5x5x64 (Deep MNIST conv2) 11.6 vs 4.0 / 12.0 vs 5.3 (model ratio 3.2); 32x28x28x32 * 5x5x32
# 16.1 vs 6.2 (2.1); 64x7x7x64 * 3x3x64 2.2 vs 1.5 (1.8); 64x14x14x32 * 3x3x64 4.4 vs 3.4 (1.4, left to
# im2col); 16x56x56x64 * 3x3x64 38.5 vs 51.4 (0.9: large frames make the 1-D DFTs dear).
MIN_CHANNELS = 8
MIN_SAVING = 1.5


def frame(h: int, w: int, g) -> tuple[int, int]:
    """The DFT frame: the padded input's size."""
    (pt, pb), (pl, pr) = g.pads
    return h + pt + pb, w + pl + pr


def _dft_macs(n: int, h: int, w: int, c: int, f: int, g) -> int:
    """Multiply-adds of the forward kernel: analysis of the images, per-bin products, synthesis."""
    lh, lw = frame(h, w, g)
    v = lw // 2 + 1
    analysis = n * c * (2 * lh * h * w + lh * 2 * v * 2 * w)
    products = 4 * n * c * f * lh * v
    synthesis = n * f * (lh * 2 * g.ow * 2 * v + g.oh * 2 * lh * g.ow)
    return analysis + products + synthesis


def suits(x_shape, w_shape, g, dtype) -> bool:
    """True when this convolution is stride 1, float32/64, and cheaper through the DFT than through im2col."""
    n, h, w, c = x_shape
    kh, kw, _, f = w_shape
    if g.strides != (1, 1) or np.dtype(dtype) not in (np.float32, np.float64) or min(c, f) < MIN_CHANNELS:
        return False
    return n * g.oh * g.ow * kh * kw * c * f >= MIN_SAVING * _dft_macs(n, h, w, c, f, g)


# --- the DFT matrices, by frame length and sample positions `start + step * i` for i < count

def _positions(count: int, start: int, step: int) -> np.ndarray:
    return start + step * np.arange(count, dtype=np.float64)


@functools.lru_cache(maxsize=64)
def _dft_of_real(length: int, count: int, start: int, step: int, sign: int, dtype: str) -> np.ndarray:
    """(2L, count), rows (u, ri): the L-point DFT (e^(sign i ...)) of `count` real samples."""
    angle = sign * 2 * np.pi * np.arange(length)[:, None] * _positions(count, start, step)[None, :] / length
    return np.stack([np.cos(angle), np.sin(angle)], axis=1).reshape(2 * length, count).astype(dtype)


def _complex_rows(cos: np.ndarray, sin: np.ndarray) -> np.ndarray:
    """(rows, ri, 2, cols): multiplying complex samples [re; im] by cos + i sin, as a real matrix."""
    m = np.empty(cos.shape[:1] + (2, 2) + cos.shape[1:])
    m[:, 0, 0], m[:, 0, 1] = cos, -sin  # (a + ib)(cos + i sin) = (a cos - b sin) + i(a sin + b cos)
    m[:, 1, 0], m[:, 1, 1] = sin, cos
    return m


@functools.lru_cache(maxsize=64)
def _half_dft_of_complex(length: int, count: int, start: int, step: int, sign: int, pair: bool,
                         dtype: str) -> np.ndarray:
    """Rows (v, ri) for the first V = L//2+1 bins, columns (ri, i): the DFT of complex samples. With `pair`
    rows (v, j, ri) give the DFT (j=0) and i times it (j=1)."""
    v = length // 2 + 1
    angle = sign * 2 * np.pi * np.arange(v)[:, None] * _positions(count, start, step)[None, :] / length
    m = _complex_rows(np.cos(angle), np.sin(angle))
    if pair:  # i (a + ib) = -b + ia
        m = np.stack([m, np.stack([-m[:, 1], m[:, 0]], axis=1)], axis=1)
    return m.reshape(-1, 2 * count).astype(dtype)


@functools.lru_cache(maxsize=64)
def _inverse_half_dft(length: int, count: int, start: int, step: int, dtype: str) -> np.ndarray:
    """(2*count, 2V), rows (ri, i), columns (v, ri): the inverse DFT (e^+i, unscaled) along a Hermitian
    half-spectrum, each bin weighted by how many bins of the full spectrum it stands for."""
    v = length // 2 + 1
    weight = np.full(v, 2.0)
    weight[0] = 1.0
    if length % 2 == 0:
        weight[-1] = 1.0
    angle = 2 * np.pi * _positions(count, start, step)[:, None] * np.arange(v)[None, :] / length
    m = _complex_rows(np.cos(angle) * weight, np.sin(angle) * weight)  # (count, ri, 2, v)
    return m.transpose(1, 0, 3, 2).reshape(2 * count, 2 * v).astype(dtype)


@functools.lru_cache(maxsize=64)
def _inverse_dft_real_part(length: int, count: int, start: int, step: int, scale: float,
                           dtype: str) -> np.ndarray:
    """(count, 2L), columns (u, ri): scale * Re of the inverse DFT (e^+i) of complex bins."""
    angle = 2 * np.pi * _positions(count, start, step)[:, None] * np.arange(length)[None, :] / length
    return (np.stack([np.cos(angle), -np.sin(angle)], axis=2) * scale).reshape(count, 2 * length).astype(dtype)


# --- transforms

_CHUNK_BYTES = 1 << 19  # images go through the two 1-D DFTs a few at a time, so the middle array stays in cache


def _images_per_chunk(per_image_bytes: int, images: int) -> int:
    return max(1, min(images, _CHUNK_BYTES // max(per_image_bytes, 1)))


def _analyze(samples: np.ndarray, lh: int, lw: int, rows: tuple[int, int], cols: tuple[int, int], out: np.ndarray,
             cache, key: str) -> np.ndarray:
    """Half-spectra `out` (M, Lh, V, ri, K) of real `samples` (M, H, W, K) placed at frame positions
    rows = (start, step) by cols = (start, step): a DFT along H, then one along W."""
    m, h, w, k = samples.shape
    dt = samples.dtype.name
    by_h, by_w = _dft_of_real(lh, h, *rows, -1, dt), _half_dft_of_complex(lw, w, *cols, -1, False, dt)
    step = _images_per_chunk(2 * lh * w * k * samples.itemsize, m)
    along_h = scratch(cache, key, (step, 2 * lh, w * k), samples.dtype)  # (M, Lh, ri, W, K)
    flat_out = out.reshape(m, lh, -1, k)
    for b in range(0, m, step):
        e = min(b + step, m)
        np.matmul(by_h, samples[b:e].reshape(e - b, h, w * k), out=along_h[:e - b])
        np.matmul(by_w, along_h[:e - b].reshape(e - b, lh, 2 * w, k), out=flat_out[b:e])
    return out


def _synthesize(spectra: np.ndarray, lh: int, lw: int, rows: tuple[int, int, int], cols: tuple[int, int, int],
                out: np.ndarray, cache) -> np.ndarray:
    """Real samples `out` (M, nh, nw, K) of the inverse DFT of half-spectra (M, Lh, V, ri, K), at frame
    positions rows = (count, start, step) by cols = (count, start, step): along W first (still complex),
    then the real part along H."""
    m, _, v, _, k = spectra.shape
    (nh, *along_rows), (nw, *along_cols) = rows, cols
    dt = spectra.dtype.name
    by_w = _inverse_half_dft(lw, nw, *along_cols, dt)
    by_h = _inverse_dft_real_part(lh, nh, *along_rows, 1.0 / (lh * lw), dt)
    step = _images_per_chunk(2 * lh * nw * k * spectra.itemsize, m)
    along_w = scratch(cache, "along_w", (step, lh, 2 * nw, k), spectra.dtype)  # (M, Lh, ri, nw, K)
    flat_out = out.reshape(m, nh, nw * k)
    for b in range(0, m, step):
        e = min(b + step, m)
        np.matmul(by_w, spectra[b:e].reshape(e - b, lh, 2 * v, k), out=along_w[:e - b])
        np.matmul(by_h, along_w[:e - b].reshape(e - b, 2 * lh, nw * k), out=flat_out[b:e])
    return out


def _image_spectra(images: np.ndarray, lh: int, lw: int, top: int, left: int, cache, key: str,
                   derived: dict | None) -> np.ndarray:
    """Spectra (N, Lh, V, ri, C) of NHWC images placed at (top, left) in the frame: taken from `derived`
    when another kernel of this run already made them from the same tensor, else made and left there."""
    tag = ("spectra", lh, lw, top, left, images.dtype.name)
    if derived is not None and tag in derived:
        return derived[tag]
    n, _, _, c = images.shape
    out = scratch(cache, key, (n, lh, lw // 2 + 1, 2, c), images.dtype)
    _analyze(images, lh, lw, (top, 1), (left, 1), out, cache, key + "_h")
    if derived is not None:
        derived[tag] = out  # read-only for later readers; this op rewrites it only in a later run
    return out


def _per_bin(spectra: np.ndarray) -> np.ndarray:
    """View (Lh, V, N, 2K) of spectra (N, Lh, V, ri, K): each bin's rows [re | im] for every image."""
    n, lh, v, _, k = spectra.shape
    return spectra.reshape(n, lh, v, 2 * k).transpose(1, 2, 0, 3)


def _product_with_filter(rows: np.ndarray, w: np.ndarray, lh: int, lw: int, dilations, sign: int,
                         cache, key: str) -> np.ndarray:
    """Per bin, the complex product of image rows (Lh, V, N, 2C) with the spectrum s of filter taps w
    (KH, KW, C, F) (its DFT for sign -1, the conjugate for +1): spectra (N, Lh, V, ri, F), a view of a
    bin-major array so that each bin's products are written as one contiguous block.

    The filter's DFT along W yields the pair (s, i*s) as (V, j, 2C, F): [re | im] @ pair[j] is the real
    (j=0) and imaginary (j=1) part of the product, with no block matrix to assemble. It is made one
    frequency row u at a time, right before that row's products, so it never leaves the cache."""
    kh, kw, c, f = w.shape
    v, dt = lw // 2 + 1, w.dtype.name
    along_h = scratch(cache, "w_h", (lh, 2 * kw, c * f), w.dtype)  # (Lh, ri, KW, C*F)
    np.matmul(_dft_of_real(lh, kh, 0, dilations[0], sign, dt), w.reshape(kh, kw * c * f),
              out=along_h.reshape(2 * lh, kw * c * f))
    by_w = _half_dft_of_complex(lw, kw, 0, dilations[1], sign, True, dt)
    pair = scratch(cache, "w_pair_row", (v, 2, 2 * c, f), w.dtype)
    n = rows.shape[2]
    out = scratch(cache, key, (lh, v, 2, n, f), w.dtype)
    for u in range(lh):
        np.matmul(by_w, along_h[u], out=pair.reshape(4 * v, c * f))
        for j in (0, 1):
            np.matmul(rows[u], pair[:, j], out=out[u, :, j])
    return out.transpose(3, 0, 1, 2, 4)


# --- the three kernels (TF's Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter), geometry `g` from the caller

def conv2d(x: np.ndarray, w: np.ndarray, g, cache=None, x_derived=None) -> np.ndarray:
    """NHWC convolution of x [N,H,W,C] with w [KH,KW,C,F] through the DFT (stride 1)."""
    n, h, wd, _ = x.shape
    f = w.shape[3]
    lh, lw = frame(h, wd, g)
    (pt, _), (pl, _) = g.pads
    xs = _image_spectra(x, lh, lw, pt, pl, cache, "x_spec", x_derived)
    ys = _product_with_filter(_per_bin(xs), w, lh, lw, g.dilations, -1, cache, "y_spec")
    y = np.empty((n, g.oh, g.ow, f), x.dtype)
    return _synthesize(ys, lh, lw, (g.oh, 0, 1), (g.ow, 0, 1), y, cache)


def conv2d_backprop_input(input_shape, w: np.ndarray, dy: np.ndarray, g, cache=None,
                          dy_derived=None) -> np.ndarray:
    """The gradient of a stride-1 conv2d with respect to its input, through the DFT."""
    n, h, wd, c = input_shape
    lh, lw = frame(h, wd, g)
    (pt, _), (pl, _) = g.pads
    dys = _image_spectra(dy, lh, lw, 0, 0, cache, "dy_spec", dy_derived)
    w_t = scratch(cache, "w_t", w.shape[:2] + w.shape[3:1:-1], w.dtype)
    np.copyto(w_t, w.transpose(0, 1, 3, 2))
    dxs = _product_with_filter(_per_bin(dys), w_t, lh, lw, g.dilations, 1, cache, "dx_spec")
    dx = np.empty((n, h, wd, c), dy.dtype)
    return _synthesize(dxs, lh, lw, (h, pt, 1), (wd, pl, 1), dx, cache)


def conv2d_backprop_filter(x: np.ndarray, filter_shape, dy: np.ndarray, g, cache=None, x_derived=None,
                           dy_derived=None) -> np.ndarray:
    """The gradient of a stride-1 conv2d with respect to its filter, through the DFT."""
    n, h, wd, c = x.shape
    kh, kw, _, f = filter_shape
    lh, lw = frame(h, wd, g)
    v = lw // 2 + 1
    (pt, _), (pl, _) = g.pads
    xs = _image_spectra(x, lh, lw, pt, pl, cache, "x_spec", x_derived)
    dys = _image_spectra(dy, lh, lw, 0, 0, cache, "dy_spec", dy_derived)
    # Per bin [xr | xi]^T @ [dyr | dyi] summed over images gives the four real products of x^ and dy^;
    # one frequency row at a time, so they are combined while in cache.
    prods = scratch(cache, "products", (v, 2, c, 2, f), x.dtype)
    dws = scratch(cache, "dw_spec", (1, lh, v, 2, c, f), x.dtype)
    x_rows, dy_rows = _per_bin(xs), _per_bin(dys)
    for u in range(lh):
        np.matmul(x_rows[u].transpose(0, 2, 1), dy_rows[u], out=prods.reshape(v, 2 * c, 2 * f))
        np.add(prods[:, 0, :, 0], prods[:, 1, :, 1], out=dws[0, u, :, 0])  # Re(x^ conj(dy^))
        np.subtract(prods[:, 1, :, 0], prods[:, 0, :, 1], out=dws[0, u, :, 1])  # Im(x^ conj(dy^))
    dw = np.empty((kh, kw, c, f), x.dtype)
    dh, dwd = g.dilations
    return _synthesize(dws.reshape(1, lh, v, 2, c * f), lh, lw, (kh, 0, dh), (kw, 0, dwd), dw, cache)
