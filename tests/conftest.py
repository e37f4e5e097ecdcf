"""Shared fixtures: the seed articles (real input, shipped in examples/seeds) and stores."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsweave.ingest import discover
from newsweave.pipeline import read_and_clean
from newsweave.records import Article

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "examples" / "seeds"
SHARED_DATA = REPO.parent / "shared" / "data"


def seed_path(prefix: str) -> Path:
    """The seed file whose name starts with ``prefix`` ("000" .. "004")."""
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "news.db"


def load_articles(paths: list[str]) -> list[Article]:
    """Read and clean real files the way ingest does, sorted by path."""
    arts: list[Article] = []
    for item in discover(paths):
        arts.extend(a for a in read_and_clean(item) if isinstance(a, Article))
    return sorted(arts, key=lambda a: a.source_path)


@pytest.fixture(scope="session")
def seeds() -> dict[str, Article]:
    """Seed articles keyed by file prefix ("000" .. "004")."""
    return {Path(a.source_path).name[:3]: a for a in load_articles([str(SEEDS)])}
