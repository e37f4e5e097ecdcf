"""``csv``: one article per row (lists and objects as JSON text), streamed."""

from __future__ import annotations

import csv
import json
from typing import TextIO

from newsweave.export import ARTICLE_KEYS, iter_article_dicts
from newsweave.formats.base import Format
from newsweave.store import Store


def write_csv(store: Store, out: TextIO) -> None:
    writer: csv.DictWriter | None = None
    for row in iter_article_dicts(store):
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(row), extrasaction="ignore")
            writer.writeheader()
        writer.writerow({k: cell(v) for k, v in row.items()})
    if writer is None:
        csv.writer(out).writerow(ARTICLE_KEYS)


def cell(value: object) -> object:
    """One CSV cell."""
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


CSV = Format("csv", write_csv, "text/csv; charset=utf-8", "csv", "one article per row")
