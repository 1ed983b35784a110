"""Scalar series store narrow columns only while every point fits exactly."""

from __future__ import annotations

import numpy as np

from tlboard.dashboard.store import PURGE_ALL, ScalarSeries


def test_float32_exact_values_round_trip():
    series = ScalarSeries()
    values = np.array([0.1, 1e30, -2.5, np.inf, np.nan], np.float32).astype(np.float64)
    series.extend(np.arange(5), np.full(5, 1.5), values, PURGE_ALL)
    steps, walls, got = series.columns()
    assert got.dtype == np.float64 and steps.dtype == np.int64
    np.testing.assert_array_equal(got, values)


def test_value_not_exact_in_float32_widens_and_keeps_earlier_points():
    series = ScalarSeries()
    series.extend(np.array([1, 2]), np.array([1.0, 2.0]), np.array([0.5, 0.25]), PURGE_ALL)
    series.extend(np.array([3, 4]), np.array([3.0, 4.0]), np.array([0.1, 1e300]), PURGE_ALL)
    _, _, values = series.columns()
    assert values.tolist() == [0.5, 0.25, 0.1, 1e300]


def test_large_steps_widen():
    series = ScalarSeries()
    series.extend(np.array([5]), np.array([1.0]), np.array([1.0]), PURGE_ALL)
    big = 2**40 + 3
    series.extend(np.array([big, -big]), np.array([2.0, 3.0]), np.array([2.0, 3.0]), PURGE_ALL)
    steps, walls, _ = series.columns()
    assert steps.tolist() == [5, big, -big]
    assert walls.tolist() == [1.0, 2.0, 3.0]
