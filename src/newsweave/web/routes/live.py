"""HTTP routes for live sources' read side: attention over time, coverage, searches with the
query syntax, saved searches and their alerts. An APIRouter over :class:`newsweave.api.Newsweave`
(through the app's read model); ``create_app`` includes it.

Reads are open. Saving a search and marking alerts as seen are writes: they need the server's
token like ``POST /api/ingest``.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from newsweave.records import Alert
from newsweave.web import models, views
from newsweave.web.data import article_card
from newsweave.web.http import WRITE_ERRORS, ApiError
from newsweave.web.routes.ingest import TOKEN_ENV
from newsweave.web.security import token_ok

router = APIRouter()

ID = Annotated[str | None, Query(max_length=200)]


class SaveSearchRequest(BaseModel):
    """Body of ``POST /api/searches``."""

    name: str = Field(min_length=1, max_length=100)
    query: str = Field(min_length=1, max_length=500)


def _model(request: Request):  # noqa: ANN202 - the web layer's ReadModel
    return request.app.state.model


def _require_token(request: Request) -> None:
    allowed = token_ok(request.app.state.token, request.headers.items())
    if allowed is None:
        raise ApiError(403, f"writes are disabled: start the server with --token or ${TOKEN_ENV}")
    if not allowed:
        raise ApiError(401, "missing or wrong token (send Authorization: Bearer TOKEN)")


@router.get("/api/attention", response_model=None, responses={200: {"model": models.Page}})
def attention(
    request: Request,
    story: ID = None,
    entity: ID = None,
    outlet: ID = None,
    search: ID = None,
) -> dict:
    """Articles per publication day (zero days included) for exactly one of: a story (id or
    prefix), an entity (id, name or any alias), an outlet (name), a saved search (name)."""
    days = (
        _model(request).reader().attention(story=story, entity=entity, outlet=outlet, search=search)
    )
    items = [asdict(d) for d in days]
    return {
        "ok": True,
        "total": len(items),
        "articles": sum(d.articles for d in days),
        "limit": len(items),
        "offset": 0,
        "items": items,
    }


@router.get("/api/coverage", response_model=None, responses={200: {"model": models.Page}})
def coverage(request: Request, story: Annotated[str, Query(min_length=1, max_length=200)]) -> dict:
    """Outlets covering a story (``covers``) and outlets that report on its main entities
    elsewhere but have nothing in it (``blind-spot``)."""
    nw = _model(request).reader()
    rows = [asdict(r) for r in nw.coverage(story)]
    return {"ok": True, "total": len(rows), "limit": len(rows), "offset": 0, "items": rows}


@router.get("/api/find", response_model=None, responses={200: {"model": models.ArticlePage}})
def find(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict:
    """Articles matching a query, newest first: words and "phrases" (full text),
    ``entity:NAME`` (any alias), ``outlet:NAME`` or domain, ``since:``/``until:`` dates."""
    rows = [views.card(article_card(a)) for a in _model(request).reader().find(q, limit=limit)]
    return {"ok": True, "total": len(rows), "limit": limit, "offset": 0, "items": rows}


@router.get("/api/searches", response_model=None, responses={200: {"model": models.Page}})
def searches(request: Request) -> dict:
    """Saved searches."""
    rows = [asdict(s) for s in _model(request).reader().saved_searches()]
    return {"ok": True, "total": len(rows), "limit": len(rows), "offset": 0, "items": rows}


@router.post(
    "/api/searches", response_model=None, responses={200: {"model": models.Item}, **WRITE_ERRORS}
)
def save_search(request: Request, body: SaveSearchRequest) -> dict:
    """Save (or replace) a search (token required); its alerts report articles stored from
    now on."""
    _require_token(request)
    model = _model(request)
    try:
        with model.write_lock:
            saved = model.writer.save_search(body.name, body.query)
    finally:
        model.wrote()
    return {"ok": True, "item": asdict(saved)}


def _alerts(found: list[Alert]) -> dict:
    rows = [
        {
            "search": asdict(a.search),
            "total": len(a.articles),
            "items": [views.card(article_card(art)) for art in a.articles],
        }
        for a in found
    ]
    return {"ok": True, "total": len(rows), "limit": len(rows), "offset": 0, "items": rows}


@router.get("/api/alerts", response_model=None, responses={200: {"model": models.Page}})
def peek_alerts(request: Request, name: ID = None) -> dict:
    """What each saved search (or the named one) matched since its last check, without
    marking it seen (``POST /api/alerts`` marks)."""
    return _alerts(_model(request).reader().alerts(name, mark=False))


@router.post(
    "/api/alerts", response_model=None, responses={200: {"model": models.Page}, **WRITE_ERRORS}
)
def check_alerts(request: Request, name: ID = None) -> dict:
    """What each saved search (or the named one) matched since its last check, marking it
    seen so the next check reports only newer articles (token required)."""
    _require_token(request)
    model = _model(request)
    try:
        with model.write_lock:
            found = model.writer.alerts(name, mark=True)
    finally:
        model.wrote()
    return _alerts(found)
