"""Fresh, migrated databases for one bench run: a SQLite file on disk, or a schema of its
own in the PostgreSQL database a URL names (``tools/pg-test start``)."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from reglament.store import connect, store_url, upgrade


@contextmanager
def sqlite_db(query: str = "") -> Iterator[str]:
    """A fresh SQLite file (``query``: its URL options), migrated; removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="reglament-store-bench-"))  # /tmp: on the disk here
    try:
        url = f"sqlite:///{folder / 'cases.db'}{query}"
        engine = connect(store_url(url))
        upgrade(engine)
        engine.dispose()
        yield url
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def pg_db(base: str) -> Iterator[str]:
    """A fresh schema in the database ``base`` names, migrated; dropped afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(store_url(base))
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    url = store_url(base)
    query = dict(url.query)
    query["options"] = f"-csearch_path={schema}"
    scoped = url.set(query=query)
    try:
        engine = connect(scoped)
        upgrade(engine)
        engine.dispose()
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
