"""Tables and queries of the time stage: normalised time expressions and dated sentences.

Rows are keyed by article and character offsets, so re-running the stage on an article
replaces its rows (:func:`save_time`) and an incremental run only touches articles that
have none yet (:func:`articles_without_time`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from newsweave.records import DatedSentence, TimeRef
from newsweave.store import Store, id_chunks

MIGRATIONS: list[tuple[str, str]] = [
    (
        "time/0001_time_refs",
        """
        CREATE TABLE time_refs (
            article_id  TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            start       INTEGER NOT NULL,
            end         INTEGER NOT NULL,
            text        TEXT NOT NULL,
            value       TEXT NOT NULL,
            granularity TEXT NOT NULL,
            relation    TEXT NOT NULL,
            range_end   TEXT,
            PRIMARY KEY (article_id, start)
        );
        CREATE INDEX time_refs_value ON time_refs(value);
        CREATE TABLE dated_sentences (
            article_id  TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            sentence    INTEGER NOT NULL,
            start       INTEGER NOT NULL,
            end         INTEGER NOT NULL,
            text        TEXT NOT NULL,
            date        TEXT NOT NULL,
            granularity TEXT NOT NULL,
            relation    TEXT NOT NULL,
            anchored    INTEGER NOT NULL,
            PRIMARY KEY (article_id, sentence)
        );
        CREATE INDEX dated_sentences_date ON dated_sentences(date);
        -- one row per article the stage has seen (also those with no expression at all)
        CREATE TABLE time_done (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE
        );
        """,
    ),
]

_REF_COLS = "article_id, start, end, text, value, granularity, relation, range_end"
_SENT_COLS = "article_id, sentence, start, end, text, date, granularity, relation, anchored"


def articles_without_time(store: Store, limit: int | None = None) -> list[str]:
    """Ids of stored articles the time stage has not processed yet, in ingest order."""
    return store.unprocessed_article_ids("time_done", limit)


def save_time(
    store: Store,
    results: Iterable[tuple[str, Sequence[TimeRef], Sequence[DatedSentence]]],
) -> int:
    """Replace the time rows of each ``(article_id, refs, dated)``; one transaction in all."""
    n = 0
    with store.transaction() as conn:
        for article_id, refs, dated in results:
            conn.execute("DELETE FROM time_refs WHERE article_id = ?", (article_id,))
            conn.execute("DELETE FROM dated_sentences WHERE article_id = ?", (article_id,))
            conn.executemany(
                f"INSERT INTO time_refs ({_REF_COLS}) VALUES (?,?,?,?,?,?,?,?)",
                [
                    (
                        r.article,
                        r.start,
                        r.end,
                        r.text,
                        r.value,
                        r.granularity,
                        r.relation,
                        r.range_end,
                    )
                    for r in refs
                ],
            )
            conn.executemany(
                f"INSERT INTO dated_sentences ({_SENT_COLS}) VALUES (?,?,?,?,?,?,?,?,?)",
                [
                    (
                        d.article,
                        d.sentence,
                        d.start,
                        d.end,
                        d.text,
                        d.date,
                        d.granularity,
                        d.relation,
                        int(d.anchored),
                    )
                    for d in dated
                ],
            )
            conn.execute("INSERT OR IGNORE INTO time_done(article_id) VALUES (?)", (article_id,))
            n += 1
    return n


def _ref(row: tuple) -> TimeRef:
    aid, start, end, text, value, gran, rel, rend = row
    return TimeRef(aid, start, end, text, value, gran, rel, rend)


def _sent(row: tuple) -> DatedSentence:
    aid, idx, start, end, text, date, gran, rel, anchored = row
    return DatedSentence(aid, idx, start, end, text, date, gran, rel, bool(anchored))


def time_refs(
    store: Store,
    article_id: str | None = None,
    *,
    since: str | None = None,
    until: str | None = None,
) -> list[TimeRef]:
    """Stored time expressions, of one article or all, optionally by value range.

    ``since``/``until`` compare TIMEX3 values as strings, which orders calendar values
    correctly at any granularity ("2020-09" sorts between "2020-08-31" and "2020-09-01").
    """
    where, params = [], []
    if article_id is not None:
        where.append("article_id = ?")
        params.append(article_id)
    if since:
        where.append("COALESCE(range_end, value) >= ?")
        params.append(since)
    if until:
        where.append("value <= ?")
        params.append(until)
    sql = f"SELECT {_REF_COLS} FROM time_refs"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY article_id, start"
    return [_ref(r) for r in store.conn.execute(sql, params)]


def dated_sentences(
    store: Store, article_id: str | None = None, *, anchored_only: bool = False
) -> list[DatedSentence]:
    """Stored sentence dates, of one article or all, in text order."""
    where, params = [], []
    if article_id is not None:
        where.append("article_id = ?")
        params.append(article_id)
    if anchored_only:
        where.append("anchored = 1")
    sql = f"SELECT {_SENT_COLS} FROM dated_sentences"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY article_id, sentence"
    return [_sent(r) for r in store.conn.execute(sql, params)]


def dated_rows(store: Store, article_ids: Sequence[str]) -> dict[str, tuple[tuple, ...]]:
    """The stored sentence dates of ``article_ids`` as rows (each a tuple that
    :func:`dated_sentence` makes a record of), by article, in text order; an article with
    none is left out. For a caller that keeps what it made of an article's rows and makes
    it again only when they differ."""
    out: dict[str, list[tuple]] = {}
    for chunk, marks in id_chunks(article_ids):
        for row in store.conn.execute(
            f"SELECT {_SENT_COLS} FROM dated_sentences WHERE article_id IN ({marks})"
            " ORDER BY article_id, sentence",
            chunk,
        ):
            out.setdefault(row[0], []).append(row)
    return {aid: tuple(rows) for aid, rows in out.items()}


def dated_sentence(row: tuple) -> DatedSentence:
    """The record of one row of :func:`dated_rows`."""
    return _sent(row)


__all__ = [
    "MIGRATIONS",
    "articles_without_time",
    "dated_rows",
    "dated_sentence",
    "dated_sentences",
    "save_time",
    "time_refs",
]
