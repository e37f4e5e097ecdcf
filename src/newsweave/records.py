"""The data model: immutable, typed records that flow between pipeline stages.

Every derived record carries its provenance (article ids and character spans into
``Article.text``), so nothing in a briefing is without a source. Records are frozen;
change one with :func:`dataclasses.replace`. Dates are ISO-8601 strings (``"2020-09-04"``)
or TIMEX3-style values (``"2021-02"``, ``"2020-Q4"``) so they serialise as they are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

# --------------------------------------------------------------------------- ingest / clean


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One document as a reader found it, before cleaning.

    ``text`` is the decoded body (for HTML, the raw markup); ``fields`` holds metadata a
    structured source supplied (title, url, date, outlet, agency ...), already normalised
    to those keys by the reader.
    """

    source_path: str
    text: str
    format: Literal["text", "html", "jsonl", "csv"]
    fields: tuple[tuple[str, str], ...] = ()
    record_no: int | None = None  # line / row number inside a JSONL or CSV export

    def field(self, name: str) -> str | None:
        for key, value in self.fields:
            if key == name:
                return value
        return None


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where one metadata value came from: the rule that fired and the text it read."""

    field: str  # "title" | "outlet" | "agency" | "dateline" | "published" | "url"
    value: str
    rule: str  # e.g. "header-line", "updated-line", "folder-name", "html-meta", "url-host"
    snippet: str


@dataclass(frozen=True, slots=True)
class Article:
    """A cleaned article. ``id`` is a content hash of the cleaned text plus its source."""

    id: str
    source_path: str
    title: str | None
    outlet: str | None
    agency: str | None
    dateline: str | None
    published: str | None  # ISO date
    text: str
    url: str | None = None
    removed: tuple[str, ...] = ()  # the furniture lines that cleaning removed
    evidence: tuple[Evidence, ...] = ()


# --------------------------------------------------------------------------- copies


@dataclass(frozen=True, slots=True)
class Span:
    """A character span ``[start, end)`` in one article's cleaned text."""

    article: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class CopyLink:
    """A verified copy relation between two articles."""

    kind: Literal["near-duplicate", "shared-passage"]
    a: str
    b: str
    similarity: float  # Jaccard for near-duplicates, containment for shared passages
    passages: tuple[tuple[Span, Span], ...] = ()  # aligned reused passages (a-side, b-side)


@dataclass(frozen=True, slots=True)
class CopyGroup:
    """Articles linked by copying, with the passages they share."""

    id: str
    kind: Literal["near-duplicate", "shared-passage"]
    articles: tuple[str, ...]
    passages: tuple[Span, ...]


# --------------------------------------------------------------------------- nlp / entities


@dataclass(frozen=True, slots=True)
class Sentence:
    article: str
    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Mention:
    """One entity mention in one article."""

    article: str
    start: int
    end: int
    text: str
    label: str  # PERSON | ORG | GPE | LOC | PRODUCT | EVENT | NORP | FAC ...
    entity: str | None = None  # resolved entity id


@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    name: str
    type: str
    aliases: tuple[str, ...]
    articles: tuple[str, ...]
    mentions: int = 0


# --------------------------------------------------------------------------- time


Granularity = Literal["day", "week", "month", "quarter", "year", "decade", "range", "time"]
TemporalRelation = Literal["past", "ongoing", "future"]


@dataclass(frozen=True, slots=True)
class TimeRef:
    """A temporal expression normalised against the article's publication date.

    ``value`` is TIMEX3-style ("2020-09-03", "2021-02", "2020-Q4", "2017"); a range has
    ``value`` as its start and ``end`` as its last value ("2020-09-04" .. "2020-09-05").
    ``relation`` places it relative to publication.
    """

    article: str
    start: int
    end: int
    text: str
    value: str
    granularity: Granularity
    relation: TemporalRelation
    range_end: str | None = None


@dataclass(frozen=True, slots=True)
class DatedSentence:
    """A sentence with the date it talks about (not the date it was published)."""

    article: str
    sentence: int
    start: int
    end: int
    text: str
    date: str
    granularity: Granularity
    relation: TemporalRelation
    anchored: bool  # True when the date came from an expression in the sentence itself


# --------------------------------------------------------------------------- claims

ClaimStatus = Literal["corroborated", "single-source", "contested"]


@dataclass(frozen=True, slots=True)
class Contradiction:
    """Two claims that fill the same slot with incompatible values, each side with its value."""

    a: str  # claim id
    b: str
    kind: str  # a slot kind of ``newsweave.claim_slots.SLOT_KINDS``: "place", "number", ...
    value_a: str
    value_b: str
    #: "contradiction", or "update" when the articles were published on different days and
    #: the later one may revise the earlier ("4 injured" on day one, "6 injured" on day two)
    relation: str = "contradiction"


@dataclass(frozen=True, slots=True)
class DisagreementSide:
    """One value in a :class:`Disagreement`: the claims that give it, their articles, outlets
    and publication days, how many witnesses report it and from how many origins."""

    value: str  # as the first-published of its claims words it ("about 5,000")
    claims: tuple[str, ...]
    articles: tuple[str, ...]
    outlets: tuple[str, ...]
    published: tuple[str, ...]  # distinct days, sorted
    sources: int  # the same count as ``witnesses`` (the name older exports used)
    #: the value as that claim's article words it, with its unit and any conversion the
    #: article gives beside it ("nine miles (15km)", "1,000 barrels of oil a day"); the
    #: value of a figure is normalised only to compare it
    stated: str = ""
    #: a figure's value in the unit of :attr:`Disagreement.unit` (metres, litres a day, US
    #: dollars, a count), None for other kinds
    normalised: float | None = None
    #: witnesses: the outlets that independently report the value, across all its claims
    #: (articles of one outlet count once, and so do copies of one text across outlets:
    #: :func:`newsweave.brief.independent_sources`); every front end shows this number
    witnesses: int = 0
    #: independent origins of the value: each named speaker once, however many outlets quote
    #: them, plus the witnesses of its unattributed reports (one speaker quoted by three
    #: outlets: three witnesses, one origin)
    origins: int = 0


@dataclass(frozen=True, slots=True)
class Disagreement:
    """Contested pairs of claims grouped into one disagreement: the pairs on one slot whose
    sides give the same normalised values (one measured quantity), chained where pairs share
    a side. Sides are in order of first publication; ``relation`` is "update" when most of its
    pairs are (a running figure revised in later reports: ``updates`` of ``pairs`` say how
    many), else "contradiction"."""

    id: str  # "dis_" + a hash of its pairs
    kind: str  # slot kind: "number", "place", "date", "status", "polarity"
    relation: str
    sides: tuple[DisagreementSide, ...]
    pairs: int  # contested claim pairs behind it
    updates: int  # of them, pairs that are updates
    contradictions: tuple[tuple[str, str], ...]  # the (claim a, claim b) pairs
    #: per pair of ``contradictions``: "update" (published on different days: the later may
    #: revise the earlier) or "contradiction"
    relations: tuple[str, ...] = ()
    #: what is disputed, named for a reader ("Oil flow, barrels a day", "People killed",
    #: "The slick's distance, miles"); the slot's question ("Where") for other kinds
    quantity: str = ""
    #: what a figure's :attr:`DisagreementSide.normalised` value is in: a dimension and its
    #: base unit ("volume/day", "length/distance"), a currency, or the counted noun's stem
    unit: str = ""
    #: one of its two values is a stray: over ``STRAY_FACTOR`` times from the other values
    #: its chain of pairs gave for this measure (a $75m limit beside a $3.12bn cost and its
    #: revision to $3.5bn), so it is listed apart — and may be another quantity
    stray: bool = False


@dataclass(frozen=True, slots=True)
class Claim:
    id: str
    text: str
    attribution: str | None
    hedged: bool
    articles: tuple[str, ...]
    spans: tuple[Span, ...]
    independent_sources: int  # witnesses: independent outlets (source groups) reporting it
    status: ClaimStatus
    contradicts: tuple[str, ...] = ()
    event: str | None = None
    #: per span: who the article says made the statement, and the statement's text there
    #: (a speech tag inside a quotation cut out)
    attributions: tuple[str | None, ...] = ()
    texts: tuple[str, ...] = ()
    #: independent origins of the fact: one speaker quoted by three outlets is one origin
    #: (three witnesses); an unattributed report is its own origin
    origins: int = 0


# --------------------------------------------------------------------------- grouping / brief


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    title: str
    date: str | None
    articles: tuple[str, ...]
    story: str | None = None


@dataclass(frozen=True, slots=True)
class Story:
    id: str
    title: str
    events: tuple[str, ...]
    articles: tuple[str, ...]


TimelineKind = Literal["reported", "scheduled", "background"]


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    date: str
    granularity: Granularity
    kind: TimelineKind
    text: str
    story: str | None
    articles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CitedSentence:
    """A summary sentence with the articles it comes from."""

    text: str
    articles: tuple[str, ...]
    spans: tuple[Span, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class StoryBrief:
    """Everything a briefing shows for one story (built by ``brief.story_brief``, rendered
    by the formats)."""

    story: Story
    events: tuple[Event, ...]
    summary: tuple[CitedSentence, ...]
    event_summaries: Mapping[str, tuple[CitedSentence, ...]]
    timeline: tuple[TimelineEntry, ...]
    #: Filled by the claims stage: cited sentences on which sources disagree (may be empty).
    disagreements: tuple[CitedSentence, ...] = ()


# --------------------------------------------------------------------------- live sources


@dataclass(frozen=True, slots=True)
class SavedSearch:
    """A named query (``newsweave.query`` syntax); ``last_seq`` is the newest article its
    alerts have reported (articles are numbered in ingest order)."""

    name: str
    query: str
    last_seq: int = 0
    created_at: str | None = None
    checked_at: str | None = None


@dataclass(frozen=True, slots=True)
class Alert:
    """What matched a saved search since its last check, in ingest order."""

    search: SavedSearch
    articles: tuple[Article, ...]


@dataclass(frozen=True, slots=True)
class DayCount:
    """Attention: how many articles were published on one day."""

    date: str
    articles: int


CoverageStatus = Literal["covers", "blind-spot"]


@dataclass(frozen=True, slots=True)
class OutletCoverage:
    """One outlet's coverage of a story: its articles in the story, and its articles
    elsewhere about the story's main entities. A ``blind-spot`` is an outlet that reports
    on those entities but has nothing in the story."""

    outlet: str
    articles: int
    entity_articles: int
    status: CoverageStatus
    country: str | None = None
    language: str | None = None


# --------------------------------------------------------------------------- outlets


class Published(Protocol):
    """What :func:`outlet_of` reads: an :class:`Article`, or a card of one (the web's)."""

    @property
    def outlet(self) -> str | None: ...
    @property
    def agency(self) -> str | None: ...
    @property
    def url(self) -> str | None: ...


def outlet_of(article: Published) -> str | None:
    """The outlet that published an article (or the agency whose copy it is), if known."""
    name = article.outlet or article.agency
    if not name and article.url:
        m = re.match(r"^[a-z]+://(?:www\.)?([^/]+)", article.url)
        name = m.group(1) if m else None
    return name.strip().lower() if name else None
