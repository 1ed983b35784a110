"""Core layers: InputLayer/Input, Dense, Activation, Dropout, Flatten, Reshape, Lambda."""
from __future__ import annotations

import numpy as np

from tlboard.engine import dtypes as _dt
from tlboard.engine.graph import Tensor, get_default_graph
from tlboard.engine.ops import array_ops, math_ops, nn_ops

from . import activations as _activations
from . import backend as K
from .base_layer import Layer, Node


class InputLayer(Layer):
    """The entry of a model: a placeholder of `batch_input_shape` (or an existing tensor)."""

    def __init__(self, input_shape=None, batch_size=None, dtype=None, input_tensor=None, sparse=False,
                 name: str | None = None, batch_input_shape=None, **kwargs):
        if name is None:
            name = f"input_{K.get_uid('input')}"
        super().__init__(dtype=dtype, name=name, **kwargs)
        self.trainable = False
        self.built = True
        if input_tensor is None:
            if batch_input_shape is None:
                if input_shape is None:
                    raise ValueError("An InputLayer needs an `input_shape` or `batch_input_shape`.")
                batch_input_shape = (batch_size,) + tuple(input_shape)
            graph = get_default_graph()
            with graph.name_scope(None):
                input_tensor = array_ops.placeholder(self.dtype, shape=list(batch_input_shape), name=self.name)
        self._batch_input_shape = tuple(input_tensor.shape.dims) if input_tensor.shape.dims is not None else None
        self.is_placeholder = input_tensor.op.type == "Placeholder"
        node = Node(self, [], [input_tensor])
        self._inbound_nodes.append(node)
        input_tensor._keras_history = (self, 0, 0)

    def get_config(self) -> dict:
        return {"batch_input_shape": self._batch_input_shape, "dtype": self.dtype.name, "name": self.name}


def Input(shape=None, batch_size=None, name: str | None = None, dtype=None, sparse=False, tensor=None,
          batch_shape=None, **kwargs) -> Tensor:
    """`tf.keras.layers.Input(shape=(20,))`: a placeholder [None, 20] that starts a functional model."""
    if shape is None and batch_shape is None and tensor is None:
        raise ValueError("Please provide to Input either a `shape` or a `batch_shape` argument. Note that "
                         "`shape` does not include the batch dimension.")
    if batch_shape is None and shape is not None:
        batch_shape = (batch_size,) + tuple(shape)
    layer = InputLayer(batch_input_shape=batch_shape, name=name, dtype=dtype, input_tensor=tensor)
    return layer._inbound_nodes[0].output_tensors[0]


class Dense(Layer):
    """`output = activation(dot(input, kernel) + bias)`."""

    def __init__(self, units: int, activation=None, use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if int(units) <= 0:
            raise ValueError(f"Dense units must be a positive integer, got {units!r}")
        self.units = int(units)
        self.activation = _activations.get(activation)
        self._set_kernel_and_bias_options(use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                                          bias_regularizer, kernel_constraint, bias_constraint)
        self._min_ndim = 2

    def build(self, input_shape) -> None:
        if input_shape is None or len(input_shape) < 2 or input_shape[-1] is None:
            raise ValueError(f"The last dimension of the inputs to `Dense` should be defined. Found "
                             f"{input_shape}.")
        self.kernel = self.add_weight("kernel", (input_shape[-1], self.units), initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.units,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs):
        rank = inputs.shape.ndims
        if rank is not None and rank > 2:  # applied to the last axis of (batch, ..., features)
            out = math_ops.tensordot(inputs, self.kernel, [[rank - 1], [0]])
        else:
            out = math_ops.matmul(inputs, self.kernel)
        if self.use_bias:
            out = nn_ops.bias_add(out, self.bias)
        return self.activation(out)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units,
                "activation": _activations.serialize(self.activation), "use_bias": self.use_bias}


class Activation(Layer):
    """Applies an activation function ('relu', 'softmax', ...)."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = _activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": _activations.serialize(self.activation)}


class Dropout(Layer):
    """Zeroes a `rate` fraction of inputs (scaling the rest by 1/(1-rate)) while training; identity at test."""

    def __init__(self, rate: float, noise_shape=None, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        rate = float(rate)
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"Dropout rate must be in [0, 1), got {rate}")
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed

    def call(self, inputs, training=None):
        if self.rate == 0.0:
            return inputs

        def dropped():
            return nn_ops.dropout(inputs, keep_prob=1.0 - self.rate, noise_shape=self.noise_shape, seed=self.seed)

        return K.in_train_phase(dropped, inputs, training=training)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed}


class Flatten(Layer):
    """Reshapes (batch, d1, d2, ...) to (batch, d1*d2*...)."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        _check_data_format(data_format)

    def call(self, inputs):
        return K.batch_flatten(inputs)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], int(np.prod(input_shape[1:])))


class Reshape(Layer):
    """Reshapes the non-batch dimensions to `target_shape` (one entry may be -1)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(int(d) for d in target_shape)
        if sum(d == -1 for d in self.target_shape) > 1:
            raise ValueError("Can only specify one unknown dimension (-1) in Reshape's target_shape.")

    def _resolved_target(self, input_shape) -> tuple:
        if -1 not in self.target_shape:
            return self.target_shape
        rest = input_shape[1:]
        if None in rest:
            raise ValueError(f"Reshape with -1 needs a fully known input shape, got {input_shape}")
        total = int(np.prod(rest))
        known = int(np.prod([d for d in self.target_shape if d != -1]))
        if known == 0 or total % known:
            raise ValueError(f"total size of new array must be unchanged: input_shape = {list(rest)}, "
                             f"output_shape = {list(self.target_shape)}")
        return tuple(total // known if d == -1 else d for d in self.target_shape)

    def call(self, inputs):
        dims = inputs.shape.dims
        target = self._resolved_target(tuple(dims)) if dims is not None else self.target_shape
        if dims is not None and None not in dims[1:]:
            total, want = int(np.prod(dims[1:])), int(np.prod(target))
            if total != want:
                raise ValueError(f"total size of new array must be unchanged: input_shape = {list(dims[1:])}, "
                                 f"output_shape = {list(self.target_shape)}")
        return array_ops.reshape(inputs, [-1] + list(target))

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self._resolved_target(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "target_shape": self.target_shape}


class Lambda(Layer):
    """Wraps a function of graph tensors as a layer (no weights)."""

    def __init__(self, function, output_shape=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        self.function = function
        self.arguments = dict(arguments or {})
        self._output_shape = output_shape

    def call(self, inputs):
        return self.function(inputs, **self.arguments)


def _check_data_format(data_format) -> None:
    if data_format not in (None, "channels_last"):
        raise ValueError(f"tlboard's Keras layers support data_format='channels_last' only, got {data_format!r}")


def _as_float(x: Tensor) -> Tensor:
    return x if x.dtype.base_dtype.is_floating else math_ops.cast(x, _dt.float32)
