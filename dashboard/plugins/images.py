"""Image routes (TensorBoard's images plugin): tags, per-step listing and the image bytes by blob key."""

from __future__ import annotations

import re

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from tlboard.dashboard.downsample import evenly_spaced
from tlboard.dashboard.plugins.core import get_store
from tlboard.dashboard.responses import error_response, json_response

router = APIRouter(tags=["images"])

_KEY_SHAPE = re.compile(r"[0-9a-f]{1,40}")


@router.get("/data/plugin/images/tags", summary="Image tags per run, with images per step")
def tags(request: Request) -> Response:
    """{run: {tag: {displayName, description, samples}}}."""
    store = get_store(request)
    with store.lock:
        result = {
            name: {
                tag: {
                    "displayName": run.info(tag).display_name,
                    "description": run.info(tag).description,
                    "samples": max((len(p.images) for p in series.points), default=0),
                }
                for tag, series in sorted(run.images.items())
            }
            for name, run in sorted(store.runs.items())
            if run.images
        }
    return json_response(result)


@router.get("/data/plugin/images/images", summary="The `sample`-th image of every step of a tag")
def images(
    request: Request,
    run: str = Query(...),
    tag: str = Query(...),
    sample: int = Query(0, ge=0, le=1_000_000),
) -> Response:
    """[{wall_time, step, width, height, query: "blob_key=KEY"}, ...]."""
    store = get_store(request)
    with store.lock:
        points = [p for p in store.point_series(run, tag, "images").points if len(p.images) > sample]
    keep = evenly_spaced(len(points), store.samples.get("images"))
    if keep is not None:
        points = [points[i] for i in keep.tolist()]
    listing = []
    for p in points:
        ref = p.images[sample]
        listing.append(
            {
                "wall_time": p.wall_time,
                "step": p.step,
                "width": ref.width,
                "height": ref.height,
                "query": f"blob_key={ref.key}",
            }
        )
    return json_response(listing)


@router.get("/data/plugin/images/individualImage", summary="Image bytes for a blob key minted by this server")
def individual_image(request: Request, blob_key: str = Query(..., max_length=64)) -> Response:
    """The encoded image (PNG/JPEG/...) with its content type."""
    if not _KEY_SHAPE.fullmatch(blob_key):
        return error_response(400, "malformed blob_key")
    data, content_type = get_store(request).blob(blob_key)
    return Response(data, media_type=content_type, headers={"Cache-Control": "private, max-age=86400"})
