"""Exports an engine Graph as a TensorFlow `GraphDef`: TF op type names, `^ctrl` inputs, typed attrs and
`_output_shapes`, so stock TensorBoard's graph tab draws it grouped by name scope with shapes on edges."""
from __future__ import annotations

import os

import numpy as np
from google.protobuf import text_format

from tlboard.engine import dtypes as _dt
from tlboard.engine.shapes import TensorShape

from .protos import attr_value_pb2, graph_pb2, node_def_pb2, tensor_pb2, tensor_shape_pb2

GRAPH_DEF_PRODUCER = 27  # the GraphDef version TF 1.x graphs of this op set carry
_TYPE_ATTRS = ("T", "dtype", "DstT", "out_type", "output_type", "Tidx", "Tout")


def shape_proto(shape: TensorShape) -> tensor_shape_pb2.TensorShapeProto:
    """TensorShapeProto for a static shape (-1 for unknown dims, unknown_rank when the rank is unknown)."""
    p = tensor_shape_pb2.TensorShapeProto()
    if shape.dims is None:
        p.unknown_rank = True
    else:
        for d in shape.dims:
            p.dim.add(size=-1 if d is None else d)
    return p


def tensor_proto(value: np.ndarray, dtype: _dt.DType) -> tensor_pb2.TensorProto:
    """TensorProto holding a constant's value (raw bytes for numbers, string_val for strings)."""
    arr = np.asarray(value)
    p = tensor_pb2.TensorProto(dtype=dtype.as_datatype_enum)
    p.tensor_shape.CopyFrom(shape_proto(TensorShape(arr.shape)))
    if dtype is _dt.string:
        p.string_val.extend(v if isinstance(v, bytes) else str(v).encode() for v in arr.reshape(-1))
    else:
        p.tensor_content = np.ascontiguousarray(arr, dtype=dtype.as_numpy_dtype).astype(
            np.dtype(dtype.as_numpy_dtype).newbyteorder("<")).tobytes()
    return p


def attr_value(value, key: str = "") -> attr_value_pb2.AttrValue | None:
    """Converts a Python attr value into an AttrValue (None when it has no GraphDef form)."""
    av = attr_value_pb2.AttrValue()
    if isinstance(value, _dt.DType):
        av.type = value.base_dtype.as_datatype_enum
    elif isinstance(value, TensorShape):
        av.shape.CopyFrom(shape_proto(value))
    elif isinstance(value, bool | np.bool_):
        av.b = bool(value)
    elif isinstance(value, int | np.integer):
        av.i = int(value)
    elif isinstance(value, float | np.floating):
        av.f = float(value)
    elif isinstance(value, str):
        av.s = value.encode()
    elif isinstance(value, bytes):
        av.s = value
    elif isinstance(value, list | tuple):
        items = list(value)
        if all(isinstance(v, bool) for v in items):
            av.list.b.extend(items)
        elif all(isinstance(v, int | np.integer) for v in items):
            av.list.i.extend(int(v) for v in items)
        elif all(isinstance(v, float | int) for v in items):
            av.list.f.extend(float(v) for v in items)
        elif all(isinstance(v, str) for v in items):
            av.list.s.extend(v.encode() for v in items)
        elif all(isinstance(v, _dt.DType) for v in items):
            av.list.type.extend(v.as_datatype_enum for v in items)
        elif all(isinstance(v, TensorShape) for v in items):
            av.list.shape.extend(shape_proto(v) for v in items)
        else:
            return None
    else:
        return None
    return av


def _input_name(t) -> str:
    return t.op.name if t.value_index == 0 else f"{t.op.name}:{t.value_index}"


def node_def_of(op, add_shapes: bool = False):
    """The NodeDef of one Operation."""
    node = node_def_pb2.NodeDef(name=op.name, op=op.type, device=op.device)
    node.input.extend(_input_name(t) for t in op.inputs)
    node.input.extend("^" + c.name for c in op.control_inputs)
    attrs = dict(op.attrs)
    if op.type == "Const":
        node.attr["dtype"].type = attrs["dtype"].as_datatype_enum
        node.attr["value"].tensor.CopyFrom(tensor_proto(attrs["value"], attrs["dtype"]))
        attrs = {}
    elif op.inputs and not any(k in attrs for k in _TYPE_ATTRS):
        attrs["T"] = op.inputs[0].dtype.base_dtype
    if op.type == "Cast":
        attrs["SrcT"] = op.inputs[0].dtype.base_dtype
    if op.op_def.graph_attrs is not None:
        attrs.update(op.op_def.graph_attrs(op))
    for key, value in attrs.items():
        av = attr_value(value, key)
        if av is not None:
            node.attr[key].CopyFrom(av)
    if add_shapes and op.outputs:
        node.attr["_output_shapes"].list.shape.extend(shape_proto(t.shape) for t in op.outputs)
    return node


def graph_to_graph_def(graph, add_shapes: bool = False) -> graph_pb2.GraphDef:
    """The whole graph as a GraphDef, nodes in creation order."""
    gd = graph_pb2.GraphDef()
    gd.versions.producer = GRAPH_DEF_PRODUCER
    gd.node.extend(node_def_of(op, add_shapes) for op in graph.get_operations())
    return gd


def write_graph(graph_or_graph_def, logdir: str, name: str, as_text: bool = True) -> str:
    """`tf.train.write_graph`: writes the GraphDef to logdir/name as text (pbtxt) or binary; returns the path."""
    gd = graph_or_graph_def
    if hasattr(gd, "as_graph_def"):
        gd = gd.as_graph_def()
    os.makedirs(logdir, exist_ok=True)
    path = os.path.join(logdir, name)
    if as_text:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text_format.MessageToString(gd))
    else:
        with open(path, "wb") as f:
            f.write(gd.SerializeToString())
    return path
