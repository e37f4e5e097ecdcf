"""Tables and queries of the group stage: article signals, events, stories, timeline.

Signals (embedding + terms + event date) are stored per article so a later batch can be
compared with existing events without recomputing anything; each event keeps its centroid
so the candidates for a batch are found with one matrix product.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

import numpy as np

from newsweave.embed import MODEL_ID as EMBED_MODEL
from newsweave.errors import StageError
from newsweave.group import MAX_TERMS, ArticleSignals
from newsweave.kept import Kept
from newsweave.records import Event, Story, TimelineEntry
from newsweave.store import Store, id_chunks

MIGRATIONS: list[tuple[str, str]] = [
    (
        "group/0001_events_stories",
        """
        CREATE TABLE group_signals (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            vector     BLOB NOT NULL,
            terms      TEXT NOT NULL,
            date       TEXT,
            published  TEXT,
            title      TEXT
        );
        CREATE TABLE events (
            id       TEXT PRIMARY KEY,
            title    TEXT NOT NULL,
            date     TEXT,
            story    TEXT,
            centroid BLOB NOT NULL,
            size     INTEGER NOT NULL
        );
        CREATE INDEX events_story ON events(story);
        CREATE INDEX events_date ON events(date);
        CREATE TABLE event_articles (
            event_id   TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
            article_id TEXT PRIMARY KEY,
            position   INTEGER NOT NULL
        );
        CREATE INDEX event_articles_event ON event_articles(event_id);
        CREATE TABLE stories (
            id    TEXT PRIMARY KEY,
            title TEXT NOT NULL
        );
        CREATE TABLE story_events (
            story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            event_id TEXT PRIMARY KEY,
            position INTEGER NOT NULL
        );
        CREATE INDEX story_events_story ON story_events(story_id);
        CREATE TABLE timeline_entries (
            story       TEXT NOT NULL,
            position    INTEGER NOT NULL,
            date        TEXT NOT NULL,
            granularity TEXT NOT NULL,
            kind        TEXT NOT NULL,
            text        TEXT NOT NULL,
            articles    TEXT NOT NULL,
            PRIMARY KEY (story, position)
        );
        CREATE INDEX timeline_entries_date ON timeline_entries(date);
        """,
    ),
    (
        # the embedding model that made each vector (newsweave.embed.MODEL_IDS); rows from
        # before were made by the shipped int8-weight export
        "group/0002_signal_model",
        """
        ALTER TABLE group_signals
            ADD COLUMN model TEXT NOT NULL DEFAULT 'all-MiniLM-L6-v2-onnx-int8';
        """,
    ),
    (
        # The open chunk (see pipeline.run_group): articles grouped provisionally, regrouped
        # with each delivery until GROUP_BATCH of them close the chunk; group_undo keeps the
        # state each closed event or story had before the open chunk changed it.
        "group/0003_open_chunk",
        """
        CREATE TABLE group_open (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE
        );
        CREATE TABLE group_undo (
            kind     TEXT NOT NULL,  -- 'event' or 'story'
            id       TEXT NOT NULL,
            body     TEXT NOT NULL,  -- JSON: the row and its article / event list
            centroid BLOB,
            PRIMARY KEY (kind, id)
        );
        """,
    ),
    (
        # the embedding of the lead without place names, what stories compare
        # (newsweave.group.story_lead_text); NULL for rows from before: the vector stands in
        "group/0004_story_vector",
        """
        ALTER TABLE group_signals ADD COLUMN story_vector BLOB;
        """,
    ),
    (
        # Change stamps per article (newsweave.pipeline keeps what it made of an article per
        # process between deliveries, and reads these instead of the rows to learn what
        # changed): a fresh random value whenever the rows they stand for are written, set
        # by triggers (whatever code writes the rows, in the writer's transaction). Random,
        # not a counter: two copies of a store written apart never share a stamp. ``dated``
        # moves with the article's dated_sentences rows, ``signals`` with its group_signals
        # row, ``mentions`` with its mentions once its signals are stored (a mention written
        # before finds no row: its article has no stamp to move, and the one its signals
        # get is newer than the mention). NULL: not stamped, read the rows. Rows from before
        # are stamped here. No foreign key: a trigger may stamp while an article's rows are
        # deleted with it (an orphan stamp is harmless). A migration that drops and makes
        # again dated_sentences, mentions or group_signals must make these triggers again.
        "group/0005_change_stamps",
        """
        CREATE TABLE group_stamps (
            article_id TEXT PRIMARY KEY,
            dated      BLOB,
            mentions   BLOB,
            signals    BLOB
        ) WITHOUT ROWID;
        INSERT INTO group_stamps(article_id, dated)
            SELECT article_id, randomblob(16) FROM dated_sentences GROUP BY article_id;
        INSERT INTO group_stamps(article_id, mentions, signals)
            SELECT article_id, randomblob(16), randomblob(16) FROM group_signals WHERE true
            ON CONFLICT(article_id) DO UPDATE
            SET mentions = excluded.mentions, signals = excluded.signals;
        CREATE TRIGGER group_stamp_dated_insert AFTER INSERT ON dated_sentences BEGIN
            INSERT INTO group_stamps(article_id, dated) VALUES (NEW.article_id, randomblob(16))
            ON CONFLICT(article_id) DO UPDATE SET dated = excluded.dated;
        END;
        CREATE TRIGGER group_stamp_dated_delete AFTER DELETE ON dated_sentences BEGIN
            INSERT INTO group_stamps(article_id, dated) VALUES (OLD.article_id, randomblob(16))
            ON CONFLICT(article_id) DO UPDATE SET dated = excluded.dated;
        END;
        CREATE TRIGGER group_stamp_dated_update AFTER UPDATE ON dated_sentences BEGIN
            INSERT INTO group_stamps(article_id, dated) VALUES (OLD.article_id, randomblob(16))
            ON CONFLICT(article_id) DO UPDATE SET dated = excluded.dated;
            INSERT INTO group_stamps(article_id, dated) VALUES (NEW.article_id, randomblob(16))
            ON CONFLICT(article_id) DO UPDATE SET dated = excluded.dated;
        END;
        CREATE TRIGGER group_stamp_signals_insert AFTER INSERT ON group_signals BEGIN
            INSERT INTO group_stamps(article_id, mentions, signals)
            VALUES (NEW.article_id, randomblob(16), randomblob(16))
            ON CONFLICT(article_id) DO UPDATE
            SET mentions = excluded.mentions, signals = excluded.signals;
        END;
        CREATE TRIGGER group_stamp_signals_update AFTER UPDATE ON group_signals BEGIN
            INSERT INTO group_stamps(article_id, mentions, signals)
            VALUES (NEW.article_id, randomblob(16), randomblob(16))
            ON CONFLICT(article_id) DO UPDATE
            SET mentions = excluded.mentions, signals = excluded.signals;
        END;
        -- one look-up per mention of an article not grouped yet (most mentions written)
        CREATE TRIGGER group_stamp_mentions_insert AFTER INSERT ON mentions BEGIN
            UPDATE group_stamps SET mentions = randomblob(16) WHERE article_id = NEW.article_id;
        END;
        CREATE TRIGGER group_stamp_mentions_delete AFTER DELETE ON mentions BEGIN
            UPDATE group_stamps SET mentions = randomblob(16) WHERE article_id = OLD.article_id;
        END;
        CREATE TRIGGER group_stamp_mentions_update AFTER UPDATE ON mentions BEGIN
            UPDATE group_stamps SET mentions = randomblob(16)
            WHERE article_id IN (OLD.article_id, NEW.article_id);
        END;
        """,
    ),
]


# --------------------------------------------------------------------------- signals


def _vec_blob(v: np.ndarray) -> bytes:
    return np.asarray(v, dtype=np.float32).tobytes()


def _blob_vec(b: bytes) -> np.ndarray:
    return np.frombuffer(b, dtype=np.float32)


def ungrouped_article_ids(store: Store) -> list[str]:
    """Articles with no stored signals yet (the next batch for the group step), ingest order."""
    return [
        r[0]
        for r in store.conn.execute(
            "SELECT a.id FROM articles a LEFT JOIN group_signals g ON g.article_id = a.id"
            " WHERE g.article_id IS NULL ORDER BY a.seq"
        )
    ]


def open_articles(store: Store) -> list[tuple[str, str | None]]:
    """``(article id, published)`` of the open chunk's articles."""
    return store.conn.execute(
        "SELECT a.id, a.published FROM group_open o JOIN articles a ON a.id = o.article_id"
    ).fetchall()


def open_unplaced(store: Store) -> bool:
    """Whether an article of the open chunk is in no event (its signals were stored but a
    run stopped before placing it)."""
    return (
        store.conn.execute(
            "SELECT 1 FROM group_open o LEFT JOIN event_articles ea"
            " ON ea.article_id = o.article_id WHERE ea.article_id IS NULL LIMIT 1"
        ).fetchone()
        is not None
    )


def save_signals(
    conn: sqlite3.Connection, signals: Iterable[ArticleSignals], *, model: str = EMBED_MODEL
) -> None:
    """Store signals whose vectors ``model`` made (the id is kept beside each vector), and
    put their articles in the open chunk (to be grouped)."""
    signals = list(signals)
    conn.executemany(
        "INSERT OR IGNORE INTO group_open(article_id) VALUES (?)", [(s.id,) for s in signals]
    )
    conn.executemany(
        "INSERT OR REPLACE INTO group_signals"
        "(article_id, vector, terms, date, published, title, model, story_vector)"
        " VALUES (?,?,?,?,?,?,?,?)",
        [
            (
                s.id,
                _vec_blob(s.vector),
                json.dumps(dict(s.terms)),
                s.date,
                s.published,
                s.title,
                model,
                None if s.story_vector is None else _vec_blob(s.story_vector),
            )
            for s in signals
        ],
    )


def signals_of_other_models(store: Store, model: str = EMBED_MODEL) -> list[str]:
    """Articles whose stored vector another embedding model made (to re-embed before any
    comparison: vectors of two models are not comparable), or stored before stories had a
    place-free vector of their own (no ``story_vector``: the two kinds are not comparable
    either)."""
    return [
        r[0]
        for r in store.conn.execute(
            "SELECT article_id FROM group_signals WHERE model != ? OR story_vector IS NULL"
            " ORDER BY article_id",
            (model,),
        )
    ]


def save_vectors(
    conn: sqlite3.Connection,
    vectors: Mapping[str, np.ndarray],
    *,
    model: str = EMBED_MODEL,
    story_vectors: Mapping[str, np.ndarray] | None = None,
) -> None:
    """Replace the vectors (and their model id) of stored signals; ``story_vectors`` (the
    place-free ones) are replaced too, or cleared (the vector stands in) where not given."""
    story_vectors = story_vectors or {}
    conn.executemany(
        "UPDATE group_signals SET vector = ?, model = ?, story_vector = ? WHERE article_id = ?",
        [
            (
                _vec_blob(v),
                model,
                _vec_blob(story_vectors[aid]) if aid in story_vectors else None,
                aid,
            )
            for aid, v in vectors.items()
        ],
    )


def save_centroids(conn: sqlite3.Connection, centroids: Mapping[str, np.ndarray]) -> None:
    conn.executemany(
        "UPDATE events SET centroid = ? WHERE id = ?",
        [(_vec_blob(v), eid) for eid, v in centroids.items()],
    )


def _entity_terms(store: Store, ids: Sequence[str]) -> dict[str, list[str]]:
    """article id -> the ``e:`` term of each of its mentions, by the current resolution."""
    out: dict[str, list[str]] = {}
    for chunk, marks in id_chunks(ids):
        for aid, entity, text in store.conn.execute(
            "SELECT article_id, entity_id, text FROM mentions"
            f" WHERE article_id IN ({marks}) ORDER BY article_id, start, end",
            chunk,
        ):
            out.setdefault(aid, []).append("e:" + (entity or text.lower()))
    return out


def _current_terms(stored: Mapping[str, int], entities: Sequence[str]) -> dict[str, int]:
    """Stored word terms with the entity terms of the current resolution: an entity id a
    later resolution changed never lingers in a signal. The same terms, in the same order,
    as :func:`newsweave.group.article_terms` gives with the current mentions (words first,
    then entities; the ``MAX_TERMS`` most frequent, ties in that order)."""
    counts: Counter[str] = Counter({t: c for t, c in stored.items() if not t.startswith("e:")})
    counts.update(entities)
    return dict(counts.most_common(MAX_TERMS))


#: Signals made from stored rows, kept per process by article, most recently used last
#: (the group step loads every open article's signals on each delivery): an article whose
#: change stamps (``signals`` and ``mentions`` of ``group_stamps``) are those its kept
#: signals were made with is not read at all, and the same row and entity terms give the
#: same object back, whose term map the grouping's TF-IDF keeps term ids for
#: (``newsweave.group._term_row``). About 50 kB each (400 terms).
SIGNALS_KEPT = 3_000
#: article id -> (stamps, row, entity terms, signals); stamps None where it had none
_SIGNALS: Kept[str, tuple[tuple | None, tuple, tuple[str, ...], ArticleSignals]] = Kept(
    SIGNALS_KEPT
)


def load_signals(
    store: Store, ids: Sequence[str], *, model: str = EMBED_MODEL
) -> list[ArticleSignals]:
    """Stored signals of ``ids``, their entity terms from the current resolution; raises
    StageError if a vector is not ``model``'s."""
    order: list[str] = []
    stamps: dict[str, tuple] = {}
    for chunk, marks in id_chunks(ids):
        for aid, signals_stamp, mentions_stamp in store.conn.execute(
            "SELECT g.article_id, s.signals, s.mentions FROM group_signals g"
            " LEFT JOIN group_stamps s ON s.article_id = g.article_id"
            f" WHERE g.article_id IN ({marks})",
            chunk,
        ):
            order.append(aid)
            if signals_stamp is not None and mentions_stamp is not None:
                stamps[aid] = (signals_stamp, mentions_stamp)
    found: dict[str, ArticleSignals] = {}
    stale: list[str] = []
    for aid in order:
        held = _SIGNALS.held(aid)
        if held is not None and held[0] is not None and held[0] == stamps.get(aid):
            found[aid] = held[3]
            _check_model(aid, held[1][5], model)
        else:
            stale.append(aid)
    entities = _entity_terms(store, stale) if stale else {}
    for chunk, marks in id_chunks(stale):
        for aid, *row in store.conn.execute(
            "SELECT article_id, vector, terms, date, published, title, model, story_vector"
            f" FROM group_signals WHERE article_id IN ({marks})",
            chunk,
        ):
            vec, terms, date, published, title, made_by, story_vec = row
            _check_model(aid, made_by, model)
            names = tuple(entities.get(aid, ()))
            held = _SIGNALS.get(aid)
            if held is None or held[1] != tuple(row) or held[2] != names:
                signals = ArticleSignals(
                    id=aid,
                    vector=_blob_vec(vec),
                    terms=_current_terms(json.loads(terms), names),
                    date=date,
                    published=published,
                    title=title,
                    story_vector=None if story_vec is None else _blob_vec(story_vec),
                )
            else:
                signals = held[3]
            _SIGNALS.keep(aid, (stamps.get(aid), tuple(row), names, signals))
            found[aid] = signals
    return [found[aid] for aid in order]


def _check_model(article: str, made_by: str, model: str) -> None:
    if made_by != model:
        raise StageError(
            f"article {article}: its stored vector was made by {made_by}, not {model};"
            " run the group step (it re-embeds such vectors) before comparing"
        )


def dated_stamps(store: Store, article_ids: Sequence[str]) -> dict[str, bytes]:
    """article id -> the change stamp of its stored sentence dates (a new value whenever
    they are written: equal stamps, equal rows), for the articles that have one."""
    return _stamps(store, article_ids, "dated")


def mention_stamps(store: Store, article_ids: Sequence[str]) -> dict[str, bytes]:
    """article id -> the change stamp of its stored mentions (a new value whenever one of
    them is written, entity ids included: equal stamps, equal rows), for the articles that
    have one (an article gets it when its signals are stored)."""
    return _stamps(store, article_ids, "mentions")


def _stamps(
    store: Store, article_ids: Sequence[str], column: Literal["dated", "mentions"]
) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for chunk, marks in id_chunks(article_ids):
        out.update(
            store.conn.execute(
                f"SELECT article_id, {column} FROM group_stamps"
                f" WHERE article_id IN ({marks}) AND {column} IS NOT NULL",
                chunk,
            ).fetchall()
        )
    return out


# --------------------------------------------------------------------------- events / stories


def event_centroids(store: Store) -> tuple[list[str], np.ndarray]:
    """(event ids, unit centroid matrix) for candidate search."""
    ids: list[str] = []
    vecs: list[np.ndarray] = []
    for eid, blob in store.conn.execute("SELECT id, centroid FROM events ORDER BY id"):
        ids.append(eid)
        vecs.append(_blob_vec(blob))
    mat = np.stack(vecs) if vecs else np.zeros((0, 0), dtype=np.float32)
    return ids, mat


def _event_articles(store: Store, event_ids: Sequence[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {e: [] for e in event_ids}
    for chunk, marks in id_chunks(event_ids):
        for eid, aid in store.conn.execute(
            f"SELECT event_id, article_id FROM event_articles WHERE event_id IN ({marks})"
            " ORDER BY event_id, position",
            chunk,
        ):
            out[eid].append(aid)
    return out


def load_events(store: Store, ids: Sequence[str] | None = None) -> list[Event]:
    """Events by id (all when ``ids`` is None), ordered by date then id."""
    sql = "SELECT id, title, date, story FROM events"
    params: list[str] = []
    if ids is not None:
        if not ids:
            return []
        sql += f" WHERE id IN ({','.join('?' * len(ids))})"
        params = list(ids)
    rows = store.conn.execute(sql + " ORDER BY date, id", params).fetchall()
    arts = _event_articles(store, [r[0] for r in rows])
    return [
        Event(id=r[0], title=r[1], date=r[2], articles=tuple(arts[r[0]]), story=r[3]) for r in rows
    ]


def events_of_articles(store: Store, article_ids: Sequence[str]) -> dict[str, str]:
    """article id -> event id, for the given articles that are grouped."""
    out: dict[str, str] = {}
    for chunk, marks in id_chunks(article_ids):
        out.update(
            store.conn.execute(
                f"SELECT article_id, event_id FROM event_articles WHERE article_id IN ({marks})",
                chunk,
            ).fetchall()
        )
    return out


def load_stories(store: Store, ids: Sequence[str] | None = None) -> list[Story]:
    """Stories by id (all when ``ids`` is None), with their events and articles."""
    sql = "SELECT id, title FROM stories"
    params: list[str] = []
    if ids is not None:
        if not ids:
            return []
        sql += f" WHERE id IN ({','.join('?' * len(ids))})"
        params = list(ids)
    out = []
    for sid, title in store.conn.execute(sql + " ORDER BY id", params).fetchall():
        evs = [
            r[0]
            for r in store.conn.execute(
                "SELECT se.event_id FROM story_events se LEFT JOIN events e ON e.id = se.event_id"
                " WHERE se.story_id = ? ORDER BY e.date, se.event_id",
                (sid,),
            )
        ]
        arts = sorted(a for al in _event_articles(store, evs).values() for a in al)
        out.append(Story(id=sid, title=title, events=tuple(evs), articles=tuple(arts)))
    return out


def save_grouping(
    conn: sqlite3.Connection,
    events: Sequence[Event],
    stories: Sequence[Story],
    centroids: dict[str, np.ndarray],
) -> None:
    """Upsert events (with their article lists and centroids) and stories."""
    for ev in events:
        conn.execute(
            "INSERT INTO events(id, title, date, story, centroid, size) VALUES (?,?,?,?,?,?)"
            " ON CONFLICT(id) DO UPDATE SET title=excluded.title, date=excluded.date,"
            " story=excluded.story, centroid=excluded.centroid, size=excluded.size",
            (ev.id, ev.title, ev.date, ev.story, _vec_blob(centroids[ev.id]), len(ev.articles)),
        )
        conn.execute("DELETE FROM event_articles WHERE event_id = ?", (ev.id,))
        conn.executemany(
            "INSERT OR REPLACE INTO event_articles(event_id, article_id, position) VALUES (?,?,?)",
            [(ev.id, a, i) for i, a in enumerate(ev.articles)],
        )
    for st in stories:
        conn.execute(
            "INSERT INTO stories(id, title) VALUES (?,?)"
            " ON CONFLICT(id) DO UPDATE SET title=excluded.title",
            (st.id, st.title),
        )
        conn.executemany(
            "INSERT OR REPLACE INTO story_events(story_id, event_id, position) VALUES (?,?,?)",
            [(st.id, e, i) for i, e in enumerate(st.events)],
        )


def remember(conn: sqlite3.Connection, events: Sequence[Event], stories: Sequence[Story]) -> None:
    """Keep the current state of closed events and stories the open chunk is about to
    change (the first state kept wins: it is the state before the open chunk)."""
    for ev in events:
        row = conn.execute("SELECT centroid FROM events WHERE id = ?", (ev.id,)).fetchone()
        body = {"title": ev.title, "date": ev.date, "story": ev.story, "articles": ev.articles}
        conn.execute(
            "INSERT OR IGNORE INTO group_undo(kind, id, body, centroid) VALUES ('event',?,?,?)",
            (ev.id, json.dumps(body), row[0] if row else None),
        )
    for st in stories:
        body = {"title": st.title, "events": st.events}
        conn.execute(
            "INSERT OR IGNORE INTO group_undo(kind, id, body) VALUES ('story',?,?)",
            (st.id, json.dumps(body)),
        )


def roll_back_open(conn: sqlite3.Connection) -> list[str]:
    """Undo the open chunk's grouping: closed events and stories get back the state they
    had before it, events and stories it made are deleted (timelines are left to the
    caller: see :func:`open_stories`). Returns the restored stories."""
    undo = conn.execute("SELECT kind, id, body, centroid FROM group_undo").fetchall()
    for kind, oid, body, centroid in undo:
        data = json.loads(body)
        if kind == "event":
            conn.execute(
                "UPDATE events SET title = ?, date = ?, story = ?, centroid = ?, size = ?"
                " WHERE id = ?",
                (data["title"], data["date"], data["story"], centroid, len(data["articles"]), oid),
            )
            conn.execute("DELETE FROM event_articles WHERE event_id = ?", (oid,))
            conn.executemany(
                "INSERT OR REPLACE INTO event_articles(event_id, article_id, position)"
                " VALUES (?,?,?)",
                [(oid, a, i) for i, a in enumerate(data["articles"])],
            )
        else:
            conn.execute(
                "INSERT INTO stories(id, title) VALUES (?,?)"
                " ON CONFLICT(id) DO UPDATE SET title = excluded.title",
                (oid, data["title"]),
            )
            conn.execute("DELETE FROM story_events WHERE story_id = ?", (oid,))
            conn.executemany(
                "INSERT OR REPLACE INTO story_events(story_id, event_id, position) VALUES (?,?,?)",
                [(oid, e, i) for i, e in enumerate(data["events"])],
            )
    # what is left holding open articles was made by the open chunk
    made = [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT event_id FROM event_articles"
            " WHERE article_id IN (SELECT article_id FROM group_open)"
        )
    ]
    conn.executemany("DELETE FROM event_articles WHERE event_id = ?", [(e,) for e in made])
    conn.executemany("DELETE FROM events WHERE id = ?", [(e,) for e in made])
    conn.execute("DELETE FROM story_events WHERE event_id NOT IN (SELECT id FROM events)")
    conn.execute("DELETE FROM stories WHERE id NOT IN (SELECT story_id FROM story_events)")
    conn.execute("DELETE FROM group_undo")
    return sorted(oid for kind, oid, _, _ in undo if kind == "story")


def open_stories(store: Store) -> dict[str, tuple[str, ...]]:
    """Stories the open chunk made or changed, with their articles (before a rollback: the
    caller rebuilds the timeline of a story only when its articles changed)."""
    ids = [
        r[0]
        for r in store.conn.execute(
            "SELECT id FROM group_undo WHERE kind = 'story' UNION"
            " SELECT se.story_id FROM story_events se"
            " JOIN event_articles ea ON ea.event_id = se.event_id"
            " WHERE ea.article_id IN (SELECT article_id FROM group_open)"
        )
    ]
    return {st.id: st.articles for st in load_stories(store, sorted(ids))}


def drop_orphan_timelines(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM timeline_entries WHERE story NOT IN (SELECT id FROM stories)")


def close_chunk(conn: sqlite3.Connection, article_ids: Sequence[str]) -> None:
    """The chunk of ``article_ids`` is final: its grouping is not undone any more."""
    conn.executemany("DELETE FROM group_open WHERE article_id = ?", [(a,) for a in article_ids])
    conn.execute("DELETE FROM group_undo")


# --------------------------------------------------------------------------- timeline


def save_timeline(conn: sqlite3.Connection, story: str, entries: Sequence[TimelineEntry]) -> None:
    """Replace one story's timeline."""
    conn.execute("DELETE FROM timeline_entries WHERE story = ?", (story,))
    conn.executemany(
        "INSERT INTO timeline_entries(story, position, date, granularity, kind, text, articles)"
        " VALUES (?,?,?,?,?,?,?)",
        [
            (story, i, e.date, e.granularity, e.kind, e.text, json.dumps(list(e.articles)))
            for i, e in enumerate(entries)
        ],
    )


def load_timeline(store: Store, story: str | None = None) -> list[TimelineEntry]:
    """Timeline entries (of one story, or all), by story then date."""
    sql = "SELECT story, date, granularity, kind, text, articles FROM timeline_entries"
    params: tuple[str, ...] = ()
    if story is not None:
        sql += " WHERE story = ?"
        params = (story,)
    return [
        TimelineEntry(date=d, granularity=g, kind=k, text=t, story=s, articles=tuple(json.loads(a)))
        for s, d, g, k, t, a in store.conn.execute(sql + " ORDER BY story, position", params)
    ]


__all__ = [
    "MIGRATIONS",
    "close_chunk",
    "dated_stamps",
    "drop_orphan_timelines",
    "event_centroids",
    "events_of_articles",
    "load_events",
    "load_signals",
    "load_stories",
    "load_timeline",
    "open_articles",
    "open_stories",
    "open_unplaced",
    "remember",
    "roll_back_open",
    "save_grouping",
    "save_signals",
    "save_centroids",
    "save_vectors",
    "signals_of_other_models",
    "save_timeline",
    "ungrouped_article_ids",
]
