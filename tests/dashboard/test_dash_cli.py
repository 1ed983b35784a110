"""The `tlboard` command line, run as a real subprocess."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
from dash_helpers import scalar_event, write_records

from tlboard.dashboard.cli import parse_samples
from tlboard.dashboard.loader import parse_logdir_spec


def _run(*args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tlboard", *args], capture_output=True, text=True, timeout=timeout)


def test_missing_logdir_exits_2_with_message(tmp_path):
    result = _run("--logdir", str(tmp_path / "absent"))
    assert result.returncode == 2
    assert "does not exist" in result.stderr and str(tmp_path / "absent") in result.stderr
    assert "Traceback" not in result.stderr


def test_port_in_use_exits_2_with_message(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = _run("--logdir", str(tmp_path), "--port", str(port))
    assert result.returncode == 2
    assert "already in use" in result.stderr and str(port) in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_samples_flag_exits_2(tmp_path):
    result = _run("--logdir", str(tmp_path), "--samples_per_plugin", "scalars=lots")
    assert result.returncode == 2 and "samples_per_plugin" in result.stderr


def test_serves_on_localhost_port_0_and_stops_on_sigint(tmp_path):
    write_records(tmp_path / "run" / "events.out.tfevents.1.host", [scalar_event("loss", 1, 0.5)])
    proc = subprocess.Popen(
        [sys.executable, "-m", "tlboard", "--logdir", str(tmp_path), "--port", "0", "--reload-interval", "0.2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, line
        port = int(match.group(1))
        assert port != 0
        deadline = time.monotonic() + 15
        rows = None
        while time.monotonic() < deadline:
            try:
                resp = httpx.get(f"http://127.0.0.1:{port}/data/plugin/scalars/scalars",
                                 params={"run": "run", "tag": "loss"}, timeout=5)
                if resp.status_code == 200:
                    rows = resp.json()
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        assert rows is not None and rows[0][1:] == [1, 0.5]
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=8) == 0
        assert "Traceback" not in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_parse_samples():
    assert parse_samples("scalars=100, images=3") == {"scalars": 100, "images": 3}
    assert parse_samples("scalars=0") == {}  # 0 keeps everything
    with pytest.raises(ValueError):
        parse_samples("scalars")


def test_parse_logdir_spec(tmp_path):
    assert parse_logdir_spec(str(tmp_path)) == [(None, str(tmp_path))]
    assert parse_logdir_spec("a:/x/y,b:/z") == [("a", "/x/y"), ("b", "/z")]
    # A path with a colon in it that exists is a plain path.
    odd = tmp_path / "with:colon"
    odd.mkdir()
    assert parse_logdir_spec(str(odd)) == [(None, str(odd))]
    # Text before the colon containing a slash means a path, not a name.
    assert parse_logdir_spec("/x:y/z,/w") == [(None, "/x:y/z"), (None, "/w")]
    with pytest.raises(ValueError):
        parse_logdir_spec("a:/x,a:/y")
