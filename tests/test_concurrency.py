"""Reads keep being answered while an ingest writes (SQLite WAL: readers never wait).

An ingest of a Timeline17 topic runs in a child process (the real CLI, small batches) while
this process reads the same store: through the Python API (read-only handle) and through
the web server (``newsweave serve`` in another child process) over HTTP. Every read must
succeed quickly, see a consistent snapshot, and watch the article count only grow.
"""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from newsweave.api import Newsweave
from tests.conftest import SEEDS, SHARED_DATA

TOPIC = SHARED_DATA / "timeline17" / "bpoil_bbc" / "InputDocs"
MAX_READ_S = 5.0  # a read blocked by the writer would wait for busy_timeout (10 s)


def _newsweave(*args: str) -> list[str]:
    return [sys.executable, "-c", "from newsweave.cli import main; main()", *args]


def _start_ingest(db: Path) -> subprocess.Popen:
    cmd = _newsweave("--db", str(db), "ingest", "--no-analyze", "--batch-size", "2", str(TOPIC))
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.fixture
def seeded_db(tmp_path: Path) -> Path:
    if not TOPIC.exists():
        pytest.skip(f"{TOPIC} not present")
    db = tmp_path / "news.db"
    with Newsweave(db) as nw:
        nw.ingest([SEEDS], analyze=False)
    return db


def test_api_reads_during_ingest(seeded_db: Path) -> None:
    proc = _start_ingest(seeded_db)
    counts: list[int] = []
    slowest = 0.0
    try:
        with Newsweave(seeded_db, read_only=True) as nw:
            while proc.poll() is None:
                start = time.perf_counter()
                conn = nw.store.conn
                # One read transaction = one snapshot: its tables must agree with each other.
                conn.execute("BEGIN")
                count, max_seq = conn.execute(
                    "SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM articles"
                ).fetchone()
                fts = conn.execute("SELECT COUNT(*) FROM articles_fts_docsize").fetchone()[0]
                hits = nw.search("Indian Russian defence", limit=5)
                conn.execute("COMMIT")
                slowest = max(slowest, time.perf_counter() - start)
                assert count == max_seq == fts, "a read saw a half-committed batch"
                assert hits, "seed articles vanished from search during the ingest"
                assert not counts or count >= counts[-1]
                counts.append(count)
                time.sleep(0.005)
    finally:
        proc.wait(timeout=120)
    assert proc.returncode in (0, 1)
    assert slowest < MAX_READ_S
    # The reads ran alongside the writes: they saw the store grow, batch by batch.
    assert len(set(counts)) >= 5, counts
    with Newsweave(seeded_db, read_only=True) as nw:
        assert nw.count() > counts[0]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_web_server_answers_during_ingest(seeded_db: Path) -> None:
    port = _free_port()
    server = subprocess.Popen(
        _newsweave("serve", "--db", str(seeded_db), "--port", str(port)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=MAX_READ_S) as client:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if client.get("/api/meta").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
            proc = _start_ingest(seeded_db)
            counts: list[int] = []
            slowest = 0.0
            try:
                while proc.poll() is None:
                    start = time.perf_counter()
                    meta = client.get("/api/meta")
                    found = client.get("/api/search", params={"q": "AK-203"})
                    slowest = max(slowest, time.perf_counter() - start)
                    assert meta.status_code == 200, meta.text
                    assert found.status_code == 200, found.text
                    counts.append(meta.json()["articles"])
                    assert counts[-1] >= counts[0]
            finally:
                proc.wait(timeout=120)
            assert proc.returncode in (0, 1)
            final = client.get("/api/meta").json()["articles"]
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert counts == sorted(counts), "the server's article count went backwards"
    assert len(counts) >= 3 and len(set(counts)) >= 2, counts
    assert slowest < MAX_READ_S
    conn = sqlite3.connect(seeded_db)
    try:
        assert final == conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
