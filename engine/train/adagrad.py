"""`tf.train.AdagradOptimizer`: accum += g^2; var -= lr*g/sqrt(accum), accum starting at 0.1."""
from __future__ import annotations

from ..graph import Tensor
from ..variables import Variable
from . import training_ops
from .optimizer import Optimizer


class AdagradOptimizer(Optimizer):
    """Adagrad; slot "accumulator" (`W/Adagrad`)."""

    def __init__(self, learning_rate, initial_accumulator_value=0.1, use_locking: bool = False,
                 name: str = "Adagrad"):
        if initial_accumulator_value <= 0.0:
            raise ValueError(f"initial_accumulator_value must be positive: {initial_accumulator_value}")
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_accumulator_value = initial_accumulator_value

    def _create_slots(self, var_list) -> None:
        for v in var_list:
            self._slot(v, "accumulator", fill=self._initial_accumulator_value)

    def _prepare(self) -> None:
        self._lr_t = self._scalar(self._learning_rate, "learning_rate")

    def _apply_dense(self, grad: Tensor, var: Variable) -> Tensor:
        accum = self.get_slot(var, "accumulator")
        return training_ops.apply_adagrad(var._ref(), accum._ref(), self._cast(self._lr_t, var), grad,
                                          use_locking=self._use_locking)
