"""The format registry is the one list of export formats: CLI help, the HTTP API and the docs
read it, and a new format is one module plus one registry line."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient

from newsweave import formats
from newsweave.api import Newsweave
from newsweave.cli import cli
from newsweave.errors import NewsweaveError
from newsweave.web import create_app

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_docs_table_names_every_format() -> None:
    text = (DOCS / "exports.md").read_text()
    table = text.split("| format |", 1)[1].split("\n\n", 1)[0]
    assert re.findall(r"^\| `([a-z]+)` \|", table, re.M) == list(formats.FORMATS)


def test_cli_help_lists_every_format() -> None:
    result = CliRunner().invoke(cli, ["export", "--help"])
    assert result.exit_code == 0
    flat = " ".join(result.output.split())
    assert formats.names() in flat


def test_http_serves_every_format_with_its_media_type(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    Newsweave(db).close()
    with TestClient(create_app(db)) as client:
        assert client.get("/api/meta").json()["export_formats"] == sorted(formats.FORMATS)
        schema = client.get("/api/openapi.json").json()["components"]["schemas"]["Meta"]
        assert "export_formats" in schema["properties"]
        for fmt in formats.REGISTRY:
            response = client.get("/api/export", params={"format": fmt.name})
            assert response.status_code == 200, fmt.name
            assert response.headers["content-type"].startswith(fmt.media_type.split(";")[0])
            if fmt.page_style is None:
                disposition = response.headers["content-disposition"]
                assert disposition == f'attachment; filename="newsweave.{fmt.suffix}"'
            else:
                assert "content-disposition" not in response.headers


def test_unknown_format_names_the_known_ones() -> None:
    try:
        formats.get("docx")
    except NewsweaveError as exc:
        assert all(name in str(exc) for name in formats.FORMATS)
    else:
        raise AssertionError("docx is not a format")
