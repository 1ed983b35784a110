"""Grouping and ordering: NoOp, `tf.group`, `tf.tuple`."""
from __future__ import annotations

import builtins

from ..graph import Operation, Tensor, get_default_graph
from ..registry import op_def

__all__ = ["no_op", "group", "tuple"]


@op_def
class NoOp:
    def shape(op):
        return []

    def forward(k):
        return ()


def no_op(name=None) -> Operation:
    """An op that does nothing (useful as a control-dependency anchor)."""
    return get_default_graph().create_op("NoOp", [], name=name or "NoOp")


def group(*inputs, name=None) -> Operation:
    """A NoOp that runs only after every op/tensor in `inputs`."""
    ops = []
    for x in inputs:
        for item in (x if isinstance(x, list | builtins.tuple) else [x]):
            if hasattr(item, "_as_graph_element"):
                item = item._as_graph_element()
            ops.append(item.op if isinstance(item, Tensor) else item)
    graph = ops[0].graph if ops else get_default_graph()
    with graph.control_dependencies(ops):
        return graph.create_op("NoOp", [], name=name or "group_deps")


def tuple(tensors, name=None, control_inputs=None) -> list:
    """`tf.tuple`: the tensors, each available only once all of them are computed."""
    from .array_ops import identity
    tensors = list(tensors)
    graph = get_default_graph()
    with graph.name_scope(name or "tuple"):
        gate = group(*[t for t in tensors if t is not None], *(control_inputs or []))
        with graph.control_dependencies([gate]):
            return [identity(t) if t is not None else None for t in tensors]
