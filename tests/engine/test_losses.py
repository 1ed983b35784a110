"""tf.losses: values against NumPy formulas written here, TF1's default SUM_BY_NONZERO_WEIGHTS reduction and
the other reductions, the LOSSES / REGULARIZATION_LOSSES collections, gradients and bad input."""
import numpy as np
import pytest
from gradcheck import check_gradients

import tlboard as tf

RNG = np.random.default_rng(11)


# tf.losses computes in float32 (as TF1 does, whatever the input dtype), so finite differences use a wider step.
F32_CHECK = {"eps": 1e-3, "rtol": 2e-3, "atol": 2e-4}


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def log_softmax(x):
    m = x.max(-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(-1, keepdims=True))


def test_mean_squared_error_default_reduction_and_collection():
    labels = RNG.normal(size=(4, 3)).astype(np.float32)
    preds = RNG.normal(size=(4, 3)).astype(np.float32)
    loss = tf.losses.mean_squared_error(labels, preds)
    assert loss.shape.as_list() == [] and loss.dtype == tf.float32
    assert loss.op.name.startswith("mean_squared_error/")
    assert tf.losses.get_losses() == [loss]
    assert tf.get_collection(tf.GraphKeys.LOSSES) == [loss]
    np.testing.assert_allclose(run(loss), np.mean((preds.astype(np.float64) - labels) ** 2), rtol=1e-5)


def test_sum_by_nonzero_weights_counts_only_weighted_elements():
    labels = np.zeros((2, 3), np.float32)
    preds = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], np.float32)
    w = np.array([[2.0], [0.0]], np.float32)  # broadcast along rows: 3 of 6 elements present
    loss = tf.losses.absolute_difference(labels, preds, weights=w)
    np.testing.assert_allclose(run(loss), (2 * 1 + 2 * 2 + 2 * 3) / 3.0, rtol=1e-6)
    zero = tf.losses.absolute_difference(labels, preds, weights=0.0)
    assert run(zero) == 0.0  # no present element: 0, not NaN


@pytest.mark.parametrize("reduction,want", [
    (tf.losses.Reduction.NONE, lambda l, w: l * w),
    (tf.losses.Reduction.SUM, lambda l, w: np.sum(l * w)),
    (tf.losses.Reduction.MEAN, lambda l, w: np.sum(l * w) / np.sum(np.broadcast_to(w, l.shape))),
    (tf.losses.Reduction.SUM_OVER_BATCH_SIZE, lambda l, w: np.sum(l * w) / l.size),
    (tf.losses.Reduction.SUM_BY_NONZERO_WEIGHTS, lambda l, w: np.sum(l * w) / np.sum(np.broadcast_to(w, l.shape) != 0)),
])
def test_reductions(reduction, want):
    labels = RNG.normal(size=(3, 2))
    preds = RNG.normal(size=(3, 2))
    w = np.array([[0.5], [0.0], [2.0]])
    loss = tf.losses.mean_squared_error(labels, preds, weights=w, reduction=reduction)
    np.testing.assert_allclose(run(loss), want((preds - labels) ** 2, w), rtol=1e-5)


def test_reduction_names_and_validation():
    assert tf.losses.Reduction.SUM_BY_NONZERO_WEIGHTS == "weighted_sum_by_nonzero_weights"
    assert tf.losses.Reduction.SUM_OVER_NONZERO_WEIGHTS == tf.losses.Reduction.SUM_BY_NONZERO_WEIGHTS
    with pytest.raises(ValueError, match="Invalid Reduction Key"):
        tf.losses.mean_squared_error([1.0], [2.0], reduction="average")


def test_softmax_cross_entropy_with_label_smoothing_and_weights():
    logits = RNG.normal(size=(4, 3))
    onehot = np.eye(3)[[0, 2, 1, 1]]
    w = np.array([1.0, 2.0, 0.0, 1.0])
    loss = tf.losses.softmax_cross_entropy(onehot, logits, weights=w, label_smoothing=0.3)
    smooth = onehot * 0.7 + 0.1
    per = -np.sum(smooth * log_softmax(logits), axis=1)
    np.testing.assert_allclose(run(loss), np.sum(per * w) / 3, rtol=1e-5)
    # No gradient into the labels (TF stops it); the logits gradient matches finite differences.
    lab, lg = tf.constant(onehot), tf.constant(logits)
    g_lab, g_lg = tf.gradients(tf.losses.softmax_cross_entropy(lab, lg), [lab, lg])
    assert g_lab is None and g_lg is not None
    check_gradients(lambda x: tf.losses.softmax_cross_entropy(onehot, x, label_smoothing=0.1), [logits], **F32_CHECK)


def test_sparse_softmax_cross_entropy():
    logits = RNG.normal(size=(5, 4)).astype(np.float32)
    labels = np.array([3, 0, 1, 1, 2])
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    want = -np.mean(log_softmax(logits.astype(np.float64))[np.arange(5), labels])
    np.testing.assert_allclose(run(loss), want, rtol=1e-5)
    loss_col = tf.losses.sparse_softmax_cross_entropy(labels.reshape(5, 1), logits)  # [batch, 1] labels
    np.testing.assert_allclose(run(loss_col), want, rtol=1e-5)
    check_gradients(lambda x: tf.losses.sparse_softmax_cross_entropy(labels, x), [logits.astype(np.float64)],
                    **F32_CHECK)


def test_sigmoid_cross_entropy():
    logits = RNG.normal(size=(3, 2))
    labels = np.array([[1.0, 0.0], [0.0, 0.0], [1.0, 1.0]])
    loss = tf.losses.sigmoid_cross_entropy(labels, logits, label_smoothing=0.2)
    z = labels * 0.8 + 0.1
    per = z * np.logaddexp(0, -logits) + (1 - z) * np.logaddexp(0, logits)
    np.testing.assert_allclose(run(loss), per.mean(), rtol=1e-5)


def test_log_hinge_huber_cosine():
    p = np.array([0.1, 0.8, 0.5], np.float32)
    y = np.array([0.0, 1.0, 1.0], np.float32)
    eps = 1e-7
    want = np.mean(-y * np.log(p + eps) - (1 - y) * np.log(1 - p + eps))
    np.testing.assert_allclose(run(tf.losses.log_loss(y, p)), want, rtol=1e-5)
    logits = np.array([0.3, -2.0, 0.5], np.float32)
    np.testing.assert_allclose(run(tf.losses.hinge_loss(y, logits)),
                               np.mean(np.maximum(0, 1 - (2 * y - 1) * logits)), rtol=1e-6)
    e = np.array([0.5, -3.0, 1.5], np.float32)
    hub = np.where(np.abs(e) <= 1.0, 0.5 * e ** 2, np.abs(e) - 0.5)
    np.testing.assert_allclose(run(tf.losses.huber_loss(np.zeros(3), e)), hub.mean(), rtol=1e-6)
    a = np.array([[1.0, 0.0], [0.6, 0.8]])
    b = np.array([[0.0, 1.0], [0.6, 0.8]])
    # Per-row 1 - <a, b> with keepdims, averaged: (1 + 0) / 2.
    np.testing.assert_allclose(run(tf.losses.cosine_distance(a, b, axis=1)), 0.5, rtol=1e-6)


def test_collections_regularization_and_total_loss():
    w = tf.Variable([3.0, 4.0])
    tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, tf.nn.l2_loss(w))
    tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, tf.multiply(0.5, tf.reduce_sum(w)))
    reg = tf.losses.get_regularization_loss()
    assert reg.op.name == "total_regularization_loss"
    assert len(tf.losses.get_regularization_losses()) == 2
    data = tf.losses.absolute_difference([1.0, 1.0], [3.0, 1.0])
    extra = tf.constant(10.0)
    tf.losses.add_loss(extra)
    assert tf.losses.get_losses() == [data, extra]
    total = tf.losses.get_total_loss()
    assert total.op.name == "total_loss"
    only_data = tf.losses.get_total_loss(add_regularization_losses=False, name="data_loss")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        r, t, d = sess.run([reg, total, only_data])
    assert r == pytest.approx(12.5 + 3.5)
    assert d == pytest.approx(1.0 + 10.0)
    assert t == pytest.approx(1.0 + 10.0 + 16.0)
    tf.losses.mean_squared_error([1.0], [2.0], loss_collection=None)
    assert len(tf.losses.get_losses()) == 2  # loss_collection=None adds nothing


def test_empty_collections():
    assert run(tf.losses.get_regularization_loss()) == 0.0
    with pytest.raises(ValueError, match="No losses"):
        tf.losses.get_total_loss()


def test_bad_inputs():
    with pytest.raises(ValueError, match="labels must not be None"):
        tf.losses.mean_squared_error(None, [1.0])
    with pytest.raises(ValueError, match="are incompatible"):
        tf.losses.mean_squared_error(tf.zeros([2, 3]), tf.zeros([3, 2]))
    with pytest.raises(ValueError, match="weights can not be broadcast to values"):
        tf.losses.mean_squared_error(tf.zeros([2, 3]), tf.zeros([2, 3]), weights=tf.ones([2]))


def test_mse_gradient_with_weights():
    w = np.array([[1.0, 0.0, 2.0]])
    check_gradients(lambda y, p: tf.losses.mean_squared_error(y, p, weights=w),
                    [RNG.normal(size=(2, 3)), RNG.normal(size=(2, 3))], **F32_CHECK)
