// Convolution support for NHWC tensors with HWIO filters: im2col unfolds input patches into a matrix
// so cuBLAS does the GEMM; col2im folds patch gradients back as a gather (each input pixel sums the
// patch entries that read it), so results are deterministic without atomics.
#include "common.cuh"

// cols has shape [N*OH*OW, KH*KW*C]; column order (kh, kw, c) matches a HWIO filter reshaped to
// [KH*KW*C, OC]. Out-of-image taps (padding) read as zero.
template <typename T, typename I>
__device__ void im2col_body(const T* __restrict__ x, T* __restrict__ cols, I total,
                            int H, int W, int C, int OH, int OW, int KH, int KW,
                            int sh, int sw, int dh, int dw, int pad_top, int pad_left) {
    TL_GRID_LOOP(I, i, total) {
        I t = i;
        const int c = (int)(t % C); t /= C;
        const int kw = (int)(t % KW); t /= KW;
        const int kh = (int)(t % KH); t /= KH;
        const int ow = (int)(t % OW); t /= OW;
        const int oh = (int)(t % OH);
        const I n = t / OH;
        const int h = oh * sh - pad_top + kh * dh;
        const int w = ow * sw - pad_left + kw * dw;
        T v = T(0);
        if (h >= 0 && h < H && w >= 0 && w < W) v = x[((n * H + h) * W + w) * C + c];
        cols[i] = v;
    }
}
#define IM2COL_PARAMS(T, I) (const T* x, T* cols, I total, int H, int W, int C, int OH, int OW, \
                             int KH, int KW, int sh, int sw, int dh, int dw, int pad_top, int pad_left)
TL_INSTANTIATE(im2col, IM2COL_PARAMS,
               (x, cols, total, H, W, C, OH, OW, KH, KW, sh, sw, dh, dw, pad_top, pad_left))

// dx[n, h, w, c] = sum of dcols entries that im2col copied from x[n, h, w, c].
template <typename T, typename I>
__device__ void col2im_body(const T* __restrict__ dcols, T* __restrict__ dx, I total,
                            int H, int W, int C, int OH, int OW, int KH, int KW,
                            int sh, int sw, int dh, int dw, int pad_top, int pad_left) {
    const I K = (I)KH * KW * C;
    TL_GRID_LOOP(I, i, total) {
        I t = i;
        const int c = (int)(t % C); t /= C;
        const int w = (int)(t % W); t /= W;
        const int h = (int)(t % H);
        const I n = t / H;
        T acc = T(0);
        for (int kh = 0; kh < KH; ++kh) {
            const int oh_s = h + pad_top - kh * dh;  // oh * sh when this tap of window oh reads row h
            if (oh_s < 0 || oh_s % sh != 0) continue;
            const int oh = oh_s / sh;
            if (oh >= OH) continue;
            for (int kw = 0; kw < KW; ++kw) {
                const int ow_s = w + pad_left - kw * dw;
                if (ow_s < 0 || ow_s % sw != 0) continue;
                const int ow = ow_s / sw;
                if (ow >= OW) continue;
                acc += dcols[((n * OH + oh) * OW + ow) * K + ((I)kh * KW + kw) * C + c];
            }
        }
        dx[i] = acc;
    }
}
TL_INSTANTIATE(col2im, IM2COL_PARAMS,
               (x, cols, total, H, W, C, OH, OW, KH, KW, sh, sw, dh, dw, pad_top, pad_left))
