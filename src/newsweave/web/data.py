"""The read model behind the HTTP API and the page: one in-memory snapshot of the store.

Why a snapshot: the page asks the same questions over and over (stories, an event's claims,
which articles mention an entity). Asking the store per request would cost tens of
milliseconds each; instead the web layer builds, once per change of the store, a snapshot of
article metadata (no texts) plus the typed records :class:`newsweave.api.Newsweave` returns
(copy groups, entities, events, stories, timeline, claims), with the indexes the routes need.
Texts and full-text search go to the store through per-thread read-only connections. A record
kind that fails to load is left empty and reported in ``Snapshot.problems`` instead of taking
the whole page down.

A change of the store is noticed from the database and WAL files' size and modification time
(a stat, no SQL), so a CLI ingest in another process shows up on the next request.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsweave.api import Newsweave
from newsweave.copies import singleton_source_group
from newsweave.records import (
    Article,
    Claim,
    CopyGroup,
    Disagreement,
    Entity,
    Event,
    Story,
    TimelineEntry,
)
from newsweave.web.security import public_source

log = logging.getLogger("newsweave.web")

# The record kinds the page shows (export section names); any other section is served raw.
KNOWN_SECTIONS = ("copies", "entities", "events", "stories", "timeline", "claims")
CLAIM_STATUSES = ("contested", "corroborated", "single-source")


@dataclass(frozen=True, slots=True)
class ArticleCard:
    """An article without its text: what lists and cards show."""

    id: str
    source_path: str
    title: str | None
    outlet: str | None
    agency: str | None
    dateline: str | None
    published: str | None
    url: str | None
    words: int
    lead: str
    source_group: str

    @property
    def who(self) -> str | None:
        """The outlet, else the agency."""
        return self.outlet or self.agency


def article_card(article: Article, source_group: str | None = None) -> ArticleCard:
    return ArticleCard(
        id=article.id,
        source_path=public_source(article.source_path),  # no server folders
        title=article.title,
        outlet=article.outlet,
        agency=article.agency,
        dateline=article.dateline,
        published=article.published,
        url=article.url,
        words=len(article.text.split()),
        lead=_lead(article.text),
        source_group=source_group or singleton_source_group(article.id),
    )


def _lead(text: str, limit: int = 220) -> str:
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit)
    return flat[: cut if cut > 0 else limit] + " …"


@dataclass
class Snapshot:
    """Article cards and the API's records, indexed for the routes."""

    version: tuple
    articles: list[ArticleCard]
    by_id: dict[str, ArticleCard]
    copies: list[CopyGroup] = field(default_factory=list)
    events: dict[str, Event] = field(default_factory=dict)  # in date order
    stories: dict[str, Story] = field(default_factory=dict)
    entities: dict[str, Entity] = field(default_factory=dict)
    timeline: list[TimelineEntry] = field(default_factory=list)
    claims: dict[str, Claim] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    article_events: dict[str, list[str]] = field(default_factory=dict)
    article_entities: dict[str, list[str]] = field(default_factory=dict)
    article_copies: dict[str, list[int]] = field(default_factory=dict)
    event_claims: dict[str, list[str]] = field(default_factory=dict)
    event_claim_counts: dict[str, Counter] = field(default_factory=dict)  # event -> status: n
    #: the contested pairs grouped (newsweave.disagreements), most supported first
    disagreements: list[Disagreement] = field(default_factory=list)
    claim_disagreements: dict[str, list[str]] = field(default_factory=dict)  # claim -> ids
    # event -> the disagreements with a side's claim in the event (each once), for a story's
    # count of disputes over its events
    event_disputes: dict[str, set[str]] = field(default_factory=dict)
    #: event -> its own disagreements (Newsweave.event_disagreements: the pairs with a claim
    #: in the event, grouped among themselves), as its page and card show them
    event_disagreements: dict[str, list[Disagreement]] = field(default_factory=dict)
    outlets: list[tuple[str, int]] = field(default_factory=list)
    source_groups: dict[str, str] = field(default_factory=dict)  # article -> source group
    claims_by_status: dict[str, list[Claim]] = field(default_factory=dict)
    entities_ranked: list[Entity] = field(default_factory=list)  # most articles first
    entity_search: list[tuple[str, Entity]] = field(default_factory=list)  # (names, entity)
    entity_names: dict[str, set[str]] = field(default_factory=dict)  # name/alias -> articles
    raw_sections: dict[str, list[dict]] = field(default_factory=dict)  # served raw, on use

    def counts(self) -> dict[str, int]:
        """Records per kind the page shows (a kind that failed to load counts 0)."""
        return {
            "copies": len(self.copies),
            "entities": len(self.entities),
            "events": len(self.events),
            "stories": len(self.stories),
            "timeline": len(self.timeline),
            "claims": len(self.claims),
        }

    def raw_section(self, nw: Newsweave, name: str) -> list[dict] | None:
        """An export section as ``export --format json`` has it (e.g. ``time_refs``):
        computed on first request and kept with this snapshot. ``None`` when no such section
        exists."""
        if name not in self.raw_sections:
            rows = nw.export_section(name)
            if rows is None:
                return None
            for row in rows:  # no server folders
                if isinstance(row.get("source_path"), str):
                    row["source_path"] = public_source(row["source_path"])
            self.raw_sections[name] = rows
        return self.raw_sections[name]

    def entity_articles(self, key: str) -> set[str] | None:
        """Articles mentioning an entity given by id, name or alias (case-insensitive).
        ``None`` when nothing matches the key."""
        if key in self.entities:
            return set(self.entities[key].articles)
        return self.entity_names.get(key.casefold().strip())


def _load(problems: dict[str, str], name: str, load: Callable[[], Sequence[Any]]) -> Sequence[Any]:
    """One kind of record; on failure (another stage's bug) none, and a problem noted."""
    try:
        return load()
    except Exception as exc:
        log.exception("loading %r failed", name)
        problems[name] = f"{type(exc).__name__}: {exc}"
        return []


def build_snapshot(nw: Newsweave, version: tuple) -> Snapshot:
    """Read everything the page needs from the store once."""
    problems: dict[str, str] = {}
    groups = nw.source_groups()
    articles = [article_card(a, groups.get(a.id)) for a in nw.iter_articles()]
    snap = Snapshot(
        version=version,
        articles=articles,
        by_id={a.id: a for a in articles},
        copies=list(_load(problems, "copies", nw.copy_groups)),
        events={e.id: e for e in _load(problems, "events", nw.events)},
        stories={s.id: s for s in _load(problems, "stories", nw.stories)},
        entities={e.id: e for e in _load(problems, "entities", nw.entities)},
        timeline=list(_load(problems, "timeline", nw.timeline)),
        claims={c.id: c for c in _load(problems, "claims", nw.claims)},
        disagreements=list(_load(problems, "disagreements", nw.disagreements)),
        event_disagreements=dict(
            _load(problems, "event disagreements", lambda: list(nw.event_disagreements().items()))
        ),
        problems=problems,
    )
    _index(snap)
    return snap


def _index(snap: Snapshot) -> None:
    snap.source_groups = {a.id: a.source_group for a in snap.articles}
    for ev in snap.events.values():
        for aid in ev.articles:
            snap.article_events.setdefault(aid, []).append(ev.id)
    keys: dict[str, str] = {}
    for ent in snap.entities.values():
        for aid in ent.articles:
            snap.article_entities.setdefault(aid, []).append(ent.id)
        names = {n.casefold().strip() for n in [ent.name or "", *ent.aliases]}
        keys[ent.id] = "\n".join(sorted(names))
        for name in names:
            snap.entity_names.setdefault(name, set()).update(ent.articles)
    snap.entities_ranked = sorted(
        snap.entities.values(), key=lambda e: (-len(e.articles), (e.name or "").casefold())
    )
    snap.entity_search = [(keys[e.id], e) for e in snap.entities_ranked]
    for i, group in enumerate(snap.copies):
        for aid in group.articles:
            snap.article_copies.setdefault(aid, []).append(i)
    for d in snap.disagreements:
        for side in d.sides:
            for cid in side.claims:
                snap.claim_disagreements.setdefault(cid, []).append(d.id)
    for claim in snap.claims.values():
        snap.claims_by_status.setdefault(claim.status, []).append(claim)
        event = claim.event or _event_of_claim(snap, claim)
        if event:
            snap.event_claims.setdefault(event, []).append(claim.id)
            snap.event_claim_counts.setdefault(event, Counter())[claim.status] += 1
            for d_id in snap.claim_disagreements.get(claim.id, ()):
                snap.event_disputes.setdefault(event, set()).add(d_id)
    # outlets as story and event cards name them (the outlet, else the agency), so the
    # stats bar and a card never disagree on how many there are
    counts = Counter(a.who for a in snap.articles if a.who)
    snap.outlets = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].casefold()))


def _event_of_claim(snap: Snapshot, claim: Claim) -> str | None:
    """A claim the claims stage placed in no event goes to the event that holds most of its
    articles (ties: the first event listed)."""
    votes: Counter[str] = Counter()
    for aid in claim.articles:
        for eid in snap.article_events.get(aid, ()):
            votes[eid] += 1
    if not votes:
        return None
    return votes.most_common(1)[0][0]


class ReadModel:
    """Thread-safe access to the store for the web layer: a write handle, per-thread
    read-only handles, and the current snapshot."""

    def __init__(self, db_path: str | Path) -> None:
        self.db_path = str(db_path)
        self.memory = self.db_path == ":memory:"
        # The write handle also applies pending migrations, so read-only handles can open.
        self.writer = Newsweave(self.db_path)
        self.write_lock = threading.Lock()
        self._local = threading.local()
        self._handles: list[Newsweave] = []
        self._handles_lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._snapshot_lock = threading.Lock()
        self._writes = 0  # bumped after our own writes (the only signal for ":memory:")
        self._builder: Newsweave | None = None  # the snapshot builder's own connection
        self._state_lock = threading.Lock()
        self._rebuilding = False

    # ------------------------------------------------------------------ handles

    def reader(self) -> Newsweave:
        """A read-only Newsweave for this thread (the write handle for in-memory stores)."""
        if self.memory:
            return self.writer
        nw = getattr(self._local, "nw", None)
        if nw is None:
            nw = Newsweave(self.db_path, read_only=True)
            self._local.nw = nw
            with self._handles_lock:
                self._handles.append(nw)
        return nw

    def close(self) -> None:
        with self._handles_lock:
            for nw in self._handles:
                nw.close()
            self._handles.clear()
        self.writer.close()

    # ------------------------------------------------------------------ snapshot

    def version(self) -> tuple:
        if self.memory:
            return (self._writes,)
        parts: list[Any] = [self._writes]
        for suffix in ("", "-wal"):
            try:
                st = os.stat(self.db_path + suffix)
                parts.extend((st.st_size, st.st_mtime_ns))
            except OSError:
                parts.extend((None, None))
        return tuple(parts)

    def snapshot(self) -> Snapshot:
        """The current snapshot. The first one is built before answering; after that, a change
        made by another process (a long ``newsweave ingest`` commits batch after batch) is
        picked up by one background rebuild at a time while requests keep getting the last
        complete snapshot, so a busy writer never makes every read wait for a rebuild."""
        version = self.version()
        snap = self._snapshot
        if snap is not None and snap.version == version:
            return snap
        if snap is None or self.memory:
            return self.refresh(version)
        with self._state_lock:
            if self._rebuilding:
                return snap
            self._rebuilding = True
        threading.Thread(target=self._rebuild, args=(version,), daemon=True).start()
        return snap

    def _rebuild(self, version: tuple) -> None:
        try:
            self.refresh(version)
        except Exception:  # the next request tries again; readers keep the old snapshot
            log.exception("rebuilding the web snapshot failed")
        finally:
            with self._state_lock:
                self._rebuilding = False

    def refresh(self, version: tuple | None = None) -> Snapshot:
        """Build a snapshot of the store as it is now (synchronously) and make it current."""
        version = version if version is not None else self.version()
        with self._snapshot_lock:
            snap = self._snapshot
            if snap is not None and snap.version == version:
                return snap
            if self.memory:
                with self.write_lock:
                    snap = build_snapshot(self.writer, version)
            else:
                if self._builder is None:
                    self._builder = Newsweave(self.db_path, read_only=True)
                    with self._handles_lock:
                        self._handles.append(self._builder)
                snap = build_snapshot(self._builder, version)
            self._snapshot = snap
            return snap

    def wrote(self) -> None:
        """Call after a write through :attr:`writer`: the snapshot is rebuilt before the
        write's response, so a client reads its own writes."""
        self._writes += 1
        self.refresh()
