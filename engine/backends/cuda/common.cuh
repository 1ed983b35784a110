// Shared helpers for tlboard's CUDA kernels: grid-stride loops and type-overloaded math.
// Plain CUDA C++ (no CuPy headers) so nvcc and NVRTC both compile every file standalone.
#pragma once

// Every kernel is instantiated for (float, double) x (32-bit, 64-bit index); the host picks the
// 32-bit variant whenever all sizes fit, which keeps index arithmetic cheap.
#define TL_GRID_LOOP(I, i, total) \
    for (I i = (I)blockIdx.x * (I)blockDim.x + (I)threadIdx.x; i < (total); i += (I)blockDim.x * (I)gridDim.x)

__device__ __forceinline__ float tl_exp(float x) { return expf(x); }
__device__ __forceinline__ double tl_exp(double x) { return exp(x); }
__device__ __forceinline__ float tl_log(float x) { return logf(x); }
__device__ __forceinline__ double tl_log(double x) { return log(x); }
__device__ __forceinline__ float tl_sqrt(float x) { return sqrtf(x); }
__device__ __forceinline__ double tl_sqrt(double x) { return sqrt(x); }
__device__ __forceinline__ float tl_rsqrt(float x) { return rsqrtf(x); }
__device__ __forceinline__ double tl_rsqrt(double x) { return rsqrt(x); }
__device__ __forceinline__ float tl_lowest(float) { return -__int_as_float(0x7f800000); }
__device__ __forceinline__ double tl_lowest(double) { return -__longlong_as_double(0x7ff0000000000000LL); }

// Instantiates a kernel body template for the four (value type, index type) pairs as extern "C"
// entry points named NAME_f32_i32, NAME_f32_i64, NAME_f64_i32, NAME_f64_i64. (A host-side test
// emulator defines its own version first.)
#ifndef TL_INSTANTIATE
#define TL_INSTANTIATE(NAME, PARAMS, ARGS)                                                         \
    extern "C" __global__ void NAME##_f32_i32 PARAMS(float, int) { NAME##_body<float, int> ARGS; } \
    extern "C" __global__ void NAME##_f32_i64 PARAMS(float, long long) {                         \
        NAME##_body<float, long long> ARGS;                                                       \
    }                                                                                             \
    extern "C" __global__ void NAME##_f64_i32 PARAMS(double, int) { NAME##_body<double, int> ARGS; } \
    extern "C" __global__ void NAME##_f64_i64 PARAMS(double, long long) {                        \
        NAME##_body<double, long long> ARGS;                                                      \
    }
#endif
