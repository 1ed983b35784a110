"""Project-wide test setup: shared helpers in tests/ are importable, each test gets a fresh default graph."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(autouse=True)
def _fresh_default_graph():
    import tlboard as tf
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()
