"""Shared fixtures: the seed articles (real input, shipped in examples/seeds) and stores."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
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


def timeline17_raw(topic: str, outlet: str, count: int) -> list[Article]:
    """The first ``count`` files of a Timeline17 topic (in path order) as uncleaned
    articles ``a00``, ``a01``, ... of ``outlet``, dated by their folder; the test is skipped
    where the corpus is not beside the repository."""
    folder = SHARED_DATA / "timeline17" / topic / "InputDocs"
    if not folder.exists():
        pytest.skip(f"Timeline17 {topic} not available")
    paths = sorted(folder.glob("*/*.txt"))[:count]
    return [
        Article(f"a{i:02d}", str(p), None, outlet, None, None, p.parent.name, p.read_text())
        for i, p in enumerate(paths)
    ]


@pytest.fixture(scope="session")
def seeds() -> dict[str, Article]:
    """Seed articles keyed by file prefix ("000" .. "004")."""
    return {Path(a.source_path).name[:3]: a for a in load_articles([str(SEEDS)])}


@contextlib.contextmanager
def unprivileged() -> Iterator[None]:
    """Drop root's power to read anything (root ignores file modes) for the block: the
    effective user becomes nobody, as an ordinary user running newsweave would be."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(65534)
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


@pytest.fixture
def open_tmp() -> Iterator[Path]:
    """A temporary folder every user may enter (pytest's tmp_path is private to its owner)."""
    path = Path(tempfile.mkdtemp(prefix="newsweave-test-"))
    path.chmod(0o755)
    yield path
    for root, dirs, _ in os.walk(path):
        for d in dirs:
            (Path(root) / d).chmod(0o755)
    shutil.rmtree(path)
