"""Markdown / HTML briefing / TimelineJS exports over a real analysed store of the seeds, plus an
article carrying markup payloads that must come out escaped."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsweave import formats
from newsweave.api import Newsweave
from newsweave.briefing import human_date, read_store
from newsweave.cli import cli
from newsweave.formats import html, timelinejs
from newsweave.formats.timelinejs import date_parts
from tests.test_web_api import XSS_TEXT, XSS_TITLE, build_seed_store


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("exports") / "seeds.db"
    build_seed_store(path)
    extra = path.parent / "payload.jsonl"
    record = {"text": XSS_TEXT, "title": XSS_TITLE, "published": "2020-09-05"}
    extra.write_text(json.dumps(record) + "\n")
    with Newsweave(path) as nw:
        nw.ingest([extra], analyze=False)
    return path


@pytest.fixture(scope="module")
def data(db: Path) -> dict:
    with Newsweave(db, read_only=True) as nw:
        return nw.export()


def test_formats_are_registered() -> None:
    assert {"markdown", "html", "timelinejs"} <= set(formats.FORMATS)


@pytest.mark.parametrize(
    ("value", "human", "parts"),
    [
        ("2020-09-03", "3 Sep 2020", {"year": 2020, "month": 9, "day": 3}),
        ("2021-02", "Feb 2021", {"year": 2021, "month": 2}),
        ("2020-Q4", "Q4 2020", {"year": 2020, "month": 10}),
        ("2017", "2017", {"year": 2017}),
        (None, "undated", None),
    ],
)
def test_dates(value: str | None, human: str, parts: dict | None) -> None:
    assert human_date(value) == human
    assert date_parts(value) == parts


def test_markdown_export_is_the_brief(db: Path, data: dict) -> None:
    with Newsweave(db, read_only=True) as nw:
        md = nw.export_text("markdown")
        assert md == nw.brief()
    for story in data["stories"]:
        assert _md_plain(story["title"])[:40] in _md_plain(md)
    # every story numbers its citations 1..n and lists exactly those sources
    for part in md.split("\n## ")[1:]:
        body, _, listing = part.partition("### Sources")
        sources = re.findall(r"^(\d+)\. ", listing, re.M)
        cited = {int(n) for n in re.findall(r"\\?\[(\d+)\\?\]", body)}
        assert cited == set(range(1, len(sources) + 1))


def _md_plain(text: str) -> str:
    text = re.sub(r"\\(.)", r"\1", text)
    return " ".join(text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").split())


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_briefing_is_self_contained_and_escaped(db: Path, data: dict) -> None:
    with Newsweave(db, read_only=True) as nw:
        page = nw.export_text("html")
    parsed = _Collector()
    parsed.feed(page)
    assert "script" not in parsed.tags and "img" not in parsed.tags and "svg" not in parsed.tags
    assert not [a for a in parsed.attrs if a.startswith("on")]
    assert parsed.tags.count("style") == 1 and "link" not in parsed.tags
    text = " ".join(" ".join(parsed.text).split())
    assert XSS_TITLE in text  # shown as text
    for story in data.get("stories", []):
        assert " ".join(story["title"].split()) in text
    n = len(data.get("stories", []))
    assert f"{n} {'story' if n == 1 else 'stories'}" in text  # never "1 stories"


def test_timelinejs_shape_and_escaping(db: Path, data: dict) -> None:
    with Newsweave(db, read_only=True) as nw:
        tl = timelinejs.render(read_store(nw.store))
    assert tl["title"]["text"]["headline"]
    dated = [t for t in data.get("timeline", []) if date_parts(t["date"])]
    if data.get("timeline"):
        assert len(tl["events"]) == len(dated)
    for slide in tl["events"]:
        assert isinstance(slide["start_date"]["year"], int)
        assert set(slide["text"]) == {"headline", "text"}
        assert "<script" not in json.dumps(slide) and 'onerror=\\"' not in json.dumps(slide)
    ids = [s["unique_id"] for s in tl["events"]]
    assert len(ids) == len(set(ids))


def test_timelinejs_falls_back_to_articles_without_analysis(tmp_path: Path) -> None:
    with Newsweave(tmp_path / "plain.db") as nw:
        nw.ingest([Path(__file__).resolve().parents[1] / "examples" / "seeds"], analyze=False)
        tl = json.loads(nw.export_text("timelinejs"))
        assert len(tl["events"]) == nw.count()
        assert sorted(s["start_date"]["year"] for s in tl["events"]) == [2020] * 4 + [2023]


def test_cli_export_formats(db: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "briefing.html"
    result = runner.invoke(cli, ["--db", str(db), "export", "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("<!doctype html>")
    result = runner.invoke(cli, ["--db", str(db), "export", "--format", "timelinejs"])
    assert result.exit_code == 0 and json.loads(result.output)["events"]
    result = runner.invoke(cli, ["--db", str(db), "export", "--format", "docx"])
    assert result.exit_code == 2 and "unknown export format" in result.output


def test_exports_do_not_depend_on_input_order(db: Path) -> None:
    import random
    from dataclasses import replace

    with Newsweave(db, read_only=True) as nw:
        view = read_store(nw.store)

    def shuffled(mapping: dict) -> dict:
        items = list(mapping.items())
        random.Random(7).shuffle(items)
        return dict(items)

    other = replace(
        view,
        articles=shuffled(dict(view.articles)),
        events=shuffled(dict(view.events)),
        claims=shuffled(dict(view.claims)),
        timeline=tuple(random.Random(7).sample(view.timeline, len(view.timeline))),
    )
    assert html.render(other) == html.render(view)
    assert timelinejs.render(other) == timelinejs.render(view)


def test_timelinejs_is_bounded_like_the_briefing(db: Path) -> None:
    """A big story shows its key dates only; detail shows every entry."""
    from dataclasses import replace

    from newsweave.formats.markdown import KEY_DATES

    with Newsweave(db, read_only=True) as nw:
        view = read_store(nw.store)
    if not view.timeline:
        pytest.skip("no timeline in this store")
    story = view.stories[0]
    many = tuple(story.articles) + tuple(f"x{i}" for i in range(20))  # a big story
    entries = [replace(t, story=story.id) for t in view.timeline] * 3
    big = replace(view, stories=(replace(story, articles=many),), timeline=tuple(entries))
    bounded = timelinejs.render(big)
    full = timelinejs.render(big, detail=True)
    assert len(bounded["events"]) <= KEY_DATES < len(full["events"])
    assert "all of them: newsweave brief --detail" in bounded["title"]["text"]["text"]


def test_html_briefing_keeps_the_detail_one_click_away(db: Path) -> None:
    from dataclasses import replace

    from newsweave.formats.markdown import KEY_DATES

    with Newsweave(db, read_only=True) as nw:
        view = read_store(nw.store)
    if not view.timeline:
        pytest.skip("no timeline in this store")
    story = view.stories[0]
    many = tuple(story.articles) + tuple(f"x{i}" for i in range(20))
    entries = [replace(t, story=story.id) for t in view.timeline] * 3
    big = replace(view, stories=(replace(story, articles=many),), timeline=tuple(entries))
    page = html.render(big)
    shown = page.split("<h4>Timeline</h4>", 1)[1].split("</ol>", 1)[0]
    assert shown.count("<li") == KEY_DATES
    assert f"<details><summary>All {len(entries)} dated entries</summary>" in page
    # a small story is shown whole, without a fold
    assert "<details>" not in html.render(view)
