"""Schema migrations, recorded in the database (table ``migrations``).

Each stage owns a named, ordered list of migrations. A migration runs once; its name is
recorded in the same transaction, so re-running :func:`migrate` is always safe. Stages
add their lists to :data:`MIGRATIONS` in pipeline order; never edit an applied migration,
append a new one.
"""

from __future__ import annotations

import importlib
import sqlite3

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
# pipeline order after the core ones.
STAGE_MODULES = ("copies", "nlp", "time", "group", "claims", "sources")


def all_migrations() -> list[tuple[str, str]]:
    """Core migrations, then each stage module's, in pipeline order."""
    migrations = list(CORE)
    for name in STAGE_MODULES:
        try:
            module = importlib.import_module(f"newsweave.store.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"newsweave.store.{name}":
                raise
            continue
        migrations.extend(getattr(module, "MIGRATIONS", []))
    return migrations


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply every registered migration not yet recorded; return the names applied."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS migrations ("
        " name TEXT PRIMARY KEY,"
        " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')))"
    )
    done = {row[0] for row in conn.execute("SELECT name FROM migrations")}
    applied = []
    for name, script in all_migrations():
        if name in done:
            continue
        # executescript() commits first; wrap the script so it and its record are atomic.
        conn.executescript(
            "BEGIN;\n" + script + f"\nINSERT INTO migrations(name) VALUES ('{name}');\nCOMMIT;"
        )
        applied.append(name)
    return applied
