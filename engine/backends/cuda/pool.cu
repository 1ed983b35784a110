// Max and average pooling over NHWC tensors, forward and backward. Backward kernels gather: each input
// pixel visits the windows that contain it, so no atomics are needed and results are deterministic.
#include "common.cuh"

// The window of output (oh, ow) starts at (oh*sh - pad_top, ow*sw - pad_left); padded cells are
// ignored (never the maximum, not counted in the average), as in TensorFlow.
#define POOL_PARAMS(T, I) (const T* x, T* y, I total, int H, int W, int C, int OH, int OW, \
                           int KH, int KW, int sh, int sw, int pad_top, int pad_left)
#define POOL_ARGS (x, y, total, H, W, C, OH, OW, KH, KW, sh, sw, pad_top, pad_left)

template <typename T, typename I>
__device__ void max_pool_body(const T* __restrict__ x, T* __restrict__ y, I total, int H, int W, int C,
                              int OH, int OW, int KH, int KW, int sh, int sw, int pad_top, int pad_left) {
    TL_GRID_LOOP(I, i, total) {
        I t = i;
        const int c = (int)(t % C); t /= C;
        const int ow = (int)(t % OW); t /= OW;
        const int oh = (int)(t % OH);
        const I n = t / OH;
        const int h0 = max(oh * sh - pad_top, 0), h1 = min(oh * sh - pad_top + KH, H);
        const int w0 = max(ow * sw - pad_left, 0), w1 = min(ow * sw - pad_left + KW, W);
        T best = tl_lowest(T(0));
        for (int h = h0; h < h1; ++h)
            for (int w = w0; w < w1; ++w) {
                const T v = x[((n * H + h) * W + w) * C + c];
                if (v > best) best = v;
            }
        y[i] = best;
    }
}
TL_INSTANTIATE(max_pool, POOL_PARAMS, POOL_ARGS)

template <typename T, typename I>
__device__ void avg_pool_body(const T* __restrict__ x, T* __restrict__ y, I total, int H, int W, int C,
                              int OH, int OW, int KH, int KW, int sh, int sw, int pad_top, int pad_left) {
    TL_GRID_LOOP(I, i, total) {
        I t = i;
        const int c = (int)(t % C); t /= C;
        const int ow = (int)(t % OW); t /= OW;
        const int oh = (int)(t % OH);
        const I n = t / OH;
        const int h0 = max(oh * sh - pad_top, 0), h1 = min(oh * sh - pad_top + KH, H);
        const int w0 = max(ow * sw - pad_left, 0), w1 = min(ow * sw - pad_left + KW, W);
        T acc = T(0);
        for (int h = h0; h < h1; ++h)
            for (int w = w0; w < w1; ++w) acc += x[((n * H + h) * W + w) * C + c];
        y[i] = acc / T((h1 - h0) * (w1 - w0));
    }
}
TL_INSTANTIATE(avg_pool, POOL_PARAMS, POOL_ARGS)

// The range of output rows whose windows cover input row h: oh*s - pad <= h < oh*s - pad + k.
__device__ __forceinline__ void covering(int h, int pad, int k, int s, int n_out, int* lo, int* hi) {
    const int a = h + pad - k + 1;  // smallest oh*s allowed
    *lo = a <= 0 ? 0 : (a + s - 1) / s;
    *hi = min((h + pad) / s + 1, n_out);  // exclusive
}

// dx[n,h,w,c] sums dy over the windows whose first maximum is (h, w).
template <typename T, typename I>
__device__ void max_pool_grad_body(const T* __restrict__ x, const T* __restrict__ dy, T* __restrict__ dx,
                                   I total, int H, int W, int C, int OH, int OW, int KH, int KW,
                                   int sh, int sw, int pad_top, int pad_left) {
    TL_GRID_LOOP(I, i, total) {
        I t = i;
        const int c = (int)(t % C); t /= C;
        const int w = (int)(t % W); t /= W;
        const int h = (int)(t % H);
        const I n = t / H;
        int oh_lo, oh_hi, ow_lo, ow_hi;
        covering(h, pad_top, KH, sh, OH, &oh_lo, &oh_hi);
        covering(w, pad_left, KW, sw, OW, &ow_lo, &ow_hi);
        T acc = T(0);
        for (int oh = oh_lo; oh < oh_hi; ++oh)
            for (int ow = ow_lo; ow < ow_hi; ++ow) {
                const int h0 = max(oh * sh - pad_top, 0), h1 = min(oh * sh - pad_top + KH, H);
                const int w0 = max(ow * sw - pad_left, 0), w1 = min(ow * sw - pad_left + KW, W);
                T best = tl_lowest(T(0));
                int bh = -1, bw = -1;
                for (int hh = h0; hh < h1; ++hh)
                    for (int ww = w0; ww < w1; ++ww) {
                        const T v = x[((n * H + hh) * W + ww) * C + c];
                        if (bh < 0 || v > best) { best = v; bh = hh; bw = ww; }
                    }
                if (bh == h && bw == w) acc += dy[((n * OH + oh) * OW + ow) * C + c];
            }
        dx[i] = acc;
    }
}
#define MAX_POOL_GRAD_PARAMS(T, I) (const T* x, const T* dy, T* dx, I total, int H, int W, int C, \
                                    int OH, int OW, int KH, int KW, int sh, int sw, int pad_top, int pad_left)
TL_INSTANTIATE(max_pool_grad, MAX_POOL_GRAD_PARAMS,
               (x, dy, dx, total, H, W, C, OH, OW, KH, KW, sh, sw, pad_top, pad_left))

// dx[n,h,w,c] sums dy / (window size) over the windows containing (h, w).
template <typename T, typename I>
__device__ void avg_pool_grad_body(const T* __restrict__ dy, T* __restrict__ dx, I total, int H, int W,
                                   int C, int OH, int OW, int KH, int KW, int sh, int sw,
                                   int pad_top, int pad_left) {
    TL_GRID_LOOP(I, i, total) {
        I t = i;
        const int c = (int)(t % C); t /= C;
        const int w = (int)(t % W); t /= W;
        const int h = (int)(t % H);
        const I n = t / H;
        int oh_lo, oh_hi, ow_lo, ow_hi;
        covering(h, pad_top, KH, sh, OH, &oh_lo, &oh_hi);
        covering(w, pad_left, KW, sw, OW, &ow_lo, &ow_hi);
        T acc = T(0);
        for (int oh = oh_lo; oh < oh_hi; ++oh) {
            const int rows = min(oh * sh - pad_top + KH, H) - max(oh * sh - pad_top, 0);
            for (int ow = ow_lo; ow < ow_hi; ++ow) {
                const int cols = min(ow * sw - pad_left + KW, W) - max(ow * sw - pad_left, 0);
                acc += dy[((n * OH + oh) * OW + ow) * C + c] / T(rows * cols);
            }
        }
        dx[i] = acc;
    }
}
#define AVG_POOL_GRAD_PARAMS(T, I) (const T* dy, T* dx, I total, int H, int W, int C, int OH, int OW, \
                                    int KH, int KW, int sh, int sw, int pad_top, int pad_left)
TL_INSTANTIATE(avg_pool_grad, AVG_POOL_GRAD_PARAMS,
               (dy, dx, total, H, W, C, OH, OW, KH, KW, sh, sw, pad_top, pad_left))
