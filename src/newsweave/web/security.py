"""The guard in front of every request: size limits, host check, security headers, HEAD, and
the JSON error envelope for failures that happen outside a route.

It is a plain ASGI middleware placed outermost, so that even a 413 raised while a body is
being read, or an unexpected exception (500), leaves as ``{ok: false, error, status}`` with
the same security headers as every other response.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from pathlib import PurePath
from typing import Any

log = logging.getLogger("newsweave.web")

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Nothing inline, nothing from elsewhere: scripts, styles, images and fetches come from this
# origin only. The page is built with DOM text nodes, so article text never becomes markup.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'; object-src 'none'"
)

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


class BodyTooLarge(Exception):
    """The request body is over the limit for its path."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"request body too large (limit {limit} bytes)")
        self.limit = limit


def error_body(status: int, message: str, **extra: Any) -> bytes:
    """The one error shape every failure uses."""
    body = {"ok": False, "error": message, "status": status, **extra}
    return json.dumps(body, ensure_ascii=False).encode()


def csp_with_style_hash(css: str) -> str:
    """A CSP for a self-contained page whose only style is one inline <style> block: allow
    exactly that block by hash, nothing else."""
    digest = hashlib.sha256(css.encode()).digest()
    import base64

    sha = base64.b64encode(digest).decode()
    return (
        f"default-src 'none'; style-src 'sha256-{sha}'; img-src 'self' data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'"
    )


def token_ok(configured: str | None, headers: Iterable[tuple[str, str]]) -> bool | None:
    """None: no token configured (writes refused). True/False: the request's token matched."""
    if not configured:
        return None
    given = None
    for name, value in headers:
        low = name.lower()
        if low == "authorization" and value.lower().startswith("bearer "):
            given = value[7:].strip()
        elif low == "x-newsweave-token":
            given = value.strip()
    if given is None:
        return False
    return hmac.compare_digest(given.encode(), configured.encode())


class Guard:
    """Outermost middleware: limits, host check, headers, last-resort error envelope."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        max_upload_bytes: int,
        upload_paths: tuple[str, ...],
        allowed_hosts: tuple[str, ...] | None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes
        self.upload_paths = upload_paths
        self.allowed_hosts = (
            {h.lower() for h in allowed_hosts} if allowed_hosts is not None else None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        # HEAD is answered as the GET it asks about, without the body (FastAPI's GET routes
        # do not answer HEAD themselves: 405 everywhere otherwise).
        head = scope.get("method") == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for key, value in SECURITY_HEADERS:
                    if key not in present:
                        headers.append((key, value))
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))
                if b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        async def reply(status: int, text: str) -> None:
            body = error_body(status, text)
            await send_with_headers(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send_with_headers({"type": "http.response.body", "body": body})

        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if self.allowed_hosts is not None:
            host = headers.get("host", "")
            name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
            if name.lower() not in self.allowed_hosts:
                await reply(400, f"host {host!r} is not served here")
                return

        path = scope.get("path", "")
        limit = self.max_upload_bytes if path in self.upload_paths else self.max_body_bytes
        declared = headers.get("content-length")
        if declared is not None:
            try:
                too_big = int(declared) > limit
            except ValueError:
                await reply(400, "invalid Content-Length header")
                return
            if too_big:
                await reply(413, f"request body too large (limit {limit} bytes)")
                return

        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        try:
            await self.app(scope, counted_receive, send_with_headers)
        except BodyTooLarge as exc:
            if not started:
                await reply(413, str(exc))
        except Exception:
            log.exception("unhandled error serving %s %s", scope.get("method"), path)
            if not started:
                await reply(500, "internal server error")


def public_source(path: str) -> str:
    """What an HTTP reader sees of where an article came from: its file name (or its
    address), never the server's folders (upload folders, home directories)."""
    if "://" in path:
        return path
    return PurePath(path).name


def hide_server_paths(text: str, source_paths: Iterable[str]) -> str:
    """``text`` (an export) with the folders of ``source_paths`` removed, leaving file names:
    the same rule as :func:`public_source`, for formats rendered as a whole."""
    folders = {
        str(PurePath(p).parent) for p in source_paths if "://" not in p and PurePath(p).parent.name
    }
    for folder in sorted(folders, key=len, reverse=True):
        text = text.replace(folder + "/", "").replace(folder + "\\", "")
    return text
