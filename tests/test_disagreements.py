"""Contested pairs grouped into disagreements (newsweave.disagreements), read through every
layer: the Python API, `newsweave claims --status contested`, the export, HTTP and the brief.

Real pipeline on six real Timeline17 bpoil articles (Fox News, The Guardian, BBC, Reuters,
25-30 April 2010) that report the leak rate as 1,000 and then 5,000 barrels a day: the claims
step pairs each 1,000 with each 5,000, and a reader should see that revision once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, replace
from pathlib import Path

import pytest
from click.testing import CliRunner

import newsweave
from newsweave.cli import cli
from newsweave.disagreements import (
    brief_lines,
    by_story,
    in_articles,
    relation_label,
    support,
    top_two,
    witness_words,
)
from newsweave.records import Article

from .conftest import SEEDS, SHARED_DATA

BPOIL = SHARED_DATA / "timeline17"
LEAK_RATE = (
    "bpoil_guardian/InputDocs/2010-04-26/1569.htm.txt",  # 1,000 barrels a day
    "bpoil_foxnews/InputDocs/2010-04-25/420.htm.txt",
    "bpoil_foxnews/InputDocs/2010-04-26/1231.htm.txt",
    "bpoil_foxnews/InputDocs/2010-04-29/541.htm.txt",  # some 5,000 barrels a day
    "bpoil_bbc/InputDocs/2010-04-29/848.htm.txt",
    "bpoil_reuters/InputDocs/2010-04-30/1736.htm.txt",
)


def ingested(files: list[Path], tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A scratch store holding these real articles (the test is skipped without the data)."""
    if not all(f.exists() for f in files):
        pytest.skip("Timeline17 bpoil not available")
    path = tmp_path_factory.mktemp(name) / "news.db"
    with newsweave.open(path) as nw:
        nw.ingest([str(f) for f in files])
    return path


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield ingested([BPOIL / f for f in LEAK_RATE], tmp_path_factory, "disagreements")


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def test_pairs_are_grouped_into_disagreements(db: Path) -> None:
    with newsweave.open(db, read_only=True) as nw:
        xs = nw.contradictions()
        pairs = {(x.a, x.b) for x in xs}
        found = nw.disagreements()
        claims = {c.id: c for c in nw.claims(status="contested")}
    assert found and len(found) < len(pairs)  # one row per disagreement, not per pair
    # every pair is in exactly one disagreement, and its count says how many
    grouped = [p for d in found for p in d.contradictions]
    assert sorted(grouped) == sorted(pairs)
    assert all(d.pairs == len(d.contradictions) >= 1 for d in found)
    # pairs with the same two values, or sharing a side (one claim's value), are one
    # disagreement; within it a claim is on one side only
    where = {p: d.id for d in found for p in d.contradictions}
    by_values: dict[tuple, str] = {}
    by_side: dict[tuple, str] = {}
    for x in xs:
        va, vb = (x.kind, _digits(x.value_a)), (x.kind, _digits(x.value_b))
        assert by_values.setdefault((va, vb), where[x.a, x.b]) == where[x.a, x.b]
        for side in ((x.a, *va), (x.b, *vb)):
            assert by_side.setdefault(side, where[x.a, x.b]) == where[x.a, x.b]
    for d in found:
        ids = [c for side in d.sides for c in side.claims]
        assert len(ids) == len(set(ids)) and len(d.sides) >= 2
        assert len({s.value for s in d.sides}) == len(d.sides)
    # the leak-rate revision is one disagreement, listed first (most independent sources on
    # each side), an update, with both values, outlets, dates and articles on each side
    leak = found[0]
    values = [_digits(s.value) for s in leak.sides]
    assert "1000" in values and "5000" in values, values
    assert values.index("1000") < values.index("5000")  # sides in order of first report
    assert leak.relation == "update" and leak.pairs >= 3
    assert support(leak) >= 2 and support(leak) == max(support(d) for d in found)
    for side in leak.sides:
        assert side.outlets and side.published and side.articles
        # witnesses: outlets independently reporting it (one outlet's articles count once)
        assert side.witnesses == side.sources <= len(set(side.outlets)) <= len(side.articles)
        assert side.origins >= 1
        assert all(claims[c].status == "contested" for c in side.claims)
    assert {"Fox News", "The Guardian"} <= {o for s in leak.sides for o in s.outlets}


def test_cli_lists_one_row_per_disagreement(db: Path) -> None:
    with newsweave.open(db, read_only=True) as nw:
        found = nw.disagreements()
    result = CliRunner().invoke(cli, ["--db", str(db), "claims", "--status", "contested", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["id"] for r in rows] == [d.id for d in found]
    side_keys = {"claim", "value", "text", "attribution", "outlets", "published", "articles"}
    for r, d in zip(rows, found, strict=True):
        # the keys of the one-pair listing stay; the grouping is added beside them
        assert {"kind", "question", "relation", "a", "b"} <= set(r)
        assert side_keys | {"witnesses", "origins", "claims", "sources"} <= set(r["a"])
        assert r["pairs"] == d.pairs and len(r["sides"]) == len(d.sides)
        a, b = top_two(d)
        assert (r["a"]["value"], r["b"]["value"]) == (a.value, b.value)
    table = CliRunner().invoke(cli, ["--db", str(db), "claims", "--status", "contested"])
    assert table.exit_code == 0, table.output
    assert f"{len(found)} disagreement" in table.output
    assert f"{found[0].pairs} pairs" in table.output
    one = CliRunner().invoke(
        cli, ["--db", str(db), "claims", "--status", "contested", "--limit", "1"]
    )
    assert "1 disagreement shown" in one.output and "--all" in one.output


def test_export_http_and_brief_carry_the_disagreements(db: Path) -> None:
    from fastapi.testclient import TestClient

    from newsweave.web import create_app

    with newsweave.open(db, read_only=True) as nw:
        found = nw.disagreements()
        data = nw.export()
        brief = nw.brief(detail=True)
        one_article = found[0].sides[0].articles[0]
        mine = nw.disagreements(article=one_article[:12])
    assert data["contradictions"]  # the pairs section stays
    assert [d["id"] for d in data["disagreements"]] == [d.id for d in found]
    assert data["disagreements"][0] == json.loads(json.dumps(asdict(found[0])))
    assert found[0] in mine and all(any(one_article in s.articles for s in d.sides) for d in mine)
    with TestClient(create_app(db), raise_server_exceptions=False) as client:
        served = client.get("/api/sections/disagreements")
    assert served.status_code == 200, served.text
    assert [d["id"] for d in served.json()["items"]] == [d.id for d in found]
    # the brief lists each disagreement once (two lines: the values, then the other side),
    # the most supported first
    section = brief.split("### Where sources disagree", 1)[1].split("###", 1)[0]
    bullets = [line for line in section.splitlines() if line.startswith("- ")]
    assert len(bullets) == 2 * len(found)
    assert "1,000" in bullets[0] and "5,000" in bullets[0] and "update" in bullets[0]
    assert bullets[1].startswith("- … versus")


def test_seed_disagreements_keep_their_sides(tmp_path: Path) -> None:
    """The seeds' two disagreements (exercise location, AK-203 deal status) each stay one
    disagreement with both values."""
    db = tmp_path / "news.db"
    with newsweave.open(db) as nw:
        nw.ingest([SEEDS])
        found = nw.disagreements()
        claims = {c.id: c for c in nw.claims(status="contested")}
        only_2023 = next(a.id for a in nw.iter_articles() if (a.published or "").startswith("2023"))
    assert {d.kind for d in found} == {"place", "status"}
    (place,) = [d for d in found if d.kind == "place"]
    assert {s.value for s in place.sides} == {"Bay of Bengal", "Straits of Malacca"}
    assert place.relation == "contradiction" and place.quantity == "Where"
    # the brief's lines cite each side's own articles, quoting it with its speaker
    lines = [line for d in found for line in brief_lines(d, claims)]
    assert len(lines) == 2 * len(found)
    text = "\n".join(x.text for x in lines)
    assert "Bay of Bengal" in text and "Straits of Malacca" in text
    assert "official Russian media" in text
    for d in found:
        first, second = brief_lines(d, claims)
        a, b = top_two(d)
        # each line cites the articles of the sentence it quotes (tight), all of its side's
        for line, side in ((first, a), (second, b)):
            quoted = claims[side.claims[0]]
            assert set(line.articles) == set(quoted.articles) <= set(side.articles)
            assert f"({witness_words(side)})" in line.text
    # the 2023 article takes no part in them
    assert in_articles(found, [only_2023]) == []


# --------------------------------------------------------------------------- readable values


def test_a_figure_is_shown_as_its_article_words_it() -> None:
    from newsweave.claim_slots import stated_figure

    # with its unit, what it is of and its rate
    assert stated_figure("Some 1,000 barrels of oil a day are leaking", "Some 1,000") == (
        "Some 1,000 barrels of oil a day"
    )
    assert stated_figure("Around 1.5 m ft of floating booms are in use", "Around 1.5 m") == (
        "Around 1.5 m ft of floating booms"
    )
    # a figure read from a bracket is shown with the one the article gave before it
    assert stated_figure("the slick is only nine miles (15km) from Pensacola", "15") == (
        "nine miles (15km)"
    )
    assert stated_figure("has come within 5ft (1.5 m) of the well bore", "1.5 m") == "5ft (1.5 m)"
    # and a figure with its conversion keeps it, as written
    assert stated_figure("drilled 2.5 miles (4km) through rock", "2.5") == "2.5 miles (4km)"
    assert stated_figure("a mere $75m, but BP waived it", "$75m") == "$75m"
    assert stated_figure("no figure here", "42") == "42"


def _claim(cid: str, text: str, day: str) -> tuple:
    from newsweave.records import Claim, Span

    art = Article(
        id=f"art_{cid}",
        source_path=f"{cid}.txt",
        title=None,
        outlet=f"Outlet {cid}",
        agency=None,
        dateline=None,
        published=day,
        text=text,
    )
    claim = Claim(
        id=cid,
        text=text,
        attribution=None,
        hedged=False,
        articles=(art.id,),
        spans=(Span(art.id, 0, len(text)),),
        independent_sources=1,
        status="contested",
    )
    return claim, art


def _group(texts: dict[str, tuple[str, str]], pairs: list[tuple[str, str, str, str]]) -> list:
    from newsweave.disagreements import group_disagreements
    from newsweave.records import Contradiction

    made = {cid: _claim(cid, text, day) for cid, (text, day) in texts.items()}
    claims = {cid: c for cid, (c, _) in made.items()}
    articles = {a.id: a for _, a in made.values()}
    xs = [Contradiction(a, b, "number", va, vb, "update") for a, b, va, vb in pairs]
    return group_disagreements(xs, claims, articles, {})


def test_a_stray_value_is_not_chained_into_a_revision() -> None:
    """A $75m cost to one parish the claims step paired with a $3.12bn cost to the company
    is no step of the cost's revision to $3.5bn: it is listed as its own disagreement. (A
    statutory $75m limit on costs is no longer paired at all: it reads as a limit.)"""
    found = _group(
        {
            "c1": ("The spill has cost the company $3.12bn so far", "2010-07-05"),
            "c2": ("The spill has cost the parish a mere $75m", "2010-07-06"),
            "c3": ("The cost of the spill now stands at $3.5bn", "2010-07-12"),
        },
        [("c1", "c2", "$3.12bn", "$75m"), ("c1", "c3", "$3.12bn", "$3.5bn")],
    )
    values = sorted(tuple(s.value for s in d.sides) for d in found)
    assert values == [("$3.12bn", "$3.5bn"), ("$3.12bn", "$75m")]
    assert all(d.quantity == "Cost, US dollars" and d.unit == "USD" for d in found)
    # the stray's row says so; the revision's does not
    stray = next(d for d in found if "$75m" in {s.value for s in d.sides})
    assert stray.stray and "perhaps another quantity" in relation_label(stray)
    assert not any(d.stray for d in found if d is not stray)
    assert sorted(p for d in found for p in d.contradictions) == [("c1", "c2"), ("c1", "c3")]


def test_a_running_figure_far_from_its_median_is_no_stray() -> None:
    """bpoil's leak rate went from 1,000 to 5,000 barrels a day (also written "200,000
    gallons"), then to 60,000 and more: the 1,000 is over 20 times below the median of the
    others, but its revision to 5,000 (and the same 5,000 in gallons, compared in litres) is
    within the factor, so it is a step of the revision, not "another quantity"."""
    found = _group(
        {
            "f1": ("As much as 1,000 barrels of oil a day is leaking", "2010-04-24"),
            "f2": ("Some 5,000 barrels of oil a day are now pouring into the Gulf", "2010-04-29"),
            "f3": ("About 200,000 gallons of oil a day are leaking into the Gulf", "2010-04-29"),
            "f4": ("As much as 60,000 barrels of oil a day were leaking", "2010-06-15"),
            "f5": ("Some 62,000 barrels of oil a day were leaking at first", "2010-08-02"),
            "f6": ("Up to 100,000 barrels of oil a day could be leaking", "2010-06-20"),
        },
        [
            ("f1", "f2", "1,000", "Some 5,000"),
            ("f1", "f3", "1,000", "About 200,000"),
            ("f2", "f4", "Some 5,000", "60,000"),
            ("f3", "f5", "About 200,000", "Some 62,000"),
            ("f2", "f6", "Some 5,000", "Up to 100,000"),
        ],
    )
    (d,) = found
    assert not d.stray and "another quantity" not in relation_label(d)
    by_value = {s.value: s for s in d.sides}
    # compared normalised, in litres a day: 5,000 barrels and 200,000 gallons are close
    assert d.unit == "volume/day" and by_value["About 200,000"].stated.startswith(
        "About 200,000 gallons"
    )
    assert by_value["Some 5,000"].normalised == pytest.approx(794_935, rel=1e-3)
    assert by_value["About 200,000"].normalised == pytest.approx(757_082, rel=1e-3)
    assert by_value["1,000"].normalised == pytest.approx(158_987, rel=1e-3)
    # a stray is still one: far from the median and from every value it is paired with
    found = _group(
        {
            "c1": ("The spill has cost the company $3.12bn so far", "2010-07-05"),
            "c2": ("The spill has cost the parish a mere $75m", "2010-07-06"),
            "c3": ("The cost of the spill now stands at $3.5bn", "2010-07-12"),
            "c4": ("The cost of the spill rose to $350m", "2010-05-10"),
        },
        [
            ("c1", "c2", "$3.12bn", "$75m"),
            ("c1", "c3", "$3.12bn", "$3.5bn"),
            ("c4", "c1", "$350m", "$3.12bn"),
        ],
    )
    stray = [d for d in found if d.stray]
    assert [sorted(s.value for s in d.sides) for d in stray] == [["$3.12bn", "$75m"]]
    # far values paired with each other do not rescue one another: feet among miles
    found = _group(
        {
            "d1": ("The rig was about 50 miles off the coast", "2010-04-22"),
            "d2": ("The rig was 40 miles off the coast", "2010-04-29"),
            "d3": ("The rig sank 42 miles off the coast", "2010-05-09"),
            "d4": ("The rig was 52 miles off the coast", "2010-05-02"),
            "d5": ("The pipe was cut 30 feet off the well", "2010-06-01"),
            "d6": ("The pipe was cut 100 feet off the well", "2010-06-03"),
        },
        [
            ("d1", "d2", "about 50", "40"),
            ("d1", "d3", "about 50", "42"),
            ("d4", "d2", "52", "40"),
            ("d2", "d5", "40", "30"),
            ("d5", "d6", "30", "100"),
        ],
    )
    miles = next(d for d in found if not d.stray)
    assert sorted(s.value for s in miles.sides) == ["40", "42", "52", "about 50"]
    assert {tuple(sorted(s.value for s in d.sides)) for d in found if d.stray} == {
        ("30", "40"),
        ("100", "30"),
    }


def test_a_chain_joins_one_measure_only() -> None:
    """Oil flowing and oil collected never chain through a figure whose words name
    neither; and revisions within a factor of the others stay one chain."""
    found = _group(
        {
            "f1": ("Some 1,000 barrels of oil a day are leaking into the sea", "2010-04-26"),
            "f2": ("Some 5,000 barrels of oil a day are now pouring into the Gulf", "2010-04-29"),
            "f3": ("The well gives 12,000 barrels of oil a day", "2010-05-28"),
            "k1": ("The cap collected 15,000 barrels of oil a day", "2010-06-15"),
        },
        [
            ("f1", "f2", "Some 1,000", "Some 5,000"),
            ("f2", "f3", "Some 5,000", "12,000"),
            ("f3", "k1", "12,000", "15,000"),
        ],
    )
    by_values = {tuple(s.value for s in d.sides): d for d in found}
    flow = by_values[("Some 1,000", "Some 5,000", "12,000")]
    assert flow.quantity == "Oil flow, barrels a day"
    assert [s.stated for s in flow.sides][:2] == [
        "Some 1,000 barrels of oil a day",
        "Some 5,000 barrels of oil a day",
    ]
    assert [s.normalised for s in flow.sides] == pytest.approx([158987, 794935, 1907844])
    assert by_values[("12,000", "15,000")].quantity == "Oil captured, barrels a day"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("11 workers were killed in the blast", "People killed"),
        ("Some 20 vessels were deployed to skim oil", "Vessels deployed"),
        ("the slick was 50 miles off the coast", "The slick's distance, miles"),
        ("the slick measured 45 miles by 105 miles", "The slick's size, miles"),
        ("Around 190 miles of floating boom are in place", "Length of boom, miles"),
        ("3 million gallons have leaked so far", "Leaked in all, gallons"),
        ("the company paid $75m to the fishermen", "Paid out, US dollars"),
        ("winds of 35 mph slowed the skimmers", "Speed, mph"),
        ("the well leaked 70,000 bpd at its peak", "Flow, barrels a day"),
        ("a 125-ton dome was lowered", "Weight, ton"),
        ("the 316 dead birds were collected on the shore", "Birds killed"),
        ("the blast left 11 dead", "People killed"),
        ("the slick covered about 600 sq miles (1,550 sq km)", "Area, square miles"),
    ],
)
def test_the_disputed_quantity_is_named(text: str, name: str) -> None:
    from newsweave.claim_slots import NumberSlot, SlotContext, stated_figure
    from newsweave.disagreements import quantity_name

    qs = NumberSlot().extract(text, SlotContext())
    nodes = [("number", q.unit, q.act, q.thing, q.side, f"{q.value:.3g}") for q in qs]
    assert quantity_name("number", nodes[:1], [stated_figure(text, qs[0].text)]) == name


BBC = BPOIL / "bpoil_bbc/InputDocs"
BBC_FIGURES = (
    "2010-05-17/872.htm.txt",  # funnelling 1,000 barrels a day
    "2010-05-18/1632.htm.txt",  # 2,000
    "2010-05-20/936.htm.txt",  # 5,000 ...
    "2010-05-20/898.htm.txt",  # ... and about 3,000 the same day: a contradiction
    "2010-06-02/458.htm.txt",  # nine miles (15km) from Pensacola
    "2010-06-03/1926.htm.txt",  # seven miles (11km)
    "2010-07-05/371.htm.txt",  # the spill has cost $3.12bn
    "2010-07-06/516.htm.txt",  # a statutory limit of $75m
    "2010-07-12/1567.htm.txt",  # $3.5bn
)


@pytest.fixture(scope="module")
def bbc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield ingested([BBC / f for f in BBC_FIGURES], tmp_path_factory, "bbc")


def test_bbc_disagreements_read_as_an_editor_would(bbc: Path) -> None:
    """Real BBC coverage: each row names the quantity, shows each value as the article
    wrote it (a km bracket with its miles), keeps the $75m limit out of the cost's
    revision and says which pairs of an update are contradictions."""
    from newsweave.disagreements import relation_label

    with newsweave.open(bbc, read_only=True) as nw:
        found = nw.disagreements()
    rows = {tuple(s.stated for s in d.sides): d for d in found}
    funnel = next(d for v, d in rows.items() if "about 3,000 barrels a day" in v)
    assert funnel.quantity == "Oil captured, barrels a day" and funnel.relation == "update"
    # the same day's "about 3,000" against "siphoning 5,000" (BP's "Now that we are
    # collecting 5,000 barrels a day, it might be a little more" says it too: with the
    # fixed IDF of claims-51 the two make one pair against it, not two)
    assert sorted(funnel.relations) == ["contradiction"] + ["update"] * 3
    label = relation_label(funnel)
    assert label.startswith("update: revised in later reports; 1 of 4 pairs a contradiction")
    assert "5,000 barrels a day vs about 3,000 barrels a day" in label
    distance = next(d for v, d in rows.items() if "nine miles (15km)" in v)
    assert [s.stated for s in distance.sides] == ["nine miles (15km)", "seven miles (11km)"]
    assert distance.quantity == "The slick's distance, miles"
    cost = [d for d in found if d.quantity == "Cost, US dollars"]
    # the statutory $75m limit on spill costs is a limit, no cost: no row of its own
    assert [{s.value for s in d.sides} for d in cost] == [{"$3.12 bn", "$3.5 bn"}]
    assert not any(s.value == "$75m" for d in found for s in d.sides)
    # the CLI row says all of it
    table = CliRunner().invoke(cli, ["--db", str(bbc), "claims", "--status", "contested"])
    assert "Oil captured, barrels a day (number) — 4 pairs, update" in table.output
    assert "nine miles (15km) (BBC, 2010-06-02) → seven miles (11km)" in table.output
    as_json = json.loads(
        CliRunner()
        .invoke(cli, ["--db", str(bbc), "claims", "--status", "contested", "--json"])
        .output
    )
    row = next(r for r in as_json if r["id"] == funnel.id)
    assert row["quantity"] == funnel.quantity and row["relations"] == list(funnel.relations)
    assert {s["stated"] for s in row["sides"]} >= {"about 3,000 barrels a day"}


def test_html_export_shows_each_disagreement_once_per_event(bbc: Path) -> None:
    """The HTML briefing's disputes are the read model's disagreements (no second way of
    grouping): under each event its own (the web page's: the pairs with a claim in it,
    grouped among themselves), one block each, named, said to be an update or a
    contradiction, each side's value as written."""
    import html
    import re

    from newsweave.briefing import read_store

    with newsweave.open(bbc, read_only=True) as nw:
        page = nw.export_text("html")
        view = read_store(nw.store)
        found = nw.disagreements()
    assert [d.id for d in view.disagreements] == [d.id for d in found]
    block = re.compile(
        r'<p class="disputed"><b>(.*?)</b> <span class="kind">(.*?)</span><br>(.*?)</p>'
    )
    blocks = block.findall(page)
    assert blocks and len(blocks) == page.count('<div class="dispute">')
    own = [d for ds in view.event_disagreements.values() for d in ds]
    assert {html.unescape(b[0]) for b in blocks} <= {d.quantity for d in own}
    assert {html.unescape(b[1]) for b in blocks} <= {relation_label(d) for d in own}
    for chunk in page.split("<h3>")[1:]:  # one event each
        mine = block.findall(chunk)
        assert len(mine) == len(set(mine))  # each disagreement once, not once per pair
    funnel = [b for b in blocks if b[0] == "Oil captured, barrels a day"]
    assert funnel and any(b[1].startswith("update: revised in later reports") for b in funnel)
    assert any("1,000 barrels a day → 2,000 barrels a day" in b[2] for b in funnel)
    assert "nine miles (15km) → seven miles (11km)" in page


def test_relation_label_names_the_pairs_of_the_other_kind() -> None:
    from newsweave.disagreements import relation_label
    from newsweave.records import Disagreement, DisagreementSide

    def side(value: str, claim: str, day: str) -> DisagreementSide:
        return DisagreementSide(value, (claim,), (f"a{claim}",), ("X",), (day,), 1, value)

    d = Disagreement(
        id="dis_x",
        kind="number",
        relation="contradiction",
        sides=(
            side("$930 million", "c1", "2010-06-01"),
            side("$990m", "c2", "2010-06-02"),
            side("$1bn", "c3", "2010-06-02"),
        ),
        pairs=2,
        updates=1,
        contradictions=(("c1", "c2"), ("c2", "c3")),
        relations=("update", "contradiction"),
    )
    assert relation_label(d) == "contradiction; 1 of 2 pairs an update: $930 million → $990m"


def test_a_stray_paired_with_several_values_is_listed_against_each() -> None:
    """A stray in the middle of a chain (paired with every value) would make the others
    read as its revisions: each of its pairs is listed alone."""
    found = _group(
        {
            "c1": ("The spill has cost the company $3.12bn so far", "2010-07-05"),
            "c2": ("The spill has cost the parish a mere $75m", "2010-07-06"),
            "c3": ("The cost of the spill now stands at $3.5bn", "2010-07-12"),
        },
        [("c1", "c2", "$3.12bn", "$75m"), ("c2", "c3", "$75m", "$3.5bn")],
    )
    assert sorted(tuple(s.value for s in d.sides) for d in found) == [
        ("$3.12bn", "$75m"),
        ("$75m", "$3.5bn"),
    ]


def test_one_witness_count_everywhere(db: Path) -> None:
    """A value's witnesses and origins are the read model's (every claim that gives it
    counted together), and the CLI (table and JSON), the export, the HTTP API and the brief
    show those numbers, not the first claim's own count."""
    from fastapi.testclient import TestClient

    from newsweave.brief import independent_sources
    from newsweave.web import create_app

    with newsweave.open(db, read_only=True) as nw:
        found = nw.disagreements()
        arts = {a.id: a for a in nw.iter_articles()}
        groups = nw.source_groups()
        data = nw.export()
        brief = nw.brief(detail=True)
    leak = found[0]
    counts = {s.value: (s.witnesses, s.origins) for s in leak.sides}
    for side in leak.sides:
        assert side.witnesses == independent_sources(side.articles, arts, groups)
    # a side of several claims: its count is more than its first claim's (the web page
    # showed "1 witness" where the CLI counted the side)
    assert any(s.witnesses > 1 and len(s.claims) > 1 for s in leak.sides)
    rows = json.loads(
        CliRunner()
        .invoke(cli, ["--db", str(db), "claims", "--status", "contested", "--json"])
        .output
    )
    for side in rows[0]["sides"]:
        assert (side["witnesses"], side["origins"]) == counts[side["value"]]
        assert side["sources"] == side["witnesses"]
    table = CliRunner().invoke(cli, ["--db", str(db), "claims", "--status", "contested"]).output
    a, b = top_two(leak)
    assert f"{witness_words(a)}: » " in table and f"{witness_words(b)}: » " in table
    exported = data["disagreements"][0]["sides"]
    assert {s["value"]: (s["witnesses"], s["origins"]) for s in exported} == counts
    with TestClient(create_app(db), raise_server_exceptions=False) as client:
        listed = client.get("/api/disagreements").json()["items"]
        events = client.get("/api/events").json()["items"]
        pages = [client.get(f"/api/events/{e['id']}").json()["item"] for e in events]
    assert [d["id"] for d in listed] == [d.id for d in found]
    for key, side in (("a", a), ("b", b)):
        shown_side = listed[0][key]["side"]
        assert (shown_side["witnesses"], shown_side["origins"]) == counts[side.value]
    for item in pages:
        for d in item["claims"]["contested"]:
            for key in ("a", "b"):
                if d.get(key) and "side" in d[key]:
                    side = d[key]["side"]
                    assert side["witnesses"] == independent_sources(side["articles"], arts, groups)
    assert f"({witness_words(a)}): “" in brief


def test_an_event_shows_its_own_disagreements(db: Path) -> None:
    """An event's disagreements are the pairs with a claim in the event, grouped among
    themselves: their pair counts are the event's, every side is one of its claims' values
    or a value they were paired with, and its page (HTTP and the read model) lists those."""
    from fastapi.testclient import TestClient

    from newsweave.web import create_app

    with newsweave.open(db, read_only=True) as nw:
        pairs = nw.contradictions()
        claims = {c.id: c for c in nw.claims()}
        by_event = nw.event_disagreements()
        events = nw.events()
        per_event = {e.id: nw.disagreements(event=e.id) for e in events}
    assert by_event and {e for e, ds in per_event.items() if ds} == set(by_event)
    for ev in events:
        mine = {c for c, claim in claims.items() if claim.event == ev.id}
        touching = sorted((x.a, x.b) for x in pairs if {x.a, x.b} & mine)
        found = per_event[ev.id]
        assert found == by_event.get(ev.id, [])
        assert sorted(p for d in found for p in d.contradictions) == touching
        for d in found:
            assert any(mine & set(s.claims) for s in d.sides)
            linked = {c for p in d.contradictions for c in p}
            assert {c for s in d.sides for c in s.claims} == linked
    result = CliRunner().invoke(
        cli, ["--db", str(db), "claims", "--status", "contested", "--json", "--event", events[0].id]
    )
    assert [r["id"] for r in json.loads(result.output)] == [d.id for d in per_event[events[0].id]]
    with TestClient(create_app(db), raise_server_exceptions=False) as client:
        for ev in events:
            item = client.get(f"/api/events/{ev.id}").json()["item"]
            listed = [d for d in item["claims"]["contested"] if d.get("sides")]
            assert [d["id"] for d in listed] == [d.id for d in per_event[ev.id]]
            assert item["claim_counts"]["disputes"] == len(per_event[ev.id])
            for d in listed:
                assert any(s["in_event"] for s in d["sides"])
            page = client.get("/api/disagreements", params={"event": ev.id}).json()
            assert [d["id"] for d in page["items"]] == [d["id"] for d in listed]
        assert client.get("/api/disagreements", params={"event": "ev_nope"}).status_code == 404


def test_the_brief_shows_each_disagreement_once() -> None:
    """A disagreement whose sides sit in two stories is listed under the one holding most of
    its articles (ties: the larger story, listed first), not once per story."""
    from newsweave.records import Disagreement, DisagreementSide, Story

    def side(value: str, arts: tuple[str, ...]) -> DisagreementSide:
        return DisagreementSide(value, (f"c{value}",), arts, (), (), 1, witnesses=1, origins=1)

    d1 = Disagreement(
        "dis_1",
        "number",
        "update",
        (side("1", ("a1", "a2")), side("2", ("b1",))),
        1,
        1,
        (("c1", "c2"),),
    )
    d2 = Disagreement(
        "dis_2", "number", "update", (side("3", ("a1",)), side("4", ("b1",))), 1, 1, (("c3", "c4"),)
    )
    d3 = Disagreement(
        "dis_3", "number", "update", (side("5", ("z",)), side("6", ("z2",))), 1, 1, (("c5", "c6"),)
    )
    big = Story("st_big", "Big", (), ("a1", "a2", "a3"))
    small = Story("st_small", "Small", (), ("b1", "b2"))
    homes = by_story([d1, d2, d3], [big, small])
    assert homes == {"st_big": [d1, d2]}  # d2 ties: the first story; d3 is in none
    assert by_story([d1, d2], [small, big]) == {"st_big": [d1], "st_small": [d2]}
    # a bounded brief shows its first stories in full: one of them, when it holds a side
    assert by_story([d1, d2], [small, big], first=1) == {"st_small": [d1, d2]}
    assert by_story([d3], [small, big], first=1) == {}
    # a stray ("perhaps another quantity") comes after the story's other disagreements
    odd = replace(d1, id="dis_odd", stray=True)
    assert by_story([odd, d1, d2], [big, small]) == {"st_big": [d1, d2, odd]}


def test_a_length_and_a_width_never_chain() -> None:
    """Two sizes of a slick, each read long by wide: the lengths are one revision, the
    widths another, though one sentence gives a length and a width (no row quotes one
    sentence's length against its width); a size whose side its words leave unread takes its
    partner's."""
    found = _group(
        {
            "s1": ("The slick is about 100 miles long and 45 miles across", "2010-04-28"),
            "s2": ("The spill is a slick more than 130 miles long and 70 miles wide", "2010-04-30"),
            "s3": ("The slick measured 20 miles by 20 miles", "2010-04-25"),
            "s4": ("By day 20 a sheen of crude stretched 470 miles", "2010-05-07"),
        },
        [
            ("s1", "s2", "about 100", "more than 130"),
            ("s1", "s2", "45", "70"),
            ("s3", "s1", "20", "45"),
            ("s3", "s2", "20", "more than 130"),
            ("s2", "s4", "more than 130", "470"),
        ],
    )
    sides = sorted(tuple(sorted(s.value for s in d.sides)) for d in found)
    assert sides == [("20", "45", "70"), ("20", "470", "about 100", "more than 130")]
    assert all(d.quantity == "The slick's size, miles" for d in found)


def test_a_value_whose_happening_is_unread_takes_the_one_read_elsewhere() -> None:
    """ "The cost of the spill had reached $3.12 billion" (no happening read) is the same value
    as "has so far cost BP a total of $3.12 bn": the pair it is in joins the cost's revision,
    in date order, instead of a row of its own; a value read with two happenings elsewhere
    keeps its own."""
    texts = {
        "c1": ("The oil spill has so far cost BP a total of $3.12 bn", "2010-07-05"),
        "c2": ("The cost of the spill now stands at $3.5 bn", "2010-07-12"),
        "c3": (
            "The cost of dealing with the spill has now reached nearly $4 billion",
            "2010-07-20",
        ),
        "c4": ("BP says the cost of the spill had reached $3.12 billion", "2010-07-23"),
    }
    found = _group(
        texts,
        [("c1", "c2", "$3.12 bn", "$3.5 bn"), ("c3", "c4", "nearly $4 billion", "$3.12 billion")],
    )
    assert len(found) == 1
    assert [s.value for s in found[0].sides][0] in ("$3.12 bn", "$3.12 billion")
    # without the read one, the pair stands alone
    alone = _group(
        {k: texts[k] for k in ("c2", "c3", "c4")},
        [("c3", "c4", "nearly $4 billion", "$3.12 billion")],
    )
    assert len(alone) == 1 and {s.value for s in alone[0].sides} == {
        "nearly $4 billion",
        "$3.12 billion",
    }


def test_distances_from_two_named_places_never_chain() -> None:
    """The slick nine miles off Louisiana and, a month later, nine miles and then seven miles
    from Pensacola: the same value does not make one revision of the two distances."""
    found = _group(
        {
            "d1": ("The slick is about 50 miles (80km) off Louisiana's coast", "2010-04-29"),
            "d2": ("The slick was now nine miles (14km) off the coast of Louisiana", "2010-05-03"),
            "d3": ("The slick is only nine miles (15km) from Pensacola in Florida", "2010-06-02"),
            "d4": ("The slick is only seven miles (11km) from Pensacola in Florida", "2010-06-03"),
        },
        [("d1", "d2", "about 50", "nine"), ("d3", "d4", "nine", "seven")],
    )
    assert sorted(sorted(s.value for s in d.sides) for d in found) == [
        ["about 50", "nine"],
        ["nine", "seven"],
    ]
