"""``html``: the briefing as one self-contained page (inline CSS, no script, no external
resource). Article text is untrusted: every value is HTML-escaped (:func:`escape`), and the
HTTP API serves the page under a CSP that allows only its own stylesheet."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import TextIO

from newsweave.brief import independent_sources, largest_events, most_cited
from newsweave.briefing import Citations, StoreView, human_date, published_range, read_store
from newsweave.briefing import title_of as _title
from newsweave.disagreements import (
    MAX_VALUES,
    arrow,
    relation_label,
    shown_sides,
    top_two,
    witness_words,
)
from newsweave.disagreements import (
    shown as side_value,
)
from newsweave.formats.base import Format
from newsweave.formats.markdown import (
    FULL_STORIES,
    KEY_DATES,
    KEY_DISPUTES,
    KEY_EVENTS,
    SMALL_STORY,
)
from newsweave.records import DisagreementSide, Event, TimelineEntry
from newsweave.store import Store

PAGE_CSS = """
:root{--ink:#1b1f24;--muted:#5d6670;--rule:#d9dde2;--paper:#fbfaf7;--accent:#a4161a;
--ok:#1d6b3a;--warn:#8a5a00}
*{box-sizing:border-box}
body{margin:0;background:var(--paper);color:var(--ink);
font:16px/1.55 Georgia,'Times New Roman',serif}
header{border-bottom:3px double var(--ink);padding:28px 0 14px;margin-bottom:18px}
main{max-width:860px;margin:0 auto;padding:0 22px 60px}
h1{font-size:34px;margin:0;letter-spacing:-.5px}
h2{font-size:25px;margin:38px 0 6px;border-top:2px solid var(--ink);padding-top:14px}
header+section h2{border-top:0;margin-top:10px;padding-top:0}
h3{font-size:19px;margin:26px 0 6px}
h4{font:600 12px/1.3 system-ui,sans-serif;letter-spacing:.08em;text-transform:uppercase;
color:var(--muted);margin:16px 0 6px}
.meta,.cite,.src{font:13px/1.45 system-ui,sans-serif;color:var(--muted)}
.cite a{color:var(--accent);text-decoration:none}
ol.timeline{list-style:none;padding:0;margin:0;border-left:2px solid var(--rule)}
ol.timeline li{position:relative;padding:4px 0 8px 18px}
ol.timeline li:before{content:"";position:absolute;left:-6px;top:11px;width:10px;height:10px;
border-radius:50%;background:var(--ink)}
ol.timeline li.scheduled:before{background:var(--paper);border:2px solid var(--accent)}
ol.timeline li.background:before{background:var(--rule)}
.when{font:600 13px system-ui,sans-serif;margin-right:6px}
.kind{font:11px system-ui,sans-serif;text-transform:uppercase;color:var(--accent)}
.dispute{display:grid;grid-template-columns:1fr 1fr;gap:12px;margin:8px 0 14px}
.side{border:1px solid var(--rule);border-top:3px solid var(--accent);padding:10px 12px;
background:#fff}
.side q{display:block;font-style:italic}
.side .value{font:600 15px system-ui,sans-serif;margin-bottom:4px}
p.disputed{margin:10px 0 4px}
ul.claims{padding-left:18px}
.badge{font:600 11px system-ui,sans-serif;padding:1px 6px;border-radius:9px;color:#fff;
background:var(--ok)}
.badge.single{background:var(--warn)}
ol.sources{font:13px/1.5 system-ui,sans-serif;padding-left:22px}
"""


KEY_CLAIMS = 3  # corroborated and single-source claims an event shows (the most carried)


def escape(value: object) -> str:
    """The one escaping rule of this format: HTML-escape every value, quotes included."""
    return html.escape("" if value is None else str(value), quote=True)


_e = escape


def render(view: StoreView) -> str:
    """The briefing page, bounded like the Markdown briefing with the detail one click
    away: the :data:`FULL_STORIES` largest stories open, the others by title and counts with
    their timeline and events folded; per story the dated entries most articles speak of and
    its largest events with their key claims, the rest inside ``<details>`` (a story of a
    few articles is shown whole)."""
    cites = Citations(view.articles)
    first, last = published_range(view.articles.values())
    parts: list[str] = []

    def refs(ids: Iterable[str]) -> str:
        nums = cites.cite(ids)
        if not nums:
            return ""
        links = "".join(f'<a href="#src-{n}">[{n}]</a>' for n in nums)
        return f' <span class="cite">{links}</span>'

    def side(s: DisagreementSide) -> str:
        """One side of a disagreement: its value as written, its first claim quoted, who
        says it, its outlets, witnesses and origins, citing the side's articles."""
        c = view.claims.get(s.claims[0])
        outlets = [cites.outlet(aid) for aid in s.articles if aid in view.articles]
        who = f"{_e(c.attribution)} · " if c is not None and c.attribution else ""
        quote = f"<q>{_e(c.text)}</q>" if c is not None else ""
        return (
            f'<div class="side"><div class="value">{_e(side_value(s))}</div>{quote}'
            f'<div class="src">{who}{_e(", ".join(dict.fromkeys(outlets)))}'
            f" · {_e(witness_words(s))}{refs(s.articles)}</div></div>"
        )

    def event_html(ev: Event, *, whole: bool, claims: bool = True) -> str:
        """One event: heading, disputes, corroborated and single-source claims — the first
        :data:`KEY_DISPUTES` disputes and :data:`KEY_CLAIMS` claims of each kind (those most
        sources carry) unless ``whole``; the rest are named with the command that lists
        them, so the page stays a briefing however many claims a story has. Without
        ``claims`` (the folded, smaller events) only the heading and that line."""
        out: list[str] = []
        out.append(
            f"<h3>{_e(human_date(ev.date))} — {_e(ev.title)}</h3>"
            f'<p class="meta">{len(ev.articles)} articles'
            f"{refs(ev.articles)}</p>"
        )
        ev_claims = view.event_claims.get(ev.id, ()) if claims else ()
        found = view.disagreements_of(ev) if claims else []
        left_out = 0 if claims else len(view.event_claims.get(ev.id, ()))
        if not whole:
            left_out += max(0, len(found) - KEY_DISPUTES)
            found = found[:KEY_DISPUTES]
        if found:
            out.append("<h4>Where sources disagree</h4>")
            for d in found:
                values = arrow(d).join(side_value(s) for s in shown_sides(d))
                if len(d.sides) > MAX_VALUES:
                    values += f" (+{len(d.sides) - MAX_VALUES} more values)"
                many = f" · {d.pairs} contested pairs" if d.pairs > 1 else ""
                out.append(
                    f'<p class="disputed"><b>{_e(d.quantity)}</b> '
                    f'<span class="kind">{_e(relation_label(d))}</span><br>'
                    f"{_e(values)}{many}</p>"
                )
                a, b = top_two(d)
                out.append(f'<div class="dispute">{side(a)}{side(b)}</div>')
        for status, label, css in (
            ("corroborated", "Corroborated", ""),
            ("single-source", "Single source", " single"),
        ):
            rows = [c for c in ev_claims if c.status == status]
            if not rows:
                continue
            if not whole:
                rows.sort(key=lambda c: (-(c.independent_sources or 0), -len(c.articles), c.id))
                left_out += max(0, len(rows) - KEY_CLAIMS)
                rows = rows[:KEY_CLAIMS]
            out.append(f'<h4>{label}</h4><ul class="claims">')
            for c in rows:
                n = c.independent_sources or 0
                who = f" — {_e(c.attribution)}" if c.attribution else ""
                out.append(
                    f'<li><span class="badge{css}">{n}</span> {_e(c.text)}{who}'
                    f"{refs(c.articles)}</li>"
                )
            out.append("</ul>")
        if left_out:
            noun = "more claim" if claims else "claim"
            out.append(
                f'<p class="meta">{_count(left_out, noun)} in this event: '
                f"<code>newsweave claims --event {_e(ev.id)}</code></p>"
            )
        return "\n".join(out)

    for rank, story in enumerate(view.stories):
        evs = view.events_of(story)
        dates = [e.date for e in evs if e.date]
        parts.append(f"<section><h2>{_e(story.title or 'Untitled story')}</h2>")
        independent = independent_sources(story.articles, view.articles, view.source_groups)
        parts.append(
            f'<p class="meta">{len(evs)} events · {len(story.articles)} articles from '
            f"{independent} independent source{'' if independent == 1 else 's'}"
            + (f" · {_e(human_date(min(dates)))} – {_e(human_date(max(dates)))}" if dates else "")
            + "</p>"
        )
        folded = rank >= FULL_STORIES  # as the brief: the largest stories in full
        if folded:
            parts.append("<details><summary>Timeline and events</summary>")
        small = len(story.articles) <= SMALL_STORY
        entries = list(view.timeline_of(story))
        if entries:
            key = set(range(len(entries)))
            if not small and len(entries) > KEY_DATES:
                key = set(most_cited(entries, KEY_DATES))

            def entry(t: TimelineEntry) -> str:
                kind = str(t.kind or "reported")
                tag = f' <span class="kind">{_e(kind)}</span>' if kind != "reported" else ""
                return (
                    f'<li class="{_e(kind)}"><span class="when">{_e(human_date(t.date))}'
                    f"</span>{tag} {_e(t.text)}{refs(t.articles)}</li>"
                )

            parts.append('<h4>Timeline</h4><ol class="timeline">')
            parts += [entry(t) for i, t in enumerate(entries) if i in key]
            parts.append("</ol>")
            if len(key) < len(entries):
                parts.append(
                    f"<details><summary>All {len(entries)} dated entries</summary>"
                    '<ol class="timeline">'
                )
                parts += [entry(t) for t in entries]
                parts.append("</ol></details>")
        shown = {e.id for e in largest_events(evs, len(evs) if small else KEY_EVENTS)}
        rest = [ev for ev in evs if ev.id not in shown]
        for ev in [ev for ev in evs if ev.id in shown]:
            parts.append(event_html(ev, whole=small))
        if rest:
            parts.append(
                f"<details><summary>{len(rest)} more event{'' if len(rest) == 1 else 's'}</summary>"
            )
            parts += [event_html(ev, whole=False, claims=False) for ev in rest]
            parts.append("</details>")
        if folded:
            parts.append("</details>")
        parts.append("</section>")
    others = view.ungrouped()
    if others:
        heading = "Articles" if not view.stories else "Not in any story"
        parts.append(f"<section><h2>{heading}</h2><ul>")
        for a in others:
            parts.append(
                f'<li><span class="when">{_e(human_date(a.published))}</span> '
                f"{_e(_title(a))}{refs([a.id])}</li>"
            )
        parts.append("</ul></section>")
    sources = ['<section><h2>Sources</h2><ol class="sources">']
    for n, aid in enumerate(cites.order, 1):
        a = view.articles[aid]
        title = _e(_title(a))
        url = a.url or ""
        if url.startswith(("http://", "https://")):
            title = f'<a href="{_e(url)}" rel="noopener noreferrer">{title}</a>'
        sources.append(
            f'<li id="src-{n}">{_e(cites.outlet(aid))}, {_e(human_date(a.published))}: '
            f'{title} <span class="meta">id {_e(aid[:10])}</span></li>'
        )
    sources.append("</ol></section>")
    head = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        "<title>newsweave briefing</title>"
        f"<style>{PAGE_CSS}</style></head><body><main><header><h1>Briefing</h1>"
        f'<p class="meta">{_count(len(view.articles), "article")}'
        + (f" · published {_e(human_date(first))} – {_e(human_date(last))}" if first else "")
        + f" · {_count(len(view.stories), 'story', 'stories')}"
        + f" · {_count(len(view.events), 'event')} · made with newsweave"
        "</p></header>"
    )
    return head + "\n".join(parts) + "\n".join(sources) + "</main></body></html>\n"


def _count(n: int, one: str, many: str | None = None) -> str:
    """A number with its noun in the right form: "1 story", "2 stories"."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def write_html(store: Store, out: TextIO) -> None:
    """A self-contained briefing page: one file, inline CSS, no script, everything escaped."""
    out.write(render(read_store(store)))


HTML = Format(
    "html",
    write_html,
    "text/html; charset=utf-8",
    "html",
    "a self-contained briefing page (inline CSS, no script)",
    page_style=PAGE_CSS,
)
