// Fused optimizer updates: one kernel per variable, updating the variable and its slots in place with
// TensorFlow's update rules (ApplyGradientDescent, ApplyMomentum, ApplyAdam, ApplyRMSProp, ApplyAdagrad).
// Scalars (learning rate, decay rates, Adam's beta powers) arrive in `hp`, a small device array in the
// variable's type, so a learning rate or beta power that lives on the device is never read back by the host.
#include "common.cuh"

template <typename T, typename I>
__device__ void apply_sgd_body(T* __restrict__ var, const T* __restrict__ grad, I total,
                               const T* __restrict__ hp) {  // hp: lr
    const T lr = hp[0];
    TL_GRID_LOOP(I, i, total) { var[i] -= lr * grad[i]; }
}
#define SGD_PARAMS(T, I) (T* var, const T* grad, I total, const T* hp)
TL_INSTANTIATE(apply_sgd, SGD_PARAMS, (var, grad, total, hp))

// accum = momentum * accum + grad; var -= lr * accum (nesterov: var -= lr * (grad + momentum * accum)).
template <typename T, typename I>
__device__ void apply_momentum_body(T* __restrict__ var, T* __restrict__ accum, const T* __restrict__ grad,
                                    I total, const T* __restrict__ hp, int nesterov) {  // hp: lr, momentum
    const T lr = hp[0], momentum = hp[1];
    TL_GRID_LOOP(I, i, total) {
        const T g = grad[i];
        const T a = accum[i] * momentum + g;
        accum[i] = a;
        var[i] -= nesterov ? (g * lr + a * momentum * lr) : a * lr;
    }
}
#define MOMENTUM_PARAMS(T, I) (T* var, T* accum, const T* grad, I total, const T* hp, int nesterov)
TL_INSTANTIATE(apply_momentum, MOMENTUM_PARAMS, (var, accum, grad, total, hp, nesterov))

// m += (g - m)(1 - beta1); v += (g^2 - v)(1 - beta2); var -= lr_t m / (sqrt(v) + eps), with the bias
// correction folded into lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t) (each thread computes it from hp).
template <typename T, typename I>
__device__ void apply_adam_body(T* __restrict__ var, T* __restrict__ m, T* __restrict__ v,
                                const T* __restrict__ grad, I total, const T* __restrict__ hp, int nesterov) {
    // hp: lr, beta1, beta2, epsilon, beta1^t, beta2^t
    const T beta1 = hp[1], beta2 = hp[2], epsilon = hp[3];
    const T lr_t = hp[0] * tl_sqrt(T(1) - hp[5]) / (T(1) - hp[4]);
    TL_GRID_LOOP(I, i, total) {
        const T g = grad[i];
        const T mi = m[i] + (g - m[i]) * (T(1) - beta1);
        const T vi = v[i] + (g * g - v[i]) * (T(1) - beta2);
        m[i] = mi;
        v[i] = vi;
        const T step = nesterov ? (mi * beta1 + (T(1) - beta1) * g) : mi;
        var[i] -= lr_t * step / (tl_sqrt(vi) + epsilon);
    }
}
#define ADAM_PARAMS(T, I) (T* var, T* m, T* v, const T* grad, I total, const T* hp, int nesterov)
TL_INSTANTIATE(apply_adam, ADAM_PARAMS, (var, m, v, grad, total, hp, nesterov))

// ms += (g^2 - ms)(1 - rho); mom = momentum mom + lr g / sqrt(ms + eps); var -= mom.
// Centered: mg += (g - mg)(1 - rho) and the denominator uses ms - mg^2 + eps (mg may be null otherwise).
template <typename T, typename I>
__device__ void apply_rmsprop_body(T* __restrict__ var, T* __restrict__ ms, T* __restrict__ mom,
                                   T* __restrict__ mg, const T* __restrict__ grad, I total,
                                   const T* __restrict__ hp, int centered) {  // hp: lr, rho, momentum, epsilon
    const T lr = hp[0], rho = hp[1], momentum = hp[2], epsilon = hp[3];
    TL_GRID_LOOP(I, i, total) {
        const T g = grad[i];
        const T msi = ms[i] + (g * g - ms[i]) * (T(1) - rho);
        ms[i] = msi;
        T denom = msi + epsilon;
        if (centered) {
            const T mgi = mg[i] + (g - mg[i]) * (T(1) - rho);
            mg[i] = mgi;
            denom -= mgi * mgi;
        }
        const T mo = mom[i] * momentum + lr * g * tl_rsqrt(denom);
        mom[i] = mo;
        var[i] -= mo;
    }
}
#define RMSPROP_PARAMS(T, I) (T* var, T* ms, T* mom, T* mg, const T* grad, I total, const T* hp, int centered)
TL_INSTANTIATE(apply_rmsprop, RMSPROP_PARAMS, (var, ms, mom, mg, grad, total, hp, centered))

// accum += g^2 (unless update_slots is 0); var -= lr g / sqrt(accum).
template <typename T, typename I>
__device__ void apply_adagrad_body(T* __restrict__ var, T* __restrict__ accum, const T* __restrict__ grad,
                                   I total, const T* __restrict__ hp, int update_slots) {  // hp: lr
    const T lr = hp[0];
    TL_GRID_LOOP(I, i, total) {
        const T g = grad[i];
        T a = accum[i];
        if (update_slots) {
            a += g * g;
            accum[i] = a;
        }
        var[i] -= lr * g * tl_rsqrt(a);
    }
}
#define ADAGRAD_PARAMS(T, I) (T* var, T* accum, const T* grad, I total, const T* hp, int update_slots)
TL_INSTANTIATE(apply_adagrad, ADAGRAD_PARAMS, (var, accum, grad, total, hp, update_slots))
