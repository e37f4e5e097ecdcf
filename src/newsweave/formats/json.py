"""``json`` (the whole store, the :mod:`newsweave.export` contract) and ``jsonl`` (one
article per line, streamed)."""

from __future__ import annotations

import json
from typing import TextIO

from newsweave.export import export_json, iter_article_dicts
from newsweave.formats.base import Format
from newsweave.store import Store


def write_json(store: Store, out: TextIO) -> None:
    json.dump(export_json(store), out, ensure_ascii=False, indent=2)
    out.write("\n")


def write_jsonl(store: Store, out: TextIO) -> None:
    """One article per line (streamed: memory does not grow with the store)."""
    for row in iter_article_dicts(store):
        out.write(json.dumps(row, ensure_ascii=False) + "\n")


JSON = Format(
    "json",
    write_json,
    "application/json",
    "json",
    "everything: articles and every section (copies, entities, events, claims ...)",
)
JSONL = Format("jsonl", write_jsonl, "application/x-ndjson", "jsonl", "one article per line")
