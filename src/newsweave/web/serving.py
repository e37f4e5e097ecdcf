"""How ``newsweave serve`` runs uvicorn: the rules that only the HTTP server itself can apply.

uvicorn parses the request line and headers before newsweave's app sees anything, and its
own answers to a malformed request are plain text without newsweave's security headers. The
protocol below is uvicorn's pure-Python h11 protocol with three changes:

- a request uvicorn refuses (bad ``Content-Length``, a request line or headers over
  :data:`MAX_HEAD_BYTES`, malformed syntax) gets newsweave's JSON error envelope and security
  headers, like every other failure;
- a connection must deliver its request line and headers within :data:`HEADER_TIMEOUT_S` of
  opening (or of the previous response), else it is closed: slow-header ("slowloris")
  connections cannot pile up;
- the h11 parser is used everywhere (not httptools when it happens to be installed), so the
  same limits hold on every machine.

:func:`uvicorn_settings` is what ``newsweave serve`` passes to ``uvicorn.run``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from newsweave.web.security import CONTENT_SECURITY_POLICY, SECURITY_HEADERS, error_body

# Request line plus headers: more is refused with 400 (h11's limit; browsers send < 8 KiB).
MAX_HEAD_BYTES = 16 * 1024
# A new connection, or one kept alive after a response, has this long to send its headers.
HEADER_TIMEOUT_S = 10.0
# An idle kept-alive connection is closed after this long.
KEEP_ALIVE_S = 5


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with the JSON envelope for its 400s and a header deadline."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None
        self._awaited: object = None  # the request cycle current when the timer was armed

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._header_timer is not None and self.cycle is not self._awaited:
            self._disarm_header_timer()  # a request's headers arrived in time

    def on_response_complete(self) -> None:
        super().on_response_complete()
        idle = self.cycle is None or self.cycle.response_complete
        if idle and not self.transport.is_closing():
            self._arm_header_timer()  # waiting for the next request on this connection

    def _arm_header_timer(self) -> None:
        self._disarm_header_timer()
        self._awaited = self.cycle
        self._header_timer = self.loop.call_later(HEADER_TIMEOUT_S, self._headers_too_slow)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.cycle is self._awaited and not self.transport.is_closing():
            self.transport.close()

    def send_400_response(self, msg: str) -> None:
        body = error_body(
            400,
            "malformed or oversized HTTP request (bad syntax or Content-Length, or request"
            f" line and headers over {MAX_HEAD_BYTES // 1024} KiB)",
        )
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
            (b"cache-control", b"no-store"),
            (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
            *SECURITY_HEADERS,
        ]
        try:
            for event in (
                h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
                h11.Data(data=body),
                h11.EndOfMessage(),
            ):
                self.transport.write(self.conn.send(event) or b"")
        except h11.LocalProtocolError:  # a response had already begun: just close
            pass
        self.transport.close()


def uvicorn_settings() -> dict[str, Any]:
    """The server settings ``newsweave serve`` passes to ``uvicorn.run``."""
    return {
        "http": f"{__name__}:GuardedH11Protocol",
        "h11_max_incomplete_event_size": MAX_HEAD_BYTES,
        "timeout_keep_alive": KEEP_ALIVE_S,
        "server_header": False,
    }


__all__ = ["GuardedH11Protocol", "uvicorn_settings"]
