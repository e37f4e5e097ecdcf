"""Ingest + clean throughput on a real corpus (default: Timeline17 in ../shared/data).

Reads every article under --data into a fresh SQLite store (one process, one core) and
prints articles/s, MB/s and peak RSS. Derived stages are not run: this measures ingest.

    python bench/ingest.py [--data PATH] [--repeat N]
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
    args = parser.parse_args()
    if not args.data.exists():
        sys.exit(f"bench/ingest.py: {args.data}: no such data directory")
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


if __name__ == "__main__":
    main()
