"""Keras as a simplified interface to TensorFlow: a `Sequential` model used as a function on a
placeholder (`h = model(x)`), trained by a plain TensorFlow 1 loop that writes summaries.

    python examples/keras_sequential.py         # then: tlboard --logdir runs/
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # for _data, when run from anywhere

from _data import arguments, load, report  # noqa: E402

import tlboard as tf  # noqa: E402  - the TensorFlow 1 API

Sequential = tf.keras.models.Sequential
Dense, Dropout = tf.keras.layers.Dense, tf.keras.layers.Dropout
K = tf.keras.backend

args = arguments("keras_sequential", __doc__)
data = load(args.mnist)
steps = 150 if args.quick else 1500

sess = tf.Session()
K.set_session(sess)  # Keras layers create their variables in our graph; we run them in our session

# The course's model: two hidden layers with dropout, 10 outputs (logits).
model = Sequential()
model.add(Dense(64, activation="relu", input_dim=data.pixels))
model.add(Dropout(0.5))
model.add(Dense(64, activation="relu"))
model.add(Dropout(0.5))
model.add(Dense(10))
model.summary()

x = tf.placeholder(tf.float32, shape=(None, data.pixels), name="x")
y_ = tf.placeholder(tf.float32, shape=(None, 10), name="labels")
logits = model(x)  # the model is a function of any tensor; its weights are shared across calls

loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y_, logits=logits))
train_step = tf.train.AdamOptimizer(0.005).minimize(loss)
accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y_, 1)), tf.float32))
tf.summary.scalar("loss", loss)
tf.summary.scalar("accuracy", accuracy)
for w in model.weights:
    tf.summary.histogram(w.name.replace(":", "_"), w)
merged = tf.summary.merge_all()

writer = tf.summary.FileWriter(args.logdir, sess.graph)
sess.run(tf.global_variables_initializer())
batches = data.batches(64)
for step in range(steps):
    batch_xs, batch_ys = next(batches)
    # learning_phase 1: Dropout is active while training; it defaults to 0 (test) otherwise
    feed = {x: batch_xs, y_: batch_ys, K.learning_phase(): True}
    if step % 10 == 0:
        summary, _ = sess.run([merged, train_step], feed_dict=feed)
        writer.add_summary(summary, step)
    else:
        sess.run(train_step, feed_dict=feed)
writer.close()

test_accuracy = sess.run(accuracy, feed_dict={x: data.x_test, y_: data.y_test})
sess.close()
report(float(test_accuracy), threshold=0.8 if args.quick else 0.93)
