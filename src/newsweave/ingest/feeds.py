"""What a fetched address is (article page, RSS/Atom feed, sitemap, something else) and the
links that feeds and sitemaps list.

A feed or sitemap entry becomes a :class:`Lead`: the page's address plus what the listing
says about it (title, date, the feed's site name and language). Leads are hints: the page's
own markup wins when cleaning (see ``ingest/live.py``). Pure functions over bytes.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from dataclasses import dataclass
from typing import Literal

from newsweave.ingest.fetch import absolute

Kind = Literal["page", "feed", "sitemap", "other"]

# Root elements, after an optional XML declaration, doctype, comments and whitespace.
_ROOT = re.compile(
    rb"<(?:[A-Za-z0-9_-]+:)?(rss|feed|RDF|urlset|sitemapindex|html)\b", re.IGNORECASE
)
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_XML_TYPES = ("application/xml", "text/xml")

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemaps.org limit, uncompressed


def maybe_gunzip(body: bytes) -> bytes:
    """Sitemaps are often served gzipped as files (sitemap.xml.gz)."""
    if body[:2] != b"\x1f\x8b":
        return body
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as fh:
            return fh.read(MAX_SITEMAP_BYTES)
    except (OSError, EOFError, zlib.error):
        return body


def kind_of(media_type: str, body: bytes) -> Kind:
    """Classify a response by its media type and, for XML and unlabelled bodies, its root."""
    media_type = media_type.lower()
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    match = _ROOT.search(head)
    root = match.group(1).decode().lower() if match else None
    if media_type in _FEED_TYPES or root in ("rss", "feed", "rdf"):
        if root in ("urlset", "sitemapindex"):
            return "sitemap"
        if root == "html" and media_type not in _FEED_TYPES:
            return "page"
        return "feed"
    if root in ("urlset", "sitemapindex"):
        return "sitemap"
    if media_type in _HTML_TYPES or root == "html":
        return "page"
    if media_type in _XML_TYPES:
        return "other"
    if not media_type and head[:1] == b"<":
        return "page"
    return "other"


@dataclass(frozen=True, slots=True)
class Lead:
    """A page address found in a feed or sitemap, with what the listing says about it."""

    url: str
    title: str | None = None
    published: str | None = None
    outlet: str | None = None  # the feed's title / the news sitemap's publication name
    language: str | None = None
    listed_in: str | None = None  # the feed or sitemap address


@dataclass(frozen=True, slots=True)
class Listing:
    """A parsed feed or sitemap: its page leads and (sitemap indexes) child sitemaps."""

    leads: tuple[Lead, ...]
    sitemaps: tuple[str, ...] = ()
    title: str | None = None
    language: str | None = None


def parse_feed(body: bytes, address: str) -> Listing:
    """RSS 0.9x/1.0/2.0 and Atom entries (feedparser), links made absolute."""
    import feedparser

    parsed = feedparser.parse(body, response_headers={"content-location": address})
    feed = parsed.get("feed", {})
    title = _clean(feed.get("title"))
    language = _clean(feed.get("language"))
    leads = []
    for entry in parsed.get("entries", []):
        link = entry.get("link") or _first_alternate(entry)
        if not link:
            continue
        leads.append(
            Lead(
                url=absolute(address, link),
                title=_clean(entry.get("title")),
                published=_entry_date(entry),
                outlet=title,
                language=language,
                listed_in=address,
            )
        )
    if not leads and parsed.get("bozo") and not feed:
        raise ValueError(f"not a readable feed ({type(parsed.get('bozo_exception')).__name__})")
    return Listing(tuple(leads), title=title, language=language)


def _first_alternate(entry: dict) -> str | None:
    for link in entry.get("links", []):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link["href"]
    return None


def _entry_date(entry: dict) -> str | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return f"{value.tm_year:04d}-{value.tm_mon:02d}-{value.tm_mday:02d}"
    for key in ("published", "updated"):
        if entry.get(key):
            return str(entry[key])
    return None


def _clean(value: object) -> str | None:
    if not value:
        return None
    text = " ".join(str(value).split())
    return text or None


def parse_sitemap(body: bytes, address: str) -> Listing:
    """A sitemaps.org urlset (with Google News extensions) or a sitemap index."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    root = etree.fromstring(maybe_gunzip(body), parser=parser)
    if root is None:
        raise ValueError("not a readable sitemap")
    tag = etree.QName(root).localname
    if tag == "sitemapindex":
        children = [absolute(address, loc) for loc in _texts(root, "sitemap", "loc")]
        return Listing((), sitemaps=tuple(children))
    leads = []
    for node in root:
        if not isinstance(node.tag, str) or etree.QName(node).localname != "url":
            continue
        loc = _child_text(node, "loc")
        if not loc:
            continue
        news = _child(node, "news")
        title = published = outlet = language = None
        if news is not None:
            title = _child_text(news, "title")
            published = _child_text(news, "publication_date")
            publication = _child(news, "publication")
            if publication is not None:
                outlet = _child_text(publication, "name")
                language = _child_text(publication, "language")
        published = published or _child_text(node, "lastmod")
        leads.append(
            Lead(absolute(address, loc), title, published, outlet, language, listed_in=address)
        )
    return Listing(tuple(leads))


def _child(node: object, name: str) -> object | None:
    from lxml import etree

    for child in node:  # type: ignore[attr-defined]
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            return child
    return None


def _child_text(node: object, name: str) -> str | None:
    child = _child(node, name)
    return _clean(child.text) if child is not None else None  # type: ignore[attr-defined]


def _texts(root: object, parent: str, name: str) -> list[str]:
    from lxml import etree

    out = []
    for node in root:  # type: ignore[attr-defined]
        if isinstance(node.tag, str) and etree.QName(node).localname == parent:
            text = _child_text(node, name)
            if text:
                out.append(text)
    return out


def parse_listing(kind: Kind, body: bytes, address: str) -> Listing:
    if kind == "feed":
        return parse_feed(body, address)
    return parse_sitemap(body, address)


def read_source_list(text: str) -> list[str]:
    """Addresses from a sources file: one a line; blank lines and ``#`` comments ignored."""
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip() if line.lstrip().startswith("#") else line.strip()
        if line:
            out.append(line)
    return out


def looks_like_source_list(text: str) -> bool:
    """A text file whose every non-comment line is one http(s) address."""
    lines = read_source_list(text[:65536])
    return bool(lines) and all(re.fullmatch(r"https?://\S+", line) for line in lines)


__all__ = [
    "Kind",
    "Lead",
    "Listing",
    "kind_of",
    "looks_like_source_list",
    "maybe_gunzip",
    "parse_feed",
    "parse_listing",
    "parse_sitemap",
    "read_source_list",
]
