"""Bounded per-process caches, least recently used out first.

The stages keep what they made of a record between deliveries of a feed (an event an
article joins is analysed again with most of its articles as they were), each in one
module-level cache per process. Those caches hold whatever the next call may ask again, so
they must be bounded: :class:`Kept` is a dict that holds at most ``limit`` entries and,
past it, drops the least recently used first. A dict keeps insertion order, so no second
structure is needed: an entry that is used is moved to the end (taken out and put back),
and the first entry is the least recently used one.

A cache never changes what a stage returns, only how soon: whichever entries it dropped,
a call gives what a fresh process gives. It is a plain dict otherwise (``clear``,
``update``, ``in``, ``len``, ``del``), so tests empty, copy or restore it as one.

:class:`KeptBy` keys an entry by the object it was made from (its ``id``: records are
compared by value, which costs as much as the work kept), holding the object beside the
value so that the id is never another object's (an id is reused once its object is gone).
"""

from __future__ import annotations

from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Kept(dict[K, V]):
    """A dict of at most ``limit`` entries in the order they were last used (least
    recently used first): :meth:`held` reads an entry and marks it used, :meth:`keep`
    puts one as the most recently used and drops the least recently used beyond
    ``limit``. An entry set directly (``cache[key] = value``) is not trimmed until
    :meth:`trim` (a caller that must find every entry it checked for before a batch of
    writes trims after the batch)."""

    __slots__ = ("limit",)

    def __init__(self, limit: int) -> None:
        if limit < 0:
            raise ValueError(f"a cache's limit is a number of entries, >= 0 (got {limit})")
        super().__init__()
        self.limit = limit

    def held(self, key: K) -> V | None:
        """The value kept for ``key``, now the most recently used; None when none is."""
        value = self.pop(key, None)
        if value is not None:
            self[key] = value
        return value

    def keep(self, key: K, value: V) -> V:
        """Keep ``value`` for ``key`` as the most recently used entry, drop the least
        recently used beyond the limit, and return ``value``."""
        self.pop(key, None)  # a key set again moves to the end
        self[key] = value
        if len(self) > self.limit:
            self.trim()
        return value

    def trim(self) -> None:
        """Drop the least recently used entries beyond the limit."""
        while len(self) > self.limit:
            del self[next(iter(self))]


class KeptBy(Kept[int, tuple[object, V]]):
    """A :class:`Kept` keyed by an object's identity: ``id(obj) -> (obj, value)``. Holding
    the object keeps its id from being another's while the entry lives, and the entry is
    used only for that very object (``is``), never for an equal one or one that got the id
    of an object since gone."""

    __slots__ = ()

    def held_for(self, obj: object) -> V | None:
        """The value kept for ``obj`` itself, now the most recently used; None when none is
        (an entry under its id made from another object is left to be replaced)."""
        # held() and keep() written out here: one call less per claim or mention asked
        key = id(obj)
        entry = self.pop(key, None)
        if entry is None:
            return None
        self[key] = entry
        return entry[1] if entry[0] is obj else None

    def keep_for(self, obj: object, value: V) -> V:
        """Keep ``value`` for ``obj`` (as :meth:`Kept.keep`) and return it."""
        key = id(obj)
        self.pop(key, None)
        self[key] = (obj, value)
        if len(self) > self.limit:
            self.trim()
        return value
