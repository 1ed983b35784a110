"""Learning-rate schedules of `tf.train` (TF1 graph form): each returns a scalar tensor computed from the
global step with ordinary math ops, so it is re-evaluated at every `Session.run`."""
from __future__ import annotations

import math

from ..graph import Tensor, convert_to_tensor, get_default_graph
from ..ops import math_ops


def _decay_inputs(fn: str, learning_rate, global_step, decay_steps):
    if global_step is None:
        raise ValueError(f"global_step is required for {fn}.")
    lr = convert_to_tensor(learning_rate, name="learning_rate")
    dtype = lr.dtype.base_dtype
    step = math_ops.cast(convert_to_tensor(global_step), dtype)
    steps = math_ops.cast(convert_to_tensor(decay_steps), dtype)
    return lr, dtype, step, steps


def _rate_and_progress(decay_rate, dtype, step, steps, staircase: bool):
    """The decay rate as a tensor, and global_step / decay_steps (floored when `staircase`)."""
    p = math_ops.truediv(step, steps)
    return math_ops.cast(convert_to_tensor(decay_rate), dtype), math_ops.floor(p) if staircase else p


def exponential_decay(learning_rate, global_step, decay_steps, decay_rate, staircase: bool = False,
                      name: str | None = None) -> Tensor:
    """learning_rate * decay_rate ^ (global_step / decay_steps), the exponent floored when `staircase`."""
    with get_default_graph().name_scope(name or "ExponentialDecay") as scope:
        lr, dtype, step, steps = _decay_inputs("exponential_decay", learning_rate, global_step, decay_steps)
        rate, p = _rate_and_progress(decay_rate, dtype, step, steps, staircase)
        return math_ops.multiply(lr, math_ops.pow(rate, p), name=scope)


def inverse_time_decay(learning_rate, global_step, decay_steps, decay_rate, staircase: bool = False,
                       name: str | None = None) -> Tensor:
    """learning_rate / (1 + decay_rate * global_step / decay_steps), the ratio floored when `staircase`."""
    with get_default_graph().name_scope(name or "InverseTimeDecay") as scope:
        lr, dtype, step, steps = _decay_inputs("inverse_time_decay", learning_rate, global_step, decay_steps)
        rate, p = _rate_and_progress(decay_rate, dtype, step, steps, staircase)
        denom = math_ops.add(1.0, math_ops.multiply(rate, p))
        return math_ops.truediv(lr, denom, name=scope)


def natural_exp_decay(learning_rate, global_step, decay_steps, decay_rate, staircase: bool = False,
                      name: str | None = None) -> Tensor:
    """learning_rate * exp(-decay_rate * global_step / decay_steps), the ratio floored when `staircase`."""
    with get_default_graph().name_scope(name or "NaturalExpDecay") as scope:
        lr, dtype, step, steps = _decay_inputs("natural_exp_decay", learning_rate, global_step, decay_steps)
        rate, p = _rate_and_progress(decay_rate, dtype, step, steps, staircase)
        return math_ops.multiply(lr, math_ops.exp(math_ops.negative(math_ops.multiply(rate, p))), name=scope)


def polynomial_decay(learning_rate, global_step, decay_steps, end_learning_rate=0.0001, power=1.0,
                     cycle: bool = False, name: str | None = None) -> Tensor:
    """(lr - end) * (1 - min(step, decay_steps)/decay_steps)^power + end; `cycle` restarts past decay_steps."""
    with get_default_graph().name_scope(name or "PolynomialDecay") as scope:
        lr, dtype, step, steps = _decay_inputs("polynomial_decay", learning_rate, global_step, decay_steps)
        end = math_ops.cast(convert_to_tensor(end_learning_rate), dtype)
        pw = math_ops.cast(convert_to_tensor(power), dtype)
        if cycle:  # the next multiple of decay_steps at or past the step (decay_steps itself at step 0)
            mult = math_ops.maximum(math_ops.ceil(math_ops.truediv(step, steps)), 1.0)
            steps = math_ops.multiply(steps, mult)
        else:
            step = math_ops.minimum(step, steps)
        frac = math_ops.subtract(1.0, math_ops.truediv(step, steps))
        scaled = math_ops.multiply(math_ops.subtract(lr, end), math_ops.pow(frac, pw))
        return math_ops.add(scaled, end, name=scope)


def cosine_decay(learning_rate, global_step, decay_steps, alpha=0.0, name: str | None = None) -> Tensor:
    """lr * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decay_steps) / decay_steps)) + alpha)."""
    with get_default_graph().name_scope(name or "CosineDecay") as scope:
        lr, dtype, step, steps = _decay_inputs("cosine_decay", learning_rate, global_step, decay_steps)
        step = math_ops.minimum(step, steps)
        cos = math_ops.cos(math_ops.multiply(math.pi, math_ops.truediv(step, steps)))
        decayed = math_ops.add(math_ops.multiply(1.0 - alpha, math_ops.multiply(0.5, math_ops.add(1.0, cos))), alpha)
        return math_ops.multiply(lr, decayed, name=scope)


def piecewise_constant(x, boundaries, values, name: str | None = None) -> Tensor:
    """values[0] while x <= boundaries[0], values[i] while boundaries[i-1] < x <= boundaries[i], then values[-1]."""
    boundaries, values = list(boundaries), list(values)
    if len(boundaries) != len(values) - 1:
        raise ValueError("The length of boundaries should be 1 less than the length of values")
    with get_default_graph().name_scope(name or "PiecewiseConstant") as scope:
        x = convert_to_tensor(x)
        bounds = [convert_to_tensor(b, dtype=x.dtype.base_dtype) for b in boundaries]
        vals = [convert_to_tensor(v) for v in values]
        for v in vals[1:]:
            if v.dtype.base_dtype is not vals[0].dtype.base_dtype:
                raise ValueError(f"Values must have elements all with the same dtype ({vals[0].dtype.name} vs "
                                 f"{v.dtype.name}).")
        # Select from the last interval backwards: each boundary overrides what lies above it.
        out = vals[-1]
        for i in range(len(bounds) - 1, -1, -1):
            last = i == 0
            out = math_ops.where_v2(math_ops.less_equal(x, bounds[i]), vals[i], out, name=scope if last else None)
        return out
