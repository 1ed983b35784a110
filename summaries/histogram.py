"""TensorFlow 1's default histogram: exponential bucket edges and the compact HistogramProto encoding.

Facts reproduced (from TensorFlow's histogram library): positive right edges start at 1e-12 and grow by a
factor of 1.1 while below 1e20, then DBL_MAX; the negative edges mirror them; 0 sits in the middle. A value
v lands in the first bucket whose right edge is strictly greater than v. When encoded, every run of empty
buckets collapses into one zero-count bucket whose right edge is the run's last edge; an empty histogram
keeps one (DBL_MAX, 0) bucket, with min = DBL_MAX and max = -DBL_MAX.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

DBL_MAX = sys.float_info.max


@lru_cache(maxsize=1)
def default_bucket_limits() -> np.ndarray:
    """Return TensorFlow's default right bucket edges (ascending float64, read-only)."""
    positive = []
    edge = 1.0e-12
    while edge < 1.0e20:  # repeated multiplication, as TensorFlow builds them (not 1.1**k)
        positive.append(edge)
        edge *= 1.1
    positive.append(DBL_MAX)
    limits = np.array([-e for e in reversed(positive)] + [0.0] + positive, dtype=np.float64)
    limits.setflags(write=False)
    return limits


@dataclass(frozen=True)
class Histogram:
    """The fields of a HistogramProto, with NumPy arrays for the buckets."""

    min: float
    max: float
    num: float
    sum: float
    sum_squares: float
    bucket_limit: np.ndarray  # right edges, ascending
    bucket: np.ndarray  # counts


def _as_finite_float64(values: object, xp=np) -> np.ndarray:
    array = xp.asarray(values)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"histogram values must be numeric, got dtype {array.dtype}")
    flat = array.astype(np.float64, copy=False).ravel()
    if not bool(xp.isfinite(flat).all()):
        bad = float(flat[~xp.isfinite(flat)][0])
        raise ValueError(f"histogram values must be finite (found {bad}); TensorFlow rejects NaN/Inf too")
    return flat


def collapse_empty_runs(limits: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Merge every run of empty buckets into its last bucket, as TensorFlow's compact encoding does."""
    nonempty = counts > 0
    keep = nonempty.copy()
    # An empty bucket survives only as the end of its run: the next bucket is non-empty, or it is the last.
    keep[:-1] |= nonempty[1:]
    keep[-1] = True
    return limits[keep], counts[keep]


def _bucket_counts(flat, limits: np.ndarray, xp=np, to_host=np.asarray) -> np.ndarray:
    # Bucket i holds limits[i-1] <= v < limits[i]. Sorting the values and locating the edges among them is
    # several times faster than locating every value among the edges.
    below = to_host(xp.searchsorted(xp.sort(flat), xp.asarray(limits), side="left")).astype(np.float64)
    counts = np.diff(below, prepend=0.0)
    # Only DBL_MAX itself is not below the last edge; TensorFlow counts it in the last bucket.
    counts[-1] += flat.size - below[-1]
    return counts


def tf_histogram(values: object, xp=np, to_host=np.asarray) -> Histogram:
    """Bucket values with TensorFlow's default edges and return the compact (collapsed) histogram.

    `xp` is the array namespace the values live in (NumPy, or CuPy on a GPU) and `to_host` brings one of
    its arrays to NumPy: the values are bucketed where they are, and only the edge positions (one number
    per bucket) and four moments cross to the host."""
    flat = _as_finite_float64(values, xp)
    limits = default_bucket_limits()
    if flat.size == 0:
        return Histogram(DBL_MAX, -DBL_MAX, 0.0, 0.0, 0.0, np.array([DBL_MAX]), np.array([0.0]))
    counts = _bucket_counts(flat, limits, xp, to_host)
    kept_limits, kept_counts = collapse_empty_runs(limits, counts)
    return _with_moments(flat, kept_limits, kept_counts, xp)


def numpy_histogram(values: object, bins: object) -> Histogram:
    """Bucket values with numpy.histogram's bins (an int, edges or a method name such as 'auto')."""
    flat = _as_finite_float64(values)
    if flat.size == 0:
        raise ValueError("cannot build a histogram with numpy bins from zero values")
    counts, edges = np.histogram(flat, bins=bins)
    return _with_moments(flat, edges[1:].astype(np.float64), counts.astype(np.float64))


def _with_moments(flat, limits: np.ndarray, counts: np.ndarray, xp=np) -> Histogram:
    with np.errstate(over="ignore"):  # huge values overflow sum_squares to inf, as in TensorFlow's doubles
        total, squares = float(flat.sum()), float(xp.dot(flat, flat))
    return Histogram(float(flat.min()), float(flat.max()), float(flat.size), total, squares, limits, counts)
