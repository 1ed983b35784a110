"""Keras's text progress bar: `960/1000 [============================>.] - ETA: 0s - loss: 0.1234`."""
from __future__ import annotations

import math
import sys
import time


def format_value(v: float) -> str:
    """Keras's number format: 4 decimals, scientific below 1e-3."""
    return f"{v:.4f}" if abs(v) > 1e-3 else f"{v:.4e}"


class Progbar:
    """Draws progress towards `target` steps (samples), with running averages of `stateful` metrics."""

    def __init__(self, target: int, width: int = 30, verbose: int = 1, stream=None):
        self.target = int(target)
        self.width = width
        self.verbose = verbose
        self.stream = stream or sys.stdout
        self._sums: dict[str, list[float]] = {}  # name -> [weighted sum, count]
        self._start = time.time()
        self._seen = 0
        # redraw in place only on a terminal; logs and pipes get one line at the end
        self._dynamic = hasattr(self.stream, "isatty") and self.stream.isatty()

    def update(self, current: int, values=None) -> None:
        """Moves to `current` and folds `values` ([(name, batch mean)]) into the averages."""
        step = current - self._seen
        for name, v in values or []:
            acc = self._sums.setdefault(name, [0.0, 0])
            acc[0] += float(v) * step
            acc[1] += step
        self._seen = current
        done = current >= self.target
        if self.verbose == 1 and (self._dynamic or done):
            self._write(self.bar(current) + self._timing(current, done) + self._metrics(), done)
        elif self.verbose == 2 and done:
            self._write(f" - {int(time.time() - self._start)}s" + self._metrics(), True)

    def finish(self, values) -> None:
        """Draws the final line with `values` ([(name, value)]) shown as they are."""
        self._sums = {name: [float(v), 1] for name, v in values}
        self._seen = self.target
        self.update(self.target)

    def bar(self, current: int) -> str:
        """`current/target [=====>....]`."""
        digits = int(math.floor(math.log10(self.target))) + 1 if self.target > 0 else 1
        text = f"{current:>{digits}d}/{self.target} ["
        filled = int(self.width * current / self.target) if self.target else self.width
        if filled > 0:
            text += "=" * (filled - 1) + (">" if current < self.target else "=")
        text += "." * (self.width - filled) + "]"
        return text

    def _timing(self, current: int, done: bool) -> str:
        elapsed = time.time() - self._start
        if done:
            return f" - {int(elapsed)}s"
        eta = elapsed / current * (self.target - current) if current else 0.0
        return f" - ETA: {int(eta)}s"

    def _metrics(self) -> str:
        return "".join(f" - {name}: {format_value(s / max(n, 1))}" for name, (s, n) in self._sums.items())

    def _write(self, line: str, done: bool) -> None:
        if self._dynamic:
            self.stream.write("\r" + line + ("\n" if done else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
