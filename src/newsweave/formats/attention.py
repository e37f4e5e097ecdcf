"""``attention``: article counts per day for every story, main entity, outlet and saved
search, as CSV (one row per series and day; days without articles inside a series count 0).
Names come from articles, so cells go through the ``csv`` format's formula rule (``cell``)."""

from __future__ import annotations

import csv
from typing import TextIO

from newsweave.attention import all_series
from newsweave.formats.base import Format
from newsweave.formats.csv import cell
from newsweave.store import Store

COLUMNS = ("kind", "id", "name", "date", "articles")


def write_attention(store: Store, out: TextIO) -> None:
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for kind, key, name, day in all_series(store):
        writer.writerow([cell(v) for v in (kind, key, name, day.date, day.articles)])


ATTENTION = Format(
    "attention",
    write_attention,
    "text/csv; charset=utf-8",
    "attention.csv",
    "articles per day for each story, entity, outlet and saved search (CSV)",
)
