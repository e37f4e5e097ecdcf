"""Real articles as the web serves them: an HTML page with its metadata in the markup, RSS,
Atom and news-sitemap listings, and WARC files of such pages.

Used by the live-source tests (served from a local HTTP server) and by ``bench/ingest.py
--warc`` (Timeline17 articles as a web archive). Pages carry the metadata news sites put in
their markup: ``<link rel=canonical>``, Open Graph ``og:site_name`` / ``og:title``,
``article:published_time`` and an ``<html lang>``, inside ordinary site furniture (menu,
footer) that extraction must drop.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape


@dataclass(frozen=True)
class Page:
    """One article page: what goes into the markup."""

    path: str  # "/news/abc.html"
    title: str
    text: str  # paragraphs separated by blank lines
    published: str | None  # ISO date
    site_name: str | None  # og:site_name; None leaves the outlet to the domain
    lang: str = "en"


def render_page(page: Page, base: str) -> bytes:
    url = base + page.path
    meta = [
        f'<link rel="canonical" href="{escape(url)}">',
        f'<meta property="og:title" content="{escape(page.title)}">',
        f'<meta property="og:url" content="{escape(url)}">',
    ]
    if page.site_name:
        meta.append(f'<meta property="og:site_name" content="{escape(page.site_name)}">')
    if page.published:
        meta.append(
            f'<meta property="article:published_time" content="{page.published}T09:30:00+00:00">'
        )
    paras = "\n".join(f"<p>{escape(p)}</p>" for p in page.text.split("\n\n") if p.strip())
    html = f"""<!DOCTYPE html>
<html lang="{page.lang}">
<head>
<meta charset="utf-8">
<title>{escape(page.title)}</title>
{chr(10).join(meta)}
</head>
<body>
<header><nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/business">Business</a>
| <a href="/subscribe">Subscribe</a></nav></header>
<main><article>
<h1>{escape(page.title)}</h1>
{paras}
</article></main>
<footer><p>Copyright the publisher. All rights reserved.</p>
<nav><a href="/about">About us</a> <a href="/privacy">Privacy</a></nav></footer>
</body>
</html>
"""
    return html.encode("utf-8")


def _rfc822(iso: str | None) -> str:
    day = datetime.fromisoformat(iso or "2020-01-01").replace(hour=9, minute=30)
    return format_datetime(day.replace(tzinfo=UTC))


def render_rss(title: str, base: str, items: Iterable[tuple[str, str, str | None]]) -> bytes:
    """RSS 2.0: items are (path or absolute link, title, ISO date)."""
    entries = []
    for link, item_title, day in items:
        href = link if "://" in link else base + link
        entries.append(
            f"<item><title>{escape(item_title)}</title><link>{escape(href)}</link>"
            f"<guid>{escape(href)}</guid><pubDate>{_rfc822(day)}</pubDate></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>{escape(base)}/</link>"
        "<description>latest</description><language>en</language>"
        + "".join(entries)
        + "</channel></rss>"
    ).encode()


def render_atom(title: str, base: str, items: Iterable[tuple[str, str, str | None]]) -> bytes:
    entries = []
    for link, item_title, day in items:
        href = link if "://" in link else base + link
        entries.append(
            f'<entry><title>{escape(item_title)}</title><link href="{escape(href)}"/>'
            f"<id>{escape(href)}</id><updated>{day or '2020-01-01'}T09:30:00Z</updated></entry>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>{escape(base)}/</id>"
        "<updated>2023-04-28T00:00:00Z</updated>" + "".join(entries) + "</feed>"
    ).encode()


def render_news_sitemap(
    base: str, items: Iterable[tuple[str, str, str | None]], publication: str
) -> bytes:
    urls = []
    for link, item_title, day in items:
        href = link if "://" in link else base + link
        urls.append(
            f"<url><loc>{escape(href)}</loc><news:news><news:publication>"
            f"<news:name>{escape(publication)}</news:name><news:language>en</news:language>"
            f"</news:publication><news:publication_date>{day}</news:publication_date>"
            f"<news:title>{escape(item_title)}</news:title></news:news></url>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + "".join(urls) + "</urlset>"
    ).encode()


def write_warc(out: io.BufferedIOBase, records: Iterable[tuple[str, bytes, str]]) -> int:
    """Write (url, body, content type) as gzipped WARC response records (warcio), each
    preceded by its request record as crawlers write them; return records written."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    writer = WARCWriter(out, gzip=True)
    n = 0
    for url, body, content_type in records:
        request = writer.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(b""),
            http_headers=StatusAndHeaders(
                "GET / HTTP/1.1", [("User-Agent", "bench")], is_http_request=True
            ),
        )
        writer.write_record(request)
        headers = StatusAndHeaders(
            "200 OK",
            [("Content-Type", content_type), ("Content-Length", str(len(body)))],
            protocol="HTTP/1.1",
        )
        record = writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), http_headers=headers
        )
        writer.write_record(record)
        n += 1
    return n
