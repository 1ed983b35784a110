"""Loop-by-loop NumPy references for convolution and pooling (NHWC, TF's SAME/VALID padding), shared by
the nn-op and tf.layers tests."""
import numpy as np


def same_pads(size, k, stride, dilation=1):
    eff = (k - 1) * dilation + 1
    out = -(-size // stride)
    total = max((out - 1) * stride + eff - size, 0)
    return out, total // 2


def ref_conv2d(x, w, stride, padding, dilation=1):
    n, h, wd, c = x.shape
    kh, kw, _, oc = w.shape
    if padding == "SAME":
        oh, pt = same_pads(h, kh, stride, dilation)
        ow, pl = same_pads(wd, kw, stride, dilation)
    else:
        oh = (h - (kh - 1) * dilation - 1) // stride + 1
        ow = (wd - (kw - 1) * dilation - 1) // stride + 1
        pt = pl = 0
    out = np.zeros((n, oh, ow, oc))
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                for di in range(kh):
                    for dj in range(kw):
                        r = i * stride + di * dilation - pt
                        s = j * stride + dj * dilation - pl
                        if 0 <= r < h and 0 <= s < wd:
                            out[b, i, j] += x[b, r, s] @ w[di, dj]
    return out


def ref_pool(x, k, stride, padding, reduce):
    n, h, w, c = x.shape
    if padding == "SAME":
        oh, pt = same_pads(h, k, stride)
        ow, pl = same_pads(w, k, stride)
    else:
        oh, ow, pt, pl = (h - k) // stride + 1, (w - k) // stride + 1, 0, 0
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            r0, s0 = i * stride - pt, j * stride - pl
            cells = x[:, max(r0, 0):min(r0 + k, h), max(s0, 0):min(s0 + k, w), :]
            out[:, i, j, :] = reduce(cells, axis=(1, 2))
    return out
