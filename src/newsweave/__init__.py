"""newsweave: turn news articles from many outlets into a cited picture of what happened."""

from newsweave.api import Newsweave, open
from newsweave.errors import InputError, NewsweaveError, StoreError
from newsweave.pipeline import IngestReport
from newsweave.records import Article

__version__ = "0.1.0"

__all__ = [
    "Article",
    "IngestReport",
    "InputError",
    "Newsweave",
    "NewsweaveError",
    "StoreError",
    "open",
]
