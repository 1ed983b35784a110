"""Assertions and numeric checks: tf.Assert, tf.assert_*, tf.check_numerics.

`tf.Assert` is a stateful op without outputs: run it (or make it a control dependency of what you run) and it
raises InvalidArgumentError "assertion failed: [data0] [data1] ..." when its condition is false, each data
tensor summarised as TF1 does (its first `summarize` elements). The `tf.assert_*` helpers build one with
TF1's default data: `[message] [Condition x < y did not hold element-wise:] [x (name:0) = ] [x] ...`.
Checks decidable from static information behave as in TF1: `assert_equal` of two constants that differ
raises InvalidArgumentError while the graph is built; `assert_rank` with a known rank raises ValueError or
returns a no_op; `assert_type` / `assert_integer` raise TypeError or return a no_op; `assert_scalar` raises
ValueError or returns its tensor.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from .. import errors
from ..graph import Operation, Tensor, convert_to_tensor, get_default_graph
from ..registry import op_def
from .core import make
from .logging_ops import summarize_legacy

__all__ = [
    "Assert", "assert_equal", "assert_none_equal", "assert_less", "assert_less_equal", "assert_greater",
    "assert_greater_equal", "assert_positive", "assert_negative", "assert_non_negative", "assert_non_positive",
    "assert_rank", "assert_type", "assert_integer", "assert_scalar", "check_numerics", "add_check_numerics_ops",
    "verify_tensor_all_finite",
]

_FLOAT_NAMES = ("float16", "float32", "float64")


def _node(op: Operation) -> str:
    return f"\n\t [[node {op.name} ({op.type})]]"


def _host(k, x) -> np.ndarray:
    return np.asarray(k.b.to_numpy(x))


def _dtype_str(dtype: _dt.DType) -> str:
    return f"<dtype: '{dtype.name}'>"  # how TF1 prints a DType


# --- ops

@op_def
class _AssertOp:
    """Raises InvalidArgumentError with its data summarised when its scalar condition is false."""

    type = "Assert"
    attrs = {"T": [], "summarize": 3}
    stateful = True

    def shape(op):
        return []

    def forward(k, condition, *data):
        cond = _host(k, condition)
        if cond.size != 1:
            raise errors.InvalidArgumentError(
                None, k.op, f"In[0] should be a scalar: {list(cond.shape)}{_node(k.op)}")
        if not bool(cond.reshape(())):
            summarize = k.attrs["summarize"]
            parts = " ".join(f"[{summarize_legacy(_host(k, d), summarize)}]" for d in data)
            raise errors.InvalidArgumentError(None, k.op, f"assertion failed: {parts}{_node(k.op)}")
        return ()


@op_def
class CheckNumerics:
    """Passes its input through; raises InvalidArgumentError if it holds a NaN or an Inf."""

    attrs = {"message": ""}

    def shape(op):
        return op.inputs[0].shape

    def forward(k, x):
        xp = k.xp
        has_nan = bool(xp.isnan(x).any())
        has_inf = bool(xp.isinf(x).any())
        if has_nan or has_inf:
            what = "Inf and NaN" if has_nan and has_inf else "NaN" if has_nan else "Inf"
            raise errors.InvalidArgumentError(
                None, k.op, f"{k.attrs['message']} : Tensor had {what} values{_node(k.op)}")
        return x

    def grad(op, g):
        message = "Not a number (NaN) or infinity (Inf) values detected in gradient. " + op.attrs["message"]
        return [check_numerics(g, message)]


# --- tf.Assert

def Assert(condition, data, summarize: int | None = None, name: str | None = None) -> Operation:
    """`tf.Assert`: an op that raises InvalidArgumentError showing `data` when `condition` is false."""
    condition = convert_to_tensor(condition)
    if condition.dtype.base_dtype is not _dt.bool_:
        raise TypeError(f"Input 'condition' of 'Assert' Op has type {condition.dtype.base_dtype.name} that does "
                        "not match expected type of bool.")
    graph = condition.graph
    with graph.name_scope(name or "Assert"):
        data = [convert_to_tensor(d) for d in data]
        return make("Assert", [condition, *data], name="Assert", graph=graph,
                    T=[d.dtype.base_dtype for d in data], summarize=3 if summarize is None else int(summarize))


# --- element-wise comparisons

def _is_tensor(x) -> bool:
    return isinstance(x, Tensor) or hasattr(x, "_as_tensor")


def _pair(x, y) -> tuple[Tensor, Tensor]:
    """Converts x and y, a Python value taking the other side's dtype (named "x"/"y" as TF1 names them)."""
    if _is_tensor(x) or not _is_tensor(y):
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y", dtype=None if _is_tensor(y) else x.dtype.base_dtype)
    else:
        y = convert_to_tensor(y, name="y")
        x = convert_to_tensor(x, name="x", dtype=y.dtype.base_dtype)
    return x, y


def _constant_value(t: Tensor) -> np.ndarray | None:
    return np.asarray(t.op.attrs["value"]) if t.op.type == "Const" else None


def _static_text(item) -> str:
    if isinstance(item, Tensor):
        value = _constant_value(item)
        return str(item) if value is None else str(value)
    return str(item)


def _compare(x, y, data, summarize, message, name, default_name: str, symbol: str, compare, description=None):
    from . import math_ops
    graph = x.graph if _is_tensor(x) and isinstance(x, Tensor) else get_default_graph()
    with graph.name_scope(name or default_name):
        x, y = _pair(x, y)
        if data is None:
            data = [message or "", description or f"Condition x {symbol} y did not hold element-wise:",
                    f"x ({x.name}) = ", x, f"y ({y.name}) = ", y]
        condition = math_ops.reduce_all(compare(x, y))
        if symbol == "==":  # TF1 checks two constants while building the graph
            xs, ys = _constant_value(x), _constant_value(y)
            if xs is not None and ys is not None:
                try:
                    equal = bool(np.all(xs == ys))
                except ValueError:  # shapes that do not broadcast: left to the run-time check
                    equal = True
                if not equal:
                    raise errors.InvalidArgumentError(None, None, "\n".join(_static_text(d) for d in data))
        return Assert(condition, data, summarize=summarize)


def assert_equal(x, y, data=None, summarize=None, message=None, name=None) -> Operation:
    """Op asserting `x == y` element-wise (an InvalidArgumentError at build time for differing constants)."""
    from .math_ops import equal
    return _compare(x, y, data, summarize, message, name, "assert_equal", "==", equal)


def assert_none_equal(x, y, data=None, summarize=None, message=None, name=None) -> Operation:
    """Op asserting `x != y` for every element."""
    from .math_ops import not_equal
    return _compare(x, y, data, summarize, message, name, "assert_none_equal", "!=", not_equal,
                    "Condition x != y did not hold for every single element:")


def assert_less(x, y, data=None, summarize=None, message=None, name=None) -> Operation:
    """Op asserting `x < y` element-wise."""
    from .math_ops import less
    return _compare(x, y, data, summarize, message, name, "assert_less", "<", less)


def assert_less_equal(x, y, data=None, summarize=None, message=None, name=None) -> Operation:
    """Op asserting `x <= y` element-wise."""
    from .math_ops import less_equal
    return _compare(x, y, data, summarize, message, name, "assert_less_equal", "<=", less_equal)


def assert_greater(x, y, data=None, summarize=None, message=None, name=None) -> Operation:
    """Op asserting `x > y` element-wise."""
    from .math_ops import greater
    return _compare(x, y, data, summarize, message, name, "assert_greater", ">", greater)


def assert_greater_equal(x, y, data=None, summarize=None, message=None, name=None) -> Operation:
    """Op asserting `x >= y` element-wise."""
    from .math_ops import greater_equal
    return _compare(x, y, data, summarize, message, name, "assert_greater_equal", ">=", greater_equal)


# --- comparisons with zero

def _sign_check(x, data, summarize, message, name, default_name: str, symbol: str, check) -> Operation:
    graph = x.graph if isinstance(x, Tensor) else get_default_graph()
    with graph.name_scope(name or default_name):
        x = convert_to_tensor(x, name="x")
        if data is None:
            data = [message or "", f"Condition x {symbol} 0 did not hold element-wise:", f"x ({x.name}) = ", x]
        zero = convert_to_tensor(0, dtype=x.dtype.base_dtype)
        return check(x, zero, data=data, summarize=summarize)


def assert_positive(x, data=None, summarize=None, message=None, name=None) -> Operation:
    """Op asserting `x > 0` element-wise."""
    return _sign_check(x, data, summarize, message, name, "assert_positive", ">",
                       lambda x, zero, **kw: assert_less(zero, x, **kw))


def assert_negative(x, data=None, summarize=None, message=None, name=None) -> Operation:
    """Op asserting `x < 0` element-wise."""
    return _sign_check(x, data, summarize, message, name, "assert_negative", "<", assert_less)


def assert_non_negative(x, data=None, summarize=None, message=None, name=None) -> Operation:
    """Op asserting `x >= 0` element-wise."""
    return _sign_check(x, data, summarize, message, name, "assert_non_negative", ">=",
                       lambda x, zero, **kw: assert_less_equal(zero, x, **kw))


def assert_non_positive(x, data=None, summarize=None, message=None, name=None) -> Operation:
    """Op asserting `x <= 0` element-wise."""
    return _sign_check(x, data, summarize, message, name, "assert_non_positive", "<=", assert_less_equal)


# --- static checks: rank, type, scalar

def assert_rank(x, rank, data=None, summarize=None, message=None, name=None) -> Operation:
    """Op asserting `x` has rank `rank`: a no_op when the static rank matches, ValueError when it cannot."""
    from . import array_ops, math_ops
    from .control_flow_ops import no_op
    graph = x.graph if isinstance(x, Tensor) else get_default_graph()
    with graph.name_scope(name or "assert_rank"):
        x = convert_to_tensor(x, name="x")
        rank = convert_to_tensor(rank, name="rank")
        message = message or ""
        assert_type(rank, _dt.int32)
        rank_static = _constant_value(rank)
        if rank_static is not None and rank_static.ndim != 0:
            raise ValueError("Rank must be a scalar.")
        if data is None:
            data = [message, f"Tensor {x.name} must have rank", rank, "Received shape: ", array_ops.shape(x)]
        if rank_static is not None and x.shape.ndims is not None:
            if x.shape.ndims != int(rank_static):
                raise ValueError(f"{message}.  Tensor {x.name} must have rank {int(rank_static)}.  Received rank "
                                 f"{x.shape.ndims}, shape {x.shape}")
            return no_op(name="static_checks_determined_all_ok")
        condition = math_ops.equal(array_ops.rank(x), rank)
        return Assert(condition, data, summarize=summarize)


def assert_type(tensor, tf_type, message=None, name=None) -> Operation:
    """Statically asserts `tensor` has dtype `tf_type` (TypeError if not); returns a no_op."""
    from .control_flow_ops import no_op
    graph = tensor.graph if isinstance(tensor, Tensor) else get_default_graph()
    with graph.name_scope(name or "assert_type"):
        tensor = convert_to_tensor(tensor, name="tensor")
        tf_type = _dt.as_dtype(tf_type)
        if tensor.dtype.base_dtype is not tf_type.base_dtype:
            raise TypeError(f"{message or ''}  {tensor.name} must be of type {_dtype_str(tf_type)}")
        return no_op(name="statically_determined_correct_type")


def assert_integer(x, message=None, name=None) -> Operation:
    """Statically asserts `x` has an integer dtype (TypeError if not); returns a no_op."""
    from .control_flow_ops import no_op
    graph = x.graph if isinstance(x, Tensor) else get_default_graph()
    with graph.name_scope(name or "assert_integer"):
        x = convert_to_tensor(x, name="x")
        if not x.dtype.is_integer:
            raise TypeError(f'{message or ""}  Expected "x" to be integer type.  Found: {x.name} of dtype '
                            f"{_dtype_str(x.dtype.base_dtype)}")
        return no_op(name="statically_determined_was_integer")


def assert_scalar(tensor, name=None, message=None) -> Tensor:
    """Statically asserts `tensor` is a scalar (ValueError if its rank is not known to be 0); returns it."""
    tensor = convert_to_tensor(tensor, name=name or "assert_scalar")
    if tensor.shape.ndims != 0:
        raise ValueError(f"{message or ''}Expected scalar shape for {tensor.name}, saw shape: {tensor.shape}.")
    return tensor


# --- numeric checks

def check_numerics(tensor, message, name=None) -> Tensor:
    """`tf.check_numerics`: `tensor` as is, or InvalidArgumentError when run if it holds NaN or Inf values."""
    tensor = convert_to_tensor(tensor)
    if tensor.dtype.base_dtype.name not in _FLOAT_NAMES:
        raise TypeError(f"Value passed to parameter 'tensor' has DataType {tensor.dtype.base_dtype.name} not in "
                        "list of allowed values: float16, float32, float64")
    return make("CheckNumerics", [tensor], name=name or "CheckNumerics", message=str(message))


def verify_tensor_all_finite(t, msg, name=None) -> Tensor:
    """`tf.verify_tensor_all_finite`: `t`, checked for NaN and Inf values when it is computed."""
    t = convert_to_tensor(t)
    with t.graph.name_scope(name or "VerifyFinite"):
        return check_numerics(t, message=msg)


def add_check_numerics_ops() -> Operation:
    """`tf.add_check_numerics_ops`: a group running check_numerics on every float tensor of the graph."""
    from .control_flow_ops import group
    graph = get_default_graph()
    checks: list = []
    for op in graph.get_operations():
        for output in op.outputs:
            if output.dtype.name not in _FLOAT_NAMES:  # ref dtypes (variables) are skipped, as in TF1
                continue
            if op._guards:
                raise ValueError("`tf.add_check_numerics_ops() is not compatible with TensorFlow control flow "
                                 "operations such as `tf.cond()` or `tf.while_loop()`.")
            message = f"{op.name}:{output.value_index}"
            with graph.control_dependencies(checks):  # chained, so the checks run one after another
                checks = [check_numerics(output, message=message)]
    return group(*checks)
