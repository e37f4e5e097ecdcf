"""newsweave watch against the real local news site: a feed that gains an item between two
polls, JSON lines, a clean stop on SIGTERM, resuming from the store."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsweave.api import Newsweave
from newsweave.errors import NewsweaveError
from newsweave.ingest.fetch import FetchPolicy
from newsweave.records import Article
from newsweave.watch import parse_interval, poll
from tests.live_site import NewsSite
from tests.test_cli import NEWSWEAVE

POLICY = FetchPolicy(delay=0.0, timeout=2, retries=0)
POLITE = ("--delay", "0", "--timeout", "2", "--retries", "0")


@pytest.fixture
def site(seeds: dict[str, Article]) -> Iterator[NewsSite]:
    news = NewsSite(seeds)
    news.feed_items = news.feed_items[:2]  # 000 and 001 at first
    news.publish_feeds()
    yield news
    news.close()


def add_item(site: NewsSite, prefix: str) -> None:
    page = site.pages[prefix]
    site.feed_items.append((page.path, page.title, page.published))
    site.publish_feeds()


def test_poll_ingests_only_the_new_item_and_reports_its_event(
    site: NewsSite, db_path: Path
) -> None:
    feed = site.url("/clean-feed.xml")
    with Newsweave(db_path) as nw:
        first = poll(nw, [feed], fetch_policy=POLICY)
        assert first.ingest.new == 2
        kinds = {n.kind for n in first.notices}
        assert {"story", "event"} <= kinds
        quiet = poll(nw, [feed], fetch_policy=POLICY)
        assert (quiet.ingest.new, quiet.notices) == (0, [])
        add_item(site, "004")  # the 2023 SCO meeting: a new event
        second = poll(nw, [feed], fetch_policy=POLICY)
        assert (second.ingest.new, second.ingest.existing) == (1, 2)
        assert [len(site.hits(site.pages[k].path)) for k in ("000", "001", "004")] == [1, 1, 1]
        (new_id,) = second.ingest.new_ids
        (event,) = [e for e in nw.events() if new_id in e.articles]
        reported = {(n.kind, n.id) for n in second.notices}
        assert ("event", event.id) in reported
        assert all(n.kind != "story" or n.id == event.story for n in second.notices)
        add_item(site, "003")  # the same 2020 meeting as 000/001: joins their event
        third = poll(nw, [feed], fetch_policy=POLICY)
        (joined,) = third.ingest.new_ids
        (event,) = [e for e in nw.events() if joined in e.articles]
        lines = [n.line() for n in third.notices]
        assert any(event.id in line for line in lines), lines
        assert all("\n" not in line for line in lines)


def run_watch(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [*NEWSWEAVE, "--db", str(db), "watch", *POLITE, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_cli_watch_once_json_lines_and_resume(site: NewsSite, db_path: Path) -> None:
    feed = site.url("/clean-feed.xml")
    first = run_watch(db_path, "--once", "--json", feed)
    assert first.returncode == 0, first.stderr
    notices = [json.loads(line) for line in first.stdout.splitlines()]
    assert {n["kind"] for n in notices} >= {"story", "event"}
    assert all({"kind", "id", "title"} <= n.keys() for n in notices)
    assert "2 new, 0 already stored" in first.stderr
    add_item(site, "004")
    second = run_watch(db_path, "--once", "--json", feed)
    assert second.returncode == 0, second.stderr
    assert "1 new, 2 already stored" in second.stderr
    again = [json.loads(line) for line in second.stdout.splitlines()]
    assert again and not (
        {n["id"] for n in again} & {n["id"] for n in notices if n["kind"] != "story"}
    )


def polled(db: Path) -> bool:
    """Whether the watch has finished its first round (it records the poll time)."""
    if not db.exists():
        return False
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            row = conn.execute("SELECT 1 FROM watch_state WHERE key = 'last_poll'").fetchone()
    except sqlite3.Error:  # the watch has not created its tables yet
        return False
    return row is not None


def test_cli_watch_stops_cleanly_on_sigterm(site: NewsSite, db_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.Popen(
        [*NEWSWEAVE, "--db", str(db_path), "watch", *POLITE, "--every", "1h"]
        + [site.url("/clean-feed.xml")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not polled(db_path):
            time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "watch stopped; run it again to resume" in err
    assert "Traceback" not in err
    assert "new story" in out


def test_a_restarted_watcher_waits_only_what_is_left(site: NewsSite, db_path: Path) -> None:
    from newsweave.watch import Watcher

    with Newsweave(db_path) as nw:
        watcher = Watcher(nw, [site.url("/clean-feed.xml")], 600, fetch_policy=POLICY)
        assert watcher.next_wait() == 0  # never polled: start at once
        rounds = watcher.run(lambda report: None, once=True)
        assert rounds == 1
        again = Watcher(nw, [site.url("/clean-feed.xml")], 600, fetch_policy=POLICY)
        assert 590 < again.next_wait() <= 600
        again.stop()
        assert again.run(lambda report: None) == 0  # stopped before its first round


def test_parse_interval() -> None:
    assert parse_interval("15m") == 900
    assert parse_interval("90s") == 90
    assert parse_interval("1.5h") == 5400
    assert parse_interval("600") == 600
    for bad in ("", "0m", "soon", "-5m"):
        with pytest.raises(NewsweaveError, match="bad interval"):
            parse_interval(bad)
