"""A new calendar in the store: the due instants of its open cases planned again on it.

``reglament cases reproject`` makes the calendar of the process (the default one and the
office's override files, ``store/calendars.py``) the store's, and plans every open case planned
on another calendar again on it (:func:`reglament.runtime.timers.reprojection`: the engine's own
rules, ``procedure/term.py`` and ``procedure/timing.py``). A case whose due instants move gets
one ``reprojected`` event naming both calendars and each due instant old → new, in the
transaction that re-plans its timers and updates its list columns; a case whose instants do not
move only gets the new calendar's name. The whole run is one transaction; run again, it changes
nothing.

A write, or the worker, on a case still planned on an older calendar of the store (a case
written by a process that had not yet seen the new calendar) first re-projects it the same way,
in its own transaction (:func:`catch_up`): no timer planned on an old calendar fires unplanned.

The event is the case's ``reproject`` command: a replay runs it again from its arguments (the
two calendars' fingerprints, kept in the ``calendars`` table) and checks it makes the same
record (:func:`again`)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, func, insert, or_, select, update
from sqlalchemy.engine import Connection

from reglament.engine import Case, Engine
from reglament.engine.case import Record
from reglament.errors import ConflictError
from reglament.runtime.timers import Change, change_text, reprojection
from reglament.schemas.jsonready import ToDict
from reglament.store import database
from reglament.store import timers as planning
from reglament.store.calendars import Calendar
from reglament.store.tables import cases, events

if TYPE_CHECKING:
    from reglament.store.cases import Store, Who

COMMAND = "reproject"
Move = Callable[[Engine, Case], list[Record]]


@dataclass(frozen=True, slots=True)
class Reprojected(ToDict):
    """One open case planned again on a new calendar: its due instants that moved, and the
    revision the ``reprojected`` event made (``None`` in a dry run)."""

    case: str
    receipt: str
    old: str  # the calendar it was planned on: label (fingerprint)
    new: str
    changes: tuple[Change, ...]
    timezone: str
    revision: int | None = None

    @property
    def text(self) -> str:
        zone = ZoneInfo(self.timezone)
        head = f"case {self.case} (receipt {self.receipt}): {len(self.changes)} due instant"
        head += f"{'s' if len(self.changes) != 1 else ''} moved"
        lines = [head, *(f"    {change_text(c, zone)}" for c in self.changes)]
        return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class Run(ToDict):
    """What ``cases reproject`` did, or would do (``dry_run``): the store's calendar before and
    after, how many open cases were planned on another one, and each case whose instants move."""

    old: str | None  # the store's calendar before (None: it had none)
    new: str
    dry_run: bool
    checked: int
    moved: tuple[Reprojected, ...]

    @property
    def text(self) -> str:
        verb = "would move" if self.dry_run else "moved"
        head = f"calendar {self.old or 'none'} → {self.new}: {self.checked} open case"
        head += f"{'s' if self.checked != 1 else ''} planned on another calendar, "
        head += f"{len(self.moved)} {verb}\n"
        return head + "".join(r.text for r in self.moved)


def run(store: Store, who: Who, *, dry_run: bool = False) -> Run:
    """Make the running calendar the store's and re-project every open case planned on
    another, in one transaction (in a dry run, nothing is written)."""
    calendars = store.calendars
    running = calendars.running
    with database.transaction(store.db, write=not dry_run) as connection:
        if dry_run:
            current = calendars.current(connection)
        else:
            current = calendars.settle(connection, store.now)
            if current.fingerprint != running.fingerprint:
                calendars.install(connection, running, store.now())
        first = calendars.first(connection)
        other = or_(cases.c.calendar.is_(None), cases.c.calendar != running.fingerprint)
        ids = list(connection.execute(_OPEN.where(other)).scalars())
        moved, checked = [], 0
        for row in _rows(connection, ids):
            if (row.calendar or first) == running.fingerprint:
                if not dry_run:  # planned on it before 0003: only named now
                    _name(connection, store, row, running)
                continue
            checked += 1
            found = _case(connection, store, row, who, write=not dry_run)
            if found is not None:
                moved.append(found)
        old = None if current is None else f"{current.label} ({current.fingerprint[:12]})"
        return Run(old, str(running), dry_run, checked, tuple(moved))


def catch_up(connection: Connection, store: Store, row: Any, who: Who) -> Any:
    """``row`` again after re-projecting its case onto the store's calendar, if it was planned
    on an older one (a process not on the store's calendar is refused first:
    :class:`~reglament.errors.CalendarMismatch`); ``row`` itself if it is planned on it."""
    calendars = store.calendars
    if not calendars.checked:
        calendars.check(connection, store.now)
    if (row.calendar or calendars.first(connection)) == calendars.running.fingerprint:
        return row
    calendars.check(connection, store.now)  # afresh: the store may have moved since
    if _case(connection, store, row, who, write=True) is None:
        _name(connection, store, row, calendars.running)
    return store._row(connection, row.id)


def ensure(connection: Connection, store: Store) -> None:
    """Refuse a start by a process not on the store's calendar (checked once per store)."""
    if not store.calendars.checked:
        store.calendars.check(connection, store.now)


def engine_on(
    store: Store, row: Row[Any], calendar: Calendar, version: str | None = None
) -> Engine:
    """The engine of ``row``'s version (or ``version``, one it was on before a migration) on
    ``calendar``."""
    version = version or row.version
    engine = store.engine(row.reglament, row.region, version)
    if calendar.fingerprint == store.calendars.running.fingerprint:
        return engine
    key = (row.reglament, row.region, version, calendar.fingerprint)
    found = store.calendars.engines.get(key)
    if found is None:
        found = store.calendars.engines[key] = Engine(engine.reglament, calendar.work)
    return found


def again(old: Engine, payload: dict[str, Any]) -> Move:
    """The move a stored ``reproject`` command makes when it is run again (a replay), from
    ``old``, the engine on the calendar the case was planned on, to the one it is given."""
    at = dt.datetime.fromisoformat(payload["at"])

    def move(engine: Engine, case: Case) -> list[Record]:
        record = reprojection(old, engine, case, at, _calendars(payload))[1]
        if record is None:
            raise RuntimeError(f"the {COMMAND} at {at.isoformat()} moves nothing when replayed")
        return [record]

    return move


# -- one case -----------------------------------------------------------------------------------

_OPEN = select(cases.c.id).where(cases.c.status.in_(("open", "suspended"))).order_by(cases.c.id)
_BATCH = 500  # cases read at a time: a store of a million open cases is never read whole


def _rows(connection: Connection, ids: list[str]) -> Iterator[Row[Any]]:
    """The rows of cases ``ids``, a batch at a time, in their order."""
    for first in range(0, len(ids), _BATCH):
        batch = ids[first : first + _BATCH]
        query = select(cases).where(cases.c.id.in_(batch)).order_by(cases.c.id)
        yield from connection.execute(query).all()


def _case(
    connection: Connection, store: Store, row: Row[Any], who: Who, *, write: bool
) -> Reprojected | None:
    """Plan case ``row`` again on the running calendar; written (``write``) when an instant moved."""
    old = store.calendars.of(connection, row.calendar)
    new = store.calendars.running
    old_engine, new_engine = engine_on(store, row, old), engine_on(store, row, new)
    case = old_engine.restore(json.loads(row.snapshot))
    at = row.updated_at.astimezone(ZoneInfo(row.timezone))
    payload = {"from": old.fingerprint, "from_label": old.label, "at": at.isoformat()}
    payload |= {"to": new.fingerprint, "to_label": new.label}
    changes, record = reprojection(old_engine, new_engine, case, at, _calendars(payload))
    if record is None:
        if write:
            _name(connection, store, row, new)
        return None
    found = Reprojected(row.id, row.receipt, str(old), str(new), tuple(changes), row.timezone)
    if not write:
        return found
    last = select(func.coalesce(func.max(events.c.seq), 0)).where(events.c.case_id == row.id)
    seq = connection.execute(last).scalar_one()
    revision = row.revision + 1
    columns, planned = planning.plan(new_engine, case, at)
    changed = connection.execute(
        update(cases)
        .where(cases.c.id == row.id, cases.c.revision == row.revision)
        .values(
            revision=revision,
            snapshot=json.dumps(case.to_dict(), ensure_ascii=False),
            calendar=new.fingerprint,
            **columns,
        )
    ).rowcount
    if changed != 1:
        raise ConflictError(
            f"case {row.id} moved on while it was re-projected: run `reglament cases "
            "reproject` again"
        )
    planning.replan(connection, row.id, revision, planned)
    connection.execute(
        insert(events).values(
            case_id=row.id,
            seq=seq + 1,
            revision=revision,
            command=COMMAND,
            at=record.at,
            kind=record.kind.value,
            detail=record.detail,
            payload=json.dumps(payload, ensure_ascii=False),
            user_id=who.user,
            role=who.role,
            recorded_at=store.now(),
            calendar=new.fingerprint,
        )
    )
    return _with_revision(found, revision)


def _with_revision(found: Reprojected, revision: int) -> Reprojected:
    return Reprojected(
        found.case, found.receipt, found.old, found.new, found.changes, found.timezone, revision
    )


def _name(connection: Connection, store: Store, row: Row[Any], calendar: Calendar) -> None:
    """Case ``row`` is planned on ``calendar``, no due instant of it moved: its list columns
    from it (a term at risk already recorded may be at risk from another day now)."""
    engine = engine_on(store, row, calendar)
    case = engine.restore(json.loads(row.snapshot))
    columns = planning.plan(engine, case, row.updated_at.astimezone(ZoneInfo(row.timezone)))[0]
    connection.execute(
        update(cases).where(cases.c.id == row.id).values(calendar=calendar.fingerprint, **columns)
    )


def _calendars(payload: dict[str, Any]) -> str:
    old = f"{payload['from_label']} ({payload['from'][:12]})"
    return f"{old} → {payload['to_label']} ({payload['to'][:12]})"
