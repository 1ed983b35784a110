"""TF1 default histogram buckets, checked against independent facts and TensorFlow-written files."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from tlboard.summaries.histogram import collapse_empty_runs, default_bucket_limits, tf_histogram
from tlboard.summaries.protos import event_pb2
from tlboard.summaries.records import read_records
from tlboard.summaries.summary_pb import histogram_pb

DBL_MAX = sys.float_info.max


def test_default_edges_follow_the_published_construction():
    limits = default_bucket_limits()
    positive = limits[limits > 0]
    assert np.all(np.diff(limits) > 0)
    assert np.array_equal(limits[limits < 0], -positive[::-1])  # mirrored
    assert np.count_nonzero(limits == 0.0) == 1 and limits[len(limits) // 2] == 0.0
    assert positive[0] == 1e-12 and positive[-1] == DBL_MAX and limits[0] == -DBL_MAX
    finite = positive[:-1]
    np.testing.assert_allclose(finite[1:] / finite[:-1], 1.1, rtol=1e-12)
    assert finite[-1] < 1e20 <= finite[-1] * 1.1
    # 1e-12 * 1.1**k < 1e20  <=>  k < log(1e32)/log(1.1) = 773.08..., so k = 0..773: 774 finite edges.
    assert len(finite) == 774 and len(limits) == 2 * 775 + 1


def test_values_go_to_the_first_edge_strictly_above_them():
    limits = default_bucket_limits()
    zero = int(np.flatnonzero(limits == 0.0)[0])
    h = tf_histogram([0.0, 1e-12, -1e-12, 2.5e-13])
    # 0.0 and 2.5e-13 lie in [0, 1e-12) -> bucket whose right edge is 1e-12; 1e-12 -> edge 1.1e-12;
    # -1e-12 lies in [-1e-12, 0) -> edge 0.
    # Leading empties collapse into one bucket ending at -1e-12; trailing ones into one ending at DBL_MAX.
    assert h.bucket_limit.tolist() == [-1e-12, 0.0, 1e-12, limits[zero + 2], DBL_MAX]
    assert h.bucket.tolist() == [0.0, 1.0, 2.0, 1.0, 0.0]
    assert limits[zero + 2] == pytest.approx(1.1e-12, rel=1e-15)
    top = tf_histogram([DBL_MAX, -DBL_MAX])
    assert top.bucket_limit.tolist()[-1] == DBL_MAX and top.bucket.tolist()[-1] == 1.0
    assert top.bucket.tolist()[:2] == [0.0, 1.0] and top.bucket_limit[0] == -DBL_MAX


def test_runs_of_empty_buckets_collapse_into_their_last_bucket():
    limits = np.arange(1.0, 9.0)
    counts = np.array([0, 0, 3, 0, 0, 0, 1, 0], dtype=float)
    kept_limits, kept_counts = collapse_empty_runs(limits, counts)
    assert kept_limits.tolist() == [2.0, 3.0, 6.0, 7.0, 8.0]
    assert kept_counts.tolist() == [0.0, 3.0, 0.0, 1.0, 0.0]


def test_moments_and_empty_input():
    values = np.array([1.5, -2.0, 3.0, 3.0])
    h = tf_histogram(values)
    assert (h.min, h.max, h.num, h.sum, h.sum_squares) == (-2.0, 3.0, 4.0, 5.5, 24.25)
    assert h.bucket.sum() == 4.0
    empty = tf_histogram([])
    assert (empty.min, empty.max, empty.num) == (DBL_MAX, -DBL_MAX, 0.0)
    assert empty.bucket_limit.tolist() == [DBL_MAX] and empty.bucket.tolist() == [0.0]


@pytest.mark.parametrize("bad", [[1.0, np.nan], [np.inf], [-np.inf, 0.0]])
def test_non_finite_values_are_rejected(bad):
    with pytest.raises(ValueError, match="finite"):
        tf_histogram(bad)


def test_reproduces_tensorflow1_written_histograms(testdata):
    limits = default_bucket_limits()
    path = next((testdata / "logs" / "tf1_graph_mode").glob("events.out.tfevents.*"))
    checked = 0
    for record in read_records(path):
        event = event_pb2.Event.FromString(record)
        for value in event.summary.value:
            if value.WhichOneof("value") != "histo":
                continue
            written = value.histo
            edges = np.array(written.bucket_limit)
            assert np.isin(edges, limits).all(), value.tag  # every TF edge is one of ours
            # Rebuild a sample with the same bucket counts: the true min fills the first non-empty bucket,
            # the true max the last one, and each bucket in between holds copies of its midpoint.
            index = np.searchsorted(limits, edges)
            filled = [(k, int(c)) for k, c in zip(index, written.bucket) if c > 0]
            assert len(filled) >= 2
            sample = [written.min] * filled[0][1] + [written.max] * filled[-1][1]
            for k, count in filled[1:-1]:
                sample += [(limits[k - 1] + limits[k]) / 2] * count
            ours = histogram_pb(value.tag, sample).value[0].histo
            assert list(ours.bucket_limit) == list(written.bucket_limit), (value.tag, event.step)
            assert list(ours.bucket) == list(written.bucket)
            assert (ours.min, ours.max, ours.num) == (written.min, written.max, written.num)
            checked += 1
    assert checked == 10


def test_stock_tensorboard_reads_our_histogram(tmp_path):
    from tensorboard.backend.event_processing import event_accumulator as ea

    from tlboard.summaries.writer import FileWriter

    rng = np.random.default_rng(3)
    values = rng.normal(size=5000)
    with FileWriter(tmp_path) as writer:
        writer.add_summary(histogram_pb("w", values), 4)
    acc = ea.EventAccumulator(str(tmp_path), size_guidance={ea.HISTOGRAMS: 0})
    acc.Reload()
    (event,) = acc.Histograms("w")
    h = event.histogram_value
    assert event.step == 4
    assert (h.min, h.max, h.num) == (values.min(), values.max(), 5000)
    assert h.sum == pytest.approx(values.sum()) and h.sum_squares == pytest.approx(np.dot(values, values))
    assert sum(h.bucket) == 5000
    # Independent count: numpy over the same right edges (bucket i = [edge[i-1], edge[i])).
    edges = np.array(h.bucket_limit)
    expected = np.histogram(values, bins=np.concatenate([[-DBL_MAX], edges]))[0]
    nonzero = expected > 0
    assert np.array_equal(np.array(h.bucket)[nonzero], expected[nonzero])


def test_values_are_bucketed_where_they_live_and_only_counts_cross():
    # tf_histogram takes the values' array namespace and a to-host function (CuPy's on a GPU): the
    # arrays it brings to the host are at most one number per bucket edge, never the values themselves.
    values = np.random.default_rng(3).standard_normal(200_000)
    crossed = []

    def to_host(a):
        crossed.append(np.size(a))
        return np.asarray(a)

    h = tf_histogram(values, np, to_host)
    assert crossed and max(crossed) <= len(default_bucket_limits()) < values.size
    ref = tf_histogram(values)
    assert (h.min, h.max, h.num, h.sum, h.sum_squares) == (ref.min, ref.max, ref.num, ref.sum, ref.sum_squares)
    assert np.array_equal(h.bucket_limit, ref.bucket_limit) and np.array_equal(h.bucket, ref.bucket)
