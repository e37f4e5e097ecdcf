"""Full-text search over a real store of the seeds: alias-aware through the entity stage."""

from __future__ import annotations

import pytest

from newsweave.api import Newsweave

from .conftest import SEEDS


@pytest.fixture(scope="module")
def nw(tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("search") / "news.db"
    with Newsweave(db) as api:
        api.ingest([SEEDS], analyze=False)
        yield api


def _variants(nw: Newsweave) -> dict[str, set[str]]:
    """Article ids whose text carries each spelling of the rifle."""
    out: dict[str, set[str]] = {"AK-203": set(), "AK203": set(), "AK-47 203": set()}
    for a in nw.articles():
        for form in out:
            if form in a.text:
                out[form].add(a.id)
    return out


def test_search_is_alias_aware_once_entities_are_resolved(nw: Newsweave) -> None:
    variants = _variants(nw)
    assert all(variants.values())  # every spelling occurs in some seed
    plain = {a.id for a, _ in nw.search("AK-203")}
    assert not variants["AK-47 203"] <= plain  # plain FTS misses the other spellings
    nw.analyze(only=["nlp"])
    found = {a.id for a, _ in nw.search("AK-203")}
    assert set().union(*variants.values()) <= found
    # other terms still narrow the result, and aliases work from any spelling
    assert {a.id for a, _ in nw.search("ak203")} == found
    assert {a.id for a, _ in nw.search("AK-203 zzyzxunfindable")} == set()


def test_search_without_an_alias_is_unchanged(nw: Newsweave) -> None:
    hits = nw.search("Sputnik")
    assert len(hits) == 1 and "[Sputnik]" in hits[0][1]
