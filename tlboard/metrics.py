"""`tf.metrics`: streaming metrics returning (value, update_op), kept in local variables."""
# ruff: noqa: F401
from tlboard.engine.metrics import (
    accuracy,
    auc,
    false_negatives,
    false_positives,
    mean,
    mean_squared_error,
    precision,
    recall,
    true_negatives,
    true_positives,
)

__all__ = ["accuracy", "auc", "false_negatives", "false_positives", "mean", "mean_squared_error", "precision",
           "recall", "true_negatives", "true_positives"]
