"""Ingest end to end into a real SQLite store: formats, encodings, idempotence, bad input."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from newsweave.api import Newsweave
from newsweave.errors import InputError, StoreError
from newsweave.ingest import InputFile, discover, read_file
from newsweave.pipeline import ingest_paths
from newsweave.store import Store
from tests.conftest import seed_path

BODY = (
    "Defence Minister Rajnath Singh held talks with his Russian counterpart in Moscow on "
    "Thursday, covering a broad range of areas of cooperation between the two countries."
)


def ingest(db: Path, *paths: Path | str):
    store = Store(db)
    try:
        return ingest_paths(store, [str(p) for p in paths])
    finally:
        store.close()


def test_seeds_ingest_once_then_nothing_new(db_path: Path, seeds_dir: Path) -> None:
    first = ingest(db_path, seeds_dir)
    assert (first.new, first.existing, first.skipped) == (5, 0, [])
    second = ingest(db_path, seeds_dir)
    assert (second.new, second.existing) == (0, 5)
    assert second.summary() == "0 new, 5 already stored"


def test_same_content_from_another_folder_adds_nothing(db_path: Path, tmp_path: Path) -> None:
    ingest(db_path, seed_path("000"))
    copy = tmp_path / "elsewhere" / seed_path("000").name
    copy.parent.mkdir()
    copy.write_bytes(seed_path("000").read_bytes())
    report = ingest(db_path, copy)
    assert (report.new, report.existing) == (0, 1)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    dash = "–" if encoding != "latin-1" else "-"  # latin-1 has no en dash
    text = f" date 2020-09-04\nCafé owners in Moscow said the talks {dash} held on Thursday. "
    path = tmp_path / "a.txt"
    path.write_bytes((text + BODY).encode(encoding))
    (doc,) = list(read_file(InputFile(path, "text")))
    assert f"Café owners in Moscow said the talks {dash} held" in doc.text


def test_jsonl_news_please_fields_and_bad_lines(db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    path.write_text(
        json.dumps(
            {
                "maintext": BODY,
                "title": "Talks in Moscow",
                "url": "https://www.thehindu.com/news/x.ece",
                "date_publish": "2020-09-03 18:00:00",
                "source_domain": "thehindu.com",
            }
        )
        + "\n{not json\n"
        + json.dumps({"title": "no text"})
        + "\n",
        encoding="utf-8",
    )
    report = ingest(db_path, path)
    assert report.new == 1
    assert sorted(str(e) for e in report.skipped) == [
        f"{path}:2: invalid JSON (Expecting property name enclosed in double quotes); line skipped",
        f"{path}:3: line has no text field; skipped",
    ]
    with Newsweave(db_path) as nw:
        (article,) = nw.articles()
    assert (article.title, article.published, article.outlet) == (
        "Talks in Moscow",
        "2020-09-03",
        "thehindu.com",
    )


def test_csv_export_and_missing_text_column(db_path: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(f'title,date,text\n"Talks",2020-09-03,"{BODY}"\n', encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("title,date\nTalks,2020-09-03\n", encoding="utf-8")
    report = ingest(db_path, good, bad)
    assert report.new == 1
    (problem,) = report.skipped
    assert str(problem).startswith(f"{bad}: CSV has no text column")


def test_html_page_with_trafilatura(db_path: Path, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    paragraphs = "".join(f"<p>{BODY} Paragraph {i} adds more detail.</p>" for i in range(6))
    page.write_text(
        "<html><head><title>Talks | Example News</title>"
        '<meta property="og:title" content="Rajnath Singh meets Shoigu">'
        '<meta property="article:published_time" content="2020-09-03T20:00:00+05:30">'
        '<meta property="og:site_name" content="Example News">'
        '<link rel="canonical" href="https://example-news.com/talks"></head>'
        "<body><nav>Left Menu Home World</nav><article><h1>Rajnath Singh meets Shoigu</h1>"
        f"{paragraphs}</article><footer>Subscribe to our newsletter</footer></body></html>",
        encoding="utf-8",
    )
    report = ingest(db_path, page)
    assert report.new == 1, report.skipped
    with Newsweave(db_path) as nw:
        (article,) = nw.articles()
    assert article.title == "Rajnath Singh meets Shoigu"
    assert article.published == "2020-09-03"
    assert "Left Menu" not in article.text and "Paragraph 5" in article.text


def test_bad_inputs_each_get_one_line_and_the_rest_lands(db_path: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(bytes(range(256)) * 50)
    no_article = tmp_path / "nav.html"
    no_article.write_text("<html><body><nav>Home</nav><p>Cookies</p></body></html>")
    empty_dir = tmp_path / "nothing"
    empty_dir.mkdir()
    (empty_dir / "notes.bin").write_bytes(b"x")
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as fh:  # sparse: 200 MB without writing 200 MB
        fh.truncate(200 * 1024 * 1024)
    missing = tmp_path / "missing.txt"
    report = ingest(db_path, seed_path("000"), empty, binary, no_article, empty_dir, huge, missing)
    assert report.new == 1
    reasons = {str(e).split(": ", 1)[0]: str(e).split(": ", 1)[1] for e in report.skipped}
    assert reasons == {
        str(empty): "empty file; skipped",
        str(binary): "binary file (not text); skipped",
        str(no_article): "HTML page with no article text found; skipped",
        str(empty_dir): "directory contains no article files",
        str(huge): "file too large (200 MB > 64 MB limit); skipped",
        str(missing): "no such file or directory",
    }
    assert all("\n" not in str(e) for e in report.skipped)


def test_globs_and_recursion(tmp_path: Path) -> None:
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    (nested / "x.txt").write_text(BODY)
    (tmp_path / "a" / "y.txt").write_text(BODY)
    found = [i for i in discover([str(tmp_path / "a")]) if isinstance(i, InputFile)]
    assert [p.path.name for p in found] == ["y.txt", "x.txt"] or len(found) == 2
    globbed = [i for i in discover([str(tmp_path / "a" / "**" / "*.txt")])]
    assert len(globbed) == 2


def test_failed_batch_leaves_store_as_it_was(db_path: Path, seeds_dir: Path) -> None:
    ingest(db_path, seed_path("000"))
    store = Store(db_path)
    before = [a.id for a in store.articles()]
    from newsweave.clean import clean

    (doc,) = list(read_file(InputFile(seed_path("001"), "text")))
    with pytest.raises(RuntimeError), store.transaction() as conn:
        store.insert_articles(conn, [clean(doc)])
        raise RuntimeError("crash mid-batch")
    assert [a.id for a in store.articles()] == before
    assert store.integrity_check() == "ok"
    store.close()


def test_migrations_are_recorded_and_rerunnable(db_path: Path) -> None:
    Store(db_path).close()
    store = Store(db_path)
    assert "core/0001_articles" in store.applied_migrations()
    assert len(store.applied_migrations()) == len(set(store.applied_migrations()))
    store.close()


def test_corrupt_store_is_a_typed_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="bad.db: cannot open store"):
        Store(bad)


def test_fts_search_finds_stemmed_terms(db_path: Path, seeds_dir: Path) -> None:
    ingest(db_path, seeds_dir)
    with Newsweave(db_path) as nw:
        hits = nw.search("rifle Sputnik")
        assert [a.title for a, _ in hits] == [
            "Rajnath holds talks with Russian counterpart to bolster defence, strategic cooperation"
        ]
        assert nw.search('") OR 1=1 --') == []


def test_input_error_is_typed() -> None:
    err = InputError("a.txt", "empty file; skipped")
    assert str(err) == "a.txt: empty file; skipped" and err.path == "a.txt"


def test_wal_mode(db_path: Path) -> None:
    Store(db_path).close()
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_cyrillic_cp1251_is_not_read_as_latin1(tmp_path: Path) -> None:
    text = "Министр обороны России Сергей Шойгу провёл переговоры в Москве в четверг. " * 3
    path = tmp_path / "ru.txt"
    path.write_bytes(text.encode("cp1251"))
    (doc,) = list(read_file(InputFile(path, "text")))
    assert "Шойгу" in doc.text


def test_jsonl_lone_surrogate_escapes_are_stored(db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "odd.jsonl"
    path.write_text('{"title": "Bad \\udc00 title", "text": "' + BODY + ' \\ud800"}\n')
    report = ingest(db_path, path)
    assert (report.new, report.skipped) == (1, [])
    with Newsweave(db_path) as nw:
        (article,) = nw.articles()
    assert article.title == "Bad \ufffd title" and article.text.endswith("\ufffd")


def test_input_error_pickles() -> None:
    import pickle

    err = pickle.loads(pickle.dumps(InputError("a.txt", "empty file; skipped")))
    assert (err.path, err.reason, str(err)) == (
        "a.txt",
        "empty file; skipped",
        "a.txt: empty file; skipped",
    )
