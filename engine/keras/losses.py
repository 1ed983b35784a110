"""`tf.keras.losses`: per-sample loss functions `loss(y_true, y_pred)` (averaged over the batch by `fit`)."""
from __future__ import annotations

from collections.abc import Callable

from tlboard.engine import dtypes as _dt
from tlboard.engine.graph import Tensor, convert_to_tensor
from tlboard.engine.ops import array_ops, math_ops, nn_ops

from . import backend as K


def _pair(y_true, y_pred) -> tuple[Tensor, Tensor]:
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true)
    if y_true.dtype.base_dtype is not y_pred.dtype.base_dtype:
        y_true = math_ops.cast(y_true, y_pred.dtype.base_dtype)
    return y_true, y_pred


def mean_squared_error(y_true, y_pred) -> Tensor:
    """mean((y_pred - y_true)**2) over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred)
    return math_ops.reduce_mean(math_ops.square(math_ops.subtract(y_pred, y_true)), axis=-1)


def mean_absolute_error(y_true, y_pred) -> Tensor:
    """mean(|y_pred - y_true|) over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred)
    return math_ops.reduce_mean(math_ops.abs(math_ops.subtract(y_pred, y_true)), axis=-1)


def _clipped(p: Tensor) -> Tensor:
    eps = K.epsilon()
    return math_ops.clip_by_value(p, eps, 1.0 - eps)


def categorical_crossentropy(y_true, y_pred, from_logits: bool = False) -> Tensor:
    """-sum(y_true * log(y_pred)) over the last axis (from the softmax's logits when y_pred is a softmax)."""
    y_true, y_pred = _pair(y_true, y_pred)
    if not from_logits and y_pred.op.type == "Softmax":
        y_pred, from_logits = y_pred.op.inputs[0], True  # numerically stable path, as Keras takes it
    if from_logits:
        return nn_ops.softmax_cross_entropy_with_logits_v2(labels=array_ops.stop_gradient(y_true), logits=y_pred)
    y_pred = math_ops.divide(y_pred, math_ops.reduce_sum(y_pred, axis=-1, keepdims=True))
    return math_ops.negative(math_ops.reduce_sum(math_ops.multiply(y_true, math_ops.log(_clipped(y_pred))),
                                                 axis=-1))


def sparse_categorical_crossentropy(y_true, y_pred, from_logits: bool = False) -> Tensor:
    """Categorical cross-entropy with integer class labels (shape (batch,) or (batch, 1))."""
    y_pred = convert_to_tensor(y_pred)
    labels = array_ops.reshape(convert_to_tensor(y_true), [-1])
    labels = math_ops.cast(labels, _dt.int64)
    if not from_logits and y_pred.op.type == "Softmax":
        y_pred, from_logits = y_pred.op.inputs[0], True
    if not from_logits:
        y_pred = math_ops.log(_clipped(y_pred))
    return nn_ops.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=y_pred)


def binary_crossentropy(y_true, y_pred, from_logits: bool = False) -> Tensor:
    """Mean over the last axis of -(y log p + (1-y) log(1-p))."""
    y_true, y_pred = _pair(y_true, y_pred)
    if not from_logits and y_pred.op.type == "Sigmoid":
        y_pred, from_logits = y_pred.op.inputs[0], True
    if not from_logits:
        p = _clipped(y_pred)
        y_pred = math_ops.log(math_ops.divide(p, math_ops.subtract(1.0, p)))
    return math_ops.reduce_mean(nn_ops.sigmoid_cross_entropy_with_logits(labels=y_true, logits=y_pred), axis=-1)


def hinge(y_true, y_pred) -> Tensor:
    """mean(max(1 - y_true * y_pred, 0)) over the last axis (labels -1/1)."""
    y_true, y_pred = _pair(y_true, y_pred)
    return math_ops.reduce_mean(math_ops.maximum(math_ops.subtract(1.0, math_ops.multiply(y_true, y_pred)), 0.0),
                                axis=-1)


def squared_hinge(y_true, y_pred) -> Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    m = math_ops.maximum(math_ops.subtract(1.0, math_ops.multiply(y_true, y_pred)), 0.0)
    return math_ops.reduce_mean(math_ops.square(m), axis=-1)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error

_BY_NAME: dict[str, Callable] = {
    "mean_squared_error": mean_squared_error, "mse": mean_squared_error, "MSE": mean_squared_error,
    "mean_absolute_error": mean_absolute_error, "mae": mean_absolute_error, "MAE": mean_absolute_error,
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "binary_crossentropy": binary_crossentropy, "hinge": hinge, "squared_hinge": squared_hinge,
}


def get(identifier) -> Callable:
    """A loss function from its name or itself."""
    if isinstance(identifier, str):
        try:
            return _BY_NAME[identifier]
        except KeyError:
            raise ValueError(f"Unknown loss function: {identifier}") from None
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret loss function identifier: {identifier!r}")
