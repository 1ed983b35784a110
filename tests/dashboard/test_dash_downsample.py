"""Point selection: min/max chart downsampling and the samples cap."""

from __future__ import annotations

import numpy as np

from tlboard.dashboard.downsample import evenly_spaced, min_max_indices
from tlboard.dashboard.store import PURGE_ALL, PURGE_EVICT, ScalarSeries


def test_min_max_keeps_every_bucket_extreme():
    rng = np.random.default_rng(0)
    values = rng.normal(size=5_000)
    keep = min_max_indices(values, 50)
    assert keep[0] == 0 and keep[-1] == 4_999 and len(keep) <= 102
    kept = set(keep.tolist())
    for idx in np.array_split(np.arange(5_000), 50):  # 50 equal buckets of 100 points
        assert int(idx[np.argmax(values[idx])]) in kept
        assert int(idx[np.argmin(values[idx])]) in kept


def test_min_max_small_series_untouched_and_nan_kept():
    assert min_max_indices(np.arange(10.0), 5) is None
    assert min_max_indices(np.arange(10.0), None) is None
    values = np.zeros(1_000)
    values[500] = np.nan
    keep = min_max_indices(values, 10)
    assert 500 in keep.tolist()


def test_evenly_spaced_cap():
    assert evenly_spaced(10, None) is None and evenly_spaced(10, 10) is None
    idx = evenly_spaced(1_000, 7)
    assert len(idx) == 7 and idx[0] == 0 and idx[-1] == 999
    assert evenly_spaced(1_000, 1).tolist() == [999]


def test_evict_rule_matches_rust_loader_semantics():
    series = ScalarSeries()
    series.extend(np.array([0, 10, 20, 5, 30]), np.zeros(5), np.array([1.0, 2, 3, 4, 5]), PURGE_EVICT)
    steps, _, values = series.columns()
    assert steps.tolist() == [0, 5, 30] and values.tolist() == [1.0, 4.0, 5.0]
    # Across batches: a restart at step 3 evicts kept points with step >= 3; equal steps replace.
    series.extend(np.array([3, 4, 4]), np.zeros(3), np.array([7.0, 8, 9]), PURGE_EVICT)
    steps, _, values = series.columns()
    assert steps.tolist() == [0, 3, 4] and values.tolist() == [1.0, 7.0, 9.0]


def test_all_rule_keeps_file_order_and_growth():
    series = ScalarSeries()
    for start in range(0, 1_000, 7):
        chunk = np.arange(start, min(start + 7, 1_000))
        rev = chunk[::-1]
        series.extend(rev, rev * 0.5, rev * 2.0, PURGE_ALL)
    steps, walls, values = series.columns()
    assert len(steps) == 1_000
    assert steps[:7].tolist() == [6, 5, 4, 3, 2, 1, 0]
    assert (values == steps * 2.0).all() and (walls == steps * 0.5).all()
    series.shrink()
    assert series.columns()[0].tolist() == steps.tolist()
