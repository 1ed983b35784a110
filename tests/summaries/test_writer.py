"""EventFileWriter / FileWriter: file naming, flushing, failure reporting, crash safety."""

from __future__ import annotations

import errno
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time

import pytest

from tlboard.summaries import writer as writer_module
from tlboard.summaries.protos import event_pb2, graph_pb2
from tlboard.summaries.records import read_records, scan_records
from tlboard.summaries.summary_pb import scalar_pb, text_pb
from tlboard.summaries.writer import EventFileWriter, FileWriter

NAME = re.compile(r"^events\.out\.tfevents\.(\d{10})\.(.+)\.(\d+)\.(\d+)(.*)$")


def _events(path):
    return [event_pb2.Event.FromString(r) for r in read_records(path)]


def _event_files(logdir):
    return sorted(p for p in logdir.iterdir() if p.name.startswith("events.out.tfevents."))


def _wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_file_name_and_first_event(tmp_path):
    writer = EventFileWriter(tmp_path / "run", filename_suffix=".v2")
    try:
        (path,) = _event_files(tmp_path / "run")
        match = NAME.match(path.name)
        assert match, path.name
        seconds, host, pid, _, suffix = match.groups()
        assert (host, int(pid), suffix) == (socket.gethostname(), os.getpid(), ".v2")
        assert abs(int(seconds) - time.time()) < 60
        # The file_version event is on disk before anything else happens.
        (first,) = _events(path)
        assert first.file_version == "brain.Event:2"
        assert first.wall_time == float(seconds)
        assert str(path) == writer.path
    finally:
        writer.close()


def test_two_writers_in_the_same_second_write_two_files(tmp_path, monkeypatch):
    monkeypatch.setattr(writer_module.time, "time", lambda: 1700000000.25)
    with FileWriter(tmp_path) as a, FileWriter(tmp_path) as b:
        a.add_summary(scalar_pb("a", 1.0), 1)
        b.add_summary(scalar_pb("b", 2.0), 1)
    files = _event_files(tmp_path)
    assert len(files) == 2
    assert all(".1700000000." in p.name for p in files)
    tags = sorted(e.summary.value[0].tag for p in files for e in _events(p) if e.HasField("summary"))
    assert tags == ["a", "b"]


def test_flush_puts_every_added_event_on_disk(tmp_path):
    writer = FileWriter(tmp_path, max_queue=1000, flush_secs=3600)
    for step in range(57):
        writer.add_summary(scalar_pb("loss", step / 2), step)
    writer.flush()
    events = _events(writer.event_writer.path)[1:]
    assert [(e.step, e.summary.value[0].simple_value) for e in events] == [(s, s / 2) for s in range(57)]
    writer.close()


def test_full_queue_and_flush_secs_write_without_an_explicit_flush(tmp_path):
    writer = EventFileWriter(tmp_path / "q", max_queue=5, flush_secs=3600)
    for step in range(5):
        writer.add_event(event_pb2.Event(step=step + 1, wall_time=1.0))
    assert _wait_for(lambda: len(_events(writer.path)) == 6)
    writer.close()
    timed = EventFileWriter(tmp_path / "t", max_queue=1000, flush_secs=0.2)
    timed.add_event(event_pb2.Event(step=9, wall_time=1.0))
    assert _wait_for(lambda: len(_events(timed.path)) == 2)
    timed.close()


def test_disk_full_is_raised_on_flush_and_nothing_is_lost(tmp_path, monkeypatch):
    writer = FileWriter(tmp_path, flush_secs=3600)
    writer.add_summary(scalar_pb("x", 1.0), 1)
    writer.flush()

    def disk_full(fd, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(writer_module, "_write", disk_full)
    for step in range(2, 6):
        writer.add_summary(scalar_pb("x", float(step)), step)
    with pytest.raises(OSError) as info:
        writer.flush()
    assert info.value.errno == errno.ENOSPC and writer.event_writer.path in str(info.value)
    with pytest.raises(OSError) as info:
        writer.close()  # the retry fails too; the file stays open with the data kept
    assert info.value.errno == errno.ENOSPC
    monkeypatch.setattr(writer_module, "_write", os.write)  # space freed
    writer.close()
    steps = [e.step for e in _events(writer.event_writer.path) if e.HasField("summary")]
    assert steps == [1, 2, 3, 4, 5]


def test_writer_thread_failure_is_raised_on_the_next_add(tmp_path, monkeypatch):
    writer = EventFileWriter(tmp_path, max_queue=1)
    calls = []

    def no_permission(fd, data):
        calls.append(len(data))
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(writer_module, "_write", no_permission)
    writer.add_event(event_pb2.Event(step=1))  # handed to the thread, which fails
    assert _wait_for(lambda: calls)
    assert _wait_for(lambda: writer._error is not None)
    with pytest.raises(OSError) as info:
        writer.add_event(event_pb2.Event(step=2))
    assert info.value.errno == errno.EACCES
    monkeypatch.setattr(writer_module, "_write", os.write)
    writer.add_event(event_pb2.Event(step=3))
    writer.close()
    assert [e.step for e in _events(writer.path)][1:] == [1, 3]


def test_unwritable_logdir_raises_a_clear_error(tmp_path, monkeypatch):
    readonly = tmp_path / "readonly"
    readonly.mkdir()
    readonly.chmod(0o555)
    try:
        if os.access(readonly, os.W_OK):  # running as root: permission bits do not apply, simulate them
            real_open = os.open

            def denied(path, flags, mode=0o777):
                if os.fspath(path).startswith(str(readonly)):
                    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
                return real_open(path, flags, mode)

            monkeypatch.setattr(writer_module.os, "open", denied)
        with pytest.raises(PermissionError):
            FileWriter(readonly)
    finally:
        readonly.chmod(0o755)
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    with pytest.raises(OSError):
        FileWriter(not_a_dir / "run")


def test_flushed_events_survive_sigkill(tmp_path):
    script = textwrap.dedent(
        f"""
        import sys, time
        from tlboard.summaries.writer import FileWriter
        from tlboard.summaries.summary_pb import scalar_pb
        writer = FileWriter({str(tmp_path)!r}, max_queue=7, flush_secs=3600)
        for step in range(500):
            writer.add_summary(scalar_pb("loss", step), step)
        writer.flush()
        print("flushed", flush=True)
        for step in range(500, 503):
            writer.add_summary(scalar_pb("loss", step), step)
        time.sleep(60)
        """
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "flushed"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    (path,) = _event_files(tmp_path)
    records, _, errors = scan_records(path.read_bytes())
    events = [event_pb2.Event.FromString(payload) for _, payload in records]
    steps = [e.step for e in events if e.HasField("summary")]
    assert steps[:500] == list(range(500))
    assert all(type(e).__name__ == "TruncatedRecordError" for e in errors)


def test_events_are_flushed_at_interpreter_exit(tmp_path):
    script = textwrap.dedent(
        f"""
        from tlboard.summaries.writer import FileWriter
        from tlboard.summaries.summary_pb import scalar_pb
        writer = FileWriter({str(tmp_path)!r}, max_queue=1000, flush_secs=3600)
        for step in range(25):
            writer.add_summary(scalar_pb("loss", step), step)
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    (path,) = _event_files(tmp_path)
    assert [e.step for e in _events(path) if e.HasField("summary")] == list(range(25))


def test_closed_writer_refuses_events_until_reopened(tmp_path):
    writer = FileWriter(tmp_path)
    writer.add_summary(scalar_pb("a", 1.0), 1)
    writer.close()
    writer.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        writer.add_summary(scalar_pb("a", 2.0), 2)
    writer.reopen()
    writer.add_summary(scalar_pb("a", 3.0), 3)
    writer.close()
    files = _event_files(tmp_path)
    assert len(files) == 2
    steps = [[e.step for e in _events(p) if e.HasField("summary")] for p in files]
    assert sorted(steps) == [[1], [3]]


def test_metadata_is_written_only_on_a_tags_first_value(tmp_path):
    writer = FileWriter(tmp_path)
    first, second = text_pb("note", "a"), text_pb("note", "b")
    writer.add_summary(first, 1)
    writer.add_summary(second.SerializeToString(), 2)  # bytes are accepted too
    writer.add_summary(text_pb("other", "c"), 2)
    writer.close()
    assert second.value[0].HasField("metadata")  # the caller's message is untouched
    values = [e.summary.value[0] for e in _events(writer.event_writer.path) if e.HasField("summary")]
    assert [(v.tag, v.HasField("metadata")) for v in values] == [("note", True), ("note", False), ("other", True)]
    assert [v.tensor.string_val[0] for v in values] == [b"a", b"b", b"c"]


class _GraphLike:
    def __init__(self, graph_def):
        self.graph_def = graph_def
        self.calls = []

    def as_graph_def(self, add_shapes=False):
        self.calls.append(add_shapes)
        return self.graph_def


def test_graphs_session_logs_and_run_metadata(tmp_path):
    graph_def = graph_pb2.GraphDef()
    graph_def.node.add(name="x", op="Placeholder")
    graph = _GraphLike(graph_def)
    writer = FileWriter(tmp_path, graph=graph)
    writer.add_graph(graph_def.SerializeToString(), global_step=3)
    log = event_pb2.SessionLog(status=event_pb2.SessionLog.START)
    writer.add_session_log(log, 5)
    writer.add_run_metadata(b"\x0a\x00", "step1", 6)
    with pytest.raises(ValueError, match="step1"):
        writer.add_run_metadata(b"", "step1", 7)
    with pytest.raises(TypeError, match="GraphDef"):
        writer.add_graph(object())
    writer.close()
    assert graph.calls == [True]
    events = _events(writer.event_writer.path)[1:]
    assert [e.WhichOneof("what") for e in events] == ["graph_def", "graph_def", "session_log", "tagged_run_metadata"]
    assert graph_pb2.GraphDef.FromString(events[0].graph_def).node[0].name == "x"
    assert events[1].step == 3 and events[2].step == 5 and events[2].session_log.status == 1
    assert events[3].tagged_run_metadata.tag == "step1" and events[3].tagged_run_metadata.run_metadata == b"\n\x00"
    assert all(e.wall_time > 1e9 for e in events)


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="max_queue"):
        EventFileWriter(tmp_path, max_queue=0)
    with pytest.raises(ValueError, match="flush_secs"):
        EventFileWriter(tmp_path, flush_secs=0)
    with FileWriter(tmp_path) as writer, pytest.raises(TypeError, match="Summary"):
        writer.add_summary(42)
