"""`tf.metrics`: streaming metrics. Each returns `(value, update_op)`: `update_op` folds a batch into
accumulator variables and yields the updated metric, `value` reads the metric without changing it.

The accumulators are local variables (collections LOCAL_VARIABLES and METRIC_VARIABLES, not trainable)
named as TF1 names them (`accuracy/total:0`, `accuracy/count:0`, `precision/true_positives/count:0`, ...),
so `tf.local_variables_initializer()` creates and resets them.
"""
from __future__ import annotations

from . import dtypes as _dt
from .graph import GraphKeys, Tensor, add_to_collections, convert_to_tensor
from .ops import array_ops, math_ops, state_ops
from .variables import Variable, variable_scope

__all__ = ["accuracy", "mean", "mean_squared_error", "precision", "recall", "true_positives",
           "false_positives", "false_negatives", "true_negatives", "auc"]

_AUC_EPSILON = 1e-7


def metric_variable(shape, dtype=_dt.float32, validate_shape: bool = True, name: str | None = None) -> Variable:
    """A zero-initialized, non-trainable local variable in LOCAL_VARIABLES and METRIC_VARIABLES."""
    return Variable(lambda: array_ops.zeros(shape, dtype), trainable=False,
                    collections=[GraphKeys.LOCAL_VARIABLES, GraphKeys.METRIC_VARIABLES], validate_shape=validate_shape,
                    name=name)


# --- helpers

def _remove_squeezable_dimensions(predictions: Tensor, labels: Tensor | None, weights=None):
    """Drops a trailing size-1 dimension where one tensor has exactly one more dimension than the other."""
    def squeeze_last_if_extra(a: Tensor, b: Tensor) -> Tensor:
        ra, rb = a.shape.ndims, b.shape.ndims
        if ra is not None and rb is not None and ra == rb + 1 and a.shape.dims[-1] == 1:
            return array_ops.squeeze(a, [-1])
        return a

    if labels is not None:
        predictions, labels = squeeze_last_if_extra(predictions, labels), squeeze_last_if_extra(labels, predictions)
    if weights is not None:
        weights = convert_to_tensor(weights)
        if weights.shape.ndims != 0:
            weights = squeeze_last_if_extra(weights, predictions)
    return predictions, labels, weights


def _safe_div(numerator, denominator, name: str) -> Tensor:
    """numerator / denominator, or 0 where the denominator is not positive."""
    numerator, denominator = convert_to_tensor(numerator), convert_to_tensor(denominator)
    positive = math_ops.greater(denominator, 0.0)
    safe = math_ops.where(positive, denominator, array_ops.ones_like(denominator))
    return math_ops.where(positive, math_ops.truediv(numerator, safe), array_ops.zeros_like(numerator), name=name)


def _add_to(collections, value) -> None:
    if collections:
        add_to_collections(collections, value)


def _broadcast_weights(weights: Tensor, values: Tensor) -> Tensor:
    """`weights` (float32) broadcast to the shape of `values`."""
    return math_ops.multiply(math_ops.to_float(weights), array_ops.ones_like(values, dtype=_dt.float32))


# --- metrics

def mean(values, weights=None, metrics_collections=None, updates_collections=None, name=None):
    """The (weighted) mean of `values` over every batch seen: total / count."""
    values = convert_to_tensor(values)
    with variable_scope(name, "mean", (values, weights)):
        values = math_ops.to_float(values)
        total = metric_variable([], _dt.float32, name="total")
        count = metric_variable([], _dt.float32, name="count")
        if weights is None:
            num_values = math_ops.to_float(array_ops.size(values))
        else:
            values, _, weights = _remove_squeezable_dimensions(values, None, weights)
            weights = _broadcast_weights(weights, values)
            values = math_ops.multiply(values, weights)
            num_values = math_ops.reduce_sum(weights)
        update_total = state_ops.assign_add(total, math_ops.reduce_sum(values))
        update_count = state_ops.assign_add(count, num_values)  # num_values already depends on values
        mean_t = _safe_div(total, count, "value")
        update_op = _safe_div(update_total, update_count, "update_op")
        _add_to(metrics_collections, mean_t)
        _add_to(updates_collections, update_op)
        return mean_t, update_op


def accuracy(labels, predictions, weights=None, metrics_collections=None, updates_collections=None, name=None):
    """How often `predictions` equals `labels` (weighted), over every batch seen."""
    labels, predictions = convert_to_tensor(labels), convert_to_tensor(predictions)
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    if not predictions.shape.is_compatible_with(labels.shape):
        raise ValueError(f"Shapes {predictions.shape} and {labels.shape} are incompatible")
    if labels.dtype.base_dtype is not predictions.dtype.base_dtype:
        predictions = math_ops.cast(predictions, labels.dtype.base_dtype)
    is_correct = math_ops.to_float(math_ops.equal(predictions, labels))
    return mean(is_correct, weights, metrics_collections, updates_collections, name or "accuracy")


def mean_squared_error(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
                       name=None):
    """The (weighted) mean of (labels - predictions)^2 over every batch seen."""
    labels, predictions = convert_to_tensor(labels), convert_to_tensor(predictions)
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    if labels.dtype.base_dtype is not predictions.dtype.base_dtype:
        labels = math_ops.cast(labels, predictions.dtype.base_dtype)
    squared_error = math_ops.squared_difference(labels, predictions)
    return mean(squared_error, weights, metrics_collections, updates_collections, name or "mean_squared_error")


def _count_condition(condition: Tensor, weights, metrics_collections, updates_collections):
    """A `count` variable summing the (weighted) true entries of `condition`."""
    count = metric_variable([], _dt.float32, name="count")
    values = math_ops.to_float(condition)
    if weights is not None:
        values = math_ops.multiply(values, math_ops.to_float(weights))
    value = array_ops.identity(count)
    update_op = state_ops.assign_add(count, math_ops.reduce_sum(values))
    _add_to(metrics_collections, value)
    _add_to(updates_collections, update_op)
    return value, update_op


def _as_bools(labels, predictions, weights):
    labels = math_ops.cast(convert_to_tensor(labels), _dt.bool_)
    predictions = math_ops.cast(convert_to_tensor(predictions), _dt.bool_)
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    if not predictions.shape.is_compatible_with(labels.shape):
        raise ValueError(f"Shapes {predictions.shape} and {labels.shape} are incompatible")
    return labels, predictions, weights


def _confusion_count(kind: str, want_label: bool, want_prediction: bool):
    def metric(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
               name=None):
        with variable_scope(name, kind, (predictions, labels, weights)):
            labels, predictions, weights = _as_bools(labels, predictions, weights)
            condition = math_ops.logical_and(math_ops.equal(labels, want_label),
                                             math_ops.equal(predictions, want_prediction))
            return _count_condition(condition, weights, metrics_collections, updates_collections)
    metric.__name__ = kind
    metric.__doc__ = (f"The (weighted) number of {kind.replace('_', ' ')} (label {want_label}, prediction "
                      f"{want_prediction}) over every batch seen.")
    return metric


true_positives = _confusion_count("true_positives", True, True)
false_positives = _confusion_count("false_positives", False, True)
false_negatives = _confusion_count("false_negatives", True, False)
true_negatives = _confusion_count("true_negatives", False, False)


def _ratio_metric(kind: str, other, other_doc: str):
    def metric(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
               name=None):
        with variable_scope(name, kind, (predictions, labels, weights)):
            labels, predictions, weights = _as_bools(labels, predictions, weights)
            tp, tp_update = true_positives(labels, predictions, weights)
            other_count, other_update = other(labels, predictions, weights)
            value = _safe_div(tp, tp + other_count, "value")
            update_op = _safe_div(tp_update, tp_update + other_update, "update_op")
            _add_to(metrics_collections, value)
            _add_to(updates_collections, update_op)
            return value, update_op
    metric.__name__ = kind
    metric.__doc__ = f"true_positives / (true_positives + {other_doc}) over every batch seen (0 when empty)."
    return metric


precision = _ratio_metric("precision", false_positives, "false_positives")
recall = _ratio_metric("recall", false_negatives, "false_negatives")


def auc(labels, predictions, weights=None, num_thresholds: int = 200, metrics_collections=None,
        updates_collections=None, curve: str = "ROC", name=None, summation_method: str = "trapezoidal",
        thresholds=None):
    """The area under the ROC or PR curve, from confusion counts at `num_thresholds` thresholds in [0, 1]."""
    if curve not in ("ROC", "PR"):
        raise ValueError(f"curve must be either ROC or PR, {curve} unknown")
    if summation_method not in ("trapezoidal", "minoring", "majoring"):
        raise ValueError(f"Invalid summation_method: {summation_method} (tlboard supports trapezoidal, "
                         "minoring and majoring)")
    with variable_scope(name, "auc", (labels, predictions, weights)):
        if thresholds is None:
            if num_thresholds < 2:
                raise ValueError("num_thresholds must be > 1.")
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            thresholds = [0.0 - _AUC_EPSILON, *inner, 1.0 + _AUC_EPSILON]
        else:
            thresholds = [0.0 - _AUC_EPSILON, *sorted(float(t) for t in thresholds), 1.0 + _AUC_EPSILON]
        n = len(thresholds)
        labels = math_ops.cast(convert_to_tensor(labels), _dt.bool_)
        predictions = math_ops.to_float(convert_to_tensor(predictions))
        predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
        preds_row = array_ops.reshape(predictions, [1, -1])
        labels_row = array_ops.reshape(labels, [1, -1])
        above = math_ops.greater(preds_row, array_ops.constant(thresholds, _dt.float32, shape=[n, 1]))
        below = math_ops.logical_not(above)
        positive = array_ops.tile(labels_row, [n, 1])
        negative = math_ops.logical_not(positive)
        w = None
        if weights is not None:
            w = array_ops.reshape(_broadcast_weights(weights, predictions), [1, -1])
        updates, values = {}, {}
        for key, cond in (("true_positives", math_ops.logical_and(positive, above)),
                          ("false_negatives", math_ops.logical_and(positive, below)),
                          ("true_negatives", math_ops.logical_and(negative, below)),
                          ("false_positives", math_ops.logical_and(negative, above))):
            var = metric_variable([n], _dt.float32, name=key)
            counts = math_ops.to_float(cond)
            if w is not None:
                counts = math_ops.multiply(counts, w)
            updates[key] = state_ops.assign_add(var, math_ops.reduce_sum(counts, axis=1))
            values[key] = convert_to_tensor(var)

        def area(c: dict, name: str) -> Tensor:
            tp, fn, tn, fp = c["true_positives"], c["false_negatives"], c["true_negatives"], c["false_positives"]
            recall_ = math_ops.truediv(tp + _AUC_EPSILON, tp + fn + _AUC_EPSILON)
            if curve == "ROC":
                x, y = math_ops.truediv(fp, fp + tn + _AUC_EPSILON), recall_
            else:
                x, y = recall_, math_ops.truediv(tp + _AUC_EPSILON, tp + fp + _AUC_EPSILON)
            left, right = y[:n - 1], y[1:]
            if summation_method == "trapezoidal":
                height = (left + right) / 2.0
            elif summation_method == "minoring":
                height = math_ops.minimum(left, right)
            else:
                height = math_ops.maximum(left, right)
            return math_ops.reduce_sum(math_ops.multiply(x[:n - 1] - x[1:], height), name=name)

        value = area(values, "value")
        update_op = area(updates, "update_op")
        _add_to(metrics_collections, value)
        _add_to(updates_collections, update_op)
        return value, update_op
