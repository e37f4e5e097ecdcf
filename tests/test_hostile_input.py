"""Hostile and careless input at the reader boundary (issue #15): each case costs its own file
or record, with one line naming it, and every good file beside it is stored."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsweave.api import Newsweave
from newsweave.clean import clean, parse_date_field
from newsweave.errors import InputError
from newsweave.ingest import MAX_ARTICLE_CHARS, InputFile, discover, read_file
from newsweave.pipeline import ingest_paths, read_and_clean
from newsweave.records import Article, RawDocument
from newsweave.store import Store
from tests.conftest import unprivileged

GOOD = (
    "Officials in the coastal city said on Tuesday that repairs to the old harbour bridge "
    "would take at least four months and cost the council several million pounds."
)


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    return subprocess.run(
        [sys.executable, "-c", "from newsweave.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
    )


def good_files(folder: Path, n: int = 6) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"good{i}.txt").write_text(f"Bridge report {i}\n\nReport {i}. {GOOD}\n")


def assert_one_line_each(stderr: str) -> None:
    assert "Traceback" not in stderr
    for line in stderr.splitlines():
        assert line.startswith("newsweave: "), line


@pytest.mark.parametrize("batch_size", ["1", "200"])
def test_nested_json_and_huge_integer_cost_only_their_file(tmp_path: Path, batch_size: str) -> None:
    folder = tmp_path / "in"
    good_files(folder)
    (folder / "nested.json").write_text("[" * 100_000)
    (folder / "closed.json").write_text("[" * 100_000 + "]" * 100_000)
    (folder / "bigint.jsonl").write_text('{"text": "x", "n": ' + "9" * 5000 + "}\n")
    db = tmp_path / "s.db"
    proc = cli("--db", str(db), "ingest", "--no-analyze", "--batch-size", batch_size, str(folder))
    assert proc.returncode == 1, proc.stderr
    assert_one_line_each(proc.stderr)
    assert "nested.json: JSON nested too deeply; skipped" in proc.stderr
    assert "closed.json: JSON nested too deeply; skipped" in proc.stderr
    assert "bigint.jsonl:1: JSON number too long" in proc.stderr
    with Newsweave(db, read_only=True) as nw:
        assert len(nw.articles()) == 6


def test_oversized_document_is_refused_at_the_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import newsweave.ingest

    monkeypatch.setattr(newsweave.ingest, "MAX_DOCUMENT_CHARS", 100_000)
    big = tmp_path / "big.txt"
    big.write_text("Big title\n\n" + "The quick brown fox jumps over the lazy dog. " * 3_000)
    (err,) = list(read_file(InputFile(big, "text")))
    assert isinstance(err, InputError)
    assert "document text too long" in err.reason and "> 100,000 limit" in err.reason
    line = tmp_path / "line.jsonl"
    line.write_text(json.dumps({"text": "word " * 30_000, "title": "t"}) + "\n")
    (err,) = list(read_file(InputFile(line, "jsonl")))
    assert isinstance(err, InputError) and err.path.endswith("line.jsonl:1")
    title = tmp_path / "title.jsonl"
    title.write_text(json.dumps({"text": GOOD, "title": "t" * 200_000}) + "\n")
    (err,) = list(read_file(InputFile(title, "jsonl")))
    assert isinstance(err, InputError) and "field 'title' too long" in err.reason


def test_a_document_longer_than_an_article_is_read_as_parts(tmp_path: Path) -> None:
    paragraphs = [
        f"The quick brown fox number {i} jumps over the lazy dog near the river bank. " * 40
        for i in range(900)
    ]
    big = tmp_path / "big.txt"
    big.write_text("Big title\n\n" + "\n\n".join(paragraphs))  # 2.6M characters
    (doc,) = list(read_file(InputFile(big, "text")))
    assert isinstance(doc, RawDocument)
    parts = list(read_and_clean(InputFile(big, "text")))
    assert len(parts) == 3 and all(isinstance(p, Article) for p in parts)
    assert all(len(p.text) <= MAX_ARTICLE_CHARS for p in parts)
    assert [p.title for p in parts] == [f"Big title (part {k} of 3)" for k in (1, 2, 3)]
    assert len({p.id for p in parts}) == 3
    assert " ".join(p.text for p in parts).split() == " ".join(paragraphs).split()
    assert all(p.text.startswith("The quick") for p in parts)  # cut between paragraphs
    again = [p.id for p in read_and_clean(InputFile(big, "text"))]
    assert again == [p.id for p in parts]  # stable ids


def test_ascii_utf16_without_bom_is_read(tmp_path: Path) -> None:
    for codec in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{codec}.txt"
        path.write_bytes(f"Bridge report\n\n{GOOD}\n".encode(codec))
        (doc,) = list(read_file(InputFile(path, "text")))
        assert isinstance(doc, RawDocument), doc
        assert GOOD in doc.text


def test_mixed_utf8_and_latin1_lines_are_each_decoded(tmp_path: Path) -> None:
    utf8 = "The café in Zürich said the “talks” went well – for now.\n"
    legacy = "A second café owner in Zürich said the “talks” would resume.\n"
    path = tmp_path / "mixed.txt"
    path.write_bytes(utf8.encode("utf-8") + GOOD.encode() + b"\n" + legacy.encode("cp1252"))
    (doc,) = list(read_file(InputFile(path, "text")))
    assert isinstance(doc, RawDocument)
    assert utf8 in doc.text and legacy in doc.text
    assert "Ã" not in doc.text and "\ufffd" not in doc.text


def test_header_only_csv_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("title,text,date\n")
    (err,) = list(read_file(InputFile(path, "csv")))
    assert isinstance(err, InputError) and "header but no rows" in err.reason
    proc = cli("--db", str(tmp_path / "s.db"), "ingest", "--no-analyze", str(path))
    assert proc.returncode == 1 and "empty.csv: CSV has a header but no rows" in proc.stderr


@pytest.mark.parametrize(
    "value", ["-1", "2020", "Monday", "3 days ago", "yesterday", "today", "Sep 4", "0001-01-01"]
)
def test_junk_dates_never_become_a_date(value: str) -> None:
    assert parse_date_field(value) is None
    art = clean(
        RawDocument(
            source_path="x.jsonl", text=GOOD, format="jsonl", fields=(("published", value),)
        )
    )
    assert art.published is None
    (why,) = [e for e in art.evidence if e.field == "published"]
    assert why.rule == "date-refused" and why.value == "" and value in why.snippet


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2020-09-04T10:00:00Z", "2020-09-04"),
        ("Apr 28 2023", "2023-04-28"),
        ("Fri, 04 Sep 2020 10:00:00 GMT", "2020-09-04"),
        ("4 September 2020", "2020-09-04"),
    ],
)
def test_real_dates_still_parse(value: str, iso: str) -> None:
    assert parse_date_field(value) == iso


def test_symlinks_never_lead_out_of_the_input_folder(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text(f"Secret\n\n{GOOD}\n")
    folder = tmp_path / "in"
    good_files(folder, 1)
    (folder / "passwd.txt").symlink_to(outside)
    (folder / "dangling.txt").symlink_to(tmp_path / "missing.txt")
    (folder / "inside.txt").symlink_to(folder / "good0.txt")
    (folder / "sub").symlink_to(tmp_path, target_is_directory=True)
    found = list(discover([str(folder)]))
    files = sorted(f.path.name for f in found if isinstance(f, InputFile))
    errors = {Path(e.path).name: e.reason for e in found if isinstance(e, InputError)}
    assert files == ["good0.txt", "inside.txt"]
    assert "outside the input folder" in errors["passwd.txt"]
    assert "broken symbolic link" in errors["dangling.txt"]


def test_unreadable_folder_is_reported_as_unreadable(open_tmp: Path) -> None:
    folder = open_tmp / "in"
    good_files(folder, 2)
    locked = folder / "locked"
    locked.mkdir()
    (locked / "a.txt").write_text(f"A\n\n{GOOD}\n")
    locked.chmod(0)
    with Store(":memory:") as store:
        ingest_paths(store, [str(folder / "good0.txt")])  # lazy imports, while allowed
        with unprivileged():
            report = ingest_paths(store, [str(folder)])
            alone = list(discover([str(locked)]))
    assert (report.new, report.existing) == (1, 1)
    (err,) = report.skipped
    assert str(err) == f"{locked}: cannot read folder (Permission denied); skipped"
    assert [str(e) for e in alone] == [str(err)]


def test_control_characters_in_file_names_are_escaped(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "evil\nnewsweave: fake\x1b[31m.json").write_text("[" * 5000)
    proc = cli("--db", str(tmp_path / "s.db"), "ingest", "--no-analyze", str(folder))
    assert proc.returncode == 1
    (line,) = proc.stderr.splitlines()
    assert "evil\\nnewsweave: fake\\x1b[31m.json: " in line
    assert str(InputError("a\nb", "c\rd")) == "a\\nb: c\\rd"


def test_an_oversized_stored_article_never_wedges_analysis(tmp_path: Path, seeds_dir: Path) -> None:
    """A store holding a 7 MB article (stored before the reader's limit existed) stays
    analysable: each per-article stage skips it with one line, once, and the rest proceeds."""
    db = tmp_path / "s.db"
    big = clean(
        RawDocument(
            source_path=str(tmp_path / "huge.txt"),
            text="Huge\n\n" + "The council met again on Tuesday, 1 September 2020. " * 140_000,
            format="text",
        )
    )
    assert len(big.text) > 5_000_000  # beyond spaCy's own limit
    with Store(db) as store, store.transaction() as conn:
        store.insert_articles(conn, [big])
    proc = cli("--db", str(db), "ingest", str(seeds_dir))
    assert proc.returncode == 1, proc.stderr
    assert_one_line_each(proc.stderr)
    lines = proc.stderr.splitlines()
    assert any("huge.txt" in x and "entities: text too long" in x for x in lines), lines
    assert any("huge.txt" in x and "time: text too long" in x for x in lines), lines
    with Newsweave(db, read_only=True) as nw:
        assert len(nw.articles()) == 6
        assert nw.dated_sentences(nw.articles()[1].id)  # the seeds were dated
    good_files(tmp_path / "more", 1)
    proc = cli("--db", str(db), "ingest", str(tmp_path / "more"))
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
