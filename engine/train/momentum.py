"""`tf.train.MomentumOptimizer`: accum = momentum*accum + grad; var -= lr*accum (optionally Nesterov)."""
from __future__ import annotations

from ..graph import Tensor
from ..variables import Variable
from . import training_ops
from .optimizer import Optimizer


class MomentumOptimizer(Optimizer):
    """Gradient descent with momentum; slot "momentum" (`W/Momentum`)."""

    def __init__(self, learning_rate, momentum, use_locking: bool = False, name: str = "Momentum",
                 use_nesterov: bool = False):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._momentum = momentum
        self._use_nesterov = use_nesterov

    def _create_slots(self, var_list) -> None:
        for v in var_list:
            self._slot(v, "momentum")

    def _prepare(self) -> None:
        self._lr_t = self._scalar(self._learning_rate, "learning_rate")
        self._momentum_t = self._scalar(self._momentum, "momentum")

    def _apply_dense(self, grad: Tensor, var: Variable) -> Tensor:
        accum = self.get_slot(var, "momentum")
        return training_ops.apply_momentum(var._ref(), accum._ref(), self._cast(self._lr_t, var), grad,
                                           self._cast(self._momentum_t, var), use_locking=self._use_locking,
                                           use_nesterov=self._use_nesterov)
