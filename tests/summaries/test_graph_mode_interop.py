"""A TF1 training loop logging with summary ops, read back by stock TensorBoard's EventAccumulator."""
import io

import numpy as np
import pytest
from PIL import Image

import tlboard as tf

event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")


def _train_and_log(logdir, steps=6):
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    y_ = tf.placeholder(tf.float32, [None, 1], name="y_")
    with tf.name_scope("layer1"):
        W = tf.Variable(np.full((4, 1), 0.1, np.float32), name="W")
        b = tf.Variable(np.zeros(1, np.float32), name="b")
        y = tf.matmul(x, W) + b
        tf.summary.histogram("weights", W)
    diff = y - y_
    loss = tf.reduce_sum(diff * diff) * (1.0 / 8)
    tf.summary.scalar("loss", loss)
    tf.summary.image("inputs", tf.reshape(x, [-1, 2, 2, 1]), max_outputs=2)
    tf.summary.text("note", tf.constant("hello **tlboard**"))
    merged = tf.summary.merge_all()
    gW, gb = tf.gradients(loss, [W, b])
    train = tf.group(tf.assign_sub(W, gW * 0.1), tf.assign_sub(b, gb * 0.1))
    rng = np.random.default_rng(0)
    xs = rng.random((8, 4)).astype(np.float32)
    ys = xs.sum(axis=1, keepdims=True)
    losses, weights = [], []
    with tf.Session() as sess:
        writer = tf.summary.FileWriter(str(logdir), sess.graph)
        sess.run(tf.global_variables_initializer())
        for step in range(steps):
            summary, loss_value, w_value = sess.run([merged, loss, W], {x: xs, y_: ys})
            writer.add_summary(summary, step)
            losses.append(float(loss_value))
            weights.append(w_value)
            sess.run(train, {x: xs, y_: ys})
        writer.close()
    return losses, weights, xs


def test_stock_tensorboard_reads_a_graph_mode_training_run(tmp_path):
    losses, weights, xs = _train_and_log(tmp_path)
    acc = event_accumulator.EventAccumulator(str(tmp_path), size_guidance={
        event_accumulator.SCALARS: 0, event_accumulator.HISTOGRAMS: 0, event_accumulator.IMAGES: 0,
        event_accumulator.TENSORS: 0})
    acc.Reload()
    tags = acc.Tags()
    assert tags["scalars"] == ["loss"]
    events = acc.Scalars("loss")
    assert [e.step for e in events] == list(range(6))
    assert [e.value for e in events] == [float(np.float32(v)) for v in losses]
    assert losses[-1] < losses[0]

    assert tags["histograms"] == ["layer1/weights"]
    histos = acc.Histograms("layer1/weights")
    assert [h.step for h in histos] == list(range(6))
    for h, w in zip(histos, weights):
        assert h.histogram_value.min == pytest.approx(float(w.min()))
        assert h.histogram_value.max == pytest.approx(float(w.max()))
        assert h.histogram_value.num == 4
        assert h.histogram_value.sum == pytest.approx(float(w.astype(np.float64).sum()), rel=1e-6)

    assert sorted(tags["images"]) == ["inputs/image/0", "inputs/image/1"]
    img = acc.Images("inputs/image/0")[0]
    assert (img.width, img.height) == (2, 2)
    decoded = np.asarray(Image.open(io.BytesIO(img.encoded_image_string)))
    # TF1 ImageSummary rule for non-negative floats, one image at a time: the largest value becomes 255.
    batch = xs[:2].reshape(2, 2, 2)
    expected = batch[0] * (255.0 / batch[0].max())
    assert np.abs(decoded.astype(float) - expected).max() <= 1.0

    assert "note" in tags["tensors"]
    text = acc.Tensors("note")[0]
    assert text.tensor_proto.string_val == [b"hello **tlboard**"]

    graph = acc.Graph()
    nodes = {n.name: n for n in graph.node}
    assert nodes["x"].op == "Placeholder"
    assert nodes["layer1/W"].op == "VariableV2"
    assert nodes["layer1/W/read"].op == "Identity"
    assert nodes["layer1/W/Assign"].op == "Assign"
    assert nodes["layer1/MatMul"].op == "MatMul"
    assert nodes["layer1/MatMul"].input == ["x", "layer1/W/read"]
    assert nodes["layer1/add"].op == "AddV2"
    assert nodes["Merge/MergeSummary"].op == "MergeSummary"
    assert nodes["loss"].op == "ScalarSummary"
    shape = nodes["x"].attr["_output_shapes"].list.shape[0]
    assert [d.size for d in shape.dim] == [-1, 4]
    assert nodes["x"].attr["dtype"].type == 1  # DT_FLOAT
    # the group's control inputs are spelled ^name
    group = [n for n in graph.node if n.op == "NoOp"][0]
    assert all(i.startswith("^") for i in group.input)


def test_merge_all_is_none_without_summaries():
    tf.constant(1.0)
    assert tf.summary.merge_all() is None


def test_summary_names_follow_scopes_and_collections():
    v = tf.constant(2.0)
    with tf.name_scope("train"):
        s1 = tf.summary.scalar("loss", v)
    s2 = tf.summary.scalar("loss", v)
    s3 = tf.summary.scalar("loss", v)
    other = tf.summary.scalar("other", v, collections=["mine"])
    assert (s1.op.name, s2.op.name, s3.op.name) == ("train/loss", "loss", "loss_1")
    assert tf.get_collection(tf.GraphKeys.SUMMARIES) == [s1, s2, s3]
    assert tf.get_collection("mine") == [other]
    with tf.Session() as sess:
        data = sess.run(tf.summary.merge([s1, s3]))
    summary = tf.summary.Summary.FromString(data)
    assert [(v.tag, v.simple_value) for v in summary.value] == [("train/loss", 2.0), ("loss_1", 2.0)]


def test_write_graph_text_and_binary(tmp_path):
    from google.protobuf import text_format

    from tlboard.summaries.graph_def import write_graph
    from tlboard.summaries.protos import graph_pb2
    a = tf.placeholder(tf.float32, [2], name="a")
    tf.identity(a, name="out")
    text_path = write_graph(tf.get_default_graph(), str(tmp_path), "g.pbtxt")
    bin_path = write_graph(tf.get_default_graph().as_graph_def(), str(tmp_path), "g.pb", as_text=False)
    parsed = text_format.Parse(open(text_path).read(), graph_pb2.GraphDef())
    assert [n.name for n in parsed.node] == ["a", "out"]
    assert graph_pb2.GraphDef.FromString(open(bin_path, "rb").read()) == parsed


@pytest.mark.slow
def test_stock_tensorboard_server_serves_our_graph_mode_scalars_and_graph(tmp_path):
    from stock_tensorboard import stock_tensorboard

    losses, _, _ = _train_and_log(tmp_path)
    with stock_tensorboard(tmp_path) as server:
        points = server.poll_json("/data/plugin/scalars/scalars", lambda p: len(p) == len(losses), timeout=90,
                                  run=".", tag="loss")
        text = server.get("/data/plugin/graphs/graph", run=".", conceptual="false").decode()
    assert [p[1] for p in points] == list(range(len(losses)))
    assert [p[2] for p in points] == [float(np.float32(v)) for v in losses]
    assert 'name: "layer1/MatMul"' in text and 'op: "MatMul"' in text
    assert 'op: "VariableV2"' in text and "_output_shapes" in text
