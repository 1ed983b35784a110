"""Minimal form-body parsing (urlencoded and multipart) without the python-multipart dependency."""

from __future__ import annotations

from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qs

MAX_FORM_BYTES = 1 << 20


class MalformedForm(ValueError):
    """The request body is not a form we can read."""


def parse_form(body: bytes, content_type: str) -> dict[str, list[str]]:
    """Field name -> values, in order, from an urlencoded or multipart/form-data body."""
    if len(body) > MAX_FORM_BYTES:
        raise MalformedForm("form body too large")
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind in ("", "application/x-www-form-urlencoded"):
        try:
            return parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError as exc:
            raise MalformedForm("form body is not UTF-8") from exc
    if kind == "multipart/form-data":
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
        message = BytesParser(policy=HTTP).parsebytes(head + body)
        if not message.is_multipart():
            raise MalformedForm("multipart body without parts")
        fields: dict[str, list[str]] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not name:
                continue
            payload = part.get_payload(decode=True) or b""
            fields.setdefault(str(name), []).append(payload.decode("utf-8", "replace"))
        return fields
    raise MalformedForm(f"unsupported form content type {kind!r}")
