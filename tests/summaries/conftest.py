"""Shared fixtures for the summaries tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# ../shared beside the checkout (CI puts a copy there too).
TESTDATA = REPO_ROOT.parent / "shared" / "testdata"


@pytest.fixture(scope="session")
def testdata() -> Path:
    """The shared read-only event files beside the checkout."""
    if not (TESTDATA / "MANIFEST.json").is_file():
        pytest.skip(f"shared test data not found at {TESTDATA}")
    return TESTDATA


@pytest.fixture(scope="session")
def manifest(testdata: Path) -> dict:
    """The parsed MANIFEST.json describing the shared event files."""
    return json.loads((testdata / "MANIFEST.json").read_text())
