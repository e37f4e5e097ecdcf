"""Typed errors. The core raises these; only the CLI and the HTTP layer turn them into text.

Every message names the file (or store) and the reason, on one line.
"""

from __future__ import annotations

import re

# Control characters (C0, DEL, C1), line/paragraph separators and lone surrogates (undecodable
# bytes of a file name): in a file name or a reason they would split or garble the one-line
# message, so they are shown escaped.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def one_line(text: str) -> str:
    """``text`` with control characters escaped (``\\n``, ``\\x1b``): always one line."""
    if not _UNPRINTABLE.search(text):
        return text
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], text)


class NewsweaveError(Exception):
    """Base of every error newsweave raises on purpose."""


class InputError(NewsweaveError):
    """A document or path that cannot be read as an article. Message: 'PATH: reason'."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{one_line(path)}: {one_line(reason)}")
        self.path = path
        self.reason = reason

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str]]:
        # Pickle by (path, reason): the default would call InputError(message) and fail,
        # and errors travel back from Dask workers.
        return (InputError, (self.path, self.reason))


class StoreError(NewsweaveError):
    """The store cannot be opened or written."""


class StageError(NewsweaveError):
    """A pipeline stage was misconfigured or its prerequisites are missing."""
