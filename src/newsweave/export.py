"""Exports of the store in formats people already use.

``export_json`` is a public contract: one object whose ``articles`` list holds
``{id, source_path, title, outlet, agency, dateline, published, text}``. Later stages add
top-level sections (``copies``, ``events``, ``stories``, ``entities``, ``timeline``,
``claims``) and extra article fields; they never rename or remove a key.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator

from newsweave.records import Article
from newsweave.store import Store

ARTICLE_KEYS = ("id", "source_path", "title", "outlet", "agency", "dateline", "published", "text")

# Top-level sections: name -> function(store) -> list of JSON-able dicts. Stages register
# theirs here in pipeline order.
SectionFunction = Callable[[Store], list[dict]]
SECTIONS: dict[str, SectionFunction] = {}

# Extra per-article fields: function(store) -> {article_id: {field: value}}.
ArticleFieldsFunction = Callable[[Store], dict[str, dict]]
ARTICLE_FIELDS: list[ArticleFieldsFunction] = []


def article_dict(article: Article) -> dict:
    return {
        "id": article.id,
        "source_path": article.source_path,
        "title": article.title,
        "outlet": article.outlet,
        "agency": article.agency,
        "dateline": article.dateline,
        "published": article.published,
        "text": article.text,
        "url": article.url,
    }


def iter_article_dicts(store: Store) -> Iterator[dict]:
    extras: dict[str, dict] = {}
    for fields_of in ARTICLE_FIELDS:
        for aid, values in fields_of(store).items():
            extras.setdefault(aid, {}).update(values)
    for article in store.iter_articles():
        row = article_dict(article)
        row.update(extras.get(article.id, {}))
        yield row


def export_json(store: Store) -> dict:
    """The whole store as one JSON-able object."""
    data: dict = {"articles": list(iter_article_dicts(store))}
    for name, section in SECTIONS.items():
        data[name] = section(store)
    return data


def write_json(store: Store, out: io.TextIOBase) -> None:
    json.dump(export_json(store), out, ensure_ascii=False, indent=2)
    out.write("\n")


def write_jsonl(store: Store, out: io.TextIOBase) -> None:
    """One article per line (streamed: memory does not grow with the store)."""
    for row in iter_article_dicts(store):
        out.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_csv(store: Store, out: io.TextIOBase) -> None:
    writer: csv.DictWriter | None = None
    for row in iter_article_dicts(store):
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(row), extrasaction="ignore")
            writer.writeheader()
        writer.writerow({k: _csv_value(v) for k, v in row.items()})
    if writer is None:
        csv.writer(out).writerow(ARTICLE_KEYS)


def _csv_value(value: object) -> object:
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


# Format name -> writer(store, text stream). The serve stage adds markdown, html, timelinejs.
WriterFunction = Callable[[Store, io.TextIOBase], None]
WRITERS: dict[str, WriterFunction] = {
    "json": write_json,
    "jsonl": write_jsonl,
    "csv": write_csv,
}
