"""More TF1 ops: eye, linspace, einsum, norm, gather_nd/scatter_nd, cumprod, diagonals, trace, unique, top_k,
swish and the tf.math / tf.random / tf.linalg namespaces. Values against NumPy, static shapes (known, unknown
dims, unknown rank), TF-worded errors and float64 finite-difference gradients."""
import numpy as np
import pytest
from gradcheck import check_gradients

import tlboard as tf

R = np.random.default_rng(21)


def run(fetches, feed=None):
    with tf.Session() as s:
        return s.run(fetches, feed)


# --- eye

def test_eye_values_and_shapes():
    np.testing.assert_array_equal(run(tf.eye(3)), np.eye(3, dtype=np.float32))
    out = run(tf.eye(2, 4, batch_shape=[3], dtype=tf.int32))
    assert out.dtype == np.int32 and out.shape == (3, 2, 4)
    np.testing.assert_array_equal(out, np.broadcast_to(np.eye(2, 4), (3, 2, 4)))
    assert tf.eye(3).dtype == tf.float32 and tf.eye(3).shape.as_list() == [3, 3]
    n = tf.placeholder(tf.int32, [])
    t = tf.eye(n, 2, batch_shape=[2], dtype=tf.float64)
    assert t.dtype == tf.float64
    np.testing.assert_array_equal(run(t, {n: 3}), np.broadcast_to(np.eye(3, 2), (2, 3, 2)))
    np.testing.assert_array_equal(run(tf.eye(n), {n: 4}), np.eye(4))
    assert tf.eye(n).shape.as_list() == [None, None]


# --- linspace

def test_linspace_values_shapes_and_errors():
    out = run(tf.linspace(0.0, 1.0, 5))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, np.linspace(0, 1, 5, dtype=np.float32))
    assert run(tf.lin_space(2.0, 3.0, 1)).tolist() == [2.0]
    out = run(tf.linspace(tf.constant(-1.0, tf.float64), 7.0, 9))
    assert out.dtype == np.float64 and out[-1] == 7.0
    np.testing.assert_allclose(out, np.arange(-1.0, 7.5, 1.0))
    assert tf.linspace(0.0, 1.0, 5).shape.as_list() == [5]
    num = tf.placeholder(tf.int32, [])
    t = tf.linspace(0.0, 2.0, num)
    assert t.shape.as_list() == [None]
    np.testing.assert_allclose(run(t, {num: 3}), [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="Requires num > 0: 0"):
        tf.linspace(0.0, 1.0, 0)
    with pytest.raises(ValueError, match="Shape must be rank 0 but is rank 1"):
        tf.linspace(tf.constant([0.0]), 1.0, 3)
    with pytest.raises(TypeError, match="DataType int32 not in list of allowed values"):
        tf.linspace(0, 1, 3)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Requires num > 0: -2"):
        run(t, {num: -2})


# --- einsum

EINSUM_CASES = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,ij->", [(2, 3), (2, 3)]),
    ("i,j->ij", [(3,), (4,)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
    ("ij,j->i", [(3, 4), (4,)]),
    ("ij,jk", [(2, 3), (3, 2)]),
    ("ij->ji", [(2, 3)]),
    ("ij->", [(2, 3)]),
    ("ijk->kj", [(2, 3, 2)]),
    ("ij,k->i", [(2, 3), (4,)]),
    ("...ij,...jk->...ik", [(2, 2, 3), (3, 2)]),
    ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]),
]


@pytest.mark.parametrize("eq,shapes", EINSUM_CASES, ids=[c[0] for c in EINSUM_CASES])
def test_einsum_values_and_gradients(eq, shapes):
    arrays = [R.normal(size=s) for s in shapes]
    xs = [tf.constant(a) for a in arrays]
    y = tf.einsum(eq, *xs)
    want = np.einsum(eq, *arrays)
    assert y.shape.as_list() == list(want.shape)
    np.testing.assert_allclose(run(y), want, rtol=1e-12, atol=1e-12)
    check_gradients(lambda *p: tf.einsum(eq, *p), arrays)


def test_einsum_gradients_unknown_shapes():
    a, b = R.normal(size=(2, 3)), R.normal(size=(3, 4))
    check_gradients(lambda x, y: tf.einsum("ij,jk->ik", x, y), [a, b], shapes="unknown_dims")
    check_gradients(lambda x, y: tf.einsum("ij,jk->ik", x, y), [a, b], shapes="unknown_rank")
    c = R.normal(size=(2, 1, 2, 3))
    check_gradients(lambda x, y: tf.einsum("...ij,...jk->...ik", x, y), [c, R.normal(size=(4, 3, 2))],
                    shapes="unknown_dims")


def test_einsum_static_shapes_and_errors():
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.placeholder(tf.float32, [3, None])
    assert tf.einsum("ij,jk->ik", x, y).shape.as_list() == [None, None]
    assert tf.einsum("ij,jk->ki", x, tf.placeholder(tf.float32, [None, 5])).shape.as_list() == [5, None]
    assert tf.einsum("ij,jk->ik", tf.placeholder(tf.float32), y).shape.as_list() == [None, None]
    assert tf.einsum("...j,jk->...k", tf.placeholder(tf.float32), y).shape.dims is None
    assert tf.einsum("...j,jk->...k", tf.placeholder(tf.float32, [4, None, 3]), y).shape.as_list() == [4, None, None]
    with pytest.raises(ValueError, match="Dimensions for subscript 'j' must be equal, but are 3 and 4"):
        tf.einsum("ij,jk->ik", tf.zeros([2, 3]), tf.zeros([4, 5]))
    with pytest.raises(ValueError, match="Input 1 has rank 1 but its subscripts 'jk' name 2 dimensions"):
        tf.einsum("ij,jk->ik", tf.zeros([2, 3]), tf.zeros([3]))
    with pytest.raises(ValueError, match="names 2 inputs, but 1 were given"):
        tf.einsum("ij,jk->ik", tf.zeros([2, 3]))
    with pytest.raises(ValueError, match="subscript 'z' does not appear"):
        tf.einsum("ij->iz", tf.zeros([2, 3]))
    with pytest.raises(TypeError, match="don't all match"):
        tf.einsum("i,i->", tf.zeros([2]), tf.zeros([2], dtype=tf.float64))


def test_einsum_unsupported_gradient_is_a_clear_error():
    x = tf.placeholder(tf.float64, [3, 3])
    np.testing.assert_allclose(run(tf.einsum("ii->", x), {x: np.eye(3) * 2}), 6.0)
    with pytest.raises(ValueError, match="no gradient for 'ii->'.*repeats a subscript"):
        tf.gradients(tf.einsum("ii->", x), x)


# --- norm and trace

def test_norm_values():
    a = R.normal(size=(3, 4))
    x = tf.constant(a)
    cases = [
        (tf.norm(x), np.linalg.norm(a)),
        (tf.norm(x, ord=1, axis=1), np.abs(a).sum(1)),
        (tf.norm(x, ord=np.inf, axis=0), np.abs(a).max(0)),
        (tf.norm(x, ord=3, axis=-1), (np.abs(a) ** 3).sum(-1) ** (1 / 3)),
        (tf.norm(x, ord=2, axis=1, keepdims=True), np.linalg.norm(a, axis=1, keepdims=True)),
        (tf.norm(x, ord="fro", axis=[0, 1]), np.linalg.norm(a, "fro")),
        (tf.norm(x, ord=1, axis=(0, 1)), np.linalg.norm(a, 1)),
        (tf.norm(x, ord=np.inf, axis=(0, 1)), np.linalg.norm(a, np.inf)),
        (tf.norm(x, ord=np.inf, axis=(1, 0)), np.linalg.norm(a.T, np.inf)),
        (tf.norm(x, keepdims=True), np.linalg.norm(a).reshape(1, 1)),
        (tf.linalg.norm(x, axis=(-2, -1), keepdims=True), np.linalg.norm(a).reshape(1, 1)),
    ]
    got = run([c[0] for c in cases])
    for (t, want), g in zip(cases, got):
        assert t.shape.as_list() == list(np.shape(want)), t.name
        np.testing.assert_allclose(g, want, rtol=1e-12)


def test_norm_static_shapes_and_errors():
    x = tf.placeholder(tf.float32, [None, 3, 4])
    assert tf.norm(x).shape.as_list() == []
    assert tf.norm(x, axis=1).shape.as_list() == [None, 4]
    assert tf.norm(x, axis=[1, 2]).shape.as_list() == [None]
    assert tf.norm(x, axis=-1, keepdims=True).shape.as_list() == [None, 3, 1]
    assert tf.norm(tf.placeholder(tf.float32), axis=0).shape.dims is None
    with pytest.raises(ValueError, match="'ord' must be a supported vector norm, got fro"):
        tf.norm(x, ord="fro")
    with pytest.raises(ValueError, match="'ord' must be a supported vector norm, got -1"):
        tf.norm(x, ord=-1, axis=1)
    with pytest.raises(ValueError, match=r"'ord' must be a supported matrix norm in \['euclidean', 'fro', 1, inf\]"):
        tf.norm(x, ord=3, axis=[1, 2])
    with pytest.raises(ValueError, match="'axis' must be None, an integer, or a tuple of 2 unique integers"):
        tf.norm(x, axis=[1, 1])


@pytest.mark.parametrize("shapes", ["known", "unknown_dims", "unknown_rank"])
def test_norm_gradients(shapes):
    a = R.normal(size=(3, 4)) + 0.1
    check_gradients(lambda x: tf.norm(x), [a], shapes=shapes)
    check_gradients(lambda x: tf.norm(x, ord=3, axis=1), [a], shapes=shapes)
    check_gradients(lambda x: tf.norm(x, ord=1, axis=[0, 1]), [a], shapes=shapes)
    check_gradients(lambda x: tf.norm(x, ord="fro", axis=(0, 1), keepdims=True), [a], shapes=shapes)


def test_trace():
    a = R.normal(size=(2, 3, 4))
    t = tf.trace(tf.constant(a))
    assert t.shape.as_list() == [2]
    np.testing.assert_allclose(run(t), np.trace(a, axis1=1, axis2=2))
    assert tf.linalg.trace(tf.placeholder(tf.float32, [None, 3, 3])).shape.as_list() == [None]
    check_gradients(lambda x: tf.trace(x), [a], shapes="unknown_dims")


# --- gather_nd / scatter_nd

def test_gather_nd_values_and_shapes():
    a = R.normal(size=(3, 4, 2))
    idx = np.array([[0, 1], [2, 3], [0, 1]])
    out = run([tf.gather_nd(a, idx), tf.gather_nd(a, idx[:, :1]), tf.gather_nd(a, [[[1, 2, 0]], [[2, 0, 1]]]),
               tf.gather_nd(a, np.zeros((0,), np.int32))])
    np.testing.assert_array_equal(out[0], a[idx[:, 0], idx[:, 1]])
    np.testing.assert_array_equal(out[1], a[idx[:, 0]])
    np.testing.assert_array_equal(out[2], np.array([[a[1, 2, 0]], [a[2, 0, 1]]]))
    np.testing.assert_array_equal(out[3], a)
    p = tf.placeholder(tf.float32, [None, 4, 2])
    i = tf.placeholder(tf.int32, [None, 2])
    assert tf.gather_nd(p, i).shape.as_list() == [None, 2]
    assert tf.gather_nd(p, tf.placeholder(tf.int32, [5, None])).shape.dims is None
    assert tf.gather_nd(tf.placeholder(tf.float32), i).shape.dims is None
    with pytest.raises(ValueError, match=r"indices.shape\[-1\] must be <= params.rank, but saw indices shape: "
                                         r"\[\?,4\] and params shape: \[\?,4,2\]"):
        tf.gather_nd(p, tf.placeholder(tf.int32, [None, 4]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = \[3, 0\] does not index into param "
                                                             r"shape \[3,4\]"):
        run(tf.gather_nd(tf.zeros([3, 4]), [[0, 0], [3, 0]]))


@pytest.mark.parametrize("shapes", ["known", "unknown_dims", "unknown_rank"])
def test_gather_nd_gradients(shapes):
    a = R.normal(size=(3, 4, 2))
    check_gradients(lambda p, i: tf.gather_nd(p, i), [a, np.array([[0, 1], [2, 3], [0, 1]])], shapes=shapes)
    check_gradients(lambda p, i: tf.gather_nd(p, i), [a, np.array([[[2], [0]], [[2], [2]]])], shapes=shapes)


def test_scatter_nd_values_shapes_and_errors():
    idx = np.array([[4], [3], [1], [7], [4]])
    upd = np.array([9.0, 10, 11, 12, 1])
    want = np.zeros(8)
    np.add.at(want, idx[:, 0], upd)
    np.testing.assert_array_equal(run(tf.scatter_nd(idx, upd, [8])), want)
    ints = run(tf.scatter_nd([[0, 1], [1, 0]], [5, 6], [2, 2]))
    assert ints.dtype == np.int32 and ints.tolist() == [[0, 5], [6, 0]]
    rows = run(tf.scatter_nd([[1]], [[1.0, 2.0]], tf.constant([3, 2])))
    np.testing.assert_array_equal(rows, [[0, 0], [1, 2], [0, 0]])
    i = tf.placeholder(tf.int32, [None, 1])
    u = tf.placeholder(tf.float32, [None, 2])
    assert tf.scatter_nd(i, u, [5, 2]).shape.as_list() == [5, 2]
    assert tf.scatter_nd(i, u, tf.placeholder(tf.int32, [2])).shape.as_list() == [None, None]
    with pytest.raises(ValueError, match=r"The shape of updates \[\?,3\] must be the outer 1 dimensions of "
                                         r"indices.shape=\[\?,1\] followed by the inner 1 dimensions of shape=\[5,2\]"):
        tf.scatter_nd(i, tf.placeholder(tf.float32, [None, 3]), [5, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="does not index into output shape"):
        run(tf.scatter_nd([[5]], [1.0], [5]))


@pytest.mark.parametrize("shapes", ["known", "unknown_dims"])
def test_scatter_nd_gradients(shapes):
    idx = np.array([[0, 1], [2, 0], [0, 1]])
    check_gradients(lambda i, u: tf.scatter_nd(i, u, [3, 2, 2]), [idx, R.normal(size=(3, 2))], shapes=shapes)


# --- cumprod

def test_cumprod_values():
    a = R.normal(size=(3, 4))
    x = tf.constant(a)
    out = run([tf.cumprod(x), tf.cumprod(x, axis=1, exclusive=True), tf.cumprod(x, axis=1, reverse=True),
               tf.cumprod(x, axis=-1, exclusive=True, reverse=True), tf.math.cumprod([1, 2, 3, 4])])
    np.testing.assert_allclose(out[0], np.cumprod(a, 0))
    np.testing.assert_allclose(out[1], np.concatenate([np.ones((3, 1)), np.cumprod(a, 1)[:, :-1]], 1))
    np.testing.assert_allclose(out[2], np.cumprod(a[:, ::-1], 1)[:, ::-1])
    np.testing.assert_allclose(out[3], np.concatenate([np.cumprod(a[:, ::-1], 1)[:, :-1][:, ::-1],
                                                       np.ones((3, 1))], 1))
    assert out[4].tolist() == [1, 2, 6, 24]
    assert tf.cumprod(tf.placeholder(tf.float32, [None, 3]), 1).shape.as_list() == [None, 3]


@pytest.mark.parametrize("exclusive,reverse", [(False, False), (True, False), (False, True), (True, True)])
def test_cumprod_gradients(exclusive, reverse):
    a = R.uniform(0.5, 1.5, size=(2, 4)) * np.sign(R.normal(size=(2, 4)))
    check_gradients(lambda x: tf.cumprod(x, axis=1, exclusive=exclusive, reverse=reverse), [a],
                    shapes="unknown_dims")


# --- diagonals

def test_diag_ops_values_and_shapes():
    v = R.normal(size=(2, 3))
    m = R.normal(size=(2, 3, 4))
    out = run([tf.diag([1.0, 2.0]), tf.diag(v), tf.diag_part(tf.diag(v)), tf.matrix_diag(v),
               tf.matrix_diag_part(m), tf.matrix_set_diag(m, v), tf.linalg.diag(v), tf.linalg.diag_part(m)])
    np.testing.assert_array_equal(out[0], np.diag([1.0, 2.0]))
    want = np.zeros((2, 3, 2, 3))
    for i in range(2):
        for j in range(3):
            want[i, j, i, j] = v[i, j]
    np.testing.assert_array_equal(out[1], want)
    np.testing.assert_array_equal(out[2], v)
    np.testing.assert_array_equal(out[3], np.stack([np.diag(r) for r in v]))
    np.testing.assert_array_equal(out[4], np.stack([np.diag(b) for b in m]))
    set_want = m.copy()
    set_want[:, range(3), range(3)] = v
    np.testing.assert_array_equal(out[5], set_want)
    np.testing.assert_array_equal(out[6], out[3])
    np.testing.assert_array_equal(out[7], out[4])
    p = tf.placeholder(tf.float32, [None, 3])
    assert tf.diag(p).shape.as_list() == [None, 3, None, 3]
    assert tf.diag_part(tf.placeholder(tf.float32, [None, 3, 4, None])).shape.as_list() == [4, 3]
    assert tf.matrix_diag(p).shape.as_list() == [None, 3, 3]
    assert tf.matrix_diag_part(tf.placeholder(tf.float32, [None, 5, 3])).shape.as_list() == [None, 3]
    assert tf.matrix_diag_part(tf.placeholder(tf.float32, [2, None, 3])).shape.as_list() == [2, None]
    assert tf.matrix_diag(tf.placeholder(tf.float32)).shape.dims is None
    with pytest.raises(ValueError, match="Input must have even rank <= 6, input rank is 3"):
        tf.diag_part(tf.zeros([2, 2, 2]))
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 2 and 3"):
        tf.diag_part(tf.zeros([2, 3]))
    with pytest.raises(ValueError, match="Shape must be at least rank 2 but is rank 1 for 'MatrixDiagPart"):
        tf.matrix_diag_part(tf.zeros([3]))
    with pytest.raises(ValueError, match="Shape must be at least rank 1 but is rank 0"):
        tf.matrix_diag(1.0)


@pytest.mark.parametrize("shapes", ["known", "unknown_dims", "unknown_rank"])
def test_diag_ops_gradients(shapes):
    v = R.normal(size=(2, 3))
    check_gradients(lambda x: tf.diag(x), [v], shapes=shapes)
    check_gradients(lambda x: tf.diag_part(x), [R.normal(size=(2, 3, 2, 3))], shapes=shapes)
    check_gradients(lambda x: tf.matrix_diag(x), [v], shapes=shapes)
    check_gradients(lambda x: tf.matrix_diag_part(x), [R.normal(size=(2, 3, 4))], shapes=shapes)
    check_gradients(lambda x, d: tf.matrix_set_diag(x, d), [R.normal(size=(2, 4, 3)), v], shapes=shapes)


def test_matrix_transpose():
    a = R.normal(size=(2, 3, 4))
    x = tf.placeholder(tf.float64)
    out = run([tf.matrix_transpose(tf.constant(a)), tf.linalg.transpose(x)], {x: a})
    np.testing.assert_array_equal(out[0], a.transpose(0, 2, 1))
    np.testing.assert_array_equal(out[1], a.transpose(0, 2, 1))
    assert tf.matrix_transpose(tf.placeholder(tf.float32, [None, 3, 4])).shape.as_list() == [None, 4, 3]
    with pytest.raises(ValueError, match="should be a \\(batch\\) matrix, with rank >= 2"):
        tf.matrix_transpose(tf.zeros([3]))


# --- unique

def test_unique():
    y, idx = tf.unique([4, 1, 4, 2, 1, 7])
    assert y.shape.as_list() == [None] and idx.shape.as_list() == [6] and idx.dtype == tf.int32
    yv, iv = run([y, idx])
    assert yv.tolist() == [4, 1, 2, 7] and iv.tolist() == [0, 1, 0, 2, 1, 3]
    out = tf.unique(tf.constant([2.5, 2.5, -1.0]), out_idx=tf.int64)
    assert out.idx.dtype == tf.int64
    yv, iv = run([out.y, out.idx])
    assert yv.tolist() == [2.5, -1.0] and iv.tolist() == [0, 0, 1]
    assert tf.unique(tf.placeholder(tf.float32)).idx.shape.as_list() == [None]
    with pytest.raises(ValueError, match="Shape must be rank 1 but is rank 2"):
        tf.unique(tf.zeros([2, 2]))
    x = tf.placeholder(tf.float64, [3])
    assert tf.gradients(tf.unique(x).y, x) == [None]


# --- top_k

def test_top_k_values_ties_and_shapes():
    a = np.array([[1.0, 3.0, 3.0, 2.0, 3.0], [5.0, 4.0, 5.0, 0.0, -1.0]])
    values, indices = tf.nn.top_k(a, k=3)
    assert values.shape.as_list() == [2, 3] and indices.dtype == tf.int32
    v, i = run([values, indices])
    assert i.tolist() == [[1, 2, 4], [0, 2, 1]]  # equal values: lower index first
    assert v.tolist() == [[3, 3, 3], [5, 5, 4]]
    out = tf.math.top_k(tf.constant([3, 1, 2], tf.int32), 2)
    assert run(out.values).tolist() == [3, 2] and run(out.indices).tolist() == [0, 2]
    b = R.normal(size=(2, 3, 6))
    v, i = run(tf.nn.top_k(b, 4))
    want = np.argsort(-b, axis=-1, kind="stable")[..., :4]
    np.testing.assert_array_equal(i, want)
    np.testing.assert_array_equal(v, np.take_along_axis(b, want, -1))
    assert run(tf.nn.top_k(tf.constant([1, 2], tf.uint8), 1)).values.tolist() == [2]
    p = tf.placeholder(tf.float32, [None, 5])
    assert tf.nn.top_k(p, 2).values.shape.as_list() == [None, 2]
    assert tf.nn.top_k(p, tf.placeholder(tf.int32, [])).indices.shape.as_list() == [None, None]
    assert tf.nn.top_k(tf.placeholder(tf.float32), 2).values.shape.dims is None
    with pytest.raises(ValueError, match="input must have last dimension >= k = 6 but is 5"):
        tf.nn.top_k(p, 6)
    with pytest.raises(ValueError, match="Need k >= 0, got -1"):
        tf.nn.top_k(p, -1)
    with pytest.raises(ValueError, match="Shape must be at least rank 1 but is rank 0"):
        tf.nn.top_k(1.0)
    q = tf.placeholder(tf.float32, [None, None])
    with pytest.raises(tf.errors.InvalidArgumentError, match="input must have at least k columns. Had 2, needed 3"):
        run(tf.nn.top_k(q, 3), {q: np.zeros((1, 2))})


@pytest.mark.parametrize("shapes", ["known", "unknown_dims", "unknown_rank"])
def test_top_k_gradients(shapes):
    a = R.permutation(24).reshape(2, 3, 4) * 0.1 + R.normal(size=(2, 3, 4)) * 0.01
    check_gradients(lambda x: tf.nn.top_k(x, 2).values, [a], shapes=shapes)
    check_gradients(lambda x: tf.nn.top_k(x, 4).values * 2.0, [a[0]], shapes=shapes)


def test_swish():
    a = R.normal(size=(3, 4))
    np.testing.assert_allclose(run(tf.nn.swish(tf.constant(a))), a / (1 + np.exp(-a)), rtol=1e-12)
    assert tf.nn.swish(tf.placeholder(tf.float32, [None, 4])).shape.as_list() == [None, 4]
    check_gradients(lambda x: tf.nn.swish(x), [a], shapes="unknown_rank")


# --- namespaces

def test_math_random_linalg_namespaces():
    for name in ["log", "exp", "sqrt", "rsqrt", "square", "abs", "sin", "cos", "tanh", "sigmoid", "add", "subtract",
                 "multiply", "divide", "truediv", "floordiv", "mod", "pow", "maximum", "minimum", "reduce_sum",
                 "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_any", "reduce_all",
                 "reduce_logsumexp", "argmax", "argmin", "equal", "not_equal", "less", "greater", "less_equal",
                 "greater_equal", "logical_and", "logical_or", "logical_not", "log1p", "sign", "round", "floor",
                 "ceil", "reciprocal", "cumsum", "cumprod", "top_k", "softplus", "count_nonzero", "l2_normalize",
                 "in_top_k"]:
        assert callable(getattr(tf.math, name)), name
    assert tf.math.log is tf.log and tf.math.reduce_sum is tf.reduce_sum and tf.math.top_k is tf.nn.top_k
    assert tf.random.normal is tf.random_normal and tf.random.uniform is tf.random_uniform
    assert tf.random.truncated_normal is tf.truncated_normal and tf.random.shuffle is tf.random_shuffle
    assert tf.random.set_random_seed is tf.set_random_seed
    for name in ["norm", "matmul", "trace", "diag", "diag_part", "eye", "einsum", "transpose"]:
        assert callable(getattr(tf.linalg, name)), name
    assert tf.linalg.diag is tf.matrix_diag and tf.linalg.eye is tf.eye and tf.linalg.norm is tf.norm
    for name in ["eye", "linspace", "lin_space", "einsum", "norm", "gather_nd", "scatter_nd", "cumprod", "diag",
                 "matrix_diag", "diag_part", "matrix_diag_part", "trace", "unique", "reduce_logsumexp", "sign",
                 "round", "floor", "ceil"]:
        assert callable(getattr(tf, name)), name
