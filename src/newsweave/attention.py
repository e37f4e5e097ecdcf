"""Attention over time and coverage, read from the store.

- :func:`per_day`: how many articles were published each day about a story, an entity (any
  alias), from an outlet, or matching a saved search; days without articles between the
  first and the last count 0, so a chart's gaps are real.
- :func:`coverage`: per story, the outlets that cover it and the outlets that usually report
  on its main entities but have nothing in it (blind spots).
- :func:`all_series`: every story's, outlet's, saved search's and main entity's series, for
  the ``attention`` export (CSV).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date, timedelta

from newsweave import searches
from newsweave.errors import NewsweaveError
from newsweave.query import parse_query
from newsweave.records import DayCount, Entity, OutletCoverage, Story
from newsweave.store import Store
from newsweave.store import group as group_store
from newsweave.store import nlp as nlp_store
from newsweave.store import sources as sources_store

MAX_DENSE_DAYS = 3660  # fill gaps with zero days up to ten years; longer series stay sparse
NO_OUTLET = "(unknown outlet)"


def _dense(counts: list[tuple[str, int]]) -> list[DayCount]:
    days = [(d, n) for d, n in counts if len(d) == 10]
    if not days:
        return []
    try:
        first, last = date.fromisoformat(days[0][0]), date.fromisoformat(days[-1][0])
    except ValueError:
        return [DayCount(d, n) for d, n in days]
    span = (last - first).days
    if span > MAX_DENSE_DAYS:
        return [DayCount(d, n) for d, n in days]
    have = dict(days)
    out = []
    for i in range(span + 1):
        day = (first + timedelta(days=i)).isoformat()
        out.append(DayCount(day, have.get(day, 0)))
    return out


def _story(store: Store, story_id: str) -> Story:

    stories = group_store.load_stories(store)
    matches = [s for s in stories if s.id == story_id or s.id.startswith(story_id)]
    if len(matches) != 1:
        raise NewsweaveError(f"no story with id or unique id prefix {story_id!r}")
    return matches[0]


def _entity(store: Store, name_or_id: str) -> Entity:

    found = nlp_store.entity(store, name_or_id)
    if found is not None:
        return found
    wanted = name_or_id.casefold()
    candidates = nlp_store.entities(store, name=name_or_id)
    exact = [e for e in candidates if wanted in {a.casefold() for a in (e.name, *e.aliases)}]
    chosen = exact or candidates
    if not chosen:
        raise NewsweaveError(f"no entity named {name_or_id!r} (by name, alias or id)")
    return max(chosen, key=lambda e: (len(e.articles), e.mentions))


def per_day(
    store: Store,
    *,
    story: str | None = None,
    entity: str | None = None,
    outlet: str | None = None,
    search: str | None = None,
) -> list[DayCount]:
    """Articles per publication day for exactly one of: a story (id or prefix), an entity
    (id, name or any alias), an outlet (name), a saved search (name)."""
    given = [
        k
        for k, v in (("story", story), ("entity", entity), ("outlet", outlet), ("search", search))
        if v
    ]
    if len(given) != 1:
        raise NewsweaveError("attention needs exactly one of story, entity, outlet, search")
    if story:
        return _dense(sources_store.articles_per_day(store, ids=_story(store, story).articles))
    if entity:
        return _dense(sources_store.articles_per_day(store, ids=_entity(store, entity).articles))
    if outlet:
        return _dense(sources_store.articles_per_day(store, outlet=outlet))

    found = searches.saved(store, search or "")
    ids = [i for _, i in searches.match(store, parse_query(found.query))]
    return _dense(sources_store.articles_per_day(store, ids=ids))


def story_entities(store: Store, story: Story, limit: int = 8) -> list[Entity]:
    """The story's main entities: those mentioned in most of its articles (at least two
    articles when the story has more than two)."""

    members = set(story.articles)
    floor = 2 if len(members) > 2 else 1
    scored = []
    for entity in nlp_store.entities(store):
        inside = len(members.intersection(entity.articles))
        if inside >= floor:
            scored.append((inside, len(entity.articles), entity))
    scored.sort(key=lambda t: (-t[0], -t[1], t[2].id))
    return [e for _, _, e in scored[:limit]]


def coverage(
    store: Store, story_id: str, *, entity_limit: int = 8, min_entity_articles: int = 2
) -> list[OutletCoverage]:
    """Who covers a story and who does not: every outlet with articles in it (``covers``),
    then every outlet without any that has at least ``min_entity_articles`` other articles
    about the story's main entities (``blind-spot``), each with its registry country and
    language when known."""
    story = _story(store, story_id)
    members = set(story.articles)
    entities = story_entities(store, story, entity_limit)
    about = {a for e in entities for a in e.articles} - members
    outlet_of = sources_store.outlets_of(store, members | about)
    inside = Counter(outlet_of.get(a) or NO_OUTLET for a in members)
    elsewhere = Counter(outlet_of.get(a) or NO_OUTLET for a in about)
    registry = {o.name.casefold(): o for o in sources_store.outlets(store)}
    rows = []
    for outlet in sorted(set(inside) | set(elsewhere)):
        if not inside[outlet] and elsewhere[outlet] < min_entity_articles:
            continue
        entry = registry.get(outlet.casefold())
        rows.append(
            OutletCoverage(
                outlet=outlet,
                articles=inside[outlet],
                entity_articles=elsewhere[outlet],
                status="covers" if inside[outlet] else "blind-spot",
                country=entry.country if entry else None,
                language=entry.language if entry else None,
            )
        )
    rows.sort(key=lambda r: (r.status != "covers", -r.articles, -r.entity_articles, r.outlet))
    return rows


def all_series(store: Store, *, entity_limit: int = 50) -> Iterator[tuple[str, str, str, DayCount]]:
    """(kind, id, name, day) for every story, outlet and saved search, and the
    ``entity_limit`` most reported entities: the rows of the attention export."""

    for story in group_store.load_stories(store):
        for day in _dense(sources_store.articles_per_day(store, ids=story.articles)):
            yield "story", story.id, story.title, day
    for entity in nlp_store.entities(store, limit=entity_limit):
        for day in _dense(sources_store.articles_per_day(store, ids=entity.articles)):
            yield "entity", entity.id, entity.name, day
    for outlet in sorted(sources_store.outlet_counts(store)):
        for day in _dense(sources_store.articles_per_day(store, outlet=outlet)):
            yield "outlet", outlet, outlet, day

    for saved in sources_store.saved_searches(store):
        ids = [i for _, i in searches.match(store, parse_query(saved.query))]
        for day in _dense(sources_store.articles_per_day(store, ids=ids)):
            yield "search", saved.name, saved.query, day


def total(days: Iterable[DayCount]) -> int:
    return sum(d.articles for d in days)


__all__ = ["NO_OUTLET", "all_series", "coverage", "per_day", "story_entities", "total"]
