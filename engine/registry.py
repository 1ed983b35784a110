"""The op table: each op declared once, with its TF type name, attrs, shape and dtype inference,
forward kernel and gradient rule side by side.

    @op_def
    class MatMul:
        attrs = {"transpose_a": False, "transpose_b": False}
        def shape(op): ...            # -> TensorShape, or a list of them for several outputs
        def forward(k, a, b): ...     # k: KernelContext (k.xp, k.attrs, ...); returns an array or a tuple
        def grad(op, g): ...          # builds the input gradients as graph tensors (None where there is none)

Optional members: `dtype(op)` (default: attr "T", else the first input's base dtype; a list for several
outputs), `default_name` (the op name TF gives when none is passed, e.g. "add" for Add), `stateful`
(never merged or skipped: variables, random ops), `graph_attrs(op)` (extra attrs for the GraphDef).
An op with no `grad` is not differentiable: tf.gradients stops there.

Two optional members let a session skip allocations (both are promises about the forward kernel):
`fresh = True`: forward returns newly allocated arrays, never a view of an input or of kept state.
`overwrites`: an input index, or `overwrites(op) -> index | None` from static shapes and dtypes, saying
forward accepts `out=` and may then write into that input's buffer: its result (which has that input's
shape and dtype) or scratch (an optimizer update consuming its gradient). The session passes `out=` (that
very input) only when the input was made by a `fresh` op earlier in the same run and nothing reads it
afterwards.
`reads_shape_only`: indices of inputs whose values forward never reads, only their shape and dtype
(Shape, Size, OnesLike, ...). Steps computed from such inputs and constants give the same value every
run while those shapes hold, so the session reuses the last value instead of running them.
`product_input` with `forward_product`: forward can take that input as the two operands of the MatMul that
made it, `forward_product(k, *inputs_with_the_operands_in_its_place, transpose_a, transpose_b)`, so an
update folds the weight gradient's product into the variable (one GEMM accumulating in place). The session
does so only when nothing else reads the product and the operands keep their values until the update.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class OpDef:
    type: str
    shape: Callable
    forward: Callable | None
    grad: Callable | None = None
    dtype: Callable | None = None
    attrs: dict = field(default_factory=dict)
    default_name: str | None = None
    stateful: bool = False
    graph_attrs: Callable | None = None
    fresh: bool = False
    overwrites: int | Callable | None = None
    reads_shape_only: tuple = ()
    product_input: int | None = None
    forward_product: Callable | None = None

    def overwritable_input(self, op) -> int | None:
        """The input whose buffer forward may reuse for its output, for this op's static shapes."""
        w = self.overwrites
        return w(op) if callable(w) else w


OPS: dict[str, OpDef] = {}


def op_def(cls) -> type:
    """Registers the op declared by a class body (see the module docstring)."""
    body = vars(cls)
    name = body.get("type", cls.__name__)
    if name in OPS:
        raise ValueError(f"Op {name!r} is declared twice")
    OPS[name] = OpDef(
        type=name,
        shape=body["shape"],
        forward=body.get("forward"),
        grad=body.get("grad"),
        dtype=body.get("dtype"),
        attrs=dict(body.get("attrs", {})),
        default_name=body.get("default_name"),
        stateful=body.get("stateful", False),
        graph_attrs=body.get("graph_attrs"),
        fresh=body.get("fresh", False),
        overwrites=body.get("overwrites"),
        reads_shape_only=tuple(body.get("reads_shape_only", ())),
        product_input=body.get("product_input"),
        forward_product=body.get("forward_product"),
    )
    return cls


def get_op_def(op_type: str) -> OpDef:
    """The declaration of an op type; KeyError names the unknown type."""
    try:
        return OPS[op_type]
    except KeyError:
        raise KeyError(f"No op named {op_type!r} is registered") from None
