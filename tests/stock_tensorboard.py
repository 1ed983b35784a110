"""Starts the stock `tensorboard` server on 127.0.0.1 for interop tests (importable from any test folder)."""
from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator


class StockTensorBoard:
    """A running stock TensorBoard: `get` a route, or `poll_json` one until its answer is complete."""

    def __init__(self, url: str, process: subprocess.Popen):
        self.url = url
        self.process = process

    def get(self, route: str, **params) -> bytes:
        query = ("?" + urllib.parse.urlencode(params)) if params else ""
        with urllib.request.urlopen(self.url + route + query, timeout=5) as response:
            return response.read()

    def poll_json(self, route: str, done: Callable[[object], bool], timeout: float, **params):
        """GETs `route` until its JSON satisfies `done`; fails if the server dies or `timeout` s pass."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "tensorboard exited early"
            try:
                answer = json.loads(self.get(route, **params))
                if done(answer):
                    return answer
            except (urllib.error.URLError, ConnectionError, ValueError):
                pass
            time.sleep(0.5)
        raise AssertionError(f"tensorboard did not answer {route} completely within {timeout} s")


@contextlib.contextmanager
def stock_tensorboard(logdir) -> Iterator[StockTensorBoard]:
    """Runs `tensorboard --logdir logdir --load_fast=false` on a free loopback port until the block ends."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "tensorboard.main", "--logdir", str(logdir), "--port", str(port),
         "--host", "127.0.0.1", "--load_fast=false", "--reload_interval", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield StockTensorBoard(f"http://127.0.0.1:{port}", process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
