"""Fixtures for the dashboard tests (helpers live in dash_helpers.py, importable by name)."""
from dash_helpers import (  # noqa: F401
    http,
    live_server_factory,
    testdata_client,
)
