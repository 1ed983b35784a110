"""Neural-network ops (`tf.nn`): activations, softmax and cross-entropies, bias_add, conv2d, pooling and
dropout, each declared once with shape inference, forward kernel and gradient rule; plus the TF1 `tf.nn`
functions built from them (moments, batch_normalization, l2_normalize, embedding_lookup, ...).

Heavy kernels (convolution, pooling, fused cross-entropy, dropout masks) live in the backends
(`k.b.conv2d`, ...), so the same op runs on NumPy or CuPy.
"""
from __future__ import annotations

import numbers
from collections import namedtuple

import numpy as np

from .. import dtypes as _dt
from ..graph import Tensor, convert_to_tensor, name_scope
from ..registry import op_def
from ..shapes import TensorShape
from . import array_ops, math_ops, random_ops
from .core import make

# TF1 exports none of tf.nn at top level; tlboard/nn.py imports the public names explicitly.
__all__: list[str] = []


# --- shared shape helpers

def _shape_error(op, message: str) -> ValueError:
    shapes = ", ".join(t.shape.bracket() for t in op.inputs)
    return ValueError(f"{message} for '{op.name}' (op: '{op.type}') with input shapes: {shapes}.")


def _with_rank(op, t: Tensor, rank: int) -> list:
    """The dims of `t` as a list of length `rank` (None where unknown); TF's error when the rank differs."""
    if t.shape.dims is None:
        return [None] * rank
    if len(t.shape.dims) != rank:
        raise _shape_error(op, f"Shape must be rank {rank} but is rank {len(t.shape.dims)}")
    return list(t.shape.dims)


def _with_rank_at_least(op, t: Tensor, rank: int) -> list | None:
    if t.shape.dims is None:
        return None
    if len(t.shape.dims) < rank:
        raise _shape_error(op, f"Shape must be at least rank {rank} but is rank {len(t.shape.dims)}")
    return list(t.shape.dims)


def _merge_dim(op, a, b):
    if a is not None and b is not None and a != b:
        raise _shape_error(op, f"Dimensions must be equal, but are {a} and {b}")
    return a if a is not None else b


def _same_shape(op) -> TensorShape:
    return op.inputs[0].shape


def _input_dtype(op):
    return op.inputs[0].dtype.base_dtype


def _scalar_of(x, dtype):
    """A Python scalar as `dtype`'s scalar type, so float32 math stays float32."""
    return np.dtype(dtype).type(x)


def _float_tensor(x, name: str) -> Tensor:
    t = convert_to_tensor(x, name=name)
    if not t.dtype.base_dtype.is_floating:
        raise TypeError(f"Value passed to parameter '{name}' has DataType {t.dtype.base_dtype.name} not in list "
                        "of allowed values: float16, float32, float64")
    return t


def _neg(t: Tensor) -> Tensor:
    return math_ops.multiply(t, _scalar_of(-1, t.dtype.base_dtype.as_numpy_dtype))


# --- activations. Each gradient is its own op, as in TF (ReluGrad, EluGrad, ...): one kernel call each.

@op_def
class Relu:
    shape = _same_shape
    fresh = True
    overwrites = 0

    def forward(k, x, out=None):
        return k.xp.maximum(x, x.dtype.type(0), out=out)

    def grad(op, g):
        return make("ReluGrad", [g, op.outputs[0]], name="ReluGrad")


@op_def
class ReluGrad:
    """Inputs (gradients, features): gradients where features > 0, else 0 (features may be Relu's output)."""
    shape = _same_shape
    fresh = True
    overwrites = 0

    def forward(k, g, y, out=None):
        return k.b.relu_grad(g, y, out=out)

    def grad(op, gg):
        return [make("ReluGrad", [gg, op.inputs[1]], name="ReluGrad"), None]


@op_def
class Relu6:
    shape = _same_shape

    def forward(k, x):
        return k.xp.clip(x, x.dtype.type(0), x.dtype.type(6))

    def grad(op, g):
        return make("Relu6Grad", [g, op.inputs[0]], name="Relu6Grad")


@op_def
class Relu6Grad:
    shape = _same_shape

    def forward(k, g, x):
        return k.xp.where((x > 0) & (x < 6), g, g.dtype.type(0))


@op_def
class Elu:
    shape = _same_shape

    def forward(k, x):
        return k.xp.where(x < 0, k.xp.expm1(k.xp.minimum(x, x.dtype.type(0))), x)

    def grad(op, g):
        return make("EluGrad", [g, op.outputs[0]], name="EluGrad")


@op_def
class EluGrad:
    """Inputs (gradients, outputs of Elu): g * (y + 1) where y < 0, else g."""
    shape = _same_shape

    def forward(k, g, y):
        return k.xp.where(y < 0, g * (y + y.dtype.type(1)), g)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


@op_def
class Selu:
    shape = _same_shape

    def forward(k, x):
        t = x.dtype.type
        neg = t(_SELU_SCALE * _SELU_ALPHA) * k.xp.expm1(k.xp.minimum(x, t(0)))
        return k.xp.where(x < 0, neg, t(_SELU_SCALE) * x)

    def grad(op, g):
        return make("SeluGrad", [g, op.outputs[0]], name="SeluGrad")


@op_def
class SeluGrad:
    """Inputs (gradients, outputs of Selu)."""
    shape = _same_shape

    def forward(k, g, y):
        t = y.dtype.type
        return k.xp.where(y < 0, g * (y + t(_SELU_SCALE * _SELU_ALPHA)), g * t(_SELU_SCALE))


@op_def
class LeakyRelu:
    attrs = {"alpha": 0.2}
    shape = _same_shape

    def forward(k, x):
        return k.xp.where(x > 0, x, x * x.dtype.type(k.attrs["alpha"]))

    def grad(op, g):
        return make("LeakyReluGrad", [g, op.inputs[0]], name="LeakyReluGrad", alpha=op.attrs["alpha"])


@op_def
class LeakyReluGrad:
    attrs = {"alpha": 0.2}
    shape = _same_shape

    def forward(k, g, x):
        return k.xp.where(x > 0, g, g * g.dtype.type(k.attrs["alpha"]))


@op_def
class Softplus:
    shape = _same_shape

    def forward(k, x):
        return k.xp.logaddexp(x, x.dtype.type(0))  # log(1 + e^x) without overflow

    def grad(op, g):
        return make("SoftplusGrad", [g, op.inputs[0]], name="SoftplusGrad")


@op_def
class SoftplusGrad:
    shape = _same_shape

    def forward(k, g, x):
        one = x.dtype.type(1)
        return g / (one + k.xp.exp(-x))


@op_def
class Softsign:
    shape = _same_shape

    def forward(k, x):
        return x / (x.dtype.type(1) + k.xp.abs(x))

    def grad(op, g):
        return make("SoftsignGrad", [g, op.inputs[0]], name="SoftsignGrad")


@op_def
class SoftsignGrad:
    shape = _same_shape

    def forward(k, g, x):
        d = x.dtype.type(1) + k.xp.abs(x)
        return g / (d * d)


def _activation(op_type: str, features, name, **attrs) -> Tensor:
    x = convert_to_tensor(features, name="features")
    return make(op_type, [x], name=name or op_type, **attrs)


def relu(features, name=None) -> Tensor:
    """max(features, 0)."""
    return _activation("Relu", features, name)


def relu6(features, name=None) -> Tensor:
    """min(max(features, 0), 6)."""
    return _activation("Relu6", features, name)


def elu(features, name=None) -> Tensor:
    """exp(features) - 1 where features < 0, else features."""
    return _activation("Elu", features, name)


def selu(features, name=None) -> Tensor:
    """Scaled ELU: scale * (features if > 0 else alpha * (exp(features) - 1))."""
    return _activation("Selu", features, name)


def leaky_relu(features, alpha=0.2, name=None) -> Tensor:
    """features where positive, else alpha * features."""
    x = convert_to_tensor(features, name="features")
    if x.dtype.base_dtype.is_integer:
        x = math_ops.cast(x, _dt.float32)
    if isinstance(alpha, Tensor):
        with name_scope(name, "LeakyRelu", [x, alpha]):
            return math_ops.maximum(math_ops.multiply(alpha, x), x)
    return make("LeakyRelu", [x], name=name or "LeakyRelu", alpha=float(alpha))


def softplus(features, name=None) -> Tensor:
    """log(exp(features) + 1)."""
    return _activation("Softplus", features, name)


def softsign(features, name=None) -> Tensor:
    """features / (abs(features) + 1)."""
    return _activation("Softsign", features, name)


# --- softmax and log-softmax (over the last axis; other axes are transposed there and back)

def _rank_at_least_1(op) -> TensorShape:
    _with_rank_at_least(op, op.inputs[0], 1)
    return op.inputs[0].shape


@op_def
class Softmax:
    shape = _rank_at_least_1

    def forward(k, x):
        e = k.xp.exp(x - x.max(axis=-1, keepdims=True))
        e /= e.sum(axis=-1, keepdims=True)
        return e

    def grad(op, g):
        return make("SoftmaxGrad", [g, op.outputs[0]], name="SoftmaxGrad")


@op_def
class SoftmaxGrad:
    """Internal: (g - sum(g * y, -1)) * y, the gradient of Softmax given its output y."""
    shape = _same_shape

    def forward(k, g, y):
        return (g - (g * y).sum(axis=-1, keepdims=True)) * y


@op_def
class LogSoftmax:
    shape = _rank_at_least_1

    def forward(k, x):
        shifted = x - x.max(axis=-1, keepdims=True)
        return shifted - k.xp.log(k.xp.exp(shifted).sum(axis=-1, keepdims=True))

    def grad(op, g):
        return make("LogSoftmaxGrad", [g, op.outputs[0]], name="LogSoftmaxGrad")


@op_def
class LogSoftmaxGrad:
    """Internal: g - sum(g, -1) * exp(y), the gradient of LogSoftmax given its output y."""
    shape = _same_shape

    def forward(k, g, y):
        return g - g.sum(axis=-1, keepdims=True) * k.xp.exp(y)


def _softmax_like(op_type: str, logits, axis, name, dim) -> Tensor:
    if axis is None:
        axis = -1 if dim is None else dim
    x = _float_tensor(logits, "logits")
    rank = x.shape.ndims
    if rank == 0:
        return make(op_type, [x], name=name or op_type)  # the shape function raises TF's rank error
    if rank is not None and not -rank <= axis < rank:
        raise ValueError(f"Invalid axis {axis} for a tensor of rank {rank}")  # TF: InvalidArgumentError
    if axis == -1 or (rank is not None and axis == rank - 1):
        return make(op_type, [x], name=name or op_type)
    if rank is None:
        raise ValueError(f"{op_type} over axis {axis} needs the rank of logits to be known")
    perm = list(range(rank))
    perm[axis % rank], perm[-1] = perm[-1], perm[axis % rank]
    out = make(op_type, [array_ops.transpose(x, perm)], name=op_type)
    return array_ops.transpose(out, perm, name=name or "transpose")


def softmax(logits, axis=None, name=None, dim=None) -> Tensor:
    """exp(logits) / sum(exp(logits), axis)."""
    return _softmax_like("Softmax", logits, axis, name, dim)


def log_softmax(logits, axis=None, name=None, dim=None) -> Tensor:
    """logits - log(sum(exp(logits), axis))."""
    return _softmax_like("LogSoftmax", logits, axis, name, dim)


# --- bias_add

@op_def
class BiasAdd:
    attrs = {"data_format": "NHWC"}

    def shape(op):
        value, bias = op.inputs
        dims = _with_rank_at_least(op, value, 2)
        bias_dims = _with_rank(op, bias, 1)
        if dims is None:
            return TensorShape(None)
        dims[-1] = _merge_dim(op, dims[-1], bias_dims[0])
        return TensorShape(dims)

    fresh = True
    overwrites = 0

    def forward(k, x, b, out=None):
        return k.xp.add(x, b, out=out)

    def grad(op, g):
        return [g, make("BiasAddGrad", [g], name="BiasAddGrad")]


@op_def
class BiasAddGrad:
    attrs = {"data_format": "NHWC"}

    def shape(op):
        dims = _with_rank_at_least(op, op.inputs[0], 2)
        return TensorShape([None if dims is None else dims[-1]])

    def forward(k, g):
        return g.reshape(-1, g.shape[-1]).sum(axis=0)

    def grad(op, gg):
        return _broadcast_bias(gg, op.inputs[0])


def _broadcast_bias(b: Tensor, like: Tensor) -> Tensor:
    return make("BroadcastToLike", [b, like], name="BroadcastToLike")


def bias_add(value, bias, data_format=None, name=None) -> Tensor:
    """value + bias, `bias` a 1-D tensor along the last (channel) dimension."""
    if data_format not in (None, "NHWC", "N...C"):
        raise ValueError(f"tlboard's bias_add supports data_format 'NHWC' only, got {data_format!r}")
    with name_scope(name, "BiasAdd", [value, bias]) as scope:
        value = convert_to_tensor(value, name="input")
        bias = convert_to_tensor(bias, dtype=value.dtype.base_dtype, name="bias")
        return make("BiasAdd", [value, bias], name=scope)


def xw_plus_b(x, weights, biases, name=None) -> Tensor:
    """matmul(x, weights) + biases."""
    with name_scope(name, "xw_plus_b", [x, weights, biases]) as scope:
        mm = math_ops.matmul(x, weights)
        return bias_add(mm, biases, name=scope)


# --- 2-D convolution and pooling (NHWC)

def _window_attr(value, name: str, op_type: str) -> list[int]:
    """An NHWC 4-list from TF's 1-, 2- or 4-entry forms."""
    if isinstance(value, numbers.Integral):
        return [1, int(value), int(value), 1]
    value = [int(v) for v in value]
    if len(value) == 1:
        return [1, value[0], value[0], 1]
    if len(value) == 2:
        return [1, value[0], value[1], 1]
    if len(value) == 4:
        return value
    raise ValueError(f"{op_type} requires the {name} attribute to contain 4 values, but got: {len(value)}")


def _padding_attr(padding) -> str:
    p = padding.decode() if isinstance(padding, bytes) else padding
    if not isinstance(p, str) or p.upper() not in ("SAME", "VALID"):
        raise ValueError(f"padding must be 'SAME' or 'VALID', got {padding!r}")
    return p.upper()


def _check_nhwc(data_format, op_type: str) -> None:
    if data_format not in (None, "NHWC"):
        raise ValueError(f"tlboard's {op_type} supports data_format 'NHWC' only, got {data_format!r}")


def _spatial_out(op, size, k: int, stride: int, dilation: int, padding: str):
    """Static output size along one spatial axis (None when the input size is unknown)."""
    if size is None or k is None:
        return None
    eff = (k - 1) * dilation + 1
    if padding == "SAME":
        return -(-size // stride)
    if size < eff:
        raise _shape_error(op, f"Negative dimension size caused by subtracting {eff} from {size}")
    return (size - eff) // stride + 1


def _conv_shape(op, x_dims, f_dims) -> TensorShape:
    n, h, w, c = x_dims
    kh, kw, fc, oc = f_dims
    if c is not None and fc is not None and c != fc:
        if c % fc:
            raise _shape_error(op, f"Depth of input ({c}) is not a multiple of input depth of filter ({fc})")
        raise _shape_error(op, f"tlboard does not support grouped convolution (input depth {c}, "
                               f"filter input depth {fc})")
    _, sh, sw, _ = op.attrs["strides"]
    _, dh, dw, _ = op.attrs["dilations"]
    pad = op.attrs["padding"]
    return TensorShape([n, _spatial_out(op, h, kh, sh, dh, pad), _spatial_out(op, w, kw, sw, dw, pad), oc])


def _check_conv_attrs(strides, dilations) -> None:
    if strides[0] != 1 or strides[3] != 1:
        raise ValueError("Current implementation does not yet support strides in the batch and depth dimensions.")
    if min(strides) < 1:
        raise ValueError(f"strides must be positive, got {strides}")
    if dilations[0] != 1 or dilations[3] != 1:
        raise ValueError("Current implementation does not yet support dilations in the batch and depth "
                         "dimensions.")
    if min(dilations) < 1:
        raise ValueError(f"dilations must be positive, got {dilations}")
    if max(strides[1:3]) > 1 and max(dilations[1:3]) > 1:
        raise ValueError("strides > 1 not supported in conjunction with dilation_rate > 1")


_CONV_ATTRS = {"strides": [1, 1, 1, 1], "padding": "VALID", "data_format": "NHWC", "dilations": [1, 1, 1, 1],
               "use_cudnn_on_gpu": True, "explicit_paddings": []}


def _conv_args(k) -> tuple:
    return k.attrs["strides"], k.attrs["padding"], k.attrs["dilations"]


@op_def
class Conv2D:
    attrs = dict(_CONV_ATTRS)
    fresh = True

    def shape(op):
        return _conv_shape(op, _with_rank(op, op.inputs[0], 4), _with_rank(op, op.inputs[1], 4))

    def forward(k, x, w):
        return k.b.conv2d(x, w, *_conv_args(k), cache=k.cache, x_derived=k.derived(0))

    def grad(op, g):
        x, w = op.inputs
        a = _conv_attr_subset(op)
        return [make("Conv2DBackpropInput", [array_ops.shape(x), w, g], name="Conv2DBackpropInput", **a),
                make("Conv2DBackpropFilter", [x, array_ops.shape(w), g], name="Conv2DBackpropFilter", **a)]


def _conv_attr_subset(op) -> dict:
    return {k: op.attrs[k] for k in _CONV_ATTRS}


def _shape_from_tensor(op, t: Tensor, rank: int) -> list:
    """Static dims of a shape-vector input: its constant value, else the known shape of the tensor it came
    from (a `Shape` op), else unknown."""
    if t.op.type == "Const":
        return [int(d) for d in np.asarray(t.op.attrs["value"]).reshape(-1)]
    if t.op.type == "Shape" and t.op.inputs[0].shape.dims is not None:
        return list(t.op.inputs[0].shape.dims)
    return [None] * rank


def _host_ints(v) -> tuple:
    v = v.get() if hasattr(v, "get") and not isinstance(v, np.ndarray) else v
    return tuple(int(d) for d in np.asarray(v).reshape(-1))


@op_def
class Conv2DBackpropInput:
    """Inputs (input_sizes, filter, out_backprop): the gradient of Conv2D with respect to its input."""
    attrs = dict(_CONV_ATTRS)
    fresh = True

    def shape(op):
        sizes, w, g = op.inputs
        _with_rank(op, w, 4)
        _with_rank(op, g, 4)
        return TensorShape(_shape_from_tensor(op, sizes, 4))

    def dtype(op):
        return op.inputs[1].dtype.base_dtype

    def forward(k, sizes, w, g):
        return k.b.conv2d_backprop_input(_host_ints(sizes), w, g, *_conv_args(k), cache=k.cache,
                                         dy_derived=k.derived(2))

    def grad(op, gg):
        _, w, g = op.inputs
        a = _conv_attr_subset(op)
        return [None,
                make("Conv2DBackpropFilter", [gg, array_ops.shape(w), g], name="Conv2DBackpropFilter", **a),
                make("Conv2D", [gg, w], name="Conv2D", **a)]


@op_def
class Conv2DBackpropFilter:
    """Inputs (input, filter_sizes, out_backprop): the gradient of Conv2D with respect to its filter."""
    attrs = dict(_CONV_ATTRS)
    fresh = True

    def shape(op):
        x, sizes, g = op.inputs
        _with_rank(op, x, 4)
        _with_rank(op, g, 4)
        return TensorShape(_shape_from_tensor(op, sizes, 4))

    def forward(k, x, sizes, g):
        return k.b.conv2d_backprop_filter(x, _host_ints(sizes), g, *_conv_args(k), cache=k.cache,
                                          x_derived=k.derived(0), dy_derived=k.derived(2))

    def grad(op, gg):
        x, _, g = op.inputs
        a = _conv_attr_subset(op)
        return [make("Conv2DBackpropInput", [array_ops.shape(x), gg, g], name="Conv2DBackpropInput", **a),
                None,
                make("Conv2D", [x, gg], name="Conv2D", **a)]


def conv2d(input=None, filter=None, strides=None, padding=None, use_cudnn_on_gpu=True, data_format="NHWC",
           dilations=(1, 1, 1, 1), name=None, filters=None) -> Tensor:
    """2-D convolution of an NHWC `input` with an HWIO `filter` (TF1's tf.nn.conv2d)."""
    if filter is None:
        filter = filters
    if input is None or filter is None or strides is None or padding is None:
        raise TypeError("conv2d() needs input, filter, strides and padding")
    _check_nhwc(data_format, "conv2d")
    strides = _window_attr(strides, "strides", "Conv2D")
    dilations = _window_attr(dilations, "dilations", "Conv2D")
    _check_conv_attrs(strides, dilations)
    x = _float_tensor(input, "input")
    w = convert_to_tensor(filter, dtype=x.dtype.base_dtype, name="filter")
    return make("Conv2D", [x, w], name=name or "Conv2D", strides=strides, padding=_padding_attr(padding),
                dilations=dilations, use_cudnn_on_gpu=bool(use_cudnn_on_gpu))


def conv2d_backprop_input(input_sizes, filter, out_backprop, strides, padding, use_cudnn_on_gpu=True,
                          data_format="NHWC", dilations=(1, 1, 1, 1), name=None) -> Tensor:
    """The gradient of conv2d with respect to its input, of shape `input_sizes`."""
    _check_nhwc(data_format, "conv2d_backprop_input")
    strides = _window_attr(strides, "strides", "Conv2DBackpropInput")
    dilations = _window_attr(dilations, "dilations", "Conv2DBackpropInput")
    _check_conv_attrs(strides, dilations)
    g = _float_tensor(out_backprop, "out_backprop")
    w = convert_to_tensor(filter, dtype=g.dtype.base_dtype, name="filter")
    sizes = convert_to_tensor(input_sizes, dtype=_dt.int32, name="input_sizes")
    return make("Conv2DBackpropInput", [sizes, w, g], name=name or "Conv2DBackpropInput", strides=strides,
                padding=_padding_attr(padding), dilations=dilations, use_cudnn_on_gpu=bool(use_cudnn_on_gpu))


def conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding, use_cudnn_on_gpu=True,
                           data_format="NHWC", dilations=(1, 1, 1, 1), name=None) -> Tensor:
    """The gradient of conv2d with respect to its filter, of shape `filter_sizes`."""
    _check_nhwc(data_format, "conv2d_backprop_filter")
    strides = _window_attr(strides, "strides", "Conv2DBackpropFilter")
    dilations = _window_attr(dilations, "dilations", "Conv2DBackpropFilter")
    _check_conv_attrs(strides, dilations)
    x = _float_tensor(input, "input")
    g = convert_to_tensor(out_backprop, dtype=x.dtype.base_dtype, name="out_backprop")
    sizes = convert_to_tensor(filter_sizes, dtype=_dt.int32, name="filter_sizes")
    return make("Conv2DBackpropFilter", [x, sizes, g], name=name or "Conv2DBackpropFilter", strides=strides,
                padding=_padding_attr(padding), dilations=dilations, use_cudnn_on_gpu=bool(use_cudnn_on_gpu))


def conv2d_transpose(value=None, filter=None, output_shape=None, strides=None, padding="SAME",
                     data_format="NHWC", name=None, input=None, filters=None, dilations=None) -> Tensor:
    """The transpose of conv2d (its input gradient): `filter` is [h, w, out_channels, in_channels]."""
    value = input if value is None else value
    filter = filters if filter is None else filter
    with name_scope(name, "conv2d_transpose", [value, filter, output_shape]) as scope:
        return conv2d_backprop_input(output_shape, filter, value, strides, padding, data_format=data_format,
                                     dilations=dilations or (1, 1, 1, 1), name=scope)


_POOL_ATTRS = {"ksize": [1, 1, 1, 1], "strides": [1, 1, 1, 1], "padding": "VALID", "data_format": "NHWC"}


def _pool_shape(op) -> TensorShape:
    n, h, w, c = _with_rank(op, op.inputs[0], 4)
    _, kh, kw, _ = op.attrs["ksize"]
    _, sh, sw, _ = op.attrs["strides"]
    pad = op.attrs["padding"]
    return TensorShape([n, _spatial_out(op, h, kh, sh, 1, pad), _spatial_out(op, w, kw, sw, 1, pad), c])


def _pool_args(k) -> tuple:
    return k.attrs["ksize"], k.attrs["strides"], k.attrs["padding"]


@op_def
class MaxPool:
    attrs = dict(_POOL_ATTRS)
    fresh = True
    shape = _pool_shape

    def forward(k, x):
        return k.b.max_pool(x, *_pool_args(k))

    def grad(op, g):
        return make("MaxPoolGrad", [op.inputs[0], op.outputs[0], g], name="MaxPoolGrad",
                    **{k: op.attrs[k] for k in _POOL_ATTRS})


@op_def
class MaxPoolGrad:
    """Inputs (orig_input, orig_output, grad): routes each window's gradient to its first maximum."""
    attrs = dict(_POOL_ATTRS)
    fresh = True

    def shape(op):
        return op.inputs[0].shape

    def forward(k, x, y, g):
        return k.b.max_pool_grad(x, y, g, *_pool_args(k))


@op_def
class AvgPool:
    attrs = dict(_POOL_ATTRS)
    shape = _pool_shape

    def forward(k, x):
        return k.b.avg_pool(x, *_pool_args(k))

    def grad(op, g):
        return make("AvgPoolGrad", [array_ops.shape(op.inputs[0]), g], name="AvgPoolGrad",
                    **{k: op.attrs[k] for k in _POOL_ATTRS})


@op_def
class AvgPoolGrad:
    """Inputs (orig_input_shape, grad): spreads each window's gradient evenly over its in-image cells."""
    attrs = dict(_POOL_ATTRS)

    def shape(op):
        return TensorShape(_shape_from_tensor(op, op.inputs[0], 4))

    def dtype(op):
        return op.inputs[1].dtype.base_dtype

    def forward(k, sizes, g):
        return k.b.avg_pool_grad(_host_ints(sizes), g, *_pool_args(k))

    def grad(op, gg):
        return [None, make("AvgPool", [gg], name="AvgPool", **{k: op.attrs[k] for k in _POOL_ATTRS})]


def _pool(op_type: str, value, ksize, strides, padding, data_format, name) -> Tensor:
    _check_nhwc(data_format, op_type)
    ksize = _window_attr(ksize, "ksize", op_type)
    strides = _window_attr(strides, "strides", op_type)
    if ksize[0] != 1 or ksize[3] != 1 or strides[0] != 1 or strides[3] != 1:
        raise ValueError(f"tlboard's {op_type} pools over height and width only: ksize and strides must be 1 in "
                         f"the batch and depth dimensions, got ksize={ksize}, strides={strides}")
    if min(ksize) < 1 or min(strides) < 1:
        raise ValueError(f"ksize and strides must be positive, got ksize={ksize}, strides={strides}")
    x = convert_to_tensor(value, name="input")
    return make(op_type, [x], name=name or op_type, ksize=ksize, strides=strides, padding=_padding_attr(padding))


def max_pool(value=None, ksize=None, strides=None, padding=None, data_format="NHWC", name=None,
             input=None) -> Tensor:
    """Max over each (ksize) window of an NHWC tensor."""
    return _pool("MaxPool", input if value is None else value, ksize, strides, padding, data_format, name)


def avg_pool(value=None, ksize=None, strides=None, padding=None, data_format="NHWC", name=None,
             input=None) -> Tensor:
    """Mean over each (ksize) window of an NHWC tensor (SAME windows average their in-image cells only)."""
    return _pool("AvgPool", input if value is None else value, ksize, strides, padding, data_format, name)


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None) -> Tensor:
    """max_pool with ksize/strides given as an int, a pair or an NHWC 4-list."""
    return max_pool(input, ksize, strides, padding, data_format, name)


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None) -> Tensor:
    """avg_pool with ksize/strides given as an int, a pair or an NHWC 4-list."""
    return avg_pool(input, ksize, strides, padding, data_format, name)


# --- dropout: a random mask op and one multiply, under a "dropout" name scope

@op_def
class DropoutMask:
    """Inputs (x or noise_shape, keep_prob): 1/keep_prob with probability keep_prob, else 0."""
    attrs = {"seed": None, "seed2": None, "from_shape": False, "T": _dt.float32}
    stateful = True

    def shape(op):
        src = op.inputs[0]
        if not op.attrs["from_shape"]:
            return src.shape
        rank = src.shape.dims[0] if src.shape.dims else None
        return TensorShape(None if rank is None else _shape_from_tensor(op, src, rank))

    def forward(k, src, keep_prob):
        shape = _host_ints(src) if k.attrs["from_shape"] else src.shape
        # keep_prob stays where it lives (reading a device value back would stall a GPU step); the CPU
        # backend checks its range.
        return k.b.dropout_mask(k.rng, shape, keep_prob, k.attrs["T"].as_numpy_dtype)


def dropout(x, keep_prob=None, noise_shape=None, seed=None, name=None, rate=None) -> Tensor:
    """Zeroes each element with probability 1 - keep_prob (or `rate`) and scales the rest by 1/keep_prob."""
    if keep_prob is not None and rate is not None:
        raise ValueError("Cannot specify both keep_prob and rate: keep_prob = 1 - rate")
    if keep_prob is None and rate is None:
        raise ValueError("You must provide a rate to dropout.")
    with name_scope(name, "dropout", [x]) as scope:
        x = _float_tensor(x, "x")
        dtype = x.dtype.base_dtype
        if isinstance(keep_prob, numbers.Real) or isinstance(rate, numbers.Real):
            kp = float(keep_prob) if keep_prob is not None else 1.0 - float(rate)
            if not 0 < kp <= 1:
                raise ValueError(f"rate must be a scalar tensor or a float in the range [0, 1), got {1 - kp:g}")
            if kp == 1:
                return array_ops.identity(x, name=scope)
            kp_t = convert_to_tensor(kp, dtype=dtype, name="keep_prob")
        elif keep_prob is not None:
            kp_t = convert_to_tensor(keep_prob, dtype=dtype, name="keep_prob")
        else:
            kp_t = math_ops.subtract(_scalar_of(1, dtype.as_numpy_dtype),
                                     convert_to_tensor(rate, dtype=dtype, name="rate"), name="keep_prob")
        if kp_t.shape.ndims not in (None, 0):
            raise ValueError(f"keep_prob must be a scalar tensor, got shape {kp_t.shape}")
        seed, seed2 = random_ops.get_seed(seed)
        if noise_shape is None:
            src, from_shape = x, False
        else:
            src, from_shape = convert_to_tensor(noise_shape, dtype=_dt.int32, name="noise_shape"), True
        mask = make("DropoutMask", [src, kp_t], name="mask", seed=seed, seed2=seed2, from_shape=from_shape,
                    T=dtype)
        return math_ops.multiply(x, mask, name=scope)


# --- cross-entropies

def _xent_shape(op) -> list:
    logits, labels = op.inputs
    ld = _with_rank(op, logits, 2)
    bd = _with_rank(op, labels, 2)
    batch = _merge_dim(op, ld[0], bd[0])
    classes = _merge_dim(op, ld[1], bd[1])
    return [TensorShape([batch]), TensorShape([batch, classes])]


def _scale_rows(g: Tensor, m: Tensor) -> Tensor:
    """g[:, None] * m for a per-row gradient g."""
    return math_ops.multiply(array_ops.reshape(g, [-1, 1]), m)


@op_def
class SoftmaxCrossEntropyWithLogits:
    """Inputs (features, labels) of shape [batch, classes]; outputs (loss [batch], backprop)."""
    fresh = True
    shape = _xent_shape

    def forward(k, logits, labels):
        return k.b.softmax_cross_entropy(logits, labels)

    def grad(op, g_loss, g_backprop):
        logits = op.inputs[0]
        g_logits = _scale_rows(g_loss, op.outputs[1])
        g_labels = _scale_rows(g_loss, _neg(make("LogSoftmax", [logits], name="LogSoftmax")))
        return [g_logits, g_labels]


@op_def
class SparseSoftmaxCrossEntropyWithLogits:
    """Inputs (features [batch, classes], labels [batch] of class indices); outputs (loss, backprop)."""

    def shape(op):
        logits, labels = op.inputs
        ld = _with_rank(op, logits, 2)
        bd = _with_rank(op, labels, 1)
        batch = _merge_dim(op, ld[0], bd[0])
        return [TensorShape([batch]), TensorShape([batch, ld[1]])]

    def dtype(op):
        return [op.inputs[0].dtype.base_dtype] * 2

    def forward(k, logits, labels):
        return k.b.sparse_softmax_cross_entropy(logits, labels)

    def grad(op, g_loss, g_backprop):
        return [_scale_rows(g_loss, op.outputs[1]), None]


def _as_2d(t: Tensor, classes_dim) -> Tensor:
    return array_ops.reshape(t, [-1, classes_dim if classes_dim is not None else array_ops.shape(t)[-1]])


def softmax_cross_entropy_with_logits_v2(labels, logits, axis=None, name=None, dim=None) -> Tensor:
    """-sum(labels * log_softmax(logits), axis); differentiable in both labels and logits."""
    if axis is None:
        axis = -1 if dim is None else dim
    with name_scope(name, "softmax_cross_entropy_with_logits", [logits, labels]) as scope:
        logits = _float_tensor(logits, "logits")
        labels = convert_to_tensor(labels, dtype=logits.dtype.base_dtype, name="labels")
        rank = logits.shape.ndims
        if rank is not None and labels.shape.ndims is not None and rank != labels.shape.ndims:
            raise ValueError(f"Rank mismatch: Rank of labels (received {labels.shape.ndims}) should equal rank of "
                             f"logits (received {rank}).")
        if rank == 0:
            raise ValueError(f"Logits must have rank >= 1, got shape {logits.shape}")
        if axis not in (-1, None) and (rank is None or axis % rank != rank - 1):
            if rank is None:
                raise ValueError("softmax_cross_entropy_with_logits over a non-last axis needs a known rank")
            axis %= rank
            perm = [d for d in range(rank) if d != axis] + [axis]  # class axis last, others in order
            logits, labels = array_ops.transpose(logits, perm), array_ops.transpose(labels, perm)
        if logits.shape.ndims == 2:
            return make("SoftmaxCrossEntropyWithLogits", [logits, labels], name=scope)[0]
        # Other ranks: flatten the outer dims, apply, and restore them (as TF does).
        classes = logits.shape.dims[-1] if logits.shape.dims else None
        loss = make("SoftmaxCrossEntropyWithLogits", [_as_2d(logits, classes), _as_2d(labels, classes)],
                    name="SoftmaxCrossEntropyWithLogits")[0]
        outer = array_ops.shape(logits)[:-1] if logits.shape.dims is None or None in logits.shape.dims[:-1] \
            else list(logits.shape.dims[:-1])
        return array_ops.reshape(loss, outer, name=scope)


def softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, dim=-1, name=None,
                                      axis=None) -> Tensor:
    """TF1's version: like _v2, but no gradient flows into `labels`."""
    if _sentinel is not None or labels is None or logits is None:
        raise ValueError("Only call `softmax_cross_entropy_with_logits` with named arguments (labels=..., "
                         "logits=..., ...)")
    with name_scope(name, "softmax_cross_entropy_with_logits_sg", [logits, labels]) as scope:
        labels = array_ops.stop_gradient(labels, name="labels_stop_gradient")
        return softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits, axis=dim if axis is None else axis,
                                                    name=scope)


def sparse_softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None) -> Tensor:
    """-log_softmax(logits)[labels] per example; `labels` holds class indices (int32/int64)."""
    if _sentinel is not None or labels is None or logits is None:
        raise ValueError("Only call `sparse_softmax_cross_entropy_with_logits` with named arguments "
                         "(labels=..., logits=..., ...)")
    with name_scope(name, "SparseSoftmaxCrossEntropyWithLogits", [labels, logits]) as scope:
        labels = convert_to_tensor(labels, name="labels")
        logits = _float_tensor(logits, "logits")
        if not labels.dtype.base_dtype.is_integer:
            raise TypeError(f"labels must be int32 or int64, got {labels.dtype.base_dtype.name}")
        lr, gr = labels.shape.ndims, logits.shape.ndims
        if gr == 0:
            raise ValueError(f"Logits cannot be scalars - received shape {logits.shape}.")
        if lr is not None and gr is not None and lr != gr - 1:
            raise ValueError(f"Rank mismatch: Rank of labels (received {lr}) should equal rank of logits minus 1 "
                             f"(received {gr}).")
        if lr is not None and gr is not None:
            for a, b in zip(labels.shape.dims, logits.shape.dims[:-1]):
                if a is not None and b is not None and a != b:
                    raise ValueError(f"Shape mismatch: The shape of labels (received {labels.shape}) should equal "
                                     f"the shape of logits except for the last dimension (received "
                                     f"{logits.shape}).")
        if gr == 2:
            return make("SparseSoftmaxCrossEntropyWithLogits", [logits, labels], name=scope)[0]
        classes = logits.shape.dims[-1] if logits.shape.dims else None
        loss = make("SparseSoftmaxCrossEntropyWithLogits",
                    [_as_2d(logits, classes), array_ops.reshape(labels, [-1])],
                    name="SparseSoftmaxCrossEntropyWithLogits")[0]
        outer = array_ops.shape(labels) if labels.shape.dims is None or None in labels.shape.dims \
            else list(labels.shape.dims)
        return array_ops.reshape(loss, outer, name=scope)


def sigmoid_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None) -> Tensor:
    """max(x, 0) - x * z + log(1 + exp(-|x|)) for logits x and labels z: stable for any x."""
    if _sentinel is not None or labels is None or logits is None:
        raise ValueError("Only call `sigmoid_cross_entropy_with_logits` with named arguments (labels=..., "
                         "logits=..., ...)")
    with name_scope(name, "logistic_loss", [logits, labels]) as scope:
        logits = _float_tensor(logits, "logits")
        labels = convert_to_tensor(labels, dtype=logits.dtype.base_dtype, name="labels")
        try:
            labels.shape.merge_with(logits.shape)
        except ValueError:
            raise ValueError(f"logits and labels must have the same shape ({logits.shape} vs "
                             f"{labels.shape})") from None
        zeros = array_ops.zeros_like(logits)
        cond = math_ops.greater_equal(logits, zeros)
        relu_logits = math_ops.where(cond, logits, zeros)
        neg_abs_logits = math_ops.where(cond, math_ops.negative(logits), logits)
        return math_ops.add(math_ops.subtract(relu_logits, math_ops.multiply(logits, labels)),
                            math_ops.log1p(math_ops.exp(neg_abs_logits)), name=scope)


def weighted_cross_entropy_with_logits(targets=None, logits=None, pos_weight=None, name=None,
                                       labels=None) -> Tensor:
    """Sigmoid cross-entropy with the positive term weighted by `pos_weight`."""
    targets = labels if targets is None else targets
    with name_scope(name, "logistic_loss", [logits, targets]) as scope:
        logits = _float_tensor(logits, "logits")
        targets = convert_to_tensor(targets, dtype=logits.dtype.base_dtype, name="targets")
        one = _scalar_of(1, logits.dtype.base_dtype.as_numpy_dtype)
        pos_weight = convert_to_tensor(pos_weight, dtype=logits.dtype.base_dtype, name="pos_weight")
        log_weight = math_ops.add(one, math_ops.multiply(math_ops.subtract(pos_weight, one), targets))
        softplus_neg_abs = math_ops.log1p(math_ops.exp(math_ops.negative(math_ops.abs(logits))))
        return math_ops.add(math_ops.multiply(math_ops.subtract(one, targets), logits),
                            math_ops.multiply(log_weight, math_ops.add(softplus_neg_abs,
                                                                       relu(math_ops.negative(logits)))),
                            name=scope)


# --- l2_loss and normalisation helpers

@op_def
class L2Loss:
    def shape(op):
        return TensorShape([])

    def forward(k, x):
        flat = x.reshape(-1)
        return k.xp.asarray((flat @ flat) * x.dtype.type(0.5), dtype=x.dtype)

    def grad(op, g):
        return math_ops.multiply(op.inputs[0], g)


def l2_loss(t, name=None) -> Tensor:
    """sum(t ** 2) / 2."""
    return make("L2Loss", [_float_tensor(t, "t")], name=name or "L2Loss")


def moments(x, axes, shift=None, name=None, keep_dims=None, keepdims=None) -> tuple[Tensor, Tensor]:
    """(mean, variance) of `x` over `axes`."""
    keep = bool(keepdims if keepdims is not None else keep_dims)
    with name_scope(name, "moments", [x, axes]):
        x = _float_tensor(x, "x")
        y = math_ops.cast(x, _dt.float32) if x.dtype.base_dtype is _dt.float16 else x
        mean = math_ops.reduce_mean(y, axes, keepdims=True, name="mean")
        variance = math_ops.reduce_mean(math_ops.squared_difference(y, array_ops.stop_gradient(mean)), axes,
                                        keepdims=True, name="variance")
        if not keep:
            mean = array_ops.squeeze(mean, axes)
            variance = array_ops.squeeze(variance, axes)
        if x.dtype.base_dtype is _dt.float16:
            return math_ops.cast(mean, _dt.float16), math_ops.cast(variance, _dt.float16)
        return mean, variance


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None) -> Tensor:
    """scale * (x - mean) / sqrt(variance + epsilon) + offset (offset/scale may be None)."""
    with name_scope(name, "batchnorm", [x, mean, variance, scale, offset]):
        x = _float_tensor(x, "x")
        inv = math_ops.rsqrt(math_ops.add(variance, variance_epsilon))
        if scale is not None:
            inv = math_ops.multiply(inv, scale)
        inv = math_ops.cast(inv, x.dtype.base_dtype)
        if offset is not None:
            shift = math_ops.subtract(offset, math_ops.multiply(mean, inv))
        else:
            shift = _neg(math_ops.multiply(mean, inv))
        return math_ops.add(math_ops.multiply(x, inv), math_ops.cast(shift, x.dtype.base_dtype))


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None) -> Tensor:
    """x / sqrt(max(sum(x ** 2, axis), epsilon))."""
    axis = dim if axis is None else axis
    with name_scope(name, "l2_normalize", [x]) as scope:
        x = _float_tensor(x, "x")
        square_sum = math_ops.reduce_sum(math_ops.square(x), axis, keepdims=True)
        inv_norm = math_ops.rsqrt(math_ops.maximum(square_sum, _scalar_of(epsilon, x.dtype.base_dtype.as_numpy_dtype)))
        return math_ops.multiply(x, inv_norm, name=scope)


def embedding_lookup(params, ids, partition_strategy="mod", name=None, validate_indices=True,
                     max_norm=None) -> Tensor:
    """Rows of `params` (one tensor or variable; or a list sharded by `partition_strategy`) selected by `ids`."""
    if isinstance(params, list | tuple):
        if not params:
            raise ValueError("Need at least one param")
        if len(params) > 1:
            return _sharded_lookup(list(params), ids, partition_strategy, name, max_norm)
        params = params[0]
    with name_scope(name, "embedding_lookup", [params, ids]) as scope:
        ids = convert_to_tensor(ids, name="ids")
        rows = array_ops.gather(params, ids)
        if max_norm is not None:
            rows = _clip_rows(rows, max_norm)
        return array_ops.identity(rows, name=scope)


def _clip_rows(rows: Tensor, max_norm) -> Tensor:
    """Rescales each looked-up embedding (last axis) to an L2 norm of at most `max_norm`."""
    dtype = rows.dtype.base_dtype.as_numpy_dtype
    limit = _scalar_of(max_norm, dtype)
    norm = math_ops.sqrt(math_ops.reduce_sum(math_ops.square(rows), -1, keepdims=True))
    return math_ops.multiply(rows, math_ops.divide(limit, math_ops.maximum(norm, limit)))


def _sharded_lookup(params: list, ids, strategy: str, name, max_norm) -> Tensor:
    raise NotImplementedError("tlboard's embedding_lookup takes a single params tensor; sharded params "
                              f"({len(params)} shards, partition_strategy={strategy!r}) are not supported")


# --- in_top_k

@op_def
class InTopKV2:
    """Inputs (predictions [batch, classes], targets [batch], k): whether each target is among the top k."""

    def shape(op):
        preds, targets, _ = op.inputs
        pd = _with_rank(op, preds, 2)
        td = _with_rank(op, targets, 1)
        return TensorShape([_merge_dim(op, pd[0], td[0])])

    def dtype(op):
        return _dt.bool_

    def forward(k, preds, targets, kk):
        xp = k.xp
        n, classes = preds.shape
        targets = k.b.asarray(targets).astype(np.int64, copy=False)  # ints live on the host
        valid = (targets >= 0) & (targets < classes)
        safe = xp.where(valid, targets, 0)
        target_pred = xp.take_along_axis(preds, safe[:, None], axis=1)
        greater = (preds > target_pred).sum(axis=1)
        # A target counts as "in" when fewer than k predictions beat it strictly; ties count as in (TF's rule).
        return valid & xp.isfinite(target_pred[:, 0]) & (greater < int(kk))


def in_top_k(predictions, targets, k, name=None) -> Tensor:
    """For each row, whether predictions[row, targets[row]] is among the row's k largest."""
    preds = convert_to_tensor(predictions, dtype=_dt.float32, name="predictions")
    targets = convert_to_tensor(targets, name="targets")
    with name_scope(name, "in_top_k", [predictions, targets]):
        k_t = convert_to_tensor(k, dtype=targets.dtype.base_dtype, name="k")
        return make("InTopKV2", [preds, targets, k_t], name="InTopKV2")


# --- top_k

@op_def
class TopKV2:
    """The k largest entries of the last dim (values, int32 indices), largest first; ties go to the lower index."""
    attrs = {"sorted": True}

    def shape(op):
        x, k_t = op.inputs
        kv = array_ops.const_value(k_t)
        kk = None if kv is None else int(kv.reshape(-1)[0])
        if kk is not None and kk < 0:
            raise _shape_error(op, f"Need k >= 0, got {kk}")
        dims = x.shape.dims
        if dims is None:
            return [TensorShape(None), TensorShape(None)]
        if not dims:
            raise _shape_error(op, "Shape must be at least rank 1 but is rank 0")
        if kk is not None and dims[-1] is not None and dims[-1] < kk:
            raise _shape_error(op, f"input must have last dimension >= k = {kk} but is {dims[-1]}")
        out = TensorShape(list(dims[:-1]) + [kk])
        return [out, out]

    def dtype(op):
        return [op.inputs[0].dtype.base_dtype, _dt.int32]

    def forward(k, x, kk):
        xp = k.xp
        n = int(np.asarray(array_ops._host(kk)).reshape(-1)[0])
        last = x.shape[-1]
        if n < 0:
            raise ValueError(f"Need k >= 0, got {n}")
        if n > last:
            raise ValueError(f"input must have at least k columns. Had {last}, needed {n}")
        # a stable ascending sort of the reversed row, read backwards: descending, equal values by lower index
        order = (last - 1) - xp.flip(xp.argsort(xp.flip(x, axis=-1), axis=-1, kind="stable"), axis=-1)
        idx = order[..., :n]
        return xp.take_along_axis(x, idx, axis=-1), idx.astype(np.int32)

    def grad(op, g_values, g_indices):
        x = op.inputs[0]
        return [make("TopKGrad", [x, op.outputs[1], g_values], name="TopKGrad"), None]


@op_def
class TopKGrad:
    """Internal (TopKV2's gradient): zeros shaped like the input with g written at the top-k positions."""
    reads_shape_only = (0,)

    def shape(op):
        return op.inputs[0].shape

    def dtype(op):
        return op.inputs[2].dtype.base_dtype

    def forward(k, x, idx, g):
        xp = k.xp
        shp = tuple(xp.shape(x))
        last = shp[-1] if shp else 1
        rows = int(np.prod(shp[:-1], dtype=np.int64))
        n = int(np.shape(idx)[-1])
        out = xp.zeros((rows, last), dtype=g.dtype)
        idx = k.b.asarray(idx).reshape(rows, n)
        out[xp.arange(rows)[:, None], idx] = xp.reshape(g, (rows, n))
        return out.reshape(shp)


_TopK = namedtuple("TopKV2", ["values", "indices"])


def top_k(input, k=1, sorted=True, name=None) -> tuple:
    """(values, indices) of the `k` largest entries along the last dim, largest first."""
    x = convert_to_tensor(input)
    k_t = k if isinstance(k, Tensor) else convert_to_tensor(k, dtype=_dt.int32, name="k")
    values, indices = make("TopKV2", [x, k_t], name=name or "TopKV2", sorted=bool(sorted))
    return _TopK(values, indices)


def swish(features, name=None) -> Tensor:
    """features * sigmoid(features) (the SiLU activation)."""
    x = convert_to_tensor(features, name="features")
    with name_scope(name, "swish", [x]) as scope:
        return math_ops.multiply(x, math_ops.sigmoid(x), name=scope)
