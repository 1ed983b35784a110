"""Image ops (`tf.image`), NHWC: resizing (ResizeBilinear, ResizeNearestNeighbor and their gradients, with TF1's
legacy sampling), flips, transposes and rotations, crops and pads, dtype conversion, colour adjustments, and
PNG decoding/encoding on the host. Most functions accept one image [H, W, C] or a batch [N, H, W, C], as TF1's
do, and are built from existing ops; only the resize ops and the PNG codecs are declared here."""
from __future__ import annotations

import io
import numbers

import numpy as np

from .. import dtypes as _dt
from ..graph import Tensor, convert_to_tensor, name_scope
from ..registry import op_def
from ..shapes import TensorShape
from . import array_ops as _array
from . import control_flow_ops as _cf
from . import math_ops as _math
from . import random_ops as _random
from .core import make
from .nn_ops import _shape_error, _with_rank

# TF1 exports none of tf.image at top level; tlboard/image.py imports the public names explicitly.
__all__: list[str] = []


class ResizeMethod:
    """The `method` values of `resize_images`."""
    BILINEAR = 0
    NEAREST_NEIGHBOR = 1
    BICUBIC = 2
    AREA = 3


# --- sampling grids (TF's legacy resize arithmetic, in float32 as TF's kernels compute it)

def _resize_scale(in_size: int, out_size: int, align_corners: bool) -> np.float32:
    """Source pixels per output pixel: (in-1)/(out-1) with align_corners, else in/out."""
    if align_corners and out_size > 1:
        return np.float32(in_size - 1) / np.float32(out_size - 1)
    return np.float32(in_size) / np.float32(out_size)


def _source_positions(xp, in_size: int, out_size: int, align_corners: bool, half_pixel: bool, nearest: bool):
    """Each output pixel's position in the source image (float32)."""
    scale = _resize_scale(in_size, out_size, align_corners)
    pos = xp.arange(out_size, dtype=np.float32)
    if not half_pixel:
        return pos * scale
    src = (pos + np.float32(0.5)) * scale
    return src if nearest else src - np.float32(0.5)


def _linear_taps(xp, in_size: int, out_size: int, align_corners: bool, half_pixel: bool):
    """(lower index, upper index, weight of the upper one) for each output pixel along one axis."""
    src = _source_positions(xp, in_size, out_size, align_corners, half_pixel, nearest=False)
    floor = xp.floor(src)
    lower = xp.maximum(floor, np.float32(0)).astype(np.int64)
    upper = xp.minimum(xp.ceil(src), np.float32(in_size - 1)).astype(np.int64)
    return lower, upper, src - floor


def _nearest_index(xp, in_size: int, out_size: int, align_corners: bool, half_pixel: bool):
    """The source index of each output pixel along one axis (rounding half away from zero with align_corners)."""
    src = _source_positions(xp, in_size, out_size, align_corners, half_pixel, nearest=True)
    idx = xp.floor(src)
    if align_corners:
        idx = idx + (src - idx >= np.float32(0.5))
    return xp.minimum(idx, np.float32(in_size - 1)).astype(np.int64)


def _interp_matrix(xp, in_size: int, out_size: int, attrs: dict, nearest: bool, dtype):
    """The [out, in] matrix mapping one axis of the input to the output (its transpose maps gradients back)."""
    align, half = attrs["align_corners"], attrs["half_pixel_centers"]
    m = xp.zeros((out_size, in_size), dtype=dtype)
    rows = xp.arange(out_size)
    if nearest:
        m[rows, _nearest_index(xp, in_size, out_size, align, half)] = 1
        return m
    lower, upper, frac = _linear_taps(xp, in_size, out_size, align, half)
    frac = frac.astype(dtype)
    m[rows, lower] += 1 - frac
    m[rows, upper] += frac
    return m


def _resize_back(xp, g, in_h: int, in_w: int, attrs: dict, nearest: bool, dtype):
    """The adjoint of a resize: each output pixel's gradient spread back onto the pixels it was sampled from."""
    _, out_h, out_w, _ = g.shape
    my = _interp_matrix(xp, in_h, out_h, attrs, nearest, dtype)
    mx = _interp_matrix(xp, in_w, out_w, attrs, nearest, dtype)
    t = xp.tensordot(my, g.astype(dtype, copy=False), axes=(0, 1))  # [H, N, out_w, C]
    t = xp.tensordot(t, mx, axes=(2, 0))  # [H, N, C, W]
    return xp.ascontiguousarray(t.transpose(1, 0, 3, 2))


def _check_sizes(in_h: int, in_w: int, out_h: int, out_w: int) -> None:
    if in_h <= 0 or in_w <= 0:
        raise ValueError("input image must be of non-zero size")
    if out_h <= 0 or out_w <= 0:
        raise ValueError("output dimensions must be positive")


# --- resize ops

_RESIZE_ATTRS = {"align_corners": False, "half_pixel_centers": False}


def _size_dims(op, size: Tensor) -> list:
    """The static [new_height, new_width] of a `size` input (None where unknown); TF's errors for bad shapes."""
    if size.shape.dims is not None:
        if len(size.shape.dims) != 1:
            raise _shape_error(op, f"Shape must be rank 1 but is rank {len(size.shape.dims)}")
        if size.shape.dims[0] not in (None, 2):
            raise _shape_error(op, f"Dimension must be 2 but is {size.shape.dims[0]}")
    dims = _array._partial_const_vector(size)
    return dims if dims is not None and len(dims) == 2 else [None, None]


def _resize_shape(op) -> TensorShape:
    n, _, _, c = _with_rank(op, op.inputs[0], 4)
    h, w = _size_dims(op, op.inputs[1])
    return TensorShape([n, h, w, c])


def _attrs_of(op) -> dict:
    return {a: op.attrs[a] for a in _RESIZE_ATTRS}


@op_def
class ResizeBilinear:
    """Inputs (images [N, H, W, C], size [2]): bilinear interpolation to `size`; always float32."""
    attrs = dict(_RESIZE_ATTRS)
    shape = _resize_shape

    def dtype(op):
        return _dt.float32

    def forward(k, images, size):
        xp = k.xp
        out_h, out_w = _array._cached_ints(k, "size", 1, size)
        _, in_h, in_w, _ = images.shape
        _check_sizes(in_h, in_w, out_h, out_w)
        align, half = k.attrs["align_corners"], k.attrs["half_pixel_centers"]
        y0, y1, ly = _linear_taps(xp, in_h, out_h, align, half)
        x0, x1, lx = _linear_taps(xp, in_w, out_w, align, half)
        x = images.astype(np.float32, copy=False)
        top_rows, bottom_rows = xp.take(x, y0, axis=1), xp.take(x, y1, axis=1)
        lx = lx[:, None]
        tl, tr = xp.take(top_rows, x0, axis=2), xp.take(top_rows, x1, axis=2)
        bl, br = xp.take(bottom_rows, x0, axis=2), xp.take(bottom_rows, x1, axis=2)
        top = tl + (tr - tl) * lx
        bottom = bl + (br - bl) * lx
        return top + (bottom - top) * ly[:, None, None]

    def grad(op, g):
        if not op.inputs[0].dtype.base_dtype.is_floating:
            return [None, None]
        return [make("ResizeBilinearGrad", [g, op.inputs[0]], name="ResizeBilinearGrad", **_attrs_of(op)), None]


@op_def
class ResizeBilinearGrad:
    """Inputs (grads [N, h, w, C] float32, original_image [N, H, W, C]): the gradient of ResizeBilinear."""
    attrs = dict(_RESIZE_ATTRS)
    reads_shape_only = (1,)

    def shape(op):
        _with_rank(op, op.inputs[0], 4)
        _with_rank(op, op.inputs[1], 4)
        return op.inputs[1].shape

    def dtype(op):
        return op.inputs[1].dtype.base_dtype

    def forward(k, g, original):
        _, in_h, in_w, _ = original.shape
        work = np.float64 if original.dtype == np.float64 else np.float32
        out = _resize_back(k.xp, g, in_h, in_w, k.attrs, False, work)
        return out.astype(original.dtype, copy=False)


@op_def
class ResizeNearestNeighbor:
    """Inputs (images [N, H, W, C], size [2]): each output pixel copies its nearest source pixel."""
    attrs = dict(_RESIZE_ATTRS)
    shape = _resize_shape

    def forward(k, images, size):
        xp = k.xp
        out_h, out_w = _array._cached_ints(k, "size", 1, size)
        _, in_h, in_w, _ = images.shape
        _check_sizes(in_h, in_w, out_h, out_w)
        align, half = k.attrs["align_corners"], k.attrs["half_pixel_centers"]
        rows = xp.take(images, _nearest_index(xp, in_h, out_h, align, half), axis=1)
        return xp.take(rows, _nearest_index(xp, in_w, out_w, align, half), axis=2)

    def grad(op, g):
        x = op.inputs[0]
        hw = x.shape.dims[1:3] if x.shape.dims is not None else [None, None]
        if None not in hw:
            size = convert_to_tensor(list(hw), dtype=_dt.int32)
        else:
            size = _array.strided_slice(_array.shape(x), [1], [3])
        return [make("ResizeNearestNeighborGrad", [g, size], name="ResizeNearestNeighborGrad", **_attrs_of(op)),
                None]


@op_def
class ResizeNearestNeighborGrad:
    """Inputs (grads [N, h, w, C], size [2] = original H, W): the gradient of ResizeNearestNeighbor."""
    attrs = dict(_RESIZE_ATTRS)
    shape = _resize_shape

    def forward(k, g, size):
        in_h, in_w = _array._cached_ints(k, "size", 1, size)
        return _resize_back(k.xp, g, in_h, in_w, k.attrs, True, g.dtype)


def _resize_op(op_type: str, images, size, align_corners: bool, half_pixel_centers: bool, name) -> Tensor:
    if align_corners and half_pixel_centers:
        raise ValueError("If half_pixel_centers is True, align_corners must be False.")
    images = convert_to_tensor(images, name="images")
    size = convert_to_tensor(size, dtype=_dt.int32, name="size")
    return make(op_type, [images, size], name=name or op_type, align_corners=bool(align_corners),
                half_pixel_centers=bool(half_pixel_centers))


def resize_bilinear(images, size, align_corners=False, name=None, half_pixel_centers=False) -> Tensor:
    """Resizes 4-D `images` to `size` [new_height, new_width] with bilinear interpolation (float32 result)."""
    return _resize_op("ResizeBilinear", images, size, align_corners, half_pixel_centers, name)


def resize_nearest_neighbor(images, size, align_corners=False, name=None, half_pixel_centers=False) -> Tensor:
    """Resizes 4-D `images` to `size` [new_height, new_width] by nearest-neighbour sampling (same dtype)."""
    return _resize_op("ResizeNearestNeighbor", images, size, align_corners, half_pixel_centers, name)


def _aspect_preserving_size(size: Tensor, height, width) -> Tensor:
    """The largest size within `size` with the image's aspect ratio (TF's float32 arithmetic, rounded half to
    even)."""
    target = _array._partial_const_vector(size)
    if target is not None and None not in target and isinstance(height, int) and isinstance(width, int):
        f32 = np.float32
        scale = min(f32(target[0]) / f32(height), f32(target[1]) / f32(width))
        return convert_to_tensor([int(np.round(scale * f32(height))), int(np.round(scale * f32(width)))],
                                 dtype=_dt.int32, name="size")
    h = _math.cast(height, _dt.float32)
    w = _math.cast(width, _dt.float32)
    size_f = _math.cast(size, _dt.float32)
    scale = _math.minimum(size_f[0] / h, size_f[1] / w)
    new = [_math.cast(_math.round(scale * h), _dt.int32), _math.cast(_math.round(scale * w), _dt.int32)]
    return _array.stack(new, name="size")


def resize_images(images, size, method=ResizeMethod.BILINEAR, align_corners=False, preserve_aspect_ratio=False,
                  name=None) -> Tensor:
    """Resizes an image [H, W, C] or a batch [N, H, W, C] to `size` = [new_height, new_width] with `method`."""
    with name_scope(name, "resize_images", [images, size]):
        images = convert_to_tensor(images, name="images")
        if images.shape.ndims is None:
            raise ValueError("'images' contains no shape.")
        is_batch = images.shape.ndims == 4
        if images.shape.ndims == 3:
            images = _array.expand_dims(images, 0)
        elif not is_batch:
            raise ValueError("'images' must have either 3 or 4 dimensions.")
        _, height, width, _ = images.shape.as_list()
        try:
            size = convert_to_tensor(size, dtype=_dt.int32, name="size")
        except (TypeError, ValueError):
            raise ValueError("'size' must be a 1-D int32 Tensor") from None
        if not size.shape.is_compatible_with(TensorShape([2])):
            raise ValueError("'size' must be a 1-D Tensor of 2 elements: new_height, new_width")
        if preserve_aspect_ratio:
            dims = _image_dims(images, 4)
            size = _aspect_preserving_size(size, dims[1], dims[2])
        new_h, new_w = _array._partial_const_vector(size) or [None, None]
        if None not in (new_h, new_w, height, width) and (new_h, new_w) == (height, width):
            return images if is_batch else _array.squeeze(images, axis=[0])
        if method == ResizeMethod.BILINEAR:
            out = resize_bilinear(images, size, align_corners=align_corners)
        elif method == ResizeMethod.NEAREST_NEIGHBOR:
            out = resize_nearest_neighbor(images, size, align_corners=align_corners)
        elif method in (ResizeMethod.BICUBIC, ResizeMethod.AREA):
            raise NotImplementedError("resize_images: BICUBIC and AREA are not supported by tlboard; use BILINEAR "
                                      "or NEAREST_NEIGHBOR")
        else:
            raise ValueError("Resize method is not implemented.")
        out.set_shape([None, new_h, new_w, None])
        return out if is_batch else _array.squeeze(out, axis=[0])


resize = resize_images


# --- shape helpers shared by the functions below

def _check_at_least_3d(image: Tensor) -> None:
    """TF's static checks that `image` is at least 3-D with non-empty image dims."""
    dims = image.shape.dims
    if dims is None:
        return
    if len(dims) < 3:
        raise ValueError(f"'image' (shape {image.shape}) must be at least three-dimensional.")
    if any(d == 0 for d in dims[-3:]):
        raise ValueError(f"inner 3 dims of 'image.shape' must be > 0: {image.shape}")


def _image_rank(image: Tensor) -> int:
    """3 or 4 (an unknown rank counts as a single image, as in TF1); TF's error otherwise."""
    _check_at_least_3d(image)
    rank = image.shape.ndims
    if rank is None or rank == 3:
        return 3
    if rank == 4:
        return 4
    raise ValueError("'image' must have either 3 or 4 dimensions.")


def _image_dims(image: Tensor, rank: int) -> list:
    """Each dim as a Python int where static, else as a scalar int32 tensor read at run time."""
    static = image.shape.dims if image.shape.dims is not None else [None] * rank
    if None not in static:
        return list(static)
    dynamic = _array.shape(image)
    return [d if d is not None else dynamic[i] for i, d in enumerate(static)]


def _fix_flip_shape(image: Tensor, result: Tensor) -> Tensor:
    result.set_shape(image.shape if image.shape.dims is not None else [None, None, None])
    return result


def _as_batch(image: Tensor) -> tuple[Tensor, bool]:
    """A 4-D view of `image` and whether it already was a batch (an unknown rank counts as one image)."""
    rank = image.shape.ndims
    if rank == 4:
        return image, True
    if rank == 3:
        return _array.expand_dims(image, 0), False
    if rank is None:
        batch = _array.expand_dims(image, 0)
        batch.set_shape([None] * 4)
        return batch, False
    raise ValueError("'image' must have either 3 or 4 dimensions.")


def _is_tensor(v) -> bool:
    return isinstance(v, Tensor) or hasattr(v, "_as_tensor")


def _static_check(cond, message: str) -> None:
    """Raises ValueError(message) when `cond` is a Python value that is false (tensors are not checked)."""
    if not _is_tensor(cond) and not cond:
        raise ValueError(message)


def _max(a, b):
    return max(a, b) if not (_is_tensor(a) or _is_tensor(b)) else _math.maximum(a, b)


def _min(a, b):
    return min(a, b) if not (_is_tensor(a) or _is_tensor(b)) else _math.minimum(a, b)


def _int_vector(values: list) -> Tensor:
    """A 1-D int32 tensor: a constant when every value is a Python int, else a Pack."""
    if not any(_is_tensor(v) for v in values):
        return convert_to_tensor([int(v) for v in values], dtype=_dt.int32)
    return _array.stack([v if _is_tensor(v) else int(v) for v in values])


def _static_or_none(values: list) -> list:
    return [None if _is_tensor(v) else int(v) for v in values]


# --- flips, transposes and rotations

def _flip(image, axis: int, scope: str) -> Tensor:
    with name_scope(None, scope, [image]):
        image = convert_to_tensor(image, name="image")
        if _image_rank(image) == 3:
            return _fix_flip_shape(image, _array.reverse(image, [axis]))
        return _array.reverse(image, [axis + 1])


def flip_left_right(image) -> Tensor:
    """Flips an image (or each image of a batch) horizontally: the width axis reversed."""
    return _flip(image, 1, "flip_left_right")


def flip_up_down(image) -> Tensor:
    """Flips an image (or each image of a batch) vertically: the height axis reversed."""
    return _flip(image, 0, "flip_up_down")


def _random_flip(image, axis: int, seed, scope: str) -> Tensor:
    with name_scope(None, scope, [image]) as name:
        image = convert_to_tensor(image, name="image")
        if _image_rank(image) == 3:
            u = _random.random_uniform([], 0, 1.0, seed=seed)
            result = _cf.cond(_math.less(u, 0.5), lambda: _array.reverse(image, [axis]), lambda: image, name=name)
            return _fix_flip_shape(image, result)
        batch = _array.strided_slice(_array.shape(image), [0], [1])
        u = _random.random_uniform(batch, 0, 1.0, seed=seed)
        flips = _math.cast(_math.round(_array.reshape(u, [-1, 1, 1, 1])), image.dtype.base_dtype)
        flipped = _array.reverse(image, [axis + 1])
        return flips * flipped + (1 - flips) * image


def random_flip_left_right(image, seed=None) -> Tensor:
    """Flips horizontally with probability 1/2 (each image of a batch independently)."""
    return _random_flip(image, 1, seed, "random_flip_left_right")


def random_flip_up_down(image, seed=None) -> Tensor:
    """Flips vertically with probability 1/2 (each image of a batch independently)."""
    return _random_flip(image, 0, seed, "random_flip_up_down")


def transpose_image(image, name=None) -> Tensor:
    """Swaps the height and width axes of an image or of each image of a batch."""
    with name_scope(name, "transpose", [image]):
        image = convert_to_tensor(image, name="image")
        perm = [1, 0, 2] if _image_rank(image) == 3 else [0, 2, 1, 3]
        return _array.transpose(image, perm, name=name)


transpose = transpose_image


def _rot90_fixed(image: Tensor, k: int, batch: bool) -> Tensor:
    """The image turned k quarter turns counter-clockwise, for a Python int k in 0..3."""
    h, w = (1, 2) if batch else (0, 1)
    perm = [0, 2, 1, 3] if batch else [1, 0, 2]
    if k == 1:
        return _array.transpose(_array.reverse(image, [w]), perm)
    if k == 2:
        return _array.reverse(image, [h, w])
    if k == 3:
        return _array.reverse(_array.transpose(image, perm), [w])
    return image


def rot90(image, k=1, name=None) -> Tensor:
    """Rotates an image (or each image of a batch) counter-clockwise by k multiples of 90 degrees."""
    with name_scope(name, "rot90", [image, k]) as scope:
        image = convert_to_tensor(image, name="image")
        batch = _image_rank(image) == 4
        if isinstance(k, numbers.Integral):
            return _rot90_fixed(image, int(k) % 4, batch)
        k_t = convert_to_tensor(k, dtype=_dt.int32, name="k")
        if k_t.shape.ndims not in (None, 0):
            raise ValueError(f"Shape {k_t.shape} must have rank 0")
        k_t = _math.floormod(k_t, 4)

        def turn(n: int):
            return lambda: _rot90_fixed(image, n, batch)

        result = _cf.cond(_math.equal(k_t, 1), turn(1), lambda: _cf.cond(
            _math.equal(k_t, 2), turn(2), lambda: _cf.cond(_math.equal(k_t, 3), turn(3), turn(0))), name=scope)
        dims = image.shape.dims
        channels = dims[-1] if dims is not None else None
        result.set_shape([dims[0], None, None, channels] if batch else [None, None, channels])
        return result


# --- pixel values

def per_image_standardization(image) -> Tensor:
    """(x - mean) / max(stddev, 1/sqrt(num_elements)) per image, over its H, W and C (float32)."""
    with name_scope(None, "per_image_standardization", [image]) as scope:
        image = convert_to_tensor(image, name="image")
        _check_at_least_3d(image)
        num_pixels = _math.reduce_prod(_array.shape(image)[-3:])
        image = _math.cast(image, _dt.float32)
        mean = _math.reduce_mean(image, axis=[-1, -2, -3], keepdims=True)
        variance = _math.reduce_mean(_math.square(image), axis=[-1, -2, -3], keepdims=True) - _math.square(mean)
        stddev = _math.sqrt(_math.maximum(variance, 0.0))
        min_stddev = _math.rsqrt(_math.cast(num_pixels, _dt.float32))
        scale = _math.maximum(stddev, min_stddev)
        return _math.truediv(_math.subtract(image, mean), scale, name=scope)


def convert_image_dtype(image, dtype, saturate=False, name=None) -> Tensor:
    """Converts pixel values between dtypes, rescaling: floats span [0, 1], integers [0, dtype.max]."""
    image = convert_to_tensor(image, name="image")
    dtype = _dt.as_dtype(dtype).base_dtype
    src = image.dtype.base_dtype
    if not dtype.is_floating and not dtype.is_integer:
        raise AttributeError("dtype must be either floating point or integer")
    if not src.is_floating and not src.is_integer:
        raise AttributeError("image dtype must be either floating point or integer")
    if src is dtype:
        return _array.identity(image, name=name)
    with name_scope(name, "convert_image", [image]) as scope:
        to_int = _math.saturate_cast if saturate else _math.cast
        if src.is_integer and dtype.is_integer:
            in_max, out_max = int(src.max), int(dtype.max)
            if in_max > out_max:
                scale = (in_max + 1) // (out_max + 1)
                return to_int(_math.floordiv(image, _array.constant(scale, dtype=src)), dtype, name=scope)
            scale = (out_max + 1) // (in_max + 1)
            return _math.multiply(to_int(image, dtype), _array.constant(scale, dtype=dtype), name=scope)
        if src.is_floating and dtype.is_floating:
            return _math.cast(image, dtype, name=scope)
        if src.is_integer:  # to float: cast, then scale to [0, 1]
            return _math.multiply(_math.cast(image, dtype), 1.0 / float(src.max), name=scope)
        # from float: scale to [0, max + 0.5) so the truncating cast rounds evenly, then cast
        scaled = _math.multiply(image, float(dtype.max) + 0.5)
        return to_int(scaled, dtype, name=scope)


def rgb_to_grayscale(images, name=None) -> Tensor:
    """One luma channel 0.2989 R + 0.587 G + 0.114 B, in the images' dtype (last axis: 3 -> 1)."""
    with name_scope(name, "rgb_to_grayscale", [images]) as scope:
        images = convert_to_tensor(images, name="images")
        dims = images.shape.dims
        if dims is not None and dims and dims[-1] not in (None, 3):
            raise ValueError(f"Dimensions must be equal, but are {dims[-1]} and 3 for 'rgb_to_grayscale' with "
                             f"input shapes: {images.shape.bracket()}, [3].")
        orig = images.dtype.base_dtype
        flt = convert_image_dtype(images, _dt.float32)
        weights = convert_to_tensor(np.array([0.2989, 0.5870, 0.1140], dtype=np.float32), name="rgb_weights")
        gray = _math.reduce_sum(_math.multiply(flt, weights), axis=-1, keepdims=True)
        return convert_image_dtype(gray, orig, name=scope)


def grayscale_to_rgb(images, name=None) -> Tensor:
    """The single grayscale channel repeated three times (last axis: 1 -> 3)."""
    with name_scope(name, "grayscale_to_rgb", [images]) as scope:
        images = convert_to_tensor(images, name="images")
        dims = images.shape.dims
        if dims is not None:
            if len(dims) < 2:
                raise ValueError(f"'image' (shape {images.shape}) must be at least two-dimensional.")
            if dims[-1] not in (None, 1):
                raise ValueError("Last dimension of a grayscale image should be size 1.")
            multiples = convert_to_tensor([1] * (len(dims) - 1) + [3], dtype=_dt.int32)
        else:
            lead = _array.ones(_array.expand_dims(_array.rank(images) - 1, 0), dtype=_dt.int32)
            multiples = _array.concat([lead, convert_to_tensor([3], dtype=_dt.int32)], 0)
        rgb = _array.tile(images, multiples, name=scope)
        if dims is not None:
            rgb.set_shape(list(dims[:-1]) + [3])
        return rgb


def adjust_brightness(image, delta) -> Tensor:
    """Adds `delta` to every pixel (in float, then back to the image's dtype, saturating)."""
    with name_scope(None, "adjust_brightness", [image, delta]) as scope:
        image = convert_to_tensor(image, name="image")
        orig = image.dtype.base_dtype
        flt = image if orig in (_dt.float16, _dt.float32) else convert_image_dtype(image, _dt.float32)
        adjusted = _math.add(flt, _math.cast(delta, flt.dtype.base_dtype), name=scope)
        return convert_image_dtype(adjusted, orig, saturate=True)


def adjust_contrast(images, contrast_factor) -> Tensor:
    """(x - mean) * contrast_factor + mean, with the mean over each image's pixels per channel."""
    with name_scope(None, "adjust_contrast", [images, contrast_factor]) as scope:
        images = convert_to_tensor(images, name="images")
        if images.shape.ndims is not None and images.shape.ndims < 3:
            raise ValueError(f"input must be at least 3-D, got shape {images.shape.bracket()}")
        orig = images.dtype.base_dtype
        flt = images if orig in (_dt.float16, _dt.float32) else convert_image_dtype(images, _dt.float32)
        factor = _math.cast(contrast_factor, flt.dtype.base_dtype)
        mean = _math.reduce_mean(flt, axis=[-3, -2], keepdims=True)
        adjusted = _math.add(_math.multiply(_math.subtract(flt, mean), factor), mean, name=scope)
        return convert_image_dtype(adjusted, orig, saturate=True)


def random_brightness(image, max_delta, seed=None) -> Tensor:
    """adjust_brightness by a delta drawn uniformly from [-max_delta, max_delta)."""
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    delta = _random.random_uniform([], -max_delta, max_delta, seed=seed)
    return adjust_brightness(image, delta)


def random_contrast(image, lower, upper, seed=None) -> Tensor:
    """adjust_contrast by a factor drawn uniformly from [lower, upper)."""
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    factor = _random.random_uniform([], lower, upper, seed=seed)
    return adjust_contrast(image, factor)


# --- crops and pads

def crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width) -> Tensor:
    """The [target_height, target_width] window whose top-left corner is at (offset_height, offset_width)."""
    with name_scope(None, "crop_to_bounding_box", [image]):
        image = convert_to_tensor(image, name="image")
        batch_in, is_batch = _as_batch(image)
        _check_at_least_3d(batch_in)
        n, height, width, depth = _image_dims(batch_in, 4)
        _static_check(offset_width >= 0, "offset_width must be >= 0.")
        _static_check(offset_height >= 0, "offset_height must be >= 0.")
        _static_check(target_width > 0, "target_width must be > 0.")
        _static_check(target_height > 0, "target_height must be > 0.")
        _static_check(width >= target_width + offset_width, "width must be >= target + offset.")
        _static_check(height >= target_height + offset_height, "height must be >= target + offset.")
        cropped = _array.slice(batch_in, _int_vector([0, offset_height, offset_width, 0]),
                               _int_vector([-1, target_height, target_width, -1]))
        cropped.set_shape(_static_or_none([n, target_height, target_width, depth]))
        return cropped if is_batch else _array.squeeze(cropped, axis=[0])


def pad_to_bounding_box(image, offset_height, offset_width, target_height, target_width) -> Tensor:
    """Zero-pads to [target_height, target_width], the image's top-left corner at (offset_height, offset_width)."""
    with name_scope(None, "pad_to_bounding_box", [image]):
        image = convert_to_tensor(image, name="image")
        batch_in, is_batch = _as_batch(image)
        _check_at_least_3d(batch_in)
        n, height, width, depth = _image_dims(batch_in, 4)
        after_w = target_width - offset_width - width
        after_h = target_height - offset_height - height
        _static_check(offset_height >= 0, "offset_height must be >= 0")
        _static_check(offset_width >= 0, "offset_width must be >= 0")
        _static_check(after_w >= 0, "width must be <= target - offset")
        _static_check(after_h >= 0, "height must be <= target - offset")
        paddings = _array.reshape(_int_vector([0, 0, offset_height, after_h, offset_width, after_w, 0, 0]),
                                  [4, 2])
        padded = _array.pad(batch_in, paddings)
        padded.set_shape(_static_or_none([n, target_height, target_width, depth]))
        return padded if is_batch else _array.squeeze(padded, axis=[0])


def resize_image_with_crop_or_pad(image, target_height, target_width) -> Tensor:
    """Centrally crops and/or zero-pads the image (or each image of a batch) to [target_height, target_width]."""
    with name_scope(None, "resize_image_with_crop_or_pad", [image]):
        image = convert_to_tensor(image, name="image")
        batch_in, is_batch = _as_batch(image)
        _check_at_least_3d(batch_in)
        _static_check(target_width > 0, "target_width must be > 0.")
        _static_check(target_height > 0, "target_height must be > 0.")
        _, height, width, _ = _image_dims(batch_in, 4)
        width_diff = target_width - width
        height_diff = target_height - height
        crop_w, pad_w = _max((-width_diff) // 2, 0), _max(width_diff // 2, 0)
        crop_h, pad_h = _max((-height_diff) // 2, 0), _max(height_diff // 2, 0)
        cropped = crop_to_bounding_box(batch_in, crop_h, crop_w, _min(target_height, height),
                                       _min(target_width, width))
        resized = pad_to_bounding_box(cropped, pad_h, pad_w, target_height, target_width)
        return resized if is_batch else _array.squeeze(resized, axis=[0])


resize_with_crop_or_pad = resize_image_with_crop_or_pad


def central_crop(image, central_fraction) -> Tensor:
    """The central part of each image: `central_fraction` (in (0, 1]) of its height and of its width."""
    with name_scope(None, "central_crop", [image]):
        image = convert_to_tensor(image, name="image")
        if central_fraction <= 0.0 or central_fraction > 1.0:
            raise ValueError("central_fraction must be within (0, 1]")
        if central_fraction == 1.0:
            return image
        _check_at_least_3d(image)
        rank = image.shape.ndims
        if rank not in (3, 4):
            raise ValueError(f"`image` should either be a Tensor with rank = 3 or rank = 4. Had rank = {rank}.")
        dims = _image_dims(image, rank)
        h, w = dims[-3], dims[-2]

        def start(size):
            if not _is_tensor(size):
                return int((float(size) - float(size) * central_fraction) / 2)
            s = _math.cast(size, _dt.float64)
            return _math.cast((s - s * central_fraction) / 2, _dt.int32)

        top, left = start(h), start(w)
        crop_h, crop_w = h - top * 2, w - left * 2
        begin = _int_vector([top, left, 0] if rank == 3 else [0, top, left, 0])
        size = _int_vector([crop_h, crop_w, -1] if rank == 3 else [-1, crop_h, crop_w, -1])
        out = _array.slice(image, begin, size)
        static = _static_or_none(dims[:-3] + [crop_h, crop_w, dims[-1]])
        out.set_shape(static)
        return out


def random_crop(value, size, seed=None, name=None) -> Tensor:
    """A `size`-shaped slice of `value` at a uniformly random offset (needs value.shape >= size)."""
    with name_scope(name, "random_crop", [value, size]) as scope:
        value = convert_to_tensor(value, name="value")
        size = convert_to_tensor(size, dtype=_dt.int32, name="size")
        want = _array._partial_const_vector(size)
        have = value.shape.dims
        if want is not None and have is not None and len(want) == len(have):
            if any(w is not None and h is not None and w > h for w, h in zip(want, have)):
                raise ValueError(f"Need value.shape >= size, got {value.shape.bracket()} {want}")
        shape = _array.shape(value)
        limit = shape - size + 1
        offset = _random.random_uniform(_array.shape(shape), dtype=_dt.int32, maxval=_dt.int32.max,
                                        seed=seed) % limit
        return _array.slice(value, offset, size, name=scope)


# --- PNG on the host (Pillow)

_PNG_MODES = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}


@op_def
class DecodePng:
    """Input: a PNG-encoded string scalar; output: uint8 [H, W, channels] (channels 0: the file's own)."""
    attrs = {"channels": 0, "dtype": _dt.uint8}

    def shape(op):
        c = op.attrs["channels"]
        return TensorShape([None, None, c or None])

    def dtype(op):
        return op.attrs["dtype"]

    def forward(k, contents):
        from PIL import Image
        data = np.asarray(contents, dtype=object).reshape(()).item()
        try:
            img = Image.open(io.BytesIO(data))
            img.load()
        except Exception as e:
            raise ValueError(f"Invalid PNG data: {e}") from None
        channels = k.attrs["channels"]
        if channels:
            img = img.convert(_PNG_MODES[channels])
        elif img.mode not in _PNG_MODES.values():
            has_alpha = "transparency" in img.info or img.mode.endswith("A")
            img = img.convert("RGBA" if has_alpha else "RGB")
        arr = np.asarray(img, dtype=np.uint8)
        if arr.ndim == 2:
            arr = arr[:, :, None]
        return k.b.asarray(arr)


@op_def
class EncodePng:
    """Input: uint8 [H, W, C] with C in 1..4; output: the PNG file as a string scalar."""
    attrs = {"compression": -1}

    def shape(op):
        dims = _with_rank(op, op.inputs[0], 3)
        if dims[2] is not None and dims[2] not in _PNG_MODES:
            raise _shape_error(op, f"image must have 1, 2, 3 or 4 channels, got {dims[2]}")
        return TensorShape([])

    def dtype(op):
        return _dt.string

    def forward(k, image):
        from PIL import Image
        arr = np.ascontiguousarray(k.b.to_numpy(image))
        channels = arr.shape[2]
        if channels not in _PNG_MODES:
            raise ValueError(f"image must have 1, 2, 3 or 4 channels, got {channels}")
        level = k.attrs["compression"]
        pil = Image.fromarray(arr[:, :, 0] if channels == 1 else arr, mode=_PNG_MODES[channels])
        buf = io.BytesIO()
        pil.save(buf, format="PNG", compress_level=6 if level < 0 else int(level))
        out = np.empty((), dtype=object)
        out[()] = buf.getvalue()
        return out


def decode_png(contents, channels=0, dtype=_dt.uint8, name=None) -> Tensor:
    """Decodes a PNG string to a uint8 [height, width, channels] image (channels 0: as stored)."""
    dtype = _dt.as_dtype(dtype).base_dtype
    if dtype is not _dt.uint8:
        raise TypeError(f"decode_png: only uint8 output is supported, got {dtype.name}")
    if channels not in (0, 1, 2, 3, 4):
        raise ValueError(f"channels must be 0, 1, 2, 3 or 4, got {channels}")
    contents = convert_to_tensor(contents, dtype=_dt.string, name="contents")
    return make("DecodePng", [contents], name=name or "DecodePng", channels=int(channels), dtype=dtype)


def encode_png(image, compression=-1, name=None) -> Tensor:
    """Encodes a uint8 [height, width, channels] image (1 to 4 channels) as a PNG string."""
    image = convert_to_tensor(image, name="image")
    if image.dtype.base_dtype is not _dt.uint8:
        raise TypeError(f"Value passed to parameter 'image' has DataType {image.dtype.base_dtype.name} not in list "
                        "of allowed values: uint8, uint16")
    return make("EncodePng", [image], name=name or "EncodePng", compression=int(compression))
