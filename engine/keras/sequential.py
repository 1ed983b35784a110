"""`Sequential`: a linear stack of layers, built as soon as its first layer knows its input shape."""
from __future__ import annotations

from .base_layer import Layer, to_list
from .core_layers import Input, InputLayer
from .training import Model


class Sequential(Model):
    """`Sequential([Dense(64, input_dim=20), ...])` or `.add(layer)` one at a time."""

    def __init__(self, layers=None, name: str | None = None):
        Layer.__init__(self, name=name)
        self._stack: list[Layer] = []
        self._input_layer: InputLayer | None = None
        self.inputs, self.outputs = [], []
        self._nodes, self._all_layers, self._replays = [], [], {}
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self) -> list[Layer]:
        return list(self._stack)  # without the generated InputLayer, as Keras 2 lists them

    def add(self, layer: Layer) -> None:
        """Appends a layer, connecting it to the current output when the model is built."""
        if not isinstance(layer, Layer):
            raise TypeError(f"The added layer must be an instance of class Layer. Found: {layer!r}")
        if isinstance(layer, InputLayer):
            if self._stack or self._input_layer is not None:
                raise ValueError("An InputLayer can only be the first layer of a Sequential model.")
            self._input_layer = layer
            self._connect(layer._inbound_nodes[0].output_tensors[0], [])
            return
        if self.outputs:
            out = layer(self.outputs[0])
            if len(to_list(out)) != 1:
                raise TypeError("All layers in a Sequential model should have a single output tensor.")
            self._stack.append(layer)
            self._connect(self.inputs[0], [out])
            return
        self._stack.append(layer)
        if len(self._stack) == 1 and layer._batch_input_shape is not None:
            x = Input(batch_shape=layer._batch_input_shape, dtype=layer.dtype, name=f"{layer.name}_input")
            self._input_layer = x._keras_history[0]
            self._connect(x, [layer(x)])

    def _connect(self, x, outputs) -> None:
        self._init_graph([x], outputs or [x])
        self.built = bool(outputs)

    def pop(self) -> None:
        """Removes the last layer."""
        if not self._stack:
            raise TypeError("There are no layers in the model.")
        self._stack.pop()
        if not self._stack:
            self.outputs, self._nodes, self._all_layers = [], [], []
            self.built = False
            if self._input_layer is not None and self.inputs:
                self._connect(self.inputs[0], [])
            return
        if self.inputs:
            self._connect(self.inputs[0], [self._stack[-1]._inbound_nodes[-1].output_tensors[0]])

    def build(self, input_shape=None) -> None:
        """Connects the stack to a new Input of `input_shape` (batch dimension included)."""
        if not self._stack:
            raise TypeError("Sequential model cannot be built: model is empty. Add some layers first.")
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument.")
        x = Input(batch_shape=tuple(input_shape), name=f"{self._stack[0].name}_input")
        y = x
        for layer in self._stack:
            y = layer(y)
        self._input_layer = x._keras_history[0]
        self._init_graph([x], [y])

    def __call__(self, inputs, **kwargs):
        if not self.outputs:
            t = to_list(inputs)[0]
            from tlboard.engine.graph import convert_to_tensor
            t = convert_to_tensor(t)
            with t.graph.as_default():
                self.build(tuple(t.shape.dims) if t.shape.dims is not None else None)
        return super().__call__(inputs, **kwargs)

    def predict_classes(self, x, batch_size: int = 32, verbose: int = 0):
        """Class indices: argmax of the predictions (or a 0.5 threshold for one output unit)."""
        proba = self.predict(x, batch_size=batch_size, verbose=verbose)
        return proba.argmax(axis=-1) if proba.shape[-1] > 1 else (proba > 0.5).astype("int32")

    def predict_proba(self, x, batch_size: int = 32, verbose: int = 0):
        return self.predict(x, batch_size=batch_size, verbose=verbose)
