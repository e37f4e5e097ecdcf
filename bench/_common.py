"""Shared conventions of the bench scripts: data paths, peak RSS, the last-line JSON."""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


def default_data(name: str) -> Path:
    return SHARED_DATA / name


def peak_rss_mb(include_children: bool = False) -> float:
    """Peak resident set size of this process (and optionally its children), in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if include_children:
        peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return round(peak / 1024, 1)


def log(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


def emit(figures: dict) -> None:
    """Print the figures as one JSON object on the last line of stdout."""
    print(json.dumps(figures, sort_keys=False))
