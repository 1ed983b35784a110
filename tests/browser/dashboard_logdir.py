"""The logdir the browser tests open: what is written, and the values the page must show."""

from __future__ import annotations

from pathlib import Path

import numpy as np

RUN = "train"
SCALAR_TAG = "loss"
SCALAR_POINTS = 37
EXTRA_POINTS = 5  # Appended while the page is open, to check auto-refresh.
IMAGE_TAG = "digits"
IMAGE_SIZE = (13, 7)  # width, height
IMAGE_STEPS = 2
HISTOGRAM_STEPS = 6


def loss_value(step: int) -> float:
    """The logged scalar: exactly representable in float32 so the page must show it unchanged."""
    return 10.0 / (1 + step) + (step % 3) * 0.25


def image_pixels(step: int) -> np.ndarray:
    """An HWC uint8 image of IMAGE_SIZE with a pattern that depends on the step."""
    width, height = IMAGE_SIZE
    y, x = np.mgrid[0:height, 0:width]
    rgb = np.stack([x * 19 % 256, y * 37 % 256, np.full_like(x, 90 * step % 256)], axis=-1)
    return rgb.astype(np.uint8)


def graph_def_proto():
    """A small GraphDef with two name scopes, a scope-named op, shapes on outputs and a control edge."""
    from tlboard.summaries.protos import attr_value_pb2, graph_pb2, tensor_shape_pb2

    def shapes(*dims_list):
        value = attr_value_pb2.AttrValue()
        for dims in dims_list:
            shape = tensor_shape_pb2.TensorShapeProto(dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=d) for d in dims])
            value.list.shape.append(shape)
        return value

    graph = graph_pb2.GraphDef()

    def node(name, op, inputs, *dims_list):
        n = graph.node.add(name=name, op=op)
        n.input.extend(inputs)
        if dims_list:
            n.attr["_output_shapes"].CopyFrom(shapes(*dims_list))

    node("x", "Placeholder", [], [-1, 784])
    node("dense/kernel", "VariableV2", [], [784, 10])
    node("dense/kernel/read", "Identity", ["dense/kernel"], [784, 10])
    node("dense/bias", "VariableV2", [], [10])
    node("dense/MatMul", "MatMul", ["x", "dense/kernel/read"], [-1, 10])
    node("dense/BiasAdd", "BiasAdd", ["dense/MatMul", "dense/bias"], [-1, 10])
    node("loss/Mean", "Mean", ["dense/BiasAdd", "^x"], [])
    return graph


def write_logdir(logdir: Path) -> None:
    """Write the run the tests look at with the project's SummaryWriter."""
    from tlboard.summaries.summary_writer import SummaryWriter

    with SummaryWriter(str(logdir / RUN)) as writer:
        for step in range(SCALAR_POINTS):
            writer.add_scalar(SCALAR_TAG, loss_value(step), global_step=step)
            writer.add_scalar("accuracy", 1 - 1 / (2 + step), global_step=step)
        for step in range(IMAGE_STEPS):
            writer.add_image(IMAGE_TAG, image_pixels(step), global_step=step, dataformats="HWC")
        rng = np.random.default_rng(0)
        for step in range(HISTOGRAM_STEPS):
            writer.add_histogram("weights", rng.normal(step * 0.3, 1 + step * 0.1, size=500), global_step=step)
        writer.add_text("notes", "first **note**", global_step=0)
        writer.add_text("notes", "second note", global_step=1)
        writer.add_graph(graph_def_proto())
    with SummaryWriter(str(logdir / "eval")) as writer:
        for step in range(0, SCALAR_POINTS, 4):
            writer.add_scalar(SCALAR_TAG, loss_value(step) * 1.5, global_step=step)


def append_points(logdir: Path) -> None:
    """Log EXTRA_POINTS more steps of the scalar into a new event file of the same run."""
    from tlboard.summaries.summary_writer import SummaryWriter

    with SummaryWriter(str(logdir / RUN), filename_suffix=".more") as writer:
        for step in range(SCALAR_POINTS, SCALAR_POINTS + EXTRA_POINTS):
            writer.add_scalar(SCALAR_TAG, loss_value(step), global_step=step)
