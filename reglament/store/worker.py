"""The worker: claims the stored cases' due timers and fires each, exactly once.

A timer is claimed in the transaction that fires it: on PostgreSQL its row and its case's row
are locked ``FOR UPDATE SKIP LOCKED`` (another worker takes another case's timer, and a clerk's
write on the case waits for the commit), on SQLite the transaction is the one writer
(``BEGIN IMMEDIATE``). In that transaction the timer is fired by
:func:`reglament.runtime.timers.fire` at its due (or at the case's last event, if that is
later: instants never go backwards), its events are appended to the case's log as a ``fire``
command of the worker (role ``system``) with the case's revision bumped, the timer row (and any
other whose event the same firing recorded) is marked fired, and the case's timers are planned
again. A timer that is no longer the case's does nothing: the case is planned again.

The worker reads no clock: each call is given its ``now`` (the CLI's wall clock, or the
virtual clock of ``--now``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, Select, bindparam, func, select
from sqlalchemy.engine import Connection

from reglament.errors import CaseError, MoveError
from reglament.runtime.timers import Timer, fire
from reglament.schemas.jsonready import ToDict
from reglament.store import database, reproject
from reglament.store import timers as planning
from reglament.store.cases import Request, Store, Who, _Command, _record_row
from reglament.store.tables import cases, timers

WORKER = Who("worker", "system")


@dataclass(frozen=True, slots=True)
class Firing(ToDict):
    """What the worker did with one due timer: the case, the timer, the instant it fired at,
    the revision it made and the events it logged; or why it did nothing (``skipped``) or
    could not fire (``error``, nothing written)."""

    case: str
    kind: str
    step: str | None
    due: dt.datetime
    at: dt.datetime | None = None
    revision: int | None = None
    events: tuple[str, ...] = ()
    skipped: str | None = None
    error: str | None = None

    @property
    def text(self) -> str:
        where = f" {self.step}" if self.step else ""
        head = f"case {self.case}: {self.kind}{where} due {self.due.isoformat()}"
        if self.error is not None:
            return f"{head}: not fired: {self.error}"
        if self.skipped is not None:
            return f"{head}: skipped: {self.skipped}"
        assert self.at is not None
        return f"{head}: fired at {self.at.isoformat()}, revision {self.revision}: " + ", ".join(
            self.events
        )


class _Refused(MoveError):
    """The engine refused to fire a timer (what ``firing.error`` says)."""

    def __init__(self, firing: Firing) -> None:
        super().__init__(firing.error or "")
        self.firing = firing


@dataclass
class Worker:
    """Fires the due timers of ``store``'s cases, as ``who`` (the worker, role ``system``)."""

    store: Store
    who: Who = WORKER
    _failed: set[int] = field(default_factory=set)

    def run_once(self, now: dt.datetime) -> list[Firing]:
        """Fire every timer due by ``now`` (``due_at <= now``, not fired), one transaction
        each, until none is left; a timer that cannot fire (the engine refuses its move) is
        reported and left for the next run. A worker whose calendar is not the store's fires
        nothing (:class:`~reglament.errors.CalendarMismatch`); a case planned on an older
        calendar of the store is re-projected before its timer fires (``store/reproject.py``)."""
        with database.transaction(self.store.db, write=True) as connection:
            self.store.calendars.check(connection, self.store.now)  # each poll: not on an old one
        done: list[Firing] = []
        while (firing := self.fire_next(now)) is not None:
            done.append(firing)
        return done

    def fire_next(self, now: dt.datetime) -> Firing | None:
        """Claim one due timer and fire it, in one transaction; ``None`` when none is due."""
        claimed: Row[Any] | None = None
        try:
            with (
                self.store._kept.committing(),
                database.transaction(self.store.db, write=True) as connection,
            ):
                claimed = self._claim(connection, now)
                return None if claimed is None else self._fire(connection, claimed, now)
        except _Refused as refused:  # rolled back: nothing written
            assert claimed is not None
            self._failed.add(claimed.id)
            return refused.firing

    def next_due(self) -> dt.datetime | None:
        """The earliest due instant of a timer not fired yet (``None``: there is none)."""
        query = select(func.min(timers.c.due_at)).where(timers.c.fired_at.is_(None))
        if self._failed:
            query = query.where(timers.c.id.not_in(self._failed))
        with database.transaction(self.store.db, write=False) as connection:
            found: dt.datetime | None = connection.execute(query).scalar_one()
        return found

    def serve(
        self,
        clock: Callable[[], dt.datetime],
        sleep: Callable[[float], None],
        interval: float,
        report: Callable[[Firing], None],
    ) -> None:
        """Run for ever: fire what is due by ``clock()``, then ``sleep`` until the next timer
        is due, at most ``interval`` seconds (new cases plan new timers meanwhile)."""
        while True:
            for firing in self.run_once(clock()):
                report(firing)
            due = self.next_due()
            wait = interval if due is None else (due - clock()).total_seconds()
            sleep(min(max(wait, 0.0), interval))

    def _claim(self, connection: Connection, now: dt.datetime) -> Row[Any] | None:
        query = claim_query(self._failed, connection.dialect.name)
        return connection.execute(query, {"now": now}).first()

    def _fire(self, connection: Connection, claimed: Row[Any], now: dt.datetime) -> Firing:
        store = self.store
        row = reproject.catch_up(
            connection, store, store._row(connection, claimed.case_id), self.who
        )
        engine = store.engine(row.reglament, row.region, row.version)
        case = store._case(engine, row)
        zone = ZoneInfo(row.timezone)
        timer = Timer(claimed.kind, claimed.step, claimed.due_at.astimezone(zone))
        at = max(timer.due, row.updated_at.astimezone(zone))
        firing = Firing(row.id, timer.kind, timer.step, timer.due)
        try:
            fired = fire(engine, case, timer, at)
        except CaseError as error:
            raise _Refused(replace(firing, error=f"case {row.id}: {error}")) from None
        if not fired.records:  # no longer the case's timer: done with, and the case planned again
            planning.mark_fired(connection, row.id, [], claimed.id, now)
            planned = planning.plan(engine, case, row.updated_at)[1]
            planning.replan(connection, row.id, row.revision, planned)
            return replace(firing, skipped=fired.skipped or "nothing came")
        made = list(fired.records)
        payload = {"kind": timer.kind, "step": timer.step, "due": timer.due.isoformat()}
        payload["at"] = at.isoformat()
        command = _Command("fire", payload, planning.fire_move(payload), at)
        planning.mark_fired(connection, row.id, made, claimed.id, now)
        written = store._update(
            connection,
            engine,
            case,
            row,
            command,
            [_record_row(r) for r in made],
            Request(self.who),
        )
        kinds = tuple(f"{r.kind.value}{f' {r.step}' if r.step else ''}" for r in made)
        return replace(firing, at=at, revision=written.response["revision"], events=kinds)


_CLAIM = (
    select(timers.c.id, timers.c.case_id, timers.c.kind, timers.c.step, timers.c.due_at)
    .join(cases, cases.c.id == timers.c.case_id)
    .where(timers.c.fired_at.is_(None), timers.c.due_at <= bindparam("now"))
    .order_by(timers.c.due_at, timers.c.id)
    .limit(1)
)
_CLAIMS = {"postgresql": _CLAIM.with_for_update(skip_locked=True)}  # built once, not per claim


def claim_query(failed: set[int], dialect: str) -> Select[Any]:
    """The statement that claims the earliest timer due by its ``now`` not fired yet (nor in
    ``failed``): read on the index of the timers to come (``ix_timers_pending``, 0003), locked
    ``FOR UPDATE SKIP LOCKED`` with its case's row on PostgreSQL."""
    query = _CLAIMS.get(dialect, _CLAIM)
    if failed:
        query = query.where(timers.c.id.not_in(failed))
    return query
