"""Graph routes: TensorBoard's graphs plugin (GraphDef as pbtxt) and a JSON node list for the page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from google.protobuf import text_format
from google.protobuf.message import DecodeError

from tlboard.dashboard.plugins.core import get_store
from tlboard.dashboard.responses import error_response, json_response
from tlboard.dashboard.store import NotFound, Store
from tlboard.summaries.protos import graph_pb2

router = APIRouter(tags=["graphs"])

MAX_ATTR_CHARS = 1024  # long attributes (constant tensors) are cut in the node list


def _graph_def(store: Store, run: str) -> Any:
    with store.lock:
        raw = store.run(run).graph
    if raw is None:
        raise NotFound(f"run {run!r} has no graph")
    return graph_pb2.GraphDef.FromString(raw)


def _shape(shape: Any) -> list[int] | None:
    if shape.unknown_rank:
        return None
    return [d.size for d in shape.dim]


def node_summary(node: Any) -> dict:
    """One node as JSON: name, op, inputs, device, attrs as short text, output shapes if recorded."""
    attrs = {}
    output_shapes = None
    for key in sorted(node.attr):
        value = node.attr[key]
        if key == "_output_shapes" and value.WhichOneof("value") == "list":
            output_shapes = [_shape(s) for s in value.list.shape]
        text = text_format.MessageToString(value, as_one_line=True)
        attrs[key] = text if len(text) <= MAX_ATTR_CHARS else text[:MAX_ATTR_CHARS] + "…"
    return {
        "name": node.name,
        "op": node.op,
        "inputs": list(node.input),
        "device": node.device,
        "attrs": attrs,
        "output_shapes": output_shapes,
    }


@router.get("/data/plugin/graphs/info", summary="Runs that have a graph")
def info(request: Request) -> Response:
    """{run: {run, run_graph: true, tags: {}}}."""
    store = get_store(request)
    with store.lock:
        result = {
            name: {"run": name, "run_graph": True, "tags": {}}
            for name, run in sorted(store.runs.items())
            if run.graph is not None
        }
    return json_response(result)


@router.get("/data/plugin/graphs/graph", summary="The run's GraphDef in protobuf text format")
def graph(request: Request, run: str = Query(...)) -> Response:
    """GraphDef as pbtxt (text/x-protobuf)."""
    try:
        graph_def = _graph_def(get_store(request), run)
    except DecodeError:
        return error_response(422, f"run {run!r} has an undecodable GraphDef")
    return Response(text_format.MessageToString(graph_def), media_type="text/x-protobuf")


@router.get("/api/graph", summary="The run's graph as a JSON node list")
def api_graph(request: Request, run: str = Query(...)) -> Response:
    """{"nodes": [{name, op, inputs, device, attrs, output_shapes}, ...]}."""
    try:
        graph_def = _graph_def(get_store(request), run)
    except DecodeError:
        return error_response(422, f"run {run!r} has an undecodable GraphDef")
    return json_response({"run": run, "nodes": [node_summary(n) for n in graph_def.node]})
