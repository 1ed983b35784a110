"""Our scalar route against stock TensorBoard's own Python loader (EventAccumulator) on the shared logs."""

from __future__ import annotations

import math
import urllib.parse

import pytest
from dash_helpers import make_client

# Runs whose reading does not depend on the reader (no restarts, no DT_DOUBLE scalars).
PLAIN_RUNS = ["tf1_graph_mode", "tf2_eager", "tensorboardX", "tensorboardX/losses/train", "nested/a/b"]


def test_scalars_match_tensorboard_event_accumulator(testdata):
    ea_module = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    from tensorboard.util import tensor_util
    compared = 0
    with make_client(testdata / "logs", purge="all") as client:
        for run in PLAIN_RUNS:
            keep_all = {ea_module.SCALARS: 0, ea_module.TENSORS: 0, ea_module.HISTOGRAMS: 0}
            acc = ea_module.EventAccumulator(str(testdata / "logs" / run), size_guidance=keep_all)
            acc.Reload()
            reference = {}
            for tag in acc.Tags()["scalars"]:
                reference[tag] = [(e.step, e.value) for e in acc.Scalars(tag)]
            for tag in acc.Tags()["tensors"]:
                events = acc.Tensors(tag)
                meta = acc.SummaryMetadata(tag)
                if meta.plugin_data.plugin_name == "scalars":
                    reference[tag] = [(e.step, float(tensor_util.make_ndarray(e.tensor_proto))) for e in events]
            ours = client.get("/data/plugin/scalars/tags").json().get(run, {})
            assert set(ours) == set(reference), run
            for tag, points in reference.items():
                q = urllib.parse.urlencode({"run": run, "tag": tag})
                rows = client.get(f"/data/plugin/scalars/scalars?{q}").json()
                assert [r[1] for r in rows] == [s for s, _ in points], (run, tag)
                for row, (_, value) in zip(rows, points):
                    assert row[2] == value or (math.isnan(row[2]) and math.isnan(value)), (run, tag)
                compared += 1
    assert compared >= 9
