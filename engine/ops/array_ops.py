"""Array ops: constants, placeholders, identity, shapes and reshaping."""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..gradients import reduce_to_shape  # noqa: F401 - re-exported for op gradient rules
from ..graph import Tensor, convert_to_tensor, get_default_graph
from ..registry import op_def
from ..shapes import TensorShape, as_shape
from .core import make

__all__ = ["constant", "placeholder", "placeholder_with_default", "identity", "stop_gradient", "shape",
           "reshape", "zeros_like", "ones_like", "stack"]


# --- constants and placeholders

@op_def
class Const:
    attrs = {"value": None, "dtype": _dt.float32}

    def shape(op):
        return TensorShape(op.attrs["value"].shape)

    def dtype(op):
        return op.attrs["dtype"]

    def forward(k):
        v = k.cache.get("v")
        if v is None:  # converted to the backend once per plan
            v = k.cache["v"] = k.b.asarray(k.attrs["value"])
        return v


def constant(value, dtype=None, shape=None, name="Const", verify_shape=False) -> Tensor:
    """`tf.constant`: a Const op holding `value` (broadcast to `shape` when given)."""
    if dtype is not None:
        dtype = _dt.as_dtype(dtype).base_dtype
    else:
        dtype = _dt.dtype_of_value(value)
    if dtype is _dt.string:
        arr = np.asarray(value, dtype=object)
        arr = np.vectorize(lambda s: s.encode() if isinstance(s, str) else s, otypes=[object])(arr) \
            if arr.size else arr
    else:
        src = np.asarray(value)
        if src.dtype.kind in "OSU":
            raise TypeError(f"Expected {dtype.name}, got {value!r} of type '{type(value).__name__}' instead.")
        if dtype.is_integer and src.dtype.kind == "f" and not np.all(np.mod(src, 1) == 0):
            raise TypeError(f"Expected {dtype.name}, got {value!r} of type '{type(value).__name__}' instead.")
        arr = src.astype(dtype.as_numpy_dtype)
    if shape is not None:
        shape = as_shape(shape).as_list()
        if arr.size == int(np.prod(shape)):
            arr = arr.reshape(shape)
        elif arr.size == 1:
            arr = np.full(shape, arr.reshape(()), dtype=arr.dtype)
        else:
            raise TypeError(f"Eager execution of tf.constant with unsupported shape (value has {arr.size} "
                            f"elements, shape is {shape} with {int(np.prod(shape))} elements).")
    arr.setflags(write=False)
    return make("Const", [], name=name, value=arr, dtype=dtype)


@op_def
class Placeholder:
    attrs = {"dtype": _dt.float32, "shape": TensorShape(None)}

    def shape(op):
        return op.attrs["shape"]

    def dtype(op):
        return op.attrs["dtype"]

    forward = None  # always fed; Session.run reports a missing feed with TF's message


def placeholder(dtype, shape=None, name=None) -> Tensor:
    """`tf.placeholder(dtype, shape=None, name=None)`: a tensor that must be fed (None dims allowed)."""
    return make("Placeholder", [], name=name or "Placeholder", dtype=_dt.as_dtype(dtype).base_dtype,
                shape=as_shape(shape))


@op_def
class PlaceholderWithDefault:
    def shape(op):
        return op.attrs["shape"]

    def dtype(op):
        return op.inputs[0].dtype.base_dtype

    def forward(k, x):
        return x


def placeholder_with_default(input, shape, name=None) -> Tensor:
    """A placeholder that yields `input` when not fed."""
    x = convert_to_tensor(input)
    shape = as_shape(shape)
    if not shape.is_compatible_with(x.shape):
        raise ValueError(f"Shapes {x.shape} and {shape} are incompatible")
    return make("PlaceholderWithDefault", [x], name=name or "PlaceholderWithDefault", shape=shape)


# --- identity and gradient stopping

@op_def
class Identity:
    def shape(op):
        return op.inputs[0].shape

    def dtype(op):
        return op.inputs[0].dtype.base_dtype

    def forward(k, x):
        return x

    def grad(op, g):
        return g


def identity(input, name=None) -> Tensor:
    """`tf.identity`: the same value, as a new node."""
    return make("Identity", [input], name=name or "Identity")


@op_def
class StopGradient:
    def shape(op):
        return op.inputs[0].shape

    def forward(k, x):
        return x
    # no grad: tf.gradients stops here


def stop_gradient(input, name=None) -> Tensor:
    """The same value, but treated as a constant by tf.gradients."""
    return make("StopGradient", [input], name=name or "StopGradient")


# --- shapes

@op_def
class Shape:
    attrs = {"out_type": _dt.int32}

    def shape(op):
        return TensorShape([op.inputs[0].shape.ndims])

    def dtype(op):
        return op.attrs["out_type"]

    def forward(k, x):
        return np.asarray(x.shape, dtype=k.attrs["out_type"].as_numpy_dtype)


def shape(input, name=None, out_type=_dt.int32) -> Tensor:
    """`tf.shape`: the run-time shape as a 1-D int tensor."""
    return make("Shape", [input], name=name or "Shape", out_type=_dt.as_dtype(out_type))


@op_def
class Reshape:
    def shape(op):
        return _reshape_shape(op.inputs[0].shape, op.inputs[1])

    def forward(k, x, s):
        return k.xp.reshape(x, tuple(int(d) for d in _host(s)))

    def grad(op, g):
        return [reshape(g, shape(op.inputs[0])), None]


def _host(v):
    return v.get() if hasattr(v, "get") and not isinstance(v, np.ndarray) else v


def _reshape_shape(in_shape: TensorShape, shape_t: Tensor) -> TensorShape:
    """Static output shape of Reshape when the target shape is a constant."""
    if shape_t.op.type != "Const":
        n = shape_t.shape.dims[0] if shape_t.shape.dims else None
        return TensorShape(None if n is None else [None] * n)
    target = [int(d) for d in np.asarray(shape_t.op.attrs["value"]).reshape(-1)]
    n_in = in_shape.num_elements()
    if -1 in target:
        known = int(np.prod([d for d in target if d != -1])) if len(target) > 1 else 1
        if n_in is not None and known:
            if n_in % known:
                raise ValueError(f"Cannot reshape a tensor with {n_in} elements to shape {target} "
                                 f"({n_in} elements) for 'Reshape' (op: 'Reshape') with input shapes: "
                                 f"{in_shape.bracket()}, [{len(target)}].")
            return TensorShape([n_in // known if d == -1 else d for d in target])
        return TensorShape([None if d == -1 else d for d in target])
    if n_in is not None and n_in != int(np.prod(target)):
        raise ValueError(f"Cannot reshape a tensor with {n_in} elements to shape {target} "
                         f"({int(np.prod(target))} elements) for 'Reshape' (op: 'Reshape') with input "
                         f"shapes: {in_shape.bracket()}, [{len(target)}].")
    return TensorShape(target)


def reshape(tensor, shape, name=None) -> Tensor:
    """`tf.reshape` (one dim may be -1)."""
    if isinstance(shape, TensorShape):
        shape = [-1 if d is None else d for d in shape.as_list()]
    shape_t = shape if isinstance(shape, Tensor) else convert_to_tensor(
        [d if not isinstance(d, Tensor) else d for d in shape] if isinstance(shape, list | tuple) else shape,
        dtype=_dt.int32)
    return make("Reshape", [tensor, shape_t], name=name or "Reshape")


@op_def
class ZerosLike:
    def shape(op):
        return op.inputs[0].shape

    def dtype(op):
        return op.inputs[0].dtype.base_dtype

    def forward(k, x):
        return k.xp.zeros_like(x)


@op_def
class OnesLike:
    def shape(op):
        return op.inputs[0].shape

    def dtype(op):
        return op.inputs[0].dtype.base_dtype

    def forward(k, x):
        return k.xp.ones_like(x)


def zeros_like(tensor, dtype=None, name=None, optimize=True) -> Tensor:
    """Zeros with the shape (and dtype) of `tensor`."""
    t = make("ZerosLike", [tensor], name=name or "zeros_like")
    return t if dtype is None else _cast(t, dtype)


def ones_like(tensor, dtype=None, name=None, optimize=True) -> Tensor:
    """Ones with the shape (and dtype) of `tensor`."""
    t = make("OnesLike", [tensor], name=name or "ones_like")
    return t if dtype is None else _cast(t, dtype)


def _cast(t, dtype):
    from .math_ops import cast
    return cast(t, dtype)


def stack(values, axis=0, name="stack") -> Tensor:
    """`tf.stack` (Pack): joins equally-shaped tensors along a new axis."""
    raise NotImplementedError  # provided below by the array ops author


_ = get_default_graph
