"""Export formats newsrooms use: a Markdown briefing, a self-contained HTML briefing page, and
Knight Lab TimelineJS JSON. Registered in :data:`newsweave.export.WRITERS` on import.

All three are built from the ``export --format json`` object (articles plus every registered
section), so they pick up copies, entities, events, stories, timeline and claims as those stages
land, and fall back to an article list when a store has not been analysed.

Article text is untrusted. The HTML page escapes every value and carries no script; TimelineJS
renders its ``text`` fields as HTML, so those are escaped too.
"""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Iterable

from newsweave import export
from newsweave.store import Store

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


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


def date_parts(value: str | None) -> dict[str, int] | None:
    """TimelineJS date object for a TIMEX3-style value (year, month, day when known)."""
    if not value:
        return None
    m = re.match(r"(\d{4})(?:-(\d{2}|Q[1-4]|W\d{2})(?:-(\d{2}))?)?", value)
    if not m:
        return None
    parts = {"year": int(m[1])}
    if m[2] and m[2].isdigit() and 1 <= int(m[2]) <= 12:
        parts["month"] = int(m[2])
        if m[3]:
            parts["day"] = int(m[3])
    elif m[2] and m[2].startswith("Q"):
        parts["month"] = 3 * (int(m[2][1]) - 1) + 1
    return parts


def title_of(article: dict) -> str:
    """The headline, or the text's first words when cleaning found no headline."""
    if article.get("title"):
        return str(article["title"])
    return _shorten(article.get("text") or "", 80) or "(untitled)"


# --------------------------------------------------------------------------- the briefing model


class Citations:
    """Numbers articles in the order a briefing first cites them."""

    def __init__(self, articles: dict[str, dict]) -> None:
        self.articles = articles
        self.order: list[str] = []
        self.index: dict[str, int] = {}

    def cite(self, ids: Iterable[str]) -> list[int]:
        out = []
        for aid in ids:
            if aid not in self.articles:
                continue
            if aid not in self.index:
                self.order.append(aid)
                self.index[aid] = len(self.order)
            out.append(self.index[aid])
        return sorted(set(out))

    def label(self, aid: str) -> str:
        a = self.articles[aid]
        who = a.get("outlet") or a.get("agency") or "unknown outlet"
        if a.get("agency") and a.get("outlet") and a["agency"] != a["outlet"]:
            who = f"{a['outlet']} ({a['agency']})"
        return who


def _briefing(data: dict) -> dict:
    """Stories -> events -> claims/timeline, ordered for reading; every item keeps its ids."""
    articles = {a["id"]: a for a in data.get("articles", [])}
    events = {str(e.get("id")): e for e in data.get("events", [])}
    claims = {str(c.get("id")): c for c in data.get("claims", [])}
    event_claims: dict[str, list[dict]] = {}
    article_event: dict[str, str] = {}
    for e in events.values():
        for a in e.get("articles") or ():
            article_event.setdefault(a, str(e.get("id")))
    for c in claims.values():
        eid = c.get("event")
        if not eid:
            votes: dict[str, int] = {}
            for a in c.get("articles") or ():
                if a in article_event:
                    votes[article_event[a]] = votes.get(article_event[a], 0) + 1
            eid = max(votes, key=lambda k: votes[k]) if votes else None
        if eid:
            event_claims.setdefault(str(eid), []).append(c)
    for rows in event_claims.values():
        rows.sort(key=lambda c: str(c.get("id")))
    stories = sorted(
        data.get("stories", []),
        key=lambda s: (-len(s.get("articles") or ()), s.get("title") or "", str(s.get("id"))),
    )
    timeline = data.get("timeline", [])
    return {
        "articles": articles,
        "stories": stories,
        "events": events,
        "claims": claims,
        "event_claims": event_claims,
        "timeline": timeline,
    }


def _ungrouped(b: dict) -> list[dict]:
    """Articles that no story holds (all of them before grouping ran), oldest first."""
    grouped = {a for s in b["stories"] for a in s.get("articles") or ()}
    rest = [a for aid, a in b["articles"].items() if aid not in grouped]
    return sorted(rest, key=lambda a: (a.get("published") or "9999", a["id"]))


def _entry_order(t: dict) -> tuple:
    return (str(t.get("date") or ""), str(t.get("kind") or ""), str(t.get("text") or ""))


def _published_range(articles: Iterable[dict]) -> tuple[str | None, str | None]:
    dates = sorted(a["published"] for a in articles if a.get("published"))
    return (dates[0], dates[-1]) if dates else (None, None)


def _contested_pairs(claims: list[dict], all_claims: dict[str, dict]) -> list[tuple[dict, dict]]:
    pairs, seen = [], set()
    for c in claims:
        if c.get("status") != "contested":
            continue
        for other in c.get("contradicts") or ():
            o = all_claims.get(str(other))
            key = tuple(sorted((str(c.get("id")), str(other))))
            if o is None or key in seen:
                continue
            seen.add(key)
            pairs.append((c, o))
    return pairs


def _events_of(story: dict, events: dict[str, dict]) -> list[dict]:
    evs = [events[str(e)] for e in story.get("events") or () if str(e) in events]
    return sorted(evs, key=lambda e: (e.get("date") or "9999", e.get("title") or "", e["id"]))


# --------------------------------------------------------------------------- markdown


def _md_escape(text: str) -> str:
    """Keep article text from becoming Markdown structure or raw HTML."""
    text = " ".join(str(text).split())
    text = html.escape(text, quote=False)
    return re.sub(r"([\\`*_\[\]#|])", r"\\\1", text)


def render_markdown(data: dict) -> str:
    b = _briefing(data)
    cites = Citations(b["articles"])
    out: list[str] = []
    first, last = _published_range(b["articles"].values())
    out.append("# newsweave briefing")
    out.append("")
    out.append(
        f"{len(b['articles'])} articles"
        + (f", published {human_date(first)} – {human_date(last)}" if first else "")
        + f"; {len(b['stories'])} stories, {len(b['events'])} events, {len(b['claims'])} claims."
    )

    def refs(ids: Iterable[str]) -> str:
        nums = cites.cite(ids)
        return " " + "".join(f"[{n}]" for n in nums) if nums else ""

    for story in b["stories"]:
        out += ["", f"## {_md_escape(story.get('title') or 'Untitled story')}", ""]
        evs = _events_of(story, b["events"])
        dates = [e.get("date") for e in evs if e.get("date")]
        out.append(
            f"{len(evs)} events, {len(story.get('articles') or ())} articles"
            + (f", {human_date(min(dates))} – {human_date(max(dates))}" if dates else "")
            + "."
        )
        entries = [t for t in b["timeline"] if str(t.get("story")) == str(story.get("id"))]
        if entries:
            out += ["", "### Timeline", ""]
            for t in sorted(entries, key=_entry_order):
                kind = t.get("kind")
                tag = f" *({kind})*" if kind and kind != "reported" else ""
                out.append(
                    f"- **{human_date(t.get('date'))}**{tag} — {_md_escape(t.get('text') or '')}"
                    + refs(t.get("articles") or ())
                )
        for ev in evs:
            out += ["", f"### {human_date(ev.get('date'))} — {_md_escape(ev.get('title') or '')}"]
            out.append("")
            ev_claims = b["event_claims"].get(str(ev.get("id")), [])
            pairs = _contested_pairs(ev_claims, b["claims"])
            if pairs:
                out.append("**Where sources disagree**")
                out.append("")
                for c, o in pairs:
                    out.append(
                        f"- “{_md_escape(c.get('text') or '')}”" + refs(c.get("articles") or ())
                    )
                    out.append(
                        f"  - versus: “{_md_escape(o.get('text') or '')}”"
                        + refs(o.get("articles") or ())
                    )
                out.append("")
            corroborated = [c for c in ev_claims if c.get("status") == "corroborated"]
            if corroborated:
                out.append("**Corroborated**")
                out.append("")
                for c in corroborated:
                    n = c.get("independent_sources") or 0
                    out.append(
                        f"- {_md_escape(c.get('text') or '')} ({n} independent sources)"
                        + refs(c.get("articles") or ())
                    )
                out.append("")
            single = [c for c in ev_claims if c.get("status") == "single-source"]
            if single:
                out.append("**Single source**")
                out.append("")
                for c in single:
                    who = f" — {_md_escape(c['attribution'])}" if c.get("attribution") else ""
                    out.append(
                        f"- {_md_escape(c.get('text') or '')}{who}" + refs(c.get("articles") or ())
                    )
                out.append("")
            out.append("Coverage:" + refs(ev.get("articles") or ()))
    others = _ungrouped(b)
    if others:
        out += ["", "## Articles" if not b["stories"] else "## Not in any story", ""]
        for a in others:
            out.append(
                f"- **{human_date(a.get('published'))}** — {_md_escape(title_of(a))}"
                + refs([a["id"]])
            )
    out += ["", "## Sources", ""]
    for n, aid in enumerate(cites.order, 1):
        a = b["articles"][aid]
        title = _md_escape(title_of(a))
        url = a.get("url") or ""
        link = f" <{url}>" if url.startswith(("http://", "https://")) and " " not in url else ""
        out.append(
            f"{n}. {_md_escape(cites.label(aid))}, {human_date(a.get('published'))}: "
            f"{title} (id {aid[:10]}){link}"
        )
    return "\n".join(out).rstrip() + "\n"


def write_markdown(store: Store, out: io.TextIOBase) -> None:
    """The Markdown briefing. When the store has stories this is exactly ``newsweave brief``
    (one briefing, not two that drift apart); otherwise, or for an in-memory store, the
    article-level briefing of :func:`render_markdown`."""
    text = _brief_markdown(store)
    out.write(text if text is not None else render_markdown(export.export_json(store)))


def _brief_markdown(store: Store) -> str | None:
    sections = export.SECTIONS
    if store.path == ":memory:" or "stories" not in sections or not sections["stories"](store):
        return None
    from newsweave.api import Newsweave

    with Newsweave(store.path, read_only=True) as nw:
        brief = getattr(nw, "brief", None)
        return brief() if brief is not None else None


# --------------------------------------------------------------------------- html

BRIEFING_CSS = """
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
ul.claims{padding-left:18px}
.badge{font:600 11px system-ui,sans-serif;padding:1px 6px;border-radius:9px;color:#fff;
background:var(--ok)}
.badge.single{background:var(--warn)}
ol.sources{font:13px/1.5 system-ui,sans-serif;padding-left:22px}
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def render_html(data: dict) -> str:
    b = _briefing(data)
    cites = Citations(b["articles"])
    first, last = _published_range(b["articles"].values())
    parts: list[str] = []

    def refs(ids: Iterable[str]) -> str:
        nums = cites.cite(ids)
        if not nums:
            return ""
        links = "".join(f'<a href="#src-{n}">[{n}]</a>' for n in nums)
        return f' <span class="cite">{links}</span>'

    def side(c: dict) -> str:
        outlets = []
        for aid in c.get("articles") or ():
            if aid in b["articles"]:
                outlets.append(cites.label(aid))
        n = c.get("independent_sources")
        who = f"{_e(c['attribution'])} · " if c.get("attribution") else ""
        return (
            f'<div class="side"><q>{_e(c.get("text"))}</q>'
            f'<div class="src">{who}{_e(", ".join(dict.fromkeys(outlets)))}'
            f"{f' · {n} independent' if n is not None else ''}"
            f"{refs(c.get('articles') or ())}</div></div>"
        )

    for story in b["stories"]:
        evs = _events_of(story, b["events"])
        dates = [e.get("date") for e in evs if e.get("date")]
        parts.append(f"<section><h2>{_e(story.get('title') or 'Untitled story')}</h2>")
        parts.append(
            f'<p class="meta">{len(evs)} events · {len(story.get("articles") or ())} articles'
            + (f" · {_e(human_date(min(dates)))} – {_e(human_date(max(dates)))}" if dates else "")
            + "</p>"
        )
        entries = [t for t in b["timeline"] if str(t.get("story")) == str(story.get("id"))]
        if entries:
            parts.append('<h4>Timeline</h4><ol class="timeline">')
            for t in sorted(entries, key=_entry_order):
                kind = str(t.get("kind") or "reported")
                tag = f' <span class="kind">{_e(kind)}</span>' if kind != "reported" else ""
                parts.append(
                    f'<li class="{_e(kind)}"><span class="when">{_e(human_date(t.get("date")))}'
                    f"</span>{tag} {_e(t.get('text'))}{refs(t.get('articles') or ())}</li>"
                )
            parts.append("</ol>")
        for ev in evs:
            parts.append(
                f"<h3>{_e(human_date(ev.get('date')))} — {_e(ev.get('title'))}</h3>"
                f'<p class="meta">{len(ev.get("articles") or ())} articles'
                f"{refs(ev.get('articles') or ())}</p>"
            )
            ev_claims = b["event_claims"].get(str(ev.get("id")), [])
            pairs = _contested_pairs(ev_claims, b["claims"])
            if pairs:
                parts.append("<h4>Where sources disagree</h4>")
                for c, o in pairs:
                    parts.append(f'<div class="dispute">{side(c)}{side(o)}</div>')
            for status, label, css in (
                ("corroborated", "Corroborated", ""),
                ("single-source", "Single source", " single"),
            ):
                rows = [c for c in ev_claims if c.get("status") == status]
                if not rows:
                    continue
                parts.append(f'<h4>{label}</h4><ul class="claims">')
                for c in rows:
                    n = c.get("independent_sources") or 0
                    who = f" — {_e(c['attribution'])}" if c.get("attribution") else ""
                    parts.append(
                        f'<li><span class="badge{css}">{n}</span> {_e(c.get("text"))}{who}'
                        f"{refs(c.get('articles') or ())}</li>"
                    )
                parts.append("</ul>")
        parts.append("</section>")
    others = _ungrouped(b)
    if others:
        heading = "Articles" if not b["stories"] else "Not in any story"
        parts.append(f"<section><h2>{heading}</h2><ul>")
        for a in others:
            parts.append(
                f'<li><span class="when">{_e(human_date(a.get("published")))}</span> '
                f"{_e(title_of(a))}{refs([a['id']])}</li>"
            )
        parts.append("</ul></section>")
    sources = ['<section><h2>Sources</h2><ol class="sources">']
    for n, aid in enumerate(cites.order, 1):
        a = b["articles"][aid]
        title = _e(title_of(a))
        url = a.get("url") or ""
        if url.startswith(("http://", "https://")):
            title = f'<a href="{_e(url)}" rel="noopener noreferrer">{title}</a>'
        sources.append(
            f'<li id="src-{n}">{_e(cites.label(aid))}, {_e(human_date(a.get("published")))}: '
            f'{title} <span class="meta">id {_e(aid[:10])}</span></li>'
        )
    sources.append("</ol></section>")
    head = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        "<title>newsweave briefing</title>"
        f"<style>{BRIEFING_CSS}</style></head><body><main><header><h1>Briefing</h1>"
        f'<p class="meta">{len(b["articles"])} articles'
        + (f" · published {_e(human_date(first))} – {_e(human_date(last))}" if first else "")
        + f" · {len(b['stories'])} stories · {len(b['events'])} events · made with newsweave"
        "</p></header>"
    )
    return head + "\n".join(parts) + "\n".join(sources) + "</main></body></html>\n"


def write_html(store: Store, out: io.TextIOBase) -> None:
    """A self-contained briefing page: one file, inline CSS, no script, everything escaped."""
    out.write(render_html(export.export_json(store)))


# --------------------------------------------------------------------------- timelinejs


def render_timelinejs(data: dict) -> dict:
    """Knight Lab TimelineJS JSON: one slide per timeline entry (or per event, or per
    article when the store has no timeline yet), grouped by story."""
    b = _briefing(data)
    stories = {str(s.get("id")): s.get("title") for s in b["stories"]}
    articles = b["articles"]

    def sources(ids: Iterable[str]) -> str:
        items = []
        for aid in ids:
            a = articles.get(aid)
            if a is None:
                continue
            label = _e(
                f"{a.get('outlet') or a.get('agency') or 'unknown'}, "
                f"{human_date(a.get('published'))}: {title_of(a)}"
            )
            url = a.get("url") or ""
            if url.startswith(("http://", "https://")):
                label = f'<a href="{_e(url)}" rel="noopener noreferrer">{label}</a>'
            items.append(f"<li>{label}</li>")
        return f"<ul>{''.join(items)}</ul>" if items else ""

    slides = []
    if b["timeline"]:
        for i, t in enumerate(sorted(b["timeline"], key=_entry_order)):
            start = date_parts(t.get("date"))
            if start is None:
                continue
            kind = t.get("kind") or "reported"
            slide = {
                "start_date": start,
                "text": {
                    "headline": _e(_shorten(t.get("text") or "", 90)),
                    "text": f"<p>{_e(t.get('text'))}</p>{sources(t.get('articles') or ())}",
                },
                "group": stories.get(str(t.get("story")), "Timeline"),
                "unique_id": f"t{i}",
            }
            if kind != "reported":
                slide["display_date"] = f"{human_date(t.get('date'))} ({kind})"
            if t.get("granularity") == "range" and t.get("range_end"):
                end = date_parts(t.get("range_end"))
                if end:
                    slide["end_date"] = end
            slides.append(slide)
    elif b["events"]:
        for e in b["events"].values():
            start = date_parts(e.get("date"))
            if start is None:
                continue
            slides.append(
                {
                    "start_date": start,
                    "text": {
                        "headline": _e(e.get("title")),
                        "text": sources(e.get("articles") or ()),
                    },
                    "group": stories.get(str(e.get("story")), "Events"),
                    "unique_id": f"e-{e.get('id')}",
                }
            )
    else:
        for a in articles.values():
            start = date_parts(a.get("published"))
            if start is None:
                continue
            slides.append(
                {
                    "start_date": start,
                    "text": {"headline": _e(title_of(a)), "text": sources([a["id"]])},
                    "group": a.get("outlet") or a.get("agency") or "Articles",
                    "unique_id": f"a-{a['id']}",
                }
            )
    slides.sort(key=_slide_order)  # the same store gives the same file, in any input order
    first, last = _published_range(articles.values())
    return {
        "title": {
            "text": {
                "headline": "newsweave timeline",
                "text": _e(
                    f"{len(articles)} articles"
                    + (f", {human_date(first)} – {human_date(last)}" if first else "")
                ),
            }
        },
        "events": slides,
    }


def _slide_order(slide: dict) -> tuple:
    d = slide["start_date"]
    return (d["year"], d.get("month", 0), d.get("day", 0), slide["unique_id"])


def _shorten(text: str, limit: int) -> str:
    flat = " ".join(str(text).split())
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit)
    return flat[: cut if cut > 0 else limit] + "…"


def write_timelinejs(store: Store, out: io.TextIOBase) -> None:
    """TimelineJS JSON (https://timeline.knightlab.com/docs/json-format.html)."""
    json.dump(render_timelinejs(export.export_json(store)), out, ensure_ascii=False, indent=2)
    out.write("\n")


export.WRITERS.setdefault("markdown", write_markdown)
export.WRITERS.setdefault("html", write_html)
export.WRITERS.setdefault("timelinejs", write_timelinejs)
