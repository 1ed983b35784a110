"""The page's static files, served from an index built at start (request text never becomes a path)."""

from __future__ import annotations

import importlib.util
import mimetypes
import os
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

from tlboard.dashboard.store import NotFound

PLOTLY_NAME = "plotly.min.js"

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}


@dataclass(frozen=True)
class StaticFiles:
    """Map of servable name (posix path relative to web/static) -> absolute file path."""

    files: dict[str, str]

    @classmethod
    def discover(cls, root: str | None = None) -> StaticFiles:
        """Index `root` (default: the installed web/static) and the installed plotly bundle."""
        files: dict[str, str] = {}
        if root is None:
            spec = importlib.util.find_spec("tlboard.web")
            if spec is not None and spec.submodule_search_locations:
                root = os.path.join(list(spec.submodule_search_locations)[0], "static")
        if root is not None:
            for dirpath, _dirs, names in os.walk(root):
                for name in names:
                    full = os.path.join(dirpath, name)
                    files[os.path.relpath(full, root).replace(os.sep, "/")] = full
        plotly = importlib.util.find_spec("plotly")  # locate without importing the (large) package
        if plotly is not None and plotly.submodule_search_locations:
            bundle = os.path.join(list(plotly.submodule_search_locations)[0], "package_data", PLOTLY_NAME)
            if os.path.isfile(bundle):
                files[PLOTLY_NAME] = bundle
        return cls(files)

    def response(self, name: str) -> FileResponse:
        """The file indexed as `name`; NotFound for anything else."""
        path = self.files.get(name)
        if path is None:
            raise NotFound(f"no static file {name!r}")
        ext = os.path.splitext(name)[1].lower()
        media = _TYPES.get(ext) or mimetypes.guess_type(name)[0] or "application/octet-stream"
        return FileResponse(path, media_type=media, headers={"Cache-Control": "no-cache"})


static_router = APIRouter(tags=["static"])


@static_router.get("/", summary="The dashboard page (web/static/index.html)", include_in_schema=True)
def index(request: Request) -> FileResponse:
    """Serve the page."""
    return request.app.state.static.response("index.html")


@static_router.get("/static/{name:path}", summary="A file of web/static, or the bundled plotly.min.js")
def static_file(name: str, request: Request) -> FileResponse:
    """Serve one indexed static file by exact name."""
    return request.app.state.static.response(name)
