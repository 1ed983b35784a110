"""Initial values for the variables optimizers and moving averages create beside a primary one."""
from __future__ import annotations

from .. import dtypes as _dt
from ..graph import Tensor, get_default_graph
from ..ops import array_ops, math_ops
from ..shapes import TensorShape


def filled_value(shape: TensorShape, dtype, fill: float = 0.0, like: Tensor | None = None) -> Tensor:
    """A tensor of `shape` filled with `fill`: a small Fill op when the shape is static (so GraphDefs stay
    small and nothing is fed), else computed from the run-time shape of `like`."""
    dtype = _dt.as_dtype(dtype).base_dtype
    if shape.is_fully_defined():
        with get_default_graph().name_scope("zeros" if fill == 0 else "Const") as scope:
            dims = array_ops.constant(shape.as_list(), dtype=_dt.int32, name="shape_as_tensor")
            return array_ops.fill(dims, array_ops.constant(fill, dtype=dtype, name="Const"), name=scope)
    if like is None:
        raise ValueError(f"A slot of partially known shape {shape} needs a tensor to take its shape from")
    zeros = array_ops.zeros_like(like)
    return zeros if fill == 0 else math_ops.add(zeros, fill)
