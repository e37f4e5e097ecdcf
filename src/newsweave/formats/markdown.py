"""``markdown``: the cited briefing, exactly what ``newsweave brief`` prints.

Stories → summary → events → timeline → where sources disagree → sources, each source
numbered per story in the order first cited (:class:`newsweave.briefing.Citations`).

Article text is untrusted, and Markdown viewers render raw HTML and follow links. The one
escaping rule of this format, :func:`escape`, is applied to every value that comes from an
article (titles, sentences, outlets, claims): ``<`` becomes ``&lt;`` (no raw HTML, no
autolink), ``[`` ``]`` and ``\\`` get a backslash (no link or image, and no escape of
ours can be undone), ``&`` before an entity name becomes ``&amp;``, and line breaks become
spaces (no text can add a line of its own). Emphasis characters are left alone: they can
change how text looks, never what it does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TextIO

from newsweave.brief import (
    MAX_EVENTS,
    independent_sources,
    largest_events,
    most_cited,
    source_label,
)
from newsweave.briefing import Briefing, Citations, read_briefing
from newsweave.formats.base import Format
from newsweave.records import Article, StoryBrief
from newsweave.store import Store

CITED_PER_LINE = 6  # more sources than this on one line show as [+n]
# The bounded (default) briefing:
FULL_STORIES = 4  # stories shown in full; the rest one line each
KEY_EVENTS = 5  # events per story
KEY_DATES = 6  # timeline entries per story
KEY_DISPUTES = 4  # disagreement lines per story (two per dispute)
CITED_PER_LINE_BRIEF = 3
MORE_STORIES = 10  # one-line stories listed after the full ones
SMALL_STORY = 8  # a story of at most this many articles is always shown whole
_KIND_LABEL = {"reported": "", "scheduled": " *(scheduled)*", "background": " *(background)*"}


_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_SPECIAL = re.compile(r"[\\\[\]]")
_LINE_BREAK = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")


def escape(text: str) -> str:
    """Text from an article, shown as text by any Markdown viewer (see the module
    docstring)."""
    text = _LINE_BREAK.sub(" ", str(text))
    text = _SPECIAL.sub(lambda m: "\\" + m.group(0), text)
    return _ENTITY.sub("&amp;", text).replace("<", "&lt;")


_e = escape


def _refs(cites: Citations, ids: Sequence[str], limit: int = CITED_PER_LINE) -> str:
    """``[1][2][+3]``: the first ``limit`` articles numbered (and listed under Sources),
    how many more say the same."""
    known = [a for a in ids if a in cites.articles]
    nums = cites.cite(known[:limit])
    shown = "".join(f"[{n}]" for n in nums)
    if len(known) > limit:
        shown += f"[+{len(known) - limit}]"
    return shown


def _listing(cites: Citations) -> list[str]:
    """Each cited source by outlet and headline (an untitled article by its first words)."""
    from newsweave.group import headline

    lines = []
    for n, a in enumerate(cites.order, 1):
        art = cites.articles[a]
        title = art.title or headline(art.text, max_words=12)
        title = f" — {_e(title)}" if title else ""
        lines.append(f"{n}. {_e(source_label(art))}{title} (`{a[:10]}`)")
    return lines


def render(
    briefs: Sequence[StoryBrief],
    articles: Mapping[str, Article],
    *,
    max_events: int | None = None,
    source_groups: Mapping[str, str] | None = None,
    ungrouped: Sequence[Article] = (),
    detail: bool = False,
) -> str:
    """The Markdown briefing: stories → summary → events → timeline → disagreements →
    sources, numbered citations.

    Bounded by default, so a busy reader finishes it: the :data:`FULL_STORIES` largest
    stories in full, the others one line each; per story its lede, the
    :data:`KEY_EVENTS` largest events (in date order) with their best-supported sentence,
    the :data:`KEY_DATES` timeline entries most articles speak of, the first
    :data:`KEY_DISPUTES` disagreements, at most :data:`CITED_PER_LINE_BRIEF` sources shown per
    line. ``detail`` lifts the bounds: every story, up to ``max_events`` events (default
    :data:`MAX_EVENTS`) with all their summary sentences, the whole timeline and every
    disagreement; what a bounded story leaves out it says, with the command that shows it.
    A story of at most :data:`SMALL_STORY` articles is always shown whole.
    ``source_groups`` (article -> independent source group, from the copies stage) lets the
    header count independent sources, copies of one wire story or release counting once.
    Without stories, the ``ungrouped`` articles are listed, oldest first.
    """
    all_stories = detail
    if not briefs:
        text = (
            "# News briefing\n\nNo stories yet: ingest articles (`newsweave ingest PATH`) or "
            "run the analysis (`newsweave analyze`) to group them into events and stories.\n"
        )
        if ungrouped:
            cites = Citations({a.id: a for a in ungrouped})
            lines = ["", "## Articles", ""]
            lines += [
                f"- **{_e(a.published or 'undated')}** {_e(a.title or '(untitled)')} "
                f"{_refs(cites, [a.id])}"
                for a in ungrouped
            ]
            lines += ["", "## Sources", "", *_listing(cites)]
            text += "\n".join(lines) + "\n"
        return text
    n_events = sum(len(b.events) for b in briefs)
    n_articles = len({a for b in briefs for a in b.story.articles})
    days = sorted(d for b in briefs for e in b.events if e.date for d in [e.date])
    span = f", {days[0]} to {days[-1]}" if days else ""
    lines = [
        "# News briefing",
        "",
        f"{len(briefs)} stor{'y' if len(briefs) == 1 else 'ies'}, {n_events} event"
        f"{'' if n_events == 1 else 's'}, {n_articles} article{'' if n_articles == 1 else 's'}"
        f"{span}. Numbers in brackets cite the sources listed under each story.",
    ]
    full = briefs if all_stories else briefs[:FULL_STORIES]
    for b in full:
        detail = all_stories or len(b.story.articles) <= SMALL_STORY
        per_line = CITED_PER_LINE if detail else CITED_PER_LINE_BRIEF
        n_events_shown = (max_events or MAX_EVENTS) if detail else KEY_EVENTS
        cites = Citations(articles)
        ev_days = [e.date for e in b.events if e.date]
        when = f" · {min(ev_days)} → {max(ev_days)}" if ev_days else ""
        independent = independent_sources(b.story.articles, articles, source_groups or {})
        lines += [
            "",
            f"## {_e(b.story.title)}",
            "",
            f"*{len(b.events)} event{'' if len(b.events) == 1 else 's'} · "
            f"{len(b.story.articles)} article{'' if len(b.story.articles) == 1 else 's'} from "
            f"{independent} independent source{'' if independent == 1 else 's'}{_e(when)}*",
        ]
        if b.summary:
            lines += ["", "### Summary", ""]
            lines += [f"{_e(c.text)} {_refs(cites, c.articles, per_line)}" for c in b.summary]
        lines += ["", "### Events", ""]
        shown = largest_events(b.events, n_events_shown)
        shown_ids = {e.id for e in shown}
        for ev in [e for e in b.events if e.id in shown_ids]:
            lines.append(f"#### {_e(ev.date or 'undated')} — {_e(ev.title)}")
            lines.append("")
            lines.append(f"*{len(ev.articles)} article{'' if len(ev.articles) == 1 else 's'}*")
            lines.append("")
            said = list(b.event_summaries.get(ev.id, ()))
            if not detail and said:  # its best-supported sentence
                said = [max(said, key=lambda c: len(c.articles))]
            for c in said:
                lines.append(f"- {_e(c.text)} {_refs(cites, c.articles, per_line)}")
            lines.append("")
        if b.timeline:
            lines += ["### Timeline", ""]
            entries = list(b.timeline)
            if not detail and len(entries) > KEY_DATES:
                entries = [entries[i] for i in most_cited(entries, KEY_DATES)]
            for t in entries:
                lines.append(
                    f"- **{_e(t.date)}**{_KIND_LABEL[t.kind]} {_e(t.text)} "
                    f"{_refs(cites, t.articles, per_line)}"
                )
            lines.append("")
        if b.disagreements:
            lines += ["### Where sources disagree", ""]
            # the claims stage writes these lines with emphasis (**Where**, *value*), which
            # escape() leaves alone; the quoted claims in them are escaped like any text
            said = list(b.disagreements) if detail else list(b.disagreements)[:KEY_DISPUTES]
            lines += [f"- {_e(c.text)} {_refs(cites, c.articles, per_line)}" for c in said]
            lines.append("")
        left = _left_out(b, detail, len(shown))
        if left:
            lines += [f"*{left} (`newsweave brief --detail --story {b.story.id}`).*", ""]
        lines += ["### Sources", ""]
        lines += _listing(cites)
    rest = briefs[len(full) :]
    if rest:
        lines += ["", f"## {len(rest)} more stor{'y' if len(rest) == 1 else 'ies'}", ""]
        for b in rest[:MORE_STORIES]:
            days_ = sorted(e.date for e in b.events if e.date)
            when = f", {days_[0]} → {days_[-1]}" if days_ else ""
            n = len(b.story.articles)
            lines.append(f"- {_e(b.story.title)} ({n} article{'' if n == 1 else 's'}{_e(when)})")
        if len(rest) > MORE_STORIES:
            lines.append(f"- … and {len(rest) - MORE_STORIES} more")
        lines += ["", "*All of them in full: `newsweave brief --detail`.*"]
    return "\n".join(lines).rstrip() + "\n"


def _left_out(b: StoryBrief, detail: bool, events_shown: int) -> str:
    """What a story's section leaves out, in words ("" when nothing)."""
    parts = []
    if len(b.events) > events_shown:
        rest = len(b.events) - events_shown
        parts.append(f"{rest} smaller event{'' if rest == 1 else 's'}")
    if not detail:
        dates = len(b.timeline) - min(len(b.timeline), KEY_DATES)
        if dates:
            parts.append(f"{dates} more dated entr{'y' if dates == 1 else 'ies'}")
        disputes = len(b.disagreements) - min(len(b.disagreements), KEY_DISPUTES)
        if disputes:
            parts.append(f"{disputes} more disagreement line{'' if disputes == 1 else 's'}")
    return ("Not shown: " + ", ".join(parts)) if parts else ""


def render_briefing(briefing: Briefing, *, detail: bool = False) -> str:
    return render(
        briefing.stories,
        briefing.articles,
        source_groups=briefing.source_groups,
        ungrouped=briefing.ungrouped,
        detail=detail,
    )


def brief(
    store: Store, story: str | None = None, *, max_stories: int | None = None, detail: bool = False
) -> str:
    """The briefing of ``story`` (a full story id) or of the ``max_stories`` largest; bounded
    unless ``detail`` (one story asked for by id is always shown in full)."""
    return render_briefing(
        read_briefing(store, story, max_stories=max_stories, full=FULL_STORIES),
        detail=detail or story is not None,
    )


def write_markdown(store: Store, out: TextIO) -> None:
    out.write(brief(store))


MARKDOWN = Format(
    "markdown",
    write_markdown,
    "text/markdown; charset=utf-8",
    "md",
    "the cited briefing (as `newsweave brief` prints it)",
)
