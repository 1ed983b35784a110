"""tf.keras training: compile/fit/evaluate/predict, regularization, optimizers, callbacks, weights on disk."""
import io

import numpy as np
import pytest

import tlboard as tf

keras = tf.keras
L = keras.layers
K = keras.backend


def blobs(n=300, dims=8, classes=3, seed=0):
    """Separable Gaussian clusters: (x, one-hot y, integer labels)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, classes, n)
    centers = rng.normal(0, 3, (classes, dims))
    x = (centers[labels] + rng.normal(0, 1, (n, dims))).astype(np.float32)
    return x, np.eye(classes, dtype=np.float32)[labels], labels


def mlp(dims=8, classes=3, dropout=0.0, **dense_kwargs):
    tf.set_random_seed(0)  # reproducible initial weights (and fit's shuffling below)
    np.random.seed(0)
    layers = [L.Dense(16, activation="relu", input_dim=dims, **dense_kwargs)]
    if dropout:
        layers.append(L.Dropout(dropout))
    layers.append(L.Dense(classes, activation="softmax", **dense_kwargs))
    return keras.models.Sequential(layers)


def test_fit_evaluate_predict_shapes_and_learning(capsys):
    x, y, _ = blobs()
    model = mlp()
    model.compile(optimizer=keras.optimizers.Adam(lr=0.01), loss="categorical_crossentropy", metrics=["accuracy"])
    assert model.metrics_names == ["loss", "acc"]
    before = model.evaluate(x, y, verbose=0)
    history = model.fit(x, y, batch_size=32, epochs=5, verbose=1, validation_data=(x[:50], y[:50]))
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Epoch 1/5" and out[2] == "Epoch 2/5"
    assert out[1].startswith("300/300 [==============================] - 0s - loss: ")
    assert " - acc: " in out[1] and " - val_loss: " in out[1] and " - val_acc: " in out[1]
    assert set(history.history) == {"loss", "acc", "val_loss", "val_acc"}
    assert all(len(v) == 5 for v in history.history.values()) and history.epoch == [0, 1, 2, 3, 4]
    assert history.history["loss"][-1] < history.history["loss"][0]
    loss, acc = model.evaluate(x, y, verbose=0)
    assert loss < before[0] and acc > 0.9
    probs = model.predict(x, batch_size=64)
    assert probs.shape == (300, 3) and probs.dtype == np.float32
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    # evaluate's accuracy is the fraction of argmax hits of predict's output
    assert acc == pytest.approx((probs.argmax(1) == y.argmax(1)).mean(), abs=1e-6)
    assert model.predict_classes(x[:4]).shape == (4,)


def test_losses_and_metric_variants():
    x, y, labels = blobs(seed=1)
    sparse = mlp()
    sparse.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    sparse.fit(x, labels, epochs=3, verbose=0)
    loss, acc = sparse.evaluate(x, labels, verbose=0)
    p = sparse.predict(x)
    assert loss == pytest.approx(-np.log(p[np.arange(len(p)), labels]).mean(), rel=1e-4)
    assert acc == pytest.approx((p.argmax(1) == labels).mean(), abs=1e-6)

    reg = keras.models.Sequential([L.Dense(1, input_dim=8)])
    reg.compile(keras.optimizers.SGD(lr=0.01), "mse", metrics=["mae"])
    target = x @ np.linspace(-1, 1, 8).astype(np.float32)
    hist = reg.fit(x, target, epochs=10, verbose=0)
    assert reg.metrics_names == ["loss", "mean_absolute_error"]
    mse, mae = reg.evaluate(x, target, verbose=0)
    pred = reg.predict(x)[:, 0]
    assert mse == pytest.approx(((pred - target) ** 2).mean(), rel=1e-4)
    assert mae == pytest.approx(np.abs(pred - target).mean(), rel=1e-4)
    assert hist.history["loss"][-1] < hist.history["loss"][0] / 10

    binary = keras.models.Sequential([L.Dense(1, activation="sigmoid", input_dim=8)])
    binary.compile("rmsprop", "binary_crossentropy", metrics=["accuracy"])
    yb = (labels == 0).astype(np.float32)
    binary.fit(x, yb, epochs=5, verbose=0)
    loss, acc = binary.evaluate(x, yb, verbose=0)
    pb = binary.predict(x)[:, 0]
    eps = 1e-7
    pc = np.clip(pb, eps, 1 - eps)
    assert loss == pytest.approx(-(yb * np.log(pc) + (1 - yb) * np.log(1 - pc)).mean(), rel=1e-3)
    assert acc == pytest.approx(((pb > 0.5) == yb).mean(), abs=1e-6)


def test_compile_takes_tf_train_and_keras_optimizers():
    x, y, _ = blobs(seed=2)
    for opt in (tf.train.GradientDescentOptimizer(0.1), keras.optimizers.Adam(lr=0.01),
                keras.optimizers.SGD(lr=0.05, momentum=0.9, nesterov=True), keras.optimizers.RMSprop(),
                keras.optimizers.Adagrad(lr=0.1)):
        tf.reset_default_graph()
        model = mlp()
        model.compile(opt, "categorical_crossentropy")
        before = model.evaluate(x, y, verbose=0)
        model.fit(x, y, epochs=3, verbose=0)
        assert model.evaluate(x, y, verbose=0) < before, type(opt).__name__
    with pytest.raises(ValueError, match="Unknown optimizer: adamax2"):
        mlp().compile("adamax2", "mse")


def test_one_sgd_step_matches_the_hand_computed_update():
    x = np.array([[1.0, 2.0], [3.0, -1.0]], np.float32)
    t = np.array([[1.0], [0.0]], np.float32)
    model = keras.models.Sequential([L.Dense(1, input_dim=2, kernel_initializer="ones",
                                             bias_initializer="zeros")])
    model.compile(keras.optimizers.SGD(lr=0.1), "mse")
    loss = model.train_on_batch(x, t)
    w = np.ones((2, 1))
    err = x @ w - t  # mse = mean(err^2): d/dw = 2/n x^T err, d/db = 2/n sum(err)
    assert loss == pytest.approx((err ** 2).mean(), rel=1e-6)
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(kernel, w - 0.1 * x.T @ err, rtol=1e-5)
    np.testing.assert_allclose(bias, -0.1 * err.sum(axis=0), rtol=1e-5)


def test_l2_regularization_joins_the_loss_and_shrinks_weights():
    x, y, _ = blobs(seed=3)
    norms = {}
    for strength in (0.0, 0.1):
        tf.reset_default_graph()
        np.random.seed(0)
        reg = keras.regularizers.l2(strength) if strength else None
        model = mlp(kernel_regularizer=reg, kernel_initializer=keras.initializers.RandomNormal(0, 0.3, seed=1))
        if strength:
            assert len(model.losses) == 2
            assert set(model.losses) == set(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES))
            kernels = K.batch_get_value([model.layers[0].kernel, model.layers[1].kernel])
            penalty = strength * sum((k.astype(np.float64) ** 2).sum() for k in kernels)
            assert K.get_value(tf.add_n(model.losses)) == pytest.approx(penalty, rel=1e-5)
        model.compile(keras.optimizers.SGD(lr=0.05), "categorical_crossentropy")
        if strength:  # the reported loss is the data loss plus the penalty
            p = model.predict(x)
            data_loss = -np.log(p[y.astype(bool)].astype(np.float64)).mean()
            assert model.evaluate(x, y, verbose=0) == pytest.approx(data_loss + penalty, rel=1e-4)
        model.fit(x, y, epochs=10, verbose=0, shuffle=False)
        norms[strength] = sum(np.linalg.norm(k) for k in model.get_weights()[::2])
    assert norms[0.1] < 0.8 * norms[0.0]
    l1 = keras.regularizers.l1_l2(l1=0.5, l2=0.25)
    w = np.array([[1.0, -2.0]], np.float32)
    assert K.get_value(l1(tf.constant(w))) == pytest.approx(0.5 * 3 + 0.25 * 5)


def test_dropout_model_evaluates_deterministically_but_trains_stochastically():
    x, y, _ = blobs(seed=4)
    model = mlp(dropout=0.5)
    model.compile("sgd", "categorical_crossentropy")
    assert model.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)
    np.testing.assert_array_equal(model.predict(x), model.predict(x))
    sess = K.get_session()
    feed = {model.inputs[0]: x, K.learning_phase(): True}
    a, b = sess.run(model.outputs[0], feed), sess.run(model.outputs[0], feed)
    assert not np.array_equal(a, b)


def test_batchnorm_moving_stats_are_updated_by_fit_only():
    x, y, _ = blobs(seed=5)
    model = keras.models.Sequential([L.Dense(4, input_dim=8), L.BatchNormalization(), L.Dense(3, activation="softmax")])
    model.compile("sgd", "categorical_crossentropy")
    bn = model.layers[1]
    assert model.updates == bn.updates and len(bn.updates) == 2
    model.evaluate(x, y, verbose=0)
    model.predict(x)
    np.testing.assert_array_equal(K.get_value(bn.moving_mean), np.zeros(4))
    model.fit(x, y, epochs=1, verbose=0)
    assert np.abs(K.get_value(bn.moving_mean)).max() > 0


def test_weights_saved_and_loaded_give_identical_predictions(tmp_path):
    x, y, _ = blobs(seed=6)
    model = mlp()
    model.compile("adam", "categorical_crossentropy")
    model.fit(x, y, epochs=2, verbose=0)
    path = tmp_path / "weights.npz"
    model.save_weights(path)
    with np.load(path) as f:
        assert list(f["__order__"]) == [w.name for w in model.weights]
        np.testing.assert_array_equal(f["dense_1/kernel:0"], model.layers[0].get_weights()[0])
    expected = model.predict(x)
    tf.reset_default_graph()
    fresh = mlp()
    assert not np.allclose(fresh.predict(x), expected)
    fresh.load_weights(path)
    np.testing.assert_array_equal(fresh.predict(x), expected)
    fresh.set_weights([np.zeros_like(w) for w in fresh.get_weights()])
    np.testing.assert_allclose(fresh.predict(x), 1 / 3, rtol=1e-6)
    with pytest.raises(ValueError, match="containing 4 weights into a model with 2 weights"):
        keras.models.Sequential([L.Dense(3, input_dim=8)]).load_weights(path)
    with pytest.raises(ValueError, match="has shape"):
        keras.models.Sequential([L.Dense(16, input_dim=7), L.Dense(3)]).load_weights(path)
    with pytest.raises(ValueError, match="weight list of length 1"):
        fresh.layers[0].set_weights([np.zeros((8, 16))])


def test_callbacks_history_early_stopping_lambda():
    x, y, _ = blobs(seed=7)
    model = mlp()
    model.compile(keras.optimizers.SGD(lr=0.0), "categorical_crossentropy")  # nothing improves
    seen = []
    log = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append((epoch, sorted(logs))))
    stop = keras.callbacks.EarlyStopping(monitor="loss", min_delta=1e-3, patience=2)
    history = model.fit(x, y, epochs=20, verbose=0, callbacks=[log, stop])
    assert len(history.epoch) == 3 and stop.stopped_epoch == 2
    assert seen == [(e, ["loss"]) for e in range(3)]


def test_validation_split_uses_the_last_samples():
    x, y, _ = blobs(n=100, seed=8)
    model = mlp()
    model.compile("sgd", "categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=1, verbose=0, validation_split=0.2, shuffle=False)
    val_loss, val_acc = model.evaluate(x[80:], y[80:], verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(val_loss, rel=1e-5)
    assert history.history["val_acc"][0] == pytest.approx(val_acc)


def test_bad_input_gets_clear_errors():
    x, y, _ = blobs(seed=9)
    model = mlp()
    with pytest.raises(RuntimeError, match="must compile"):
        model.fit(x, y, verbose=0)
    model.compile("sgd", "categorical_crossentropy")
    shape_error = r"expected dense_1_input to have shape \(8,\) but got array with shape \(5,\)"
    with pytest.raises(ValueError, match=shape_error):
        model.fit(x[:, :5], y, verbose=0)
    with pytest.raises(ValueError, match="same number of samples"):
        model.fit(x, y[:10], verbose=0)
    with pytest.raises(ValueError, match="Unknown loss function: crossentropy2"):
        model.compile("sgd", "crossentropy2")


def test_progbar_format():
    from tlboard.engine.keras.progbar import Progbar
    stream = io.StringIO()
    bar = Progbar(1000, stream=stream)
    bar.update(480, [("loss", 0.5)])
    bar.update(1000, [("loss", 0.25)])
    line = stream.getvalue().splitlines()[-1]
    assert line.startswith("1000/1000 [==============================] - ")
    assert line.endswith("s - loss: " + f"{(0.5 * 480 + 0.25 * 520) / 1000:.4f}")
    assert Progbar(1000, stream=io.StringIO()).bar(480) == " 480/1000 [" + "=" * 13 + ">" + "." * 16 + "]"


def test_to_categorical():
    out = keras.utils.to_categorical([0, 2, 1, 2])
    np.testing.assert_array_equal(out, np.eye(3)[[0, 2, 1, 2]])
    assert out.dtype == np.float32
    assert keras.utils.to_categorical(np.array([[1], [0]]), 4).shape == (2, 4)
    with pytest.raises(ValueError, match="out of range"):
        keras.utils.to_categorical([5], num_classes=3)
