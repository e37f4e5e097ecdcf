"""Running queries (``newsweave.query`` syntax) over the store, saved searches and their
alerts. The API, the CLI (``search --save``, ``alerts``), HTTP and the attention export all
go through these functions.
"""

from __future__ import annotations

from newsweave.errors import NewsweaveError
from newsweave.query import SearchQuery, parse_query
from newsweave.records import Alert, Article, SavedSearch
from newsweave.store import ArticleFilter, Store
from newsweave.store import sources as sources_store


def entity_articles(store: Store, name: str) -> set[str]:
    """Articles mentioning the entity called ``name``: an entity whose name or any alias is
    ``name`` (any case); failing that, those whose name or an alias contains it."""
    from newsweave.store import nlp as nlp_store

    candidates = nlp_store.entities(store, name=name)
    wanted = name.casefold()
    exact = [e for e in candidates if wanted in {a.casefold() for a in (e.name, *e.aliases)}]
    return {a for e in (exact or candidates) for a in e.articles}


def match(store: Store, query: SearchQuery, *, after_seq: int = 0) -> list[tuple[int, str]]:
    """(seq, article id) of the articles matching ``query``, in ingest order."""
    if query.empty:
        raise NewsweaveError("empty query: give words, entity:, outlet:, since: or until:")
    ids: set[str] | None = None
    for name in query.entities:
        found = entity_articles(store, name)
        ids = found if ids is None else ids & found
    return sources_store.match_articles(
        store,
        text=query.text,
        ids=ids,
        outlets=query.outlets,
        since=query.since,
        until=query.until,
        after_seq=after_seq,
    )


def find(store: Store, query: str, *, limit: int | None = None) -> list[Article]:
    """Articles matching a query, newest first (by publication date, then ingest order)."""
    rows = match(store, parse_query(query))
    articles = store.articles(ArticleFilter(ids=tuple(i for _, i in rows)))
    articles.sort(key=lambda a: a.published or "", reverse=True)
    return articles[:limit] if limit is not None else articles


def save(store: Store, name: str, query: str) -> SavedSearch:
    """Save (or replace) a search; its alerts report articles stored from now on."""
    name = name.strip()
    if not name or len(name) > 100 or any(c in name for c in "\r\n\t"):
        raise NewsweaveError(f"bad saved-search name {name!r}: 1–100 characters, one line")
    parse_query(query)  # refuse a query that cannot run before saving it
    if parse_query(query).empty:
        raise NewsweaveError("empty query: give words, entity:, outlet:, since: or until:")
    return sources_store.save_search(store, name, query)


def saved(store: Store, name: str) -> SavedSearch:
    found = sources_store.saved_search(store, name)
    if found is None:
        known = ", ".join(s.name for s in sources_store.saved_searches(store)) or "none saved"
        raise NewsweaveError(f"no saved search called {name!r} ({known})")
    return found


def alerts(store: Store, name: str | None = None, *, mark: bool = True) -> list[Alert]:
    """For each saved search (or the one named), the articles that matched since its last
    check; ``mark`` moves the check mark past them (the next call reports only newer)."""
    searches = [saved(store, name)] if name is not None else sources_store.saved_searches(store)
    newest = sources_store.latest_seq(store)
    found: list[Alert] = []
    for search in searches:
        rows = match(store, parse_query(search.query), after_seq=search.last_seq)
        arts = {a.id: a for a in store.articles(ArticleFilter(ids=tuple(i for _, i in rows)))}
        found.append(Alert(search, tuple(arts[i] for _, i in rows if i in arts)))
    if mark and searches:
        sources_store.mark_checked(store, {s.name: newest for s in searches})
    return found


__all__ = ["alerts", "entity_articles", "find", "match", "save", "saved"]
