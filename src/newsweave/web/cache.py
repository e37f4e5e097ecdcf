"""Serialised read responses, kept per store version (see :func:`newsweave.web.http.cached`)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any


class ResponseCache:
    """A small LRU of serialised responses, keyed by store version and request."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[tuple, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> bytes | None:
        with self._lock:
            body = self._data.get(key)
            if body is not None:
                self._data.move_to_end(key)
            return body

    def put(self, key: tuple, body: bytes) -> None:
        if self.size <= 0 or len(body) > 4 * 1024 * 1024:
            return
        with self._lock:
            self._data[key] = body
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)


class CachedReads:
    """Answer a GET whose exact response is cached for the store's current version without
    routing or re-validating it (only successful reads are ever cached, by ``cached``)."""

    def __init__(self, app: Any, *, cache: ResponseCache, version: Callable[[], tuple]) -> None:
        self.app = app
        self.cache = cache
        self.version = version

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "GET"
            and scope["path"].startswith("/api/")
        ):
            key = (self.version(), scope["path"], scope.get("query_string", b""))
            body = self.cache.get(key)
            if body is not None:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
