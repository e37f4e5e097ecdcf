"""One reader per input format. Each turns a file into RawDocuments (or typed errors).

Readers never raise for a bad record inside an export: they yield an InputError for it and
go on, so one invalid JSON line does not cost the rest of the file.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

from newsweave.errors import InputError
from newsweave.ingest.decode import decode_bytes
from newsweave.records import RawDocument

# Field names accepted from JSONL/CSV exports, first match wins. news-please's JSON names
# (maintext, date_publish, source_domain, ...) are included.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("text", "maintext", "body", "content", "article", "articleBody", "article_text"),
    "title": ("title", "headline", "title_page", "title_rss"),
    "url": ("url", "link", "source_url", "href"),
    "published": (
        "published",
        "date_publish",
        "date",
        "publication_date",
        "published_at",
        "pubdate",
        "datePublished",
    ),
    "outlet": ("outlet", "source_domain", "source", "site_name", "publisher", "sitename"),
    "agency": ("agency",),
    "dateline": ("dateline",),
    "description": ("description", "summary", "standfirst"),
}

TEXT_SUFFIXES = {".txt", ".text", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}
CSV_SUFFIXES = {".csv", ".tsv"}


def format_of(path: Path) -> str | None:
    """The reader for a path, by suffix ('.htm.txt' is text: Timeline17 stores text so)."""
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in TEXT_SUFFIXES or suffix.isdigit():
        return "text"
    return None


def _pick(record: dict, name: str) -> str | None:
    for key in FIELD_ALIASES[name]:
        value = record.get(key)
        if value is None:
            continue
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value if v)
        value = str(value).strip()
        if value:
            return value
    return None


def _fields(record: dict) -> tuple[tuple[str, str], ...]:
    out = []
    for name in FIELD_ALIASES:
        if name == "text":
            continue
        value = _pick(record, name)
        if value is not None:
            out.append((name, value))
    return tuple(out)


def read_text(path: str, data: bytes) -> Iterator[RawDocument | InputError]:
    text = decode_bytes(data, path)
    if not text.strip():
        yield InputError(path, "empty file; skipped")
        return
    yield RawDocument(source_path=path, text=text, format="text")


def read_html(path: str, data: bytes) -> Iterator[RawDocument | InputError]:
    # Imported here: trafilatura costs ~0.5 s to import and plain-text ingest never needs it.
    import trafilatura

    markup = decode_bytes(data, path)
    if not markup.strip():
        yield InputError(path, "empty file; skipped")
        return
    try:
        doc = trafilatura.bare_extraction(
            markup,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            favor_precision=True,
        )
    except Exception as exc:  # noqa: BLE001 - a third-party parser on untrusted markup
        yield InputError(path, f"HTML could not be parsed ({type(exc).__name__}); skipped")
        return
    body = getattr(doc, "text", None) if doc is not None else None
    if not body or len(body.split()) < 20:
        yield InputError(path, "HTML page with no article text found; skipped")
        return
    fields = []
    for name, attr in (
        ("title", "title"),
        ("url", "url"),
        ("published", "date"),
        ("outlet", "sitename"),
        ("description", "description"),
        ("author", "author"),
    ):
        value = getattr(doc, attr, None)
        if value:
            fields.append((name, str(value).strip()))
    if not any(k == "outlet" for k, _ in fields):
        host = getattr(doc, "hostname", None)
        if host:
            fields.append(("outlet_host", str(host)))
    yield RawDocument(source_path=path, text=body, format="html", fields=tuple(fields))


class _JSONLimit(Exception):
    """JSON that is valid but beyond what a reader accepts (nesting, number length)."""


def _load_json(text: str) -> object:
    """``json.loads`` with the hostile cases turned into one typed reason: nesting deeper
    than Python's recursion limit (``[`` x 100,000) and integers longer than Python's
    int-conversion limit (4,300 digits) raise :class:`_JSONLimit`, not a crash."""
    try:
        return json.loads(text)
    except RecursionError:
        raise _JSONLimit("JSON nested too deeply") from None
    except json.JSONDecodeError:
        raise
    except ValueError as exc:  # "Exceeds the limit (4300 digits) for integer string ..."
        raise _JSONLimit(f"JSON number too long ({str(exc).split(':')[0]})") from None


def read_jsonl(path: str, data: bytes) -> Iterator[RawDocument | InputError]:
    text = decode_bytes(data, path)
    stripped = text.lstrip()
    if not stripped:
        yield InputError(path, "empty file; skipped")
        return
    # A .json file holding one object or an array of objects is accepted too.
    if stripped[0] == "[" or (path.lower().endswith(".json") and stripped[0] == "{"):
        try:
            parsed = _load_json(text)
        except json.JSONDecodeError:
            parsed = None
        except _JSONLimit as exc:
            yield InputError(path, f"{exc}; skipped")
            return
        if parsed is not None:
            records = parsed if isinstance(parsed, list) else [parsed]
            for n, record in enumerate(records, 1):
                yield _record_to_raw(path, record, n, "record")
            return
    for n, line in enumerate(io.StringIO(text), 1):
        if not line.strip():
            continue
        try:
            record = _load_json(line)
        except json.JSONDecodeError as exc:
            yield InputError(f"{path}:{n}", f"invalid JSON ({exc.msg}); line skipped")
            continue
        except _JSONLimit as exc:
            yield InputError(f"{path}:{n}", f"{exc}; line skipped")
            continue
        yield _record_to_raw(path, record, n, "line")


def _record_to_raw(path: str, record: object, n: int, unit: str) -> RawDocument | InputError:
    if not isinstance(record, dict):
        return InputError(f"{path}:{n}", f"{unit} is not a JSON object; skipped")
    body = _pick(record, "text")
    if not body:
        return InputError(f"{path}:{n}", f"{unit} has no text field; skipped")
    return RawDocument(
        source_path=path, text=body, format="jsonl", fields=_fields(record), record_no=n
    )


def read_csv(path: str, data: bytes) -> Iterator[RawDocument | InputError]:
    text = decode_bytes(data, path)
    if not text.strip():
        yield InputError(path, "empty file; skipped")
        return
    csv.field_size_limit(1 << 30)
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel_tab if path.lower().endswith(".tsv") else csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not any(h in FIELD_ALIASES["text"] for h in header):
        wanted = ", ".join(FIELD_ALIASES["text"])
        yield InputError(path, f"CSV has no text column (expected one of: {wanted}); skipped")
        return
    rows = 0
    try:
        for n, row in enumerate(reader, 2):
            rows += 1
            row = {(k or "").strip(): v for k, v in row.items() if isinstance(v, str)}
            body = _pick(row, "text")
            if not body:
                yield InputError(f"{path}:{n}", "row has an empty text field; skipped")
                continue
            yield RawDocument(
                source_path=path, text=body, format="csv", fields=_fields(row), record_no=n
            )
    except csv.Error as exc:
        yield InputError(path, f"malformed CSV ({exc}); rest of file skipped")
        return
    if not rows:
        yield InputError(path, "CSV has a header but no rows; skipped")


READERS = {"text": read_text, "html": read_html, "jsonl": read_jsonl, "csv": read_csv}

_BINARY_MAGIC = re.compile(rb"^(%PDF|PK\x03\x04|\x89PNG|GIF8|\xff\xd8\xff|\x1f\x8b|BZh|7z)")


def read_document_bytes(path: str, data: bytes, fmt: str) -> Iterator[RawDocument | InputError]:
    """Dispatch to the reader for ``fmt``; refuses well-known binary formats up front."""
    if _BINARY_MAGIC.match(data[:8]):
        yield InputError(path, "binary file (not text); skipped")
        return
    yield from READERS[fmt](path, data)
