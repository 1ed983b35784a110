"""Point selection for charts and for the --samples_per_plugin cap."""

from __future__ import annotations

import numpy as np


def evenly_spaced(n: int, cap: int | None) -> np.ndarray | None:
    """Indices of at most `cap` evenly spaced points out of `n`, always ending with the last one.

    Returns None when nothing needs dropping (no cap, or n <= cap).
    """
    if cap is None or cap <= 0 or n <= cap:
        return None
    if cap == 1:
        return np.array([n - 1], np.int64)
    # cap points from 0 to n-1 inclusive; rounding may repeat an index only when cap > n (excluded).
    return np.unique(np.linspace(0, n - 1, cap).round().astype(np.int64))


def min_max_indices(values: np.ndarray, width: int | None) -> np.ndarray | None:
    """Indices keeping, for each of `width` buckets, its lowest and highest value plus first/last point.

    Every spike survives because the extreme of its bucket is always kept. NaN sorts above
    everything, so a NaN in a bucket is kept as that bucket's maximum. Returns None when all
    points should be sent (no width, or n <= 2 * width).
    """
    n = len(values)
    if width is None or width <= 0 or n <= 2 * width:
        return None
    bucket = (np.arange(n, dtype=np.int64) * width) // n
    # Sorting by (bucket, value): each bucket's first entry is its min, its last its max.
    order = np.lexsort((values, bucket))
    sorted_bucket = bucket[order]
    starts = np.flatnonzero(np.r_[True, sorted_bucket[1:] != sorted_bucket[:-1]])
    ends = np.r_[starts[1:], n] - 1
    keep = np.concatenate((order[starts], order[ends], [0, n - 1]))
    return np.unique(keep)
