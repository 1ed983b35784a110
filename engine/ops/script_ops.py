"""tf.py_func: a graph op that calls a Python function on NumPy arrays.

The function is kept in a registry under a token ("pyfunc_0", ...) that the op carries as its attr, as TF
does. Its inputs reach it as host NumPy arrays (copied off the GPU when the op is placed there) and its
results are checked against `Tout`: the count must match, and each value is converted to its output dtype
when NumPy can cast it within its kind (float64 -> float32, int64 -> int32); other mismatches raise TF's
InvalidArgumentError. Exceptions from the function become TF's errors for them: ValueError and TypeError an
InvalidArgumentError, StopIteration an OutOfRangeError, MemoryError a ResourceExhaustedError,
NotImplementedError an UnimplementedError, anything else an UnknownError.
"""
from __future__ import annotations

import itertools
import traceback
import weakref
from collections.abc import Callable

import numpy as np

from .. import dtypes as _dt
from .. import errors
from ..graph import Graph, Operation, convert_to_tensor, get_default_graph
from ..registry import op_def
from ..shapes import TensorShape

__all__ = ["py_func", "numpy_function"]

# graph -> {token: function}; dropped with the graph.
_functions: weakref.WeakKeyDictionary[Graph, dict[str, Callable]] = weakref.WeakKeyDictionary()
_tokens = itertools.count()
_TF_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "half"}
_ERROR_FOR = (
    ((ValueError, TypeError), errors.InvalidArgumentError),
    ((StopIteration,), errors.OutOfRangeError),
    ((MemoryError,), errors.ResourceExhaustedError),
    ((NotImplementedError,), errors.UnimplementedError),
)


def _type_name(dtype: _dt.DType) -> str:
    return _TF_TYPE_NAMES.get(dtype.name, dtype.name)


def _node(op: Operation) -> str:
    return f"\n\t [[node {op.name} ({op.type})]]"


def _host(k, x) -> np.ndarray:
    return np.asarray(k.b.to_numpy(x))


def _call(k, *inputs):
    op = k.op
    token = k.attrs["token"]
    func = _functions.get(op.graph, {}).get(token)
    if func is None:
        raise errors.InvalidArgumentError(None, op, f"callback {token} is not found{_node(op)}")
    args = [_host(k, x) for x in inputs]
    args = [a[()] if a.ndim == 0 and a.dtype == object else a for a in args]  # a scalar string as bytes
    try:
        result = func(*args)
    except Exception as e:  # noqa: BLE001 - any error of the user's function becomes a tf.errors one
        error = next((cls for types, cls in _ERROR_FOR if isinstance(e, types)), errors.UnknownError)
        trace = "".join(traceback.format_exception(type(e), e, e.__traceback__))
        raise error(None, op, f"{type(e).__name__}: {e}\n{trace}{_node(op)}") from e
    return _outputs(op, token, k.attrs["Tout"], result)


def _outputs(op: Operation, token: str, tout: list, result):
    if isinstance(result, bytes | str):
        result = [result]
    if isinstance(result, list | tuple):
        values = list(result)
    elif result is None and not tout:
        values = []
    else:
        values = [result]
    if len(values) != len(tout):
        raise errors.InvalidArgumentError(
            None, op, f"{token} returns {len(values)} values, but expects to see {len(tout)} values.{_node(op)}")
    out = tuple(_converted(op, token, i, v, _dt.as_dtype(d)) for i, (v, d) in enumerate(zip(values, tout)))
    return out[0] if len(out) == 1 else out  # the session takes a single output as the value itself


def _converted(op: Operation, token: str, i: int, value, dtype: _dt.DType) -> np.ndarray:
    if dtype is _dt.string:
        arr = np.asarray(value, dtype=object)
        if arr.size and all(isinstance(s, bytes | str) for s in arr.reshape(-1)):
            return np.vectorize(lambda s: s.encode() if isinstance(s, str) else s, otypes=[object])(arr)
        got = _dt.dtype_of_value(arr) if arr.size else _dt.string
    else:
        arr = np.asarray(value)
        want = np.dtype(dtype.as_numpy_dtype)
        if arr.dtype == want:
            return arr
        if arr.dtype.kind not in "OSU" and np.can_cast(arr.dtype, want, casting="same_kind"):
            return arr.astype(want)
        got = _dt.as_dtype(arr.dtype) if arr.dtype.kind not in "OSU" else _dt.string
    raise errors.InvalidArgumentError(
        None, op, f"{i}-th value returned by {token} is {_type_name(got)}, but expects {_type_name(dtype)}"
                  f"{_node(op)}")


def _unknown_shapes(op) -> list[TensorShape]:
    return [TensorShape(None) for _ in op.attrs["Tout"]]


def _tout(op) -> list:
    return list(op.attrs["Tout"])


@op_def
class PyFunc:
    """Calls a registered Python function on its inputs (a stateful one: runs every time, never folded)."""

    attrs = {"token": "", "Tin": [], "Tout": []}
    stateful = True
    shape = _unknown_shapes
    dtype = _tout
    forward = _call


@op_def
class PyFuncStateless:
    """PyFunc for a function declared stateless (deterministic, without side effects)."""

    attrs = {"token": "", "Tin": [], "Tout": []}
    shape = _unknown_shapes
    dtype = _tout
    forward = _call


def py_func(func: Callable, inp, Tout, stateful: bool = True, name: str | None = None):
    """`tf.py_func`: wraps a Python function on NumPy arrays as a graph op; returns a tensor or list of them."""
    if not callable(func):
        raise TypeError(f"func must be callable, got {func!r}")
    is_list = isinstance(Tout, list | tuple)
    tout = [_dt.as_dtype(d).base_dtype for d in (Tout if is_list else [Tout])]
    inputs = [convert_to_tensor(x) for x in (inp if isinstance(inp, list | tuple) else [inp])]
    graph = inputs[0].graph if inputs else get_default_graph()
    token = f"pyfunc_{next(_tokens)}"
    _functions.setdefault(graph, {})[token] = func
    op = graph.create_op("PyFunc" if stateful else "PyFuncStateless", inputs,
                         {"token": token, "Tin": [t.dtype.base_dtype for t in inputs], "Tout": tout},
                         name=name or "PyFunc")
    if not op.outputs:
        return op
    return list(op.outputs) if is_list else op.outputs[0]


def numpy_function(func: Callable, inp, Tout, name: str | None = None):
    """`tf.numpy_function`: `tf.py_func` under its TF 1.14 name (always stateful)."""
    return py_func(func, inp, Tout, stateful=True, name=name)

