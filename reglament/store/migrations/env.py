"""Alembic's entry point for the store's migrations: run by ``reglament db upgrade``
(reglament/store/database.py: upgrade), on the connection it passes, in batch mode so that
SQLite, which cannot alter most of a table in place, gets each change as a copy of the table."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from reglament.store.tables import metadata

connection = context.config.attributes["connection"]
assert isinstance(connection, Connection)
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
