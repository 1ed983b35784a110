"""`tf.train.ExponentialMovingAverage` and `assign_moving_average`: shadow variables that track
`shadow -= (1 - decay) * (shadow - value)` each time the update op runs.

Shadows are named `<var>/ExponentialMovingAverage` (the EMA's name), start at the variable's initial value
(zero for plain tensors, which are zero-debiased as TF1 does: the shadow is `biased / (1 - decay^t)`), and
`variables_to_restore()` maps those names onto the primary variables so an evaluation graph can load the
averages with a Saver.
"""
from __future__ import annotations

from .. import dtypes as _dt
from ..graph import Operation, Tensor, convert_to_tensor, get_default_graph
from ..ops import array_ops, control_flow_ops, math_ops, state_ops
from ..variables import Variable, global_variables, trainable_variables
from .slot_creator import filled_value

MOVING_AVERAGE_VARIABLES = "moving_average_variables"  # TF1's GraphKeys.MOVING_AVERAGE_VARIABLES
_FLOATS = (_dt.float16, _dt.float32, _dt.float64)


def assign_moving_average(variable: Variable, value, decay, zero_debias: bool = True, name=None) -> Tensor:
    """variable -= (1 - decay) * (variable - value); with `zero_debias`, from a debiased hidden average."""
    graph = variable.graph
    with graph.name_scope(name or "AssignMovingAvg") as scope:
        dtype = variable.dtype.base_dtype
        value = convert_to_tensor(value)
        decay = math_ops.cast(convert_to_tensor(decay), dtype)
        one_minus = math_ops.subtract(1.0, decay)
        if not zero_debias:
            delta = math_ops.multiply(math_ops.subtract(variable, value), one_minus)
            return state_ops.assign_sub(variable, delta, name=scope)
        biased, local_step = _debias_variables(variable)
        new_biased = state_ops.assign_sub(biased, math_ops.multiply(math_ops.subtract(biased, value), one_minus))
        step = state_ops.assign_add(local_step, 1.0)
        unbiased = math_ops.truediv(new_biased, math_ops.subtract(1.0, math_ops.pow(decay, step)))
        return state_ops.assign(variable, unbiased, name=scope)


def _debias_variables(variable: Variable) -> tuple[Variable, Variable]:
    """The hidden biased average and step count kept beside `variable` (created once, at the root scope)."""
    graph = variable.graph
    store = graph.__dict__.setdefault("_ema_debias", {})
    if variable.op not in store:
        dtype = variable.dtype.base_dtype
        with graph.control_dependencies(None), graph.name_scope(None):
            biased = Variable(lambda: filled_value(variable.shape, dtype, like=variable.initial_value),
                              trainable=False, name=f"{variable.op.name}/biased", dtype=dtype,
                              validate_shape=variable.shape.is_fully_defined())
            local_step = Variable(lambda: array_ops.constant(0, dtype=dtype, name="zeros"), trainable=False,
                                  name=f"{variable.op.name}/local_step", dtype=dtype)
        store[variable.op] = (biased, local_step)
    return store[variable.op]


class ExponentialMovingAverage:
    """Keeps moving averages of variables (or tensors) in shadow variables updated by `apply()`'s op."""

    def __init__(self, decay, num_updates=None, zero_debias: bool = False, name: str = "ExponentialMovingAverage"):
        self._decay = decay
        self._num_updates = num_updates
        self._zero_debias = zero_debias
        self._name = name
        self._averages: dict = {}  # primary (Variable or Tensor) -> shadow Variable

    @property
    def name(self) -> str:
        return self._name

    def apply(self, var_list=None) -> Operation:
        """Creates shadows for `var_list` (default: the trainable variables) and returns the update op."""
        var_list = trainable_variables() if var_list is None else list(var_list)
        graph = get_default_graph()
        for v in var_list:
            if v.dtype.base_dtype not in _FLOATS:
                raise TypeError(f"The variables must be half, float, or double: {v.name}")
            if v in self._averages:
                raise ValueError(f"Moving average already computed for: {v.name}")
            with graph.control_dependencies(None), graph.name_scope(None):
                self._averages[v] = self._make_shadow(v)
            graph.add_to_collection(MOVING_AVERAGE_VARIABLES, v)
        with graph.name_scope(self._name) as scope:
            decay = convert_to_tensor(self._decay, dtype=_dt.float32, name="decay")
            if self._num_updates is not None:
                n = math_ops.cast(convert_to_tensor(self._num_updates), _dt.float32, name="num_updates")
                decay = math_ops.minimum(decay, math_ops.truediv(math_ops.add(1.0, n), math_ops.add(10.0, n)))
            updates = []
            for v in var_list:
                debias = self._zero_debias or not isinstance(v, Variable)
                updates.append(assign_moving_average(self._averages[v], v, decay, zero_debias=debias))
            return control_flow_ops.group(*updates, name=scope)

    def _make_shadow(self, v) -> Variable:
        name = f"{v.op.name}/{self._name}"
        if isinstance(v, Variable):
            # The Assign's output is the variable's fresh initial value, even within the same init run.
            def initial():
                return array_ops.identity(v.initializer.outputs[0])
            return Variable(initial, trainable=False, name=name, dtype=v.dtype.base_dtype,
                            validate_shape=v.shape.is_fully_defined())
        t = convert_to_tensor(v)
        return Variable(lambda: filled_value(t.shape, t.dtype, like=t), trainable=False, name=name,
                        dtype=t.dtype.base_dtype, validate_shape=t.shape.is_fully_defined())

    def average(self, var) -> Variable | None:
        """The shadow variable of `var`, or None."""
        return self._averages.get(var)

    def average_name(self, var) -> str:
        """The name the shadow of `var` has (or would have): `<var op name>/<EMA name>`."""
        return f"{var.op.name}/{self._name}"

    def variables_to_restore(self, moving_avg_variables=None) -> dict:
        """{checkpoint name: variable} loading each average into its primary variable (others as saved)."""
        if moving_avg_variables is None:
            moving_avg_variables = trainable_variables() + [
                v for v in get_default_graph().get_collection(MOVING_AVERAGE_VARIABLES) if isinstance(v, Variable)]
        name_map: dict = {}
        averaged = set(moving_avg_variables)  # identity-hashed, like TF's
        for v in moving_avg_variables:
            name_map[self.average_name(v)] = v
        for v in global_variables():
            if v not in averaged and v.op.name not in name_map:
                name_map[v.op.name] = v
        return name_map
