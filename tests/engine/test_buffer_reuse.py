"""Session plans let a kernel write over an input buffer nobody reads afterwards (registry `overwrites`):
values must be exactly those of the allocating kernels, and feeds, variables, fetched tensors and views
must never be written over."""
import numpy as np

import tlboard as tf


def _plan(sess):
    """The one plan the session compiled last (white box: which ops were given a buffer to write over)."""
    return list(sess._plans.values())[-1]


def _dense_relu(x, w, b):
    return np.maximum(x @ w + b, 0)


def test_dense_relu_chain_writes_over_its_own_temporaries_with_exact_values():
    rng = np.random.default_rng(0)
    xv = rng.standard_normal((5, 4)).astype(np.float32)
    wv = rng.standard_normal((4, 3)).astype(np.float32)
    bv = rng.standard_normal(3).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 4])
    w, b = tf.Variable(wv), tf.Variable(bv)
    y = tf.nn.relu(tf.matmul(x, w) + b)
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        out = s.run(y, {x: xv})
        assert sorted(_plan(s).overwriting) == ["Relu", "add"]
        np.testing.assert_array_equal(out, _dense_relu(xv, wv, bv))
        np.testing.assert_array_equal(s.run(w), wv)  # the variable's buffer is untouched


def test_fetched_intermediate_keeps_its_value():
    x = tf.placeholder(tf.float32, [None, 2])
    pre = tf.matmul(x, tf.constant([[1.0, -1.0], [2.0, -2.0]])) + tf.constant([0.5, -0.5])
    post = tf.nn.relu(pre)
    xv = np.array([[1.0, 1.0], [-1.0, 0.0]], np.float32)
    with tf.Session() as s:
        p, q = s.run([pre, post], {x: xv})
        assert "Relu" not in _plan(s).overwriting  # `pre` is fetched: relu must allocate
        np.testing.assert_array_equal(p, [[3.5, -3.5], [-0.5, 0.5]])
        np.testing.assert_array_equal(q, [[3.5, 0.0], [0.0, 0.5]])


def test_a_view_of_the_input_blocks_writing_over_it():
    x = tf.placeholder(tf.float32, [None, 2])
    pre = tf.matmul(x, tf.constant([[1.0, 0.0], [0.0, 1.0]])) - tf.constant([1.0, 1.0])
    flat = tf.reshape(pre, [-1])  # Reshape may return a view of `pre`'s buffer
    post = tf.nn.relu(pre)
    doubled = flat * 2.0  # reads the view after relu ran
    xv = np.array([[0.0, 3.0]], np.float32)
    with tf.Session() as s:
        q, d = s.run([post, doubled], {x: xv})
        assert "Relu" not in _plan(s).overwriting
        np.testing.assert_array_equal(q, [[0.0, 2.0]])
        np.testing.assert_array_equal(d, [-2.0, 4.0])


def test_feeds_and_variables_are_never_written_over():
    x = tf.placeholder(tf.float32, [3])
    v = tf.Variable([-1.0, 2.0, -3.0])
    y = tf.nn.relu(x) + tf.nn.relu(v)
    xv = np.array([-5.0, 1.0, 2.0], np.float32)
    keep = xv.copy()
    with tf.Session() as s:
        s.run(v.initializer)
        np.testing.assert_array_equal(s.run(y, {x: xv}), [0.0, 3.0, 2.0])
        assert "Relu" not in _plan(s).overwriting and "Relu_1" not in _plan(s).overwriting
        np.testing.assert_array_equal(xv, keep)
        np.testing.assert_array_equal(s.run(v), [-1.0, 2.0, -3.0])


def test_bias_first_writes_over_the_second_operand_and_unknown_broadcasts_allocate():
    eye = tf.constant(np.eye(3, dtype=np.float32))
    x = tf.placeholder(tf.float32, [None, 3])
    bias_first = tf.constant([1.0, 2.0, 3.0]) + tf.matmul(x, eye)
    a = tf.placeholder(tf.float32, [None, 3])
    same_rank = tf.matmul(a, eye) + tf.matmul(x, eye)  # (?,3)+(?,3) may broadcast at run time
    with tf.Session() as s:
        out = s.run(bias_first, {x: np.zeros((2, 3), np.float32)})
        assert _plan(s).overwriting == ["add"]
        np.testing.assert_array_equal(out, [[1.0, 2.0, 3.0]] * 2)
        grown = s.run(same_rank, {a: np.ones((1, 3), np.float32), x: np.full((4, 3), 2.0, np.float32)})
        assert _plan(s).overwriting == []
        np.testing.assert_array_equal(grown, np.full((4, 3), 3.0, np.float32))


def test_gradient_descent_consumes_its_gradient_but_a_fetched_gradient_is_intact():
    w = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    x = tf.placeholder(tf.float32, [2, 2])
    loss = tf.reduce_sum(w * x)  # an elementwise gradient (a MatMul's would be folded into the update instead)
    (g,) = tf.gradients(loss, [w])
    opt = tf.train.GradientDescentOptimizer(0.5)
    train = opt.apply_gradients([(g, w)])
    expected_g = np.array([[1.0, 1.0], [-1.0, -1.0]], np.float32)
    with tf.Session() as s:
        s.run(w.initializer)
        s.run(train, {x: expected_g})
        assert any(n.endswith("ApplyGradientDescent") for n in _plan(s).overwriting)
        np.testing.assert_array_equal(s.run(w), [[0.5, 1.5], [3.5, 4.5]])
        gv, _ = s.run([g, train], {x: expected_g})
        assert not any(n.endswith("ApplyGradientDescent") for n in _plan(s).overwriting)
        np.testing.assert_array_equal(gv, expected_g)
        np.testing.assert_array_equal(s.run(w), [[0.0, 1.0], [4.0, 5.0]])


def test_relu_grad_written_over_the_incoming_gradient_matches_the_reference():
    rng = np.random.default_rng(1)
    xv = rng.standard_normal((6, 4))
    wv = rng.standard_normal((4, 5))
    x = tf.constant(xv)
    w = tf.Variable(wv)
    c = rng.standard_normal((5, 2))
    h = tf.nn.relu(tf.matmul(x, w))
    loss = tf.reduce_sum(tf.square(tf.matmul(h, tf.constant(c))))
    (gw,) = tf.gradients(loss, [w])
    with tf.Session() as s:
        s.run(w.initializer)
        got = s.run(gw)
        assert any("ReluGrad" in n for n in _plan(s).overwriting)
    pre = xv @ wv
    dh = (2 * (np.maximum(pre, 0) @ c) @ c.T) * (pre > 0)
    np.testing.assert_allclose(got, xv.T @ dh, rtol=1e-12)


def test_shape_derived_values_follow_the_batch_size_across_runs():
    # ones_like(loss), the mean's element count and its broadcast are reused between runs while the
    # shapes they come from hold; a new batch size must recompute them, and nothing may write over them.
    x = tf.placeholder(tf.float64, [None, 3])
    w = tf.Variable(np.array([[1.0], [-2.0], [0.5]]))
    per_example = tf.square(tf.matmul(x, w))[:, 0]
    loss = tf.reduce_mean(per_example)
    (gw,) = tf.gradients(loss, [w])
    ones = tf.ones_like(per_example)
    rng = np.random.default_rng(5)
    with tf.Session() as s:
        s.run(w.initializer)
        for n in (4, 7, 7, 4, 1, 4):
            xv = rng.standard_normal((n, 3))
            got, o = s.run([gw, ones], {x: xv})
            want = xv.T @ (2 * (xv @ [[1.0], [-2.0], [0.5]])) / n
            np.testing.assert_allclose(got, want, rtol=1e-12)
            assert o.shape == (n,) and (o == 1).all()
            o[:] = 5  # the fetched value is the caller's: the reused one stays intact
