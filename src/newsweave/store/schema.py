"""Schema migrations, recorded in the database (table ``migrations``).

Each stage owns a named, ordered list of migrations. A migration runs once; its name is
recorded in the same transaction, so re-running :func:`migrate` is always safe. The recorded
names are also the schema version: a store recording a name this code does not know was
written by a newer newsweave and is refused (:class:`NewerStoreError`), never written to. Stage
store modules are listed in :func:`all_migrations` in pipeline order; never edit an applied
migration, append a new one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from newsweave.errors import StoreError

CORE = [
    (
        "core/0001_articles",
        """
        CREATE TABLE articles (
            id          TEXT PRIMARY KEY,
            seq         INTEGER NOT NULL UNIQUE,
            source_path TEXT NOT NULL,
            title       TEXT,
            outlet      TEXT,
            agency      TEXT,
            dateline    TEXT,
            published   TEXT,
            url         TEXT,
            text        TEXT NOT NULL,
            removed     TEXT NOT NULL DEFAULT '[]',
            evidence    TEXT NOT NULL DEFAULT '[]',
            ingested_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
        );
        CREATE INDEX articles_published ON articles(published);
        CREATE INDEX articles_outlet ON articles(outlet);
        CREATE VIRTUAL TABLE articles_fts USING fts5(
            title, text, content='articles', content_rowid='seq', tokenize='porter unicode61'
        );
        CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts(rowid, title, text) VALUES (new.seq, new.title, new.text);
        END;
        CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, text)
            VALUES ('delete', old.seq, old.title, old.text);
        END;
        CREATE TABLE ingested_files (
            source_path TEXT PRIMARY KEY,
            fingerprint TEXT NOT NULL,
            articles    INTEGER NOT NULL
        );
        """,
    ),
]

# Each stage keeps its tables in ``newsweave/store/<stage>.py`` as a module-level
# ``MIGRATIONS`` list of (unique name "stage/NNNN_what", SQL script). They are applied in
# pipeline order after the core ones; a new stage module is one line in the tuple below.


def all_migrations() -> list[tuple[str, str]]:
    """Core migrations, then each stage module's, in pipeline order."""
    # Imported here, not at the top: each stage's store module imports Store from the
    # package that imports this module.
    from newsweave.store import claims, copies, group, nlp, settings, sources, time

    migrations = list(CORE)
    for module in (copies, nlp, time, group, claims, sources, settings):
        migrations.extend(module.MIGRATIONS)
    return migrations


class NewerStoreError(StoreError):
    """The store records migrations this newsweave does not know: a newer version wrote it."""

    def __init__(self, unknown: list[str]) -> None:
        shown = ", ".join(unknown[:3]) + (" ..." if len(unknown) > 3 else "")
        super().__init__(
            f"store was written by a newer newsweave (schema {shown}); upgrade newsweave to"
            " open it (the store was not changed)"
        )
        self.unknown = unknown


def _statements(script: str) -> Iterator[str]:
    """The SQL statements of a migration script, one by one (triggers' inner ``;`` kept)."""
    buf = ""
    for piece in script.split(";"):
        buf += piece + ";"
        if sqlite3.complete_statement(buf):
            if buf.strip(" \n\t;"):
                yield buf.strip()
            buf = ""
    if buf.strip(" \n\t;"):
        yield buf.strip()


def _recorded(conn: sqlite3.Connection) -> list[str] | None:
    """Names in the ``migrations`` table (None when the store has no such table yet)."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migrations'"
    ).fetchone()
    if not exists:
        return None
    return [row[0] for row in conn.execute("SELECT name FROM migrations ORDER BY rowid")]


def check_version(conn: sqlite3.Connection) -> None:
    """Raise :class:`NewerStoreError` when the store holds migrations this code lacks."""
    known = {name for name, _ in all_migrations()}
    unknown = [name for name in _recorded(conn) or [] if name not in known]
    if unknown:
        raise NewerStoreError(unknown)


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply every registered migration not yet recorded; return the names applied.

    Race-free: the pending list is re-read under SQLite's write lock (``BEGIN IMMEDIATE``)
    and every pending migration is applied with its record in that one transaction, so two
    processes creating the same new store at once both succeed (the second finds nothing
    left to do), and a crash leaves the store as before. A store that records a migration
    this code does not know (a newer newsweave wrote it) is refused before anything is
    written. ``conn`` must be in autocommit mode (``isolation_level = None``).
    """
    migrations = all_migrations()
    names = {name for name, _ in migrations}
    recorded = _recorded(conn)
    if recorded is not None:
        unknown = [name for name in recorded if name not in names]
        if unknown:
            raise NewerStoreError(unknown)
        if names <= set(recorded):
            return []
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS migrations ("
            " name TEXT PRIMARY KEY,"
            " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')))"
        )
        done = set(_recorded(conn) or [])
        unknown = sorted(done - names)
        if unknown:
            raise NewerStoreError(unknown)
        applied = []
        for name, script in migrations:
            if name in done:
                continue
            for statement in _statements(script):
                conn.execute(statement)
            conn.execute("INSERT INTO migrations(name) VALUES (?)", (name,))
            applied.append(name)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return applied
