"""Find runs under the logdir(s) and read their event files incrementally into the store."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
import time
from dataclasses import dataclass, field

from tlboard.dashboard.events import apply_batch, decode_payloads
from tlboard.dashboard.store import Store
from tlboard.summaries.records import CorruptRecordError, TruncatedRecordError, scan_records

EVENT_FILE_MARKER = "tfevents"
_READ_CHUNK = 1 << 18  # bytes decoded per step: bounds the transient memory of a big file


def parse_logdir_spec(spec: str) -> list[tuple[str | None, str]]:
    """Split `--logdir` into (name or None, directory) pairs.

    A plain directory is taken as-is (even with a colon in it, if it exists). Otherwise the value
    is a comma-separated list of `name:dir` entries, TensorBoard --logdir_spec style; an entry whose
    text before the first colon contains a path separator is a plain directory.
    """
    spec = spec.strip()
    if not spec:
        raise ValueError("empty --logdir")
    if os.path.isdir(spec) or ("," not in spec and ":" not in spec):
        return [(None, spec)]
    pairs: list[tuple[str | None, str]] = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        name, sep, path = part.partition(":")
        if sep and name and "/" not in name and "\\" not in name and path:
            pairs.append((name, path))
        else:
            pairs.append((None, part))
    if not pairs:
        raise ValueError(f"no directory in --logdir {spec!r}")
    names = [n for n, _ in pairs if n is not None]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate run-group names in --logdir {spec!r}")
    return pairs


def discover_run_dirs(root: str) -> dict[str, list[str]]:
    """Map run name (path relative to root, "." for root) -> sorted event file paths.

    Symlinked directories are followed; a directory already visited (by device/inode) is skipped,
    which breaks symlink loops.
    """
    runs: dict[str, list[str]] = {}
    seen: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        try:
            st = os.stat(dirpath)
        except OSError:
            dirnames[:] = []
            continue
        ident = (st.st_dev, st.st_ino)
        if ident in seen:
            dirnames[:] = []
            continue
        seen.add(ident)
        dirnames.sort()
        files = sorted(f for f in filenames if EVENT_FILE_MARKER in f)
        if files:
            rel = os.path.relpath(dirpath, root)
            name = "." if rel == "." else rel.replace(os.sep, "/")
            runs[name] = [os.path.join(dirpath, f) for f in files]
    return runs


@dataclass
class FileState:
    """Reading position and per-file memory of one event file."""

    path: str
    offset: int = 0
    plugins: dict[str, str] = field(default_factory=dict)  # tag -> plugin, from first metadata
    stopped: str | None = None  # why reading this file stopped for good
    failing: str | None = None  # last open/read error (reported once until it changes)


class Loader:
    """Incremental reader of every run under a logdir spec; `reload()` picks up what is new."""

    def __init__(self, logdir_spec: str, store: Store) -> None:
        self.spec = logdir_spec
        self.roots = parse_logdir_spec(logdir_spec)
        self.store = store
        self.files: dict[str, FileState] = {}
        self._run_files: dict[str, list[str]] = {}
        self._reload_lock = threading.Lock()
        self.loaded_once = threading.Event()

    def reload(self) -> bool:
        """Scan for runs/files and read new bytes; True when any new data arrived."""
        with self._reload_lock:
            changed = False
            for run_name, paths in self._discover().items():
                with self.store.lock:
                    if run_name not in self.store.runs:
                        self.store.ensure_run(run_name)
                        changed = True
                run_changed = False
                for path in paths:
                    run_changed |= self._read_file(run_name, path)
                if run_changed:
                    with self.store.lock:
                        for series in self.store.runs[run_name].scalars.values():
                            series.shrink()
                changed |= run_changed
            if changed:
                self.store.bump_generation()
                _return_free_memory()
            self.loaded_once.set()
            return changed

    def _discover(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for name, root in self.roots:
            if not os.path.isdir(root):
                continue
            for rel, paths in discover_run_dirs(root).items():
                if name is None:
                    run = rel
                else:
                    run = name if rel == "." else f"{name}/{rel}"
                found.setdefault(run, []).extend(paths)
        return found

    def _read_file(self, run_name: str, path: str) -> bool:
        state = self.files.get(path)
        if state is None:
            state = self.files[path] = FileState(path)
        if state.stopped:
            return False
        changed = False
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError as exc:
            return self._report_failure(run_name, state, f"cannot open {path}: {exc.strerror or exc}")
        try:
            size = os.fstat(fd).st_size
            if size < state.offset:
                state.stopped = f"{path}: file shrank from {state.offset} to {size} bytes; no longer read"
                with self.store.lock:
                    self.store.ensure_run(run_name).add_error(state.stopped)
                return True
            while state.offset < size and not state.stopped:
                data = os.pread(fd, min(_READ_CHUNK, size - state.offset), state.offset)
                if not data:
                    break
                consumed, got_data = self._consume(run_name, state, data)
                changed |= got_data
                if consumed == 0:
                    if len(data) >= _READ_CHUNK:
                        # One record larger than the chunk: read it whole.
                        data = os.pread(fd, size - state.offset, state.offset)
                        consumed, got_data = self._consume(run_name, state, data)
                        changed |= got_data
                    if consumed == 0:
                        break  # an incomplete tail: wait for the writer
            state.failing = None
        except OSError as exc:
            return self._report_failure(run_name, state, f"cannot read {path}: {exc.strerror or exc}") or changed
        finally:
            os.close(fd)
        return changed

    def _report_failure(self, run_name: str, state: FileState, message: str) -> bool:
        if state.failing == message:
            return False
        state.failing = message
        with self.store.lock:
            self.store.ensure_run(run_name).add_error(message)
        return True

    def _consume(self, run_name: str, state: FileState, data: bytes) -> tuple[int, bool]:
        """Decode the complete records in `data` (read at state.offset); returns (bytes used, new data?)."""
        records, next_offset, errors = scan_records(data, 0, skip_corrupt=True)
        messages = []
        for err in errors:
            if isinstance(err, TruncatedRecordError):
                continue  # an incomplete tail: the writer may still be appending
            at = state.offset + err.offset
            if isinstance(err, CorruptRecordError) and err.kind == "data_crc":
                messages.append(f"{state.path}: skipped record with bad data CRC at byte {at}")
            else:
                state.stopped = f"{state.path}: damaged record framing at byte {at}; rest of file not read"
                messages.append(state.stopped)
        batch = decode_payloads([payload for _, payload in records], state.plugins, state.path)
        batch.errors[:0] = messages
        state.offset += next_offset
        if batch.is_empty() and not batch.errors:
            return next_offset, False
        with self.store.lock:
            apply_batch(self.store, self.store.ensure_run(run_name), batch)
        return next_offset, True


def _return_free_memory() -> None:
    """Give freed heap pages back to the OS (glibc keeps them after a big load otherwise)."""
    global _malloc_trim
    if _malloc_trim is None:
        try:
            _malloc_trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


_malloc_trim = None


class Reloader:
    """Background thread calling loader.reload() every `interval` seconds (first pass at once)."""

    def __init__(self, loader: Loader, interval: float) -> None:
        self.loader = loader
        self.interval = max(0.05, float(interval))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="tlboard-reloader", daemon=True)

    def start(self) -> None:
        """Start reloading in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to finish and wait briefly for it."""
        self._stop.set()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                self.loader.reload()
            except Exception as exc:  # noqa: BLE001 - a loader bug must never take the server down
                with self.loader.store.lock:
                    self.loader.store.load_errors.append(f"reload failed: {exc!r}")
                    del self.loader.store.load_errors[:-20]
                self.loader.loaded_once.set()
            self._stop.wait(max(0.0, self.interval - (time.monotonic() - started)))
