"""The CLI as a user runs it: real subprocesses, one-line errors, exit codes, exports."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsweave.cli import cli

NEWSWEAVE = [sys.executable, "-m", "newsweave.cli"]


def run(db: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.run(
        [*NEWSWEAVE, "--db", str(db), *args], capture_output=True, text=True, env=env, timeout=300
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("cli") / "news.db"
    seeds = Path(__file__).resolve().parents[1] / "examples" / "seeds"
    proc = run(db, "ingest", "--no-analyze", str(seeds))
    assert proc.stdout.strip() == "5 new, 0 already stored"
    return db


def test_export_json_contract(seeded_db: Path) -> None:
    data = json.loads(run(seeded_db, "export", "--format", "json").stdout)
    assert len(data["articles"]) == 5
    for article in data["articles"]:
        assert {
            "id",
            "source_path",
            "title",
            "outlet",
            "agency",
            "dateline",
            "published",
            "text",
        } <= set(article)
    published = sorted(a["published"] for a in data["articles"])
    assert published == ["2020-09-03", "2020-09-03", "2020-09-04", "2020-09-04", "2023-04-28"]


def test_export_jsonl_and_csv(seeded_db: Path) -> None:
    lines = run(seeded_db, "export", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [
        a["id"] for a in json.loads(run(seeded_db, "export").stdout)["articles"]
    ]
    rows = list(csv.DictReader(io.StringIO(run(seeded_db, "export", "--format", "csv").stdout)))
    assert len(rows) == 5 and rows[0]["published"] == "2020-09-04"


def test_articles_show_search(seeded_db: Path) -> None:
    listing = run(seeded_db, "articles").stdout
    assert "5 articles" in listing and "ANI" in listing
    first_id = json.loads(run(seeded_db, "export").stdout)["articles"][0]["id"]
    shown = run(seeded_db, "show", first_id[:8]).stdout
    assert "On India's request" in shown and "header-line" in shown
    found = run(seeded_db, "search", "Sputnik").stdout
    assert "1 matches" in found


def test_reingest_reports_nothing_new(seeded_db: Path) -> None:
    seeds = Path(__file__).resolve().parents[1] / "examples" / "seeds"
    assert run(seeded_db, "ingest", "--no-analyze", str(seeds)).stdout.strip() == (
        "0 new, 5 already stored"
    )


def test_bad_path_one_line_exit_1(tmp_path: Path) -> None:
    proc = run(tmp_path / "x.db", "ingest", str(tmp_path / "nope"), check=False)
    assert proc.returncode == 1
    assert (
        proc.stderr.strip() == f"newsweave: skipped {tmp_path / 'nope'}: no such file or directory"
    )
    assert "Traceback" not in proc.stderr


def test_unknown_export_format_is_one_line(seeded_db: Path) -> None:
    proc = run(seeded_db, "export", "--format", "docx", check=False)
    assert proc.returncode == 2
    assert proc.stderr.startswith("newsweave: error: unknown export format 'docx'")
    assert len(proc.stderr.strip().splitlines()) == 1


def test_corrupt_store_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"garbage" * 1000)
    proc = run(bad, "articles", check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().startswith(f"newsweave: error: {bad}: cannot open store")


def test_every_command_has_an_example_and_docs() -> None:
    docs_dir = Path(__file__).resolve().parents[1] / "docs"
    docs = "\n".join(p.read_text() for p in docs_dir.glob("*.md"))
    for name, command in cli.commands.items():
        assert "Example:" in (command.help or ""), name
        assert f"newsweave {name}" in docs, f"no page in docs/ documents `newsweave {name}`"


def test_piped_listings_are_plain_lines_with_default_limits(
    seeded_db: Path, tmp_path: Path
) -> None:
    db = tmp_path / "nlp.db"
    db.write_bytes(seeded_db.read_bytes())
    run(db, "analyze", "--only", "nlp")
    every = run(db, "entities", "--all").stdout.splitlines()
    header, rows, footer = every[0], every[1:-1], every[-1]
    assert header.split("\t")[:3] == ["id", "name", "type"]
    assert len(rows) > 3 and footer == f"{len(rows)} entities"
    # piped output is one line per entity with the whole id, never folded into a narrow column
    for row in rows:
        cells = row.split("\t")
        assert len(cells) == 7 and len(cells[0]) == 10
    limited = run(db, "entities", "--limit", "2").stdout.splitlines()
    assert len(limited) == 4 and limited[1:3] == rows[:2]
    assert limited[-1] == "2 entities shown; more with --all or a higher --limit"
    help_text = run(db, "claims", "--help").stdout
    assert "--all" in help_text and "default: 50" in help_text


def test_analysis_progress_names_each_stage_with_its_number(
    seeded_db: Path, tmp_path: Path
) -> None:
    from newsweave.api import Newsweave
    from newsweave.cli import STAGE_LABELS
    from newsweave.pipeline import STEPS

    db = tmp_path / "steps.db"
    db.write_bytes(seeded_db.read_bytes())
    heard: list[tuple[str, int, int]] = []
    with Newsweave(db) as nw:
        ran = nw.analyze(["copies", "time"], on_step=lambda *a: heard.append(a))
    assert ran == ["copies", "time"]
    assert heard == [("copies", 1, 2), ("time", 2, 2)]
    assert set(STAGE_LABELS) >= {step.name for step in STEPS}  # every stage has words
