"""Text routes (TensorBoard's text plugin); strings are Markdown; raw HTML in them is escaped."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from tlboard.dashboard.downsample import evenly_spaced
from tlboard.dashboard.plugins.core import get_store
from tlboard.dashboard.responses import json_response

router = APIRouter(tags=["text"])


_SAFE_URL_SCHEMES = ("http", "https", "mailto")
_markdown_renderer: Any = None


def markdown_html(text: str) -> str:
    """Markdown rendered to HTML, with any raw HTML in the text escaped and unsafe link schemes dropped."""
    renderer = _renderer()
    renderer.reset()
    return renderer.convert(text.replace("\r\n", "\n"))


def _renderer() -> Any:
    # Imported on first use: the markdown package is only needed once a text tag is viewed.
    global _markdown_renderer
    if _markdown_renderer is None:
        import markdown
        from markdown.treeprocessors import Treeprocessor

        class DropUnsafeUrls(Treeprocessor):
            """Removes href/src values whose scheme could run code (javascript:, data:, ...)."""

            def run(self, root: Any) -> None:
                for element in root.iter():
                    for attr in ("href", "src"):
                        url = element.get(attr)
                        if url is not None and not _is_safe_url(url):
                            del element.attrib[attr]

        class SafeUrls(markdown.Extension):
            def extendMarkdown(self, md: Any) -> None:  # noqa: N802 - the markdown package's hook name
                # Without its raw-HTML block and inline handlers, Markdown treats tags as plain text,
                # which the serializer escapes: no markup written in the text reaches the page.
                md.preprocessors.deregister("html_block")
                md.inlinePatterns.deregister("html")
                md.treeprocessors.register(DropUnsafeUrls(md), "tlboard_safe_urls", 0)

        _markdown_renderer = markdown.Markdown(extensions=["tables", "fenced_code", SafeUrls()])
    return _markdown_renderer


def _is_safe_url(url: str) -> bool:
    scheme, sep, _ = "".join(url.split()).partition(":")
    # No colon, or one after a path/query/fragment character: a relative URL.
    if not sep or any(c in scheme for c in "/?#"):
        return True
    return scheme.lower() in _SAFE_URL_SCHEMES


def tensor_html(strings: Any, shape: tuple[int, ...]) -> str:
    """HTML for a text tensor: Markdown for a scalar, a table of Markdown cells for rank 1 and 2 (rows
    flattened beyond)."""
    if not shape:
        return markdown_html(strings)
    rows = [[cell] for cell in strings] if len(shape) == 1 else [_flatten(row) for row in strings]
    body = "".join("<tr>" + "".join(f"<td>{markdown_html(c)}</td>" for c in row) + "</tr>" for row in rows)
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


@router.get("/data/plugin/text/text", summary="Text of every step of a tag, rendered from Markdown")
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
