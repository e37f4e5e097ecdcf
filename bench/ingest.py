"""Ingest + clean throughput on a real corpus (default: Timeline17 in ../shared/data).

Reads every article under --data into a fresh SQLite store (one process, one core) and
prints articles/s, MB/s and peak RSS. Derived stages are not run: this measures ingest.

    python bench/ingest.py [--data PATH] [--repeat N]

WARC mode (``--warc``): the articles under --data, cleaned, are rendered as HTML pages
with their metadata in the markup (bench/_pages.py: canonical link, og:site_name,
article:published_time, site furniture) and written as a gzipped WARC of request +
response records; the product's ingest then reads that archive (streamed, HTML responses
only, trafilatura extraction, cleaning, store). Each measurement runs in a fresh child
process so its peak RSS is its own; ``--scales 1,4`` repeats the archive's pages under new
addresses to show memory does not grow with the file size.

    python bench/ingest.py --warc [--data PATH] [--scales 1,4] [--limit N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import default_data, emit, log, peak_rss_mb  # noqa: E402
from newsweave.ingest import discover  # noqa: E402
from newsweave.pipeline import ingest_paths  # noqa: E402
from newsweave.store import Store  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=default_data("timeline17"))
    parser.add_argument("--repeat", type=int, default=1, help="runs; the best is reported")
    parser.add_argument("--warc", action="store_true", help="measure ingest of a WARC file")
    parser.add_argument("--scales", default="1,4", help="WARC sizes, in copies of the corpus")
    parser.add_argument("--limit", type=int, default=None, help="WARC: at most N articles")
    parser.add_argument("--_child", nargs=2, metavar=("WARC", "PAGES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._child:
        warc_child(Path(args._child[0]), int(args._child[1]))
        return
    if not args.data.exists():
        sys.exit(f"bench/ingest.py: {args.data}: no such data directory")
    if args.warc:
        warc_main(args)
        return
    # Timeline17 keeps articles under <topic>_<outlet>/InputDocs/ beside its gold timelines.
    inputs = sorted(str(p) for p in args.data.glob("*/InputDocs")) or [str(args.data)]
    files = [f for f in discover(inputs) if hasattr(f, "path")]
    total_bytes = sum(f.path.stat().st_size for f in files)
    best = None
    for run in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(Path(tmp) / "bench.db")
            start = time.perf_counter()
            report = ingest_paths(store, inputs)
            elapsed = time.perf_counter() - start
            store.close()
        log(f"run {run + 1}: {report.summary()} in {elapsed:.2f} s")
        if best is None or elapsed < best[0]:
            best = (elapsed, report)
    assert best is not None
    elapsed, report = best
    stored = report.new + report.existing
    emit(
        {
            "bench": "ingest",
            "data": str(args.data),
            "files": len(files),
            "articles": stored,
            "skipped": len(report.skipped),
            "seconds": round(elapsed, 3),
            "articles_per_s": round(stored / elapsed, 1),
            "mb_per_s": round(total_bytes / 1e6 / elapsed, 2),
            "peak_rss_mb": peak_rss_mb(),
        }
    )


def _inputs(data: Path) -> list[str]:
    return sorted(str(p) for p in data.glob("*/InputDocs")) or [str(data)]


def build_warc(data: Path, out: Path, scale: int, limit: int | None) -> tuple[int, int]:
    """Render the cleaned articles as HTML pages and write them ``scale`` times (new
    addresses each time) into a gzipped WARC; return (pages, bytes)."""
    from _pages import Page, render_page, write_warc
    from newsweave.pipeline import read_and_clean
    from newsweave.records import Article

    articles = []
    for item in discover(_inputs(data)):
        if not hasattr(item, "path"):
            continue
        articles.extend(a for a in read_and_clean(item) if isinstance(a, Article))
        if limit is not None and len(articles) >= limit:
            break
    articles = articles[:limit] if limit is not None else articles

    def records():
        for copy in range(scale):
            for n, art in enumerate(articles):
                outlet = (art.outlet or "news").lower()
                base = f"https://www.{outlet}.example"
                words = art.text.split()
                page = Page(
                    path=f"/{copy}/{n}-{art.id[:8]}.html",
                    title=" ".join(words[:14]).rstrip(",.;:"),
                    text=art.text,
                    published=art.published,
                    site_name=art.outlet,
                )
                yield base + page.path, render_page(page, base), "text/html; charset=utf-8"

    with out.open("wb") as fh:
        pages = write_warc(fh, records())
    return pages, out.stat().st_size


def warc_child(warc: Path, pages: int) -> None:
    """One measurement in this fresh process: ingest the archive into a new store."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db")
        start = time.perf_counter()
        cpu_start = time.process_time()
        report = ingest_paths(store, [str(warc)])
        elapsed = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
        count = store.article_count()
        store.close()
    emit(
        {
            "pages": pages,
            "articles": count,
            "skipped": len(report.skipped),
            "seconds": round(elapsed, 3),
            "cpu_seconds": round(cpu, 3),
            "peak_rss_mb": peak_rss_mb(),
        }
    )


def warc_main(args: argparse.Namespace) -> None:
    import json
    import subprocess

    scales = [int(x) for x in args.scales.split(",")]
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for scale in scales:
            warc = Path(tmp) / f"timeline17-x{scale}.warc.gz"
            start = time.perf_counter()
            pages, size = build_warc(args.data, warc, scale, args.limit)
            log(
                f"built {warc.name}: {pages} pages, {size / 1e6:.1f} MB "
                f"in {time.perf_counter() - start:.1f} s"
            )
            best = None
            for _ in range(args.repeat):
                proc = subprocess.run(
                    [sys.executable, __file__, "--_child", str(warc), str(pages)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                result = json.loads(proc.stdout.strip().splitlines()[-1])
                log(f"x{scale}: {result}")
                if best is None or result["cpu_seconds"] < best["cpu_seconds"]:
                    best = result
            assert best is not None
            best.update(scale=scale, warc_mb=round(size / 1e6, 1))
            best["pages_per_s"] = round(best["pages"] / best["seconds"], 1)
            best["pages_per_cpu_s"] = round(best["pages"] / best["cpu_seconds"], 1)
            runs.append(best)
            warc.unlink()
    first = runs[0]
    emit(
        {
            "bench": "ingest-warc",
            "data": str(args.data),
            "pages": first["pages"],
            "articles": first["articles"],
            "skipped": first["skipped"],
            "warc_mb": first["warc_mb"],
            "seconds": first["seconds"],
            "cpu_seconds": first["cpu_seconds"],
            "pages_per_s": first["pages_per_s"],
            "pages_per_cpu_s": first["pages_per_cpu_s"],
            "peak_rss_mb": first["peak_rss_mb"],
            "scales": [
                {
                    k: r[k]
                    for k in (
                        "scale",
                        "pages",
                        "warc_mb",
                        "pages_per_s",
                        "pages_per_cpu_s",
                        "peak_rss_mb",
                    )
                }
                for r in runs
            ],
        }
    )


if __name__ == "__main__":
    main()
