// Fused softmax cross-entropy, forward and backward in one pass: one block per row of logits [R, C].
// loss[r] = logsumexp(x[r]) - sum_j labels[r,j] * x[r,j]; backprop[r,j] = softmax(x[r])_j - labels[r,j].
#include "common.cuh"

#ifndef XENT_BLOCK
#define XENT_BLOCK 256  // threads per row (a power of two); the host launches exactly this many
#endif

// Block-wide max and sum through shared memory (double storage serves float and double alike).
template <typename T>
__device__ T block_max(T v, double* buf) {
    buf[threadIdx.x] = (double)v;
    __syncthreads();
    for (int s = XENT_BLOCK / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s && buf[threadIdx.x + s] > buf[threadIdx.x]) buf[threadIdx.x] = buf[threadIdx.x + s];
        __syncthreads();
    }
    const T r = (T)buf[0];
    __syncthreads();
    return r;
}

template <typename T>
__device__ T block_sum(T v, double* buf) {
    buf[threadIdx.x] = (double)v;
    __syncthreads();
    for (int s = XENT_BLOCK / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) buf[threadIdx.x] += buf[threadIdx.x + s];
        __syncthreads();
    }
    const T r = (T)buf[0];
    __syncthreads();
    return r;
}

// Dense labels (one probability row per example).
template <typename T, typename I>
__device__ void softmax_xent_body(const T* __restrict__ logits, const T* __restrict__ labels,
                                  T* __restrict__ loss, T* __restrict__ backprop, I rows, int C) {
    __shared__ double buf[XENT_BLOCK];
    for (I r = blockIdx.x; r < rows; r += gridDim.x) {
        const T* x = logits + r * C;
        const T* p = labels + r * C;
        T* g = backprop + r * C;
        T m = tl_lowest(T(0));
        for (int j = threadIdx.x; j < C; j += XENT_BLOCK) m = x[j] > m ? x[j] : m;
        m = block_max(m, buf);
        T s = T(0), dot = T(0), psum = T(0);
        for (int j = threadIdx.x; j < C; j += XENT_BLOCK) {
            const T z = x[j] - m;
            s += tl_exp(z);
            dot += p[j] * z;
            psum += p[j];
        }
        s = block_sum(s, buf);
        dot = block_sum(dot, buf);
        psum = block_sum(psum, buf);
        const T log_s = tl_log(s);
        if (threadIdx.x == 0) loss[r] = psum * log_s - dot;
        for (int j = threadIdx.x; j < C; j += XENT_BLOCK) g[j] = tl_exp(x[j] - m - log_s) - p[j];
    }
}
#define XENT_PARAMS(T, I) (const T* logits, const T* labels, T* loss, T* backprop, I rows, int C)
TL_INSTANTIATE(softmax_xent, XENT_PARAMS, (logits, labels, loss, backprop, rows, C))

// Sparse labels: one class index per row (validated on the host; int64 on the device).
template <typename T, typename I>
__device__ void sparse_softmax_xent_body(const T* __restrict__ logits, const long long* __restrict__ labels,
                                         T* __restrict__ loss, T* __restrict__ backprop, I rows, int C) {
    __shared__ double buf[XENT_BLOCK];
    for (I r = blockIdx.x; r < rows; r += gridDim.x) {
        const T* x = logits + r * C;
        T* g = backprop + r * C;
        const long long label = labels[r];
        T m = tl_lowest(T(0));
        for (int j = threadIdx.x; j < C; j += XENT_BLOCK) m = x[j] > m ? x[j] : m;
        m = block_max(m, buf);
        T s = T(0);
        for (int j = threadIdx.x; j < C; j += XENT_BLOCK) s += tl_exp(x[j] - m);
        s = block_sum(s, buf);
        const T log_s = tl_log(s);
        if (threadIdx.x == 0) loss[r] = log_s - (x[label] - m);
        for (int j = threadIdx.x; j < C; j += XENT_BLOCK)
            g[j] = tl_exp(x[j] - m - log_s) - (j == label ? T(1) : T(0));
    }
}
#define SPARSE_XENT_PARAMS(T, I) (const T* logits, const long long* labels, T* loss, T* backprop, I rows, int C)
TL_INSTANTIATE(sparse_softmax_xent, SPARSE_XENT_PARAMS, (logits, labels, loss, backprop, rows, C))
