"""bench/fuzz.py --whole-run as a test: the real ingest + analyze over a folder mixing good and
hostile files stores every good article, names every bad file, prints no traceback. Slow (the
real models run twice); the default suite covers each hostile kind on its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_whole_run_loses_nothing_and_names_every_bad_file() -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "fuzz.py"), "--whole-run", "--mutants", "20"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        timeout=3600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    assert figures["failures"] == 0, figures.get("failure_samples")
    assert figures["good_articles_lost"] == 0
    assert figures["inputs"] > 50
