"""Migrations run up from an empty database on both kinds; the migrated schema is the one
reglament/store/tables.py declares (no drift), with the indexes the office's questions use; a
schema too old or too new, or a database not there, is one clear line."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, Engine

from reglament.errors import StoreError
from reglament.store import check, connect, store_url, upgrade
from reglament.store.database import head
from reglament.store.tables import metadata
from reglament.store.worker import claim_query

INDEXES = {
    "cases": {
        "ix_cases_overdue": ["overdue_at", "id"],
        "ix_cases_status_at_risk": ["status", "at_risk_at"],
        "ix_cases_region": ["region"],
        "ix_cases_reglament": ["reglament"],
        "ux_cases_receipt": ["receipt"],
    },
    "timers": {"ix_timers_pending": ["due_at", "id"]},
    "outbox": {"ux_outbox_key": ["key"], "ix_outbox_next_attempt": ["next_attempt_at"]},
    "calendars": {"ix_calendars_fingerprint": ["fingerprint"]},
}


def test_upgrade_from_empty_then_nothing_more(db_url: URL) -> None:
    engine = connect(db_url)
    with pytest.raises(StoreError, match="has no case store yet: run reglament db upgrade"):
        check(engine)
    first = upgrade(engine)
    assert (first.before, first.after) == (None, head())
    again = upgrade(engine)
    assert (again.before, again.after) == (head(), head())
    check(engine)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert tables == {
        "alembic_version",
        "cases",
        "events",
        "timers",
        "outbox",
        "idempotency",
        "calendars",
        "tokens",
    }


def test_migrated_schema_is_the_declared_one(db: Engine) -> None:
    with db.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    assert diff == []


def test_indexes_exist(db: Engine) -> None:
    inspector = inspect(db)
    for table, wanted in INDEXES.items():
        found = {i["name"]: i["column_names"] for i in inspector.get_indexes(table)}
        for name, columns in wanted.items():
            assert found.get(name) == columns, (table, name, found)
    unique = {i["name"] for i in inspector.get_indexes("cases") if i["unique"]}
    assert "ux_cases_receipt" in unique


def test_the_worker_claims_on_the_index_of_the_timers_to_come(db: Engine) -> None:
    """The claim reads ``ix_timers_pending`` (only timers not fired yet, in the claim's order),
    whatever number of fired timers the table holds."""
    query = claim_query(set(), db.dialect.name).params(now=dt.datetime(2017, 3, 1, tzinfo=dt.UTC))
    statement = query.compile(db, compile_kwargs={"literal_binds": True})
    with db.begin() as connection:
        if db.dialect.name == "postgresql":
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")  # an empty table
            plan = connection.exec_driver_sql(f"EXPLAIN {statement}").scalars().all()
        else:
            plan = [r[-1] for r in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}")]
    assert any("ix_timers_pending" in line for line in plan), plan


def test_a_newer_schema_is_refused(db: Engine) -> None:
    with db.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreError, match=r"at schema 9999, newer than this reglament knows"):
        check(db)
    with pytest.raises(StoreError, match="upgrade reglament"):
        upgrade(db)


def test_an_unreachable_database_is_one_line() -> None:
    missing = connect(store_url("sqlite:////nonexistent-folder/cases.db"))
    with pytest.raises(StoreError, match=r"^cannot reach the database sqlite:////nonexistent"):
        check(missing)
    refused = connect(store_url("postgresql://nobody@127.0.0.1:1/cases"))
    with pytest.raises(StoreError, match=r"^cannot reach the database postgresql://nobody@") as e:
        check(refused)
    assert "\n" not in str(e.value)
    missing.dispose()
    refused.dispose()
