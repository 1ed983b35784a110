"""Response builders shared by the plugins: JSON with TensorBoard's non-finite spelling, CSV, downloads."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

import numpy as np
from fastapi.responses import Response

try:  # optional: several times faster float formatting for large series
    import orjson
except ImportError:  # pragma: no cover - depends on the environment
    orjson = None

_NON_FINITE_NAMES = {math.inf: "Infinity", -math.inf: "-Infinity"}


def json_response(payload: Any, status: int = 200, all_finite: bool = False) -> Response:
    """JSON body: NaN/Infinity/-Infinity as bare tokens (as json.dumps writes them), big ints exact.

    Pass all_finite=True only when the caller checked that no float in payload is NaN/inf: the
    faster orjson encoder (if installed) is used then, since it would write those as null.
    """
    return Response(json_bytes(payload, all_finite), status_code=status, media_type="application/json")


def json_bytes(payload: Any, all_finite: bool = False) -> bytes:
    """UTF-8 JSON of payload (see json_response)."""
    if all_finite and orjson is not None:
        try:
            return orjson.dumps(payload)
        except (TypeError, orjson.JSONEncodeError):
            pass
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def all_finite(*arrays: np.ndarray) -> bool:
    """True if no element of the float arrays is NaN or infinite."""
    return all(bool(np.isfinite(a).all()) for a in arrays)


def error_response(status: int, detail: str) -> Response:
    """A JSON error body {"detail": ...} with the given status."""
    return json_response({"detail": detail}, status=status)


def finite_or_names(values: np.ndarray) -> list:
    """Values as a list, non-finite ones spelled as the strings "NaN", "Infinity", "-Infinity"."""
    out = values.tolist()
    if np.isfinite(values).all():
        return out
    for i in np.flatnonzero(~np.isfinite(values)).tolist():
        v = out[i]
        out[i] = "NaN" if v != v else _NON_FINITE_NAMES[v]
    return out


def csv_text(header: Iterable[str], columns: Iterable[Iterable[Any]]) -> str:
    """CSV text: a header line then one line per row of the zipped columns (floats as repr)."""
    lines = [",".join(_csv_cell(h) for h in header)]
    lines.extend(",".join(_csv_cell(c) for c in row) for row in zip(*columns))
    return "\n".join(lines) + "\n"


def _csv_cell(value: Any) -> str:
    if isinstance(value, str):
        if any(ch in value for ch in ',"\n\r'):
            return '"' + value.replace('"', '""') + '"'
        return value
    return repr(value) if isinstance(value, float) else str(value)


def attachment(body: str | bytes, media_type: str, filename: str) -> Response:
    """A download response; the filename is sanitised to ASCII with a UTF-8 variant alongside."""
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", filename).strip("._") or "download"
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
    data = body.encode("utf-8") if isinstance(body, str) else body
    return Response(data, media_type=media_type, headers={"Content-Disposition": disposition})
