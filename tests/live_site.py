"""A real local news site for the live-source tests: http.server on 127.0.0.1, port 0.

It serves the five seeds as HTML article pages with their metadata in the markup, an RSS
feed, an Atom feed, a news sitemap and a sitemap index listing them, a robots.txt, and the
failures a crawler meets: a dead link (a closed port), a 404, a 500, a slow page and a
non-HTML response. Pages answer conditional requests (ETag / Last-Modified -> 304). Every
request is logged (path, headers) so tests can check politeness.
"""

from __future__ import annotations

import contextlib
import hashlib
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench._pages import Page, render_atom, render_news_sitemap, render_page, render_rss

from newsweave.records import Article

# Site names given to the seeds' pages (the seeds' own text names them: ANI, Business
# Standard ...); 002 has none, so its outlet must come from the feed or the domain.
SITE_NAMES = {
    "000": "ANI News",
    "001": "The Hindu",
    "002": None,
    "003": "Hindustan Times",
    "004": "Business Standard",
}
LAST_MODIFIED = "Fri, 28 Apr 2023 10:00:00 GMT"


@dataclass
class Route:
    status: int
    content_type: str
    body: bytes
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


def free_dead_address() -> str:
    """An address on loopback where nothing listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/gone.html"


def seed_title(article: Article) -> str:
    if article.title:
        return article.title
    words = article.text.split()[:12]
    return " ".join(words).rstrip(",.;:")


class NewsSite:
    """The site: ``routes`` maps a path to what it answers; tests may change them."""

    def __init__(self, seeds: dict[str, Article]) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.seeds = seeds
        self.pages: dict[str, Page] = {}
        for prefix, article in sorted(seeds.items()):
            page = Page(
                path=f"/news/{prefix}-{article.id[:8]}.html",
                title=seed_title(article),
                text=article.text,
                published=article.published,
                site_name=SITE_NAMES[prefix],
            )
            self.pages[prefix] = page
            self.add_page(page)
        self.dead = free_dead_address()
        self.routes["/robots.txt"] = Route(
            200, "text/plain", b"User-agent: *\nDisallow: /private/\n"
        )
        self.routes["/missing.html"] = Route(404, "text/html", b"<h1>Not found</h1>")
        self.routes["/broken.html"] = Route(500, "text/html", b"<h1>Server error</h1>")
        self.routes["/slow.html"] = Route(
            200, "text/html", render_page(self.pages["000"], self.base), delay=6.0
        )
        self.routes["/report.pdf"] = Route(200, "application/pdf", b"%PDF-1.4\n%fake but binary\n")
        self.routes["/private/secret.html"] = Route(
            200, "text/html", render_page(self.pages["001"], self.base)
        )
        self.feed_items = [
            (p.path, p.title, p.published) for k, p in sorted(self.pages.items()) if k != "004"
        ]
        self.failures = [
            (self.dead, "A dead link", "2020-09-05"),
            ("/missing.html", "A page that is gone", "2020-09-05"),
            ("/broken.html", "A page that breaks", "2020-09-05"),
            ("/slow.html", "A page that takes its time", "2020-09-05"),
            ("/report.pdf", "A PDF report", "2020-09-05"),
        ]
        self.publish_feeds()
        self.thread.start()

    # ------------------------------------------------------------------ content

    def add_page(self, page: Page) -> None:
        self.routes[page.path] = Route(
            200, "text/html; charset=utf-8", render_page(page, self.base)
        )

    def publish_feeds(self) -> None:
        """(Re)write feed.xml, atom.xml and the sitemaps from ``feed_items``."""
        items = list(self.feed_items)
        self.routes["/feed.xml"] = Route(
            200,
            "application/rss+xml",
            render_rss("India Defence Wire", self.base, items + self.failures),
        )
        self.routes["/clean-feed.xml"] = Route(
            200, "application/rss+xml", render_rss("India Defence Wire", self.base, items)
        )
        self.routes["/atom.xml"] = Route(
            200, "application/atom+xml", render_atom("India Defence Wire", self.base, items)
        )
        news = [(p.path, p.title, p.published) for p in self.pages.values()]
        self.routes["/news-sitemap.xml"] = Route(
            200, "application/xml", render_news_sitemap(self.base, news, "Defence Desk")
        )
        index = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{self.base}/news-sitemap.xml</loc></sitemap></sitemapindex>"
        ).encode()
        self.routes["/sitemap.xml"] = Route(200, "application/xml", index)

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> list[dict[str, str]]:
        with self.lock:
            return [h for p, h in self.requests if p == path]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # ------------------------------------------------------------------ HTTP

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output quiet
                return

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                path = self.path.split("?", 1)[0]
                with site.lock:
                    site.requests.append((path, dict(self.headers.items())))
                route = site.routes.get(path)
                if route is None:
                    route = Route(404, "text/html", b"<h1>Not found</h1>")
                if route.delay:
                    time.sleep(route.delay)
                etag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
                if route.status == 200 and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                if route.status == 200:
                    self.send_header("ETag", etag)
                    self.send_header("Last-Modified", LAST_MODIFIED)
                for key, value in route.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(route.body)

        return Handler


def write_sources_file(path: Path, addresses: list[str]) -> Path:
    path.write_text("# my sources\n" + "\n".join(addresses) + "\n", encoding="utf-8")
    return path
