"""`tf.train.GradientDescentOptimizer`: var -= learning_rate * grad."""
from __future__ import annotations

from ..graph import Tensor
from ..variables import Variable
from . import training_ops
from .optimizer import Optimizer


class GradientDescentOptimizer(Optimizer):
    """Plain stochastic gradient descent."""

    def __init__(self, learning_rate, use_locking: bool = False, name: str = "GradientDescent"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate

    def _prepare(self) -> None:
        self._lr_t = self._scalar(self._learning_rate, "learning_rate")

    def _apply_dense(self, grad: Tensor, var: Variable) -> Tensor:
        return training_ops.apply_gradient_descent(var._ref(), self._cast(self._lr_t, var), grad,
                                                   use_locking=self._use_locking)
