"""In-memory index of everything loaded from a logdir: runs, their series, image blobs, graphs.

Scalars are held columnar (growable NumPy arrays, amortised doubling); histograms, images and
text keep one small record per point. One lock guards every mutation and every read snapshot,
so request handlers never observe a half-applied reload.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# Step-regression handling. "evict" mirrors TensorBoard's fast (Rust) loader: a point whose step
# is <= an earlier kept step of the same tag removes every kept point with step >= its own.
# "all" keeps every point in file order (what the Python EventAccumulator returns for v2 files).
PURGE_EVICT = "evict"
PURGE_ALL = "all"
PURGE_MODES = (PURGE_EVICT, PURGE_ALL)

_INITIAL_CAPACITY = 16
_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1


class ScalarSeries:
    """Columnar scalar points (step, wall_time, value) of one tag.

    Steps are held as int32 and values as float32 while every point fits exactly (simple_value is a
    float32 on disk and steps are mostly small), which saves a third of the memory; the first point
    that does not fit widens its column to int64 / float64 for good. Readers always get wide copies.
    """

    __slots__ = ("_step", "_wall", "_value", "n")

    def __init__(self) -> None:
        self._step = np.empty(_INITIAL_CAPACITY, np.int32)
        self._wall = np.empty(_INITIAL_CAPACITY, np.float64)
        self._value = np.empty(_INITIAL_CAPACITY, np.float32)
        self.n = 0

    def _widen_to_fit(self, steps: np.ndarray, values: np.ndarray) -> None:
        if self._step.dtype != np.int64 and (steps.min() < _INT32_MIN or steps.max() > _INT32_MAX):
            self._step = self._step.astype(np.int64)
        if self._value.dtype != np.float64:
            with np.errstate(over="ignore", invalid="ignore"):
                narrow = values.astype(np.float32)
            if not np.array_equal(narrow, values, equal_nan=True):
                widened = np.empty(len(self._value), np.float64)  # only the filled part: the rest is garbage
                widened[:self.n] = self._value[:self.n]
                self._value = widened

    def _reserve(self, total: int) -> None:
        cap = len(self._step)
        if total <= cap:
            return
        # Doubling keeps appends amortised O(1); a first big batch gets exactly its size.
        cap = max(total, 2 * cap) if self.n else total
        for name in ("_step", "_wall", "_value"):
            old = getattr(self, name)
            grown = np.empty(cap, old.dtype)
            grown[: self.n] = old[: self.n]
            setattr(self, name, grown)

    def extend(self, steps: np.ndarray, walls: np.ndarray, values: np.ndarray, purge: str) -> None:
        """Append points in file order, applying the step-regression rule `purge`."""
        if len(steps) == 0:
            return
        steps = np.asarray(steps, np.int64)
        walls = np.asarray(walls, np.float64)
        values = np.asarray(values, np.float64)
        if purge == PURGE_EVICT:
            keep = _survivors(steps)
            if not keep.all():
                steps, walls, values = steps[keep], walls[keep], values[keep]
            # Kept steps are strictly increasing, so the cut is a binary search.
            self.n = int(np.searchsorted(self._step[: self.n], steps[0], side="left"))
        self._widen_to_fit(steps, values)
        total = self.n + len(steps)
        self._reserve(total)
        self._step[self.n : total] = steps
        self._wall[self.n : total] = walls
        self._value[self.n : total] = values
        self.n = total

    def shrink(self) -> None:
        """Drop spare capacity (after a reload: loads arrive in chunks, so doubling overshoots)."""
        if len(self._step) > self.n + max(_INITIAL_CAPACITY, self.n >> 3):
            self._step = self._step[: self.n].copy()
            self._wall = self._wall[: self.n].copy()
            self._value = self._value[: self.n].copy()

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Copies of (step int64, wall_time float64, value float64) for the kept points."""
        n = self.n
        return self._step[:n].astype(np.int64), self._wall[:n].copy(), self._value[:n].astype(np.float64)


def _survivors(steps: np.ndarray) -> np.ndarray:
    """Mask of points not evicted by a later point of the same batch (later step <= theirs)."""
    later_min = np.minimum.accumulate(steps[::-1])[::-1]
    keep = np.ones(len(steps), bool)
    keep[:-1] = steps[:-1] < later_min[1:]
    return keep


@dataclass(slots=True)
class HistogramPoint:
    """One histogram: buckets as written ([k, 3] left, right, count) plus its summary numbers."""

    step: int
    wall_time: float
    min: float
    max: float
    num: float
    sum: float | None
    sum_squares: float | None
    buckets: np.ndarray


@dataclass(slots=True)
class ImageRef:
    """One image of a point: the minted blob key and its size."""

    key: str
    width: int
    height: int


@dataclass(slots=True)
class ImagePoint:
    """Every image written for one tag at one step."""

    step: int
    wall_time: float
    images: list[ImageRef]


@dataclass(slots=True)
class TextPoint:
    """A text tensor at one step: its strings (nested lists for rank > 0) and shape."""

    step: int
    wall_time: float
    strings: Any
    shape: tuple[int, ...]


class PointSeries:
    """Points of one non-scalar tag in kept order, with the same step-regression rule as scalars."""

    __slots__ = ("points",)

    def __init__(self) -> None:
        self.points: list[Any] = []

    def append(self, point: Any, purge: str) -> list[Any]:
        """Add a point; returns the points it evicted (so their blobs can be dropped)."""
        evicted: list[Any] = []
        pts = self.points
        if purge == PURGE_EVICT and pts and point.step <= pts[-1].step:
            cut = len(pts)
            while cut and pts[cut - 1].step >= point.step:
                cut -= 1
            evicted = pts[cut:]
            del pts[cut:]
        pts.append(point)
        return evicted


@dataclass(slots=True)
class TagInfo:
    """Display name and description of a tag (from its first SummaryMetadata)."""

    display_name: str
    description: str


MAX_KEPT_ERROR_MESSAGES = 50


@dataclass
class RunData:
    """Everything loaded for one run."""

    name: str
    scalars: dict[str, ScalarSeries] = field(default_factory=dict)
    histograms: dict[str, PointSeries] = field(default_factory=dict)
    images: dict[str, PointSeries] = field(default_factory=dict)
    texts: dict[str, PointSeries] = field(default_factory=dict)
    tag_info: dict[str, TagInfo] = field(default_factory=dict)
    graph: bytes | None = None
    error_count: int = 0
    error_messages: list[str] = field(default_factory=list)

    def add_error(self, message: str) -> None:
        """Count a loader problem and keep its message (the most recent ones)."""
        self.error_count += 1
        self.error_messages.append(message)
        del self.error_messages[:-MAX_KEPT_ERROR_MESSAGES]

    def info(self, tag: str) -> TagInfo:
        """Display name/description of `tag` (defaults: the tag itself, no description)."""
        return self.tag_info.get(tag) or TagInfo(tag, "")


class NotFound(LookupError):
    """An unknown run, tag or blob key was asked for."""


def _lookup(table: dict, run: str, tag: str, kind: str):
    series = table.get(tag)
    if series is None:
        raise NotFound(f"run {run!r} has no {kind} tag {tag!r}")
    return series


class Store:
    """All runs plus the image-blob index; `generation` bumps when a reload brought new data."""

    def __init__(self, purge: str = PURGE_EVICT, samples: dict[str, int] | None = None) -> None:
        if purge not in PURGE_MODES:
            raise ValueError(f"purge must be one of {PURGE_MODES}, got {purge!r}")
        self.purge = purge
        self.samples = dict(samples or {})
        self.lock = threading.RLock()
        self.runs: dict[str, RunData] = {}
        self.generation = 0
        self._blobs: dict[str, tuple[bytes, str]] = {}
        # Random per-process prefix: keys from another server or an old process never resolve.
        self._key_prefix = secrets.token_hex(4)
        self._key_counter = 0
        self.load_errors: list[str] = []  # failures not tied to one run (e.g. a reload crash)

    def run(self, name: str) -> RunData:
        """The run called `name`; NotFound if unknown."""
        run = self.runs.get(name)
        if run is None:
            raise NotFound(f"no run named {name!r}")
        return run

    def scalar_series(self, run: str, tag: str) -> ScalarSeries:
        """The scalar series `tag` of `run`; NotFound if either is unknown."""
        return _lookup(self.run(run).scalars, run, tag, "scalar")

    def point_series(self, run: str, tag: str, kind: str) -> PointSeries:
        """The histogram/image/text series `tag` of `run`; NotFound if either is unknown."""
        data = self.run(run)
        table = {"histograms": data.histograms, "images": data.images, "text": data.texts}[kind]
        return _lookup(table, run, tag, kind)

    def ensure_run(self, name: str) -> RunData:
        """The run called `name`, created empty if new."""
        run = self.runs.get(name)
        if run is None:
            run = self.runs[name] = RunData(name)
        return run

    def tag_listing(self, kind: str) -> dict[str, dict[str, dict[str, str]]]:
        """{run: {tag: {"displayName", "description"}}} over the runs holding `kind` series
        ("scalars", "histograms", ...), as TensorBoard's tags routes answer."""
        with self.lock:
            return {
                name: {tag: {"displayName": run.info(tag).display_name, "description": run.info(tag).description}
                       for tag in sorted(getattr(run, kind))}
                for name, run in sorted(self.runs.items())
                if getattr(run, kind)
            }

    def run_names(self) -> list[str]:
        """Run names, sorted."""
        with self.lock:
            return sorted(self.runs)

    def mint_blob(self, data: bytes, content_type: str) -> str:
        """Store blob bytes and return a fresh opaque key for them."""
        self._key_counter += 1
        key = f"{self._key_prefix}{self._key_counter:x}"
        self._blobs[key] = (data, content_type)
        return key

    def drop_blob(self, key: str) -> None:
        """Forget a blob (its point was evicted)."""
        self._blobs.pop(key, None)

    def blob(self, key: str) -> tuple[bytes, str]:
        """(bytes, content type) of a minted blob; NotFound if unknown."""
        with self.lock:
            found = self._blobs.get(key)
        if found is None:
            raise NotFound("no such blob")
        return found

    def bump_generation(self) -> None:
        """Record that new data arrived."""
        with self.lock:
            self.generation += 1
