"""Reading input: find article files under paths and globs, and read each format.

``discover`` expands files, folders (recursive) and globs; ``read_file`` reads one file into
RawDocuments, turning every problem into an :class:`~newsweave.errors.InputError` that names
the file and the reason.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from newsweave.errors import InputError
from newsweave.ingest.readers import format_of, read_document_bytes
from newsweave.records import RawDocument

# The reader boundary's size limits: what passes them is small enough for every later stage.
# Larger files are refused: no single article is this big, and exports this size should be
# split. 64 MiB keeps one file's decode + parse well under a second of memory pressure.
MAX_FILE_BYTES = 64 * 1024 * 1024
# The longest text any stage reads as one article. A longer document (a live blog run for
# weeks, a transcript, a 7 MB page) is read as consecutive parts of at most this many
# characters, cut at paragraph boundaries, each an article of its own through every stage
# (``clean.split_document``): memory stays that of a 1M-character article, whatever the
# document's length. The longest real article in the shared corpora is 700,000 characters.
MAX_ARTICLE_CHARS = 1_000_000
# One document's text longer than this is refused (as is each metadata field over
# MAX_FIELD_CHARS): 16 parts is more than any news document, and a bigger text is a dump.
MAX_DOCUMENT_CHARS = 16_000_000
MAX_FIELD_CHARS = 100_000

_SKIP_NAMES = {".DS_Store", "Thumbs.db"}


@dataclass(frozen=True, slots=True)
class InputFile:
    path: Path
    format: str


def discover(paths: list[str]) -> Iterator[InputFile | InputError]:
    """Expand files, folders (recursively) and globs into readable input files, in a stable
    order. A folder's files with unknown suffixes are ignored silently; a path named on the
    command line that cannot be read is an error."""
    for raw in paths:
        matches = sorted(glob.glob(raw, recursive=True)) if glob.has_magic(raw) else [raw]
        if not matches:
            yield InputError(raw, "no such file or directory")
            continue
        for match in matches:
            path = Path(match)
            if path.is_dir():
                yield from _walk(path)
            elif path.is_file():
                fmt = format_of(path) or "text"
                yield InputFile(path, fmt)
            elif not path.exists():
                yield InputError(str(path), "no such file or directory")
            else:
                yield InputError(str(path), "not a regular file")


def _walk(folder: Path) -> Iterator[InputFile | InputError]:
    """The article files under ``folder``. Links are never followed out of it: a symbolic
    link to a file outside the folder is refused (and links to folders are not entered), so
    an input folder cannot make newsweave read /etc/passwd. Unreadable folders are reported."""
    unreadable: list[InputError] = []

    def on_error(exc: OSError) -> None:
        where = exc.filename if exc.filename is not None else str(folder)
        unreadable.append(
            InputError(str(where), f"cannot read folder ({exc.strerror or exc}); skipped")
        )

    try:
        root_real = folder.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        yield InputError(str(folder), f"cannot resolve folder ({exc}); skipped")
        return
    found = 0
    for root, dirs, files in os.walk(folder, onerror=on_error):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or name in _SKIP_NAMES:
                continue
            child = Path(root) / name
            fmt = format_of(child)
            if fmt is None:
                continue
            found += 1
            if child.is_symlink():
                try:
                    target = child.resolve(strict=True)
                except (OSError, RuntimeError):
                    yield InputError(str(child), "broken symbolic link; skipped")
                    continue
                if not target.is_relative_to(root_real):
                    yield InputError(
                        str(child), "symbolic link points outside the input folder; skipped"
                    )
                    continue
            yield InputFile(child, fmt)
    yield from unreadable
    if not found and not unreadable:
        yield InputError(str(folder), "directory contains no article files")


def _over_limit(doc: RawDocument) -> InputError | None:
    """The size limit every document passes before it is cleaned and stored."""
    where = doc.source_path + (f":{doc.record_no}" if doc.record_no is not None else "")
    if len(doc.text) > MAX_DOCUMENT_CHARS:
        return InputError(
            where,
            f"document text too long ({len(doc.text):,} characters > {MAX_DOCUMENT_CHARS:,}"
            " limit); skipped",
        )
    for name, value in doc.fields:
        if len(value) > MAX_FIELD_CHARS:
            return InputError(
                where,
                f"field {name!r} too long ({len(value):,} characters > {MAX_FIELD_CHARS:,}"
                " limit); skipped",
            )
    return None


def read_file(item: InputFile) -> Iterator[RawDocument | InputError]:
    """Read one input file; every failure becomes an InputError naming the file."""
    path = str(item.path)
    try:
        size = item.path.stat().st_size
        if size > MAX_FILE_BYTES:
            mb = size / (1024 * 1024)
            limit = MAX_FILE_BYTES // (1024 * 1024)
            yield InputError(path, f"file too large ({mb:.0f} MB > {limit} MB limit); skipped")
            return
        if size == 0:
            yield InputError(path, "empty file; skipped")
            return
        data = item.path.read_bytes()
    except OSError as exc:
        yield InputError(path, f"cannot read ({exc.strerror or exc}); skipped")
        return
    try:
        for doc in read_document_bytes(path, data, item.format):
            if isinstance(doc, RawDocument):
                doc = _over_limit(doc) or doc
            yield doc
    except InputError as exc:
        yield exc
    except Exception as exc:  # noqa: BLE001 - one file never ends the run
        # A reader bug on hostile bytes costs this file, never the files beside it; the
        # fuzzer (bench/fuzz.py) calls the readers without this net, so it still finds them.
        yield InputError(path, f"could not be read ({type(exc).__name__}); rest of file skipped")


__all__ = [
    "MAX_ARTICLE_CHARS",
    "MAX_DOCUMENT_CHARS",
    "MAX_FIELD_CHARS",
    "MAX_FILE_BYTES",
    "InputFile",
    "discover",
    "read_file",
]
