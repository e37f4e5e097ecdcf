"""Tables and queries of the claims stage: claims, their mentions (cited spans), and the
contradictions between claims.

The claims of an event are recomputed together (alignment and contradiction are properties
of the whole set), so saving replaces the rows of the events it covers, in one transaction.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Mapping, Sequence

from newsweave.claims import (
    ALGORITHM,
    ClaimAnalysis,
    IndexedMentions,
    figure_reads,
    gives_figure,
)
from newsweave.kept import Kept, KeptBy
from newsweave.records import Claim, Contradiction, Mention, Span, TimeRef
from newsweave.store import Store, id_chunks

MIGRATIONS: list[tuple[str, str]] = [
    (
        "claims/0001_claims",
        """
        CREATE TABLE claims (
            id                  TEXT PRIMARY KEY,
            scope               TEXT NOT NULL,
            event               TEXT,
            position            INTEGER NOT NULL,
            text                TEXT NOT NULL,
            attribution         TEXT,
            hedged              INTEGER NOT NULL,
            articles            TEXT NOT NULL,
            independent_sources INTEGER NOT NULL,
            status              TEXT NOT NULL,
            contradicts         TEXT NOT NULL DEFAULT '[]'
        );
        CREATE INDEX claims_scope ON claims(scope);
        CREATE INDEX claims_status ON claims(status);
        CREATE TABLE claim_mentions (
            claim_id   TEXT NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
            article_id TEXT NOT NULL,
            start      INTEGER NOT NULL,
            end        INTEGER NOT NULL
        );
        CREATE INDEX claim_mentions_claim ON claim_mentions(claim_id);
        CREATE INDEX claim_mentions_article ON claim_mentions(article_id);
        CREATE TABLE claim_contradictions (
            scope   TEXT NOT NULL,
            a       TEXT NOT NULL,
            b       TEXT NOT NULL,
            kind    TEXT NOT NULL,
            value_a TEXT NOT NULL,
            value_b TEXT NOT NULL,
            PRIMARY KEY (a, b)
        );
        CREATE INDEX claim_contradictions_scope ON claim_contradictions(scope);
        CREATE TABLE claim_scopes (
            scope       TEXT PRIMARY KEY,
            fingerprint TEXT NOT NULL
        );
        """,
    ),
    (
        "claims/0002_sides_origins_relation",
        """
        ALTER TABLE claim_mentions ADD COLUMN attribution TEXT;
        ALTER TABLE claim_mentions ADD COLUMN text TEXT;
        ALTER TABLE claims ADD COLUMN origins INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE claim_contradictions ADD COLUMN relation TEXT NOT NULL
            DEFAULT 'contradiction';
        DELETE FROM claim_mentions;
        DELETE FROM claim_contradictions;
        DELETE FROM claims;
        DELETE FROM claim_scopes;
        """,
    ),
    (
        "claims/0003_state_figure",
        """
        ALTER TABLE claims ADD COLUMN state TEXT;
        ALTER TABLE claims ADD COLUMN figure INTEGER NOT NULL DEFAULT 1;
        """,
    ),
]

_COLUMNS = (
    "id, text, attribution, hedged, articles, independent_sources, status, contradicts, event,"
    " origins"
)


def scope_fingerprints(store: Store) -> dict[str, str]:
    """scope -> fingerprint of the inputs its claims were computed from."""
    return dict(store.conn.execute("SELECT scope, fingerprint FROM claim_scopes").fetchall())


def save_fingerprint(store: Store, scope: str, fingerprint: str) -> None:
    """Record the fingerprint of a scope whose stored claims are those its inputs give."""
    with store.transaction() as conn:
        conn.execute(
            "UPDATE claim_scopes SET fingerprint = ? WHERE scope = ?", (fingerprint, scope)
        )


def claim_state(
    claim: Claim,
    published: Mapping[str, str | None],
    times: Mapping[str, Sequence[TimeRef]] | None = None,
    mentions: Mapping[str, Sequence[Mention]] | None = None,
) -> str:
    """A digest of what the comparison across events reads of a stored claim: its mentions
    (spans, texts, speakers), event, hedging and its articles' publication dates, the
    claims rules (``ALGORITHM``) and, for each mention that may give a figure, what
    :func:`newsweave.claims.figure_reads` reads of the time and nlp stages (``times``,
    ``mentions``: article id -> that article's time expressions and entity mentions). The
    stored answers across events of a claim whose rows came out the same under new rules,
    or after a re-run of nlp that changed whose figure it is, were found from the old
    reads, so its state changes."""
    n = len(claim.spans)
    texts = claim.texts if len(claim.texts) == n else (claim.text,) * n
    reads = [
        figure_reads(s, t, times, mentions) if gives_figure(t) else None
        for s, t in zip(claim.spans, texts, strict=True)
    ]
    key = (
        ALGORITHM,
        claim.id,
        claim.event,
        claim.hedged,
        claim.text,
        claim.texts,
        claim.attributions,
        [(s.article, s.start, s.end, published.get(s.article)) for s in claim.spans],
        reads,
    )
    return hashlib.sha1(repr(key).encode()).hexdigest()


#: Claim states kept per process, by a digest of everything :func:`claim_state` digests
#: with the time expressions and PERSON/ORG names of a claim's articles as a digest per
#: article (what :func:`newsweave.claims.figure_reads` reads of them): an event an article
#: joins is saved again with most of its claims as they were, and a claim's state reads
#: every stored mention of its articles (issue #14). Kept by digest, not by the values,
#: which the cache alone would keep alive (the key tuples held ~700 B a claim, and the
#: articles' reads kept to compare with ~6.7 kB an article: 35 and 20 MB over 3,000
#: generated articles); ~250 B a claim now. A claim's digest costs about a third of its
#: state (12 against 38 us), an article's ~30 us.
STATE_CACHE_CLAIMS = 50_000
_STATES: Kept[bytes, str] = Kept(STATE_CACHE_CLAIMS)


#: The key of :data:`_STATES` of the claims last saved, by the claim object (kept with its
#: entry, so its id is not another's) with what it read of its articles: a statement alone
#: in its claim keeps its claim object from one analysis of its event to the next
#: (``newsweave.claims._GroupMemo.lone``), so most of an event an article joins is not
#: digested again (~25 us a claim). ~200 B an entry besides the claims, most of which the
#: group memos hold too; 20,000 hold a Timeline17 topic's claims.
KEY_CACHE_CLAIMS = 20_000
#: claim -> (what it read of its articles, its key)
_KEY_OF_CLAIM: KeptBy[tuple[tuple, bytes]] = KeptBy(KEY_CACHE_CLAIMS)


def _digest(value: object) -> bytes:
    """A 128-bit digest of ``value``'s repr (records are dataclasses and tuples, whose repr
    says every field): equal digests stand for equal values."""
    return hashlib.blake2b(repr(value).encode(), digest_size=16).digest()


def _reads_digest(article: str, times: Mapping | None, mentions: Mapping | None) -> bytes:
    """A digest of what ``times`` and ``mentions`` hold for ``article`` as
    :func:`newsweave.claims.figure_reads` reads them."""
    ts = tuple((times or {}).get(article, ()))
    # what figure_reads reads of a mention (not its entity id, which a renaming changes)
    ms = tuple(
        (m.start, m.text, m.label)
        for m in (mentions or {}).get(article, ())
        if m.label in ("PERSON", "ORG")
    )
    return _digest((ts, ms))


def _claim_states(
    claims: Sequence[Claim],
    published: Mapping[str, str | None],
    times: Mapping[str, Sequence[TimeRef]] | None,
    mentions: Mapping[str, Sequence[Mention]] | None,
) -> dict[str, str]:
    """claim id -> :func:`claim_state` for ``claims``, taken from the per-process cache
    where everything the state digests is as it was."""
    # each article's names indexed once for all its claims' figure mentions
    indexed = mentions if isinstance(mentions, IndexedMentions) else IndexedMentions(mentions)
    reads: dict[str, bytes] = {}
    out: dict[str, str] = {}
    for c in claims:
        arts = [s.article for s in c.spans]
        for a in arts:
            if a not in reads:
                reads[a] = _reads_digest(a, times, mentions)
        # what the state reads besides the claim (the rules' name too: a test changes it)
        read = (ALGORITHM, tuple(published.get(a) for a in arts), tuple(reads[a] for a in arts))
        held = _KEY_OF_CLAIM.held_for(c)
        if held is not None and held[0] == read:
            key = held[1]
        else:
            key = _digest(
                (
                    c.id,
                    c.event,
                    c.hedged,
                    c.text,
                    c.texts,
                    c.attributions,
                    # plain tuples: a dataclass's repr is Python code, ~4x a tuple's
                    tuple((sp.article, sp.start, sp.end) for sp in c.spans),
                    *read,
                )
            )
            _KEY_OF_CLAIM.keep_for(c, (read, key))
        state = _STATES.held(key)
        if state is None:
            state = _STATES.keep(key, claim_state(c, published, times, indexed))
        out[c.id] = state
    return out


#: Ids that JSON writes as they are between quotes (no quote, backslash, control or
#: non-ASCII character to escape): article and claim ids.
_PLAIN_IDS = re.compile(r'[^"\\\x00-\x1f\x7f-\U0010ffff]*')


def _json_ids(ids: Sequence[str]) -> str:
    """``json.dumps(list(ids))``, written directly for plain ids (an event's claims are
    saved again whenever an article joins it: two lists a claim, ~3 us each through
    :mod:`json`)."""
    if not ids or not _PLAIN_IDS.fullmatch("".join(ids)):
        return json.dumps(list(ids))
    return '["' + '", "'.join(ids) + '"]'


#: What :func:`save_scope` writes of a claim besides its scope, position and state (its
#: id lists as JSON, whether it may give a figure, its mention rows), by the claim object
#: (kept with its entry, so its id is not another's), most recently used last: a lone
#: statement keeps its claim object from one analysis of its event to the next
#: (``newsweave.claims._GroupMemo.lone``) and an event an article joins is saved again
#: whole (EgyptianProtest_cnn: 89,000 claims saved over 20 deliveries against 20,000 in
#: one ingest). At most :data:`KEY_CACHE_CLAIMS` entries, ~400 B each besides the claims.
_ROWS_OF_CLAIM: KeptBy[tuple[str, str, int, list[tuple]]] = KeptBy(KEY_CACHE_CLAIMS)


def _claim_rows(c: Claim) -> tuple[str, str, int, list[tuple]]:
    """(articles as JSON, contradicts as JSON, figure flag, mention rows) of claim ``c``,
    kept by the claim object (:data:`_ROWS_OF_CLAIM`); the mention rows are shared with
    the cache and never changed by the caller."""
    held = _ROWS_OF_CLAIM.held_for(c)
    if held is not None:
        return held
    who = c.attributions or (None,) * len(c.spans)
    texts = c.texts or (None,) * len(c.spans)
    parts = (
        _json_ids(c.articles),
        _json_ids(c.contradicts),
        int(any(gives_figure(t) for t in (c.texts or (c.text,)))),
        [
            (c.id, s.article, s.start, s.end, w, t)
            for s, w, t in zip(c.spans, who, texts, strict=True)
        ],
    )
    return _ROWS_OF_CLAIM.keep_for(c, parts)


def save_scope(
    store: Store,
    scope: str,
    fingerprint: str,
    analysis: ClaimAnalysis,
    times: Mapping[str, Sequence[TimeRef]] | None = None,
    mentions: Mapping[str, Sequence[Mention]] | None = None,
) -> dict[str, str]:
    """Replace the claims of one scope (an event id, or ``"*"`` for unevented articles);
    returns claim id -> :func:`claim_state` of the claims saved (``times``, ``mentions``:
    the time expressions and entity mentions of the scope's articles the claims were
    computed from).

    Only the claims whose row or mentions differ from the stored ones are rewritten (an
    article joining a big event leaves most of its claims as they were), and a claim whose
    mentions are unchanged only has its row updated; the store ends as deleting the scope
    and writing every claim again leaves it (but for the order of rows no query reads)."""
    published = {st.article: st.published for st in analysis.statements}
    states = _claim_states(analysis.claims, published, times, mentions)
    rows: dict[str, tuple] = {}
    mentions: dict[str, list[tuple]] = {}
    for pos, c in enumerate(analysis.claims):
        articles, contradicts, figure, said = _claim_rows(c)
        rows[c.id] = (
            c.id,
            scope,
            c.event,
            pos,
            c.text,
            c.attribution,
            int(c.hedged),
            articles,
            c.independent_sources,
            c.status,
            contradicts,
            c.origins,
            states[c.id],
            figure,
        )
        mentions[c.id] = said
    with store.transaction() as conn:
        held = _stored_scope(conn, scope)
        stale = [
            cid
            for cid, (row, said) in held.items()
            if cid not in rows or rows[cid] != row or mentions[cid] != said
        ]
        # a claim whose mentions are as stored but whose row is not (its position moved
        # when an earlier article joined the event, its event was renamed) is updated in
        # place; the others are written again
        moved = [cid for cid in stale if cid in rows and mentions[cid] == held[cid][1]]
        # most of those only moved (an article joined the event before them): their
        # position alone is written, which leaves the indexes on scope and status alone
        shifted = {
            cid
            for cid in moved
            if rows[cid][:3] == held[cid][0][:3] and rows[cid][4:] == held[cid][0][4:]
        }
        conn.executemany(
            "UPDATE claims SET position = ? WHERE id = ?",
            [(rows[cid][3], cid) for cid in moved if cid in shifted],
        )
        conn.executemany(
            "UPDATE claims SET scope = ?, event = ?, position = ?, text = ?, attribution = ?,"
            " hedged = ?, articles = ?, independent_sources = ?, status = ?, contradicts = ?,"
            " origins = ?, state = ?, figure = ? WHERE id = ?",
            [(*rows[cid][1:], cid) for cid in moved if cid not in shifted],
        )
        updated = set(moved)
        stale = [cid for cid in stale if cid not in updated]
        conn.executemany("DELETE FROM claim_mentions WHERE claim_id = ?", [(c,) for c in stale])
        conn.executemany("DELETE FROM claims WHERE id = ?", [(c,) for c in stale])
        kept = held.keys() - set(stale)
        # in one statement a table (each claim's mentions in their order, as one claim
        # after another wrote them): an event an article joins writes many of its claims
        # again, each of them two calls through sqlite3 before
        written = [cid for cid in rows if cid not in kept]
        conn.executemany(
            "INSERT OR REPLACE INTO claims (id, scope, event, position, text, attribution,"
            " hedged, articles, independent_sources, status, contradicts, origins, state,"
            " figure) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [rows[cid] for cid in written],
        )
        conn.executemany(
            "INSERT INTO claim_mentions (claim_id, article_id, start, end, attribution, text)"
            " VALUES (?,?,?,?,?,?)",
            [m for cid in written for m in mentions[cid]],
        )
        conn.execute("DELETE FROM claim_contradictions WHERE scope = ?", (scope,))
        conn.executemany(
            "INSERT OR REPLACE INTO claim_contradictions"
            " (scope, a, b, kind, value_a, value_b, relation) VALUES (?,?,?,?,?,?,?)",
            [
                (scope, x.a, x.b, x.kind, x.value_a, x.value_b, x.relation)
                for x in analysis.contradictions
            ],
        )
        conn.execute(
            "INSERT OR REPLACE INTO claim_scopes (scope, fingerprint) VALUES (?, ?)",
            (scope, fingerprint),
        )
    return states


def _stored_scope(conn, scope: str) -> dict[str, tuple[tuple, list[tuple]]]:  # noqa: ANN001
    """claim id -> (its stored row as :func:`save_scope` writes it, its mention rows in
    order) for the claims of one scope."""
    held: dict[str, tuple[tuple, list[tuple]]] = {
        r[0]: (tuple(r), [])
        for r in conn.execute(
            "SELECT id, scope, event, position, text, attribution, hedged, articles,"
            " independent_sources, status, contradicts, origins, state, figure"
            " FROM claims WHERE scope = ?",
            (scope,),
        )
    }
    for r in conn.execute(
        "SELECT claim_id, article_id, start, end, attribution, text FROM claim_mentions"
        " WHERE claim_id IN (SELECT id FROM claims WHERE scope = ?) ORDER BY rowid",
        (scope,),
    ):
        held[r[0]][1].append(tuple(r))
    return held


def scope_states(store: Store, scope: str) -> dict[str, str | None]:
    """claim id -> :func:`claim_state` of the stored claims of one scope (None: stored
    before states were)."""
    return dict(store.conn.execute("SELECT id, state FROM claims WHERE scope = ?", (scope,)))


def figure_states(store: Store) -> list[tuple[str, str | None]]:
    """(id, state) of the claims with a mention that may give a figure
    (:func:`newsweave.claims.gives_figure`; claims stored before this was recorded count
    as such), in scope order (scope, then position)."""
    return store.conn.execute(
        "SELECT id, state FROM claims WHERE figure = 1 ORDER BY scope, position"
    ).fetchall()


def drop_scopes(store: Store, scopes: Sequence[str]) -> None:
    """Forget scopes that no longer exist (an event merged away)."""
    if not scopes:
        return
    with store.transaction() as conn:
        for scope in scopes:
            _delete_scope(conn, scope)


def _delete_scope(conn, scope: str) -> None:  # noqa: ANN001 - sqlite3.Connection
    conn.execute(
        "DELETE FROM claim_mentions WHERE claim_id IN (SELECT id FROM claims WHERE scope = ?)",
        (scope,),
    )
    conn.execute("DELETE FROM claims WHERE scope = ?", (scope,))
    conn.execute("DELETE FROM claim_contradictions WHERE scope = ?", (scope,))
    conn.execute("DELETE FROM claim_scopes WHERE scope = ?", (scope,))


def _spans(store: Store, ids: Sequence[str]) -> dict[str, list[tuple[Span, str | None, str]]]:
    """claim id -> its mentions: (span, attribution, text)."""
    out: dict[str, list[tuple[Span, str | None, str]]] = {i: [] for i in ids}
    for chunk, marks in id_chunks(ids):
        for cid, aid, start, end, who, text in store.conn.execute(
            f"SELECT claim_id, article_id, start, end, attribution, text FROM claim_mentions"
            f" WHERE claim_id IN ({marks}) ORDER BY rowid",
            chunk,
        ):
            out[cid].append((Span(aid, start, end), who, text or ""))
    return out


def _row_to_claim(row: tuple, spans: dict[str, list[tuple[Span, str | None, str]]]) -> Claim:
    cid, text, attribution, hedged, articles, sources, status, contradicts, event, origins = row
    mentions = spans.get(cid, [])
    return Claim(
        id=cid,
        text=text,
        attribution=attribution,
        hedged=bool(hedged),
        articles=tuple(json.loads(articles)),
        spans=tuple(m[0] for m in mentions),
        independent_sources=sources,
        status=status,
        contradicts=tuple(json.loads(contradicts)),
        event=event,
        attributions=tuple(m[1] for m in mentions),
        texts=tuple(m[2] for m in mentions),
        origins=origins,
    )


def load_claims(
    store: Store,
    *,
    scope: str | None = None,
    status: str | None = None,
    event: str | None = None,
    article: str | None = None,
    ids: Sequence[str] | None = None,
    limit: int | None = None,
) -> list[Claim]:
    """Claims in scope order (event, then position in the text), optionally filtered."""
    where, params = [], []
    if scope is not None:
        where.append("scope = ?")
        params.append(scope)
    if status:
        where.append("status = ?")
        params.append(status)
    if event:
        where.append("event = ?")
        params.append(event)
    if article:
        where.append("id IN (SELECT claim_id FROM claim_mentions WHERE article_id = ?)")
        params.append(article)
    if ids is not None:
        if not ids:
            return []
        where.append(f"id IN ({','.join('?' * len(ids))})")
        params.extend(ids)
    sql = f"SELECT {_COLUMNS} FROM claims"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY scope, position"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    rows = store.conn.execute(sql, params).fetchall()
    spans = _spans(store, [r[0] for r in rows])
    return [_row_to_claim(r, spans) for r in rows]


def load_contradictions(store: Store, *, event: str | None = None) -> list[Contradiction]:
    """Contradictions, each with the two claims' ids, the slot kind and both values; with
    ``event``, those with a claim of that event on either side."""
    sql = "SELECT x.a, x.b, x.kind, x.value_a, x.value_b, x.relation FROM claim_contradictions x"
    params: list[str] = []
    if event:  # the pairs with a claim in the event, on either side
        sql += (
            " WHERE x.a IN (SELECT id FROM claims WHERE event = ?)"
            " OR x.b IN (SELECT id FROM claims WHERE event = ?)"
        )
        params += [event, event]
    sql += " ORDER BY x.scope, x.a, x.b"
    return [Contradiction(*r) for r in store.conn.execute(sql, params).fetchall()]


def claim_count(store: Store, status: str | None = None) -> int:
    if status:
        return store.conn.execute(
            "SELECT COUNT(*) FROM claims WHERE status = ?", (status,)
        ).fetchone()[0]
    return store.conn.execute("SELECT COUNT(*) FROM claims").fetchone()[0]


#: The scope under which contradictions between claims of different events are stored (the
#: claims stage's comparison across events and stories; see ``claims.cross_event_contradictions``).
CROSS_EVENT_SCOPE = "~events"


def load_claims_in_order(store: Store, ids: Sequence[str]) -> list[Claim]:
    """The claims ``ids`` (read in bounded chunks), in the order given."""
    found: dict[str, Claim] = {}
    for chunk, _marks in id_chunks(ids):
        found.update((c.id, c) for c in load_claims(store, ids=list(chunk)))
    return [found[i] for i in ids if i in found]


def save_cross_event(
    store: Store, changed: Collection[str], contradictions: Sequence[Contradiction]
) -> None:
    """Replace the contradictions across events that touch the ``changed`` claims (their
    scopes were just recomputed) or a claim that no longer exists, add ``contradictions``,
    and refresh ``contradicts`` and ``status`` of every claim involved, in one transaction.
    A claim's status is ``contested`` while any contradiction names it, else corroborated
    (two or more independent sources) or single-source, as the claims stage decides."""
    changed = set(changed)
    with store.transaction() as conn:
        rows = conn.execute(
            "SELECT a, b FROM claim_contradictions WHERE scope = ?", (CROSS_EVENT_SCOPE,)
        ).fetchall()
        named = {x for row in rows for x in row} | {x for c in contradictions for x in (c.a, c.b)}
        existing = _existing(conn, named | changed)
        stale = [
            (a, b)
            for a, b in rows
            if a in changed or b in changed or a not in existing or b not in existing
        ]
        conn.executemany(
            "DELETE FROM claim_contradictions WHERE scope = ? AND a = ? AND b = ?",
            [(CROSS_EVENT_SCOPE, a, b) for a, b in stale],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO claim_contradictions"
            " (scope, a, b, kind, value_a, value_b, relation) VALUES (?,?,?,?,?,?,?)",
            [
                (CROSS_EVENT_SCOPE, x.a, x.b, x.kind, x.value_a, x.value_b, x.relation)
                for x in contradictions
                if x.a in existing and x.b in existing
            ],
        )
        touched = (changed | {x for row in stale for x in row} | named) & existing
        _refresh_status(conn, sorted(touched))


def _existing(conn, ids: Collection[str]) -> set[str]:  # noqa: ANN001 - sqlite3.Connection
    out: set[str] = set()
    for chunk, marks in id_chunks(sorted(ids)):
        out.update(
            r[0] for r in conn.execute(f"SELECT id FROM claims WHERE id IN ({marks})", chunk)
        )
    return out


def _refresh_status(conn, ids: Sequence[str]) -> None:  # noqa: ANN001 - sqlite3.Connection
    for chunk, marks in id_chunks(ids):
        partners: dict[str, set[str]] = {i: set() for i in chunk}
        for a, b in conn.execute(
            f"SELECT a, b FROM claim_contradictions WHERE a IN ({marks}) OR b IN ({marks})",
            chunk + chunk,
        ):
            if a in partners:
                partners[a].add(b)
            if b in partners:
                partners[b].add(a)
        conn.executemany(
            "UPDATE claims SET contradicts = ?, status = CASE WHEN ? THEN 'contested'"
            " WHEN independent_sources >= 2 THEN 'corroborated' ELSE 'single-source' END"
            " WHERE id = ?",
            [(json.dumps(sorted(p)), bool(p), cid) for cid, p in partners.items()],
        )
