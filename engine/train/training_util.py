"""The global step: an int64 scalar variable named "global_step" in the GLOBAL_STEP collection."""
from __future__ import annotations

from .. import dtypes as _dt
from ..graph import Graph, GraphKeys, Tensor, get_default_graph
from ..ops import array_ops
from ..variables import Variable


def get_global_step(graph: Graph | None = None) -> Variable | Tensor | None:
    """The graph's global step (from its collection, else the tensor 'global_step:0'), or None."""
    graph = graph or get_default_graph()
    found = graph.get_collection(GraphKeys.GLOBAL_STEP)
    if len(found) > 1:
        raise TypeError("Multiple tensors in global_step collection.")
    if found:
        step = found[0]
    else:
        try:
            step = graph.get_tensor_by_name("global_step:0")
        except KeyError:
            return None
    assert_global_step(step)
    return step


def assert_global_step(global_step_tensor) -> None:
    """Raises TypeError unless the value is an integer scalar variable or tensor."""
    dtype = global_step_tensor.dtype.base_dtype
    if not dtype.is_integer:
        raise TypeError(f"Existing \"global_step\" does not have integer type: {dtype.name}")
    dims = global_step_tensor.shape.dims
    if dims is not None and len(dims) != 0:
        raise TypeError(f"Existing \"global_step\" is not scalar: {global_step_tensor.shape}")


def create_global_step(graph: Graph | None = None) -> Variable:
    """Creates the global step variable (ValueError if the graph already has one)."""
    graph = graph or get_default_graph()
    if get_global_step(graph) is not None:
        raise ValueError('"global_step" already exists.')
    with graph.as_default(), graph.name_scope(None), graph.control_dependencies(None):
        def zeros():
            return array_ops.constant(0, dtype=_dt.int64, name="zeros")

        step = Variable(zeros, trainable=False, name=GraphKeys.GLOBAL_STEP, dtype=_dt.int64,
                        collections=[GraphKeys.GLOBAL_VARIABLES, GraphKeys.GLOBAL_STEP])
    graph._variable_store.setdefault(GraphKeys.GLOBAL_STEP, step)  # so get_variable("global_step") finds it
    return step


def get_or_create_global_step(graph: Graph | None = None) -> Variable | Tensor:
    """The graph's global step, created first when missing."""
    graph = graph or get_default_graph()
    step = get_global_step(graph)
    return step if step is not None else create_global_step(graph)


def global_step(sess, global_step_tensor) -> int:
    """`tf.train.global_step(sess, global_step_tensor)`: its current value as a Python int."""
    return int(sess.run(global_step_tensor))
