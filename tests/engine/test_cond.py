"""tf.cond: only the taken branch runs; gradients flow through whichever branch ran."""
import numpy as np
import pytest
from gradcheck import check_gradients

import tlboard as tf


def test_only_the_taken_branch_runs_including_its_side_effects():
    p = tf.placeholder(tf.bool, [], name="p")
    x = tf.placeholder(tf.float32, [3], name="x")
    count = tf.Variable(0, name="count")

    def true_fn():
        with tf.control_dependencies([tf.assign_add(count, 1)]):
            return x * 2.0

    y = tf.cond(p, true_fn, lambda: x - 1.0)
    assert y.op.type == "CondMerge" and y.op.name == "cond/Merge"
    assert y.shape.as_list() == [3]
    xs = np.array([1.0, 2.0, 3.0], np.float32)
    with tf.Session() as sess:
        sess.run(count.initializer)
        np.testing.assert_array_equal(sess.run(y, {p: True, x: xs}), xs * 2)
        np.testing.assert_array_equal(sess.run(y, {p: False, x: xs}), xs - 1)
        np.testing.assert_array_equal(sess.run(y, {p: False, x: xs}), xs - 1)
        assert sess.run(count) == 1  # the assign ran only when p was True


def test_an_untaken_branch_that_would_fail_is_never_computed():
    p = tf.placeholder(tf.bool, [])
    n = tf.placeholder(tf.int32, [])
    y = tf.cond(p, lambda: tf.floordiv(10, n), lambda: n + 1)
    with tf.Session() as sess:
        assert sess.run(y, {p: False, n: 0}) == 1
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(y, {p: True, n: 0})


@pytest.mark.parametrize("branch", [True, False])
def test_gradients_match_finite_differences_through_either_branch(branch):
    rng = np.random.default_rng(3)

    def build(x, w):
        return tf.cond(tf.constant(branch), lambda: tf.sin(x) * w, lambda: tf.square(x) + w * w)

    check_gradients(build, [rng.normal(size=(2, 3)), rng.normal(size=(3,))])


def test_gradient_of_a_tensor_used_in_both_branches_is_zero_from_the_untaken_one():
    p = tf.placeholder(tf.bool, [])
    x = tf.placeholder(tf.float64, [3])
    W = tf.Variable(np.array([1.0, 2.0, 3.0]))
    z = tf.cond(p, lambda: W * x, lambda: W * W)
    (gw,) = tf.gradients(tf.reduce_sum(z), [W])
    xs = np.array([0.5, -1.0, 4.0])
    with tf.Session() as sess:
        sess.run(W.initializer)
        np.testing.assert_allclose(sess.run(gw, {p: True, x: xs}), xs)
        np.testing.assert_allclose(sess.run(gw, {p: False, x: xs}), 2 * np.array([1.0, 2.0, 3.0]))


def test_nested_conds_and_structured_outputs():
    p = tf.placeholder(tf.bool, [])
    q = tf.placeholder(tf.bool, [])
    x = tf.constant([1.0, 2.0])
    inner = lambda: tf.cond(q, lambda: x * 10.0, lambda: x * 100.0)  # noqa: E731
    a, b = tf.cond(p, lambda: (inner(), x + 1.0), lambda: (x, x - 1.0))
    with tf.Session() as sess:
        for pv, qv, want_a in [(True, True, [10, 20]), (True, False, [100, 200]), (False, True, [1, 2])]:
            got_a, got_b = sess.run([a, b], {p: pv, q: qv})
            np.testing.assert_array_equal(got_a, want_a)
            np.testing.assert_array_equal(got_b, [2, 3] if pv else [0, 1])


def test_static_shapes_merge_and_bad_branches_are_rejected():
    p = tf.placeholder(tf.bool, [])
    a = tf.placeholder(tf.float32, [None, 3])
    b = tf.placeholder(tf.float32, [2, 3])
    assert tf.cond(p, lambda: a, lambda: b).shape.as_list() == [None, 3]
    with pytest.raises(ValueError, match="same number"):
        tf.cond(p, lambda: (a, a), lambda: a)
    with pytest.raises(ValueError, match="same type"):
        tf.cond(p, lambda: a, lambda: tf.cast(a, tf.int32))
    with pytest.raises(ValueError, match="scalar bool"):
        tf.cond(tf.constant([True, False]), lambda: a, lambda: a)


def test_keras_dropout_draws_no_mask_at_evaluation():
    x = tf.placeholder(tf.float32, [None, 4])
    y = tf.keras.layers.Dropout(0.5)(x)
    masks = [op for op in tf.get_default_graph().get_operations() if op.type == "DropoutMask"]
    assert masks and all(op._guards for op in masks)  # inside the training branch of a tf.cond
    xs = np.ones((2, 4), np.float32)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {x: xs}), xs)  # learning phase defaults to test
        trained = sess.run(y, {x: xs, tf.keras.backend.learning_phase(): True})
    assert set(np.unique(trained)) <= {0.0, 2.0}


def test_fetching_a_tensor_of_the_untaken_branch_is_an_error():
    p = tf.placeholder(tf.bool, [])
    x = tf.placeholder(tf.float32, [])
    inside = []

    def true_fn():
        inside.append(x * 3.0)
        return inside[0]

    y = tf.cond(p, true_fn, lambda: x)
    with tf.Session() as sess:
        assert sess.run(inside[0], {p: True, x: 1.0}) == 3.0
        assert sess.run(y, {p: False, x: 1.0}) == 1.0
        with pytest.raises(tf.errors.InvalidArgumentError, match="does not have value"):
            sess.run(inside[0], {p: False, x: 1.0})
