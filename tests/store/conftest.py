"""The store's tests run on both databases: SQLite (a file per test) and PostgreSQL (a schema
per test in the database REGLAMENT_TEST_PG_URL names; tools/pg-test starts one). Without that
URL the PostgreSQL half is skipped, except under CI=true, where it fails."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine

from reglament.loader import Library, load_library
from reglament.store import Store, connect, store_url, upgrade

PG_ENV = "REGLAMENT_TEST_PG_URL"
RECORDED = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)  # the wall clock the tests' store reads


def _postgresql() -> URL:
    given = os.environ.get(PG_ENV, "")
    if not given:
        message = f'{PG_ENV} is not set: start a cluster with eval "$(tools/pg-test start)"'
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return store_url(given)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[URL]:
    """An empty database of each kind: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield store_url(f"sqlite:///{tmp_path / 'cases.db'}")
        return
    base = _postgresql()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    query = dict(base.query)
    query["options"] = f"-csearch_path={schema}"
    try:
        yield base.set(query=query)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def db(db_url: URL) -> Iterator[Engine]:
    """The database, migrated to the newest schema."""
    engine = connect(db_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def library() -> Library:
    return load_library()


@pytest.fixture
def store(db: Engine, library: Library) -> Store:
    return Store(db, library, lambda: RECORDED)


@pytest.fixture
def new_store(db: Engine, library: Library) -> Callable[[], Store]:
    """Another store on the same database, with its own connections (a second writer)."""

    def make() -> Store:
        return Store(connect(db.url), library, lambda: RECORDED)

    return make
