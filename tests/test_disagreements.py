"""Contested pairs grouped into disagreements (newsweave.disagreements), read through every
layer: the Python API, `newsweave claims --status contested`, the export, HTTP and the brief.

Real pipeline on six real Timeline17 bpoil articles (Fox News, The Guardian, BBC, Reuters,
25-30 April 2010) that report the leak rate as 1,000 and then 5,000 barrels a day: the claims
step pairs each 1,000 with each 5,000, and a reader should see that revision once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import pytest
from click.testing import CliRunner

import newsweave
from newsweave.cli import cli
from newsweave.disagreements import support, top_two

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


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    files = [BPOIL / f for f in LEAK_RATE]
    if not all(f.exists() for f in files):
        pytest.skip("Timeline17 bpoil not available")
    path = tmp_path_factory.mktemp("disagreements") / "news.db"
    with newsweave.open(path) as nw:
        nw.ingest([str(f) for f in files])
    yield path


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
        assert side.sources <= len(side.articles)
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
    assert {d.kind for d in found} == {"place", "status"}
    (place,) = [d for d in found if d.kind == "place"]
    assert {s.value for s in place.sides} == {"Bay of Bengal", "Straits of Malacca"}
    assert place.relation == "contradiction"
