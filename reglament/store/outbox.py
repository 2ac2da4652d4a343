"""The store's outbox: the messages a write's events send, kept in the ``outbox`` table in the
write's own transaction, and their delivery, one committed outcome per message
(docs/runtime.md, "Outbox").

:func:`enqueue` is called by every write (``Store._insert``, ``Store._update``) once the move's
records are known: it renders them (:func:`reglament.runtime.messages.messages`, in the case's
stored language and contact) and inserts one row per message, ``pending``, due at its event's
instant. The message's key is unique: a row already there is left as it is (``ON CONFLICT DO
NOTHING``), so rendering the same event again adds nothing.

:func:`deliver` takes the pending messages whose next attempt has come, one at a time: each is
*claimed* in a short transaction of its own (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so that
several deliverers take different rows; SQLite's single writer, ``BEGIN IMMEDIATE``), which
counts the attempt and leases the row for :data:`LEASE`; it is then tried through
:func:`reglament.runtime.delivery.deliver`, and its outcome (delivered, tried again at the
back-off's instant, failed for good) is written in another transaction before the next message
is claimed. A deliverer that dies in between leaves the row pending: once the lease runs out it
is tried again, with the same key (at least once). An outcome is written only while the row
is still the claim's (its ``attempts`` unchanged), so a deliverer whose lease ran out and was
taken over does not overwrite the newer attempt's outcome."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.engine import Engine as Database

from reglament.engine import Case, Engine
from reglament.errors import UsageError, unknown
from reglament.runtime import delivery
from reglament.runtime.delivery import Outcome, Pending, Sink, Status
from reglament.runtime.messages import Contact, Message, messages
from reglament.schemas import Language, Medium
from reglament.store import database, direct
from reglament.store.tables import cases, outbox
from reglament.store.url import store_url

Clock = Callable[[], dt.datetime]

LEASE = dt.timedelta(minutes=5)  # how long a claimed message is kept from other deliverers
ADDRESS_LIMIT = 400  # the outbox's recipient column: String(400)
STATUSES = tuple(status.value for status in Status)
_COLUMNS = [c.name for c in outbox.c if c.name != "id"]  # what a new message sets (``_row``)
# on the driver's cursor (store/direct.py); a key already there: skipped
_INSERT = direct.insert_or_skip(outbox, "key", _COLUMNS)


def language_of(given: str) -> Language:
    """The applicant's language, or a ``UsageError`` naming the choices."""
    try:
        return Language(given)
    except ValueError:
        raise unknown("language", given, [lang.value for lang in Language]) from None


def _contact(given: Mapping[str, Any]) -> Contact:
    """The applicant's contact (``Contact.of``), each value no longer than the outbox's
    ``recipient`` column holds (:data:`ADDRESS_LIMIT`): a ``UsageError`` naming the field
    otherwise."""
    found = Contact.of(given)
    for name, value in ((f.name, getattr(found, f.name)) for f in fields(found)):
        if value is not None and len(value) > ADDRESS_LIMIT:
            raise UsageError(
                f"contact: {name} is {len(value):,} characters long; at most "
                f"{ADDRESS_LIMIT} are kept"
            )
    return found


def enqueue(
    connection: Connection,
    engine: Engine,
    case: Case,
    count: int,
    first_seq: int,
    language: str,
    contact: Mapping[str, Any],
    now: dt.datetime,
) -> int:
    """Insert the messages that the last ``count`` records of ``case``'s history send (logged
    as events ``first_seq + 1``, ...) into the outbox, in ``connection``'s transaction; a
    message whose key is there already is skipped. ``now`` is the wall clock (``created_at``).
    Returns how many rows were added. A bad language or contact is a ``UsageError``."""
    lang, reached = language_of(language), _contact(contact)
    records = case.history[len(case.history) - count :] if count else []
    sending = {id(notice.record) for notice in engine.notices(case, records)}
    rows = [
        _row(message, case.id, first_seq + number, record.at, now)
        for number, record in enumerate(records, start=1)
        if id(record) in sending  # (most records send nothing: no rendering for them)
        for message in messages(engine, case, [record], reached, lang)
    ]
    adding = _INSERT[connection.dialect.name]
    return sum(adding.run(connection, row) for row in rows)  # a message or two a move


def _row(
    message: Message, case_id: str, seq: int, due: dt.datetime, now: dt.datetime
) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "event_seq": seq,
        "key": message.key,
        "medium": message.medium.value,
        "language": message.language.value,
        "recipient": message.recipient,
        "subject": message.subject or "",  # none for an SMS and a letter: kept as ""
        "body": message.body,
        "status": Status.pending.value,
        "attempts": 0,
        "next_attempt_at": due,
        "last_error": None,
        "created_at": now,
        "delivered_at": None,
    }


@contextmanager
def opened(db: str | None) -> Iterator[Database]:
    """The store's database (``--db``, ``REGLAMENT_DB`` or the default file), its schema
    checked; its connections closed when the block ends."""
    engine = database.connect(store_url(db))
    try:
        database.check(engine)
        yield engine
    finally:
        engine.dispose()


# -- delivery ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Claim:
    id: int
    pending: Pending


def deliver(
    db: Database,
    sinks: Mapping[Medium, Sink],
    clock: Clock,
    due: dt.datetime,
    limit: int | None = None,
) -> Iterator[Outcome]:
    """Deliver the pending messages whose next attempt is at ``due`` or before (at most
    ``limit``), oldest first, each claimed, tried and its outcome committed before the next
    (the module's docstring); yields each outcome once it is written. ``clock`` gives each
    attempt's instant (a fixed one for a virtual clock). A message that fails and is tried
    again comes back after ``due`` only, so one run tries each message once."""
    claims: dict[str, _Claim] = {}

    def claimed() -> Iterator[Pending]:
        taken = 0
        while limit is None or taken < limit:
            claim = _claim(db, due, clock)
            if claim is None:
                return
            claims[claim.pending.message.key] = claim
            taken += 1
            yield claim.pending

    for outcome in delivery.deliver(claimed(), sinks, clock):
        _write(db, claims.pop(outcome.key), outcome)
        yield outcome


def _claim(db: Database, due: dt.datetime, clock: Clock) -> _Claim | None:
    """The oldest message due by ``due`` that no other deliverer holds, its attempt counted
    and the row leased until :data:`LEASE` from now."""
    query = (
        select(outbox)
        .where(outbox.c.status == Status.pending.value, outbox.c.next_attempt_at <= due)
        .order_by(outbox.c.next_attempt_at, outbox.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    with database.transaction(db, write=True) as connection:
        row = connection.execute(query).first()
        if row is None:
            return None
        connection.execute(
            update(outbox)
            .where(outbox.c.id == row.id)
            .values(attempts=row.attempts + 1, next_attempt_at=clock() + LEASE)
        )
    return _Claim(row.id, Pending(_message(row), row.attempts))


def _write(db: Database, claim: _Claim, outcome: Outcome) -> bool:
    """Write ``outcome`` on its row, if the row is still the claim's (no later claim counted
    another attempt): whether it was written."""
    values: dict[str, Any] = {
        "status": outcome.status.value,
        "attempts": outcome.attempts,
        "next_attempt_at": outcome.next_attempt_at,
    }
    if outcome.status is Status.delivered:
        values["delivered_at"] = outcome.at
    else:
        values["last_error"] = outcome.error
    with database.transaction(db, write=True) as connection:
        changed = connection.execute(
            update(outbox)
            .where(
                outbox.c.id == claim.id,
                outbox.c.status == Status.pending.value,
                outbox.c.attempts == outcome.attempts,
            )
            .values(**values)
        ).rowcount
    return bool(changed == 1)


def _message(row: Row[Any]) -> Message:
    medium = Medium(row.medium)
    return Message(
        key=row.key,
        case_id=row.case_id,
        medium=medium,
        language=Language(row.language),
        recipient=row.recipient,
        subject=row.subject or None,
        body=row.body,
    )


# -- listing -------------------------------------------------------------------------------------


def listed(
    db: Database, status: str | None = None, limit: int = 100, region: str | None = None
) -> dict[str, Any]:
    """The outbox's messages (of one ``status``, or all; of ``region``'s cases, or all),
    oldest first: ``count``, how many there are in all, and ``messages``, at most ``limit`` of
    them, as JSON (instants in the case's time zone)."""
    if status is not None and status not in STATUSES:
        raise unknown("message status", status, list(STATUSES))
    if limit < 1:
        raise UsageError(f"the limit must be 1 or more, not {limit}")
    where = [outbox.c.status == status] if status is not None else []
    if region is not None:
        where.append(cases.c.region == region.casefold())
    joined = outbox.join(cases, cases.c.id == outbox.c.case_id)
    query = select(outbox, cases.c.timezone).select_from(joined)
    with database.transaction(db, write=False) as connection:
        count = connection.execute(select(func.count()).select_from(joined).where(*where))
        total = count.scalar_one()
        rows = connection.execute(query.where(*where).order_by(outbox.c.id).limit(limit)).all()
    return {"count": total, "messages": [_listed(row) for row in rows]}


def _listed(row: Row[Any]) -> dict[str, Any]:
    """A message as JSON, its instants in its case's time zone."""
    zone = ZoneInfo(row.timezone)

    def instant(value: dt.datetime | None) -> str | None:
        return value.astimezone(zone).isoformat() if value is not None else None

    return {
        "key": row.key,
        "case": row.case_id,
        "event": row.event_seq,
        "medium": row.medium,
        "language": row.language,
        "recipient": row.recipient,
        "subject": row.subject or None,
        "body": row.body,
        "status": row.status,
        "attempts": row.attempts,
        "next_attempt_at": instant(row.next_attempt_at),
        "last_error": row.last_error,
        "created_at": instant(row.created_at),
        "delivered_at": instant(row.delivered_at),
    }


def listed_text(found: Mapping[str, Any]) -> str:
    """One line per message, then how many there are (all of them, not only those shown)."""
    lines = []
    for message in found["messages"]:
        to = message["recipient"] or "(no address)"
        state = message["status"]
        if state == Status.pending.value:
            state += f", next attempt {message['next_attempt_at']}"
        elif state == Status.delivered.value:
            state += f" {message['delivered_at']}"
        tried = f", {message['attempts']} attempt(s)"
        error = f": {message['last_error']}" if message["last_error"] else ""
        lines.append(
            f"{message['key']}  {message['medium']} {message['language']} to {to}  "
            f"case {message['case']} event {message['event']}  {state}{tried}{error}"
        )
    shown = len(found["messages"])
    more = f" ({shown} shown)" if shown < found["count"] else ""
    lines.append(f"{found['count']} message(s){more}")
    return "\n".join(lines) + "\n"


def outcome_text(outcome: Outcome) -> str:
    """One line for one delivery attempt."""
    if outcome.status is Status.delivered:
        return f"{outcome.key}: delivered (attempt {outcome.attempts})"
    later = outcome.next_attempt_at  # set on a pending outcome only
    if later is not None:
        tried = f"attempt {outcome.attempts}"
        return f"{outcome.key}: tried again at {later.isoformat()} ({tried}): {outcome.error}"
    return f"{outcome.key}: failed (attempt {outcome.attempts}): {outcome.error}"
