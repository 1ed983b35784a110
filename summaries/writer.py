"""Event files: the asynchronous `EventFileWriter` and TensorFlow 1's `FileWriter` on top of it."""

from __future__ import annotations

import atexit
import itertools
import os
import queue
import socket
import sys
import threading
import time
import weakref
from typing import Any

from tlboard.summaries.event_encoding import encode_summary_event
from tlboard.summaries.protos import event_pb2, summary_pb2
from tlboard.summaries.records import encode_record

FILE_VERSION = "brain.Event:2"
SOURCE_WRITER = "tlboard.summaries.writer"
_MAX_PENDING_BATCHES = 1024  # backpressure: add() blocks when the disk falls this far behind
_file_counter = itertools.count()  # process-wide, so writers created in the same second never collide
_open_writers: weakref.WeakSet[EventFileWriter] = weakref.WeakSet()
_write = os.write  # module level so tests can simulate a failing disk


class _Stop:
    """Queue token asking the worker thread to finish."""


def event_file_name(wall_time: int, suffix: str = "") -> str:
    """The next event file name: events.out.tfevents.<seconds>.<hostname>.<pid>.<counter><suffix>."""
    return f"events.out.tfevents.{wall_time:010d}.{socket.gethostname()}.{os.getpid()}.{next(_file_counter)}{suffix}"


class EventFileWriter:
    """Appends serialized `Event`s to a new event file in logdir from a background thread.

    Events are encoded as TFRecords by the caller and handed to the writer thread in batches of max_queue;
    flush_secs bounds how long an event can wait. A failure in the writer thread (disk full, permission)
    is raised on the next add/flush/close, and the unwritten bytes are kept and retried.
    """

    def __init__(self, logdir: str | os.PathLike, max_queue: int = 10, flush_secs: float = 120,
                 filename_suffix: str = ""):
        if max_queue < 1:
            raise ValueError(f"max_queue must be at least 1, got {max_queue}")
        if flush_secs <= 0:
            raise ValueError(f"flush_secs must be positive, got {flush_secs}")
        self._logdir = os.fspath(logdir)
        self._max_queue = int(max_queue)
        self._flush_secs = float(flush_secs)
        self._suffix = filename_suffix
        self._lock = threading.Lock()
        self._closed = True
        self._open()

    def _open(self) -> None:
        os.makedirs(self._logdir, exist_ok=True)
        start = int(time.time())
        while True:
            path = os.path.join(self._logdir, event_file_name(start, self._suffix))
            try:
                # Exclusive create: never append to (or clobber) another writer's file.
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
                break
            except FileExistsError:
                continue
        self._path = path
        self._fd = fd
        self._pending: list[bytes] = []
        self._unwritten = b""
        self._error: OSError | None = None
        self._batches: queue.Queue = queue.Queue(_MAX_PENDING_BATCHES)
        first = event_pb2.Event(wall_time=float(start), file_version=FILE_VERSION)
        first.source_metadata.writer = SOURCE_WRITER
        self._write_now([encode_record(first.SerializeToString())])
        if self._error is not None:
            os.close(fd)
            self._raise_error()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=f"EventFileWriter({path})", daemon=True)
        self._thread.start()
        _open_writers.add(self)

    @property
    def path(self) -> str:
        """The event file being written."""
        return self._path

    def get_logdir(self) -> str:
        """The directory holding the event file."""
        return self._logdir

    @property
    def closed(self) -> bool:
        """Whether close() has completed (reopen() starts a new file)."""
        return self._closed

    def add_event(self, event: event_pb2.Event | bytes) -> None:
        """Queue an Event (a message or its serialized bytes) for writing."""
        self.add_serialized_event(event if isinstance(event, bytes) else event.SerializeToString())

    def add_serialized_event(self, data: bytes) -> None:
        """Queue an already serialized Event for writing."""
        if self._error is not None:
            self._raise_error()
        if self._closed:
            raise RuntimeError(f"event writer for {self._path} is closed; call reopen() to write more")
        record = encode_record(data)
        with self._lock:
            self._pending.append(record)
            if len(self._pending) < self._max_queue:
                return
            batch, self._pending = self._pending, []
        self._batches.put(batch)

    def flush(self) -> None:
        """Return once every event added so far has been written to the file (or raise why it could not)."""
        if self._closed:
            self._raise_error()
            return
        self._handoff_and_wait()
        self._raise_error()

    def close(self) -> None:
        """Flush everything, stop the writer thread and close the file; raises if the final write failed."""
        if self._closed:
            self._raise_error()
            return
        self._handoff_and_wait()
        # Keep the file open if data is still unwritten, so a later close() can retry.
        self._raise_error()
        self._batches.put(_Stop())
        self._thread.join()
        self._closed = True
        os.close(self._fd)
        _open_writers.discard(self)

    def reopen(self) -> None:
        """After close(), start writing into a new event file in the same logdir."""
        if self._closed:
            self._open()

    def _handoff_and_wait(self) -> None:
        done = threading.Event()
        with self._lock:
            batch, self._pending = self._pending, []
        if batch:
            self._batches.put(batch)
        self._batches.put(done)
        while not done.wait(1.0):
            if not self._thread.is_alive():
                raise RuntimeError(f"the writer thread for {self._path} died")

    def _raise_error(self) -> None:
        error, self._error = self._error, None
        if error is not None:
            raise OSError(error.errno, f"could not write events to {self._path}: {error.strerror}") from error

    def _run(self) -> None:
        deadline = time.monotonic() + self._flush_secs
        while True:
            try:
                item = self._batches.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                item = None  # periodic flush
            chunks: list[bytes] = []
            waiters: list[threading.Event] = []
            stop = False
            take_pending = item is None
            while True:
                if isinstance(item, list):
                    chunks.extend(item)
                elif isinstance(item, threading.Event):
                    waiters.append(item)
                elif isinstance(item, _Stop):
                    stop = True
                try:
                    item = self._batches.get_nowait()
                except queue.Empty:
                    break
            if take_pending:
                with self._lock:
                    batch, self._pending = self._pending, []
                chunks.extend(batch)
                deadline = time.monotonic() + self._flush_secs
            self._write_now(chunks)
            for waiter in waiters:
                waiter.set()
            if stop:
                return

    def _write_now(self, chunks: list[bytes]) -> None:
        data = self._unwritten + b"".join(chunks) if self._unwritten else b"".join(chunks)
        if not data:
            return
        view = memoryview(data)
        written = 0
        try:
            while written < len(data):
                written += _write(self._fd, view[written:])
            self._unwritten = b""
        except OSError as error:
            self._unwritten = data[written:]  # nothing is dropped: retried on the next write
            self._error = error
        except BaseException as error:  # keep the thread alive; surface anything unexpected
            self._unwritten = data[written:]
            self._error = OSError(0, f"{type(error).__name__}: {error}")

    def __enter__(self) -> EventFileWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


@atexit.register
def _close_open_writers() -> None:
    for writer in list(_open_writers):
        try:
            writer.close()
        except Exception as error:  # at exit there is nobody left to raise to
            print(f"tlboard: could not finish {writer.path}: {error}", file=sys.stderr)


def graph_def_bytes(graph: Any) -> bytes:
    """Serialize a GraphDef given as a proto, bytes, or an object with as_graph_def()."""
    if isinstance(graph, (bytes, bytearray, memoryview)):
        return bytes(graph)
    as_graph_def = getattr(graph, "as_graph_def", None)
    if as_graph_def is not None:
        try:
            graph = as_graph_def(add_shapes=True)
        except TypeError:
            graph = as_graph_def()
    serialize = getattr(graph, "SerializeToString", None)
    if serialize is None:
        raise TypeError(
            f"expected a GraphDef, serialized GraphDef bytes, or an object with as_graph_def(); got {type(graph)}"
        )
    return serialize()


def _message_bytes(message: Any, what: str) -> bytes:
    if isinstance(message, (bytes, bytearray, memoryview)):
        return bytes(message)
    serialize = getattr(message, "SerializeToString", None)
    if serialize is None:
        raise TypeError(f"expected a {what} proto or its serialized bytes, got {type(message)}")
    return serialize()


class FileWriter:
    """TensorFlow 1's tf.summary.FileWriter: writes summaries, graphs and session logs to an event file."""

    def __init__(self, logdir: str | os.PathLike, graph: Any = None, max_queue: int = 10,
                 flush_secs: float = 120, filename_suffix: str = "", session: Any = None,
                 graph_def: Any = None):
        # `session` is accepted for signature compatibility; writing never needs one here.
        self.event_writer = EventFileWriter(logdir, max_queue, flush_secs, filename_suffix)
        self._seen_summary_tags: set[str] = set()
        self._seen_run_metadata_tags: set[str] = set()
        if graph is not None or graph_def is not None:
            self.add_graph(graph, graph_def=graph_def)

    def get_logdir(self) -> str:
        """The directory this writer writes into."""
        return self.event_writer.get_logdir()

    def _add(self, event: event_pb2.Event, global_step: int | None) -> None:
        event.wall_time = time.time()
        if global_step is not None:
            event.step = int(global_step)
        self.event_writer.add_event(event)

    def add_event(self, event: event_pb2.Event | bytes) -> None:
        """Write an Event as given (its wall_time and step are not touched)."""
        self.event_writer.add_event(event)

    def add_summary(self, summary: Any, global_step: int | None = None) -> None:
        """Write a Summary (proto or serialized bytes); a tag's metadata is kept only on its first value."""
        if isinstance(summary, summary_pb2.Summary):
            parsed = summary
        else:
            parsed = summary_pb2.Summary.FromString(_message_bytes(summary, "Summary"))
        seen = self._seen_summary_tags
        stripped = None
        for index, value in enumerate(parsed.value):
            tag = value.tag
            if tag not in seen:
                seen.add(tag)
            elif value.HasField("metadata"):
                if stripped is None:  # never modify the caller's message
                    stripped = summary_pb2.Summary()
                    stripped.CopyFrom(parsed)
                stripped.value[index].ClearField("metadata")
        data = (stripped or parsed).SerializeToString()
        step = 0 if global_step is None else int(global_step)
        self.event_writer.add_serialized_event(encode_summary_event(time.time(), step, data))

    def add_session_log(self, session_log: event_pb2.SessionLog | bytes, global_step: int | None = None) -> None:
        """Write a SessionLog event (e.g. status START after a restart, which makes readers drop stale steps)."""
        event = event_pb2.Event()
        event.session_log.ParseFromString(_message_bytes(session_log, "SessionLog"))
        self._add(event, global_step)

    def add_graph(self, graph: Any, global_step: int | None = None, graph_def: Any = None) -> None:
        """Write a graph: a GraphDef proto, its bytes, or an object with as_graph_def() (such as a Graph)."""
        source = graph if graph is not None else graph_def
        if source is None:
            raise ValueError("add_graph needs a graph or a graph_def")
        self._add(event_pb2.Event(graph_def=graph_def_bytes(source)), global_step)

    def add_meta_graph(self, meta_graph_def: Any, global_step: int | None = None) -> None:
        """Write a MetaGraphDef (proto or serialized bytes)."""
        self._add(event_pb2.Event(meta_graph_def=_message_bytes(meta_graph_def, "MetaGraphDef")), global_step)

    def add_run_metadata(self, run_metadata: Any, tag: str, global_step: int | None = None) -> None:
        """Write a RunMetadata (proto or bytes) under a tag that must be unused in this writer."""
        if tag in self._seen_run_metadata_tags:
            raise ValueError(f"run metadata tag {tag!r} was already used by this writer")
        self._seen_run_metadata_tags.add(tag)
        tagged = event_pb2.TaggedRunMetadata(tag=tag, run_metadata=_message_bytes(run_metadata, "RunMetadata"))
        self._add(event_pb2.Event(tagged_run_metadata=tagged), global_step)

    def flush(self) -> None:
        """Block until everything written so far is in the event file."""
        self.event_writer.flush()

    def close(self) -> None:
        """Flush and close the event file."""
        self.event_writer.close()

    def reopen(self) -> None:
        """After close(), continue in a new event file in the same logdir."""
        self.event_writer.reopen()

    def __enter__(self) -> FileWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
