"""Random ops and initializers: TF1 seeding (graph + op seeds), distributions, graph structure."""
import numpy as np
import pytest

import tlboard as tf


def test_graph_seed_makes_runs_reproducible_across_sessions_and_graphs():
    def draw():
        with tf.Graph().as_default() as g:
            tf.set_random_seed(42)
            a = tf.random_normal([50])
            b = tf.random_uniform([50])
            with tf.Session(graph=g) as s:
                first = s.run([a, b])
                second = s.run([a, b])
        return first, second

    (a1, b1), (a2, b2) = draw()
    (c1, d1), _ = draw()
    np.testing.assert_array_equal(a1, c1)
    np.testing.assert_array_equal(b1, d1)
    assert not np.array_equal(a1, a2)  # successive runs advance the op's generator
    assert not np.array_equal(a1[:10], b1[:10])


def test_op_seed_alone_is_reproducible_and_unseeded_ops_differ():
    x = tf.random_uniform([20], seed=3)
    y = tf.random_uniform([20], seed=3)
    z = tf.random_uniform([20])
    w = tf.random_uniform([20])
    with tf.Session() as s:
        vx, vy, vz, vw = s.run([x, y, z, w])
    np.testing.assert_array_equal(vx, vy)
    assert not np.array_equal(vz, vw)
    assert x.op.inputs[0].op.inputs[0].op.get_attr("seed2") == 3


def test_get_seed_rules():
    assert tf.get_seed(None) == (None, None)
    assert tf.get_seed(5) == (87654321, 5)
    tf.set_random_seed(7)
    s1, s2 = tf.get_seed(None)
    assert s1 == 7 and isinstance(s2, int)
    assert tf.get_seed(9) == (7, 9)
    tf.set_random_seed(0)
    assert tf.get_seed(0) == (0, 2**31 - 1)


def test_random_normal_structure_and_moments():
    t = tf.random_normal([200, 100], mean=3.0, stddev=2.0, seed=1)
    assert t.op.name == "random_normal" and t.op.type == "AddV2"
    names = [op.name for op in tf.get_default_graph().get_operations()]
    assert "random_normal/RandomStandardNormal" in names and "random_normal/mul" in names
    v = tf.Session().run(t)
    assert v.dtype == np.float32 and v.shape == (200, 100)
    assert abs(v.mean() - 3.0) < 0.05 and abs(v.std() - 2.0) < 0.05


def test_truncated_normal_stays_within_two_stddev():
    t = tf.truncated_normal([100000], mean=1.0, stddev=0.5, dtype=tf.float64, seed=2)
    v = tf.Session().run(t)
    assert v.dtype == np.float64
    assert v.min() >= 0.0 and v.max() <= 2.0
    assert abs(v.std() - 0.5 * 0.8796) < 0.01  # a normal truncated at 2 sigma has stddev 0.88 sigma


def test_random_uniform_floats_and_ints():
    f = tf.random_uniform([10000], -2.0, 3.0, seed=4)
    i = tf.random_uniform([10000], minval=5, maxval=8, dtype=tf.int32, seed=4)
    assert i.op.type == "RandomUniformInt" and i.dtype == tf.int32
    with tf.Session() as s:
        vf, vi = s.run([f, i])
    assert vf.min() >= -2.0 and vf.max() < 3.0 and abs(vf.mean() - 0.5) < 0.05
    assert set(np.unique(vi).tolist()) == {5, 6, 7}
    with pytest.raises(ValueError, match="maxval"):
        tf.random_uniform([2], dtype=tf.int32)


def test_random_shapes_from_placeholders():
    n = tf.placeholder(tf.int32, [])
    t = tf.random_normal(tf.stack([n, 3]))
    assert t.shape.as_list() == [None, 3]
    assert tf.Session().run(t, {n: 4}).shape == (4, 3)
    assert tf.random_uniform([2, 5]).shape.as_list() == [2, 5]


def test_random_shuffle_is_a_permutation_of_rows():
    a = np.arange(20).reshape(10, 2)
    v = tf.Session().run(tf.random_shuffle(tf.constant(a), seed=5))
    assert sorted(v[:, 0].tolist()) == list(range(0, 20, 2)) and (v[:, 1] == v[:, 0] + 1).all()


def test_multinomial_follows_logits():
    logits = tf.constant(np.log([[0.1, 0.9], [1.0, 1e-9]]), tf.float32)
    v = tf.Session().run(tf.multinomial(logits, 2000, seed=1))
    assert v.shape == (2, 2000) and v.dtype == np.int64
    assert 0.85 < v[0].mean() < 0.95 and v[1].max() == 0


# --- initializers

def _value(init, shape, **kw):
    with tf.Graph().as_default():
        t = init(shape, **kw)
        return tf.Session().run(t)


def test_constant_initializers():
    assert _value(tf.zeros_initializer(), [2, 3]).tolist() == [[0.0] * 3] * 2
    assert _value(tf.ones_initializer(dtype=tf.int32), [2]).tolist() == [1, 1]
    assert _value(tf.constant_initializer(0.5), [3]).tolist() == [0.5] * 3
    assert _value(tf.constant_initializer([1, 2, 3, 4]), [2, 2]).tolist() == [[1, 2], [3, 4]]
    assert _value(tf.initializers.constant(2), [1], dtype=tf.float64).dtype == np.float64


@pytest.mark.parametrize("init,std_fn", [
    (tf.glorot_uniform_initializer(seed=1), lambda fi, fo: np.sqrt(2.0 / (fi + fo))),
    (tf.glorot_normal_initializer(seed=1), lambda fi, fo: np.sqrt(2.0 / (fi + fo))),
    (tf.initializers.he_normal(seed=1), lambda fi, fo: np.sqrt(2.0 / fi)),
    (tf.initializers.he_uniform(seed=1), lambda fi, fo: np.sqrt(2.0 / fi)),
    (tf.initializers.lecun_normal(seed=1), lambda fi, fo: np.sqrt(1.0 / fi)),
    (tf.initializers.lecun_uniform(seed=1), lambda fi, fo: np.sqrt(1.0 / fi)),
    (tf.variance_scaling_initializer(3.0, "fan_out", "untruncated_normal", seed=1), lambda fi, fo: np.sqrt(3.0 / fo)),
    (tf.random_normal_initializer(0.0, 0.3, seed=1), lambda fi, fo: 0.3),
    (tf.truncated_normal_initializer(0.0, 0.3, seed=1), lambda fi, fo: 0.3 * 0.8796),
    (tf.random_uniform_initializer(-0.6, 0.6, seed=1), lambda fi, fo: 0.6 / np.sqrt(3)),
])
def test_random_initializers_have_the_documented_spread(init, std_fn):
    v = _value(init, [400, 250])
    assert v.dtype == np.float32 and v.shape == (400, 250)
    assert abs(v.std() / std_fn(400, 250) - 1) < 0.03
    assert abs(v.mean()) < 0.01


def test_conv_fans_and_uniform_limit():
    v = _value(tf.glorot_uniform_initializer(seed=3), [3, 3, 16, 32])
    limit = np.sqrt(6.0 / (9 * 16 + 9 * 32))
    assert np.abs(v).max() <= limit and np.abs(v).max() > 0.95 * limit


def test_initializer_validation_and_namespace():
    with pytest.raises(ValueError):
        tf.variance_scaling_initializer(scale=-1.0)
    with pytest.raises(ValueError):
        tf.variance_scaling_initializer(mode="fan_middle")
    with pytest.raises(ValueError):
        tf.random_normal_initializer(dtype=tf.int32)
    assert isinstance(tf.initializers.glorot_uniform(), tf.glorot_uniform_initializer)
    assert tf.initializers.global_variables is tf.global_variables_initializer


def test_get_variable_default_initializer_is_glorot_uniform_and_named_like_tf():
    w = tf.get_variable("w", [30, 20])
    names = [op.name for op in tf.get_default_graph().get_operations()]
    assert "w/Initializer/random_uniform/RandomUniform" in names
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        v = s.run(w)
    assert np.abs(v).max() <= np.sqrt(6.0 / 50) and v.std() > 0.1
    b = tf.get_variable("b", [3], dtype=tf.int32)
    with tf.Session() as s:
        s.run(b.initializer)
        assert s.run(b).tolist() == [0, 0, 0]
