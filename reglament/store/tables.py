"""The store's schema in SQLAlchemy Core: cases, their append-only events, timers, the outbox
and the idempotency keys (docs/runtime.md, "The schema"). Migration 0001 creates exactly these
tables; ``tests/store/test_schema.py`` holds the two equal.

Instants are :class:`Instant`: ``timestamp with time zone`` on PostgreSQL; on SQLite a UTC text
of fixed width (``2015-12-15T04:00:00.000000Z``), so both sort them in time order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from sqlalchemy import (
    Column,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TIMESTAMP, TypeDecorator, TypeEngine

from reglament.errors import UsageError

_TEXT_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


class Instant(TypeDecorator[dt.datetime]):
    """An aware instant, stored in UTC; read back aware, in UTC."""

    impl = String(27)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(TIMESTAMP(timezone=True))
        return dialect.type_descriptor(String(27))

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> object:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"an instant needs its time zone: {value.isoformat()}")
        utc = value.astimezone(dt.UTC)
        if dialect.name == "postgresql":
            return utc
        return utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"  # _TEXT_FORMAT

    def process_result_value(self, value: object, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.astimezone(dt.UTC)
        return dt.datetime.fromisoformat(str(value))  # _TEXT_FORMAT, its Z read as UTC


metadata = MetaData()

cases = Table(
    "cases",
    metadata,
    Column("id", String(200), primary_key=True),  # the engine's case id
    Column("reglament", String(200), nullable=False),
    Column("version", String(10), nullable=False),  # the version's effective-from day
    Column("region", String(100), nullable=False),
    Column("timezone", String(100), nullable=False),  # the case's, its instants shown in it
    Column("channel", String(100), nullable=False),
    Column("variant", String(100)),
    Column("receipt", String(200), nullable=False),
    Column("language", String(2), nullable=False),  # the applicant's: kk, ru or en
    Column("contact", Text, nullable=False),  # JSON: email, phone (may be {})
    Column("status", String(10), nullable=False),  # open, suspended, finished
    Column("revision", Integer, nullable=False),  # 1 at start, +1 per committed write
    Column("snapshot", Text, nullable=False),  # JSON: Case.to_dict()
    Column("step_due", Instant),  # the earliest due instant of the steps under way
    Column("term_due", Instant),  # the legal term's due instant, as of the last write
    Column("overdue_at", Instant),  # from when the case is overdue (a step or the term)
    Column("at_risk_at", Instant),  # from when its term is at risk
    Column("at_risk_until", Instant),  # until when (its term overdue); None: while it stands
    Column("created_at", Instant, nullable=False),  # the submission instant
    Column("updated_at", Instant, nullable=False),  # the instant of its last event
    Column("calendar", String(64)),  # the calendar its due instants are planned on (0003)
    Index("ix_cases_overdue", "overdue_at", "id"),  # a finished case has none (0002)
    Index("ix_cases_status_at_risk", "status", "at_risk_at"),
    Index("ix_cases_region", "region"),
    Index("ix_cases_reglament", "reglament"),
    Index("ux_cases_receipt", "receipt", unique=True),
)

events = Table(
    "events",
    metadata,
    Column("case_id", String(200), ForeignKey("cases.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),  # 1..n per case
    Column("revision", Integer, nullable=False),  # the revision the write that added it made
    Column("command", String(20), nullable=False),  # start, complete, suspend, resume, data
    Column("at", Instant, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("step", String(200)),
    Column("outcome", String(200)),
    Column("detail", Text, nullable=False),
    Column("payload", Text),  # JSON: the command's arguments, on the first event of a write
    Column("user_id", String(200)),
    Column("role", String(200)),
    Column("comment", Text),
    Column("idempotency_key", String(200)),
    Column("recorded_at", Instant, nullable=False),  # the wall clock of the write
    Column("calendar", String(64)),  # the calendar the write ran on, on its first event (0003)
    Column("request_id", String(200)),  # the HTTP request's X-Request-Id (0004)
)

timers = Table(
    "timers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(200), ForeignKey("cases.id"), nullable=False),
    Column("kind", String(20), nullable=False),  # step_overdue, term_at_risk, ...
    Column("step", String(200)),
    Column("due_at", Instant, nullable=False),
    Column("fired_at", Instant),
    Column("revision", Integer, nullable=False),  # the case revision it was planned at
    UniqueConstraint("case_id", "kind", "step", "due_at", name="ux_timers_case_kind_step_due"),
)
# the worker's claim, in its order: only the timers not fired yet (0003)
Index(
    "ix_timers_pending",
    timers.c.due_at,
    timers.c.id,
    sqlite_where=timers.c.fired_at.is_(None),
    postgresql_where=timers.c.fired_at.is_(None),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(200), ForeignKey("cases.id"), nullable=False),
    Column("event_seq", Integer, nullable=False),
    Column("key", String(400), nullable=False),
    Column("medium", String(20), nullable=False),
    Column("language", String(2), nullable=False),
    Column("recipient", String(400), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(10), nullable=False),  # pending, delivered, failed
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", Instant),
    Column("last_error", Text),
    Column("created_at", Instant, nullable=False),
    Column("delivered_at", Instant),
    Index("ux_outbox_key", "key", unique=True),
    Index("ix_outbox_next_attempt", "next_attempt_at"),
)

calendars = Table(  # each calendar the store's cases were planned on, in order (0003)
    "calendars",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),  # the last is the store's
    Column("fingerprint", String(64), nullable=False),  # WorkCalendar.fingerprint
    Column("label", Text, nullable=False),  # the default calendar, and the override files
    Column("days", Text, nullable=False),  # JSON: WorkCalendar.to_json()
    Column("installed_at", Instant, nullable=False),  # the wall clock
    Index("ix_calendars_fingerprint", "fingerprint"),  # not unique: one may come back
)

idempotency = Table(
    "idempotency",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("case_id", String(200), ForeignKey("cases.id"), nullable=False),
    Column("request", String(64), nullable=False),  # sha256 of the command and its arguments
    Column("revision", Integer, nullable=False),  # the case's revision after the write
    Column("response", Text, nullable=False),  # JSON: what the command answered
)

tokens = Table(  # the service's bearer tokens (0004): only a hash of each secret is kept
    "tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("role", String(10), nullable=False),  # clerk, head, auditor, admin
    Column("region", String(100), nullable=False),
    Column("actor", String(200)),  # the reglaments' actor whose steps a clerk records
    Column("secret_sha256", String(64), nullable=False),
    Column("created_at", Instant, nullable=False),
    Column("revoked_at", Instant),
    Index("ux_tokens_secret", "secret_sha256", unique=True),
)


# what the caller gave that a column keeps, as the command line names it
_GIVEN = {
    "user_id": "the user (--by)",
    "role": "the role (--role)",
    "idempotency_key": "the idempotency key (--key)",
    "key": "the idempotency key (--key)",
    "id": "the case id (--case-id)",
    "case_id": "the case id (--case-id)",
    "receipt": "the receipt (--receipt)",
    "request_id": "the request id (X-Request-Id)",
    "name": "the token's name (--name)",
    "actor": "the token's actor (--actor)",
}


def fit(table: Table, rows: Iterable[Mapping[str, Any]]) -> None:
    """Refuse, before anything is written, a text longer than its column keeps (PostgreSQL
    would refuse it mid-transaction with a ``DataError``; SQLite would keep it whole): one
    line naming what was given and the limit."""
    lengths = _lengths(table)
    for row in rows:
        for name, value in row.items():
            length = lengths.get(name)
            if length is not None and isinstance(value, str) and len(value) > length:
                what = _GIVEN.get(name, f"{table.name}.{name}")
                raise UsageError(
                    f"{what} is {len(value):,} characters long; at most {length:,} are kept"
                )


@cache
def _lengths(table: Table) -> dict[str, int]:
    """The length each of ``table``'s text columns keeps, read once (``fit`` runs in every
    write)."""
    found = {c.name: getattr(c.type, "length", None) for c in table.c}
    return {name: length for name, length in found.items() if isinstance(length, int)}
