"""End-to-end training: a small MLP and a small CNN reach a stated test accuracy on fixed, seeded synthetic
problems with every tf.train optimizer (the accuracy is measured with NumPy on held-out data)."""
import numpy as np
import pytest

import tlboard as tf

OPTIMIZERS = {
    "sgd": lambda: tf.train.GradientDescentOptimizer(0.5),
    "momentum": lambda: tf.train.MomentumOptimizer(0.05, 0.9),
    "nesterov": lambda: tf.train.MomentumOptimizer(0.05, 0.9, use_nesterov=True),
    "adam": lambda: tf.train.AdamOptimizer(0.01),
    "rmsprop": lambda: tf.train.RMSPropOptimizer(0.003),
    "rmsprop_centered": lambda: tf.train.RMSPropOptimizer(0.003, momentum=0.5, centered=True),
    "adagrad": lambda: tf.train.AdagradOptimizer(0.2),
}


def xor_quadrants(n, seed):
    """Class = which diagonal pair of quadrants (x0, x1) lies in: not linearly separable; 6 noise dims."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, 8)).astype(np.float32)
    x = x[np.abs(x[:, 0]) > 0.1]  # a margin around the axes keeps the problem clean
    x = x[np.abs(x[:, 1]) > 0.1]
    labels = ((x[:, 0] > 0) ^ (x[:, 1] > 0)).astype(np.int64)
    return x, np.eye(2, dtype=np.float32)[labels], labels


def dense(x, n_in, n_out, rng, name):
    w = tf.Variable(rng.normal(0, np.sqrt(2.0 / n_in), (n_in, n_out)).astype(np.float32), name=f"{name}/kernel")
    b = tf.Variable(np.zeros(n_out, np.float32), name=f"{name}/bias")
    return tf.matmul(x, w) + b


@pytest.mark.parametrize("opt_name", list(OPTIMIZERS))
def test_mlp_learns_xor_quadrants(opt_name):
    train_x, train_y, _ = xor_quadrants(1200, seed=1)
    test_x, _, test_labels = xor_quadrants(600, seed=2)
    rng = np.random.default_rng(3)
    x = tf.placeholder(tf.float32, [None, 8])
    y = tf.placeholder(tf.float32, [None, 2])
    h = tf.nn.relu(dense(x, 8, 32, rng, "hidden1"))
    h = tf.nn.relu(dense(h, 32, 32, rng, "hidden2"))
    logits = dense(h, 32, 2, rng, "out")
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
    step = tf.train.get_or_create_global_step()
    train = OPTIMIZERS[opt_name]().minimize(loss, global_step=step)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for i in range(400):
            lo = (i * 100) % len(train_x)
            sess.run(train, {x: train_x[lo:lo + 100], y: train_y[lo:lo + 100]})
        assert sess.run(step) == 400
        predicted = np.argmax(sess.run(logits, {x: test_x}), axis=1)
    accuracy = np.mean(predicted == test_labels)
    assert accuracy >= 0.95, f"{opt_name}: test accuracy {accuracy:.3f} < 0.95"


def bars(n, seed):
    """8x8 one-channel images with one bright bar (plus noise); class 0 = horizontal, 1 = vertical."""
    rng = np.random.default_rng(seed)
    images = rng.normal(0, 0.3, (n, 8, 8, 1)).astype(np.float32)
    labels = rng.integers(0, 2, n)
    where = rng.integers(0, 8, n)
    for i in range(n):
        if labels[i] == 0:
            images[i, where[i], :, 0] += 1.0
        else:
            images[i, :, where[i], 0] += 1.0
    return images, np.eye(2, dtype=np.float32)[labels], labels


@pytest.mark.parametrize("opt_name", ["sgd", "momentum", "adam", "rmsprop", "adagrad"])
def test_cnn_learns_bar_orientation(opt_name):
    train_x, train_y, _ = bars(640, seed=4)
    test_x, _, test_labels = bars(400, seed=5)
    rng = np.random.default_rng(6)
    x = tf.placeholder(tf.float32, [None, 8, 8, 1])
    y = tf.placeholder(tf.float32, [None, 2])
    kernel = tf.Variable(rng.normal(0, 0.4, (3, 3, 1, 8)).astype(np.float32), name="conv/kernel")
    bias = tf.Variable(np.zeros(8, np.float32), name="conv/bias")
    h = tf.nn.relu(tf.nn.conv2d(x, kernel, strides=[1, 1, 1, 1], padding="SAME") + bias)
    h = tf.nn.max_pool(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
    h = tf.reshape(h, [-1, 4 * 4 * 8])
    logits = dense(h, 128, 2, rng, "out")
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
    opt = OPTIMIZERS[opt_name]()
    if opt_name == "sgd":
        opt = tf.train.GradientDescentOptimizer(0.1)
    train = opt.minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for i in range(150):
            lo = (i * 64) % len(train_x)
            sess.run(train, {x: train_x[lo:lo + 64], y: train_y[lo:lo + 64]})
        predicted = np.argmax(sess.run(logits, {x: test_x}), axis=1)
    accuracy = np.mean(predicted == test_labels)
    assert accuracy >= 0.95, f"{opt_name}: test accuracy {accuracy:.3f} < 0.95"


def test_training_with_exponential_decay_and_checkpoint(tmp_path):
    train_x, train_y, _ = xor_quadrants(1200, seed=1)
    test_x, _, test_labels = xor_quadrants(600, seed=2)
    rng = np.random.default_rng(3)
    x = tf.placeholder(tf.float32, [None, 8])
    y = tf.placeholder(tf.float32, [None, 2])
    h = tf.nn.relu(dense(x, 8, 32, rng, "hidden1"))
    h = tf.nn.relu(dense(h, 32, 32, rng, "hidden2"))
    logits = dense(h, 32, 2, rng, "out")
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
    step = tf.train.get_or_create_global_step()
    lr = tf.train.exponential_decay(0.02, step, decay_steps=100, decay_rate=0.5, staircase=True)
    train = tf.train.AdamOptimizer(lr).minimize(loss, global_step=step)
    saver = tf.train.Saver(max_to_keep=2)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for i in range(300):
            lo = (i * 100) % len(train_x)
            sess.run(train, {x: train_x[lo:lo + 100], y: train_y[lo:lo + 100]})
            if (i + 1) % 100 == 0:
                saver.save(sess, str(tmp_path / "model.ckpt"), global_step=step)
        assert sess.run(lr) == pytest.approx(0.02 * 0.5 ** 3)
        want = sess.run(logits, {x: test_x})
    latest = tf.train.latest_checkpoint(str(tmp_path))
    assert latest == str(tmp_path / "model.ckpt-300")
    with tf.Session() as sess:
        saver.restore(sess, latest)
        got = sess.run(logits, {x: test_x})
    np.testing.assert_array_equal(got, want)
    assert np.mean(np.argmax(got, axis=1) == test_labels) >= 0.95
