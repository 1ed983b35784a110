"""tf.keras odds and ends: constraints, activity regularizers, deferred Sequential builds, checkpoints,
the Keras session and learning phase, initial weights."""
import numpy as np
import pytest

import tlboard as tf

keras = tf.keras
L = keras.layers
K = keras.backend


def test_kernel_constraint_is_applied_after_each_step():
    x = np.random.default_rng(0).normal(size=(32, 5)).astype(np.float32) * 10
    y = np.ones((32, 3), np.float32) * 100
    model = keras.models.Sequential([L.Dense(3, input_dim=5, kernel_constraint=keras.constraints.max_norm(0.5),
                                             bias_constraint=keras.constraints.NonNeg())])
    model.compile(keras.optimizers.SGD(lr=0.1), "mse")
    model.fit(x, y, epochs=2, verbose=0)
    kernel, bias = model.get_weights()
    assert np.linalg.norm(kernel, axis=0).max() == pytest.approx(0.5, rel=1e-4)  # pushed hard, then clipped
    assert (bias >= 0).all()


def test_activity_regularizer_adds_a_loss_on_outputs():
    x = tf.placeholder(tf.float32, [None, 2])
    layer = L.Dense(2, kernel_initializer="ones", activity_regularizer=keras.regularizers.l1(0.5))
    y = layer(x)
    assert len(layer.losses) == 1 and layer.get_losses_for(x) == layer.losses
    data = np.array([[1.0, -3.0]], np.float32)
    out, penalty = K.get_session().run([y, layer.losses[0]], {x: data})
    assert penalty == pytest.approx(0.5 * np.abs(out).sum())


def test_sequential_without_input_shape_builds_on_first_call():
    model = keras.models.Sequential([L.Dense(4), L.Dense(2)])
    assert not model.built and model.outputs == []
    x = tf.placeholder(tf.float32, [None, 3])
    y = model(x)
    assert y.shape.as_list() == [None, 2]
    assert [w.name for w in model.weights][:1] == ["dense_1/kernel:0"]
    assert model.layers[0].kernel.shape.as_list() == [3, 4]
    fit_later = keras.models.Sequential([L.Dense(2, activation="softmax")])
    with pytest.raises(RuntimeError, match="input_shape"):
        fit_later.compile("sgd", "mse")


def test_model_checkpoint_and_learning_rate_scheduler(tmp_path):
    x = np.random.default_rng(1).normal(size=(20, 3)).astype(np.float32)
    y = x.sum(axis=1, keepdims=True)
    model = keras.models.Sequential([L.Dense(1, input_dim=3)])
    model.compile(keras.optimizers.SGD(lr=0.1), "mse")
    rates = []
    schedule = keras.callbacks.LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))
    spy = keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: rates.append(K.get_value(model.optimizer.lr)))
    ckpt = keras.callbacks.ModelCheckpoint(str(tmp_path / "w.{epoch:02d}.npz"), monitor="loss", save_best_only=True)
    model.fit(x, y, epochs=3, verbose=0, callbacks=[schedule, spy, ckpt])
    np.testing.assert_allclose(rates, [0.1, 0.05, 0.1 / 3], rtol=1e-6)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.01.npz", "w.02.npz", "w.03.npz"]
    expected = model.predict(x)
    model.set_weights([np.zeros((3, 1)), np.zeros(1)])
    model.load_weights(tmp_path / "w.03.npz")
    np.testing.assert_array_equal(model.predict(x), expected)


def test_keras_uses_the_active_default_session_and_initializes_only_new_variables():
    v = tf.Variable(5.0, name="user_var")
    with tf.Session() as sess:
        sess.run(v.initializer)
        sess.run(tf.assign(v, 7.0))
        layer = L.Dense(1, kernel_initializer="ones", input_dim=1)
        model = keras.models.Sequential([layer])
        assert K.get_session() is sess
        assert model.predict(np.array([[2.0]], np.float32))[0, 0] == 2.0
        assert sess.run(v) == 7.0  # the user's variable was not re-initialized


def test_initial_weights_argument_and_trainable_flag():
    kernel = np.array([[2.0]], np.float32)
    layer = L.Dense(1, input_dim=1, weights=[kernel, np.array([1.0], np.float32)])
    model = keras.models.Sequential([layer])
    assert model.predict(np.array([[3.0]], np.float32))[0, 0] == 7.0
    layer.trainable = False
    assert model.trainable_weights == [] and len(model.non_trainable_weights) == 2
    lines = []
    model.summary(print_fn=lines.append)
    assert "Trainable params: 0" in lines and "Non-trainable params: 2" in lines
    with pytest.raises(ValueError, match="no trainable weights"):
        model.compile("sgd", "mse")
        model.train_on_batch(np.ones((1, 1)), np.ones((1, 1)))


def test_calling_with_training_argument_overrides_the_learning_phase():
    model = keras.models.Sequential([L.Dropout(0.9, input_shape=(200,))])
    x = tf.placeholder(tf.float32, [None, 200])
    train_out, test_out = model(x, training=True), model(x, training=False)
    sess = K.get_session()
    ones = np.ones((2, 200), np.float32)
    assert (sess.run(train_out, {x: ones}) == 0).mean() > 0.5
    np.testing.assert_array_equal(sess.run(test_out, {x: ones, K.learning_phase(): True}), ones)
