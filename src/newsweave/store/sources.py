"""What live ingest remembers: fetched pages and listings (validators for conditional
requests, which page gave which article), the outlet registry, saved searches and watch
state. The only code that knows these tables.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsweave.ingest.fetch import Validators
from newsweave.records import SavedSearch
from newsweave.store import id_chunks

if TYPE_CHECKING:
    from newsweave.ingest.live import PageState
    from newsweave.store import Store

MIGRATIONS = [
    (
        "sources/0001_pages_outlets",
        """
        CREATE TABLE fetched_pages (
            url           TEXT PRIMARY KEY,  -- canonical address (asked for, or redirect end)
            kind          TEXT NOT NULL,     -- page | listing
            etag          TEXT,
            last_modified TEXT,
            listed_in     TEXT,
            articles      INTEGER NOT NULL DEFAULT 0,
            article_id    TEXT,
            fetched_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
        );
        CREATE TABLE outlets (
            domain   TEXT PRIMARY KEY,
            name     TEXT NOT NULL,
            country  TEXT,
            language TEXT,
            origin   TEXT NOT NULL,  -- user | page | feed | domain
            updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
        );
        CREATE TABLE saved_searches (
            name       TEXT PRIMARY KEY,
            query      TEXT NOT NULL,
            last_seq   INTEGER NOT NULL DEFAULT 0,  -- articles up to this seq were reported
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
            checked_at TEXT
        );
        CREATE TABLE watch_state (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,
    ),
    (
        "sources/0002_watch_seen",
        """
        CREATE TABLE watch_seen (
            kind TEXT NOT NULL,  -- story | event | claim
            id   TEXT NOT NULL,
            seen_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
            PRIMARY KEY (kind, id)
        );
        """,
    ),
]


@dataclass(frozen=True, slots=True)
class Outlet:
    """One registry entry: a domain and the outlet it is."""

    domain: str
    name: str
    country: str | None = None
    language: str | None = None
    origin: str = "user"  # user | page | feed | domain


class StoredPages:
    """:class:`newsweave.ingest.live.PageMemory` over a store."""

    def __init__(self, store: Store) -> None:
        self.conn = store.conn

    def validators(self, url: str) -> Validators | None:
        row = self.conn.execute(
            "SELECT etag, last_modified FROM fetched_pages WHERE url = ?", (url,)
        ).fetchone()
        if row is None or (row[0] is None and row[1] is None):
            return None
        return Validators(row[0], row[1])

    def stored_articles(self, url: str) -> int | None:
        """Articles stored from a page, or from the pages a feed or sitemap listed."""
        row = self.conn.execute(
            "SELECT kind, articles FROM fetched_pages WHERE url = ?", (url,)
        ).fetchone()
        if row is None:
            return None
        if row[0] == "page":
            return int(row[1])
        listed = self.conn.execute(
            "SELECT COALESCE(SUM(articles), 0) FROM fetched_pages"
            " WHERE listed_in = ? AND kind = 'page'",
            (url,),
        ).fetchone()
        return int(listed[0])

    def outlet_name(self, domain: str) -> str | None:
        row = self.conn.execute(
            "SELECT name FROM outlets WHERE domain = ? AND origin = 'user'", (domain,)
        ).fetchone()
        return row[0] if row else None


def record_page(conn: sqlite3.Connection, state: PageState, article_ids: list[str]) -> None:
    """Remember a fetched page (inside the transaction that stores its articles)."""
    for url in dict.fromkeys((state.url, state.final)):
        conn.execute(
            "INSERT INTO fetched_pages(url, kind, etag, last_modified, listed_in, articles,"
            " article_id) VALUES (?, 'page', ?, ?, ?, ?, ?)"
            " ON CONFLICT(url) DO UPDATE SET etag=excluded.etag,"
            " last_modified=excluded.last_modified, articles=excluded.articles,"
            " article_id=COALESCE(excluded.article_id, article_id),"
            " fetched_at=strftime('%Y-%m-%dT%H:%M:%SZ','now')",
            (
                url,
                state.validators.etag,
                state.validators.last_modified,
                state.listed_in,
                len(article_ids),
                article_ids[0] if article_ids else None,
            ),
        )


def record_unreadable(conn: sqlite3.Connection, url: str) -> None:
    """Remember a listed page that failed for good: stored as a page with no articles, so a
    feed or sitemap listing it again skips it."""
    conn.execute(
        "INSERT OR IGNORE INTO fetched_pages(url, kind, articles) VALUES (?, 'page', 0)", (url,)
    )


def record_listing(conn: sqlite3.Connection, url: str, validators: Validators) -> None:
    """Remember a feed or sitemap's validators once all its pages are stored."""
    conn.execute(
        "INSERT INTO fetched_pages(url, kind, etag, last_modified) VALUES (?, 'listing', ?, ?)"
        " ON CONFLICT(url) DO UPDATE SET etag=excluded.etag,"
        " last_modified=excluded.last_modified,"
        " fetched_at=strftime('%Y-%m-%dT%H:%M:%SZ','now')",
        (url, validators.etag, validators.last_modified),
    )


# --------------------------------------------------------------------------- outlets


def outlets(store: Store) -> list[Outlet]:
    rows = store.conn.execute(
        "SELECT domain, name, country, language, origin FROM outlets ORDER BY domain"
    )
    return [Outlet(*r) for r in rows]


def outlet(store: Store, domain: str) -> Outlet | None:
    row = store.conn.execute(
        "SELECT domain, name, country, language, origin FROM outlets WHERE domain = ?",
        (domain,),
    ).fetchone()
    return Outlet(*row) if row else None


def learn_outlet(conn: sqlite3.Connection, entry: Outlet) -> None:
    """Add a domain the registry does not know yet (never overwrites an entry)."""
    conn.execute(
        "INSERT OR IGNORE INTO outlets(domain, name, country, language, origin) VALUES (?,?,?,?,?)",
        (entry.domain, entry.name, entry.country, entry.language, entry.origin),
    )


def set_outlet(store: Store, entry: Outlet) -> None:
    """Create or edit a registry entry by hand (origin ``user``: it then names the outlet of
    every page from that domain ingested afterwards)."""
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO outlets(domain, name, country, language, origin) VALUES (?,?,?,?,'user')"
            " ON CONFLICT(domain) DO UPDATE SET name=excluded.name,"
            " country=COALESCE(excluded.country, country),"
            " language=COALESCE(excluded.language, language), origin='user',"
            " updated_at=strftime('%Y-%m-%dT%H:%M:%SZ','now')",
            (entry.domain, entry.name, entry.country, entry.language),
        )


def remove_outlet(store: Store, domain: str) -> bool:
    with store.transaction() as conn:
        return conn.execute("DELETE FROM outlets WHERE domain = ?", (domain,)).rowcount > 0


# --------------------------------------------------------------------------- watch


def seen_ids(store: Store, kind: str) -> set[str]:
    """Stories / events / contested claims a watch has reported already."""
    rows = store.conn.execute("SELECT id FROM watch_seen WHERE kind = ?", (kind,))
    return {r[0] for r in rows}


def mark_seen(store: Store, seen: dict[str, list[str]], state: dict[str, str]) -> None:
    """Record reported ids and watch state (last poll ...) in one transaction."""
    with store.transaction() as conn:
        for kind, ids in seen.items():
            conn.executemany(
                "INSERT OR IGNORE INTO watch_seen(kind, id) VALUES (?, ?)",
                [(kind, i) for i in ids],
            )
        for key, value in state.items():
            conn.execute(
                "INSERT INTO watch_state(key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )


def watch_state(store: Store, key: str) -> str | None:
    row = store.conn.execute("SELECT value FROM watch_state WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


# --------------------------------------------------------------------------- searches


def match_articles(
    store: Store,
    *,
    text: tuple[str, ...] = (),
    ids: set[str] | None = None,
    outlets: tuple[str, ...] = (),
    since: str | None = None,
    until: str | None = None,
    after_seq: int = 0,
) -> list[tuple[int, str]]:
    """(seq, id) of articles matching every given condition, in ingest order: all full-text
    ``text`` terms (FTS5, quoted term by term), ``ids`` (None: any), any of ``outlets`` (the
    outlet's name, or a domain of the article's address or of the registry), the dates."""
    if ids is not None and not ids:
        return []
    sql = ["SELECT a.seq, a.id FROM articles a"]
    where: list[str] = ["a.seq > ?"]
    params: list[object] = [after_seq]
    if text:
        sql.append("JOIN articles_fts f ON f.rowid = a.seq")
        where.append("articles_fts MATCH ?")
        params.append(" ".join('"' + t.replace('"', " ") + '"' for t in text))
    if outlets:
        alternatives = []
        for outlet in outlets:
            domain = outlet.lower().removeprefix("www.")
            alternatives.append(
                "(a.outlet = ? COLLATE NOCASE OR a.outlet IN"
                " (SELECT name FROM outlets WHERE domain = ?)"
                " OR a.url LIKE ? ESCAPE '\\' OR a.url LIKE ? ESCAPE '\\'"
                " OR a.url LIKE ? ESCAPE '\\')"
            )
            like = domain.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params += [outlet, domain, f"%://{like}/%", f"%://{like}:%", f"%.{like}/%"]
        where.append("(" + " OR ".join(alternatives) + ")")
    if since:
        where.append("a.published >= ?")
        params.append(since)
    if until:
        where.append("a.published <= ?")
        params.append(until)
    query = " ".join(sql) + " WHERE " + " AND ".join(where) + " ORDER BY a.seq"
    rows = [(r[0], r[1]) for r in store.conn.execute(query, params)]
    if ids is not None:
        rows = [r for r in rows if r[1] in ids]
    return rows


def latest_seq(store: Store) -> int:
    return store.conn.execute("SELECT COALESCE(MAX(seq), 0) FROM articles").fetchone()[0]


def save_search(store: Store, name: str, query: str) -> SavedSearch:
    """Create or replace a saved search; its alerts start from the articles stored now."""
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO saved_searches(name, query, last_seq) VALUES (?, ?, ?)"
            " ON CONFLICT(name) DO UPDATE SET query = excluded.query,"
            " last_seq = excluded.last_seq",
            (name, query, latest_seq(store)),
        )
    found = saved_search(store, name)
    assert found is not None
    return found


def saved_searches(store: Store) -> list[SavedSearch]:
    rows = store.conn.execute(
        "SELECT name, query, last_seq, created_at, checked_at FROM saved_searches ORDER BY name"
    )
    return [SavedSearch(*r) for r in rows]


def saved_search(store: Store, name: str) -> SavedSearch | None:
    row = store.conn.execute(
        "SELECT name, query, last_seq, created_at, checked_at FROM saved_searches WHERE name = ?",
        (name,),
    ).fetchone()
    return SavedSearch(*row) if row else None


def mark_checked(store: Store, checked: dict[str, int]) -> None:
    """Move saved searches' alert marks to the given article seq, in one transaction."""
    with store.transaction() as conn:
        for name, seq in checked.items():
            conn.execute(
                "UPDATE saved_searches SET last_seq = MAX(last_seq, ?),"
                " checked_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE name = ?",
                (seq, name),
            )


def delete_search(store: Store, name: str) -> bool:
    with store.transaction() as conn:
        return conn.execute("DELETE FROM saved_searches WHERE name = ?", (name,)).rowcount > 0


# --------------------------------------------------------------------------- attention


def articles_per_day(
    store: Store, *, ids: Iterable[str] | None = None, outlet: str | None = None
) -> list[tuple[str, int]]:
    """(publication day, articles) for the given articles (or one outlet's), by day; articles
    without a date are left out."""
    if ids is not None:
        counts: dict[str, int] = {}
        for chunk, marks in id_chunks(ids):
            for day, n in store.conn.execute(
                f"SELECT published, COUNT(*) FROM articles WHERE id IN ({marks})"
                " AND published IS NOT NULL GROUP BY published",
                chunk,
            ):
                counts[day] = counts.get(day, 0) + n
        return sorted(counts.items())
    rows = store.conn.execute(
        "SELECT published, COUNT(*) FROM articles WHERE published IS NOT NULL"
        + (" AND outlet = ? COLLATE NOCASE" if outlet else "")
        + " GROUP BY published ORDER BY published",
        (outlet,) if outlet else (),
    )
    return [(r[0], r[1]) for r in rows]


def outlets_of(store: Store, ids: Iterable[str]) -> dict[str, str | None]:
    """article id -> outlet, or the wire agency of a page that names no outlet (the name a
    briefing gives its source line)."""
    found: dict[str, str | None] = {}
    for chunk, marks in id_chunks(ids):
        found.update(
            store.conn.execute(
                f"SELECT id, COALESCE(outlet, agency) FROM articles WHERE id IN ({marks})", chunk
            )
        )
    return found


def outlet_counts(store: Store) -> dict[str, int]:
    """outlet -> articles stored (articles without an outlet left out)."""
    rows = store.conn.execute(
        "SELECT outlet, COUNT(*) FROM articles WHERE outlet IS NOT NULL GROUP BY outlet"
    )
    return {r[0]: r[1] for r in rows}


__all__ = [
    "MIGRATIONS",
    "SavedSearch",
    "articles_per_day",
    "delete_search",
    "latest_seq",
    "mark_checked",
    "match_articles",
    "outlet_counts",
    "outlets_of",
    "save_search",
    "saved_search",
    "saved_searches",
    "Outlet",
    "StoredPages",
    "learn_outlet",
    "mark_seen",
    "outlet",
    "outlets",
    "record_listing",
    "record_page",
    "record_unreadable",
    "remove_outlet",
    "seen_ids",
    "set_outlet",
    "watch_state",
]
