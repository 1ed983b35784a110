"""tf.metrics: streaming values over several batches against NumPy on the concatenated data, weights,
resets by local_variables_initializer, collections and variable names."""
import numpy as np
import pytest

import tlboard as tf

RNG = np.random.default_rng(0)
BATCHES = [RNG.integers(0, 2, size=(n, 2)) for n in (5, 8, 3, 6)]  # columns: label, prediction
WEIGHTS = [RNG.uniform(0.0, 2.0, size=len(b)) for b in BATCHES]


def _stream(value, update, feeds):
    """Runs `update` once per feed dict; returns each update's result and the final value."""
    with tf.Session() as s:
        s.run(tf.local_variables_initializer())
        assert s.run(value) == 0.0  # nothing seen yet: 0, not NaN
        updates = [s.run(update, f) for f in feeds]
        return updates, s.run(value)


def _labels_predictions():
    labels = tf.placeholder(tf.int64, [None], name="labels")
    predictions = tf.placeholder(tf.int64, [None], name="predictions")
    feeds = [{labels: b[:, 0], predictions: b[:, 1]} for b in BATCHES]
    return labels, predictions, feeds


def _prefix_metrics(fn):
    """fn(labels, predictions, weights) of NumPy arrays, evaluated on the first 1, 2, ... batches."""
    out = []
    for i in range(1, len(BATCHES) + 1):
        data = np.concatenate(BATCHES[:i])
        out.append(fn(data[:, 0], data[:, 1], np.concatenate(WEIGHTS[:i])))
    return out


def test_accuracy_streams_over_batches():
    labels, predictions, feeds = _labels_predictions()
    acc, update = tf.metrics.accuracy(labels, predictions)
    updates, final = _stream(acc, update, feeds)
    expected = _prefix_metrics(lambda y, p, w: np.mean(y == p))
    np.testing.assert_allclose(updates, expected, rtol=1e-6)
    assert final == pytest.approx(expected[-1], rel=1e-6)


def test_weighted_accuracy_and_mean():
    labels, predictions, feeds = _labels_predictions()
    weights = tf.placeholder(tf.float32, [None])
    for f, w in zip(feeds, WEIGHTS):
        f[weights] = w
    acc, acc_update = tf.metrics.accuracy(labels, predictions, weights=weights)
    mean, mean_update = tf.metrics.mean(tf.cast(predictions, tf.float32) * 3.0 + 1.0, weights=weights)
    with tf.Session() as s:
        s.run(tf.local_variables_initializer())
        got = [s.run([acc_update, mean_update], f) for f in feeds]
    exp_acc = _prefix_metrics(lambda y, p, w: np.sum(w * (y == p)) / np.sum(w))
    exp_mean = _prefix_metrics(lambda y, p, w: np.sum(w * (3.0 * p + 1.0)) / np.sum(w))
    np.testing.assert_allclose([g[0] for g in got], exp_acc, rtol=1e-5)
    np.testing.assert_allclose([g[1] for g in got], exp_mean, rtol=1e-5)


def test_scalar_weight_and_column_predictions():
    labels = tf.constant([1, 2, 3, 4])
    predictions = tf.constant([[1], [2], [0], [0]])  # a trailing size-1 dim is squeezed, as in TF
    acc, update = tf.metrics.accuracy(labels, predictions, weights=2.0)
    _, final = _stream(acc, update, [{}, {}])
    assert final == pytest.approx(0.5)


def test_mean_and_mean_squared_error():
    values = tf.placeholder(tf.float32, [None, 2])
    target = tf.placeholder(tf.float32, [None, 2])
    mean, mean_update = tf.metrics.mean(values)
    mse, mse_update = tf.metrics.mean_squared_error(target, values)
    data = [RNG.normal(size=(n, 2)).astype(np.float32) for n in (3, 4, 2)]
    goal = [RNG.normal(size=(n, 2)).astype(np.float32) for n in (3, 4, 2)]
    with tf.Session() as s:
        s.run(tf.local_variables_initializer())
        for d, g in zip(data, goal):
            s.run([mean_update, mse_update], {values: d, target: g})
        got_mean, got_mse = s.run([mean, mse])
    all_d, all_g = np.concatenate(data), np.concatenate(goal)
    assert got_mean == pytest.approx(all_d.mean(), rel=1e-5)
    assert got_mse == pytest.approx(np.mean((all_d - all_g) ** 2), rel=1e-5)


@pytest.mark.parametrize("metric, numpy_fn", [
    ("precision", lambda y, p, w: np.sum(y & p) / np.sum(p)),
    ("recall", lambda y, p, w: np.sum(y & p) / np.sum(y)),
    ("true_positives", lambda y, p, w: np.sum(y & p)),
    ("false_positives", lambda y, p, w: np.sum((1 - y) & p)),
    ("false_negatives", lambda y, p, w: np.sum(y & (1 - p))),
])
def test_confusion_metrics_stream(metric, numpy_fn):
    labels, predictions, feeds = _labels_predictions()
    value, update = getattr(tf.metrics, metric)(labels, predictions)
    updates, final = _stream(value, update, feeds)
    expected = _prefix_metrics(numpy_fn)
    np.testing.assert_allclose(updates, expected, rtol=1e-6)
    assert final == pytest.approx(expected[-1], rel=1e-6)


def test_weighted_precision_recall_with_float_predictions():
    labels = tf.constant([1, 1, 0, 0, 1])
    predictions = tf.constant([0.9, 0.0, 0.7, 0.0, 0.3])  # nonzero counts as positive (a cast to bool)
    weights = tf.constant([1.0, 2.0, 3.0, 4.0, 0.5])
    prec, prec_update = tf.metrics.precision(labels, predictions, weights=weights)
    rec, rec_update = tf.metrics.recall(labels, predictions, weights=weights)
    with tf.Session() as s:
        s.run(tf.local_variables_initializer())
        s.run([prec_update, rec_update])
        p, r = s.run([prec, rec])
    assert p == pytest.approx(1.5 / 4.5) and r == pytest.approx(1.5 / 3.5)


def test_local_variables_initializer_resets():
    labels, predictions, feeds = _labels_predictions()
    acc, update = tf.metrics.accuracy(labels, predictions)
    with tf.Session() as s:
        s.run(tf.local_variables_initializer())
        s.run(update, feeds[0])
        s.run(update, feeds[1])
        s.run(tf.local_variables_initializer())
        assert s.run(acc) == 0.0
        s.run(update, feeds[2])
        b = BATCHES[2]
        assert s.run(acc) == pytest.approx(np.mean(b[:, 0] == b[:, 1]))


def test_uninitialized_metric_variables_raise():
    acc, update = tf.metrics.accuracy([1, 0], [1, 1])
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())  # metric variables are local, not global
        with pytest.raises(tf.errors.FailedPreconditionError):
            s.run(update)


def test_variable_names_and_collections():
    labels, predictions, _ = _labels_predictions()
    acc, acc_update = tf.metrics.accuracy(labels, predictions, metrics_collections=["my_metrics"],
                                          updates_collections=[tf.GraphKeys.UPDATE_OPS])
    tf.metrics.accuracy(labels, predictions)
    tf.metrics.precision(labels, predictions, name="prec")
    tf.metrics.recall(labels, predictions)
    names = [v.name for v in tf.local_variables()]
    assert names == ["accuracy/total:0", "accuracy/count:0", "accuracy_1/total:0", "accuracy_1/count:0",
                     "prec/true_positives/count:0", "prec/false_positives/count:0",
                     "recall/true_positives/count:0", "recall/false_negatives/count:0"]
    assert [v.name for v in tf.get_collection("metric_variables")] == names
    assert tf.global_variables() == [] and tf.trainable_variables() == []
    assert tf.get_collection("my_metrics") == [acc]
    assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == [acc_update]
    assert acc.name == "accuracy/value:0" and acc_update.name == "accuracy/update_op:0"


def _numpy_auc(labels, scores):
    """The ROC AUC as the probability that a positive outranks a negative (ties count half)."""
    pos, neg = scores[labels == 1], scores[labels == 0]
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return wins / (len(pos) * len(neg))


def test_auc_streams_close_to_exact_roc_auc():
    labels = tf.placeholder(tf.int64, [None])
    scores = tf.placeholder(tf.float32, [None])
    auc, update = tf.metrics.auc(labels, scores, num_thresholds=1000)
    ys = [RNG.integers(0, 2, size=50) for _ in range(3)]
    ss = [np.clip(0.3 * y + RNG.uniform(0, 0.7, size=50), 0, 1).astype(np.float32) for y in ys]
    with tf.Session() as s:
        s.run(tf.local_variables_initializer())
        for y, sc in zip(ys, ss):
            s.run(update, {labels: y, scores: sc})
        got = s.run(auc)
    assert got == pytest.approx(_numpy_auc(np.concatenate(ys), np.concatenate(ss)), abs=2e-3)
    assert [v.name for v in tf.local_variables()] == ["auc/true_positives:0", "auc/false_negatives:0",
                                                      "auc/true_negatives:0", "auc/false_positives:0"]
