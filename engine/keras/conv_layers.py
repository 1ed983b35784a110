"""Convolution and pooling layers (channels_last): Conv2D, MaxPooling2D, AveragePooling2D and the
global poolings."""
from __future__ import annotations

from tlboard.engine.ops import math_ops, nn_ops

from . import activations as _activations
from .base_layer import Layer
from .core_layers import _check_data_format


def _pair(value, what: str) -> tuple[int, int]:
    if isinstance(value, int):
        return (value, value)
    value = tuple(int(v) for v in value)
    if len(value) != 2:
        raise ValueError(f"The `{what}` argument must be a tuple of 2 integers. Received: {value}")
    return value


def _padding(padding: str) -> str:
    p = padding.lower()
    if p not in ("valid", "same"):
        raise ValueError(f"The `padding` argument must be 'valid' or 'same', got {padding!r}")
    return p


def conv_output_length(length, filter_size: int, padding: str, stride: int, dilation: int = 1):
    """The output length of a convolution or pooling along one axis (None stays None)."""
    if length is None:
        return None
    span = (filter_size - 1) * dilation + 1
    if padding == "same":
        return (length + stride - 1) // stride
    return (length - span + stride) // stride


class Conv2D(Layer):
    """2-D convolution over (batch, rows, cols, channels) inputs, `filters` output channels."""

    def __init__(self, filters: int, kernel_size, strides=(1, 1), padding: str = "valid", data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        _check_data_format(data_format)
        self.filters = int(filters)
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.strides = _pair(strides, "strides")
        self.padding = _padding(padding)
        self.dilation_rate = _pair(dilation_rate, "dilation_rate")
        if self.dilation_rate != (1, 1) and self.strides != (1, 1):
            raise ValueError("`strides > 1` not supported in conjunction with `dilation_rate > 1`.")
        self.activation = _activations.get(activation)
        self._set_kernel_and_bias_options(use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                                          bias_regularizer, kernel_constraint, bias_constraint)
        self._input_ndim = 4

    def build(self, input_shape) -> None:
        if input_shape is None or len(input_shape) != 4:
            raise ValueError(f"Input 0 is incompatible with layer {self.name}: expected ndim=4, found "
                             f"{'unknown' if input_shape is None else f'ndim={len(input_shape)}'}")
        channels = input_shape[-1]
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found `None`.")
        shape = self.kernel_size + (channels, self.filters)
        self.kernel = self.add_weight("kernel", shape, initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.filters,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs):
        kwargs = {}
        if self.dilation_rate != (1, 1):
            kwargs["dilations"] = [1, *self.dilation_rate, 1]
        out = nn_ops.conv2d(inputs, self.kernel, strides=[1, *self.strides, 1], padding=self.padding.upper(),
                            **kwargs)
        if self.use_bias:
            out = nn_ops.bias_add(out, self.bias)
        return self.activation(out)

    def compute_output_shape(self, input_shape):
        rows = conv_output_length(input_shape[1], self.kernel_size[0], self.padding, self.strides[0],
                                  self.dilation_rate[0])
        cols = conv_output_length(input_shape[2], self.kernel_size[1], self.padding, self.strides[1],
                                  self.dilation_rate[1])
        return (input_shape[0], rows, cols, self.filters)

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding, "dilation_rate": self.dilation_rate,
                "activation": _activations.serialize(self.activation), "use_bias": self.use_bias}


class _Pooling2D(Layer):
    _pool = None  # the nn op function

    def __init__(self, pool_size=(2, 2), strides=None, padding: str = "valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        _check_data_format(data_format)
        self.pool_size = _pair(pool_size, "pool_size")
        self.strides = _pair(strides, "strides") if strides is not None else self.pool_size
        self.padding = _padding(padding)
        self._input_ndim = 4

    def call(self, inputs):
        return type(self)._pool(inputs, ksize=[1, *self.pool_size, 1], strides=[1, *self.strides, 1],
                                padding=self.padding.upper())

    def compute_output_shape(self, input_shape):
        rows = conv_output_length(input_shape[1], self.pool_size[0], self.padding, self.strides[0])
        cols = conv_output_length(input_shape[2], self.pool_size[1], self.padding, self.strides[1])
        return (input_shape[0], rows, cols, input_shape[3])

    def get_config(self) -> dict:
        return {**super().get_config(), "pool_size": self.pool_size, "strides": self.strides,
                "padding": self.padding}


class MaxPooling2D(_Pooling2D):
    """The maximum over each pool_size window."""

    @staticmethod
    def _pool(x, **kw):
        return nn_ops.max_pool(x, **kw)


class AveragePooling2D(_Pooling2D):
    """The mean over each pool_size window."""

    @staticmethod
    def _pool(x, **kw):
        return nn_ops.avg_pool(x, **kw)


class GlobalAveragePooling2D(Layer):
    """The mean over rows and columns: (batch, rows, cols, ch) -> (batch, ch)."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        _check_data_format(data_format)
        self._input_ndim = 4

    def call(self, inputs):
        return math_ops.reduce_mean(inputs, axis=[1, 2])


class GlobalMaxPooling2D(Layer):
    """The maximum over rows and columns: (batch, rows, cols, ch) -> (batch, ch)."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        _check_data_format(data_format)
        self._input_ndim = 4

    def call(self, inputs):
        return math_ops.reduce_max(inputs, axis=[1, 2])


Convolution2D = Conv2D
MaxPool2D = MaxPooling2D
AvgPool2D = AveragePooling2D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalMaxPool2D = GlobalMaxPooling2D
