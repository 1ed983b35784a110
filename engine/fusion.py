"""Plan rewrites that merge a session plan's steps where one kernel does the work of several (as TF's
grappler remaps ops into fused ones). They change how a plan computes, never what: a merge is made only
where no other step, fetch or tf.cond guard sees the values merged away.

A step is the list `[kernel, ctx, input slots, output slot(s), n_outputs, op]` built by Session._compile;
`guards` maps a step's index to its tf.cond predicates; `volatile` holds the slots whose value an op may
change during a run (Session's `_volatile_slots`: variables' buffers and views of them). A merged step
runs where the last of its steps ran, so none of its inputs may be volatile. A rewrite returns the names
of the ops it rewrote (the session keeps them for tests and for `_write_over_dying_inputs`, which must
leave these steps alone: their inputs are no longer their op's) and `guards` renumbered for the remaining
steps.

(Tried and left out, for no gain measurable here: MatMul + bias + Relu as one step, with or without the
bias seeding the GEMM; Conv2D + bias + Relu with the bias and relu applied per im2col chunk; running small
updates before big ones; Adam computing its gradient's GEMM a band of rows at a time.)
"""
from __future__ import annotations


class _Readers:
    """Which steps read each slot, and which step made it."""

    def __init__(self, steps: list):
        self.made_by: dict[int, int] = {}
        self.reading: dict[int, list[int]] = {}
        for i, (_, _, ins, outs, n, _) in enumerate(steps):
            for s in (outs,) if n == 1 else outs:
                self.made_by[s] = i
            for s in ins:
                self.reading.setdefault(s, []).append(i)

    def sole_reader(self, slot: int, keep: set, guards: dict) -> int | None:
        """The index of the one step reading `slot`, when nothing else (a fetch, a guard) needs it."""
        readers = self.reading.get(slot, ())
        if len(readers) != 1 or slot in keep or readers[0] in guards:
            return None
        return readers[0]


def _drop(steps: list, guards: dict, dropped: set[int]) -> dict:
    if not dropped:
        return guards
    renumber: dict[int, int] = {}
    for i in range(len(steps)):
        if i not in dropped:
            renumber[i] = len(renumber)
    steps[:] = [step for i, step in enumerate(steps) if i not in dropped]
    return {renumber[i]: g for i, g in guards.items()}


# --- a weight gradient's product into its update

def fold_products_into_updates(steps: list, guards: dict, keep: set, volatile: set[int],
                               cpu) -> tuple[list[str], dict]:
    """Gives an update whose gradient is a MatMul read by nothing else that MatMul's operands instead
    (registry `product_input`) and drops the MatMul's step: the update runs the product as one GEMM
    accumulating into the variable. No operand may be volatile: an earlier update may change a variable's
    buffer before this one runs."""
    readers = _Readers(steps)
    folded: list[str] = []
    dropped: set[int] = set()
    for i, step in enumerate(steps):
        op, ctx, ins = step[5], step[1], step[2]
        j = None if op is None else op.op_def.product_input
        if j is None or ctx.b is not cpu or i in guards:
            continue
        p = readers.made_by.get(ins[j])
        product = steps[p] if p is not None else None
        if (product is None or product[5] is None or product[5].type != "MatMul" or product[1].b is not cpu
                or p in guards or readers.sole_reader(ins[j], keep, guards) != i
                or any(x in volatile for x in product[2])):
            continue
        step[0] = _with_product(op.op_def.forward_product, product[5].attrs)
        step[2] = ins[:j] + product[2] + ins[j + 1:]
        dropped.add(p)
        folded.append(op.name)
    return folded, _drop(steps, guards, dropped)


def _with_product(forward_product, matmul_attrs: dict):
    ta, tb = matmul_attrs["transpose_a"], matmul_attrs["transpose_b"]

    def run(k, *args):
        return forward_product(k, *args, ta, tb)
    return run


# --- the relu gradient under a max-pool gradient

def fuse_relu_grad_into_max_pool_grad(steps: list, guards: dict, keep: set, volatile: set[int],
                                      cpu) -> tuple[list[str], dict]:
    """`ReluGrad(MaxPoolGrad(r, pool(r), g), r)`, the gradient back through `max_pool(relu(.))`, as one
    MaxPoolGrad of `g * (pool(r) > 0)`: a window whose maximum is not positive gets zeros either way, and a
    window whose maximum is positive sends its gradient to a positive cell. A pass over the pooled gradient
    replaces one over the full-size one."""
    readers = _Readers(steps)
    fused: list[str] = []
    dropped: set[int] = set()
    for r, step in enumerate(steps):
        op = step[5]
        if op is None or op.type != "ReluGrad" or step[1].b is not cpu or r in guards:
            continue
        grad_slot, features_slot = step[2]
        p = readers.made_by.get(grad_slot)
        pool_grad = steps[p] if p is not None else None
        if (pool_grad is None or pool_grad[5] is None or pool_grad[5].type != "MaxPoolGrad"
                or pool_grad[1].b is not cpu or p in guards or readers.sole_reader(grad_slot, keep, guards) != r
                or pool_grad[2][0] != features_slot or any(s in volatile for s in pool_grad[2])):
            continue
        step[0] = _positive_windows_only(pool_grad[5].op_def.forward)
        step[1] = pool_grad[1]
        step[2] = pool_grad[2]
        dropped.add(p)
        fused.append(op.name)
    return fused, _drop(steps, guards, dropped)


def _positive_windows_only(max_pool_grad):
    def run(k, x, y, dy):
        return max_pool_grad(k, x, y, k.xp.multiply(dy, y > 0))
    return run
