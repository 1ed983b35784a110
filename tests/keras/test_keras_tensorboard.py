"""The Keras TensorBoard callback's event files, read back by stock TensorBoard's EventAccumulator."""
import numpy as np
import pytest

import tlboard as tf

event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator",
                                        reason="stock tensorboard is needed to check interop")
keras = tf.keras
L = keras.layers


def load_run(logdir):
    acc = event_accumulator.EventAccumulator(str(logdir), size_guidance={"scalars": 0, "histograms": 0})
    acc.Reload()
    return acc


def small_model():
    tf.set_random_seed(0)
    model = keras.models.Sequential([L.Dense(8, activation="relu", input_dim=4), L.Dense(2, activation="softmax")])
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    return model


def data(n=64):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    return x, keras.utils.to_categorical((x[:, 0] > 0).astype(int), 2)


def test_per_epoch_scalars_histograms_and_graph(tmp_path):
    x, y = data()
    model = small_model()
    callback = keras.callbacks.TensorBoard(log_dir=str(tmp_path), histogram_freq=1, write_graph=True)
    history = model.fit(x, y, epochs=3, verbose=0, validation_split=0.25, callbacks=[callback])
    run = load_run(tmp_path)
    tags = run.Tags()
    assert set(tags["scalars"]) == {"loss", "acc", "val_loss", "val_acc"}
    for tag in ("loss", "acc", "val_loss", "val_acc"):
        events = run.Scalars(tag)
        assert [e.step for e in events] == [0, 1, 2]
        np.testing.assert_allclose([e.value for e in events], history.history[tag], rtol=1e-6)
    assert set(tags["histograms"]) == {"dense_1/kernel_0", "dense_1/bias_0", "dense_2/kernel_0", "dense_2/bias_0"}
    kernel_hist = run.Histograms("dense_1/kernel_0")
    assert [h.step for h in kernel_hist] == [0, 1, 2]
    assert kernel_hist[-1].histogram_value.num == 32  # 4 x 8 weights
    np.testing.assert_allclose(kernel_hist[-1].histogram_value.sum, model.layers[0].get_weights()[0].sum(),
                               rtol=1e-4, atol=1e-5)
    assert tags["graph"] is True
    node_names = {n.name for n in run.Graph().node}
    assert {"dense_1/MatMul", "dense_1/kernel", "dense_2/Softmax"} <= node_names


def test_batch_level_scalars_and_no_graph(tmp_path):
    x, y = data(n=40)
    model = small_model()
    callback = keras.callbacks.TensorBoard(log_dir=str(tmp_path), write_graph=False, update_freq="batch")
    model.fit(x, y, epochs=2, batch_size=10, verbose=0, callbacks=[callback])
    run = load_run(tmp_path)
    assert run.Tags()["graph"] is False
    assert [e.step for e in run.Scalars("batch_loss")] == [10, 20, 30, 40, 50, 60, 70, 80]
    assert [e.step for e in run.Scalars("loss")] == [0, 1]
    with pytest.raises(ValueError, match="update_freq"):
        keras.callbacks.TensorBoard(log_dir=str(tmp_path), update_freq="hourly")
