"""Keras's own training loop: compile, fit with validation and the TensorBoard callback, evaluate.

    python examples/keras_fit.py                # then: tlboard --logdir runs/
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # for _data, when run from anywhere

from _data import arguments, load, report  # noqa: E402

import tlboard as tf  # noqa: E402  - the TensorFlow 1 API

keras = tf.keras
args = arguments("keras_fit", __doc__)
data = load(args.mnist)
epochs = 3 if args.quick else 20

model = keras.models.Sequential([
    keras.layers.Dense(128, activation="relu", input_shape=(data.pixels,)),
    keras.layers.Dropout(0.2),
    keras.layers.Dense(64, activation="relu", kernel_regularizer=keras.regularizers.l2(1e-4)),
    keras.layers.Dense(10, activation="softmax"),
])
model.summary()
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])

# Per-epoch loss/acc/val_loss/val_acc scalars, weight histograms and the graph, for TensorBoard.
tensorboard = keras.callbacks.TensorBoard(log_dir=args.logdir, histogram_freq=1, write_graph=True)
history = model.fit(data.x_train, data.y_train, batch_size=32, epochs=epochs, validation_split=0.1,
                    callbacks=[tensorboard], verbose=2)

loss, test_accuracy = model.evaluate(data.x_test, data.y_test, verbose=0)
print(f"test loss: {loss:.4f}")
report(float(test_accuracy), threshold=0.85 if args.quick else 0.95)
