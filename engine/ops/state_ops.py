"""Variable state ops: VariableV2 holds a value in the session; Assign* write it in place."""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..errors import FailedPreconditionError, InvalidArgumentError
from ..registry import op_def
from ..shapes import TensorShape, as_shape
from .core import make

__all__ = ["assign", "assign_add", "assign_sub", "is_variable_initialized"]


class Uninitialized:
    """What an uninitialized VariableV2 yields: any kernel that touches it raises TF's error."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __array__(self, *args, **kwargs):
        raise FailedPreconditionError(None, None, f"Attempting to use uninitialized value {self.name}")

    def __getattr__(self, attr):
        raise FailedPreconditionError(None, None, f"Attempting to use uninitialized value {self.name}")


@op_def
class VariableV2:
    attrs = {"shape": TensorShape(None), "dtype": _dt.float32, "container": "", "shared_name": ""}
    stateful = True

    def shape(op):
        return op.attrs["shape"]

    def dtype(op):
        return op.attrs["dtype"]._as_ref

    def forward(k):
        v = k.vars.get(k.op)
        return v if v is not None else Uninitialized(k.op.name)


def variable_v2(shape, dtype, name=None):
    """A VariableV2 node (the ref tensor `W:0`)."""
    return make("VariableV2", [], name=name or "Variable", shape=as_shape(shape),
                dtype=_dt.as_dtype(dtype).base_dtype)


def _var_op(k):
    return k.op.inputs[0].op


@op_def
class Assign:
    attrs = {"validate_shape": True, "use_locking": True}
    stateful = True

    def shape(op):
        return op.inputs[1].shape if not op.inputs[0].shape.dims else op.inputs[0].shape

    def dtype(op):
        return op.inputs[0].dtype._as_ref

    def forward(k, ref, value):
        var_op = _var_op(k)
        cur = k.vars.get(var_op)
        if k.attrs["validate_shape"]:
            want = var_op.attrs["shape"]
            if not want.is_compatible_with(value.shape):
                raise InvalidArgumentError(None, k.op, f"Assign requires shapes of both tensors to match. "
                                                       f"lhs shape= {list(want.dims or [])} rhs shape= "
                                                       f"{list(value.shape)}")
        if cur is not None and cur.shape == value.shape and cur is not value:
            k.xp.copyto(cur, value, casting="unsafe")  # in place: snapshots of this value keep their buffer
            return cur
        new = k.xp.array(value, dtype=var_op.attrs["dtype"].as_numpy_dtype, copy=True)
        k.vars[var_op] = new
        return new


def _check_init(k, ref):
    if isinstance(ref, Uninitialized):
        raise FailedPreconditionError(None, k.op, f"Attempting to use uninitialized value {ref.name}")


@op_def
class AssignAdd:
    attrs = {"use_locking": False}
    stateful = True

    def shape(op):
        return op.inputs[0].shape

    def dtype(op):
        return op.inputs[0].dtype._as_ref

    def forward(k, ref, value):
        _check_init(k, ref)
        ref += value
        return ref


@op_def
class AssignSub:
    attrs = {"use_locking": False}
    stateful = True

    def shape(op):
        return op.inputs[0].shape

    def dtype(op):
        return op.inputs[0].dtype._as_ref

    def forward(k, ref, value):
        _check_init(k, ref)
        ref -= value
        return ref


@op_def
class IsVariableInitialized:
    stateful = True

    def shape(op):
        return TensorShape([])

    def dtype(op):
        return _dt.bool_

    def forward(k, ref):
        return np.asarray(not isinstance(ref, Uninitialized))


@op_def
class ReportUninitializedVariables:
    stateful = True

    def shape(op):
        return TensorShape([None])

    def dtype(op):
        return _dt.string

    def forward(k, *refs):
        names = [r.name.encode() for r in refs if isinstance(r, Uninitialized)]
        return np.array(names, dtype=object)


def _ref_of(ref):
    if hasattr(ref, "_ref"):
        return ref._ref()
    if not ref.dtype.is_ref_dtype:
        raise TypeError(f"'{ref.name}' needs to be a variable reference (a tf.Variable or its ref tensor)")
    return ref


def assign(ref, value, validate_shape=None, use_locking=None, name=None):
    """`tf.assign(ref, value)`: an op writing `value` into the variable; outputs the new value."""
    ref = _ref_of(ref)
    attrs = {} if validate_shape is None else {"validate_shape": bool(validate_shape)}
    return make("Assign", [ref, _value_for(ref, value)], name=name or "Assign", **attrs)


def assign_add(ref, value, use_locking=None, name=None):
    """`tf.assign_add(ref, value)`: adds `value` to the variable in place."""
    ref = _ref_of(ref)
    return make("AssignAdd", [ref, _value_for(ref, value)], name=name or "AssignAdd")


def assign_sub(ref, value, use_locking=None, name=None):
    """`tf.assign_sub(ref, value)`: subtracts `value` from the variable in place."""
    ref = _ref_of(ref)
    return make("AssignSub", [ref, _value_for(ref, value)], name=name or "AssignSub")


def is_variable_initialized(ref, name=None):
    return make("IsVariableInitialized", [ref], name=name or "IsVariableInitialized")


def report_uninitialized(refs, name=None):
    return make("ReportUninitializedVariables", refs, name=name or "report_uninitialized_variables")


def _value_for(ref, value):
    from ..graph import convert_to_tensor
    return convert_to_tensor(value, dtype=ref.dtype.base_dtype)
