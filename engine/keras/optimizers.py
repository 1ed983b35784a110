"""`tf.keras.optimizers`: Keras 2's SGD, RMSprop, Adagrad and Adam (update rules built from graph ops),
and `TFOptimizer`, which lets `compile` take any `tf.train` optimizer."""
from __future__ import annotations

from tlboard.engine.graph import get_default_graph
from tlboard.engine.ops import array_ops, math_ops, state_ops
from tlboard.engine.variables import Variable

from . import backend as K


def _gradients(loss, params) -> list:
    grads = K.gradients(loss, params)
    missing = [p.name for p, g in zip(params, grads) if g is None]
    if missing:
        raise ValueError(f"An operation has `None` for gradient (weights {', '.join(missing)}). Please make sure "
                         "that all of your ops have a gradient defined (i.e. are differentiable) and that the "
                         "weights take part in computing the loss.")
    return grads


class Optimizer:
    """Base class: `get_updates(loss, params)` returns the ops of one training step."""

    def __init__(self, lr: float, decay: float = 0.0, clipnorm: float | None = None,
                 clipvalue: float | None = None, **kwargs):
        if "learning_rate" in kwargs:
            lr = kwargs.pop("learning_rate")
        if kwargs:
            raise TypeError(f"Unexpected keyword argument passed to optimizer: {sorted(kwargs)[0]}")
        self.initial_decay = float(decay)
        self.clipnorm, self.clipvalue = clipnorm, clipvalue
        self._hyper = {"lr": float(lr), "decay": float(decay)}
        self._built_graph = None
        self.updates: list = []
        self.weights: list = []

    def _build_hyper(self) -> None:
        """Hyper-parameters become variables (K.set_value(opt.lr, ...) works), once per graph."""
        graph = get_default_graph()
        if self._built_graph is graph:
            return
        with graph.name_scope(None), graph.name_scope(type(self).__name__):
            self.iterations = K.variable(0, dtype="int64", name="iterations")
            for name, value in self._hyper.items():
                setattr(self, name, K.variable(value, name=name))
        self._built_graph = graph

    @property
    def learning_rate(self):
        self._build_hyper()
        return self.lr

    def _lr_t(self):
        lr = self.lr._as_tensor()
        if self.initial_decay > 0:
            it = math_ops.cast(self.iterations._as_tensor(), K.floatx())
            lr = math_ops.multiply(lr, math_ops.divide(1.0, math_ops.add(1.0, math_ops.multiply(
                self.decay._as_tensor(), it))))
        return lr

    def _clipped(self, grads) -> list:
        if self.clipnorm is not None and self.clipnorm > 0:
            # rescale all gradients together when their global L2 norm exceeds clipnorm
            norm = math_ops.sqrt(math_ops.add_n([math_ops.reduce_sum(math_ops.square(g)) for g in grads]))
            c = float(self.clipnorm)
            scale = math_ops.divide(c, math_ops.maximum(norm, c))
            grads = [math_ops.multiply(g, scale) for g in grads]
        if self.clipvalue is not None and self.clipvalue > 0:
            grads = [math_ops.clip_by_value(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def _slot(self, p, name: str):
        dtype = p.dtype.base_dtype
        v = Variable(lambda: array_ops.zeros(p.shape.as_list(), dtype=dtype), dtype=dtype, trainable=False,
                     name=p.op.name.replace("/", "_") + "_" + name)
        self.weights.append(v)
        return v

    def get_updates(self, loss, params) -> list:
        """The ops of one training step minimizing `loss` over `params` (constraints applied after)."""
        self._build_hyper()
        graph = get_default_graph()
        with graph.name_scope(None), graph.name_scope("training"):
            grads = self._clipped(_gradients(loss, params))
            with graph.name_scope(type(self).__name__):
                pairs = self._new_values(params, grads)
                updates = []
                for p, new in pairs:
                    if getattr(p, "constraint", None) is not None:
                        new = p.constraint(new)
                    updates.append(state_ops.assign(p, new).op)
                # the step counter moves last, so every rule above saw the step's old value
                with graph.control_dependencies(updates):
                    updates.append(state_ops.assign_add(self.iterations, 1).op)
        self.updates = updates
        return updates

    def _new_values(self, params, grads) -> list:
        """(variable, new value tensor) pairs, plus slot updates appended to `self._slot_updates`."""
        raise NotImplementedError

    def get_config(self) -> dict:
        return dict(self._hyper)


class SGD(Optimizer):
    """Stochastic gradient descent with optional (Nesterov) momentum and learning-rate decay."""

    def __init__(self, lr: float = 0.01, momentum: float = 0.0, decay: float = 0.0, nesterov: bool = False,
                 **kwargs):
        super().__init__(lr, decay, **kwargs)
        self._hyper["momentum"] = float(momentum)
        self.nesterov = nesterov

    def _new_values(self, params, grads) -> list:
        lr = self._lr_t()
        mom = self.momentum._as_tensor()
        out = []
        for p, g in zip(params, grads):
            if self._hyper["momentum"] == 0.0:
                out.append((p, math_ops.subtract(p._as_tensor(), math_ops.multiply(lr, g))))
                continue
            m = self._slot(p, "momentum")
            v = math_ops.subtract(math_ops.multiply(mom, m._as_tensor()), math_ops.multiply(lr, g))
            out.append((m, v))
            step = math_ops.subtract(math_ops.multiply(mom, v), math_ops.multiply(lr, g)) if self.nesterov else v
            out.append((p, math_ops.add(p._as_tensor(), step)))
        return out


class RMSprop(Optimizer):
    """Divides the step by a running RMS of recent gradients."""

    def __init__(self, lr: float = 0.001, rho: float = 0.9, epsilon: float | None = None, decay: float = 0.0,
                 **kwargs):
        super().__init__(lr, decay, **kwargs)
        self._hyper["rho"] = float(rho)
        self.epsilon = K.epsilon() if epsilon is None else float(epsilon)

    def _new_values(self, params, grads) -> list:
        lr = self._lr_t()
        rho = self.rho._as_tensor()
        out = []
        for p, g in zip(params, grads):
            a = self._slot(p, "accumulator")
            a_t = math_ops.add(math_ops.multiply(rho, a._as_tensor()),
                               math_ops.multiply(math_ops.subtract(1.0, rho), math_ops.square(g)))
            out.append((a, a_t))
            step = math_ops.divide(math_ops.multiply(lr, g), math_ops.add(math_ops.sqrt(a_t), self.epsilon))
            out.append((p, math_ops.subtract(p._as_tensor(), step)))
        return out


class Adagrad(Optimizer):
    """Per-weight steps scaled by the root of the summed squared gradients."""

    def __init__(self, lr: float = 0.01, epsilon: float | None = None, decay: float = 0.0, **kwargs):
        super().__init__(lr, decay, **kwargs)
        self.epsilon = K.epsilon() if epsilon is None else float(epsilon)

    def _new_values(self, params, grads) -> list:
        lr = self._lr_t()
        out = []
        for p, g in zip(params, grads):
            a = self._slot(p, "accumulator")
            a_t = math_ops.add(a._as_tensor(), math_ops.square(g))
            out.append((a, a_t))
            step = math_ops.divide(math_ops.multiply(lr, g), math_ops.add(math_ops.sqrt(a_t), self.epsilon))
            out.append((p, math_ops.subtract(p._as_tensor(), step)))
        return out


class Adam(Optimizer):
    """Adam: bias-corrected running means of the gradient and its square."""

    def __init__(self, lr: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float | None = None, decay: float = 0.0, amsgrad: bool = False, **kwargs):
        super().__init__(lr, decay, **kwargs)
        self._hyper["beta_1"] = float(beta_1)
        self._hyper["beta_2"] = float(beta_2)
        self.epsilon = K.epsilon() if epsilon is None else float(epsilon)
        self.amsgrad = amsgrad

    def _new_values(self, params, grads) -> list:
        b1, b2 = self.beta_1._as_tensor(), self.beta_2._as_tensor()
        t = math_ops.add(math_ops.cast(self.iterations._as_tensor(), K.floatx()), 1.0)
        lr_t = math_ops.multiply(self._lr_t(), math_ops.divide(
            math_ops.sqrt(math_ops.subtract(1.0, math_ops.pow(b2, t))),
            math_ops.subtract(1.0, math_ops.pow(b1, t))))
        out = []
        for p, g in zip(params, grads):
            m, v = self._slot(p, "m"), self._slot(p, "v")
            m_t = math_ops.add(math_ops.multiply(b1, m._as_tensor()), math_ops.multiply(math_ops.subtract(1.0, b1), g))
            v_t = math_ops.add(math_ops.multiply(b2, v._as_tensor()),
                               math_ops.multiply(math_ops.subtract(1.0, b2), math_ops.square(g)))
            out += [(m, m_t), (v, v_t)]
            denom_src = v_t
            if self.amsgrad:
                vhat = self._slot(p, "vhat")
                denom_src = math_ops.maximum(vhat._as_tensor(), v_t)
                out.append((vhat, denom_src))
            step = math_ops.divide(math_ops.multiply(lr_t, m_t), math_ops.add(math_ops.sqrt(denom_src), self.epsilon))
            out.append((p, math_ops.subtract(p._as_tensor(), step)))
        return out


class TFOptimizer:
    """Wraps a `tf.train` optimizer so `compile` can use it."""

    def __init__(self, optimizer):
        self.optimizer = optimizer
        self.updates: list = []
        self.weights: list = []

    def get_updates(self, loss, params) -> list:
        graph = get_default_graph()
        with graph.name_scope(None), graph.name_scope("training"):
            train_op = self.optimizer.minimize(loss, var_list=params)
            updates = [train_op]
            constrained = [p for p in params if getattr(p, "constraint", None) is not None]
            if constrained:
                with graph.control_dependencies([train_op]):
                    updates += [state_ops.assign(p, p.constraint(p._as_tensor())).op for p in constrained]
        self.updates = updates
        return updates


sgd = SGD
rmsprop = RMSprop
adagrad = Adagrad
adam = Adam

_BY_NAME = {"sgd": SGD, "rmsprop": RMSprop, "adagrad": Adagrad, "adam": Adam}


def get(identifier):
    """An optimizer from a name ('sgd', 'adam', 'rmsprop', 'adagrad'), a Keras optimizer or a tf.train one."""
    if isinstance(identifier, Optimizer | TFOptimizer):
        return identifier
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier.lower())
        if cls is None:
            raise ValueError(f"Unknown optimizer: {identifier}")
        return cls()
    if hasattr(identifier, "minimize"):
        return TFOptimizer(identifier)
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")

