"""Attention, coverage, query search, saved searches and alerts over HTTP, and the attention
chart and coverage table in the web page (real Chromium), on the seeds and on a Timeline17
topic (the BP oil spill's first ten days, five outlets)."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from newsweave.api import Newsweave
from newsweave.web import create_app
from tests.conftest import SHARED_DATA
from tests.test_web_api import build_seed_store
from tests.test_web_browser import CHROMIUM, CHROMIUM_ARGS, serve, shot

TOKEN = "live-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BPOIL_FIRST_DAYS = sorted(
    str(p) for p in (SHARED_DATA / "timeline17").glob("bpoil_*/InputDocs/2010-04-2*")
)


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("weblive") / "seeds.db"
    build_seed_store(db)
    return db


@pytest.fixture
def client(seed_db: Path, tmp_path: Path) -> Iterator[TestClient]:
    db = tmp_path / "seeds.db"
    db.write_bytes(seed_db.read_bytes())
    app = create_app(db, token=TOKEN)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_attention_and_coverage_endpoints(client: TestClient, seed_db: Path) -> None:
    with Newsweave(seed_db) as nw:
        story = nw.stories()[0]
        dates = sorted(a.published for a in nw.articles(ids=story.articles))
    sid = story.id
    body = client.get("/api/attention", params={"story": sid}).json()
    assert body["ok"] and body["articles"] == len(story.articles)
    assert (body["items"][0]["date"], body["items"][-1]["date"]) == (dates[0], dates[-1])
    assert sum(d["articles"] for d in body["items"]) == len(story.articles)
    entity = client.get("/api/attention", params={"entity": "Rajnath Singh"}).json()
    assert entity["articles"] >= 2
    rows = client.get("/api/coverage", params={"story": sid}).json()["items"]
    assert {r["status"] for r in rows} <= {"covers", "blind-spot"}
    assert sum(r["articles"] for r in rows) == len(story.articles)
    for bad in ({}, {"story": sid, "outlet": "x"}):
        r = client.get("/api/attention", params=bad)
        assert r.status_code == 400 and r.json()["ok"] is False
    r = client.get("/api/coverage", params={"story": "no-such-story"})
    assert r.status_code == 400 and "no story" in r.json()["error"]


def test_find_saved_searches_and_alerts_over_http(client: TestClient) -> None:
    found = client.get("/api/find", params={"q": 'entity:"Shoigu" since:2020-09-04'}).json()
    assert found["ok"] and found["items"]
    assert all(a["published"] >= "2020-09-04" for a in found["items"])
    body = {"name": "rifles", "query": "AK-203"}
    assert client.post("/api/searches", json=body).status_code == 401
    saved = client.post("/api/searches", json=body, headers=AUTH).json()
    assert saved["item"]["name"] == "rifles" and saved["item"]["last_seq"] == 5
    assert [s["name"] for s in client.get("/api/searches").json()["items"]] == ["rifles"]
    bad = client.post("/api/searches", json={"name": "x", "query": 'since:"soon"'}, headers=AUTH)
    assert bad.status_code == 400 and "since" in bad.json()["error"]
    peek = client.get("/api/alerts").json()["items"]
    assert [(a["search"]["name"], a["total"]) for a in peek] == [("rifles", 0)]
    assert client.post("/api/alerts").status_code == 401
    checked = client.post("/api/alerts", headers=AUTH).json()["items"]
    assert [(a["search"]["name"], a["total"]) for a in checked] == [("rifles", 0)]
    assert client.get("/api/searches").json()["items"][0]["checked_at"]
    assert client.get("/api/alerts", params={"name": "rifles"}).json()["items"][0]["total"] == 0
    missing = client.get("/api/alerts", params={"name": "nope"})
    assert missing.status_code == 400 and "no saved search" in missing.json()["error"]


def test_attention_export_over_http(client: TestClient) -> None:
    r = client.get("/api/export", params={"format": "attention"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'filename="newsweave.attention.csv"' in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert {row["kind"] for row in rows} >= {"story", "entity"}


def test_openapi_lists_the_live_routes(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("/api/attention", "/api/coverage", "/api/find", "/api/searches", "/api/alerts"):
        assert path in paths, path


# --------------------------------------------------------------------------- browser

browser_only = pytest.mark.skipif(
    not os.access(CHROMIUM, os.X_OK), reason=f"{CHROMIUM} not installed"
)


def check_story_page(db: Path, name: str) -> tuple[int, list[str]]:
    """Open the largest story's page in Chromium; the chart draws the API's series (one bar
    per day, or per week/month when long) and the coverage table one row per outlet.
    Returns (days in the series, coverage statuses)."""
    from playwright.sync_api import sync_playwright

    with Newsweave(db) as nw:
        story = nw.stories()[0]
        days = nw.attention(story=story.id)
        rows = nw.coverage(story.id)
    with serve(db, TOKEN) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1320, "height": 900})
        problems: list[str] = []
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.goto(f"{base}/#/story/{story.id}")
        page.wait_for_selector("#attention .attention-svg")
        drawn = page.eval_on_selector_all(
            "#attention .attention-bar",
            "bars => bars.map(b => [b.dataset.date, Number(b.dataset.articles),"
            " Number(b.getAttribute('height'))])",
        )
        # one bar per day, or per week / month for long series: same articles in order
        assert sum(n for _, n, _ in drawn) == sum(d.articles for d in days)
        assert [b for b, _, _ in drawn] == sorted(b for b, _, _ in drawn)
        if len(days) <= 120:
            assert [(b, n) for b, n, _ in drawn] == [(d.date, d.articles) for d in days]
        else:
            assert len(drawn) < len(days)
        # a bar is drawn for every day with articles, in proportion to the busiest day
        peak = max(n for _, n, _ in drawn)
        tallest = max(hgt for _, _, hgt in drawn)
        assert all(abs(hgt - tallest * n / peak) <= 1 for _, n, hgt in drawn)
        table = page.locator("#coverage .coverage-table tbody tr")
        assert table.count() == len(rows)
        statuses = [
            table.nth(i).locator("td").nth(1).inner_text().strip().lower()
            for i in range(table.count())
        ]
        assert statuses == ["covers" if r.status == "covers" else "blind spot" for r in rows]
        page.locator("#attention").scroll_into_view_if_needed()
        shot(page, name)
        assert problems == []
        browser.close()
    return len(days), statuses


@browser_only
@pytest.mark.browser
def test_chart_and_coverage_table_on_the_seeds(seed_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "seeds.db"
    db.write_bytes(seed_db.read_bytes())
    bars, statuses = check_story_page(db, "live-attention-seeds")
    assert bars >= 2 and "covers" in statuses


@browser_only
@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(not BPOIL_FIRST_DAYS, reason="Timeline17 data not present")
def test_chart_and_coverage_table_on_a_timeline17_topic(tmp_path: Path) -> None:
    db = tmp_path / "bpoil.db"
    with Newsweave(db) as nw:
        report = nw.ingest(BPOIL_FIRST_DAYS)
        assert report.new >= 30
    bars, statuses = check_story_page(db, "live-attention-bpoil")
    assert bars >= 5 and statuses.count("covers") >= 2
