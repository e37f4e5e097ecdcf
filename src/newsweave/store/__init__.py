"""The embedded store: SQLite with WAL and an FTS5 index. The only code that knows SQL.

Core article tables live here; each later stage keeps its tables and queries in its own
module beside this one (``store/copies.py`` ...) and registers its migrations in
``schema.MIGRATIONS``. Writes happen inside :meth:`Store.transaction`, one per batch, so a
crash leaves the store as it was after the last committed batch.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time as _clock  # not "time": the package has a store.time submodule
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from newsweave.errors import StoreError
from newsweave.records import Article, Evidence
from newsweave.store import schema

ARTICLE_COLUMNS = (
    "id, source_path, title, outlet, agency, dateline, published, url, text, removed, evidence"
)


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    """Filters for listing articles; every field optional."""

    since: str | None = None  # ISO date, inclusive
    until: str | None = None  # ISO date, inclusive
    outlet: str | None = None
    agency: str | None = None
    ids: tuple[str, ...] | None = None
    limit: int | None = None
    offset: int = 0


# SQLite allows at most 999 bound parameters in older builds: IN lists go in chunks.
IN_CHUNK = 500


def id_chunks(ids: Iterable[str], size: int = IN_CHUNK) -> Iterator[tuple[list[str], str]]:
    """``(chunk, "?,?,...")`` pairs for ``WHERE x IN (...)`` queries over many ids."""
    ids = list(ids)
    for i in range(0, len(ids), size):
        chunk = ids[i : i + size]
        yield chunk, ",".join("?" * len(chunk))


def _row_to_article(row: sqlite3.Row | tuple) -> Article:
    (aid, source_path, title, outlet, agency, dateline, published, url, text, removed, evidence) = (
        tuple(row)
    )
    return Article(
        id=aid,
        source_path=source_path,
        title=title,
        outlet=outlet,
        agency=agency,
        dateline=dateline,
        published=published,
        url=url,
        text=text,
        removed=tuple(json.loads(removed)),
        evidence=tuple(Evidence(**e) for e in json.loads(evidence)),
    )


# What each SQLite failure means for the person running newsweave, by SQLite's error name
# (first match of the name's prefix), with what to do about it.
_FAULTS = (
    (
        "SQLITE_FULL",
        "disk full while writing the store; committed batches are kept, free space and run again",
    ),
    ("SQLITE_READONLY", "store is read-only (the file or its folder is not writable)"),
    (
        "SQLITE_CANTOPEN",
        "cannot open the store file (missing folder, or no permission on it or its folder)",
    ),
    ("SQLITE_CORRUPT", "store is corrupt; restore a backup or ingest again into a new store"),
    ("SQLITE_NOTADB", "not a newsweave store (not an SQLite database, or corrupt)"),
    ("SQLITE_BUSY", "store is busy (another process holds it too long); try again"),
    ("SQLITE_LOCKED", "store is busy (another process holds it too long); try again"),
    ("SQLITE_IOERR", "input/output error on the store (disk full, removed, or failing)"),
    ("SQLITE_PERM", "no permission to use the store file"),
    ("SQLITE_NOMEM", "out of memory while using the store"),
)


# SQLite versions without error names on exceptions: the same faults by their message.
_BY_MESSAGE = (
    ("disk is full", "SQLITE_FULL"),
    ("readonly", "SQLITE_READONLY"),
    ("unable to open", "SQLITE_CANTOPEN"),
    ("malformed", "SQLITE_CORRUPT"),
    ("not a database", "SQLITE_NOTADB"),
    ("locked", "SQLITE_BUSY"),
    ("disk I/O", "SQLITE_IOERR"),
)


def store_error(path: str, exc: sqlite3.Error, *, opening: bool = False) -> StoreError:
    """The one mapping from an sqlite3 exception to a one-line :class:`StoreError` naming the
    store and what went wrong (disk full, read-only, corrupt, ...). Front ends print it."""
    message = " ".join(str(exc).split())
    name = getattr(exc, "sqlite_errorname", None) or next(
        (n for text, n in _BY_MESSAGE if text in message), ""
    )
    meaning = next((m for prefix, m in _FAULTS if name.startswith(prefix)), "store error")
    action = "cannot open store: " if opening else ""
    return StoreError(f"{path}: {action}{meaning} ({message})")


# Attempts at the open sequence when SQLite reports a lock conflict it does not wait out.
_OPEN_RETRIES = 5
_CONTROL = re.compile("[\x00-\x1f\x7f]")


class Store:
    """A newsweave database. Open with ``Store(path)``; ``":memory:"`` works for tests."""

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        """Open (creating when missing, unless ``read_only``) and migrate the store.

        The one open path: safe when several processes create the same new store at once
        (migrations run under SQLite's write lock), version-checked (a store from a newer
        newsweave raises :class:`~newsweave.store.schema.NewerStoreError` before anything is
        written), and every SQLite failure becomes a one-line :class:`StoreError`.
        """
        self.path = str(path)
        try:
            if read_only:
                uri = f"file:{Path(self.path).resolve()}?mode=ro"
                self.conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            else:
                if self.path != ":memory:":
                    Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                self.conn = sqlite3.connect(self.path, check_same_thread=False)
            # Autocommit mode: transactions are explicit (BEGIN IMMEDIATE in transaction()).
            self.conn.isolation_level = None
            self.conn.execute("PRAGMA busy_timeout = 10000")
            self._prepare(read_only)
        except StoreError as exc:  # a newer schema: keep the type, name the store
            self._close_quietly()
            exc.args = (f"{self.path}: cannot open store: {exc}",)
            raise
        except sqlite3.Error as exc:
            self._close_quietly()
            raise store_error(self.path, exc, opening=True) from exc
        except OSError as exc:  # the folder could not be created
            reason = exc.strerror or exc
            raise StoreError(
                f"{self.path}: cannot open store: cannot create its folder ({reason})"
            ) from exc

    def _prepare(self, read_only: bool) -> None:
        """Version check, then (for writers) WAL and migrations. SQLite answers some lock
        conflicts of a store being created by several processes at once with an immediate
        SQLITE_BUSY that bypasses busy_timeout (switching a new file to WAL while another
        process holds a lock on it); every step here is idempotent, so retry a few times."""
        for attempt in range(_OPEN_RETRIES):
            try:
                schema.check_version(self.conn)  # before the first write below
                if not read_only:
                    self.conn.execute("PRAGMA journal_mode = WAL")
                    self.conn.execute("PRAGMA synchronous = NORMAL")
                    self.conn.execute("PRAGMA foreign_keys = ON")
                    schema.migrate(self.conn)
                return
            except sqlite3.OperationalError as exc:
                busy = "locked" in str(exc) or "busy" in str(exc)
                if not busy or attempt == _OPEN_RETRIES - 1:
                    raise
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                _clock.sleep(0.1 * (attempt + 1))

    def _close_quietly(self) -> None:
        conn = getattr(self, "conn", None)
        if conn is not None:
            conn.close()

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic batch: everything inside commits together or not at all."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    # ------------------------------------------------------------------ migrations

    def applied_migrations(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM migrations ORDER BY rowid")]

    # ------------------------------------------------------------------ articles

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for chunk, marks in id_chunks(ids):
            found.update(
                r[0]
                for r in self.conn.execute(f"SELECT id FROM articles WHERE id IN ({marks})", chunk)
            )
        return found

    def insert_articles(self, conn: sqlite3.Connection, articles: Iterable[Article]) -> int:
        """Insert articles not yet stored (call inside :meth:`transaction`); return count added."""
        next_seq = conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM articles").fetchone()[0]
        added = 0
        for art in articles:
            cur = conn.execute(
                "INSERT OR IGNORE INTO articles (id, seq, source_path, title, outlet, agency,"
                " dateline, published, url, text, removed, evidence)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    art.id,
                    next_seq,
                    art.source_path,
                    art.title,
                    art.outlet,
                    art.agency,
                    art.dateline,
                    art.published,
                    art.url,
                    art.text,
                    json.dumps(list(art.removed)),
                    json.dumps([asdict(e) for e in art.evidence]),
                ),
            )
            if cur.rowcount:
                added += 1
                next_seq += 1
        return added

    def record_file(
        self, conn: sqlite3.Connection, source_path: str, fingerprint: str, articles: int
    ) -> None:
        conn.execute(
            "INSERT INTO ingested_files(source_path, fingerprint, articles) VALUES (?,?,?)"
            " ON CONFLICT(source_path) DO UPDATE SET fingerprint=excluded.fingerprint,"
            " articles=excluded.articles",
            (source_path, fingerprint, articles),
        )

    def ingested_file(self, source_path: str) -> tuple[str, int] | None:
        """(fingerprint, article count) recorded when the file's batch committed."""
        row = self.conn.execute(
            "SELECT fingerprint, articles FROM ingested_files WHERE source_path = ?",
            (source_path,),
        ).fetchone()
        return (row[0], row[1]) if row else None

    def unprocessed_article_ids(self, done_table: str, limit: int | None = None) -> list[str]:
        """Ids of stored articles without a row in a stage's ``done_table`` (a table with an
        ``article_id`` column, named by the stage's code, never by input), in ingest order."""
        sql = (
            f"SELECT a.id FROM articles a LEFT JOIN {done_table} d ON d.article_id = a.id"
            " WHERE d.article_id IS NULL ORDER BY a.seq"
        )
        params: tuple = ()
        if limit is not None:
            sql += " LIMIT ?"
            params = (limit,)
        return [r[0] for r in self.conn.execute(sql, params)]

    def article(self, article_id: str) -> Article | None:
        """One article by id, or by a unique id prefix (as shown in tables)."""
        row = self.conn.execute(
            f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None and 4 <= len(article_id) < 64:
            rows = self.conn.execute(
                f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id >= ? AND id < ? LIMIT 2",
                (article_id, article_id + "\uffff"),
            ).fetchall()
            row = rows[0] if len(rows) == 1 else None
        return _row_to_article(row) if row else None

    def articles(self, flt: ArticleFilter | None = None) -> list[Article]:
        """Articles in ingest order, optionally filtered."""
        flt = flt or ArticleFilter()
        where, params = [], []
        if flt.since:
            where.append("published >= ?")
            params.append(flt.since)
        if flt.until:
            where.append("published <= ?")
            params.append(flt.until)
        if flt.outlet:
            where.append("outlet = ? COLLATE NOCASE")
            params.append(flt.outlet)
        if flt.agency:
            where.append("agency = ? COLLATE NOCASE")
            params.append(flt.agency)
        if flt.ids is not None:
            if not flt.ids:
                return []
            where.append(f"id IN ({','.join('?' * len(flt.ids))})")
            params.extend(flt.ids)
        sql = f"SELECT {ARTICLE_COLUMNS} FROM articles"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY seq"
        if flt.limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params.extend([flt.limit, flt.offset])
        return [_row_to_article(r) for r in self.conn.execute(sql, params)]

    def iter_articles(self, batch: int = 500) -> Iterator[Article]:
        """All articles in ingest order, streamed in batches (bounded memory)."""
        last = 0
        while True:
            rows = self.conn.execute(
                f"SELECT seq, {ARTICLE_COLUMNS} FROM articles WHERE seq > ? ORDER BY seq LIMIT ?",
                (last, batch),
            ).fetchall()
            if not rows:
                return
            for row in rows:
                last = row[0]
                yield _row_to_article(row[1:])

    def article_ids(self) -> list[str]:
        """Every article id, in ingest order (no text is read)."""
        return [r[0] for r in self.conn.execute("SELECT id FROM articles ORDER BY seq")]

    def published_dates(self, ids: Iterable[str] | None = None) -> dict[str, str | None]:
        """article id -> its publication date (ISO text), for every stored article, or for
        the stored ones of ``ids`` (no text is read)."""
        if ids is None:
            return dict(self.conn.execute("SELECT id, published FROM articles").fetchall())
        out: dict[str, str | None] = {}
        for chunk, marks in id_chunks(ids):
            out.update(
                self.conn.execute(
                    f"SELECT id, published FROM articles WHERE id IN ({marks})", chunk
                ).fetchall()
            )
        return out

    def article_count(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

    def search(self, query: str, limit: int = 20) -> list[tuple[Article, str]]:
        """Full-text search (FTS5, porter stemming). Returns (article, highlighted snippet).

        The query is passed as a bound parameter and quoted term by term, so user input
        never becomes FTS syntax or SQL. Alias-aware: a run of terms that is an alias of a
        resolved entity matches any of that entity's aliases ("AK-203" finds "AK203" and
        "AK-47 203"; see :meth:`_alias_groups`).
        """
        # A NUL would end the query inside SQLite's FTS parser ("unterminated string"):
        # control characters separate words, like spaces.
        query = _CONTROL.sub(" ", query)
        terms = [t for t in query.replace('"', " ").split() if t]
        if not terms:
            return []
        fts_query = " AND ".join(
            "(" + " OR ".join(f'"{a}"' for a in group) + ")" if len(group) > 1 else f'"{group[0]}"'
            for group in self._alias_groups(terms)
        )
        rows = self.conn.execute(
            f"SELECT {', '.join('a.' + c.strip() for c in ARTICLE_COLUMNS.split(','))},"
            " snippet(articles_fts, 1, '[', ']', ' … ', 12)"
            " FROM articles_fts JOIN articles a ON a.seq = articles_fts.rowid"
            " WHERE articles_fts MATCH ? ORDER BY rank LIMIT ?",
            (fts_query, limit),
        ).fetchall()
        return [(_row_to_article(r[:-1]), r[-1]) for r in rows]

    def _alias_groups(self, terms: list[str]) -> list[list[str]]:
        """The query terms as groups of alternatives: the longest run of terms that is an
        entity alias becomes all aliases of that entity (the query itself first)."""
        has_aliases = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'aliases'"
        ).fetchone()
        if not has_aliases:
            return [[t] for t in terms]
        out: list[list[str]] = []
        i = 0
        while i < len(terms):
            for j in range(len(terms), i, -1):
                phrase = " ".join(terms[i:j])
                rows = self.conn.execute(
                    "SELECT DISTINCT b.alias FROM aliases a JOIN aliases b"
                    " ON a.entity_id = b.entity_id WHERE a.alias = ? COLLATE NOCASE"
                    " ORDER BY b.alias LIMIT 20",
                    (phrase,),
                ).fetchall()
                if rows or j == i + 1:
                    alts = [phrase] + [
                        _CONTROL.sub(" ", r[0]).replace('"', " ") for r in rows if r[0] != phrase
                    ]
                    out.append(list(dict.fromkeys(alts)))
                    i = j
                    break
        return out

    def integrity_check(self) -> str:
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0]


__all__ = ["ArticleFilter", "Store", "StoreError", "id_chunks", "store_error"]
