"""Polite HTTP fetching, at the edge of ingest: pages, feeds and sitemaps by address.

What a site operator can expect from newsweave (see docs/live-sources.md):

- a clear ``User-Agent`` naming newsweave and where to read about it;
- ``robots.txt`` honoured for that agent (fetched once per host per run; a ``Crawl-delay``
  there lengthens the per-host delay); a host whose robots.txt answers 5xx is treated as
  disallowed, as RFC 9309 asks;
- at most one request at a time per host, ``delay`` seconds apart;
- timeouts on connect and read, a few retries with exponential backoff on timeouts,
  connection errors, 429 and 5xx (honouring ``Retry-After`` up to a cap), never on 4xx;
- conditional requests: the ``ETag`` / ``Last-Modified`` of the last answer are sent back
  (``If-None-Match`` / ``If-Modified-Since``) so an unchanged page costs a 304;
- a size limit on every response (declared and streamed bytes).

Every failure is a :class:`FetchError` (an :class:`~newsweave.errors.InputError`) naming the
address and the reason in one line. Nothing here knows about articles or the store.
"""

from __future__ import annotations

import email.utils
import http.client
import socket
import time
import urllib.error
import urllib.request
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

from newsweave.errors import InputError


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("newsweave")
    except PackageNotFoundError:
        return "dev"


USER_AGENT = (
    f"newsweave/{_version()} (+https://github.com/newsweave/newsweave/blob/main/docs/"
    "live-sources.md; polite news reader: robots.txt, 1 request/host at a time)"
)


class FetchError(InputError):
    """An address that could not be fetched. Message: 'ADDRESS: reason'.

    ``permanent`` marks answers that asking again will not change (404, 410, robots.txt
    says no, not an HTML page): a page a feed lists that failed so is not fetched again.
    """

    def __init__(
        self, path: str, reason: str, *, permanent: bool = False, status: int | None = None
    ) -> None:
        super().__init__(path, reason)
        self.permanent = permanent
        self.status = status

    def __reduce__(self) -> tuple[type[FetchError], tuple[str, str]]:
        return (FetchError, (self.path, self.reason))


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """How politely to fetch. Every field has a safe default; tests shorten the waits.

    ``delay``: seconds between two requests to one host (robots.txt Crawl-delay wins when
    longer). ``timeout``: seconds for connect and for each read. ``retries``: extra tries
    after a timeout, connection error, 429 or 5xx; the n-th waits ``backoff * 2**n`` seconds
    (or the server's Retry-After, at most ``max_wait``). ``max_bytes``: larger responses are
    refused. ``robots``: honour robots.txt (turn off only for your own servers).
    """

    user_agent: str = USER_AGENT
    delay: float = 1.0
    timeout: float = 20.0
    retries: int = 2
    backoff: float = 1.0
    max_wait: float = 60.0
    max_bytes: int = 10 * 1024 * 1024
    robots: bool = True

    def __post_init__(self) -> None:
        for name in ("delay", "timeout", "backoff", "max_wait"):
            if getattr(self, name) < 0:
                raise ValueError(f"FetchPolicy.{name} must be >= 0 (got {getattr(self, name)})")
        if self.retries < 0 or self.max_bytes <= 0:
            raise ValueError("FetchPolicy.retries must be >= 0 and max_bytes > 0")


@dataclass(frozen=True, slots=True)
class Validators:
    """What a conditional request sends back: the last answer's ETag / Last-Modified."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class Response:
    """One answer. ``not_modified`` is a 304 to a conditional request (``body`` empty)."""

    url: str  # the address asked for
    final_url: str  # after redirects
    status: int
    content_type: str
    body: bytes
    validators: Validators = field(default_factory=Validators)
    not_modified: bool = False

    @property
    def media_type(self) -> str:
        return self.content_type.split(";")[0].strip().lower()


_RETRY_STATUS = {429, 500, 502, 503, 504}


def host_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def check_address(url: str) -> str:
    """The address itself, or FetchError when it is not an http(s) URL with a host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(url, "not an http(s) address; skipped")
    return url


class Fetcher:
    """Fetches addresses politely (see the module docstring). One per ingest run.

    ``sleep`` and ``clock`` are injectable so a caller can stop waiting (``watch`` passes an
    interruptible sleep).
    """

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policy = policy or FetchPolicy()
        self._sleep = sleep
        self._clock = clock
        self._last: dict[str, float] = {}
        self._robots: dict[str, urllib.robotparser.RobotFileParser | FetchError | None] = {}
        self._opener = urllib.request.build_opener()
        self.requests = 0  # HTTP requests made (robots.txt included)

    # ------------------------------------------------------------------ politeness

    def _wait_turn(self, host: str) -> None:
        delay = self.policy.delay
        robots = self._robots.get(host)
        if isinstance(robots, urllib.robotparser.RobotFileParser):
            crawl_delay = robots.crawl_delay(self.policy.user_agent)
            if crawl_delay:
                delay = max(delay, min(float(crawl_delay), self.policy.max_wait))
        last = self._last.get(host)
        if last is not None:
            wait = last + delay - self._clock()
            if wait > 0:
                self._sleep(wait)
        self._last[host] = self._clock()

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets our agent fetch ``url`` (True when robots are off).
        Raises FetchError when the host cannot be reached at all."""
        if not self.policy.robots:
            return True
        host = host_of(url)
        if host not in self._robots:
            self._robots[host] = self._load_robots(host)
        robots = self._robots[host]
        if isinstance(robots, FetchError):
            raise FetchError(url, robots.reason)
        return robots is None or robots.can_fetch(self.policy.user_agent, url)

    def _load_robots(self, host: str) -> urllib.robotparser.RobotFileParser | FetchError | None:
        address = host + "/robots.txt"
        try:
            response = self._request(address, Validators(), accept="text/plain,*/*;q=0.1")
        except FetchError as exc:
            status = exc.status
            if status is not None and 400 <= status < 500:
                return None  # no robots.txt: everything allowed
            if status is not None:
                return FetchError(
                    host,
                    f"robots.txt answered {status}: host treated as disallowed (RFC 9309); skipped",
                )
            return FetchError(host, exc.reason)
        parser = urllib.robotparser.RobotFileParser(address)
        text = response.body.decode("utf-8", errors="replace")
        parser.parse(text.splitlines())
        return parser

    # ------------------------------------------------------------------ fetching

    def fetch(
        self,
        url: str,
        validators: Validators | None = None,
        *,
        accept: str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.5",
    ) -> Response:
        """GET ``url`` politely; a 304 to a conditional request is ``not_modified``."""
        check_address(url)
        if not self.allowed(url):
            raise FetchError(url, "disallowed by robots.txt; skipped", permanent=True)
        return self._request(url, validators or Validators(), accept=accept)

    def _request(self, url: str, validators: Validators, *, accept: str) -> Response:
        policy = self.policy
        attempt = 0
        while True:
            self._wait_turn(host_of(url))
            self.requests += 1
            try:
                return self._once(url, validators, accept)
            except _Retryable as exc:
                if attempt >= policy.retries:
                    raise FetchError(url, exc.reason + _tries(attempt), status=exc.status) from None
                wait = (
                    exc.retry_after
                    if exc.retry_after is not None
                    else (policy.backoff * 2**attempt)
                )
                self._sleep(min(wait, policy.max_wait))
                attempt += 1

    def _once(self, url: str, validators: Validators, accept: str) -> Response:
        policy = self.policy
        headers = {"User-Agent": policy.user_agent, "Accept": accept}
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        request = urllib.request.Request(url, headers=headers)
        try:
            with self._opener.open(request, timeout=policy.timeout) as answer:
                return self._read(url, answer)
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code == 304:
                return Response(url, url, 304, "", b"", validators=validators, not_modified=True)
            reason = f"HTTP {exc.code} {exc.reason}".strip()
            if exc.code in _RETRY_STATUS:
                raise _Retryable(
                    reason, _retry_after(exc.headers.get("Retry-After")), status=exc.code
                ) from None
            raise FetchError(
                url, reason + "; skipped", permanent=exc.code in (404, 410), status=exc.code
            ) from None
        except TimeoutError:
            raise _Retryable(f"timed out after {policy.timeout:g} s") from None
        except urllib.error.URLError as exc:
            cause = exc.reason
            if isinstance(cause, TimeoutError | socket.timeout):
                raise _Retryable(f"timed out after {policy.timeout:g} s") from None
            if isinstance(cause, socket.gaierror):
                raise FetchError(url, "host name not found; skipped") from None
            if isinstance(cause, ConnectionRefusedError):
                raise _Retryable("connection refused") from None
            raise _Retryable(f"cannot connect ({cause})") from None
        except (http.client.HTTPException, ConnectionError, OSError) as exc:
            raise _Retryable(f"connection failed ({type(exc).__name__})") from None

    def _read(self, url: str, answer: http.client.HTTPResponse) -> Response:
        limit = self.policy.max_bytes
        declared = answer.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise FetchError(url, f"response too large ({int(declared)} bytes > {limit}); skipped")
        chunks = []
        size = 0
        while chunk := answer.read(65536):
            size += len(chunk)
            if size > limit:
                raise FetchError(url, f"response too large (over {limit} bytes); skipped")
            chunks.append(chunk)
        return Response(
            url=url,
            final_url=answer.geturl() or url,
            status=answer.status,
            content_type=answer.headers.get("Content-Type", ""),
            body=b"".join(chunks),
            validators=Validators(answer.headers.get("ETag"), answer.headers.get("Last-Modified")),
        )


class _Retryable(Exception):
    def __init__(
        self, reason: str, retry_after: float | None = None, *, status: int | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.status = status


def _tries(retries: int) -> str:
    return f" (after {retries + 1} tries); skipped" if retries else "; skipped"


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    parsed = email.utils.parsedate_to_datetime(value) if value else None
    if parsed is None:
        return None
    return max(0.0, parsed.timestamp() - time.time())


def canonical_url(url: str) -> str:
    """One spelling per page, for de-duplication: courlan's normalisation (lower-case
    scheme and host, default port dropped, tracking parameters removed, query sorted) and
    no fragment."""
    import courlan

    try:
        normal = courlan.normalize_url(url)
    except Exception:  # noqa: BLE001 - courlan raises assorted errors on odd input
        normal = url
    parts = urlsplit(normal)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def absolute(base: str, link: str) -> str:
    return urljoin(base, link.strip())


__all__ = [
    "USER_AGENT",
    "FetchError",
    "FetchPolicy",
    "Fetcher",
    "Response",
    "Validators",
    "absolute",
    "canonical_url",
    "check_address",
    "host_of",
]
