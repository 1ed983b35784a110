"""Math ops: elementwise arithmetic, matmul, reductions, casts; and Tensor's operator overloads."""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..gradients import reduce_to_shape
from ..graph import Tensor, convert_to_tensor
from ..registry import op_def
from ..shapes import TensorShape, broadcast_shapes
from .core import make, same_dtype_inputs

__all__ = ["add", "multiply", "add_n", "matmul", "reduce_sum", "cast"]


def _broadcast_shape(op) -> TensorShape:
    x, y = op.inputs
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


def _binary(op_type: str, default_name: str, x, y, name=None) -> Tensor:
    x, y = same_dtype_inputs(op_type, x, y)
    return make(op_type, [x, y], name=name or default_name)


# --- elementwise binary ops: forward and gradient side by side

@op_def
class AddV2:
    default_name = "add"
    shape = _broadcast_shape

    def forward(k, x, y):
        return x + y

    def grad(op, g):
        x, y = op.inputs
        return [reduce_to_shape(g, x), reduce_to_shape(g, y)]


@op_def
class Mul:
    default_name = "mul"
    shape = _broadcast_shape

    def forward(k, x, y):
        return x * y

    def grad(op, g):
        x, y = op.inputs
        return [reduce_to_shape(multiply(g, y), x), reduce_to_shape(multiply(g, x), y)]


def add(x, y, name=None) -> Tensor:
    """x + y, broadcasting."""
    return _binary("AddV2", "add", x, y, name)


def multiply(x, y, name=None) -> Tensor:
    """x * y, elementwise with broadcasting."""
    return _binary("Mul", "mul", x, y, name)


# --- add_n

@op_def
class AddN:
    def shape(op):
        s = op.inputs[0].shape
        for t in op.inputs[1:]:
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
    inputs = [convert_to_tensor(x) for x in inputs]
    if len(inputs) == 1:
        return inputs[0] if name is None else make("Identity", inputs, name=name)
    return make("AddN", inputs, name=name or "AddN")


# --- matmul

@op_def
class MatMul:
    attrs = {"transpose_a": False, "transpose_b": False}

    def shape(op):
        a, b = op.inputs
        ta, tb = op.attrs["transpose_a"], op.attrs["transpose_b"]
        if a.shape.dims is None or b.shape.dims is None:
            return TensorShape([None, None])
        if len(a.shape.dims) != 2 or len(b.shape.dims) != 2:
            raise ValueError(f"Shape must be rank 2 but is rank {len(a.shape.dims) if len(a.shape.dims) != 2 else len(b.shape.dims)} "
                             f"for '{op.name}' (op: 'MatMul') with input shapes: {a.shape.bracket()}, "
                             f"{b.shape.bracket()}.")
        m, ka = a.shape.dims[::-1] if ta else a.shape.dims
        kb, n = b.shape.dims[::-1] if tb else b.shape.dims
        if ka is not None and kb is not None and ka != kb:
            raise ValueError(f"Dimensions must be equal, but are {ka} and {kb} for '{op.name}' (op: 'MatMul') "
                             f"with input shapes: {a.shape.bracket()}, {b.shape.bracket()}.")
        return TensorShape([m, n])

    def forward(k, a, b):
        if k.attrs["transpose_a"]:
            a = a.T
        if k.attrs["transpose_b"]:
            b = b.T
        return a @ b

    def grad(op, g):
        a, b = op.inputs
        ta, tb = op.attrs["transpose_a"], op.attrs["transpose_b"]
        if not ta and not tb:
            return [matmul(g, b, transpose_b=True), matmul(a, g, transpose_a=True)]
        if not ta and tb:
            return [matmul(g, b), matmul(g, a, transpose_a=True)]
        if ta and not tb:
            return [matmul(b, g, transpose_b=True), matmul(a, g)]
        return [matmul(b, g, transpose_a=True, transpose_b=True), matmul(g, a, transpose_a=True, transpose_b=True)]


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, name=None) -> Tensor:
    """Matrix product a @ b (2-D: MatMul)."""
    a, b = same_dtype_inputs("MatMul", a, b, ("a", "b"))
    return make("MatMul", [a, b], name=name or "MatMul", transpose_a=bool(transpose_a or adjoint_a),
                transpose_b=bool(transpose_b or adjoint_b))


# --- reductions

def _reduce_shape(op) -> TensorShape:
    x, axes_t = op.inputs
    keep = op.attrs["keep_dims"]
    if x.shape.dims is None or axes_t.op.type != "Const":
        return TensorShape(None)
    rank = len(x.shape.dims)
    axes = {int(a) % rank if rank else 0 for a in np.asarray(axes_t.op.attrs["value"]).reshape(-1)}
    if keep:
        return TensorShape([1 if i in axes else d for i, d in enumerate(x.shape.dims)])
    return TensorShape([d for i, d in enumerate(x.shape.dims) if i not in axes])


def _axes(a):
    return tuple(int(i) for i in np.asarray(a.get() if hasattr(a, "get") and not isinstance(a, np.ndarray)
                                            else a).reshape(-1))


@op_def
class Sum:
    attrs = {"keep_dims": False}
    shape = _reduce_shape

    def forward(k, x, axes):
        return k.xp.sum(x, axis=_axes(axes), keepdims=k.attrs["keep_dims"])

    def grad(op, g):
        from .array_ops import reshape
        x = op.inputs[0]
        if not op.attrs["keep_dims"]:
            g = reshape(g, _kept_dims_shape(op))
        return [_broadcast_to_like(g, x), None]


def _kept_dims_shape(op):
    """The reduced shape with reduced axes kept as 1 (static when known, else computed at run time)."""
    from .array_ops import shape
    x, axes_t = op.inputs
    if x.shape.dims is not None and axes_t.op.type == "Const":
        rank = len(x.shape.dims)
        axes = {int(a) % rank if rank else 0 for a in np.asarray(axes_t.op.attrs["value"]).reshape(-1)}
        dims = [1 if i in axes else d for i, d in enumerate(x.shape.dims)]
        if dims.count(None) <= 1:
            return [-1 if d is None else d for d in dims]
    return make("ReducedShape", [shape(x), axes_t])


@op_def
class ReducedShape:
    def shape(op):
        return op.inputs[0].shape

    def dtype(op):
        return _dt.int32

    def forward(k, s, axes):
        s = np.array(s, dtype=np.int32)
        s[[a % len(s) for a in _axes(axes)]] = 1
        return s


@op_def
class BroadcastToLike:
    """Internal: broadcasts a reduced gradient back to the input's run-time shape."""

    def shape(op):
        return op.inputs[1].shape

    def dtype(op):
        return op.inputs[0].dtype.base_dtype

    def forward(k, g, like):
        return k.xp.broadcast_to(g, like.shape)

    def grad(op, g):
        return [reduce_to_shape(g, op.inputs[0]), None]


def _broadcast_to_like(g, x):
    return make("BroadcastToLike", [g, x], name="BroadcastToLike")


@op_def
class SumToShapeOf:
    """Internal: the adjoint of broadcasting when static shapes can't say which axes broadcast."""

    def shape(op):
        return op.inputs[1].shape

    def dtype(op):
        return op.inputs[0].dtype.base_dtype

    def forward(k, g, like):
        lead = g.ndim - like.ndim
        axes = tuple(range(lead)) + tuple(lead + i for i, d in enumerate(like.shape)
                                          if d == 1 and g.shape[lead + i] != 1)
        out = k.xp.sum(g, axis=axes, keepdims=True) if axes else g
        return out.reshape(like.shape)

    def grad(op, g):
        return [_broadcast_to_like(g, op.inputs[0]), None]


def _sum_to_shape_of(g, x):
    return make("SumToShapeOf", [g, x], name="SumToShapeOf")


def _axis_tensor(x: Tensor, axis):
    if axis is None:
        rank = x.shape.ndims
        if rank is None:
            from .array_ops import shape
            return make("Range", [0, make("Size", [shape(x)]), 1]) if False else _all_axes_dynamic(x)
        axis = list(range(rank))
    return convert_to_tensor(axis, dtype=_dt.int32, name="reduction_indices" if False else "Const")


def _all_axes_dynamic(x):
    return make("AllAxes", [x], name="AllAxes")


@op_def
class AllAxes:
    """Internal: [0, 1, ..., rank-1] of a tensor whose rank is unknown until run time."""

    def shape(op):
        return TensorShape([None])

    def dtype(op):
        return _dt.int32

    def forward(k, x):
        return np.arange(x.ndim, dtype=np.int32)


def reduce_sum(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None) -> Tensor:
    """Sum over `axis` (all axes when None)."""
    x = convert_to_tensor(input_tensor)
    axis = reduction_indices if axis is None else axis
    keep = bool(keepdims if keepdims is not None else keep_dims)
    return make("Sum", [x, _axis_tensor(x, axis)], name=name or "Sum", keep_dims=keep)


# --- casts

@op_def
class Cast:
    attrs = {"DstT": _dt.float32, "Truncate": False}

    def shape(op):
        return op.inputs[0].shape

    def dtype(op):
        return op.attrs["DstT"]

    def forward(k, x):
        return x.astype(k.attrs["DstT"].as_numpy_dtype, copy=False)

    def grad(op, g):
        src = op.inputs[0].dtype.base_dtype
        return cast(g, src) if src.is_floating and op.attrs["DstT"].is_floating else None


def cast(x, dtype, name=None) -> Tensor:
    """`tf.cast`: converts elements to `dtype`."""
    x = convert_to_tensor(x)
    dtype = _dt.as_dtype(dtype).base_dtype
    if x.dtype.base_dtype is dtype:
        return x
    return make("Cast", [x], name=name or "Cast", DstT=dtype)


# --- operator overloads (installed on Tensor and Variable)

def _install_operators():
    from ..variables import Variable

    def binop(fn):
        return lambda self, other: fn(self, other)

    def rbinop(fn):
        return lambda self, other: fn(other, self)

    table = {"add": add, "mul": multiply}
    for cls in (Tensor, Variable):
        for nm, fn in table.items():
            setattr(cls, f"__{nm}__", binop(fn))
            setattr(cls, f"__r{nm}__", rbinop(fn))


_install_operators()
