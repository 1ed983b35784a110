"""`tf.keras.initializers`: Keras 2's weight initializers (with Keras's default arguments), as objects
or by name. Calling one with (shape, dtype) builds the graph ops producing the initial value."""
from __future__ import annotations

import math

import numpy as np

from tlboard.engine import dtypes as _dt
from tlboard.engine.ops import array_ops, random_ops


class Initializer:
    """Base class: `init(shape, dtype=None) -> Tensor`."""

    def __call__(self, shape, dtype=None, partition_info=None):
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


def _dtype(dtype):
    from .backend import floatx
    return _dt.as_dtype(dtype or floatx()).base_dtype


class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape, dtype=None, partition_info=None):
        return array_ops.zeros(list(shape), dtype=_dtype(dtype))


class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, dtype=None, partition_info=None):
        return array_ops.ones(list(shape), dtype=_dtype(dtype))


class Constant(Initializer):
    """Every element equal to `value` (or `value` itself when it has the weight's shape)."""

    def __init__(self, value=0):
        self.value = value

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = _dtype(dtype)
        v = np.asarray(self.value, dtype=dtype.as_numpy_dtype)
        if v.ndim == 0:  # a Fill op, not a constant as big as the weight
            return array_ops.fill(list(shape), array_ops.constant(v, dtype=dtype))
        return array_ops.constant(np.broadcast_to(v, shape).copy(), dtype=dtype)

    def get_config(self) -> dict:
        return {"value": self.value}


class RandomNormal(Initializer):
    """Normal(mean, stddev) samples."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype=None, partition_info=None):
        return random_ops.random_normal(list(shape), self.mean, self.stddev, dtype=_dtype(dtype), seed=self.seed)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(Initializer):
    """Uniform samples in [minval, maxval)."""

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None):
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape, dtype=None, partition_info=None):
        return random_ops.random_uniform(list(shape), self.minval, self.maxval, dtype=_dtype(dtype),
                                         seed=self.seed)

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class TruncatedNormal(Initializer):
    """Normal(mean, stddev) samples redrawn when more than two stddevs from the mean."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype=None, partition_info=None):
        return random_ops.truncated_normal(list(shape), self.mean, self.stddev, dtype=_dtype(dtype),
                                           seed=self.seed)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


def _fans(shape) -> tuple[float, float]:
    """(fan_in, fan_out): for conv kernels (h, w, in, out) the receptive field multiplies both."""
    shape = list(shape)
    if len(shape) < 1:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    if len(shape) == 2:
        return float(shape[0]), float(shape[1])
    field = float(np.prod(shape[:-2]))
    return shape[-2] * field, shape[-1] * field


class VarianceScaling(Initializer):
    """Samples scaled to the weight's fan: stddev = sqrt(scale / n), n = fan_in, fan_out or their mean."""

    # stddev of a unit normal truncated to [-2, 2]: dividing by it restores the requested spread
    _TRUNCATED_STDDEV = 0.87962566103423978

    def __init__(self, scale: float = 1.0, mode: str = "fan_in", distribution: str = "normal",
                 seed: int | None = None):
        if scale <= 0.0:
            raise ValueError(f"`scale` must be a positive float. Got: {scale}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"Invalid `mode` argument: expected one of 'fan_in', 'fan_out', 'fan_avg', "
                             f"got {mode!r}")
        if distribution not in ("normal", "uniform", "truncated_normal", "untruncated_normal"):
            raise ValueError(f"Invalid `distribution` argument: {distribution!r}")
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed

    def __call__(self, shape, dtype=None, partition_info=None):
        fan_in, fan_out = _fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        variance = self.scale / max(1.0, n)
        dtype = _dtype(dtype)
        if self.distribution in ("normal", "truncated_normal"):
            stddev = math.sqrt(variance) / self._TRUNCATED_STDDEV
            return random_ops.truncated_normal(list(shape), 0.0, stddev, dtype=dtype, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return random_ops.random_normal(list(shape), 0.0, math.sqrt(variance), dtype=dtype, seed=self.seed)
        limit = math.sqrt(3.0 * variance)
        return random_ops.random_uniform(list(shape), -limit, limit, dtype=dtype, seed=self.seed)

    def get_config(self) -> dict:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed}


class Identity(Initializer):
    """gain * the identity matrix (2-D weights only)."""

    def __init__(self, gain: float = 1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None, partition_info=None):
        if len(shape) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D matrices.")
        dtype = _dtype(dtype)
        return array_ops.constant(self.gain * np.eye(*shape, dtype=dtype.as_numpy_dtype), dtype=dtype)

    def get_config(self) -> dict:
        return {"gain": self.gain}


def glorot_normal(seed: int | None = None) -> VarianceScaling:
    """Truncated normal with stddev sqrt(2 / (fan_in + fan_out))."""
    return VarianceScaling(1.0, "fan_avg", "normal", seed)


def glorot_uniform(seed: int | None = None) -> VarianceScaling:
    """Uniform in ±sqrt(6 / (fan_in + fan_out)) (Keras's default for kernels)."""
    return VarianceScaling(1.0, "fan_avg", "uniform", seed)


def he_normal(seed: int | None = None) -> VarianceScaling:
    """Truncated normal with stddev sqrt(2 / fan_in)."""
    return VarianceScaling(2.0, "fan_in", "normal", seed)


def he_uniform(seed: int | None = None) -> VarianceScaling:
    """Uniform in ±sqrt(6 / fan_in)."""
    return VarianceScaling(2.0, "fan_in", "uniform", seed)


def lecun_normal(seed: int | None = None) -> VarianceScaling:
    return VarianceScaling(1.0, "fan_in", "normal", seed)


def lecun_uniform(seed: int | None = None) -> VarianceScaling:
    return VarianceScaling(1.0, "fan_in", "uniform", seed)


# Keras's spellings: classes under snake_case names too.
zeros = zero = Zeros
ones = one = Ones
constant = Constant
random_normal = normal = RandomNormal
random_uniform = uniform = RandomUniform
truncated_normal = TruncatedNormal
identity = Identity
variance_scaling = VarianceScaling

_BY_NAME = {
    "zeros": Zeros, "zero": Zeros, "ones": Ones, "one": Ones, "constant": Constant,
    "random_normal": RandomNormal, "normal": RandomNormal, "random_uniform": RandomUniform,
    "uniform": RandomUniform, "truncated_normal": TruncatedNormal, "identity": Identity,
    "variance_scaling": VarianceScaling, "glorot_normal": glorot_normal, "glorot_uniform": glorot_uniform,
    "he_normal": he_normal, "he_uniform": he_uniform, "lecun_normal": lecun_normal,
    "lecun_uniform": lecun_uniform,
}
_BY_CLASS_NAME = {c.__name__: c for c in (Zeros, Ones, Constant, RandomNormal, RandomUniform, TruncatedNormal,
                                          VarianceScaling, Identity)}


def get(identifier):
    """An initializer from a name ('glorot_uniform'), a {'class_name', 'config'} dict, an object or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        key = identifier.lower() if identifier.lower() in _BY_NAME else identifier
        factory = _BY_NAME.get(key) or _BY_CLASS_NAME.get(identifier)
        if factory is None:
            raise ValueError(f"Unknown initializer: {identifier}")
        return factory()
    if isinstance(identifier, dict):
        cls = _BY_CLASS_NAME.get(identifier.get("class_name"))
        if cls is None:
            raise ValueError(f"Unknown initializer: {identifier.get('class_name')}")
        return cls.from_config(identifier.get("config", {}))
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret initializer identifier: {identifier!r}")
