"""tf.nn ops: static shapes (unknown and known, TF-worded errors), values against NumPy references written
here independently (explicit loops), and gradients against finite differences in float64."""
import numpy as np
import pytest
from gradcheck import check_gradients
from nn_refs import ref_conv2d, ref_pool

import tlboard as tf

RNG = np.random.default_rng(7)


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


# --- independent references (explicit loops over output positions)

def ref_log_softmax(x):
    m = x.max(axis=-1, keepdims=True)
    return x - m - np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True))


# --- activations

ACTIVATIONS = {
    "relu": (tf.nn.relu, lambda x: np.where(x > 0, x, 0.0)),
    "relu6": (tf.nn.relu6, lambda x: np.minimum(np.maximum(x, 0.0), 6.0)),
    "elu": (tf.nn.elu, lambda x: np.where(x > 0, x, np.exp(x) - 1)),
    "selu": (tf.nn.selu, lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * (np.exp(x) - 1))),
    "leaky_relu": (tf.nn.leaky_relu, lambda x: np.where(x > 0, x, 0.2 * x)),
    "softplus": (tf.nn.softplus, lambda x: np.log1p(np.exp(x))),
    "softsign": (tf.nn.softsign, lambda x: x / (1 + np.abs(x))),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_shapes_values_gradients(name):
    fn, ref = ACTIVATIONS[name]
    unknown = fn(tf.placeholder(tf.float32, None))
    assert unknown.shape.dims is None
    partial = fn(tf.placeholder(tf.float32, [None, 3]))
    assert partial.shape.as_list() == [None, 3]
    x = np.array([[-7.0, -1.5, -0.25, 0.3], [1.0, 2.5, 5.9, 8.0]], dtype=np.float32)
    out = run(fn(tf.constant(x)))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, ref(x.astype(np.float64)), rtol=1e-5, atol=1e-6)
    # Away from kinks (0 and 6) so central differences are valid.
    xs = np.array([[-2.1, -0.7, 0.4, 1.3], [3.2, 5.5, 6.6, -4.0]])
    check_gradients(fn, [xs])


def test_relu_gradient_is_zero_at_zero_like_tf():
    x = tf.constant([-1.0, 0.0, 2.0])
    (g,) = tf.gradients(tf.reduce_sum(tf.nn.relu(x)), [x])
    assert g.op.type == "ReluGrad"
    np.testing.assert_array_equal(run(g), [0.0, 0.0, 1.0])


def test_leaky_relu_alpha_and_graph_names():
    x = tf.constant([-2.0, 3.0])
    y = tf.nn.leaky_relu(x, alpha=0.1)
    assert y.op.type == "LeakyRelu" and y.op.name == "LeakyRelu"
    np.testing.assert_allclose(run(y), [-0.2, 3.0], rtol=1e-6)
    check_gradients(lambda t: tf.nn.leaky_relu(t, alpha=0.3), [np.array([-1.2, 0.7, 2.0])])


def test_sigmoid_tanh_are_the_math_ops():
    assert tf.nn.sigmoid is tf.sigmoid and tf.nn.tanh is tf.tanh


# --- softmax / log_softmax

@pytest.mark.parametrize("fn,ref", [
    (tf.nn.softmax, lambda x: np.exp(ref_log_softmax(x))),
    (tf.nn.log_softmax, ref_log_softmax),
])
def test_softmax_family(fn, ref):
    assert fn(tf.placeholder(tf.float32, [None, None])).shape.as_list() == [None, None]
    assert fn(tf.placeholder(tf.float32, None)).shape.dims is None
    x = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, -1000.0]], dtype=np.float32)  # large: must not overflow
    out = run(fn(tf.constant(x)))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, ref(x.astype(np.float64)), rtol=1e-5, atol=1e-6)
    check_gradients(fn, [RNG.normal(size=(2, 4))])
    check_gradients(lambda t: fn(t, axis=0), [RNG.normal(size=(3, 2))])
    check_gradients(fn, [RNG.normal(size=(2, 3))], shapes="unknown_dims")


def test_softmax_rejects_scalars():
    with pytest.raises(ValueError, match="Shape must be at least rank 1 but is rank 0 for 'Softmax'"):
        tf.nn.softmax(tf.constant(1.0))


# --- bias_add / xw_plus_b

def test_bias_add_shapes_and_errors():
    assert tf.nn.bias_add(tf.placeholder(tf.float32, [None, None]),
                          tf.placeholder(tf.float32, [5])).shape.as_list() == [None, 5]
    assert tf.nn.bias_add(tf.placeholder(tf.float32), tf.placeholder(tf.float32, [5])).shape.dims is None
    with pytest.raises(ValueError, match=r"Dimensions must be equal, but are 3 and 4 for 'BiasAdd(_\d+)?' "
                                         r"\(op: 'BiasAdd'\) with input shapes: \[2,3\], \[4\]\."):
        tf.nn.bias_add(tf.zeros([2, 3]), tf.zeros([4]))
    with pytest.raises(ValueError, match=r"Shape must be at least rank 2 but is rank 1 for 'BiasAdd(_\d+)?'"):
        tf.nn.bias_add(tf.zeros([3]), tf.zeros([3]))


def test_bias_add_values_and_gradients():
    x = RNG.normal(size=(2, 3, 2, 4)).astype(np.float32)
    b = RNG.normal(size=(4,)).astype(np.float32)
    y = tf.nn.bias_add(tf.constant(x), tf.constant(b))
    assert y.op.type == "BiasAdd"
    np.testing.assert_allclose(run(y), x + b, rtol=1e-6)
    _, gb = tf.gradients(tf.reduce_sum(y), [y.op.inputs[0], y.op.inputs[1]])
    assert gb.op.type == "BiasAddGrad"
    check_gradients(tf.nn.bias_add, [RNG.normal(size=(3, 2, 4)), RNG.normal(size=(4,))])
    check_gradients(tf.nn.bias_add, [RNG.normal(size=(3, 4)), RNG.normal(size=(4,))], shapes="unknown_dims")


def test_xw_plus_b():
    x, w, b = RNG.normal(size=(3, 4)), RNG.normal(size=(4, 2)), RNG.normal(size=(2,))
    np.testing.assert_allclose(run(tf.nn.xw_plus_b(x, w, b)), x @ w + b, rtol=1e-6)
    check_gradients(tf.nn.xw_plus_b, [x, w, b])


# --- conv2d

CONV_CASES = [  # (input shape, filter shape, stride, padding, dilation)
    ((1, 5, 5, 2), (3, 3, 2, 3), 1, "SAME", 1),
    ((1, 5, 5, 2), (3, 3, 2, 3), 1, "VALID", 1),
    ((2, 6, 5, 2), (3, 2, 2, 2), 2, "SAME", 1),  # odd total padding: the extra row/column goes after
    ((1, 7, 6, 1), (3, 3, 1, 2), 2, "VALID", 1),
    ((1, 6, 6, 1), (2, 2, 1, 2), 1, "SAME", 2),  # dilation
    ((1, 7, 7, 1), (3, 2, 1, 1), 1, "VALID", 2),
]


@pytest.mark.parametrize("xs,ws,stride,padding,dilation", CONV_CASES)
def test_conv2d_values(xs, ws, stride, padding, dilation):
    x = RNG.normal(size=xs).astype(np.float32)
    w = RNG.normal(size=ws).astype(np.float32)
    y = tf.nn.conv2d(x, w, [1, stride, stride, 1], padding, dilations=[1, dilation, dilation, 1])
    want = ref_conv2d(x.astype(np.float64), w.astype(np.float64), stride, padding, dilation)
    assert y.shape.as_list() == list(want.shape)
    out = run(y)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("xs,ws,stride,padding,dilation", CONV_CASES)
def test_conv2d_gradients(xs, ws, stride, padding, dilation):
    def build(x, w):
        return tf.nn.conv2d(x, w, [1, stride, stride, 1], padding, dilations=[1, dilation, dilation, 1])
    check_gradients(build, [RNG.normal(size=xs), RNG.normal(size=ws)])


def test_conv2d_gradients_with_unknown_input_shape():
    check_gradients(lambda x, w: tf.nn.conv2d(x, w, [1, 2, 2, 1], "SAME"),
                    [RNG.normal(size=(1, 4, 5, 1)), RNG.normal(size=(3, 3, 1, 2))], shapes="unknown_dims")


def test_conv2d_big_batch_matches_reference():
    # Larger than one im2col chunk, so the chunked GEMM path is exercised.
    x = RNG.normal(size=(40, 12, 12, 8)).astype(np.float32)
    w = RNG.normal(size=(3, 3, 8, 4)).astype(np.float32)
    out = run(tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME"))
    want = ref_conv2d(x[:3].astype(np.float64), w.astype(np.float64), 1, "SAME")
    np.testing.assert_allclose(out[:3], want, rtol=1e-4, atol=1e-4)
    last = ref_conv2d(x[-1:].astype(np.float64), w.astype(np.float64), 1, "SAME")
    np.testing.assert_allclose(out[-1:], last, rtol=1e-4, atol=1e-4)


def test_conv2d_static_shapes():
    w = tf.placeholder(tf.float32, [5, 5, 3, 8])
    y = tf.nn.conv2d(tf.placeholder(tf.float32, [None, 28, 27, 3]), w, [1, 2, 2, 1], "SAME")
    assert y.shape.as_list() == [None, 14, 14, 8]
    y = tf.nn.conv2d(tf.placeholder(tf.float32, [None, 28, 27, 3]), w, [1, 2, 2, 1], "VALID")
    assert y.shape.as_list() == [None, 12, 12, 8]
    y = tf.nn.conv2d(tf.placeholder(tf.float32, [None, None, None, 3]), w, [1, 1, 1, 1], "SAME")
    assert y.shape.as_list() == [None, None, None, 8]
    y = tf.nn.conv2d(tf.placeholder(tf.float32), tf.placeholder(tf.float32), [1, 1, 1, 1], "SAME")
    assert y.shape.as_list() == [None, None, None, None]
    y = tf.nn.conv2d(tf.placeholder(tf.float32, [1, 9, 9, 3]), w, [1, 1, 1, 1], "VALID", dilations=[1, 2, 2, 1])
    assert y.shape.as_list() == [1, 1, 1, 8]


def test_conv2d_errors():
    with pytest.raises(ValueError, match=r"Shape must be rank 4 but is rank 3 for 'Conv2D' \(op: 'Conv2D'\) "
                                         r"with input shapes: \[1,5,5\], \[3,3,1,1\]\."):
        tf.nn.conv2d(tf.zeros([1, 5, 5]), tf.zeros([3, 3, 1, 1]), [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match=r"Depth of input \(3\) is not a multiple of input depth of filter \(2\) for "
                                         r"'Conv2D(_\d+)?' \(op: 'Conv2D'\) with input shapes: "
                                         r"\[1,5,5,3\], \[3,3,2,1\]\."):
        tf.nn.conv2d(tf.zeros([1, 5, 5, 3]), tf.zeros([3, 3, 2, 1]), [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match=r"Negative dimension size caused by subtracting 5 from 3 for 'Conv2D(_\d+)?'"):
        tf.nn.conv2d(tf.zeros([1, 3, 3, 1]), tf.zeros([5, 5, 1, 1]), [1, 1, 1, 1], "VALID")
    with pytest.raises(ValueError, match="strides in the batch and depth dimensions"):
        tf.nn.conv2d(tf.zeros([1, 5, 5, 1]), tf.zeros([3, 3, 1, 1]), [2, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="padding must be 'SAME' or 'VALID'"):
        tf.nn.conv2d(tf.zeros([1, 5, 5, 1]), tf.zeros([3, 3, 1, 1]), [1, 1, 1, 1], "FULL")
    with pytest.raises(ValueError, match="NHWC"):
        tf.nn.conv2d(tf.zeros([1, 1, 5, 5]), tf.zeros([3, 3, 1, 1]), [1, 1, 1, 1], "SAME", data_format="NCHW")


def test_conv2d_transpose_is_the_input_gradient():
    x = RNG.normal(size=(1, 4, 4, 2))
    w = RNG.normal(size=(3, 3, 2, 3))
    g = RNG.normal(size=(1, 2, 2, 3))
    xt, wt = tf.constant(x), tf.constant(w)
    y = tf.nn.conv2d(xt, wt, [1, 2, 2, 1], "SAME")
    (dx,) = tf.gradients(y, [xt], grad_ys=[tf.constant(g)])
    tr = tf.nn.conv2d_transpose(tf.constant(g), wt, [1, 4, 4, 2], [1, 2, 2, 1], "SAME")
    assert tr.shape.as_list() == [1, 4, 4, 2]
    a, b = run([dx, tr])
    np.testing.assert_allclose(a, b, rtol=1e-10)
    # <conv(x), g> == <x, conv_transpose(g)>: the adjoint identity, checked numerically.
    np.testing.assert_allclose(np.sum(run(y) * g), np.sum(x * b), rtol=1e-10)
    check_gradients(lambda gg, ww: tf.nn.conv2d_transpose(gg, ww, [1, 4, 4, 2], [1, 2, 2, 1], "SAME"), [g, w])


# --- pooling

POOL_CASES = [(2, 2, "VALID", (2, 4, 4, 2)), (2, 2, "SAME", (1, 5, 5, 2)), (3, 2, "SAME", (1, 5, 4, 1)),
              (3, 1, "VALID", (1, 4, 5, 1)), (2, 1, "SAME", (1, 3, 3, 2))]


@pytest.mark.parametrize("k,stride,padding,shape", POOL_CASES)
def test_max_pool(k, stride, padding, shape):
    x = RNG.permutation(np.prod(shape)).reshape(shape).astype(np.float32)  # distinct values: no ties
    y = tf.nn.max_pool(x, [1, k, k, 1], [1, stride, stride, 1], padding)
    want = ref_pool(x.astype(np.float64), k, stride, padding, np.max)
    assert y.shape.as_list() == list(want.shape)
    np.testing.assert_array_equal(run(y), want)
    check_gradients(lambda t: tf.nn.max_pool(t, [1, k, k, 1], [1, stride, stride, 1], padding),
                    [x.astype(np.float64) / 7.0])


@pytest.mark.parametrize("k,stride,padding,shape", POOL_CASES)
def test_avg_pool(k, stride, padding, shape):
    x = RNG.normal(size=shape).astype(np.float32)
    y = tf.nn.avg_pool(x, [1, k, k, 1], [1, stride, stride, 1], padding)
    want = ref_pool(x.astype(np.float64), k, stride, padding, np.mean)
    assert y.shape.as_list() == list(want.shape)
    np.testing.assert_allclose(run(y), want, rtol=1e-5, atol=1e-6)
    check_gradients(lambda t: tf.nn.avg_pool(t, [1, k, k, 1], [1, stride, stride, 1], padding),
                    [x.astype(np.float64)])


def test_avg_pool_same_averages_only_real_cells():
    x = np.arange(9, dtype=np.float32).reshape(1, 3, 3, 1)
    out = run(tf.nn.avg_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME"))[0, :, :, 0]
    # Windows: {0,1,3,4}, {2,5}, {6,7}, {8} (padding after, as TF).
    np.testing.assert_allclose(out, [[2.0, 3.5], [6.5, 8.0]])


def test_max_pool_tie_gradient_goes_to_first_maximum():
    x = tf.constant(np.array([[3.0, 5.0], [5.0, 1.0]]).reshape(1, 2, 2, 1))
    (g,) = tf.gradients(tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID"), [x])
    assert g.op.type == "MaxPoolGrad"
    np.testing.assert_array_equal(run(g)[0, :, :, 0], [[0.0, 1.0], [0.0, 0.0]])
    # Overlapping windows (3x3, stride 1, SAME) over a constant image: every window's gradient goes to its
    # first (top-left) cell, so the gradient counts how many windows start their scan at each cell.
    xc = tf.constant(np.ones((1, 3, 3, 1)))
    (gc,) = tf.gradients(tf.nn.max_pool(xc, [1, 3, 3, 1], [1, 1, 1, 1], "SAME"), [xc])
    np.testing.assert_array_equal(run(gc)[0, :, :, 0], [[4.0, 2.0, 0.0], [2.0, 1.0, 0.0], [0.0, 0.0, 0.0]])


def test_pool_static_shapes_and_errors():
    assert tf.nn.max_pool(tf.placeholder(tf.float32, [None, 28, 28, 32]), [1, 2, 2, 1], [1, 2, 2, 1],
                          "SAME").shape.as_list() == [None, 14, 14, 32]
    assert tf.nn.avg_pool(tf.placeholder(tf.float32, [None, 7, 7, 3]), [1, 2, 2, 1], [1, 2, 2, 1],
                          "VALID").shape.as_list() == [None, 3, 3, 3]
    assert tf.nn.max_pool(tf.placeholder(tf.float32), [1, 2, 2, 1], [1, 2, 2, 1],
                          "SAME").shape.as_list() == [None, None, None, None]
    assert tf.nn.max_pool2d(tf.placeholder(tf.float32, [2, 9, 9, 1]), 3, 2, "VALID").shape.as_list() == [2, 4, 4, 1]
    with pytest.raises(ValueError, match=r"Shape must be rank 4 but is rank 2 for 'MaxPool(_\d+)?' \(op: 'MaxPool'\)"):
        tf.nn.max_pool(tf.zeros([3, 3]), [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    with pytest.raises(ValueError, match=r"Negative dimension size caused by subtracting 3 from 2 for "
                                         r"'AvgPool(_\d+)?'"):
        tf.nn.avg_pool(tf.zeros([1, 2, 2, 1]), [1, 3, 3, 1], [1, 1, 1, 1], "VALID")
    with pytest.raises(ValueError, match="batch and depth"):
        tf.nn.max_pool(tf.zeros([1, 4, 4, 2]), [1, 2, 2, 2], [1, 2, 2, 1], "SAME")


# --- dropout

def test_dropout_keeps_scales_and_routes_gradient_through_mask():
    x = tf.ones([200, 50])
    kp = tf.placeholder(tf.float32, [])
    y = tf.nn.dropout(x, keep_prob=kp)
    assert y.op.name.startswith("dropout") and y.shape.as_list() == [200, 50]
    (g,) = tf.gradients(tf.reduce_sum(y), [x])
    with tf.Session() as sess:
        out, grad = sess.run([y, g], {kp: 0.25})
        assert set(np.unique(out)) <= {0.0, 4.0}
        assert abs(np.mean(out == 4.0) - 0.25) < 0.03  # 10000 draws: 0.03 is > 5 standard deviations
        np.testing.assert_array_equal(grad, out)  # d(sum x*mask)/dx == mask == output for x == 1
        assert np.all(sess.run(y, {kp: 1.0}) == 1.0)


def test_dropout_rate_noise_shape_and_seeds():
    x = tf.ones([100, 8])
    y = tf.nn.dropout(x, rate=0.5, noise_shape=[100, 1], seed=3)
    out = run(y)
    assert np.all(out == out[:, :1])  # one draw per row, broadcast along the row
    assert 0 < np.mean(out[:, 0] == 2.0) < 1
    np.testing.assert_array_equal(run(y), out)  # same op seed: same mask in a fresh session
    assert tf.nn.dropout(x, keep_prob=1.0).op.type == "Identity"


def test_dropout_graph_seed_reproduces_masks_across_graphs():
    masks = []
    for _ in range(2):
        with tf.Graph().as_default():
            tf.set_random_seed(42)
            y = tf.nn.dropout(tf.ones([50, 20]), keep_prob=0.5)
            with tf.Session() as sess:
                masks.append(sess.run(y))
    np.testing.assert_array_equal(masks[0], masks[1])
    assert 0.3 < np.mean(masks[0] == 2.0) < 0.7


def test_dropout_bad_arguments():
    x = tf.ones([3])
    with pytest.raises(ValueError, match="range"):
        tf.nn.dropout(x, keep_prob=1.5)
    with pytest.raises(ValueError, match="range"):
        tf.nn.dropout(x, rate=1.0)
    with pytest.raises(ValueError, match="both"):
        tf.nn.dropout(x, keep_prob=0.5, rate=0.5)
    with pytest.raises(ValueError, match="must provide"):
        tf.nn.dropout(x)
    kp = tf.placeholder(tf.float32, [])
    with pytest.raises(tf.errors.InvalidArgumentError, match="keep_prob"):
        run(tf.nn.dropout(x, keep_prob=kp), {kp: 0.0})


# --- cross-entropies

def test_softmax_cross_entropy_values_and_outputs():
    logits = RNG.normal(size=(3, 4)).astype(np.float32)
    labels = RNG.dirichlet(np.ones(4), size=3).astype(np.float32)
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    assert loss.op.type == "SoftmaxCrossEntropyWithLogits" and len(loss.op.outputs) == 2
    assert loss.shape.as_list() == [3] and loss.op.outputs[1].shape.as_list() == [3, 4]
    want = -np.sum(labels * ref_log_softmax(logits.astype(np.float64)), axis=1)
    loss_v, backprop = run([loss, loss.op.outputs[1]])
    np.testing.assert_allclose(loss_v, want, rtol=1e-5)
    np.testing.assert_allclose(backprop, np.exp(ref_log_softmax(logits.astype(np.float64))) - labels, atol=1e-6)


def test_softmax_cross_entropy_extreme_and_nan_rows():
    # Rows far apart in scale (each row is shifted by its own max), ties at the max, and a NaN row.
    logits = np.array([[1000.0, -1000.0, 999.0], [-500.0, -501.0, -500.0], [0.0, 0.0, 0.0],
                       [np.nan, 1.0, 2.0]], np.float32)
    labels = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.2, 0.3, 0.5], [1.0, 0.0, 0.0]], np.float32)
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    loss_v, backprop = run([loss, loss.op.outputs[1]])
    want_logp = ref_log_softmax(logits[:3].astype(np.float64))
    np.testing.assert_allclose(loss_v[:3], -np.sum(labels[:3] * want_logp, axis=1), rtol=1e-6)
    np.testing.assert_allclose(backprop[:3], np.exp(want_logp) - labels[:3], atol=1e-6)
    assert np.isnan(loss_v[3]) and np.isnan(backprop[3]).all()


def test_softmax_cross_entropy_gradients_v1_stops_labels():
    logits, labels = RNG.normal(size=(3, 4)), RNG.dirichlet(np.ones(4), size=3)
    check_gradients(lambda y, x: tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=x), [labels, logits])
    check_gradients(lambda y, x: tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=x), [labels, logits],
                    shapes="unknown_dims")
    y, x = tf.constant(labels), tf.constant(logits)
    loss = tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=x)
    g_labels, g_logits = tf.gradients(tf.reduce_sum(loss), [y, x])
    assert g_labels is None and g_logits is not None


def test_softmax_cross_entropy_higher_rank_and_axis():
    logits, labels = RNG.normal(size=(2, 3, 4)), RNG.dirichlet(np.ones(4), size=(2, 3))
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    assert loss.shape.as_list() == [2, 3]
    np.testing.assert_allclose(run(loss), -np.sum(labels * ref_log_softmax(logits), -1), rtol=1e-10)
    lt = np.moveaxis(logits, -1, 0)
    yt = np.moveaxis(labels, -1, 0)
    loss0 = tf.nn.softmax_cross_entropy_with_logits_v2(labels=yt, logits=lt, axis=0)
    np.testing.assert_allclose(run(loss0), -np.sum(labels * ref_log_softmax(logits), -1), rtol=1e-10)


def test_softmax_cross_entropy_errors():
    with pytest.raises(ValueError, match="Only call `softmax_cross_entropy_with_logits` with named arguments"):
        tf.nn.softmax_cross_entropy_with_logits(tf.zeros([2, 3]), tf.zeros([2, 3]))
    with pytest.raises(ValueError, match=r"Dimensions must be equal, but are 3 and 4 for "
                                         r"'softmax_cross_entropy_with_logits' \(op: 'SoftmaxCrossEntropyWithLogits'\) "
                                         r"with input shapes: \[2,3\], \[2,4\]\."):
        tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.zeros([2, 4]), logits=tf.zeros([2, 3]))


def test_sparse_softmax_cross_entropy():
    logits = RNG.normal(size=(4, 5)).astype(np.float32)
    labels = np.array([0, 4, 2, 2], dtype=np.int32)
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    assert loss.op.type == "SparseSoftmaxCrossEntropyWithLogits" and loss.shape.as_list() == [4]
    want = -ref_log_softmax(logits.astype(np.float64))[np.arange(4), labels]
    np.testing.assert_allclose(run(loss), want, rtol=1e-5)
    check_gradients(lambda x, y: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=x),
                    [logits.astype(np.float64), labels.astype(np.int64)])
    lab = tf.placeholder(tf.int64, [None])
    assert tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=lab, logits=tf.placeholder(tf.float32, [None, 5])).shape.as_list() == [None]
    loss3 = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=np.array([[1, 0]]),
                                                           logits=RNG.normal(size=(1, 2, 3)))
    assert loss3.shape.as_list() == [1, 2]


def test_sparse_softmax_cross_entropy_errors():
    with pytest.raises(ValueError, match=r"Rank mismatch: Rank of labels \(received 2\) should equal rank of logits "
                                         r"minus 1 \(received 2\)\."):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros([2, 3], tf.int32), logits=tf.zeros([2, 3]))
    lab = tf.placeholder(tf.int32, [2])
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=lab, logits=tf.zeros([2, 3]))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Received a label value of 3 which is outside the valid range of \[0, 3\)"):
        run(loss, {lab: [1, 3]})


def test_sigmoid_cross_entropy_is_stable_and_correct():
    x = np.array([-200.0, -3.0, 0.0, 2.0, 150.0], dtype=np.float32)
    z = np.array([1.0, 0.0, 0.5, 1.0, 0.0], dtype=np.float32)
    loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x)
    assert loss.op.name == "logistic_loss"
    xd, zd = x.astype(np.float64), z.astype(np.float64)
    # Reference via log-sigmoid computed with logaddexp: -z log s(x) - (1-z) log(1-s(x)).
    want = zd * np.logaddexp(0, -xd) + (1 - zd) * np.logaddexp(0, xd)
    out = run(loss)
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out, want, rtol=1e-5)
    check_gradients(lambda a, b: tf.nn.sigmoid_cross_entropy_with_logits(labels=a, logits=b),
                    [RNG.uniform(size=(2, 3)), RNG.normal(size=(2, 3))])
    with pytest.raises(ValueError, match="same shape"):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.zeros([2]), logits=tf.zeros([3]))


def test_weighted_cross_entropy():
    x, z = RNG.normal(size=(3,)), RNG.uniform(size=(3,))
    want = z * 2.5 * np.logaddexp(0, -x) + (1 - z) * np.logaddexp(0, x)
    np.testing.assert_allclose(run(tf.nn.weighted_cross_entropy_with_logits(z, x, 2.5)), want, rtol=1e-10)


# --- l2_loss, moments, batch_normalization, l2_normalize

def test_l2_loss():
    x = RNG.normal(size=(3, 4)).astype(np.float32)
    y = tf.nn.l2_loss(x)
    assert y.shape.as_list() == [] and y.op.type == "L2Loss"
    out = run(y)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, 0.5 * np.sum(x.astype(np.float64) ** 2), rtol=1e-5)
    check_gradients(tf.nn.l2_loss, [RNG.normal(size=(2, 3))])
    assert tf.nn.l2_loss(tf.placeholder(tf.float32)).shape.as_list() == []


def test_moments():
    x = RNG.normal(size=(4, 3, 2))
    mean, var = tf.nn.moments(tf.constant(x), axes=[0, 1])
    assert mean.shape.as_list() == [2] and var.shape.as_list() == [2]
    m, v = run([mean, var])
    np.testing.assert_allclose(m, x.reshape(-1, 2).mean(0), rtol=1e-10)
    np.testing.assert_allclose(v, x.reshape(-1, 2).var(0), rtol=1e-10)
    mk, _ = tf.nn.moments(tf.constant(x), axes=[0], keep_dims=True)
    assert mk.shape.as_list() == [1, 3, 2]
    check_gradients(lambda t: list(tf.nn.moments(t, axes=[0])), [RNG.normal(size=(3, 2))])


def test_batch_normalization():
    x = RNG.normal(size=(5, 3))
    mean, var = x.mean(0), x.var(0)
    offset, scale = RNG.normal(size=3), RNG.normal(size=3)
    y = tf.nn.batch_normalization(x, mean, var, offset, scale, 1e-3)
    np.testing.assert_allclose(run(y), scale * (x - mean) / np.sqrt(var + 1e-3) + offset, rtol=1e-10)
    y0 = tf.nn.batch_normalization(x, mean, var, None, None, 1e-3)
    np.testing.assert_allclose(run(y0), (x - mean) / np.sqrt(var + 1e-3), rtol=1e-10)
    check_gradients(lambda a, m, v, o, s: tf.nn.batch_normalization(a, m, v, o, s, 1e-3),
                    [x, mean, var + 0.5, offset, scale])


def test_l2_normalize():
    x = RNG.normal(size=(3, 4))
    np.testing.assert_allclose(run(tf.nn.l2_normalize(x, axis=1)),
                               x / np.sqrt(np.sum(x ** 2, axis=1, keepdims=True)), rtol=1e-10)
    np.testing.assert_array_equal(run(tf.nn.l2_normalize(np.zeros((2, 2)), axis=0)), np.zeros((2, 2)))
    check_gradients(lambda t: tf.nn.l2_normalize(t, axis=0), [x])


# --- embedding_lookup, in_top_k

def test_embedding_lookup():
    params = RNG.normal(size=(6, 3))
    ids = np.array([[0, 5], [2, 2]])
    out = tf.nn.embedding_lookup(params, ids)
    assert out.shape.as_list() == [2, 2, 3]
    np.testing.assert_array_equal(run(out), params[ids])
    check_gradients(lambda p, i: tf.nn.embedding_lookup(p, i), [params, ids])
    clipped = run(tf.nn.embedding_lookup(params * 10, np.array([1, 3]), max_norm=1.0))
    np.testing.assert_allclose(np.linalg.norm(clipped, axis=1), [1.0, 1.0], rtol=1e-10)
    with pytest.raises(NotImplementedError, match="sharded"):
        tf.nn.embedding_lookup([params, params], ids)


def test_in_top_k():
    preds = np.array([[0.1, 0.5, 0.4], [0.3, 0.3, 0.4], [0.9, 0.05, 0.05], [np.nan, 1.0, 0.0]], np.float32)
    targets = np.array([2, 0, 1, 0], np.int32)
    # Row 1: the target ties another entry for second place: ties count as in the top k (TF's rule).
    np.testing.assert_array_equal(run(tf.nn.in_top_k(preds, targets, 1)), [False, False, False, False])
    np.testing.assert_array_equal(run(tf.nn.in_top_k(preds, targets, 2)), [True, True, True, False])
    assert tf.nn.in_top_k(tf.placeholder(tf.float32, [None, 3]), tf.placeholder(tf.int32, [None]),
                          1).shape.as_list() == [None]
