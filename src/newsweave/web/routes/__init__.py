"""The HTTP routes, one ``APIRouter`` per concern: the page and its static files, the read
API, and ingest (the only write)."""
