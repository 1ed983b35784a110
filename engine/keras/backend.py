"""`tf.keras.backend`: the Keras session, the learning phase, layer-name counters and the few tensor
helpers the Keras layers share."""
from __future__ import annotations

import numpy as np

from tlboard.engine import dtypes as _dt
from tlboard.engine.graph import Tensor, convert_to_tensor, get_default_graph
from tlboard.engine.ops import array_ops, control_flow_ops, math_ops, state_ops
from tlboard.engine.session import Session, get_default_session
from tlboard.engine.variables import Variable

_EPSILON = 1e-7
_FLOATX = "float32"
_IMAGE_DATA_FORMAT = "channels_last"


# --- configuration

def epsilon() -> float:
    """The fuzz factor Keras adds to avoid dividing by zero (1e-7)."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    """Changes the fuzz factor."""
    global _EPSILON
    _EPSILON = float(value)


def floatx() -> str:
    """The default float type name ('float32')."""
    return _FLOATX


def set_floatx(value: str) -> None:
    """Changes the default float type ('float16', 'float32' or 'float64')."""
    global _FLOATX
    if value not in ("float16", "float32", "float64"):
        raise ValueError(f"Unknown floatx type: {value!r}")
    _FLOATX = value


def image_data_format() -> str:
    """'channels_last' (the only layout tlboard's Keras layers support)."""
    return _IMAGE_DATA_FORMAT


# --- names

def get_uid(prefix: str = "") -> int:
    """1, 2, 3... for successive calls with `prefix`, counted per default graph (Keras 2's layer numbering)."""
    counts = get_default_graph()._keras_layer_counts
    counts[prefix] = counts.get(prefix, 0) + 1
    return counts[prefix]


def reset_uids() -> None:
    """Restarts layer numbering in the default graph."""
    get_default_graph()._keras_layer_counts.clear()


# --- sessions

def get_session() -> Session:
    """The session Keras runs in: the default session if one is active, else one Keras keeps per graph.
    Variables not yet initialized in it are initialized first (as Keras does)."""
    graph = get_default_graph()
    sess = get_default_session()
    if sess is None or sess.graph is not graph:
        sess = getattr(graph, "_keras_session", None)  # kept on the graph: it goes when the graph goes
        if sess is None or sess._closed:
            sess = graph._keras_session = Session(graph=graph)
    _initialize_new_variables(sess)
    return sess


def set_session(session: Session) -> None:
    """Makes Keras run in `session` (for its graph)."""
    session.graph._keras_session = session


def clear_session() -> None:
    """Forgets Keras's session for the default graph, then resets the default graph."""
    from tlboard.engine.graph import reset_default_graph
    sess = getattr(get_default_graph(), "_keras_session", None)
    if sess is not None:
        sess.close()
    reset_default_graph()


def _initialize_new_variables(sess: Session) -> None:
    from tlboard.engine.variables import global_variables
    seen = sess.__dict__.setdefault("_keras_checked_vars", set())
    candidates = [v for v in global_variables() if v not in seen]
    if not candidates:
        return
    flags = sess.run([state_ops.is_variable_initialized(v._variable) for v in candidates])
    todo = [v.initializer for v, ok in zip(candidates, flags) if not ok]
    if todo:
        sess.run(todo)
    seen.update(candidates)


# --- learning phase

def learning_phase() -> Tensor:
    """A bool scalar, False unless fed True: Dropout and BatchNormalization train when it is True."""
    graph = get_default_graph()
    phase = getattr(graph, "_keras_learning_phase", None)
    if phase is None:
        with graph.name_scope(None):
            phase = array_ops.placeholder_with_default(False, shape=[], name="keras_learning_phase")
        graph._keras_learning_phase = phase
    return phase


def set_learning_phase(value: int | bool) -> None:
    """Fixes the learning phase of the default graph to a Python value (0 = test, 1 = train)."""
    if value not in (0, 1, True, False):
        raise ValueError("Expected learning phase to be 0 or 1.")
    get_default_graph()._keras_learning_phase = bool(value)


def in_train_phase(train, test, training=None) -> Tensor:
    """`train` when training, else `test` (tensors, or callables building them only when needed);
    `training` is a Python bool, a bool tensor, or None for the learning phase."""
    if training is None:
        training = learning_phase()
    if isinstance(training, bool | int | np.bool_):
        chosen = train if training else test
        return chosen() if callable(chosen) else chosen
    # tf.cond: only the chosen branch runs (no dropout mask drawn, no moving-average update at test time).
    return control_flow_ops.cond(training, train if callable(train) else (lambda: train),
                                 test if callable(test) else (lambda: test))


# --- values

def variable(value, dtype=None, name: str | None = None) -> Variable:
    """A tf.Variable initialized to `value` (initialized on first use by Keras's session)."""
    dtype = _dt.as_dtype(dtype or floatx())
    return Variable(np.asarray(value, dtype=dtype.as_numpy_dtype), dtype=dtype, name=name)


def get_value(x):
    """The current NumPy value of a variable or tensor."""
    with x.graph.as_default():
        return get_session().run(x)


def batch_get_value(xs) -> list:
    """The current values of several variables in one run."""
    xs = list(xs)
    if not xs:
        return []
    with xs[0].graph.as_default():
        return get_session().run(xs)


def set_value(x: Variable, value) -> None:
    """Writes a NumPy value into a variable."""
    batch_set_value([(x, value)])


def batch_set_value(pairs) -> None:
    """Writes NumPy values into variables, through each variable's assign placeholder (no new ops per call)."""
    pairs = list(pairs)
    if not pairs:
        return
    with pairs[0][0].graph.as_default():
        sess = get_session()
    ops, feed = [], {}
    for var, value in pairs:
        ph, op = _assign_placeholder(var)
        value = np.asarray(value, dtype=ph.dtype.as_numpy_dtype)
        if tuple(var.shape.as_list()) != value.shape:
            raise ValueError(f"Cannot assign a value of shape {value.shape} to variable {var.name} of shape "
                             f"{tuple(var.shape.as_list())}")
        ops.append(op)
        feed[ph] = value
    sess.run(ops, feed)


def _assign_placeholder(var: Variable):
    cached = getattr(var, "_keras_assign", None)
    if cached is None:
        graph = var.graph
        with graph.as_default(), graph.name_scope(None), graph.name_scope(var.op.name + "/"):
            ph = array_ops.placeholder(var.dtype.base_dtype, shape=var.shape, name="assign_value")
            op = state_ops.assign(var, ph, name="assign_from_placeholder")
        cached = var._keras_assign = (ph, op)
    return cached


def count_params(x) -> int:
    """The number of scalars in a variable or tensor of known shape."""
    return int(np.prod(x.shape.as_list()))


def int_shape(x) -> tuple | None:
    """The static shape as a tuple (None for unknown dims), or None for unknown rank."""
    dims = x.shape.dims if hasattr(x, "shape") else None
    return None if dims is None else tuple(dims)


def ndim(x) -> int | None:
    """The static rank."""
    return x.shape.ndims


def placeholder(shape=None, ndim: int | None = None, dtype=None, name: str | None = None) -> Tensor:
    """A placeholder of `shape` (or `ndim` unknown dims)."""
    if shape is None and ndim is not None:
        shape = [None] * ndim
    return array_ops.placeholder(_dt.as_dtype(dtype or floatx()), shape=shape, name=name)


def constant(value, dtype=None, shape=None, name: str | None = None) -> Tensor:
    """A constant tensor (float by default)."""
    return array_ops.constant(value, dtype=_dt.as_dtype(dtype or floatx()), shape=shape, name=name or "Const")


def cast_to_floatx(x) -> np.ndarray:
    """`x` as a NumPy array of the default float type."""
    return np.asarray(x, dtype=floatx())


def cast(x, dtype) -> Tensor:
    return math_ops.cast(x, dtype)


def mean(x, axis=None, keepdims: bool = False) -> Tensor:
    """Mean over `axis` (booleans counted as 0/1)."""
    x = convert_to_tensor(x)
    if x.dtype.base_dtype is _dt.bool_:
        x = math_ops.cast(x, floatx())
    return math_ops.reduce_mean(x, axis=axis, keepdims=keepdims)


def sum(x, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001 - Keras's name
    return math_ops.reduce_sum(x, axis=axis, keepdims=keepdims)


def square(x) -> Tensor:
    return math_ops.square(x)


def abs(x) -> Tensor:  # noqa: A001 - Keras's name
    return math_ops.abs(x)


def sqrt(x) -> Tensor:
    return math_ops.sqrt(x)


def clip(x, min_value, max_value) -> Tensor:
    return math_ops.clip_by_value(x, min_value, max_value)


def dot(x, y) -> Tensor:
    return math_ops.matmul(x, y)


def flatten(x) -> Tensor:
    return array_ops.reshape(x, [-1])


def batch_flatten(x) -> Tensor:
    """Reshapes (batch, d1, d2, ...) to (batch, d1*d2*...)."""
    rest = x.shape.as_list()[1:] if x.shape.dims is not None else None
    if rest is not None and None not in rest:
        return array_ops.reshape(x, [-1, int(np.prod(rest))])
    raise ValueError(f"Flatten needs the non-batch dimensions of its input to be known; got {x.shape}")


def argmax(x, axis: int = -1) -> Tensor:
    return math_ops.argmax(x, axis=axis)


def equal(x, y) -> Tensor:
    return math_ops.equal(x, y)


def gradients(loss, variables) -> list:
    from tlboard.engine.gradients import gradients as _gradients
    return _gradients(loss, variables)


def name_scope(name: str):
    from tlboard.engine.graph import name_scope as _name_scope
    return _name_scope(name)
