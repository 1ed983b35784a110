"""`tf.keras.metrics`: per-sample metric functions `metric(y_true, y_pred)` (averaged per batch)."""
from __future__ import annotations

from collections.abc import Callable

from tlboard.engine import dtypes as _dt
from tlboard.engine.graph import Tensor, convert_to_tensor
from tlboard.engine.ops import array_ops, math_ops

from . import backend as K
from . import losses as _losses


def _float(x: Tensor) -> Tensor:
    return math_ops.cast(x, K.floatx())


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> Tensor:
    """Mean over the last axis of (y_pred > threshold) == y_true."""
    y_pred = convert_to_tensor(y_pred)
    y_true = math_ops.cast(convert_to_tensor(y_true), y_pred.dtype.base_dtype)
    predicted = _float(math_ops.greater(y_pred, threshold))
    return math_ops.reduce_mean(_float(math_ops.equal(y_true, predicted)), axis=-1)


def categorical_accuracy(y_true, y_pred) -> Tensor:
    """1.0 where argmax(y_pred) == argmax(y_true) (one-hot labels), else 0.0."""
    return _float(math_ops.equal(math_ops.argmax(y_true, axis=-1), math_ops.argmax(y_pred, axis=-1)))


def sparse_categorical_accuracy(y_true, y_pred) -> Tensor:
    """1.0 where argmax(y_pred) equals the integer label, else 0.0."""
    labels = math_ops.cast(array_ops.reshape(convert_to_tensor(y_true), [-1]), _dt.int64)
    predicted = math_ops.cast(math_ops.argmax(y_pred, axis=-1), _dt.int64)
    return _float(math_ops.equal(labels, predicted))


mean_squared_error = mse = _losses.mean_squared_error
mean_absolute_error = mae = _losses.mean_absolute_error
categorical_crossentropy = _losses.categorical_crossentropy
sparse_categorical_crossentropy = _losses.sparse_categorical_crossentropy
binary_crossentropy = _losses.binary_crossentropy

_BY_NAME: dict[str, Callable] = {
    "binary_accuracy": binary_accuracy, "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "mse": mean_squared_error, "mean_squared_error": mean_squared_error,
    "mae": mean_absolute_error, "mean_absolute_error": mean_absolute_error,
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "binary_crossentropy": binary_crossentropy,
}


def get(identifier) -> Callable:
    """A metric function from its name or itself ('accuracy' is resolved by `compile` from the loss)."""
    if isinstance(identifier, str):
        try:
            return _BY_NAME[identifier]
        except KeyError:
            raise ValueError(f"Unknown metric function: {identifier}") from None
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret metric function identifier: {identifier!r}")


def accuracy_for(loss_fn, output_shape) -> Callable:
    """The accuracy Keras picks for 'accuracy': binary, sparse or categorical, from the loss and output."""
    if loss_fn is _losses.binary_crossentropy or (output_shape and output_shape[-1] == 1):
        return binary_accuracy
    if loss_fn is _losses.sparse_categorical_crossentropy:
        return sparse_categorical_accuracy
    return categorical_accuracy
