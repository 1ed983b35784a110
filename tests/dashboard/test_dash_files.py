"""Damaged and growing event files: truncated tails, CRC damage, empty and garbage files, appends."""

from __future__ import annotations

import os

from dash_helpers import make_client, scalar_event, version_event, write_records

from tlboard.dashboard.loader import Loader
from tlboard.dashboard.store import Store
from tlboard.summaries.records import encode_record

EVENT_NAME = "events.out.tfevents.1700000000.host"


def _loaded(logdir) -> tuple[Store, Loader]:
    store = Store()
    loader = Loader(str(logdir), store)
    loader.reload()
    return store, loader


def _steps(store: Store, run: str, tag: str) -> list[int]:
    return store.scalar_series(run, tag).columns()[0].tolist()


def test_every_cut_of_last_record_keeps_earlier_records_and_waits(tmp_path):
    records = [encode_record(version_event())] + [encode_record(scalar_event("loss", s, s / 2)) for s in range(3)]
    full = b"".join(records)
    last_start = len(full) - len(records[-1])
    for cut in range(last_start, len(full)):
        logdir = tmp_path / f"cut{cut}"
        logdir.mkdir()
        path = logdir / EVENT_NAME
        path.write_bytes(full[:cut])
        store, loader = _loaded(logdir)
        assert _steps(store, ".", "loss") == [0, 1], cut
        assert store.runs["."].error_count == 0, (cut, store.runs["."].error_messages)
        generation = store.generation
        # The writer finishes the record: it is picked up, with nothing duplicated.
        with open(path, "ab") as f:
            f.write(full[cut:])
        assert loader.reload() is True
        assert _steps(store, ".", "loss") == [0, 1, 2], cut
        assert store.generation == generation + 1
        assert store.runs["."].error_count == 0


def test_data_crc_damage_is_counted_and_rest_loads(tmp_path):
    records = [encode_record(scalar_event("loss", s, float(s))) for s in range(6)]
    bad = bytearray(records[2])
    bad[14] ^= 0xFF  # a payload byte: the data CRC no longer matches
    records[2] = bytes(bad)
    (tmp_path / EVENT_NAME).write_bytes(b"".join(records))
    with make_client(tmp_path) as client:
        run = client.get("/api/runs").json()["runs"][0]
        assert run["name"] == "." and run["errors"] == 1
        assert "data CRC" in run["error_messages"][0]
        rows = client.get("/data/plugin/scalars/scalars?run=.&tag=loss").json()
        assert [r[1] for r in rows] == [0, 1, 3, 4, 5]


def test_length_crc_damage_stops_that_file_and_is_reported(tmp_path):
    records = [encode_record(scalar_event("loss", s, float(s))) for s in range(5)]
    bad = bytearray(records[3])
    bad[9] ^= 0x01  # inside the length CRC
    records[3] = bytes(bad)
    path = tmp_path / EVENT_NAME
    path.write_bytes(b"".join(records))
    other = tmp_path / (EVENT_NAME + ".2")
    write_records(other, [scalar_event("other", 7, 1.0)])
    store, loader = _loaded(tmp_path)
    assert _steps(store, ".", "loss") == [0, 1, 2]
    assert _steps(store, ".", "other") == [7]  # the run's other file still loads
    assert store.runs["."].error_count == 1
    assert "framing" in store.runs["."].error_messages[0]
    write_records(path, [scalar_event("loss", 9, 9.0)])
    loader.reload()
    assert _steps(store, ".", "loss") == [0, 1, 2]
    assert store.runs["."].error_count == 1  # reported once, not on every reload


def test_empty_file_is_a_run_without_data_or_errors(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / EVENT_NAME).write_bytes(b"")
    with make_client(tmp_path) as client:
        assert client.get("/data/runs").json() == ["empty"]
        run = client.get("/api/runs").json()["runs"][0]
        assert run == {"name": "empty", "scalars": [], "histograms": [], "images": [], "text": [],
                       "graph": False, "errors": 0, "error_messages": []}


def test_garbage_file_reports_error_and_server_keeps_serving(tmp_path):
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / EVENT_NAME).write_bytes(os.urandom(3) + b"this is not a tfrecord file at all" * 20)
    write_records(tmp_path / "good" / EVENT_NAME, [scalar_event("loss", 1, 0.5)])
    with make_client(tmp_path) as client:
        runs = {r["name"]: r for r in client.get("/api/runs").json()["runs"]}
        assert runs["junk"]["errors"] >= 1
        assert runs["good"]["errors"] == 0
        assert client.get("/data/plugin/scalars/scalars?run=good&tag=loss").json()[0][1:] == [1, 0.5]


def test_undecodable_payload_with_valid_crc_is_counted(tmp_path):
    payloads = [scalar_event("loss", 0, 1.0), b"\xff\xff\xff\xff not a protobuf", scalar_event("loss", 1, 2.0)]
    write_records(tmp_path / EVENT_NAME, payloads)
    store, _ = _loaded(tmp_path)
    assert _steps(store, ".", "loss") == [0, 1]
    assert store.runs["."].error_count == 1


def test_appends_between_reloads_add_only_new_points(tmp_path):
    path = tmp_path / "run" / EVENT_NAME
    write_records(path, [version_event()] + [scalar_event("loss", s, float(s)) for s in range(100)])
    store, loader = _loaded(tmp_path)
    generation = store.generation
    assert _steps(store, "run", "loss") == list(range(100))
    assert loader.reload() is False and store.generation == generation  # nothing new: no bump
    write_records(path, [scalar_event("loss", s, float(s)) for s in range(100, 150)])
    assert loader.reload() is True
    assert store.generation == generation + 1
    assert _steps(store, "run", "loss") == list(range(150))
    # A new file in the run and a brand-new run are discovered too.
    write_records(tmp_path / "run" / (EVENT_NAME + ".b"), [scalar_event("acc", 3, 0.25)])
    write_records(tmp_path / "late" / EVENT_NAME, [scalar_event("x", 0, 1.0)])
    loader.reload()
    assert _steps(store, "run", "acc") == [3]
    assert sorted(store.runs) == ["late", "run"]


def test_file_read_in_one_pass_and_incrementally_agree(tmp_path):
    # Big enough for the vectorised simple_value path, mixed with protobuf-path records of the same tag.
    from tlboard.summaries.protos import event_pb2, summary_pb2

    payloads = []
    for s in range(300):
        if s % 7 == 0:
            meta = summary_pb2.SummaryMetadata(display_name="Loss")
            value = summary_pb2.Summary.Value(tag="loss", simple_value=s * 0.5, metadata=meta)
            payloads.append(event_pb2.Event(wall_time=5.0, step=s,
                                            summary=summary_pb2.Summary(value=[value])).SerializeToString())
        else:
            payloads.append(scalar_event("loss", s, s * 0.5, wall=5.0))
        payloads.append(scalar_event("other/ünï", s * 3, -s, wall=6.0))
    one = tmp_path / "one" / EVENT_NAME
    write_records(one, payloads)
    store, _ = _loaded(tmp_path)
    steps, walls, values = store.scalar_series("one", "loss").columns()
    assert steps.tolist() == list(range(300))
    assert values.tolist() == [s * 0.5 for s in range(300)]
    assert store.scalar_series("one", "other/ünï").columns()[0].tolist() == [s * 3 for s in range(300)]
    assert store.runs["one"].info("loss").display_name == "Loss"


def test_unreadable_file_is_reported_not_fatal(tmp_path):
    path = tmp_path / "locked" / EVENT_NAME
    write_records(path, [scalar_event("loss", 0, 1.0)])
    write_records(tmp_path / "fine" / EVENT_NAME, [scalar_event("loss", 0, 1.0)])
    os.chmod(path, 0)
    try:
        if os.access(path, os.R_OK):  # running as root: a dangling symlink is unreadable for root too
            os.chmod(path, 0o644)
            path.unlink()
            path.symlink_to(tmp_path / "nowhere")
        store, loader = _loaded(tmp_path)
        assert store.runs["locked"].error_count == 1
        assert _steps(store, "fine", "loss") == [0]
        loader.reload()
        assert store.runs["locked"].error_count == 1  # the same failure is not re-counted
    finally:
        if path.is_file() and not path.is_symlink():
            os.chmod(path, 0o644)
