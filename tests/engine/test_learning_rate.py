"""tf.train learning-rate schedules: values at each global step match the formulas written out here."""
import math

import numpy as np
import pytest

import tlboard as tf


def values_over_steps(build, steps):
    """Builds a schedule on a fresh global step and returns its value at steps 0..steps-1."""
    step = tf.train.get_or_create_global_step()
    lr = build(step)
    inc = tf.assign_add(step, 1)
    out = []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(steps):
            out.append(float(sess.run(lr)))
            sess.run(inc)
    return out


@pytest.mark.parametrize("staircase", [False, True])
def test_exponential_decay(staircase):
    got = values_over_steps(lambda s: tf.train.exponential_decay(0.1, s, 10, 0.5, staircase=staircase), 25)
    for i, v in enumerate(got):
        p = i // 10 if staircase else i / 10
        assert v == pytest.approx(0.1 * 0.5 ** p, rel=1e-6)


def test_exponential_decay_name_and_dtype():
    step = tf.train.get_or_create_global_step()
    lr = tf.train.exponential_decay(0.1, step, 10, 0.5)
    assert lr.op.name == "ExponentialDecay" and lr.dtype == tf.float32 and lr.shape.as_list() == []
    with pytest.raises(ValueError, match="global_step is required"):
        tf.train.exponential_decay(0.1, None, 10, 0.5)


def test_piecewise_constant_boundaries_are_inclusive_below():
    got = values_over_steps(lambda s: tf.train.piecewise_constant(s, [3, 6], [1.0, 0.5, 0.25]), 9)
    assert got == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25]


def test_piecewise_constant_errors():
    step = tf.train.get_or_create_global_step()
    with pytest.raises(ValueError, match="1 less than the length of values"):
        tf.train.piecewise_constant(step, [3, 6], [1.0, 0.5])
    with pytest.raises(ValueError, match="same dtype"):
        tf.train.piecewise_constant(step, [3], [1.0, np.float64(0.5)])


def test_piecewise_constant_on_a_float_tensor():
    x = tf.placeholder(tf.float32, [])
    lr = tf.train.piecewise_constant(x, [0.5], [10, 20])
    with tf.Session() as sess:
        assert [sess.run(lr, {x: v}) for v in (0.25, 0.5, 0.75)] == [10, 10, 20]


@pytest.mark.parametrize("staircase", [False, True])
def test_inverse_time_decay(staircase):
    got = values_over_steps(lambda s: tf.train.inverse_time_decay(0.1, s, 4, 0.5, staircase=staircase), 10)
    for i, v in enumerate(got):
        p = i // 4 if staircase else i / 4
        assert v == pytest.approx(0.1 / (1 + 0.5 * p), rel=1e-6)


def test_natural_exp_decay():
    got = values_over_steps(lambda s: tf.train.natural_exp_decay(0.1, s, 4, 0.5), 10)
    for i, v in enumerate(got):
        assert v == pytest.approx(0.1 * math.exp(-0.5 * i / 4), rel=1e-6)


@pytest.mark.parametrize("cycle", [False, True])
def test_polynomial_decay(cycle):
    got = values_over_steps(lambda s: tf.train.polynomial_decay(0.1, s, 5, 0.01, power=2.0, cycle=cycle), 13)
    for i, v in enumerate(got):
        if cycle:
            steps = 5 * max(1, math.ceil(i / 5))
            frac = 1 - i / steps
        else:
            frac = 1 - min(i, 5) / 5
        assert v == pytest.approx((0.1 - 0.01) * frac ** 2 + 0.01, rel=1e-5)


def test_cosine_decay():
    got = values_over_steps(lambda s: tf.train.cosine_decay(0.1, s, 8, alpha=0.1), 11)
    for i, v in enumerate(got):
        decayed = 0.9 * 0.5 * (1 + math.cos(math.pi * min(i, 8) / 8)) + 0.1
        assert v == pytest.approx(0.1 * decayed, rel=1e-5, abs=1e-7)


def test_schedule_drives_an_optimizer():
    w = tf.Variable(np.float32(1.0), name="w")
    step = tf.train.get_or_create_global_step()
    lr = tf.train.piecewise_constant(step, [1], [0.5, 0.25])
    train = tf.train.GradientDescentOptimizer(lr).minimize(w * 1.0, global_step=step)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)  # step 0: lr 0.5, gradient 1
        sess.run(train)  # step 1: lr 0.5 (x <= 1)
        sess.run(train)  # step 2: lr 0.25
        assert sess.run(w) == pytest.approx(1.0 - 0.5 - 0.5 - 0.25)
