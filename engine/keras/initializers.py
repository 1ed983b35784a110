"""`tf.keras.initializers`: Keras 2's weight initializers, as objects or by name. They are the engine's TF1
initializers (engine/initializers.py) with Keras's defaults: the dtype is `floatx()` at call time, random
draws default to a 0.05 spread, and configs carry no dtype."""
from __future__ import annotations

import numpy as np

from tlboard.engine import dtypes as _dt
from tlboard.engine import initializers as _engine
from tlboard.engine.initializers import Initializer
from tlboard.engine.ops import array_ops


def _dtype(dtype) -> _dt.DType:
    from .backend import floatx
    return _dt.as_dtype(dtype or floatx()).base_dtype


class _KerasDtype:
    """Mixin over an engine initializer: the dtype defaults to `floatx()` when called, not when built, and
    Keras configs leave it out."""

    def __call__(self, shape, dtype=None, partition_info=None):
        return super().__call__(shape, _dtype(dtype), partition_info)

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("dtype", None)
        return config


class Zeros(_KerasDtype, _engine.Zeros):
    """All zeros."""


class Ones(_KerasDtype, _engine.Ones):
    """All ones."""


class Constant(Initializer):
    """Every element equal to `value` (or `value` broadcast to the weight's shape; TF1's engine Constant
    repeats the last element instead, so Keras keeps its own)."""

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


class RandomNormal(_KerasDtype, _engine.RandomNormal):
    """Normal(mean, stddev) samples."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        super().__init__(mean, stddev, seed)


class RandomUniform(_KerasDtype, _engine.RandomUniform):
    """Uniform samples in [minval, maxval)."""

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None):
        super().__init__(minval, maxval, seed)


class TruncatedNormal(_KerasDtype, _engine.TruncatedNormal):
    """Normal(mean, stddev) samples redrawn when more than two stddevs from the mean."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        super().__init__(mean, stddev, seed)


class VarianceScaling(_KerasDtype, _engine.VarianceScaling):
    """Samples scaled to the weight's fan: stddev = sqrt(scale / n), n = fan_in, fan_out or their mean."""

    def __init__(self, scale: float = 1.0, mode: str = "fan_in", distribution: str = "normal",
                 seed: int | None = None):
        super().__init__(scale, mode, distribution, seed)


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
    """Truncated normal with stddev sqrt(1 / fan_in)."""
    return VarianceScaling(1.0, "fan_in", "normal", seed)


def lecun_uniform(seed: int | None = None) -> VarianceScaling:
    """Uniform in ±sqrt(3 / fan_in)."""
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
