"""TF1's `tf.layers`: the functional layers (`dense`, `conv2d`, pooling, `dropout`, `flatten`,
`batch_normalization`) and their classes.

They are our Keras layers (engine/keras) with TF1's variable handling on top: each layer lives in a
`tf.variable_scope` chosen on its first call (`dense`, `dense_1`, or the given `name`), its weights come from
`tf.get_variable` (so `reuse=True` or an enclosing reusing scope shares them), their dtype follows the first
input, and the defaults are TF1's (`training=False`, `rate=0.5`, Bessel-corrected moving variance for fused
4-D batch norm)."""
from __future__ import annotations

import contextlib

import numpy as np

from . import dtypes as _dt
from . import initializers as _tf_initializers
from .graph import GraphKeys, Tensor, convert_to_tensor, get_default_graph
from .keras import base_layer as _keras_base
from .keras import constraints as _constraints
from .keras import conv_layers as _keras_conv
from .keras import core_layers as _keras_core
from .keras import initializers as _initializers
from .keras import normalization as _keras_norm
from .keras import regularizers as _regularizers
from .ops import array_ops, math_ops
from .variables import Variable, _unique_var_scope_name, get_variable, variable_scope

__all__ = [
    "AveragePooling2D", "BatchNormalization", "Conv2D", "Dense", "Dropout", "Flatten", "Layer", "MaxPooling2D",
    "average_pooling2d", "batch_normalization", "conv2d", "dense", "dropout", "flatten", "max_pooling2d",
]


# TF1's defaults for biases, beta/gamma and the moving statistics (initializers are stateless, so shared).
_ZEROS = _tf_initializers.zeros_initializer()
_ONES = _tf_initializers.ones_initializer()


def _check_channels_last(data_format: str | None) -> None:
    if data_format not in (None, "channels_last"):
        raise ValueError(f"tf.layers in tlboard supports data_format='channels_last' only, got {data_format!r}; "
                         "transpose NCHW inputs to NHWC with tf.transpose(x, [0, 2, 3, 1]).")


# --- naming: which variable scope a layer's first call opens

def _taken_in_current_scope(graph) -> set:
    """Layer scope names used since the current variable scope was entered.

    TF1 forgets a scope's subscope counts when the scope is exited, so re-entering
    `tf.variable_scope("model", reuse=True)` names its layers `dense`, `dense_1`... again and shares the
    first pass's variables. Every `with variable_scope(...)` makes a new VariableScope object, so counting
    on that object gives the same reset."""
    return graph._variable_scope_stack[-1].layer_names_taken


def _unique_layer_scope_name(graph, base: str) -> str:
    """`base`, or `base_1`, `base_2`... when an earlier layer in this scope already took it."""
    if not graph._variable_scope_stack:  # the root scope is never exited: the graph's counts are exact
        return _unique_var_scope_name(graph, "", base)
    taken = _taken_in_current_scope(graph)
    name, i = base, 0
    while name in taken:
        i += 1
        name = f"{base}_{i}"
    return name


class Layer(_keras_base.Layer):
    """`tf.layers.Layer`: a Keras layer whose weights are `tf.get_variable`s in the layer's variable scope."""

    def __init__(self, *args, name: str | None = None, dtype=None, _reuse=None, _scope=None, **kwargs):
        self._base_name = _keras_base.to_snake_case(type(self).__name__)
        self._requested_name = name
        self._reuse = _reuse
        self._scope = None  # the VariableScope of the first call
        self._dtype_from_input = dtype is None  # TF1: weights take the first input's dtype unless told
        # An explicit name keeps Keras's per-graph layer counter (dense_1, dense_2...) untouched.
        super().__init__(*args, name=name or self._base_name, dtype=dtype, **kwargs)

    def add_weight(self, name: str, shape, dtype=None, initializer=None, regularizer=None, trainable: bool = True,
                   constraint=None) -> Variable:
        """Gets or creates `<scope>/<name>` with tf.get_variable (glorot_uniform unless told otherwise)."""
        graph = get_default_graph()
        losses_before = len(graph.get_collection(GraphKeys.REGULARIZATION_LOSSES))
        trainable = bool(trainable and self.trainable)
        var = get_variable(name, shape=[int(d) for d in shape], dtype=_dt.as_dtype(dtype or self.dtype).base_dtype,
                           initializer=_initializers.get(initializer), regularizer=_regularizers.get(regularizer),
                           trainable=trainable, constraint=_constraints.get(constraint))
        # get_variable adds the penalty to REGULARIZATION_LOSSES once, when it creates the variable.
        for loss in graph.get_collection(GraphKeys.REGULARIZATION_LOSSES)[losses_before:]:
            self._losses.append((None, loss))
        (self._trainable_weights if trainable else self._non_trainable_weights).append(var)
        return var

    def __call__(self, inputs, **kwargs):
        """Applies the layer; the first call opens its variable scope and creates (or reuses) the weights."""
        tensors = [convert_to_tensor(x) for x in _keras_base.to_list(inputs)]
        structured = tensors if isinstance(inputs, list | tuple) else tensors[0]
        graph = tensors[0].graph
        with graph.as_default():
            self._check_input(tensors)
            if self._scope is None:
                with self._open_first_scope(graph) as scope:
                    self._scope = scope
                    self.name = scope.name.rsplit("/", 1)[-1]
                    if not self.built:
                        if self._dtype_from_input and tensors[0].dtype.base_dtype.is_floating:
                            self.dtype = tensors[0].dtype.base_dtype
                        shapes = [_keras_base._shape_tuple(t) for t in tensors]
                        self._build_once(shapes[0] if len(shapes) == 1 else shapes)
                    outputs = self._call(structured, kwargs)
            else:  # later calls: ops join the first call's name scope (dense/MatMul_1)
                with graph.name_scope(self._scope.original_name_scope):
                    outputs = self._call(structured, kwargs)
        return self._record(tensors, outputs)

    def apply(self, inputs, **kwargs):
        """The same as calling the layer (TF1's alias)."""
        return self(inputs, **kwargs)

    @contextlib.contextmanager
    def _open_first_scope(self, graph):
        if self._requested_name is not None:
            name = self._requested_name
        elif self._reuse:
            name = self._base_name  # TF1: an unnamed reusing layer shares the first unnamed one's variables
        else:
            name = _unique_layer_scope_name(graph, self._base_name)
        if graph._variable_scope_stack:
            _taken_in_current_scope(graph).add(name)
        with variable_scope(name, reuse=self._reuse) as scope:
            yield scope

    @property
    def variables(self) -> list[Variable]:
        return self.weights

    @property
    def trainable_variables(self) -> list[Variable]:
        return self.trainable_weights

    @property
    def non_trainable_variables(self) -> list[Variable]:
        return self.non_trainable_weights

    @property
    def scope_name(self) -> str:
        if self._scope is None:
            raise ValueError(f"No name available for layer scope because the layer \"{self._base_name}\" has "
                             "not been used yet.")
        return self._scope.name


# --- the layer classes (TF1's constructor signatures and defaults)

class Dense(Layer, _keras_core.Dense):
    """Densely-connected layer: `activation(inputs @ kernel + bias)` over the last axis."""

    def __init__(self, units: int, activation=None, use_bias: bool = True, kernel_initializer=None,
                 bias_initializer=_ZEROS, kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 trainable: bool = True, name: str | None = None, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, trainable=trainable,
                         name=name, **kwargs)


class Conv2D(Layer, _keras_conv.Conv2D):
    """2D convolution layer (e.g. spatial convolution over images), kernel [kh, kw, in, filters]."""

    def __init__(self, filters: int, kernel_size, strides=(1, 1), padding: str = "valid",
                 data_format: str = "channels_last", dilation_rate=(1, 1), activation=None, use_bias: bool = True,
                 kernel_initializer=None, bias_initializer=_ZEROS,
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, trainable: bool = True, name: str | None = None, **kwargs):
        _check_channels_last(data_format)
        super().__init__(filters, kernel_size, strides=strides, padding=padding, data_format=None,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, trainable=trainable, name=name, **kwargs)


class MaxPooling2D(Layer, _keras_conv.MaxPooling2D):
    """Max pooling layer for 2D inputs (e.g. images)."""

    def __init__(self, pool_size, strides, padding: str = "valid", data_format: str = "channels_last",
                 name: str | None = None, **kwargs):
        _check_channels_last(data_format)
        super().__init__(pool_size=pool_size, strides=strides, padding=padding, name=name, **kwargs)


class AveragePooling2D(Layer, _keras_conv.AveragePooling2D):
    """Average pooling layer for 2D inputs (e.g. images)."""

    def __init__(self, pool_size, strides, padding: str = "valid", data_format: str = "channels_last",
                 name: str | None = None, **kwargs):
        _check_channels_last(data_format)
        super().__init__(pool_size=pool_size, strides=strides, padding=padding, name=name, **kwargs)


class Dropout(Layer, _keras_core.Dropout):
    """Applies Dropout to the input: while training, zeroes a `rate` fraction and scales the rest by 1/(1-rate)."""

    def __init__(self, rate: float = 0.5, noise_shape=None, seed: int | None = None, name: str | None = None,
                 **kwargs):
        super().__init__(rate, noise_shape=noise_shape, seed=seed, name=name, **kwargs)

    def call(self, inputs, training=False):
        return super().call(inputs, training=training)


class Flatten(Layer):
    """Flattens an input tensor while preserving the batch axis (axis 0)."""

    def __init__(self, data_format: str = "channels_last", name: str | None = None, **kwargs):
        _check_channels_last(data_format)
        super().__init__(name=name, **kwargs)

    def call(self, inputs):
        rest = inputs.shape.as_list()[1:] if inputs.shape.ndims is not None else None
        if rest is not None and None not in rest:
            return array_ops.reshape(inputs, [-1, int(np.prod(rest))])
        # Unknown non-batch dims: keep the batch size from the runtime shape, fold the rest into -1.
        batch = array_ops.shape(inputs)[0]
        return array_ops.reshape(inputs, array_ops.stack([batch, -1]))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        return (input_shape[0], None if None in rest else int(np.prod(rest)))


class BatchNormalization(Layer, _keras_norm.BatchNormalization):
    """Batch normalization layer: batch statistics while training (updating the moving averages through
    UPDATE_OPS), the moving averages otherwise."""

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer=_ZEROS,
                 gamma_initializer=_ONES,
                 moving_mean_initializer=_ZEROS,
                 moving_variance_initializer=_ONES, beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, renorm: bool = False,
                 renorm_clipping=None, renorm_momentum: float = 0.99, fused: bool | None = None,
                 trainable: bool = True, virtual_batch_size: int | None = None, adjustment=None,
                 name: str | None = None, **kwargs):
        if renorm or virtual_batch_size is not None or adjustment is not None:
            raise NotImplementedError("tlboard's tf.layers.batch_normalization does not support renorm, "
                                      "virtual_batch_size or adjustment.")
        if isinstance(axis, list | tuple):
            if len(axis) != 1:
                raise NotImplementedError("tlboard's batch_normalization normalizes over one axis only.")
            axis = axis[0]
        super().__init__(axis=axis, momentum=momentum, epsilon=epsilon, center=center, scale=scale,
                         beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
                         moving_mean_initializer=moving_mean_initializer,
                         moving_variance_initializer=moving_variance_initializer, beta_regularizer=beta_regularizer,
                         gamma_regularizer=gamma_regularizer, beta_constraint=beta_constraint,
                         gamma_constraint=gamma_constraint, trainable=trainable, name=name, **kwargs)
        self.fused = fused

    def build(self, input_shape) -> None:
        super().build(input_shape)
        # TF1 runs 4-D channels-last inputs through the fused kernel (unless fused=False); that kernel feeds the
        # moving variance the Bessel-corrected batch variance n/(n-1) * var, n = elements per channel.
        self._bessel_moving_variance = self.fused is not False and self._ndim == 4 and self._axis == 3

    def call(self, inputs, training=False):
        return super().call(inputs, training=training)

    def _add_moving_updates(self, inputs, batch_mean, batch_var, training) -> None:
        if self._bessel_moving_variance:
            dtype = inputs.dtype.base_dtype
            per_channel = math_ops.divide(math_ops.cast(array_ops.size(inputs), dtype),
                                          float(inputs.shape.as_list()[self._axis]))
            batch_var = math_ops.multiply(
                batch_var, math_ops.divide(per_channel, math_ops.maximum(math_ops.subtract(per_channel, 1.0), 1.0)))
        super()._add_moving_updates(inputs, batch_mean, batch_var, training)


# --- the functional interface: each call makes a layer and applies it

def dense(inputs, units: int, activation=None, use_bias: bool = True, kernel_initializer=None,
          bias_initializer=_ZEROS, kernel_regularizer=None, bias_regularizer=None,
          activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable: bool = True,
          name: str | None = None, reuse=None) -> Tensor:
    """Functional interface for the densely-connected layer."""
    layer = Dense(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                  bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                  bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                  kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, trainable=trainable,
                  name=name, _reuse=reuse)
    return layer(inputs)


def conv2d(inputs, filters: int, kernel_size, strides=(1, 1), padding: str = "valid",
           data_format: str = "channels_last", dilation_rate=(1, 1), activation=None, use_bias: bool = True,
           kernel_initializer=None, bias_initializer=_ZEROS, kernel_regularizer=None,
           bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
           trainable: bool = True, name: str | None = None, reuse=None) -> Tensor:
    """Functional interface for the 2D convolution layer."""
    layer = Conv2D(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                   dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                   kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                   kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                   activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                   bias_constraint=bias_constraint, trainable=trainable, name=name, _reuse=reuse)
    return layer(inputs)


def max_pooling2d(inputs, pool_size, strides, padding: str = "valid", data_format: str = "channels_last",
                  name: str | None = None) -> Tensor:
    """Max pooling layer for 2D inputs (e.g. images)."""
    return MaxPooling2D(pool_size, strides, padding=padding, data_format=data_format, name=name)(inputs)


def average_pooling2d(inputs, pool_size, strides, padding: str = "valid", data_format: str = "channels_last",
                      name: str | None = None) -> Tensor:
    """Average pooling layer for 2D inputs (e.g. images)."""
    return AveragePooling2D(pool_size, strides, padding=padding, data_format=data_format, name=name)(inputs)


def dropout(inputs, rate: float = 0.5, noise_shape=None, seed: int | None = None, training=False,
            name: str | None = None) -> Tensor:
    """Applies Dropout to the input (only when `training`, a Python bool or a bool tensor, is true)."""
    return Dropout(rate, noise_shape=noise_shape, seed=seed, name=name)(inputs, training=training)


def flatten(inputs, name: str | None = None, data_format: str = "channels_last") -> Tensor:
    """Flattens an input tensor while preserving the batch axis (axis 0)."""
    return Flatten(data_format=data_format, name=name)(inputs)


def batch_normalization(inputs, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3, center: bool = True,
                        scale: bool = True, beta_initializer=_ZEROS,
                        gamma_initializer=_ONES,
                        moving_mean_initializer=_ZEROS,
                        moving_variance_initializer=_ONES, beta_regularizer=None,
                        gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, training=False,
                        trainable: bool = True, name: str | None = None, reuse=None, renorm: bool = False,
                        renorm_clipping=None, renorm_momentum: float = 0.99, fused: bool | None = None,
                        virtual_batch_size: int | None = None, adjustment=None) -> Tensor:
    """Functional interface for the batch normalization layer (add UPDATE_OPS as a dependency of the train op)."""
    layer = BatchNormalization(axis=axis, momentum=momentum, epsilon=epsilon, center=center, scale=scale,
                               beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
                               moving_mean_initializer=moving_mean_initializer,
                               moving_variance_initializer=moving_variance_initializer,
                               beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer,
                               beta_constraint=beta_constraint, gamma_constraint=gamma_constraint, renorm=renorm,
                               renorm_clipping=renorm_clipping, renorm_momentum=renorm_momentum, fused=fused,
                               trainable=trainable, virtual_batch_size=virtual_batch_size, adjustment=adjustment,
                               name=name, _reuse=reuse)
    return layer(inputs, training=training)

