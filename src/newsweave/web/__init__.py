"""HTTP API and web page over :class:`newsweave.api.Newsweave` (see docs/http-api.md)."""

from newsweave.web.app import create_app

__all__ = ["create_app"]
