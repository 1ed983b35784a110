"""Grouping and ordering: NoOp, `tf.group`, `tf.tuple`; `tf.cond` and `tf.case`."""
from __future__ import annotations

import builtins
from collections import OrderedDict
from collections.abc import Callable, Mapping

from ..graph import Operation, Tensor, get_default_graph
from ..registry import op_def
from ..shapes import TensorShape

__all__ = ["no_op", "group", "tuple", "cond", "case"]


@op_def
class NoOp:
    def shape(op):
        return []

    def forward(k):
        return ()


def no_op(name=None) -> Operation:
    """An op that does nothing (useful as a control-dependency anchor)."""
    return get_default_graph().create_op("NoOp", [], name=name or "NoOp")


def group(*inputs, name=None) -> Operation:
    """A NoOp that runs only after every op/tensor in `inputs`."""
    ops = []
    for x in inputs:
        for item in (x if isinstance(x, list | builtins.tuple) else [x]):
            if hasattr(item, "_as_graph_element"):
                item = item._as_graph_element()
            ops.append(item.op if isinstance(item, Tensor) else item)
    graph = ops[0].graph if ops else get_default_graph()
    with graph.control_dependencies(ops):
        return graph.create_op("NoOp", [], name=name or "group_deps")


def tuple(tensors, name=None, control_inputs=None) -> list:
    """`tf.tuple`: the tensors, each available only once all of them are computed."""
    from .array_ops import identity
    tensors = list(tensors)
    graph = get_default_graph()
    with graph.name_scope(name or "tuple"):
        gate = group(*[t for t in tensors if t is not None], *(control_inputs or []))
        with graph.control_dependencies([gate]):
            return [identity(t) if t is not None else None for t in tensors]


# --- tf.cond: branches whose ops run only when their predicate says so


@op_def
class CondMerge:
    """Internal: the output of tf.cond, the taken branch's value (the other input is never computed)."""

    def shape(op):
        _, t, f = op.inputs
        if t.shape.dims is None or f.shape.dims is None or len(t.shape.dims) != len(f.shape.dims):
            return TensorShape(None)
        return TensorShape([a if a == b else None for a, b in zip(t.shape.dims, f.shape.dims)])

    def dtype(op):
        return op.inputs[1].dtype.base_dtype

    def forward(k, pred, t, f):
        return t if pred else f

    def grad(op, g):
        pred = op.inputs[0]
        graph = op.graph
        from .array_ops import identity
        with graph._guarded(op._guards + ((pred, True),)):
            g_true = identity(g)
        with graph._guarded(op._guards + ((pred, False),)):
            g_false = identity(g)
        return [None, g_true, g_false]


@op_def
class CondGradExit:
    """Internal: a gradient leaving a tf.cond branch: the branch's gradient, or zeros when it didn't run."""

    def shape(op):
        return op.inputs[1].shape

    def dtype(op):
        return op.inputs[0].dtype.base_dtype

    def forward(k, g, like):
        return g if g is not None else k.xp.zeros(like.shape, dtype=_out_dtype(k))


def _out_dtype(k):
    return k.op.outputs[0].dtype.as_numpy_dtype


def cond(pred, true_fn=None, false_fn=None, strict=False, name=None, fn1=None, fn2=None):
    """`tf.cond`: `true_fn()` if `pred` else `false_fn()`; only the taken branch's ops run."""
    from ..graph import convert_to_tensor
    from .array_ops import identity
    true_fn = true_fn or fn1
    false_fn = false_fn or fn2
    if not callable(true_fn) or not callable(false_fn):
        raise TypeError("true_fn and false_fn must be callable.")
    pred = convert_to_tensor(pred)
    if pred.dtype.base_dtype.name != "bool" or pred.shape.ndims not in (None, 0):
        raise ValueError(f"pred must be a scalar bool tensor, got {pred.dtype.base_dtype.name} {pred.shape}")
    graph = pred.graph
    outer = builtins.tuple(graph._cond_stack)
    with graph.name_scope(name or "cond"):
        results = []
        for branch, fn in ((True, true_fn), (False, false_fn)):
            with graph._guarded(outer + ((pred, branch),)):
                out = fn()
                items = out if isinstance(out, list | builtins.tuple) else [out]
                # Tensors made outside the branch (or ops) get a branch-local node to carry the guard.
                items = [_branch_tensor(x, identity) for x in items]
            results.append((out, items))
        (t_out, t_items), (f_out, f_items) = results
        if len(t_items) != len(f_items):
            raise ValueError("true_fn and false_fn must return the same number of values: "
                             f"{len(t_items)} != {len(f_items)}")
        merged = []
        for t, f in zip(t_items, f_items):
            if t.dtype.base_dtype is not f.dtype.base_dtype:
                raise ValueError(f"Outputs of true_fn and false_fn must have the same type: "
                                 f"{t.dtype.base_dtype.name}, {f.dtype.base_dtype.name}")
            merged.append(graph.create_op("CondMerge", [pred, t, f], name="Merge").outputs[0])
    if isinstance(t_out, list | builtins.tuple):
        return type(t_out)(merged) if not hasattr(t_out, "_fields") else type(t_out)(*merged)
    return merged[0]


def _branch_tensor(x, identity) -> Tensor:
    from ..graph import convert_to_tensor
    if isinstance(x, Operation):
        from .array_ops import constant
        with x.graph.control_dependencies([x]):
            return constant(True)  # an op's "value" in a branch: runs it, yields a dummy
    return identity(convert_to_tensor(x))


# --- tf.case: the first true predicate's function, built from nested tf.conds


def case(pred_fn_pairs, default: Callable | None = None, exclusive: bool = False, strict: bool = False,
         name: str = "case"):
    """`tf.case`: the result of the fn of the first true predicate in `pred_fn_pairs`, else of `default`.

    `exclusive=True` adds a run-time check that at most one predicate is true. Without `default`, the last
    pair's fn is the fallback, checked at run time to have a true predicate (as TF1 does). A plain dict is
    taken in the order of its predicates' names, as TF1 does; use a list of pairs or an OrderedDict.
    """
    from ..graph import convert_to_tensor
    if isinstance(pred_fn_pairs, Mapping):
        items = list(pred_fn_pairs.items())
        if not isinstance(pred_fn_pairs, OrderedDict):
            items.sort(key=lambda item: getattr(item[0], "name", ""))
    elif isinstance(pred_fn_pairs, list | builtins.tuple):
        items = list(pred_fn_pairs)
    else:
        raise TypeError("fns must be a list, tuple, or dict")
    if not items:
        raise ValueError("pred_fn_pairs must not be empty")
    pairs = []
    for item in items:
        if not isinstance(item, list | builtins.tuple) or len(item) != 2:
            raise TypeError(f"Each entry in pred_fn_pairs must be a 2-tuple. Received {item!r}.")
        pred, fn = item
        if not callable(fn):
            raise TypeError(f"fn for pred {getattr(pred, 'name', pred)} must be callable.")
        pred = convert_to_tensor(pred)
        if pred.dtype.base_dtype.name != "bool":
            raise TypeError(f"pred must be Tensor of type bool: {pred.name}")
        pairs.append((pred, fn))
    if default is not None and not callable(default):
        raise TypeError("default must be callable.")
    preds = [p for p, _ in pairs]
    graph = preds[0].graph
    with graph.name_scope(name or "case"):
        checks = [_at_most_one_true(preds)] if exclusive else []
        with graph.control_dependencies(checks):
            if default is None:
                (last_pred, last_fn), pairs = pairs[-1], pairs[:-1]
                default = _checked_default(last_pred, last_fn, preds)
            return _nested_conds(pairs, default, strict)


def _nested_conds(pairs: list, default: Callable, strict: bool):
    if not pairs:
        return default()
    (pred, fn), rest = pairs[0], pairs[1:]
    return cond(pred, fn, lambda: _nested_conds(rest, default, strict), strict=strict)


def _checked_default(pred: Tensor, fn: Callable, preds: list) -> Callable:
    """The last pair's fn as the fallback: it asserts its predicate holds, else none of them did."""
    from .array_ops import stack
    from .check_ops import Assert

    def run():
        check = Assert(pred, ["Input error: None of conditions evaluated as True:", stack(preds, name="preds_c")],
                       summarize=len(preds))
        with pred.graph.control_dependencies([check]):
            return _after_dependencies(fn())
    return run


def _after_dependencies(out):
    """`out` (a tensor, op or list/tuple of them) re-made under the current control dependencies."""
    from ..graph import convert_to_tensor
    from .array_ops import identity
    if isinstance(out, list | builtins.tuple) and not hasattr(out, "_fields"):
        return type(out)(_after_dependencies(x) for x in out)
    if isinstance(out, Operation):
        return group(out)
    if out is None:
        return None
    return identity(convert_to_tensor(out))


def _at_most_one_true(preds: list) -> Operation:
    from .. import dtypes as _dt
    from .array_ops import constant, stack
    from .check_ops import Assert
    from .math_ops import cast, less_equal, reduce_sum
    stacked = stack(preds, name="preds_c")
    count = reduce_sum(cast(stacked, _dt.int32), name="num_true_conds")
    condition = less_equal(count, constant(1, name="n_true_conds"))
    names = ", ".join(p.name for p in preds)
    message = f"Input error: exclusive=True: more than 1 conditions ({names}) evaluated as True:"
    return Assert(condition, [message, stacked], summarize=len(preds))

