"""The Keras `Layer`: named per graph (`dense_1`), builds its weights once on first call (so calling it
again shares them), records each call as a `Node` so models can replay the graph of layers."""
from __future__ import annotations

import inspect
import re

from tlboard.engine import dtypes as _dt
from tlboard.engine.graph import GraphKeys, Tensor, convert_to_tensor, get_default_graph
from tlboard.engine.shapes import TensorShape
from tlboard.engine.variables import Variable

from . import backend as K
from . import constraints as _constraints
from . import initializers as _initializers
from . import regularizers as _regularizers

_ALLOWED_KWARGS = {"input_shape", "batch_input_shape", "batch_size", "input_dim", "dtype", "name", "trainable",
                   "weights", "activity_regularizer", "input_length"}


def to_snake_case(name: str) -> str:
    """'MaxPooling2D' -> 'max_pooling2d', 'Dense' -> 'dense' (Keras's layer-name prefixes)."""
    s = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


def to_list(x) -> list:
    return list(x) if isinstance(x, list | tuple) else [x]


def unpack_singleton(xs: list):
    return xs[0] if len(xs) == 1 else xs


class Node:
    """One call of a layer: the tensors it consumed and produced."""

    def __init__(self, layer: Layer, input_tensors: list, output_tensors: list):
        self.layer = layer
        self.input_tensors = input_tensors
        self.output_tensors = output_tensors


class Layer:
    """Base class of all Keras layers (subclasses override `build`, `call`, `compute_output_shape`)."""

    def _set_kernel_and_bias_options(self, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                                     bias_regularizer, kernel_constraint, bias_constraint) -> None:
        """The weight options Dense and Conv2D share, each resolved from an object or a Keras name."""
        self.use_bias = use_bias
        self.kernel_initializer = _initializers.get(kernel_initializer)
        self.bias_initializer = _initializers.get(bias_initializer)
        self.kernel_regularizer = _regularizers.get(kernel_regularizer)
        self.bias_regularizer = _regularizers.get(bias_regularizer)
        self.kernel_constraint = _constraints.get(kernel_constraint)
        self.bias_constraint = _constraints.get(bias_constraint)

    def __init__(self, trainable: bool = True, name: str | None = None, dtype=None, **kwargs):
        unknown = set(kwargs) - _ALLOWED_KWARGS
        if unknown:
            raise TypeError(f"Keyword argument not understood: {sorted(unknown)[0]!r}")
        prefix = to_snake_case(type(self).__name__)
        self.name = name or f"{prefix}_{K.get_uid(prefix)}"
        self.trainable = trainable
        self.dtype = _dt.as_dtype(dtype or K.floatx()).base_dtype
        self.built = False
        self.supports_masking = False
        self._trainable_weights: list[Variable] = []
        self._non_trainable_weights: list[Variable] = []
        self._losses: list[tuple] = []    # (input tensors or None, loss tensor)
        self._updates: list[tuple] = []   # (input tensors or None, update op)
        self._inbound_nodes: list[Node] = []
        self._initial_weights = kwargs.get("weights")
        self.activity_regularizer = _regularizers.get(kwargs.get("activity_regularizer"))
        batch_shape = kwargs.get("batch_input_shape")
        if batch_shape is None and kwargs.get("input_shape") is not None:
            batch_shape = (kwargs.get("batch_size"),) + tuple(kwargs["input_shape"])
        if batch_shape is None and kwargs.get("input_dim") is not None:
            batch_shape = (kwargs.get("batch_size"), int(kwargs["input_dim"]))
        self._batch_input_shape = tuple(batch_shape) if batch_shape is not None else None

    # --- to override
    def build(self, input_shape) -> None:
        """Creates the weights, knowing the input's static shape."""
        self.built = True

    def call(self, inputs, **kwargs):
        """The layer's computation on graph tensors."""
        return inputs

    def compute_output_shape(self, input_shape):
        """The output's static shape for a given input shape (tuples with None)."""
        return input_shape

    def get_config(self) -> dict:
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype.name}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = self._batch_input_shape
        return config

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    # --- weights
    def add_weight(self, name: str, shape, dtype=None, initializer=None, regularizer=None,
                   trainable: bool = True, constraint=None) -> Variable:
        """Creates a weight variable `<layer>/<name>` (initialized by Keras's session on first use)."""
        dtype = _dt.as_dtype(dtype or self.dtype).base_dtype
        init = _initializers.get(initializer) or _initializers.glorot_uniform()
        shape = [int(d) for d in shape]
        collections = [GraphKeys.GLOBAL_VARIABLES]
        var = Variable(lambda: init(shape, dtype=dtype), name=name, dtype=dtype, trainable=trainable,
                       collections=collections, constraint=_constraints.get(constraint))
        regularizer = _regularizers.get(regularizer)
        if regularizer is not None:
            graph = var.graph
            with graph.name_scope(var.op.name + "/Regularizer/"):
                loss = regularizer(var)
            self.add_loss(loss)
        (self._trainable_weights if trainable else self._non_trainable_weights).append(var)
        return var

    @property
    def trainable_weights(self) -> list[Variable]:
        return list(self._trainable_weights) if self.trainable else []

    @property
    def non_trainable_weights(self) -> list[Variable]:
        if self.trainable:
            return list(self._non_trainable_weights)
        return list(self._trainable_weights) + list(self._non_trainable_weights)

    @property
    def weights(self) -> list[Variable]:
        return self.trainable_weights + self.non_trainable_weights

    def get_weights(self) -> list:
        """The weights' current values as NumPy arrays."""
        return K.batch_get_value(self.weights)

    def set_weights(self, weights) -> None:
        """Loads NumPy arrays into the weights (same count, order and shapes as `get_weights()`)."""
        params = self.weights
        weights = list(weights)
        if len(params) != len(weights):
            raise ValueError(f"You called `set_weights(weights)` on layer \"{self.name}\" with a weight list of "
                             f"length {len(weights)}, but the layer was expecting {len(params)} weights.")
        for p, w in zip(params, weights):
            if tuple(p.shape.as_list()) != tuple(getattr(w, "shape", ())):
                raise ValueError(f"Layer weight shape {tuple(p.shape.as_list())} not compatible with provided "
                                 f"weight shape {getattr(w, 'shape', ())}")
        K.batch_set_value(list(zip(params, weights)))

    def count_params(self) -> int:
        """The number of scalars in the layer's weights."""
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on {self.name}, but the layer isn't built. "
                             "You can build it manually via: `layer.build(batch_input_shape)`.")
        return sum(K.count_params(w) for w in self.weights)

    # --- losses and updates
    def add_loss(self, losses, inputs=None) -> None:
        """Adds loss tensors (regularization): they join `model.losses` and REGULARIZATION_LOSSES."""
        for loss in to_list(losses):
            if loss is None:
                continue
            self._losses.append((_key(inputs), loss))
            get_default_graph().add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)

    def add_update(self, updates, inputs=None) -> None:
        """Adds update ops (moving statistics) run by `fit`; they also join the UPDATE_OPS collection."""
        for u in to_list(updates):
            op = u.op if isinstance(u, Tensor) else u
            self._updates.append((_key(inputs), op))
            get_default_graph().add_to_collection(GraphKeys.UPDATE_OPS, op)

    @property
    def losses(self) -> list[Tensor]:
        return [loss for _, loss in self._losses]

    @property
    def updates(self) -> list:
        return [op for _, op in self._updates] if self.trainable else []

    def get_losses_for(self, inputs) -> list[Tensor]:
        key = _key(inputs)
        return [loss for k, loss in self._losses if k == key]

    def get_updates_for(self, inputs) -> list:
        key = _key(inputs)
        return [op for k, op in self._updates if k == key] if self.trainable else []

    # --- calling
    def __call__(self, inputs, **kwargs):
        """Applies the layer to graph tensors (building its weights on the first call)."""
        tensors = [convert_to_tensor(x) for x in to_list(inputs)]
        structured = unpack_singleton(tensors) if not isinstance(inputs, list | tuple) else tensors
        graph = tensors[0].graph if tensors else get_default_graph()
        with graph.as_default():
            self._check_input(tensors)
            if not self.built:
                shapes = [_shape_tuple(t) for t in tensors]
                shape_arg = shapes[0] if len(shapes) == 1 else shapes
                if graph.get_name_scope() == "":
                    # First call at the root: weights and ops share the scope `dense_1/`, as in TF.
                    with graph.name_scope(self.name):
                        self._build_once(shape_arg)
                        outputs = self._call(structured, kwargs)
                    return self._record(tensors, outputs)
                with graph.name_scope(None), graph.name_scope(self.name):
                    self._build_once(shape_arg)
            with graph.name_scope(self.name):
                outputs = self._call(structured, kwargs)
            return self._record(tensors, outputs)

    def _build_once(self, shape_arg) -> None:
        self.build(shape_arg)
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def _call(self, inputs, kwargs):
        if "training" in kwargs and not _accepts(self.call, "training"):
            kwargs = {k: v for k, v in kwargs.items() if k != "training"}
        outputs = self.call(inputs, **kwargs)
        if self.activity_regularizer is not None:
            with get_default_graph().name_scope("ActivityRegularizer"):
                for out in to_list(outputs):
                    self.add_loss(self.activity_regularizer(out), inputs=inputs)
        return outputs

    def _record(self, input_tensors: list, outputs):
        out_list = to_list(outputs)
        node = Node(self, input_tensors, out_list)
        self._inbound_nodes.append(node)
        for i, t in enumerate(out_list):
            t._keras_history = (self, len(self._inbound_nodes) - 1, i)
        return outputs

    def _check_input(self, tensors: list) -> None:
        spec_ndim = getattr(self, "_input_ndim", None)
        if spec_ndim is None:
            return
        for t in tensors:
            nd = t.shape.ndims
            if nd is not None and nd != spec_ndim:
                raise ValueError(f"Input 0 is incompatible with layer {self.name}: expected ndim={spec_ndim}, "
                                 f"found ndim={nd}")

    # --- shapes of the first call (as Keras reports them)
    def _node_attr(self, attr: str):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name} is not connected, no input to return.")
        return unpack_singleton(getattr(self._inbound_nodes[0], attr))

    @property
    def input(self):
        return self._node_attr("input_tensors")

    @property
    def output(self):
        return self._node_attr("output_tensors")

    @property
    def input_shape(self):
        v = self.input
        return [_shape_tuple(t) for t in v] if isinstance(v, list) else _shape_tuple(v)

    @property
    def output_shape(self):
        v = self.output
        return [_shape_tuple(t) for t in v] if isinstance(v, list) else _shape_tuple(v)

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__name__} name={self.name}>"


def _key(inputs):
    if inputs is None:
        return None
    return tuple(id(t) for t in to_list(inputs))


def _accepts(fn, arg: str) -> bool:
    try:
        return arg in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def _shape_tuple(t) -> tuple | None:
    shape = t.shape if isinstance(t.shape, TensorShape) else TensorShape(t.shape)
    return None if shape.dims is None else tuple(shape.dims)
