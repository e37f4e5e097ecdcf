"""Tables and queries of the nlp stage: sentence spans, entity mentions, resolved entities and
their aliases.

Sentence spans are split once per article (the ``sentences`` step) and stored as packed
``[start, end)`` offsets; copies, time and claims read them instead of splitting again.

Mentions are per article and computed once (``nlp_done`` marks articles already processed,
also those with no mention at all), so an incremental run only reads new articles.
Entities are resolved incrementally (:mod:`newsweave.store.entity_index`, which keeps its
own tables): each chunk of newly read articles rewrites only the entities it changes, in one
transaction, so readers never see a half-resolved store.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Collection, Iterable, Sequence

import numpy as np

from newsweave.entities import CorpusStats, TextFacts
from newsweave.records import Entity, Mention
from newsweave.store import Store, entity_index, id_chunks

MIGRATIONS: list[tuple[str, str]] = [
    (
        "nlp/0001_entities",
        """
        CREATE TABLE mentions (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            start      INTEGER NOT NULL,
            end        INTEGER NOT NULL,
            text       TEXT NOT NULL,
            label      TEXT NOT NULL,
            entity_id  TEXT,
            PRIMARY KEY (article_id, start, end)
        );
        CREATE INDEX mentions_entity ON mentions(entity_id);
        CREATE TABLE entities (
            id       TEXT PRIMARY KEY,
            name     TEXT NOT NULL,
            type     TEXT NOT NULL,
            mentions INTEGER NOT NULL,
            articles TEXT NOT NULL  -- JSON list of article ids, sorted
        );
        CREATE INDEX entities_name ON entities(name COLLATE NOCASE);
        CREATE TABLE aliases (
            entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
            alias     TEXT NOT NULL,
            PRIMARY KEY (entity_id, alias)
        );
        CREATE INDEX aliases_alias ON aliases(alias COLLATE NOCASE);
        -- one row per article the stage has seen, with the model that read it
        CREATE TABLE nlp_done (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            model      TEXT NOT NULL
        );
        """,
    ),
    (
        "nlp/0002_sentence_spans",
        """
        -- the sentences of each article, split once: [start, end) offsets into the article
        -- text as little-endian uint32 pairs (start0, end0, start1, end1, ...)
        CREATE TABLE sentence_spans (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            spans      BLOB NOT NULL
        );
        """,
    ),
    (
        # What entity resolution needs from each text (newsweave.entities.TextFacts), kept
        # per article and summed over the corpus, so resolution never re-reads a text.
        "nlp/0003_text_facts",
        """
        CREATE TABLE entity_text_facts (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            terms      TEXT NOT NULL,  -- JSON {term: count} (TF-IDF tokens)
            expansions TEXT NOT NULL,  -- JSON {ACR: folded expansion} the text spells out
            contexts   TEXT NOT NULL   -- JSON [[start, end, label]]: labels the words
                                       -- around a mention give it
        );
        CREATE TABLE entity_term_df (
            term TEXT PRIMARY KEY,
            df   INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE entity_word_case (
            word    TEXT PRIMARY KEY,
            lower   INTEGER NOT NULL,
            capital INTEGER NOT NULL
        ) WITHOUT ROWID;
        """,
    ),
]

MIGRATIONS.extend(
    [entity_index.MIGRATION, entity_index.ROWS_MIGRATION, entity_index.COSINES_MIGRATION]
)

Spans = tuple[tuple[int, int], ...]
_SPAN_DTYPE = np.dtype("<u4")


def articles_without_sentences(store: Store, limit: int | None = None) -> list[str]:
    """Ids of stored articles whose sentences are not stored yet, in ingest order."""
    return store.unprocessed_article_ids("sentence_spans", limit)


def save_sentence_spans(
    store: Store, results: Iterable[tuple[str, Sequence[tuple[int, int]]]]
) -> int:
    """Store (replace) the sentence spans of each ``(article_id, spans)``; one transaction."""
    rows = [
        (aid, np.asarray(spans, dtype=_SPAN_DTYPE).reshape(-1).tobytes()) for aid, spans in results
    ]
    with store.transaction() as conn:
        conn.executemany(
            "INSERT OR REPLACE INTO sentence_spans(article_id, spans) VALUES (?, ?)", rows
        )
    return len(rows)


def sentence_spans(store: Store, article_ids: Iterable[str]) -> dict[str, Spans]:
    """Stored sentence spans of the given articles (those without stored spans are absent)."""
    out: dict[str, Spans] = {}
    for chunk, marks in id_chunks(article_ids):
        for aid, blob in store.conn.execute(
            f"SELECT article_id, spans FROM sentence_spans WHERE article_id IN ({marks})", chunk
        ):
            flat = np.frombuffer(blob, dtype=_SPAN_DTYPE).tolist()
            out[aid] = tuple(zip(flat[::2], flat[1::2], strict=True))
    return out


_MENTION_COLS = "article_id, start, end, text, label, entity_id"


def articles_without_mentions(store: Store, limit: int | None = None) -> list[str]:
    """Ids of stored articles the nlp stage has not read yet, in ingest order."""
    return store.unprocessed_article_ids("nlp_done", limit)


def save_mentions(
    store: Store,
    results: Iterable[tuple[str, Sequence[Mention]]],
    *,
    model: str,
    facts: Iterable[TextFacts] = (),
) -> int:
    """Replace the mentions of each ``(article_id, mentions)`` and mark it done, and keep
    the articles' text ``facts``; one transaction in all. Returns the number of mentions
    written."""
    n = 0
    with store.transaction() as conn:
        save_facts(conn, facts)
        for article_id, mentions in results:
            conn.execute("DELETE FROM mentions WHERE article_id = ?", (article_id,))
            conn.executemany(
                f"INSERT OR REPLACE INTO mentions ({_MENTION_COLS}) VALUES (?,?,?,?,?,?)",
                [(m.article, m.start, m.end, m.text, m.label, m.entity) for m in mentions],
            )
            conn.execute(
                "INSERT OR REPLACE INTO nlp_done(article_id, model) VALUES (?, ?)",
                (article_id, model),
            )
            n += len(mentions)
    return n


def save_facts(conn: sqlite3.Connection, facts: Iterable[TextFacts]) -> None:
    """Keep each article's text facts and add them to the corpus totals (an article whose
    facts are kept already is not counted twice). The totals of all the new articles are
    summed first and each term and word is written once (the tables are keyed by them, so
    the rows are those of adding one article at a time)."""
    df: Counter[str] = Counter()
    case: dict[str, list[int]] = {}
    for f in facts:
        added = conn.execute(
            "INSERT OR IGNORE INTO entity_text_facts(article_id, terms, expansions, contexts)"
            " VALUES (?,?,?,?)",
            (f.article, json.dumps(f.terms), json.dumps(f.expansions), json.dumps(f.contexts)),
        ).rowcount
        if not added:
            continue
        df.update(f.terms.keys())
        for w, (lo, cap) in f.case.items():
            counts = case.get(w)
            if counts is None:
                case[w] = [lo, cap]
            else:
                counts[0] += lo
                counts[1] += cap
    conn.executemany(
        "INSERT INTO entity_term_df(term, df) VALUES (?, ?)"
        " ON CONFLICT(term) DO UPDATE SET df = df + excluded.df",
        sorted(df.items()),
    )
    words = sorted(case)
    conn.executemany(
        "INSERT INTO entity_word_case(word, lower, capital) VALUES (?,?,?)"
        " ON CONFLICT(word) DO UPDATE SET lower = lower + excluded.lower,"
        " capital = capital + excluded.capital",
        [(w, *case[w]) for w in words],
    )
    # entity resolution re-reads whether these words are common (store.entity_index)
    conn.executemany(
        "INSERT OR IGNORE INTO entity_case_dirty(word) VALUES (?)", [(w,) for w in words]
    )


def articles_without_facts(store: Store, limit: int | None = None) -> list[str]:
    """Articles the nlp stage read before text facts were kept (older stores)."""
    sql = (
        "SELECT d.article_id FROM nlp_done d JOIN articles a ON a.id = d.article_id"
        " LEFT JOIN entity_text_facts f ON f.article_id = d.article_id"
        " WHERE f.article_id IS NULL ORDER BY a.seq"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [r[0] for r in store.conn.execute(sql)]


def stored_corpus(store: Store) -> CorpusStats:
    """The corpus statistics entity resolution needs, read from the kept text facts (word
    counts, term frequencies and each article's terms are fetched when asked for)."""

    def case_counts(words: Collection[str]) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        for chunk, marks in id_chunks(sorted(words)):
            for w, lo, cap in store.conn.execute(
                f"SELECT word, lower, capital FROM entity_word_case WHERE word IN ({marks})",
                chunk,
            ):
                out[w] = (lo, cap)
        return out

    def doc_freq(terms: Collection[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for chunk, marks in id_chunks(list(terms)):
            out.update(
                store.conn.execute(
                    f"SELECT term, df FROM entity_term_df WHERE term IN ({marks})", chunk
                ).fetchall()
            )
        return out

    def terms_of(article_id: str) -> dict[str, int]:
        row = store.conn.execute(
            "SELECT terms FROM entity_text_facts WHERE article_id = ?", (article_id,)
        ).fetchone()
        return json.loads(row[0]) if row else {}

    expansions = {
        aid: json.loads(text)
        for aid, text in store.conn.execute(
            "SELECT article_id, expansions FROM entity_text_facts WHERE expansions != '{}'"
        )
    }
    contexts = {
        (aid, start, end): label
        for aid, text in store.conn.execute(
            "SELECT article_id, contexts FROM entity_text_facts WHERE contexts != '[]'"
        )
        for start, end, label in json.loads(text)
    }
    size = store.conn.execute("SELECT COUNT(*) FROM entity_text_facts").fetchone()[0]
    return CorpusStats(
        contexts=contexts,
        size=size,
        case_counts=case_counts,
        expansions=expansions,
        doc_freq=doc_freq,
        terms_of=terms_of,
    )


def _row_to_mention(row: tuple) -> Mention:
    article, start, end, text, label, entity = row
    return Mention(article=article, start=start, end=end, text=text, label=label, entity=entity)


def all_mentions(store: Store) -> list[Mention]:
    """Every stored mention, by article id then offset: the same order whatever order the
    articles arrived in (resolution is a function of the set of mentions)."""
    rows = store.conn.execute(
        f"SELECT {_MENTION_COLS} FROM mentions ORDER BY article_id, start, end"
    )
    return [_row_to_mention(r) for r in rows]


def mention_entities(
    store: Store, ids: Sequence[str] | None = None
) -> dict[str, list[tuple[int, int, str, str | None]]]:
    """article id -> (start, end, label, entity id) of its mentions, in text order (what a
    later resolution may change: which entity each mention names); of the articles ``ids``
    only (read in bounded chunks), or of every article."""
    out: dict[str, list[tuple[int, int, str, str | None]]] = {}
    sql = "SELECT article_id, start, end, label, entity_id FROM mentions"
    if ids is None:
        chunks: Iterable[tuple[Sequence[str], str | None]] = [((), None)]
    else:
        chunks = id_chunks(list(ids))
    for chunk, marks in chunks:
        where = "" if marks is None else f" WHERE article_id IN ({marks})"
        for aid, start, end, label, entity in store.conn.execute(
            sql + where + " ORDER BY article_id, start, end", list(chunk)
        ):
            out.setdefault(aid, []).append((start, end, label, entity))
    return out


def mentions_of(store: Store, article_id: str) -> list[Mention]:
    """The mentions of one article, in text order."""
    rows = store.conn.execute(
        f"SELECT {_MENTION_COLS} FROM mentions WHERE article_id = ? ORDER BY start, end",
        (article_id,),
    )
    return [_row_to_mention(r) for r in rows]


def _row_to_entity(row: tuple, aliases: dict[str, list[str]]) -> Entity:
    eid, name, etype, mentions, articles = row
    return Entity(
        id=eid,
        name=name,
        type=etype,
        aliases=tuple(aliases.get(eid, ())),
        articles=tuple(json.loads(articles)),
        mentions=mentions,
    )


def _aliases(store: Store, ids: Sequence[str] | None = None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if ids is None:
        rows = store.conn.execute("SELECT entity_id, alias FROM aliases ORDER BY entity_id, alias")
    else:
        marks = ",".join("?" * len(ids))
        rows = store.conn.execute(
            f"SELECT entity_id, alias FROM aliases WHERE entity_id IN ({marks})"
            " ORDER BY entity_id, alias",
            list(ids),
        )
    for eid, alias in rows:
        out.setdefault(eid, []).append(alias)
    return out


def entities(
    store: Store,
    *,
    type: str | None = None,  # noqa: A002 - the record's field name
    name: str | None = None,
    article: str | None = None,
    min_articles: int = 1,
    limit: int | None = None,
) -> list[Entity]:
    """Entities, most widely reported first (articles, then mentions, then name).

    ``name`` matches the canonical name or any alias, case-insensitively, as a substring;
    ``article`` keeps entities mentioned in that article.
    """
    where, params = [], []
    if type:
        where.append("e.type = ? COLLATE NOCASE")
        params.append(type)
    if name:
        where.append(
            "(e.name LIKE ? OR e.id IN (SELECT entity_id FROM aliases WHERE alias LIKE ?))"
        )
        params.extend([f"%{name}%", f"%{name}%"])
    if article:
        where.append("e.id IN (SELECT entity_id FROM mentions WHERE article_id = ?)")
        params.append(article)
    if min_articles > 1:
        where.append("json_array_length(e.articles) >= ?")
        params.append(min_articles)
    sql = "SELECT e.id, e.name, e.type, e.mentions, e.articles FROM entities e"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += (
        " ORDER BY json_array_length(e.articles) DESC, e.mentions DESC, e.name COLLATE NOCASE, e.id"
    )
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    rows = store.conn.execute(sql, params).fetchall()
    aliases = _aliases(store, [r[0] for r in rows]) if rows else {}
    return [_row_to_entity(r, aliases) for r in rows]


def entity(store: Store, entity_id: str) -> Entity | None:
    """One entity by id (or a unique id prefix of at least 4 characters)."""
    row = store.conn.execute(
        "SELECT id, name, type, mentions, articles FROM entities WHERE id = ?", (entity_id,)
    ).fetchone()
    if row is None and 4 <= len(entity_id) < 16:
        rows = store.conn.execute(
            "SELECT id, name, type, mentions, articles FROM entities WHERE id >= ? AND id < ?"
            " LIMIT 2",
            (entity_id, entity_id + "\uffff"),
        ).fetchall()
        row = rows[0] if len(rows) == 1 else None
    if row is None:
        return None
    return _row_to_entity(row, _aliases(store, [row[0]]))


def entity_mentions(store: Store, entity_id: str) -> list[Mention]:
    """Every mention of one entity (its provenance), by article ingest order then offset."""
    rows = store.conn.execute(
        f"SELECT {', '.join('m.' + c.strip() for c in _MENTION_COLS.split(','))}"
        " FROM mentions m JOIN articles a ON a.id = m.article_id WHERE m.entity_id = ?"
        " ORDER BY a.seq, m.start",
        (entity_id,),
    )
    return [_row_to_mention(r) for r in rows]


def mention_count(store: Store) -> int:
    return store.conn.execute("SELECT COUNT(*) FROM mentions").fetchone()[0]
