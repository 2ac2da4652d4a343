"""The store's database: connecting (SQLite in WAL mode, or PostgreSQL through psycopg 3), the
schema's version against this package's migrations, and ``reglament db upgrade``.

On SQLite every write takes the database's write lock when it begins (``BEGIN IMMEDIATE``), so
writers queue (up to :data:`BUSY_MS`) instead of failing half-way; reads begin deferred and run
beside the writer (WAL). On PostgreSQL a write is a ``READ COMMITTED`` transaction whose update
of the case row is guarded by its revision (reglament/store/cases.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import DBAPIError

from reglament.errors import StoreError, UsageError
from reglament.store.url import shown

MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_MS = 30_000  # how long a SQLite writer waits for the write lock
CONNECT_TIMEOUT_S = 10  # how long a PostgreSQL connection may take


SYNCHRONOUS = ("normal", "full")  # SQLite's ?synchronous=: NORMAL (the default) or FULL


def connect(url: URL) -> Engine:
    """A SQLAlchemy engine for ``url``, set up for the store (not yet connected). A SQLite
    URL may say ``?synchronous=full`` (docs/runtime.md, "Durability"); any other value is a
    :class:`UsageError`."""
    if url.get_backend_name() == "sqlite":
        synchronous = str(url.query.get("synchronous", "normal")).casefold()
        if synchronous not in SYNCHRONOUS:
            raise UsageError(
                f"bad synchronous={synchronous!r} in {shown(url)}: expected normal or full"
            )
        engine = create_engine(url.difference_update_query(["synchronous"]))
        event.listen(engine, "connect", partial(_sqlite_connect, synchronous.upper()))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, connect_args={"connect_timeout": CONNECT_TIMEOUT_S})


def _sqlite_connect(synchronous: str, dbapi_connection: Any, _record: object) -> None:
    # The driver's own transaction handling off: the "begin" listener says BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute(f"PRAGMA synchronous = {synchronous}")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    write = connection.get_execution_options().get("write", False)
    # on the driver's connection: SQLAlchemy's execution of it costs more than SQLite's BEGIN
    try:
        connection.connection.dbapi_connection.execute(  # type: ignore[union-attr]
            "BEGIN IMMEDIATE" if write else "BEGIN"
        )
    except connection.dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(
            "BEGIN", (), error, connection.dialect.loaded_dbapi.Error, dialect=connection.dialect
        ) from error


@contextmanager
def transaction(engine: Engine, *, write: bool) -> Iterator[Connection]:
    """One transaction, committed when the block ends, rolled back on any error; a database
    that cannot be reached is a :class:`StoreError` naming it."""
    try:
        with engine.connect() as connection:
            if write:
                connection = connection.execution_options(write=True)
            with connection.begin():
                yield connection
    except DBAPIError as error:
        if error.connection_invalidated or _unreachable(error):
            where = shown(engine.url)
            raise StoreError(f"cannot reach the database {where}: {_reason(error)}") from None
        raise


def _unreachable(error: DBAPIError) -> bool:
    """Whether ``error`` is the database not being there (not a statement failing)."""
    return error.statement is None or "unable to open database file" in str(error.orig)


def _reason(error: DBAPIError) -> str:
    lines = [line.strip() for line in str(error.orig).splitlines() if line.strip()]
    return lines[0] if lines else type(error.orig).__name__


# -- the schema's version -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Upgraded:
    """What ``reglament db upgrade`` did: the schema's revision before (``None``: empty) and
    after."""

    before: str | None
    after: str

    def to_dict(self) -> dict[str, str | None]:
        return {"before": self.before, "after": self.after}


@cache
def _scripts() -> Any:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS))


def head() -> str:
    """The revision of the newest migration this package ships."""
    found = _scripts().get_current_head()
    assert isinstance(found, str)
    return found


def _known() -> list[str]:
    return [script.revision for script in _scripts().walk_revisions()]


def current(connection: Connection) -> str | None:
    """The schema revision the database is at (``None``: no schema yet)."""
    from alembic.runtime.migration import MigrationContext

    found = MigrationContext.configure(connection).get_current_revision()
    return found if isinstance(found, str) else None


def check(engine: Engine) -> None:
    """A :class:`StoreError` unless the database's schema is the one this package writes."""
    with transaction(engine, write=False) as connection:
        found = current(connection)
    if found == head():
        return
    where = shown(engine.url)
    if found is None:
        raise StoreError(f"the database {where} has no case store yet: run reglament db upgrade")
    if found in _known():
        raise StoreError(
            f"the database {where} is at schema {found}, older than {head()}: "
            "run reglament db upgrade"
        )
    raise StoreError(
        f"the database {where} is at schema {found}, newer than this reglament knows "
        f"({head()}): upgrade reglament"
    )


def upgrade(engine: Engine) -> Upgraded:
    """Migrate the database to the newest schema, in one transaction per run (a failure leaves
    it where it was); a schema newer than this package's is a :class:`StoreError`."""
    from alembic import command
    from alembic.config import Config

    with transaction(engine, write=True) as connection:
        before = current(connection)
        if before is not None and before not in _known():
            raise StoreError(
                f"the database {shown(engine.url)} is at schema {before}, newer than this "
                f"reglament knows ({head()}): upgrade reglament"
            )
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return Upgraded(before, head())
