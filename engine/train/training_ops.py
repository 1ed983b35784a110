"""The optimizer update ops (TF's ApplyGradientDescent, ApplyMomentum, ApplyAdam, ApplyRMSProp,
ApplyCenteredRMSProp, ApplyAdagrad). Inputs follow TF's order: the variable's ref tensor, then slot refs,
then scalars and the gradient. Each kernel updates the live arrays in place through a backend kernel and
outputs the variable (as TF's ops output the ref)."""
from __future__ import annotations

from ..errors import FailedPreconditionError, InvalidArgumentError
from ..graph import Tensor
from ..ops.core import make
from ..ops.state_ops import Uninitialized
from ..registry import op_def
from ..shapes import TensorShape

# name of each op's scalar inputs, by position, for shape checks
_SCALARS = {
    "ApplyGradientDescent": {1: "alpha"},
    "ApplyMomentum": {2: "lr", 4: "momentum"},
    "ApplyAdam": {3: "beta1_power", 4: "beta2_power", 5: "lr", 6: "beta1", 7: "beta2", 8: "epsilon"},
    "ApplyRMSProp": {3: "lr", 4: "rho", 5: "momentum", 6: "epsilon"},
    "ApplyCenteredRMSProp": {4: "lr", 5: "rho", 6: "momentum", 7: "epsilon"},
    "ApplyAdagrad": {2: "lr"},
}


def _apply_shape(op) -> TensorShape:
    """The variable's shape merged with its slots' and the gradient's; scalars must be rank 0."""
    scalars = _SCALARS[op.type]
    out = op.inputs[0].shape
    for i, t in enumerate(op.inputs):
        if i in scalars:
            if t.shape.ndims not in (None, 0):
                raise ValueError(f"Shape must be rank 0 but is rank {t.shape.ndims} for '{op.name}' "
                                 f"(op: '{op.type}') with input shapes: {_all_shapes(op)}.")
            continue
        try:
            out = out.merge_with(t.shape)
        except ValueError:
            raise ValueError(f"Shapes must be equal, but are {out.bracket()} and {t.shape.bracket()} for "
                             f"'{op.name}' (op: '{op.type}') with input shapes: {_all_shapes(op)}.") from None
    return out


def _all_shapes(op) -> str:
    return ", ".join(t.shape.bracket() for t in op.inputs)


def _ref_dtype(op):
    return op.inputs[0].dtype.base_dtype._as_ref


def _check_state(k, grad, args) -> None:
    """Refuses uninitialized variables/slots and a gradient (an array, or its shape) shaped unlike the
    variable."""
    for r in args:
        if type(r) is Uninitialized:
            raise FailedPreconditionError(None, k.op, f"Attempting to use uninitialized value {r.name}"
                                                      f"\n\t [[node {k.op.name}]]")
    var = args[0]
    grad_shape = grad if type(grad) is tuple else grad.shape
    if grad_shape != var.shape:
        raise InvalidArgumentError(None, k.op, f"var and grad do not have the same shape{list(var.shape)} "
                                               f"{list(grad_shape)}\n\t [[node {k.op.name}]]")


@op_def
class ApplyGradientDescent:
    attrs = {"use_locking": False}
    stateful = True
    shape = _apply_shape
    dtype = _ref_dtype

    overwrites = 2  # the gradient, as scratch (see the registry)

    def forward(k, var, alpha, delta, out=None):
        _check_state(k, delta, (var, alpha, delta))
        return k.b.apply_gradient_descent(var, alpha, delta, cache=k.cache, grad_is_scratch=out is not None)

    product_input = 2  # delta = MatMul(a, b): var -= alpha * a @ b as one GEMM into var (see the registry)

    def forward_product(k, var, alpha, a, b, transpose_a, transpose_b):
        product_shape = (a.shape[1 if transpose_a else 0], b.shape[0 if transpose_b else 1])
        _check_state(k, product_shape, (var, alpha, a, b))
        return k.b.apply_gradient_descent_product(var, alpha, a, b, transpose_a, transpose_b)


@op_def
class ApplyMomentum:
    attrs = {"use_locking": False, "use_nesterov": False}
    stateful = True
    shape = _apply_shape
    dtype = _ref_dtype

    def forward(k, var, accum, lr, grad, momentum):
        _check_state(k, grad, (var, accum, lr, grad, momentum))
        return k.b.apply_momentum(var, accum, lr, grad, momentum, k.attrs["use_nesterov"], cache=k.cache)


@op_def
class ApplyAdam:
    attrs = {"use_locking": False, "use_nesterov": False}
    stateful = True
    shape = _apply_shape
    dtype = _ref_dtype

    def forward(k, var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad):
        _check_state(k, grad, (var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad))
        return k.b.apply_adam(var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad,
                              k.attrs["use_nesterov"], cache=k.cache)


@op_def
class ApplyRMSProp:
    attrs = {"use_locking": False}
    stateful = True
    shape = _apply_shape
    dtype = _ref_dtype

    def forward(k, var, ms, mom, lr, rho, momentum, epsilon, grad):
        _check_state(k, grad, (var, ms, mom, lr, rho, momentum, epsilon, grad))
        return k.b.apply_rms_prop(var, ms, mom, lr, rho, momentum, epsilon, grad, cache=k.cache)


@op_def
class ApplyCenteredRMSProp:
    attrs = {"use_locking": False}
    stateful = True
    shape = _apply_shape
    dtype = _ref_dtype

    def forward(k, var, mg, ms, mom, lr, rho, momentum, epsilon, grad):
        _check_state(k, grad, (var, mg, ms, mom, lr, rho, momentum, epsilon, grad))
        return k.b.apply_centered_rms_prop(var, mg, ms, mom, lr, rho, momentum, epsilon, grad, cache=k.cache)


@op_def
class ApplyAdagrad:
    attrs = {"use_locking": False, "update_slots": True}
    stateful = True
    shape = _apply_shape
    dtype = _ref_dtype

    def forward(k, var, accum, lr, grad):
        _check_state(k, grad, (var, accum, lr, grad))
        return k.b.apply_adagrad(var, accum, lr, grad, k.attrs["update_slots"], cache=k.cache)


# --- graph-building functions (TF's training_ops.apply_*)

def _check_dtypes(op_type: str, var: Tensor, inputs: list[Tensor]) -> None:
    want = var.dtype.base_dtype
    for t in inputs:
        if t.dtype.base_dtype is not want:
            raise TypeError(f"Input '{t.name}' of '{op_type}' Op has type {t.dtype.base_dtype.name} that does not "
                            f"match type {want.name} of argument 'var'.")


def _apply(op_type: str, refs: list[Tensor], values: list[Tensor], name, **attrs) -> Tensor:
    _check_dtypes(op_type, refs[0], refs[1:] + values)
    return make(op_type, refs + values, name=name or op_type, **attrs)


def apply_gradient_descent(var, alpha, delta, use_locking=False, name=None) -> Tensor:
    """var -= alpha * delta, in place."""
    return _apply("ApplyGradientDescent", [var], [alpha, delta], name, use_locking=use_locking)


def apply_momentum(var, accum, lr, grad, momentum, use_locking=False, use_nesterov=False, name=None) -> Tensor:
    """accum = momentum*accum + grad; var -= lr*accum (or the Nesterov form), in place."""
    return _apply("ApplyMomentum", [var, accum], [lr, grad, momentum], name, use_locking=use_locking,
                  use_nesterov=use_nesterov)


def apply_adam(var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad, use_locking=False,
               use_nesterov=False, name=None) -> Tensor:
    """One Adam step on var, m and v, in place."""
    return _apply("ApplyAdam", [var, m, v], [beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad], name,
                  use_locking=use_locking, use_nesterov=use_nesterov)


def apply_rms_prop(var, ms, mom, lr, rho, momentum, epsilon, grad, use_locking=False, name=None) -> Tensor:
    """One RMSProp step on var, ms and mom, in place."""
    return _apply("ApplyRMSProp", [var, ms, mom], [lr, rho, momentum, epsilon, grad], name,
                  use_locking=use_locking)


def apply_centered_rms_prop(var, mg, ms, mom, lr, rho, momentum, epsilon, grad, use_locking=False,
                            name=None) -> Tensor:
    """One centered RMSProp step on var, mg, ms and mom, in place."""
    return _apply("ApplyCenteredRMSProp", [var, mg, ms, mom], [lr, rho, momentum, epsilon, grad], name,
                  use_locking=use_locking)


def apply_adagrad(var, accum, lr, grad, use_locking=False, update_slots=True, name=None) -> Tensor:
    """accum += grad^2; var -= lr*grad/sqrt(accum), in place."""
    return _apply("ApplyAdagrad", [var, accum], [lr, grad], name, use_locking=use_locking,
                  update_slots=update_slots)
