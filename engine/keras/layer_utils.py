"""`model.summary()`: Keras 2's table of layers, output shapes and parameter counts."""
from __future__ import annotations

from .base_layer import to_list


def _row(fields, positions: list[int]) -> str:
    """Each field starts at the previous column's end, truncated to leave one space before the next."""
    line = ""
    for i, field in enumerate(fields):
        if i > 0:
            line = line[:-1] + " "
        line = (line + str(field))[:positions[i]]
        line = line.ljust(positions[i])
    return line


def _shape_str(tensors) -> str:
    shapes = []
    for t in tensors:
        dims = t.shape.dims
        shapes.append("multiple" if dims is None else str(tuple(dims)))
    return shapes[0] if len(shapes) == 1 else "[" + ", ".join(shapes) + "]"


def _is_sequential_like(model) -> bool:
    consumed: dict[int, int] = {}
    for node in model._nodes:
        if len(node.input_tensors) > 1 or len(node.output_tensors) > 1:
            return False
        for t in node.input_tensors:
            consumed[id(t)] = consumed.get(id(t), 0) + 1
    return all(c <= 1 for c in consumed.values()) and len(model.inputs) == 1 and len(model.outputs) == 1


def print_summary(model, line_length: int | None = None, positions=None, print_fn=None) -> None:
    """Prints the summary table of `model` (via `print_fn`, default print)."""
    print_fn = print_fn or print
    sequential_like = _is_sequential_like(model)
    if sequential_like:
        # Keras 2's layout for a chain of layers: 65 columns, fields starting at 0, 29 and 55
        line_length = line_length or 65
        positions = positions or [0.45, 0.85, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #"]
    else:
        line_length = line_length or 98
        positions = positions or [0.33, 0.55, 0.67, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]

    node_of = {}
    for node in model._nodes:
        node_of.setdefault(node.layer, node)

    print_fn("_" * line_length)
    print_fn(_row(header, positions))
    print_fn("=" * line_length)
    layers = model.layers
    for i, layer in enumerate(layers):
        node = node_of.get(layer)
        outputs = node.output_tensors if node is not None else to_list(layer.output)
        name = f"{layer.name} ({type(layer).__name__})"
        params = layer.count_params() if layer.built else 0
        fields = [name, _shape_str(outputs), params]
        if sequential_like:
            print_fn(_row(fields, positions))
        else:
            sources = []
            for t in (node.input_tensors if node is not None else []):
                hist = getattr(t, "_keras_history", None)
                if hist is not None:
                    sources.append(f"{hist[0].name}[{hist[1]}][{hist[2]}]")
            print_fn(_row(fields + [sources[0] if sources else ""], positions))
            for extra in sources[1:]:
                print_fn(_row(["", "", "", extra], positions))
        print_fn(("=" if i == len(layers) - 1 else "_") * line_length)

    trainable = sum(_count(w) for w in _unique(model.trainable_weights))
    non_trainable = sum(_count(w) for w in _unique(model.non_trainable_weights))
    print_fn(f"Total params: {trainable + non_trainable:,}")
    print_fn(f"Trainable params: {trainable:,}")
    print_fn(f"Non-trainable params: {non_trainable:,}")
    print_fn("_" * line_length)


def _unique(weights) -> list:
    seen, out = set(), []
    for w in weights:
        if id(w) not in seen:
            seen.add(id(w))
            out.append(w)
    return out


def _count(w) -> int:
    n = 1
    for d in w.shape.as_list():
        n *= int(d)
    return n
