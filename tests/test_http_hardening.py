"""Hostile requests (issue #15): against a real uvicorn on a loopback port, configured the way
``newsweave serve`` configures it, and through the app for the property test. No request
yields a 5xx or a traceback; uvicorn's own refusals carry the JSON envelope and headers."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsweave.web import create_app
from newsweave.web.security import CONTENT_SECURITY_POLICY
from newsweave.web.serving import HEADER_TIMEOUT_S, uvicorn_settings
from tests.test_web_api import TOKEN, assert_envelope, build_seed_store


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("harden-web") / "seeds.db"
    build_seed_store(db)
    return db


@pytest.fixture(scope="module")
def server(seeded: Path) -> Iterator[int]:
    """uvicorn with newsweave serve's settings on a free loopback port; yields the port."""
    import uvicorn

    app = create_app(seeded, token=TOKEN)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="critical", lifespan="on", **uvicorn_settings()
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield srv.servers[0].sockets[0].getsockname()[1]
    srv.should_exit = True
    thread.join(timeout=30)


def raw(port: int, request: bytes, timeout: float = 10) -> bytes:
    """Send raw bytes, read the whole answer until the server closes or goes quiet."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
                if (
                    b"\r\n\r\n" in b"".join(chunks)
                    and b"connection: close" not in b"".join(chunks).lower()
                ):
                    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
                    length = [
                        int(line.split(b":")[1])
                        for line in head.lower().split(b"\r\n")
                        if line.startswith(b"content-length:")
                    ]
                    if length and len(body) >= length[0]:
                        break
        except TimeoutError:
            pass
    return b"".join(chunks)


def parse(answer: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


def assert_raw_envelope(answer: bytes, status: int | None) -> dict:
    """The JSON envelope and security headers; ``status`` None: any 4xx."""
    code, headers, body = parse(answer)
    assert code == status if status else 400 <= code < 500, answer[:300]
    assert headers["content-type"].startswith("application/json"), headers
    assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert headers["x-content-type-options"] == "nosniff"
    data = json.loads(body)
    assert data["ok"] is False and data["status"] == code and data["error"]
    return data


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /api/meta HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n",
        b"GET /api/meta HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -5\r\n\r\n",
        b"GET /api/search?q=" + b"a" * 65536 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"GET /api/meta HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Name: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 TLS hello\r\n\r\n",
    ],
    ids=[
        "content-length-text",
        "content-length-negative",
        "64k-url",
        "space-in-header-name",
        "no-colon",
        "tls-hello",
    ],
)
def test_uvicorns_own_refusals_use_the_envelope(server: int, request_bytes: bytes) -> None:
    # a long URL arriving in one piece reaches the app (422: q is limited); else uvicorn's 400
    assert_raw_envelope(raw(server, request_bytes), None)


def test_unknown_method_is_a_405_envelope(server: int) -> None:
    answer = raw(server, b"BREW /api/meta HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert_raw_envelope(answer, 405)


def test_head_is_answered_on_get_routes(server: int) -> None:
    get = parse(raw(server, b"GET /api/meta HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
    head = parse(raw(server, b"HEAD /api/meta HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", timeout=3))
    assert head[0] == 200 and get[0] == 200
    assert head[2] == b""
    assert head[1]["content-type"] == get[1]["content-type"]
    assert head[1]["content-security-policy"] == CONTENT_SECURITY_POLICY
    page = parse(raw(server, b"HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", timeout=3))
    assert page[0] == 200 and page[2] == b""


def test_slow_header_connections_are_closed(server: int) -> None:
    socks = []
    for _ in range(20):
        sock = socket.create_connection(("127.0.0.1", server), timeout=HEADER_TIMEOUT_S + 10)
        sock.sendall(b"GET /api/meta HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
        socks.append(sock)
    start = time.monotonic()
    for sock in socks:
        with contextlib.suppress(ConnectionResetError):
            assert sock.recv(1024) == b""  # the server closed it
        sock.close()
    waited = time.monotonic() - start
    assert waited < HEADER_TIMEOUT_S + 5
    # the server still answers
    assert parse(raw(server, b"GET /api/meta HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))[0] == 200


@pytest.fixture(scope="module")
def client(seeded: Path) -> Iterator[TestClient]:
    with TestClient(create_app(seeded, token=TOKEN), raise_server_exceptions=False) as c:
        yield c


def test_nul_in_a_search_is_no_500(client: TestClient) -> None:
    for q in ("\x00", "Moscow\x00", "a\x00b\x01\x1f"):
        response = client.get("/api/search", params={"q": q})
        assert response.status_code < 500, response.text


def test_nested_json_and_oversized_article_ingest_is_400(client: TestClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    nested = client.post("/api/ingest", content=b"[" * 100_000, headers=auth)
    assert_envelope(nested, 400)
    from newsweave.ingest import MAX_ARTICLE_CHARS

    big = {"articles": [{"text": "word " * (MAX_ARTICLE_CHARS // 5 + 10), "title": "Big"}]}
    response = client.post("/api/ingest?analyze=false", json=big, headers=auth)
    assert 400 <= response.status_code < 500, response.text


def test_source_paths_are_not_shown_to_readers(client: TestClient, seeded: Path) -> None:
    folder = str(Path(__file__).resolve().parents[1])
    for url in (
        "/api/articles",
        "/api/search?q=Moscow",
        "/api/sections/articles",
        "/api/export?format=json",
        "/api/export?format=csv",
        "/api/export?format=jsonl",
    ):
        body = client.get(url).text
        assert folder not in body, url
    first = client.get("/api/articles").json()["items"][0]["id"]
    assert folder not in client.get(f"/api/articles/{first}").text


PATHS = st.sampled_from(
    [
        "/",
        "/api/meta",
        "/api/articles",
        "/api/search",
        "/api/entities",
        "/api/stories",
        "/api/events",
        "/api/timeline",
        "/api/claims",
        "/api/export",
        "/api/ingest",
        "/api/articles/x",
        "/static/app.js",
        "/api/compare",
    ]
)
TEXT = st.text(st.characters(codec="utf-8"), max_size=60)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    method=st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]),
    path=st.one_of(
        PATHS, PATHS.flatmap(lambda p: st.builds(lambda s: p + "/" + quote(s, safe=""), TEXT))
    ),
    params=st.dictionaries(
        st.sampled_from(
            [
                "q",
                "limit",
                "offset",
                "since",
                "until",
                "outlet",
                "story",
                "format",
                "entity",
                "a",
                "b",
                "analyze",
                "id",
            ]
        ),
        TEXT,
        max_size=4,
    ),
    body=st.one_of(st.none(), st.binary(max_size=300), TEXT.map(str.encode)),
    ctype=st.sampled_from(
        ["application/json", "multipart/form-data; boundary=x", "text/plain", ""]
    ),
    auth=st.booleans(),
)
def test_no_request_yields_a_5xx(
    client: TestClient, method: str, path: str, params: dict, body, ctype: str, auth: bool
) -> None:
    headers = {"Content-Type": ctype} if ctype else {}
    if auth:
        headers["Authorization"] = f"Bearer {TOKEN}"
    response = client.request(method, path, params=params, content=body, headers=headers)
    assert response.status_code < 500, (method, path, params, body, response.text[:300])


@pytest.mark.slow
@settings(
    max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path=st.text(max_size=200).map(lambda s: "/" + quote(s, safe="/?&=%")),
    body=st.binary(max_size=5000),
    method=st.sampled_from(["GET", "HEAD", "POST", "OPTIONS"]),
)
def test_no_request_yields_a_5xx_long(client: TestClient, path: str, body: bytes, method: str):
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    response = client.request(method, path, content=body, headers=headers)
    assert response.status_code < 500, (method, path, body[:200], response.text[:300])


def test_an_oversized_stored_article_never_makes_http_ingest_fail(
    seeded: Path, tmp_path: Path
) -> None:
    from newsweave.clean import clean
    from newsweave.records import RawDocument
    from newsweave.store import Store

    db = tmp_path / "copy.db"
    with Store(seeded) as store:
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.write_bytes(seeded.read_bytes())
    big = clean(
        RawDocument(
            source_path="/srv/uploads/huge.txt",
            text="Huge\n\n" + "The council met again on Tuesday, 1 September 2020. " * 120_000,
            format="text",
        )
    )
    with Store(db) as store, store.transaction() as conn:
        store.insert_articles(conn, [big])
    auth = {"Authorization": f"Bearer {TOKEN}"}
    text = "Officials said on Monday that the harbour bridge would reopen after repairs. " * 3
    with TestClient(create_app(db, token=TOKEN), raise_server_exceptions=False) as c:
        for n in range(2):
            article = {"title": f"Bridge {n}", "text": f"Report {n}. {text}"}
            response = c.post("/api/ingest", json={"articles": [article]}, headers=auth)
            assert response.status_code == 200, response.text
            skipped = response.json()["skipped"]
            if n == 0:  # reported once, then marked done
                assert any("huge.txt" in s and "text too long" in s for s in skipped), skipped
            else:
                assert skipped == []
