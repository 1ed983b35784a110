"""Math ops: elementwise arithmetic, comparisons, matmul, reductions, casts; and Tensor's operator overloads."""
from __future__ import annotations

import builtins

import numpy as np

from .. import dtypes as _dt
from ..gradients import reduce_to_shape
from ..graph import Tensor, convert_to_tensor, get_default_graph
from ..registry import op_def
from ..shapes import TensorShape, broadcast_shapes
from . import array_ops as _array
from .core import make, same_dtype_inputs

__all__ = [
    "add", "subtract", "multiply", "divide", "truediv", "realdiv", "div", "floordiv", "floor_div", "mod",
    "floormod", "truncatediv", "truncatemod", "pow", "negative", "abs", "square", "sqrt", "rsqrt", "exp",
    "expm1", "log", "log1p", "sin", "cos", "tan", "tanh", "sigmoid", "log_sigmoid", "maximum", "minimum",
    "reciprocal", "sign", "floor", "ceil", "round", "rint", "is_nan", "is_inf", "is_finite", "matmul",
    "tensordot", "reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_any",
    "reduce_all", "reduce_logsumexp", "argmax", "argmin", "equal", "not_equal", "less", "greater",
    "less_equal", "greater_equal", "logical_and", "logical_or", "logical_not", "logical_xor", "where",
    "where_v2", "cast", "saturate_cast", "clip_by_value", "add_n", "count_nonzero", "cumsum",
    "squared_difference", "to_float", "to_double", "to_int32", "to_int64", "scalar_mul", "cumprod", "linspace",
    "lin_space", "einsum", "norm", "trace",
]

_FLOATS = (_dt.float16, _dt.float32, _dt.float64)
_pyabs, _pyround, _pypow = builtins.abs, builtins.round, builtins.pow


# --- shape helpers

def _broadcast_shape(op) -> TensorShape:
    x, y = op.inputs[-2], op.inputs[-1]
    out = broadcast_shapes(x.shape, y.shape)
    if out is None:
        raise ValueError(f"Dimensions must be equal, but are {_mismatch(x.shape, y.shape)} for '{op.name}' "
                         f"(op: '{op.type}') with input shapes: {x.shape.bracket()}, {y.shape.bracket()}.")
    return out


def _mismatch(a: TensorShape, b: TensorShape) -> str:
    da, db = a.dims[::-1], b.dims[::-1]
    for x, y in zip(da, db):
        if x is not None and y is not None and x != y and x != 1 and y != 1:
            return f"{x} and {y}"
    return "?"


def _same_shape(op) -> TensorShape:
    return op.inputs[0].shape


def _overwritable_operand(op) -> int | None:
    """An input of an elementwise binary op that has the result's static shape and dtype, with the other
    input's static shape broadcasting into it: the result may be written over that input (see registry)."""
    x, y = op.inputs
    if x.dtype.base_dtype != y.dtype.base_dtype or not x.dtype.base_dtype.is_floating:
        return None
    for i, (big, small) in enumerate(((x, y), (y, x))):
        bd, sd = big.shape.dims, small.shape.dims
        if bd is None or sd is None or len(sd) > len(bd):
            continue
        if all(s == 1 or (s is not None and b == s) for b, s in zip(bd[len(bd) - len(sd):], sd)):
            return i
    return None


def _bool_dtype(op):
    return _dt.bool_


def _const_value(t: Tensor):
    """The value of a Const tensor (None when it is computed at run time)."""
    if t.op.type == "Const":
        return np.asarray(t.op.attrs["value"])
    return None


def _require_dtype(op_type: str, x: Tensor, allowed, param: str = "x") -> None:
    if x.dtype.base_dtype not in allowed:
        names = ", ".join(d.name for d in allowed)
        raise TypeError(f"Value passed to parameter '{param}' has DataType {x.dtype.base_dtype.name} not in list "
                        f"of allowed values: {names} (op: '{op_type}')")


def _binary(op_type: str, default_name: str, x, y, name=None) -> Tensor:
    x, y = same_dtype_inputs(op_type, x, y)
    return make(op_type, [x, y], name=name or default_name)


def _unary(op_type: str, x, name=None, allowed=None) -> Tensor:
    x = convert_to_tensor(x)
    if allowed is not None:
        _require_dtype(op_type, x, allowed)
    return make(op_type, [x], name=name or op_type)


def _scalar(x, c):
    """`c` as a scalar of x's dtype, so float32 kernels stay float32."""
    return x.dtype.type(c)


# --- elementwise binary arithmetic

@op_def
class AddV2:
    default_name = "add"
    shape = _broadcast_shape
    fresh = True
    overwrites = _overwritable_operand

    def forward(k, x, y, out=None):
        return x + y if out is None else k.xp.add(x, y, out=out)

    def grad(op, g):
        x, y = op.inputs
        return [reduce_to_shape(g, x, other=y), reduce_to_shape(g, y, other=x)]


@op_def
class Sub:
    default_name = "sub"
    shape = _broadcast_shape
    fresh = True
    overwrites = _overwritable_operand

    def forward(k, x, y, out=None):
        return x - y if out is None else k.xp.subtract(x, y, out=out)

    def grad(op, g):
        x, y = op.inputs
        return [reduce_to_shape(g, x, other=y), reduce_to_shape(negative(g), y, other=x)]


@op_def
class Mul:
    default_name = "mul"
    shape = _broadcast_shape
    fresh = True
    overwrites = _overwritable_operand

    def forward(k, x, y, out=None):
        return x * y if out is None else k.xp.multiply(x, y, out=out)

    def grad(op, g):
        x, y = op.inputs
        return [reduce_to_shape(multiply(g, y), x, other=y), reduce_to_shape(multiply(g, x), y, other=x)]


@op_def
class RealDiv:
    default_name = "truediv"
    shape = _broadcast_shape
    fresh = True
    overwrites = _overwritable_operand

    def forward(k, x, y, out=None):
        return x / y if out is None else k.xp.divide(x, y, out=out)

    def grad(op, g):
        x, y = op.inputs
        gy = multiply(g, realdiv(realdiv(negative(x), y), y))
        return [reduce_to_shape(realdiv(g, y), x, other=y), reduce_to_shape(gy, y, other=x)]


def _check_int_divisor(k, y):
    if k.xp.dtype(y.dtype).kind in "iu" and not k.xp.all(y):
        raise ZeroDivisionError("Integer division by zero")


@op_def
class FloorDiv:
    default_name = "floordiv"
    shape = _broadcast_shape

    def forward(k, x, y):
        _check_int_divisor(k, y)
        return k.xp.floor_divide(x, y)
    # not differentiable (TF returns no gradient)


@op_def
class FloorMod:
    default_name = "mod"
    shape = _broadcast_shape

    def forward(k, x, y):
        _check_int_divisor(k, y)
        return k.xp.remainder(x, y)

    def grad(op, g):
        x, y = op.inputs
        return [reduce_to_shape(g, x, other=y), reduce_to_shape(multiply(g, negative(floor_div(x, y))), y, other=x)]


@op_def
class TruncateDiv:
    shape = _broadcast_shape

    def forward(k, x, y):
        _check_int_divisor(k, y)
        if k.xp.dtype(x.dtype).kind in "iu":
            q = k.xp.floor_divide(k.xp.abs(x), k.xp.abs(y))
            return k.xp.where((x < 0) != (y < 0), -q, q).astype(x.dtype, copy=False)
        return k.xp.trunc(x / y)


@op_def
class TruncateMod:
    shape = _broadcast_shape

    def forward(k, x, y):
        _check_int_divisor(k, y)
        return k.xp.fmod(x, y)


@op_def
class Pow:
    shape = _broadcast_shape

    def forward(k, x, y):
        return k.xp.power(x, y)

    def grad(op, g):
        x, y = op.inputs
        z = op.outputs[0]
        one = _one_like_dtype(y)
        gx = multiply(g, multiply(y, pow(x, subtract(y, one))))
        positive = greater(x, zeros_of(x))
        log_x = where_v2(positive, log(where_v2(positive, x, _array.ones_like(x))), _array.zeros_like(x))
        gy = multiply(g, multiply(z, log_x))
        return [reduce_to_shape(gx, x, other=y), reduce_to_shape(gy, y, other=x)]


def _one_like_dtype(t: Tensor) -> Tensor:
    return _array.constant(1, dtype=t.dtype.base_dtype)


def zeros_of(t: Tensor) -> Tensor:
    """A scalar zero of t's dtype (broadcasts in comparisons)."""
    return _array.constant(0, dtype=t.dtype.base_dtype)


@op_def
class Maximum:
    shape = _broadcast_shape

    def forward(k, x, y):
        return k.xp.maximum(x, y)

    def grad(op, g):
        x, y = op.inputs
        return _select_grads(g, x, y, greater_equal(x, y))


@op_def
class Minimum:
    shape = _broadcast_shape

    def forward(k, x, y):
        return k.xp.minimum(x, y)

    def grad(op, g):
        x, y = op.inputs
        return _select_grads(g, x, y, less_equal(x, y))


def _select_grads(g, x, y, x_wins):
    """Routes g to x where `x_wins` and to y elsewhere (ties go to x, as TF does)."""
    zeros = _array.zeros_like(g)
    return [reduce_to_shape(where_v2(x_wins, g, zeros), x, other=y),
            reduce_to_shape(where_v2(x_wins, zeros, g), y, other=x)]


@op_def
class SquaredDifference:
    shape = _broadcast_shape

    def forward(k, x, y):
        d = x - y
        return d * d

    def grad(op, g):
        x, y = op.inputs
        two = _array.constant(2, dtype=x.dtype.base_dtype)
        gx = multiply(multiply(g, two), subtract(x, y))
        return [reduce_to_shape(gx, x, other=y), reduce_to_shape(negative(gx), y, other=x)]


def add(x, y, name=None) -> Tensor:
    """x + y, broadcasting."""
    return _binary("AddV2", "add", x, y, name)


def subtract(x, y, name=None) -> Tensor:
    """x - y, broadcasting."""
    return _binary("Sub", "Sub", x, y, name)


def multiply(x, y, name=None) -> Tensor:
    """x * y, elementwise with broadcasting."""
    return _binary("Mul", "Mul", x, y, name)


def scalar_mul(scalar, x, name=None) -> Tensor:
    """A scalar times a tensor."""
    return _binary("Mul", "Mul", x, scalar, name) if not isinstance(scalar, Tensor) else multiply(scalar, x, name)


def realdiv(x, y, name=None) -> Tensor:
    """x / y for floats (RealDiv)."""
    return _binary("RealDiv", "RealDiv", x, y, name)


def truediv(x, y, name=None) -> Tensor:
    """Python 3 division: integers are cast to float first (int8/16 -> float32, int32/64 -> float64)."""
    x, y = same_dtype_inputs("RealDiv", x, y)
    graph = x.graph
    with graph.name_scope(name or "truediv") as scope:
        d = x.dtype.base_dtype
        if d.is_integer or d is _dt.uint8:
            target = _dt.float32 if d in (_dt.int8, _dt.int16, _dt.uint8) else _dt.float64
            x, y = cast(x, target), cast(y, target)
        elif d.is_bool:
            raise TypeError(f"Invalid dtype {d.name} in __truediv__")
        return make("RealDiv", [x, y], name=scope)


def divide(x, y, name=None) -> Tensor:
    """`tf.divide`: Python 3 style division (same as `x / y`)."""
    return truediv(x, y, name=name)


def div(x, y, name=None) -> Tensor:
    """TF1 `tf.div`: floor division for integers, real division for floats (named "div")."""
    x, y = same_dtype_inputs("Div", x, y)
    with x.graph.name_scope(name or "div") as scope:
        if x.dtype.base_dtype.is_floating:
            return make("RealDiv", [x, y], name=scope)
        return make("FloorDiv", [x, y], name=scope)


def floordiv(x, y, name=None) -> Tensor:
    """x // y: floor(x / y) for floats and integers."""
    x, y = same_dtype_inputs("FloorDiv", x, y)
    with x.graph.name_scope(name or "floordiv") as scope:
        return make("FloorDiv", [x, y], name=scope)


def floor_div(x, y, name=None) -> Tensor:
    """The FloorDiv op."""
    return _binary("FloorDiv", "FloorDiv", x, y, name)


def floormod(x, y, name=None) -> Tensor:
    """x % y with the sign of y (Python semantics)."""
    return _binary("FloorMod", "FloorMod", x, y, name)


mod = floormod


def truncatediv(x, y, name=None) -> Tensor:
    """Division rounding toward zero (C semantics)."""
    return _binary("TruncateDiv", "TruncateDiv", x, y, name)


def truncatemod(x, y, name=None) -> Tensor:
    """Remainder with the sign of x (C semantics)."""
    return _binary("TruncateMod", "TruncateMod", x, y, name)


def pow(x, y, name=None) -> Tensor:
    """x ** y elementwise."""
    return _binary("Pow", "Pow", x, y, name)


def maximum(x, y, name=None) -> Tensor:
    """Elementwise max, broadcasting."""
    return _binary("Maximum", "Maximum", x, y, name)


def minimum(x, y, name=None) -> Tensor:
    """Elementwise min, broadcasting."""
    return _binary("Minimum", "Minimum", x, y, name)


def squared_difference(x, y, name=None) -> Tensor:
    """(x - y)^2 elementwise."""
    return _binary("SquaredDifference", "SquaredDifference", x, y, name)


# --- elementwise unary ops

@op_def
class Neg:
    shape = _same_shape

    def forward(k, x):
        return k.xp.negative(x)

    def grad(op, g):
        return negative(g)


@op_def
class Abs:
    shape = _same_shape

    def forward(k, x):
        return k.xp.abs(x)

    def grad(op, g):
        return multiply(g, sign(op.inputs[0]))


@op_def
class Square:
    shape = _same_shape

    def forward(k, x):
        return x * x

    def grad(op, g):
        x = op.inputs[0]
        return multiply(g, multiply(x, _array.constant(2, dtype=x.dtype.base_dtype)))


@op_def
class Sqrt:
    shape = _same_shape

    def forward(k, x):
        return k.xp.sqrt(x)

    def grad(op, g):
        y = op.outputs[0]
        return realdiv(multiply(g, _array.constant(0.5, dtype=y.dtype.base_dtype)), y)


@op_def
class Rsqrt:
    shape = _same_shape

    def forward(k, x):
        return _scalar(x, 1) / k.xp.sqrt(x)

    def grad(op, g):
        y = op.outputs[0]
        return multiply(g, multiply(_array.constant(-0.5, dtype=y.dtype.base_dtype), multiply(square(y), y)))


@op_def
class Exp:
    shape = _same_shape

    def forward(k, x):
        return k.xp.exp(x)

    def grad(op, g):
        return multiply(g, op.outputs[0])


@op_def
class Expm1:
    shape = _same_shape

    def forward(k, x):
        return k.xp.expm1(x)

    def grad(op, g):
        return multiply(g, exp(op.inputs[0]))


@op_def
class Log:
    shape = _same_shape

    def forward(k, x):
        with np.errstate(divide="ignore", invalid="ignore"):  # log(0) = -inf, log(<0) = nan, as in TF
            return k.xp.log(x)

    def grad(op, g):
        return multiply(g, reciprocal(op.inputs[0]))


@op_def
class Log1p:
    shape = _same_shape

    def forward(k, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            return k.xp.log1p(x)

    def grad(op, g):
        x = op.inputs[0]
        return realdiv(g, add(x, _array.constant(1, dtype=x.dtype.base_dtype)))


@op_def
class Sin:
    shape = _same_shape

    def forward(k, x):
        return k.xp.sin(x)

    def grad(op, g):
        return multiply(g, cos(op.inputs[0]))


@op_def
class Cos:
    shape = _same_shape

    def forward(k, x):
        return k.xp.cos(x)

    def grad(op, g):
        return multiply(g, negative(sin(op.inputs[0])))


@op_def
class Tan:
    shape = _same_shape

    def forward(k, x):
        return k.xp.tan(x)

    def grad(op, g):
        c = cos(op.inputs[0])
        return realdiv(g, square(c))


@op_def
class Tanh:
    shape = _same_shape

    def forward(k, x):
        return k.xp.tanh(x)

    def grad(op, g):
        return make("TanhGrad", [op.outputs[0], g])


@op_def
class TanhGrad:
    """dy * (1 - y^2) for y = tanh(x)."""

    def shape(op):
        return op.inputs[0].shape

    def forward(k, y, dy):
        return dy * (_scalar(y, 1) - y * y)

    def grad(op, g):
        y, dy = op.inputs
        one = _array.constant(1, dtype=y.dtype.base_dtype)
        two = _array.constant(-2, dtype=y.dtype.base_dtype)
        return [multiply(g, multiply(two, multiply(y, dy))), multiply(g, subtract(one, square(y)))]


@op_def
class Sigmoid:
    shape = _same_shape

    def forward(k, x):
        h = _scalar(x, 0.5)  # 0.5 * tanh(x / 2) + 0.5: no overflow for large |x|
        return h * k.xp.tanh(h * x) + h

    def grad(op, g):
        return make("SigmoidGrad", [op.outputs[0], g])


@op_def
class SigmoidGrad:
    """dy * y * (1 - y) for y = sigmoid(x)."""

    def shape(op):
        return op.inputs[0].shape

    def forward(k, y, dy):
        return dy * y * (_scalar(y, 1) - y)

    def grad(op, g):
        y, dy = op.inputs
        one = _array.constant(1, dtype=y.dtype.base_dtype)
        two = _array.constant(2, dtype=y.dtype.base_dtype)
        gy = multiply(g, multiply(dy, subtract(one, multiply(two, y))))
        return [gy, multiply(g, multiply(y, subtract(one, y)))]


@op_def
class Reciprocal:
    shape = _same_shape

    def forward(k, x):
        with np.errstate(divide="ignore"):
            return _scalar(x, 1) / x

    def grad(op, g):
        y = op.outputs[0]
        return negative(multiply(g, square(y)))


@op_def
class Sign:
    shape = _same_shape

    def forward(k, x):
        return k.xp.sign(x)

    def grad(op, g):
        return _array.zeros_like(op.inputs[0])


@op_def
class Floor:
    shape = _same_shape

    def forward(k, x):
        return k.xp.floor(x)
    # TF defines no gradient for Floor, Ceil and Round


@op_def
class Ceil:
    shape = _same_shape

    def forward(k, x):
        return k.xp.ceil(x)


@op_def
class Round:
    shape = _same_shape

    def forward(k, x):
        return k.xp.round(x)  # half to even, as TF does


@op_def
class Rint:
    shape = _same_shape

    def forward(k, x):
        return k.xp.rint(x)


@op_def
class IsNan:
    shape = _same_shape
    dtype = _bool_dtype

    def forward(k, x):
        return k.xp.isnan(x)


@op_def
class IsInf:
    shape = _same_shape
    dtype = _bool_dtype

    def forward(k, x):
        return k.xp.isinf(x)


@op_def
class IsFinite:
    shape = _same_shape
    dtype = _bool_dtype

    def forward(k, x):
        return k.xp.isfinite(x)


_SIGNED = (_dt.float16, _dt.float32, _dt.float64, _dt.int8, _dt.int16, _dt.int32, _dt.int64)


def negative(x, name=None) -> Tensor:
    """-x."""
    return _unary("Neg", x, name, _SIGNED)


def abs(x, name=None) -> Tensor:
    """|x|."""
    return _unary("Abs", x, name, _SIGNED)


def square(x, name=None) -> Tensor:
    """x * x."""
    return _unary("Square", x, name, _SIGNED)


def sqrt(x, name=None) -> Tensor:
    """Square root."""
    return _unary("Sqrt", x, name, _FLOATS)


def rsqrt(x, name=None) -> Tensor:
    """1 / sqrt(x)."""
    return _unary("Rsqrt", x, name, _FLOATS)


def exp(x, name=None) -> Tensor:
    """e^x."""
    return _unary("Exp", x, name, _FLOATS)


def expm1(x, name=None) -> Tensor:
    """e^x - 1."""
    return _unary("Expm1", x, name, _FLOATS)


def log(x, name=None) -> Tensor:
    """Natural logarithm."""
    return _unary("Log", x, name, _FLOATS)


def log1p(x, name=None) -> Tensor:
    """log(1 + x)."""
    return _unary("Log1p", x, name, _FLOATS)


def sin(x, name=None) -> Tensor:
    """Sine."""
    return _unary("Sin", x, name, _FLOATS)


def cos(x, name=None) -> Tensor:
    """Cosine."""
    return _unary("Cos", x, name, _FLOATS)


def tan(x, name=None) -> Tensor:
    """Tangent."""
    return _unary("Tan", x, name, _FLOATS)


def tanh(x, name=None) -> Tensor:
    """Hyperbolic tangent."""
    return _unary("Tanh", x, name, _FLOATS)


def sigmoid(x, name=None) -> Tensor:
    """1 / (1 + e^-x)."""
    return _unary("Sigmoid", x, name, _FLOATS)


def log_sigmoid(x, name=None) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), built as TF1 builds it from stable pieces."""
    x = convert_to_tensor(x)
    with x.graph.name_scope(name or "LogSigmoid"):
        # -log(1 + e^-x) = min(x, 0) - log(1 + e^-|x|)
        return subtract(minimum(x, zeros_of(x)), log1p(exp(negative(abs(x)))))


def reciprocal(x, name=None) -> Tensor:
    """1 / x."""
    return _unary("Reciprocal", x, name, _SIGNED)


def sign(x, name=None) -> Tensor:
    """-1, 0 or 1 elementwise."""
    return _unary("Sign", x, name, _SIGNED)


def floor(x, name=None) -> Tensor:
    """Largest integer not above x (floats)."""
    return _unary("Floor", x, name, _FLOATS)


def ceil(x, name=None) -> Tensor:
    """Smallest integer not below x (floats)."""
    return _unary("Ceil", x, name, _FLOATS)


def round(x, name=None) -> Tensor:
    """Rounds half to even; integers pass through unchanged."""
    x = convert_to_tensor(x)
    if x.dtype.base_dtype.is_integer:
        return x
    return _unary("Round", x, name, _FLOATS)


def rint(x, name=None) -> Tensor:
    """Rounds half to even (floats)."""
    return _unary("Rint", x, name, _FLOATS)


def is_nan(x, name=None) -> Tensor:
    """True where x is NaN."""
    return _unary("IsNan", x, name, _FLOATS)


def is_inf(x, name=None) -> Tensor:
    """True where x is +-inf."""
    return _unary("IsInf", x, name, _FLOATS)


def is_finite(x, name=None) -> Tensor:
    """True where x is neither NaN nor infinite."""
    return _unary("IsFinite", x, name, _FLOATS)


# --- comparisons and logic (not differentiable)

def _compare_op(type_name: str, fn):
    def forward(k, x, y):
        return fn(k.xp, x, y)
    return op_def(type(type_name, (), {"shape": _broadcast_shape, "dtype": _bool_dtype, "forward": forward}))


_compare_op("Equal", lambda xp, x, y: xp.equal(x, y))
_compare_op("NotEqual", lambda xp, x, y: xp.not_equal(x, y))
_compare_op("Less", lambda xp, x, y: xp.less(x, y))
_compare_op("LessEqual", lambda xp, x, y: xp.less_equal(x, y))
_compare_op("Greater", lambda xp, x, y: xp.greater(x, y))
_compare_op("GreaterEqual", lambda xp, x, y: xp.greater_equal(x, y))
_compare_op("LogicalAnd", lambda xp, x, y: xp.logical_and(x, y))
_compare_op("LogicalOr", lambda xp, x, y: xp.logical_or(x, y))


@op_def
class LogicalNot:
    shape = _same_shape
    dtype = _bool_dtype

    def forward(k, x):
        return k.xp.logical_not(x)


def equal(x, y, name=None) -> Tensor:
    """x == y elementwise."""
    return _binary("Equal", "Equal", x, y, name)


def not_equal(x, y, name=None) -> Tensor:
    """x != y elementwise."""
    return _binary("NotEqual", "NotEqual", x, y, name)


def less(x, y, name=None) -> Tensor:
    """x < y elementwise."""
    return _binary("Less", "Less", x, y, name)


def less_equal(x, y, name=None) -> Tensor:
    """x <= y elementwise."""
    return _binary("LessEqual", "LessEqual", x, y, name)


def greater(x, y, name=None) -> Tensor:
    """x > y elementwise."""
    return _binary("Greater", "Greater", x, y, name)


def greater_equal(x, y, name=None) -> Tensor:
    """x >= y elementwise."""
    return _binary("GreaterEqual", "GreaterEqual", x, y, name)


def _logical(op_type, x, y, name):
    x = convert_to_tensor(x, dtype=_dt.bool_)
    y = convert_to_tensor(y, dtype=_dt.bool_)
    _require_dtype(op_type, x, (_dt.bool_,))
    _require_dtype(op_type, y, (_dt.bool_,), "y")
    return make(op_type, [x, y], name=name or op_type)


def logical_and(x, y, name=None) -> Tensor:
    """x AND y (bool)."""
    return _logical("LogicalAnd", x, y, name)


def logical_or(x, y, name=None) -> Tensor:
    """x OR y (bool)."""
    return _logical("LogicalOr", x, y, name)


def logical_not(x, name=None) -> Tensor:
    """NOT x (bool)."""
    x = convert_to_tensor(x, dtype=_dt.bool_)
    _require_dtype("LogicalNot", x, (_dt.bool_,))
    return make("LogicalNot", [x], name=name or "LogicalNot")


def logical_xor(x, y, name="LogicalXor") -> Tensor:
    """x XOR y, built from and/or/not as TF1 does."""
    x = convert_to_tensor(x, dtype=_dt.bool_)
    with x.graph.name_scope(name or "LogicalXor") as scope:
        return logical_and(logical_or(x, y), logical_not(logical_and(x, y)), name=scope)


# --- select

@op_def
class Select:
    """TF1 `tf.where(c, x, y)`: x and y of one shape; c of that shape or a vector over the first dim."""

    def shape(op):
        c, x, y = op.inputs
        s = x.shape.merge_with(y.shape) if x.shape.is_compatible_with(y.shape) else None
        if s is None:
            raise ValueError(f"Dimensions must be equal, but are {_mismatch(x.shape, y.shape)} for "
                             f"'{op.name}' (op: 'Select') with input shapes: {c.shape.bracket()}, "
                             f"{x.shape.bracket()}, {y.shape.bracket()}.")
        if c.shape.dims is not None and s.dims is not None and len(c.shape.dims) != len(s.dims):
            if len(c.shape.dims) != 1:
                raise ValueError(f"Shape must be rank 1 but is rank {len(c.shape.dims)} for '{op.name}' (op: "
                                 f"'Select') with input shapes: {c.shape.bracket()}, {x.shape.bracket()}, "
                                 f"{y.shape.bracket()}.")
        elif c.shape.is_compatible_with(s):
            s = s.merge_with(c.shape)
        else:
            raise ValueError(f"Shapes must be equal rank, but are {c.shape.ndims} and {s.ndims} for "
                             f"'{op.name}' (op: 'Select')")
        return s

    def dtype(op):
        return op.inputs[1].dtype.base_dtype

    def forward(k, c, x, y):
        c = k.xp.asarray(c)
        if c.ndim == 1 and k.xp.ndim(x) > 1:
            c = c.reshape((-1,) + (1,) * (k.xp.ndim(x) - 1))
        elif c.shape != k.xp.shape(x):
            raise ValueError(f"'condition' has shape {list(c.shape)} but 'then' has shape "
                             f"{list(k.xp.shape(x))}")
        return k.xp.where(c, x, y)

    def grad(op, g):
        c = op.inputs[0]
        zeros = _array.zeros_like(g)
        return [None, make("Select", [c, g, zeros]), make("Select", [c, zeros, g])]


@op_def
class SelectV2:
    """`where_v2`: condition, x and y broadcast against each other."""

    def shape(op):
        c, x, y = op.inputs
        s = broadcast_shapes(x.shape, y.shape)
        s = broadcast_shapes(c.shape, s) if s is not None else None
        if s is None:
            raise ValueError(f"Dimensions must be equal, but are {_mismatch(x.shape, y.shape)} for "
                             f"'{op.name}' (op: 'SelectV2') with input shapes: {c.shape.bracket()}, "
                             f"{x.shape.bracket()}, {y.shape.bracket()}.")
        return s

    def dtype(op):
        return op.inputs[1].dtype.base_dtype

    def forward(k, c, x, y):
        return k.xp.where(c, x, y)

    def grad(op, g):
        c, x, y = op.inputs
        zeros = _array.zeros_like(g)
        return [None, reduce_to_shape(where_v2(c, g, zeros), x), reduce_to_shape(where_v2(c, zeros, g), y)]


@op_def
class Where:
    """The coordinates (int64, [num_true, rank]) of the true (non-zero) elements."""

    def shape(op):
        return TensorShape([None, op.inputs[0].shape.ndims])

    def dtype(op):
        return _dt.int64

    def forward(k, x):
        return k.xp.argwhere(x).astype(np.int64, copy=False)


def where(condition, x=None, y=None, name=None) -> Tensor:
    """TF1 `tf.where`: with x and y, picks elementwise (Select); alone, the coordinates of true elements."""
    condition = convert_to_tensor(condition)
    if x is None and y is None:
        return make("Where", [condition], name=name or "Where")
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    x, y = same_dtype_inputs("Select", x, y, ("t", "e"))
    return make("Select", [condition, x, y], name=name or "Select")


def where_v2(condition, x=None, y=None, name=None) -> Tensor:
    """`tf.where_v2`: like where, with condition, x and y broadcast together."""
    condition = convert_to_tensor(condition)
    if x is None and y is None:
        return make("Where", [condition], name=name or "Where")
    x, y = same_dtype_inputs("SelectV2", x, y, ("t", "e"))
    return make("SelectV2", [condition, x, y], name=name or "SelectV2")


# --- add_n

@op_def
class AddN:
    def shape(op):
        s = op.inputs[0].shape
        for t in op.inputs[1:]:
            if not s.is_compatible_with(t.shape):
                raise ValueError(f"Shapes must be equal rank, but are {s.ndims} and {t.shape.ndims} for "
                                 f"'{op.name}' (op: 'AddN') with input shapes: "
                                 + ", ".join(i.shape.bracket() for i in op.inputs) + ".")
            s = s.merge_with(t.shape)
        return s

    def forward(k, *xs):
        out = xs[0] + xs[1] if len(xs) > 1 else k.xp.array(xs[0], copy=True)
        for x in xs[2:]:
            out += x
        return out

    def grad(op, g):
        return [g] * len(op.inputs)


def add_n(inputs, name=None) -> Tensor:
    """Sum of a list of same-shaped tensors."""
    if not isinstance(inputs, list | tuple) or not inputs:
        raise ValueError("inputs must be a list of at least one Tensor with the same dtype and shape")
    inputs = [convert_to_tensor(x) for x in inputs]
    if len(inputs) == 1:
        return inputs[0] if name is None else make("Identity", inputs, name=name)
    d = inputs[0].dtype.base_dtype
    for t in inputs[1:]:
        if t.dtype.base_dtype is not d:
            raise TypeError(f"inputs must be a list of at least one Tensor with the same dtype and shape: "
                            f"{t.dtype.base_dtype.name} vs {d.name}")
    return make("AddN", inputs, name=name or "AddN")


# --- matmul

def _rank_error(op, rank_needed, a, b, bad_rank):
    return ValueError(f"Shape must be rank {rank_needed} but is rank {bad_rank} for '{op.name}' (op: "
                      f"'{op.type}') with input shapes: {a.shape.bracket()}, {b.shape.bracket()}.")


@op_def
class MatMul:
    attrs = {"transpose_a": False, "transpose_b": False}
    fresh = True

    def shape(op):
        a, b = op.inputs
        ta, tb = op.attrs["transpose_a"], op.attrs["transpose_b"]
        da = a.shape.dims if a.shape.dims is not None else (None, None)
        db = b.shape.dims if b.shape.dims is not None else (None, None)
        for d in (da, db):
            if len(d) != 2:
                raise _rank_error(op, 2, a, b, len(d))
        m, ka = da[::-1] if ta else da
        kb, n = db[::-1] if tb else db
        if ka is not None and kb is not None and ka != kb:
            raise ValueError(f"Dimensions must be equal, but are {ka} and {kb} for '{op.name}' (op: 'MatMul') "
                             f"with input shapes: {a.shape.bracket()}, {b.shape.bracket()}.")
        return TensorShape([m, n])

    def forward(k, a, b):
        return k.b.matmul(a, b, k.attrs["transpose_a"], k.attrs["transpose_b"])

    def grad(op, g):
        a, b = op.inputs
        ta, tb = op.attrs["transpose_a"], op.attrs["transpose_b"]
        if not ta and not tb:
            return [_mm(g, b, tb=True), _mm(a, g, ta=True)]
        if not ta and tb:
            return [_mm(g, b), _mm(g, a, ta=True)]
        if ta and not tb:
            return [_mm(b, g, tb=True), _mm(a, g)]
        return [_mm(b, g, ta=True, tb=True), _mm(g, a, ta=True, tb=True)]


def _mm(a, b, ta=False, tb=False):
    return make("MatMul", [a, b], name="MatMul", transpose_a=ta, transpose_b=tb)


@op_def
class BatchMatMulV2:
    """Matrix products over the last two dims; the leading (batch) dims broadcast."""
    attrs = {"adj_x": False, "adj_y": False}

    def shape(op):
        a, b = op.inputs
        if a.shape.dims is None or b.shape.dims is None:
            return TensorShape(None)
        for t in (a, b):
            if len(t.shape.dims) < 2:
                raise ValueError(f"Shape must be at least rank 2 but is rank {len(t.shape.dims)} for "
                                 f"'{op.name}' (op: 'BatchMatMulV2') with input shapes: {a.shape.bracket()}, "
                                 f"{b.shape.bracket()}.")
        da, db = a.shape.dims, b.shape.dims
        m, ka = da[-2:][::-1] if op.attrs["adj_x"] else da[-2:]
        kb, n = db[-2:][::-1] if op.attrs["adj_y"] else db[-2:]
        if ka is not None and kb is not None and ka != kb:
            raise ValueError(f"Dimensions must be equal, but are {ka} and {kb} for '{op.name}' (op: "
                             f"'BatchMatMulV2') with input shapes: {a.shape.bracket()}, {b.shape.bracket()}.")
        batch = broadcast_shapes(TensorShape(da[:-2]), TensorShape(db[:-2]))
        if batch is None:
            raise ValueError(f"In[0] and In[1] must have compatible batch dimensions: {a.shape.bracket()} vs. "
                             f"{b.shape.bracket()} for '{op.name}' (op: 'BatchMatMulV2')")
        return TensorShape(list(batch.dims) + [m, n])

    def forward(k, a, b):
        if k.attrs["adj_x"]:
            a = k.xp.swapaxes(a, -1, -2)
        if k.attrs["adj_y"]:
            b = k.xp.swapaxes(b, -1, -2)
        return k.xp.matmul(a, b)

    def grad(op, g):
        a, b = op.inputs
        ax, ay = op.attrs["adj_x"], op.attrs["adj_y"]
        if not ax and not ay:
            ga, gb = _bmm(g, b, False, True), _bmm(a, g, True, False)
        elif not ax and ay:
            ga, gb = _bmm(g, b, False, False), _bmm(g, a, True, False)
        elif ax and not ay:
            ga, gb = _bmm(b, g, False, True), _bmm(a, g, False, False)
        else:
            ga, gb = _bmm(b, g, True, True), _bmm(g, a, True, True)
        return [_reduce_batch(ga, a), _reduce_batch(gb, b)]


def _bmm(a, b, adj_x, adj_y):
    return make("BatchMatMulV2", [a, b], name="MatMul", adj_x=adj_x, adj_y=adj_y)


def _reduce_batch(grad, x):
    """Sums a batch-matmul gradient over the batch dims `x` was broadcast along."""
    return reduce_to_shape(grad, x)


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, name=None) -> Tensor:
    """Matrix product a @ b: MatMul for rank 2, BatchMatMulV2 (broadcast batch dims) above or when unknown."""
    a, b = same_dtype_inputs("MatMul", a, b, ("a", "b"))
    ta, tb = bool(transpose_a or adjoint_a), bool(transpose_b or adjoint_b)
    ra, rb = a.shape.ndims, b.shape.ndims
    if ra is None or rb is None or ra > 2 or rb > 2:
        return make("BatchMatMulV2", [a, b], name=name or "MatMul", adj_x=ta, adj_y=tb)
    return make("MatMul", [a, b], name=name or "MatMul", transpose_a=ta, transpose_b=tb)


def tensordot(a, b, axes, name=None) -> Tensor:
    """Sums products over `axes` (an int N: last N of a with first N of b; or two lists of axes)."""
    a = convert_to_tensor(a)
    b = convert_to_tensor(b, dtype=a.dtype.base_dtype)
    with a.graph.name_scope(name or "Tensordot") as scope:
        ra, rb = a.shape.ndims, b.shape.ndims
        if ra is None or rb is None:
            raise ValueError("tensordot needs inputs of known rank")
        if isinstance(axes, int):
            if axes < 0:
                raise ValueError(f"'axes' must be at least 0, got {axes}.")
            axes_a, axes_b = list(builtins.range(ra - axes, ra)), list(builtins.range(axes))
        else:
            if len(axes) != 2:
                raise ValueError(f"'axes' must be an integer or have length 2, got {axes!r}.")
            axes_a, axes_b = axes
            axes_a = [axes_a] if isinstance(axes_a, int) else list(axes_a)
            axes_b = [axes_b] if isinstance(axes_b, int) else list(axes_b)
            if len(axes_a) != len(axes_b):
                raise ValueError(f"Different number of contraction axes 'a' and 'b', {len(axes_a)} != "
                                 f"{len(axes_b)}.")
        axes_a = [i % ra for i in axes_a]
        axes_b = [i % rb for i in axes_b]
        free_a = [i for i in builtins.range(ra) if i not in axes_a]
        free_b = [i for i in builtins.range(rb) if i not in axes_b]
        a2, free_dims_a = _tensordot_reshape(a, free_a, axes_a, contract_last=True)
        b2, free_dims_b = _tensordot_reshape(b, free_b, axes_b, contract_last=False)
        prod = make("MatMul", [a2, b2], name="MatMul")
        dims = free_dims_a + free_dims_b
        if all(isinstance(d, int) for d in dims):
            return _array.reshape(prod, dims, name=scope)
        return _array.reshape(prod, _array.stack(dims), name=scope)


def _tensordot_reshape(t: Tensor, free: list, contracted: list, contract_last: bool):
    """t transposed and reshaped to a matrix [free, contracted] (or [contracted, free]); also the free dims
    (ints, or scalar tensors where unknown statically)."""
    perm = free + contracted if contract_last else contracted + free
    dims = list(t.shape.dims)
    if perm != list(builtins.range(len(perm))):
        t = _array.transpose(t, perm)
    shape_t = None
    free_dims: list = []
    for i in free:
        if dims[i] is None:
            shape_t = shape_t if shape_t is not None else _array.shape(t)
            free_dims.append(_array.gather(shape_t, perm.index(i)))
        else:
            free_dims.append(dims[i])
    con = [dims[i] for i in contracted]
    if None in con:
        shape_t = shape_t if shape_t is not None else _array.shape(t)
        k_t = reduce_prod(_array.gather(shape_t, [perm.index(i) for i in contracted]))
        minus_one = _array.constant(-1, dtype=_dt.int32)
        target = _array.stack([minus_one, k_t] if contract_last else [k_t, minus_one])
        return _array.reshape(t, target), free_dims
    k = int(np.prod(con)) if con else 1
    return _array.reshape(t, [-1, k] if contract_last else [k, -1]), free_dims


# --- reductions

def _reduce_shape(op) -> TensorShape:
    x, axes_t = op.inputs
    keep = op.attrs["keep_dims"]
    if x.shape.dims is None:
        return TensorShape(None)
    rank = len(x.shape.dims)
    value = _const_value(axes_t)
    if value is None:
        return TensorShape([None] * rank) if keep else TensorShape(None)
    axes = set()
    for a in value.reshape(-1):
        a = int(a)
        if not -rank <= a < max(rank, 1):
            raise ValueError(f"Invalid reduction dimension {a} for input with {rank} dimensions. for "
                             f"'{op.name}' (op: '{op.type}') with input shapes: {x.shape.bracket()}, "
                             f"{axes_t.shape.bracket()} and with computed input tensors: input[1] = <{a}>.")
        axes.add(a % rank if rank else 0)
    if keep:
        return TensorShape([1 if i in axes else d for i, d in enumerate(x.shape.dims)])
    return TensorShape([d for i, d in enumerate(x.shape.dims) if i not in axes])


def _axes(a):
    return tuple(int(i) for i in np.asarray(a.get() if hasattr(a, "get") and not isinstance(a, np.ndarray)
                                            else a).reshape(-1))


def _kernel_axes(k, x, axes):
    """The reduction axes as a tuple, cached when the axes are a constant."""
    cached = k.cache.get("axes")
    if cached is not None:
        return cached
    ax = tuple(a % x.ndim if x.ndim else 0 for a in _axes(axes))
    if k.op.inputs[1].op.type == "Const":
        k.cache["axes"] = ax
    return ax


def _reduction(type_name: str, reducer, grad=None):
    def forward(k, x, axes):
        x = k.xp.asarray(x)
        return reducer(k.xp, x, _kernel_axes(k, x, axes), k.attrs["keep_dims"])
    body = {"attrs": {"keep_dims": False}, "shape": _reduce_shape, "forward": forward}
    if grad is not None:
        body["grad"] = grad
    if type_name in ("Any", "All"):
        body["dtype"] = _bool_dtype
    return op_def(type(type_name, (), body))


def _keep_shape_of(op, g):
    """g reshaped to the input's rank with the reduced axes as 1 (a no-op when keep_dims)."""
    if op.attrs["keep_dims"]:
        return g
    return _array.reshape(g, _kept_dims_shape(op))


def _sum_grad(op, g):
    return [_broadcast_to_like(_keep_shape_of(op, g), op.inputs[0]), None]


def _mean_grad(op, g):
    x = op.inputs[0]
    y = op.outputs[0]
    n_in, n_out = x.shape.num_elements(), y.shape.num_elements()
    if n_in is not None and n_out is not None:
        count = _array.constant(n_in // builtins.max(n_out, 1), dtype=g.dtype.base_dtype)
    else:
        size_in = cast(_array.size(x), g.dtype.base_dtype)
        size_out = cast(maximum(_array.size(y), 1), g.dtype.base_dtype)
        count = realdiv(size_in, size_out)
    return [realdiv(_broadcast_to_like(_keep_shape_of(op, g), x), count), None]


def _min_max_grad(op, g):
    """Splits g evenly among the elements equal to the max (min), as TF does."""
    x = op.inputs[0]
    y = _keep_shape_of(op, op.outputs[0])
    g = _keep_shape_of(op, g)
    hits = cast(equal(y, x), g.dtype.base_dtype)
    count = make("Sum", [hits, op.inputs[1]], name="Sum", keep_dims=True)
    return [multiply(realdiv(hits, count), g), None]


def _prod_grad(op, g):
    x = op.inputs[0]
    g = _broadcast_to_like(_keep_shape_of(op, g), x)
    return [multiply(g, make("ProdOfOthers", [x, op.inputs[1]], name="ProdOfOthers")), None]


def _reduce_max(xp, x, ax, keep):
    if x.size == 0 and any(x.shape[a] == 0 for a in ax):
        fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
        return xp.full(_reduced_dims(x.shape, ax, keep), fill, dtype=x.dtype)
    return xp.amax(x, axis=ax, keepdims=keep)


def _reduce_min(xp, x, ax, keep):
    if x.size == 0 and any(x.shape[a] == 0 for a in ax):
        fill = np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).max
        return xp.full(_reduced_dims(x.shape, ax, keep), fill, dtype=x.dtype)
    return xp.amin(x, axis=ax, keepdims=keep)


def _reduced_dims(shape, ax, keep):
    return tuple(1 if i in ax else d for i, d in enumerate(shape)) if keep else \
        tuple(d for i, d in enumerate(shape) if i not in ax)


def _reduce_sum(xp, x, ax, keep):
    lead = len(ax)
    if (x.ndim > lead and tuple(ax) == tuple(range(lead)) and x.size >= 65536 and x.flags.c_contiguous
            and x.dtype.kind == "f"):
        # A bias gradient: summing rows of a narrow (R, C) matrix runs NumPy's inner loop C elements at a
        # time. Summing (R/k, k*C) first and then the k partial rows is ~3x faster (and rounds no worse).
        cols = int(np.prod(x.shape[lead:]))
        rows = x.size // cols
        k = 1
        while rows % (2 * k) == 0 and 2 * k * cols <= 4096:
            k *= 2
        if k > 1:
            partial = x.reshape(rows // k, k * cols).sum(axis=0, dtype=x.dtype)
            total = partial.reshape((k,) + x.shape[lead:]).sum(axis=0, dtype=x.dtype)
            return total.reshape((1,) * lead + total.shape) if keep else total
    return x.sum(axis=ax, keepdims=keep, dtype=x.dtype)  # the method: np.sum's Python wrapper costs ~1.3 us


_reduction("Sum", _reduce_sum, _sum_grad)
def _reduce_mean(xp, x, ax, keep):
    if x.dtype.kind != "f" or not x.size:
        return xp.mean(x, axis=ax, keepdims=keep, dtype=x.dtype)
    total = _reduce_sum(xp, x, ax, keep)  # sum, then divide, as np.mean does (without its Python wrapper)
    return total / x.dtype.type(x.size // max(total.size, 1))


_reduction("Mean", _reduce_mean, _mean_grad)
_reduction("Max", _reduce_max, _min_max_grad)
_reduction("Min", _reduce_min, _min_max_grad)
_reduction("Prod", lambda xp, x, ax, keep: xp.prod(x, axis=ax, keepdims=keep, dtype=x.dtype), _prod_grad)
_reduction("Any", lambda xp, x, ax, keep: xp.any(x, axis=ax, keepdims=keep))
_reduction("All", lambda xp, x, ax, keep: xp.all(x, axis=ax, keepdims=keep))


@op_def
class ProdOfOthers:
    """Internal (Prod's gradient): for each element, the product of the other elements reduced with it.
    Exclusive cumulative products from both sides, so zeros in the input are handled exactly."""

    def shape(op):
        return op.inputs[0].shape

    def forward(k, x, axes):
        xp = k.xp
        x = xp.asarray(x)
        ax = sorted({a % x.ndim for a in _axes(axes)}) if x.ndim else []
        keep = [i for i in builtins.range(x.ndim) if i not in ax]
        perm = keep + ax
        xt = xp.transpose(x, perm)
        n_keep = int(np.prod([x.shape[i] for i in keep])) if keep else 1
        flat = xt.reshape(n_keep, -1)
        one = xp.ones((n_keep, 1), dtype=x.dtype)
        left = xp.cumprod(xp.concatenate([one, flat[:, :-1]], axis=1), axis=1)
        right = xp.cumprod(xp.concatenate([one, flat[:, :0:-1]], axis=1), axis=1)[:, ::-1]
        out = (left * right).reshape(xt.shape)
        return xp.transpose(out, np.argsort(perm))


def _kept_dims_shape(op):
    """The reduced shape with reduced axes kept as 1 (static when known, else computed at run time)."""
    x, axes_t = op.inputs
    value = _const_value(axes_t)
    if x.shape.dims is not None and value is not None:
        rank = len(x.shape.dims)
        axes = {int(a) % rank if rank else 0 for a in value.reshape(-1)}
        dims = [1 if i in axes else d for i, d in enumerate(x.shape.dims)]
        if dims.count(None) <= 1:
            return [-1 if d is None else d for d in dims]
    return make("ReducedShape", [_array.shape(x), axes_t])


@op_def
class ReducedShape:
    def shape(op):
        return op.inputs[0].shape

    def dtype(op):
        return _dt.int32

    def forward(k, s, axes):
        s = np.array(s, dtype=np.int32)
        if len(s):
            s[[a % len(s) for a in _axes(axes)]] = 1
        return s


@op_def
class BroadcastToLike:
    """Internal: broadcasts a reduced gradient back to the input's run-time shape."""
    reads_shape_only = (1,)

    def shape(op):
        return op.inputs[1].shape

    def dtype(op):
        return op.inputs[0].dtype.base_dtype

    def forward(k, g, like):
        return k.xp.broadcast_to(g, k.xp.shape(like))

    def grad(op, g):
        return [reduce_to_shape(g, op.inputs[0]), None]


def _broadcast_to_like(g, x):
    if g.shape.is_fully_defined() and g.shape == x.shape:
        return g
    return make("BroadcastToLike", [g, x], name="BroadcastToLike")


@op_def
class SumToShapeOf:
    """Internal: the adjoint of broadcasting when static shapes can't say which axes broadcast."""
    reads_shape_only = (1,)

    def shape(op):
        return op.inputs[1].shape

    def dtype(op):
        return op.inputs[0].dtype.base_dtype

    def forward(k, g, like):
        g = k.xp.asarray(g)
        like_shape = k.xp.shape(like)
        lead = g.ndim - len(like_shape)
        axes = tuple(builtins.range(lead)) + tuple(lead + i for i, d in enumerate(like_shape)
                                                   if d == 1 and g.shape[lead + i] != 1)
        out = k.xp.sum(g, axis=axes, keepdims=True) if axes else g
        return out.reshape(like_shape)

    def grad(op, g):
        return [_broadcast_to_like(g, op.inputs[0]), None]


def _sum_to_shape_of(g, x):
    return make("SumToShapeOf", [g, x], name="SumToShapeOf")


@op_def
class AllAxes:
    """Internal: [0, 1, ..., rank-1] of a tensor whose rank is unknown until run time."""

    def shape(op):
        return TensorShape([None])

    def dtype(op):
        return _dt.int32

    def forward(k, x):
        return np.arange(np.ndim(x), dtype=np.int32)


def _axis_tensor(x: Tensor, axis):
    if axis is None:
        rank = x.shape.ndims
        if rank is None:
            return make("AllAxes", [x], name="AllAxes")
        axis = list(builtins.range(rank))
    if isinstance(axis, Tensor):
        return axis
    return convert_to_tensor(axis, dtype=_dt.int32, name="Const")


def _reduce(op_type: str, input_tensor, axis, keepdims, name, reduction_indices, keep_dims, allowed=None):
    x = convert_to_tensor(input_tensor)
    if allowed is not None:
        _require_dtype(op_type, x, allowed, "input")
    if axis is not None and reduction_indices is not None:
        raise ValueError("Cannot specify both 'axis' and 'reduction_indices'")
    if keepdims is not None and keep_dims is not None:
        raise ValueError("Cannot specify both 'keepdims' and 'keep_dims'")
    axis = reduction_indices if axis is None else axis
    keep = bool(keepdims if keepdims is not None else keep_dims)
    return make(op_type, [x, _axis_tensor(x, axis)], name=name or op_type, keep_dims=keep)


_NUMERIC = _SIGNED + (_dt.uint8,)


def reduce_sum(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None) -> Tensor:
    """Sum over `axis` (all axes when None)."""
    return _reduce("Sum", input_tensor, axis, keepdims, name, reduction_indices, keep_dims, _NUMERIC)


def reduce_mean(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
                keep_dims=None) -> Tensor:
    """Mean over `axis` (integer inputs give a truncated integer mean, as in TF)."""
    return _reduce("Mean", input_tensor, axis, keepdims, name, reduction_indices, keep_dims, _NUMERIC)


def reduce_max(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None) -> Tensor:
    """Maximum over `axis`."""
    return _reduce("Max", input_tensor, axis, keepdims, name, reduction_indices, keep_dims, _NUMERIC)


def reduce_min(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None) -> Tensor:
    """Minimum over `axis`."""
    return _reduce("Min", input_tensor, axis, keepdims, name, reduction_indices, keep_dims, _NUMERIC)


def reduce_prod(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
                keep_dims=None) -> Tensor:
    """Product over `axis`."""
    return _reduce("Prod", input_tensor, axis, keepdims, name, reduction_indices, keep_dims, _NUMERIC)


def reduce_any(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None) -> Tensor:
    """Logical OR over `axis` (bool)."""
    return _reduce("Any", input_tensor, axis, keepdims, name, reduction_indices, keep_dims, (_dt.bool_,))


def reduce_all(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None) -> Tensor:
    """Logical AND over `axis` (bool)."""
    return _reduce("All", input_tensor, axis, keepdims, name, reduction_indices, keep_dims, (_dt.bool_,))


def reduce_logsumexp(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
                     keep_dims=None) -> Tensor:
    """log(sum(exp(x))) over `axis`, computed stably around the max."""
    x = convert_to_tensor(input_tensor)
    keep = bool(keepdims if keepdims is not None else keep_dims)
    axis = reduction_indices if axis is None else axis
    with x.graph.name_scope(name or "ReduceLogSumExp"):
        m = _array.stop_gradient(reduce_max(x, axis, keepdims=True))
        s = reduce_sum(exp(subtract(x, m)), axis, keepdims=True)
        out = add(log(s), m)
        if not keep:
            out = _array.reshape(out, _array.shape(reduce_sum(x, axis)))
        return out


# --- argmax / argmin

def _arg_shape(op) -> TensorShape:
    x, dim = op.inputs
    if x.shape.dims is None:
        return TensorShape(None)
    rank = len(x.shape.dims)
    value = _const_value(dim)
    if value is None:
        return TensorShape([None] * (rank - 1))
    a = int(value.reshape(-1)[0])
    if not -rank <= a < rank:
        raise ValueError(f"Expected dimension in the range [{-rank}, {rank}), but got {a} for '{op.name}' (op: "
                         f"'{op.type}') with input shapes: {x.shape.bracket()}, [] and with computed input "
                         f"tensors: input[1] = <{a}>.")
    a %= rank
    return TensorShape([d for i, d in enumerate(x.shape.dims) if i != a])


def _arg_op(type_name: str, fn):
    def forward(k, x, dim):
        return fn(k.xp, x, int(_axes(dim)[0])).astype(k.attrs["output_type"].as_numpy_dtype, copy=False)
    return op_def(type(type_name, (), {"attrs": {"output_type": _dt.int64}, "shape": _arg_shape,
                                       "dtype": lambda op: op.attrs["output_type"], "forward": forward}))


_arg_op("ArgMax", lambda xp, x, a: xp.argmax(x, axis=a))
_arg_op("ArgMin", lambda xp, x, a: xp.argmin(x, axis=a))


def _arg(op_type, input, axis, name, dimension, output_type):
    if axis is not None and dimension is not None:
        raise ValueError("Cannot specify both 'axis' and 'dimension'")
    axis = dimension if axis is None else axis
    axis = 0 if axis is None else axis
    x = convert_to_tensor(input)
    return make(op_type, [x, convert_to_tensor(axis, dtype=_dt.int32)], name=name or op_type,
                output_type=_dt.as_dtype(output_type))


def argmax(input, axis=None, name=None, dimension=None, output_type=_dt.int64) -> Tensor:
    """Index of the largest value along `axis` (default 0)."""
    return _arg("ArgMax", input, axis, name, dimension, output_type)


def argmin(input, axis=None, name=None, dimension=None, output_type=_dt.int64) -> Tensor:
    """Index of the smallest value along `axis` (default 0)."""
    return _arg("ArgMin", input, axis, name, dimension, output_type)


# --- cumulative sum

@op_def
class Cumsum:
    attrs = {"exclusive": False, "reverse": False}

    def shape(op):
        return op.inputs[0].shape

    def forward(k, x, axis):
        xp = k.xp
        a = int(_axes(axis)[0])
        if k.attrs["reverse"]:
            x = xp.flip(x, axis=a)
        out = xp.cumsum(x, axis=a, dtype=x.dtype)
        if k.attrs["exclusive"]:
            out = out - x
        return xp.flip(out, axis=a) if k.attrs["reverse"] else out

    def grad(op, g):
        return [cumsum(g, op.inputs[1], exclusive=op.attrs["exclusive"], reverse=not op.attrs["reverse"]), None]


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None) -> Tensor:
    """Running sum along `axis` (exclusive: shifted by one; reverse: from the end)."""
    return _cumulative("Cumsum", x, axis, exclusive, reverse, name)


def _cumulative(op_type: str, x, axis, exclusive, reverse, name) -> Tensor:
    return make(op_type, [convert_to_tensor(x), convert_to_tensor(axis, dtype=_dt.int32)], name=name or op_type,
                exclusive=bool(exclusive), reverse=bool(reverse))


# --- casts

@op_def
class Cast:
    attrs = {"DstT": _dt.float32, "Truncate": False}

    def shape(op):
        return op.inputs[0].shape

    def dtype(op):
        return op.attrs["DstT"]

    def forward(k, x):
        return k.xp.asarray(x).astype(k.attrs["DstT"].as_numpy_dtype, copy=False)

    def grad(op, g):
        src = op.inputs[0].dtype.base_dtype
        return cast(g, src) if src.is_floating and op.attrs["DstT"].is_floating else None


def cast(x, dtype, name=None) -> Tensor:
    """`tf.cast`: converts elements to `dtype` (floats to ints truncate toward zero)."""
    x = convert_to_tensor(x)
    dtype = _dt.as_dtype(dtype).base_dtype
    if x.dtype.base_dtype is dtype:
        return x
    if dtype is _dt.string or x.dtype.base_dtype is _dt.string:
        raise TypeError(f"Cast from {x.dtype.base_dtype.name} to {dtype.name} is not supported")
    return make("Cast", [x], name=name or "Cast", DstT=dtype)


def saturate_cast(value, dtype, name=None) -> Tensor:
    """Casts, clamping values to the target dtype's range first."""
    x = convert_to_tensor(value)
    dtype = _dt.as_dtype(dtype).base_dtype
    with x.graph.name_scope(name or "saturate_cast"):
        if not dtype.is_floating and not dtype.is_bool:
            lo, hi = np.iinfo(dtype.as_numpy_dtype).min, np.iinfo(dtype.as_numpy_dtype).max
            src = x.dtype.base_dtype
            if src.is_floating or (src.is_integer and np.iinfo(src.as_numpy_dtype).max > hi):
                x = minimum(x, _array.constant(hi, dtype=src) if not src.is_floating else float(hi))
            if src.is_floating or (src.is_integer and np.iinfo(src.as_numpy_dtype).min < lo):
                x = maximum(x, _array.constant(lo, dtype=src) if not src.is_floating else float(lo))
        return cast(x, dtype)


def to_float(x, name="ToFloat") -> Tensor:
    """Cast to float32."""
    return cast(x, _dt.float32, name=name)


def to_double(x, name="ToDouble") -> Tensor:
    """Cast to float64."""
    return cast(x, _dt.float64, name=name)


def to_int32(x, name="ToInt32") -> Tensor:
    """Cast to int32."""
    return cast(x, _dt.int32, name=name)


def to_int64(x, name="ToInt64") -> Tensor:
    """Cast to int64."""
    return cast(x, _dt.int64, name=name)


# --- composites

def clip_by_value(t, clip_value_min, clip_value_max, name=None) -> Tensor:
    """min(max(t, lo), hi), built as TF1 does: Minimum then Maximum under a "clip_by_value" scope."""
    t = convert_to_tensor(t)
    with t.graph.name_scope(name or "clip_by_value") as scope:
        t_min = minimum(t, clip_value_max)
        return maximum(t_min, clip_value_min, name=scope)


def count_nonzero(input_tensor, axis=None, keepdims=None, dtype=_dt.int64, name=None, reduction_indices=None,
                  keep_dims=None) -> Tensor:
    """The number of non-zero elements along `axis` (int64 by default)."""
    x = convert_to_tensor(input_tensor)
    with x.graph.name_scope(name or "count_nonzero"):
        zero = _array.constant(0 if x.dtype.base_dtype is not _dt.bool_ else False, dtype=x.dtype.base_dtype)
        nonzero = cast(not_equal(x, zero), _dt.int64)
        total = reduce_sum(nonzero, axis=axis, keepdims=keepdims, reduction_indices=reduction_indices,
                           keep_dims=keep_dims)
        return cast(total, dtype)


# --- cumulative product

def _shift_exclusive(xp, out, a: int, fill):
    """`out` moved one step along axis `a`, `fill` entering at the front (the exclusive form of a scan)."""
    res = xp.empty_like(out)
    head = [builtins.slice(None)] * out.ndim
    head[a] = builtins.slice(0, 1)
    res[tuple(head)] = fill
    dst, src = list(head), list(head)
    dst[a], src[a] = builtins.slice(1, None), builtins.slice(0, -1)
    res[tuple(dst)] = out[tuple(src)]
    return res


@op_def
class Cumprod:
    attrs = {"exclusive": False, "reverse": False}

    def shape(op):
        return op.inputs[0].shape

    def forward(k, x, axis):
        xp = k.xp
        a = int(_axes(axis)[0]) % builtins.max(x.ndim, 1)
        if k.attrs["reverse"]:
            x = xp.flip(x, axis=a)
        out = xp.cumprod(x, axis=a, dtype=x.dtype)
        if k.attrs["exclusive"]:
            out = _shift_exclusive(xp, out, a, 1)
        return xp.flip(out, axis=a) if k.attrs["reverse"] else out

    def grad(op, g):
        # d/dx_i of sum_j g_j prod_j = (sum over the products that include x_i, weighted by g) / x_i
        x, axis = op.inputs
        ex, rev = op.attrs["exclusive"], op.attrs["reverse"]
        prod = op.outputs[0]
        return [realdiv(cumsum(multiply(prod, g), axis, exclusive=ex, reverse=not rev), x), None]


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None) -> Tensor:
    """Running product along `axis` (exclusive: shifted by one; reverse: from the end)."""
    return _cumulative("Cumprod", x, axis, exclusive, reverse, name)


# --- linspace

@op_def
class LinSpace:
    """`num` evenly spaced values from `start` to `stop`, both included."""

    def shape(op):
        for t in op.inputs:
            if t.shape.dims is not None and len(t.shape.dims) != 0:
                raise ValueError(f"Shape must be rank 0 but is rank {len(t.shape.dims)} for '{op.name}' (op: "
                                 f"'LinSpace') with input shapes: "
                                 + ", ".join(i.shape.bracket() for i in op.inputs) + ".")
        value = _const_value(op.inputs[2])
        if value is None:
            return TensorShape([None])
        n = int(value.reshape(-1)[0])
        if n <= 0:
            raise ValueError(f"Requires num > 0: {n} for '{op.name}' (op: 'LinSpace')")
        return TensorShape([n])

    def forward(k, start, stop, num):
        xp = k.xp
        n = int(_axes(num)[0])
        if n <= 0:
            raise ValueError(f"Requires num > 0: {n}")
        start, stop = xp.asarray(start), xp.asarray(stop)
        dt = start.dtype
        steps = xp.arange(n, dtype=dt) / dt.type(builtins.max(n - 1, 1))
        out = (start + (stop - start) * steps).astype(dt, copy=False)
        if n > 1:
            out[-1] = stop  # the end point exactly, as TF gives it
        return out


def linspace(start, stop, num, name=None) -> Tensor:
    """`num` evenly spaced values in [start, stop] (float32/float64), both ends included."""
    g = get_default_graph()
    with g.name_scope(name or "LinSpace") as scope:
        start_t = convert_to_tensor(start, name="start")
        stop_t = convert_to_tensor(stop, dtype=start_t.dtype.base_dtype, name="stop") \
            if not isinstance(stop, Tensor) else stop
        _require_dtype("LinSpace", start_t, (_dt.float32, _dt.float64), "start")
        if stop_t.dtype.base_dtype is not start_t.dtype.base_dtype:
            raise TypeError(f"Input 'stop' of 'LinSpace' Op has type {stop_t.dtype.base_dtype.name} that does not "
                            f"match type {start_t.dtype.base_dtype.name} of argument 'start'.")
        num_t = num if isinstance(num, Tensor) else convert_to_tensor(num, dtype=_dt.int32, name="num")
        if not num_t.dtype.base_dtype.is_integer:
            raise TypeError(f"Value passed to parameter 'num' has DataType {num_t.dtype.base_dtype.name} not in "
                            "list of allowed values: int32, int64")
        return make("LinSpace", [start_t, stop_t, num_t], name=scope)


lin_space = linspace


# --- einsum

def _einsum_tokens(sub: str, equation: str) -> list:
    """'ab...c' -> ['a', 'b', '...', 'c']."""
    out: list = []
    i = 0
    while i < len(sub):
        if sub.startswith("...", i):
            out.append("...")
            i += 3
        elif sub[i].isalpha():
            out.append(sub[i])
            i += 1
        else:
            raise ValueError(f"Invalid character {sub[i]!r} in einsum equation {equation!r}")
    if out.count("...") > 1:
        raise ValueError(f"Einsum subscripts may contain at most one ellipsis ('...'), got {equation!r}")
    return out


def _parse_einsum(equation: str, n: int) -> tuple:
    """(subscripts of each input, output subscripts) as token lists; implicit output as NumPy forms it."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    ins = [_einsum_tokens(s, equation) for s in lhs.split(",")]
    if len(ins) != n:
        raise ValueError(f"Einsum equation {equation!r} names {len(ins)} inputs, but {n} were given")
    has_ellipsis = any("..." in s for s in ins)
    if arrow:
        out = _einsum_tokens(rhs, equation)
        for t in out:
            if t == "..." and not has_ellipsis:
                raise ValueError(f"Einsum output has an ellipsis but no input has one: {equation!r}")
            if t != "..." and not any(t in s for s in ins):
                raise ValueError(f"Einsum output subscript {t!r} does not appear in the inputs of {equation!r}")
            if out.count(t) > 1:
                raise ValueError(f"Einsum output subscript {t!r} appears more than once in {equation!r}")
    else:
        counts: dict = {}
        for s in ins:
            for t in s:
                if t != "...":
                    counts[t] = counts.get(t, 0) + 1
        out = (["..."] if has_ellipsis else []) + sorted(t for t, c in counts.items() if c == 1)
    return ins, out


def _einsum_error(op, msg: str) -> ValueError:
    shapes = ", ".join(t.shape.bracket() for t in op.inputs)
    return ValueError(f"{msg} for '{op.name}' (op: 'Einsum') with input shapes: {shapes}.")


def _ellipsis_rank(t: Tensor, sub: list):
    """How many dims `t`'s ellipsis stands for (None when its rank is unknown; 0 without an ellipsis)."""
    if "..." not in sub:
        return 0
    return None if t.shape.ndims is None else t.shape.ndims - (len(sub) - 1)


@op_def
class Einsum:
    """Sums of products over the subscripts of `equation` (NumPy's einsum rules, ellipsis included)."""
    attrs = {"equation": "", "N": 1}

    def shape(op):
        ins, out = _parse_einsum(op.attrs["equation"], len(op.inputs))
        labels: dict = {}
        ellipsis = TensorShape([])
        for i, (t, sub) in enumerate(zip(op.inputs, ins)):
            dims = t.shape.dims
            letters = [s for s in sub if s != "..."]
            if dims is None:
                if "..." in sub:
                    ellipsis = None
                continue
            if len(dims) < len(letters) or ("..." not in sub and len(dims) != len(letters)):
                raise _einsum_error(op, f"Input {i} has rank {len(dims)} but its subscripts {''.join(sub)!r} name "
                                        f"{len(letters)} dimensions")
            labeled = list(dims)
            if "..." in sub:
                p, n_ell = sub.index("..."), len(dims) - len(letters)
                labeled = list(dims[:p]) + list(dims[p + n_ell:])
                if ellipsis is not None:
                    ellipsis = broadcast_shapes(ellipsis, TensorShape(dims[p:p + n_ell]))
                    if ellipsis is None:
                        raise _einsum_error(op, "The dimensions under the ellipsis ('...') do not broadcast")
            for c, d in zip(letters, labeled):
                prev = labels.get(c)
                if prev is not None and d is not None and prev != d:
                    raise _einsum_error(op, f"Dimensions for subscript '{c}' must be equal, but are {prev} and {d}")
                labels[c] = d if prev is None else prev
        dims_out: list = []
        for t in out:
            if t == "...":
                if ellipsis is None or ellipsis.dims is None:
                    return TensorShape(None)
                dims_out.extend(ellipsis.dims)
            else:
                dims_out.append(labels.get(t))
        return TensorShape(dims_out)

    def forward(k, *xs):
        return k.xp.einsum(k.attrs["equation"], *xs, optimize=len(xs) > 1)

    def grad(op, g):
        eq = op.attrs["equation"]
        ins, out = _parse_einsum(eq, len(op.inputs))
        xs = list(op.inputs)
        ell_ranks = [_ellipsis_rank(x, s) for x, s in zip(xs, ins)]
        grads = []
        for i, (x, sub) in enumerate(zip(xs, ins)):
            letters = [t for t in sub if t != "..."]
            if len(set(letters)) != len(letters):
                raise ValueError(f"tlboard's einsum has no gradient for {eq!r}: input {i} repeats a subscript "
                                 "(a diagonal); take the diagonal with tf.matrix_diag_part first")
            if "..." in sub and sub.index("...") > 0 and (
                    None in ell_ranks or ell_ranks[i] != builtins.max(ell_ranks)):
                raise ValueError(f"tlboard's einsum has no gradient for {eq!r}: input {i} has subscripts before "
                                 "its ellipsis and its ellipsis may broadcast against the others")
            operands = [g] + [xs[j] for j in builtins.range(len(xs)) if j != i]
            subs = [out] + [ins[j] for j in builtins.range(len(xs)) if j != i]
            present = {t for s in subs for t in s}
            if any(t not in present for t in sub):
                # indices summed in this input alone: ones of its shape carry them into the gradient
                operands.append(_array.ones_like(x))
                subs.append(sub)
            grad_eq = ",".join("".join(s) for s in subs) + "->" + "".join(sub)
            gi = make("Einsum", operands, name="Einsum", equation=grad_eq, N=len(operands))
            if "..." in sub:  # the ellipsis may have broadcast: sum back to x's shape
                static = x.shape.is_fully_defined() and gi.shape.is_fully_defined()
                gi = reduce_to_shape(gi, x) if static else _sum_to_shape_of(gi, x)
            grads.append(gi)
        return grads


def einsum(equation, *inputs, **kwargs) -> Tensor:
    """Sums of products of `inputs` over the subscripts of `equation`, e.g. 'ij,jk->ik' (NumPy's rules)."""
    name = kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"invalid keyword arguments for this function: {', '.join(sorted(kwargs))}")
    if not inputs:
        raise ValueError("einsum needs at least one input tensor")
    first = convert_to_tensor(inputs[0])
    d = first.dtype.base_dtype
    tensors = [first] + [v if isinstance(v, Tensor) else convert_to_tensor(v, dtype=d) for v in inputs[1:]]
    tensors = [convert_to_tensor(t) for t in tensors]
    for t in tensors[1:]:
        if t.dtype.base_dtype is not d:
            raise TypeError(f"Input tensors of 'Einsum' Op have types [{d.name}, {t.dtype.base_dtype.name}] that "
                            "don't all match.")
    equation = equation.replace(" ", "")
    _parse_einsum(equation, len(tensors))
    return make("Einsum", tensors, name=name or "einsum", equation=equation, N=len(tensors))


# --- norm and trace

def _norm_axes(axis):
    """axis as None, an int, or a 2-tuple of distinct ints (TF's check)."""
    bad = ValueError("'axis' must be None, an integer, or a tuple of 2 unique integers")
    if axis is None or isinstance(axis, int | np.integer):
        return None if axis is None else int(axis)
    if isinstance(axis, list | tuple):
        if len(axis) == 1 and isinstance(axis[0], int | np.integer):
            return int(axis[0])
        if len(axis) == 2 and all(isinstance(a, int | np.integer) for a in axis) and axis[0] != axis[1]:
            return (int(axis[0]), int(axis[1]))
    raise bad


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None, keep_dims=None) -> Tensor:
    """Vector norms (euclidean/2, 1, inf, any p > 0) or, with a 2-tuple axis, matrix norms (euclidean/fro, 1, inf)."""
    if keepdims is not None and keep_dims is not None:
        raise ValueError("Cannot specify both 'keepdims' and 'keep_dims'")
    keep = bool(keepdims if keepdims is not None else keep_dims)
    axes = _norm_axes(axis)
    is_matrix = isinstance(axes, tuple)
    if is_matrix:
        supported = ["euclidean", "fro", 1, np.inf]
        if isinstance(ord, bool) or ord not in supported:
            raise ValueError(f"'ord' must be a supported matrix norm in {supported}, got {ord}")
    else:
        numeric = isinstance(ord, int | float | np.integer | np.floating) and not isinstance(ord, bool)
        if not (ord == "euclidean" or (numeric and ord > 0)):
            raise ValueError(f"'ord' must be a supported vector norm, got {ord}")
    x = convert_to_tensor(tensor)
    with x.graph.name_scope(name or "norm") as scope:
        ax = list(axes) if is_matrix else axes
        if ord in ("euclidean", "fro") or (not is_matrix and ord == 2):
            out = sqrt(reduce_sum(multiply(x, x), ax, keepdims=True))
        elif ord == 1 and is_matrix:
            out = reduce_max(reduce_sum(abs(x), ax[0], keepdims=True), ax[1], keepdims=True)
        elif ord == np.inf and is_matrix:
            out = reduce_max(reduce_sum(abs(x), ax[1], keepdims=True), ax[0], keepdims=True)
        elif ord == 1:
            out = reduce_sum(abs(x), ax, keepdims=True)
        elif ord == np.inf:
            out = reduce_max(abs(x), ax, keepdims=True)
        else:
            p = _array.constant(ord, dtype=x.dtype.base_dtype)
            out = pow(reduce_sum(pow(abs(x), p), ax, keepdims=True), reciprocal(p))
        if keep:
            return _array.identity(out, name=scope)
        if ax is None:
            return _array.reshape(out, [], name=scope)
        return _array.squeeze(out, ax if is_matrix else [ax], name=scope)


def trace(x, name=None) -> Tensor:
    """The sum of the main diagonal of each matrix in a batch: [..., M, N] -> [...]."""
    x = convert_to_tensor(x)
    with x.graph.name_scope(name or "Trace") as scope:
        return reduce_sum(_array.matrix_diag_part(x), [-1], name=scope)


# --- operator overloads (installed on Tensor and Variable)

def _truediv_op(x, y):
    return truediv(x, y)


def _rtruediv_op(y, x):
    return truediv(x, y)


def _install_operators():
    from ..variables import Variable

    def named(fn, nm, op_type):
        def op(x, y):
            x, y = same_dtype_inputs(op_type, x, y)
            with x.graph.name_scope(nm) as scope:
                return fn(x, y, name=scope)
        return op

    def named_matmul(x, y):
        x, y = same_dtype_inputs("MatMul", x, y, ("a", "b"))
        with x.graph.name_scope("matmul") as scope:
            return matmul(x, y, name=scope)

    def logical(fn, nm):
        def op(x, y):
            x = convert_to_tensor(x)
            if x.dtype.base_dtype is not _dt.bool_:
                raise TypeError(f"unsupported operand type for {nm}: {x.dtype.base_dtype.name} tensor "
                                "(only bool tensors support logical operators)")
            with x.graph.name_scope(nm) as scope:
                return fn(x, y, name=scope)
        return op

    binary = {
        "add": named(add, "add", "AddV2"), "sub": named(subtract, "sub", "Sub"),
        "mul": named(multiply, "mul", "Mul"), "truediv": truediv, "floordiv": floordiv,
        "mod": named(floormod, "mod", "FloorMod"), "pow": named(pow, "pow", "Pow"), "matmul": named_matmul,
        "and": logical(logical_and, "and"), "or": logical(logical_or, "or"), "xor": logical(logical_xor, "xor"),
    }

    def fwd(fn):
        return lambda self, other: fn(self, other)

    def rev(fn):
        return lambda self, other: fn(other, self)

    def rev_conv(fn):
        # a reflected operand is a Python/NumPy value: convert it to our dtype, then apply in order
        def op(self, other):
            t = convert_to_tensor(self)
            return fn(convert_to_tensor(other, dtype=t.dtype.base_dtype), t)
        return op

    compare = {"lt": less, "le": less_equal, "gt": greater, "ge": greater_equal}
    for cls in (Tensor, Variable):
        for nm, fn in binary.items():
            setattr(cls, f"__{nm}__", fwd(fn))
            setattr(cls, f"__r{nm}__", rev_conv(fn))
        for nm, fn in compare.items():
            setattr(cls, f"__{nm}__", fwd(fn))
        cls.__neg__ = lambda self: negative(self)
        cls.__abs__ = lambda self: abs(self)
        cls.__invert__ = lambda self: logical_not(self)
        cls.__getitem__ = lambda self, key: _array._slice_helper(self, key)
        cls.__array_priority__ = 100


_install_operators()
