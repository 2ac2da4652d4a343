"""The calendars of a store: the one a process runs on, and those its cases were planned on.

A process plans due instants on its calendar: the default one (the ``holidays`` package and the
bundled override file of the installed reglament) and the office's override files
(``REGLAMENT_CALENDAR``, or ``--overrides``). Which days are working days is its
:attr:`~reglament.calendar.WorkCalendar.fingerprint`. The store keeps, in the ``calendars``
table, each calendar it has run on (its fingerprint, a label naming its override files, and its
days, :meth:`~reglament.calendar.WorkCalendar.to_json`), in the order installed: the last one is
the store's. Each case row names the calendar its due instants are planned on, and each event
the calendar its write ran on (``None``: before migration 0003, the store's first calendar), so
that a replay runs every write on its own calendar, whatever the override files are now.

A process writes only on the store's calendar: any other is a
:class:`~reglament.errors.CalendarMismatch` (exit 6), until ``reglament cases reproject`` moves
the store (and its open cases) to it (docs/runtime.md, "A new calendar")."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Row, func, insert, select
from sqlalchemy.engine import Connection

from reglament.calendar import WorkCalendar, default_calendar
from reglament.engine import Engine
from reglament.errors import CalendarMismatch, StoreError
from reglament.store.tables import calendars, cases

DEFAULT = "default"
"""The label of the default calendar (the override files follow it, ``default + FILE``)."""
ENVIRONMENT = "REGLAMENT_CALENDAR"
"""The override files a process runs on, separated by ``os.pathsep`` (``--overrides`` wins)."""


@dataclass(frozen=True, slots=True)
class Calendar:
    """A calendar due instants are planned on, and what it is (``default + FILE ...``)."""

    work: WorkCalendar
    label: str = DEFAULT

    @property
    def fingerprint(self) -> str:
        return self.work.fingerprint

    def __str__(self) -> str:
        return f"{self.label} ({self.fingerprint[:12]})"

    @classmethod
    def of_files(cls, files: Sequence[Path]) -> Calendar:
        """The default calendar with ``files`` over it, later files winning date by date."""
        label = " + ".join([DEFAULT, *(str(path) for path in files)])
        return cls(WorkCalendar.kazakhstan(tuple(files)), label)


def configured(given: Sequence[Path] | None = None) -> Calendar:
    """The calendar of ``given`` override files, else of ``REGLAMENT_CALENDAR``'s, else the
    default one."""
    if given:
        return Calendar.of_files(given)
    named = [Path(p) for p in os.environ.get(ENVIRONMENT, "").split(os.pathsep) if p]
    return Calendar.of_files(named) if named else Calendar(default_calendar())


@dataclass
class Calendars:
    """The calendars of one store, seen from a process running on ``running``."""

    running: Calendar = field(default_factory=lambda: Calendar(default_calendar()))
    _known: dict[str, Calendar] = field(default_factory=dict)
    engines: dict[tuple[str, str, str, str], Engine] = field(default_factory=dict)
    """The engines of versions on calendars other than the running one (``reproject.engine_on``)."""
    _first: str | None = None
    checked: bool = False

    def current(self, connection: Connection) -> Row[Any] | None:
        """The store's calendar (the last installed), or ``None`` before any write."""
        query = select(calendars.c.id, calendars.c.fingerprint, calendars.c.label)
        return connection.execute(query.order_by(calendars.c.id.desc()).limit(1)).first()

    def first(self, connection: Connection) -> str:
        """The fingerprint of the store's first calendar: what a case or an event from before
        migration 0003 was planned on (the default calendar while the store keeps none)."""
        if self._first is None:
            query = select(calendars.c.fingerprint).order_by(calendars.c.id).limit(1)
            found = connection.execute(query).scalar()
            if found is None:
                return default_calendar().fingerprint
            self._first = str(found)
        return self._first

    def of(self, connection: Connection, fingerprint: str | None) -> Calendar:
        """The calendar of ``fingerprint`` (``None``: the store's first), as the store kept it."""
        wanted = fingerprint or self.first(connection)
        if wanted == self.running.fingerprint:
            return self.running
        found = self._known.get(wanted)
        if found is None:
            query = select(calendars.c.label, calendars.c.days).where(
                calendars.c.fingerprint == wanted
            )
            row = connection.execute(query.order_by(calendars.c.id.desc()).limit(1)).first()
            if row is None:
                if wanted == default_calendar().fingerprint:  # nothing stored yet
                    return Calendar(default_calendar())
                raise StoreError(f"the store keeps no calendar {wanted[:12]}: it is damaged")
            work = WorkCalendar.from_json(json.loads(row.days))
            found = self._known[wanted] = Calendar(work, row.label)
        return found

    def settle(self, connection: Connection, now: Callable[[], dt.datetime]) -> Row[Any]:
        """The store's calendar; a store without one yet takes its first: the default calendar
        if it holds cases from before migration 0003 (they were planned on it), else the
        running one."""
        found = self.current(connection)
        if found is None:
            older = connection.execute(select(func.count()).select_from(cases)).scalar()
            first = Calendar(default_calendar()) if older else self.running
            self.install(connection, first, now())
            found = self.current(connection)
            assert found is not None
        return found

    def check(self, connection: Connection, now: Callable[[], dt.datetime]) -> None:
        """Refuse (:class:`~reglament.errors.CalendarMismatch`) a process whose calendar is not
        the store's (:meth:`settle`)."""
        found = self.settle(connection, now)
        if found.fingerprint != self.running.fingerprint:
            raise CalendarMismatch(
                f"this process plans on the calendar {self.running}, and the store's cases are "
                f"planned on {found.label} ({found.fingerprint[:12]}): run it on the same override "
                "files (--overrides or REGLAMENT_CALENDAR), or move the store to this calendar "
                "with `reglament cases reproject`"
            )
        self.checked = True

    def install(self, connection: Connection, calendar: Calendar, at: dt.datetime) -> None:
        """Make ``calendar`` the store's (kept with its days)."""
        row = {"fingerprint": calendar.fingerprint, "label": calendar.label}
        days = json.dumps(calendar.work.to_json(), ensure_ascii=False, separators=(",", ":"))
        connection.execute(insert(calendars).values(**row, days=days, installed_at=at))
