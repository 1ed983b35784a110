"""Scratch arrays kept in an op's per-plan-step `cache` dict and reused while their shape and dtype hold,
so a kernel's temporaries cost no allocation after the first step (NumPy backend)."""
from __future__ import annotations

import numpy as np


def scratch(cache: dict | None, key: str, shape: tuple, dtype) -> np.ndarray:
    """An uninitialized array for `key` in `cache`, the one from the last call when shape and dtype match."""
    if cache is None:
        return np.empty(shape, dtype)
    buf = cache.get(key)
    if buf is None or buf.shape != shape or buf.dtype != dtype:
        buf = cache[key] = np.empty(shape, dtype)
    return buf
