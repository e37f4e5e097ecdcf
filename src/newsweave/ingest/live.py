"""Addresses -> page payloads: the edge where pages, feeds and sitemaps become documents.

:func:`collect` fetches each address politely (``ingest/fetch.py``); an article page becomes
a :class:`Payload` (its bytes plus hints), a feed or sitemap becomes the payloads of the pages
it lists. Payloads then go through exactly the reader, cleaning, ids and idempotence that
files go through (``pipeline.ingest_paths``); stages never learn where text came from.

What the store remembers between runs (validators for conditional requests, which pages are
stored, the outlet registry) is reached through the :class:`PageMemory` protocol, so this
module knows no SQL.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, Protocol
from urllib.parse import urlsplit

from newsweave.errors import InputError
from newsweave.ingest.feeds import (
    Lead,
    kind_of,
    looks_like_source_list,
    parse_listing,
    read_source_list,
)
from newsweave.ingest.fetch import (
    Fetcher,
    FetchError,
    Response,
    Validators,
    canonical_url,
    check_address,
)
from newsweave.ingest.readers import read_document_bytes
from newsweave.records import RawDocument

Fields = tuple[tuple[str, str], ...]

MAX_SITEMAPS = 50  # child sitemaps followed from one address (indexes of indexes included)
MAX_LISTED_PAGES = 5000  # pages taken from one feed or sitemap per run


@dataclass(frozen=True, slots=True)
class PageState:
    """What to remember about a fetched page once its article is stored."""

    url: str  # canonical form of the address asked for
    final: str  # canonical form of where redirects ended
    validators: Validators
    listed_in: str | None = None


@dataclass(frozen=True, slots=True)
class Payload:
    """Bytes already in hand (a fetched page, a web-archive record), read like a file.

    ``path`` is the page's address: it becomes ``source_path``. ``before`` fields outrank
    what the page says (the user's outlet registry); ``after`` fields are fallbacks (the
    feed's title, date and site name, the fetched address).
    """

    path: str
    data: bytes
    format: Literal["html"] = "html"
    before: Fields = ()
    after: Fields = ()
    page: PageState | None = None
    language: str | None = None
    archive: str | None = None  # the WARC/ARC file it was read from


@dataclass(frozen=True, slots=True)
class Unchanged:
    """An address answered 304 Not Modified, or a listed page already stored."""

    address: str
    articles: int


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A listed page that failed for good (404, 410, robots.txt, not HTML): remember it so
    the next run of its feed does not ask again."""

    address: str


@dataclass(frozen=True, slots=True)
class ListingDone:
    """A feed or sitemap whose pages were all handed on: remember its validators."""

    address: str
    validators: Validators


class PageMemory(Protocol):
    """What ingest remembers between runs (implemented by ``store/sources.py``)."""

    def validators(self, url: str) -> Validators | None: ...

    def stored_articles(self, url: str) -> int | None:
        """Articles stored from this page (canonical address), None if never stored."""
        ...

    def outlet_name(self, domain: str) -> str | None:
        """The outlet name the user set for a domain in the registry, if any."""
        ...


Found = Payload | InputError | Unchanged | Unreadable | ListingDone


def domain_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def read_payload(payload: Payload) -> Iterator[RawDocument | InputError]:
    """The reader step for a payload: the format's reader, then the payload's hint fields
    around the page's own (pure; runs on a runner's workers)."""
    for doc in read_document_bytes(payload.path, payload.data, payload.format):
        if isinstance(doc, InputError):
            yield doc
            continue
        own = tuple(f for f in doc.fields if not _host_as_site_name(f))
        yield replace(doc, fields=payload.before + own + payload.after)


def _host_as_site_name(item: tuple[str, str]) -> bool:
    """trafilatura names the site after the host when the page does not: that is no site
    name (a feed's title says more), and the domain fallback comes later anyway."""
    key, value = item
    if key != "outlet":
        return False
    value = value.lower().removeprefix("www.")
    return bool(re.fullmatch(r"[a-z0-9.-]+\.[a-z0-9-]+(:\d+)?|\[[0-9a-f:]+\](:\d+)?", value))


_HTML_LANG = re.compile(rb"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})", re.IGNORECASE)


def page_language(body: bytes) -> str | None:
    m = _HTML_LANG.search(body[:4096])
    return m.group(1).decode().lower() if m else None


@dataclass
class Inputs:
    """Command-line inputs sorted by how they are read."""

    files: list[str] = field(default_factory=list)  # files, folders, globs
    addresses: list[str] = field(default_factory=list)  # http(s) pages, feeds, sitemaps
    archives: list[Path] = field(default_factory=list)  # WARC / ARC files


def split_inputs(paths: Iterable[str]) -> Inputs:
    """http(s) arguments and the lines of sources files are addresses; ``.warc(.gz)`` and
    ``.arc(.gz)`` files are web archives; everything else stays a path for ``discover``."""
    from newsweave.ingest.warc import is_archive

    inputs = Inputs()
    for raw in paths:
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", raw):
            inputs.addresses.append(raw)
            continue
        path = Path(raw)
        if is_archive(raw) and path.is_file():
            inputs.archives.append(path)
            continue
        if path.is_file() and path.suffix.lower() in (".txt", ".list", ".sources", ""):
            try:
                head = path.read_bytes()[:65536].decode("utf-8", errors="replace")
            except OSError:
                inputs.files.append(raw)
                continue
            if looks_like_source_list(head):
                text = path.read_text(encoding="utf-8", errors="replace")
                inputs.addresses.extend(read_source_list(text))
                continue
        inputs.files.append(raw)
    return inputs


def collect(
    addresses: Iterable[str],
    fetcher: Fetcher,
    memory: PageMemory,
    *,
    stop: Callable[[], bool] = lambda: False,
) -> Iterator[Found]:
    """Fetch every address and yield page payloads, unchanged notes, listing ends and one
    InputError per address that failed (then carry on with the rest).

    A page listed by a feed or sitemap that is already stored is not fetched again; an
    address given directly is re-fetched conditionally (304 -> :class:`Unchanged`). The same
    page reached twice in one run (two feeds, a redirect) is read once.
    """
    seen: set[str] = set()
    for address in addresses:
        if stop():
            return
        try:
            check_address(address)
        except FetchError as exc:
            yield exc
            continue
        key = canonical_url(address)
        if key in seen:
            continue
        seen.add(key)
        try:
            response = fetcher.fetch(address, memory.validators(key))
        except FetchError as exc:
            yield exc
            continue
        if response.not_modified:
            yield Unchanged(address, memory.stored_articles(key) or 0)
            continue
        kind = kind_of(response.media_type, response.body)
        if kind == "page":
            seen.add(canonical_url(response.final_url))
            yield _payload(response, memory, lead=None)
        elif kind in ("feed", "sitemap"):
            yield from _listing(address, response, kind, fetcher, memory, seen, stop)
        else:
            yield FetchError(address, _not_html(response))


def _not_html(response: Response) -> str:
    media = response.media_type or "no content type"
    return f"not an HTML page, feed or sitemap ({media}); skipped"


def _listing(
    address: str,
    response: Response,
    kind: str,
    fetcher: Fetcher,
    memory: PageMemory,
    seen: set[str],
    stop: Callable[[], bool],
) -> Iterator[Found]:
    """The pages of one feed or sitemap (following a sitemap index's children)."""
    queue: list[tuple[str, Response, str]] = [(address, response, kind)]
    sitemaps = 0
    taken = 0
    while queue:
        where, answer, what = queue.pop(0)
        try:
            listing = parse_listing(what, answer.body, answer.final_url)  # type: ignore[arg-type]
        except (ValueError, SyntaxError) as exc:
            yield FetchError(where, f"{what} could not be read ({exc}); skipped")
            continue
        for child in listing.sitemaps:
            if stop():
                return
            sitemaps += 1
            if sitemaps > MAX_SITEMAPS:
                yield FetchError(
                    child, f"more than {MAX_SITEMAPS} sitemaps below {address}; the rest skipped"
                )
                break
            key = canonical_url(child)
            if key in seen:
                continue
            seen.add(key)
            try:
                child_answer = fetcher.fetch(child, memory.validators(key))
            except FetchError as exc:
                yield exc
                continue
            if child_answer.not_modified:
                continue
            child_kind = kind_of(child_answer.media_type, child_answer.body)
            if child_kind not in ("feed", "sitemap"):
                yield FetchError(child, "listed as a sitemap but is not one; skipped")
                continue
            queue.append((child, child_answer, child_kind))
        for lead in listing.leads:
            if stop():
                return
            key = canonical_url(lead.url)
            if key in seen:
                continue
            seen.add(key)
            stored = memory.stored_articles(key)
            if stored is not None:
                yield Unchanged(lead.url, stored)
                continue
            taken += 1
            if taken > MAX_LISTED_PAGES:
                yield FetchError(
                    address,
                    f"lists more than {MAX_LISTED_PAGES} new pages; the rest wait for the next run",
                )
                return
            try:
                page = fetcher.fetch(lead.url, memory.validators(key))
            except FetchError as exc:
                yield exc
                if exc.permanent:
                    yield Unreadable(lead.url)
                continue
            if page.not_modified:
                yield Unchanged(lead.url, memory.stored_articles(key) or 0)
                continue
            if kind_of(page.media_type, page.body) != "page":
                yield FetchError(lead.url, _not_html(page))
                yield Unreadable(lead.url)
                continue
            seen.add(canonical_url(page.final_url))
            yield _payload(page, memory, lead=lead)
        if where != address:
            yield ListingDone(where, answer.validators)
    yield ListingDone(address, response.validators)


def _payload(response: Response, memory: PageMemory, *, lead: Lead | None) -> Payload:
    final = canonical_url(response.final_url)
    before: Fields = ()
    registered = memory.outlet_name(domain_of(final))
    if registered:
        before = (("outlet", registered),)
    after: list[tuple[str, str]] = []
    if lead is not None:
        for name, value in (
            ("title", lead.title),
            ("published", lead.published),
            ("outlet", lead.outlet),
        ):
            if value:
                after.append((name, value))
    after.append(("url", final))
    return Payload(
        path=response.final_url,
        data=response.body,
        before=before,
        after=tuple(after),
        page=PageState(
            url=canonical_url(response.url),
            final=final,
            validators=response.validators,
            listed_in=canonical_url(lead.listed_in) if lead and lead.listed_in else None,
        ),
        language=page_language(response.body) or (lead.language if lead else None),
    )


__all__ = [
    "Inputs",
    "ListingDone",
    "PageMemory",
    "PageState",
    "Payload",
    "Unchanged",
    "Unreadable",
    "collect",
    "domain_of",
    "read_payload",
    "split_inputs",
]
