// Fused elementwise kernels: bias_add + relu, relu's gradient, and dropout's scaled mask.
#include "common.cuh"

// y = max(x + bias[channel], 0) with the bias on the last axis (NHWC / [batch, units]).
template <typename T, typename I>
__device__ void bias_add_relu_body(const T* __restrict__ x, const T* __restrict__ bias, T* __restrict__ y,
                                   I total, int C) {
    TL_GRID_LOOP(I, i, total) {
        const T v = x[i] + bias[i % C];
        y[i] = v > T(0) ? v : T(0);
    }
}
#define BIAS_RELU_PARAMS(T, I) (const T* x, const T* bias, T* y, I total, int C)
TL_INSTANTIATE(bias_add_relu, BIAS_RELU_PARAMS, (x, bias, y, total, C))

// dx = dy where the relu's output (or input: same sign test) is positive, else 0.
template <typename T, typename I>
__device__ void relu_grad_body(const T* __restrict__ dy, const T* __restrict__ y, T* __restrict__ dx, I total) {
    TL_GRID_LOOP(I, i, total) { dx[i] = y[i] > T(0) ? dy[i] : T(0); }
}
#define RELU_GRAD_PARAMS(T, I) (const T* dy, const T* y, T* dx, I total)
TL_INSTANTIATE(relu_grad, RELU_GRAD_PARAMS, (dy, y, dx, total))

// mask = 1/keep_prob where floor(keep_prob + u) == 1 (u uniform in [0, 1)), else 0: TF1's dropout rule.
// keep_prob is read from device memory (it is usually a fed placeholder, copied there with the feeds).
template <typename T, typename I>
__device__ void dropout_mask_body(const T* __restrict__ u, T* __restrict__ mask, I total,
                                  const T* __restrict__ keep) {
    const T keep_prob = keep[0];
    const T scale = T(1) / keep_prob;
    TL_GRID_LOOP(I, i, total) { mask[i] = (keep_prob + u[i] >= T(1)) ? scale : T(0); }
}
#define DROPOUT_PARAMS(T, I) (const T* u, T* mask, I total, const T* keep)
TL_INSTANTIATE(dropout_mask, DROPOUT_PARAMS, (u, mask, total, keep))
