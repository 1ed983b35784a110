"""Scalar routes: TensorBoard's scalars plugin plus tlboard's chart and export API."""

from __future__ import annotations

import json
from typing import Literal

import numpy as np
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from tlboard.dashboard.downsample import evenly_spaced, min_max_indices
from tlboard.dashboard.forms import MalformedForm, parse_form
from tlboard.dashboard.plugins.core import get_store
from tlboard.dashboard.responses import (
    all_finite,
    attachment,
    csv_text,
    error_response,
    finite_or_names,
    json_response,
)
from tlboard.dashboard.store import Store

router = APIRouter(tags=["scalars"])


def _columns(store: Store, run: str, tag: str, capped: bool = True) -> tuple[np.ndarray, ...]:
    """(step, wall_time, value) of one series, thinned to the --samples_per_plugin cap if asked."""
    with store.lock:
        steps, walls, values = store.scalar_series(run, tag).columns()
    keep = evenly_spaced(len(steps), store.samples.get("scalars")) if capped else None
    if keep is not None:
        steps, walls, values = steps[keep], walls[keep], values[keep]
    return steps, walls, values


def _tb_rows(steps: np.ndarray, walls: np.ndarray, values: np.ndarray) -> list:
    return list(zip(walls.tolist(), steps.tolist(), values.tolist()))


@router.get("/data/plugin/scalars/tags", summary="Scalar tags per run")
def tags(request: Request) -> Response:
    """{run: {tag: {displayName, description}}} for runs with scalars."""
    return json_response(get_store(request).tag_listing("scalars"))


@router.get("/data/plugin/scalars/scalars", summary="One scalar series as [[wall_time, step, value], ...]")
def scalars(
    request: Request,
    run: str = Query(..., description="run name"),
    tag: str = Query(..., description="scalar tag"),
    format: Literal["json", "csv"] = Query("json", description="json (default) or csv"),
) -> Response:
    """TensorBoard's scalar series route (JSON or CSV)."""
    steps, walls, values = _columns(get_store(request), run, tag)
    if format == "csv":
        text = csv_text(["Wall time", "Step", "Value"], [walls.tolist(), steps.tolist(), values.tolist()])
        return Response(text, media_type="text/csv; charset=utf-8")
    return json_response(_tb_rows(steps, walls, values), all_finite=all_finite(walls, values))


@router.post("/data/plugin/scalars/scalars_multirun", summary="One tag for several runs (form: tag, runs)")
async def scalars_multirun(request: Request) -> Response:
    """{run: [[wall_time, step, value], ...]} for each listed run that has the tag."""
    try:
        form = parse_form(await request.body(), request.headers.get("content-type", ""))
    except MalformedForm as exc:
        return error_response(400, str(exc))
    tag_values = form.get("tag") or []
    if len(tag_values) != 1:
        return error_response(400, "exactly one 'tag' form field is required")
    tag = tag_values[0]
    store = get_store(request)
    result = {}
    finite = True
    for run in form.get("runs", []):
        with store.lock:
            present = run in store.runs and tag in store.runs[run].scalars
        if present:
            steps, walls, values = _columns(store, run, tag)
            finite = finite and all_finite(walls, values)
            result[run] = _tb_rows(steps, walls, values)
    return json_response(result, all_finite=finite)


@router.get("/api/scalars", summary="A series downsampled for a chart `width` pixels wide (spikes kept)")
def api_scalars(
    request: Request,
    run: str = Query(...),
    tag: str = Query(...),
    width: int | None = Query(None, ge=1, le=100_000, description="chart width in pixels"),
) -> Response:
    """Columnar series; with `width`, min/max per bucket plus first/last point when n > 2*width."""
    steps, walls, values = _columns(get_store(request), run, tag)
    total = len(steps)
    keep = min_max_indices(values, width)
    if keep is not None:
        steps, walls, values = steps[keep], walls[keep], values[keep]
    return json_response(
        {
            "run": run,
            "tag": tag,
            "total": total,
            "downsampled": keep is not None,
            "step": steps.tolist(),
            "wall_time": walls.tolist(),
            "value": finite_or_names(values),
        },
        all_finite=all_finite(walls),  # non-finite values are already strings
    )


@router.get("/api/export", summary="Full-resolution download of one series (csv or json)")
def export(
    request: Request,
    run: str = Query(...),
    tag: str = Query(...),
    format: Literal["csv", "json"] = Query("csv"),
) -> Response:
    """Every kept point of one series as an attachment."""
    steps, walls, values = _columns(get_store(request), run, tag, capped=False)
    stem = f"{run}_{tag}"
    if format == "csv":
        body = csv_text(["step", "wall_time", "value"], [steps.tolist(), walls.tolist(), values.tolist()])
        return attachment(body, "text/csv; charset=utf-8", stem + ".csv")
    payload = {
        "run": run,
        "tag": tag,
        "step": steps.tolist(),
        "wall_time": walls.tolist(),
        "value": finite_or_names(values),
    }
    return attachment(json.dumps(payload, ensure_ascii=False), "application/json", stem + ".json")


@router.get("/api/export_run", summary="Every scalar series of a run (csv: tag,step,wall_time,value)")
def export_run(
    request: Request,
    run: str = Query(...),
    format: Literal["csv", "json"] = Query("csv"),
) -> Response:
    """All scalar series of one run as one attachment."""
    store = get_store(request)
    with store.lock:
        tag_names = sorted(store.run(run).scalars)
    series = {tag: _columns(store, run, tag, capped=False) for tag in tag_names}
    if format == "csv":
        cols: list[list] = [[], [], [], []]
        for tag, (steps, walls, values) in series.items():
            cols[0].extend([tag] * len(steps))
            cols[1].extend(steps.tolist())
            cols[2].extend(walls.tolist())
            cols[3].extend(values.tolist())
        body = csv_text(["tag", "step", "wall_time", "value"], cols)
        return attachment(body, "text/csv; charset=utf-8", f"{run}_scalars.csv")
    payload = {
        "run": run,
        "scalars": {
            tag: {"step": s.tolist(), "wall_time": w.tolist(), "value": finite_or_names(v)}
            for tag, (s, w, v) in series.items()
        },
    }
    return attachment(json.dumps(payload, ensure_ascii=False), "application/json", f"{run}_scalars.json")
