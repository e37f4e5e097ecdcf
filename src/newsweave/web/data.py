"""The read model behind the HTTP API and the page: one in-memory snapshot of the store.

Why a snapshot: the page asks the same questions over and over (stories, an event's claims,
which articles mention an entity). Recomputing export sections per request would cost tens of
milliseconds each; instead the web layer builds, once per change of the store, a snapshot of
article metadata (no texts) plus every ``export.SECTIONS`` section with the indexes the routes
need. Texts and full-text search go to the store through per-thread read-only connections.

Everything here goes through :class:`newsweave.api.Newsweave` and :mod:`newsweave.export`, so
sections that later stages register (copies, entities, events, stories, timeline, claims) show
up without changes here. A section that fails to build is left empty and reported in
``Snapshot.problems`` instead of taking the whole page down.

A change of the store is noticed from the database and WAL files' size and modification time
(a stat, no SQL), so a CLI ingest in another process shows up on the next request.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsweave import export
from newsweave.api import Newsweave
from newsweave.records import Article

log = logging.getLogger("newsweave.web")

# Sections the page knows how to show; any other registered section is still served raw.
KNOWN_SECTIONS = ("copies", "entities", "events", "stories", "timeline", "claims")
CLAIM_STATUSES = ("contested", "corroborated", "single-source")


def article_summary(article: Article, extra: dict | None = None) -> dict:
    """An article without its text: what lists and cards show."""
    row = export.article_dict(article)
    text = row.pop("text")
    row["words"] = len(text.split())
    row["lead"] = _lead(text)
    if extra:
        for key, value in extra.items():
            row.setdefault(key, value)
    return row


def _lead(text: str, limit: int = 220) -> str:
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit)
    return flat[: cut if cut > 0 else limit] + " …"


@dataclass
class Snapshot:
    """Article metadata and every export section, indexed for the routes."""

    version: tuple
    articles: list[dict]
    by_id: dict[str, dict]
    sections: dict[str, list[dict]]
    problems: dict[str, str] = field(default_factory=dict)
    events: dict[str, dict] = field(default_factory=dict)
    stories: dict[str, dict] = field(default_factory=dict)
    entities: dict[str, dict] = field(default_factory=dict)
    claims: dict[str, dict] = field(default_factory=dict)
    article_events: dict[str, list[str]] = field(default_factory=dict)
    article_entities: dict[str, list[str]] = field(default_factory=dict)
    article_copies: dict[str, list[int]] = field(default_factory=dict)
    event_claims: dict[str, list[str]] = field(default_factory=dict)
    event_claim_counts: dict[str, Counter] = field(default_factory=dict)  # event -> status: n
    outlets: list[tuple[str, int]] = field(default_factory=list)
    claims_by_status: dict[str, list[dict]] = field(default_factory=dict)
    entities_ranked: list[dict] = field(default_factory=list)  # most articles first
    entity_keys: dict[str, str] = field(default_factory=dict)  # id -> casefolded names
    entity_search: list[tuple[str, dict]] = field(default_factory=list)  # ranked (key, entity)
    contradictions: dict[frozenset, dict] | None = None  # claim pair -> slot, loaded on use
    entity_names: dict[str, set[str]] = field(default_factory=dict)  # name/alias -> articles

    def section(self, name: str) -> list[dict]:
        return self.sections.get(name, [])

    def extra_section(self, nw: Newsweave, name: str) -> list[dict] | None:
        """A registered section the page does not use (e.g. ``time_refs``): computed on first
        request and kept with this snapshot. ``None`` when no such section is registered."""
        if name in self.sections:
            return self.sections[name]
        if name not in export.SECTIONS:
            return None
        rows = export.section(nw.store, name)
        self.sections[name] = rows
        return rows

    def entity_articles(self, key: str) -> set[str] | None:
        """Articles mentioning an entity given by id, name or alias (case-insensitive).
        ``None`` when nothing matches the key."""
        if key in self.entities:
            return set(self.entities[key].get("articles") or ())
        return self.entity_names.get(key.casefold().strip())


def build_snapshot(nw: Newsweave, version: tuple) -> Snapshot:
    """Read everything the page needs from the store once."""
    store = nw.store
    groups = export.source_group_lookup(store)
    articles = [
        article_summary(a, {"source_group": groups[a.id]}) for a in store.iter_articles()
    ]
    by_id = {a["id"]: a for a in articles}

    sections: dict[str, list[dict]] = {}
    problems: dict[str, str] = {}
    for name in export.SECTIONS:
        if name not in KNOWN_SECTIONS:
            continue  # served raw on request only (see Snapshot.extra_section)
        try:
            sections[name] = export.section(store, name)
        except Exception as exc:
            log.exception("export section %r failed", name)
            sections[name] = []
            problems[name] = f"{type(exc).__name__}: {exc}"

    snap = Snapshot(
        version=version, articles=articles, by_id=by_id, sections=sections, problems=problems
    )
    _index(snap)
    return snap


def _index(snap: Snapshot) -> None:
    for ev in snap.section("events"):
        snap.events[str(ev.get("id"))] = ev
        for aid in ev.get("articles") or ():
            snap.article_events.setdefault(aid, []).append(str(ev.get("id")))
    for st in snap.section("stories"):
        snap.stories[str(st.get("id"))] = st
    for ent in snap.section("entities"):
        eid = str(ent.get("id"))
        snap.entities[eid] = ent
        for aid in ent.get("articles") or ():
            snap.article_entities.setdefault(aid, []).append(eid)
        names = {
            str(n).casefold().strip() for n in [ent.get("name") or "", *(ent.get("aliases") or ())]
        }
        snap.entity_keys[eid] = "\n".join(sorted(names))
        for name in names:
            snap.entity_names.setdefault(name, set()).update(ent.get("articles") or ())
    snap.entities_ranked = sorted(
        snap.section("entities"),
        key=lambda e: (-len(e.get("articles") or ()), str(e.get("name") or "").casefold()),
    )
    snap.entity_search = [(snap.entity_keys[str(e.get("id"))], e) for e in snap.entities_ranked]
    for i, group in enumerate(snap.section("copies")):
        for aid in group.get("articles") or ():
            snap.article_copies.setdefault(aid, []).append(i)
    for claim in snap.section("claims"):
        cid = str(claim.get("id"))
        snap.claims[cid] = claim
        snap.claims_by_status.setdefault(str(claim.get("status")), []).append(claim)
        event = claim.get("event") or _event_of_claim(snap, claim)
        if event:
            snap.event_claims.setdefault(str(event), []).append(cid)
            snap.event_claim_counts.setdefault(str(event), Counter())[str(claim.get("status"))] += 1
    counts = Counter(a["outlet"] for a in snap.articles if a.get("outlet"))
    snap.outlets = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].casefold()))


def _event_of_claim(snap: Snapshot, claim: dict) -> str | None:
    """When a claims section carries no ``event``, place a claim in the event that holds
    most of its articles (ties: the first event listed)."""
    votes: Counter[str] = Counter()
    for aid in claim.get("articles") or ():
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
