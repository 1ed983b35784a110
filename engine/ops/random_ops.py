"""Random ops (stateful: each op draws from its own generator, seeded TF1-style from the graph and op seeds)
and `tf.set_random_seed`; also re-exports the TF1 top-level initializer names."""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..graph import Tensor, convert_to_tensor, get_default_graph
from ..registry import op_def
from ..shapes import TensorShape
from . import array_ops as _array
from . import math_ops as _math
from .core import make

__all__ = [
    "set_random_seed", "get_seed", "random_normal", "truncated_normal", "random_uniform", "random_shuffle",
    "multinomial",
    # initializers (engine/initializers.py) at TF1's top level
    "zeros_initializer", "ones_initializer", "constant_initializer", "random_normal_initializer",
    "truncated_normal_initializer", "random_uniform_initializer", "glorot_uniform_initializer",
    "glorot_normal_initializer", "variance_scaling_initializer",
]

_DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2**31 - 1


def set_random_seed(seed) -> None:
    """Sets the default graph's seed: ops created afterwards draw reproducible sequences."""
    get_default_graph().seed = None if seed is None else int(seed)


def get_seed(op_seed):
    """TF1's (graph seed, op seed) pair for a new random op: both None when neither seed is set; a graph seed
    alone gives each op a distinct op seed (the graph's op count); an op seed alone uses a fixed graph seed."""
    graph = get_default_graph()
    graph_seed = graph.seed
    if graph_seed is not None:
        if op_seed is None:
            op_seed = graph._last_id
        seeds = (graph_seed, op_seed)
    elif op_seed is not None:
        seeds = (_DEFAULT_GRAPH_SEED, op_seed)
    else:
        return None, None
    if seeds == (0, 0):  # (0, 0) means "nondeterministic" to the kernels, so TF remaps it
        return 0, _MAXINT32
    return int(seeds[0]), int(seeds[1])


def _shape_tensor(shape) -> Tensor:
    if isinstance(shape, Tensor):
        return shape
    if isinstance(shape, TensorShape):
        shape = shape.as_list()
    if isinstance(shape, int | np.integer):
        shape = [int(shape)]
    return convert_to_tensor(list(shape) if not isinstance(shape, np.ndarray) else shape, dtype=_dt.int32,
                             name="shape")


def _random_shape(op) -> TensorShape:
    dims = _array._partial_const_vector(op.inputs[0])
    return TensorShape(dims) if dims is not None else TensorShape(None)


def _float_draw(k, dims, draw):
    """Draws float32/float64 directly; float16 through float32."""
    want = k.attrs["dtype"].as_numpy_dtype
    native = want if want in (np.float32, np.float64) else np.float32
    out = draw(dims, native)
    return out if native is want else out.astype(want)


def _dims(k, s) -> tuple:
    return _array._cached_ints(k, "dims", 0, s)


@op_def
class RandomStandardNormal:
    attrs = {"dtype": _dt.float32, "seed": None, "seed2": None}
    stateful = True
    shape = _random_shape

    def dtype(op):
        return op.attrs["dtype"]

    def forward(k, s):
        return _float_draw(k, _dims(k, s), lambda d, t: k.rng.standard_normal(d, dtype=t))


@op_def
class TruncatedNormal:
    """Standard normal draws, each redrawn until it lies within two standard deviations."""
    attrs = {"dtype": _dt.float32, "seed": None, "seed2": None}
    stateful = True
    shape = _random_shape

    def dtype(op):
        return op.attrs["dtype"]

    def forward(k, s):
        def draw(dims, t):
            out = k.rng.standard_normal(dims, dtype=t)
            bad = k.xp.abs(out) > 2
            while bad.any():  # about 4.6% redrawn per round: a few vectorised rounds
                out[bad] = k.rng.standard_normal(int(bad.sum()), dtype=t)
                bad = k.xp.abs(out) > 2
            return out
        return _float_draw(k, _dims(k, s), draw)


@op_def
class RandomUniform:
    """Uniform floats in [0, 1)."""
    attrs = {"dtype": _dt.float32, "seed": None, "seed2": None}
    stateful = True
    shape = _random_shape

    def dtype(op):
        return op.attrs["dtype"]

    def forward(k, s):
        return _float_draw(k, _dims(k, s), lambda d, t: k.rng.random(d, dtype=t))


@op_def
class RandomUniformInt:
    """Uniform integers in [minval, maxval)."""
    attrs = {"seed": None, "seed2": None}
    stateful = True
    shape = _random_shape

    def dtype(op):
        return op.inputs[1].dtype.base_dtype

    def forward(k, s, lo, hi):
        lo, hi = int(lo), int(hi)
        if lo >= hi:
            raise ValueError(f"Need minval < maxval, got {lo} >= {hi}")
        dt = k.op.inputs[1].dtype.base_dtype.as_numpy_dtype
        return k.rng.integers(lo, hi, size=_dims(k, s), dtype=dt)


@op_def
class RandomShuffle:
    """A random permutation of the first dimension."""
    attrs = {"seed": None, "seed2": None}
    stateful = True

    def shape(op):
        return op.inputs[0].shape

    def forward(k, x):
        x = k.xp.asarray(x)
        if x.ndim == 0:
            return x
        return x[k.rng.permutation(x.shape[0])]


@op_def
class Multinomial:
    """`num_samples` class indices per row, drawn from softmax(logits)."""
    attrs = {"seed": None, "seed2": None, "output_dtype": _dt.int64}
    stateful = True

    def shape(op):
        logits, n = op.inputs
        rows = logits.shape.dims[0] if logits.shape.dims else None
        nv = _array.const_value(n)
        return TensorShape([rows, None if nv is None else int(nv)])

    def dtype(op):
        return op.attrs["output_dtype"]

    def forward(k, logits, num_samples):
        xp = k.xp
        z = logits - xp.max(logits, axis=1, keepdims=True)
        p = xp.exp(z.astype(np.float64))
        cdf = xp.cumsum(p, axis=1)
        cdf /= cdf[:, -1:]
        u = k.rng.random((logits.shape[0], int(num_samples)))
        idx = (u[:, :, None] > cdf[:, None, :]).sum(axis=2)
        return xp.minimum(idx, logits.shape[1] - 1).astype(k.attrs["output_dtype"].as_numpy_dtype)


def _seed_attrs(seed) -> dict:
    s1, s2 = get_seed(seed)
    return {"seed": s1, "seed2": s2}


def _float_dtype(dtype, fn: str) -> _dt.DType:
    dtype = _dt.as_dtype(dtype).base_dtype
    if not dtype.is_floating:
        raise ValueError(f"Invalid dtype {dtype.name} for {fn}: a floating point type is needed")
    return dtype


def random_normal(shape, mean=0.0, stddev=1.0, dtype=_dt.float32, seed=None, name=None) -> Tensor:
    """Normal samples: RandomStandardNormal * stddev + mean, under a "random_normal" scope as TF builds it."""
    dtype = _float_dtype(dtype, "random_normal")
    with get_default_graph().name_scope(name or "random_normal") as scope:
        shape_t = _shape_tensor(shape)
        mean_t = convert_to_tensor(mean, dtype=dtype, name="mean")
        std_t = convert_to_tensor(stddev, dtype=dtype, name="stddev")
        rnd = make("RandomStandardNormal", [shape_t], name="RandomStandardNormal", dtype=dtype, **_seed_attrs(seed))
        return _math.add(_math.multiply(rnd, std_t, name="mul"), mean_t, name=scope)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=_dt.float32, seed=None, name=None) -> Tensor:
    """Normal samples redrawn beyond two standard deviations (TruncatedNormal * stddev + mean)."""
    dtype = _float_dtype(dtype, "truncated_normal")
    with get_default_graph().name_scope(name or "truncated_normal") as scope:
        shape_t = _shape_tensor(shape)
        mean_t = convert_to_tensor(mean, dtype=dtype, name="mean")
        std_t = convert_to_tensor(stddev, dtype=dtype, name="stddev")
        rnd = make("TruncatedNormal", [shape_t], name="TruncatedNormal", dtype=dtype, **_seed_attrs(seed))
        return _math.add(_math.multiply(rnd, std_t, name="mul"), mean_t, name=scope)


def random_uniform(shape, minval=0, maxval=None, dtype=_dt.float32, seed=None, name=None) -> Tensor:
    """Uniform samples in [minval, maxval) (maxval defaults to 1 for floats; integers need it)."""
    dtype = _dt.as_dtype(dtype).base_dtype
    with get_default_graph().name_scope(name or "random_uniform") as scope:
        shape_t = _shape_tensor(shape)
        if dtype.is_integer:
            if maxval is None:
                raise ValueError(f"Must specify maxval for integer dtype {dtype.name}")
            lo = convert_to_tensor(minval, dtype=dtype, name="min")
            hi = convert_to_tensor(maxval, dtype=dtype, name="max")
            return make("RandomUniformInt", [shape_t, lo, hi], name=scope, **_seed_attrs(seed))
        if not dtype.is_floating:
            raise ValueError(f"Invalid dtype {dtype.name} for random_uniform")
        lo = convert_to_tensor(minval, dtype=dtype, name="min")
        hi = convert_to_tensor(1 if maxval is None else maxval, dtype=dtype, name="max")
        rnd = make("RandomUniform", [shape_t], name="RandomUniform", dtype=dtype, **_seed_attrs(seed))
        span = _math.subtract(hi, lo, name="sub")
        return _math.add(_math.multiply(rnd, span, name="mul"), lo, name=scope)


def random_shuffle(value, seed=None, name=None) -> Tensor:
    """The tensor with its first dimension randomly permuted."""
    return make("RandomShuffle", [convert_to_tensor(value)], name=name or "RandomShuffle", **_seed_attrs(seed))


def multinomial(logits, num_samples, seed=None, name=None, output_dtype=None) -> Tensor:
    """Draws `num_samples` class indices per row of unnormalised log-probabilities."""
    logits = convert_to_tensor(logits)
    with logits.graph.name_scope(name or "multinomial") as scope:
        n = convert_to_tensor(num_samples, dtype=_dt.int32)
        return make("Multinomial", [logits, n], name=scope, output_dtype=_dt.as_dtype(output_dtype or _dt.int64),
                    **_seed_attrs(seed))


from ..initializers import (  # noqa: E402  (the initializers build on the ops above)
    constant_initializer,
    glorot_normal_initializer,
    glorot_uniform_initializer,
    ones_initializer,
    random_normal_initializer,
    random_uniform_initializer,
    truncated_normal_initializer,
    variance_scaling_initializer,
    zeros_initializer,
)
