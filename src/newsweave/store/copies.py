"""Tables and queries of the copies stage.

- ``copy_signatures``: one row per article the stage has fingerprinted — its anchors
  (uint32 little-endian blob, ≤ 4 × ``max_anchors`` bytes) and word count. This is the
  persistent index: a later run rebuilds the in-memory anchor index from these rows and
  checks new articles against it without re-reading old texts (only the texts of candidate
  pairs are read back, to verify them exactly).
- ``copy_links`` / ``copy_passages``: verified copy relations between two articles
  (canonical order ``a < b``) with their scores and aligned passage spans.
- ``copy_groups``: connected components of links, per kind (rebuilt from the links).
- ``source_groups``: article -> independent source group (rebuilt from the links).
- ``copy_groups_pending``: articles whose groups a batch may have changed (new articles,
  both ends of a link found or removed), written in the batch's transaction; the groups
  of the linked region around them are rebuilt, and the rows cleared, in one transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence

from newsweave.copies import SIGNATURE_VERSION, PairResult, Signature
from newsweave.records import CopyGroup, CopyLink, Span
from newsweave.store import Store

MIGRATIONS: list[tuple[str, str]] = [
    (
        "copies/0001_links",
        """
        CREATE TABLE copy_signatures (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            version    INTEGER NOT NULL,
            n_words    INTEGER NOT NULL,
            anchors    BLOB NOT NULL
        );
        CREATE TABLE copy_links (
            a           TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            b           TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            kind        TEXT NOT NULL,
            similarity  REAL NOT NULL,
            jaccard     REAL NOT NULL,
            containment REAL NOT NULL,
            reused_a    REAL NOT NULL,
            reused_b    REAL NOT NULL,
            same_source INTEGER NOT NULL,
            PRIMARY KEY (a, b)
        );
        CREATE INDEX copy_links_b ON copy_links(b);
        CREATE TABLE copy_passages (
            a       TEXT NOT NULL,
            b       TEXT NOT NULL,
            n       INTEGER NOT NULL,
            a_start INTEGER NOT NULL,
            a_end   INTEGER NOT NULL,
            b_start INTEGER NOT NULL,
            b_end   INTEGER NOT NULL,
            PRIMARY KEY (a, b, n),
            FOREIGN KEY (a, b) REFERENCES copy_links(a, b) ON DELETE CASCADE
        );
        CREATE TABLE copy_groups (
            id       TEXT PRIMARY KEY,
            kind     TEXT NOT NULL,
            articles TEXT NOT NULL,
            passages TEXT NOT NULL
        );
        CREATE TABLE source_groups (
            article_id   TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            source_group TEXT NOT NULL
        );
        CREATE INDEX source_groups_group ON source_groups(source_group);
        """,
    ),
    (
        "copies/0002_groups_pending",
        """
        -- articles whose copy and source groups are to be rebuilt (only the linked region
        -- around them is regrouped, not every link on each delivery)
        CREATE TABLE copy_groups_pending (article_id TEXT PRIMARY KEY);
        -- a store grouped before this table existed: its groups are current
        """,
    ),
]

_LINK_COLS = "a, b, kind, similarity, jaccard, containment, reused_a, reused_b, same_source"


# --------------------------------------------------------------------------- signatures


def unsigned_article_ids(store: Store, limit: int | None = None) -> list[str]:
    """Ids of stored articles without a current signature, in ingest order."""
    sql = (
        "SELECT a.id FROM articles a LEFT JOIN copy_signatures s"
        " ON s.article_id = a.id AND s.version = ?"
        " WHERE s.article_id IS NULL ORDER BY a.seq"
    )
    params: tuple = (SIGNATURE_VERSION,)
    if limit is not None:
        sql += " LIMIT ?"
        params += (limit,)
    return [r[0] for r in store.conn.execute(sql, params)]


def iter_signatures(store: Store, batch: int = 5000) -> Iterator[Signature]:
    """Every current signature, streamed in ingest order (bounded memory per batch)."""
    last = 0
    while True:
        rows = store.conn.execute(
            "SELECT a.seq, s.article_id, s.n_words, s.anchors FROM copy_signatures s"
            " JOIN articles a ON a.id = s.article_id"
            " WHERE s.version = ? AND a.seq > ? ORDER BY a.seq LIMIT ?",
            (SIGNATURE_VERSION, last, batch),
        ).fetchall()
        if not rows:
            return
        for seq, aid, n_words, blob in rows:
            last = seq
            yield Signature.from_bytes(aid, n_words, blob)


def signatures_of(store: Store, ids: Iterable[str]) -> dict[str, Signature]:
    """The current signatures of ``ids`` (those that have one)."""
    from newsweave.store import id_chunks

    out: dict[str, Signature] = {}
    for chunk, marks in id_chunks(sorted(set(ids))):
        for aid, n_words, blob in store.conn.execute(
            "SELECT article_id, n_words, anchors FROM copy_signatures"
            f" WHERE version = ? AND article_id IN ({marks})",
            (SIGNATURE_VERSION, *chunk),
        ):
            out[aid] = Signature.from_bytes(aid, n_words, blob)
    return out


def signature_bytes(store: Store) -> tuple[int, int]:
    """(articles with a signature, total bytes of their anchors): the persistent index size."""
    row = store.conn.execute(
        "SELECT COUNT(*), COALESCE(SUM(LENGTH(anchors)), 0) FROM copy_signatures"
    ).fetchone()
    return int(row[0]), int(row[1])


def save_batch(
    store: Store,
    signatures: Sequence[Signature],
    results: Iterable[PairResult],
    stale: Sequence[tuple[str, str]] = (),
) -> None:
    """Signatures of a batch of new articles, the links found for them and the removal of
    the ``stale`` links the batch made no longer candidates, atomically."""
    with store.transaction() as conn:
        conn.executemany("DELETE FROM copy_passages WHERE a = ? AND b = ?", stale)
        conn.executemany("DELETE FROM copy_links WHERE a = ? AND b = ?", stale)
        conn.executemany(
            "INSERT OR REPLACE INTO copy_signatures (article_id, version, n_words, anchors)"
            " VALUES (?,?,?,?)",
            [(s.article, SIGNATURE_VERSION, s.n_words, s.anchor_bytes()) for s in signatures],
        )
        results = list(results)
        for res in results:
            _save_link(conn, res)
        touched = {s.article for s in signatures} | {x for pair in stale for x in pair}
        touched |= {x for res in results for x in (res.link.a, res.link.b)}
        conn.executemany(
            "INSERT OR IGNORE INTO copy_groups_pending (article_id) VALUES (?)",
            [(a,) for a in sorted(touched)],
        )


def _save_link(conn: sqlite3.Connection, res: PairResult) -> None:
    lk = res.link
    conn.execute("DELETE FROM copy_passages WHERE a = ? AND b = ?", (lk.a, lk.b))
    conn.execute(
        f"INSERT OR REPLACE INTO copy_links ({_LINK_COLS}) VALUES (?,?,?,?,?,?,?,?,?)",
        (
            lk.a,
            lk.b,
            lk.kind,
            lk.similarity,
            res.jaccard,
            res.containment,
            res.reused_a,
            res.reused_b,
            int(res.same_source),
        ),
    )
    conn.executemany(
        "INSERT INTO copy_passages (a, b, n, a_start, a_end, b_start, b_end)"
        " VALUES (?,?,?,?,?,?,?)",
        [
            (lk.a, lk.b, n, pa.start, pa.end, pb.start, pb.end)
            for n, (pa, pb) in enumerate(lk.passages)
        ],
    )


# --------------------------------------------------------------------------- links


def _passages(store: Store) -> dict[tuple[str, str], list[tuple[Span, Span]]]:
    out: dict[tuple[str, str], list[tuple[Span, Span]]] = {}
    for a, b, a0, a1, b0, b1 in store.conn.execute(
        "SELECT a, b, a_start, a_end, b_start, b_end FROM copy_passages ORDER BY a, b, n"
    ):
        out.setdefault((a, b), []).append((Span(a, a0, a1), Span(b, b0, b1)))
    return out


def copy_links(
    store: Store, *, article: str | None = None, kind: str | None = None
) -> list[CopyLink]:
    """Verified copy links with their passages (all, or those touching one article)."""
    return [row[0] for row in link_rows(store, article=article, kind=kind)]


def link_rows(
    store: Store, *, article: str | None = None, kind: str | None = None
) -> list[tuple[CopyLink, dict[str, float | bool]]]:
    """Links plus their stored evidence: jaccard, containment, reused_a/b, same_source."""
    where, params = [], []
    if article is not None:
        where.append("(a = ? OR b = ?)")
        params += [article, article]
    if kind is not None:
        where.append("kind = ?")
        params.append(kind)
    sql = f"SELECT {_LINK_COLS} FROM copy_links"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY a, b"
    rows = store.conn.execute(sql, params).fetchall()
    passages = _passages(store) if rows else {}
    out = []
    for a, b, kd, sim, jac, cont, ra, rb, same in rows:
        link = CopyLink(kind=kd, a=a, b=b, similarity=sim, passages=tuple(passages.get((a, b), ())))
        out.append(
            (
                link,
                {
                    "jaccard": jac,
                    "containment": cont,
                    "reused_a": ra,
                    "reused_b": rb,
                    "same_source": bool(same),
                },
            )
        )
    return out


def link_pairs(store: Store) -> list[tuple[str, str]]:
    """Every stored link as ``(a, b)``, ``a < b``, without passages (cheap)."""
    return [(a, b) for a, b in store.conn.execute("SELECT a, b FROM copy_links ORDER BY a, b")]


def same_source_pairs(store: Store) -> list[tuple[str, str]]:
    """Linked pairs that count as one source (near-duplicates, mostly-reused texts)."""
    return [
        (a, b) for a, b in store.conn.execute("SELECT a, b FROM copy_links WHERE same_source = 1")
    ]


# --------------------------------------------------------------------------- groups


def pending_groups(store: Store) -> list[str]:
    """Articles whose copy and source groups are to be rebuilt (see the module docstring)."""
    return [r[0] for r in store.conn.execute("SELECT article_id FROM copy_groups_pending")]


def links_among(store: Store, ids: Iterable[str]) -> list[CopyLink]:
    """The links (with passages) whose first article is one of ``ids``, in the order
    :func:`copy_links` gives them: for a set closed under links, every link it holds."""
    from newsweave.store import id_chunks

    rows: list[tuple] = []
    passages: dict[tuple[str, str], list[tuple[Span, Span]]] = {}
    for chunk, marks in id_chunks(sorted(set(ids))):
        rows += store.conn.execute(
            f"SELECT a, b, kind, similarity FROM copy_links WHERE a IN ({marks})", chunk
        ).fetchall()
        for a, b, a0, a1, b0, b1 in store.conn.execute(
            "SELECT a, b, a_start, a_end, b_start, b_end FROM copy_passages"
            f" WHERE a IN ({marks}) ORDER BY a, b, n",
            chunk,
        ):
            passages.setdefault((a, b), []).append((Span(a, a0, a1), Span(b, b0, b1)))
    rows.sort(key=lambda r: (r[0], r[1]))
    return [
        CopyLink(kind=kd, a=a, b=b, similarity=sim, passages=tuple(passages.get((a, b), ())))
        for a, b, kd, sim in rows
    ]


def same_source_pairs_among(store: Store, ids: Iterable[str]) -> list[tuple[str, str]]:
    """:func:`same_source_pairs` whose first article is one of ``ids``."""
    from newsweave.store import id_chunks

    out: list[tuple[str, str]] = []
    for chunk, marks in id_chunks(sorted(set(ids))):
        out += store.conn.execute(
            f"SELECT a, b FROM copy_links WHERE same_source = 1 AND a IN ({marks})", chunk
        ).fetchall()
    return out


def save_region_groups(
    store: Store, region: set[str], groups: Iterable[CopyGroup], sources: dict[str, str]
) -> None:
    """Replace the copy groups holding an article of ``region`` (a set closed under links)
    and the source groups of its articles, and clear the pending rows, in one transaction."""
    with store.transaction() as conn:
        old = [
            gid
            for gid, arts in conn.execute("SELECT id, articles FROM copy_groups")
            if region.intersection(json.loads(arts))
        ]
        conn.executemany("DELETE FROM copy_groups WHERE id = ?", [(g,) for g in old])
        _insert_groups(conn, groups)
        conn.executemany(
            "DELETE FROM source_groups WHERE article_id = ?", [(a,) for a in sorted(region)]
        )
        conn.executemany(
            "INSERT INTO source_groups (article_id, source_group) VALUES (?,?)",
            sorted(sources.items()),
        )
        conn.execute("DELETE FROM copy_groups_pending")


def _insert_groups(conn: sqlite3.Connection, groups: Iterable[CopyGroup]) -> None:
    conn.executemany(
        "INSERT INTO copy_groups (id, kind, articles, passages) VALUES (?,?,?,?)",
        [
            (
                g.id,
                g.kind,
                json.dumps(list(g.articles)),
                json.dumps([[p.article, p.start, p.end] for p in g.passages]),
            )
            for g in groups
        ],
    )


def save_groups(store: Store, groups: Iterable[CopyGroup], sources: dict[str, str]) -> None:
    """Replace the copy groups and the source groups (and clear the pending rows) in one
    transaction."""
    with store.transaction() as conn:
        conn.execute("DELETE FROM copy_groups_pending")
        conn.execute("DELETE FROM copy_groups")
        _insert_groups(conn, groups)
        conn.execute("DELETE FROM source_groups")
        conn.executemany(
            "INSERT INTO source_groups (article_id, source_group) VALUES (?,?)",
            sorted(sources.items()),
        )


def copy_groups(
    store: Store, *, kind: str | None = None, article: str | None = None
) -> list[CopyGroup]:
    """Stored copy groups (largest first), optionally of one kind or holding one article."""
    sql = "SELECT id, kind, articles, passages FROM copy_groups"
    params: tuple = ()
    if kind is not None:
        sql += " WHERE kind = ?"
        params = (kind,)
    groups = []
    for gid, kd, arts, passages in store.conn.execute(sql, params):
        members = tuple(json.loads(arts))
        if article is not None and article not in members:
            continue
        groups.append(
            CopyGroup(
                id=gid,
                kind=kd,
                articles=members,
                passages=tuple(Span(a, s, e) for a, s, e in json.loads(passages)),
            )
        )
    groups.sort(key=lambda g: (g.kind != "near-duplicate", -len(g.articles), g.id))
    return groups


def source_groups(store: Store) -> dict[str, str]:
    """article id -> independent source group id (every analysed article has one)."""
    return dict(store.conn.execute("SELECT article_id, source_group FROM source_groups"))


def source_group_of(store: Store, article_id: str) -> str | None:
    row = store.conn.execute(
        "SELECT source_group FROM source_groups WHERE article_id = ?", (article_id,)
    ).fetchone()
    return row[0] if row else None


def source_group_members(store: Store, group: str) -> list[str]:
    return [
        r[0]
        for r in store.conn.execute(
            "SELECT article_id FROM source_groups WHERE source_group = ? ORDER BY article_id",
            (group,),
        )
    ]


def has_groups(store: Store) -> bool:
    return store.conn.execute("SELECT 1 FROM source_groups LIMIT 1").fetchone() is not None


__all__ = [
    "MIGRATIONS",
    "copy_groups",
    "copy_links",
    "has_groups",
    "iter_signatures",
    "link_pairs",
    "link_rows",
    "links_among",
    "pending_groups",
    "same_source_pairs",
    "same_source_pairs_among",
    "save_batch",
    "save_groups",
    "save_region_groups",
    "signature_bytes",
    "signatures_of",
    "source_group_members",
    "source_group_of",
    "source_groups",
    "unsigned_article_ids",
]
