"""Project-wide test setup: shared helpers in tests/ are importable, each test gets a fresh default graph."""
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

# ../shared beside the checkout (CI puts a copy there too): real event files and their MANIFEST.json.
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
TESTDATA = SHARED / "testdata"


@pytest.fixture(scope="session")
def testdata() -> Path:
    """The shared read-only event files (the test is skipped, saying why, when they are absent)."""
    if not (TESTDATA / "MANIFEST.json").is_file():
        pytest.skip(f"shared test data not found at {TESTDATA}")
    return TESTDATA


@pytest.fixture(scope="session")
def manifest(testdata: Path) -> dict:
    """MANIFEST.json (Python's json keeps its big int steps exact)."""
    return json.loads((testdata / "MANIFEST.json").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _fresh_default_graph():
    import tlboard as tf
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()
