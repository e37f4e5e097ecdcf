"""The HTTP API and the web page, served by one FastAPI app over :class:`~newsweave.api.Newsweave`.

``create_app(db_path, token=None)`` builds it; ``newsweave serve`` runs it with uvicorn on
127.0.0.1. Reads are open to whoever can reach the socket; every write (``POST /api/ingest``)
needs the token, and with no token configured writes are refused. Every failure answers
``{"ok": false, "error": "...", "status": N}``. See docs/http-api.md.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

import newsweave
from newsweave import export, formats
from newsweave.errors import NewsweaveError
from newsweave.web import models
from newsweave.web.data import (
    CLAIM_STATUSES,
    KNOWN_SECTIONS,
    ReadModel,
    Snapshot,
    article_summary,
)
from newsweave.web.security import (
    BodyTooLarge,
    Guard,
    csp_with_style_hash,
    error_body,
    token_ok,
)

log = logging.getLogger("newsweave.web")

STATIC_DIR = Path(__file__).resolve().parent / "static"
DEFAULT_MAX_BODY_BYTES = 64 * 1024
DEFAULT_MAX_UPLOAD_BYTES = 32 * 1024 * 1024
MAX_UPLOAD_FILES = 200
MAX_LIMIT = 500
TOKEN_ENV = "NEWSWEAVE_TOKEN"

ERRORS = {
    code: {"model": models.ErrorEnvelope, "description": text}
    for code, text in (
        (404, "Not found"),
        (422, "Invalid parameters"),
        (500, "Internal error"),
    )
}
WRITE_ERRORS = {
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


# --------------------------------------------------------------------------- JSON


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


# --------------------------------------------------------------------------- app


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
    uploads = Path(upload_dir)
    cache = ResponseCache(cache_entries)

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # noqa: ANN202
        # Reads run on the event loop (they are answered from the in-memory snapshot in well
        # under a millisecond of work, or from one short SQLite call): build the first
        # snapshot before serving so no request waits on it.
        from starlette.concurrency import run_in_threadpool

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
    app.state.token = token
    app.state.uploads = uploads
    # Innermost first: the cache answers repeat GETs before routing; the guard wraps both.
    app.add_middleware(CachedReads, cache=cache, version=model.version)
    app.add_middleware(
        Guard,
        max_body_bytes=max_body_bytes,
        max_upload_bytes=max_upload_bytes,
        upload_paths=("/api/ingest",),
        allowed_hosts=allowed_hosts,
    )

    # ------------------------------------------------------------------ errors

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
        return envelope(422, _validation_message(exc.errors()))

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

    # ------------------------------------------------------------------ helpers

    def cached(request: Request, compute: Callable[[Snapshot], Any]) -> Response:
        """Serve from the response cache while the store is unchanged."""
        snap = model.snapshot()
        key = (snap.version, request.url.path, request.scope.get("query_string", b""))
        body = cache.get(key)
        if body is None:
            body = dumps_safe(compute(snap))
            cache.put(key, body)
        return SafeJSONResponse(body)

    # ------------------------------------------------------------------ page

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml")

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> FileResponse:
        if not re.fullmatch(r"[a-z0-9_-]+\.(js|css|svg|html)", name):
            raise ApiError(404, f"not found: /static/{name}")
        path = STATIC_DIR / name
        if not path.is_file():
            raise ApiError(404, f"not found: /static/{name}")
        response = FileResponse(path)
        response.headers["cache-control"] = "no-cache"
        return response

    # ------------------------------------------------------------------ reads

    @app.get("/api/meta", response_model=None, responses={200: {"model": models.Meta}})
    async def meta(request: Request) -> Response:
        """What the store holds: counts per section, outlets, and whether writes are on."""

        def compute(snap: Snapshot) -> dict:
            return {
                "ok": True,
                "name": "newsweave",
                "version": newsweave.__version__,
                "articles": len(snap.articles),
                "sections": {
                    name: len(snap.sections[name])
                    for name in KNOWN_SECTIONS
                    if name in snap.sections
                },
                "other_sections": sorted(set(export.SECTIONS) - set(KNOWN_SECTIONS)),
                "problems": snap.problems,
                "outlets": [{"outlet": o, "articles": n} for o, n in snap.outlets],
                "writes_enabled": bool(app.state.token),
                "export_formats": sorted(formats.FORMATS),
            }

        return cached(request, compute)

    @app.get(
        "/api/articles",
        response_model=None,
        responses={200: {"model": models.ArticlePage}, **ERRORS},
    )
    async def list_articles(
        request: Request,
        q: Annotated[str | None, Query(max_length=500, description="Full-text query")] = None,
        since: Annotated[str | None, Query(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")] = None,
        until: Annotated[str | None, Query(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")] = None,
        outlet: Annotated[str | None, Query(max_length=200)] = None,
        entity: Annotated[
            str | None, Query(max_length=200, description="Entity id, name or alias")
        ] = None,
        event: Annotated[str | None, Query(max_length=200)] = None,
        story: Annotated[str | None, Query(max_length=200)] = None,
        source_group: Annotated[str | None, Query(max_length=200)] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    ) -> Response:
        """Articles in ingest order (or best match first with ``q``), filtered by publication
        date, outlet, entity, event, story or source group. ``until`` is inclusive."""

        def compute(snap: Snapshot) -> dict:
            allowed: set[str] | None = None

            def narrow(ids: set[str] | None) -> None:
                nonlocal allowed
                ids = ids or set()
                allowed = ids if allowed is None else allowed & ids

            if entity:
                narrow(snap.entity_articles(entity))
            if event:
                narrow(set((snap.events.get(event) or {}).get("articles") or ()))
            if story:
                narrow(set((snap.stories.get(story) or {}).get("articles") or ()))

            def keep(row: dict) -> bool:
                if allowed is not None and row["id"] not in allowed:
                    return False
                pub = row.get("published") or ""
                if since and (not pub or pub < since):
                    return False
                if until and (not pub or pub[: len(until)] > until):
                    return False
                if outlet and (row.get("outlet") or "").casefold() != outlet.casefold():
                    return False
                return not (source_group and str(row.get("source_group")) != source_group)

            more = False
            if q:
                cap = max(200, offset + limit)
                hits = model.reader().search(q, limit=cap)
                more = len(hits) >= cap  # the best `cap` matches only: there may be more
                rows = []
                for art, snippet in hits:
                    row = dict(snap.by_id.get(art.id) or article_summary(art))
                    row["snippet"] = snippet
                    if keep(row):
                        rows.append(row)
            else:
                rows = [r for r in snap.articles if keep(r)]
            return {**_page(rows, limit, offset), "more": more}

        return cached(request, compute)

    @app.get(
        "/api/articles/{article_id}",
        response_model=None,
        responses={200: {"model": models.ArticleItem}, **ERRORS},
    )
    async def get_article(request: Request, article_id: str) -> Response:
        """One article (id or unique id prefix) with its text, the reused passages in it,
        its copy groups, events and entities."""

        def compute(snap: Snapshot) -> dict:
            return {"ok": True, "item": _article_detail(model, snap, article_id)}

        return cached(request, compute)

    @app.get("/api/search", response_model=None, responses={200: {"model": models.ArticlePage}})
    async def search(
        request: Request,
        q: Annotated[str, Query(min_length=1, max_length=500)],
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
    ) -> Response:
        """Full-text search (stemmed; every word must match), best first, with snippets whose
        matching terms are wrapped in ``[`` ``]``."""

        def compute(snap: Snapshot) -> dict:
            rows = []
            for art, snippet in model.reader().search(q, limit=limit):
                row = dict(snap.by_id.get(art.id) or article_summary(art))
                row["snippet"] = snippet
                rows.append(row)
            return {"ok": True, "total": len(rows), "limit": limit, "offset": 0, "items": rows}

        return cached(request, compute)

    @app.get("/api/copies", response_model=None, responses={200: {"model": models.Page}})
    async def copies(
        request: Request,
        article: Annotated[str | None, Query(max_length=200)] = None,
        kind: Annotated[str | None, Query(pattern="^(near-duplicate|shared-passage)$")] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> Response:
        """Copy groups (near-duplicates and shared passages), optionally for one article."""

        def compute(snap: Snapshot) -> dict:
            groups = snap.section("copies")
            if article:
                groups = [groups[i] for i in snap.article_copies.get(article, [])]
            if kind:
                groups = [g for g in groups if g.get("kind") == kind]
            page = _page(groups, limit, offset)
            page["items"] = [_copy_view(snap, g) for g in page["items"]]
            return page

        return cached(request, compute)

    @app.get(
        "/api/compare",
        response_model=None,
        responses={200: {"model": models.CompareResult}, **ERRORS},
    )
    async def compare(
        request: Request,
        a: Annotated[str, Query(min_length=4, max_length=200)],
        b: Annotated[str, Query(min_length=4, max_length=200)],
    ) -> Response:
        """Two articles side by side with the passages they share (from the copies stage)."""

        def compute(snap: Snapshot) -> dict:
            left = _article_detail(model, snap, a, highlights=False)
            right = _article_detail(model, snap, b, highlights=False)
            shared = []
            left_spans: list[dict] = []
            right_spans: list[dict] = []
            for group in snap.section("copies"):
                members = set(group.get("articles") or ())
                if left["id"] in members and right["id"] in members:
                    view = _copy_view(snap, group, (left["id"], right["id"]))
                    shared.append(view)
                    for p in group.get("passages") or ():
                        span = {
                            "start": p["start"],
                            "end": p["end"],
                            "group": group.get("id"),
                            "kind": group.get("kind"),
                        }
                        if p.get("article") == left["id"]:
                            left_spans.append(span)
                        elif p.get("article") == right["id"]:
                            right_spans.append(span)
            links = _pair_links(model, left["id"], right["id"])
            if links:  # aligned passages of this very pair: more exact than group passages
                left_spans, right_spans = [], []
                for link in links:
                    for p in link["passages"]:
                        span = {"start": p["start"], "end": p["end"], "kind": link["kind"]}
                        if p["article"] == left["id"]:
                            left_spans.append(span)
                        elif p["article"] == right["id"]:
                            right_spans.append(span)
            left["highlights"] = _merge_spans(left_spans, len(left["text"]))
            right["highlights"] = _merge_spans(right_spans, len(right["text"]))
            return {"ok": True, "a": left, "b": right, "shared": shared, "links": links}

        return cached(request, compute)

    @app.get("/api/stories", response_model=None, responses={200: {"model": models.Page}})
    async def stories(
        request: Request,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> Response:
        """Stories, largest first, each with its date range, outlets and claim counts."""

        def compute(snap: Snapshot) -> dict:
            rows = [_story_card(snap, s) for s in snap.section("stories")]
            rows.sort(key=lambda r: (-r["article_count"], r.get("title") or ""))
            return _page(rows, limit, offset)

        return cached(request, compute)

    @app.get(
        "/api/stories/{story_id}",
        response_model=None,
        responses={200: {"model": models.Item}, **ERRORS},
    )
    async def story(request: Request, story_id: str) -> Response:
        """One story: its events (in date order) and its timeline."""

        def compute(snap: Snapshot) -> dict:
            st = snap.stories.get(story_id)
            if st is None:
                raise ApiError(404, f"no story with id {story_id!r}")
            card = _story_card(snap, st)
            card["events"] = _sorted_events(
                [
                    _event_card(snap, snap.events[e])
                    for e in st.get("events") or ()
                    if e in snap.events
                ]
            )
            card["timeline"] = _timeline(snap, story_id)
            return {"ok": True, "item": card}

        return cached(request, compute)

    @app.get("/api/events", response_model=None, responses={200: {"model": models.Page}})
    async def events(
        request: Request,
        story: Annotated[str | None, Query(max_length=200)] = None,
        since: Annotated[str | None, Query(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")] = None,
        until: Annotated[str | None, Query(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> Response:
        """Events in date order, optionally for one story or a date range."""

        def compute(snap: Snapshot) -> dict:
            rows = []
            for ev in snap.section("events"):
                if story and str(ev.get("story")) != story:
                    continue
                date = ev.get("date") or ""
                if since and (not date or date < since):
                    continue
                if until and (not date or date[: len(until)] > until):
                    continue
                rows.append(ev)
            page = _page(_sorted_events(rows), limit, offset)
            page["items"] = [_event_card(snap, ev) for ev in page["items"]]
            return page

        return cached(request, compute)

    @app.get(
        "/api/events/{event_id}",
        response_model=None,
        responses={200: {"model": models.Item}, **ERRORS},
    )
    async def event(request: Request, event_id: str) -> Response:
        """One event: its articles and its claims, grouped as contested (both sides quoted),
        corroborated and single-source, each with outlets and independent-source counts."""

        def compute(snap: Snapshot) -> dict:
            ev = snap.events.get(event_id)
            if ev is None:
                raise ApiError(404, f"no event with id {event_id!r}")
            card = _event_card(snap, ev)
            card["articles"] = [snap.by_id[a] for a in ev.get("articles") or () if a in snap.by_id]
            card["claims"], card["claim_totals"] = _capped(_event_claims(model, snap, event_id))
            st = snap.stories.get(str(ev.get("story")))
            card["story"] = {"id": st.get("id"), "title": st.get("title")} if st else None
            return {"ok": True, "item": card}

        return cached(request, compute)

    @app.get("/api/entities", response_model=None, responses={200: {"model": models.Page}})
    async def entities(
        request: Request,
        q: Annotated[str | None, Query(max_length=200, description="Name or alias part")] = None,
        type: Annotated[str | None, Query(max_length=40)] = None,  # noqa: A002
        article: Annotated[str | None, Query(max_length=200)] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> Response:
        """Entities with their aliases, most-covered first; filter by name/alias, type or
        article."""

        def compute(snap: Snapshot) -> dict:
            if q:
                needle = q.casefold()
                rows = [e for key, e in snap.entity_search if needle in key]
            else:
                rows = snap.entities_ranked
            if article:
                wanted = set(snap.article_entities.get(article, ()))
                rows = [e for e in rows if str(e.get("id")) in wanted]
            if type:
                rows = [e for e in rows if str(e.get("type", "")).casefold() == type.casefold()]
            page = _page(rows, limit, offset)
            page["items"] = [_entity_view(e) for e in page["items"]]
            return page

        return cached(request, compute)

    @app.get(
        "/api/entities/{entity_id}",
        response_model=None,
        responses={200: {"model": models.Item}, **ERRORS},
    )
    async def entity(request: Request, entity_id: str) -> Response:
        """One entity with its aliases and the articles that mention it."""

        def compute(snap: Snapshot) -> dict:
            ent = snap.entities.get(entity_id)
            if ent is None:
                raise ApiError(404, f"no entity with id {entity_id!r}")
            item = _entity_view(ent)
            item["articles"] = [snap.by_id[a] for a in ent.get("articles") or () if a in snap.by_id]
            return {"ok": True, "item": item}

        return cached(request, compute)

    @app.get("/api/timeline", response_model=None, responses={200: {"model": models.Page}})
    async def timeline(
        request: Request,
        story: Annotated[str | None, Query(max_length=200)] = None,
        kind: Annotated[str | None, Query(pattern="^(reported|scheduled|background)$")] = None,
        limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> Response:
        """Timeline entries in date order (kinds: reported, scheduled, background)."""

        def compute(snap: Snapshot) -> dict:
            rows = _timeline(snap, story)
            if kind:
                rows = [r for r in rows if r.get("kind") == kind]
            return _page(rows, limit, offset)

        return cached(request, compute)

    @app.get("/api/claims", response_model=None, responses={200: {"model": models.Page}})
    async def claims(
        request: Request,
        status: Annotated[
            str | None, Query(pattern="^(corroborated|single-source|contested)$")
        ] = None,
        event: Annotated[str | None, Query(max_length=200)] = None,
        article: Annotated[str | None, Query(max_length=200)] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> Response:
        """Claims with their status, attribution and independent-source count."""

        def compute(snap: Snapshot) -> dict:
            if event:
                rows = [snap.claims[c] for c in snap.event_claims.get(event, ())]
            elif status:
                rows = snap.claims_by_status.get(status, [])
            else:
                rows = snap.section("claims")
            if status:
                rows = [c for c in rows if c.get("status") == status]
            if article:
                rows = [c for c in rows if article in (c.get("articles") or ())]
            page = _page(rows, limit, offset)
            page["items"] = [_claim_side(snap, c, {}) for c in page["items"]]
            return page

        return cached(request, compute)

    @app.get("/api/sections/{name}", response_model=None, responses={200: {"model": models.Page}})
    async def section(
        request: Request,
        name: str,
        limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> Response:
        """Any export section, raw (the ``export --format json`` shape)."""

        def compute(snap: Snapshot) -> dict:
            rows = snap.extra_section(model.reader(), name)
            if rows is None:
                raise ApiError(404, f"no export section {name!r}")
            return _page(rows, limit, offset)

        return cached(request, compute)

    @app.get(
        "/api/export",
        response_model=None,
        responses={200: {"content": {"text/plain": {}}}, **ERRORS},
    )
    def export_store(
        fmt: Annotated[str, Query(alias="format", pattern=r"^[a-z]{2,20}$")] = "json",
    ) -> Response:
        """The store in one export format (see ``export_formats`` in ``/api/meta``)."""
        found = formats.FORMATS.get(fmt)
        if found is None:
            known = ", ".join(sorted(formats.FORMATS))
            raise ApiError(404, f"unknown export format {fmt!r} (choose one of: {known})")
        text = model.reader().export_text(fmt)
        response = Response(text.encode(), media_type=found.media_type)
        if found.page_style is not None:
            response.headers["content-security-policy"] = csp_with_style_hash(found.page_style)
        else:
            response.headers["content-disposition"] = (
                f'attachment; filename="newsweave.{found.suffix}"'
            )
        return response

    # ------------------------------------------------------------------ writes

    @app.post(
        "/api/ingest",
        response_model=None,
        responses={200: {"model": models.IngestResult}, **WRITE_ERRORS},
        openapi_extra={
            "requestBody": {
                "required": True,
                "description": (
                    "Either JSON `{articles: [{text, title?, url?, published?, outlet?, agency?,"
                    " dateline?}]}` or multipart/form-data with one or more `files` (seed .txt,"
                    " .html, .jsonl/.json, .csv)."
                ),
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/IngestRequest"}},
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "files": {
                                    "type": "array",
                                    "items": {"type": "string", "format": "binary"},
                                }
                            },
                            "required": ["files"],
                        }
                    },
                },
            }
        },
    )
    async def ingest(
        request: Request,
        analyze: Annotated[bool, Query(description="Run the derived stages afterwards")] = True,
    ) -> Response:
        """Add articles (token required). Idempotent: posting the same content twice adds
        nothing. Runs the derived stages afterwards unless ``analyze=false``."""
        allowed = token_ok(app.state.token, request.headers.items())
        if allowed is None:
            raise ApiError(
                403, f"writes are disabled: start the server with --token or ${TOKEN_ENV}"
            )
        if not allowed:
            raise ApiError(401, "missing or wrong token (send Authorization: Bearer TOKEN)")
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype == "application/json":
            paths = await _save_json_articles(request, uploads)
        elif ctype == "multipart/form-data":
            paths = await _save_uploads(request, uploads)
        else:
            raise ApiError(
                415 if ctype else 400,
                "send application/json {articles: [...]} or multipart/form-data files",
            )
        from starlette.concurrency import run_in_threadpool

        def run() -> dict:
            try:
                with model.write_lock:
                    report = model.writer.ingest(paths, analyze=False)
                    ran = model.writer.analyze() if analyze_on_ingest and analyze else []
            finally:
                model.wrote()
            return {
                "ok": True,
                "files": report.files,
                "new": report.new,
                "existing": report.existing,
                "skipped": [_relative_error(str(e), uploads) for e in report.skipped],
                "ids": report.new_ids,
                "analyzed": ran,
            }

        return SafeJSONResponse(await run_in_threadpool(run))

    base_openapi = app.openapi

    def openapi() -> dict:
        """The generated schema plus the ingest body's models (the route parses its body
        itself, to accept JSON or multipart, so FastAPI does not see them)."""
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
    return app


SETTINGS_ENV = "NEWSWEAVE_SERVE_SETTINGS"


def app_from_environment() -> FastAPI:
    """The app for one of several server processes (``newsweave serve --workers N``): its
    settings come as JSON in $NEWSWEAVE_SERVE_SETTINGS, the token in $NEWSWEAVE_TOKEN."""
    settings = json.loads(os.environ[SETTINGS_ENV])
    hosts = settings.pop("allowed_hosts", None)
    return create_app(allowed_hosts=tuple(hosts) if hosts else None, **settings)



# --------------------------------------------------------------------------- cache


class CachedReads:
    """Answer a GET whose exact response is cached for the store's current version without
    routing or re-validating it (only successful reads are ever cached, by :func:`cached`)."""

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


# --------------------------------------------------------------------------- views


def _page(rows: list[dict], limit: int, offset: int) -> dict:
    return {
        "ok": True,
        "total": len(rows),
        "limit": limit,
        "offset": offset,
        "items": rows[offset : offset + limit],
    }


def _validation_message(errors: list[dict] | Any) -> str:
    parts = []
    for err in list(errors)[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "path", "body"))
        parts.append(f"{where or 'request'}: {err.get('msg', 'invalid')}")
    return "invalid request: " + "; ".join(parts)


def _merge_spans(spans: list[dict], length: int) -> list[dict]:
    """Sorted, clipped, non-overlapping highlight spans (overlaps merge, first group wins)."""
    out: list[dict] = []
    for span in sorted(spans, key=lambda s: (s["start"], -s["end"])):
        start, end = max(0, int(span["start"])), min(length, int(span["end"]))
        if end <= start:
            continue
        if out and start <= out[-1]["end"]:
            out[-1]["end"] = max(out[-1]["end"], end)
            continue
        out.append({**span, "start": start, "end": end})
    return out


def _article_detail(
    model: ReadModel, snap: Snapshot, article_id: str, *, highlights: bool = True
) -> dict:
    art = model.reader().article(article_id)
    if art is None:
        raise ApiError(404, f"no article with id {article_id!r}")
    row = dict(snap.by_id.get(art.id) or article_summary(art))
    row["text"] = art.text
    row["evidence"] = [
        {"field": e.field, "value": e.value, "rule": e.rule, "snippet": e.snippet}
        for e in art.evidence
    ]
    row["removed"] = list(art.removed)
    groups = [snap.section("copies")[i] for i in snap.article_copies.get(art.id, [])]
    row["copies"] = [_copy_view(snap, g, (art.id,)) for g in groups]
    spans = []
    if highlights:
        for g in groups:
            for p in g.get("passages") or ():
                if p.get("article") == art.id:
                    spans.append(
                        {
                            "start": p["start"],
                            "end": p["end"],
                            "group": g.get("id"),
                            "kind": g.get("kind"),
                        }
                    )
    row["highlights"] = _merge_spans(spans, len(art.text))
    row["events"] = [
        {"id": e, "title": snap.events[e].get("title"), "date": snap.events[e].get("date")}
        for e in snap.article_events.get(art.id, [])
        if e in snap.events
    ]
    row["entities"] = [
        _entity_view(snap.entities[e], short=True)
        for e in snap.article_entities.get(art.id, [])
        if e in snap.entities
    ]
    return row


MAX_MEMBERS = 25


def _slot(model: ReadModel, snap: Snapshot, a: str, b: str) -> dict | None:
    """What two contested claims disagree on (``kind``: place, number, date, status,
    negation; each side's value), from the claims stage when its API offers it."""
    if snap.contradictions is None:
        index: dict[frozenset, dict] = {}
        load = getattr(model.reader(), "contradictions", None)
        if load is not None:
            try:
                for c in load():
                    index[frozenset((c.a, c.b))] = {
                        "a": c.a,
                        "kind": c.kind,
                        "value_a": c.value_a,
                        "value_b": c.value_b,
                    }
            except Exception:  # an older store without the table: no slot labels
                log.exception("loading contradictions failed")
        snap.contradictions = index
    found = snap.contradictions.get(frozenset((a, b)))
    if found is None:
        return None
    if found["a"] == a:
        return {"kind": found["kind"], "a": found["value_a"], "b": found["value_b"]}
    return {"kind": found["kind"], "a": found["value_b"], "b": found["value_a"]}


def _pair_links(model: ReadModel, a: str, b: str) -> list[dict]:
    """The copies stage's verified links between exactly these two articles, with their
    aligned passages (empty when the store's API has no pairwise links)."""
    copy_links = getattr(model.reader(), "copy_links", None)
    if copy_links is None:
        return []
    out = []
    for link in copy_links(a):
        if {link.a, link.b} != {a, b}:
            continue
        passages = [
            {"article": span.article, "start": span.start, "end": span.end}
            for pair in link.passages
            for span in pair
        ]
        out.append({"kind": link.kind, "similarity": link.similarity, "passages": passages})
    return out


def _copy_view(snap: Snapshot, group: dict, focus: tuple[str, ...] = ()) -> dict:
    """A copy group with readable members (the first MAX_MEMBERS, ``focus`` articles first).
    With ``focus`` (an article page, a comparison) the view carries only those articles'
    passages and an article count instead of every id: one wire story can be copied
    hundreds of times."""
    ids = list(group.get("articles") or ())
    view = {k: v for k, v in group.items() if k not in ("articles", "passages")}
    view["article_count"] = len(ids)
    if focus:
        wanted = set(focus)
        view["passages"] = [p for p in group.get("passages") or () if p.get("article") in wanted]
        ids = [a for a in focus if a in set(ids)] + [a for a in ids if a not in wanted]
    else:
        view["articles"] = ids
        view["passages"] = list(group.get("passages") or ())
    view["members"] = [
        {
            "id": a,
            "title": (snap.by_id.get(a) or {}).get("title"),
            "outlet": (snap.by_id.get(a) or {}).get("outlet")
            or (snap.by_id.get(a) or {}).get("agency"),
            "published": (snap.by_id.get(a) or {}).get("published"),
        }
        for a in ids[:MAX_MEMBERS]
    ]
    return view


def _entity_view(ent: dict, *, short: bool = False) -> dict:
    view = {k: v for k, v in ent.items() if k != "articles"}
    view["article_count"] = len(ent.get("articles") or ())
    if not short:
        view["article_ids"] = list(ent.get("articles") or ())
    return view


def _dates_of(snap: Snapshot, article_ids: list[str]) -> tuple[str | None, str | None]:
    dates = sorted(
        d for d in ((snap.by_id.get(a) or {}).get("published") for a in article_ids) if d
    )
    return (dates[0], dates[-1]) if dates else (None, None)


def _outlets_of(snap: Snapshot, article_ids: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for a in article_ids:
        outlet = (snap.by_id.get(a) or {}).get("outlet") or (snap.by_id.get(a) or {}).get("agency")
        if outlet:
            seen.setdefault(outlet, None)
    return list(seen)


def _claim_counts(snap: Snapshot, event_ids: list[str]) -> dict[str, int]:
    counts = dict.fromkeys(CLAIM_STATUSES, 0)
    for e in event_ids:
        for status, n in snap.event_claim_counts.get(e, {}).items():
            if status in counts:
                counts[status] += n
    return counts


def _story_card(snap: Snapshot, st: dict) -> dict:
    arts = list(st.get("articles") or ())
    events = [e for e in st.get("events") or () if e in snap.events]
    first, last = _dates_of(snap, arts)
    ev_dates = sorted(d for d in (snap.events[e].get("date") for e in events) if d)
    card = {k: v for k, v in st.items()}
    card.update(
        {
            "article_count": len(arts),
            "event_count": len(events),
            "first": ev_dates[0] if ev_dates else first,
            "last": ev_dates[-1] if ev_dates else last,
            "outlets": _outlets_of(snap, arts),
            "claim_counts": _claim_counts(snap, events),
        }
    )
    return card


def _event_card(snap: Snapshot, ev: dict) -> dict:
    arts = list(ev.get("articles") or ())
    card = dict(ev)
    card.update(
        {
            "article_count": len(arts),
            "outlets": _outlets_of(snap, arts),
            "claim_counts": _claim_counts(snap, [str(ev.get("id"))]),
        }
    )
    return card


def _sorted_events(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: (r.get("date") or "9999", str(r.get("title") or "")))


def _timeline(snap: Snapshot, story: str | None) -> list[dict]:
    rows = [t for t in snap.section("timeline") if story is None or str(t.get("story")) == story]
    out = []
    for t in sorted(rows, key=lambda t: str(t.get("date") or "")):
        entry = dict(t)
        entry["sources"] = [
            {
                "id": a,
                "outlet": (snap.by_id.get(a) or {}).get("outlet")
                or (snap.by_id.get(a) or {}).get("agency"),
                "published": (snap.by_id.get(a) or {}).get("published"),
                "title": (snap.by_id.get(a) or {}).get("title"),
            }
            for a in t.get("articles") or ()
        ]
        out.append(entry)
    return out


def _claim_side(snap: Snapshot, claim: dict, texts: dict[str, str]) -> dict:
    """A claim with, per article, the outlet and the quoted words (from its spans when the
    claims section gives them, else the claim text)."""
    quotes: dict[str, str] = {}
    for span in claim.get("spans") or ():
        if isinstance(span, dict):
            aid, start, end = span.get("article"), span.get("start"), span.get("end")
        else:
            aid, start, end = span
        text = texts.get(aid or "")
        if text is not None and isinstance(start, int) and isinstance(end, int):
            quotes.setdefault(aid, text[start:end])
    side = dict(claim)
    side["sources"] = [
        {
            "id": a,
            "outlet": (snap.by_id.get(a) or {}).get("outlet"),
            "agency": (snap.by_id.get(a) or {}).get("agency"),
            "published": (snap.by_id.get(a) or {}).get("published"),
            "title": (snap.by_id.get(a) or {}).get("title"),
            "source_group": (snap.by_id.get(a) or {}).get("source_group"),
            "quote": quotes.get(a) or claim.get("text"),
        }
        for a in claim.get("articles") or ()
    ]
    return side


def _event_claims(model: ReadModel, snap: Snapshot, event_id: str) -> dict:
    ids = snap.event_claims.get(event_id, [])
    claims = [snap.claims[c] for c in ids]
    related = {str(o) for c in claims for o in c.get("contradicts") or () if str(o) in snap.claims}
    article_ids: set[str] = set()
    involved = claims + [snap.claims[o] for o in related]
    for c in involved:
        article_ids.update(c.get("articles") or ())
    texts: dict[str, str] = {}
    if any(c.get("spans") for c in involved):  # quotes come from spans: load those texts only
        texts = {a.id: a.text for a in model.reader().articles(ids=sorted(article_ids))}
    out: dict[str, list] = {"contested": [], "corroborated": [], "single-source": []}
    paired: set[tuple[str, str]] = set()
    for c in claims:
        cid = str(c.get("id"))
        status = c.get("status")
        if status == "contested":
            others = [str(o) for o in c.get("contradicts") or () if str(o) in snap.claims]
            if not others:
                out["contested"].append({"a": _claim_side(snap, c, texts), "b": None})
            for other in others:
                key = tuple(sorted((cid, other)))
                if key in paired:
                    continue
                paired.add(key)  # type: ignore[arg-type]
                out["contested"].append(
                    {
                        "a": _claim_side(snap, c, texts),
                        "b": _claim_side(snap, snap.claims[other], texts),
                        "slot": _slot(model, snap, cid, other),
                    }
                )
        elif status in out:
            out[status].append(_claim_side(snap, c, texts))
    for status in ("corroborated", "single-source"):
        out[status].sort(key=lambda s: -int(s.get("independent_sources") or 0))
    return out


EVENT_CLAIMS_SHOWN = 150


def _capped(claims: dict[str, list]) -> tuple[dict[str, list], dict[str, int]]:
    """An event's claims, at most EVENT_CLAIMS_SHOWN per status (the best-backed first), and
    the full counts; the rest stay reachable through ``/api/claims?event=``."""
    totals = {k: len(v) for k, v in claims.items()}
    return {k: v[:EVENT_CLAIMS_SHOWN] for k, v in claims.items()}, totals


# --------------------------------------------------------------------------- ingest helpers

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
ACCEPTED_SUFFIXES = (
    ".txt",
    ".text",
    ".html",
    ".htm",
    ".xhtml",
    ".jsonl",
    ".ndjson",
    ".json",
    ".csv",
    ".tsv",
)


def _safe_filename(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = _SAFE_NAME.sub("_", base).strip("._") or "upload.txt"
    if not base.lower().endswith(ACCEPTED_SUFFIXES):
        base += ".txt"
    return base[-120:]


def _store_upload(uploads: Path, name: str, data: bytes) -> str:
    """Keep an upload content-addressed so that the same bytes always have the same path
    (article ids hash text + source path: a re-post is then recognised)."""
    digest = hashlib.sha256(data).hexdigest()[:24]
    folder = uploads / digest
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / _safe_filename(name)
    if not path.exists():
        tmp = path.with_suffix(path.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(path)
    return str(path)


async def _save_json_articles(request: Request, uploads: Path) -> list[str]:
    raw = await request.body()
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"body is not valid JSON: {exc}") from exc
    if isinstance(data, list):
        data = {"articles": data}
    try:
        req = models.IngestRequest.model_validate(data)
    except ValidationError as exc:
        raise ApiError(422, _validation_message(exc.errors())) from exc
    paths = []
    for art in req.articles:
        record = art.model_dump(exclude_none=True)
        line = json.dumps(record, ensure_ascii=False, sort_keys=True).encode() + b"\n"
        paths.append(_store_upload(uploads, "article.jsonl", line))
    return paths


async def _save_uploads(request: Request, uploads: Path) -> list[str]:
    form = await request.form(max_files=MAX_UPLOAD_FILES, max_fields=20)
    try:
        files = [f for f in form.getlist("files") if not isinstance(f, str)]
        if not files:
            raise ApiError(422, "invalid request: files: send at least one file")
        paths = []
        for upload in files:
            data = await upload.read()
            paths.append(_store_upload(uploads, upload.filename or "upload.txt", data))
        return paths
    finally:
        await form.close()


def _relative_error(message: str, uploads: Path) -> str:
    """Skipped-file messages without the server's upload folder in them."""
    return message.replace(str(uploads) + os.sep, "")
