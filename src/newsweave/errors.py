"""Typed errors. The core raises these; only the CLI and the HTTP layer turn them into text.

Every message names the file (or store) and the reason, on one line.
"""

from __future__ import annotations


class NewsweaveError(Exception):
    """Base of every error newsweave raises on purpose."""


class InputError(NewsweaveError):
    """A document or path that cannot be read as an article. Message: 'PATH: reason'."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
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
