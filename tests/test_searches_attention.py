"""Saved searches, alerts, attention over time and coverage, on the seeds served as pages by
the local news site (so outlets come from the pages) and analysed for real."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsweave.api import Newsweave
from newsweave.errors import NewsweaveError
from newsweave.ingest.fetch import FetchPolicy
from newsweave.query import parse_query
from newsweave.records import Article
from tests.live_site import NewsSite
from tests.test_cli import run

POLICY = FetchPolicy(delay=0.0, timeout=2, retries=0)


@pytest.fixture(scope="module")
def site_store(
    tmp_path_factory: pytest.TempPathFactory, seeds: dict[str, Article]
) -> Iterator[tuple[NewsSite, Path]]:
    """The 2020 seeds (000-003) ingested from the site's feed and analysed; 004 is held
    back so tests can add it."""
    site = NewsSite(seeds)
    db = tmp_path_factory.mktemp("live") / "news.db"
    with Newsweave(db) as nw:
        report = nw.ingest([site.url("/clean-feed.xml")], fetch_policy=POLICY)
        assert report.new == 4
    yield site, db
    site.close()


def test_parse_query() -> None:
    q = parse_query(
        'arms "no arms supply" entity:"Sergey Shoigu" outlet:thehindu.com '
        "since:2020-09 until:2020 http://x.org/a"
    )
    assert q.text == ("arms", "no arms supply", "http://x.org/a")
    assert q.entities == ("Sergey Shoigu",)
    assert q.outlets == ("thehindu.com",)
    assert (q.since, q.until) == ("2020-09", "2020-12-31")
    for bad in ('since:"next week"', 'entity:"unclosed'):
        with pytest.raises(NewsweaveError):
            parse_query(bad)


def test_find_by_entity_alias_outlet_and_dates(site_store: tuple[NewsSite, Path]) -> None:
    site, db = site_store
    with Newsweave(db) as nw:
        shoigu = [e for e in nw.entities(name="Shoigu") if e.type == "PERSON"]
        assert shoigu
        entity = max(shoigu, key=lambda e: len(e.articles))
        # every alias finds the same articles
        for alias in entity.aliases:
            found = {a.id for a in nw.find(f'entity:"{alias}"')}
            assert found >= set(entity.articles), alias
        hindu = nw.find('outlet:"The Hindu"')
        assert [a.outlet for a in hindu] == ["The Hindu"]
        assert {a.id for a in nw.find("outlet:127.0.0.1")} == {a.id for a in nw.articles()}
        assert nw.find("since:2020-09-04 until:2020-09-04")
        assert all(
            a.published == "2020-09-04" for a in nw.find("since:2020-09-04 until:2020-09-04")
        )
        assert nw.find("Pakistan entity:Shoigu since:2021") == []
        with pytest.raises(NewsweaveError, match="empty query"):
            nw.find("   ")


def test_saved_search_alerts_report_only_what_is_new(
    site_store: tuple[NewsSite, Path], tmp_path: Path
) -> None:
    site, db = site_store
    copy = tmp_path / "news.db"
    copy.write_bytes(db.read_bytes())
    with Newsweave(copy) as nw:
        nw.save_search("sco", "defence cooperation since:2023")
        nw.save_search("rifles", "AK-203")
        assert [a.search.name for a in nw.alerts()] == ["rifles", "sco"]
        assert all(not a.articles for a in nw.alerts())  # nothing new since saving
        page = site.pages["004"]
        report = nw.ingest([site.url(page.path)], analyze=False, fetch_policy=POLICY)
        assert report.new == 1
        peek = {a.search.name: a.articles for a in nw.alerts(mark=False)}
        assert [a.id for a in peek["sco"]] == report.new_ids
        first = {a.search.name: a.articles for a in nw.alerts()}
        assert [a.id for a in first["sco"]] == report.new_ids
        assert {a.search.name: a.articles for a in nw.alerts()}["sco"] == ()
        with pytest.raises(NewsweaveError, match="no saved search called 'nope'"):
            nw.alerts("nope")


def test_cli_search_save_and_alerts(site_store: tuple[NewsSite, Path], tmp_path: Path) -> None:
    _, db = site_store
    copy = tmp_path / "news.db"
    copy.write_bytes(db.read_bytes())
    saved = run(copy, "search", 'entity:"Rajnath Singh"', "--save", "rajnath")
    assert "saved search 'rajnath'" in saved.stdout
    assert saved.stdout.strip().endswith("matches")
    alerts = run(copy, "alerts")
    assert alerts.stdout.startswith("rajnath: 0 new")
    as_json = run(copy, "alerts", "--json")
    assert as_json.stdout.strip() == ""
    bad = run(copy, "alerts", "nope", check=False)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def test_attention_per_story_entity_outlet_and_search(site_store: tuple[NewsSite, Path]) -> None:
    _, db = site_store
    with Newsweave(db) as nw:
        (story,) = nw.stories()
        days = nw.attention(story=story.id)
        assert [d.date for d in days] == ["2020-09-03", "2020-09-04"]
        assert sum(d.articles for d in days) == len(story.articles) == 4
        assert nw.attention(outlet="The Hindu") == [
            d for d in nw.attention(outlet="The Hindu") if d.articles
        ]
        rajnath = nw.attention(entity="Rajnath Singh")
        assert sum(d.articles for d in rajnath) >= 2
        with pytest.raises(NewsweaveError, match="exactly one"):
            nw.attention(story=story.id, outlet="The Hindu")
        with pytest.raises(NewsweaveError, match="no entity named"):
            nw.attention(entity="Nobody Atall")


def test_coverage_lists_every_outlet_of_the_story(site_store: tuple[NewsSite, Path]) -> None:
    _, db = site_store
    with Newsweave(db) as nw:
        (story,) = nw.stories()
        rows = nw.coverage(story.id)
        outlets = {a.outlet for a in nw.articles(ids=story.articles)}
        assert {r.outlet for r in rows if r.status == "covers"} == outlets
        assert all(r.articles >= 1 for r in rows if r.status == "covers")
        assert all(
            r.articles == 0 and r.entity_articles >= 2 for r in rows if r.status == "blind-spot"
        )


def test_attention_export_csv(site_store: tuple[NewsSite, Path]) -> None:
    _, db = site_store
    proc = run(db, "export", "--format", "attention")
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert rows and set(rows[0]) == {"kind", "id", "name", "date", "articles"}
    kinds = {r["kind"] for r in rows}
    assert {"story", "entity", "outlet"} <= kinds
    with Newsweave(db) as nw:
        (story,) = nw.stories()
    story_rows = [r for r in rows if r["kind"] == "story" and r["id"] == story.id]
    assert sum(int(r["articles"]) for r in story_rows) == 4
    cli = json.loads(run(db, "attention", "--story", story.id, "--json").stdout)
    assert [(d["date"], d["articles"]) for d in cli] == [
        (r["date"], int(r["articles"])) for r in story_rows
    ]


def test_outlet_registry_cli(site_store: tuple[NewsSite, Path], tmp_path: Path) -> None:
    _, db = site_store
    copy = tmp_path / "news.db"
    copy.write_bytes(db.read_bytes())
    listed = json.loads(run(copy, "outlets", "--json").stdout)
    assert [o["domain"] for o in listed] == ["127.0.0.1"]
    run(copy, "outlets", "set", "www.Example.org", "Example News", "--country", "gb")
    listed = {o["domain"]: o for o in json.loads(run(copy, "outlets", "--json").stdout)}
    assert listed["example.org"]["name"] == "Example News"
    assert listed["example.org"]["country"] == "GB"
    assert listed["example.org"]["origin"] == "user"
    run(copy, "outlets", "remove", "example.org")
    missing = run(copy, "outlets", "remove", "example.org", check=False)
    assert missing.returncode == 2 and "no outlet registered" in missing.stderr


def test_coverage_names_the_wire_agency_of_a_page_without_an_outlet(
    tmp_path: Path, seeds_dir: Path
) -> None:
    """Two seeds name only their wire agency (ANI, PTI): coverage lists them under it, as
    the briefing's source lines and the event cards do, not as "(unknown outlet)"."""
    db = tmp_path / "seeds.db"
    run(db, "ingest", str(seeds_dir))
    with Newsweave(db) as nw:
        (story,) = nw.stories()
        arts = nw.articles(ids=story.articles)
        names = {r.outlet for r in nw.coverage(story.id) if r.status == "covers"}
    agency_only = {a.agency for a in arts if not a.outlet and a.agency}
    assert agency_only
    assert agency_only <= names
    assert {a.outlet for a in arts if a.outlet} <= names
