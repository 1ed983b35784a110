"""`tf.logging`: TF1's logging functions and verbosity levels, on Python's logging with the "tensorflow" logger.

As in TF1: the logger is named "tensorflow"; unless the root logger already has a handler when it is first
used, it gets one writing `LEVEL:tensorflow:message` (logging.BASIC_FORMAT) to stderr (to stdout, and at
INFO, in an interactive interpreter). Its level is left unset, so the default verbosity is WARN (the root's).
"""
from __future__ import annotations

import logging as _logging
import sys as _sys
import threading as _threading

DEBUG = _logging.DEBUG  # 10
INFO = _logging.INFO  # 20
WARN = _logging.WARN  # 30
ERROR = _logging.ERROR  # 40
FATAL = _logging.FATAL  # 50

__all__ = ["DEBUG", "INFO", "WARN", "ERROR", "FATAL", "get_logger", "set_verbosity", "get_verbosity", "debug",
           "info", "warn", "warning", "error", "fatal", "log", "log_if", "log_every_n", "log_first_n", "vlog",
           "flush"]

_logger: _logging.Logger | None = None
_lock = _threading.Lock()
_counts: dict[tuple[str, int], int] = {}  # call site -> calls so far (log_every_n / log_first_n)


class _StdHandler(_logging.StreamHandler):
    """A StreamHandler writing to whatever sys.stderr (or sys.stdout) is when a record is emitted."""

    def __init__(self, stream_name: str):
        self._stream_name = stream_name
        super().__init__()

    @property
    def stream(self):
        return getattr(_sys, self._stream_name)

    @stream.setter
    def stream(self, value) -> None:  # StreamHandler.__init__ assigns it; the live stream is always used
        pass


def get_logger() -> _logging.Logger:
    """The "tensorflow" logger, given TF1's default handler on first use when logging is not configured."""
    global _logger
    if _logger is not None:
        return _logger
    with _lock:
        if _logger is None:
            logger = _logging.getLogger("tensorflow")
            if not _logging.getLogger().handlers:
                interactive = bool(getattr(_sys.flags, "interactive", 0)) or hasattr(_sys, "ps1")
                if interactive:
                    logger.setLevel(INFO)
                handler = _StdHandler("stdout" if interactive else "stderr")
                handler.setFormatter(_logging.Formatter(_logging.BASIC_FORMAT, None))
                logger.addHandler(handler)
            _logger = logger
    return _logger


def set_verbosity(v: int) -> None:
    """Sets the threshold for what messages will be logged."""
    get_logger().setLevel(v)


def get_verbosity() -> int:
    """Returns the effective level of the "tensorflow" logger (WARN unless set)."""
    return get_logger().getEffectiveLevel()


def log(level: int, msg, *args, **kwargs) -> None:
    """Logs `msg % args` at `level`."""
    kwargs.setdefault("stacklevel", 2)
    get_logger().log(level, msg, *args, **kwargs)


def debug(msg, *args, **kwargs) -> None:
    """Logs at DEBUG."""
    log(DEBUG, msg, *args, stacklevel=3, **kwargs)


def info(msg, *args, **kwargs) -> None:
    """Logs at INFO."""
    log(INFO, msg, *args, stacklevel=3, **kwargs)


def warning(msg, *args, **kwargs) -> None:
    """Logs at WARN."""
    log(WARN, msg, *args, stacklevel=3, **kwargs)


def warn(msg, *args, **kwargs) -> None:
    """Logs at WARN (TF1's older spelling of `warning`)."""
    log(WARN, msg, *args, stacklevel=3, **kwargs)


def error(msg, *args, **kwargs) -> None:
    """Logs at ERROR."""
    log(ERROR, msg, *args, stacklevel=3, **kwargs)


def fatal(msg, *args, **kwargs) -> None:
    """Logs at FATAL (it does not exit, as in TF1)."""
    log(FATAL, msg, *args, stacklevel=3, **kwargs)


def vlog(level: int, msg, *args, **kwargs) -> None:
    """Logs at `level` (TF1's verbose logging)."""
    log(level, msg, *args, stacklevel=3, **kwargs)


def log_if(level: int, msg, condition, *args) -> None:
    """Logs `msg % args` at `level` only when `condition` is true."""
    if condition:
        log(level, msg, *args, stacklevel=3)


def _next_count(depth: int = 2) -> int:
    """How many times the calling site (`depth` frames up) has come here before."""
    frame = _sys._getframe(depth)
    site = (frame.f_code.co_filename, frame.f_lineno)
    with _lock:
        n = _counts.get(site, 0)
        _counts[site] = n + 1
    return n


def log_every_n(level: int, msg, n: int, *args) -> None:
    """Logs `msg % args` at `level` on the first call from a call site and every `n`-th one after."""
    if _next_count() % n == 0:
        log(level, msg, *args, stacklevel=3)


def log_first_n(level: int, msg, n: int, *args) -> None:
    """Logs `msg % args` at `level` only the first `n` times it is called from a call site."""
    if _next_count() < n:
        log(level, msg, *args, stacklevel=3)


def flush() -> None:
    """Flushes the handlers of the "tensorflow" logger."""
    for h in get_logger().handlers:
        h.flush()
