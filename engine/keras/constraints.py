"""`tf.keras.constraints`: projections applied to a weight after each optimizer step."""
from __future__ import annotations

from tlboard.engine.graph import Tensor
from tlboard.engine.ops import math_ops


class Constraint:
    """Base class: `constraint(weight) -> projected weight tensor`."""

    def __call__(self, w) -> Tensor:
        return w

    def get_config(self) -> dict:
        return {}


def _norms(w, axis):
    from .backend import epsilon
    return math_ops.sqrt(math_ops.reduce_sum(math_ops.square(w), axis=axis, keepdims=True)), epsilon()


class MaxNorm(Constraint):
    """Rescales each slice along `axis` whose L2 norm exceeds `max_value` down to it."""

    def __init__(self, max_value: float = 2, axis: int = 0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w) -> Tensor:
        norms, eps = _norms(w, self.axis)
        desired = math_ops.clip_by_value(norms, 0.0, float(self.max_value))
        return math_ops.multiply(w, math_ops.divide(desired, math_ops.add(norms, eps)))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Negative weights become zero."""

    def __call__(self, w) -> Tensor:
        return math_ops.maximum(w, 0.0)


class UnitNorm(Constraint):
    """Each slice along `axis` rescaled to unit L2 norm."""

    def __init__(self, axis: int = 0):
        self.axis = axis

    def __call__(self, w) -> Tensor:
        norms, eps = _norms(w, self.axis)
        return math_ops.divide(w, math_ops.add(norms, eps))

    def get_config(self) -> dict:
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Slice norms pulled into [min_value, max_value] at `rate` (1.0: at once)."""

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0, axis: int = 0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w) -> Tensor:
        norms, eps = _norms(w, self.axis)
        clipped = math_ops.clip_by_value(norms, float(self.min_value), float(self.max_value))
        desired = math_ops.add(math_ops.multiply(clipped, float(self.rate)),
                               math_ops.multiply(norms, 1.0 - float(self.rate)))
        return math_ops.multiply(w, math_ops.divide(desired, math_ops.add(norms, eps)))

    def get_config(self) -> dict:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


max_norm = MaxNorm
non_neg = NonNeg
unit_norm = UnitNorm
min_max_norm = MinMaxNorm


def get(identifier):
    """A constraint from None, an object/callable, or a name ('max_norm', 'non_neg', ...)."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        table = {"max_norm": MaxNorm, "maxnorm": MaxNorm, "non_neg": NonNeg, "nonneg": NonNeg,
                 "unit_norm": UnitNorm, "unitnorm": UnitNorm, "min_max_norm": MinMaxNorm}
        if identifier.lower() not in table:
            raise ValueError(f"Unknown constraint: {identifier}")
        return table[identifier.lower()]()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret constraint identifier: {identifier!r}")
