"""`tf.losses` (TF1): per-example losses reduced with weights (default SUM_BY_NONZERO_WEIGHTS), each result
added to the LOSSES collection; plus the collection helpers (get_losses, get_total_loss, ...)."""
from __future__ import annotations

from . import dtypes as _dt
from .graph import GraphKeys, Tensor, add_to_collection, convert_to_tensor, get_collection, name_scope
from .ops import array_ops, math_ops, nn_ops

__all__ = [
    "Reduction", "absolute_difference", "add_loss", "compute_weighted_loss", "cosine_distance", "get_losses",
    "get_regularization_loss", "get_regularization_losses", "get_total_loss", "hinge_loss", "huber_loss",
    "log_loss", "mean_squared_error", "sigmoid_cross_entropy", "softmax_cross_entropy",
    "sparse_softmax_cross_entropy",
]


class Reduction:
    """How a weighted per-example loss becomes the returned loss (TF1's names and values)."""

    NONE = "none"
    SUM = "weighted_sum"
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
    MEAN = "weighted_mean"
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

    @classmethod
    def all(cls) -> tuple[str, ...]:
        return (cls.NONE, cls.SUM, cls.MEAN, cls.SUM_OVER_BATCH_SIZE, cls.SUM_OVER_NONZERO_WEIGHTS,
                cls.SUM_BY_NONZERO_WEIGHTS)

    @classmethod
    def validate(cls, key) -> None:
        if key not in cls.all():
            raise ValueError(f"Invalid Reduction Key {key}.")


# --- weighting and reduction

def _check_broadcastable(weights: Tensor, values: Tensor) -> None:
    """TF1's rule: weights are a scalar, or have the values' rank with each dim 1 or equal."""
    w, v = weights.shape, values.shape
    if w.ndims is None or v.ndims is None or w.ndims == 0:
        return
    detail = (f"values.rank={v.ndims}. weights.rank={w.ndims}. values.shape={v}. weights.shape={w}.")
    if w.ndims != v.ndims:
        raise ValueError(f"weights can not be broadcast to values. {detail}")
    for dw, dv in zip(w.dims, v.dims):
        if dw is not None and dv is not None and dw not in (1, dv):
            raise ValueError(f"weights can not be broadcast to values. {detail}")


def _safe_div(numerator: Tensor, denominator: Tensor, name: str) -> Tensor:
    """numerator / denominator, or 0 where the denominator is 0 (no NaN, no NaN gradients)."""
    zero = array_ops.zeros_like(denominator)
    is_pos = math_ops.greater(denominator, zero)
    safe_den = math_ops.where(is_pos, denominator, array_ops.ones_like(denominator))
    return math_ops.where(is_pos, math_ops.divide(numerator, safe_den), zero, name=name)


def _num_present(losses: Tensor, weights: Tensor) -> Tensor:
    """How many loss elements carry a nonzero weight (weights broadcast to the losses' shape)."""
    with name_scope(None, "num_present", [losses, weights]) as scope:
        present = math_ops.where(math_ops.equal(weights, 0.0), array_ops.zeros_like(weights),
                                 array_ops.ones_like(weights))
        present = math_ops.multiply(present, array_ops.ones_like(losses))
        return math_ops.reduce_sum(present, name=scope)


def _num_elements(losses: Tensor) -> Tensor:
    with name_scope(None, "num_elements"):
        return math_ops.cast(array_ops.size(losses), losses.dtype.base_dtype)


def compute_weighted_loss(losses, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """losses * weights reduced by `reduction`; the result is added to `loss_collection`."""
    Reduction.validate(reduction)
    with name_scope(scope, "weighted_loss", [losses, weights]):
        losses = convert_to_tensor(losses)
        input_dtype = losses.dtype.base_dtype
        losses = math_ops.cast(losses, _dt.float32)
        weights = math_ops.cast(convert_to_tensor(weights), _dt.float32)
        _check_broadcastable(weights, losses)
        weighted = math_ops.multiply(losses, weights)
        if reduction == Reduction.NONE:
            loss = weighted
        else:
            loss = math_ops.reduce_sum(weighted)
            if reduction == Reduction.MEAN:
                total_weight = math_ops.reduce_sum(math_ops.multiply(array_ops.ones_like(losses), weights))
                loss = _safe_div(loss, total_weight, name="value")
            elif reduction == Reduction.SUM_BY_NONZERO_WEIGHTS:
                loss = _safe_div(loss, _num_present(losses, weights), name="value")
            elif reduction == Reduction.SUM_OVER_BATCH_SIZE:
                loss = _safe_div(loss, _num_elements(losses), name="value")
        loss = math_ops.cast(loss, input_dtype)
        add_loss(loss, loss_collection)
        return loss


def _check_given(**arguments) -> None:
    for name, value in arguments.items():
        if value is None:
            raise ValueError(f"{name} must not be None.")


def _labels_like_logits(labels, logits) -> tuple[Tensor, Tensor]:
    """Labels cast to the logits' dtype, the shapes checked compatible."""
    logits = convert_to_tensor(logits)
    labels = math_ops.cast(convert_to_tensor(labels), logits.dtype.base_dtype)
    logits.shape.assert_is_compatible_with(labels.shape)
    return labels, logits


def _pair(labels, predictions, pred_name: str = "predictions") -> tuple[Tensor, Tensor]:
    _check_given(labels=labels, **{pred_name: predictions})
    predictions = math_ops.cast(convert_to_tensor(predictions), _dt.float32)
    labels = math_ops.cast(convert_to_tensor(labels), _dt.float32)
    predictions.shape.assert_is_compatible_with(labels.shape)
    return labels, predictions


# --- the losses

def absolute_difference(labels, predictions, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                        reduction=Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Weighted |predictions - labels|."""
    with name_scope(scope, "absolute_difference", [predictions, labels, weights]) as sc:
        labels, predictions = _pair(labels, predictions)
        losses = math_ops.abs(math_ops.subtract(predictions, labels))
        return compute_weighted_loss(losses, weights, sc, loss_collection, reduction)


def mean_squared_error(labels, predictions, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                       reduction=Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Weighted (predictions - labels) ** 2."""
    with name_scope(scope, "mean_squared_error", [predictions, labels, weights]) as sc:
        labels, predictions = _pair(labels, predictions)
        losses = math_ops.squared_difference(predictions, labels)
        return compute_weighted_loss(losses, weights, sc, loss_collection, reduction)


def log_loss(labels, predictions, weights=1.0, epsilon=1e-7, scope=None, loss_collection=GraphKeys.LOSSES,
             reduction=Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Weighted -labels*log(p + eps) - (1 - labels)*log(1 - p + eps)."""
    with name_scope(scope, "log_loss", [predictions, labels, weights]) as sc:
        labels, predictions = _pair(labels, predictions)
        pos = math_ops.multiply(labels, math_ops.log(math_ops.add(predictions, epsilon)))
        neg = math_ops.multiply(math_ops.subtract(1.0, labels),
                                math_ops.log(math_ops.add(math_ops.subtract(1.0, predictions), epsilon)))
        losses = math_ops.subtract(math_ops.negative(pos), neg)
        return compute_weighted_loss(losses, weights, sc, loss_collection, reduction)


def hinge_loss(labels, logits, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
               reduction=Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Weighted max(0, 1 - (2*labels - 1) * logits) for labels in {0, 1}."""
    with name_scope(scope, "hinge_loss", [logits, labels, weights]) as sc:
        labels, logits = _pair(labels, logits, "logits")
        ones = array_ops.ones_like(labels)
        signs = math_ops.subtract(math_ops.multiply(2.0, labels), ones)
        losses = nn_ops.relu(math_ops.subtract(ones, math_ops.multiply(signs, logits)))
        return compute_weighted_loss(losses, weights, sc, loss_collection, reduction)


def huber_loss(labels, predictions, weights=1.0, delta=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
               reduction=Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Weighted 0.5*e**2 where |e| <= delta, else delta*(|e| - 0.5*delta), for e = predictions - labels."""
    with name_scope(scope, "huber_loss", [predictions, labels, weights]) as sc:
        labels, predictions = _pair(labels, predictions)
        abs_error = math_ops.abs(math_ops.subtract(predictions, labels))
        quadratic = math_ops.minimum(abs_error, float(delta))
        linear = math_ops.subtract(abs_error, quadratic)
        losses = math_ops.add(math_ops.multiply(0.5, math_ops.multiply(quadratic, quadratic)),
                              math_ops.multiply(float(delta), linear))
        return compute_weighted_loss(losses, weights, sc, loss_collection, reduction)


def cosine_distance(labels, predictions, axis=None, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                    reduction=Reduction.SUM_BY_NONZERO_WEIGHTS, dim=None) -> Tensor:
    """Weighted 1 - sum(labels * predictions, axis) for unit-normalised inputs."""
    axis = dim if axis is None else axis
    if axis is None:
        raise ValueError("You must specify 'axis'.")
    with name_scope(scope, "cosine_distance_loss", [predictions, labels, weights]) as sc:
        labels, predictions = _pair(labels, predictions)
        dots = math_ops.reduce_sum(math_ops.multiply(predictions, labels), axis=(axis,), keepdims=True)
        return compute_weighted_loss(math_ops.subtract(1.0, dots), weights, sc, loss_collection, reduction)


def sigmoid_cross_entropy(multi_class_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Weighted sigmoid cross-entropy; label_smoothing pulls labels towards 1/2."""
    _check_given(multi_class_labels=multi_class_labels, logits=logits)
    with name_scope(scope, "sigmoid_cross_entropy_loss", [logits, multi_class_labels, weights]) as sc:
        labels, logits = _labels_like_logits(multi_class_labels, logits)
        if label_smoothing > 0:
            labels = math_ops.add(math_ops.multiply(labels, 1.0 - label_smoothing), 0.5 * label_smoothing)
        losses = nn_ops.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, sc, loss_collection, reduction)


def softmax_cross_entropy(onehot_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Weighted softmax cross-entropy of one-hot (or soft) labels; no gradient flows into the labels."""
    _check_given(onehot_labels=onehot_labels, logits=logits)
    with name_scope(scope, "softmax_cross_entropy_loss", [logits, onehot_labels, weights]) as sc:
        labels, logits = _labels_like_logits(onehot_labels, logits)
        if label_smoothing > 0:
            num_classes = math_ops.cast(array_ops.shape(labels)[-1], logits.dtype.base_dtype)
            labels = math_ops.add(math_ops.multiply(labels, 1.0 - label_smoothing),
                                  math_ops.divide(label_smoothing, num_classes))
        labels = array_ops.stop_gradient(labels, name="labels_stop_gradient")
        losses = nn_ops.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, sc, loss_collection, reduction)


def sparse_softmax_cross_entropy(labels, logits, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                                 reduction=Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Weighted softmax cross-entropy of integer class labels ([batch] or [batch, 1])."""
    _check_given(labels=labels, logits=logits)
    with name_scope(scope, "sparse_softmax_cross_entropy_loss", [logits, labels, weights]) as sc:
        labels = convert_to_tensor(labels)
        logits = convert_to_tensor(logits)
        lr, gr = labels.shape.ndims, logits.shape.ndims
        if lr is not None and gr is not None and lr == gr and labels.shape.dims[-1] in (1, None):
            labels = array_ops.squeeze(labels, [-1])  # [batch, 1] labels: drop the trailing 1, as TF does
        weights = convert_to_tensor(weights)
        wr = weights.shape.ndims
        if wr is not None and lr is not None and gr is not None and wr == gr and wr > 0 \
                and weights.shape.dims[-1] == 1:
            weights = array_ops.squeeze(weights, [-1])
        losses = nn_ops.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, sc, loss_collection, reduction)


# --- collections

def add_loss(loss, loss_collection=GraphKeys.LOSSES) -> None:
    """Adds `loss` to `loss_collection` (nothing when the collection is None)."""
    if loss_collection:
        add_to_collection(loss_collection, loss)


def get_losses(scope=None, loss_collection=GraphKeys.LOSSES) -> list:
    """The losses in `loss_collection`, optionally filtered by a name-scope regex."""
    return get_collection(loss_collection, scope)


def get_regularization_losses(scope=None) -> list:
    """The tensors in the REGULARIZATION_LOSSES collection."""
    return get_collection(GraphKeys.REGULARIZATION_LOSSES, scope)


def get_regularization_loss(scope=None, name="total_regularization_loss") -> Tensor:
    """The sum of the regularization losses (a 0.0 constant when there are none)."""
    losses = get_regularization_losses(scope)
    if losses:
        return math_ops.add_n(losses, name=name)
    return array_ops.constant(0.0)


def get_total_loss(add_regularization_losses=True, name="total_loss", scope=None) -> Tensor:
    """The sum of the LOSSES collection (and by default the regularization losses)."""
    losses = get_losses(scope=scope)
    if add_regularization_losses:
        losses = losses + get_regularization_losses(scope=scope)
    if not losses:
        raise ValueError("No losses to add: the LOSSES collection is empty (create a tf.losses loss or call "
                         "tf.losses.add_loss first).")
    return math_ops.add_n(losses, name=name)
