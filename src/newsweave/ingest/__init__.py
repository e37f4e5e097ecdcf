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

# Larger files are refused: no single article is this big, and exports this size should be
# split. 64 MiB keeps one file's decode + parse well under a second of memory pressure.
MAX_FILE_BYTES = 64 * 1024 * 1024

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
                found = 0
                for root, dirs, files in os.walk(path):
                    dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                    for name in sorted(files):
                        if name.startswith(".") or name in _SKIP_NAMES:
                            continue
                        child = Path(root) / name
                        fmt = format_of(child)
                        if fmt is not None:
                            found += 1
                            yield InputFile(child, fmt)
                if not found:
                    yield InputError(str(path), "directory contains no article files")
            elif path.is_file():
                fmt = format_of(path) or "text"
                yield InputFile(path, fmt)
            elif not path.exists():
                yield InputError(str(path), "no such file or directory")
            else:
                yield InputError(str(path), "not a regular file")


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
        yield from read_document_bytes(path, data, item.format)
    except InputError as exc:
        yield exc


__all__ = ["MAX_FILE_BYTES", "InputFile", "discover", "read_file"]
