"""The NumPy backend (CPU): the array namespace plus the kernels ops need beyond it."""
from __future__ import annotations

import numpy as np

name = "numpy"
device_type = "CPU"
xp = np


def is_available() -> bool:
    return True


def asarray(x, dtype=None) -> np.ndarray:
    """An ndarray from host data or another backend's array (copied to the host)."""
    if hasattr(x, "get") and not isinstance(x, np.ndarray):  # a device array: copy it to the host
        x = x.get()
    return np.asarray(x, dtype=dtype)


def to_numpy(x) -> np.ndarray:
    """The host ndarray for a value of this backend (no copy)."""
    return x


def make_rng(seed: int | None, seed2: int | None) -> np.random.Generator:
    """A random generator seeded from TF's (graph seed, op seed) pair; fresh entropy when both are None."""
    if seed is None and seed2 is None:
        return np.random.default_rng()
    return np.random.default_rng([seed or 0, seed2 or 0])


# --- Kernels beyond the array namespace (convolution, pooling, ...) are appended below by their ops'
# authors; the CuPy backend mirrors each name.
