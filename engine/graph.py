"""Graphs, operations and tensors, with TF1's naming, scoping, collections and control dependencies."""
from __future__ import annotations

import contextlib
import re
import threading

import numpy as np

from . import dtypes as _dt
from .registry import get_op_def
from .shapes import TensorShape, as_shape


class GraphKeys:
    """Standard collection names, as TF1 spells them."""

    GLOBAL_VARIABLES = "variables"
    VARIABLES = "variables"
    LOCAL_VARIABLES = "local_variables"
    METRIC_VARIABLES = "metric_variables"
    MODEL_VARIABLES = "model_variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    SUMMARIES = "summaries"
    QUEUE_RUNNERS = "queue_runners"
    TABLE_INITIALIZERS = "table_initializer"
    REGULARIZATION_LOSSES = "regularization_losses"
    LOSSES = "losses"
    UPDATE_OPS = "update_ops"
    GLOBAL_STEP = "global_step"
    TRAIN_OP = "train_op"
    INIT_OP = "init_op"
    SAVERS = "savers"
    ACTIVATIONS = "activations"
    WEIGHTS = "weights"
    BIASES = "biases"


_VALID_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\\/>-]*$")


class Tensor:
    """A symbolic output of an Operation; its value exists only inside `Session.run`."""

    __array_priority__ = 100  # so ndarray <op> Tensor defers to our reflected operators

    def __init__(self, op: Operation, value_index: int, dtype: _dt.DType, shape: TensorShape):
        self.op = op
        self.value_index = value_index
        self.dtype = dtype
        self._shape = shape
        self._consumers: list[Operation] = []

    @property
    def name(self) -> str:
        return f"{self.op.name}:{self.value_index}"

    @property
    def graph(self) -> Graph:
        return self.op.graph

    @property
    def device(self) -> str:
        return self.op.device

    @property
    def shape(self) -> TensorShape:
        return self._shape

    def get_shape(self) -> TensorShape:
        """The static shape (unknown dims are None)."""
        return self._shape

    def set_shape(self, shape) -> None:
        """Refines the static shape with what the caller knows."""
        self._shape = self._shape.merge_with(as_shape(shape))

    def consumers(self) -> list[Operation]:
        return list(self._consumers)

    def eval(self, feed_dict=None, session=None):
        """Runs the default (or given) session to compute this tensor."""
        from .session import _session_for
        return _session_for(session, self.graph).run(self, feed_dict)

    def __repr__(self) -> str:
        return f"<tf.Tensor '{self.name}' shape={self._shape} dtype={self.dtype.name}>"

    def __str__(self) -> str:
        return f'Tensor("{self.name}", shape={self._shape}, dtype={self.dtype.name})'

    # Identity semantics for ==, hash: tensors are dict keys (feed_dict), as in TF1.
    __hash__ = object.__hash__

    def __bool__(self):
        raise TypeError("Using a `tf.Tensor` as a Python `bool` is not allowed. Use `if t is not None:` "
                        "instead of `if t:` to test if a tensor is defined, and use TensorFlow ops such "
                        "as tf.cond to execute subgraphs conditioned on the value of a tensor.")

    def __iter__(self):
        dims = self._shape.dims
        if dims is None or not dims or dims[0] is None:
            raise TypeError("Tensor objects are only iterable when the first dimension is known.")
        from .ops import array_ops
        return iter(array_ops.unstack(self, num=dims[0]))

    def __len__(self):
        dims = self._shape.dims
        if dims is None or not dims or dims[0] is None:
            raise TypeError(f"len is not well defined for symbolic Tensors. ({self.name})")
        return dims[0]
    # Arithmetic, comparison and indexing operators are attached by ops/math_ops.py and ops/array_ops.py.


class Operation:
    """A node of the graph: an op type, inputs, attrs and output tensors."""

    def __init__(self, graph: Graph, op_type: str, name: str, inputs: list[Tensor], attrs: dict,
                 control_inputs: list[Operation], device: str):
        self.graph = graph
        self.type = op_type
        self.name = name
        self.inputs = tuple(inputs)
        self.attrs = attrs
        self.control_inputs = list(control_inputs)
        self.device = device
        self.op_def = get_op_def(op_type)
        self.outputs: list[Tensor] = []
        self._guards: tuple = ()  # tf.cond branch conditions this op runs under
        self._id = graph._next_id()

    @property
    def node_def(self):
        from tlboard.summaries.graph_def import node_def_of
        return node_def_of(self)

    def get_attr(self, name: str):
        """The value of an attr (KeyError when absent)."""
        return self.attrs[name]

    def values(self) -> tuple:
        return tuple(self.outputs)

    def run(self, feed_dict=None, session=None) -> None:
        """Runs this op in the default (or given) session."""
        from .session import _session_for
        _session_for(session, self.graph).run(self, feed_dict)

    def _add_control_input(self, op: Operation) -> None:
        if op not in self.control_inputs:
            self.control_inputs.append(op)

    def __repr__(self) -> str:
        return f"<tf.Operation '{self.name}' type={self.type}>"


class Graph:
    """A TF1 dataflow graph: operations, a name-scope stack, collections and control dependencies."""

    def __init__(self):
        self._ops: list[Operation] = []
        self._ops_by_name: dict[str, Operation] = {}
        self._names_in_use: dict[str, int] = {}
        self._name_stack = ""
        self._control_stack: list[list[Operation] | None] = []
        self._device_stack: list[str] = []
        self._collections: dict[str, list] = {}
        self._last_id = 0
        self.seed: int | None = None
        self._finalized = False
        self._variable_scope_stack: list = []  # managed by variables.variable_scope
        self._variable_store: dict = {}
        self._lock = threading.RLock()
        self._keras_layer_counts: dict[str, int] = {}
        self._cond_stack: list[tuple] = []  # (pred tensor, branch taken when pred == this bool)

    # --- ids, names and scopes
    def _next_id(self) -> int:
        self._last_id += 1
        return self._last_id

    @property
    def version(self) -> int:
        return self._last_id

    def unique_name(self, name: str, mark_as_used: bool = True) -> str:
        """`name` under the current scope, suffixed `_1`, `_2`... when taken (case-insensitively, like TF)."""
        if self._name_stack:
            name = self._name_stack + "/" + name
        key = name.lower()
        count = self._names_in_use.get(key, 0)
        if mark_as_used:
            self._names_in_use[key] = count + 1
        if count > 0:
            base = key
            while key in self._names_in_use:
                key = f"{base}_{count}"
                count += 1
            if mark_as_used:
                self._names_in_use[key] = 1
            name = f"{name}_{count - 1}"
        return name

    def get_name_scope(self) -> str:
        return self._name_stack

    @contextlib.contextmanager
    def name_scope(self, name: str | None):
        """Enters a name scope: `None`/"" resets to the root, "a/" re-enters exactly, "a" is uniquified."""
        old = self._name_stack
        if not name:
            new = ""
        elif name.endswith("/"):
            new = name[:-1]
        else:
            if not _VALID_NAME.match(name):
                raise ValueError(f"'{name}' is not a valid scope name")
            new = self.unique_name(name)
        self._name_stack = new
        try:
            yield (new + "/") if new else ""
        finally:
            self._name_stack = old

    # --- default graph
    @contextlib.contextmanager
    def as_default(self):
        """Makes this graph the default graph inside the `with` block."""
        _graph_stack.append(self)
        try:
            yield self
        finally:
            _graph_stack.remove(self)

    # --- op creation
    def create_op(self, op_type: str, inputs, attrs: dict | None = None, name: str | None = None,
                  extra_control_inputs=()) -> Operation:
        """Adds an op: names it, infers output dtypes and shapes, and returns the Operation."""
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")
        opdef = get_op_def(op_type)
        full_attrs = dict(opdef.attrs)
        if attrs:
            full_attrs.update(attrs)
        for t in inputs:
            if t.graph is not self:
                raise ValueError(f"Tensor {t.name} must be from the same graph as the op being created "
                                 f"({op_type}).")
        if name is None:
            name = opdef.default_name or op_type
        if name.endswith("/"):
            op_name = name[:-1]  # a name captured from name_scope: used exactly, as TF does
        else:
            if not _VALID_NAME.match(name.split("/")[-1] or "x"):
                raise ValueError(f"'{name}' is not a valid node name")
            op_name = self.unique_name(name)
        controls = self._current_control_inputs(inputs) + [c for c in extra_control_inputs]
        device = self._device_stack[-1] if self._device_stack else ""
        op = Operation(self, op_type, op_name, list(inputs), full_attrs, controls, device)
        op._guards = tuple(self._cond_stack)
        shapes = opdef.shape(op)
        if isinstance(shapes, TensorShape):
            shapes = [shapes]
        if opdef.dtype is not None:
            out_dtypes = opdef.dtype(op)
            if isinstance(out_dtypes, _dt.DType):
                out_dtypes = [out_dtypes] * len(shapes)
        else:
            d = full_attrs.get("T") or (inputs[0].dtype.base_dtype if inputs else _dt.float32)
            out_dtypes = [d] * len(shapes)
        op.outputs = [Tensor(op, i, _dt.as_dtype(d), s) for i, (d, s) in enumerate(zip(out_dtypes, shapes))]
        for t in inputs:
            t._consumers.append(op)
        self._ops.append(op)
        self._ops_by_name[op_name] = op
        return op

    def _current_control_inputs(self, inputs) -> list[Operation]:
        ops: list[Operation] = []
        for frame in self._control_stack:
            if frame is None:  # control_dependencies(None) clears outer frames
                ops = []
                continue
            ops.extend(c for c in frame if c not in ops)
        input_ops = {t.op for t in inputs}
        return [c for c in ops if c not in input_ops]

    @contextlib.contextmanager
    def control_dependencies(self, control_inputs):
        """Ops created inside run only after `control_inputs` (ops or tensors); None clears."""
        if control_inputs is None:
            frame = None
        else:
            frame = []
            for c in control_inputs:
                if hasattr(c, "_as_graph_element"):
                    c = c._as_graph_element()
                frame.append(c.op if isinstance(c, Tensor) else c)
        self._control_stack.append(frame)
        try:
            yield
        finally:
            self._control_stack.pop()

    @contextlib.contextmanager
    def device(self, spec: str | None):
        """Places ops created inside on `spec` ('/cpu:0', '/gpu:0', '/device:GPU:0')."""
        self._device_stack.append(canonical_device(spec) if spec else "")
        try:
            yield
        finally:
            self._device_stack.pop()

    @contextlib.contextmanager
    def colocate_with(self, op, ignore_existing=False):
        yield

    @contextlib.contextmanager
    def _guarded(self, guards: tuple):
        """Ops created inside run only when every (pred, value) guard holds (tf.cond's branches)."""
        saved = self._cond_stack
        self._cond_stack = list(guards)
        try:
            yield
        finally:
            self._cond_stack = saved

    # --- lookups
    def get_operations(self) -> list[Operation]:
        return list(self._ops)

    def get_operation_by_name(self, name: str) -> Operation:
        try:
            return self._ops_by_name[name]
        except KeyError:
            raise KeyError(f"The name '{name}' refers to an Operation not in the graph.") from None

    def get_tensor_by_name(self, name: str) -> Tensor:
        op_name, sep, index = name.rpartition(":")
        if not sep or not index.isdigit():
            raise ValueError(f"The name '{name}' looks like an (invalid) Operation name, not a Tensor. "
                             "Tensor names must be of the form \"<op_name>:<output_index>\".")
        op = self._ops_by_name.get(op_name)
        if op is None:
            raise KeyError(f"The name '{name}' refers to a Tensor which does not exist. The operation, "
                           f"'{op_name}', does not exist in the graph.")
        if int(index) >= len(op.outputs):
            raise KeyError(f"The name '{name}' refers to a Tensor which does not exist. The operation, "
                           f"'{op_name}', exists but only has {len(op.outputs)} outputs.")
        return op.outputs[int(index)]

    def as_graph_element(self, obj, allow_tensor=True, allow_operation=True):
        """Resolves a Tensor, Operation, Variable or 'name'/'name:0' string of this graph."""
        if hasattr(obj, "_as_graph_element"):
            obj = obj._as_graph_element()
        if isinstance(obj, str):
            obj = self.get_tensor_by_name(obj) if ":" in obj else self.get_operation_by_name(obj)
        if isinstance(obj, Tensor | Operation):
            if obj.graph is not self:
                raise ValueError(f"Tensor {obj} is not an element of this graph.")
            return obj
        raise TypeError(f"Can not convert a {type(obj).__name__} into a Tensor or Operation.")

    # --- collections
    def add_to_collection(self, name: str, value) -> None:
        self._collections.setdefault(name, []).append(value)

    def add_to_collections(self, names, value) -> None:
        for n in ([names] if isinstance(names, str) else names):
            self.add_to_collection(n, value)

    def get_collection(self, name: str, scope: str | None = None) -> list:
        items = self._collections.get(name, [])
        if scope is None:
            return list(items)
        pattern = re.compile(scope)
        return [x for x in items if hasattr(x, "name") and pattern.match(x.name)]

    def get_collection_ref(self, name: str) -> list:
        return self._collections.setdefault(name, [])

    def clear_collection(self, name: str) -> None:
        self._collections.pop(name, None)

    def get_all_collection_keys(self) -> list[str]:
        return [k for k, v in self._collections.items() if v]

    # --- misc
    def finalize(self) -> None:
        self._finalized = True

    @property
    def finalized(self) -> bool:
        return self._finalized

    def as_graph_def(self, add_shapes: bool = False):
        """The graph as a `GraphDef` protocol buffer with TensorFlow's op type names."""
        from tlboard.summaries.graph_def import graph_to_graph_def
        return graph_to_graph_def(self, add_shapes=add_shapes)

    @property
    def graph_def_versions(self):
        return self.as_graph_def().versions

    def is_fetchable(self, obj) -> bool:
        return True


def canonical_device(spec: str) -> str:
    """'/gpu:0', 'gpu:0', '/device:GPU:0' -> '/device:GPU:0'; '' stays ''."""
    m = re.search(r"(?:device:)?(cpu|gpu)(?::(\d+))?", spec, re.IGNORECASE)
    if not m:
        raise ValueError(f"Unknown device specification {spec!r}")
    return f"/device:{m.group(1).upper()}:{m.group(2) or 0}"


_graph_stack: list[Graph] = []
_global_default_graph = Graph()


def get_default_graph() -> Graph:
    """The graph new ops go into: the innermost `as_default()` graph, else the global default."""
    return _graph_stack[-1] if _graph_stack else _global_default_graph


def reset_default_graph() -> None:
    """Clears the global default graph (not allowed inside a `with graph.as_default()` block)."""
    global _global_default_graph
    if _graph_stack:
        raise AssertionError("Do not use tf.reset_default_graph() to clear nested graphs. If you need a "
                             "cleared graph, exit the nesting and create a new graph.")
    _global_default_graph = Graph()
    from . import session as _session
    _session._default_session_stack.clear()


def name_scope(name, default_name=None, values=None):
    """`tf.name_scope(name, default_name=None, values=None)`: a context manager yielding 'scope/'."""
    graph = _graph_of(values) if values else get_default_graph()
    if name is None and default_name is not None:
        name = default_name
    return graph.name_scope(name)


def _graph_of(values) -> Graph:
    for v in values:
        if isinstance(v, Tensor | Operation):
            return v.graph
        if hasattr(v, "graph") and isinstance(v.graph, Graph):
            return v.graph
    return get_default_graph()


def control_dependencies(control_inputs):
    """Context manager: ops created inside depend on `control_inputs`."""
    return get_default_graph().control_dependencies(control_inputs)


def device(spec):
    """Context manager placing new ops on a device."""
    return get_default_graph().device(spec)


def add_to_collection(name, value):
    get_default_graph().add_to_collection(name, value)


def add_to_collections(names, value):
    get_default_graph().add_to_collections(names, value)


def get_collection(key, scope=None):
    """The items of a collection of the default graph, optionally filtered by a name-scope regex."""
    return get_default_graph().get_collection(key, scope)


def get_collection_ref(key):
    return get_default_graph().get_collection_ref(key)


# --- conversion of Python values to tensors

def convert_to_tensor(value, dtype=None, name=None, preferred_dtype=None) -> Tensor:
    """Turns a Tensor, Variable, NumPy array or Python value into a Tensor (constants become Const ops)."""
    if isinstance(value, Tensor):
        if dtype is not None and not _dt.as_dtype(dtype).is_compatible_with(value.dtype):
            raise ValueError(f"Tensor conversion requested dtype {_dt.as_dtype(dtype).name} for Tensor with "
                             f"dtype {value.dtype.base_dtype.name}: {value!r}")
        return value
    if hasattr(value, "_as_tensor"):
        t = value._as_tensor()
        return convert_to_tensor(t, dtype=dtype)
    if isinstance(value, Operation):
        raise TypeError(f"Can't convert Operation '{value.name}' to Tensor (target dtype={dtype}, name={name})")
    if isinstance(value, list | tuple) and any(isinstance(v, Tensor) or hasattr(v, "_as_tensor")
                                                for v in _flatten(value)):
        from .ops import array_ops
        return array_ops.stack([convert_to_tensor(v, dtype=dtype) for v in value], name=name or "packed")
    from .ops import array_ops
    if dtype is None and preferred_dtype is not None:
        try:
            return array_ops.constant(value, dtype=preferred_dtype, name=name or "Const")
        except (TypeError, ValueError):
            pass
    return array_ops.constant(value, dtype=dtype, name=name or "Const")


def _flatten(value):
    for v in value:
        if isinstance(v, list | tuple):
            yield from _flatten(v)
        else:
            yield v


def is_numpy_like(value) -> bool:
    return isinstance(value, np.ndarray | np.generic | int | float | bool | list | tuple)
