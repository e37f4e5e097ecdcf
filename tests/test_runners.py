"""Runners: the in-process and the Dask runner give the same results and the same stores.

One local Dask cluster (2 worker processes, 127.0.0.1) is started for the whole module.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsweave import pipeline
from newsweave.api import Newsweave
from newsweave.cli import cli
from newsweave.errors import StageError
from newsweave.runners import LocalRunner, current_runner, make_runner, use_runner
from tests.conftest import SEEDS, SHARED_DATA

TOPIC = SHARED_DATA / "timeline17" / "LibyaWar_reuters" / "InputDocs"

# Derived steps cheap enough to run twice on a whole topic in the default suite; the full
# analysis of a topic through both runners is the slow test below.
CHEAP_STEPS = ("copies",)


@pytest.fixture(scope="module")
def dask_runner() -> Iterator:
    pytest.importorskip("distributed")
    runner = make_runner("dask", workers=2)
    # Small chunks and window so the streaming path (many chunks in flight) is exercised.
    runner.chunk_size = 4
    runner.max_in_flight = 3
    yield runner
    runner.close()


def _export(db: Path, paths: list[Path], runner, only: tuple[str, ...] | None) -> dict:
    with Newsweave(db) as nw:
        report = nw.ingest(paths, analyze=False, batch_size=16, runner=runner)
        assert report.new > 0
        wanted = None if only is None else [s.name for s in pipeline.STEPS if s.name in only]
        nw.analyze(wanted, runner=runner)
        return nw.export()


def test_map_keeps_order_across_chunks(dask_runner) -> None:
    items = [float(i) for i in range(103)]  # 103: the last chunk is a partial one
    expected = [math.sqrt(x) for x in items]
    assert list(LocalRunner().map(math.sqrt, items)) == expected
    assert list(dask_runner.map(math.sqrt, items)) == expected
    assert list(dask_runner.map(math.sqrt, items, chunk_size=50)) == expected
    assert list(dask_runner.map(math.sqrt, [])) == []


def test_map_streams_with_a_bounded_window(dask_runner) -> None:
    """The runner pulls at most max_in_flight chunks ahead of what the caller consumed."""
    pulled = 0

    def source() -> Iterator[str]:
        nonlocal pulled
        for i in range(400):
            pulled += 1
            yield str(i)

    limit = dask_runner.max_in_flight * dask_runner.chunk_size
    consumed = 0
    for value in dask_runner.map(len, source()):
        consumed += 1
        assert value == len(str(consumed - 1))
        assert pulled - consumed <= limit
    assert consumed == 400

    pulled = 0
    for consumed, _ in enumerate(LocalRunner().map(len, source()), 1):
        assert pulled == consumed  # in-process: nothing read ahead


def test_worker_exception_reaches_the_caller(dask_runner) -> None:
    with pytest.raises(ValueError, match="invalid literal"):
        list(dask_runner.map(int, ["1", "2", "three", "4"]))
    # The runner stays usable after a failed map.
    assert list(dask_runner.map(int, ["5", "6"])) == [5, 6]


def test_seeds_identical_exports(tmp_path: Path, dask_runner) -> None:
    local = _export(tmp_path / "local.db", [SEEDS], LocalRunner(), only=None)
    dask = _export(tmp_path / "dask.db", [SEEDS], dask_runner, only=None)
    assert len(local["articles"]) == 5
    assert json.dumps(local, sort_keys=True) == json.dumps(dask, sort_keys=True)


def test_timeline17_topic_identical_exports(tmp_path: Path, dask_runner) -> None:
    if not TOPIC.exists():
        pytest.skip(f"{TOPIC} not present")
    local = _export(tmp_path / "local.db", [TOPIC], LocalRunner(), only=CHEAP_STEPS)
    dask = _export(tmp_path / "dask.db", [TOPIC], dask_runner, only=CHEAP_STEPS)
    assert len(local["articles"]) > 300
    assert [a["id"] for a in local["articles"]] == [a["id"] for a in dask["articles"]]
    assert json.dumps(local, sort_keys=True) == json.dumps(dask, sort_keys=True)


@pytest.mark.slow
def test_timeline17_topic_identical_full_analysis(tmp_path: Path, dask_runner) -> None:
    local = _export(tmp_path / "local.db", [TOPIC], LocalRunner(), only=None)
    dask = _export(tmp_path / "dask.db", [TOPIC], dask_runner, only=None)
    assert json.dumps(local, sort_keys=True) == json.dumps(dask, sort_keys=True)


def test_ingest_report_from_workers(tmp_path: Path, dask_runner) -> None:
    """Skipped inputs found on a worker come back as InputErrors naming the file."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_text("")
    (tmp_path / "in" / "bad.jsonl").write_text('{"text": "x"}\nnot json\n')
    (tmp_path / "in" / "ok.txt").write_text(sorted(SEEDS.iterdir())[0].read_text())
    reports = []
    for runner in (LocalRunner(), dask_runner):
        with Newsweave(tmp_path / f"{runner.name}.db") as nw:
            reports.append(nw.ingest([tmp_path / "in"], analyze=False, runner=runner))
    local, dask = reports
    assert local.new == dask.new == 1
    assert [str(e) for e in local.skipped] == [str(e) for e in dask.skipped]
    assert any("empty.txt" in e.path for e in dask.skipped)
    assert any("bad.jsonl:2" in e.path for e in dask.skipped)


def test_analyze_installs_the_runner_for_steps(tmp_path: Path, dask_runner) -> None:
    seen = []
    step = pipeline.Step("_runner_probe", lambda store, settings: seen.append(current_runner()))
    pipeline.STEPS.append(step)
    try:
        with Newsweave(tmp_path / "x.db") as nw:
            nw.analyze(["_runner_probe"], runner=dask_runner)
            nw.analyze(["_runner_probe"])
    finally:
        pipeline.STEPS.remove(step)
    assert seen[0] is dask_runner
    assert seen[1].name == "local"
    assert current_runner().name == "local"
    with use_runner(dask_runner):
        assert current_runner() is dask_runner
    assert current_runner().name == "local"


def test_cli_dask_on_a_running_scheduler(tmp_path: Path, dask_runner) -> None:
    db_local, db_dask = str(tmp_path / "l.db"), str(tmp_path / "d.db")
    cli_runner = CliRunner()
    args = ["ingest", "--no-analyze", str(SEEDS)]
    r1 = cli_runner.invoke(cli, ["--db", db_local, *args])
    r2 = cli_runner.invoke(
        cli, ["--db", db_dask, *args, "--runner", "dask", "--scheduler", dask_runner.scheduler]
    )
    assert r1.exit_code == 0, r1.output
    assert r2.exit_code == 0, r2.output
    assert "5 new" in r2.output
    e1 = cli_runner.invoke(cli, ["--db", db_local, "export", "--format", "jsonl"])
    e2 = cli_runner.invoke(cli, ["--db", db_dask, "export", "--format", "jsonl"])
    assert e1.output == e2.output and e1.output.count("\n") == 5


def test_bad_runner_options_are_one_line_errors(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["--db", str(tmp_path / "x.db"), "ingest", str(SEEDS), "--scheduler", "tcp://x:1"],
    )
    assert result.exit_code == 2
    assert "--scheduler needs --runner dask" in result.output
    with pytest.raises(StageError, match="unknown runner"):
        make_runner("spark")
