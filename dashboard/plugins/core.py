"""Run listing, environment and plugin listing (TensorBoard's core routes) plus /api/runs."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from tlboard.dashboard.responses import json_response
from tlboard.dashboard.store import Store

router = APIRouter(tags=["core"])

PLUGIN_ORDER = ("scalars", "histograms", "distributions", "images", "text", "graphs")


def get_store(request: Request) -> Store:
    """The app's store."""
    return request.app.state.store


@router.get("/data/runs", summary="Sorted run names")
def runs(request: Request) -> Response:
    """TensorBoard's run list."""
    return json_response(get_store(request).run_names())


@router.get("/data/environment", summary="Logdir and window title")
def environment(request: Request) -> Response:
    """TensorBoard's environment description."""
    return json_response(
        {
            "data_location": request.app.state.logdir_spec,
            "window_title": "tlboard",
            "experiment_name": "",
            "experiment_description": "",
            "creation_time": 0,
        }
    )


@router.get("/data/plugins_listing", summary="Which dashboards have data")
def plugins_listing(request: Request) -> Response:
    """TensorBoard's plugin listing; a plugin is enabled when some run has its kind of data."""
    store = get_store(request)
    with store.lock:
        present = {
            "scalars": any(r.scalars for r in store.runs.values()),
            "histograms": any(r.histograms for r in store.runs.values()),
            "images": any(r.images for r in store.runs.values()),
            "text": any(r.texts for r in store.runs.values()),
            "graphs": any(r.graph is not None for r in store.runs.values()),
        }
    present["distributions"] = present["histograms"]
    listing = {
        name: {
            "enabled": present[name],
            "disable_reload": False,
            "remove_dom": False,
            "tab_name": name,
            "loading_mechanism": {},
        }
        for name in PLUGIN_ORDER
    }
    return json_response(listing)


@router.get("/api/runs", summary="Runs with their tags per kind, error counts and the data generation")
def api_runs(request: Request) -> Response:
    """Everything the page needs to lay itself out; refetch when `generation` changes."""
    store = get_store(request)
    with store.lock:
        listing = [
            {
                "name": name,
                "scalars": sorted(run.scalars),
                "histograms": sorted(run.histograms),
                "images": sorted(run.images),
                "text": sorted(run.texts),
                "graph": run.graph is not None,
                "errors": run.error_count,
                "error_messages": list(run.error_messages),
            }
            for name, run in sorted(store.runs.items())
        ]
        payload = {"generation": store.generation, "runs": listing, "load_errors": list(store.load_errors)}
    return json_response(payload)
