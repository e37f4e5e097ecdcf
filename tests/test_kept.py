"""Bounded per-process caches: least recently used order, the bound, the identity guard."""

from __future__ import annotations

import gc

import pytest

from newsweave.kept import Kept, KeptBy


def test_an_entry_read_or_kept_becomes_the_most_recently_used() -> None:
    cache: Kept[str, int] = Kept(10)
    for k, v in (("a", 1), ("b", 2), ("c", 3)):
        assert cache.keep(k, v) == v
    assert list(cache) == ["a", "b", "c"]
    assert cache.held("a") == 1
    assert list(cache) == ["b", "c", "a"]
    cache.keep("b", 20)  # a key kept again moves to the end with its new value
    assert list(cache.items()) == [("c", 3), ("a", 1), ("b", 20)]
    assert cache.held("missing") is None
    assert list(cache) == ["c", "a", "b"]  # asking for what is absent changes nothing


def test_keeping_past_the_limit_drops_the_least_recently_used() -> None:
    cache: Kept[int, str] = Kept(3)
    for k in range(3):
        cache.keep(k, str(k))
    cache.held(0)  # 0 used last: 1 is now the least recently used
    cache.keep(3, "3")
    assert list(cache) == [2, 0, 3]
    cache.keep(4, "4")
    assert list(cache) == [0, 3, 4] and len(cache) == cache.limit
    assert cache.held(1) is None and cache.held(2) is None


def test_entries_set_directly_wait_for_trim() -> None:
    # a caller that checked which keys are held before a batch of writes sets them
    # directly and trims after, so no entry it found is dropped in between
    cache: Kept[int, int] = Kept(2)
    for k in range(5):
        cache[k] = k
    assert len(cache) == 5
    cache.trim()
    assert list(cache) == [3, 4]


def test_it_is_a_plain_dict_otherwise() -> None:
    cache: Kept[str, int] = Kept(2)
    cache.update({"a": 1, "b": 2})
    assert "a" in cache and dict(cache) == {"a": 1, "b": 2}
    del cache["a"]
    cache.clear()
    assert not cache and cache.limit == 2
    cache.limit = 0
    cache.keep("c", 3)
    assert not cache  # a limit of 0 keeps nothing
    with pytest.raises(ValueError, match="limit"):
        Kept(-1)


class _Record:
    def __init__(self, name: str) -> None:
        self.name = name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Record) and other.name == self.name

    __hash__ = None  # type: ignore[assignment]


def test_kept_by_object_answers_only_for_that_very_object() -> None:
    cache: KeptBy[str] = KeptBy(10)
    one, equal = _Record("x"), _Record("x")
    assert cache.keep_for(one, "made from one") == "made from one"
    assert id(one) in cache
    assert cache.held_for(one) == "made from one"
    assert cache.held_for(equal) is None  # equal, not the same object


def test_kept_by_object_ignores_an_entry_whose_id_was_recycled() -> None:
    cache: KeptBy[str] = KeptBy(10)
    first = _Record("first")
    cache.keep_for(first, "first's")
    # the id of an object that is gone may be given to a new one; an entry holds its
    # object, so a stale entry is only possible if one is put under another's id
    stale = _Record("stale")
    cache[id(first)] = (stale, "stale's")
    assert cache.held_for(first) is None
    cache.keep_for(first, "first's again")
    assert cache.held_for(first) == "first's again" and len(cache) == 1
    # and the entry keeps its object alive: the id cannot be given away meanwhile
    probe = _Record("probe")
    cache.keep_for(probe, "probe's")
    kept_id = id(probe)
    del probe
    gc.collect()
    assert cache[kept_id][0].name == "probe"


def test_kept_by_object_is_bounded_in_use_order() -> None:
    cache: KeptBy[int] = KeptBy(2)
    a, b, c = _Record("a"), _Record("b"), _Record("c")
    cache.keep_for(a, 1)
    cache.keep_for(b, 2)
    assert cache.held_for(a) == 1  # b is now the least recently used
    cache.keep_for(c, 3)
    assert cache.held_for(b) is None
    assert cache.held_for(a) == 1 and cache.held_for(c) == 3
