"""The web page in a real browser: Debian's Chromium (/usr/bin/chromium) driven by Playwright,
against uvicorn serving an analysed store of the seed articles on a free loopback port.

A reader clicks stories -> a story's timeline -> an event's claims -> two articles side by
side; searches; reads entities. An article carrying <script> and onerror= payloads is ingested
through the API and shown on every view that displays article text: nothing runs.
Screenshots land in test-output/screenshots/.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.test_web_api import XSS_TEXT, XSS_TITLE, build_seed_store

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[1] / "test-output" / "screenshots"
TOKEN = "browser-test-token"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.access(CHROMIUM, os.X_OK),
        reason=f"{CHROMIUM} not installed (apt-get install -y chromium)",
    ),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(db: Path, token: str = TOKEN) -> Iterator[str]:
    """A real uvicorn serving ``db`` on a free loopback port, for as long as the block runs."""
    import uvicorn

    from newsweave.web import create_app

    port = free_port()
    app = create_app(db, token=token, allowed_hosts=("127.0.0.1", "localhost"))
    srv = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("browser") / "seeds.db"
    build_seed_store(db)
    with serve(db) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1320, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    pg.problems = []  # type: ignore[attr-defined]
    pg.dialogs = []  # type: ignore[attr-defined]
    pg.on("pageerror", lambda exc: pg.problems.append(f"pageerror: {exc}"))
    pg.on(
        "console",
        lambda msg: (
            pg.problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None
        ),
    )

    def on_dialog(dialog) -> None:
        pg.dialogs.append(dialog.message)
        dialog.dismiss()

    pg.on("dialog", on_dialog)
    yield pg
    context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def api(server: str, path: str, **params) -> dict:
    r = httpx.get(server + path, params=params, timeout=30)
    r.raise_for_status()
    return r.json()


def test_stories_timeline_event_claims_compare(page, server) -> None:
    stories = api(server, "/api/stories")["items"]
    if not stories:
        pytest.skip("no grouping stage registered")
    page.goto(server + "/")
    page.wait_for_selector(".story-card")
    assert page.locator(".story-card").count() == len(stories)
    # dispute badges count disagreements, as the API does, never contested claims or pairs
    badges = page.locator(".story-card .badge.contested").all_text_contents()
    want = [
        f"{s['claim_counts']['disputes']} disagreement"
        + ("" if s["claim_counts"]["disputes"] == 1 else "s")
        for s in stories
        if s["claim_counts"]["disputes"]
    ]
    assert sorted(badges) == sorted(want)
    shot(page, "01-stories")

    page.locator(".story-card h2 a").first.click()
    page.wait_for_selector(".timeline-svg")
    story = api(server, f"/api/stories/{stories[0]['id']}")["item"]
    dated_entries = [t for t in story["timeline"] if t["date"]]
    dated_events = [e for e in story["events"] if e["date"]]
    counts = page.locator(".timeline-svg .dot").evaluate_all(
        "dots => dots.map(d => Number(d.getAttribute('data-count')))"
    )
    assert sum(counts) == len(dated_entries) + len(dated_events)  # one marker per lane + date
    assert page.locator(".event-item").count() == len(story["events"])
    if dated_entries:
        # the chart opens on the first entry; choosing another shows its text and sources
        last = page.locator(".timeline-svg circle.dot").last
        last.click()
        shown = page.locator(".timeline-detail .entry-text").all_inner_texts()
        assert shown and set(shown) <= {t["text"] for t in story["timeline"]}
        assert page.locator(".timeline-detail .sources li").count() >= 1
    shot(page, "02-story-timeline")

    # the event with the most articles, via its link in the story's event list
    event = max(story["events"], key=lambda e: e["article_count"])
    page.locator(f'.event-item a[href="#/event/{event["id"]}"]').click()
    page.wait_for_selector(".claims-col")
    item = api(server, f"/api/events/{event['id']}")["item"]
    claims = item["claims"]
    assert page.locator(".dispute").count() == len(claims["contested"])
    assert page.locator("li.claim.corroborated").count() == len(claims["corroborated"])
    assert page.locator("li.claim.single-source").count() == len(claims["single-source"])
    for i, pair in enumerate(claims["contested"]):
        sides = page.locator(".dispute").nth(i).locator(".side blockquote")
        assert sides.nth(0).inner_text() == pair["a"]["text"]
        if pair["b"]:
            assert sides.nth(1).inner_text() == pair["b"]["text"]
    page_text = page.locator(".claims-col").text_content()
    for c in claims["corroborated"] + claims["single-source"]:
        assert c["text"] in page_text
    # each claim says how many outlets report it and how many independent origins it has
    first = claims["corroborated"][:1] or claims["single-source"][:1]
    if first:
        w, o = first[0]["independent_sources"], first[0]["origins"]
        line = page.locator("li.claim .indep").first
        assert line.text_content().startswith(f"{w} witness")
        assert f"{o} origin" in line.text_content()
        assert "origins" in (line.get_attribute("title") or "")
    shot(page, "03-event-claims")

    rows = page.locator(".article-row input.pick")
    assert rows.count() == len(item["articles"])
    if rows.count() >= 2:
        button = page.get_by_role("button", name="Compare the two selected")
        assert button.is_disabled()
        rows.nth(0).check()
        rows.nth(1).check()
        assert button.is_enabled()
        button.click()
        page.wait_for_selector(".compare-col")
        assert page.locator(".compare-col").count() == 2
        shot(page, "04-compare-from-event")
    assert page.problems == [] and page.dialogs == []


def test_compare_highlights_reused_passages(page, server) -> None:
    groups = [g for g in api(server, "/api/copies")["items"] if len(g["articles"]) >= 2]
    if not groups:
        pytest.skip("no copies stage registered")
    a, b = groups[0]["articles"][:2]
    expected = api(server, "/api/compare", a=a, b=b)
    page.goto(f"{server}/#/compare?a={a}&b={b}")
    page.wait_for_selector(".compare-col")
    for i, side in enumerate(("a", "b")):
        marks = page.locator(".compare-col").nth(i).locator("mark.reused")
        spans = expected[side]["highlights"]
        assert marks.count() == len(spans)
        text = expected[side]["text"]
        for j, span in enumerate(spans):
            assert marks.nth(j).text_content() == text[span["start"] : span["end"]]
        body = page.locator(".compare-col").nth(i).locator(".article-text").text_content()
        assert body == text  # highlighting never alters or drops text
    shot(page, "05-compare")
    assert page.problems == []


def test_search_and_entities(page, server) -> None:
    page.goto(server + "/")
    page.fill("#search-input", "rifles")
    page.press("#search-input", "Enter")
    page.wait_for_selector(".result-count")
    hits = api(server, "/api/search", q="rifles")["items"]
    assert page.locator(".article-row").count() == len(hits) > 0
    marks = page.locator(".snippet mark").all_text_contents()
    assert marks and all(m.lower().startswith("rifle") for m in marks)
    shot(page, "06-search")

    entities = api(server, "/api/entities", limit=200)["items"]
    page.goto(server + "/#/entities")
    page.wait_for_selector(".result-count")
    assert page.locator("table.entities tbody tr").count() == len(entities)
    aliased = [e for e in entities if any(a != e["name"] for a in e.get("aliases") or ())]
    if aliased:
        row = page.locator("table.entities tbody tr", has_text=aliased[0]["name"]).first
        alias = next(a for a in aliased[0]["aliases"] if a != aliased[0]["name"])
        assert alias in row.inner_text()
    shot(page, "07-entities")
    assert page.problems == []


def test_script_payloads_in_articles_do_nothing(page, server) -> None:
    payload = {
        "articles": [
            {
                "text": XSS_TEXT,
                "title": XSS_TITLE,
                "published": "2020-09-05",
                "outlet": '<svg onload="window.__xss=4">',
                "url": "javascript:window.__xss=5",
            }
        ]
    }
    r = httpx.post(
        server + "/api/ingest",
        json=payload,
        params={"analyze": "false"},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=120,
    )
    r.raise_for_status()
    article_id = (r.json()["ids"] or [None])[0] or api(server, "/api/search", q="onerror")["items"][
        0
    ]["id"]
    for route, name in (
        (f"#/article/{article_id}", "08-xss-article"),
        ("#/articles?q=onerror", "09-xss-search"),
        ("#/articles?since=2020-09-05&until=2020-09-05", None),
    ):
        page.goto(f"{server}/{route}")
        page.wait_for_selector(".page-title")
        page.wait_for_timeout(300)
        assert page.evaluate("window.__xss") is None
        assert page.locator("img[src=x], svg[onload], script:not([src])").count() == 0
        assert page.locator('a[href^="javascript"]').count() == 0
        assert "<script>" in page.locator("main").inner_text() or name != "08-xss-article"
        if name:
            shot(page, name)
    assert XSS_TITLE in page.locator("main").inner_text()
    page.goto(f"{server}/#/article/{article_id}")
    page.wait_for_selector(".article-text")
    original = page.get_by_role("link", name="original")
    if original.count():  # a javascript: URL never becomes a live link
        assert original.get_attribute("href") == "#"
        original.click()
        page.wait_for_timeout(200)
        assert page.evaluate("window.__xss") is None
    assert page.dialogs == []
    assert page.problems == []


def _fits(browser, server: str, width: int, name: str) -> list[str]:
    """Open the stories page and the first story at ``width`` px, screenshot both, and
    return what overflowed the viewport (nothing may be wider than the screen)."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    wide: list[str] = []
    try:
        pg.goto(server + "/")
        pg.wait_for_selector(".story-card, .empty")
        if pg.evaluate("document.documentElement.scrollWidth") > width:
            wide.append(f"stories page at {width}px")
        shot(pg, f"{name}-stories-{width}px")
        if pg.locator(".story-card h2 a").count():
            pg.locator(".story-card h2 a").first.click()
            pg.wait_for_selector(".timeline")
            if pg.evaluate("document.documentElement.scrollWidth") > width:
                wide.append(f"story page at {width}px")
            shot(pg, f"{name}-story-{width}px")
    finally:
        context.close()
    return wide


def test_layout_fits_desktop_and_phone_widths(browser, server) -> None:
    assert _fits(browser, server, 1366, "seeds") == []
    assert _fits(browser, server, 390, "seeds") == []


def test_phone_story_timeline_lists_every_date(browser, server) -> None:
    stories = api(server, "/api/stories")["items"]
    if not stories:
        pytest.skip("no grouping stage registered")
    story = api(server, f"/api/stories/{stories[0]['id']}")["item"]
    context = browser.new_context(viewport={"width": 390, "height": 900})
    pg = context.new_page()
    try:
        pg.goto(server + f"/#/story/{story['id']}")
        pg.wait_for_selector(".timeline-list")
        dated = {(t["kind"], t["date"]) for t in story["timeline"] if t["date"]}
        dated |= {("event", e["date"]) for e in story["events"] if e["date"]}
        key = {(t["kind"], t["date"]) for t in story["timeline"] if t["date"] and t["key"]}
        key |= {("event", e["date"]) for e in story["events"] if e["date"] and e["key"]}
        assert pg.locator(".timeline-list li").count() == len(key)
        if key != dated:  # the other dates are one click away
            pg.get_by_role("button", name=re.compile("Show every date")).click()
            assert pg.locator(".timeline-list li").count() == len(dated)
        assert pg.locator(".timeline-svg").count() == 0  # no chart scrolled two dates at a time
    finally:
        context.close()


def test_story_page_is_bounded_like_the_brief(browser, server) -> None:
    """The story page lists the key events (the brief's: those most articles report) and
    keeps every other event one click away."""
    stories = api(server, "/api/stories")["items"]
    if not stories:
        pytest.skip("no grouping stage registered")
    story = api(server, f"/api/stories/{stories[0]['id']}")["item"]
    key = [e for e in story["events"] if e["key"]]
    assert 0 < len(key) <= 5 or len(story["articles"]) <= 8
    assert story["independent_sources"] >= 1
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    pg = context.new_page()
    try:
        pg.goto(server + f"/#/story/{story['id']}")
        pg.wait_for_selector(".event-list")
        assert pg.locator(".event-list li:visible").count() == len(key)
        if len(key) < len(story["events"]):
            pg.get_by_role("button", name=re.compile("Show all")).click()
            assert pg.locator(".event-list li:visible").count() == len(story["events"])
    finally:
        context.close()


@pytest.mark.slow
def test_layout_fits_on_a_real_topic(browser, tmp_path: Path) -> None:
    """bpoil_bbc from Timeline17 (293 articles), ingested and analysed: the page fits at
    1366 and 390 px; screenshots for a person to look at."""
    from newsweave.api import Newsweave

    data = Path(__file__).resolve().parents[2] / "shared" / "data" / "timeline17" / "bpoil_bbc"
    if not data.is_dir():
        pytest.skip(f"{data} not present")
    db = tmp_path / "bpoil.db"
    with Newsweave(db) as nw:
        nw.ingest([data / "InputDocs"])
    with serve(db) as base:
        assert _fits(browser, base, 1366, "bpoil") == []
        assert _fits(browser, base, 390, "bpoil") == []


@pytest.fixture(scope="module")
def bpoil_server(tmp_path_factory: pytest.TempPathFactory):
    """Six real Timeline17 bpoil articles whose leak rate (1,000 then 5,000 barrels a day)
    makes several contested pairs of one disagreement."""
    from tests.test_disagreements import BPOIL, LEAK_RATE, ingested

    db = ingested([BPOIL / f for f in LEAK_RATE], tmp_path_factory, "browser-bpoil")
    with serve(db) as base:
        yield base


def test_event_and_story_show_disagreements_not_pairs(browser, bpoil_server) -> None:
    """The event page's disputes and the cards' badges are the read model's disagreements:
    a revised figure of many pairs is one block, named, said to be an update, with every
    value as written."""
    found = api(bpoil_server, "/api/sections/disagreements")["items"]
    pairs = api(bpoil_server, "/api/sections/contradictions")["items"]
    assert found and sum(d["pairs"] for d in found) == len(pairs) > len(found)
    stories = api(bpoil_server, "/api/stories")["items"]
    context = browser.new_context(viewport={"width": 1320, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(bpoil_server + "/")
    page.wait_for_selector(".story-card")
    badges = page.locator(".story-card .badge.contested").all_text_contents()
    assert sorted(badges) == sorted(
        f"{n} disagreement{'' if n == 1 else 's'}"
        for s in stories
        if (n := s["claim_counts"]["disputes"])
    )
    assert sum(s["claim_counts"]["disputes"] for s in stories) < len(pairs)
    leak = found[0]  # the most supported: the leak rate's revision
    leak_claims = {c for side in leak["sides"] for c in side["claims"]}
    events = api(bpoil_server, "/api/events")["items"]
    for ev in events:
        item = api(bpoil_server, f"/api/events/{ev['id']}")["item"]
        # the event's own disagreements: its pairs grouped among themselves
        listed = [d for d in item["claims"]["contested"] if d.get("sides")]
        mine = [d for d in listed if {c for p in d["contradictions"] for c in p} <= leak_claims]
        values = [v for d in mine for v in d["values"]]
        if not (any("1,000" in v for v in values) and any("5,000" in v for v in values)):
            continue
        here = {
            c["id"] for c in api(bpoil_server, "/api/claims", event=ev["id"], limit=500)["items"]
        }
        touching = {(x["a"], x["b"]) for x in pairs if {x["a"], x["b"]} & here}
        assert {tuple(p) for d in listed for p in d["contradictions"]} == touching
        page.goto(f"{bpoil_server}/#/event/{ev['id']}")
        page.wait_for_selector(".claims-col")
        assert page.locator(".dispute").count() == len(item["claims"]["contested"])
        heading = page.locator(".section-title.contested").text_content()
        n = len(item["claims"]["contested"])
        assert heading.endswith(f"({n} disagreement{'' if n == 1 else 's'})")
        i = [d["id"] for d in item["claims"]["contested"]].index(mine[0]["id"])
        block = page.locator(".disputed").nth(i)
        assert block.locator(".slot-kind").text_content() == leak["quantity"]
        assert block.locator(".relation").text_content().startswith("update")
        shown_values = block.locator(".values").text_content()
        assert "1,000 barrels" in shown_values and "5,000 barrels" in shown_values
        assert "→" in shown_values and f"{mine[0]['pairs']} contested pairs" in shown_values
        # one block for the revision, though several of its pairs have a claim here
        assert len(mine) == 1 and mine[0]["pairs"] > 1
        # each side shows the value's witnesses and origins (all its claims), and whether it
        # is this event's or reported elsewhere
        sides = page.locator(".dispute").nth(i).locator(".side")
        for k, key in enumerate(("a", "b")):
            side = mine[0][key]["side"]
            w, o = side["witnesses"], side["origins"]
            line = " ".join(sides.nth(k).locator(".indep").text_content().split())
            assert line == (
                f"{w} witness{'' if w == 1 else 'es'} · {o} origin{'' if o == 1 else 's'}"
            )
            reach = sides.nth(k).locator(".reach").text_content()
            assert ("this event" if side["in_event"] else "elsewhere") in reach
            assert f"{len(side['articles'])} article" in reach
        shot(page, "09-event-disagreements")
        break
    else:
        pytest.fail("no event lists the leak-rate disagreement")
    assert not problems
    context.close()


def test_claims_page_contested_tab_lists_disagreements(browser, bpoil_server) -> None:
    """The claims page's "contested" tab shows the read model's disagreements (one block
    each, as the event page and the CLI), not the contested claims one by one."""
    found = api(bpoil_server, "/api/disagreements")
    contested = api(bpoil_server, "/api/claims", status="contested", limit=500)["total"]
    assert found["total"] == len(api(bpoil_server, "/api/sections/disagreements")["items"])
    assert 0 < found["total"] < contested
    context = browser.new_context(viewport={"width": 1320, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(bpoil_server + "/#/claims?status=contested")
    page.wait_for_selector(".disputed")
    n = found["total"]
    assert page.locator(".result-count").text_content() == (
        f"{n} disagreement{'' if n == 1 else 's'}"
    )
    assert page.locator(".disputed").count() == n == page.locator(".dispute").count()
    assert page.locator("li.claim").count() == 0
    first = found["items"][0]
    block = page.locator(".disputed").first
    assert block.locator(".slot-kind").text_content() == first["quantity"]
    side = first["a"]["side"]
    line = " ".join(page.locator(".dispute").first.locator(".indep").first.text_content().split())
    assert line.startswith(f"{side['witnesses']} witness")
    shot(page, "10-claims-contested")
    # the other tabs still list claims
    page.goto(bpoil_server + "/#/claims?status=single-source")
    page.wait_for_selector("li.claim")
    assert page.locator(".disputed").count() == 0
    assert not problems
    context.close()
