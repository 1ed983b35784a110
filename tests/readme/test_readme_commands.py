"""The README's first set-up command, run verbatim: it trains an example and serves its logs.

(The second command, `bash scripts/test.sh`, is what `.ci/run` runs.)
"""
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _readme_commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    return [b.strip() for b in blocks]


def test_readme_names_the_two_setup_commands():
    commands = _readme_commands()
    assert commands[0].endswith("tlboard --logdir runs/")
    assert commands[1] == "bash scripts/test.sh"
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.slow
def test_first_command_trains_and_serves_the_dashboard():
    command = _readme_commands()[0]
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", 6006)) == 0:
            pytest.fail("port 6006 is taken: the README's command serves on TensorBoard's default port")
    proc = subprocess.Popen(["bash", "-c", command], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 240
        url = None
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            match = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
            url = match.group(1) if match else None
        assert url, "no URL printed:\n" + "".join(lines[-30:])
        assert any("test accuracy" in ln for ln in lines)
        runs: list = []
        while time.monotonic() < deadline and not {"mnist_cnn/train", "mnist_cnn/test"} <= set(runs):
            try:
                runs = json.load(urllib.request.urlopen(url + "data/runs", timeout=5))
            except OSError:
                pass
            time.sleep(0.5)
        assert {"mnist_cnn/train", "mnist_cnn/test"} <= set(runs), runs
        tags = json.load(urllib.request.urlopen(url + "data/plugin/scalars/tags", timeout=5))
        assert tags["mnist_cnn/train"], tags
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
