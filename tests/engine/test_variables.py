"""tf.Variable and tf.get_variable: state, assignment, initializers, gradients through variables."""
import numpy as np
import pytest

import tlboard as tf


def test_variable_basics_and_dtypes():
    v = tf.Variable([[1.0, 2.0]], name="v")
    assert v.dtype == tf.float32._as_ref and v.shape.as_list() == [1, 2] and v.op.type == "VariableV2"
    assert v.initial_value.op.name == "v/initial_value" and v.initializer.name == "v/Assign"
    assert v.value().op.name == "v/read"
    i = tf.Variable(3)
    assert i.dtype.base_dtype == tf.int32
    d = tf.Variable(1, dtype=tf.float64)
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        assert s.run(v).tolist() == [[1.0, 2.0]] and s.run(i) == 3 and s.run(d).dtype == np.float64


def test_assign_ops_and_load():
    v = tf.Variable([1.0, 2.0])
    a = v.assign([5.0, 6.0])
    add = v.assign_add([1.0, 1.0])
    sub = tf.assign_sub(v, [2.0, 2.0])
    with tf.Session() as s:
        s.run(v.initializer)
        assert s.run(a).tolist() == [5.0, 6.0]
        assert s.run(add).tolist() == [6.0, 7.0]
        assert s.run(sub).tolist() == [4.0, 5.0]
        v.load([9.0, 9.0], s)
        assert s.run(v).tolist() == [9.0, 9.0]
        with pytest.raises(tf.errors.InvalidArgumentError, match="Assign requires shapes of both tensors to match"):
            s.run(tf.assign(v, tf.placeholder_with_default([1.0, 2.0, 3.0], [None])))


def test_variable_from_initializer_callable_and_other_variable():
    v = tf.Variable(lambda: tf.ones([2]) * 3.0)
    w = tf.Variable(v * 2.0)
    with tf.Session() as s:
        s.run(v.initializer)
        s.run(w.initializer)
        assert s.run(w).tolist() == [6.0, 6.0]


def test_variables_are_per_session():
    v = tf.Variable(1.0)
    inc = tf.assign_add(v, 1.0)
    s1, s2 = tf.Session(), tf.Session()
    s1.run(v.initializer)
    s2.run(v.initializer)
    s1.run(inc)
    assert s1.run(v) == 2.0 and s2.run(v) == 1.0
    s1.close()
    s2.close()


def test_initialization_reporting():
    a = tf.Variable(1.0, name="a")
    tf.Variable(2.0, name="b")
    with tf.Session() as s:
        s.run(a.initializer)
        assert s.run(tf.is_variable_initialized(a)) and s.run(tf.report_uninitialized_variables()).tolist() == [b"b"]


def test_gradients_through_variables_and_training_step():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    y = np.array([[1.0], [2.0]])
    w = tf.Variable(np.zeros((2, 1)))
    loss = tf.reduce_mean(tf.square(tf.matmul(tf.constant(x), w) - y))
    g = tf.gradients(loss, [w])[0]
    step = tf.assign_sub(w, 0.05 * g)
    with tf.Session() as s:
        s.run(w.initializer)
        grad0 = s.run(g)
        np.testing.assert_allclose(grad0, 2 * x.T @ (x @ np.zeros((2, 1)) - y) / 2)
        first = s.run(loss)
        for _ in range(200):
            s.run(step)
        assert s.run(loss) < first * 0.05


def test_get_variable_initializers_regularizers_and_trainable():
    with tf.variable_scope("m", initializer=tf.constant_initializer(0.5)):
        a = tf.get_variable("a", [2])
        b = tf.get_variable("b", [2], initializer=tf.zeros_initializer())
        c = tf.get_variable("c", initializer=tf.constant([1.0, 2.0]))
        r = tf.get_variable("r", [2], regularizer=lambda v: tf.reduce_sum(v) * 0.1, trainable=False)
    assert c.shape.as_list() == [2] and r not in tf.trainable_variables()
    reg = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert len(reg) == 1
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        assert s.run(a).tolist() == [0.5, 0.5] and s.run(b).tolist() == [0, 0] and s.run(c).tolist() == [1, 2]
        assert np.isclose(s.run(reg[0]), 0.1)
