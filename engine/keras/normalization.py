"""BatchNormalization: normalizes with batch statistics while training (updating moving averages, run
by `fit` or through the UPDATE_OPS collection) and with the moving averages at test time."""
from __future__ import annotations

from tlboard.engine.graph import get_default_graph
from tlboard.engine.ops import array_ops, math_ops, state_ops

from . import backend as K
from . import constraints as _constraints
from . import initializers as _initializers
from . import regularizers as _regularizers
from .base_layer import Layer


class BatchNormalization(Layer):
    """`gamma * (x - mean) / sqrt(var + epsilon) + beta` over the `axis` (features) dimension."""

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center, self.scale = center, scale
        self.beta_initializer = _initializers.get(beta_initializer)
        self.gamma_initializer = _initializers.get(gamma_initializer)
        self.moving_mean_initializer = _initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = _initializers.get(moving_variance_initializer)
        self.beta_regularizer = _regularizers.get(beta_regularizer)
        self.gamma_regularizer = _regularizers.get(gamma_regularizer)
        self.beta_constraint = _constraints.get(beta_constraint)
        self.gamma_constraint = _constraints.get(gamma_constraint)

    def build(self, input_shape) -> None:
        if input_shape is None:
            raise ValueError(f"Layer {self.name} needs inputs of known rank.")
        ndim = len(input_shape)
        axis = self.axis % ndim
        dim = input_shape[axis]
        if dim is None:
            raise ValueError(f"Axis {self.axis} of input tensor should have a defined dimension but the layer "
                             f"received an input with shape {input_shape}.")
        self._axis = axis
        self._ndim = ndim
        shape = (dim,)
        self.gamma = self.add_weight("gamma", shape, initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer,
                                     constraint=self.gamma_constraint) if self.scale else None
        self.beta = self.add_weight("beta", shape, initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer,
                                    constraint=self.beta_constraint) if self.center else None
        self.moving_mean = self.add_weight("moving_mean", shape, initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight("moving_variance", shape,
                                               initializer=self.moving_variance_initializer, trainable=False)
        self.built = True

    def _broadcastable(self, v):
        """A per-feature vector reshaped to broadcast against the input (a no-op for the last axis)."""
        if self._axis == self._ndim - 1:
            return v
        shape = [1] * self._ndim
        shape[self._axis] = -1
        return array_ops.reshape(v, shape)

    def call(self, inputs, training=None):
        if training is None:
            training = K.learning_phase()
        reduction = [i for i in range(self._ndim) if i != self._axis]
        moving_mean = self._broadcastable(self.moving_mean)
        moving_var = self._broadcastable(self.moving_variance)
        if training is False:
            mean, var = moving_mean, moving_var
        else:
            batch_mean = math_ops.reduce_mean(inputs, axis=reduction, keepdims=True)
            batch_var = math_ops.reduce_mean(math_ops.square(math_ops.subtract(inputs, batch_mean)),
                                             axis=reduction, keepdims=True)
            # Both branches of the phase switch in the moving statistics' (broadcastable) shape.
            mean = K.in_train_phase(self._broadcastable(array_ops.reshape(batch_mean, [-1])), moving_mean, training)
            var = K.in_train_phase(self._broadcastable(array_ops.reshape(batch_var, [-1])), moving_var, training)
            self._add_moving_updates(inputs, batch_mean, batch_var, training)
        inv = math_ops.rsqrt(math_ops.add(var, self.epsilon))
        if self.gamma is not None:
            inv = math_ops.multiply(inv, self._broadcastable(self.gamma))
        out = math_ops.multiply(math_ops.subtract(inputs, mean), inv)
        if self.beta is not None:
            out = math_ops.add(out, self._broadcastable(self.beta))
        return out

    def _add_moving_updates(self, inputs, batch_mean, batch_var, training) -> None:
        """moving -= (moving - batch) * (1 - momentum), only while training (scaled by the 0/1 phase)."""
        decay = 1.0 - self.momentum
        graph = get_default_graph()
        phase = None if training is True else math_ops.cast(training, inputs.dtype.base_dtype)
        updates = []
        for var, stat, scope in ((self.moving_mean, batch_mean, "AssignMovingAvg"),
                                 (self.moving_variance, batch_var, "AssignMovingAvg_1")):
            with graph.name_scope(scope):
                stat = array_ops.reshape(stat, [-1])
                delta = math_ops.multiply(math_ops.subtract(var, stat), decay)
                if phase is not None:
                    delta = math_ops.multiply(delta, phase)
                updates.append(state_ops.assign_sub(var, delta))
        self.add_update(updates, inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale}
