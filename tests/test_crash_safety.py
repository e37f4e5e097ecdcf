"""Crash safety: SIGKILL the ingest process at random points, resume, and get the clean store.

The ingest runs in a child process through the real CLI (``newsweave ingest --no-analyze``)
with small batches, so a kill lands before, inside and between transactions. After every
kill the store must pass ``PRAGMA integrity_check`` and never lose committed articles; after
the final resume it must hold exactly what an uninterrupted run stores: the same article
rows, the same file records, no duplicates, a consistent full-text index.

Kill points are drawn with a fixed seed, in start-up or inside a batch after the store grew
by a random amount, so the kills are spread over the whole topic (see ``_crash_loop``).
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SHARED_DATA

TIMELINE17 = SHARED_DATA / "timeline17"
BATCH_SIZE = 4

# The child imports everything first, then says "ready": the kill clock starts at real work.
DRIVER = """
import sys, time
from newsweave.cli import cli
print("ready", flush=True)
try:
    cli(sys.argv[1:], prog_name="newsweave")
finally:
    print("done", flush=True)
"""

ARTICLE_ROW = (
    "SELECT id, source_path, title, outlet, agency, dateline, published, url, text, removed,"
    " evidence FROM articles ORDER BY id"
)


def _start(db: Path, topic: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-c", DRIVER, "--db", str(db), "ingest", "--no-analyze"]
    cmd += ["--batch-size", str(BATCH_SIZE), str(topic)]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=dict(os.environ)
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    return proc


def _run_to_end(db: Path, topic: Path) -> float:
    """One uninterrupted ingest; returns seconds of work after start-up."""
    proc = _start(db, topic)
    start = time.perf_counter()
    proc.wait(timeout=300)
    elapsed = time.perf_counter() - start
    assert proc.returncode in (0, 1), f"ingest failed with exit code {proc.returncode}"
    return elapsed


def _wait_for_count(db: Path, at_least: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    """Poll the store read-only until it holds ``at_least`` articles or the child exits."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            try:
                count = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
            finally:
                conn.close()
        except sqlite3.OperationalError:  # not created yet
            count = 0
        if count >= at_least:
            return
        time.sleep(0.002)


def _check_integrity(db: Path) -> int:
    """integrity_check ok, FTS index consistent, seq dense; returns the article count."""
    if not db.exists():  # killed before the store was created
        return 0
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        if "articles" not in tables:  # killed before the first migration committed
            return 0
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")
        count, distinct, max_seq = conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT id), COALESCE(MAX(seq), 0) FROM articles"
        ).fetchone()
        assert count == distinct, "duplicated article rows"
        assert max_seq == count, "gap in article seq: a half-written batch survived"
        fts_rows = conn.execute("SELECT COUNT(*) FROM articles_fts_docsize").fetchone()[0]
        assert fts_rows == count, "full-text index out of step with articles"
        return count
    finally:
        conn.close()


def _contents(db: Path) -> tuple[list[tuple], list[tuple]]:
    conn = sqlite3.connect(db)
    try:
        articles = conn.execute(ARTICLE_ROW).fetchall()
        files = conn.execute(
            "SELECT source_path, fingerprint, articles FROM ingested_files ORDER BY source_path"
        ).fetchall()
        return articles, files
    finally:
        conn.close()


def _crash_loop(tmp_path: Path, topic: Path, kills: int, seed: int) -> dict:
    if not topic.exists():
        pytest.skip(f"{topic} not present")
    clean_db, crashed_db = tmp_path / "clean.db", tmp_path / "crashed.db"
    work_s = _run_to_end(clean_db, topic)
    clean_count = _check_integrity(clean_db)
    # A resume of a finished ingest: start-up, discovery and fingerprint checks, no work.
    restart_s = _run_to_end(clean_db, topic)
    # Each kill picks, at random (fixed seed), either a point in start-up (migrations,
    # discovery, the fingerprint scan of finished files) or a point inside the batch after
    # the store has grown by a random number of articles: the test watches the store through
    # a read-only connection (WAL) and then sleeps a random fraction of one batch's time, so
    # the SIGKILL lands while reading, cleaning or committing. Every kill leaves work undone.
    batches = max(1, clean_count // BATCH_SIZE)
    batch_s = max(work_s - restart_s, 0.01) / batches
    rng = random.Random(seed)
    killed_running = 0
    counts: list[int] = []
    for _ in range(kills):
        before = counts[-1] if counts else 0
        wanted = before + rng.randint(1, 2)  # the next commit or the one after
        proc = _start(crashed_db, topic)
        if rng.random() < 0.2 or wanted >= clean_count:
            time.sleep(rng.uniform(0, 0.8 * restart_s))  # start-up takes restart_s
        else:
            _wait_for_count(crashed_db, wanted, proc)
            time.sleep(rng.uniform(0, batch_s))
        if proc.poll() is None:
            killed_running += 1
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        count = _check_integrity(crashed_db)
        assert count >= before, "a committed batch was lost after a kill"
        counts.append(count)
    _run_to_end(crashed_db, topic)
    assert _check_integrity(crashed_db) == clean_count
    clean_articles, clean_files = _contents(clean_db)
    crashed_articles, crashed_files = _contents(crashed_db)
    assert [r[0] for r in crashed_articles] == [r[0] for r in clean_articles]  # same ids
    assert crashed_articles == clean_articles  # same rows, field by field
    assert crashed_files == clean_files  # every file recorded once, with its count
    # Resuming once more finds nothing to do.
    _run_to_end(crashed_db, topic)
    assert _contents(crashed_db) == (clean_articles, clean_files)
    figures = {
        "topic": topic.parent.name,
        "kills": kills,
        "killed_while_running": killed_running,
        "distinct_article_counts_at_kills": len(set(counts)),
        "articles": clean_count,
        "seed": seed,
        "counts": counts,
        "clean_run_s": round(work_s, 3),
        "restart_s": round(restart_s, 3),
    }
    print(figures)
    return figures


def test_crash_resume_small_topic(tmp_path: Path) -> None:
    """Default suite: 5 kills over one small Timeline17 topic."""
    figures = _crash_loop(tmp_path, TIMELINE17 / "bpoil_bbc" / "InputDocs", kills=5, seed=8)
    assert figures["killed_while_running"] >= 3


@pytest.mark.slow
def test_crash_resume_50_kills(tmp_path: Path) -> None:
    """50 SIGKILLs at random points over a Timeline17 topic, resuming each time."""
    topic = TIMELINE17 / "LibyaWar_reuters" / "InputDocs"
    figures = _crash_loop(tmp_path, topic, kills=50, seed=2026)
    # Most kills must interrupt real work (not a finished process), spread over the topic.
    assert figures["killed_while_running"] >= 40
    assert figures["distinct_article_counts_at_kills"] >= 10
