"""Web archives as inputs: WARC (gzipped or not) and ARC files written here from the seed
pages, read record by record through the same ingest path (and through Dask)."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest
from bench._pages import Page, render_page, write_warc

from newsweave.api import Newsweave
from newsweave.records import Article
from newsweave.runners import make_runner
from tests.live_site import SITE_NAMES, seed_title

BASE = "https://news.example.org"


def seed_pages(seeds: dict[str, Article]) -> list[Page]:
    return [
        Page(
            path=f"/news/{prefix}.html",
            title=seed_title(article),
            text=article.text,
            published=article.published,
            site_name=SITE_NAMES[prefix],
        )
        for prefix, article in sorted(seeds.items())
    ]


def archive_records(seeds: dict[str, Article]) -> Iterator[tuple[str, bytes, str]]:
    for page in seed_pages(seeds):
        yield BASE + page.path, render_page(page, BASE), "text/html; charset=utf-8"
    yield BASE + "/report.pdf", b"%PDF-1.4 not a page", "application/pdf"
    yield BASE + "/robots.txt", b"User-agent: *\nAllow: /\n", "text/plain"


@pytest.fixture
def warc_gz(tmp_path: Path, seeds: dict[str, Article]) -> Path:
    path = tmp_path / "crawl.warc.gz"
    with path.open("wb") as out:
        assert write_warc(out, archive_records(seeds)) == 7
    return path


def test_warc_gz_html_responses_become_articles_once(
    warc_gz: Path, db_path: Path, seeds: dict[str, Article]
) -> None:
    with Newsweave(db_path) as nw:
        report = nw.ingest([warc_gz], analyze=False)
        assert (report.new, report.skipped) == (5, [])
        stored = {a.url: a for a in nw.articles()}
        for page, prefix in zip(seed_pages(seeds), sorted(seeds), strict=True):
            article = stored[BASE + page.path]
            assert article.title == page.title
            assert article.published == seeds[prefix].published
            assert article.source_path == BASE + page.path
            # og:site_name, else the domain; never the archive's file name
            assert article.outlet == (page.site_name or "news.example.org")
        again = nw.ingest([warc_gz], analyze=False)
        assert (again.new, again.existing, again.unchanged_files) == (0, 5, 1)


def test_plain_warc_and_same_ids_as_gzipped(warc_gz: Path, tmp_path: Path, db_path: Path) -> None:
    plain = tmp_path / "crawl.warc"
    # a multi-member gzip file decompresses to the concatenated records
    plain.write_bytes(gzip.decompress(warc_gz.read_bytes()))
    with Newsweave(db_path) as nw:
        nw.ingest([warc_gz], analyze=False)
        ids = {a.id for a in nw.articles()}
    with Newsweave(tmp_path / "plain.db") as nw:
        report = nw.ingest([plain], analyze=False)
        assert report.new == 5
        assert {a.id for a in nw.articles()} == ids


def _arc_record(url: str, body: bytes, content_type: str) -> bytes:
    http = (
        f"HTTP/1.0 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    header = f"{url} 127.0.0.1 20200904093000 {content_type} {len(http)}\n".encode()
    return header + http + b"\n"


def test_arc_file(tmp_path: Path, db_path: Path, seeds: dict[str, Article]) -> None:
    pages = list(archive_records(seeds))
    version = b"1 0 newsweave\nURL IP-address Archive-date Content-type Archive-length\n"
    filedesc = f"filedesc://crawl.arc 0.0.0.0 20200904093000 text/plain {len(version)}\n"
    members = [filedesc.encode() + version + b"\n"]
    members += [_arc_record(u, b, t.split(";")[0]) for u, b, t in pages]
    path = tmp_path / "crawl.arc.gz"
    # one gzip member per record, as crawlers write them
    path.write_bytes(b"".join(gzip.compress(m) for m in members))
    with Newsweave(db_path) as nw:
        report = nw.ingest([path], analyze=False)
        assert (report.new, report.skipped) == (5, [])
    # one gzip stream over the whole file cannot be read record by record: one line
    whole = tmp_path / "whole.arc.gz"
    whole.write_bytes(gzip.compress(b"".join(members)))
    with Newsweave(tmp_path / "whole.db") as nw:
        report = nw.ingest([whole], analyze=False)
        assert len(report.skipped) == 1
        assert "warcio recompress" in report.skipped[0].reason


def test_damaged_archive_keeps_what_it_read_and_says_where(
    warc_gz: Path, tmp_path: Path, db_path: Path
) -> None:
    data = warc_gz.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    # keep the first members whole, then half a member
    cut.write_bytes(data[: int(len(data) * 0.6)])
    with Newsweave(db_path) as nw:
        report = nw.ingest([cut], analyze=False)
        assert 1 <= report.new < 5
        assert len(report.skipped) == 1
        line = str(report.skipped[0])
        assert line.startswith(str(cut) + ": ") and "rest skipped" in line
        assert "\n" not in line
    junk = tmp_path / "junk.warc.gz"
    junk.write_bytes(b"this is not an archive at all" * 10)
    with Newsweave(tmp_path / "junk.db") as nw:
        report = nw.ingest([junk], analyze=False)
        assert report.new == 0 and len(report.skipped) == 1
        assert str(report.skipped[0]).startswith(str(junk) + ": ")


def test_archive_through_dask_stores_the_same(warc_gz: Path, tmp_path: Path, db_path: Path) -> None:
    pytest.importorskip("distributed")
    with Newsweave(db_path) as nw:
        nw.ingest([warc_gz], analyze=False)
        local = [(a.id, a.title, a.outlet, a.published) for a in nw.articles()]
    runner = make_runner("dask", workers=1)
    try:
        with Newsweave(tmp_path / "dask.db") as nw:
            report = nw.ingest([warc_gz], analyze=False, runner=runner, batch_size=2)
            assert report.new == 5
            remote = [(a.id, a.title, a.outlet, a.published) for a in nw.articles()]
    finally:
        runner.close()
    assert remote == local


def test_iter_archive_yields_html_pages_only(warc_gz: Path) -> None:
    """Request records, the PDF and robots.txt are passed over; pages keep their order."""
    from newsweave.ingest.warc import iter_archive

    records = iter_archive(warc_gz)
    first = next(records)
    assert not isinstance(first, Exception)
    assert first.path == BASE + "/news/000.html" and first.archive == str(warc_gz)
    assert [p.path.rsplit("/", 1)[1] for p in records] == [
        "001.html",
        "002.html",
        "003.html",
        "004.html",
    ]
