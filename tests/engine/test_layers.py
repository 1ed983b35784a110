"""tf.layers (TF1's functional layers and classes): variable names and collections, sharing, forward values
against NumPy, dropout and batch-norm modes, regularization, gradients and a small end-to-end training run."""
import numpy as np
import pytest
from gradcheck import check_gradients, numeric_gradients
from nn_refs import ref_pool

import tlboard as tf

RNG = np.random.default_rng(11)


@pytest.fixture(autouse=True)
def fresh_graph():
    with tf.Graph().as_default() as g:
        yield g


def run(fetches, feed=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed)


def names(vs):
    return [v.name for v in vs]


def fixed(array):
    """An initializer returning `array` (so NumPy references can use the same weights)."""
    def init(shape, dtype=None, partition_info=None):
        assert list(shape) == list(array.shape)
        return tf.constant(array, dtype=dtype)
    return init


# --- independent NumPy references

def ref_conv2d(x, k, stride, padding):
    """Cross-correlation, NHWC x [kh, kw, in, out], TF's SAME padding (extra pad at the end)."""
    n, h, w, _ = x.shape
    kh, kw, _, co = k.shape
    if padding == "same":
        oh, ow = -(-h // stride), -(-w // stride)
        ph, pw = max((oh - 1) * stride + kh - h, 0), max((ow - 1) * stride + kw - w, 0)
        x = np.pad(x, [(0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)])
    else:
        oh, ow = (h - kh) // stride + 1, (w - kw) // stride + 1
    out = np.zeros((n, oh, ow, co))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            out[:, i, j, :] = np.einsum("nhwc,hwco->no", patch, k)
    return out


# --- dense: names, collections, values

def test_dense_variable_names_shapes_and_collections():
    x = tf.placeholder(tf.float32, [None, 4])
    h = tf.layers.dense(x, 3)
    tf.layers.dense(h, 2)
    tf.layers.dense(h, 5, name="fc1", use_bias=False)
    tf.layers.dense(h, 6, name="frozen", trainable=False)
    shapes = {v.name: v.shape.as_list() for v in tf.global_variables()}
    assert shapes == {"dense/kernel:0": [4, 3], "dense/bias:0": [3], "dense_1/kernel:0": [3, 2],
                      "dense_1/bias:0": [2], "fc1/kernel:0": [3, 5], "frozen/kernel:0": [3, 6], "frozen/bias:0": [6]}
    assert names(tf.trainable_variables()) == ["dense/kernel:0", "dense/bias:0", "dense_1/kernel:0",
                                               "dense_1/bias:0", "fc1/kernel:0"]
    assert h.op.name.startswith("dense/")


def test_dense_class_names_and_properties():
    x = tf.placeholder(tf.float32, [None, 4])
    layer = tf.layers.Dense(3, activation=tf.nn.relu)
    y = layer(x)
    assert layer.name == "dense" and layer.scope_name == "dense"
    assert names(layer.trainable_variables) == ["dense/kernel:0", "dense/bias:0"]
    assert layer.kernel.shape.as_list() == [4, 3]
    y2 = layer(x)  # a second call shares the weights and adds no variables
    assert len(tf.global_variables()) == 2
    a, b = run([y, y2], {x: RNG.normal(size=(2, 4))})
    np.testing.assert_array_equal(a, b)


def test_dense_forward_matches_numpy_with_activation_and_initializers():
    k, b = RNG.normal(size=(4, 3)), RNG.normal(size=(3,))
    xv = RNG.normal(size=(5, 4))
    x = tf.placeholder(tf.float32, [None, 4])
    y = tf.layers.dense(x, 3, activation=tf.nn.relu, kernel_initializer=fixed(k), bias_initializer=fixed(b))
    np.testing.assert_allclose(run(y, {x: xv}), np.maximum(xv @ k + b, 0), rtol=1e-5, atol=1e-6)


def test_dense_on_rank3_input_applies_to_last_axis():
    k = RNG.normal(size=(4, 2))
    xv = RNG.normal(size=(3, 5, 4))
    x = tf.placeholder(tf.float32, [None, 5, 4])
    y = tf.layers.dense(x, 2, kernel_initializer=fixed(k))
    assert y.shape.as_list() == [None, 5, 2]
    np.testing.assert_allclose(run(y, {x: xv}), xv @ k, rtol=1e-5, atol=1e-6)


def test_default_initializers_glorot_uniform_kernel_and_zero_bias():
    x = tf.placeholder(tf.float32, [None, 200])
    layer = tf.layers.Dense(100)
    layer(x)
    kernel, bias = run([layer.kernel, layer.bias])
    limit = np.sqrt(6.0 / (200 + 100))
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.95 * limit
    assert abs(kernel.std() - limit / np.sqrt(3)) < 0.05 * limit  # the spread of U(-limit, limit)
    np.testing.assert_array_equal(bias, np.zeros(100))


def test_weights_take_the_input_dtype():
    x = tf.placeholder(tf.float64, [None, 3])
    y = tf.layers.dense(x, 2)
    assert y.dtype == tf.float64
    assert all(v.dtype.base_dtype == tf.float64 for v in tf.global_variables())


# --- sharing

def test_reuse_true_with_the_same_name_shares_variables():
    x = tf.placeholder(tf.float32, [None, 4])
    y1 = tf.layers.dense(x, 3, name="fc")
    y2 = tf.layers.dense(x, 3, name="fc", reuse=True)
    assert names(tf.global_variables()) == ["fc/kernel:0", "fc/bias:0"]
    a, b = run([y1, y2], {x: RNG.normal(size=(2, 4))})
    np.testing.assert_array_equal(a, b)


def test_same_name_without_reuse_is_an_error_and_reuse_of_a_missing_layer_too():
    x = tf.placeholder(tf.float32, [None, 4])
    tf.layers.dense(x, 3, name="fc")
    with pytest.raises(ValueError, match="already exists"):
        tf.layers.dense(x, 3, name="fc")
    with pytest.raises(ValueError, match="does not exist"):
        tf.layers.dense(x, 3, name="other", reuse=True)


def test_enclosing_variable_scope_reuse_shares_unnamed_layers():
    x = tf.placeholder(tf.float32, [None, 4])

    def net(inputs):
        h = tf.layers.dense(inputs, 8, activation=tf.nn.relu)
        return tf.layers.dense(h, 2)

    with tf.variable_scope("model"):
        y1 = net(x)
    with tf.variable_scope("model", reuse=True):
        y2 = net(x)
    assert names(tf.global_variables()) == ["model/dense/kernel:0", "model/dense/bias:0",
                                            "model/dense_1/kernel:0", "model/dense_1/bias:0"]
    a, b = run([y1, y2], {x: RNG.normal(size=(3, 4))})
    np.testing.assert_array_equal(a, b)


# --- conv2d and pooling

def test_conv2d_variables_and_channels_first_error():
    x = tf.placeholder(tf.float32, [None, 8, 8, 3])
    y = tf.layers.conv2d(x, 5, 3)
    tf.layers.conv2d(y, 4, (2, 1), name="c2")
    shapes = {v.name: v.shape.as_list() for v in tf.trainable_variables()}
    assert shapes == {"conv2d/kernel:0": [3, 3, 3, 5], "conv2d/bias:0": [5], "c2/kernel:0": [2, 1, 5, 4],
                      "c2/bias:0": [4]}
    assert y.shape.as_list() == [None, 6, 6, 5]  # padding 'valid' by default
    with pytest.raises(ValueError, match="channels_last"):
        tf.layers.conv2d(x, 2, 3, data_format="channels_first")


@pytest.mark.parametrize("padding,stride", [("valid", 1), ("SAME", 2), ("same", 1), ("VALID", 2)])
def test_conv2d_forward_matches_numpy(padding, stride):
    k, b = RNG.normal(size=(3, 2, 3, 4)), RNG.normal(size=(4,))
    xv = RNG.normal(size=(2, 7, 6, 3))
    x = tf.placeholder(tf.float64, [None, 7, 6, 3])
    y = tf.layers.conv2d(x, 4, (3, 2), strides=stride, padding=padding, activation=tf.nn.relu,
                         kernel_initializer=fixed(k), bias_initializer=fixed(b))
    want = np.maximum(ref_conv2d(xv, k, stride, padding.lower()) + b, 0)
    assert y.shape.as_list() == [None, *want.shape[1:]]
    np.testing.assert_allclose(run(y, {x: xv}), want, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("padding", ["valid", "same", "SAME"])
def test_pooling_forward_matches_numpy(padding):
    xv = RNG.normal(size=(2, 7, 5, 3))
    x = tf.placeholder(tf.float64, [None, 7, 5, 3])
    mx = tf.layers.max_pooling2d(x, 3, 2, padding=padding)
    av = tf.layers.average_pooling2d(x, 3, 2, padding=padding)
    assert mx.op.name.startswith("max_pooling2d/") and av.op.name.startswith("average_pooling2d/")
    got_max, got_avg = run([mx, av], {x: xv})
    np.testing.assert_allclose(got_max, ref_pool(xv, 3, 2, padding.upper(), np.max), rtol=1e-12)
    np.testing.assert_allclose(got_avg, ref_pool(xv, 3, 2, padding.upper(), np.mean), rtol=1e-12)


def test_pooling_classes_and_flatten():
    xv = RNG.normal(size=(2, 4, 4, 3))
    x = tf.placeholder(tf.float32, [None, 4, 4, 3])
    p = tf.layers.MaxPooling2D((2, 2), (2, 2))(x)
    f = tf.layers.flatten(p)
    assert f.shape.as_list() == [None, 12]
    want = xv.reshape(2, 2, 2, 2, 2, 3).max(axis=(2, 4)).reshape(2, 12)
    np.testing.assert_allclose(run(f, {x: xv}), want, rtol=1e-6)
    u = tf.placeholder(tf.float32, [None, None, 3])  # unknown inner dims: flattened at run time
    np.testing.assert_array_equal(run(tf.layers.Flatten()(u), {u: np.arange(24.0).reshape(2, 4, 3)}),
                                  np.arange(24.0).reshape(2, 12))


# --- dropout

def test_dropout_is_identity_unless_training():
    xv = RNG.normal(size=(4, 5)).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 5])
    np.testing.assert_array_equal(run(tf.layers.dropout(x), {x: xv}), xv)
    np.testing.assert_array_equal(run(tf.layers.dropout(x, rate=0.9, training=False), {x: xv}), xv)
    np.testing.assert_array_equal(run(tf.layers.Dropout(0.9)(x), {x: xv}), xv)


@pytest.mark.parametrize("rate", [0.5, 0.2])
def test_dropout_training_keeps_one_minus_rate_scaled(rate):
    xv = np.ones((200, 100), np.float32)
    x = tf.placeholder(tf.float32, [None, 100])
    kwargs = {} if rate == 0.5 else {"rate": rate}  # 0.5 is TF1's default rate
    out = run(tf.layers.dropout(x, training=True, **kwargs), {x: xv})
    kept = out != 0
    assert abs(kept.mean() - (1 - rate)) < 0.02
    np.testing.assert_allclose(out[kept], 1 / (1 - rate), rtol=1e-6)


def test_dropout_with_a_bool_placeholder():
    xv = np.ones((100, 100), np.float32)
    x = tf.placeholder(tf.float32, [None, 100])
    training = tf.placeholder(tf.bool, [])
    y = tf.layers.dropout(x, rate=0.3, training=training)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {x: xv, training: False}), xv)
        out = sess.run(y, {x: xv, training: True})
    assert abs((out != 0).mean() - 0.7) < 0.03
    np.testing.assert_allclose(out[out != 0], 1 / 0.7, rtol=1e-6)


# --- batch normalization

def test_batch_norm_variables_and_collections():
    x = tf.placeholder(tf.float32, [None, 3])
    tf.layers.batch_normalization(x)
    shapes = {v.name: v.shape.as_list() for v in tf.global_variables()}
    assert shapes == {f"batch_normalization/{n}:0": [3] for n in ("gamma", "beta", "moving_mean", "moving_variance")}
    assert names(tf.trainable_variables()) == ["batch_normalization/gamma:0", "batch_normalization/beta:0"]
    assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == []  # training=False by default: no updates


def test_batch_norm_training_uses_batch_stats_and_updates_moving_averages():
    xv = RNG.normal(loc=3.0, scale=2.0, size=(16, 3))
    x = tf.placeholder(tf.float64, [None, 3])
    y = tf.layers.batch_normalization(x, momentum=0.9, training=True, center=False, scale=False)
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert len(updates) == 2
    mean, var = xv.mean(axis=0), xv.var(axis=0)  # biased variance, as TF1's non-fused batch norm
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(y, {x: xv}), (xv - mean) / np.sqrt(var + 1e-3), rtol=1e-10)
        mm, mv = tf.global_variables()[-2:]
        np.testing.assert_array_equal(sess.run(mm), np.zeros(3))  # running y alone does not update
        for step in range(1, 3):
            sess.run(updates, {x: xv})
            np.testing.assert_allclose(sess.run(mm), mean * (1 - 0.9 ** step), rtol=1e-10)
            np.testing.assert_allclose(sess.run(mv), 0.9 ** step + var * (1 - 0.9 ** step), rtol=1e-10)


def test_batch_norm_inference_uses_moving_stats_gamma_beta():
    xv = RNG.normal(size=(5, 2, 3))
    x = tf.placeholder(tf.float64, [None, 2, 3])
    layer = tf.layers.BatchNormalization(epsilon=0.01)
    y = layer(x)
    mm, mv, g, b = RNG.normal(size=3), RNG.uniform(0.5, 2, size=3), RNG.normal(size=3), RNG.normal(size=3)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for var, value in ((layer.moving_mean, mm), (layer.moving_variance, mv), (layer.gamma, g), (layer.beta, b)):
            var.load(value, sess)
        np.testing.assert_allclose(sess.run(y, {x: xv}), (xv - mm) / np.sqrt(mv + 0.01) * g + b, rtol=1e-10)


def test_batch_norm_on_images_updates_moving_variance_with_bessel_correction():
    xv = RNG.normal(size=(2, 3, 3, 4))
    x = tf.placeholder(tf.float64, [None, 3, 3, 4])
    y = tf.layers.batch_normalization(x, training=True)
    n = 2 * 3 * 3  # elements per channel
    var = xv.var(axis=(0, 1, 2))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out, _ = sess.run([y, tf.get_collection(tf.GraphKeys.UPDATE_OPS)], {x: xv})
        mv = sess.run(tf.global_variables()[-1])
    np.testing.assert_allclose(out, (xv - xv.mean(axis=(0, 1, 2))) / np.sqrt(var + 1e-3), rtol=1e-10)
    np.testing.assert_allclose(mv, 0.99 + 0.01 * var * n / (n - 1), rtol=1e-10)


def test_batch_norm_training_placeholder_and_update_ops_dependency():
    xv = RNG.normal(loc=1.0, size=(8, 2))
    x = tf.placeholder(tf.float64, [None, 2])
    training = tf.placeholder(tf.bool, [])
    y = tf.layers.batch_normalization(x, training=training)
    loss = tf.reduce_sum(tf.square(y))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train = tf.train.GradientDescentOptimizer(0.0).minimize(loss)
    mm = tf.global_variables()[2]
    assert mm.name == "batch_normalization/moving_mean:0"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, {x: xv, training: False})
        np.testing.assert_array_equal(sess.run(mm), np.zeros(2))  # not training: moving stats untouched
        np.testing.assert_allclose(sess.run(y, {x: xv, training: False}), xv / np.sqrt(1 + 1e-3), rtol=1e-10)
        sess.run(train, {x: xv, training: True})
        np.testing.assert_allclose(sess.run(mm), 0.01 * xv.mean(axis=0), rtol=1e-10)


# --- regularization

def test_kernel_regularizer_joins_regularization_losses_once():
    k = RNG.normal(size=(3, 2))
    x = tf.placeholder(tf.float32, [None, 3])

    def l2(w):
        return 0.25 * tf.reduce_sum(tf.square(w))

    tf.layers.dense(x, 2, kernel_initializer=fixed(k), kernel_regularizer=l2, name="fc")
    tf.layers.dense(x, 2, kernel_regularizer=l2, name="fc", reuse=True)  # shared: no second penalty
    assert len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)) == 1
    np.testing.assert_allclose(run(tf.losses.get_regularization_loss()), 0.25 * np.sum(k ** 2), rtol=1e-5)


def test_conv2d_regularizer_from_keras():
    x = tf.placeholder(tf.float32, [None, 4, 4, 1])
    k = RNG.normal(size=(2, 2, 1, 3))
    tf.layers.conv2d(x, 3, 2, kernel_initializer=fixed(k), kernel_regularizer=tf.keras.regularizers.l2(0.1))
    np.testing.assert_allclose(run(tf.losses.get_regularization_loss()), 0.1 * np.sum(k ** 2), rtol=1e-5)


# --- gradients

def test_layers_gradients_match_finite_differences_float64():
    xv = RNG.normal(size=(3, 5, 5, 2))

    def net(inputs):
        h = tf.layers.conv2d(inputs, 3, 2, padding="same", activation=tf.nn.tanh)
        h = tf.layers.max_pooling2d(h, 2, 2)
        h = tf.layers.batch_normalization(h, training=True)
        h = tf.layers.average_pooling2d(h, 2, 1, padding="same")
        return tf.layers.dense(tf.layers.flatten(h), 4, activation=tf.nn.sigmoid)

    x = tf.placeholder(tf.float64, xv.shape)
    y = net(x)
    loss = tf.reduce_sum(y * tf.constant(RNG.normal(size=(3, 4))))
    params = tf.trainable_variables()
    assert len(params) == 6 and all(p.dtype.base_dtype == tf.float64 for p in params)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        values = sess.run(params)
        symbolic = sess.run(tf.gradients(loss, [x] + params), {x: xv})
        # Feeding each variable's `read` tensor perturbs the value the layers see.
        numeric = numeric_gradients(lambda fd: sess.run(loss, fd), [x] + [p.value() for p in params],
                                    [xv] + values, range(len(params) + 1))
    for s, n in zip(symbolic, numeric):
        np.testing.assert_allclose(s, n, rtol=1e-5, atol=1e-7)


def test_weightless_layers_gradient_check():
    check_gradients(lambda t: tf.layers.flatten(tf.layers.average_pooling2d(
        tf.layers.max_pooling2d(t, 2, 1, padding="same"), 2, 2)), [RNG.normal(size=(2, 4, 4, 3))])


# --- end to end

def test_mlp_trains_on_a_nonlinear_problem():
    rng = np.random.default_rng(0)

    def quadrants(n):  # XOR of the signs: not linearly separable
        pts = rng.uniform(-1, 1, size=(n, 2)).astype(np.float32)
        return pts, (pts[:, 0] * pts[:, 1] > 0).astype(np.int64)

    x_train, y_train = quadrants(512)
    x_test, y_test = quadrants(500)
    tf.set_random_seed(1)
    x = tf.placeholder(tf.float32, [None, 2])
    labels = tf.placeholder(tf.int64, [None])
    training = tf.placeholder_with_default(False, [])
    h = tf.layers.dense(x, 32, activation=tf.nn.relu)
    h = tf.layers.batch_normalization(h, training=training)
    h = tf.layers.dense(h, 32, activation=tf.nn.relu, kernel_regularizer=lambda w: 1e-4 * tf.reduce_sum(w * w))
    h = tf.layers.dropout(h, rate=0.1, training=training)
    logits = tf.layers.dense(h, 2)
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits) + tf.losses.get_regularization_loss()
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), labels), tf.float32))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(400):
            batch = np.arange(step * 64, step * 64 + 64) % 512
            sess.run(train, {x: x_train[batch], labels: y_train[batch], training: True})
        test_accuracy = sess.run(accuracy, {x: x_test, labels: y_test})
    assert test_accuracy >= 0.93, test_accuracy
