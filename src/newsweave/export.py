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

from newsweave.records import Article, Claim
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

# markdown | html | timelinejs register themselves into WRITERS on import (serve stage).
from newsweave import exports_extra  # noqa: E402, F401

# --------------------------------------------------------------------------- copies section


def copies_section(store: Store) -> list[dict]:
    """``copies: [{id, kind, articles, passages: [{article, start, end}]}]``: near-duplicate
    groups first, then groups of articles sharing reused passages (largest first)."""
    from newsweave.store import copies as copies_store

    return [
        {
            "id": g.id,
            "kind": g.kind,
            "articles": list(g.articles),
            "passages": [
                {"article": p.article, "start": p.start, "end": p.end} for p in g.passages
            ],
        }
        for g in copies_store.copy_groups(store)
    ]


def source_group_fields(store: Store) -> dict[str, dict]:
    """Each article's ``source_group`` (independent source); an article the copies stage has
    not seen yet is its own source."""
    from newsweave.copies import singleton_source_group
    from newsweave.store import copies as copies_store

    groups = copies_store.source_groups(store)
    return {
        aid: {"source_group": groups.get(aid) or singleton_source_group(aid)}
        for (aid,) in store.conn.execute("SELECT id FROM articles")
    }


SECTIONS["copies"] = copies_section
ARTICLE_FIELDS.append(source_group_fields)


# --------------------------------------------------------------------------- entities section


def entities_section(store: Store) -> list[dict]:
    """``entities: [{id, name, type, aliases, articles}]``, most widely reported first."""
    from newsweave.store import nlp as nlp_store

    return [
        {
            "id": e.id,
            "name": e.name,
            "type": e.type,
            "aliases": list(e.aliases),
            "articles": list(e.articles),
        }
        for e in nlp_store.entities(store)
    ]


SECTIONS["entities"] = entities_section


# --------------------------------------------------------------------------- time section


def time_refs_section(store: Store) -> list[dict]:
    """``time_refs: [{article, start, end, text, value, granularity, relation, range_end}]``."""
    from newsweave.store import time as time_store

    return [
        {
            "article": r.article,
            "start": r.start,
            "end": r.end,
            "text": r.text,
            "value": r.value,
            "granularity": r.granularity,
            "relation": r.relation,
            "range_end": r.range_end,
        }
        for r in time_store.time_refs(store)
    ]


SECTIONS["time_refs"] = time_refs_section


# --------------------------------------------------------------------------- group sections


def events_section(store: Store) -> list[dict]:
    """``events: [{id, title, date, articles, story}]`` in date order."""
    from newsweave.store import group as group_store

    return [
        {
            "id": e.id,
            "title": e.title,
            "date": e.date,
            "articles": list(e.articles),
            "story": e.story,
        }
        for e in group_store.load_events(store)
    ]


def stories_section(store: Store) -> list[dict]:
    """``stories: [{id, title, events, articles}]``."""
    from newsweave.store import group as group_store

    return [
        {"id": s.id, "title": s.title, "events": list(s.events), "articles": list(s.articles)}
        for s in group_store.load_stories(store)
    ]


def timeline_section(store: Store) -> list[dict]:
    """``timeline: [{date, granularity, kind, text, story, articles}]`` by story, then date."""
    from newsweave.store import group as group_store

    return [
        {
            "date": t.date,
            "granularity": t.granularity,
            "kind": t.kind,
            "text": t.text,
            "story": t.story,
            "articles": list(t.articles),
        }
        for t in group_store.load_timeline(store)
    ]


SECTIONS["events"] = events_section
SECTIONS["stories"] = stories_section
SECTIONS["timeline"] = timeline_section


# --------------------------------------------------------------------------- claims section


def claim_dict(c: Claim) -> dict:
    """One claim as the export shows it: the contract's keys, then ``event`` and ``spans``
    (every place an article makes the claim: ``{article, start, end}`` into its text)."""
    return {
        "id": c.id,
        "text": c.text,
        "attribution": c.attribution,
        "hedged": c.hedged,
        "articles": list(c.articles),
        "independent_sources": c.independent_sources,
        "status": c.status,
        "contradicts": list(c.contradicts),
        "event": c.event,
        "spans": [{"article": s.article, "start": s.start, "end": s.end} for s in c.spans],
    }


def claims_section(store: Store) -> list[dict]:
    """``claims: [{id, text, attribution, hedged, articles, independent_sources, status,
    contradicts}]``, by event then position in the text."""
    from newsweave.store import claims as claims_store

    return [claim_dict(c) for c in claims_store.load_claims(store)]


SECTIONS["claims"] = claims_section
