"""Histogram and distribution routes (TensorBoard's plugins) plus /api/histograms."""

from __future__ import annotations

import numpy as np
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from tlboard.dashboard.downsample import evenly_spaced
from tlboard.dashboard.plugins.core import get_store
from tlboard.dashboard.responses import json_response
from tlboard.dashboard.store import HistogramPoint, Store

router = APIRouter(tags=["histograms"])

# Basis points of TensorBoard's compressed histograms: the normal distribution's -inf, -3..3 sigma, +inf.
BASIS_POINTS = (0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000)


def display_buckets(point: HistogramPoint) -> np.ndarray:
    """[k, 3] (left, right, count) as TensorBoard shows a histogram.

    Buckets decoded from a HistogramProto (those carry a `sum`) lose their empty runs at both ends
    and take min/max as outer edges, as TensorBoard's data compatibility layer does; [k, 3] tensors
    are shown as written.
    """
    buckets = point.buckets
    if point.sum is None or not len(buckets):
        return buckets
    nonzero = np.flatnonzero(buckets[:, 2])
    if not len(nonzero):
        return buckets[:0]
    trimmed = buckets[nonzero[0] : nonzero[-1] + 1].copy()
    trimmed[0, 0] = point.min
    trimmed[-1, 1] = point.max
    return trimmed


def compress(buckets: np.ndarray) -> list[list[float]]:
    """[[basis_point, value] x 9]: the value below which bp/10000 of the mass lies (linear within buckets)."""
    if not len(buckets) or buckets[:, 2].sum() <= 0:
        return [[bp, 0.0] for bp in BASIS_POINTS]
    counts = buckets[:, 2]
    cumulative = np.cumsum(counts)
    total = cumulative[-1]
    result = []
    for bp in BASIS_POINTS:
        target = total * bp / 10000.0
        # First non-empty bucket whose cumulative mass reaches the target.
        i = int(np.searchsorted(cumulative, target, side="left"))
        i = min(i, len(counts) - 1)
        while counts[i] <= 0 and i + 1 < len(counts):
            i += 1
        below = cumulative[i] - counts[i]
        fraction = 0.0 if counts[i] <= 0 else min(1.0, max(0.0, (target - below) / counts[i]))
        left, right = buckets[i, 0], buckets[i, 1]
        result.append([bp, float(left + fraction * (right - left))])
    return result


def _points(store: Store, run: str, tag: str) -> list[HistogramPoint]:
    with store.lock:
        points = list(store.point_series(run, tag, "histograms").points)
    keep = evenly_spaced(len(points), store.samples.get("histograms"))
    return points if keep is None else [points[i] for i in keep.tolist()]


def _tags(request: Request) -> Response:
    return json_response(get_store(request).tag_listing("histograms"))


@router.get("/data/plugin/histograms/tags", summary="Histogram tags per run")
def histogram_tags(request: Request) -> Response:
    """{run: {tag: {displayName, description}}}."""
    return _tags(request)


@router.get("/data/plugin/distributions/tags", summary="Distribution tags per run (the histogram tags)")
def distribution_tags(request: Request) -> Response:
    """Same shape as the histogram tags."""
    return _tags(request)


@router.get("/data/plugin/histograms/histograms", summary="[[wall_time, step, [[left, right, count], ...]], ...]")
def histograms(request: Request, run: str = Query(...), tag: str = Query(...)) -> Response:
    """TensorBoard's histogram series route."""
    points = _points(get_store(request), run, tag)
    return json_response([[p.wall_time, p.step, display_buckets(p).tolist()] for p in points])


@router.get("/data/plugin/distributions/distributions", summary="[[wall_time, step, [[bp, value] x 9]], ...]")
def distributions(request: Request, run: str = Query(...), tag: str = Query(...)) -> Response:
    """TensorBoard's compressed-histogram series route."""
    points = _points(get_store(request), run, tag)
    return json_response([[p.wall_time, p.step, compress(display_buckets(p))] for p in points])


@router.get("/api/histograms", summary="A histogram series, columnar")
def api_histograms(request: Request, run: str = Query(...), tag: str = Query(...)) -> Response:
    """{"steps", "wall_times", "buckets": [[[left, right, count], ...], ...]}."""
    points = _points(get_store(request), run, tag)
    return json_response(
        {
            "run": run,
            "tag": tag,
            "steps": [p.step for p in points],
            "wall_times": [p.wall_time for p in points],
            "buckets": [display_buckets(p).tolist() for p in points],
        }
    )
