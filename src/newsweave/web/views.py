"""View builders: the JSON the routes answer, made from the snapshot's typed records.

Every function here is pure over a :class:`~newsweave.web.data.Snapshot` (plus, where a view
needs texts or pairwise links, the read-only :class:`~newsweave.api.Newsweave` of the request's
thread). Records become JSON with ``dataclasses.asdict``, so a field the API adds to a record
reaches the page without a change here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict
from typing import Any

from newsweave.api import Newsweave
from newsweave.brief import independent_sources, largest_events, most_cited
from newsweave.disagreements import in_event, relation_label, shown, shown_sides, top_two
from newsweave.formats.markdown import KEY_DATES, KEY_EVENTS, SMALL_STORY
from newsweave.records import (
    Claim,
    CopyGroup,
    Disagreement,
    Entity,
    Event,
    Story,
    TimelineEntry,
)
from newsweave.web.data import CLAIM_STATUSES, ArticleCard, Snapshot, article_card
from newsweave.web.http import ApiError

MAX_MEMBERS = 25
EVENT_CLAIMS_SHOWN = 150


def page(rows: Sequence[Any], limit: int, offset: int) -> dict:
    return {
        "ok": True,
        "total": len(rows),
        "limit": limit,
        "offset": offset,
        "items": list(rows[offset : offset + limit]),
    }


def card(article: ArticleCard, snippet: str | None = None) -> dict:
    """An article without its text, as lists show it (search hits add their ``snippet``)."""
    row = asdict(article)
    if snippet is not None:
        row["snippet"] = snippet
    return row


def merge_spans(spans: list[dict], length: int) -> list[dict]:
    """Sorted, clipped, non-overlapping highlight spans (overlaps merge, first group wins)."""
    out: list[dict] = []
    for span in sorted(spans, key=lambda s: (s["start"], -s["end"])):
        start, end = max(0, int(span["start"])), min(length, int(span["end"]))
        if end <= start:
            continue
        if out and start <= out[-1]["end"]:
            out[-1]["end"] = max(out[-1]["end"], end)
            continue
        out.append({**span, "start": start, "end": end})
    return out


def article_detail(
    nw: Newsweave, snap: Snapshot, article_id: str, *, highlights: bool = True
) -> dict:
    """One article with its text, evidence, copy groups (and their passages in it as
    highlights), events and entities."""
    art = nw.article(article_id)
    if art is None:
        raise ApiError(404, f"no article with id {article_id!r}")
    row = card(snap.by_id.get(art.id) or article_card(art))
    row["text"] = art.text
    row["evidence"] = [asdict(e) for e in art.evidence]
    row["removed"] = list(art.removed)
    groups = [snap.copies[i] for i in snap.article_copies.get(art.id, [])]
    row["copies"] = [copy_view(snap, g, (art.id,)) for g in groups]
    spans = []
    if highlights:
        for g in groups:
            for p in g.passages:
                if p.article == art.id:
                    spans.append({"start": p.start, "end": p.end, "group": g.id, "kind": g.kind})
    row["highlights"] = merge_spans(spans, len(art.text))
    row["events"] = [
        {"id": e, "title": snap.events[e].title, "date": snap.events[e].date}
        for e in snap.article_events.get(art.id, [])
        if e in snap.events
    ]
    row["entities"] = [
        entity_view(snap.entities[e], short=True)
        for e in snap.article_entities.get(art.id, [])
        if e in snap.entities
    ]
    return row


def compare(nw: Newsweave, snap: Snapshot, a: str, b: str) -> dict:
    """Two articles side by side with the passages they share: the copies stage's aligned
    passages of this very pair when it linked them, else their copy groups' passages."""
    left = article_detail(nw, snap, a, highlights=False)
    right = article_detail(nw, snap, b, highlights=False)
    shared = []
    left_spans: list[dict] = []
    right_spans: list[dict] = []
    for group in snap.copies:
        members = set(group.articles)
        if left["id"] in members and right["id"] in members:
            shared.append(copy_view(snap, group, (left["id"], right["id"])))
            for p in group.passages:
                span = {"start": p.start, "end": p.end, "group": group.id, "kind": group.kind}
                if p.article == left["id"]:
                    left_spans.append(span)
                elif p.article == right["id"]:
                    right_spans.append(span)
    links = pair_links(nw, left["id"], right["id"])
    if links:  # aligned passages of this very pair: more exact than group passages
        left_spans, right_spans = [], []
        for link in links:
            for p in link["passages"]:
                span = {"start": p["start"], "end": p["end"], "kind": link["kind"]}
                if p["article"] == left["id"]:
                    left_spans.append(span)
                elif p["article"] == right["id"]:
                    right_spans.append(span)
    left["highlights"] = merge_spans(left_spans, len(left["text"]))
    right["highlights"] = merge_spans(right_spans, len(right["text"]))
    return {"ok": True, "a": left, "b": right, "shared": shared, "links": links}


def pair_links(nw: Newsweave, a: str, b: str) -> list[dict]:
    """The copies stage's verified links between exactly these two articles, with their
    aligned passages."""
    out = []
    for link in nw.copy_links(a):
        if {link.a, link.b} != {a, b}:
            continue
        passages = [asdict(span) for pair in link.passages for span in pair]
        out.append({"kind": link.kind, "similarity": link.similarity, "passages": passages})
    return out


def copy_view(snap: Snapshot, group: CopyGroup, focus: tuple[str, ...] = ()) -> dict:
    """A copy group with readable members (the first MAX_MEMBERS, ``focus`` articles first).
    With ``focus`` (an article page, a comparison) the view carries only those articles'
    passages and an article count instead of every id: one wire story can be copied
    hundreds of times."""
    ids = list(group.articles)
    view: dict[str, Any] = {"id": group.id, "kind": group.kind, "article_count": len(ids)}
    if focus:
        wanted = set(focus)
        view["passages"] = [asdict(p) for p in group.passages if p.article in wanted]
        ids = [a for a in focus if a in set(ids)] + [a for a in ids if a not in wanted]
    else:
        view["articles"] = ids
        view["passages"] = [asdict(p) for p in group.passages]
    view["members"] = [_member(snap, a) for a in ids[:MAX_MEMBERS]]
    return view


def _member(snap: Snapshot, aid: str) -> dict:
    art = snap.by_id.get(aid)
    return {
        "id": aid,
        "title": art.title if art else None,
        "outlet": art.who if art else None,
        "published": art.published if art else None,
    }


def entity_view(ent: Entity, *, short: bool = False) -> dict:
    view = asdict(ent)
    del view["articles"]
    view["article_count"] = len(ent.articles)
    if not short:
        view["article_ids"] = list(ent.articles)
    return view


def entity_detail(snap: Snapshot, ent: Entity) -> dict:
    item = entity_view(ent)
    item["articles"] = [card(snap.by_id[a]) for a in ent.articles if a in snap.by_id]
    return item


def _dates_of(snap: Snapshot, article_ids: Iterable[str]) -> tuple[str | None, str | None]:
    dates = sorted(
        art.published for a in article_ids if (art := snap.by_id.get(a)) and art.published
    )
    return (dates[0], dates[-1]) if dates else (None, None)


def _outlets_of(snap: Snapshot, article_ids: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for a in article_ids:
        art = snap.by_id.get(a)
        if art is not None and art.who:
            seen.setdefault(art.who, None)
    return list(seen)


def _independent(snap: Snapshot, article_ids: Iterable[str]) -> int:
    """Independent sources behind the articles: the one count (each outlet once, each
    copied text once) that the briefing, CLI and exports show."""
    return independent_sources(article_ids, snap.by_id, snap.source_groups)


def _claim_counts(snap: Snapshot, event_ids: Iterable[str]) -> dict[str, int]:
    """Claims per status in these events, and ``disputes``: the disagreements
    (:mod:`newsweave.disagreements`) with a side in them, each counted once (a disagreement
    groups the pairs of one revised figure, and its sides may sit in two events of one
    story)."""
    counts = dict.fromkeys(CLAIM_STATUSES, 0)
    disputes: set[str] = set()
    for e in event_ids:
        for status, n in snap.event_claim_counts.get(e, {}).items():
            if status in counts:
                counts[status] += n
        disputes |= snap.event_disputes.get(e, set())
    counts["disputes"] = len(disputes)
    return counts


def story_card(snap: Snapshot, st: Story) -> dict:
    events = [e for e in st.events if e in snap.events]
    first, last = _dates_of(snap, st.articles)
    ev_dates = sorted(d for d in (snap.events[e].date for e in events) if d)
    view = asdict(st)
    view.update(
        {
            "article_count": len(st.articles),
            "event_count": len(events),
            "first": ev_dates[0] if ev_dates else first,
            "last": ev_dates[-1] if ev_dates else last,
            "outlets": _outlets_of(snap, st.articles),
            "independent_sources": _independent(snap, st.articles),
            "claim_counts": _claim_counts(snap, events),
        }
    )
    return view


def story_detail(snap: Snapshot, st: Story) -> dict:
    """One story: its events (in date order) and its timeline."""
    view = story_card(snap, st)
    events = sorted_events(snap.events[e] for e in st.events if e in snap.events)
    whole = len(st.articles) <= SMALL_STORY  # a small story is shown whole, as in the brief
    key = {e.id for e in largest_events(events, len(events) if whole else KEY_EVENTS)}
    view["events"] = [event_card(snap, e) | {"key": e.id in key} for e in events]
    # the key dates, as the brief picks them: the entries most articles speak of
    rows = _timeline_rows(snap, st.id)
    key_dates = set(range(len(rows)) if whole else most_cited(rows, KEY_DATES))
    view["timeline"] = [
        entry | {"key": i in key_dates} for i, entry in enumerate(timeline(snap, st.id))
    ]
    return view


def event_card(snap: Snapshot, ev: Event) -> dict:
    counts = _claim_counts(snap, [ev.id])
    # the event's own disagreements, as its page lists them
    counts["disputes"] = len(snap.event_disagreements.get(ev.id, ()))
    view = asdict(ev)
    view.update(
        {
            "article_count": len(ev.articles),
            "outlets": _outlets_of(snap, ev.articles),
            "independent_sources": _independent(snap, ev.articles),
            "claim_counts": counts,
        }
    )
    return view


def event_detail(nw: Newsweave, snap: Snapshot, ev: Event) -> dict:
    """One event: its articles and its claims, grouped as contested (both sides quoted),
    corroborated and single-source."""
    view = event_card(snap, ev)
    view["articles"] = [card(snap.by_id[a]) for a in ev.articles if a in snap.by_id]
    view["claims"], view["claim_totals"] = _capped(event_claims(nw, snap, ev.id))
    st = snap.stories.get(ev.story) if ev.story else None
    view["story"] = {"id": st.id, "title": st.title} if st else None
    return view


def sorted_events(rows: Iterable[Event]) -> list[Event]:
    return sorted(rows, key=lambda r: (r.date or "9999", r.title or ""))


def _timeline_rows(snap: Snapshot, story: str | None) -> list[TimelineEntry]:
    rows = [t for t in snap.timeline if story is None or str(t.story) == story]
    return sorted(rows, key=lambda t: t.date or "")


def timeline(snap: Snapshot, story: str | None) -> list[dict]:
    out = []
    for t in _timeline_rows(snap, story):
        entry = asdict(t)
        entry["sources"] = [
            {
                "id": a,
                "outlet": art.who if (art := snap.by_id.get(a)) else None,
                "published": art.published if art else None,
                "title": art.title if art else None,
            }
            for a in t.articles
        ]
        out.append(entry)
    return out


def claim_side(snap: Snapshot, claim: Claim, texts: dict[str, str]) -> dict:
    """A claim with, per article, the outlet and the quoted words (from its spans when the
    article's text is in ``texts``, else the claim text)."""
    quotes: dict[str, str] = {}
    for span in claim.spans:
        text = texts.get(span.article)
        if text is not None:
            quotes.setdefault(span.article, text[span.start : span.end])
    side = asdict(claim)
    side["sources"] = []
    for a in claim.articles:
        art = snap.by_id.get(a)
        side["sources"].append(
            {
                "id": a,
                "outlet": art.outlet if art else None,
                "agency": art.agency if art else None,
                "published": art.published if art else None,
                "title": art.title if art else None,
                "source_group": art.source_group if art else None,
                "quote": quotes.get(a) or claim.text,
            }
        )
    return side


def event_claims(nw: Newsweave, snap: Snapshot, event_id: str) -> dict[str, list]:
    """An event's claims by status; ``contested`` holds its own disagreements (the read
    model's :meth:`~newsweave.api.Newsweave.disagreements` of the event: its pairs grouped
    among themselves, most supported first), each once: what is disputed, update or
    contradiction, every value as written, and its two best-supported sides quoted (``a``,
    ``b``)."""
    claims = [snap.claims[c] for c in snap.event_claims.get(event_id, [])]
    found = snap.event_disagreements.get(event_id, [])
    tops = {d.id: top_two(d) for d in found}
    quoted = {s.claims[0] for a, b in tops.values() for s in (a, b) if s.claims[0] in snap.claims}
    involved = claims + [snap.claims[c] for c in quoted]
    texts = _texts(nw, involved)
    out: dict[str, list] = {"contested": [], "corroborated": [], "single-source": []}
    for d in found:
        out["contested"].append(disagreement_view(snap, d, texts, event=event_id))
    listed = {c for d in found for s in d.sides for c in s.claims}
    for c in claims:
        if c.status == "contested":
            if c.id not in listed:  # its other side is not in the store
                out["contested"].append({"a": claim_side(snap, c, texts), "b": None})
        elif c.status in out:
            out[c.status].append(claim_side(snap, c, texts))
    for status in ("corroborated", "single-source"):
        out[status].sort(key=lambda s: -int(s.get("independent_sources") or 0))
    return out


def _texts(nw: Newsweave, claims: Iterable[Claim]) -> dict[str, str]:
    """The texts of the claims' articles, when a claim has spans to quote from."""
    claims = list(claims)
    if not any(c.spans for c in claims):
        return {}
    ids = sorted({a for c in claims for a in c.articles})
    return {a.id: a.text for a in nw.articles(ids=ids)}


def disagreements_page(
    nw: Newsweave, snap: Snapshot, limit: int, offset: int, *, event: str | None = None
) -> dict:
    """The store's disagreements (the claims page's "contested" tab) or one ``event``'s,
    most supported first, each as :func:`disagreement_view` shows it."""
    found = snap.disagreements if event is None else snap.event_disagreements.get(event, [])
    result = page(found, limit, offset)
    shown_here = result["items"]
    quoted = [
        snap.claims[s.claims[0]]
        for d in shown_here
        for s in top_two(d)
        if s.claims[0] in snap.claims
    ]
    texts = _texts(nw, quoted)
    result["items"] = [disagreement_view(snap, d, texts, event=event) for d in shown_here]
    return result


def disagreement_view(
    snap: Snapshot, d: Disagreement, texts: dict[str, str], *, event: str | None = None
) -> dict:
    """One disagreement as the pages show it: the record, a label naming update or
    contradiction, and its two best-supported sides quoted (``a``, ``b``; ``slot``: the kind
    and their values as written). Each of ``a``/``b`` carries its ``side``: the value's
    witnesses and origins (the numbers every front end shows), outlets and days; with
    ``event``, each side says whether it is the event's own (``in_event``) or a value
    reported elsewhere that the event's claims were paired with."""
    a, b = top_two(d)
    view = asdict(d)
    view["relation_label"] = relation_label(d)
    view["values"] = [shown(s) for s in shown_sides(d)]
    view["more_values"] = len(d.sides) - len(view["values"])
    if event is not None:
        for row, side in zip(view["sides"], d.sides, strict=True):
            row["in_event"] = in_event(side, snap.claims, event)
    for key, side in (("a", a), ("b", b)):
        claim = snap.claims.get(side.claims[0])
        view[key] = claim_side(snap, claim, texts) if claim is not None else None
        if view[key] is not None:
            view[key]["value"] = shown(side)
            view[key]["side"] = asdict(side) | (
                {"in_event": in_event(side, snap.claims, event)} if event is not None else {}
            )
    view["slot"] = {"kind": d.kind, "a": shown(a), "b": shown(b), "relation": d.relation}
    return view


def _capped(claims: dict[str, list]) -> tuple[dict[str, list], dict[str, int]]:
    """An event's claims, at most EVENT_CLAIMS_SHOWN per status (the best-backed first), and
    the full counts; the rest stay reachable through ``/api/claims?event=``."""
    totals = {k: len(v) for k, v in claims.items()}
    return {k: v[:EVENT_CLAIMS_SHOWN] for k, v in claims.items()}, totals
