"""The read API: every ``GET /api/...``. Open to whoever can reach the socket; answered from
the snapshot (through the response cache) or, for texts and search, from the request thread's
read-only store handle."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

import newsweave
from newsweave import export, formats
from newsweave.web import models, views
from newsweave.web.data import KNOWN_SECTIONS, ArticleCard, ReadModel, Snapshot, article_card
from newsweave.web.http import ERRORS, MAX_LIMIT, ApiError, cached
from newsweave.web.security import csp_with_style_hash, hide_server_paths

router = APIRouter(prefix="/api")

DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"


def _model(request: Request) -> ReadModel:
    return request.app.state.model


@router.get("/meta", response_model=None, responses={200: {"model": models.Meta}})
async def meta(request: Request) -> Response:
    """What the store holds: counts per section, outlets, and whether writes are on."""
    writes = bool(request.app.state.token)

    def compute(snap: Snapshot) -> dict:
        return {
            "ok": True,
            "name": "newsweave",
            "version": newsweave.__version__,
            "articles": len(snap.articles),
            "sections": snap.counts(),
            "other_sections": sorted(set(export.SECTIONS) - set(KNOWN_SECTIONS)),
            "problems": snap.problems,
            "outlets": [{"outlet": o, "articles": n} for o, n in snap.outlets],
            "writes_enabled": writes,
            "export_formats": sorted(formats.FORMATS),
        }

    return cached(request, compute)


@router.get(
    "/articles",
    response_model=None,
    responses={200: {"model": models.ArticlePage}, **ERRORS},
)
async def list_articles(
    request: Request,
    q: Annotated[str | None, Query(max_length=500, description="Full-text query")] = None,
    since: Annotated[str | None, Query(pattern=DATE)] = None,
    until: Annotated[str | None, Query(pattern=DATE)] = None,
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
    model = _model(request)

    def compute(snap: Snapshot) -> dict:
        allowed: set[str] | None = None

        def narrow(ids: set[str] | None) -> None:
            nonlocal allowed
            ids = ids or set()
            allowed = ids if allowed is None else allowed & ids

        if entity:
            narrow(snap.entity_articles(entity))
        if event:
            narrow(set(ev.articles) if (ev := snap.events.get(event)) else None)
        if story:
            narrow(set(st.articles) if (st := snap.stories.get(story)) else None)

        def keep(art: ArticleCard) -> bool:
            if allowed is not None and art.id not in allowed:
                return False
            pub = art.published or ""
            if since and (not pub or pub < since):
                return False
            if until and (not pub or pub[: len(until)] > until):
                return False
            if outlet and (art.who or "").casefold() != outlet.casefold():
                return False
            return not (source_group and art.source_group != source_group)

        more = False
        rows: list[tuple[ArticleCard, str | None]]
        if q:
            cap = max(200, offset + limit)
            hits = model.reader().search(q, limit=cap)
            more = len(hits) >= cap  # the best `cap` matches only: there may be more
            rows = [
                (found, snippet)
                for art, snippet in hits
                if keep(found := snap.by_id.get(art.id) or article_card(art))
            ]
        else:
            rows = [(art, None) for art in snap.articles if keep(art)]
        result = views.page(rows, limit, offset)
        result["items"] = [views.card(art, snippet) for art, snippet in result["items"]]
        return {**result, "more": more}

    return cached(request, compute)


@router.get(
    "/articles/{article_id}",
    response_model=None,
    responses={200: {"model": models.ArticleItem}, **ERRORS},
)
async def get_article(request: Request, article_id: str) -> Response:
    """One article (id or unique id prefix) with its text, the reused passages in it,
    its copy groups, events and entities."""
    model = _model(request)

    def compute(snap: Snapshot) -> dict:
        return {"ok": True, "item": views.article_detail(model.reader(), snap, article_id)}

    return cached(request, compute)


@router.get("/search", response_model=None, responses={200: {"model": models.ArticlePage}})
async def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
) -> Response:
    """Full-text search (stemmed; every word must match), best first, with snippets whose
    matching terms are wrapped in ``[`` ``]``."""
    model = _model(request)

    def compute(snap: Snapshot) -> dict:
        rows = [
            views.card(snap.by_id.get(art.id) or article_card(art), snippet)
            for art, snippet in model.reader().search(q, limit=limit)
        ]
        return {"ok": True, "total": len(rows), "limit": limit, "offset": 0, "items": rows}

    return cached(request, compute)


@router.get("/copies", response_model=None, responses={200: {"model": models.Page}})
async def copies(
    request: Request,
    article: Annotated[str | None, Query(max_length=200)] = None,
    kind: Annotated[str | None, Query(pattern="^(near-duplicate|shared-passage)$")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """Copy groups (near-duplicates and shared passages), optionally for one article."""

    def compute(snap: Snapshot) -> dict:
        groups = snap.copies
        if article:
            groups = [groups[i] for i in snap.article_copies.get(article, [])]
        if kind:
            groups = [g for g in groups if g.kind == kind]
        result = views.page(groups, limit, offset)
        result["items"] = [views.copy_view(snap, g) for g in result["items"]]
        return result

    return cached(request, compute)


@router.get(
    "/compare",
    response_model=None,
    responses={200: {"model": models.CompareResult}, **ERRORS},
)
async def compare(
    request: Request,
    a: Annotated[str, Query(min_length=4, max_length=200)],
    b: Annotated[str, Query(min_length=4, max_length=200)],
) -> Response:
    """Two articles side by side with the passages they share (from the copies stage)."""
    model = _model(request)
    return cached(request, lambda snap: views.compare(model.reader(), snap, a, b))


@router.get("/stories", response_model=None, responses={200: {"model": models.Page}})
async def stories(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """Stories, largest first, each with its date range, outlets and claim counts."""

    def compute(snap: Snapshot) -> dict:
        rows = [views.story_card(snap, s) for s in snap.stories.values()]
        rows.sort(key=lambda r: (-r["article_count"], r.get("title") or ""))
        return views.page(rows, limit, offset)

    return cached(request, compute)


@router.get(
    "/stories/{story_id}",
    response_model=None,
    responses={200: {"model": models.Item}, **ERRORS},
)
async def story(request: Request, story_id: str) -> Response:
    """One story: its events (in date order) and its timeline."""

    def compute(snap: Snapshot) -> dict:
        st = snap.stories.get(story_id)
        if st is None:
            raise ApiError(404, f"no story with id {story_id!r}")
        return {"ok": True, "item": views.story_detail(snap, st)}

    return cached(request, compute)


@router.get("/events", response_model=None, responses={200: {"model": models.Page}})
async def events(
    request: Request,
    story: Annotated[str | None, Query(max_length=200)] = None,
    since: Annotated[str | None, Query(pattern=DATE)] = None,
    until: Annotated[str | None, Query(pattern=DATE)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """Events in date order, optionally for one story or a date range."""

    def compute(snap: Snapshot) -> dict:
        rows = []
        for ev in snap.events.values():
            if story and str(ev.story) != story:
                continue
            date = ev.date or ""
            if since and (not date or date < since):
                continue
            if until and (not date or date[: len(until)] > until):
                continue
            rows.append(ev)
        result = views.page(views.sorted_events(rows), limit, offset)
        result["items"] = [views.event_card(snap, ev) for ev in result["items"]]
        return result

    return cached(request, compute)


@router.get(
    "/events/{event_id}",
    response_model=None,
    responses={200: {"model": models.Item}, **ERRORS},
)
async def event(request: Request, event_id: str) -> Response:
    """One event: its articles and its claims, grouped as contested (both sides quoted),
    corroborated and single-source, each with outlets and independent-source counts."""
    model = _model(request)

    def compute(snap: Snapshot) -> dict:
        ev = snap.events.get(event_id)
        if ev is None:
            raise ApiError(404, f"no event with id {event_id!r}")
        return {"ok": True, "item": views.event_detail(model.reader(), snap, ev)}

    return cached(request, compute)


@router.get("/entities", response_model=None, responses={200: {"model": models.Page}})
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
            rows = [e for e in rows if e.id in wanted]
        if type:
            rows = [e for e in rows if e.type.casefold() == type.casefold()]
        result = views.page(rows, limit, offset)
        result["items"] = [views.entity_view(e) for e in result["items"]]
        return result

    return cached(request, compute)


@router.get(
    "/entities/{entity_id}",
    response_model=None,
    responses={200: {"model": models.Item}, **ERRORS},
)
async def entity(request: Request, entity_id: str) -> Response:
    """One entity with its aliases and the articles that mention it."""

    def compute(snap: Snapshot) -> dict:
        ent = snap.entities.get(entity_id)
        if ent is None:
            raise ApiError(404, f"no entity with id {entity_id!r}")
        return {"ok": True, "item": views.entity_detail(snap, ent)}

    return cached(request, compute)


@router.get("/timeline", response_model=None, responses={200: {"model": models.Page}})
async def timeline(
    request: Request,
    story: Annotated[str | None, Query(max_length=200)] = None,
    kind: Annotated[str | None, Query(pattern="^(reported|scheduled|background)$")] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """Timeline entries in date order (kinds: reported, scheduled, background)."""

    def compute(snap: Snapshot) -> dict:
        rows = views.timeline(snap, story)
        if kind:
            rows = [r for r in rows if r["kind"] == kind]
        return views.page(rows, limit, offset)

    return cached(request, compute)


@router.get("/claims", response_model=None, responses={200: {"model": models.Page}})
async def claims(
    request: Request,
    status: Annotated[str | None, Query(pattern="^(corroborated|single-source|contested)$")] = None,
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
            rows = list(snap.claims.values())
        if status:
            rows = [c for c in rows if c.status == status]
        if article:
            rows = [c for c in rows if article in c.articles]
        result = views.page(rows, limit, offset)
        result["items"] = [views.claim_side(snap, c, {}) for c in result["items"]]
        return result

    return cached(request, compute)


@router.get("/disagreements", response_model=None, responses={200: {"model": models.Page}})
async def disagreements(
    request: Request,
    event: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """Disagreements (contested pairs grouped: a revised figure once), most supported first,
    each with its two best-supported sides quoted and every side's witnesses and origins;
    with ``event``, that event's own (as its page lists them)."""
    model = _model(request)

    def compute(snap: Snapshot) -> dict:
        if event is not None and event not in snap.events:
            raise ApiError(404, f"no event with id {event!r}")
        return views.disagreements_page(model.reader(), snap, limit, offset, event=event)

    return cached(request, compute)


@router.get("/sections/{name}", response_model=None, responses={200: {"model": models.Page}})
async def section(
    request: Request,
    name: str,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """Any export section, raw (the ``export --format json`` shape)."""
    model = _model(request)

    def compute(snap: Snapshot) -> dict:
        rows = snap.raw_section(model.reader(), name)
        if rows is None:
            raise ApiError(404, f"no export section {name!r}")
        return views.page(rows, limit, offset)

    return cached(request, compute)


@router.get(
    "/export",
    response_model=None,
    responses={200: {"content": {"text/plain": {}}}, **ERRORS},
)
def export_store(
    request: Request,
    fmt: Annotated[str, Query(alias="format", pattern=r"^[a-z]{2,20}$")] = "json",
) -> Response:
    """The store in one export format (see ``export_formats`` in ``/api/meta``)."""
    found = formats.FORMATS.get(fmt)
    if found is None:
        known = ", ".join(sorted(formats.FORMATS))
        raise ApiError(404, f"unknown export format {fmt!r} (choose one of: {known})")
    reader = _model(request).reader()
    text = hide_server_paths(reader.export_text(fmt), (a.source_path for a in reader.articles()))
    response = Response(text.encode(), media_type=found.media_type)
    if found.page_style is not None:
        response.headers["content-security-policy"] = csp_with_style_hash(found.page_style)
    else:
        response.headers["content-disposition"] = f'attachment; filename="newsweave.{found.suffix}"'
    return response
