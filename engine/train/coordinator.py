"""`tf.train.Coordinator` (threads agreeing to stop) and `start_queue_runners` (tlboard has no input queues,
so there is never a queue runner to start)."""
from __future__ import annotations

import contextlib
import sys
import threading
import time

from ..graph import GraphKeys


class Coordinator:
    """Lets threads request a stop, check for it, and re-raise the first exception reported."""

    def __init__(self, clean_stop_exception_types=None):
        from ..errors import OutOfRangeError
        self._clean = tuple(clean_stop_exception_types or (OutOfRangeError,))
        self._lock = threading.Lock()
        self._stop_event = threading.Event()
        self._exc_info = None
        self._threads: set[threading.Thread] = set()

    def request_stop(self, ex=None) -> None:
        """Asks every thread to stop; `ex` (an exception or exc_info) is re-raised later by `join`."""
        with self._lock:
            if ex is not None and self._exc_info is None:
                info = ex if isinstance(ex, tuple) else (type(ex), ex, ex.__traceback__)
                if not issubclass(info[0], self._clean):
                    self._exc_info = info
            self._stop_event.set()

    def clear_stop(self) -> None:
        with self._lock:
            self._exc_info = None
            self._stop_event.clear()

    def should_stop(self) -> bool:
        return self._stop_event.is_set()

    def wait_for_stop(self, timeout: float | None = None) -> bool:
        return self._stop_event.wait(timeout)

    @contextlib.contextmanager
    def stop_on_exception(self):
        """Context manager: an exception inside requests a stop (and is kept for `join`)."""
        try:
            yield
        except Exception:  # noqa: BLE001 - handed to request_stop and re-raised by join()
            self.request_stop(sys.exc_info())

    def register_thread(self, thread: threading.Thread) -> None:
        with self._lock:
            self._threads.add(thread)

    def join(self, threads=None, stop_grace_period_secs: float = 120, ignore_live_threads: bool = False) -> None:
        """Waits for the threads after a stop request, then re-raises the first reported exception."""
        threads = set(threads or ()) | self._threads
        while threads and not self.wait_for_stop(1.0):
            threads = {t for t in threads if t.is_alive()}
        deadline = time.time() + stop_grace_period_secs
        for t in threads:
            t.join(max(0.0, deadline - time.time()))
        alive = [t.name for t in threads if t.is_alive()]
        if self._exc_info is not None:
            raise self._exc_info[1].with_traceback(self._exc_info[2])
        if alive and not ignore_live_threads:
            raise RuntimeError(f"Coordinator stopped with threads still running: {' '.join(alive)}")

    @property
    def joined(self) -> bool:
        return False


def start_queue_runners(sess=None, coord=None, daemon: bool = True, start: bool = True,
                        collection: str = GraphKeys.QUEUE_RUNNERS) -> list:
    """Starts the graph's queue runners: tlboard graphs have none, so this returns []."""
    return []
