"""Plain-loop NumPy references for the GPU kernel tests, written from the ops' definitions (TF semantics,
NHWC layout, HWIO filters) independently of both backends."""
from __future__ import annotations

import numpy as np


def same_or_valid(size: int, k: int, stride: int, dilation: int, padding: str) -> tuple[int, int]:
    """(output size, padding before) for TF's SAME / VALID rules."""
    span = (k - 1) * dilation + 1
    if padding == "SAME":
        out = (size + stride - 1) // stride
        return out, max((out - 1) * stride + span - size, 0) // 2
    return (size - span) // stride + 1, 0


def conv2d(x, w, stride, dilation, padding):
    n, h, wd, c = x.shape
    kh, kw, _, oc = w.shape
    oh, pt = same_or_valid(h, kh, stride, dilation, padding)
    ow, pl = same_or_valid(wd, kw, stride, dilation, padding)
    y = np.zeros((n, oh, ow, oc), dtype=np.float64)
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for b in range(kw):
                    r, s = i * stride - pt + a * dilation, j * stride - pl + b * dilation
                    if 0 <= r < h and 0 <= s < wd:
                        y[:, i, j, :] += x[:, r, s, :].astype(np.float64) @ w[a, b].astype(np.float64)
    return y


def conv2d_grads(x, w, dy, stride, dilation, padding):
    """(dx, dw) of sum(conv2d(x, w) * dy), scattering each output's contribution back."""
    n, h, wd, c = x.shape
    kh, kw, _, oc = w.shape
    oh, pt = same_or_valid(h, kh, stride, dilation, padding)
    ow, pl = same_or_valid(wd, kw, stride, dilation, padding)
    dx = np.zeros(x.shape, dtype=np.float64)
    dw = np.zeros(w.shape, dtype=np.float64)
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for b in range(kw):
                    r, s = i * stride - pt + a * dilation, j * stride - pl + b * dilation
                    if 0 <= r < h and 0 <= s < wd:
                        dx[:, r, s, :] += dy[:, i, j, :] @ w[a, b].T
                        dw[a, b] += x[:, r, s, :].T @ dy[:, i, j, :]
    return dx, dw


def _windows(h, wd, k, stride, padding):
    oh, pt = same_or_valid(h, k, stride, 1, padding)
    ow, pl = same_or_valid(wd, k, stride, 1, padding)
    for i in range(oh):
        for j in range(ow):
            rows = range(max(i * stride - pt, 0), min(i * stride - pt + k, h))
            cols = range(max(j * stride - pl, 0), min(j * stride - pl + k, wd))
            yield i, j, rows, cols
    return


def pool_out_shape(x, k, stride, padding):
    n, h, wd, c = x.shape
    return n, same_or_valid(h, k, stride, 1, padding)[0], same_or_valid(wd, k, stride, 1, padding)[0], c


def max_pool(x, k, stride, padding):
    y = np.empty(pool_out_shape(x, k, stride, padding), dtype=x.dtype)
    for i, j, rows, cols in _windows(x.shape[1], x.shape[2], k, stride, padding):
        y[:, i, j, :] = x[:, rows.start:rows.stop, cols.start:cols.stop, :].max(axis=(1, 2))
    return y


def max_pool_grad(x, dy, k, stride, padding):
    """Each window's gradient goes to its first maximum in row-major order."""
    dx = np.zeros(x.shape, dtype=np.float64)
    for i, j, rows, cols in _windows(x.shape[1], x.shape[2], k, stride, padding):
        for n in range(x.shape[0]):
            for ch in range(x.shape[3]):
                best, at = None, None
                for r in rows:
                    for s in cols:
                        if best is None or x[n, r, s, ch] > best:
                            best, at = x[n, r, s, ch], (r, s)
                dx[n, at[0], at[1], ch] += dy[n, i, j, ch]
    return dx


def avg_pool(x, k, stride, padding):
    y = np.empty(pool_out_shape(x, k, stride, padding), dtype=np.float64)
    for i, j, rows, cols in _windows(x.shape[1], x.shape[2], k, stride, padding):
        y[:, i, j, :] = x[:, rows.start:rows.stop, cols.start:cols.stop, :].mean(axis=(1, 2))
    return y


def avg_pool_grad(x_shape, dy, k, stride, padding):
    dx = np.zeros(x_shape, dtype=np.float64)
    for i, j, rows, cols in _windows(x_shape[1], x_shape[2], k, stride, padding):
        count = len(rows) * len(cols)
        dx[:, rows.start:rows.stop, cols.start:cols.stop, :] += dy[:, i:i + 1, j:j + 1, :] / count
    return dx


def softmax_xent(logits, labels):
    z = logits.astype(np.float64)
    z = z - z.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -(labels * log_p).sum(axis=1), np.exp(log_p) - labels
