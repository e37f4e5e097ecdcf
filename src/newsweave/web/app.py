"""The HTTP API and the web page, served by one FastAPI app over :class:`~newsweave.api.Newsweave`.

``create_app(db_path, token=None)`` builds it; ``newsweave serve`` runs it with uvicorn on
127.0.0.1. Reads are open to whoever can reach the socket; every write (``POST /api/ingest``)
needs the token, and with no token configured writes are refused. Every failure answers
``{"ok": false, "error": "...", "status": N}``. See docs/http-api.md.

The routes live in :mod:`newsweave.web.routes` (one ``APIRouter`` per concern), the JSON they
answer is built in :mod:`newsweave.web.views` from the typed records of the snapshot
(:mod:`newsweave.web.data`); this module wires them together with the guards, the response
cache and the error envelope.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

import newsweave
from newsweave.errors import NewsweaveError
from newsweave.web import models
from newsweave.web.cache import CachedReads, ResponseCache
from newsweave.web.data import ReadModel
from newsweave.web.http import ApiError, SafeJSONResponse, envelope, validation_message
from newsweave.web.routes import ingest, live, pages, reads
from newsweave.web.security import BodyTooLarge, Guard

log = logging.getLogger("newsweave.web")

DEFAULT_MAX_BODY_BYTES = 64 * 1024
DEFAULT_MAX_UPLOAD_BYTES = 32 * 1024 * 1024
TOKEN_ENV = ingest.TOKEN_ENV
SETTINGS_ENV = "NEWSWEAVE_SERVE_SETTINGS"


def create_app(
    db_path: str | Path,
    token: str | None = None,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
    upload_dir: str | Path | None = None,
    allowed_hosts: tuple[str, ...] | None = None,
    analyze_on_ingest: bool = True,
    cache_entries: int = 2048,
) -> FastAPI:
    """Build the app over the store at ``db_path``.

    ``token``: the write token (falls back to $NEWSWEAVE_TOKEN; with neither, writes are
    refused). ``max_body_bytes`` caps every request body except uploads to ``/api/ingest``,
    which ``max_upload_bytes`` caps. Uploaded files are kept, content-addressed, under
    ``upload_dir`` (default: ``<store>.uploads`` beside the store) so that re-posting the same
    file is recognised and adds nothing. ``allowed_hosts`` (e.g. the loopback names) rejects
    requests for other Host headers, which stops DNS-rebinding pages from reading the API.
    """
    token = token if token is not None else (os.environ.get(TOKEN_ENV) or None)
    model = ReadModel(db_path)
    if upload_dir is None:
        if model.memory:
            upload_dir = tempfile.mkdtemp(prefix="newsweave-uploads-")
        else:
            upload_dir = str(db_path) + ".uploads"
    cache = ResponseCache(cache_entries)

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # noqa: ANN202
        # Reads run on the event loop (they are answered from the in-memory snapshot in well
        # under a millisecond of work, or from one short SQLite call): build the first
        # snapshot before serving so no request waits on it.
        await run_in_threadpool(model.snapshot)
        yield
        model.close()

    app = FastAPI(
        title="newsweave",
        version=newsweave.__version__,
        summary="Articles, copies, events, stories, entities, timeline and claims of a store.",
        description=(
            "Read endpoints are open; `POST /api/ingest` needs the server's token as "
            "`Authorization: Bearer TOKEN` (or `X-Newsweave-Token`). Every failure answers "
            '`{"ok": false, "error": "...", "status": N}`.'
        ),
        openapi_url="/api/openapi.json",
        docs_url=None,  # Swagger UI needs a CDN and inline script: not under our CSP
        redoc_url=None,
        default_response_class=SafeJSONResponse,
        lifespan=lifespan,
    )
    app.state.model = model
    app.state.cache = cache
    app.state.token = token
    app.state.uploads = Path(upload_dir)
    app.state.analyze_on_ingest = analyze_on_ingest
    # Innermost first: the cache answers repeat GETs before routing; the guard wraps both.
    app.add_middleware(CachedReads, cache=cache, version=model.version)
    app.add_middleware(
        Guard,
        max_body_bytes=max_body_bytes,
        max_upload_bytes=max_upload_bytes,
        upload_paths=("/api/ingest",),
        allowed_hosts=allowed_hosts,
    )
    _add_error_handlers(app)
    app.include_router(pages.router)
    app.include_router(reads.router)
    app.include_router(ingest.router)
    app.include_router(live.router)  # attention, coverage, query search, saved searches
    _document_ingest_body(app)
    return app


def _add_error_handlers(app: FastAPI) -> None:
    """Every failure becomes the one JSON envelope."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        messages = {404: "not found", 405: "method not allowed"}
        detail = exc.detail if isinstance(exc.detail, str) else None
        if exc.status_code in messages and detail in (None, "Not Found", "Method Not Allowed"):
            message = f"{messages[exc.status_code]}: {request.method} {request.url.path}"
        else:
            message = detail or "error"
        response = envelope(exc.status_code, message)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return envelope(422, validation_message(exc.errors()))

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        return envelope(exc.status, exc.message)

    @app.exception_handler(BodyTooLarge)
    async def too_large(request: Request, exc: BodyTooLarge) -> Response:
        return envelope(413, str(exc))

    @app.exception_handler(NewsweaveError)
    async def newsweave_error(request: Request, exc: NewsweaveError) -> Response:
        return envelope(400, str(exc))

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return envelope(500, "internal server error")


def _document_ingest_body(app: FastAPI) -> None:
    """The generated schema plus the ingest body's models (the route parses its body itself,
    to accept JSON or multipart, so FastAPI does not see them)."""
    base_openapi = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            spec = base_openapi()
            schema = models.IngestRequest.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
            components = spec.setdefault("components", {}).setdefault("schemas", {})
            components.update(schema.pop("$defs", {}))
            components["IngestRequest"] = schema
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def app_from_environment() -> FastAPI:
    """The app for one of several server processes (``newsweave serve --workers N``): its
    settings come as JSON in $NEWSWEAVE_SERVE_SETTINGS, the token in $NEWSWEAVE_TOKEN."""
    settings = json.loads(os.environ[SETTINGS_ENV])
    hosts = settings.pop("allowed_hosts", None)
    return create_app(allowed_hosts=tuple(hosts) if hosts else None, **settings)
