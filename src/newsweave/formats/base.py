"""What an export format is (see :mod:`newsweave.formats` for the registry)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from newsweave.store import Store

#: A writer streams the store, in its format, to a text stream.
Writer = Callable[[Store, TextIO], None]


@dataclass(frozen=True, slots=True)
class Format:
    """One export format: its name (``--format NAME``, ``/api/export?format=NAME``), the
    function that writes it, the HTTP media type, the file-name suffix a download gets
    (``newsweave.SUFFIX``) and a one-line description for help texts and docs.

    ``page_style`` marks a page meant to be opened in the browser (HTML): the HTTP API serves
    it inline, under a Content-Security-Policy that allows exactly this inline stylesheet and
    nothing else. Other formats are served as attachments.
    """

    name: str
    write: Writer
    media_type: str
    suffix: str
    description: str
    page_style: str | None = None
