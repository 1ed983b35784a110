"""TF1 variables (`tf.Variable`, a VariableV2 node with `W/Assign` and `W/read`), variable scopes and
`tf.get_variable`."""
from __future__ import annotations

import contextlib

from . import dtypes as _dt
from .graph import GraphKeys, Tensor, convert_to_tensor, get_default_graph
from .shapes import as_shape


class Variable:
    """`tf.Variable(initial_value, trainable=True, name=None, dtype=None, ...)`: state kept by the session."""

    def __init__(self, initial_value=None, trainable: bool = True, collections=None,
                 validate_shape: bool = True, caching_device=None, name: str | None = None,
                 variable_def=None, dtype=None, expected_shape=None, import_scope=None, constraint=None,
                 use_resource=None, synchronization=None, aggregation=None, shape=None):
        from .ops import array_ops, state_ops
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        graph = get_default_graph()
        self._trainable = trainable
        self.constraint = constraint
        with graph.name_scope(name or "Variable") as scope:
            if callable(initial_value):
                with graph.name_scope("Initializer"):
                    initial_value = initial_value()
            self._initial_value = convert_to_tensor(initial_value, dtype=dtype, name="initial_value")
            value_dtype = self._initial_value.dtype.base_dtype
            var_shape = as_shape(shape) if shape is not None else self._initial_value.shape
            if not validate_shape:
                var_shape = as_shape(None)
            self._variable = state_ops.variable_v2(var_shape, value_dtype, name=scope)
            self.op = self._variable.op
            self._initializer_op = state_ops.assign(self._variable, self._initial_value,
                                                    validate_shape=validate_shape, name="Assign").op
            self._snapshot = array_ops.identity(self._variable, name="read")
        if collections is None:
            collections = [GraphKeys.GLOBAL_VARIABLES]
        collections = list(collections)
        if trainable and GraphKeys.TRAINABLE_VARIABLES not in collections:
            collections.append(GraphKeys.TRAINABLE_VARIABLES)
        graph.add_to_collections(collections, self)

    # --- identity
    @property
    def name(self) -> str:
        return self._variable.name

    @property
    def dtype(self) -> _dt.DType:
        return self._variable.dtype  # the ref type, as in TF1

    @property
    def shape(self):
        return self._variable.shape

    def get_shape(self):
        return self._variable.shape

    @property
    def graph(self):
        return self._variable.graph

    @property
    def device(self) -> str:
        return self._variable.device

    @property
    def trainable(self) -> bool:
        return self._trainable

    @property
    def initializer(self):
        """The op that assigns the initial value."""
        return self._initializer_op

    @property
    def initial_value(self) -> Tensor:
        return self._initial_value

    def value(self) -> Tensor:
        """The `W/read` snapshot tensor used when the variable feeds an op."""
        return self._snapshot

    def read_value(self) -> Tensor:
        from .ops import array_ops
        return array_ops.identity(self._variable, name="read")

    # --- conversion hooks used by convert_to_tensor, Session.run and tf.gradients
    def _as_tensor(self) -> Tensor:
        return self._snapshot

    def _as_graph_element(self) -> Tensor:
        return self._variable

    def _gradient_tensor(self) -> Tensor:
        return self._variable

    def _ref(self) -> Tensor:
        return self._variable

    # --- state ops
    def assign(self, value, use_locking=False, name=None, read_value=True):
        """An op setting the variable to `value`; its output is the new value."""
        from .ops import state_ops
        return state_ops.assign(self._variable, value, use_locking=use_locking, name=name)

    def assign_add(self, delta, use_locking=False, name=None, read_value=True):
        from .ops import state_ops
        return state_ops.assign_add(self._variable, delta, use_locking=use_locking, name=name)

    def assign_sub(self, delta, use_locking=False, name=None, read_value=True):
        from .ops import state_ops
        return state_ops.assign_sub(self._variable, delta, use_locking=use_locking, name=name)

    def eval(self, session=None):
        """The current value in the default (or given) session."""
        from .session import _session_for
        return _session_for(session, self.graph).run(self._variable)

    def load(self, value, session=None) -> None:
        """Writes `value` into the variable without adding ops (fed through the initializer)."""
        from .session import _session_for
        _session_for(session, self.graph).run(self._initializer_op, {self._initial_value: value})

    def set_shape(self, shape):
        self._variable.set_shape(shape)

    def __repr__(self) -> str:
        return f"<tf.Variable '{self.name}' shape={self.shape} dtype={self.dtype.name}>"

    __hash__ = object.__hash__
    # Arithmetic and indexing operators are attached by ops/math_ops.py (they act on the snapshot).


def global_variables(scope=None) -> list[Variable]:
    """All variables in the GLOBAL_VARIABLES collection."""
    return get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES, scope)


all_variables = global_variables


def trainable_variables(scope=None) -> list[Variable]:
    """All variables in the TRAINABLE_VARIABLES collection."""
    return get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES, scope)


def local_variables(scope=None) -> list[Variable]:
    return get_default_graph().get_collection(GraphKeys.LOCAL_VARIABLES, scope)


def model_variables(scope=None) -> list[Variable]:
    return get_default_graph().get_collection(GraphKeys.MODEL_VARIABLES, scope)


def variables_initializer(var_list, name: str = "init"):
    """One op running the initializers of `var_list`."""
    from .ops import control_flow_ops
    return control_flow_ops.group(*[v.initializer for v in var_list], name=name)


def global_variables_initializer():
    """`tf.global_variables_initializer()`: an op named `init` initializing every global variable."""
    return variables_initializer(global_variables())


initialize_all_variables = global_variables_initializer


def local_variables_initializer():
    return variables_initializer(local_variables(), name="init_1" if False else "init")


def is_variable_initialized(variable: Variable):
    from .ops import state_ops
    return state_ops.is_variable_initialized(variable._variable)


def report_uninitialized_variables(var_list=None, name="report_uninitialized_variables"):
    """A string tensor listing the names of the uninitialized variables."""
    from .ops import state_ops
    var_list = global_variables() if var_list is None else var_list
    return state_ops.report_uninitialized([v._variable for v in var_list], name=name)


# --- variable scopes and get_variable

AUTO_REUSE = "AUTO_REUSE"


class VariableScope:
    """The state of a `tf.variable_scope`: its name, reuse flag and defaults for get_variable."""

    def __init__(self, name="", reuse=None, initializer=None, regularizer=None, dtype=_dt.float32,
                 original_name_scope=""):
        self.name = name
        self.reuse = reuse
        self.initializer = initializer
        self.regularizer = regularizer
        self.dtype = dtype
        self.original_name_scope = original_name_scope
        # tf.layers scope names taken while this scope is entered (TF1 forgets them on exit; see engine/layers)
        self.layer_names_taken: set[str] = set()

    def reuse_variables(self) -> None:
        self.reuse = True

    def set_initializer(self, initializer) -> None:
        self.initializer = initializer

    def set_regularizer(self, regularizer) -> None:
        self.regularizer = regularizer

    def get_variable(self, name, *args, **kwargs):
        return get_variable(name, *args, **kwargs)


def get_variable_scope() -> VariableScope:
    """The current variable scope."""
    stack = get_default_graph()._variable_scope_stack
    return stack[-1] if stack else VariableScope()


@contextlib.contextmanager
def variable_scope(name_or_scope, default_name=None, values=None, initializer=None, regularizer=None,
                   caching_device=None, partitioner=None, custom_getter=None, reuse=None, dtype=None,
                   use_resource=None, constraint=None, auxiliary_name_scope=True):
    """`tf.variable_scope`: prefixes get_variable names and opens a name scope of the same name."""
    graph = get_default_graph()
    parent = get_variable_scope()
    if isinstance(name_or_scope, VariableScope):
        full = name_or_scope.name
        name_for_ops = full.rsplit("/", 1)[-1]
        base = name_or_scope
    else:
        base = None
        if name_or_scope is None:
            if default_name is None:
                raise TypeError("If default_name is None then name_or_scope is required")
            name_or_scope = _unique_var_scope_name(graph, parent.name, default_name)
        full = f"{parent.name}/{name_or_scope}" if parent.name else name_or_scope
        name_for_ops = name_or_scope
    new_reuse = True if parent.reuse is True else (reuse if reuse is not None else
                                                    (base.reuse if base is not None else parent.reuse))
    if reuse is False:
        new_reuse = parent.reuse if parent.reuse is True else None
    scope = VariableScope(
        full, new_reuse,
        initializer if initializer is not None else (base.initializer if base else parent.initializer),
        regularizer if regularizer is not None else (base.regularizer if base else parent.regularizer),
        dtype or (base.dtype if base else parent.dtype))
    counts = graph.__dict__.setdefault("_var_scope_counts", {})
    counts[full] = counts.get(full, 0) + 1
    graph._variable_scope_stack.append(scope)
    try:
        if auxiliary_name_scope:
            if isinstance(name_or_scope, VariableScope) and name_or_scope.original_name_scope:
                ns_ctx = graph.name_scope(name_or_scope.original_name_scope)
            else:
                ns_ctx = graph.name_scope(name_for_ops)
            with ns_ctx as ns:
                scope.original_name_scope = ns
                yield scope
        else:
            yield scope
    finally:
        graph._variable_scope_stack.pop()


def _unique_var_scope_name(graph, parent: str, default_name: str) -> str:
    counts = graph.__dict__.setdefault("_var_scope_counts", {})
    prefix = f"{parent}/" if parent else ""
    name, i = default_name, 0
    while counts.get(prefix + name):
        i += 1
        name = f"{default_name}_{i}"
    return name


def get_variable(name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=True,
                 collections=None, caching_device=None, partitioner=None, validate_shape=True,
                 use_resource=None, custom_getter=None, constraint=None, **kwargs) -> Variable:
    """Gets an existing variable `scope/name` (when reusing) or creates it with `initializer`."""
    graph = get_default_graph()
    scope = get_variable_scope()
    full = f"{scope.name}/{name}" if scope.name else name
    store = graph._variable_store
    if full in store:
        if scope.reuse is None or scope.reuse is False:
            raise ValueError(f"Variable {full} already exists, disallowed. Did you mean to set reuse=True or "
                             "reuse=tf.AUTO_REUSE in VarScope?")
        var = store[full]
        if shape is not None and not var.shape.is_compatible_with(shape):
            raise ValueError(f"Trying to share variable {full}, but specified shape {as_shape(shape)} and found "
                             f"shape {var.shape}.")
        return var
    if scope.reuse is True:
        raise ValueError(f"Variable {full} does not exist, or was not created with tf.get_variable(). Did you "
                         "mean to set reuse=tf.AUTO_REUSE in VarScope?")
    dtype = _dt.as_dtype(dtype or scope.dtype or _dt.float32)
    initializer = initializer if initializer is not None else scope.initializer
    if initializer is None:
        from . import initializers
        initializer = (initializers.glorot_uniform_initializer() if dtype.is_floating
                       else initializers.zeros_initializer())
    if isinstance(initializer, Tensor) or not callable(initializer):
        init_value = initializer
        shape = None
    else:
        if shape is None:
            raise ValueError(f"Shape of a new variable ({full}) must be fully defined, but instead was None.")
        shape_list = as_shape(shape).as_list()
        init_fn = initializer

        def init_value():
            return init_fn(shape_list, dtype=dtype)
    with graph.name_scope(None):
        var = Variable(init_value, trainable=trainable, collections=collections, name=full,
                       dtype=dtype, validate_shape=validate_shape, constraint=constraint)
    store[full] = var
    regularizer = regularizer if regularizer is not None else scope.regularizer
    if regularizer is not None:
        with graph.name_scope(full + "/Regularizer/"):
            loss = regularizer(var)
        if loss is not None:
            graph.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)
    return var
