"""`tf.train.RMSPropOptimizer`: ms = decay*ms + (1-decay)*g^2; mom = momentum*mom + lr*g/sqrt(ms+eps);
var -= mom. Centered: also mg = decay*mg + (1-decay)*g and the denominator is sqrt(ms - mg^2 + eps).
As in TF1, the "rms" slot starts at ones."""
from __future__ import annotations

from ..graph import Tensor
from ..variables import Variable
from . import training_ops
from .optimizer import Optimizer


class RMSPropOptimizer(Optimizer):
    """RMSProp; slots "rms" (`W/RMSProp`), ["mg" when centered], "momentum" (next `W/RMSProp_<n>`)."""

    def __init__(self, learning_rate, decay=0.9, momentum=0.0, epsilon=1e-10, use_locking: bool = False,
                 centered: bool = False, name: str = "RMSProp"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._decay = decay
        self._momentum = momentum
        self._epsilon = epsilon
        self._centered = centered

    def _create_slots(self, var_list) -> None:
        for v in var_list:
            self._slot(v, "rms", fill=1.0)
            if self._centered:
                self._slot(v, "mg")
            self._slot(v, "momentum")

    def _prepare(self) -> None:
        self._lr_t = self._scalar(self._learning_rate, "learning_rate")
        self._decay_t = self._scalar(self._decay, "decay")
        self._momentum_t = self._scalar(self._momentum, "momentum")
        self._epsilon_t = self._scalar(self._epsilon, "epsilon")

    def _apply_dense(self, grad: Tensor, var: Variable) -> Tensor:
        c = self._cast
        rms, mom = self.get_slot(var, "rms"), self.get_slot(var, "momentum")
        scalars = (c(self._lr_t, var), c(self._decay_t, var), c(self._momentum_t, var), c(self._epsilon_t, var))
        if self._centered:
            mg = self.get_slot(var, "mg")
            return training_ops.apply_centered_rms_prop(var._ref(), mg._ref(), rms._ref(), mom._ref(), *scalars,
                                                        grad, use_locking=self._use_locking)
        return training_ops.apply_rms_prop(var._ref(), rms._ref(), mom._ref(), *scalars, grad,
                                           use_locking=self._use_locking)
