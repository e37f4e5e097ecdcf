"""What every route shares: the error type and envelope, inert JSON, response documentation,
and answering a read from the response cache."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from newsweave.web import models
from newsweave.web.data import Snapshot
from newsweave.web.security import error_body

MAX_LIMIT = 500

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": models.ErrorEnvelope, "description": text}
    for code, text in (
        (404, "Not found"),
        (422, "Invalid parameters"),
        (500, "Internal error"),
    )
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    400: {"model": models.ErrorEnvelope, "description": "Unreadable body"},
    401: {"model": models.ErrorEnvelope, "description": "Missing or wrong token"},
    403: {"model": models.ErrorEnvelope, "description": "Writes are disabled (no token set)"},
    413: {"model": models.ErrorEnvelope, "description": "Body over the size limit"},
}


class ApiError(Exception):
    """A failure with an HTTP status; becomes the error envelope."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def dumps_safe(data: Any) -> bytes:
    """JSON that stays inert even if something renders it as HTML: ``<``, ``>``, ``&`` and the
    JavaScript line separators are written as escapes (they only ever occur inside strings)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
    return text.encode()


class SafeJSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        if isinstance(content, bytes):
            return content
        return dumps_safe(content)


def envelope(status: int, message: str) -> Response:
    return Response(error_body(status, message), status_code=status, media_type="application/json")


def validation_message(errors: list[dict] | Any) -> str:
    parts = []
    for err in list(errors)[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "path", "body"))
        parts.append(f"{where or 'request'}: {err.get('msg', 'invalid')}")
    return "invalid request: " + "; ".join(parts)


def cached(request: Request, compute: Callable[[Snapshot], Any]) -> Response:
    """Answer a read from the current snapshot, through the response cache while the store is
    unchanged."""
    model, cache = request.app.state.model, request.app.state.cache
    snap = model.snapshot()
    key = (snap.version, request.url.path, request.scope.get("query_string", b""))
    body = cache.get(key)
    if body is None:
        body = dumps_safe(compute(snap))
        cache.put(key, body)
    return SafeJSONResponse(body)
