"""Export formats: one module per format, one registry.

The registry below is the only list of formats: ``newsweave export --help``, the HTTP API's
``/api/export`` (media type, download name) and ``/api/meta``, and docs/exports.md all read it.
A new format is one module defining a :class:`Format` plus one line here (see
docs/exports.md, "Adding an export format").
"""

from __future__ import annotations

from newsweave.errors import NewsweaveError
from newsweave.formats import attention, csv, html, json, markdown, timelinejs
from newsweave.formats.base import Format, Writer

REGISTRY: tuple[Format, ...] = (
    json.JSON,
    json.JSONL,
    csv.CSV,
    markdown.MARKDOWN,
    html.HTML,
    timelinejs.TIMELINEJS,
    attention.ATTENTION,
)

FORMATS: dict[str, Format] = {f.name: f for f in REGISTRY}


def get(name: str) -> Format:
    """The format called ``name``; a :class:`NewsweaveError` naming the known ones if none."""
    found = FORMATS.get(name)
    if found is None:
        known = ", ".join(sorted(FORMATS))
        raise NewsweaveError(f"unknown export format {name!r} (choose one of: {known})")
    return found


def names() -> str:
    """``json | jsonl | csv | ...`` in registry order, for help texts."""
    return " | ".join(FORMATS)


__all__ = ["FORMATS", "REGISTRY", "Format", "Writer", "get", "names"]
