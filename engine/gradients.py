"""Reverse-mode differentiation: `tf.gradients` walks the graph backwards applying each op's rule."""
from __future__ import annotations

from . import dtypes as _dt
from .graph import Operation, Tensor, convert_to_tensor, get_default_graph
from .shapes import TensorShape


def gradients(ys, xs, grad_ys=None, name: str = "gradients", colocate_gradients_with_ops=False,
              gate_gradients=False, aggregation_method=None, stop_gradients=None):
    """Symbolic d(sum ys)/d(x) for each x in xs, added under a `gradients/` scope; None where unconnected."""
    ys = _as_list(ys)
    xs = _as_list(xs)
    ys = [convert_to_tensor(y) for y in ys]
    xs = [_x_tensor(x) for x in xs]
    grad_ys = _as_list(grad_ys) if grad_ys is not None else [None] * len(ys)
    stops = {(_x_tensor(s).op if not isinstance(s, Operation) else s) for s in _as_list(stop_gradients or [])}
    graph = ys[0].graph if ys else get_default_graph()
    from .ops import array_ops, math_ops

    with graph.name_scope(name):
        # Ops on a path from some x to some y.
        reach_back: set[Operation] = set()
        stack = [y.op for y in ys]
        while stack:
            op = stack.pop()
            if op in reach_back:
                continue
            reach_back.add(op)
            if op in stops:
                continue
            stack.extend(t.op for t in op.inputs)
        x_ops = {x.op for x in xs}
        reach_fwd: set[Operation] = set()
        stack = [op for op in x_ops if op in reach_back]
        while stack:
            op = stack.pop()
            if op in reach_fwd:
                continue
            reach_fwd.add(op)
            for t in op.outputs:
                stack.extend(c for c in t._consumers if c in reach_back)
        between = reach_back & reach_fwd

        pending: dict[Tensor, list] = {}
        for y, gy in zip(ys, grad_ys):
            if gy is None:
                gy = array_ops.ones_like(y) if y.op in between else None
            else:
                gy = convert_to_tensor(gy, dtype=y.dtype.base_dtype)
            if gy is not None:
                pending.setdefault(y, []).append(gy)

        for op in sorted(between, key=lambda o: o._id, reverse=True):
            if not any(pending.get(t) for t in op.outputs) or op in stops:
                continue
            if not _has_between_input(op, between):
                continue  # nothing upstream of this op leads back to an x
            rule = op.op_def.grad
            if rule is None:
                continue  # not differentiable (comparisons, argmax, shape, ...)
            # Gradient ops of an op inside a tf.cond branch run under the same branch conditions.
            with graph._guarded(op._guards):
                out_grads = [_aggregate(pending.get(t), math_ops) for t in op.outputs]
                if len(out_grads) > 1:
                    out_grads = [g if g is not None else array_ops.zeros_like(t)
                                 for g, t in zip(out_grads, op.outputs)]
                with graph.name_scope(op.name + "_grad"):
                    in_grads = rule(op, *out_grads)
            if not isinstance(in_grads, list | tuple):
                in_grads = [in_grads]
            if len(in_grads) != len(op.inputs):
                raise ValueError(f"Num gradients {len(in_grads)} generated for op {op.name} ({op.type}) do not "
                                 f"match num inputs {len(op.inputs)}")
            for t, g in zip(op.inputs, in_grads):
                if g is None or t.op not in between or not _differentiable(t.dtype):
                    continue
                if len(op._guards) > len(t.op._guards):  # leaving a tf.cond branch: zeros when not taken
                    with graph._guarded(t.op._guards), graph.name_scope(op.name + "_grad/"):
                        g = graph.create_op("CondGradExit", [g, t], name="CondGradExit").outputs[0]
                pending.setdefault(t, []).append(g)

        return [_aggregate(pending.get(x), math_ops) for x in xs]


def _aggregate(grads, math_ops):
    if not grads:
        return None
    if len(grads) == 1:
        return grads[0]
    return math_ops.add_n(grads)


def _has_between_input(op: Operation, between: set) -> bool:
    return any(t.op in between for t in op.inputs)


def _differentiable(dtype) -> bool:
    return dtype.base_dtype in (_dt.float16, _dt.float32, _dt.float64)


def _x_tensor(x) -> Tensor:
    if hasattr(x, "_gradient_tensor"):  # a Variable: differentiate w.r.t. its ref output
        return x._gradient_tensor()
    return convert_to_tensor(x)


def _as_list(v):
    return list(v) if isinstance(v, list | tuple) else [v]


def reduce_to_shape(grad: Tensor, input_tensor: Tensor, output_shape: TensorShape | None = None,
                    other: Tensor | None = None) -> Tensor:
    """The adjoint of broadcasting `input_tensor` to the op's output: sum `grad` back to the input's shape.

    Uses static shapes when they decide the reduced axes; otherwise the axes are found at run time
    (SumToShapeOf). An unknown dim of the input is known not to broadcast when the op's `other` operand
    lacks that dim or has size 1 there (x of shape [?, 3] plus a bias of shape [3]): pass `other` for
    binary elementwise ops so the usual None batch dim stays static.
    """
    from .ops import array_ops, math_ops
    in_dims = input_tensor.shape.dims
    out_dims = (output_shape if output_shape is not None else grad.shape).dims
    other_dims = other.shape.dims if other is not None else None
    if in_dims is not None and out_dims is not None:
        if in_dims == out_dims and None not in in_dims:
            return grad
        lead = len(out_dims) - len(in_dims)
        axes: list[int] = list(range(lead))
        static_ok = lead >= 0
        for i, d in enumerate(in_dims):
            od = out_dims[lead + i] if static_ok else None
            if d == 1 and od != 1:
                axes.append(lead + i)
            elif d is None and not (od is None and _output_dim_is_this_inputs(other_dims, len(out_dims) - lead - i)):
                static_ok = False  # can't tell whether this dim broadcast
        if static_ok:
            if not axes:
                return grad
            if axes == list(range(lead)):  # only leading axes broadcast (a bias): the sum has the shape
                return math_ops.reduce_sum(grad, axis=axes)
            summed = math_ops.reduce_sum(grad, axis=axes, keepdims=True)
            if lead == 0:
                return summed
            if in_dims.count(None) <= 1:
                return array_ops.reshape(summed, [-1 if d is None else d for d in in_dims])
            return array_ops.reshape(summed, array_ops.shape(input_tensor))
    return math_ops._sum_to_shape_of(grad, input_tensor)


def _output_dim_is_this_inputs(other_dims, from_end: int) -> bool:
    """Whether the other operand leaves the output dim `from_end` places from the right (1 = last) to this
    input: it lacks that dim or has size 1 there (unknown other shapes decide nothing)."""
    if other_dims is None:
        return False
    return from_end > len(other_dims) or other_dims[len(other_dims) - from_end] == 1
