"""Store faults (issue #15): concurrent creation, a newer schema, disk full, read-only file or
folder, corruption. Each is one ``newsweave: error:`` line with exit 2, never a traceback, and
a store from a newer version is never written to. Real processes, real SQLite files."""

from __future__ import annotations

import hashlib
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsweave.cli import cli as cli_group
from newsweave.errors import StoreError
from newsweave.store import Store
from newsweave.store.schema import NewerStoreError
from tests.conftest import unprivileged
from tests.test_hostile_input import GOOD, good_files

SRC = str(Path(__file__).resolve().parents[1] / "src")


def cli(*args: str, preexec_fn=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from newsweave.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": SRC},
        timeout=300,
        preexec_fn=preexec_fn,
    )


def one_error_line(stderr: str, *needles: str) -> str:
    assert "Traceback" not in stderr, stderr
    (line,) = stderr.strip().splitlines()
    assert line.startswith("newsweave: error: "), line
    for needle in needles:
        assert needle in line, line
    return line


def test_processes_creating_one_new_store_at_once_all_succeed(tmp_path: Path) -> None:
    script = (
        "import sys, time\n"
        "from newsweave.store import Store\n"
        "time.sleep(max(0.0, float(sys.argv[2]) - time.time()))\n"
        "Store(sys.argv[1]).close()\n"
    )
    env = {**os.environ, "PYTHONPATH": SRC}
    for trial in range(2):
        db = tmp_path / f"new{trial}.db"
        start = time.time() + 2.0  # every process imported and waiting by then
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", script, str(db), str(start)],
                env=env,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(4)
        ]
        errors = [p.communicate(timeout=120)[1] for p in procs]
        assert [p.returncode for p in procs] == [0] * 4, errors
        with Store(db) as store:
            names = store.applied_migrations()
        assert len(names) == len(set(names)) and "core/0001_articles" in names


def _future_store(path: Path) -> str:
    with Store(path) as store:
        with store.transaction() as conn:
            conn.execute("INSERT INTO migrations(name) VALUES ('core/9999_from_the_future')")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_store_from_a_newer_version_is_refused_and_not_written(tmp_path: Path) -> None:
    db = tmp_path / "future.db"
    digest = _future_store(db)
    with pytest.raises(NewerStoreError, match="newer newsweave"):
        Store(db)
    with pytest.raises(StoreError, match="core/9999_from_the_future"):
        Store(db, read_only=True)
    good_files(tmp_path / "in", 2)
    for args in (("ingest", str(tmp_path / "in")), ("analyze",), ("articles",)):
        proc = cli("--db", str(db), *args)
        assert proc.returncode == 2, (args, proc.stderr)
        one_error_line(proc.stderr, str(db), "written by a newer newsweave")
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest


def _limit_file_size(nbytes: int):
    def limit() -> None:
        # A file may grow to nbytes, then writes fail as on a full disk (EFBIG, not a signal).
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, nbytes))

    return limit


def test_disk_full_is_one_line_exit_2(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(300):
        (folder / f"a{i:03d}.txt").write_text(f"Report {i}\n\n" + f"Report {i}. {GOOD} " * 20)
    db = tmp_path / "full.db"
    Store(db).close()  # the empty store fits; its articles do not
    proc = cli(
        "--db",
        str(db),
        "ingest",
        "--no-analyze",
        "--batch-size",
        "20",
        str(folder),
        preexec_fn=_limit_file_size(db.stat().st_size + 256 * 1024),
    )
    assert proc.returncode == 2, proc.stderr
    one_error_line(proc.stderr, str(db), "disk full")
    with Store(db) as store:  # what committed is intact
        assert store.integrity_check() == "ok"


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli_group, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.stderr


def test_read_only_store_file_and_folder(open_tmp: Path) -> None:
    good_files(open_tmp / "in", 2)
    (open_tmp / "in").chmod(0o755)
    for f in (open_tmp / "in").iterdir():
        f.chmod(0o644)
    ro_file = open_tmp / "file" / "s.db"
    ro_folder = open_tmp / "folder" / "s.db"
    for db in (ro_file, ro_folder):
        _invoke("--db", str(db), "ingest", "--no-analyze", str(open_tmp / "in" / "good0.txt"))
        db.parent.chmod(0o777)
        for f in db.parent.iterdir():
            f.chmod(0o666)
    ro_file.chmod(0o444)
    ro_folder.parent.chmod(0o555)
    (ro_folder.parent / "s.db-wal").unlink(missing_ok=True)
    (ro_folder.parent / "s.db-shm").unlink(missing_ok=True)
    try:
        with unprivileged():
            code_file, err_file = _invoke("--db", str(ro_file), "ingest", str(open_tmp / "in"))
            code_dir, err_dir = _invoke("--db", str(ro_folder), "ingest", str(open_tmp / "in"))
    finally:
        ro_folder.parent.chmod(0o755)
    assert code_file == 2 and code_dir == 2
    one_error_line(err_file, str(ro_file), "read-only")
    one_error_line(err_dir, str(ro_folder), "cannot open store")


def test_corruption_deep_in_the_file_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(200):
        (folder / f"a{i:03d}.txt").write_text(f"Report {i}\n\n" + f"Report {i}. {GOOD} " * 10)
    db = tmp_path / "s.db"
    proc = cli("--db", str(db), "ingest", "--no-analyze", str(folder))
    assert proc.returncode == 0, proc.stderr
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = conn.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(db.read_bytes())
    middle = (len(data) // page // 2) * page
    data[middle : middle + 4 * page] = b"\xa5" * (4 * page)
    db.write_bytes(bytes(data))
    outcomes = [cli("--db", str(db), *args) for args in (("search", "bridge"), ("analyze",))]
    assert any(p.returncode == 2 for p in outcomes)
    for proc in outcomes:
        assert "Traceback" not in proc.stderr
        if proc.returncode:
            assert proc.returncode == 2
            one_error_line(proc.stderr, str(db), "corrupt")
