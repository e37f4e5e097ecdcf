"""``POST /api/ingest``: the only write. Needs the server's token; uploads are kept
content-addressed beside the store so that posting the same bytes twice adds nothing."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from newsweave.web import models
from newsweave.web.http import WRITE_ERRORS, ApiError, SafeJSONResponse, validation_message
from newsweave.web.security import token_ok

MAX_UPLOAD_FILES = 200
TOKEN_ENV = "NEWSWEAVE_TOKEN"

router = APIRouter(prefix="/api")


@router.post(
    "/ingest",
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
    state = request.app.state
    allowed = token_ok(state.token, request.headers.items())
    if allowed is None:
        raise ApiError(403, f"writes are disabled: start the server with --token or ${TOKEN_ENV}")
    if not allowed:
        raise ApiError(401, "missing or wrong token (send Authorization: Bearer TOKEN)")
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/json":
        paths = await _save_json_articles(request, state.uploads)
    elif ctype == "multipart/form-data":
        paths = await _save_uploads(request, state.uploads)
    else:
        raise ApiError(
            415 if ctype else 400,
            "send application/json {articles: [...]} or multipart/form-data files",
        )
    model, uploads = state.model, state.uploads

    def run() -> dict:
        problems: list = []  # articles the analysis skipped (one line each, like the CLI)
        try:
            with model.write_lock:
                report = model.writer.ingest(paths, analyze=False)
                wanted = state.analyze_on_ingest and analyze
                ran = model.writer.analyze(on_problem=problems.append) if wanted else []
        finally:
            model.wrote()
        return {
            "ok": True,
            "files": report.files,
            "new": report.new,
            "existing": report.existing,
            "skipped": [_relative_error(str(e), uploads) for e in [*report.skipped, *problems]],
            "ids": report.new_ids,
            "analyzed": ran,
        }

    return SafeJSONResponse(await run_in_threadpool(run))


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
    except RecursionError as exc:  # [[[[... x 100,000
        raise ApiError(400, "body is not valid JSON: nested too deeply") from exc
    if isinstance(data, list):
        data = {"articles": data}
    try:
        req = models.IngestRequest.model_validate(data)
    except ValidationError as exc:
        raise ApiError(422, validation_message(exc.errors())) from exc
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
