"""A small convolutional network on digits, instrumented for TensorBoard the TensorFlow 1 way:
scalar, histogram and image summaries, `merge_all`, and separate train and test writers.

    python examples/mnist_cnn.py                # then: tlboard --logdir runs/
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # for _data, when run from anywhere

from _data import arguments, load, report  # noqa: E402

import tlboard as tf  # noqa: E402  - the TensorFlow 1 API

args = arguments("mnist_cnn", __doc__)
data = load(args.mnist)
steps = 80 if args.quick else 400
side = data.side
# Wider layers for 28x28 MNIST, narrow ones for 8x8 digits (both train in well under a minute).
conv1, conv2, hidden = (32, 64, 1024) if side >= 28 else (16, 32, 128)
tf.set_random_seed(0)


def variable_summaries(var, name):
    """Mean, standard deviation, extremes and a histogram of a tensor, under one name scope."""
    with tf.name_scope(name):
        # (ops named apart from the tags: op names are unique case-insensitively, so a `Mean` op would
        # turn the tag "mean" into "mean_1", as in TensorFlow)
        mean = tf.reduce_mean(var, name="average")
        tf.summary.scalar("mean", mean)
        tf.summary.scalar("stddev", tf.sqrt(tf.reduce_mean(tf.square(var - mean), name="variance")))
        tf.summary.scalar("max", tf.reduce_max(var, name="largest"))
        tf.summary.scalar("min", tf.reduce_min(var, name="smallest"))
        tf.summary.histogram("histogram", var)


def weight(shape):
    return tf.Variable(tf.truncated_normal(shape, stddev=0.1), name="weights")


def bias(shape):
    return tf.Variable(tf.constant(0.1, shape=shape), name="biases")


with tf.name_scope("input"):
    x = tf.placeholder(tf.float32, [None, data.pixels], name="x-input")
    y_ = tf.placeholder(tf.float32, [None, 10], name="y-input")
    images = tf.reshape(x, [-1, side, side, 1])
    tf.summary.image("digits", images, 10)

keep_prob = tf.placeholder_with_default(1.0, shape=[], name="keep_prob")

with tf.name_scope("conv1"):  # side x side x 1 -> side/2 x side/2 x conv1
    W = weight([5, 5, 1, conv1])
    variable_summaries(W, "weight_summaries")
    h = tf.nn.relu(tf.nn.conv2d(images, W, strides=[1, 1, 1, 1], padding="SAME") + bias([conv1]))
    h = tf.nn.max_pool(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")

with tf.name_scope("conv2"):  # -> side/4 x side/4 x conv2
    W = weight([5, 5, conv1, conv2])
    variable_summaries(W, "weight_summaries")
    h = tf.nn.relu(tf.nn.conv2d(h, W, strides=[1, 1, 1, 1], padding="SAME") + bias([conv2]))
    h = tf.nn.max_pool(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")

with tf.name_scope("fc1"):
    flat_size = (-(-side // 4)) ** 2 * conv2
    W = weight([flat_size, hidden])
    variable_summaries(W, "weight_summaries")
    h = tf.nn.relu(tf.matmul(tf.reshape(h, [-1, flat_size]), W) + bias([hidden]))
    tf.summary.histogram("activations", h)

with tf.name_scope("dropout"):
    tf.summary.scalar("dropout_keep_probability", keep_prob)
    h = tf.nn.dropout(h, keep_prob)

with tf.name_scope("fc2"):
    logits = tf.matmul(h, weight([hidden, 10])) + bias([10])

with tf.name_scope("loss"):
    cross_entropy = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y_, logits=logits))
tf.summary.scalar("cross_entropy", cross_entropy)

with tf.name_scope("train"):
    train_step = tf.train.AdamOptimizer(1e-3).minimize(cross_entropy)

with tf.name_scope("evaluation"):
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y_, 1)), tf.float32))
tf.summary.scalar("accuracy", accuracy)

merged = tf.summary.merge_all()
with tf.Session() as sess:
    # Two runs side by side in TensorBoard: `train` (with the graph) and `test`.
    train_writer = tf.summary.FileWriter(os.path.join(args.logdir, "train"), sess.graph)
    test_writer = tf.summary.FileWriter(os.path.join(args.logdir, "test"))
    sess.run(tf.global_variables_initializer())
    batches = data.batches(50)
    test_feed = {x: data.x_test, y_: data.y_test}
    for step in range(steps):
        if step % 10 == 0:  # measure on the test set (dropout off)
            summary, acc = sess.run([merged, accuracy], feed_dict=test_feed)
            test_writer.add_summary(summary, step)
        batch_xs, batch_ys = next(batches)
        summary, _ = sess.run([merged, train_step], feed_dict={x: batch_xs, y_: batch_ys, keep_prob: 0.5})
        train_writer.add_summary(summary, step)
    test_accuracy = sess.run(accuracy, feed_dict=test_feed)
    train_writer.close()
    test_writer.close()

report(float(test_accuracy), threshold=0.75 if args.quick else 0.95)
