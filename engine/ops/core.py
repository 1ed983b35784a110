"""The one helper op constructors use to add a declared op to the default graph."""
from __future__ import annotations

from ..graph import Graph, Tensor, convert_to_tensor, get_default_graph


def make(op_type: str, inputs, name: str | None = None, graph: Graph | None = None, **attrs):
    """Adds an `op_type` op; returns its only output, or the list of outputs (the Operation if none)."""
    inputs = [convert_to_tensor(x) for x in inputs]
    if graph is None:
        graph = inputs[0].graph if inputs else get_default_graph()
    op = graph.create_op(op_type, inputs, attrs, name=name)
    if not op.outputs:
        return op
    return op.outputs[0] if len(op.outputs) == 1 else list(op.outputs)


def same_dtype_inputs(op_name: str, x, y, names=("x", "y")) -> tuple[Tensor, Tensor]:
    """Converts a binary op's inputs, the Python side taking the tensor side's dtype (TF1 rules)."""
    x_is_t = isinstance(x, Tensor) or hasattr(x, "_as_tensor")
    y_is_t = isinstance(y, Tensor) or hasattr(y, "_as_tensor")
    if x_is_t:
        x = convert_to_tensor(x)
        y = convert_to_tensor(y, dtype=x.dtype.base_dtype) if not y_is_t else convert_to_tensor(y)
    elif y_is_t:
        y = convert_to_tensor(y)
        x = convert_to_tensor(x, dtype=y.dtype.base_dtype)
    else:
        x = convert_to_tensor(x)
        y = convert_to_tensor(y, dtype=x.dtype.base_dtype)
    if x.dtype.base_dtype is not y.dtype.base_dtype:
        raise TypeError(f"Input '{names[1]}' of '{op_name}' Op has type {y.dtype.base_dtype.name} that does not "
                        f"match type {x.dtype.base_dtype.name} of argument '{names[0]}'.")
    return x, y
