"""Softmax regression on digits: the classic first TensorFlow 1 model, with TensorBoard summaries.

    python examples/mnist_softmax.py            # then: tlboard --logdir runs/
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # for _data, when run from anywhere

from _data import arguments, load, report  # noqa: E402

import tlboard as tf  # noqa: E402  - the TensorFlow 1 API

args = arguments("mnist_softmax", __doc__)
data = load(args.mnist)
steps = 100 if args.quick else 1000

# The model: y = softmax(x W + b), with W and b starting at zero.
x = tf.placeholder(tf.float32, [None, data.pixels], name="x")
W = tf.Variable(tf.zeros([data.pixels, 10]), name="W")
b = tf.Variable(tf.zeros([10]), name="b")
y = tf.matmul(x, W) + b  # logits; softmax is applied inside the loss

# The loss: cross-entropy between the true labels y_ and softmax(y).
y_ = tf.placeholder(tf.float32, [None, 10], name="y_")
cross_entropy = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=y))
train_step = tf.train.GradientDescentOptimizer(0.5).minimize(cross_entropy)

correct_prediction = tf.equal(tf.argmax(y, 1), tf.argmax(y_, 1))
accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))

# What TensorBoard will show: the loss and accuracy curves, the weights' histogram, and the graph.
tf.summary.scalar("cross_entropy", cross_entropy)
tf.summary.scalar("accuracy", accuracy)
tf.summary.histogram("weights", W)
merged = tf.summary.merge_all()

sess = tf.InteractiveSession()
writer = tf.summary.FileWriter(args.logdir, sess.graph)
tf.global_variables_initializer().run()

batches = data.batches(100)
for step in range(steps):
    batch_xs, batch_ys = next(batches)
    if step % 10 == 0:
        summary, _ = sess.run([merged, train_step], feed_dict={x: batch_xs, y_: batch_ys})
        writer.add_summary(summary, step)
    else:
        sess.run(train_step, feed_dict={x: batch_xs, y_: batch_ys})
writer.close()

test_accuracy = sess.run(accuracy, feed_dict={x: data.x_test, y_: data.y_test})
sess.close()
report(float(test_accuracy), threshold=0.85)
