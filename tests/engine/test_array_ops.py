"""Array ops: values against NumPy, static shapes (known, unknown dims, unknown rank), TF-worded errors and
float64 finite-difference gradients."""
import numpy as np
import pytest
from gradcheck import check_gradients

import tlboard as tf

R = np.random.default_rng(11)


def run(fetches, feed=None):
    with tf.Session() as s:
        return s.run(fetches, feed)


# --- constant

def test_constant_dtypes_and_shapes():
    assert tf.constant(5).dtype == tf.int32
    assert tf.constant([1.0, 2.0]).dtype == tf.float32
    assert tf.constant(np.float64(1.0)).dtype == tf.float64
    assert tf.constant(True).dtype == tf.bool
    assert tf.constant(2**40).dtype == tf.int64
    assert tf.constant("ab").dtype == tf.string
    assert run(tf.constant(7, shape=[2, 2])).tolist() == [[7, 7], [7, 7]]
    assert run(tf.constant([1, 2], shape=[4])).tolist() == [1, 2, 2, 2]  # TF1 repeats the last element
    with pytest.raises(ValueError, match="Too many elements provided. Needed at most 2, but received 3"):
        tf.constant([1, 2, 3], shape=[2])
    with pytest.raises(TypeError, match="Expected int32, got 1.5 of type 'float' instead."):
        tf.constant(1.5, dtype=tf.int32)
    with pytest.raises(TypeError):
        tf.constant([1, 2], shape=[3], verify_shape=True)


# --- reshape / transpose / expand_dims / squeeze

def test_reshape_transpose_expand_squeeze_values():
    a = R.normal(size=(2, 3, 4))
    x = tf.constant(a)
    out = run([tf.reshape(x, [4, -1]), tf.transpose(x), tf.transpose(x, [1, 0, 2]), tf.expand_dims(x, -1),
               tf.squeeze(tf.expand_dims(x, 1), [1]), tf.squeeze(tf.zeros([1, 3, 1]))])
    np.testing.assert_array_equal(out[0], a.reshape(4, 6))
    np.testing.assert_array_equal(out[1], a.transpose())
    np.testing.assert_array_equal(out[2], a.transpose(1, 0, 2))
    assert out[3].shape == (2, 3, 4, 1) and out[4].shape == (2, 3, 4) and out[5].shape == (3,)


def test_reshape_transpose_static_shapes():
    x = tf.placeholder(tf.float32, [None, 3, 4])
    assert tf.reshape(x, [-1, 12]).shape.as_list() == [None, 12]
    assert tf.transpose(x).shape.as_list() == [4, 3, None]
    assert tf.transpose(x, [0, 2, 1]).shape.as_list() == [None, 4, 3]
    assert tf.transpose(tf.placeholder(tf.float32)).shape.dims is None
    assert tf.expand_dims(x, 1).shape.as_list() == [None, 1, 3, 4]
    assert tf.squeeze(tf.placeholder(tf.float32, [None, 1, 3]), [1]).shape.as_list() == [None, 3]
    assert tf.squeeze(tf.placeholder(tf.float32, [None, 1])).shape.dims is None
    with pytest.raises(ValueError, match="Cannot reshape a tensor with 6 elements to shape"):
        tf.reshape(tf.zeros([2, 3]), [4])
    with pytest.raises(ValueError, match=r"Can not squeeze dim\[1\], expected a dimension of 1, got 3"):
        tf.squeeze(tf.zeros([2, 3]), [1])
    with pytest.raises(ValueError, match="Dimension must be 3 but is 2 for 'transpose"):
        tf.transpose(x, [1, 0])


def test_transpose_default_perm_unknown_rank_runs():
    x = tf.placeholder(tf.float64)
    a = R.normal(size=(2, 3, 4))
    np.testing.assert_array_equal(run(tf.transpose(x), {x: a}), a.T)
    check_gradients(lambda v: tf.transpose(v), [a], shapes="unknown_rank")


@pytest.mark.parametrize("shapes", ["known", "unknown_dims"])
def test_shape_op_gradients(shapes):
    a = R.normal(size=(2, 3, 1))
    check_gradients(lambda v: tf.reshape(v, [3, -1]) * 2.0, [a], shapes=shapes)
    check_gradients(lambda v: tf.transpose(v, [2, 0, 1]), [a], shapes=shapes)
    check_gradients(lambda v: tf.expand_dims(v, 0), [a], shapes=shapes)
    check_gradients(lambda v: tf.squeeze(v, [2]), [a], shapes=shapes)
    check_gradients(lambda v: tf.reverse(v, [0, 1]), [a], shapes=shapes)


# --- concat / stack / unstack / split

def test_concat_stack_unstack_split_values_and_shapes():
    a, b = R.normal(size=(2, 3)), R.normal(size=(2, 5))
    x, y = tf.constant(a), tf.constant(b)
    c = tf.concat([x, y], 1)
    assert c.op.type == "ConcatV2" and c.op.name == "concat" and c.shape.as_list() == [2, 8]
    s = tf.stack([x, x], axis=1)
    assert s.op.type == "Pack" and s.shape.as_list() == [2, 2, 3]
    u = tf.unstack(x, axis=1)
    assert len(u) == 3 and u[0].shape.as_list() == [2]
    p = tf.split(y, [1, -1, 2], axis=1)
    assert [t.shape.as_list() for t in p] == [[2, 1], [2, 2], [2, 2]]
    q = tf.split(tf.concat([x, x], 0), 2)
    out = run([c, s, u, p, q])
    np.testing.assert_array_equal(out[0], np.concatenate([a, b], 1))
    np.testing.assert_array_equal(out[1], np.stack([a, a], 1))
    np.testing.assert_array_equal(out[2][2], a[:, 2])
    np.testing.assert_array_equal(out[3][1], b[:, 1:3])
    np.testing.assert_array_equal(out[4][1], a)


def test_concat_split_unknown_shapes_and_errors():
    x = tf.placeholder(tf.float32, [None, 3])
    assert tf.concat([x, tf.placeholder(tf.float32, [None, 2])], -1).shape.as_list() == [None, 5]
    assert tf.concat([x, x], 0).shape.as_list() == [None, 3]
    assert tf.concat([x, tf.placeholder(tf.float32)], 1).shape.as_list() == [None, None]
    assert tf.stack([x, x]).shape.as_list() == [2, None, 3]
    assert [t.shape.as_list() for t in tf.split(x, 3, axis=1)] == [[None, 1]] * 3
    with pytest.raises(ValueError, match="Dimension 0 in both shapes must be equal, but are 2 and 3"):
        tf.concat([tf.zeros([2, 3]), tf.zeros([3, 3])], 1)
    with pytest.raises(ValueError, match="Dimension size must be evenly divisible by 3 but is 4"):
        tf.split(tf.zeros([4]), 3)
    with pytest.raises(ValueError, match="Cannot infer num from shape"):
        tf.unstack(tf.placeholder(tf.float32, [None]))


@pytest.mark.parametrize("shapes", ["known", "unknown_dims"])
def test_join_and_split_gradients(shapes):
    a, b = R.normal(size=(2, 3)), R.normal(size=(2, 2))
    check_gradients(lambda x, y: tf.concat([x, y, x], 1), [a, b], shapes=shapes)
    check_gradients(lambda x: tf.stack([x, 2.0 * x], axis=1), [a], shapes=shapes)
    check_gradients(lambda x: tf.split(x, 3, axis=1)[1] * 3.0 + tf.split(x, 3, axis=1)[0], [a], shapes=shapes)
    check_gradients(lambda x: tf.split(x, [2, 1], axis=1), [a], shapes=shapes)
    check_gradients(lambda x: tf.unstack(x, num=2)[1], [a], shapes=shapes)


# --- tile / pad / broadcast_to

def test_tile_pad_broadcast_values_shapes():
    a = R.normal(size=(2, 3))
    x = tf.constant(a)
    t, p, r, s, b = (tf.tile(x, [2, 3]), tf.pad(x, [[1, 0], [2, 1]]), tf.pad(x, [[1, 1], [2, 2]], "REFLECT"),
                     tf.pad(x, [[1, 1], [2, 2]], mode="symmetric"), tf.broadcast_to(tf.constant(a[0]), [4, 3]))
    assert t.shape.as_list() == [4, 9] and p.shape.as_list() == [3, 6] and b.shape.as_list() == [4, 3]
    out = run([t, p, r, s, b, tf.pad(x, [[0, 1], [0, 0]], constant_values=7.0)])
    np.testing.assert_array_equal(out[0], np.tile(a, [2, 3]))
    np.testing.assert_array_equal(out[1], np.pad(a, [[1, 0], [2, 1]]))
    np.testing.assert_array_equal(out[2], np.pad(a, [[1, 1], [2, 2]], mode="reflect"))
    np.testing.assert_array_equal(out[3], np.pad(a, [[1, 1], [2, 2]], mode="symmetric"))
    np.testing.assert_array_equal(out[4], np.broadcast_to(a[0], (4, 3)))
    assert out[5][2].tolist() == [7.0, 7.0, 7.0]
    assert tf.tile(tf.placeholder(tf.float32, [None, 2]), [3, 2]).shape.as_list() == [None, 4]


@pytest.mark.parametrize("mode", ["CONSTANT", "REFLECT", "SYMMETRIC"])
def test_pad_gradients(mode):
    check_gradients(lambda x: tf.pad(x, [[1, 2], [2, 1]], mode), [R.normal(size=(3, 4))])


def test_tile_and_broadcast_to_gradients():
    check_gradients(lambda x: tf.tile(x, [2, 3]), [R.normal(size=(2, 3))])
    check_gradients(lambda x: tf.tile(x, [2, 1]), [R.normal(size=(2, 3))], shapes="unknown_dims")
    check_gradients(lambda x: tf.broadcast_to(x, [4, 2, 3]), [R.normal(size=(2, 1))])


# --- gather / one_hot / boolean_mask

def test_gather_values_shapes_and_dense_gradient():
    a = R.normal(size=(5, 3))
    idx = np.array([[0, 4], [4, 4]])
    t = tf.gather(tf.constant(a), idx)
    assert t.op.type == "GatherV2" and t.shape.as_list() == [2, 2, 3]
    np.testing.assert_array_equal(run(t), a[idx])
    np.testing.assert_array_equal(run(tf.gather(tf.constant(a), [2, 0], axis=1)), a[:, [2, 0]])
    check_gradients(lambda p: tf.gather(p, idx), [a])  # repeated indices accumulate
    check_gradients(lambda p: tf.gather(p, [1, 1, 0], axis=1), [a], shapes="unknown_dims")
    i = tf.placeholder(tf.int32, [None])
    assert tf.gather(tf.placeholder(tf.float32, [10, 4]), i).shape.as_list() == [None, 4]
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(tf.gather(tf.constant(a), [7]))
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(tf.gather(tf.constant(a), [-1]))


def test_one_hot():
    t = tf.one_hot([0, 2, -1], 3)
    assert t.op.name == "one_hot" and t.dtype == tf.float32 and t.shape.as_list() == [3, 3]
    assert run(t).tolist() == [[1, 0, 0], [0, 0, 1], [0, 0, 0]]
    u = tf.one_hot(tf.constant([1, 0]), 2, on_value=5, off_value=-1, axis=0, dtype=tf.int32)
    assert run(u).tolist() == [[-1, 5], [5, -1]] and u.dtype == tf.int32
    assert tf.one_hot(tf.placeholder(tf.int32, [None]), 4).shape.as_list() == [None, 4]


def test_boolean_mask():
    a = R.normal(size=(4, 2))
    m = np.array([True, False, True, True])
    t = tf.boolean_mask(tf.constant(a), m)
    assert t.shape.as_list() == [None, 2]
    np.testing.assert_array_equal(run(t), a[m])
    check_gradients(lambda x: tf.boolean_mask(x, m), [a])
    x = tf.placeholder(tf.float64, [None, None])
    mm = tf.placeholder(tf.bool, [None, None])
    np.testing.assert_array_equal(run(tf.boolean_mask(x, mm), {x: a, mm: a > 0}), a[a > 0])


# --- size, rank, shape, range, fill, zeros, ones, *_like

def test_size_rank_shape_range_fill():
    x = tf.placeholder(tf.float32, [None, 3])
    out = run([tf.size(x), tf.rank(x), tf.shape(x), tf.size(tf.zeros([2, 2])), tf.rank(tf.placeholder(tf.float32))],
              {x: np.zeros((4, 3)), "Placeholder_1:0": np.zeros((1, 2, 3))})
    assert out[0] == 12 and out[1] == 2 and out[2].tolist() == [4, 3] and out[3] == 4 and out[4] == 3
    r = tf.range(5)
    assert r.op.name == "range" and r.dtype == tf.int32 and r.shape.as_list() == [5]
    assert run(tf.range(2, 11, 3)).tolist() == [2, 5, 8]
    f = tf.range(0.0, 1.0, 0.25)
    assert f.dtype == tf.float32 and run(f).tolist() == [0.0, 0.25, 0.5, 0.75]
    assert run(tf.range(5, 0, -2)).tolist() == [5, 3, 1]
    with pytest.raises(ValueError, match="Requires delta != 0"):
        tf.range(0, 5, 0)
    fl = tf.fill([2, 3], 9.0)
    assert fl.shape.as_list() == [2, 3] and run(fl).tolist() == [[9.0] * 3] * 2
    z = tf.zeros([2, 3], tf.int64)
    o = tf.ones((2,))
    assert z.dtype == tf.int64 and z.op.name == "zeros_1" and run(z).tolist() == [[0] * 3] * 2
    assert run(o).tolist() == [1.0, 1.0]
    zl = tf.zeros_like(x)
    assert zl.shape.as_list() == [None, 3]
    assert run(tf.ones_like(x, dtype=tf.int32), {x: np.zeros((2, 3))}).tolist() == [[1] * 3] * 2
    d = tf.placeholder(tf.int32, [2])
    assert run(tf.zeros(d), {d: [1, 2]}).shape == (1, 2)


def test_fill_and_slice_gradients():
    check_gradients(lambda v: tf.fill([2, 3], v), [np.float64(1.5)])
    a = R.normal(size=(4, 5))
    t = tf.slice(tf.constant(a), [1, 2], [2, -1])
    assert t.shape.as_list() == [2, 3]
    np.testing.assert_array_equal(run(t), a[1:3, 2:])
    check_gradients(lambda v: tf.slice(v, [1, 2], [2, -1]), [a])
    check_gradients(lambda v: tf.slice(v, [1, 0], [-1, 3]), [a], shapes="unknown_dims")


# --- strided slices (tensor[...])

SLICES = [
    np.s_[1], np.s_[-1], np.s_[1:3], np.s_[::-1], np.s_[:, 2], np.s_[..., 1], np.s_[1, ..., ::2],
    np.s_[None, 1:, None], np.s_[:, None], np.s_[-3:-1, ::-2, 1], np.s_[5:1:-2], np.s_[..., None],
    np.s_[2, 1, 0], np.s_[1:100], np.s_[:, :, -1:],
]


@pytest.mark.parametrize("key", SLICES, ids=str)
def test_getitem_matches_numpy(key):
    a = R.normal(size=(6, 4, 3))
    t = tf.constant(a)[key]
    want = a[key]
    assert t.shape.as_list() == list(want.shape)
    np.testing.assert_array_equal(run(t), want)
    check_gradients(lambda x: x[key] * 1.0, [a])
    x = tf.placeholder(tf.float64, [None, None, 3])
    np.testing.assert_array_equal(run(x[key], {x: a}), want)


def test_getitem_names_unknown_shapes_tensor_index_and_errors():
    x = tf.placeholder(tf.float32, [None, 5])
    t = x[:, 1:4]
    assert t.op.type == "StridedSlice" and t.op.name == "strided_slice" and t.shape.as_list() == [None, 3]
    assert x[0].shape.as_list() == [5]
    assert tf.placeholder(tf.float32)[1:].shape.dims is None
    i = tf.placeholder(tf.int32, [])
    row = x[i]
    assert row.shape.as_list() == [5]
    a = np.arange(15, dtype=np.float32).reshape(3, 5)
    assert run(row, {x: a, i: 2}).tolist() == a[2].tolist()
    assert run(x[i:, -1], {x: a, i: 1}).tolist() == [9.0, 14.0]
    with pytest.raises(TypeError, match="Only integers, slices"):
        _ = x[[0, 1]]
    with pytest.raises(ValueError, match="Index out of range using input dim 2"):
        _ = x[0, 1, 2]
    with pytest.raises(ValueError, match="slice index 7 of dimension 1 out of bounds"):
        _ = tf.zeros([2, 3])[0, 7]
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(x[4], {x: a})


def test_strided_slice_function():
    a = np.arange(10)
    t = tf.strided_slice(tf.constant(a), [1], [8], [3])
    assert run(t).tolist() == [1, 4, 7]
    t = tf.strided_slice(tf.constant(a.reshape(2, 5)), [0, 1], [0, 4], [1, 1], begin_mask=1, end_mask=1)
    assert run(t).tolist() == a.reshape(2, 5)[:, 1:4].tolist()


def test_identity_stop_gradient_placeholder_with_default():
    x = tf.placeholder(tf.float64, [2])
    y = tf.identity(x) * tf.stop_gradient(x)
    g = tf.gradients(tf.reduce_sum(y), x)[0]
    assert run(g, {x: [2.0, 3.0]}).tolist() == [2.0, 3.0]
    d = tf.placeholder_with_default(tf.constant([1.0, 2.0]), [None])
    assert d.shape.as_list() == [None]
    assert run(d).tolist() == [1.0, 2.0] and run(d, {d: [5.0]}).tolist() == [5.0]
