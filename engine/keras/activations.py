"""`tf.keras.activations`: activation functions by name or object."""
from __future__ import annotations

from collections.abc import Callable

from tlboard.engine.graph import Tensor
from tlboard.engine.ops import math_ops, nn_ops


def linear(x: Tensor) -> Tensor:
    """The identity (no activation)."""
    return x


def relu(x: Tensor, alpha: float = 0.0, max_value: float | None = None) -> Tensor:
    """max(x, 0); with `alpha`, a leaky slope below zero; with `max_value`, capped."""
    if alpha != 0.0:
        y = nn_ops.leaky_relu(x, alpha=alpha)
    else:
        y = nn_ops.relu(x)
    if max_value is not None:
        y = math_ops.minimum(y, x.dtype.base_dtype.as_numpy_dtype(max_value))
    return y


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) over the last axis."""
    if x.shape.ndims is not None and x.shape.ndims < 2:
        raise ValueError(f"Cannot apply softmax to a tensor that is 1D. Received input: {x}")
    return nn_ops.softmax(x, axis=axis)


def sigmoid(x: Tensor) -> Tensor:
    return math_ops.sigmoid(x)


def tanh(x: Tensor) -> Tensor:
    return math_ops.tanh(x)


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    y = nn_ops.elu(x)
    return y if alpha == 1.0 else _scale_negative(x, y, alpha)


def _scale_negative(x, y, alpha):
    neg = math_ops.cast(math_ops.less(x, 0.0), x.dtype.base_dtype)
    return math_ops.add(math_ops.multiply(y, math_ops.subtract(1.0, neg)),
                        math_ops.multiply(math_ops.multiply(y, alpha), neg))


def selu(x: Tensor) -> Tensor:
    return nn_ops.selu(x)


def softplus(x: Tensor) -> Tensor:
    return nn_ops.softplus(x)


def softsign(x: Tensor) -> Tensor:
    return nn_ops.softsign(x)


def hard_sigmoid(x: Tensor) -> Tensor:
    """clip(0.2 * x + 0.5, 0, 1)."""
    return math_ops.clip_by_value(math_ops.add(math_ops.multiply(x, 0.2), 0.5), 0.0, 1.0)


def exponential(x: Tensor) -> Tensor:
    return math_ops.exp(x)


_BY_NAME: dict[str, Callable] = {
    f.__name__: f for f in (linear, relu, softmax, sigmoid, tanh, elu, selu, softplus, softsign,
                            hard_sigmoid, exponential)
}


def get(identifier) -> Callable:
    """The activation for a name ('relu'), a callable, or None (linear)."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        try:
            return _BY_NAME[identifier]
        except KeyError:
            raise ValueError(f"Unknown activation function: {identifier}") from None
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier!r}")


def serialize(activation: Callable) -> str:
    """The name of an activation function."""
    return getattr(activation, "__name__", type(activation).__name__)
