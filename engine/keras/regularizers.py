"""`tf.keras.regularizers`: L1/L2 weight penalties whose losses join the model's training loss."""
from __future__ import annotations

from tlboard.engine.graph import Tensor
from tlboard.engine.ops import array_ops, math_ops


class Regularizer:
    """Base class: `reg(weight) -> scalar loss tensor`."""

    def __call__(self, x) -> Tensor:
        return array_ops.constant(0.0, dtype=x.dtype.base_dtype)

    def get_config(self) -> dict:
        return {}


class L1L2(Regularizer):
    """l1 * sum(|x|) + l2 * sum(x**2)."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self.l1 = float(l1)
        self.l2 = float(l2)

    def __call__(self, x) -> Tensor:
        terms = []
        if self.l1:
            terms.append(math_ops.multiply(math_ops.reduce_sum(math_ops.abs(x)), self.l1))
        if self.l2:
            terms.append(math_ops.multiply(math_ops.reduce_sum(math_ops.square(x)), self.l2))
        if not terms:
            return super().__call__(x)
        return terms[0] if len(terms) == 1 else math_ops.add(terms[0], terms[1])

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


def l1(l: float = 0.01) -> L1L2:
    """An L1 penalty l * sum(|x|)."""
    return L1L2(l1=l)


def l2(l: float = 0.01) -> L1L2:
    """An L2 penalty l * sum(x**2)."""
    return L1L2(l2=l)


def l1_l2(l1: float = 0.01, l2: float = 0.01) -> L1L2:  # noqa: F811 - Keras's argument names
    """Both penalties."""
    return L1L2(l1=l1, l2=l2)


def get(identifier):
    """A regularizer from None, an object/callable, or a name ('l1', 'l2', 'l1_l2')."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        table = {"l1": l1, "l2": l2, "l1_l2": l1_l2}
        if identifier not in table:
            raise ValueError(f"Unknown regularizer: {identifier}")
        return table[identifier]()
    if isinstance(identifier, dict):
        return L1L2(**identifier.get("config", {}))
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret regularizer identifier: {identifier!r}")
