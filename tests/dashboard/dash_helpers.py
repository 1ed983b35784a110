"""Fixtures for the dashboard tests: test data location, event writers, in-process and real-socket servers."""

from __future__ import annotations

import socket
import threading
import time
import warnings
from pathlib import Path

import httpx
import pytest

from tlboard.summaries.protos import event_pb2, summary_pb2
from tlboard.summaries.records import encode_record


def scalar_event(tag: str, step: int, value: float, wall: float = 1000.0) -> bytes:
    """A TF1-style Event payload with one simple_value."""
    summary = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, simple_value=value)])
    return event_pb2.Event(wall_time=wall, step=step, summary=summary).SerializeToString()


def version_event() -> bytes:
    """The file_version Event every writer puts first."""
    return event_pb2.Event(wall_time=999.0, file_version="brain.Event:2").SerializeToString()


def write_records(path: Path, payloads: list[bytes], mode: str = "ab") -> bytes:
    """Append framed records to path; returns the bytes written."""
    data = b"".join(encode_record(p) for p in payloads)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, mode) as f:
        f.write(data)
    return data


def make_client(logdir: str | Path, **kwargs):
    """A TestClient on a fresh app with the data loaded once (no background thread)."""
    from tlboard.dashboard.app import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    app = create_app(str(logdir), start_reloader=False, **kwargs)
    app.state.loader.reload()
    return TestClient(app)


@pytest.fixture(scope="session")
def testdata_client(testdata: Path):
    """Client on the shared test logs."""
    with make_client(testdata / "logs") as client:
        yield client


class LiveServer:
    """uvicorn serving an app on 127.0.0.1:<free port> in a background thread."""

    def __init__(self, app) -> None:
        import uvicorn

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="error", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@pytest.fixture
def live_server_factory():
    """Start real-socket servers on apps; all stopped at teardown."""
    servers: list[LiveServer] = []

    def start(app) -> LiveServer:
        server = LiveServer(app).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)


@pytest.fixture
def http() -> httpx.Client:
    """A plain httpx client for real-socket tests."""
    with httpx.Client(timeout=10) as client:
        yield client
