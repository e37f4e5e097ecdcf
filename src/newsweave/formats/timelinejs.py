"""``timelinejs``: Knight Lab TimelineJS JSON
(https://timeline.knightlab.com/docs/json-format.html). TimelineJS renders ``text`` fields as
HTML, so every value in them goes through :func:`newsweave.formats.html.escape`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import TextIO

from newsweave.briefing import (
    StoreView,
    entry_order,
    human_date,
    published_range,
    read_store,
    shorten,
    title_of,
)
from newsweave.formats.base import Format
from newsweave.formats.html import escape as _e
from newsweave.store import Store


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


def key_entries(view: StoreView, *, detail: bool = False) -> list:
    """The timeline entries a bounded export shows: for the largest stories (as the Markdown
    briefing shows them in full) the entries most articles speak of, for the next ones their
    single best-supported entry; a story of a few articles whole; every entry with
    ``detail``."""
    from newsweave.formats.markdown import FULL_STORIES, KEY_DATES, MORE_STORIES, SMALL_STORY

    if detail:
        return list(view.timeline)
    by_story: dict[str, list] = {}
    for i, t in enumerate(view.timeline):
        by_story.setdefault(str(t.story), []).append((i, t))
    keep: list = []
    for rank, story in enumerate(view.stories[: FULL_STORIES + MORE_STORIES]):
        entries = by_story.get(story.id, [])
        n = KEY_DATES if rank < FULL_STORIES else 1
        if len(story.articles) <= SMALL_STORY:
            n = len(entries)  # a small story is shown whole, as in the briefing
        best = sorted(entries, key=lambda p: (-len(p[1].articles), p[0]))[:n]
        keep.extend(t for _, t in best)
    return keep


def render(view: StoreView, *, detail: bool = False) -> dict:
    """One slide per timeline entry (or per event, or per article when the store has no
    timeline yet), grouped by story. Bounded like the briefing unless ``detail``: the key
    dates of the largest stories (:func:`key_entries`), at most three sources a slide."""
    stories = {s.id: s.title for s in view.stories}
    articles = view.articles
    per_slide = None if detail else 3

    def sources(ids: Iterable[str]) -> str:
        items = []
        ids = [a for a in ids if a in articles]
        more = len(ids) - per_slide if per_slide is not None and len(ids) > per_slide else 0
        for aid in ids[: len(ids) - more]:
            a = articles.get(aid)
            if a is None:
                continue
            label = _e(
                f"{a.outlet or a.agency or 'unknown'}, {human_date(a.published)}: {title_of(a)}"
            )
            url = a.url or ""
            if url.startswith(("http://", "https://")):
                label = f'<a href="{_e(url)}" rel="noopener noreferrer">{label}</a>'
            items.append(f"<li>{label}</li>")
        if more:
            items.append(f"<li>and {more} more</li>")
        return f"<ul>{''.join(items)}</ul>" if items else ""

    slides = []
    if view.timeline:
        shown = key_entries(view, detail=detail)
        for i, t in enumerate(sorted(shown, key=entry_order)):
            start = date_parts(t.date)
            if start is None:
                continue
            kind = t.kind or "reported"
            slide = {
                "start_date": start,
                "text": {
                    "headline": _e(shorten(t.text or "", 90)),
                    "text": f"<p>{_e(t.text)}</p>{sources(t.articles)}",
                },
                "group": stories.get(str(t.story), "Timeline"),
                "unique_id": f"t{i}",
            }
            if kind != "reported":
                slide["display_date"] = f"{human_date(t.date)} ({kind})"
            slides.append(slide)
    elif view.events:
        for e in view.events.values():
            start = date_parts(e.date)
            if start is None:
                continue
            slides.append(
                {
                    "start_date": start,
                    "text": {"headline": _e(e.title), "text": sources(e.articles)},
                    "group": stories.get(str(e.story), "Events"),
                    "unique_id": f"e-{e.id}",
                }
            )
    else:
        for a in articles.values():
            start = date_parts(a.published)
            if start is None:
                continue
            slides.append(
                {
                    "start_date": start,
                    "text": {"headline": _e(title_of(a)), "text": sources([a.id])},
                    "group": a.outlet or a.agency or "Articles",
                    "unique_id": f"a-{a.id}",
                }
            )
    slides.sort(key=_slide_order)  # the same store gives the same file, in any input order
    first, last = published_range(articles.values())
    return {
        "title": {
            "text": {
                "headline": "newsweave timeline",
                "text": _e(
                    f"{len(articles)} articles"
                    + (f", {human_date(first)} – {human_date(last)}" if first else "")
                    + (
                        f". Key dates of the largest stories ({len(slides)} of "
                        f"{len(view.timeline)} dated entries); all of them: newsweave brief "
                        "--detail"
                        if view.timeline and len(slides) < len(view.timeline)
                        else ""
                    )
                ),
            }
        },
        "events": slides,
    }


def _slide_order(slide: dict) -> tuple:
    d = slide["start_date"]
    return (d["year"], d.get("month", 0), d.get("day", 0), slide["unique_id"])


def write_timelinejs(store: Store, out: TextIO) -> None:
    json.dump(render(read_store(store)), out, ensure_ascii=False, indent=2)
    out.write("\n")


TIMELINEJS = Format(
    "timelinejs",
    write_timelinejs,
    "application/json",
    "timeline.json",
    "Knight Lab TimelineJS JSON, one slide per timeline entry",
)
