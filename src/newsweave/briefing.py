"""The briefing read model: what a briefing shows, read from the store.

This is the one place that assembles a briefing. It reads stories, events, timelines,
sentences and disagreements from the store and hands them to :mod:`newsweave.brief`'s pure
functions (summaries, the largest events); the Markdown, HTML and TimelineJS formats in
:mod:`newsweave.formats` render what it returns, and :meth:`newsweave.api.Newsweave.brief` is
the Markdown format applied to it. No SQL here, and no output format either.

Also here, because every rendering of a briefing shares them: :class:`Citations` (numbers
articles in the order a briefing first cites them) and the small text helpers for dates and
titles.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from newsweave import brief
from newsweave.disagreements import (
    brief_lines,
    by_event,
    by_story,
    group_disagreements,
    read_disagreements,
)
from newsweave.records import (
    Article,
    Claim,
    Disagreement,
    Event,
    Sentence,
    Story,
    StoryBrief,
    TimelineEntry,
)
from newsweave.sentences import split_sentences
from newsweave.store import ArticleFilter, Store
from newsweave.store import claims as claims_store
from newsweave.store import copies as copies_store
from newsweave.store import group as group_store
from newsweave.store import time as time_store

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# --------------------------------------------------------------------------- citations


class Citations:
    """Numbers articles in the order a briefing first cites them (1, 2, ...). Ids of
    articles the briefing does not know are skipped."""

    def __init__(self, articles: Mapping[str, Article]) -> None:
        self.articles = articles
        self.number: dict[str, int] = {}

    def cite(self, ids: Iterable[str]) -> list[int]:
        """The numbers of these articles (numbering new ones), sorted, without repeats."""
        out = []
        for aid in ids:
            if aid not in self.articles:
                continue
            if aid not in self.number:
                self.number[aid] = len(self.number) + 1
            out.append(self.number[aid])
        return sorted(set(out))

    @property
    def order(self) -> list[str]:
        """Cited article ids, in citation-number order."""
        return list(self.number)

    def outlet(self, aid: str) -> str:
        """Who published it: outlet, with the agency when an outlet ran an agency's copy."""
        a = self.articles[aid]
        who = a.outlet or a.agency or "unknown outlet"
        if a.agency and a.outlet and a.agency != a.outlet:
            who = f"{a.outlet} ({a.agency})"
        return who


# --------------------------------------------------------------------------- text helpers


def human_date(value: str | None) -> str:
    """'2020-09-03' -> '3 Sep 2020'; '2021-02' -> 'Feb 2021'; '2020-Q4' -> 'Q4 2020'."""
    if not value:
        return "undated"
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:T.*)?", value)
    if m:
        return f"{int(m[3])} {MONTHS[int(m[2]) - 1]} {m[1]}"
    m = re.fullmatch(r"(\d{4})-(\d{2})", value)
    if m and 1 <= int(m[2]) <= 12:
        return f"{MONTHS[int(m[2]) - 1]} {m[1]}"
    m = re.fullmatch(r"(\d{4})-Q([1-4])", value)
    if m:
        return f"Q{m[2]} {m[1]}"
    m = re.fullmatch(r"(\d{4})-W(\d{2})", value)
    if m:
        return f"week {int(m[2])} of {m[1]}"
    return value


def shorten(text: str, limit: int) -> str:
    """Whitespace collapsed and cut at a word boundary to at most ``limit`` characters."""
    flat = " ".join(str(text).split())
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit)
    return flat[: cut if cut > 0 else limit] + "…"


def title_of(article: Article) -> str:
    """The headline, or the text's first words when cleaning found no headline."""
    if article.title:
        return article.title
    return shorten(article.text or "", 80) or "(untitled)"


def published_range(articles: Iterable[Article]) -> tuple[str | None, str | None]:
    """The first and last publication dates (None, None when nothing is dated)."""
    dates = sorted(a.published for a in articles if a.published)
    return (dates[0], dates[-1]) if dates else (None, None)


# --------------------------------------------------------------------------- story briefs


@dataclass(frozen=True, slots=True)
class Briefing:
    """A briefing as read from the store: one :class:`StoryBrief` per story shown, the
    articles they cite, each article's independent source group, and (when the store has no
    stories yet) the articles to list instead."""

    stories: tuple[StoryBrief, ...]
    articles: Mapping[str, Article]
    source_groups: Mapping[str, str]
    ungrouped: tuple[Article, ...] = ()


def read_briefing(
    store: Store, story: str | None = None, *, max_stories: int | None = None, full: int = 0
) -> Briefing:
    """Read everything a briefing shows: stories (largest first; only ``story``, a full id,
    when given; at most ``max_stories``), their events, summaries, timeline and
    disagreements — each disagreement under one story (:func:`~newsweave.disagreements.
    by_story`; one of the ``full`` largest when any of them holds a side). A store without
    stories yields its articles, oldest first."""
    stories = brief.largest_stories(group_store.load_stories(store))
    if story is not None:
        stories = [s for s in stories if s.id == story]
    if max_stories is not None:
        stories = stories[:max_stories]
    groups = copies_store.source_groups(store)
    if not stories:
        if story is not None:
            return Briefing((), {}, groups)
        rest = sorted(store.iter_articles(), key=lambda a: (a.published or "9999", a.id))
        return Briefing((), {a.id: a for a in rest}, groups, tuple(rest))
    events = {e.id: e for e in group_store.load_events(store)}
    ids = tuple(sorted({a for s in stories for a in s.articles}))
    articles = {a.id: a for a in store.articles(ArticleFilter(ids=ids))}
    # only the articles of the events a briefing shows need their sentences
    shown = {
        a
        for s in stories
        for e in brief.largest_events(story_events(s, events), brief.MAX_EVENTS)
        for a in e.articles
    }
    timelines = {s.id: group_store.load_timeline(store, s.id) for s in stories}
    # a timeline entry cites an article only when its sentences say the same: read them too
    shown |= {a for entries in timelines.values() for t in entries for a in t.articles}
    sentences = {a: _sentences(store, articles[a]) for a in shown if a in articles}
    # contested pairs grouped into disagreements, most supported first (two lines each),
    # each under the one story it belongs to most, so the brief shows it once
    found = read_disagreements(store)
    homes = by_story(found, stories, first=full)
    claims = {
        c.id: c
        for c in claims_store.load_claims_in_order(
            store, sorted({s.claims[0] for d in found for s in d.sides})
        )
    }
    briefs = tuple(
        brief.story_brief(
            s,
            story_events(s, events),
            articles,
            sentences,
            timelines[s.id],
            disagreements=[line for d in homes.get(s.id, ()) for line in brief_lines(d, claims)],
        )
        for s in stories
    )
    return Briefing(briefs, articles, groups)


def story_events(story: Story, events: Mapping[str, Event]) -> list[Event]:
    """The story's events that the store holds, in the story's order."""
    return [events[e] for e in story.events if e in events]


def _sentences(store: Store, article: Article) -> list[Sentence]:
    """The article's sentences: from the time stage's rows when stored (splitting again
    costs ~0.3 s per article), else split now."""
    # with a publication date the time stage keeps every sentence; without one, some
    rows = time_store.dated_sentences(store, article.id) if article.published else []
    if rows:
        return [Sentence(d.article, d.sentence, d.start, d.end, d.text) for d in rows]
    return split_sentences(article)


# --------------------------------------------------------------------------- whole store


@dataclass(frozen=True, slots=True)
class StoreView:
    """Every article and the story-level records of a store, for the page-style formats
    (HTML, TimelineJS): stories largest first, events and claims by id, the timeline, and
    each event's claims."""

    articles: Mapping[str, Article]
    stories: tuple[Story, ...]
    events: Mapping[str, Event]
    claims: Mapping[str, Claim]
    event_claims: Mapping[str, tuple[Claim, ...]]
    timeline: tuple[TimelineEntry, ...]
    source_groups: Mapping[str, str] = field(default_factory=dict)  # from the copies stage
    #: the contested pairs grouped (:mod:`newsweave.disagreements`), most supported first
    disagreements: tuple[Disagreement, ...] = ()
    #: event id -> the event's own disagreements (:func:`newsweave.disagreements.by_event`:
    #: the pairs with a claim in it, grouped among themselves), as the web's event page
    event_disagreements: Mapping[str, list[Disagreement]] = field(default_factory=dict)

    def ungrouped(self) -> list[Article]:
        """Articles that no story holds (all of them before grouping ran), oldest first."""
        grouped = {a for s in self.stories for a in s.articles}
        rest = [a for aid, a in self.articles.items() if aid not in grouped]
        return sorted(rest, key=lambda a: (a.published or "9999", a.id))

    def events_of(self, story: Story) -> list[Event]:
        """The story's events by date, then title."""
        evs = story_events(story, self.events)
        return sorted(evs, key=lambda e: (e.date or "9999", e.title or "", e.id))

    def timeline_of(self, story: Story) -> list[TimelineEntry]:
        return sorted((t for t in self.timeline if t.story == story.id), key=entry_order)

    def disagreements_of(self, event: Event) -> list[Disagreement]:
        """The event's own disagreements (see :attr:`event_disagreements`), most supported
        first."""
        return list(self.event_disagreements.get(event.id, ()))


def entry_order(t: TimelineEntry) -> tuple:
    return (t.date or "", t.kind or "", t.text or "")


def read_store(store: Store) -> StoreView:
    """Read every article, story, event, claim and timeline entry of a store, with each
    claim placed in its event (a claim without one goes to the event holding most of its
    articles)."""
    articles = {a.id: a for a in store.iter_articles()}
    events = {e.id: e for e in group_store.load_events(store)}
    claims = {c.id: c for c in claims_store.load_claims(store)}
    article_event: dict[str, str] = {}
    for e in events.values():
        for a in e.articles:
            article_event.setdefault(a, e.id)
    claims_of: dict[str, list[Claim]] = {}
    for c in claims.values():
        eid = c.event
        if not eid:
            votes: dict[str, int] = {}
            for a in c.articles:
                if a in article_event:
                    votes[article_event[a]] = votes.get(article_event[a], 0) + 1
            eid = max(votes, key=lambda k: votes[k]) if votes else None
        if eid:
            claims_of.setdefault(eid, []).append(c)
    stories = sorted(
        group_store.load_stories(store), key=lambda s: (-len(s.articles), s.title or "", s.id)
    )
    groups = copies_store.source_groups(store)
    contradictions = claims_store.load_contradictions(store)
    return StoreView(
        source_groups=groups,
        disagreements=tuple(group_disagreements(contradictions, claims, articles, groups)),
        event_disagreements=by_event(contradictions, claims, articles, groups),
        articles=articles,
        stories=tuple(stories),
        events=events,
        claims=claims,
        event_claims={k: tuple(sorted(v, key=lambda c: c.id)) for k, v in claims_of.items()},
        timeline=tuple(group_store.load_timeline(store)),
    )
