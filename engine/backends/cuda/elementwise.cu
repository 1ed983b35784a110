// Fused elementwise kernels: bias_add + relu, relu's gradient, dropout's scaled mask, and gather's gradient.
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

// Gather's gradient without atomics: out[p, r, c] sums grad[p, j, c] over the positions j that gathered row
// r, in increasing j (so every run, and NumPy's np.add.at, add in the same order). `order` lists the
// positions sorted stably by the row they gathered; row r's run of it is order[starts[r] .. starts[r+1]).
template <typename T, typename I>
__device__ void gather_grad_body(const T* __restrict__ grad, const long long* __restrict__ order,
                                 const long long* __restrict__ starts, T* __restrict__ out, I total,
                                 long long rows, long long picks, long long inner) {
    TL_GRID_LOOP(I, i, total) {
        const long long c = (long long)i % inner;
        const long long r = ((long long)i / inner) % rows;
        const long long p = (long long)i / (inner * rows);
        T acc = T(0);
        for (long long t = starts[r]; t < starts[r + 1]; ++t) acc += grad[(p * picks + order[t]) * inner + c];
        out[i] = acc;
    }
}
#define GATHER_GRAD_PARAMS(T, I) (const T* grad, const long long* order, const long long* starts, T* out, \
                                  I total, long long rows, long long picks, long long inner)
TL_INSTANTIATE(gather_grad, GATHER_GRAD_PARAMS, (grad, order, starts, out, total, rows, picks, inner))
