"""The export read model: the store as one JSON-able object.

``export_json`` is a public contract: one object whose ``articles`` list holds
``{id, source_path, title, outlet, agency, dateline, published, text, url, source_group}``,
and one top-level section per stage (``copies``, ``entities``, ``time_refs``, ``events``,
``stories``, ``timeline``, ``claims``, ``contradictions``, ``disagreements``). Stages add
keys and sections; they never rename or remove one.

A section is ``dataclasses.asdict`` of the very records :class:`newsweave.api.Newsweave`
returns (``copies`` is ``[asdict(g) for g in nw.copy_groups()]``), so the export, the HTTP API
and the Python API cannot drift apart: a field added to a record shows up everywhere. The
store's loaders are the only code that reads the database; the formats in
:mod:`newsweave.formats` write what this module builds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict
from typing import Any

from newsweave.copies import singleton_source_group
from newsweave.disagreements import read_disagreements
from newsweave.records import Article
from newsweave.store import Store
from newsweave.store import claims as claims_store
from newsweave.store import copies as copies_store
from newsweave.store import group as group_store
from newsweave.store import nlp as nlp_store
from newsweave.store import time as time_store

#: The article keys of the contract (``url`` and ``source_group`` follow them).
ARTICLE_KEYS = ("id", "source_path", "title", "outlet", "agency", "dateline", "published", "text")

#: Top-level sections in pipeline order: name -> the store loader whose records it holds.
SECTIONS: dict[str, Callable[[Store], Sequence[Any]]] = {
    "copies": copies_store.copy_groups,  # near-duplicate groups first, then shared passages
    "entities": nlp_store.entities,  # most widely reported first
    "time_refs": time_store.time_refs,
    "events": group_store.load_events,  # in date order
    "stories": group_store.load_stories,
    "timeline": group_store.load_timeline,  # by story, then date
    "claims": claims_store.load_claims,  # by event, then position in the text
    # each disagreement: both claims, the slot kind, both values, contradiction or update
    "contradictions": claims_store.load_contradictions,
    # the contested pairs grouped: one row per disagreement, most supported first
    "disagreements": read_disagreements,
}


def article_dict(article: Article, source_group: str | None = None) -> dict:
    """One article as the export shows it: the contract's keys, ``url``, and (when given)
    its independent ``source_group``. Not ``removed`` and ``evidence``: those are for
    ``newsweave show``, not for an export row."""
    row = {key: getattr(article, key) for key in ARTICLE_KEYS}
    row["url"] = article.url
    if source_group is not None:
        row["source_group"] = source_group
    return row


def iter_article_dicts(store: Store) -> Iterator[dict]:
    """Every article, in ingest order (streamed: memory does not grow with the store)."""
    groups = source_group_lookup(store)
    for article in store.iter_articles():
        yield article_dict(article, groups[article.id])


def section(store: Store, name: str) -> list[dict]:
    """One section: ``dataclasses.asdict`` of each record its loader returns (tuples as
    lists, as JSON has them)."""
    return [_lists(asdict(record)) for record in SECTIONS[name](store)]


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_lists(v) for v in value]
    return value


def export_json(store: Store) -> dict:
    """The whole store as one JSON-able object."""
    data: dict = {"articles": list(iter_article_dicts(store))}
    for name in SECTIONS:
        data[name] = section(store, name)
    return data


def source_group_lookup(store: Store) -> Mapping[str, str]:
    """article id -> independent source group, answering for any id: an article the copies
    stage has not seen yet is its own source."""
    return _SourceGroups(copies_store.source_groups(store))


class _SourceGroups(dict):
    def __missing__(self, key: str) -> str:
        return singleton_source_group(key)
