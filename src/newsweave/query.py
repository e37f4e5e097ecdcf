"""Search queries as people type them: words, "phrases", and filters by entity (any alias),
outlet (name or domain) and date.

    shoigu "arms supply" entity:"Rajnath Singh" outlet:thehindu.com since:2020-09-01

:func:`parse_query` turns the text into a :class:`SearchQuery` (pure); the API runs it over the
store. Words and phrases are full-text terms (all must match, stemmed); each ``entity:`` must be
mentioned (the name or any alias of a resolved entity); each ``outlet:`` widens the outlets
allowed (its name, or a domain the outlet registry or the article's address names);
``since:``/``until:`` bound the publication date (inclusive, ISO dates or a year/month prefix).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsweave.errors import NewsweaveError

FILTERS = ("entity", "outlet", "since", "until")

_TOKEN = re.compile(r'(?:(?P<key>[A-Za-z]+):)?(?:"(?P<quoted>[^"]*)"|(?P<bare>[^\s"]+))')
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A parsed query. ``text`` holds the full-text terms (phrases keep their spaces)."""

    text: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.text or self.entities or self.outlets or self.since or self.until)

    def __str__(self) -> str:
        parts = [f'"{t}"' if " " in t else t for t in self.text]
        parts += [f'entity:"{e}"' for e in self.entities]
        parts += [f'outlet:"{o}"' for o in self.outlets]
        if self.since:
            parts.append(f"since:{self.since}")
        if self.until:
            parts.append(f"until:{self.until}")
        return " ".join(parts)


def _date_bound(value: str, key: str, *, end: bool) -> str:
    if not _DATE.match(value):
        raise NewsweaveError(f"bad {key}: date {value!r}: use YYYY, YYYY-MM or YYYY-MM-DD")
    if end and len(value) < 10:
        return value + ("-12-31" if len(value) == 4 else "-31")
    return value


def parse_query(text: str) -> SearchQuery:
    """Parse a query; a NewsweaveError says what is wrong (unknown filter, bad date)."""
    words: list[str] = []
    entities: list[str] = []
    outlets: list[str] = []
    since = until = None
    if text.count('"') % 2:
        raise NewsweaveError(f"unbalanced quote in query {text!r}")
    for m in _TOKEN.finditer(text):
        key = (m["key"] or "").lower()
        value = " ".join((m["quoted"] if m["quoted"] is not None else m["bare"]).split())
        if m["key"] and key not in FILTERS:
            # "word:word" that is not a filter (a URL, a ratio) stays text
            words.append(m.group(0).strip('"'))
            continue
        if not value:
            continue
        if key == "entity":
            entities.append(value)
        elif key == "outlet":
            outlets.append(value)
        elif key == "since":
            since = _date_bound(value, "since", end=False)
        elif key == "until":
            until = _date_bound(value, "until", end=True)
        else:
            words.append(value)
    return SearchQuery(tuple(words), tuple(entities), tuple(outlets), since, until)


__all__ = ["FILTERS", "SearchQuery", "parse_query"]
