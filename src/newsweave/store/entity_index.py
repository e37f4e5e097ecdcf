"""Incremental, memory-bounded entity resolution over the store (issue #14).

:func:`newsweave.entities.resolve` reads every mention of a corpus at once. Here the store
keeps what it is made of, per article and summed over the corpus, so each batch of newly
read articles costs about what those articles change:

* per article, its first-pass clusters (``entity_locals``: one JSON row each, with the
  links through which a cluster meets other articles' clusters in ``entity_local_links``)
  and the words whose corpus-wide status its first pass read (``entity_article_terms``);
* summed over the corpus: label votes per name (``entity_name_votes``), uses of tokens as
  surnames (``entity_surnames``, from each article's share in ``entity_surname_parts``) and
  the expansions articles spell out per acronym (``entity_expansion_counts``); the word
  case counts are ``entity_word_case`` of the nlp tables, and ``entity_case_dirty`` lists
  the words whose counts changed since the last resolution;
* the statuses the kept first passes were made with (``entity_status``: ``n:`` a name's
  voted label, ``c:`` a common word, ``s:`` a surname token, ``a:`` an acronym's known
  expansion).

A batch (:func:`resolve_pending`): the new articles add their shares; every status they
change sends the articles that read it back through the first pass; the clusters that
changed, plus every cluster linked to them (:func:`newsweave.entities.region_links`) and
every entity any of those belongs to, form the *region* that is clustered again with the
same second pass as :func:`~newsweave.entities.resolve`; only the region's entities and
mentions are rewritten. Relatedness is pairwise (a fixed background TF-IDF), so the result
is the same as resolving the whole store at once, whatever the batches and their order —
``tests/test_entity_index.py`` checks it against :func:`~newsweave.entities.resolve`.
Memory holds one batch and one region, never every mention.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache

from newsweave.disjoint_sets import UnionFind
from newsweave.entities import (
    FormKey,
    FormRow,
    LocalCluster,
    NameForm,
    add_rows,
    analyse,
    cluster_region,
    distinct_ids,
    entity_from_rows,
    entity_rows,
    expansion_keys,
    first_pass,
    fold,
    form_terms,
    is_common,
    is_surname,
    mention_words,
    name_votes,
    reads_otherwise,
    relabel,
    related_pairs,
    surname_uses,
    text_words,
    vote_winner,
)
from newsweave.records import Entity, Mention
from newsweave.store import Store, id_chunks

MIGRATION = (
    "nlp/0004_entity_index",
    """
    CREATE TABLE entity_locals (
        id         INTEGER PRIMARY KEY,
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        entity_id  TEXT,
        head       TEXT NOT NULL,  -- JSON: kind, keys, surname, given, partial, shorts
        members    TEXT NOT NULL   -- JSON: [start, end, label, form, kind, hint, tokens]
    );
    CREATE INDEX entity_locals_article ON entity_locals(article_id);
    CREATE INDEX entity_locals_entity ON entity_locals(entity_id);
    CREATE TABLE entity_local_links (
        link     TEXT NOT NULL,
        local_id INTEGER NOT NULL,
        PRIMARY KEY (link, local_id)
    ) WITHOUT ROWID;
    CREATE INDEX entity_local_links_local ON entity_local_links(local_id);
    CREATE TABLE entity_article_terms (
        term       TEXT NOT NULL,
        article_id TEXT NOT NULL,
        PRIMARY KEY (term, article_id)
    ) WITHOUT ROWID;
    CREATE INDEX entity_article_terms_article ON entity_article_terms(article_id);
    CREATE TABLE entity_name_votes (
        name  TEXT NOT NULL,
        label TEXT NOT NULL,
        votes INTEGER NOT NULL,
        PRIMARY KEY (name, label)
    ) WITHOUT ROWID;
    CREATE TABLE entity_name_evidence (name TEXT PRIMARY KEY) WITHOUT ROWID;
    CREATE TABLE entity_surnames (
        token      TEXT PRIMARY KEY,
        as_surname INTEGER NOT NULL,
        as_other   INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE entity_surname_parts (
        article_id TEXT NOT NULL,
        token      TEXT NOT NULL,
        as_surname INTEGER NOT NULL,
        as_other   INTEGER NOT NULL,
        PRIMARY KEY (article_id, token)
    ) WITHOUT ROWID;
    CREATE TABLE entity_expansion_counts (
        acr      TEXT NOT NULL,
        key      TEXT NOT NULL,
        articles INTEGER NOT NULL,
        PRIMARY KEY (acr, key)
    ) WITHOUT ROWID;
    CREATE TABLE entity_status (term TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE entity_case_dirty (word TEXT PRIMARY KEY) WITHOUT ROWID;
    CREATE TABLE entity_index_done (article_id TEXT PRIMARY KEY) WITHOUT ROWID;
    -- TF-IDF cosines of article pairs resolution asked for (a < b): pairwise, so kept
    CREATE TABLE entity_cosines (
        a      TEXT NOT NULL,
        b      TEXT NOT NULL,
        cosine REAL NOT NULL,
        PRIMARY KEY (a, b)
    ) WITHOUT ROWID;
    -- per entity: the type/name hash its id starts from, and its first mention
    CREATE TABLE entity_bases (
        entity_id TEXT PRIMARY KEY,
        base      TEXT NOT NULL,
        mentions  INTEGER NOT NULL,
        first     TEXT NOT NULL  -- JSON [article, start, end]
    );
    CREATE INDEX entity_bases_base ON entity_bases(base);
    """,
)

ROWS_MIGRATION = (
    "nlp/0005_entity_rows",
    """
    -- per entity: its mentions summed by how they read (newsweave.entities.FormRow), so a
    -- new article's mentions are added to an entity without reading its old ones
    CREATE TABLE entity_rows (
        entity_id TEXT PRIMARY KEY,
        rows      TEXT NOT NULL  -- JSON [[form, kind, label, hint, tokens, count, first,
                                 --        articles]]
    );
    """,
)

COSINES_MIGRATION = (
    "nlp/0006_no_entity_cosines",
    """
    -- article-pair cosines are computed for the pairs a batch asks about (vectorised), not
    -- kept: the table grew with the square of the corpus (10.2M rows at 8,800 articles)
    DROP TABLE IF EXISTS entity_cosines;
    """,
)

#: Articles resolved per transaction: the memory of a batch (a region can be larger).
CHUNK = 200


def pending(store: Store, limit: int | None = None) -> list[str]:
    """Articles the nlp stage read (with their text facts) that resolution has not."""
    sql = (
        "SELECT d.article_id FROM nlp_done d JOIN articles a ON a.id = d.article_id"
        " JOIN entity_text_facts f ON f.article_id = d.article_id"
        " LEFT JOIN entity_index_done x ON x.article_id = d.article_id"
        " WHERE x.article_id IS NULL ORDER BY a.seq"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [r[0] for r in store.conn.execute(sql)]


def resolve_pending(store: Store, *, chunk: int = CHUNK, related_threshold: float = 0.2) -> int:
    """Resolve the pending articles, ``chunk`` at a time, one transaction each; returns how
    many were resolved."""
    done = 0
    while ids := pending(store, chunk):
        with store.transaction() as conn:
            _Batch(conn, related_threshold).run(ids)
        done += len(ids)
    return done


def _in(conn: sqlite3.Connection, sql: str, values: Iterable, *extra: object) -> list[tuple]:
    """``sql`` with one ``IN ({marks})`` over ``values``, run in chunks."""
    rows: list[tuple] = []
    for chunk, marks in id_chunks(list(values)):
        rows.extend(conn.execute(sql.format(marks=marks), [*chunk, *extra]).fetchall())
    return rows


#: ``json.dumps(value, separators=(",", ":"))`` without building an encoder per call (what
#: ``dumps`` does for any non-default argument): the same text; a first pass writes two
#: values per cluster, ~160k per chunk of a 10k store.
_compact = json.JSONEncoder(separators=(",", ":")).encode


def _head_json(c: LocalCluster) -> str:
    return _compact([c.kind, c.keys, c.surname, c.given, c.partial, c.shorts])


def _known(term: str, key: str | None) -> dict[str, frozenset[str]]:
    """The corpus's known expansion of the acronym of an ``a:`` status term."""
    return {term[2:]: frozenset([key])} if key is not None else {}


@lru_cache(maxsize=100_000)  # the same heads are read by the regions of many batches
def _parsed_head(head: str) -> tuple:
    """A stored head's fields. Cached by the head alone: a region reads the same few heads
    ("BP", "Barack Obama") in thousands of articles, and re-reads most of its clusters each
    batch (keyed by article too, a 10k-article store's ~200k clusters cycled through the
    cache and every read parsed again)."""
    kind, keys, surname, given, partial, shorts = json.loads(head)
    return kind, tuple(keys), surname, tuple(given), partial, tuple(shorts)


def _head(article: str, head: str) -> LocalCluster:
    kind, keys, surname, given, partial, shorts = _parsed_head(head)
    return LocalCluster(
        article=article,
        kind=kind,
        keys=keys,
        surname=surname,
        given=given,
        partial=partial,
        shorts=shorts,
        members=(),
    )


def _rows_json(rows: Mapping[FormKey, FormRow]) -> str:
    return _compact(
        [
            [*key[:4], list(key[4]), r.count, list(r.first), sorted(r.articles)]
            for key, r in sorted(rows.items())
        ]
    )


def _members_json(c: LocalCluster) -> str:
    return _compact(c.members)


def _local(article: str, head: str, members: str | None = None) -> LocalCluster:
    """A kept first-pass cluster (without its members when ``members`` is None)."""
    if members is None:
        return _head(article, head)
    return dataclasses.replace(
        _head(article, head),
        members=tuple(
            (s, e, label, form, kind_, bool(hint), tuple(tokens))
            for s, e, label, form, kind_, hint, tokens in json.loads(members or "[]")
        ),
    )


def _is_name(c: LocalCluster) -> bool:
    """A cluster of the name pass (keys, short names, full person names): not a nominal, a
    pronoun or a lone surname."""
    return c.kind not in ("nominal", "pronoun") and c.partial is None


def _name_links(c: LocalCluster) -> frozenset[str]:
    """The links of ``c`` through which the name pass joins clusters."""
    return _name_links_of(c.kind, c.keys, c.surname, c.shorts)


@lru_cache(maxsize=100_000)  # per head: a region asks for the links of each of its clusters
def _name_links_of(
    kind: str, keys: tuple[str, ...], surname: str | None, shorts: tuple[str, ...]
) -> frozenset[str]:
    out = {f"k:{k}" for k in keys} | {f"s:{k}" for k in shorts}
    if kind == "person" and surname is not None:
        out.add(f"sn:{surname}")
    return frozenset(out)


def _name_neighbours(link: str) -> tuple[str, ...]:
    """The name links whose clusters the name pass can join with a cluster with ``link``
    (:func:`~newsweave.entities.region_links` without the lone surnames, which are decided
    apart)."""
    kind, _, value = link.partition(":")
    if kind in ("k", "s"):
        return (f"k:{value}", f"s:{value}")
    if kind == "sn":
        return (f"sn:{value}",)
    return ()


def _tokens(c: LocalCluster) -> set[str]:
    """The tokens by which a lone surname finds the person ``c`` (its surname and given
    names, folded)."""
    if c.kind != "person" or c.surname is None:
        return set()
    return {c.surname} | {fold(g) for g in c.given}


def _distinct_heads(clusters: list[LocalCluster]) -> tuple[list[int], list[int]]:
    """One representative per head among name clusters: ``(reps, rep_of)``, ``reps`` the
    positions clustered, ``rep_of[n]`` the index in ``reps`` of position ``n``'s.

    The name pass (:func:`~newsweave.entities.cluster_locals` 2a-2b) reads a cluster's kind,
    keys, surname, given names and short names, never its article: two clusters with the
    same of these and a key are joined by the key pass and act alike in every later name
    pass, so clustering one of them places both. A big entity's region is thousands of
    clusters of a few heads ("BP" in every article), and the pairwise full-name pass over
    one surname is quadratic in them."""
    reps: list[int] = []
    rep_of: list[int] = []
    seen: dict[tuple, int] = {}
    for n, c in enumerate(clusters):
        if c.keys:
            head = (c.kind, c.keys, c.surname, c.given, c.partial, c.shorts)
            at = seen.setdefault(head, len(reps))
        else:  # no key joins it with its twin: clustered on its own
            at = len(reps)
        if at == len(reps):
            reps.append(n)
        rep_of.append(at)
    return reps, rep_of


def _components(
    ids: list[int],
    heads: Mapping[int, LocalCluster],
    terms_of: Callable[[str], Mapping[str, int]],
    threshold: float,
    joined: set[int] | None = None,
    was: Mapping[int, str | None] | None = None,
) -> dict[int, int]:
    """Clusters of different articles joined when their articles are related (the lone
    surname merge and the nominal pass): each id -> the first id of its component. With
    ``joined`` (the ids new to a group that lost none): the others are the components they
    were (one per entity in ``was``), only pairs with a joined id are compared, and only
    the components with a joined id are returned (the others are the entities they were)."""
    uf = UnionFind(len(ids))
    articles = [heads[i].article for i in ids]
    if joined is None:
        pairs = related_pairs(articles, None, terms_of, threshold)
    else:
        assert was is not None
        first_of: dict[str | None, int] = {}
        for n, i in enumerate(ids):
            if i not in joined:
                uf.union(first_of.setdefault(was[i], n), n)
        new = [n for n, i in enumerate(ids) if i in joined]
        pairs = [
            (new[a], b)
            for a, b in related_pairs([articles[n] for n in new], articles, terms_of, threshold)
        ]
    for a, b in pairs:
        if articles[a] != articles[b]:
            uf.union(a, b)
    firsts: dict[int, int] = {}
    for n, i in enumerate(ids):
        firsts.setdefault(uf.find(n), i)
    if joined is not None:
        touched = {uf.find(n) for n, i in enumerate(ids) if i in joined}
        return {i: firsts[uf.find(n)] for n, i in enumerate(ids) if uf.find(n) in touched}
    return {i: firsts[uf.find(n)] for n, i in enumerate(ids)}


class _Batch:
    """One transaction of incremental resolution (see the module docstring)."""

    def __init__(self, conn: sqlite3.Connection, related_threshold: float) -> None:
        self.conn = conn
        self.threshold = related_threshold
        self._old_status: dict[str, str] = {}  # what the last _flips replaced
        self._words: dict[str, tuple[set[str], set[str]]] = {}
        self._common_flips: set[str] = set()  # words whose common status _common flipped
        self._read_ahead: dict[str, list[Mention]] = {}  # mentions read for the next pass

    # ------------------------------------------------------------------ reading

    def _mentions(self, ids: Iterable[str]) -> dict[str, list[Mention]]:
        out: dict[str, list[Mention]] = {aid: [] for aid in ids}
        for aid in list(out):
            if (ahead := self._read_ahead.pop(aid, None)) is not None:
                out[aid] = ahead
        for aid, start, end, text, label in _in(
            self.conn,
            "SELECT article_id, start, end, text, label FROM mentions"
            " WHERE article_id IN ({marks}) ORDER BY article_id, start, end",
            [aid for aid, ms in out.items() if not ms],
        ):
            out[aid].append(Mention(article=aid, start=start, end=end, text=text, label=label))
        return out

    def _facts(self, ids: Iterable[str]) -> dict[str, tuple[dict, dict]]:
        """article -> (contexts {(article, start, end): label}, expansions {ACR: key})."""
        out = {}
        for aid, expansions, contexts in _in(
            self.conn,
            "SELECT article_id, expansions, contexts FROM entity_text_facts"
            " WHERE article_id IN ({marks})",
            ids,
        ):
            ctx = {(aid, s, e): label for s, e, label in json.loads(contexts)}
            out[aid] = (ctx, json.loads(expansions))
        return out

    def _status(self, terms: Iterable[str]) -> dict[str, str]:
        return dict(
            _in(self.conn, "SELECT term, value FROM entity_status WHERE term IN ({marks})", terms)
        )

    def _set_status(self, changes: Mapping[str, str | None]) -> None:
        self.conn.executemany(
            "DELETE FROM entity_status WHERE term = ?",
            [(t,) for t, v in changes.items() if v is None],
        )
        self.conn.executemany(
            "INSERT OR REPLACE INTO entity_status(term, value) VALUES (?, ?)",
            [(t, v) for t, v in changes.items() if v is not None],
        )

    def _articles_with(self, terms: Iterable[str]) -> set[str]:
        return {
            r[0]
            for r in _in(
                self.conn,
                "SELECT DISTINCT article_id FROM entity_article_terms WHERE term IN ({marks})",
                terms,
            )
        }

    def _flips(self, new: Mapping[str, str | None]) -> dict[str, str | None]:
        old = self._status(new)
        self._old_status = old
        return {t: v for t, v in new.items() if old.get(t) != v}

    def _mention_words(self, article: str, mentions: list[Mention]) -> tuple[set[str], set[str]]:
        """:func:`~newsweave.entities.mention_words` of an article's mentions (their texts:
        the same before and after labels are voted), once per batch."""
        words = self._words.get(article)
        if words is None:
            words = self._words[article] = mention_words(mentions)
        return words

    def terms_of(self, article: str) -> Mapping[str, int]:
        """An article's term counts, read each time: the relatedness reads them only to
        build the article's TF-IDF row, which it keeps (``entities._row_arrays``); kept here
        too, they held ~19 kB an article until the batch ended (~10,000 articles, every
        person with a new lone name's token, in a 10k store's first chunk)."""
        row = self.conn.execute(
            "SELECT terms FROM entity_text_facts WHERE article_id = ?", (article,)
        ).fetchone()
        return json.loads(row[0]) if row else {}

    # ------------------------------------------------------------------ the batch

    def run(self, new_ids: list[str]) -> None:
        conn = self.conn
        first = conn.execute("SELECT 1 FROM entity_index_done LIMIT 1").fetchone() is None
        if first:  # a store resolved by the global pass before: start the index afresh
            conn.execute("DELETE FROM aliases")
            conn.execute("DELETE FROM entities")
            conn.execute("UPDATE mentions SET entity_id = NULL WHERE entity_id IS NOT NULL")
        new = set(new_ids)
        mentions = self._mentions(new_ids)
        facts = self._facts(new_ids)
        # the new articles' terms first: whether a word is asked about counts them
        for aid in new_ids:
            self._write_mention_terms(aid, mentions[aid])
        dirty: set[str] = set()
        dirty |= self._votes(new_ids, mentions, facts)
        by_common = self._common(mentions)
        dirty |= self._expansions(new_ids, facts)
        # an article that only a common word's flip sends back is read again only if the
        # flip changes how its mentions read (most flips change no reading)
        dirty |= self._read_otherwise(sorted(by_common - new - dirty), self._common_flips)
        todo = new | dirty
        removed: list[tuple[int, str | None, LocalCluster]] = []
        added: list[tuple[LocalCluster, str, str]] = []  # with their head and members JSON
        while todo:
            more = self._first_passes(sorted(todo), new, removed, added)
            new |= todo
            todo = more - new
        self._recluster(removed, added)
        conn.executemany(
            "INSERT OR IGNORE INTO entity_index_done(article_id) VALUES (?)",
            [(a,) for a in new_ids],
        )

    def _write_mention_terms(self, aid: str, mentions: list[Mention]) -> None:
        tokens, wanted = self._mention_words(aid, mentions)
        # only a PERSON mention changes when its name's vote does (see relabel)
        terms = {f"n:{fold(m.text)}" for m in mentions if m.label == "PERSON"}
        terms |= {f"t:{t}" for t in tokens} | {f"w:{w}" for w in wanted}
        self.conn.execute(
            "DELETE FROM entity_article_terms WHERE article_id = ?"
            " AND substr(term, 1, 2) IN ('n:', 't:', 'w:')",
            (aid,),
        )
        self.conn.executemany(
            "INSERT OR IGNORE INTO entity_article_terms(term, article_id) VALUES (?, ?)",
            [(t, aid) for t in sorted(terms)],
        )

    def _votes(
        self,
        new_ids: list[str],
        mentions: Mapping[str, list[Mention]],
        facts: Mapping[str, tuple[dict, dict]],
    ) -> set[str]:
        """Add the new articles' label votes; articles naming a name whose vote changed."""
        names: set[str] = set()
        for aid in new_ids:
            votes, evidence = name_votes(mentions[aid], facts[aid][0])
            self.conn.executemany(
                "INSERT INTO entity_name_votes(name, label, votes) VALUES (?,?,?)"
                " ON CONFLICT(name, label) DO UPDATE SET votes = votes + excluded.votes",
                [(n, lab, v) for (n, lab), v in votes.items()],
            )
            self.conn.executemany(
                "INSERT OR IGNORE INTO entity_name_evidence(name) VALUES (?)",
                [(n,) for n in evidence],
            )
            names.update(n for n, _ in votes)
        with_evidence = {
            r[0]
            for r in _in(
                self.conn, "SELECT name FROM entity_name_evidence WHERE name IN ({marks})", names
            )
        }
        tallies: dict[str, dict[str, int]] = defaultdict(dict)
        for n, lab, v in _in(
            self.conn,
            "SELECT name, label, votes FROM entity_name_votes WHERE name IN ({marks})",
            with_evidence,
        ):
            tallies[n][lab] = v
        winners: dict[str, str | None] = {f"n:{n}": None for n in names}
        for n in with_evidence:
            win = vote_winner(tallies[n])
            winners[f"n:{n}"] = win if win != "PERSON" else None
        flips = self._flips(winners)
        self._set_status(flips)
        return self._articles_with(flips)

    def _common(self, mentions: Mapping[str, list[Mention]]) -> set[str]:
        """Whether each word whose case counts or askers changed is common; articles whose
        mentions contain a word that changed."""
        words = {r[0] for r in self.conn.execute("SELECT word FROM entity_case_dirty")}
        self.conn.execute("DELETE FROM entity_case_dirty")
        for aid, ms in mentions.items():
            tokens, wanted = self._mention_words(aid, ms)
            words |= tokens | wanted
        asked = {
            r[0][2:]
            for r in _in(
                self.conn,
                "SELECT DISTINCT term FROM entity_article_terms WHERE term IN ({marks})",
                [f"w:{w}" for w in words],
            )
        }
        counts = {
            w: (lo, cap)
            for w, lo, cap in _in(
                self.conn,
                "SELECT word, lower, capital FROM entity_word_case WHERE word IN ({marks})",
                asked,
            )
        }
        status: dict[str, str | None] = {
            f"c:{w}": "1" if w in counts and is_common(*counts[w]) else None for w in words
        }
        flips = self._flips(status)
        self._set_status(flips)
        self._common_flips = {t[2:] for t in flips}
        return self._articles_with(f"t:{t[2:]}" for t in flips)

    def _read_otherwise(self, ids: list[str], flipped: set[str]) -> set[str]:
        """Of articles whose first pass nothing but the words ``flipped`` (whose common
        status just flipped) can change, those it does change.

        The first pass reads the common words only through how each mention reads
        (:func:`~newsweave.entities.analyse`) and whether a one-word name is a common word
        (``_link_short_names``): an article none of whose readings differ between the old
        and the new statuses, and none of whose one-word names flipped, gives the clusters,
        surname uses and form terms it gave, so it keeps them (and stays unread: a surname
        flip later in the batch still sends it back)."""
        out: set[str] = set()
        if not ids:
            return out
        mentions = self._mentions(ids)
        # only a mention with a flipped word can read otherwise: its label's vote and its
        # words' statuses are all that is read
        hits = {
            aid: [m for m in ms if not flipped.isdisjoint(text_words(m.text)[0])]
            for aid, ms in mentions.items()
        }
        names = {fold(m.text) for ms in hits.values() for m in ms if m.label == "PERSON"}
        winners = {k[2:]: v for k, v in self._status(f"n:{n}" for n in names).items()}
        tokens = {t for ms in hits.values() for m in ms for t in text_words(m.text)[0]}
        common = frozenset(k[2:] for k in self._status(f"c:{t}" for t in tokens))
        for aid, ms in hits.items():
            if any(reads_otherwise(m.text, m.label, common, flipped) for m in relabel(ms, winners)):
                out.add(aid)
                self._read_ahead[aid] = mentions[aid]  # read again by _first_passes
        return out

    def _expansions(self, new_ids: list[str], facts: Mapping[str, tuple[dict, dict]]) -> set[str]:
        """Add the acronyms the new articles spell out; articles naming an acronym whose
        known (unambiguous) expansion changed."""
        acrs: set[str] = set()
        for aid in new_ids:
            expansions = facts[aid][1]
            self.conn.executemany(
                "INSERT INTO entity_expansion_counts(acr, key, articles) VALUES (?,?,1)"
                " ON CONFLICT(acr, key) DO UPDATE SET articles = articles + 1",
                list(expansions.items()),
            )
            acrs.update(expansions)
        keys: dict[str, list[str]] = defaultdict(list)
        for acr, key in _in(
            self.conn, "SELECT acr, key FROM entity_expansion_counts WHERE acr IN ({marks})", acrs
        ):
            keys[acr].append(key)
        status: dict[str, str | None] = {
            f"a:{a}": keys[a][0] if len(keys[a]) == 1 else None for a in acrs
        }
        flips = self._flips(status)
        self._set_status(flips)
        # a first pass reads the table's expansions and the corpus's together: an acronym
        # whose corpus expansion is one the table gives already reads the same
        old = self._old_status
        return self._articles_with(
            t
            for t, v in flips.items()
            if expansion_keys(t[2:], _known(t, v)) != expansion_keys(t[2:], _known(t, old.get(t)))
        )

    def _first_passes(
        self,
        ids: list[str],
        new: set[str],
        removed: list[tuple[int, str | None, LocalCluster]],
        added: list[tuple[LocalCluster, str, str]],
    ) -> set[str]:
        """Redo the first pass of ``ids`` (their forms read the current statuses); returns
        the articles whose surname statuses changed because of it."""
        conn = self.conn
        mentions = self._mentions(ids)
        facts = self._facts(ids)
        names = {fold(m.text) for ms in mentions.values() for m in ms}
        winners = {k[2:]: v for k, v in self._status(f"n:{n}" for n in names).items()}
        voted = {aid: relabel(ms, winners) for aid, ms in mentions.items()}
        tokens = set().union(*(self._mention_words(a, ms)[0] for a, ms in voted.items()))
        common = frozenset(k[2:] for k in self._status(f"c:{t}" for t in tokens))
        forms = {aid: first_pass_forms(ms, common) for aid, ms in voted.items()}
        # surname uses: this article's share replaces what it added before
        touched: set[str] = set()
        old_parts = _in(
            conn,
            "SELECT article_id, token, as_surname, as_other FROM entity_surname_parts"
            " WHERE article_id IN ({marks})",
            ids,
        )
        for _aid, tok, s, o in old_parts:
            conn.execute(
                "UPDATE entity_surnames SET as_surname = as_surname - ?, as_other = as_other - ?"
                " WHERE token = ?",
                (s, o, tok),
            )
            touched.add(tok)
        _in(conn, "DELETE FROM entity_surname_parts WHERE article_id IN ({marks})", ids)
        for aid in ids:
            uses = surname_uses(forms[aid])
            conn.executemany(
                "INSERT INTO entity_surname_parts(article_id, token, as_surname, as_other)"
                " VALUES (?,?,?,?)",
                [(aid, t, s, o) for t, (s, o) in uses.items()],
            )
            conn.executemany(
                "INSERT INTO entity_surnames(token, as_surname, as_other) VALUES (?,?,?)"
                " ON CONFLICT(token) DO UPDATE SET as_surname = as_surname + excluded.as_surname,"
                " as_other = as_other + excluded.as_other",
                [(t, s, o) for t, (s, o) in uses.items()],
            )
            touched.update(uses)
        totals = dict(
            (
                (t, (s, o))
                for t, s, o in _in(
                    conn,
                    "SELECT token, as_surname, as_other FROM entity_surnames"
                    " WHERE token IN ({marks})",
                    touched,
                )
            )
        )
        flips = self._flips(
            {f"s:{t}": "1" if t in totals and is_surname(*totals[t]) else None for t in touched}
        )
        self._set_status(flips)
        # the form terms of these articles, then their first pass with today's statuses
        singles: dict[str, set[str]] = {}
        acronyms: dict[str, set[str]] = {}
        for aid in ids:
            singles[aid], acronyms[aid] = form_terms(forms[aid])
            conn.execute(
                "DELETE FROM entity_article_terms WHERE article_id = ?"
                " AND substr(term, 1, 2) IN ('s:', 'a:')",
                (aid,),
            )
            conn.executemany(
                "INSERT OR IGNORE INTO entity_article_terms(term, article_id) VALUES (?, ?)",
                [(f"s:{t}", aid) for t in sorted(singles[aid])]
                + [(f"a:{a}", aid) for a in sorted(acronyms[aid])],
            )
        all_singles = set().union(*singles.values()) if singles else set()
        all_acronyms = set().union(*acronyms.values()) if acronyms else set()
        surnames = frozenset(k[2:] for k in self._status(f"s:{t}" for t in all_singles))
        known = {
            k[2:]: frozenset([v]) for k, v in self._status(f"a:{a}" for a in all_acronyms).items()
        }
        # a first pass that gives a cluster it gave before keeps that cluster's row
        old: dict[tuple[str, str, str], list[tuple[int, str | None]]] = defaultdict(list)
        for local_id, entity_id, aid, head, members in _in(
            conn,
            "SELECT id, entity_id, article_id, head, members FROM entity_locals"
            " WHERE article_id IN ({marks})",
            ids,
        ):
            old[aid, head, members].append((local_id, entity_id))
        for aid in ids:
            for c in first_pass(
                aid,
                voted[aid],
                forms=forms[aid],
                common=common,
                surnames=surnames,
                known=known,
                spelled=facts.get(aid, ({}, {}))[1],
            ):
                head, members = _head_json(c), _members_json(c)
                same = old.get((aid, head, members))
                if same:
                    same.pop()
                else:
                    added.append((c, head, members))
        gone = [(i, e, _local(aid, head)) for (aid, head, _), rows in old.items() for i, e in rows]
        removed.extend(gone)
        _in(
            conn,
            "DELETE FROM entity_local_links WHERE local_id IN ({marks})",
            [i for i, _, _ in gone],
        )
        _in(conn, "DELETE FROM entity_locals WHERE id IN ({marks})", [i for i, _, _ in gone])
        return self._articles_with(f"s:{t[2:]}" for t in flips) - set(ids) - new

    # ------------------------------------------------------------------ second pass

    def _recluster(
        self,
        removed: list[tuple[int, str | None, LocalCluster]],
        added: list[tuple[LocalCluster, str, str]],
    ) -> None:
        """Cluster again what the added and removed first-pass clusters can change, in the
        three independent parts of :func:`~newsweave.entities.cluster_locals`:

        * *names* (keys, short names, full person names; passes 2a-2b): the clusters linked
          to the changed ones by a name link (:func:`_name_neighbours`), with every entity
          they belong to, and the owner's entity of each short name that the region's
          holders may now give one meaning, clustered again (an entity further away cannot
          change: see the comment below);
        * *lone surnames* (pass 2c and the lone merge): every lone surname of a token that
          a changed cluster has, or that a person of a name entity that merged or split
          has, is decided again against all persons with that token (their entity, or their
          new name group), by vectorised cosines (:func:`~newsweave.entities.related_pairs`);
        * *nominals* (pass 2d): the head groups of changed nominals, components of related
          articles.

        A lone surname that is not decided again stays with its entity's name clusters, so
        the region written is the changed clusters' entities, whole, and never the corpus
        a chain of links would reach."""
        conn = self.conn
        thr = self.threshold
        heads: dict[int, LocalCluster] = {}
        was: dict[int, str | None] = {}
        new_ids: list[int] = []
        head_of: dict[int, str] = {}
        # the ids SQLite would give one insert at a time (max + 1), given in one statement
        (top,) = conn.execute("SELECT coalesce(max(id), 0) FROM entity_locals").fetchone()
        links: list[tuple[str, int]] = []
        for local_id, (c, head, _) in enumerate(added, start=top + 1):
            links.extend((link, local_id) for link in sorted(c.links()))
            heads[local_id] = c
            was[local_id] = None
            head_of[local_id] = head
            new_ids.append(local_id)
        conn.executemany(
            "INSERT INTO entity_locals(id, article_id, entity_id, head, members)"
            " VALUES (?, ?, NULL, ?, ?)",
            [
                (i, c.article, head, members)
                for i, (c, head, members) in zip(new_ids, added, strict=True)
            ],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO entity_local_links(link, local_id) VALUES (?, ?)", links
        )
        changed = [c for c, _, _ in added] + [c for _, _, c in removed]
        shrunk = {e for _, e, _ in removed if e is not None}

        def read(sql: str, values: Iterable) -> list[int]:
            ids = []
            for local_id, entity_id, aid, head in _in(conn, sql, values):
                if local_id not in heads:
                    heads[local_id] = _local(aid, head)
                    was[local_id] = entity_id
                    head_of[local_id] = head
                ids.append(local_id)
            return ids

        def by_links(links: Iterable[str]) -> dict[str, list[int]]:
            rows = _in(
                conn, "SELECT link, local_id FROM entity_local_links WHERE link IN ({marks})", links
            )
            read(
                "SELECT id, entity_id, article_id, head FROM entity_locals WHERE id IN ({marks})",
                {i for _, i in rows if i not in heads},
            )
            out: dict[str, list[int]] = defaultdict(list)
            for link, local_id in rows:
                out[link].append(local_id)
            return out

        of_entities = (
            "SELECT id, entity_id, article_id, head FROM entity_locals WHERE entity_id IN ({marks})"
        )
        # an old entity is read as its distinct heads: per (entity, head), the first cluster
        # stands for all (twins: the name pass places them alike) and the count says how
        # many there are; an entity's clusters are read one by one only where it splits
        blocks: dict[str, list[tuple[int, str, int]]] = {}

        def read_blocks(entities: Iterable[str]) -> None:
            wanted = [e for e in entities if e not in blocks]
            for e in wanted:
                blocks[e] = []
            for local_id, entity_id, aid, head, n in _in(
                conn,
                "SELECT min(id), entity_id, article_id, head, count(*) FROM entity_locals"
                " WHERE entity_id IN ({marks}) GROUP BY entity_id, head",
                wanted,
            ):
                blocks[entity_id].append((local_id, head, n))
                if local_id not in heads:
                    heads[local_id] = _local(aid, head)
                    was[local_id] = entity_id
                    head_of[local_id] = head

        # names: the changed clusters, the clusters one name link away from them and every
        # entity any of those belongs to; then the entities that own a short name the
        # region may now give one meaning. No further: an old cluster shares no key with,
        # and is not a compatible full name of, a cluster of another old entity (or the
        # two would be one entity), so only a changed cluster's neighbours can join; a
        # short name that clusters outside also hold stands for several names (those
        # holders' keys meet no changed cluster), so it joins nothing (``blocked``)
        names = {i for i in new_ids if _is_name(heads[i])}
        frontier: set[str] = set()
        for c in changed:
            if _is_name(c):
                frontier |= _name_links(c)
        fresh = {e for _, e, c in removed if e is not None and _is_name(c)}
        wanted = {nb for link in frontier for nb in _name_neighbours(link)}
        fresh |= {
            e
            for (e,) in _in(
                conn,
                "SELECT DISTINCT x.entity_id FROM entity_local_links l"
                " JOIN entity_locals x ON x.id = l.local_id WHERE l.link IN ({marks})",
                wanted,
            )
            if e is not None
        }
        asked_entities: set[str] = set()
        block_root: dict[tuple[str, str], tuple] = {}  # (entity, head) -> its name group
        while True:
            read_blocks(fresh)
            names |= {r for e in fresh for r, _, _ in blocks[e] if _is_name(heads[r])}
            asked_entities |= fresh
            name_ids = sorted(names)
            shorts = {s for i in name_ids for s in heads[i].shorts}
            holders: dict[str, list[tuple[int, str | None, str]]] = defaultdict(list)
            owners: dict[str, list[tuple[int, str | None, str]]] = defaultdict(list)
            for link, local_id, entity_id, head in _in(
                conn,
                "SELECT l.link, l.local_id, x.entity_id, x.head FROM entity_local_links l"
                " JOIN entity_locals x ON x.id = l.local_id WHERE l.link IN ({marks})",
                [f"{kind}:{s}" for s in sorted(shorts) for kind in ("s", "k")],
            ):
                row = (local_id, entity_id, head)
                (holders if link[0] == "s" else owners)[link[2:]].append(row)

            blocked = frozenset(
                s
                for s in shorts
                if not all(i in names or e in asked_entities for i, e, _ in holders[s])
            )
            root: dict[int, tuple] = {}
            reps, rep_of = _distinct_heads([heads[i] for i in name_ids])
            for g, members in enumerate(
                cluster_region(
                    [heads[name_ids[n]] for n in reps],
                    self.terms_of,
                    related_threshold=thr,
                    blocked=blocked,
                )
            ):
                for n in members:
                    root[name_ids[reps[n]]] = ("x", g)
            for n, i in enumerate(name_ids):
                root[i] = root[name_ids[reps[rep_of[n]]]]
            block_root = {(e, head_of[i]): root[i] for i in name_ids if (e := was[i]) is not None}

            # a short name whose holders (all in the region) are now one name joins its
            # owner: an owner outside is brought in with its entity, and all clustered again
            more = {
                e
                for s in shorts - blocked
                if len({root.get(i) or block_root[e, h] for i, e, h in holders[s]}) == 1
                for _, e, _ in owners[s]
                if e is not None and e not in asked_entities
            }
            if not more:
                break
            fresh = more

        def name_key(i: int) -> tuple | None:
            """The name group of name cluster ``i`` (None: its entity was not clustered)."""
            if i in root:
                return root[i]
            e = was[i]
            return block_root.get((e, head_of[i])) if e is not None else None

        olds_of: dict[tuple, set[str]] = defaultdict(set)
        roots_of: dict[str, set[tuple]] = defaultdict(set)
        for i in name_ids:
            if (e := was[i]) is not None:
                olds_of[root[i]].add(e)
                roots_of[e].add(root[i])
        moved = {r for r, olds in olds_of.items() if len(olds) > 1}
        moved |= {r for rs in roots_of.values() if len(rs) > 1 for r in rs}
        entity_root: dict[str, tuple] = {}
        for i in sorted(names):
            if (e := was[i]) is not None:
                entity_root.setdefault(e, root[i])
        # lone surnames: decided again for every token whose persons or lone names changed;
        # a token that only gained clusters compares only what it gained (see _grown)
        tokens: set[str] = set()
        for c in changed:
            tokens |= _tokens(c)
            if c.partial is not None:
                tokens.add(c.partial)
        redo: set[str] = set()  # tokens whose persons or lone names lost or moved clusters
        for _, _, c in removed:
            redo |= _tokens(c)
            if c.partial is not None:
                redo.add(c.partial)
        for i in name_ids:
            if root[i] in moved:
                redo |= _tokens(heads[i])
        tokens |= redo
        fresh_ids = set(new_ids)
        decided: dict[int, tuple] = {}
        hits = by_links(f"{kind}:{t}" for t in tokens for kind in ("p", "sn", "g"))
        for t in sorted(tokens):
            partials = sorted({i for i in hits.get(f"p:{t}", ()) if heads[i].partial == t})
            if not partials:
                continue
            persons = sorted(
                {
                    i
                    for i in hits.get(f"sn:{t}", []) + hits.get(f"g:{t}", [])
                    if t in _tokens(heads[i])
                }
            )
            person_articles = [heads[i].article for i in persons]
            # an old lone name is one whose entity holds no person with the token
            attached = {was[i] for i in persons if i not in fresh_ids}
            was_lone = {i for i in partials if i not in fresh_ids and was[i] not in attached}
            candidates: dict[int, set[tuple]] = defaultdict(set)
            if t in redo:
                ask = partials
            else:  # new lone names; old ones only as far as a new person changes them
                new_persons = [n for n, i in enumerate(persons) if i in fresh_ids]
                old = [i for i in partials if i not in fresh_ids]
                new_roots: dict[int, set[tuple]] = defaultdict(set)
                for n, m in related_pairs(
                    [heads[i].article for i in old],
                    [person_articles[m] for m in new_persons],
                    self.terms_of,
                    thr,
                ):
                    p = persons[new_persons[m]]
                    new_roots[old[n]].add(name_key(p) or ("e", was[p]))
                ask = [i for i in partials if i in fresh_ids]
                for i, roots in new_roots.items():
                    if i not in was_lone:  # it had one candidate: its entity's persons
                        e = was[i]
                        assert e is not None
                        candidates[i] = roots | {entity_root.get(e, ("e", e))}
                    elif len(roots) == 1:  # none or several before: ask them all
                        ask.append(i)
                    else:
                        candidates[i] = roots
            for n, m in related_pairs(
                [heads[i].article for i in ask], person_articles, self.terms_of, thr
            ):
                p = persons[m]
                candidates[ask[n]].add(name_key(p) or ("e", was[p]))
            asked = set(ask) | set(candidates)
            lone_now = {i for i in asked if len(candidates[i]) != 1}
            for i in asked - lone_now:
                decided[i] = next(iter(candidates[i]))
            lone = sorted(lone_now | (was_lone - asked))
            if t in redo or (was_lone & asked) - lone_now:  # a lone name left: all again
                joined = None
            else:
                joined = {i for i in lone if i not in was_lone}
            for i, first in _components(lone, heads, self.terms_of, thr, joined, was).items():
                decided[i] = ("l", first)
        # nominals: the head groups of changed nominals (only what joined, if none left)
        nominal_heads = {c.keys[0] for c in changed if c.kind == "nominal"}
        shrunk_heads = {c.keys[0] for _, _, c in removed if c.kind == "nominal"}
        hits = by_links(f"k:{h}" for h in nominal_heads)
        for h in sorted(nominal_heads):
            members = sorted({i for i in hits.get(f"k:{h}", ()) if heads[i].kind == "nominal"})
            joined = None if h in shrunk_heads else {i for i in members if i in fresh_ids}
            for i, first in _components(members, heads, self.terms_of, thr, joined, was).items():
                decided[i] = ("n", first)
        # the region written: the changed clusters' entities (and the entities a lone
        # surname joins or leaves), whole
        affected = {was[i] for i in names} | {was[i] for i in decided} | shrunk
        affected |= {key[1] for key in decided.values() if key[0] == "e"}
        affected.discard(None)

        def key_of(i: int) -> tuple:
            if (key := name_key(i)) is not None:
                return key
            if i in decided:
                return decided[i]
            if heads[i].kind == "pronoun" or was[i] is None:
                return ("p", i)
            e = was[i]  # kept with the name clusters of its entity
            return entity_root.get(e, ("e", e))

        # an entity whose every cluster goes one way moves whole (its clusters unread);
        # one that splits (or lost clusters) is read cluster by cluster
        read_blocks(affected)
        decided_of: dict[tuple[str | None, str], int] = defaultdict(int)
        decided_keys: dict[str | None, set[tuple]] = defaultdict(set)
        for i, key in decided.items():
            decided_of[was[i], head_of[i]] += 1
            decided_keys[was[i]].add(key)
        split = set(shrunk)
        whole: dict[str, tuple] = {}
        for e in sorted(affected - split):
            keys: set[tuple] = set()
            for rep, head, n in blocks[e]:
                c = heads[rep]
                if _is_name(c) or (c.kind == "pronoun" and n == 1):
                    keys.add(key_of(rep))
                elif c.kind == "pronoun":
                    keys.add(("split",))
                elif n > decided_of[e, head]:  # clusters left with the entity's names
                    keys.add(entity_root.get(e, ("e", e)))
            keys |= decided_keys.get(e, set())
            if len(keys) == 1:
                whole[e] = keys.pop()
            else:
                split.add(e)
        singles = set(new_ids) | set(read(of_entities, split & affected))
        groups: dict[tuple, tuple[list[str], list[int]]] = {}
        first: dict[tuple, int] = {}
        for e, key in whole.items():
            groups.setdefault(key, ([], []))[0].append(e)
            at = min(r for r, _, _ in blocks[e])
            first[key] = min(first.get(key, at), at)
        for i in singles:
            key = key_of(i)
            groups.setdefault(key, ([], []))[1].append(i)
            first[key] = min(first.get(key, i), i)
        self._write_entities(
            [(sorted(groups[k][0]), sorted(groups[k][1])) for k in sorted(groups, key=first.get)],
            {i: was[i] for i in singles},
            {e for e in affected if e is not None},
            shrunk,
            {i: heads[i] for i in new_ids},
        )

    def _write_entities(
        self,
        groups: list[tuple[list[str], list[int]]],
        was: Mapping[int, str | None],
        old_entities: set[str],
        shrunk: set[str],
        added: Mapping[int, LocalCluster],
    ) -> None:
        """Write the entities of a region's new ``groups`` that changed (an entity made of
        exactly the clusters it had keeps its row unless its salted id moves). A group is
        the old entities it takes whole and the clusters it takes one by one (``was``: each
        of those clusters' entity before); ``added``: the clusters this batch inserted, with
        their members (not read back)."""
        conn = self.conn
        kept: set[str] = set()
        changed: list[tuple[list[str], list[int]]] = []
        for olds, ids_ in groups:
            if not ids_ and len(olds) == 1 and olds[0] not in shrunk:
                kept.add(olds[0])
            else:
                changed.append((olds, ids_))
        gone = old_entities - kept
        # an entity made of whole old entities and new clusters adds the new clusters'
        # mentions to the old entities' kept rows; any other is summed from its members
        stored = self._rows({e for olds, _ in changed for e in olds} - shrunk)
        whole: list[list[str]] = []  # per changed entity: the old entities it took whole
        read: list[int] = []  # clusters whose members are read
        member_ids: list[list[int]] = []  # per changed entity: the clusters read for it
        for olds, ids_ in changed:
            if all(e in stored for e in olds) and all(was[i] is None for i in ids_):
                whole.append(olds)
                member_ids.append(ids_)
            else:
                whole.append([])
                everything = sorted(
                    set(ids_)
                    | {
                        r[0]
                        for r in _in(
                            conn, "SELECT id FROM entity_locals WHERE entity_id IN ({marks})", olds
                        )
                    }
                )
                member_ids.append(everything)
            read.extend(member_ids[-1])
        full: dict[int, LocalCluster] = {i: added[i] for i in read if i in added}
        for local_id, aid, head, members in _in(
            conn,
            "SELECT id, article_id, head, members FROM entity_locals WHERE id IN ({marks})",
            [i for i in read if i not in added],
        ):
            full[local_id] = _local(aid, head, members)
        sums: list[dict[FormKey, FormRow]] = []
        results: list[tuple[Entity, tuple[str, int, int]]] = []
        for ids_, olds in zip(member_ids, whole, strict=True):
            rows = entity_rows(full[i] for i in ids_ if i in full)
            for e in olds:
                add_rows(rows, stored[e])
            sums.append(rows)
            results.append(entity_from_rows(rows))
        bases = {
            r[0]
            for r in _in(conn, "SELECT base FROM entity_bases WHERE entity_id IN ({marks})", gone)
        } | {e.id for e, _ in results}
        others = [
            (eid, base, n, tuple(json.loads(first)))
            for eid, base, n, first in _in(
                conn,
                "SELECT entity_id, base, mentions, first FROM entity_bases WHERE base IN ({marks})",
                bases,
            )
            if eid not in gone
        ]
        stubs = [e for e, _ in results] + [
            Entity(id=base, name="", type="", aliases=(), articles=(), mentions=n)
            for _, base, n, _ in others
        ]
        firsts = [f for _, f in results] + [f for _, _, _, f in others]
        new_ids = [e.id for e in distinct_ids(stubs, firsts)]
        for table, col in (
            ("aliases", "entity_id"),
            ("entities", "id"),
            ("entity_bases", "entity_id"),
            ("entity_rows", "entity_id"),
        ):
            _in(conn, f"DELETE FROM {table} WHERE {col} IN ({{marks}})", gone)
        # whole old entities move to their new id before any other entity takes an old id
        renamed: set[str] = set()
        for new_id, olds in zip(new_ids[: len(results)], whole, strict=True):
            for e in olds:
                if e != new_id:
                    for table in ("mentions", "entity_locals"):
                        conn.execute(
                            f"UPDATE {table} SET entity_id = ? WHERE entity_id = ?",
                            ("~" + new_id, e),
                        )
                    renamed.add(new_id)
        self._rename(
            [
                (eid, new_id)
                for (eid, _, _, _), new_id in zip(others, new_ids[len(results) :], strict=True)
                if new_id != eid
            ]
        )
        # mentions and clusters take their entity's new id: whole old entities by their
        # old id, read clusters one by one ("~" marks an id being moved)
        local_entity: list[tuple[str, int]] = []
        mention_entity: list[tuple[str, str, int, int, str]] = []
        entities_rows: list[tuple] = []
        alias_rows: list[tuple[str, str]] = []
        base_rows: list[tuple[str, str, int, str]] = []
        kept_rows: list[tuple[str, str]] = []
        for (entity, first), rows, new_id, ids_ in zip(
            results, sums, new_ids[: len(results)], member_ids, strict=True
        ):
            entities_rows.append(
                (
                    new_id,
                    entity.name,
                    entity.type,
                    entity.mentions,
                    json.dumps(list(entity.articles)),
                )
            )
            alias_rows.extend((new_id, a) for a in entity.aliases)
            base_rows.append((new_id, entity.id, entity.mentions, json.dumps(list(first))))
            kept_rows.append((new_id, _rows_json(rows)))
            for i in ids_:
                if i in full:
                    c = full[i]
                    local_entity.append(("~" + new_id, i))
                    mention_entity.extend(
                        ("~" + new_id, c.article, m[0], m[1], new_id) for m in c.members
                    )
                    renamed.add(new_id)
        # each table's rows in the order one statement per entity gave them
        conn.executemany(
            "INSERT INTO entities(id, name, type, mentions, articles) VALUES (?,?,?,?,?)",
            entities_rows,
        )
        conn.executemany(
            "INSERT OR IGNORE INTO aliases(entity_id, alias) VALUES (?, ?)", alias_rows
        )
        conn.executemany(
            "INSERT INTO entity_bases(entity_id, base, mentions, first) VALUES (?,?,?,?)",
            base_rows,
        )
        conn.executemany("INSERT INTO entity_rows(entity_id, rows) VALUES (?, ?)", kept_rows)
        conn.executemany("UPDATE entity_locals SET entity_id = ? WHERE id = ?", local_entity)
        # a mention that has its new id already is left as it is (moved aside and back it
        # would end the same): its row is not written, so the change stamps of its article
        # (group_stamps, read by the group and claims steps) do not move for nothing. Every
        # mention moved aside above bears a "~" id here, so it is still moved.
        conn.executemany(
            "UPDATE mentions SET entity_id = ? WHERE article_id = ? AND start = ? AND end = ?"
            " AND entity_id IS NOT ?",
            mention_entity,
        )
        moves = [(new_id, "~" + new_id) for new_id in sorted(renamed)]
        for table in ("mentions", "entity_locals"):
            conn.executemany(f"UPDATE {table} SET entity_id = ? WHERE entity_id = ?", moves)

    def _rows(self, entity_ids: Iterable[str]) -> dict[str, dict[FormKey, FormRow]]:
        """The kept :class:`~newsweave.entities.FormRow` of entities (those that have them)."""
        out: dict[str, dict[FormKey, FormRow]] = {}
        for eid, data in _in(
            self.conn,
            "SELECT entity_id, rows FROM entity_rows WHERE entity_id IN ({marks})",
            entity_ids,
        ):
            out[eid] = {
                (form, kind, label, bool(hint), tuple(tokens)): FormRow(
                    count, (first[0], first[1], first[2]), set(articles)
                )
                for form, kind, label, hint, tokens, count, first, articles in json.loads(data)
            }
        return out

    def _rename(self, renamed: list[tuple[str, str]]) -> None:
        """Give entities outside the rewritten part their new salted ids (two may swap ids:
        they are moved aside first)."""
        conn = self.conn
        moved = []
        for eid, new_id in renamed:
            row = conn.execute(
                "SELECT name, type, mentions, articles FROM entities WHERE id = ?", (eid,)
            ).fetchone()
            aliases = conn.execute(
                "SELECT alias FROM aliases WHERE entity_id = ?", (eid,)
            ).fetchall()
            base = conn.execute(
                "SELECT base, mentions, first FROM entity_bases WHERE entity_id = ?", (eid,)
            ).fetchone()
            kept_rows = conn.execute(
                "SELECT rows FROM entity_rows WHERE entity_id = ?", (eid,)
            ).fetchall()
            moved.append((new_id, row, aliases, base, kept_rows))
            conn.execute("DELETE FROM entity_rows WHERE entity_id = ?", (eid,))
            conn.execute("DELETE FROM aliases WHERE entity_id = ?", (eid,))
            conn.execute("DELETE FROM entities WHERE id = ?", (eid,))
            conn.execute("DELETE FROM entity_bases WHERE entity_id = ?", (eid,))
            for table in ("mentions", "entity_locals"):
                conn.execute(
                    f"UPDATE {table} SET entity_id = ? WHERE entity_id = ?", ("~" + new_id, eid)
                )
        for new_id, row, aliases, base, kept_rows in moved:
            conn.executemany(
                "INSERT INTO entity_rows(entity_id, rows) VALUES (?, ?)",
                [(new_id, r) for (r,) in kept_rows],
            )
            conn.execute(
                "INSERT INTO entities(id, name, type, mentions, articles) VALUES (?,?,?,?,?)",
                (new_id, *row),
            )
            conn.executemany(
                "INSERT INTO aliases(entity_id, alias) VALUES (?, ?)",
                [(new_id, a) for (a,) in aliases],
            )
            conn.execute(
                "INSERT INTO entity_bases(entity_id, base, mentions, first) VALUES (?,?,?,?)",
                (new_id, *base),
            )
            for table in ("mentions", "entity_locals"):
                conn.execute(
                    f"UPDATE {table} SET entity_id = ? WHERE entity_id = ?", (new_id, "~" + new_id)
                )


def first_pass_forms(mentions: list[Mention], common: frozenset[str]) -> list[NameForm]:
    """The forms of mentions (labels voted) under the given common words."""
    return [analyse(m.text, m.label, common) for m in mentions]
