"""Logging ops: `tf.Print` (an identity that prints tensors when run) and `tf.print` (an op that prints).

Both write when the op runs, to the sys.stderr (or sys.stdout) of that moment. Tensors are formatted as TF
formats them: `tf.Print` flat in row-major order with at most `summarize` elements ("[1 2 3...]"), `tf.print`
numpy-like with `summarize` elements at each end of every dimension ("[0 1 2 ... 7 8 9]"). TF's C++ log
prefix ("I tensorflow/core/kernels/logging_ops.cc:...] ") is not written.
"""
from __future__ import annotations

import builtins
import sys
import weakref
from collections.abc import Mapping

import numpy as np

from .. import dtypes as _dt
from ..graph import Operation, Tensor, convert_to_tensor, get_default_graph
from ..registry import op_def
from ..shapes import TensorShape
from .core import make

__all__ = ["Print", "print"]

# session -> {Print op: times it has printed} (for first_n), dropped with the session.
_print_counts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_PLACEHOLDER = "{}"


# --- element and tensor formatting (TF's Tensor::SummarizeValue)

def _format_element(x, quote_strings: bool = False) -> str:
    """One value as TF's StrCat writes it: shortest %g that round-trips, bools as 1/0, strings escaped."""
    if isinstance(x, bytes | str):
        s = x.decode("utf-8", "backslashreplace") if isinstance(x, bytes) else x
        s = s.encode("unicode_escape").decode("ascii").replace('"', '\\"')
        return f'"{s}"' if quote_strings else s
    if isinstance(x, np.bool_ | bool):
        return "1" if x else "0"
    if isinstance(x, np.floating):
        if np.isnan(x):
            return "-nan" if np.signbit(x) else "nan"
        if np.isinf(x):
            return "-inf" if x < 0 else "inf"
        if x.dtype == np.float64:
            s = f"{float(x):.15g}"
            return s if float(s) == x else f"{float(x):.17g}"
        v = np.float32(x)
        s = f"{float(v):.6g}"
        return s if np.float32(s) == v else f"{float(v):.9g}"
    return str(x)


def summarize_legacy(value: np.ndarray, summarize: int) -> str:
    """`tf.Print`'s format: the first `summarize` elements (all when negative) in nested brackets, "..."
    where elements were left out (without the outer brackets the op adds)."""
    value = np.asarray(value)
    flat = value.reshape(-1)
    limit = flat.size if summarize < 0 else min(summarize, flat.size)
    if value.ndim == 0:
        return _format_element(flat[0]) if limit else ""
    out: list[str] = []
    index = 0

    def one_dim(dim: int) -> None:
        nonlocal index
        if index >= limit:
            return
        count = value.shape[dim]
        if dim == value.ndim - 1:
            for i in range(count):
                if index >= limit:
                    if dim != 0:
                        out.append("...")
                    return
                if i > 0:
                    out.append(" ")
                out.append(_format_element(flat[index]))
                index += 1
            return
        for _ in range(count):
            opened = index < limit
            if opened:
                out.append("[")
            one_dim(dim + 1)
            if opened or index < limit:
                out.append("]")

    one_dim(0)
    if flat.size > limit:
        out.append("...")
    return "".join(out)


def summarize_v2(value: np.ndarray, summarize: int) -> str:
    """`tf.print`'s format: numpy-like nesting, at most `summarize` entries at each end of every dimension
    (all when negative), rows on new lines and strings quoted."""
    value = np.asarray(value)
    if value.ndim == 0:
        return _format_element(value[()], quote_strings=True)
    ends = max(value.shape) if summarize < 0 else summarize
    nd = value.ndim

    def spacing(dim: int) -> str:
        return " " if dim == nd - 1 else "\n" * (nd - dim - 1) + " " * (dim + 1)

    def one_dim(dim: int, index: tuple) -> str:
        if dim == nd:
            return _format_element(value[index], quote_strings=True)
        count = value.shape[dim]
        head = range(min(ends, count))
        tail = range(max(ends, count - ends), count)
        parts = [one_dim(dim + 1, (*index, i)) for i in head]
        if count > 2 * ends:
            parts.append("...")
        parts += [one_dim(dim + 1, (*index, i)) for i in tail]
        return "[" + spacing(dim).join(parts) + "]"

    return one_dim(0, ())


def _host(k, x) -> np.ndarray:
    return np.asarray(k.b.to_numpy(x))


def _write(stream: str, text: str) -> None:
    if stream.startswith("file://"):
        with open(stream[len("file://"):], "a", encoding="utf-8") as f:
            f.write(text)
        return
    out = getattr(sys, stream)
    out.write(text)
    out.flush()


# --- ops

@op_def
class _PrintOp:
    """Passes its first input through; prints `message` and the other inputs (at most `first_n` times)."""

    type = "Print"
    attrs = {"message": "", "first_n": -1, "summarize": 3, "U": []}
    stateful = True

    def shape(op):
        return op.inputs[0].shape

    def dtype(op):
        return op.inputs[0].dtype.base_dtype

    def forward(k, x, *data):
        first_n = k.attrs["first_n"]
        if first_n >= 0:
            counts = _print_counts.setdefault(k.session, {})
            if counts.get(k.op, 0) >= first_n:
                return x
            counts[k.op] = counts.get(k.op, 0) + 1
        summarize = k.attrs["summarize"]
        parts = [f"[{summarize_legacy(_host(k, d), summarize)}]" for d in data]
        _write("stderr", k.attrs["message"] + "".join(parts) + "\n")
        return x

    def grad(op, g):
        return [g] + [None] * (len(op.inputs) - 1)


@op_def
class StringFormat:
    """A scalar string: `template` with each `placeholder` replaced by the next input's summary."""

    attrs = {"template": "%s", "placeholder": "%s", "summarize": 3, "T": []}

    def shape(op):
        return TensorShape([])

    def dtype(op):
        return _dt.string

    def forward(k, *inputs):
        pieces = k.attrs["template"].split(k.attrs["placeholder"])
        out = [pieces[0]]
        for value, piece in zip(inputs, pieces[1:]):
            value = _host(k, value)
            if value.ndim == 0 and isinstance(value[()], bytes):  # a scalar string prints as it is
                out.append(value[()].decode("utf-8", "backslashreplace"))
            else:
                out.append(summarize_v2(value, k.attrs["summarize"]))
            out.append(piece)
        return np.array("".join(out).encode(), dtype=object)


@op_def
class PrintV2:
    """Writes its scalar string input, followed by `end`, to `output_stream`."""

    attrs = {"output_stream": "stderr", "end": "\n"}
    stateful = True

    def shape(op):
        return []

    def forward(k, text):
        s = np.asarray(text)[()]
        _write(k.attrs["output_stream"], (s.decode("utf-8", "replace") if isinstance(s, bytes) else str(s))
               + k.attrs["end"])
        return ()


# --- constructors

def Print(input_, data, message=None, first_n=None, summarize=None, name=None) -> Tensor:
    """`tf.Print`: an identity of `input_` that prints `message` and the tensors in `data` when evaluated."""
    input_ = convert_to_tensor(input_)
    data = [convert_to_tensor(d) for d in (data or [])]
    return make("Print", [input_, *data], name=name or "Print", message=str(message or ""),
                first_n=-1 if first_n is None else int(first_n), summarize=3 if summarize is None else int(summarize),
                U=[d.dtype.base_dtype for d in data])


def _stream_name(output_stream) -> str:
    if output_stream is None or output_stream in (sys.stderr, sys.__stderr__) or output_stream == "stderr":
        return "stderr"
    if output_stream in (sys.stdout, sys.__stdout__) or output_stream == "stdout":
        return "stdout"
    if isinstance(output_stream, str) and output_stream.startswith("file://"):
        return output_stream
    raise ValueError(f"Unsupported output stream {output_stream!r}: use sys.stderr, sys.stdout or 'file://PATH'")


def print(*inputs, output_stream=None, summarize: int | None = 3, sep: str = " ", end: str = "\n",
          name: str | None = None) -> Operation:
    """`tf.print`: an op that prints `inputs` (tensors, Python values, nested lists and dicts of them) when run.

    Run it (or make it a control dependency of what you run); `output_stream` is sys.stderr (the default),
    sys.stdout or "file://PATH"; `summarize` entries are printed at each end of every dimension (None: all).
    """
    stream = _stream_name(output_stream)
    summarize = -1 if summarize is None else int(summarize)
    tensors: list[Tensor] = []
    slot = object()  # where a tensor's summary goes in the template

    def parts_of(x) -> list:
        if isinstance(x, Tensor) or hasattr(x, "_as_tensor"):
            tensors.append(convert_to_tensor(x))
            return [slot]
        if isinstance(x, Mapping):
            items = [[f"{k!r}: ", *parts_of(v)] for k, v in x.items()]
            return ["{", *_joined(items, ", "), "}"]
        if isinstance(x, list | builtins.tuple):
            items = [parts_of(v) for v in x]
            opening, closing = ("[", "]") if isinstance(x, list) else ("(", ",)" if len(x) == 1 else ")")
            return [opening, *_joined(items, ", "), closing]
        return [str(x)]

    parts = _joined([parts_of(x) for x in inputs], sep)
    placeholder = _PLACEHOLDER
    while any(placeholder in p for p in parts if p is not slot):  # a placeholder no Python text contains
        placeholder = "{" + placeholder + "}"
    template = "".join(placeholder if p is slot else p for p in parts)
    graph = tensors[0].graph if tensors else get_default_graph()
    with graph.name_scope(name or "PrintV2"):
        formatted = make("StringFormat", tensors, name="StringFormat", graph=graph, template=template,
                         placeholder=placeholder, summarize=summarize, T=[t.dtype.base_dtype for t in tensors])
        return make("PrintV2", [formatted], name="PrintV2", output_stream=stream, end=end)


def _joined(items: list[list], sep: str) -> list:
    out: list = []
    for i, item in enumerate(items):
        if i:
            out.append(sep)
        out.extend(item)
    return out
