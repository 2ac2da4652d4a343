"""The hot statements (a write's, a case's history, the list of cases), run on the database
driver's own cursor.

SQLAlchemy Core stays the owner of every statement: each is a Core statement (on the tables of
``tables.py``), compiled once per dialect by SQLAlchemy's own compiler, its parameters and
results converted by the columns' own types (:class:`~reglament.store.tables.Instant`'s UTC
text on SQLite, aware instants on PostgreSQL). What it leaves out is SQLAlchemy's execution of
each statement (its execution context, cache key, parameter and result set-up): about 20-30 µs
of Python per statement against a few µs here, on a write of seven statements
(docs/runtime.md, "What a write costs"). The statements run inside the transaction the
``Connection`` holds (``database.transaction``), on its own DBAPI connection, so they commit and
roll back with everything else the write did; a driver's error is raised as SQLAlchemy's
(``DBAPIError`` and its kinds, a lost connection invalidated), as a statement run through
``Connection.execute`` raises it."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Dialect, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.expression import Executable

Convert = Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    positional: bool  # the dialect's parameters by position (SQLite's ?) or by name
    binds: tuple[tuple[str, Convert], ...]  # each parameter given: its name and conversion
    fixed: dict[str, Any]  # the parameters the statement holds the value of (a literal)
    order: tuple[str, ...] | None  # by position: each parameter's name (None: ``binds``'s)
    row: Any  # a named tuple of the selected columns (None: not a SELECT)
    results: tuple[Convert, ...]  # each selected column's conversion


class Statement:
    """A Core ``statement`` run on the driver's cursor; ``keys``: the columns an INSERT or an
    UPDATE sets (its bind parameters are named after them), as ``Connection.execute`` infers
    them from the parameters given."""

    def __init__(self, statement: Executable, keys: Sequence[str] | None = None) -> None:
        self.statement, self.keys = statement, list(keys) if keys is not None else None
        self._dialects: dict[str, _Compiled] = {}

    def compiled(self, dialect: Dialect) -> _Compiled:
        """The statement compiled for ``dialect`` (once per dialect)."""
        found = self._dialects.get(dialect.name)
        if found is None:
            found = self._dialects[dialect.name] = _compile(self.statement, self.keys, dialect)
        return found

    def run(self, connection: Connection, params: Mapping[str, Any]) -> int:
        """Run the statement once: the number of rows it changed."""
        with _cursor(connection, self) as (cursor, compiled):
            _execute(connection, cursor, compiled.sql, _params(compiled, params))
            return int(cursor.rowcount)

    def many(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run the statement once per row of ``rows`` (the driver's ``executemany``)."""
        if not rows:
            return
        with _cursor(connection, self) as (cursor, compiled):
            given = [_params(compiled, row) for row in rows]
            try:
                cursor.executemany(compiled.sql, given)
            except connection.dialect.loaded_dbapi.Error as error:
                raise _wrapped(connection, cursor, compiled.sql, given, error) from error

    def all(self, connection: Connection, params: Mapping[str, Any]) -> list[Any]:
        """The rows a SELECT gives, each a named tuple of its columns, converted."""
        with _cursor(connection, self) as (cursor, compiled):
            _execute(connection, cursor, compiled.sql, _params(compiled, params))
            made, results = compiled.row, compiled.results
            return [
                made._make(
                    value if convert is None or value is None else convert(value)
                    for value, convert in zip(found, results, strict=True)
                )
                for found in cursor.fetchall()
            ]

    def first(self, connection: Connection, params: Mapping[str, Any]) -> Any:
        """The first row a SELECT gives (``None``: none)."""
        found = self.all(connection, params)
        return found[0] if found else None


def insert_or_skip(table: Table, key: str, keys: Sequence[str]) -> dict[str, Statement]:
    """``INSERT ... ON CONFLICT (key) DO NOTHING`` into ``table`` on each database the store
    runs on, by dialect name: a row whose ``key`` is there already is skipped, and
    :meth:`Statement.run` answers 0 for it."""
    return {
        name: Statement(dialect.insert(table).on_conflict_do_nothing(index_elements=[key]), keys)
        for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
    }


def _compile(statement: Executable, keys: list[str] | None, dialect: Dialect) -> _Compiled:
    compiled = statement.compile(dialect=dialect, column_keys=keys)  # type: ignore[attr-defined]
    names = list(compiled.positiontup) if dialect.positional else list(compiled.binds)
    converts = {
        name: bind.type.dialect_impl(dialect).bind_processor(dialect)
        for name, bind in compiled.binds.items()
    }
    fixed = {  # the statement's own values (``coalesce(..., 0)``), converted once
        name: _converted(converts[name], bind.effective_value)
        for name, bind in compiled.binds.items()
        if not bind.required
    }
    given = dict.fromkeys(name for name in names if name not in fixed)  # each once, in order
    binds = tuple((name, converts[name]) for name in given)
    selected = getattr(statement, "selected_columns", None)
    row: Any = None
    results: tuple[Convert, ...] = ()
    if selected is not None:
        columns = list(selected)
        row = _named([c.key for c in columns])
        results = tuple(
            c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns
        )
    order = tuple(names) if len(binds) != len(names) else None  # a name used twice, or fixed
    return _Compiled(compiled.string, bool(dialect.positional), binds, fixed, order, row, results)


def _named(names: list[str]) -> Any:
    """A named tuple of the columns ``names`` (a row read like SQLAlchemy's, by name)."""
    return namedtuple("Row", names)


def _converted(convert: Convert, value: Any) -> Any:
    return value if convert is None or value is None else convert(value)


def _params(compiled: _Compiled, given: Mapping[str, Any]) -> Any:
    values = {name: _converted(convert, given[name]) for name, convert in compiled.binds}
    if compiled.fixed:
        values |= compiled.fixed
    if not compiled.positional:
        return values
    if compiled.order is None:
        return tuple(values.values())  # the binds given are the statement's, in its order
    return tuple(values[name] for name in compiled.order)


@contextmanager
def _cursor(connection: Connection, statement: Statement) -> Iterator[tuple[Any, _Compiled]]:
    compiled = statement.compiled(connection.dialect)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        yield cursor, compiled
    finally:
        cursor.close()


def _execute(connection: Connection, cursor: Any, sql: str, params: Any) -> None:
    try:
        cursor.execute(sql, params)
    except connection.dialect.loaded_dbapi.Error as error:
        raise _wrapped(connection, cursor, sql, params, error) from error


def _wrapped(connection: Connection, cursor: Any, sql: str, params: Any, error: Any) -> Exception:
    """``error`` as ``Connection.execute`` raises it: SQLAlchemy's kind of it, and the
    connection invalidated if the error is its loss."""
    dialect = connection.dialect
    lost = dialect.is_disconnect(error, connection.connection.dbapi_connection, cursor)
    if lost:
        connection.invalidate(error)
    wrapped: Exception = DBAPIError.instance(
        sql,
        params,
        error,
        dialect.loaded_dbapi.Error,
        hide_parameters=False,
        connection_invalidated=lost,
        dialect=dialect,
        ismulti=None,
    )
    return wrapped
