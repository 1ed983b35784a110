"""tf.train.ExponentialMovingAverage: shadow names and initial values, the update formula, num_updates,
zero-debiased tensor averages, and restoring averages into the primary variables with a Saver."""
import numpy as np
import pytest

import tlboard as tf


def test_shadow_names_initial_values_and_updates():
    W = tf.Variable(np.array([1.0, 2.0], np.float32), name="W")
    ema = tf.train.ExponentialMovingAverage(0.75)
    update = ema.apply([W])
    shadow = ema.average(W)
    assert update.name == "ExponentialMovingAverage"
    assert shadow.op.name == "W/ExponentialMovingAverage" == ema.average_name(W)
    assert not shadow.trainable and shadow in tf.global_variables()
    values = [np.array([3.0, -1.0]), np.array([0.5, 0.5]), np.array([10.0, 2.0])]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(shadow), [1.0, 2.0])
        want = np.array([1.0, 2.0])
        for v in values:
            sess.run(W.assign(v.astype(np.float32)))
            sess.run(update)
            want = 0.75 * want + 0.25 * v
            np.testing.assert_allclose(sess.run(shadow), want, rtol=1e-6)


def test_shadow_starts_at_a_random_initial_value():
    W = tf.Variable(tf.random_normal([5], seed=1), name="W")
    ema = tf.train.ExponentialMovingAverage(0.9)
    ema.apply([W])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(ema.average(W)), sess.run(W))


def test_num_updates_caps_the_decay():
    W = tf.Variable(np.float32(0.0), name="W")
    step = tf.Variable(0, name="step", dtype=tf.int32, trainable=False)
    ema = tf.train.ExponentialMovingAverage(0.99, num_updates=step)
    update = ema.apply([W])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(W.assign(1.0))
        sess.run(update)  # decay = min(0.99, 1/10) = 0.1: the shadow moves 90% of the way
        assert sess.run(ema.average(W)) == pytest.approx(0.9)
        sess.run(step.assign(990))
        sess.run(W.assign(2.0))
        sess.run(update)  # decay = min(0.99, 991/1000) = 0.99
        assert sess.run(ema.average(W)) == pytest.approx(0.99 * 0.9 + 0.01 * 2.0, rel=1e-6)


def test_tensor_average_is_zero_debiased():
    x = tf.placeholder(tf.float32, [])
    loss = x * 1.0
    ema = tf.train.ExponentialMovingAverage(0.5)
    update = ema.apply([loss])
    series = [2.0, 6.0, 4.0]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())  # needs no feed: the shadow's shape is static
        biased = 0.0
        for t, v in enumerate(series, start=1):
            sess.run(update, {x: v})
            biased = 0.5 * biased + 0.5 * v
            assert sess.run(ema.average(loss)) == pytest.approx(biased / (1 - 0.5 ** t), rel=1e-6)


def test_constant_tensor_average_is_exact_from_the_first_step():
    c = tf.constant([3.0, -2.0])
    ema = tf.train.ExponentialMovingAverage(0.9)
    update = ema.apply([c])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(update)
            np.testing.assert_allclose(sess.run(ema.average(c)), [3.0, -2.0], rtol=1e-6)


def test_bad_input():
    W = tf.Variable(np.float32(1.0), name="W")
    ema = tf.train.ExponentialMovingAverage(0.9)
    ema.apply([W])
    with pytest.raises(ValueError, match="already computed"):
        ema.apply([W])
    with pytest.raises(TypeError, match="half, float, or double"):
        ema.apply([tf.Variable(1, name="count")])


def test_variables_to_restore_loads_averages_into_primaries(tmp_path):
    W = tf.Variable(np.array([1.0, 1.0], np.float32), name="W")
    other = tf.Variable(np.float32(5.0), name="other", trainable=False)
    ema = tf.train.ExponentialMovingAverage(0.5)
    update = ema.apply([W])
    mapping = ema.variables_to_restore()
    assert mapping == {"W/ExponentialMovingAverage": W, "other": other}
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(W.assign([3.0, 5.0]))
        sess.run(update)  # shadow = [2, 3]
        prefix = saver.save(sess, str(tmp_path / "m"))
    with tf.Graph().as_default():
        W2 = tf.Variable(np.zeros(2, np.float32), name="W")
        other2 = tf.Variable(np.float32(0.0), name="other", trainable=False)
        restore_map = tf.train.ExponentialMovingAverage(0.5).variables_to_restore()
        with tf.Session() as sess:
            tf.train.Saver(restore_map).restore(sess, prefix)
            np.testing.assert_allclose(sess.run(W2), [2.0, 3.0])
            assert sess.run(other2) == 5.0


def test_ema_of_trained_weights():
    W = tf.Variable(np.float32(4.0), name="W")
    train = tf.train.GradientDescentOptimizer(0.25).minimize(W * W)
    ema = tf.train.ExponentialMovingAverage(0.5)
    with tf.control_dependencies([train]):
        train_and_average = ema.apply()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        w, shadow = 4.0, 4.0
        for _ in range(3):
            sess.run(train_and_average)
            w = w - 0.25 * 2 * w
            shadow = 0.5 * shadow + 0.5 * w
            assert sess.run(W) == pytest.approx(w) and sess.run(ema.average(W)) == pytest.approx(shadow)
