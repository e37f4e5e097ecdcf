"""The web page: index.html, the favicon and the static files beside them."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from newsweave.web.http import ApiError

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"

router = APIRouter(include_in_schema=False)


@router.get("/")
def index() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html")


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml")


@router.get("/static/{name}")
def static(name: str) -> FileResponse:
    if not re.fullmatch(r"[a-z0-9_-]+\.(js|css|svg|html)", name):
        raise ApiError(404, f"not found: /static/{name}")
    path = STATIC_DIR / name
    if not path.is_file():
        raise ApiError(404, f"not found: /static/{name}")
    response = FileResponse(path)
    response.headers["cache-control"] = "no-cache"
    return response
