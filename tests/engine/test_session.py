"""Session.run: fetch structures, feeds, errors, default sessions, plan reuse and memory."""
import collections
import gc
import tracemalloc

import numpy as np
import pytest

import tlboard as tf


def test_fetch_structures():
    a, b = tf.constant(1.0), tf.constant([2, 3])
    noop = tf.no_op()
    Pair = collections.namedtuple("Pair", "x y")
    with tf.Session() as s:
        assert s.run(a) == 1.0 and isinstance(s.run(a), np.float32)
        assert s.run(b).tolist() == [2, 3]
        assert s.run(noop) is None
        lst = s.run([a, b, noop])
        assert isinstance(lst, list) and lst[0] == 1.0 and lst[2] is None
        tup = s.run((a, [b, (a,)]))
        assert isinstance(tup, tuple) and isinstance(tup[1], list) and tup[1][1] == (1.0,)
        d = s.run({"a": a, "nested": {"b": b}})
        assert d["a"] == 1.0 and d["nested"]["b"].tolist() == [2, 3]
        p = s.run(Pair(a, b))
        assert isinstance(p, Pair) and p.x == 1.0
        od = s.run(collections.OrderedDict([("z", a), ("y", b)]))
        assert isinstance(od, collections.OrderedDict) and list(od) == ["z", "y"]
        assert s.run("Const:0") == 1.0 and s.run(a.op) is None


def test_tensor_fetched_twice_runs_once():
    v = tf.Variable(0)
    inc = tf.assign_add(v, 1)
    with tf.Session() as s:
        s.run(v.initializer)
        out = s.run([inc, inc, {"again": inc}])
        assert out[0] == out[1] == out[2]["again"] == 1
        assert s.run(v) == 1


def test_feeds_by_tensor_and_name_and_overriding_non_placeholders():
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    c = tf.constant(3.0)
    y = x * c
    with tf.Session() as s:
        assert s.run(y, {x: [[1, 2]]}).tolist() == [[3, 6]]
        assert s.run(y, {"x:0": [[1, 1]]}).tolist() == [[3, 3]]
        assert s.run(y, {x: [[1, 1]], c: 10.0}).tolist() == [[10, 10]]
        out = s.run(y, {x: np.array([[1, 2]], np.int64)})  # converted to the placeholder's dtype
        assert out.dtype == np.float32


def test_feed_errors():
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    y = x + 1
    with tf.Session() as s:
        with pytest.raises(ValueError, match=r"Cannot feed value of shape \(3,\) for Tensor 'x:0', which has shape "
                                             r"'\(\?, 2\)'"):
            s.run(y, {x: [1, 2, 3]})
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"You must feed a value for placeholder tensor .x. with dtype float and "
                                 r"shape \[\?,2\]"):
            s.run(y)
        with pytest.raises(ValueError, match="Cannot feed value"):
            s.run(y, {x: [["a", "b"]]})
        with pytest.raises(TypeError, match="The value of a feed cannot be a tf.Tensor object"):
            s.run(y, {x: tf.constant([[1.0, 2.0]])})


def test_fetch_errors():
    with tf.Session() as s:
        with pytest.raises(TypeError, match="Fetch argument None has invalid type"):
            s.run(None)
        with pytest.raises(TypeError, match="Fetch argument 1 cannot be interpreted as a Tensor"):
            s.run(1)
        with tf.Graph().as_default():
            other = tf.constant(1.0)
        with pytest.raises(ValueError, match="is not an element of this graph"):
            s.run(other)
    with pytest.raises(RuntimeError, match="Attempted to use a closed Session"):
        s.run(tf.constant(1.0))


def test_uninitialized_variable_error():
    v = tf.Variable([1.0], name="weights")
    with tf.Session() as s:
        with pytest.raises(tf.errors.FailedPreconditionError, match="Attempting to use uninitialized value weights"):
            s.run(v + 1.0)


def test_default_sessions_eval_and_interactive():
    t = tf.constant(2.0) * 3.0
    with pytest.raises(ValueError, match="No default session is registered"):
        t.eval()
    with tf.Session() as s:
        assert t.eval() == 6.0
        assert tf.get_default_session() is s
    sess = tf.InteractiveSession()
    try:
        assert t.eval() == 6.0
        x = tf.placeholder(tf.float32)
        assert (x * 2).eval(feed_dict={x: 4.0}) == 8.0
        v = tf.Variable(5.0)
        v.initializer.run()
        assert v.eval() == 5.0
    finally:
        sess.close()
    assert tf.get_default_session() is None


def test_session_graph_argument_and_as_default():
    g = tf.Graph()
    with g.as_default():
        t = tf.constant(7)
    s = tf.Session(graph=g)
    assert s.graph is g and s.run(t) == 7
    with s.as_default():
        assert t.eval() == 7
    s.close()


def test_values_do_not_alias_variable_state():
    v = tf.Variable([1.0, 2.0])
    inc = tf.assign_add(v, [1.0, 1.0])
    with tf.Session() as s:
        s.run(v.initializer)
        before = s.run(v)
        s.run(inc)
        assert before.tolist() == [1.0, 2.0] and s.run(v).tolist() == [2.0, 3.0]


def test_control_dependencies_run_first():
    v = tf.Variable(0.0)
    with tf.control_dependencies([tf.assign(v, 5.0)]):
        r = tf.identity(tf.constant(1.0))
    with tf.Session() as s:
        s.run(v.initializer)
        s.run(r)
        assert s.run(v) == 5.0


def test_many_runs_keep_memory_flat():
    x = tf.placeholder(tf.float32, [None, 8])
    w = tf.Variable(np.ones((8, 4), np.float32) * 0.01)
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w)))
    grad = tf.gradients(loss, w)[0]
    step = tf.assign_sub(w, 0.1 * grad)
    batch = np.ones((16, 8), np.float32)
    with tf.Session() as s:
        s.run(w.initializer)
        for _ in range(200):
            s.run([step, loss], {x: batch})
        gc.collect()
        tracemalloc.start()
        start = tracemalloc.get_traced_memory()[0]
        for _ in range(10000):
            s.run([step, loss], {x: batch})
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - start
        tracemalloc.stop()
    assert grown < 200_000, f"memory grew by {grown} bytes over 10,000 runs"


def test_many_optimizer_steps_keep_memory_flat():
    # The SGD update folds the weight gradient's GEMM into the variable (oneMKL where installed).
    x = tf.placeholder(tf.float32, [None, 256])
    w = tf.Variable(np.full((256, 128), 0.01, np.float32))
    loss = tf.reduce_mean(tf.square(tf.nn.relu(tf.matmul(x, w))))
    step = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
    batch = np.ones((64, 256), np.float32)
    with tf.Session() as s:
        s.run(w.initializer)
        for _ in range(200):
            s.run([step, loss], {x: batch})
        assert list(s._plans.values())[-1].folded  # the folded path is the one measured
        gc.collect()
        tracemalloc.start()
        start = tracemalloc.get_traced_memory()[0]
        for _ in range(2000):  # under tracemalloc these runs are slow; 100 bytes a run would show
            s.run([step, loss], {x: batch})
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - start
        tracemalloc.stop()
    assert grown < 200_000, f"memory grew by {grown} bytes over 2,000 runs"


def test_control_dependency_on_a_fed_placeholder_is_met_by_the_feed():
    # tf.metrics.mean and friends put control dependencies on their inputs; a fed placeholder satisfies one.
    x = tf.placeholder(tf.float32, [2])
    with tf.control_dependencies([x.op]):
        y = tf.constant(3.0) * 2.0
    with tf.Session() as s:
        assert s.run(y, {x: [1.0, 2.0]}) == 6.0
        with pytest.raises(tf.errors.InvalidArgumentError, match="must feed a value for placeholder tensor"):
            s.run(y)
