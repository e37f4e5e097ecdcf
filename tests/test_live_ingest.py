"""Ingest by address against a real local news site (tests/live_site.py): pages, RSS, Atom,
sitemaps, sources files; politeness; failures one line each; idempotence."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from newsweave.api import Newsweave
from newsweave.ingest.fetch import USER_AGENT, FetchPolicy
from newsweave.records import Article
from newsweave.store import sources as sources_store
from tests.live_site import NewsSite, write_sources_file

# Fast but still polite: the slow page (6 s) times out at 2 s, once retried. (2 s, not less:
# on a loaded machine a local page can take a second to answer.)
POLICY = FetchPolicy(delay=0.0, timeout=2, retries=1, backoff=0.01)


@pytest.fixture
def site(seeds: dict[str, Article]) -> Iterator[NewsSite]:
    news = NewsSite(seeds)
    yield news
    news.close()


@pytest.fixture
def nw(db_path: Path) -> Iterator[Newsweave]:
    with Newsweave(db_path) as store:
        yield store


def by_url(nw: Newsweave) -> dict[str, Article]:
    return {a.url: a for a in nw.articles()}


def test_feed_stores_every_item_with_metadata_and_one_line_per_failure(
    site: NewsSite, nw: Newsweave, seeds: dict[str, Article]
) -> None:
    report = nw.ingest([site.url("/feed.xml")], analyze=False, fetch_policy=POLICY)
    assert report.new == 4
    stored = by_url(nw)
    for prefix in ("000", "001", "002", "003"):
        page = site.pages[prefix]
        article = stored[site.url(page.path)]  # the canonical URL
        assert article.title == page.title
        assert article.published == seeds[prefix].published
        # og:site_name, else the feed's title (002's page names no site)
        assert article.outlet == (page.site_name or "India Defence Wire")
        assert article.source_path == site.url(page.path)
        # the page's furniture is gone, the seed's body is there
        assert "Subscribe" not in article.text and "All rights reserved" not in article.text
        first = seeds[prefix].text.split("\n\n")[0]
        assert first[:80] in article.text
    lines = sorted(str(e) for e in report.skipped)
    assert len(lines) == 5, lines
    reasons = {e.path: e.reason for e in report.skipped}
    assert "connection refused" in reasons[site.dead]
    assert reasons[site.url("/missing.html")].startswith("HTTP 404")
    assert reasons[site.url("/broken.html")].startswith("HTTP 500")
    assert "(after 2 tries)" in reasons[site.url("/broken.html")]
    assert reasons[site.url("/slow.html")].startswith("timed out after 2 s")
    assert "not an HTML page" in reasons[site.url("/report.pdf")]
    assert "application/pdf" in reasons[site.url("/report.pdf")]
    assert all("\n" not in line for line in lines)


def test_ingesting_a_feed_again_adds_nothing_and_asks_conditionally(
    site: NewsSite, nw: Newsweave
) -> None:
    nw.ingest([site.url("/clean-feed.xml")], analyze=False, fetch_policy=POLICY)
    page_path = site.pages["000"].path
    assert len(site.hits(page_path)) == 1
    again = nw.ingest([site.url("/clean-feed.xml")], analyze=False, fetch_policy=POLICY)
    assert (again.new, again.skipped) == (0, [])
    assert nw.count() == 4
    # the feed answered 304 to a conditional request; no page was fetched again
    second = site.hits("/clean-feed.xml")[-1]
    assert second.get("If-None-Match", "").startswith('"')
    assert second.get("If-Modified-Since")
    assert len(site.hits(page_path)) == 1


def test_a_feed_that_gains_an_item_fetches_only_the_new_page(site: NewsSite, nw: Newsweave) -> None:
    site.feed_items = site.feed_items[:2]
    site.publish_feeds()
    first = nw.ingest([site.url("/clean-feed.xml")], analyze=False, fetch_policy=POLICY)
    assert first.new == 2
    new_page = site.pages["003"]
    site.feed_items.append((new_page.path, new_page.title, new_page.published))
    site.publish_feeds()
    second = nw.ingest([site.url("/clean-feed.xml")], analyze=False, fetch_policy=POLICY)
    assert (second.new, second.existing) == (1, 2)
    assert [len(site.hits(site.pages[k].path)) for k in ("000", "001", "003")] == [1, 1, 1]
    assert second.new_ids == [by_url(nw)[site.url(new_page.path)].id]


def test_sitemap_index_news_sitemap_atom_and_sources_file(
    site: NewsSite, nw: Newsweave, tmp_path: Path
) -> None:
    report = nw.ingest([site.url("/sitemap.xml")], analyze=False, fetch_policy=POLICY)
    assert (report.new, report.skipped) == (5, [])
    stored = by_url(nw)
    # 002 names no site: the news sitemap's publication name is the outlet
    assert stored[site.url(site.pages["002"].path)].outlet == "Defence Desk"
    sources = write_sources_file(
        tmp_path / "sources.txt", [site.url("/atom.xml"), site.url(site.pages["004"].path)]
    )
    again = nw.ingest([str(sources)], analyze=False, fetch_policy=POLICY)
    assert (again.new, again.existing, again.skipped) == (0, 5, [])


def test_direct_page_is_refetched_conditionally_and_duplicates_collapse(
    site: NewsSite, nw: Newsweave
) -> None:
    page = site.url(site.pages["004"].path)
    first = nw.ingest(
        [page, page + "?utm_source=newsletter&utm_medium=email", page + "#comments"],
        analyze=False,
        fetch_policy=POLICY,
    )
    assert first.new == 1
    assert len(site.hits(site.pages["004"].path)) == 1
    second = nw.ingest([page], analyze=False, fetch_policy=POLICY)
    assert (second.new, second.existing, second.unchanged_files) == (0, 1, 1)
    assert site.hits(site.pages["004"].path)[-1]["If-None-Match"]


def test_politeness_robots_and_user_agent(site: NewsSite, nw: Newsweave) -> None:
    report = nw.ingest(
        [site.url("/private/secret.html"), site.url(site.pages["001"].path)],
        analyze=False,
        fetch_policy=POLICY,
    )
    assert report.new == 1
    assert [e.reason for e in report.skipped] == ["disallowed by robots.txt; skipped"]
    assert site.hits("/private/secret.html") == []
    assert len(site.hits("/robots.txt")) == 1
    for _, headers in site.requests:
        assert headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("newsweave/")


def test_per_host_delay_is_kept(site: NewsSite, nw: Newsweave) -> None:
    import time

    policy = FetchPolicy(delay=0.3, timeout=2, retries=0)
    start = time.monotonic()
    nw.ingest(
        [site.url(site.pages[k].path) for k in ("000", "001", "002")],
        analyze=False,
        fetch_policy=policy,
    )
    # robots.txt + 3 pages on one host: three gaps of at least 0.3 s
    assert time.monotonic() - start >= 0.9


def test_size_limit_and_bad_addresses(site: NewsSite, nw: Newsweave) -> None:
    policy = FetchPolicy(delay=0.0, timeout=2, retries=0, max_bytes=1000)
    report = nw.ingest(
        [site.url(site.pages["000"].path), "ftp://example.org/x.html", "http:///nohost"],
        analyze=False,
        fetch_policy=policy,
    )
    assert report.new == 0
    reasons = sorted(e.reason for e in report.skipped)
    assert len(reasons) == 3
    assert any(r.startswith("response too large") for r in reasons)
    assert sum(r == "not an http(s) address; skipped" for r in reasons) == 2


def test_outlet_registry_learns_domains_and_user_entries_win(site: NewsSite, nw: Newsweave) -> None:
    nw.ingest([site.url(site.pages["000"].path)], analyze=False, fetch_policy=POLICY)
    learned = sources_store.outlet(nw.store, "127.0.0.1")
    assert learned is not None
    assert (learned.name, learned.language, learned.origin) == ("ANI News", "en", "page")
    sources_store.set_outlet(
        nw.store, sources_store.Outlet("127.0.0.1", "Loopback Times", "IN", "en")
    )
    nw.ingest([site.url(site.pages["001"].path)], analyze=False, fetch_policy=POLICY)
    assert by_url(nw)[site.url(site.pages["001"].path)].outlet == "Loopback Times"
    entry = sources_store.outlet(nw.store, "127.0.0.1")
    assert entry is not None and (entry.name, entry.country, entry.origin) == (
        "Loopback Times",
        "IN",
        "user",
    )


def test_cli_ingest_feed_twice(site: NewsSite, db_path: Path) -> None:
    from tests.test_cli import run

    polite = ("--delay", "0", "--timeout", "2", "--retries", "0", "--no-analyze")
    first = run(db_path, "ingest", *polite, site.url("/feed.xml"), check=False)
    assert first.returncode == 1  # something was skipped, the rest landed
    assert first.stdout.strip() == "4 new, 0 already stored, 5 skipped"
    lines = first.stderr.strip().splitlines()
    assert len(lines) == 5 and all(line.startswith("newsweave: skipped http://") for line in lines)
    assert "Traceback" not in first.stderr
    # the feed answers 304 Not Modified: nothing is fetched again, nothing to skip
    second = run(db_path, "ingest", *polite, site.url("/feed.xml"))
    assert second.stdout.strip() == "0 new, 4 already stored"


def test_listed_pages_that_fail_for_good_are_not_asked_again(site: NewsSite, nw: Newsweave) -> None:
    first = nw.ingest([site.url("/feed.xml")], analyze=False, fetch_policy=POLICY)
    assert len(first.skipped) == 5
    # the feed changes (a new item), so it is read again with all its items
    page = site.pages["004"]
    site.feed_items.append((page.path, page.title, page.published))
    site.publish_feeds()
    second = nw.ingest([site.url("/feed.xml")], analyze=False, fetch_policy=POLICY)
    assert second.new == 1
    # a 404 and a PDF will not change: not fetched again; the dead host, the 500 and the
    # slow page may recover: tried again, one line each
    assert len(site.hits("/missing.html")) == 1
    assert len(site.hits("/report.pdf")) == 1
    assert sorted(e.path for e in second.skipped) == sorted(
        [site.dead, site.url("/broken.html"), site.url("/slow.html")]
    )
    # given directly, a page is always asked again
    direct = nw.ingest([site.url("/missing.html")], analyze=False, fetch_policy=POLICY)
    assert [e.reason for e in direct.skipped] == ["HTTP 404 Not Found; skipped"]


def test_robots_txt_answering_5xx_means_disallowed(site: NewsSite, nw: Newsweave) -> None:
    from tests.live_site import Route

    site.routes["/robots.txt"] = Route(503, "text/plain", b"down for maintenance")
    report = nw.ingest([site.url(site.pages["000"].path)], analyze=False, fetch_policy=POLICY)
    assert report.new == 0
    assert [e.reason for e in report.skipped] == [
        "robots.txt answered 503: host treated as disallowed (RFC 9309); skipped"
    ]
    assert site.hits(site.pages["000"].path) == []
    assert len(site.hits("/robots.txt")) == 2  # asked once more after a backoff, then given up
