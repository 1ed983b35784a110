"""`Network`: a graph of layers from input tensors to output tensors (the functional API). Calling it on
new tensors replays its layers on them, sharing their weights."""
from __future__ import annotations

from tlboard.engine.graph import Tensor

from .base_layer import Layer, _key, to_list, unpack_singleton
from .core_layers import InputLayer


class Network(Layer):
    """Layers connected from `inputs` to `outputs`; usable as a layer (and, as `Model`, trainable)."""

    def __init__(self, inputs=None, outputs=None, name: str | None = None, **kwargs):
        if inputs is None or outputs is None:
            raise TypeError("A Model needs `inputs` and `outputs` (the functional API: "
                            "Model(inputs=x, outputs=y)); subclassed models are not supported.")
        super().__init__(name=name, **kwargs)
        self._init_graph(inputs, outputs)

    def _init_graph(self, inputs, outputs) -> None:
        self.inputs: list[Tensor] = to_list(inputs)
        self.outputs: list[Tensor] = to_list(outputs)
        for t in self.inputs + self.outputs:
            if not isinstance(t, Tensor):
                raise TypeError(f"Model inputs and outputs must be tensors of the graph, got {t!r}")
        input_ids = {id(t) for t in self.inputs}
        nodes, seen = [], set()

        def visit(t: Tensor, path: tuple) -> None:
            if id(t) in input_ids:
                return
            hist = getattr(t, "_keras_history", None)
            if hist is None or isinstance(hist[0], InputLayer):
                raise ValueError(f"Graph disconnected: cannot obtain value for tensor {t} at layer "
                                 f"\"{path[-1] if path else '?'}\". The model's inputs are "
                                 f"{[x.name for x in self.inputs]}.")
            layer, node_index, _ = hist
            node = layer._inbound_nodes[node_index]
            if id(node) in seen:
                return
            for x in node.input_tensors:
                visit(x, path + (layer.name,))
            seen.add(id(node))
            nodes.append(node)

        for out in self.outputs:
            visit(out, ())
        self._nodes = nodes
        layers: list[Layer] = []
        for t in self.inputs:
            hist = getattr(t, "_keras_history", None)
            if hist is not None and isinstance(hist[0], InputLayer) and hist[0] not in layers:
                layers.append(hist[0])
        for node in nodes:
            if node.layer not in layers:
                layers.append(node.layer)
        self._all_layers = layers
        self._replays: dict = {}  # input key -> [(layer, input tensors)] of each later call
        self.built = True

    # --- structure
    @property
    def layers(self) -> list[Layer]:
        return list(self._all_layers)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer by name or by index in `layers`."""
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only has "
                                 f"{len(self.layers)} layers.")
            return self.layers[index]
        if name is None:
            raise ValueError("Provide either a layer name or layer index.")
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}")

    # --- weights (shared layers counted once)
    def _unique(self, attr: str) -> list:
        out, seen = [], set()
        for layer in self.layers:
            for w in getattr(layer, attr):
                if id(w) not in seen:
                    seen.add(id(w))
                    out.append(w)
        return out

    @property
    def trainable_weights(self) -> list:
        return self._unique("trainable_weights") if self.trainable else []

    @property
    def non_trainable_weights(self) -> list:
        if self.trainable:
            return self._unique("non_trainable_weights")
        return self._unique("trainable_weights") + self._unique("non_trainable_weights")

    # --- losses and updates of this network's own graph (and of unconditional sources)
    def _own_calls(self) -> list:
        return [(node.layer, node.input_tensors) for node in self._nodes]

    def _collect(self, calls, getter: str) -> list:
        out, seen = [], set()
        for layer, ins in calls:
            for item in getattr(layer, getter)(ins) + getattr(layer, getter)(None):
                if id(item) not in seen:
                    seen.add(id(item))
                    out.append(item)
        return out

    @property
    def losses(self) -> list:
        return self._collect(self._own_calls(), "get_losses_for") + Layer.get_losses_for(self, None)

    @property
    def updates(self) -> list:
        return self._collect(self._own_calls(), "get_updates_for") if self.trainable else []

    def get_losses_for(self, inputs) -> list:
        if inputs is None:
            return Layer.get_losses_for(self, None)
        return self._collect(self._replays.get(_key(inputs), []), "get_losses_for")

    def get_updates_for(self, inputs) -> list:
        if inputs is None or not self.trainable:
            return []
        return self._collect(self._replays.get(_key(inputs), []), "get_updates_for")

    # --- calling on new tensors
    def call(self, inputs, training=None):
        xs = to_list(inputs)
        if len(xs) != len(self.inputs):
            raise ValueError(f"Model {self.name} expects {len(self.inputs)} input(s), but it received "
                             f"{len(xs)} input tensors.")
        for want, got in zip(self.inputs, xs):
            if not want.shape.is_compatible_with(got.shape):
                raise ValueError(f"Input {got.name} of shape {got.shape} is incompatible with model {self.name}, "
                                 f"which expects inputs of shape {want.shape}")
        values = {id(a): b for a, b in zip(self.inputs, xs)}
        calls = []
        kwargs = {} if training is None else {"training": training}
        for node in self._nodes:
            ins = [values[id(t)] for t in node.input_tensors]
            outs = node.layer(unpack_singleton(ins), **kwargs)
            calls.append((node.layer, ins))
            for t, o in zip(node.output_tensors, to_list(outs)):
                values[id(t)] = o
        self._replays[_key(xs if len(xs) > 1 else xs[0])] = calls
        return unpack_singleton([values[id(t)] for t in self.outputs])

    def compute_output_shape(self, input_shape):
        shapes = [tuple(t.shape.dims) if t.shape.dims is not None else None for t in self.outputs]
        return unpack_singleton(shapes)

    def summary(self, line_length: int | None = None, positions=None, print_fn=None) -> None:
        """Prints Keras's table of layers, output shapes and parameter counts."""
        from .layer_utils import print_summary
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn)

    def get_config(self) -> dict:
        return {"name": self.name, "layers": [layer.get_config() for layer in self.layers]}
