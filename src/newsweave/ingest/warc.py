"""Web archives (WARC and the older ARC, gzipped or not) as inputs, streamed record by record.

:func:`iter_archive` reads one archive with warcio's streaming iterator and yields a
:class:`~newsweave.ingest.live.Payload` per HTML response with status 200 (a CC-NEWS file
is mostly those; requests, metadata, redirects, robots.txt and non-HTML bodies are passed
over silently). Only one record is in memory at a time, and a body over the size limit is
refused without being read whole, so a file of tens of thousands of pages goes through in
bounded memory. Payloads then take the same path as fetched pages and files.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path

from newsweave.errors import InputError
from newsweave.ingest.feeds import kind_of
from newsweave.ingest.fetch import canonical_url
from newsweave.ingest.live import Payload, page_language

ARCHIVE_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
MAX_RECORD_BYTES = 10 * 1024 * 1024  # an HTML page larger than this is not an article


def is_archive(path: str) -> bool:
    return path.lower().endswith(ARCHIVE_SUFFIXES)


def iter_archive(path: Path) -> Iterator[Payload | InputError]:
    """HTML responses of one WARC/ARC file as payloads; a damaged archive yields one
    InputError naming the file and where it broke (the records before it are kept)."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    name = str(path)
    records = 0
    try:
        if not _starts_like_archive(path):
            yield InputError(name, "not a WARC/ARC file (no WARC/ or filedesc:// header); skipped")
            return
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream, arc2warc=True):
                records += 1
                payload = _payload(record, name)
                if isinstance(payload, _Truncated):
                    yield InputError(
                        name,
                        f"archive truncated in record {records} ({payload.uri}: "
                        f"{payload.got} of {payload.declared} bytes); rest skipped",
                    )
                    return
                if payload is not None:
                    yield payload
    except OSError as exc:
        where = f"after {records} records" if records else "at its start"
        reason = exc.strerror or str(exc) or type(exc).__name__
        yield InputError(name, f"archive unreadable {where} ({reason}); rest skipped")
    except (ArchiveLoadFailed, ValueError, EOFError) as exc:
        where = f"after {records} records" if records else "at its start"
        yield InputError(name, f"not a readable WARC/ARC {where} ({_short(exc)}); rest skipped")


def _starts_like_archive(path: Path) -> bool:
    with path.open("rb") as fh:
        head = fh.read(2)
    try:
        if head == b"\x1f\x8b":
            with gzip.open(path, "rb") as fh:
                head = fh.read(16)
        else:
            with path.open("rb") as fh:
                head = fh.read(16)
    except (OSError, EOFError, zlib.error):
        return False
    return head.lstrip().startswith((b"WARC/", b"filedesc://"))


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if "non-chunked gzip" in text:
        return "one gzip stream, not one per record; fix with: warcio recompress FILE NEW"
    return (text[:120] + "…") if len(text) > 120 else (text or type(exc).__name__)


class _Truncated:
    def __init__(self, uri: str, got: int, declared: int) -> None:
        self.uri, self.got, self.declared = uri, got, declared


def _payload(record: object, archive: str) -> Payload | _Truncated | None:
    if record.rec_type != "response":  # type: ignore[attr-defined]
        return None
    http = record.http_headers  # type: ignore[attr-defined]
    if http is None or http.get_statuscode() != "200":
        return None
    uri = record.rec_headers.get_header("WARC-Target-URI")  # type: ignore[attr-defined]
    if not uri or not uri.startswith(("http://", "https://")):
        return None
    media = (http.get_header("Content-Type") or "").split(";")[0].strip().lower()
    stream = record.content_stream()  # type: ignore[attr-defined]
    body = stream.read(MAX_RECORD_BYTES + 1)
    if len(body) > MAX_RECORD_BYTES or not body:
        return None
    declared = http.get_header("Content-Length") or ""
    if declared.isdigit() and len(body) < int(declared):
        # a gzip member cut short reads as a short body, without an error
        return _Truncated(uri, len(body), int(declared))
    if kind_of(media, body) != "page":
        return None
    return Payload(
        path=uri,
        data=body,
        after=(("url", canonical_url(uri)),),
        archive=archive,
        language=page_language(body),
    )


__all__ = ["ARCHIVE_SUFFIXES", "MAX_RECORD_BYTES", "is_archive", "iter_archive"]
