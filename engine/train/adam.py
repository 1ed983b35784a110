"""`tf.train.AdamOptimizer` (Kingma & Ba), in TF1's "epsilon hat" form:
lr_t = lr*sqrt(1-beta2^t)/(1-beta1^t); m = beta1*m + (1-beta1)*g; v = beta2*v + (1-beta2)*g^2;
var -= lr_t*m/(sqrt(v)+epsilon). beta1^t and beta2^t are the non-slot variables beta1_power/beta2_power,
multiplied by beta1/beta2 after every step."""
from __future__ import annotations

from ..graph import Operation, Tensor
from ..ops import control_flow_ops, state_ops
from ..variables import Variable
from . import training_ops
from .optimizer import Optimizer


class AdamOptimizer(Optimizer):
    """Adam; slots "m" (`W/Adam`) and "v" (`W/Adam_1`), non-slot variables beta1_power and beta2_power."""

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8, use_locking: bool = False,
                 name: str = "Adam"):
        super().__init__(use_locking, name)
        self._lr = learning_rate
        self._beta1 = beta1
        self._beta2 = beta2
        self._epsilon = epsilon

    def _create_slots(self, var_list) -> None:
        first = min(var_list, key=lambda v: v.name)
        self._beta_powers = (self._non_slot_variable("beta1_power", self._beta1, first),
                             self._non_slot_variable("beta2_power", self._beta2, first))
        for v in var_list:
            self._slot(v, "m")
            self._slot(v, "v")

    def _prepare(self) -> None:
        self._lr_t = self._scalar(self._lr, "learning_rate")
        self._beta1_t = self._scalar(self._beta1, "beta1")
        self._beta2_t = self._scalar(self._beta2, "beta2")
        self._epsilon_t = self._scalar(self._epsilon, "epsilon")

    def _apply_dense(self, grad: Tensor, var: Variable) -> Tensor:
        m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
        b1p, b2p = self._beta_powers
        c = self._cast
        return training_ops.apply_adam(var._ref(), m._ref(), v._ref(), c(b1p, var), c(b2p, var), c(self._lr_t, var),
                                       c(self._beta1_t, var), c(self._beta2_t, var), c(self._epsilon_t, var), grad,
                                       use_locking=self._use_locking)

    def _finish(self, update_ops: list, name_scope: str) -> Operation:
        b1p, b2p = self._beta_powers
        with b1p.graph.control_dependencies(update_ops):
            update_b1 = state_ops.assign(b1p, b1p * self._cast(self._beta1_t, b1p), use_locking=self._use_locking)
            update_b2 = state_ops.assign(b2p, b2p * self._cast(self._beta2_t, b2p), use_locking=self._use_locking)
        return control_flow_ops.group(*update_ops, update_b1, update_b2, name=name_scope)
