"""Array ops: constants, placeholders, identity, shapes, reshaping, joining, slicing and gathering."""
from __future__ import annotations

import builtins
from collections import namedtuple

import numpy as np

from .. import dtypes as _dt
from ..gradients import reduce_to_shape  # noqa: F401 - re-exported for op gradient rules
from ..graph import Tensor, convert_to_tensor, get_default_graph
from ..registry import op_def
from ..shapes import TensorShape, as_shape
from .core import make

__all__ = ["constant", "placeholder", "placeholder_with_default", "identity", "stop_gradient", "shape",
           "reshape", "zeros_like", "ones_like", "stack", "unstack", "transpose", "expand_dims", "squeeze",
           "reverse", "reverse_v2", "concat", "split", "tile", "pad", "broadcast_to", "gather", "one_hot",
           "boolean_mask", "size", "rank", "range", "fill", "zeros", "ones", "slice", "strided_slice", "gather_nd",
           "scatter_nd", "diag", "diag_part", "matrix_diag", "matrix_diag_part", "matrix_set_diag",
           "matrix_transpose", "eye", "unique"]


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
        n = int(np.prod(shape))
        if arr.size != n and verify_shape:
            raise TypeError(f"Expected Tensor's shape: {tuple(shape)}, got {arr.shape}.")
        if arr.size == n:
            arr = arr.reshape(shape)
        elif arr.size > n:
            raise ValueError(f"Too many elements provided. Needed at most {n}, but received {arr.size}")
        elif arr.size == 0:
            raise ValueError(f"Expected {n} elements for shape {shape}, got an empty value")
        else:  # TF1 repeats the last element to fill the shape
            flat = np.empty(n, dtype=arr.dtype)
            flat[:arr.size] = arr.reshape(-1)
            flat[arr.size:] = arr.reshape(-1)[-1]
            arr = flat.reshape(shape)
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
    reads_shape_only = (0,)

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
        return k.xp.reshape(x, _cached_ints(k, "shape", 1, s))

    def grad(op, g):
        return [reshape(g, shape(op.inputs[0])), None]


def _host(v):
    return v.get() if hasattr(v, "get") and not isinstance(v, np.ndarray) else v


def _reshape_shape(in_shape: TensorShape, shape_t: Tensor) -> TensorShape:
    """Static output shape of Reshape when the target shape is a constant."""
    if shape_t.op.type != "Const":
        partial = _partial_const_vector(shape_t)
        if partial is None:
            return TensorShape(None)
        return TensorShape([None if d is None or d < 0 else d for d in partial])
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
    reads_shape_only = (0,)

    def shape(op):
        return op.inputs[0].shape

    def dtype(op):
        return op.inputs[0].dtype.base_dtype

    def forward(k, x):
        return k.xp.zeros_like(x)


@op_def
class OnesLike:
    reads_shape_only = (0,)

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


# --- helpers shared by the shape functions below

_pyrange, _pyslice = builtins.range, builtins.slice


def const_value(t: Tensor):
    """The value of a Const tensor as a NumPy array (None when it is computed at run time)."""
    if t.op.type == "Const":
        return np.asarray(t.op.attrs["value"])
    return None


def _partial_const_vector(t: Tensor):
    """A 1-D int tensor's elements where statically known (None for the unknown ones), or None."""
    v = const_value(t)
    if v is not None:
        return [int(x) for x in v.reshape(-1)]
    if t.op.type == "Pack" and t.op.attrs.get("axis", 0) == 0:
        out = []
        for x in t.op.inputs:
            xv = const_value(x)
            out.append(int(xv.reshape(-1)[0]) if xv is not None and xv.size == 1 else None)
        return out
    if t.shape.dims is not None and len(t.shape.dims) == 1 and t.shape.dims[0] is not None:
        return [None] * t.shape.dims[0]
    return None


def _ints(v) -> tuple:
    """A small int vector (NumPy, CuPy or 0-d) as a tuple of Python ints."""
    return tuple(int(i) for i in np.asarray(_host(v)).reshape(-1))


def _cached_ints(k, key: str, t_index: int, v) -> tuple:
    """_ints(v), computed once per plan when input `t_index` is a constant."""
    got = k.cache.get(key)
    if got is None:
        got = _ints(v)
        if k.op.inputs[t_index].op.type == "Const":
            k.cache[key] = got
    return got


def _shape_of(x: Tensor):
    """x's shape as a Python list when static, else a Shape op."""
    if x.shape.is_fully_defined():
        return list(x.shape.dims)
    return shape(x)


def _int_tensor(v, name="Const") -> Tensor:
    if isinstance(v, Tensor):
        return v
    if hasattr(v, "_as_tensor"):
        return convert_to_tensor(v)
    return convert_to_tensor(v, dtype=_dt.int32 if np.asarray(v).dtype != np.int64 else _dt.int64, name=name)


def _op_error(op, msg: str) -> ValueError:
    shapes = ", ".join(t.shape.bracket() for t in op.inputs)
    return ValueError(f"{msg} for '{op.name}' (op: '{op.type}') with input shapes: {shapes}.")


def _norm_axis(op, axis: int, rank: int) -> int:
    if not -rank <= axis < rank:
        raise _op_error(op, f"Expected axis in the range [{-rank}, {rank}), but got {axis}")
    return axis % rank


# --- stack / unstack

@op_def
class Pack:
    attrs = {"axis": 0, "N": 1}

    def shape(op):
        s = TensorShape(None)
        for t in op.inputs:
            if not s.is_compatible_with(t.shape):
                raise _op_error(op, f"Shapes must be equal rank, but are {s.ndims} and {t.shape.ndims}"
                                if s.ndims != t.shape.ndims else
                                f"Dimension {_first_diff(s, t.shape)} in both shapes must be equal, but are "
                                f"{s.dims[_first_diff(s, t.shape)]} and {t.shape.dims[_first_diff(s, t.shape)]}. "
                                f"Shapes are {s.bracket()} and {t.shape.bracket()}.")
            s = s.merge_with(t.shape)
        if s.dims is None:
            return s
        rank = len(s.dims) + 1
        a = _norm_axis(op, op.attrs["axis"], rank)
        dims = list(s.dims)
        dims.insert(a, len(op.inputs))
        return TensorShape(dims)

    def dtype(op):
        return op.inputs[0].dtype.base_dtype

    def forward(k, *xs):
        return k.xp.stack([k.xp.asarray(x) for x in xs], axis=k.attrs["axis"])

    def grad(op, g):
        return unstack(g, num=len(op.inputs), axis=op.attrs["axis"])


def _first_diff(a: TensorShape, b: TensorShape) -> int:
    for i, (x, y) in enumerate(zip(a.dims, b.dims)):
        if x is not None and y is not None and x != y:
            return i
    return 0


def stack(values, axis=0, name="stack") -> Tensor:
    """`tf.stack` (Pack): joins equally-shaped tensors along a new axis."""
    values = list(values)
    if not values:
        raise ValueError("stack needs at least one value")
    if all(not isinstance(v, Tensor) and not hasattr(v, "_as_tensor") for v in values):
        return constant(np.stack([np.asarray(v) for v in values], axis=axis) if values else [], name=name)
    tensors = [convert_to_tensor(v) for v in values]
    d = next(t.dtype.base_dtype for t in tensors)
    tensors = [t if t.dtype.base_dtype is d else _convert_or_fail(t, d, "Pack") for t in tensors]
    return make("Pack", tensors, name=name, axis=int(axis), N=len(tensors))


def _convert_or_fail(t, d, op_type):
    raise TypeError(f"Tensors in list passed to 'values' of '{op_type}' Op have types "
                    f"[{t.dtype.base_dtype.name}, {d.name}] that don't all match.")


@op_def
class Unpack:
    attrs = {"num": 1, "axis": 0}

    def shape(op):
        x = op.inputs[0]
        n = op.attrs["num"]
        if x.shape.dims is None:
            return [TensorShape(None)] * n
        rank = len(x.shape.dims)
        a = _norm_axis(op, op.attrs["axis"], rank)
        if x.shape.dims[a] is not None and x.shape.dims[a] != n:
            raise _op_error(op, f"Dimension must be {n} but is {x.shape.dims[a]}")
        dims = [d for i, d in enumerate(x.shape.dims) if i != a]
        return [TensorShape(dims) for _ in _pyrange(n)]

    def dtype(op):
        return op.inputs[0].dtype.base_dtype

    def forward(k, x):
        a = k.attrs["axis"] % x.ndim
        if x.shape[a] != k.attrs["num"]:
            raise ValueError(f"Input shape axis {a} must equal {k.attrs['num']}, got shape {list(x.shape)}")
        return tuple(k.xp.moveaxis(x, a, 0))

    def grad(op, *gs):
        return stack(list(gs), axis=op.attrs["axis"])


def unstack(value, num=None, axis=0, name="unstack") -> list:
    """`tf.unstack` (Unpack): splits along `axis` into a list of tensors."""
    x = convert_to_tensor(value)
    if num is None:
        if x.shape.dims is None:
            raise ValueError(f"Cannot infer num from shape {x.shape}")
        num = x.shape.dims[axis]
        if num is None:
            raise ValueError(f"Cannot infer num from shape {x.shape}")
    out = make("Unpack", [x], name=name, num=int(num), axis=int(axis))
    if isinstance(out, Tensor):
        return [out]
    if not isinstance(out, list):  # num == 0: no outputs
        return []
    return out


# --- transpose / expand_dims / squeeze / reverse

@op_def
class Transpose:
    def shape(op):
        x, perm_t = op.inputs
        perm = const_value(perm_t)
        if x.shape.dims is None:
            return TensorShape(None if perm is None else [None] * perm.size)
        rank = len(x.shape.dims)
        if perm is None:
            return TensorShape([None] * rank)
        perm = [int(p) for p in perm.reshape(-1)]
        if len(perm) != rank:
            raise _op_error(op, f"Dimension must be {rank} but is {len(perm)}")
        if sorted(p % rank for p in perm) != list(_pyrange(rank)):
            raise ValueError(f"{perm} is not a valid permutation of [0..{rank})")
        return TensorShape([x.shape.dims[p] for p in perm])

    def forward(k, x, perm):
        return k.xp.transpose(x, _cached_ints(k, "perm", 1, perm))

    def grad(op, g):
        perm_t = op.inputs[1]
        perm = const_value(perm_t)
        inv = (constant(np.argsort(perm.reshape(-1)).astype(np.int32)) if perm is not None
               else make("InvertPermutation", [perm_t]))
        return [make("Transpose", [g, inv], name="transpose"), None]


@op_def
class InvertPermutation:
    def shape(op):
        return op.inputs[0].shape

    def forward(k, p):
        return np.argsort(np.asarray(_host(p))).astype(np.int32)


def transpose(a, perm=None, name="transpose", conjugate=False) -> Tensor:
    """`tf.transpose`: permutes dims (default: reverses them)."""
    a = convert_to_tensor(a)
    with a.graph.name_scope(name or "transpose") as scope:
        if perm is None:
            if a.shape.ndims is None:
                perm = make("ReversedAxes", [a], name="perm")
            else:
                perm = constant(np.arange(a.shape.ndims)[::-1].astype(np.int32), name="perm")
        return make("Transpose", [a, _int_tensor(perm)], name=scope)


@op_def
class ReversedAxes:
    """Internal: [rank-1, ..., 0] for a tensor of unknown rank (transpose's default perm)."""

    def shape(op):
        return TensorShape([None])

    def dtype(op):
        return _dt.int32

    def forward(k, x):
        return np.arange(np.ndim(x) - 1, -1, -1, dtype=np.int32)


@op_def
class ExpandDims:
    def shape(op):
        x, dim_t = op.inputs
        dim = const_value(dim_t)
        if x.shape.dims is None or dim is None:
            return TensorShape(None if x.shape.dims is None else [None] * (len(x.shape.dims) + 1))
        rank = len(x.shape.dims)
        d = int(dim.reshape(-1)[0])
        if not -rank - 1 <= d <= rank:
            raise _op_error(op, f"Tried to expand dim index {d} for tensor with {rank} dimensions.")
        d = d % (rank + 1)
        dims = list(x.shape.dims)
        dims.insert(d, 1)
        return TensorShape(dims)

    def forward(k, x, dim):
        return k.xp.expand_dims(x, int(_ints(dim)[0]))

    def grad(op, g):
        return [reshape(g, _shape_of(op.inputs[0])), None]


def expand_dims(input, axis=None, name=None, dim=None) -> Tensor:
    """Inserts a dimension of size 1 at `axis`."""
    if axis is None:
        axis = dim
    elif dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'")
    if axis is None:
        raise ValueError("Must specify an axis argument to tf.expand_dims()")
    return make("ExpandDims", [convert_to_tensor(input), _int_tensor(axis, name="ExpandDims/dim")],
                name=name or "ExpandDims")


@op_def
class Squeeze:
    attrs = {"squeeze_dims": []}

    def shape(op):
        x = op.inputs[0]
        axes = op.attrs["squeeze_dims"]
        if x.shape.dims is None:
            return TensorShape(None)
        rank = len(x.shape.dims)
        keep = []
        norm = set()
        for a in axes:
            if not -rank <= a < rank:
                raise _op_error(op, f"Tried to squeeze dim index {a} for tensor with {rank} dimensions.")
            norm.add(a % rank)
        for i, d in enumerate(x.shape.dims):
            if i in norm:
                if d is not None and d != 1:
                    raise _op_error(op, f"Can not squeeze dim[{i}], expected a dimension of 1, got {d}")
                continue
            if not norm and d == 1:
                continue
            if not norm and d is None:
                return TensorShape(None)  # may or may not be squeezed
            keep.append(d)
        return TensorShape(keep)

    def forward(k, x):
        axes = k.attrs["squeeze_dims"]
        if not axes:
            return k.xp.squeeze(x)
        return k.xp.squeeze(x, axis=tuple(a % x.ndim for a in axes))

    def grad(op, g):
        return reshape(g, _shape_of(op.inputs[0]))


def squeeze(input, axis=None, name=None, squeeze_dims=None) -> Tensor:
    """Removes size-1 dims (all, or those listed in `axis`)."""
    if axis is None:
        axis = squeeze_dims
    if isinstance(axis, int):
        axis = [axis]
    return make("Squeeze", [convert_to_tensor(input)], name=name or "Squeeze",
                squeeze_dims=[int(a) for a in (axis or [])])


@op_def
class ReverseV2:
    def shape(op):
        return op.inputs[0].shape

    def dtype(op):
        return op.inputs[0].dtype.base_dtype

    def forward(k, x, axis):
        axes = _cached_ints(k, "axes", 1, axis)
        return k.xp.flip(x, axis=axes) if axes else x

    def grad(op, g):
        return [make("ReverseV2", [g, op.inputs[1]], name="ReverseV2"), None]


def reverse(tensor, axis, name=None) -> Tensor:
    """Reverses the order of elements along each dim in `axis`."""
    return make("ReverseV2", [convert_to_tensor(tensor), _int_tensor(axis)], name=name or "ReverseV2")


reverse_v2 = reverse


# --- concat / split

@op_def
class ConcatV2:
    attrs = {"N": 2}

    def shape(op):
        values, axis_t = op.inputs[:-1], op.inputs[-1]
        axis = const_value(axis_t)
        rank = next((t.shape.ndims for t in values if t.shape.ndims is not None), None)
        if rank is None:
            return TensorShape(None)
        if axis is None:
            return TensorShape([None] * rank)
        a = int(axis.reshape(-1)[0])
        if rank == 0:
            raise _op_error(op, "Can't concatenate scalars (use tf.stack instead)")
        a = _norm_axis(op, a, rank)
        out = [None] * rank
        total = 0
        first = None
        for t in values:
            if t.shape.dims is None:
                total = None
                continue
            if len(t.shape.dims) != rank:
                raise _op_error(op, f"Shape must be rank {rank} but is rank {len(t.shape.dims)}")
            for i, d in enumerate(t.shape.dims):
                if i == a:
                    continue
                if out[i] is not None and d is not None and out[i] != d:
                    raise _op_error(op, f"Dimension {i} in both shapes must be equal, but are {out[i]} and {d}. "
                                        f"Shapes are {first.bracket()} and {t.shape.bracket()}")
                out[i] = out[i] if out[i] is not None else d
            first = first or t.shape
            d = t.shape.dims[a]
            total = None if total is None or d is None else total + d
        out[a] = total
        return TensorShape(out)

    def dtype(op):
        return op.inputs[0].dtype.base_dtype

    def forward(k, *args):
        a = int(_ints(args[-1])[0])
        return k.xp.concatenate([k.xp.asarray(x) for x in args[:-1]], axis=a)

    def grad(op, g):
        values, axis_t = op.inputs[:-1], op.inputs[-1]
        axis = const_value(axis_t)
        sizes = []
        static = axis is not None
        for t in values:
            if static and t.shape.dims is not None:
                d = t.shape.dims[int(axis.reshape(-1)[0]) % len(t.shape.dims)]
                if d is not None:
                    sizes.append(d)
                    continue
            static = False
        if static:
            sizes_t = constant(np.asarray(sizes, dtype=np.int32))
        else:
            sizes_t = make("ConcatSizes", list(values) + [axis_t], name="ConcatSizes")
        parts = make("SplitV", [g, sizes_t, axis_t], name="split", num_split=len(values))
        parts = parts if isinstance(parts, list) else [parts]
        return list(parts) + [None]


@op_def
class ConcatSizes:
    """Internal (ConcatV2's gradient): each input's size along the concat axis, at run time."""

    def shape(op):
        return TensorShape([len(op.inputs) - 1])

    def dtype(op):
        return _dt.int32

    def forward(k, *args):
        a = int(_ints(args[-1])[0])
        return np.asarray([np.shape(x)[a] for x in args[:-1]], dtype=np.int32)


def concat(values, axis, name="concat") -> Tensor:
    """`tf.concat` (ConcatV2): joins tensors along an existing axis."""
    values = list(values) if isinstance(values, list | tuple) else [values]
    if len(values) == 1:
        t = convert_to_tensor(values[0])
        with t.graph.name_scope(name or "concat") as scope:
            return identity(t, name=scope)
    tensors = [convert_to_tensor(v) for v in values]
    d = tensors[0].dtype.base_dtype
    tensors = [t if t.dtype.base_dtype is d else convert_to_tensor(values[i], dtype=d)
               if not isinstance(values[i], Tensor) else _convert_or_fail(t, d, "ConcatV2")
               for i, t in enumerate(tensors)]
    return make("ConcatV2", tensors + [_int_tensor(axis, name="concat/axis")], name=name, N=len(tensors))


@op_def
class Split:
    attrs = {"num_split": 1}

    def shape(op):
        axis_t, x = op.inputs
        n = op.attrs["num_split"]
        axis = const_value(axis_t)
        if x.shape.dims is None:
            return [TensorShape(None)] * n
        rank = len(x.shape.dims)
        if axis is None:
            return [TensorShape([None] * rank)] * n
        a = _norm_axis(op, int(axis.reshape(-1)[0]), rank)
        d = x.shape.dims[a]
        if d is not None and d % n:
            raise ValueError(f"Dimension size must be evenly divisible by {n} but is {d}\n\tNumber of ways to "
                             f"split should evenly divide the split dimension for '{op.name}' (op: 'Split') with "
                             f"input shapes: {axis_t.shape.bracket()}, {x.shape.bracket()} and with computed "
                             f"input tensors: input[0] = <{int(axis.reshape(-1)[0])}>.")
        dims = list(x.shape.dims)
        dims[a] = None if d is None else d // n
        return [TensorShape(dims)] * n

    def dtype(op):
        return op.inputs[1].dtype.base_dtype

    def forward(k, axis, x):
        a = int(_ints(axis)[0])
        n = k.attrs["num_split"]
        if x.shape[a] % n:
            raise ValueError(f"Number of ways to split should evenly divide the split dimension, but got "
                             f"split_dim {a} (size = {x.shape[a]}) and num_split {n}")
        return tuple(k.xp.split(x, n, axis=a))

    def grad(op, *gs):
        return [None, make("ConcatV2", list(gs) + [op.inputs[0]], name="concat", N=len(gs))]


@op_def
class SplitV:
    attrs = {"num_split": 1}

    def shape(op):
        x, sizes_t, axis_t = op.inputs
        n = op.attrs["num_split"]
        axis, sizes = const_value(axis_t), const_value(sizes_t)
        if x.shape.dims is None:
            return [TensorShape(None)] * n
        rank = len(x.shape.dims)
        if axis is None:
            return [TensorShape([None] * rank)] * n
        a = _norm_axis(op, int(axis.reshape(-1)[0]), rank)
        if sizes is None:
            return [TensorShape([None if i == a else d for i, d in enumerate(x.shape.dims)])] * n
        sizes = [int(s) for s in sizes.reshape(-1)]
        d = x.shape.dims[a]
        if sizes.count(-1) > 1:
            raise _op_error(op, "Only one dimensions can have a value of -1")
        if -1 in sizes and d is not None:
            sizes[sizes.index(-1)] = d - (sum(sizes) + 1)
        if d is not None and -1 not in sizes and sum(sizes) != d:
            raise _op_error(op, f"Determined shape must either match input shape along split_dim exactly if "
                                f"fully specified, or be less than the size of the input along split_dim if not "
                                f"fully specified.  Got: {sum(sizes)}")
        out = []
        for s in sizes:
            dims = list(x.shape.dims)
            dims[a] = None if s == -1 else s
            out.append(TensorShape(dims))
        return out

    def dtype(op):
        return op.inputs[0].dtype.base_dtype

    def forward(k, x, sizes, axis):
        a = int(_ints(axis)[0])
        sizes = list(_ints(sizes))
        if -1 in sizes:
            sizes[sizes.index(-1)] = x.shape[a] - (sum(sizes) + 1)
        if sum(sizes) != x.shape[a]:
            raise ValueError(f"Determined shape must either match input shape along split_dim exactly if fully "
                             f"specified, or be less than the size of the input along split_dim if not fully "
                             f"specified.  Got: {sum(sizes)}")
        return tuple(k.xp.split(x, np.cumsum(sizes)[:-1].tolist(), axis=a))

    def grad(op, *gs):
        return [make("ConcatV2", list(gs) + [op.inputs[2]], name="concat", N=len(gs)), None, None]


def split(value, num_or_size_splits, axis=0, num=None, name="split") -> list:
    """`tf.split`: into N equal parts (Split) or parts of the listed sizes (SplitV)."""
    x = convert_to_tensor(value)
    axis_t = _int_tensor(axis, name="split/split_dim")
    if isinstance(num_or_size_splits, int | np.integer):
        out = make("Split", [axis_t, x], name=name, num_split=int(num_or_size_splits))
    else:
        sizes = _int_tensor(num_or_size_splits)
        if num is None:
            if sizes.shape.dims is None or sizes.shape.dims[0] is None:
                raise ValueError(f"Cannot infer num from shape {sizes.shape}")
            num = sizes.shape.dims[0]
        out = make("SplitV", [x, sizes, axis_t], name=name, num_split=int(num))
    return out if isinstance(out, list) else [out]


# --- tile / pad / broadcast_to

@op_def
class Tile:
    def shape(op):
        x, m_t = op.inputs
        m = _partial_const_vector(m_t)
        if x.shape.dims is None:
            return TensorShape(None if m is None else [None] * len(m))
        rank = len(x.shape.dims)
        if m is None:
            return TensorShape([None] * rank)
        if len(m) != rank:
            raise _op_error(op, f"Dimensions must be equal, but are {rank} and {len(m)}")
        return TensorShape([None if d is None or n is None else d * n for d, n in zip(x.shape.dims, m)])

    def forward(k, x, multiples):
        return k.xp.tile(x, _cached_ints(k, "m", 1, multiples))

    def grad(op, g):
        return [make("TileGrad", [g, op.inputs[1]], name="TileGrad"), None]


@op_def
class TileGrad:
    """Internal: sums each tile of g back onto the input (g viewed as [m0, d0, m1, d1, ...])."""

    def shape(op):
        return TensorShape(None)

    def forward(k, g, multiples):
        m = _ints(multiples)
        dims = [s // n for s, n in zip(g.shape, m)]
        view = []
        for n, d in zip(m, dims):
            view += [n, d]
        return g.reshape(view).sum(axis=tuple(_pyrange(0, 2 * len(m), 2)))


def tile(input, multiples, name=None) -> Tensor:
    """Repeats the tensor `multiples[i]` times along dim i."""
    return make("Tile", [convert_to_tensor(input), _int_tensor(multiples)], name=name or "Tile")


def _pad_shape(op) -> TensorShape:
    x, p_t = op.inputs[0], op.inputs[1]
    p = const_value(p_t)
    if x.shape.dims is None:
        return TensorShape(None if p is None else [None] * p.shape[0])
    rank = len(x.shape.dims)
    if p is None:
        return TensorShape([None] * rank)
    if p.shape != (rank, 2):
        if p.ndim != 2 or p.shape[1] != 2:
            raise _op_error(op, "paddings must be a matrix with 2 columns")
        raise _op_error(op, f"Dimension 0 in both shapes must be equal, but are {p.shape[0]} and {rank}")
    if (p < 0).any():
        raise _op_error(op, "Paddings must be non-negative")
    return TensorShape([None if d is None else d + int(a) + int(b) for d, (a, b) in zip(x.shape.dims, p)])


def _paddings(k, p) -> list:
    got = k.cache.get("pads")
    if got is None:
        got = [tuple(int(v) for v in row) for row in np.asarray(_host(p)).reshape(-1, 2)]
        if k.op.inputs[1].op.type == "Const":
            k.cache["pads"] = got
    return got


@op_def
class Pad:
    shape = _pad_shape

    def forward(k, x, p):
        return k.xp.pad(x, _paddings(k, p))

    def grad(op, g):
        return [make("PadGrad", [g, op.inputs[1]], name="PadGrad", mode="CONSTANT"), None]


@op_def
class PadV2:
    shape = _pad_shape

    def forward(k, x, p, c):
        return k.xp.pad(x, _paddings(k, p), constant_values=c)

    def grad(op, g):
        return [make("PadGrad", [g, op.inputs[1]], name="PadGrad", mode="CONSTANT"), None, None]


@op_def
class MirrorPad:
    attrs = {"mode": "REFLECT"}
    shape = _pad_shape

    def forward(k, x, p):
        pads = _paddings(k, p)
        offset = 1 if k.attrs["mode"] == "REFLECT" else 0
        for d, (a, b) in zip(x.shape, pads):
            if a > d - offset or b > d - offset:
                raise ValueError(f"paddings must be less than{' or equal to' if not offset else ''} the dimension "
                                 f"size: {a}, {b} not less than {d}")
        return k.xp.pad(x, pads, mode="reflect" if offset else "symmetric")

    def grad(op, g):
        return [make("PadGrad", [g, op.inputs[1]], name="MirrorPadGrad", mode=op.attrs["mode"]), None]


@op_def
class PadGrad:
    """Internal: the adjoint of Pad/MirrorPad: crops g, folding mirrored borders back onto their sources."""
    attrs = {"mode": "CONSTANT"}

    def shape(op):
        return TensorShape(None)

    def forward(k, g, p):
        pads = _paddings(k, p)
        mode = k.attrs["mode"]
        out = g
        for axis, (a, b) in enumerate(pads):
            n = out.shape[axis] - a - b
            core = k.xp.array(k.xp.take(out, k.xp.arange(a, a + n), axis=axis))
            if mode != "CONSTANT":
                off = 1 if mode == "REFLECT" else 0
                idx = [_pyslice(None)] * out.ndim
                if a:
                    idx[axis] = _pyslice(a - 1, None, -1) if a - 1 >= 0 else _pyslice(None)
                    left = out[tuple(idx)][tuple([_pyslice(None)] * axis + [_pyslice(0, a)])]
                    dst = [_pyslice(None)] * out.ndim
                    dst[axis] = _pyslice(off, off + a)
                    core[tuple(dst)] += left
                if b:
                    idx[axis] = _pyslice(out.shape[axis] - 1, a + n - 1, -1)
                    right = out[tuple(idx)]
                    dst = [_pyslice(None)] * out.ndim
                    dst[axis] = _pyslice(n - off - b, n - off)
                    core[tuple(dst)] += right
            out = core
        return out


def pad(tensor, paddings, mode="CONSTANT", name=None, constant_values=0) -> Tensor:
    """Pads with `paddings[i] = [before, after]` per dim: CONSTANT (zeros or `constant_values`), REFLECT or
    SYMMETRIC."""
    x = convert_to_tensor(tensor)
    p = _int_tensor(paddings)
    mode = mode.upper()
    if mode == "CONSTANT":
        if not isinstance(constant_values, Tensor) and np.all(np.asarray(constant_values) == 0):
            return make("Pad", [x, p], name=name or "Pad")
        c = convert_to_tensor(constant_values, dtype=x.dtype.base_dtype)
        return make("PadV2", [x, p, c], name=name or "PadV2")
    if mode not in ("REFLECT", "SYMMETRIC"):
        raise ValueError(f"Unknown padding mode: {mode}")
    return make("MirrorPad", [x, p], name=name or "MirrorPad", mode=mode)


@op_def
class BroadcastTo:
    def shape(op):
        x, s_t = op.inputs
        target = _partial_const_vector(s_t)
        if target is None:
            return TensorShape(None)
        out = TensorShape(target)
        if x.shape.dims is not None and out.dims is not None:
            if len(x.shape.dims) > len(out.dims):
                raise _op_error(op, f"Rank of input ({len(x.shape.dims)}) must be no greater than rank of "
                                    f"output shape ({len(out.dims)})")
            for d, t in zip(x.shape.dims[::-1], out.dims[::-1]):
                if d is not None and t is not None and d != 1 and d != t:
                    raise _op_error(op, f"Incompatible shapes: {x.shape.bracket()} vs. {out.bracket()}")
        return out

    def dtype(op):
        return op.inputs[0].dtype.base_dtype

    def forward(k, x, s):
        return k.xp.broadcast_to(x, _cached_ints(k, "s", 1, s))

    def grad(op, g):
        return [reduce_to_shape(g, op.inputs[0]), None]


def broadcast_to(input, shape, name=None) -> Tensor:
    """Broadcasts `input` to `shape` (NumPy rules)."""
    return make("BroadcastTo", [convert_to_tensor(input), _int_tensor(shape)], name=name or "BroadcastTo")


# --- gather / one_hot / boolean_mask

@op_def
class GatherV2:
    attrs = {"batch_dims": 0}

    def shape(op):
        params, indices, axis_t = op.inputs
        axis = const_value(axis_t)
        if params.shape.dims is None or indices.shape.dims is None or axis is None:
            return TensorShape(None)
        rank = len(params.shape.dims)
        a = int(axis.reshape(-1)[0])
        if not -rank <= a < rank:
            raise _op_error(op, f"Shape must be at least rank {a + 1} but is rank {rank}")
        a %= rank
        return TensorShape(list(params.shape.dims[:a]) + list(indices.shape.dims) + list(params.shape.dims[a + 1:]))

    def dtype(op):
        return op.inputs[0].dtype.base_dtype

    def forward(k, params, indices, axis):
        a = int(_cached_ints(k, "axis", 2, axis)[0])
        indices = k.b.asarray(indices)  # integer tensors live on the host; params may be on a device
        if k.xp.size(indices) and int(k.xp.min(indices)) < 0:
            bad = int(k.xp.min(indices))
            raise IndexError(f"indices = {bad} is not in [0, {k.xp.shape(params)[a]})")
        return k.xp.take(params, indices, axis=a)

    def grad(op, g):
        params, indices, axis_t = op.inputs
        return [make("GatherGrad", [_shape_tensor(params), indices, axis_t, g], name="GatherGrad"), None, None]


def _shape_tensor(x: Tensor) -> Tensor:
    if x.shape.is_fully_defined():
        return constant(np.asarray(x.shape.dims, dtype=np.int32))
    return shape(x)


def _shape_from_shape_input(op) -> TensorShape:
    """Static shape of an adjoint op whose first input is the (constant when known) shape to fill."""
    s = const_value(op.inputs[0])
    return TensorShape(None) if s is None else TensorShape([int(d) for d in s])


@op_def
class GatherGrad:
    """Internal: the dense adjoint of GatherV2 (a scatter-add of g into zeros shaped like params)."""

    shape = _shape_from_shape_input

    def dtype(op):
        return op.inputs[3].dtype.base_dtype

    def forward(k, params_shape, indices, axis, g):
        a = int(_ints(axis)[0])
        return k.b.gather_grad(_ints(params_shape), indices, g, a % len(_ints(params_shape)))


def gather(params, indices, validate_indices=None, name=None, axis=None, batch_dims=0) -> Tensor:
    """Picks slices of `params` along `axis` (default 0) at `indices` (GatherV2)."""
    params = convert_to_tensor(params)
    indices = convert_to_tensor(indices)
    if not indices.dtype.base_dtype.is_integer:
        raise TypeError(f"Value passed to parameter 'indices' has DataType {indices.dtype.base_dtype.name} not in "
                        "list of allowed values: int32, int64")
    axis_t = _int_tensor(0 if axis is None else axis, name="GatherV2/axis")
    return make("GatherV2", [params, indices, axis_t], name=name or "GatherV2", batch_dims=int(batch_dims))


@op_def
class OneHot:
    attrs = {"axis": -1}

    def shape(op):
        indices, depth_t = op.inputs[0], op.inputs[1]
        depth = const_value(depth_t)
        d = None if depth is None else int(depth.reshape(-1)[0])
        if indices.shape.dims is None:
            return TensorShape(None)
        dims = list(indices.shape.dims)
        a = op.attrs["axis"]
        if not -1 <= a <= len(dims):
            raise _op_error(op, f"Expected axis to be -1 or between [0, {len(dims) + 1}).  But received: {a}")
        dims.insert(len(dims) if a == -1 else a, d)
        return TensorShape(dims)

    def dtype(op):
        return op.inputs[2].dtype.base_dtype

    def forward(k, indices, depth, on, off):
        xp = k.xp
        d = int(_ints(depth)[0])
        if d < 0:
            raise ValueError(f"depth must be non-negative, got: {d}")
        indices = xp.asarray(indices)
        a = k.attrs["axis"]
        a = indices.ndim if a == -1 else a
        hot = xp.expand_dims(indices, a) == xp.arange(d).reshape((-1,) + (1,) * (indices.ndim - a))
        return xp.where(hot, on, off)


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None) -> Tensor:
    """One-hot vectors of length `depth` (on_value=1, off_value=0, float32 by default) at `indices`."""
    indices = convert_to_tensor(indices)
    with indices.graph.name_scope(name or "one_hot") as scope:
        if dtype is None:
            dtype = (on_value.dtype.base_dtype if isinstance(on_value, Tensor) else
                     off_value.dtype.base_dtype if isinstance(off_value, Tensor) else _dt.float32)
        dtype = _dt.as_dtype(dtype).base_dtype
        on = convert_to_tensor(1 if on_value is None else on_value, dtype=dtype, name="on_value")
        off = convert_to_tensor(0 if off_value is None else off_value, dtype=dtype, name="off_value")
        depth_t = _int_tensor(depth, name="depth")
        return make("OneHot", [indices, depth_t, on, off], name=scope, axis=-1 if axis is None else int(axis))


def boolean_mask(tensor, mask, name="boolean_mask", axis=None) -> Tensor:
    """The elements (or slices) of `tensor` where the bool `mask` is True, flattened over the mask's dims."""
    tensor = convert_to_tensor(tensor)
    mask = convert_to_tensor(mask)
    from .math_ops import where
    with tensor.graph.name_scope(name or "boolean_mask"):
        k = mask.shape.ndims
        if k is None:
            raise ValueError("Number of mask dimensions must be specified, even if some dimensions are None.  "
                             "E.g. shape=[None] is ok, but shape=None is not.")
        if k == 0:
            raise ValueError("mask cannot be scalar.")
        a = 0 if axis is None else int(axis)
        dims = tensor.shape.dims
        if dims is not None and not TensorShape(dims[a:a + k]).is_compatible_with(mask.shape):
            raise ValueError(f"Shapes {TensorShape(dims[a:a + k])} and {mask.shape} are incompatible")
        if dims is not None and all(d is not None for d in dims[:a] + dims[a + k:]):
            target = [d for d in dims[:a]] + [-1] + [d for d in dims[a + k:]]
            flat = reshape(tensor, target)
        else:
            flat = reshape(tensor, make("MaskFlatShape", [shape(tensor)], name="Shape", axis=a, k=k))
        idx = squeeze(where(reshape(mask, [-1])), axis=[1])
        return gather(flat, idx, axis=a)


@op_def
class MaskFlatShape:
    """Internal: a shape with dims [axis, axis+k) collapsed into one -1 (boolean_mask of unknown shapes)."""
    attrs = {"axis": 0, "k": 1}

    def shape(op):
        return TensorShape([None])

    def forward(k, s):
        s = list(_ints(s))
        a, n = k.attrs["axis"], k.attrs["k"]
        return np.asarray(s[:a] + [-1] + s[a + n:], dtype=np.int32)


# --- size, rank, range, fill, zeros, ones

@op_def
class Size:
    attrs = {"out_type": _dt.int32}
    reads_shape_only = (0,)

    def shape(op):
        return TensorShape([])

    def dtype(op):
        return op.attrs["out_type"]

    def forward(k, x):
        return np.asarray(k.xp.size(x), dtype=k.attrs["out_type"].as_numpy_dtype)


@op_def
class Rank:
    reads_shape_only = (0,)

    def shape(op):
        return TensorShape([])

    def dtype(op):
        return _dt.int32

    def forward(k, x):
        return np.asarray(k.xp.ndim(x), dtype=np.int32)


def size(input, name=None, out_type=_dt.int32) -> Tensor:
    """The number of elements (a constant when the static shape is fully known, as TF1 does)."""
    x = convert_to_tensor(input)
    out_type = _dt.as_dtype(out_type)
    if x.shape.is_fully_defined():
        return constant(x.shape.num_elements(), dtype=out_type, name=name or "Size")
    return make("Size", [x], name=name or "Size", out_type=out_type)


def rank(input, name=None) -> Tensor:
    """The number of dimensions (a constant when statically known, as TF1 does)."""
    x = convert_to_tensor(input)
    if x.shape.ndims is not None:
        return constant(x.shape.ndims, dtype=_dt.int32, name=name or "Rank")
    return make("Rank", [x], name=name or "Rank")


@op_def
class Range:
    attrs = {"Tidx": _dt.int32}

    def shape(op):
        vals = [const_value(t) for t in op.inputs]
        if any(v is None for v in vals):
            return TensorShape([None])
        start, limit, delta = (v.reshape(-1)[0] for v in vals)
        if delta == 0:
            raise _op_error(op, "Requires delta != 0")
        if (delta > 0 and start > limit) or (delta < 0 and start < limit):
            raise _op_error(op, f"Requires start <= limit when delta > 0: {start}/{limit}" if delta > 0 else
                            f"Requires start >= limit when delta < 0: {start}/{limit}")
        return TensorShape([int(np.ceil(abs((limit - start) / delta)))])

    def dtype(op):
        return op.attrs["Tidx"]

    def forward(k, start, limit, delta):
        if delta == 0:
            raise ValueError("Requires delta != 0")
        return k.xp.arange(start, limit, delta, dtype=k.attrs["Tidx"].as_numpy_dtype)


def range(start, limit=None, delta=1, dtype=None, name="range") -> Tensor:
    """[start, start + delta, ...) up to `limit` (one argument: [0, start))."""
    if limit is None:
        start, limit = 0, start
    if dtype is None:
        kinds = [t.dtype.base_dtype for t in (start, limit, delta) if isinstance(t, Tensor)]
        py_float = any(isinstance(v, float | np.floating) for v in (start, limit, delta))
        order = [_dt.int32, _dt.int64, _dt.float32, _dt.float64]
        dtype = builtins.max(kinds + ([_dt.float32] if py_float else [_dt.int32]), key=order.index)
    dtype = _dt.as_dtype(dtype).base_dtype
    g = get_default_graph()
    with g.name_scope(name or "range") as scope:
        ins = [convert_to_tensor(v, dtype=dtype, name=n) if not isinstance(v, Tensor) else
               (v if v.dtype.base_dtype is dtype else _cast(v, dtype))
               for v, n in ((start, "start"), (limit, "limit"), (delta, "delta"))]
        return make("Range", ins, name=scope, Tidx=dtype)


@op_def
class Fill:
    def shape(op):
        dims = _partial_const_vector(op.inputs[0])
        return TensorShape(dims) if dims is not None else TensorShape(None)

    def dtype(op):
        return op.inputs[1].dtype.base_dtype

    def forward(k, dims, value):
        return k.xp.full(_cached_ints(k, "dims", 0, dims), value, dtype=k.xp.asarray(value).dtype)

    def grad(op, g):
        from .math_ops import reduce_sum
        return [None, reduce_sum(g)]


def fill(dims, value, name=None) -> Tensor:
    """A tensor of shape `dims` filled with `value`."""
    return make("Fill", [_int_tensor(dims), convert_to_tensor(value)], name=name or "Fill")


def _filled(shape, value, dtype, name):
    dtype = _dt.as_dtype(dtype).base_dtype
    if isinstance(shape, Tensor):
        with get_default_graph().name_scope(name) as scope:
            return make("Fill", [shape, constant(value, dtype=dtype)], name=scope)
    dims = as_shape(shape).as_list() if not isinstance(shape, int | np.integer) else [int(shape)]
    return constant(np.full(dims, value, dtype=dtype.as_numpy_dtype), dtype=dtype, name=name)


def zeros(shape, dtype=_dt.float32, name=None) -> Tensor:
    """A tensor of zeros."""
    return _filled(shape, 0, dtype, name or "zeros")


def ones(shape, dtype=_dt.float32, name=None) -> Tensor:
    """A tensor of ones."""
    return _filled(shape, 1, dtype, name or "ones")


# --- slice

@op_def
class Slice:
    def shape(op):
        x, b_t, s_t = op.inputs
        begin, sizes = _partial_const_vector(b_t), _partial_const_vector(s_t)
        if x.shape.dims is None:
            return TensorShape(None if sizes is None else [None if s in (None, -1) else s for s in sizes])
        rank = len(x.shape.dims)
        if sizes is None:
            return TensorShape([None] * rank)
        if len(sizes) != rank:
            raise _op_error(op, f"Dimensions must be equal, but are {rank} and {len(sizes)}")
        out = []
        for i, (d, s) in enumerate(zip(x.shape.dims, sizes)):
            b = begin[i] if begin is not None and len(begin) > i else None
            if s == -1:
                out.append(None if d is None or b is None else d - b)
            else:
                if s is not None and d is not None and b is not None and (b < 0 or b + s > d):
                    raise _op_error(op, f"Expected size[{i}] in [0, {d - b}], but got {s}")
                out.append(s)
        return TensorShape(out)

    def dtype(op):
        return op.inputs[0].dtype.base_dtype

    def forward(k, x, begin, size):
        return x[_slice_index(x, _ints(begin), _ints(size))]

    def grad(op, g):
        x, b_t, _ = op.inputs
        return [make("SliceGrad", [_shape_tensor(x), b_t, g], name="SliceGrad"), None, None]


def _slice_index(x, begin, sizes) -> tuple:
    idx = []
    for i, (b, s) in enumerate(zip(begin, sizes)):
        d = x.shape[i]
        e = d if s == -1 else b + s
        if b < 0 or e > d or e < b:
            raise ValueError(f"Expected size[{i}] in [0, {d - b}], but got {s}")
        idx.append(_pyslice(b, e))
    return tuple(idx)


@op_def
class SliceGrad:
    """Internal: the adjoint of Slice (g written into zeros of the input's shape)."""

    shape = _shape_from_shape_input

    def dtype(op):
        return op.inputs[2].dtype.base_dtype

    def forward(k, s, begin, g):
        out = k.xp.zeros(_ints(s), dtype=g.dtype)
        out[tuple(_pyslice(b, b + n) for b, n in zip(_ints(begin), g.shape))] = g
        return out


def slice(input_, begin, size, name=None) -> Tensor:
    """The block starting at `begin` with extent `size` (-1: to the end)."""
    return make("Slice", [convert_to_tensor(input_), _int_tensor(begin), _int_tensor(size)], name=name or "Slice")


# --- strided slices (`tensor[...]`)

_STRIDED_ATTRS = {"begin_mask": 0, "end_mask": 0, "ellipsis_mask": 0, "new_axis_mask": 0, "shrink_axis_mask": 0}


def _index_items(begin, end, strides, attrs) -> list:
    """The Python indexing items a strided-slice spec stands for (None entries in begin/end: unknown)."""
    items = []
    for i in _pyrange(len(begin)):
        bit = 1 << i
        if attrs["ellipsis_mask"] & bit:
            items.append(Ellipsis)
        elif attrs["new_axis_mask"] & bit:
            items.append(None)
        elif attrs["shrink_axis_mask"] & bit:
            items.append(("shrink", begin[i]))
        else:
            b = None if attrs["begin_mask"] & bit else begin[i]
            e = None if attrs["end_mask"] & bit else end[i]
            known = (b is not None or attrs["begin_mask"] & bit) and (e is not None or attrs["end_mask"] & bit) \
                and strides[i] is not None
            items.append(_pyslice(b, e, strides[i]) if known else ("unknown",))
    return items


def _strided_shape(op) -> TensorShape:
    x, b_t, e_t, s_t = op.inputs
    begin, end, strides = (_partial_const_vector(t) for t in (b_t, e_t, s_t))
    if begin is None or end is None or strides is None:
        return TensorShape(None)
    if any(s == 0 for s in strides):
        raise _op_error(op, "strides[0] must be non-zero" if strides[0] == 0 else "strides must be non-zero")
    items = _index_items(begin, end, strides, op.attrs)
    if sum(1 for it in items if it is Ellipsis) > 1:
        raise _op_error(op, "Multiple ellipses in slice spec not allowed")
    dims = x.shape.dims
    if dims is None:
        return TensorShape(None)
    consuming = sum(1 for it in items if it is not None and it is not Ellipsis)
    if consuming > len(dims):
        raise _op_error(op, f"Index out of range using input dim {len(dims)}; input has only {len(dims)} dims")
    out: list = []
    d = 0
    for it in items:
        if it is Ellipsis:
            n = len(dims) - consuming
            out.extend(dims[d:d + n])
            d += n
        elif it is None:
            out.append(1)
        elif isinstance(it, tuple) and it[0] == "shrink":
            dim = dims[d]
            if it[1] is not None and dim is not None and not -dim <= it[1] < dim:
                raise _op_error(op, f"slice index {it[1]} of dimension {d} out of bounds.")
            d += 1
        elif isinstance(it, tuple):
            out.append(None)
            d += 1
        else:
            dim = dims[d]
            out.append(None if dim is None else len(_pyrange(*it.indices(dim))))
            d += 1
    out.extend(dims[d:])
    return TensorShape(out)


def _kernel_index(k, begin, end, strides) -> tuple:
    got = k.cache.get("index")
    if got is not None:
        return got
    items = _index_items(_ints(begin), _ints(end), _ints(strides), k.attrs)
    idx = tuple(it[1] if isinstance(it, tuple) else it for it in items)
    if all(k.op.inputs[i].op.type == "Const" for i in (1, 2, 3)):
        k.cache["index"] = idx
    return idx


@op_def
class StridedSlice:
    attrs = dict(_STRIDED_ATTRS)
    shape = _strided_shape

    def dtype(op):
        return op.inputs[0].dtype.base_dtype

    def forward(k, x, begin, end, strides):
        idx = _kernel_index(k, begin, end, strides)
        return k.xp.asarray(x)[idx]

    def grad(op, g):
        x, b, e, s = op.inputs
        attrs = {n: op.attrs[n] for n in _STRIDED_ATTRS}
        return [make("StridedSliceGrad", [_shape_tensor(x), b, e, s, g], name="StridedSliceGrad", **attrs),
                None, None, None]


@op_def
class StridedSliceGrad:
    """The adjoint of StridedSlice: dy written into zeros shaped like the input."""
    attrs = dict(_STRIDED_ATTRS)

    shape = _shape_from_shape_input

    def dtype(op):
        return op.inputs[4].dtype.base_dtype

    def forward(k, s, begin, end, strides, dy):
        out = k.xp.zeros(_ints(s), dtype=dy.dtype)
        out[_kernel_index(k, begin, end, strides)] = dy
        return out


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0,
                  new_axis_mask=0, shrink_axis_mask=0, var=None, name=None) -> Tensor:
    """`tf.strided_slice`: Python-style slicing spelled as begin/end/strides vectors and bit masks."""
    x = convert_to_tensor(input_)
    b = _int_tensor(begin)
    e = _int_tensor(end)
    s = _int_tensor(strides if strides is not None else [1] * (b.shape.dims[0] or 0))
    return make("StridedSlice", [x, b, e, s], name=name or "StridedSlice", begin_mask=begin_mask,
                end_mask=end_mask, ellipsis_mask=ellipsis_mask, new_axis_mask=new_axis_mask,
                shrink_axis_mask=shrink_axis_mask)


def _is_index_scalar(v) -> bool:
    if isinstance(v, bool | np.bool_):
        return False
    if isinstance(v, int | np.integer):
        return True
    if isinstance(v, Tensor):
        return v.dtype.base_dtype in (_dt.int32, _dt.int64) and (v.shape.ndims in (0, None))
    return False


def _slice_helper(tensor, key) -> Tensor:
    """`tensor[key]` for ints, slices (with steps), Ellipsis, tf.newaxis and scalar int tensors."""
    x = convert_to_tensor(tensor)
    items = key if isinstance(key, tuple) else (key,)
    begin, end, strides = [], [], []
    masks = dict.fromkeys(_STRIDED_ATTRS, 0)
    for i, it in enumerate(items):
        bit = 1 << i
        if isinstance(it, _pyslice):
            for v in (it.start, it.stop, it.step):
                if v is not None and not _is_index_scalar(v):
                    raise TypeError(_BAD_INDEX.format(it))
            if it.step is not None and not isinstance(it.step, Tensor) and int(it.step) == 0:
                raise ValueError("slice step cannot be zero")
            begin.append(0 if it.start is None else it.start)
            end.append(0 if it.stop is None else it.stop)
            strides.append(1 if it.step is None else it.step)
            if it.start is None:
                masks["begin_mask"] |= bit
            if it.stop is None:
                masks["end_mask"] |= bit
        elif it is Ellipsis:
            begin.append(0), end.append(0), strides.append(1)
            masks["ellipsis_mask"] |= bit
        elif it is None:
            begin.append(0), end.append(0), strides.append(1)
            masks["new_axis_mask"] |= bit
        elif _is_index_scalar(it):
            begin.append(it)
            end.append(it + 1 if not isinstance(it, Tensor) else it + 1)
            strides.append(1)
            masks["shrink_axis_mask"] |= bit
        else:
            raise TypeError(_BAD_INDEX.format(it))
    with x.graph.name_scope("strided_slice") as scope:
        parts = [_pack_index(v) for v in (begin, end, strides)]
        return make("StridedSlice", [x] + parts, name=scope, **masks)


_BAD_INDEX = ("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar tf.int32/tf.int64 "
              "tensors are valid indices, got {!r}")


def _pack_index(values) -> Tensor:
    if not any(isinstance(v, Tensor) for v in values):
        return constant(np.asarray([int(v) for v in values], dtype=np.int32), dtype=_dt.int32, name="stack")
    d = next(v.dtype.base_dtype for v in values if isinstance(v, Tensor))
    return stack([v if isinstance(v, Tensor) else constant(int(v), dtype=d) for v in values], name="stack")


# --- gather_nd / scatter_nd

def _nd_linear_indices(indices, lead_shape: tuple, what: str) -> np.ndarray:
    """Host int64 row numbers into `lead_shape` (C order) for the index vectors in `indices`' last dim."""
    idx = np.asarray(_host(indices)).astype(np.int64, copy=False)
    depth = idx.shape[-1]
    flat = idx.reshape(int(np.prod(idx.shape[:-1], dtype=np.int64)), depth)
    if depth == 0:
        return np.zeros(flat.shape[0], dtype=np.int64)
    bad = ((flat < 0) | (flat >= np.asarray(lead_shape, dtype=np.int64))).any(axis=1)
    if bad.any():
        i = int(np.argmax(bad))
        where = ",".join(str(int(j)) for j in np.unravel_index(i, idx.shape[:-1])) if idx.ndim > 1 else ""
        raise IndexError(f"indices[{where}] = [{', '.join(str(int(v)) for v in flat[i])}] does not index into "
                         f"{what} shape [{','.join(str(int(d)) for d in lead_shape)}]")
    return np.ravel_multi_index(tuple(flat.T), lead_shape).astype(np.int64, copy=False)


@op_def
class GatherNd:
    """Slices of params at the index vectors in indices' last dim: out[i...] = params[indices[i...]]."""

    def shape(op):
        params, indices = op.inputs
        pd, idims = params.shape.dims, indices.shape.dims
        if idims is not None and len(idims) == 0:
            raise _op_error(op, "Shape must be at least rank 1 but is rank 0")
        if pd is None or idims is None or idims[-1] is None:
            return TensorShape(None)
        depth = idims[-1]
        if depth > len(pd):
            raise _op_error(op, f"indices.shape[-1] must be <= params.rank, but saw indices shape: "
                                f"{indices.shape.bracket()} and params shape: {params.shape.bracket()}")
        return TensorShape(list(idims[:-1]) + list(pd[depth:]))

    def dtype(op):
        return op.inputs[0].dtype.base_dtype

    def forward(k, params, indices):
        idx_shape = tuple(np.shape(indices))
        pshape = tuple(k.xp.shape(params))
        depth = idx_shape[-1]
        if depth > len(pshape):
            raise ValueError(f"indices.shape[-1] must be <= params.rank, but saw indices shape: "
                             f"{list(idx_shape)} and params shape: {list(pshape)}")
        rows = _nd_linear_indices(indices, pshape[:depth], "param")
        src = k.xp.reshape(params, (-1,) + pshape[depth:])
        return k.xp.take(src, k.b.asarray(rows), axis=0).reshape(idx_shape[:-1] + pshape[depth:])

    def grad(op, g):
        params, indices = op.inputs
        return [make("ScatterNd", [indices, g, _shape_tensor(params)], name="ScatterNd"), None]


def gather_nd(params, indices, name=None, batch_dims=0) -> Tensor:
    """Gathers slices of `params` addressed by the index vectors in the last dim of `indices`."""
    if batch_dims:
        raise NotImplementedError("tlboard's gather_nd supports batch_dims=0 only")
    params = convert_to_tensor(params)
    indices = convert_to_tensor(indices)
    if not indices.dtype.base_dtype.is_integer:
        raise TypeError(f"Value passed to parameter 'indices' has DataType {indices.dtype.base_dtype.name} not in "
                        "list of allowed values: int32, int64")
    return make("GatherNd", [params, indices], name=name or "GatherNd")


@op_def
class ScatterNd:
    """Zeros of `shape` with `updates` added at the index vectors in indices' last dim (repeats accumulate)."""

    def shape(op):
        indices, updates, shape_t = op.inputs
        target = _partial_const_vector(shape_t)
        out = TensorShape(target)
        idims, udims = indices.shape.dims, updates.shape.dims
        if idims is not None and len(idims) == 0:
            raise _op_error(op, "Shape must be at least rank 1 but is rank 0")
        if idims is None or udims is None or out.dims is None or idims[-1] is None:
            return out
        outer = len(idims) - 1
        depth = idims[-1]
        if depth > len(out.dims):
            raise _op_error(op, f"Output must have at least {depth} dimensions (indices.shape[-1]), got rank "
                                f"{len(out.dims)}")
        want = TensorShape(list(idims[:-1]) + list(out.dims[depth:]))
        if len(udims) != len(want.dims) or not want.is_compatible_with(updates.shape):
            raise _op_error(op, f"The shape of updates {updates.shape.bracket()} must be the outer {outer} "
                                f"dimensions of indices.shape={indices.shape.bracket()} followed by the inner "
                                f"{len(out.dims) - depth} dimensions of shape={out.bracket()}")
        return out

    def dtype(op):
        return op.inputs[1].dtype.base_dtype

    def forward(k, indices, updates, shape_v):
        out_shape = _ints(shape_v)
        idx_shape = tuple(np.shape(indices))
        depth = idx_shape[-1]
        inner = out_shape[depth:]
        if tuple(k.xp.shape(updates)) != idx_shape[:-1] + inner:
            raise ValueError(f"The shape of updates {list(k.xp.shape(updates))} must be the outer "
                             f"{len(idx_shape) - 1} dimensions of indices.shape={list(idx_shape)} followed by the "
                             f"inner {len(inner)} dimensions of shape={list(out_shape)}")
        rows = _nd_linear_indices(indices, out_shape[:depth], "output")
        lead = int(np.prod(out_shape[:depth], dtype=np.int64))
        upd = k.xp.reshape(updates, (rows.size,) + inner)
        return k.b.gather_grad((lead,) + inner, rows, upd, 0).reshape(out_shape)

    def grad(op, g):
        indices = op.inputs[0]
        return [None, make("GatherNd", [g, indices], name="GatherNd"), None]


def scatter_nd(indices, updates, shape, name=None) -> Tensor:
    """A tensor of `shape` holding zeros, with `updates` summed in at the index vectors of `indices`."""
    indices = convert_to_tensor(indices)
    updates = convert_to_tensor(updates)
    if not indices.dtype.base_dtype.is_integer:
        raise TypeError(f"Value passed to parameter 'indices' has DataType {indices.dtype.base_dtype.name} not in "
                        "list of allowed values: int32, int64")
    if isinstance(shape, TensorShape):
        shape = shape.as_list()
    return make("ScatterNd", [indices, updates, _int_tensor(shape)], name=name or "ScatterNd")


# --- diagonals

def _diag_index(xp, n: int):
    r = xp.arange(n)
    return r, r


@op_def
class Diag:
    """A tensor of rank 2k with `diagonal` (rank k) on its diagonal: out[i..., i...] = diagonal[i...]."""

    def shape(op):
        dims = op.inputs[0].shape.dims
        return TensorShape(None) if dims is None else TensorShape(list(dims) + list(dims))

    def dtype(op):
        return op.inputs[0].dtype.base_dtype

    def forward(k, x):
        shp = tuple(k.xp.shape(x))
        return k.xp.diag(k.xp.reshape(x, (-1,))).reshape(shp + shp)

    def grad(op, g):
        return make("DiagPart", [g], name="DiagPart")


@op_def
class DiagPart:
    """The diagonal of a rank-2k tensor whose dims i and i+k match (Diag's inverse)."""

    def shape(op):
        x = op.inputs[0]
        dims = x.shape.dims
        if dims is None:
            return TensorShape(None)
        if len(dims) % 2:
            raise _op_error(op, f"Input must have even rank <= 6, input rank is {len(dims)}")
        half = len(dims) // 2
        out = []
        for i in _pyrange(half):
            a, b = dims[i], dims[i + half]
            if a is not None and b is not None and a != b:
                raise _op_error(op, f"Dimensions must be equal, but are {a} and {b}")
            out.append(a if a is not None else b)
        return TensorShape(out)

    def dtype(op):
        return op.inputs[0].dtype.base_dtype

    def forward(k, x):
        shp = tuple(k.xp.shape(x))
        half = len(shp) // 2
        if len(shp) % 2 or shp[:half] != shp[half:]:
            raise ValueError(f"Invalid shape {list(shp)}: dims i and i+{half} must be equal (even rank)")
        n = int(np.prod(shp[:half], dtype=np.int64))
        return k.xp.array(k.xp.diagonal(k.xp.reshape(x, (n, n)))).reshape(shp[:half])

    def grad(op, g):
        return make("Diag", [g], name="Diag")


@op_def
class MatrixDiag:
    """Batched diagonal matrices: [..., N] -> [..., N, N]."""

    def shape(op):
        dims = op.inputs[0].shape.dims
        if dims is None:
            return TensorShape(None)
        if not dims:
            raise _op_error(op, "Shape must be at least rank 1 but is rank 0")
        return TensorShape(list(dims) + [dims[-1]])

    def dtype(op):
        return op.inputs[0].dtype.base_dtype

    def forward(k, x):
        shp = tuple(k.xp.shape(x))
        out = k.xp.zeros(shp + shp[-1:], dtype=x.dtype)
        out[(Ellipsis,) + _diag_index(k.xp, shp[-1])] = x
        return out

    def grad(op, g):
        return make("MatrixDiagPart", [g], name="MatrixDiagPart")


def _matrix_rank_check(op, x: Tensor) -> list | None:
    dims = x.shape.dims
    if dims is not None and len(dims) < 2:
        raise _op_error(op, f"Shape must be at least rank 2 but is rank {len(dims)}")
    return None if dims is None else list(dims)


def _min_dim(a, b):
    if a is not None and b is not None:
        return builtins.min(a, b)
    return 0 if 0 in (a, b) else None


@op_def
class MatrixDiagPart:
    """The main diagonals of a batch of matrices: [..., M, N] -> [..., min(M, N)]."""

    def shape(op):
        dims = _matrix_rank_check(op, op.inputs[0])
        if dims is None:
            return TensorShape(None)
        return TensorShape(dims[:-2] + [_min_dim(dims[-2], dims[-1])])

    def dtype(op):
        return op.inputs[0].dtype.base_dtype

    def forward(k, x):
        return k.xp.array(k.xp.diagonal(x, axis1=-2, axis2=-1))

    def grad(op, g):
        x = op.inputs[0]
        return make("MatrixSetDiag", [zeros_like(x), g], name="MatrixSetDiag")


@op_def
class MatrixSetDiag:
    """A copy of a batch of matrices with their main diagonals replaced."""

    def shape(op):
        x, d = op.inputs
        dims = _matrix_rank_check(op, x)
        if dims is not None and d.shape.dims is not None:
            want = TensorShape(dims[:-2] + [_min_dim(dims[-2], dims[-1])])
            if not want.is_compatible_with(d.shape):
                raise _op_error(op, f"Shapes {want.bracket()} and {d.shape.bracket()} are incompatible: the "
                                    "diagonal must have shape input.shape[:-2] + [min(input.shape[-2:])]")
        return x.shape

    def dtype(op):
        return op.inputs[0].dtype.base_dtype

    def forward(k, x, d):
        shp = tuple(k.xp.shape(x))
        out = k.xp.array(x, copy=True)
        out[(Ellipsis,) + _diag_index(k.xp, builtins.min(shp[-2:]))] = d
        return out

    def grad(op, g):
        _, d = op.inputs
        return [make("MatrixSetDiag", [g, zeros_like(d)], name="MatrixSetDiag"),
                make("MatrixDiagPart", [g], name="MatrixDiagPart")]


def diag(diagonal, name=None) -> Tensor:
    """A rank-2k tensor with `diagonal` (rank k) on its diagonal and zeros elsewhere."""
    return make("Diag", [convert_to_tensor(diagonal)], name=name or "Diag")


def diag_part(input, name=None) -> Tensor:
    """The diagonal of a rank-2k tensor (the inverse of `diag`)."""
    return make("DiagPart", [convert_to_tensor(input)], name=name or "DiagPart")


def matrix_diag(diagonal, name=None) -> Tensor:
    """Batched diagonal matrices from the last dim of `diagonal`: [..., N] -> [..., N, N]."""
    return make("MatrixDiag", [convert_to_tensor(diagonal)], name=name or "MatrixDiag")


def matrix_diag_part(input, name=None) -> Tensor:
    """The main diagonal of each matrix in the batch: [..., M, N] -> [..., min(M, N)]."""
    return make("MatrixDiagPart", [convert_to_tensor(input)], name=name or "MatrixDiagPart")


def matrix_set_diag(input, diagonal, name=None) -> Tensor:
    """`input` with the main diagonal of each matrix replaced by `diagonal`."""
    x = convert_to_tensor(input)
    d = convert_to_tensor(diagonal, dtype=x.dtype.base_dtype)
    return make("MatrixSetDiag", [x, d], name=name or "MatrixSetDiag")


def matrix_transpose(a, name="matrix_transpose", conjugate=False) -> Tensor:
    """Transposes the last two dims of a (batch of) matrices."""
    a = convert_to_tensor(a)
    with a.graph.name_scope(name or "matrix_transpose") as scope:
        r = a.shape.ndims
        if r is not None:
            if r < 2:
                raise ValueError(f"Argument 'a' should be a (batch) matrix, with rank >= 2.  Found: {a.shape}")
            perm = list(_pyrange(r - 2)) + [r - 1, r - 2]
            return make("Transpose", [a, constant(np.asarray(perm, dtype=np.int32), name="perm")], name=scope)
        rk = make("Rank", [a], name="Rank")
        two, one = constant(2, name="two"), constant(1, name="one")
        perm = concat([range(rk - two), stack([rk - one, rk - two])], 0, name="perm")
        return make("Transpose", [a, perm], name=scope)


def eye(num_rows, num_columns=None, batch_shape=None, dtype=_dt.float32, name=None) -> Tensor:
    """An identity matrix [num_rows, num_columns] (or a batch of them of shape batch_shape + [rows, cols])."""
    dtype = _dt.as_dtype(dtype).base_dtype
    cols = num_rows if num_columns is None else num_columns
    static = all(isinstance(v, int | np.integer) for v in (num_rows, cols)) and (
        batch_shape is None or not isinstance(batch_shape, Tensor))
    with get_default_graph().name_scope(name or "eye") as scope:
        if static:
            m = np.eye(int(num_rows), int(cols), dtype=dtype.as_numpy_dtype)
            if batch_shape is not None:
                m = np.broadcast_to(m, [int(d) for d in batch_shape] + list(m.shape)).copy()
            return constant(m, dtype=dtype, name=scope)
        rows_t = range(num_rows, dtype=_dt.int32)
        cols_t = range(cols, dtype=_dt.int32)
        from .math_ops import cast, equal
        hot = equal(expand_dims(rows_t, 1), expand_dims(cols_t, 0))
        if batch_shape is None:
            return cast(hot, dtype, name=scope)
        out = cast(hot, dtype)
        batch = batch_shape if isinstance(batch_shape, Tensor) else convert_to_tensor(
            [int(d) for d in batch_shape], dtype=_dt.int32)
        target = concat([_cast(batch, _dt.int32), shape(out)], 0)
        return make("BroadcastTo", [out, target], name=scope)


# --- unique

@op_def
class Unique:
    """The distinct elements of a vector in order of first appearance (y), and each element's index in y."""
    attrs = {"out_idx": _dt.int32}

    def shape(op):
        x = op.inputs[0]
        if x.shape.dims is not None and len(x.shape.dims) != 1:
            raise _op_error(op, f"Shape must be rank 1 but is rank {len(x.shape.dims)}")
        return [TensorShape([None]), TensorShape([None]) if x.shape.dims is None else x.shape]

    def dtype(op):
        return [op.inputs[0].dtype.base_dtype, op.attrs["out_idx"]]

    def forward(k, x):
        xp = k.xp
        if x.ndim != 1:
            raise ValueError(f"unique expects a 1D vector, got shape {list(x.shape)}")
        values, first, inverse = xp.unique(x, return_index=True, return_inverse=True)
        order = xp.argsort(first)
        rank_of = xp.empty_like(order)
        rank_of[order] = xp.arange(order.size)
        idx = rank_of[xp.reshape(inverse, (-1,))].astype(k.attrs["out_idx"].as_numpy_dtype)
        return values[order], idx


_UniqueOutput = namedtuple("Unique", ["y", "idx"])


def unique(x, out_idx=_dt.int32, name=None) -> tuple:
    """(y, idx): the distinct elements of 1-D `x` in order of first appearance, and x's indices into y."""
    y, idx = make("Unique", [convert_to_tensor(x)], name=name or "Unique",
                  out_idx=_dt.as_dtype(out_idx).base_dtype)
    return _UniqueOutput(y, idx)
