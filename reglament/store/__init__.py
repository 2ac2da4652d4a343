"""The case store: cases with their full history in SQLite (the default) or PostgreSQL, one
schema versioned by Alembic migrations (docs/runtime.md)."""

from reglament.store.cases import Request, Store, Who, Written
from reglament.store.database import Upgraded, check, connect, upgrade
from reglament.store.url import default_path, store_url

__all__ = [
    "Request",
    "Store",
    "Upgraded",
    "Who",
    "Written",
    "check",
    "connect",
    "default_path",
    "store_url",
    "upgrade",
]
