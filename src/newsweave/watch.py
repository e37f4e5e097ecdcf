"""Watching sources: poll them, ingest what is new, analyse incrementally, say what changed.

:func:`poll` is one round (what ``newsweave watch --once`` runs from cron): ingest the
sources (pages, feeds, sitemaps, sources files; conditional requests make an unchanged feed
cost one 304), run the derived stages over the new articles, and return one
:class:`Notice` per story, event or contested claim the watch has not reported before, plus
one per new article that joined an event reported earlier. What was reported is kept in the
store, so a watch that stops (SIGINT/SIGTERM, a crash, cron) resumes where it stopped.
:class:`Watcher` repeats rounds every interval and stops cleanly between fetches.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from newsweave.errors import NewsweaveError
from newsweave.pipeline import IngestReport

if TYPE_CHECKING:
    from newsweave.api import Newsweave
    from newsweave.ingest.fetch import FetchPolicy
    from newsweave.runners import Runner

NoticeKind = Literal["story", "event", "claim", "article"]


@dataclass(frozen=True, slots=True)
class Notice:
    """One thing a poll found: a new story, a new event, a newly contested claim, or a new
    article joining an event reported before."""

    kind: NoticeKind
    id: str
    title: str
    date: str | None = None
    articles: int = 0
    story: str | None = None
    event: str | None = None
    outlet: str | None = None

    def line(self) -> str:
        """The one-line text form printed by ``newsweave watch``."""
        title = _short(self.title)
        if self.kind == "story":
            return f"new story    {self.id}  {title!r} ({self.articles} articles)"
        if self.kind == "event":
            where = f" in story {self.story}" if self.story else ""
            return f"new event    {self.id}  {self.date or '????-??-??'}  {title!r}{where}"
        if self.kind == "claim":
            where = f" in event {self.event}" if self.event else ""
            return f"contested    {self.id}  {title!r}{where}"
        source = f" ({self.outlet}, {self.date})" if self.outlet or self.date else ""
        return f"new article  {self.id}  {title!r}{source} joins event {self.event}" + (
            f" in story {self.story}" if self.story else ""
        )

    def as_dict(self) -> dict:
        return asdict(self)


def _short(text: str, words: int = 16) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


@dataclass
class PollReport:
    ingest: IngestReport
    notices: list[Notice] = field(default_factory=list)
    polled_at: str = ""


def poll(
    nw: Newsweave,
    sources: Iterable[str],
    *,
    fetch_policy: FetchPolicy | None = None,
    runner: Runner | None = None,
    stop: Callable[[], bool] | None = None,
) -> PollReport:
    """One round: ingest ``sources``, analyse, and report what the watch has not seen."""
    from newsweave.store import sources as sources_store

    report = nw.ingest(
        list(sources), analyze=False, fetch_policy=fetch_policy, runner=runner, stop=stop
    )
    if report.new:
        nw.analyze(runner=runner)
    notices = _news(nw, report.new_ids)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    seen = {
        "story": [n.id for n in notices if n.kind == "story"],
        "event": [n.id for n in notices if n.kind == "event"],
        "claim": [n.id for n in notices if n.kind == "claim"],
    }
    sources_store.mark_seen(nw.store, seen, {"last_poll": now, "last_poll_ts": str(time.time())})
    return PollReport(report, notices, now)


def _news(nw: Newsweave, new_ids: list[str]) -> list[Notice]:
    from newsweave.store import sources as sources_store

    store = nw.store
    notices: list[Notice] = []
    stories = nw.stories()
    events = nw.events()
    seen_stories = sources_store.seen_ids(store, "story")
    seen_events = sources_store.seen_ids(store, "event")
    seen_claims = sources_store.seen_ids(store, "claim")
    for story in stories:
        if story.id not in seen_stories:
            notices.append(Notice("story", story.id, story.title, articles=len(story.articles)))
    event_of: dict[str, str] = {}
    for event in events:
        for article in event.articles:
            event_of[article] = event.id
        if event.id not in seen_events:
            notices.append(
                Notice(
                    "event",
                    event.id,
                    event.title,
                    date=event.date,
                    articles=len(event.articles),
                    story=event.story,
                )
            )
    for claim in nw.claims(status="contested"):
        if claim.id not in seen_claims:
            notices.append(Notice("claim", claim.id, claim.text, event=claim.event))
    by_event = {e.id: e for e in events}
    reported_events = {n.id for n in notices if n.kind == "event"}
    wanted = [a for a in new_ids if event_of.get(a) and event_of[a] not in reported_events]
    for article in nw.articles(ids=wanted):
        event = by_event[event_of[article.id]]
        notices.append(
            Notice(
                "article",
                article.id,
                article.title or _short(article.text, 12),
                date=article.published,
                event=event.id,
                story=event.story,
                outlet=article.outlet,
            )
        )
    return notices


_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hr|d)?\s*$", re.IGNORECASE)
_UNIT = {None: 1, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "d": 86400}


def parse_interval(text: str) -> float:
    """Seconds from "15m", "90s", "1h", "1.5h", "900"."""
    m = _INTERVAL.match(text)
    if not m or float(m[1]) <= 0:
        raise NewsweaveError(f"bad interval {text!r}: use a number with s, m, h or d (e.g. 15m)")
    unit = m[2].lower() if m[2] else None
    return float(m[1]) * _UNIT[unit]


class Watcher:
    """Poll ``sources`` every ``every`` seconds until :meth:`stop` (a signal handler calls
    it). A restarted watcher waits only what is left of the interval since the last poll
    recorded in the store."""

    def __init__(
        self,
        nw: Newsweave,
        sources: list[str],
        every: float,
        *,
        fetch_policy: FetchPolicy | None = None,
        runner: Runner | None = None,
    ) -> None:
        self.nw = nw
        self.sources = sources
        self.every = every
        self.fetch_policy = fetch_policy
        self.runner = runner
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def next_wait(self) -> float:
        from newsweave.store import sources as sources_store

        last = sources_store.watch_state(self.nw.store, "last_poll_ts")
        if last is None:
            return 0.0
        return max(0.0, float(last) + self.every - time.time())

    def run(self, on_poll: Callable[[PollReport], None], *, once: bool = False) -> int:
        """Poll until stopped (or once); call ``on_poll`` after each round; return rounds."""
        rounds = 0
        if not once and self._stop.wait(self.next_wait()):
            return rounds
        while not self._stop.is_set():
            on_poll(
                poll(
                    self.nw,
                    self.sources,
                    fetch_policy=self.fetch_policy,
                    runner=self.runner,
                    stop=self._stop.is_set,
                )
            )
            rounds += 1
            if once or self._stop.wait(self.every):
                break
        return rounds


__all__ = ["Notice", "PollReport", "Watcher", "parse_interval", "poll"]
