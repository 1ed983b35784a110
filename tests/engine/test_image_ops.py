"""tf.image: static shapes (None dims, unknown sizes), values against NumPy references written here
independently (explicit per-pixel loops following TF1's documented sampling, plus outputs derived by hand),
resize gradients against finite differences and against a reference backward loop, seeded random ops and
the dtype rules of convert_image_dtype."""
import io
import math

import numpy as np
import pytest
from gradcheck import check_gradients
from PIL import Image

import tlboard as tf

RNG = np.random.default_rng(11)


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


# --- references: TF1's legacy sampling, one output pixel at a time

def ref_scale(in_size, out_size, align_corners):
    if align_corners and out_size > 1:
        return np.float32(in_size - 1) / np.float32(out_size - 1)
    return np.float32(in_size) / np.float32(out_size)


def ref_linear_source(y, in_size, out_size, align_corners, half_pixel):
    """(lower, upper, weight of upper) for output index y, TF's legacy or half-pixel rule."""
    s = ref_scale(in_size, out_size, align_corners)
    if half_pixel:
        pos = float((np.float32(y) + np.float32(0.5)) * s - np.float32(0.5))
    else:
        pos = float(np.float32(y) * s)
    lo = math.floor(pos)
    return max(lo, 0), min(math.ceil(pos), in_size - 1), pos - lo


def ref_nearest_source(y, in_size, out_size, align_corners):
    pos = float(np.float32(y) * ref_scale(in_size, out_size, align_corners))
    idx = math.floor(pos + 0.5) if align_corners else math.floor(pos)
    return min(idx, in_size - 1)


def ref_bilinear_weights(in_size, out_size, align_corners=False, half_pixel=False):
    """w[o, i]: how much input index i contributes to output index o along one axis."""
    w = np.zeros((out_size, in_size))
    for o in range(out_size):
        lo, hi, f = ref_linear_source(o, in_size, out_size, align_corners, half_pixel)
        w[o, lo] += 1 - f
        w[o, hi] += f
    return w


def ref_resize_bilinear(img, oh, ow, align_corners=False, half_pixel=False):
    n, h, w, c = img.shape
    out = np.zeros((n, oh, ow, c))
    for y in range(oh):
        y0, y1, dy = ref_linear_source(y, h, oh, align_corners, half_pixel)
        for x in range(ow):
            x0, x1, dx = ref_linear_source(x, w, ow, align_corners, half_pixel)
            top = (1 - dx) * img[:, y0, x0] + dx * img[:, y0, x1]
            bottom = (1 - dx) * img[:, y1, x0] + dx * img[:, y1, x1]
            out[:, y, x] = (1 - dy) * top + dy * bottom
    return out


def ref_resize_bilinear_backward(g, h, w, align_corners=False):
    n, oh, ow, c = g.shape
    out = np.zeros((n, h, w, c))
    for y in range(oh):
        y0, y1, dy = ref_linear_source(y, h, oh, align_corners, False)
        for x in range(ow):
            x0, x1, dx = ref_linear_source(x, w, ow, align_corners, False)
            out[:, y0, x0] += (1 - dy) * (1 - dx) * g[:, y, x]
            out[:, y0, x1] += (1 - dy) * dx * g[:, y, x]
            out[:, y1, x0] += dy * (1 - dx) * g[:, y, x]
            out[:, y1, x1] += dy * dx * g[:, y, x]
    return out


def ref_resize_nearest(img, oh, ow, align_corners=False):
    n, h, w, c = img.shape
    out = np.zeros((n, oh, ow, c), dtype=img.dtype)
    for y in range(oh):
        for x in range(ow):
            out[:, y, x] = img[:, ref_nearest_source(y, h, oh, align_corners), ref_nearest_source(x, w, ow,
                                                                                                   align_corners)]
    return out


# --- resize: hand-derived TF1 outputs

SQUARE = np.array([[0.0, 1.0], [2.0, 3.0]], dtype=np.float32)[None, :, :, None]


def test_resize_bilinear_known_tf1_outputs():
    # align_corners=False, scale 0.5: sources 0, 0.5, 1, 1.5 (clamped), so the last row/column repeat.
    up = run(tf.image.resize_bilinear(SQUARE, [4, 4]))[0, :, :, 0]
    np.testing.assert_allclose(up, [[0, 0.5, 1, 1], [1, 1.5, 2, 2], [2, 2.5, 3, 3], [2, 2.5, 3, 3]])
    # align_corners=True, scale (2-1)/(3-1): corners land on corners.
    ac = run(tf.image.resize_bilinear(SQUARE, [3, 3], align_corners=True))[0, :, :, 0]
    np.testing.assert_allclose(ac, [[0, 0.5, 1], [1, 1.5, 2], [2, 2.5, 3]])
    # downscaling by 2 samples pixels 0 and 2 (no averaging) in TF1
    row = np.arange(4, dtype=np.float32).reshape(1, 1, 4, 1)
    np.testing.assert_allclose(run(tf.image.resize_bilinear(row, [1, 2]))[0, 0, :, 0], [0, 2])


def test_resize_nearest_known_tf1_outputs():
    up = run(tf.image.resize_nearest_neighbor(SQUARE, [4, 4]))[0, :, :, 0]
    np.testing.assert_array_equal(up, [[0, 0, 1, 1], [0, 0, 1, 1], [2, 2, 3, 3], [2, 2, 3, 3]])
    # align_corners: sources 0, .5, 1, 1.5, 2 rounded half away from zero
    row = np.array([10, 20, 30], dtype=np.int32).reshape(1, 1, 3, 1)
    out = run(tf.image.resize_nearest_neighbor(row, [1, 5], align_corners=True))
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out[0, 0, :, 0], [10, 20, 20, 30, 30])


# --- resize: references over many sizes

SIZES = [(3, 4, 5, 7), (5, 7, 3, 4), (4, 4, 9, 2), (6, 9, 9, 6), (1, 5, 3, 1), (7, 3, 7, 3)]


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("h,w,oh,ow", SIZES)
def test_resize_bilinear_matches_reference(h, w, oh, ow, align_corners):
    img = RNG.uniform(-5, 5, size=(2, h, w, 3)).astype(np.float32)
    out = run(tf.image.resize_bilinear(img, [oh, ow], align_corners=align_corners))
    assert out.dtype == np.float32 and out.shape == (2, oh, ow, 3)
    np.testing.assert_allclose(out, ref_resize_bilinear(img.astype(np.float64), oh, ow, align_corners),
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("h,w,oh,ow", SIZES)
def test_resize_bilinear_half_pixel_centers_matches_reference(h, w, oh, ow):
    img = RNG.uniform(0, 1, size=(1, h, w, 2)).astype(np.float32)
    out = run(tf.image.resize_bilinear(img, [oh, ow], half_pixel_centers=True))
    np.testing.assert_allclose(out, ref_resize_bilinear(img.astype(np.float64), oh, ow, half_pixel=True),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("h,w,oh,ow", SIZES + [(6, 6, 9, 9), (3, 3, 5, 5)])
def test_resize_nearest_matches_reference(h, w, oh, ow, align_corners):
    img = RNG.integers(0, 255, size=(2, h, w, 2)).astype(np.uint8)
    out = run(tf.image.resize_nearest_neighbor(img, [oh, ow], align_corners=align_corners))
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, ref_resize_nearest(img, oh, ow, align_corners))


def test_resize_images_single_image_batch_dtype_and_methods():
    img = RNG.integers(0, 255, size=(5, 6, 3)).astype(np.uint8)
    bil = tf.image.resize_images(img, [8, 4])
    assert bil.dtype == tf.float32 and bil.shape.as_list() == [8, 4, 3]
    np.testing.assert_allclose(run(bil), ref_resize_bilinear(img[None].astype(np.float64), 8, 4)[0], rtol=1e-5,
                               atol=1e-4)
    nn = tf.image.resize_images(img, [8, 4], method=tf.image.ResizeMethod.NEAREST_NEIGHBOR, align_corners=True)
    assert nn.dtype == tf.uint8
    np.testing.assert_array_equal(run(nn), ref_resize_nearest(img[None], 8, 4, True)[0])
    # an unchanged size skips the resize (keeping the dtype) as TF1 does
    same = tf.image.resize_images(img, [5, 6])
    assert same.dtype == tf.uint8
    np.testing.assert_array_equal(run(same), img)
    batch = RNG.uniform(size=(2, 5, 6, 1)).astype(np.float32)
    out = tf.image.resize_images(batch, tf.constant([3, 3]), method=tf.image.ResizeMethod.BILINEAR)
    np.testing.assert_allclose(run(out), ref_resize_bilinear(batch.astype(np.float64), 3, 3), rtol=1e-5,
                               atol=1e-6)
    assert tf.image.ResizeMethod.BICUBIC == 2 and tf.image.ResizeMethod.AREA == 3
    with pytest.raises(NotImplementedError):
        tf.image.resize_images(img, [3, 3], method=tf.image.ResizeMethod.AREA)


def test_resize_images_preserve_aspect_ratio():
    img = np.zeros((4, 8, 1), dtype=np.float32)
    out = tf.image.resize_images(img, [6, 6], preserve_aspect_ratio=True)
    assert out.shape.as_list() == [3, 6, 1]
    assert run(out).shape == (3, 6, 1)


def test_resize_static_shapes_and_errors():
    ph = tf.placeholder(tf.float32, [None, None, None, 3])
    assert tf.image.resize_bilinear(ph, [7, 9]).shape.as_list() == [None, 7, 9, 3]
    size = tf.placeholder(tf.int32, [2])
    assert tf.image.resize_nearest_neighbor(ph, size).shape.as_list() == [None, None, None, 3]
    assert tf.image.resize_images(tf.placeholder(tf.uint8, [None, None, 1]), size).shape.as_list() == [None, None, 1]
    assert tf.image.resize_images(tf.placeholder(tf.uint8, [2, 5, 5, 1]), [3, 4]).shape.as_list() == [2, 3, 4, 1]
    with pytest.raises(ValueError, match="Shape must be rank 4 but is rank 3"):
        tf.image.resize_bilinear(tf.placeholder(tf.float32, [4, 4, 3]), [2, 2])
    with pytest.raises(ValueError, match="contains no shape"):
        tf.image.resize_images(tf.placeholder(tf.float32), [2, 2])
    with pytest.raises(ValueError, match="either 3 or 4 dimensions"):
        tf.image.resize_images(tf.placeholder(tf.float32, [4, 4]), [2, 2])
    with pytest.raises(ValueError, match="1-D Tensor of 2 elements"):
        tf.image.resize_images(tf.placeholder(tf.float32, [4, 4, 1]), [2, 2, 2])
    # run-time sizes
    x = RNG.uniform(size=(1, 3, 4, 2)).astype(np.float32)
    out = run(tf.image.resize_bilinear(ph[:, :, :, :2], size), {ph: np.concatenate([x, x[..., :1]], -1),
                                                                   size: [5, 2]})
    np.testing.assert_allclose(out, ref_resize_bilinear(x.astype(np.float64), 5, 2), rtol=1e-5, atol=1e-6)


# --- resize gradients

@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("h,w,oh,ow", [(3, 4, 5, 7), (5, 6, 2, 3), (4, 4, 4, 6)])
def test_resize_bilinear_gradient(h, w, oh, ow, align_corners):
    x = RNG.normal(size=(2, h, w, 2))

    def build(t):
        y = tf.image.resize_bilinear(t, [oh, ow], align_corners=align_corners)
        assert y.dtype == tf.float32  # as TF1: float32 even for float64 images
        return y

    # The op is linear, so central differences are exact for any step; a large step keeps the float32
    # output's rounding from swamping them.
    sym, _ = check_gradients(build, [x], eps=1.0, rtol=1e-4, atol=2e-4, shapes="unknown_dims")
    # and exactly, in float64, against the reference backward loop through ResizeBilinearGrad
    g = RNG.normal(size=(2, oh, ow, 2)).astype(np.float32)
    xt = tf.constant(x)
    (dx,) = tf.gradients(tf.image.resize_bilinear(xt, [oh, ow], align_corners=align_corners), [xt],
                         grad_ys=[tf.constant(g)])
    assert dx.op.type == "ResizeBilinearGrad" and dx.dtype == tf.float64 and dx.shape.as_list() == list(x.shape)
    np.testing.assert_allclose(run(dx), ref_resize_bilinear_backward(g.astype(np.float64), h, w, align_corners),
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("h,w,oh,ow", [(3, 4, 5, 7), (5, 6, 2, 3), (3, 3, 5, 5)])
def test_resize_nearest_gradient(h, w, oh, ow, align_corners):
    x = RNG.normal(size=(2, h, w, 3))
    check_gradients(lambda t: tf.image.resize_nearest_neighbor(t, [oh, ow], align_corners=align_corners), [x])
    check_gradients(lambda t: tf.image.resize_nearest_neighbor(t, [oh, ow], align_corners=align_corners), [x],
                    shapes="unknown_dims")
    xt = tf.constant(x)
    (dx,) = tf.gradients(tf.image.resize_nearest_neighbor(xt, [oh, ow]), [xt])
    assert dx.op.type == "ResizeNearestNeighborGrad"


def test_resize_images_single_image_gradient():
    check_gradients(lambda t: tf.image.resize_images(t, [5, 3], method=tf.image.ResizeMethod.NEAREST_NEIGHBOR),
                    [RNG.normal(size=(4, 4, 2))])


# --- flips, transposes, rotations

IMG = RNG.integers(0, 100, size=(3, 4, 2)).astype(np.int32)
BATCH = RNG.integers(0, 100, size=(2, 3, 4, 2)).astype(np.int32)


def test_flips_and_transpose_values_and_shapes():
    h, w = IMG.shape[:2]
    lr = np.array([[IMG[i, w - 1 - j] for j in range(w)] for i in range(h)])
    ud = np.array([[IMG[h - 1 - i, j] for j in range(w)] for i in range(h)])
    tr = np.array([[IMG[j, i] for j in range(h)] for i in range(w)])
    np.testing.assert_array_equal(run(tf.image.flip_left_right(IMG)), lr)
    np.testing.assert_array_equal(run(tf.image.flip_up_down(IMG)), ud)
    np.testing.assert_array_equal(run(tf.image.transpose_image(IMG)), tr)
    np.testing.assert_array_equal(run(tf.image.flip_left_right(BATCH)), BATCH[:, :, ::-1])
    np.testing.assert_array_equal(run(tf.image.flip_up_down(BATCH)), BATCH[:, ::-1])
    np.testing.assert_array_equal(run(tf.image.transpose_image(BATCH)), BATCH.transpose(0, 2, 1, 3))
    assert tf.image.transpose_image(tf.placeholder(tf.float32, [None, 5, 3])).shape.as_list() == [5, None, 3]
    assert tf.image.flip_left_right(tf.placeholder(tf.float32)).shape.as_list() == [None, None, None]
    with pytest.raises(ValueError, match="at least three-dimensional"):
        tf.image.flip_left_right(tf.placeholder(tf.float32, [4, 4]))
    with pytest.raises(ValueError, match="either 3 or 4 dimensions"):
        tf.image.flip_up_down(tf.placeholder(tf.float32, [1, 2, 4, 4, 3]))


@pytest.mark.parametrize("k", [0, 1, 2, 3, 5, -1])
def test_rot90(k):
    np.testing.assert_array_equal(run(tf.image.rot90(IMG, k)), np.rot90(IMG, k, axes=(0, 1)))
    np.testing.assert_array_equal(run(tf.image.rot90(BATCH, k)), np.rot90(BATCH, k, axes=(1, 2)))
    kt = tf.placeholder(tf.int32, [])
    rot = tf.image.rot90(tf.constant(IMG), kt)
    assert rot.shape.as_list() == [None, None, 2]
    np.testing.assert_array_equal(run(rot, {kt: k}), np.rot90(IMG, k, axes=(0, 1)))
    np.testing.assert_array_equal(run(tf.image.rot90(BATCH, kt), {kt: k}), np.rot90(BATCH, k, axes=(1, 2)))


def _flip_count(build, image, runs):
    with tf.Session() as sess:
        outs = [sess.run(build) for _ in range(runs)]
    flipped = sum(bool(np.array_equal(o, image[:, ::-1])) for o in outs)
    same = sum(bool(np.array_equal(o, image)) for o in outs)
    assert flipped + same == runs
    return flipped, outs


def test_random_flip_single_image_half_the_time_and_seeded():
    img = np.arange(2 * 3 * 1, dtype=np.float32).reshape(2, 3, 1)
    with tf.Graph().as_default():
        flipped, outs = _flip_count(tf.image.random_flip_left_right(img, seed=5), img, 200)
    assert 70 < flipped < 130
    with tf.Graph().as_default():
        _, again = _flip_count(tf.image.random_flip_left_right(img, seed=5), img, 200)
    assert all(np.array_equal(a, b) for a, b in zip(outs, again))
    with tf.Graph().as_default():
        ud = tf.image.random_flip_up_down(img.transpose(1, 0, 2), seed=1)
        with tf.Session() as sess:
            outs = [sess.run(ud) for _ in range(100)]
    n = sum(bool(np.array_equal(o, img.transpose(1, 0, 2)[::-1])) for o in outs)
    assert 25 < n < 75


def test_random_flip_batch_flips_each_image_independently():
    batch = np.tile(np.arange(3, dtype=np.float32).reshape(1, 1, 3, 1), (400, 2, 1, 1))
    with tf.Graph().as_default():
        ph = tf.placeholder(tf.float32, [None, 2, 3, 1])
        out_t = tf.image.random_flip_left_right(ph, seed=3)
        assert out_t.shape.as_list() == [None, 2, 3, 1]
        out = run(out_t, {ph: batch})
        again = run(out_t, {ph: batch})
    flipped = np.array([np.array_equal(o, b[:, ::-1]) for o, b in zip(out, batch)])
    kept = np.array([np.array_equal(o, b) for o, b in zip(out, batch)])
    assert (flipped | kept).all()
    assert 140 < flipped.sum() < 260
    np.testing.assert_array_equal(out, again)  # a fresh session replays the seeded sequence
    tall = batch.transpose(0, 2, 1, 3)  # [400, 3, 2, 1]: rows 0, 1, 2
    out_ud = run(tf.image.random_flip_up_down(tall, seed=2))
    flipped = np.array([np.array_equal(o, b[::-1]) for o, b in zip(out_ud, tall)])
    assert (flipped | np.array([np.array_equal(o, b) for o, b in zip(out_ud, tall)])).all()
    assert 140 < flipped.sum() < 260


# --- pixel values

def test_per_image_standardization():
    img = RNG.integers(0, 255, size=(4, 5, 3)).astype(np.uint8)
    out = run(tf.image.per_image_standardization(img))
    assert out.dtype == np.float32
    x = img.astype(np.float64)
    np.testing.assert_allclose(out, (x - x.mean()) / max(x.std(), 1 / math.sqrt(x.size)), rtol=1e-4, atol=1e-5)
    # a constant image: stddev 0, so the floor 1/sqrt(num_elements) applies
    flat = np.full((2, 2, 1), 7.0, dtype=np.float32)
    np.testing.assert_allclose(run(tf.image.per_image_standardization(flat)), np.zeros((2, 2, 1)), atol=1e-6)
    batch = RNG.normal(size=(3, 2, 4, 2)).astype(np.float32)
    out = run(tf.image.per_image_standardization(batch))
    for i in range(3):
        b = batch[i].astype(np.float64)
        np.testing.assert_allclose(out[i], (b - b.mean()) / max(b.std(), 1 / math.sqrt(b.size)), rtol=1e-4,
                                   atol=1e-5)
    ph = tf.placeholder(tf.uint8, [None, None, 3])
    assert tf.image.per_image_standardization(ph).shape.as_list() == [None, None, 3]


def test_convert_image_dtype_rules():
    u8 = np.array([0, 1, 127, 128, 255], dtype=np.uint8)
    f = run(tf.image.convert_image_dtype(u8, tf.float32))
    assert f.dtype == np.float32
    np.testing.assert_allclose(f, u8 / 255.0, rtol=1e-6)
    floats = np.array([0.0, 0.25, 0.5, 0.999, 1.0], dtype=np.float32)
    back = run(tf.image.convert_image_dtype(floats, tf.uint8))
    assert back.dtype == np.uint8
    np.testing.assert_array_equal(back, [int(v * 255.5) for v in floats.astype(np.float64)])
    over = np.array([-0.5, 1.5], dtype=np.float32)
    np.testing.assert_array_equal(run(tf.image.convert_image_dtype(over, tf.uint8, saturate=True)), [0, 255])
    # integer to integer: shifts by the ratio of the ranges
    np.testing.assert_array_equal(run(tf.image.convert_image_dtype(u8, tf.int32)),
                                  u8.astype(np.int64) * (2**31 // 2**8))
    i32 = np.array([0, 2**24, 2**31 - 1], dtype=np.int32)
    # (2**31 - 1 + 1) // (255 + 1) = 2**23 and // (127 + 1) = 2**24
    np.testing.assert_array_equal(run(tf.image.convert_image_dtype(i32, tf.uint8)), [0, 2, 255])
    np.testing.assert_array_equal(run(tf.image.convert_image_dtype(i32, tf.int8)), [0, 1, 127])
    d = run(tf.image.convert_image_dtype(floats, tf.float64))
    assert d.dtype == np.float64
    same = tf.image.convert_image_dtype(tf.constant(u8), tf.uint8)
    assert same.dtype == tf.uint8 and same.op.type == "Identity"
    with pytest.raises(AttributeError):
        tf.image.convert_image_dtype(u8, tf.bool)


def test_grayscale_conversions():
    rgb = RNG.uniform(size=(2, 3, 3)).astype(np.float32)
    gray = run(tf.image.rgb_to_grayscale(rgb))
    want = np.zeros((2, 3, 1))
    for i in range(2):
        for j in range(3):
            want[i, j, 0] = 0.2989 * rgb[i, j, 0] + 0.587 * rgb[i, j, 1] + 0.114 * rgb[i, j, 2]
    np.testing.assert_allclose(gray, want, rtol=1e-5)
    u8 = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [100, 100, 100]]], dtype=np.uint8)
    g8 = run(tf.image.rgb_to_grayscale(u8))
    assert g8.dtype == np.uint8 and g8.shape == (1, 4, 1)
    np.testing.assert_array_equal(g8[0, :, 0], [int(255 * w * 255.5 / 255) for w in (0.2989, 0.587, 0.114)]
                                  + [int(100 / 255 * (0.2989 + 0.587 + 0.114) * 255.5)])
    back = tf.image.grayscale_to_rgb(tf.constant(g8))
    assert back.shape.as_list() == [1, 4, 3]
    np.testing.assert_array_equal(run(back), np.concatenate([g8] * 3, axis=-1))
    unknown = tf.placeholder(tf.float32)
    np.testing.assert_array_equal(run(tf.image.grayscale_to_rgb(unknown), {unknown: np.ones((2, 2, 1))}),
                                  np.ones((2, 2, 3)))
    assert tf.image.rgb_to_grayscale(tf.placeholder(tf.float32, [None, 4, 4, 3])).shape.as_list() == [None, 4, 4, 1]
    with pytest.raises(ValueError, match="Last dimension of a grayscale image should be size 1"):
        tf.image.grayscale_to_rgb(tf.placeholder(tf.float32, [2, 2, 3]))


def test_adjust_brightness_and_contrast():
    img = RNG.uniform(size=(3, 4, 2)).astype(np.float32)
    np.testing.assert_allclose(run(tf.image.adjust_brightness(img, 0.25)), img + 0.25, rtol=1e-6)
    u8 = np.array([[[10], [250]]], dtype=np.uint8)
    # in float: 10/255 + .1 and 250/255 + .1 (saturates), back to uint8 with the +0.5 rounding
    np.testing.assert_array_equal(run(tf.image.adjust_brightness(u8, 0.1))[0, :, 0],
                                  [int((10 / 255 + 0.1) * 255.5), 255])
    out = run(tf.image.adjust_contrast(img, 1.7))
    want = np.zeros_like(img, dtype=np.float64)
    for c in range(2):
        m = img[:, :, c].astype(np.float64).mean()
        want[:, :, c] = (img[:, :, c] - m) * 1.7 + m
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-6)
    batch = RNG.uniform(size=(2, 3, 3, 1)).astype(np.float32)
    out = run(tf.image.adjust_contrast(batch, 0.5))
    for i in range(2):
        m = batch[i].astype(np.float64).mean()
        np.testing.assert_allclose(out[i], (batch[i] - m) * 0.5 + m, rtol=1e-5, atol=1e-6)


def test_random_brightness_and_contrast_ranges_and_seeds():
    img = RNG.uniform(size=(4, 4, 3)).astype(np.float32)
    with tf.Graph().as_default():
        b = tf.image.random_brightness(img, 0.3, seed=4)
        with tf.Session() as sess:
            deltas = [float((sess.run(b) - img).mean()) for _ in range(50)]
    assert all(-0.3 - 1e-6 <= d <= 0.3 + 1e-6 for d in deltas)
    assert len({round(d, 6) for d in deltas}) > 40
    with tf.Graph().as_default():
        b = tf.image.random_brightness(img, 0.3, seed=4)
        with tf.Session() as sess:
            again = [float((sess.run(b) - img).mean()) for _ in range(50)]
    np.testing.assert_allclose(deltas, again)
    with tf.Graph().as_default():
        c = tf.image.random_contrast(img, 0.5, 1.5, seed=7)
        out = run(c)
    mean = img.mean(axis=(0, 1))
    factor = (out - mean) / (img - mean)
    assert 0.5 <= factor.mean() < 1.5 and np.allclose(factor, factor.mean(), rtol=1e-3)
    with pytest.raises(ValueError, match="max_delta must be non-negative"):
        tf.image.random_brightness(img, -1.0)
    with pytest.raises(ValueError, match="upper must be > lower"):
        tf.image.random_contrast(img, 1.0, 0.5)


# --- crops and pads

def test_crop_and_pad_to_bounding_box():
    img = RNG.integers(1, 9, size=(5, 6, 2)).astype(np.float32)
    crop = tf.image.crop_to_bounding_box(img, 1, 2, 3, 4)
    assert crop.shape.as_list() == [3, 4, 2]
    np.testing.assert_array_equal(run(crop), img[1:4, 2:6])
    pad = tf.image.pad_to_bounding_box(img, 2, 1, 8, 9)
    assert pad.shape.as_list() == [8, 9, 2]
    want = np.zeros((8, 9, 2), dtype=np.float32)
    for i in range(5):
        for j in range(6):
            want[2 + i, 1 + j] = img[i, j]
    np.testing.assert_array_equal(run(pad), want)
    batch = np.stack([img, img + 1])
    np.testing.assert_array_equal(run(tf.image.crop_to_bounding_box(batch, 0, 1, 2, 2)), batch[:, 0:2, 1:3])
    ph = tf.placeholder(tf.float32, [None, None, 2])
    c = tf.image.crop_to_bounding_box(ph, 1, 1, 2, 3)
    assert c.shape.as_list() == [2, 3, 2]
    np.testing.assert_array_equal(run(c, {ph: img}), img[1:3, 1:4])
    p = tf.image.pad_to_bounding_box(ph, 1, 0, 7, 7)
    assert p.shape.as_list() == [7, 7, 2]
    np.testing.assert_array_equal(run(p, {ph: img})[1:6, 0:6], img)
    with pytest.raises(ValueError, match="width must be >= target \\+ offset"):
        tf.image.crop_to_bounding_box(img, 0, 3, 2, 4)
    with pytest.raises(ValueError, match="offset_height must be >= 0"):
        tf.image.pad_to_bounding_box(img, -1, 0, 8, 8)
    with pytest.raises(ValueError, match="height must be <= target - offset"):
        tf.image.pad_to_bounding_box(img, 0, 0, 4, 8)


@pytest.mark.parametrize("th,tw", [(3, 4), (7, 8), (3, 9), (5, 6), (8, 2)])
def test_resize_image_with_crop_or_pad(th, tw):
    img = RNG.integers(1, 9, size=(5, 6, 1)).astype(np.float32)
    want = np.zeros((th, tw, 1), dtype=np.float32)
    # centred: the image's centre maps to the target's centre, offsets rounded down on each side
    for i in range(th):
        for j in range(tw):
            si = i - (th - 5) // 2 if th >= 5 else i + (5 - th) // 2
            sj = j - (tw - 6) // 2 if tw >= 6 else j + (6 - tw) // 2
            if 0 <= si < 5 and 0 <= sj < 6:
                want[i, j] = img[si, sj]
    out = tf.image.resize_image_with_crop_or_pad(img, th, tw)
    assert out.shape.as_list() == [th, tw, 1]
    np.testing.assert_array_equal(run(out), want)
    ph = tf.placeholder(tf.float32, [None, None, None, 1])
    dyn = tf.image.resize_image_with_crop_or_pad(ph, th, tw)
    assert dyn.shape.as_list() == [None, th, tw, 1]
    np.testing.assert_array_equal(run(dyn, {ph: img[None]})[0], want)


def test_central_crop():
    img = np.arange(10 * 8 * 1, dtype=np.float32).reshape(10, 8, 1)
    out = tf.image.central_crop(img, 0.5)
    # start = int((size - size * f) / 2): rows 2.5 -> 2, cols 2; sizes 10 - 4, 8 - 4
    assert out.shape.as_list() == [6, 4, 1]
    np.testing.assert_array_equal(run(out), img[2:8, 2:6])
    batch = np.stack([img, img])
    np.testing.assert_array_equal(run(tf.image.central_crop(batch, 0.5)), batch[:, 2:8, 2:6])
    ph = tf.placeholder(tf.float32, [None, None, 1])
    np.testing.assert_array_equal(run(tf.image.central_crop(ph, 0.5), {ph: img}), img[2:8, 2:6])
    assert tf.image.central_crop(img, 1.0).shape.as_list() == [10, 8, 1]
    with pytest.raises(ValueError, match="central_fraction must be within"):
        tf.image.central_crop(img, 0.0)


def test_random_crop_in_bounds_varies_and_is_seeded():
    img = np.arange(6 * 7 * 2, dtype=np.int32).reshape(6, 7, 2)
    with tf.Graph().as_default():
        crop = tf.image.random_crop(img, [3, 4, 2], seed=9)
        assert crop.shape.as_list() == [3, 4, 2]
        with tf.Session() as sess:
            outs = [sess.run(crop) for _ in range(60)]
    corners = set()
    for o in outs:
        top, rem = divmod(int(o[0, 0, 0]) // 2, 7)
        corners.add((top, rem))
        np.testing.assert_array_equal(o, img[top:top + 3, rem:rem + 4])
    assert {t for t, _ in corners} == set(range(4)) and {c for _, c in corners} == set(range(4))
    with tf.Graph().as_default():
        crop = tf.image.random_crop(img, [3, 4, 2], seed=9)
        with tf.Session() as sess:
            again = [sess.run(crop) for _ in range(60)]
    assert all(np.array_equal(a, b) for a, b in zip(outs, again))
    with pytest.raises(ValueError, match="Need value.shape >= size"):
        tf.image.random_crop(img, [7, 4, 2])


# --- PNG

def test_png_round_trip_and_pillow_compatibility():
    img = RNG.integers(0, 255, size=(5, 4, 3)).astype(np.uint8)
    enc = tf.image.encode_png(img)
    assert enc.dtype == tf.string and enc.shape.as_list() == []
    data = run(enc)
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(data))), img)
    buf = io.BytesIO()
    Image.fromarray(img[:, :, 0], mode="L").save(buf, format="PNG")
    contents = tf.placeholder(tf.string, [])
    dec = tf.image.decode_png(contents)
    assert dec.dtype == tf.uint8 and dec.shape.as_list() == [None, None, None]
    gray = run(dec, {contents: buf.getvalue()})
    np.testing.assert_array_equal(gray, img[:, :, :1])
    rgb = tf.image.decode_png(contents, channels=3)
    assert rgb.shape.as_list() == [None, None, 3]
    np.testing.assert_array_equal(run(rgb, {contents: buf.getvalue()}), np.repeat(img[:, :, :1], 3, axis=-1))
    np.testing.assert_array_equal(run(tf.image.decode_png(enc)), img)
