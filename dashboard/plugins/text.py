"""Text routes (TensorBoard's text plugin); strings are HTML-escaped, never trusted as markup."""

from __future__ import annotations

import html
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from tlboard.dashboard.downsample import evenly_spaced
from tlboard.dashboard.plugins.core import get_store
from tlboard.dashboard.responses import json_response

router = APIRouter(tags=["text"])


def paragraph_html(text: str) -> str:
    """Escaped text as paragraphs (blank-line separated) with <br> for single line breaks."""
    blocks = [b for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    if not blocks:
        return ""
    return "".join("<p>" + "<br>".join(html.escape(line) for line in b.split("\n")) + "</p>" for b in blocks)


def tensor_html(strings: Any, shape: tuple[int, ...]) -> str:
    """HTML for a text tensor: paragraphs for a scalar, a table for rank 1 and 2, flattened rows beyond."""
    if not shape:
        return paragraph_html(strings)
    rows = [[cell] for cell in strings] if len(shape) == 1 else [_flatten(row) for row in strings]
    body = "".join("<tr>" + "".join(f"<td>{paragraph_html(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tbody>{body}</tbody></table>"


def _flatten(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [s for item in value for s in _flatten(item)]


@router.get("/data/plugin/text/tags", summary="Text tags per run")
def tags(request: Request) -> Response:
    """{run: [tag, ...]}."""
    store = get_store(request)
    with store.lock:
        result = {name: sorted(run.texts) for name, run in sorted(store.runs.items()) if run.texts}
    return json_response(result)


@router.get("/data/plugin/text/text", summary="Text of every step of a tag, as escaped HTML")
def text(request: Request, run: str = Query(...), tag: str = Query(...)) -> Response:
    """[{wall_time, step, text}, ...]."""
    store = get_store(request)
    with store.lock:
        points = list(store.point_series(run, tag, "text").points)
    keep = evenly_spaced(len(points), store.samples.get("text"))
    if keep is not None:
        points = [points[i] for i in keep.tolist()]
    return json_response(
        [{"wall_time": p.wall_time, "step": p.step, "text": tensor_html(p.strings, p.shape)} for p in points]
    )
