"""Math ops: values against NumPy, static shapes (known, unknown dims, unknown rank), TF-worded errors and
float64 finite-difference gradients (incl. broadcasting)."""
import numpy as np
import pytest
from gradcheck import check_gradients

import tlboard as tf

R = np.random.default_rng(7)


def run(fetches, feed=None):
    with tf.Session() as s:
        return s.run(fetches, feed)


def away_from(x, points, gap=0.05):
    """x nudged so no element is within `gap` of a kink at `points` (finite differences need smoothness)."""
    x = x.copy()
    for p in points:
        close = np.abs(x - p) < gap
        x[close] = p + gap * 2 * np.sign(x[close] - p + 1e-12)
    return x


# --- gradients: unary ops

UNARY = [
    (tf.negative, lambda a: a),
    (tf.abs, lambda a: away_from(a, [0.0])),
    (tf.square, lambda a: a),
    (tf.sqrt, lambda a: np.abs(a) + 0.5),
    (tf.rsqrt, lambda a: np.abs(a) + 0.5),
    (tf.exp, lambda a: a),
    (tf.expm1, lambda a: a),
    (tf.log, lambda a: np.abs(a) + 0.5),
    (tf.log1p, lambda a: np.abs(a)),
    (tf.sin, lambda a: a),
    (tf.cos, lambda a: a),
    (tf.tan, lambda a: a * 0.5),
    (tf.tanh, lambda a: a),
    (tf.sigmoid, lambda a: a),
    (tf.log_sigmoid, lambda a: a * 3),
    (tf.reciprocal, lambda a: np.abs(a) + 0.5),
    (lambda x: tf.reduce_logsumexp(x, axis=1), lambda a: a),
]


@pytest.mark.parametrize("fn,domain", UNARY, ids=lambda v: getattr(v, "__name__", "") if callable(v) else "")
def test_unary_gradients(fn, domain):
    check_gradients(fn, [domain(R.normal(size=(3, 4)))])


def test_second_order_tanh_and_sigmoid():
    check_gradients(lambda x: tf.gradients(tf.tanh(x), x)[0], [R.normal(size=(5,))])
    check_gradients(lambda x: tf.gradients(tf.sigmoid(x), x)[0], [R.normal(size=(5,))])


def test_sign_floor_round_gradients_are_zero_or_absent():
    x = tf.placeholder(tf.float64, [3])
    g_sign = tf.gradients(tf.reduce_sum(tf.sign(x)), x)[0]
    assert run(g_sign, {x: [1.0, -2.0, 3.0]}).tolist() == [0.0, 0.0, 0.0]
    assert tf.gradients(tf.reduce_sum(tf.floor(x)), x) == [None]
    assert tf.gradients(tf.reduce_sum(tf.round(x)), x) == [None]


# --- gradients: broadcasting binary ops

BINARY = [
    (tf.add, None), (tf.subtract, None), (tf.multiply, None), (tf.divide, "y_pos"), (tf.realdiv, "y_pos"),
    (tf.pow, "x_pos"), (tf.maximum, None), (tf.minimum, None), (tf.squared_difference, None),
    (tf.floormod, "y_pos"), (lambda x, y: x * y + x / (y * y + 1.0) - y ** 2.0, None),
]
SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 1), (1, 4)), ((2, 3, 4), (3, 1)), ((), (2, 3))]


@pytest.mark.parametrize("shapes", SHAPES, ids=str)
@pytest.mark.parametrize("fn,cond", BINARY, ids=lambda v: getattr(v, "__name__", str(v)))
def test_binary_gradients_with_broadcasting(fn, cond, shapes):
    x, y = R.normal(size=shapes[0]), R.normal(size=shapes[1])
    if cond == "y_pos":
        y = np.abs(y) + 0.5
    if cond == "x_pos":
        x = np.abs(x) + 0.5
    if fn is tf.floormod:  # stay away from the jumps of x mod y
        x = np.abs(x) * 0.3 + 0.05
        y = y + 1.0
    if fn in (tf.maximum, tf.minimum):
        x = x + 0.3  # no ties
    check_gradients(fn, [x, y])
    if shapes == ((3, 4), (4,)):
        check_gradients(fn, [x, y], shapes="unknown_dims")
        check_gradients(fn, [x, y], shapes="unknown_rank")


def test_maximum_tie_sends_gradient_to_first_input():
    x = tf.placeholder(tf.float64, [3])
    y = tf.placeholder(tf.float64, [3])
    gx, gy = tf.gradients(tf.reduce_sum(tf.maximum(x, y)), [x, y])
    hx, hy = tf.gradients(tf.reduce_sum(tf.minimum(x, y)), [x, y])
    out = run([gx, gy, hx, hy], {x: [1.0, 2.0, 3.0], y: [1.0, 5.0, 0.0]})
    assert [v.tolist() for v in out] == [[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1]]


def test_pow_gradient_wrt_exponent_is_zero_at_zero_base():
    x = tf.placeholder(tf.float64, [2])
    y = tf.placeholder(tf.float64, [2])
    gx, gy = tf.gradients(tf.reduce_sum(tf.pow(x, y)), [x, y])
    vx, vy = run([gx, gy], {x: [0.0, 2.0], y: [2.0, 3.0]})
    assert vy[0] == 0.0 and np.isclose(vy[1], 8 * np.log(2))
    assert vx.tolist() == [0.0, 12.0]


# --- matmul and tensordot

@pytest.mark.parametrize("ta", [False, True])
@pytest.mark.parametrize("tb", [False, True])
def test_matmul_transposes_values_and_gradients(ta, tb):
    a, b = R.normal(size=(3, 4)), R.normal(size=(4, 5))
    a_in, b_in = (a.T if ta else a), (b.T if tb else b)
    check_gradients(lambda x, y: tf.matmul(x, y, transpose_a=ta, transpose_b=tb), [a_in, b_in])
    x, y = tf.constant(a_in), tf.constant(b_in)
    np.testing.assert_allclose(run(tf.matmul(x, y, transpose_a=ta, transpose_b=tb)), a @ b)


def test_batch_matmul_broadcasts_batch_dims():
    a, b = R.normal(size=(2, 1, 3, 4)), R.normal(size=(5, 4, 2))
    t = tf.matmul(tf.constant(a), tf.constant(b))
    assert t.op.type == "BatchMatMulV2" and t.shape.as_list() == [2, 5, 3, 2]
    np.testing.assert_allclose(run(t), np.matmul(a, b))
    check_gradients(lambda x, y: tf.matmul(x, y), [a, b])
    check_gradients(lambda x, y: tf.matmul(x, y, transpose_a=True, transpose_b=True),
                    [R.normal(size=(2, 4, 3)), R.normal(size=(2, 5, 4))])


def test_matmul_shape_errors_and_dtype_errors():
    with pytest.raises(ValueError, match=r"Dimensions must be equal, but are 3 and 4 for 'MatMul' \(op: 'MatMul'\) "
                                         r"with input shapes: \[\?,3\], \[4,2\]\."):
        tf.matmul(tf.placeholder(tf.float32, [None, 3]), tf.placeholder(tf.float32, [4, 2]))
    with pytest.raises(TypeError, match="Input 'b' of 'MatMul' Op has type float64 that does not match type "
                                        "float32 of argument 'a'"):
        tf.matmul(tf.placeholder(tf.float32, [2, 2]), tf.placeholder(tf.float64, [2, 2]))
    assert tf.matmul(tf.placeholder(tf.float32), tf.placeholder(tf.float32, [3, 2])).shape.dims is None


def test_matmul_operator_and_unknown_shapes():
    x = tf.placeholder(tf.float32, [None, 3])
    w = tf.constant(np.ones((3, 2), np.float32))
    y = x @ w
    assert y.op.name == "matmul" and y.op.type == "MatMul" and y.shape.as_list() == [None, 2]
    assert run(y, {x: np.ones((4, 3))}).tolist() == [[3.0, 3.0]] * 4


def test_tensordot_values_shapes_gradients():
    a, b = R.normal(size=(2, 3, 4)), R.normal(size=(4, 3, 5))
    t = tf.tensordot(tf.constant(a), tf.constant(b), [[1, 2], [1, 0]])
    assert t.shape.as_list() == [2, 5]
    np.testing.assert_allclose(run(t), np.tensordot(a, b, [[1, 2], [1, 0]]))
    check_gradients(lambda x, y: tf.tensordot(x, y, 1), [R.normal(size=(2, 3)), R.normal(size=(3, 4))])
    x = tf.placeholder(tf.float32, [None, 3])
    assert tf.tensordot(x, tf.ones([3, 2]), 1).shape.as_list() == [None, 2]


# --- reductions

REDUCTIONS = [(tf.reduce_sum, np.sum), (tf.reduce_mean, np.mean), (tf.reduce_max, np.max),
              (tf.reduce_min, np.min), (tf.reduce_prod, np.prod)]


@pytest.mark.parametrize("tf_fn,np_fn", REDUCTIONS, ids=lambda v: getattr(v, "__name__", ""))
@pytest.mark.parametrize("axis", [None, 0, 1, -1, [0, 2], (1,)])
@pytest.mark.parametrize("keep", [False, True])
def test_reduction_values_shapes_and_gradients(tf_fn, np_fn, axis, keep):
    a = R.normal(size=(2, 3, 4))
    t = tf_fn(tf.constant(a), axis=axis, keepdims=keep)
    np_axis = tuple(axis) if isinstance(axis, list | tuple) else axis
    want = np_fn(a, axis=np_axis, keepdims=keep)
    assert t.shape.as_list() == list(np.shape(want))
    np.testing.assert_allclose(run(t), want, rtol=1e-12)
    check_gradients(lambda x: tf_fn(x, axis=axis, keepdims=keep), [a])
    if axis in (1, None):
        check_gradients(lambda x: tf_fn(x, axis=axis, keepdims=keep), [a], shapes="unknown_dims")


def test_reduction_aliases_and_unknown_rank():
    a = R.normal(size=(2, 3))
    x = tf.placeholder(tf.float64)
    s1 = tf.reduce_sum(x, reduction_indices=[1], keep_dims=True)
    assert s1.shape.dims is None
    np.testing.assert_allclose(run(s1, {x: a}), a.sum(1, keepdims=True))
    np.testing.assert_allclose(run(tf.reduce_mean(x), {x: a}), a.mean())
    check_gradients(lambda v: tf.reduce_mean(v), [a], shapes="unknown_rank")
    check_gradients(lambda v: tf.reduce_max(v, axis=0), [a], shapes="unknown_rank")
    p = tf.placeholder(tf.float32, [None, 5])
    assert tf.reduce_sum(p, 1).shape.as_list() == [None]
    assert tf.reduce_sum(p, 1, keepdims=True).shape.as_list() == [None, 1]
    assert tf.reduce_sum(p).shape.as_list() == []
    assert tf.reduce_sum(p, tf.placeholder(tf.int32, [1]), keepdims=True).shape.as_list() == [None, None]
    with pytest.raises(ValueError, match="Invalid reduction dimension 2 for input with 2 dimensions"):
        tf.reduce_sum(p, 2)


def test_max_gradient_splits_ties_evenly():
    x = tf.placeholder(tf.float64, [2, 3])
    g = tf.gradients(tf.reduce_max(x, axis=1), x)[0]
    out = run(g, {x: [[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]})
    np.testing.assert_allclose(out, [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])


def test_prod_gradient_with_zeros():
    x = tf.placeholder(tf.float64, [4])
    g = tf.gradients(tf.reduce_prod(x), x)[0]
    assert run(g, {x: [2.0, 0.0, 3.0, 4.0]}).tolist() == [0.0, 24.0, 0.0, 0.0]
    assert run(g, {x: [0.0, 0.0, 3.0, 4.0]}).tolist() == [0.0, 0.0, 0.0, 0.0]


def test_integer_and_bool_reductions():
    a = np.array([[1, 2, 4], [3, 5, 8]], np.int32)
    out = run([tf.reduce_sum(a, 1), tf.reduce_mean(a, 1), tf.reduce_prod(a), tf.reduce_max(a)])
    assert out[0].dtype == np.int32 and out[0].tolist() == [7, 16]
    assert out[1].dtype == np.int32 and out[1].tolist() == [2, 5]  # integer mean truncates, as in TF
    assert out[2] == 960 and out[3] == 8
    b = np.array([[True, False], [True, True]])
    assert run(tf.reduce_all(b, 1)).tolist() == [False, True]
    assert run(tf.reduce_any(b, 0)).tolist() == [True, True]
    with pytest.raises(TypeError, match="DataType float32 not in list"):
        tf.reduce_any(tf.constant([1.0]))


def test_reduction_keeps_float32():
    x = tf.constant(np.ones((3, 3), np.float32))
    for t in (tf.reduce_sum(x), tf.reduce_mean(x, 0), tf.reduce_max(x), tf.reduce_prod(x, 1)):
        assert t.dtype == tf.float32 and np.asarray(run(t)).dtype == np.float32


# --- elementwise values vs NumPy

def test_arithmetic_values_float_and_int_semantics():
    a = np.array([-7, 7, -8, 9], np.int32)
    b = np.array([2, -2, 3, 4], np.int32)
    x, y = tf.constant(a), tf.constant(b)
    fd, fm, td, tm, dv = run([x // y, x % y, tf.truncatediv(x, y), tf.truncatemod(x, y), tf.div(x, y)])
    assert fd.tolist() == [-4, -4, -3, 2] and fm.tolist() == [1, -1, 1, 1]
    assert td.tolist() == [-3, -3, -2, 2] and tm.tolist() == [-1, 1, -2, 1]
    assert dv.tolist() == [-4, -4, -3, 2] and dv.dtype == np.int32
    q = x / y
    assert q.dtype == tf.float64 and q.op.name == "truediv"
    np.testing.assert_allclose(run(q), a / b)
    q8 = tf.constant([3], tf.int8) / tf.constant([2], tf.int8)
    assert q8.dtype == tf.float32
    f = tf.div(tf.constant([7.0]), 2.0)
    assert f.op.type == "RealDiv" and f.op.name == "div_1" and run(f).tolist() == [3.5]


def test_integer_division_by_zero_is_an_error():
    x = tf.constant([1, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Integer division by zero"):
        run(x // tf.constant([1, 0]))


def test_unary_values_match_numpy():
    a = np.array([-2.5, -0.5, 0.5, 1.5, 2.5, 0.2], np.float32)
    x = tf.constant(a)
    checks = {
        tf.abs(x): np.abs(a), tf.negative(x): -a, tf.square(x): a * a, tf.exp(x): np.exp(a),
        tf.sin(x): np.sin(a), tf.cos(x): np.cos(a), tf.tanh(x): np.tanh(a), tf.sign(x): np.sign(a),
        tf.floor(x): np.floor(a), tf.ceil(x): np.ceil(a), tf.round(x): np.array([-2, -0, 0, 2, 2, 0]),
        tf.sigmoid(x): 1 / (1 + np.exp(-a.astype(np.float64))), tf.reciprocal(x): 1 / a,
        tf.sqrt(tf.abs(x)): np.sqrt(np.abs(a)), tf.rsqrt(tf.abs(x)): 1 / np.sqrt(np.abs(a)),
        tf.log(tf.abs(x)): np.log(np.abs(a)), tf.log1p(tf.abs(x)): np.log1p(np.abs(a)),
        -x: -a, abs(x): np.abs(a), x ** 2: a ** 2, 2.0 ** x: 2.0 ** a, 1 - x: 1 - a, 3 / x: 3 / a,
    }
    out = run(list(checks))
    for (t, want), got in zip(checks.items(), out):
        assert got.dtype == np.float32, t.op.type
        np.testing.assert_allclose(got, want, rtol=1e-6, err_msg=t.op.type)


def test_sigmoid_is_finite_for_large_inputs():
    out = run(tf.sigmoid(tf.constant([-1000.0, 1000.0])))
    assert out.tolist() == [0.0, 1.0]


def test_log_of_zero_is_minus_infinity():
    assert run(tf.log(tf.constant(0.0))) == -np.inf


def test_unary_dtype_errors():
    with pytest.raises(TypeError, match="DataType int32 not in list of allowed values"):
        tf.sqrt(tf.constant([4]))
    with pytest.raises(TypeError, match="does not match type"):
        tf.add(tf.constant([1.0]), tf.constant([1]))


def test_comparisons_logical_and_operators():
    a = np.array([1.0, 2.0, 3.0], np.float32)
    b = np.array([3.0, 2.0, 1.0], np.float32)
    x, y = tf.constant(a), tf.constant(b)
    ts = [x < y, x <= y, x > y, x >= y, tf.equal(x, y), tf.not_equal(x, y)]
    assert [t.op.type for t in ts] == ["Less", "LessEqual", "Greater", "GreaterEqual", "Equal", "NotEqual"]
    assert all(t.dtype == tf.bool for t in ts)
    out = run(ts)
    for got, want in zip(out, [a < b, a <= b, a > b, a >= b, a == b, a != b]):
        assert got.tolist() == want.tolist()
    assert (x == y) is False and (x != y) is True  # identity semantics, as in TF1
    p, q = tf.constant([True, True, False, False]), tf.constant([True, False, True, False])
    out = run([p & q, p | q, p ^ q, ~p, tf.logical_xor(p, q), tf.logical_not(q)])
    assert [o.tolist() for o in out] == [[1, 0, 0, 0], [1, 1, 1, 0], [0, 1, 1, 0], [0, 0, 1, 1], [0, 1, 1, 0],
                                         [0, 1, 0, 1]]
    with pytest.raises(TypeError):
        _ = x & y


def test_operator_names_follow_tf1():
    x = tf.placeholder(tf.float32, name="x")
    names = [(x + 1).op.name, (x - 1).op.name, (x * 2).op.name, (x / 2).op.name, (x // 2).op.name,
             (x % 2).op.name, (x ** 2).op.name, (-x).op.name, abs(x).op.name, (1 + x).op.name, (2 - x).op.name]
    assert names == ["add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "Neg", "Abs", "add_1", "sub_1"]
    # names are unique case-insensitively, as in TF: "Mul" is taken by "mul"
    assert tf.multiply(x, x).op.name == "Mul_1" and tf.subtract(x, x).op.name == "Sub_2"
    with tf.Graph().as_default():
        y = tf.placeholder(tf.float32)
        assert [tf.multiply(y, y).op.name, tf.subtract(y, y).op.name, tf.pow(y, y).op.name] == ["Mul", "Sub", "Pow"]
    assert tf.add(x, x).op.type == "AddV2"


def test_reflected_operators_keep_order_and_dtype():
    x = tf.constant([2.0, 4.0])
    out = run([10 - x, 8 / x, 9 // x, 2 ** x, np.float32(1) - x])
    assert [o.tolist() for o in out] == [[8, 6], [4, 2], [4, 2], [4, 16], [-1, -3]]
    assert (10 - x).dtype == tf.float32


def test_variable_operators():
    v = tf.Variable([1.0, 2.0])
    ts = [v + 1, 2 * v, v[1], -v, v * v]
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        out = s.run(ts)
    assert [np.asarray(o).tolist() for o in out] == [[2, 3], [2, 4], 2.0, [-1, -2], [1, 4]]


# --- select, where, casts, clipping, cumsum, add_n, argmax, count_nonzero

def test_where_select_and_gradients():
    c = np.array([True, False, True])
    a, b = R.normal(size=3), R.normal(size=3)
    t = tf.where(c, tf.constant(a), tf.constant(b))
    assert t.op.type == "Select"
    np.testing.assert_allclose(run(t), np.where(c, a, b))
    check_gradients(lambda x, y: tf.where(c, x, y), [a, b])
    rows = np.array([True, False])
    m, n = R.normal(size=(2, 3)), R.normal(size=(2, 3))
    np.testing.assert_allclose(run(tf.where(rows, m, n)), np.where(rows[:, None], m, n))
    check_gradients(lambda x, y: tf.where_v2(np.array([True, False, True]), x, y),
                    [R.normal(size=(2, 3)), R.normal(size=(3,))])
    with pytest.raises(ValueError, match="Dimensions must be equal"):
        tf.where(c, tf.zeros([3]), tf.zeros([4]))


def test_where_one_argument_gives_int64_coordinates():
    x = tf.placeholder(tf.bool, [None, 2])
    w = tf.where(x)
    assert w.dtype == tf.int64 and w.shape.as_list() == [None, 2]
    assert run(w, {x: [[True, False], [False, True]]}).tolist() == [[0, 0], [1, 1]]


def test_cast_and_to_helpers():
    x = tf.constant([-1.7, 0.5, 2.9])
    out = run([tf.cast(x, tf.int32), tf.to_int64(x), tf.to_double(x), tf.cast(tf.constant([0, 3]), tf.bool)])
    assert out[0].tolist() == [-1, 0, 2] and out[1].dtype == np.int64 and out[2].dtype == np.float64
    assert out[3].tolist() == [False, True]
    assert tf.to_float(tf.constant([1])).op.name == "ToFloat"
    assert tf.cast(x, tf.float32) is x
    check_gradients(lambda v: tf.cast(v, tf.float32) * 3.0, [R.normal(size=3)], eps=1e-2, rtol=1e-4)


def test_clip_by_value_structure_values_gradient():
    x = tf.placeholder(tf.float64, [4])
    c = tf.clip_by_value(x, -1.0, 1.0)
    assert c.op.name == "clip_by_value" and c.op.type == "Maximum"
    assert c.op.inputs[0].op.name == "clip_by_value/Minimum"
    assert run(c, {x: [-3.0, -0.5, 0.5, 3.0]}).tolist() == [-1.0, -0.5, 0.5, 1.0]
    g = tf.gradients(tf.reduce_sum(c), x)[0]
    assert run(g, {x: [-3.0, -0.5, 0.5, 3.0]}).tolist() == [0, 1, 1, 0]


def test_add_n_values_shape_and_gradient():
    a, b, c = (R.normal(size=(2, 3)) for _ in range(3))
    t = tf.add_n([tf.constant(a), tf.constant(b), tf.constant(c)])
    assert t.op.type == "AddN" and t.shape.as_list() == [2, 3]
    np.testing.assert_allclose(run(t), a + b + c)
    check_gradients(lambda x, y: tf.add_n([x, y, x]), [a, b])
    with pytest.raises(ValueError):
        tf.add_n([tf.zeros([2]), tf.zeros([3])])


@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
def test_cumsum(exclusive, reverse):
    a = R.normal(size=(3, 4))
    t = tf.cumsum(tf.constant(a), axis=1, exclusive=exclusive, reverse=reverse)
    w = a[:, ::-1] if reverse else a
    want = np.cumsum(w, axis=1) - (w if exclusive else 0)
    want = want[:, ::-1] if reverse else want
    np.testing.assert_allclose(run(t), want)
    check_gradients(lambda x: tf.cumsum(x, axis=1, exclusive=exclusive, reverse=reverse), [a])


def test_argmax_argmin_and_shapes():
    a = np.array([[1, 9, 3], [7, 2, 8]], np.float32)
    x = tf.placeholder(tf.float32, [None, 3])
    am, an = tf.argmax(x, 1), tf.argmin(x, axis=0)
    assert am.dtype == tf.int64 and am.shape.as_list() == [None] and an.shape.as_list() == [3]
    out = run([am, an, tf.argmax(x, 1, output_type=tf.int32), tf.argmax(x, dimension=1)], {x: a})
    assert out[0].tolist() == [1, 2] and out[1].tolist() == [0, 1, 0] and out[2].dtype == np.int32
    assert out[3].tolist() == [1, 2]
    with pytest.raises(ValueError, match=r"Expected dimension in the range \[-2, 2\), but got 2"):
        tf.argmax(x, 2)
    assert tf.gradients(tf.cast(am, tf.float32), x) == [None]


def test_count_nonzero_and_squared_difference():
    a = np.array([[0, 1, 2], [0, 0, 3]], np.float32)
    n = tf.count_nonzero(tf.constant(a), axis=1)
    assert n.dtype == tf.int64
    assert run(n).tolist() == [2, 1] and run(tf.count_nonzero(a)) == 3
    assert run(tf.count_nonzero(tf.constant([True, False, True]))) == 2
    d = tf.squared_difference(tf.constant([1.0, 5.0]), 3.0)
    assert run(d).tolist() == [4.0, 4.0]


def test_broadcast_error_message():
    with pytest.raises(ValueError, match=r"Dimensions must be equal, but are 3 and 4 for 'add' \(op: 'AddV2'\) "
                                         r"with input shapes: \[2,3\], \[4\]\."):
        tf.add(tf.zeros([2, 3]), tf.zeros([4]))


def test_binary_static_shapes_unknown():
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.placeholder(tf.float32, [5, 1])
    assert (x + y).shape.as_list() == [5, 3]
    assert (x * tf.placeholder(tf.float32)).shape.dims is None
    assert (x - tf.placeholder(tf.float32, [None, None])).shape.as_list() == [None, 3]


def test_run_time_broadcast_error_is_invalid_argument():
    x = tf.placeholder(tf.float32, [None])
    y = tf.placeholder(tf.float32, [None])
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(x + y, {x: [1, 2], y: [1, 2, 3]})


# --- the checker itself must catch a wrong rule

class TestWrongSquareGrad:
    """Square with a gradient missing its factor 2: check_gradients has to reject it."""
    type = "TestWrongSquareGrad"

    def shape(op):
        return op.inputs[0].shape

    def forward(k, x):
        return x * x

    def grad(op, g):
        return tf.multiply(g, op.inputs[0])


def test_gradcheck_rejects_a_wrong_gradient_rule():
    from tlboard.engine.ops.core import make
    from tlboard.engine.registry import OPS, op_def
    if "TestWrongSquareGrad" not in OPS:
        op_def(TestWrongSquareGrad)
    with pytest.raises(AssertionError, match="gradient mismatch for input 0"):
        check_gradients(lambda x: make("TestWrongSquareGrad", [x]), [R.normal(size=(3,))])
    with pytest.raises(AssertionError, match="gradient mismatch"):
        check_gradients(lambda x: tf.exp(x), [R.normal(size=(3,))], eps=1e-1)  # too coarse a step


@pytest.mark.parametrize("shape,axis", [((64, 30, 40, 4), [0, 1, 2]), ((2000, 48), [0]), ((8, 3, 4100), [0, 1]),
                                        ((7, 9400, 1), [0, 1])])
@pytest.mark.parametrize("keepdims", [False, True])
def test_large_leading_axis_sums_and_means_match_float64(shape, axis, keepdims):
    # Big reductions over leading axes (bias gradients) take a blocked path; check it against float64 sums.
    x = R.standard_normal(shape).astype(np.float32)
    total, mean = run([tf.reduce_sum(x, axis=axis, keepdims=keepdims),
                       tf.reduce_mean(x, axis=axis, keepdims=keepdims)])
    want = x.astype(np.float64).sum(axis=tuple(axis), keepdims=keepdims)
    assert total.dtype == np.float32 and total.shape == want.shape
    np.testing.assert_allclose(total, want, rtol=1e-4, atol=2e-3)
    np.testing.assert_allclose(mean, want / (x.size // want.size), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("op", [tf.multiply, tf.add, tf.subtract, tf.maximum])
def test_gradient_of_an_unknown_dim_that_broadcasts_at_run_time(op):
    # Both operands are [None]: only the fed shapes say that y (1,) broadcast against x (4,), so y's gradient
    # must be summed at run time back to (1,); x keeps its own shape.
    x = tf.placeholder(tf.float64, [None])
    y = tf.placeholder(tf.float64, [None])
    gx, gy = tf.gradients(tf.reduce_sum(op(x, y) * tf.constant([1.0, 2.0, 3.0, 4.0], tf.float64)), [x, y])
    xv, yv = np.array([1.0, -2.0, 3.0, 0.5]), np.array([0.25])
    vx, vy = run([gx, gy], {x: xv, y: yv})
    assert vx.shape == (4,) and vy.shape == (1,)
    w = np.array([1.0, 2.0, 3.0, 4.0])
    dx = {tf.multiply: w * yv, tf.add: w, tf.subtract: w, tf.maximum: w * (xv >= yv)}[op]
    dy = {tf.multiply: (w * xv).sum(), tf.add: w.sum(), tf.subtract: -w.sum(), tf.maximum: (w * (xv < yv)).sum()}[op]
    np.testing.assert_allclose(vx, dx)
    np.testing.assert_allclose(vy, [dy])
