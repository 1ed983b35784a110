"""Fixtures for the browser tests: a written logdir, the real tlboard server, and Debian's Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from dashboard_logdir import write_logdir

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

def _need_browser():
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (scripts/install_browser.sh installs it)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("playwright is not installed (scripts/install_browser.sh installs it)")
    return chromium


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session, driven through Playwright's sync API."""
    chromium = _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def logdir(tmp_path_factory) -> Path:
    """A logdir with runs 'train' (scalars, images, histograms, text, graph) and 'eval' (scalars)."""
    _need_browser()  # No point writing data when the tests are going to skip.
    path = tmp_path_factory.mktemp("logs")
    write_logdir(path)
    return path


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read()


@pytest.fixture(scope="session")
def server(logdir):
    """The real server (`python -m tlboard`) on 127.0.0.1 and a free port; yields its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tlboard", "--logdir", str(logdir), "--port", "0", "--reload-interval", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=REPO_ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        line = process.stdout.readline()
        match = re.search(r"http://[^\s/]+:\d+", line)
        if not match:
            process.kill()
            raise RuntimeError(f"tlboard did not print its URL; it said: {line!r}{process.stdout.read()}")
        base = match.group(0)
        deadline = time.monotonic() + 20
        while True:  # Wait until the first load has indexed the graph run.
            try:
                if b'"graph":true' in _get(f"{base}/api/runs").replace(b" ", b""):
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("tlboard did not load the test logdir within 20 s")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def page(browser, server):
    """A fresh page; JavaScript errors in it fail the test."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.js_errors = errors
    yield page
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """test-artifacts/ at the repo root (gitignored), for screenshots."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
