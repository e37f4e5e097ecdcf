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

from newsweave.brief import MAX_EVENTS, independent_sources, largest_events, source_label
from newsweave.briefing import Briefing, Citations, read_briefing
from newsweave.formats.base import Format
from newsweave.records import Article, StoryBrief
from newsweave.store import Store

CITED_PER_LINE = 6  # more sources than this on one line show as [+n]
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
    nums = cites.cite(ids)
    shown = "".join(f"[{n}]" for n in nums[:limit])
    if len(nums) > limit:
        shown += f"[+{len(nums) - limit}]"
    return shown


def _listing(cites: Citations) -> list[str]:
    lines = []
    for n, a in enumerate(cites.order, 1):
        art = cites.articles[a]
        title = f" — {_e(art.title)}" if art.title else ""
        lines.append(f"{n}. {_e(source_label(art))}{title} (`{a[:10]}`)")
    return lines


def render(
    briefs: Sequence[StoryBrief],
    articles: Mapping[str, Article],
    *,
    max_events: int = MAX_EVENTS,
    source_groups: Mapping[str, str] | None = None,
    ungrouped: Sequence[Article] = (),
) -> str:
    """The Markdown briefing: stories → events → timeline → summary, numbered citations.

    A story lists at most ``max_events`` events (its largest, in date order) and says how many
    smaller ones it left out, so a briefing on a long-running story stays readable.
    ``source_groups`` (article -> independent source group, from the copies stage) lets the
    header count independent sources, copies of one wire story or release counting once.
    Without stories, the ``ungrouped`` articles are listed, oldest first.
    """
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
    for b in briefs:
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
            lines += [f"{_e(c.text)} {_refs(cites, c.articles)}" for c in b.summary]
        lines += ["", "### Events", ""]
        shown = largest_events(b.events, max_events)
        shown_ids = {e.id for e in shown}
        for ev in [e for e in b.events if e.id in shown_ids]:
            lines.append(f"#### {_e(ev.date or 'undated')} — {_e(ev.title)}")
            lines.append("")
            lines.append(f"*{len(ev.articles)} article{'' if len(ev.articles) == 1 else 's'}*")
            lines.append("")
            for c in b.event_summaries.get(ev.id, ()):
                lines.append(f"- {_e(c.text)} {_refs(cites, c.articles)}")
            lines.append("")
        if len(b.events) > len(shown):
            rest = len(b.events) - len(shown)
            lines += [
                f"*{rest} smaller event{'' if rest == 1 else 's'} not shown "
                f"(`newsweave events --story {b.story.id}`).*",
                "",
            ]
        if b.timeline:
            lines += ["### Timeline", ""]
            for t in b.timeline:
                lines.append(
                    f"- **{_e(t.date)}**{_KIND_LABEL[t.kind]} {_e(t.text)} "
                    f"{_refs(cites, t.articles)}"
                )
            lines.append("")
        if b.disagreements:
            lines += ["### Where sources disagree", ""]
            # the claims stage writes these lines with emphasis (**Where**, *value*), which
            # escape() leaves alone; the quoted claims in them are escaped like any text
            lines += [f"- {_e(c.text)} {_refs(cites, c.articles)}" for c in b.disagreements]
            lines.append("")
        lines += ["### Sources", ""]
        lines += _listing(cites)
    return "\n".join(lines).rstrip() + "\n"


def render_briefing(briefing: Briefing) -> str:
    return render(
        briefing.stories,
        briefing.articles,
        source_groups=briefing.source_groups,
        ungrouped=briefing.ungrouped,
    )


def brief(store: Store, story: str | None = None, *, max_stories: int | None = None) -> str:
    """The briefing of ``story`` (a full story id) or of the ``max_stories`` largest."""
    return render_briefing(read_briefing(store, story, max_stories=max_stories))


def write_markdown(store: Store, out: TextIO) -> None:
    out.write(brief(store))


MARKDOWN = Format(
    "markdown",
    write_markdown,
    "text/markdown; charset=utf-8",
    "md",
    "the cited briefing (as `newsweave brief` prints it)",
)
