"""The FastAPI application: store + background loader + one router per plugin + static files."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from tlboard.dashboard.loader import Loader, Reloader
from tlboard.dashboard.plugins import core, graphs, histograms, images, scalars, text
from tlboard.dashboard.static import StaticFiles, static_router
from tlboard.dashboard.store import PURGE_EVICT, NotFound, Store


def create_app(
    logdir_spec: str,
    reload_interval: float = 5,
    samples: dict | None = None,
    start_reloader: bool = True,
    purge: str = PURGE_EVICT,
    static_dir: str | None = None,
) -> FastAPI:
    """Build the dashboard app for `logdir_spec`; loading runs in the background while it serves.

    samples caps points served per plugin ({"scalars": N}); purge is the step-regression rule
    ("evict" like TensorBoard's fast loader, or "all"); static_dir overrides web/static (tests).
    """
    store = Store(purge=purge, samples=samples)
    loader = Loader(logdir_spec, store)
    reloader = Reloader(loader, reload_interval)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if start_reloader:
            reloader.start()
        try:
            yield
        finally:
            if start_reloader:
                reloader.stop()

    app = FastAPI(
        title="tlboard",
        summary="TensorBoard-compatible data routes plus tlboard's own JSON API.",
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.loader = loader
    app.state.logdir_spec = logdir_spec
    app.state.static = StaticFiles.discover(static_dir)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(RequestValidationError)
    async def _malformed(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err.get('loc', ()))}: {err.get('msg', 'invalid')}" for err in exc.errors()
        )
        return JSONResponse({"detail": f"malformed request: {problems}"}, status_code=400)

    for module in (core, scalars, histograms, images, text, graphs):
        app.include_router(module.router)
    app.include_router(static_router)
    return app
