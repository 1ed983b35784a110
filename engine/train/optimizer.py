"""`tf.train.Optimizer`: the base class computing gradients, creating slot variables and grouping the
per-variable update ops; subclasses provide only their slots, scalar tensors and one update op each.

Naming follows TF1: slots are variables `<var>/<OptimizerName>` (`W/Adam`, `W/Adam_1`), update ops live
under `<OptimizerName>/update_<var>/`, and with a global step the returned op is the `AssignAdd` named
`<OptimizerName>`, run after the group `<OptimizerName>/update`.
"""
from __future__ import annotations

from .. import dtypes as _dt
from ..gradients import gradients
from ..graph import Operation, Tensor, convert_to_tensor
from ..ops import control_flow_ops, math_ops, state_ops
from ..variables import Variable, trainable_variables
from .slot_creator import filled_value

_FLOAT_TYPES = (_dt.float16, _dt.float32, _dt.float64)


class Optimizer:
    """Base class of the TF1 optimizers: `minimize` = `compute_gradients` + `apply_gradients`."""

    GATE_NONE = 0
    GATE_OP = 1
    GATE_GRAPH = 2

    def __init__(self, use_locking: bool, name: str):
        if not name:
            raise ValueError("Must specify the optimizer name")
        self._use_locking = use_locking
        self._name = name
        self._slots: dict[str, dict[Operation, Variable]] = {}
        self._non_slot: dict[tuple, Variable] = {}

    def get_name(self) -> str:
        return self._name

    # --- the public training API
    def minimize(self, loss, global_step=None, var_list=None, gate_gradients=GATE_OP, aggregation_method=None,
                 colocate_gradients_with_ops=False, name=None, grad_loss=None) -> Operation:
        """Adds ops computing the gradients of `loss` and applying them; returns the training op."""
        grads_and_vars = self.compute_gradients(loss, var_list=var_list, gate_gradients=gate_gradients,
                                                aggregation_method=aggregation_method,
                                                colocate_gradients_with_ops=colocate_gradients_with_ops,
                                                grad_loss=grad_loss)
        with_grad = [v for g, v in grads_and_vars if g is not None]
        if not with_grad:
            raise ValueError("No gradients provided for any variable, check your graph for ops that do not "
                             f"support gradients, between variables {[str(v) for _, v in grads_and_vars]} "
                             f"and loss {loss}.")
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def compute_gradients(self, loss, var_list=None, gate_gradients=GATE_OP, aggregation_method=None,
                          colocate_gradients_with_ops=False, grad_loss=None) -> list[tuple]:
        """[(gradient, variable)] of `loss` for `var_list` (default: the trainable variables)."""
        if callable(loss) and not isinstance(loss, Tensor):
            raise RuntimeError("`loss` passed to Optimizer.compute_gradients should be a Tensor in graph mode; "
                               "got a callable.")
        if gate_gradients not in (self.GATE_NONE, self.GATE_OP, self.GATE_GRAPH):
            raise ValueError(f"gate_gradients must be one of: Optimizer.GATE_NONE, Optimizer.GATE_OP, "
                             f"Optimizer.GATE_GRAPH.  Not {gate_gradients}")
        loss = convert_to_tensor(loss)
        _assert_float(loss)
        if grad_loss is not None:
            _assert_float(convert_to_tensor(grad_loss))
        if var_list is None:
            var_list = trainable_variables()
        elif isinstance(var_list, dict):
            var_list = list(var_list.values())
        else:
            var_list = list(var_list)
        if not var_list:
            raise ValueError("No variables to optimize.")
        for v in var_list:
            if not isinstance(v, Variable):
                raise TypeError(f"Argument is not a tf.Variable: {v}")
            _assert_float(v)
        grads = gradients(loss, var_list, grad_ys=None if grad_loss is None else [grad_loss],
                          colocate_gradients_with_ops=colocate_gradients_with_ops,
                          aggregation_method=aggregation_method)
        if gate_gradients == self.GATE_GRAPH:  # every gradient exists before any is used
            grads = control_flow_ops.tuple(grads)
        return list(zip(grads, var_list))

    def apply_gradients(self, grads_and_vars, global_step=None, name=None) -> Operation:
        """Adds the update ops for `grads_and_vars`; increments `global_step` after them when given."""
        pairs = _checked_pairs(grads_and_vars)
        var_list = [v for g, v in pairs if g is not None]
        if not var_list:
            raise ValueError(f"No gradients provided for any variable: {[str(v) for _, v in pairs]}.")
        graph = var_list[0].graph
        # Slots and non-slot variables live at the root scope, free of the caller's control dependencies.
        with graph.control_dependencies(None), graph.name_scope(None):
            self._create_slots(var_list)
        with graph.name_scope(name or self._name) as scope:
            self._prepare()
            update_ops = []
            for grad, var in pairs:
                if grad is None:
                    continue
                with graph.name_scope("update_" + var.op.name):
                    update_ops.append(self._apply_dense(grad, var))
            if global_step is None:
                return self._finish(update_ops, scope)
            with graph.control_dependencies([self._finish(update_ops, "update")]):
                return state_ops.assign_add(global_step, 1, name=scope).op

    # --- slots
    def get_slot_names(self) -> list[str]:
        """The names of the slots this optimizer creates (e.g. ['m', 'v'] for Adam)."""
        return sorted(self._slots)

    def get_slot(self, var, name: str) -> Variable | None:
        """The slot variable `name` made for `var`, or None."""
        return self._slots.get(name, {}).get(var.op)

    def variables(self) -> list[Variable]:
        """Every variable this optimizer created (slots and non-slot ones like beta1_power), by name."""
        found = [v for slots in self._slots.values() for v in slots.values()] + list(self._non_slot.values())
        return sorted(found, key=lambda v: v.name)

    def _slot(self, var: Variable, slot_name: str, fill: float = 0.0) -> Variable:
        """Creates (once) the slot `slot_name` for `var`: a variable of var's shape filled with `fill`."""
        slots = self._slots.setdefault(slot_name, {})
        if var.op in slots:
            return slots[var.op]
        dtype = var.dtype.base_dtype
        shape = var.shape

        def initial_value():
            return filled_value(shape, dtype, fill, like=var.initial_value)

        slot = Variable(initial_value, trainable=False, name=f"{var.op.name}/{self._name}", dtype=dtype,
                        validate_shape=shape.is_fully_defined())
        slots[var.op] = slot
        return slot

    def _non_slot_variable(self, name: str, initial_value: float, like: Variable) -> Variable:
        """A scalar variable shared by all updates of this optimizer in a graph (Adam's beta1_power)."""
        key = (name, like.graph)
        var = self._non_slot.get(key)
        if var is None:
            # As in TF1, a Python float makes a float32 variable whatever the variables' dtype.
            var = Variable(initial_value, trainable=False, name=name)
            self._non_slot[key] = var
        return var

    # --- what subclasses provide
    def _create_slots(self, var_list: list[Variable]) -> None:
        """Creates the slot variables for `var_list` (none by default)."""

    def _prepare(self) -> None:
        """Converts hyper-parameters to tensors, once per apply_gradients."""

    def _apply_dense(self, grad: Tensor, var: Variable) -> Tensor:
        raise NotImplementedError

    def _finish(self, update_ops: list, name_scope: str) -> Operation:
        """Groups the update ops into the op named `name_scope`."""
        return control_flow_ops.group(*update_ops, name=name_scope)

    # --- helpers for subclasses
    def _scalar(self, value, name: str) -> Tensor:
        """A hyper-parameter as a tensor (a callable is called first, as TF1 allows)."""
        if callable(value) and not isinstance(value, Tensor | Variable):
            value = value()
        return convert_to_tensor(value, name=name)

    @staticmethod
    def _cast(t: Tensor, var: Variable) -> Tensor:
        return math_ops.cast(t, var.dtype.base_dtype)


def _assert_float(t) -> None:
    dtype = t.dtype.base_dtype
    if dtype not in _FLOAT_TYPES:
        raise ValueError(f"Invalid type {dtype.name} for {t.name}, expected: "
                         f"{[d.name for d in _FLOAT_TYPES]}.")


def _checked_pairs(grads_and_vars) -> list[tuple]:
    pairs = []
    for item in grads_and_vars:
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise TypeError(f"grads_and_vars must be a list of (gradient, variable) pairs; got {item!r}")
        grad, var = item
        if not isinstance(var, Variable):
            raise TypeError(f"Argument is not a tf.Variable: {var}")
        if grad is not None:
            grad = convert_to_tensor(grad)
            if grad.dtype.base_dtype is not var.dtype.base_dtype:
                raise ValueError(f"Gradient {grad.name} has dtype {grad.dtype.base_dtype.name} but variable "
                                 f"{var.op.name} has dtype {var.dtype.base_dtype.name}.")
        pairs.append((grad, var))
    if not pairs:
        raise ValueError("No variables provided.")
    return pairs

