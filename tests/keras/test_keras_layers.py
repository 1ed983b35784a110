"""tf.keras layers: names, summary table, shapes, values against NumPy, initializers, shared weights,
learning-phase behaviour of Dropout and BatchNormalization."""
import numpy as np
import pytest

import tlboard as tf

keras = tf.keras
L = keras.layers
K = keras.backend


def course_model():
    """The course's Sequential model (Keras 2 documentation's MLP)."""
    model = keras.models.Sequential()
    model.add(L.Dense(64, activation="relu", input_dim=20))
    model.add(L.Dropout(0.5))
    model.add(L.Dense(64, activation="relu"))
    model.add(L.Dropout(0.5))
    model.add(L.Dense(10, activation="softmax"))
    return model


def summary_lines(model):
    lines = []
    model.summary(print_fn=lines.append)
    return lines


def test_summary_rows_of_the_course_model():
    lines = summary_lines(course_model())
    # Keras 2's table for a chain of layers: 65 columns, fields starting at columns 0, 29 and 55.
    rule_, rule_eq = "_" * 65, "=" * 65
    assert lines[0] == rule_
    assert lines[1] == "Layer (type)".ljust(29) + "Output Shape".ljust(26) + "Param #".ljust(10)
    assert lines[2] == rule_eq
    rows = [("dense_1 (Dense)", "(None, 64)", "1344"), ("dropout_1 (Dropout)", "(None, 64)", "0"),
            ("dense_2 (Dense)", "(None, 64)", "4160"), ("dropout_2 (Dropout)", "(None, 64)", "0"),
            ("dense_3 (Dense)", "(None, 10)", "650")]
    for i, (name, shape, params) in enumerate(rows):
        assert lines[3 + 2 * i] == name.ljust(29) + shape.ljust(26) + params.ljust(10)
        assert lines[4 + 2 * i] == (rule_eq if i == len(rows) - 1 else rule_)
    assert lines[13:] == ["Total params: 6,154", "Trainable params: 6,154", "Non-trainable params: 0", rule_]


def test_summary_truncates_long_names_like_keras():
    model = keras.models.Sequential([L.Conv2D(2, 3, input_shape=(6, 6, 1)), L.MaxPooling2D(),
                                     L.BatchNormalization(), L.Flatten()])
    lines = summary_lines(model)
    assert lines[5] == "max_pooling2d_1 (MaxPooling2 (None, 2, 2, 2)           0         "
    assert lines[7].startswith("batch_normalization_1 (Batch (None, 2, 2, 2)           8")
    assert lines[-3:-1] == ["Trainable params: 24", "Non-trainable params: 4"]  # conv 18+2, gamma/beta 4


def test_layer_and_weight_names_count_per_graph():
    model = course_model()
    assert [layer.name for layer in model.layers] == ["dense_1", "dropout_1", "dense_2", "dropout_2", "dense_3"]
    assert [w.name for w in model.weights] == ["dense_1/kernel:0", "dense_1/bias:0", "dense_2/kernel:0",
                                               "dense_2/bias:0", "dense_3/kernel:0", "dense_3/bias:0"]
    assert model.name == "sequential_1"
    assert model.inputs[0].name == "dense_1_input:0"
    assert tf.get_default_graph().get_operation_by_name("dense_1/MatMul").type == "MatMul"
    assert model.get_layer("dense_2") is model.layers[2]
    assert model.get_layer(index=0).name == "dense_1"
    with pytest.raises(ValueError, match="No such layer: dense_9"):
        model.get_layer("dense_9")
    tf.reset_default_graph()  # numbering restarts in a new graph
    assert L.Dense(3).name == "dense_1"
    assert L.Conv2D(1, 1).name == "conv2d_1"
    assert L.MaxPooling2D().name == "max_pooling2d_1"


def test_calling_a_model_twice_shares_its_weights():
    model = course_model()
    n_vars = len(tf.global_variables())
    x = tf.placeholder(tf.float32, [None, 20])
    h1, h2 = model(x), model(x)
    assert len(tf.global_variables()) == n_vars == 6
    assert h1.shape.as_list() == [None, 10] and h1 is not h2
    assert h1.name.startswith("sequential_1/dense_3/") and h2.name.startswith("sequential_1_1/dense_3/")
    sess = K.get_session()
    data = np.random.default_rng(0).random((5, 20)).astype(np.float32)
    a, b, c = sess.run([h1, h2, model.outputs[0]], {x: data, model.inputs[0]: data})
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)


def test_dense_computes_relu_of_affine_map():
    x = tf.placeholder(tf.float32, [None, 3])
    layer = L.Dense(2, activation="relu", kernel_initializer=keras.initializers.Constant(
        [[1.0, -1.0], [2.0, 0.5], [0.0, 1.0]]), bias_initializer=keras.initializers.Constant([0.5, -4.0]))
    y = layer(x)
    assert y.shape.as_list() == [None, 2]
    data = np.array([[1, 2, 3], [-1, 0, 1]], np.float32)
    got = K.get_session().run(y, {x: data})
    kernel = np.array([[1.0, -1.0], [2.0, 0.5], [0.0, 1.0]])
    np.testing.assert_allclose(got, np.maximum(data @ kernel + [0.5, -4.0], 0), rtol=1e-6)


def test_dense_applies_to_the_last_axis_of_higher_rank_inputs():
    x = tf.placeholder(tf.float32, [None, None, 3])
    layer = L.Dense(2)
    y = layer(x)
    assert y.shape.as_list() == [None, None, 2]
    data = np.random.default_rng(3).random((2, 4, 3)).astype(np.float32)
    kernel, bias = layer.get_weights()
    np.testing.assert_allclose(K.get_session().run(y, {x: data}), data @ kernel + bias, rtol=1e-5)


def test_dense_needs_a_known_last_dimension():
    x = tf.placeholder(tf.float32, [None, None])
    with pytest.raises(ValueError, match="last dimension of the inputs to `Dense` should be defined"):
        L.Dense(2)(x)
    with pytest.raises(TypeError, match="Keyword argument not understood: 'unitz'"):
        L.Dense(2, unitz=3)


def test_initializers_by_string_and_object():
    x = tf.placeholder(tf.float32, [None, 400])
    layers = {
        "zeros": L.Dense(300, kernel_initializer="zeros"),
        "ones": L.Dense(300, kernel_initializer=keras.initializers.Ones()),
        "const": L.Dense(300, kernel_initializer=keras.initializers.Constant(0.25)),
        "uniform": L.Dense(300, kernel_initializer=keras.initializers.RandomUniform(-0.1, 0.3, seed=1)),
        "normal": L.Dense(300, kernel_initializer=keras.initializers.RandomNormal(1.0, 0.5, seed=2)),
        "glorot_uniform": L.Dense(300),  # the default
        "glorot_normal": L.Dense(300, kernel_initializer="glorot_normal"),
        "he_normal": L.Dense(300, kernel_initializer="he_normal"),
        "he_uniform": L.Dense(300, kernel_initializer=keras.initializers.he_uniform(seed=3)),
        "truncated": L.Dense(300, kernel_initializer=keras.initializers.TruncatedNormal(0.0, 1.0, seed=4)),
    }
    for layer in layers.values():
        layer(x)
    values = dict(zip(layers, K.batch_get_value([layer.kernel for layer in layers.values()])))
    fan_in, fan_out = 400, 300
    assert not values["zeros"].any()
    assert (values["ones"] == 1).all() and (values["const"] == 0.25).all()
    u = values["uniform"]
    assert u.min() >= -0.1 and u.max() < 0.3 and abs(u.mean() - 0.1) < 0.005
    assert abs(values["normal"].mean() - 1.0) < 0.01 and abs(values["normal"].std() - 0.5) < 0.01
    limit = np.sqrt(6 / (fan_in + fan_out))
    g = values["glorot_uniform"]
    assert g.min() >= -limit and g.max() <= limit and g.max() > 0.95 * limit
    assert abs(values["glorot_normal"].std() - np.sqrt(2 / (fan_in + fan_out))) < 0.004
    assert abs(values["he_normal"].std() - np.sqrt(2 / fan_in)) < 0.004
    assert np.abs(values["he_uniform"]).max() <= np.sqrt(6 / fan_in)
    t = values["truncated"]
    assert np.abs(t).max() <= 2.0 and abs(t.std() - 0.88) < 0.02  # a unit normal truncated at 2 sigma
    with pytest.raises(ValueError, match="Unknown initializer: glorot_unicorn"):
        L.Dense(1, kernel_initializer="glorot_unicorn")


def test_conv2d_and_pooling_shapes_and_values():
    x = tf.placeholder(tf.float32, [None, 6, 6, 2])
    conv = L.Conv2D(3, (3, 3), strides=(1, 1), padding="valid", activation="relu")
    c = conv(x)
    p = L.MaxPooling2D(pool_size=(2, 2))(c)
    a = L.AveragePooling2D(pool_size=2, padding="same")(c)
    s = L.Conv2D(4, 3, strides=2, padding="same")(x)
    d = L.Conv2D(1, 3, dilation_rate=2)(x)
    assert c.shape.as_list() == [None, 4, 4, 3]
    assert p.shape.as_list() == [None, 2, 2, 3] and a.shape.as_list() == [None, 2, 2, 3]
    assert s.shape.as_list() == [None, 3, 3, 4] and d.shape.as_list() == [None, 2, 2, 1]
    rng = np.random.default_rng(1)
    data = rng.standard_normal((2, 6, 6, 2)).astype(np.float32)
    sess = K.get_session()
    kernel, bias = sess.run([conv.kernel, conv.bias])
    got_c, got_p, got_a = sess.run([c, p, a], {x: data})
    want = np.zeros((2, 4, 4, 3))
    for i in range(4):
        for j in range(4):
            want[:, i, j, :] = np.einsum("nhwc,hwcf->nf", data[:, i:i + 3, j:j + 3, :], kernel)
    want = np.maximum(want + bias, 0)
    np.testing.assert_allclose(got_c, want, rtol=1e-4, atol=1e-5)
    # The pools against the convolution's own float32 output (the float64 `want` differs from it by
    # rounding, which relative tolerances magnify near zero).
    np.testing.assert_array_equal(got_p, got_c.reshape(2, 2, 2, 2, 2, 3).max(axis=(2, 4)))
    np.testing.assert_allclose(got_a, got_c.reshape(2, 2, 2, 2, 2, 3).mean(axis=(2, 4)), rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError, match="expected ndim=4, found ndim=2"):
        L.Conv2D(1, 3)(tf.placeholder(tf.float32, [None, 5]))
    with pytest.raises(ValueError, match="channels_last"):
        L.Conv2D(1, 3, data_format="channels_first")


def test_flatten_reshape_activation_embedding():
    x = tf.placeholder(tf.float32, [None, 2, 3, 4])
    f = L.Flatten()(x)
    r = L.Reshape((4, -1))(x)
    act = L.Activation("softmax")(f)
    ids = tf.placeholder(tf.int32, [None, 5])
    emb = L.Embedding(10, 3)
    e = emb(ids)
    assert f.shape.as_list() == [None, 24] and r.shape.as_list() == [None, 4, 6]
    assert e.shape.as_list() == [None, 5, 3]
    data = np.arange(48, dtype=np.float32).reshape(2, 2, 3, 4) / 48
    id_data = np.array([[0, 1, 2, 3, 9], [9, 9, 0, 0, 1]], np.int32)
    sess = K.get_session()
    table = sess.run(emb.embeddings)
    got_f, got_r, got_act, got_e = sess.run([f, r, act, e], {x: data, ids: id_data})
    np.testing.assert_array_equal(got_f, data.reshape(2, 24))
    np.testing.assert_array_equal(got_r, data.reshape(2, 4, 6))
    ex = np.exp(got_f - got_f.max(axis=1, keepdims=True))
    np.testing.assert_allclose(got_act, ex / ex.sum(axis=1, keepdims=True), rtol=1e-5)
    np.testing.assert_array_equal(got_e, table[id_data])
    assert np.abs(table).max() <= 0.05  # Embedding's default: uniform in [-0.05, 0.05]


def test_dropout_follows_the_learning_phase():
    x = tf.placeholder(tf.float32, [None, 1000])
    y = L.Dropout(0.5, seed=3)(x)
    sess = K.get_session()
    ones = np.ones((4, 1000), np.float32)
    test1, test2 = sess.run(y, {x: ones}), sess.run(y, {x: ones})
    np.testing.assert_array_equal(test1, ones)  # evaluation: identity, every time
    np.testing.assert_array_equal(test2, ones)
    train1 = sess.run(y, {x: ones, K.learning_phase(): True})
    train2 = sess.run(y, {x: ones, K.learning_phase(): True})
    assert set(np.unique(train1)) <= {0.0, 2.0}  # kept units scaled by 1/(1-rate)
    assert 0.4 < (train1 == 0).mean() < 0.6
    assert (train1 != train2).any()
    forced = L.Dropout(0.5)(x, training=True)
    assert (sess.run(forced, {x: ones}) == 0).any()


def test_batch_normalization_trains_on_batch_stats_and_updates_moving_averages():
    x = tf.placeholder(tf.float32, [None, 3])
    bn = L.BatchNormalization(momentum=0.5, epsilon=1e-3)
    y = bn(x)
    assert [w.name for w in bn.weights] == ["batch_normalization_1/gamma:0", "batch_normalization_1/beta:0",
                                            "batch_normalization_1/moving_mean:0",
                                            "batch_normalization_1/moving_variance:0"]
    assert len(bn.trainable_weights) == 2 and len(bn.updates) == 2
    assert set(bn.updates) <= set(tf.get_collection(tf.GraphKeys.UPDATE_OPS))
    data = np.random.default_rng(2).normal(3.0, 2.0, (64, 3)).astype(np.float32)
    sess = K.get_session()
    # test phase: moving stats (0, 1) -> almost identity, and running the updates changes nothing
    test_out = sess.run(y, {x: data})
    np.testing.assert_allclose(test_out, data / np.sqrt(1 + 1e-3), rtol=1e-5)
    sess.run(bn.updates, {x: data})
    np.testing.assert_allclose(sess.run(bn.moving_mean), 0.0)
    # training phase: batch statistics, and moving averages move halfway (momentum 0.5) towards them
    train_out, _ = sess.run([y, bn.updates], {x: data, K.learning_phase(): True})
    mean, var = data.mean(axis=0), data.var(axis=0)
    np.testing.assert_allclose(train_out, (data - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(sess.run(bn.moving_mean), 0.5 * mean, rtol=1e-5)
    np.testing.assert_allclose(sess.run(bn.moving_variance), 0.5 + 0.5 * var, rtol=1e-5)


def test_functional_model_and_nested_models():
    inputs = L.Input(shape=(4,))
    assert inputs.name == "input_1:0" and inputs.shape.as_list() == [None, 4]
    hidden = L.Dense(8, activation="tanh")(inputs)
    outputs = L.Dense(2)(hidden)
    model = keras.models.Model(inputs=inputs, outputs=outputs)
    assert [layer.name for layer in model.layers] == ["input_1", "dense_1", "dense_2"]
    assert model.inputs == [inputs] and model.outputs == [outputs]
    lines = summary_lines(model)
    assert lines[3].startswith("input_1 (InputLayer)         (None, 4)                 0")
    assert lines[-4] == "Total params: 58"
    outer_in = L.Input(shape=(4,))
    outer = keras.models.Model(outer_in, L.Activation("softmax")(model(outer_in)))
    data = np.random.default_rng(0).random((3, 4)).astype(np.float32)
    logits = model.predict(data)
    probs = outer.predict(data)
    np.testing.assert_allclose(probs, np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True), rtol=1e-5)
    assert len(outer.weights) == 4
    with pytest.raises(ValueError, match="Graph disconnected"):
        keras.models.Model(L.Input(shape=(4,)), outputs)
