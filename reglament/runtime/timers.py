"""The due instants of an open case, and what happens when each comes: the runtime's timers.

A case's time-driven events are :meth:`Engine.poll`'s (a step overdue, the term at risk, the
term overdue) and a wait's timeout. :func:`timers` gives, for a case as it stands at an instant,
every instant at which one of them comes if nothing else is recorded first; :func:`fire` does
what the reglament says at one of them. Nothing here computes a due instant of its own: each
comes from its owner (``docs/architecture.md``, "Who owns which rule"):

* ``step_overdue``: :meth:`Engine.step_due` (``procedure/timing``), one tick after it, since a
  step done at its due instant is on time; the record :meth:`Engine.poll` makes then is at the
  step's due;
* ``wait_timeout``: a wait's limit, :meth:`Engine.step_due` of the wait; it fires
  :meth:`Engine.complete` with the ``timeout`` outcome into the wait's ``on_timeout`` route, at
  the limit itself (or, when the case has a later record, at that record: instants never go
  backwards, and the engine then records the wait overdue too);
* ``term_at_risk``: :func:`reglament.procedure.term.at_risk_since` over :meth:`Engine.term_due`
  and :meth:`Engine.at_risk_days` (``procedure/events``): the start of the first day with at most
  that many working days left;
* ``term_overdue``: :meth:`Engine.term_due` (``procedure/term``), one tick after it.

The rule that holds them to the engine (tested as a property over the bundled reglaments): the
due of a timer is the first instant at which :meth:`Engine.poll` gives its event; a tick before
it, poll gives none.

While the case is suspended the steps' clocks and the term stand still (``docs/calendar.md``,
"Suspensions"): no step, wait or term timer runs then, except one whose instant had already come
when the suspension began (poll judges them as of then). The same holds for the term while a step
not counted in it is under way. Resuming, or any other move, changes the timers: a caller plans
them again after every write (``timers`` at the instant of the write).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Literal

from reglament.engine import Case, Engine, Status
from reglament.engine.case import Record
from reglament.errors import CaseError
from reglament.procedure import term
from reglament.procedure.events import Kind
from reglament.procedure.graph import TIMEOUT
from reglament.schemas import Unit, Wait
from reglament.schemas.jsonready import ToDict

TimerKind = Literal["step_overdue", "term_at_risk", "term_overdue", "wait_timeout"]
DueKind = TimerKind | Literal["step_due", "term_due"]
"""A due instant that a new calendar may move: a timer's, or (with no timer while the case
stands still) a step's or the term's due as :meth:`Engine.status` gives it."""
KINDS: tuple[TimerKind, ...] = ("step_overdue", "term_at_risk", "term_overdue", "wait_timeout")
TICK = dt.timedelta(microseconds=1)
"""The smallest step of an instant: a step or a term is late from one tick after its due."""

_POLLED: dict[TimerKind, Kind] = {
    "step_overdue": Kind.step_overdue,
    "term_at_risk": Kind.term_at_risk,
    "term_overdue": Kind.term_overdue,
}


@dataclass(frozen=True, slots=True)
class Timer(ToDict):
    """One due instant of an open case: what comes (``kind``), for which step (``None`` for
    the term's), and when."""

    kind: TimerKind
    step: str | None
    due: dt.datetime

    def __str__(self) -> str:
        where = f" {self.step}" if self.step else ""
        return f"{self.kind}{where} at {self.due.isoformat()}"


@dataclass(frozen=True, slots=True)
class Fired(ToDict):
    """What firing a timer did: the records it made (every record :meth:`Engine.poll` made
    then, which may include other timers' events), or why it did nothing (``skipped``)."""

    timer: Timer
    records: tuple[Record, ...]
    skipped: str | None = None


@dataclass(frozen=True, slots=True)
class Change(ToDict):
    """A timer whose due moved when the case was planned again: ``old`` ``None`` for a timer
    that is new, ``new`` ``None`` for one that is gone."""

    kind: DueKind
    step: str | None
    old: dt.datetime | None
    new: dt.datetime | None


def _key(timer: Timer) -> tuple[dt.datetime, int, str]:
    return timer.due, KINDS.index(timer.kind), timer.step or ""


def timers(engine: Engine, case: Case, at: dt.datetime) -> list[Timer]:
    """Every due instant of ``case`` as it stands at ``at``, in time order (empty for a
    finished case). An instant may lie before ``at``: that event has come and is not yet
    recorded, and fires at once."""
    status = engine.status(case, at)  # checks the case and the instant
    if case.finished:
        return []
    found = [*_step_timers(engine, case, at, status), *_term_timers(engine, case, at, status)]
    return sorted(found, key=_key)


def _step_timers(engine: Engine, case: Case, at: dt.datetime, status: Status) -> list[Timer]:
    suspended = engine.suspended_since(case, at)
    when = suspended or at
    late = {s.step for s in status.active if s.state == "overdue"}
    found: list[Timer] = []
    for token in case.tokens:
        if suspended is not None and token.step not in late:
            continue  # its clock stands still, and it was not late when it stopped
        due = engine.step_due(case, token.step, when)
        if due is None:
            continue
        if isinstance(engine.reglament.steps[token.step], Wait):
            found.append(Timer("wait_timeout", token.step, due))
        elif not engine.overdue_recorded(case, token.step):
            found.append(Timer("step_overdue", token.step, due + TICK))
    return found


def _term_timers(engine: Engine, case: Case, at: dt.datetime, status: Status) -> list[Timer]:
    if status.term_due is None:
        return []
    standing = engine.term_standing_since(case, at)
    # poll judges a stopped term as of the instant it stopped
    judged = status.term_due if standing is None else engine.term_due(case, standing)
    assert judged is not None  # the case has a term
    seen = {record.kind for record in case.history}
    found: list[Timer] = []
    if Kind.term_overdue not in seen and (standing is None or status.term == "overdue"):
        found.append(Timer("term_overdue", None, judged + TICK))
    to_come = status.term == "at_risk" or (standing is None and status.term != "overdue")
    if Kind.term_at_risk not in seen and to_come:
        clock = engine.compiled.channel_clock[case.channel]
        risk = term.at_risk_since(clock, case.accepted_at, judged, engine.at_risk_days())
        found.append(Timer("term_at_risk", None, risk))
    return found


def fire(engine: Engine, case: Case, timer: Timer, at: dt.datetime) -> Fired:
    """Do what the reglament says happens at ``timer``, on a clock that reads ``at`` (at or
    after the timer's due): for a step overdue or the term at risk or overdue, the records
    :meth:`Engine.poll` makes at ``at``; for a wait's timeout, :meth:`Engine.complete` of the
    wait with the ``timeout`` outcome (its ``on_timeout`` route). A timer that is no longer
    one of the case's (the case moved on: the step was done, the term met, the due moved, the
    event already recorded) or not yet due does nothing, and ``skipped`` says why. Like a
    move, it applies whole or not at all; the engine's errors (an instant before the case's
    last record, a timeout route whose condition reads data not set) pass through."""
    current = timers(engine, case, at)
    if timer not in current:
        return Fired(timer, (), _why_not(case, timer, current, at))
    if at < timer.due:
        return Fired(timer, (), f"not due until {timer.due.isoformat()}")
    if timer.kind == "wait_timeout":
        assert timer.step is not None
        last = max(record.at for record in case.history)
        if at < last:
            raise CaseError(
                f"{timer} cannot fire at {at.isoformat()}: that is before the case's last "
                f"record (at {last.isoformat()}); give an instant at or after it"
            )
        records = engine.complete(case, timer.step, max(timer.due, last), TIMEOUT)
        return Fired(timer, tuple(records))
    return Fired(timer, tuple(engine.poll(case, at)))


def _why_not(case: Case, timer: Timer, current: list[Timer], at: dt.datetime) -> str:
    """Why ``timer`` is not among the case's ``current`` timers."""
    if case.finished:
        return f"the case is finished (at {case.end})"
    if timer.step is not None and timer.step not in case.active_steps:
        return f"step {timer.step!r} is no longer under way"
    moved = [t for t in current if (t.kind, t.step) == (timer.kind, timer.step)]
    if moved:
        return f"{timer.kind} is now due at {moved[0].due.isoformat()}"
    if timer.kind in _POLLED and any(
        r.kind is _POLLED[timer.kind] and r.step == timer.step for r in case.history
    ):
        return f"{timer.kind} is already recorded"
    passed = any(t.kind == "term_overdue" and t.due <= at for t in current)
    if timer.kind == "term_at_risk" and passed:
        return "the term has passed its due: term_overdue comes instead"
    return f"{timer.kind} does not come while the case stands as it is (suspended, or its clock stopped)"


def replanned(engine_old: Engine, engine_new: Engine, case: Case) -> Case:
    """``case`` with its planned instants computed by ``engine_new`` (the same reglament
    version on another calendar, e.g. with a new override file): the term's due before any
    stretch stood still, from the recorded acceptance, and each step under way's due on entry,
    from its recorded start with the duration ``engine_old`` gave it. What happened stays as
    recorded (history, acceptance, suspensions)."""
    copy = engine_old.restore(case.to_dict())
    if copy.term_value is not None and copy.term_unit is not None:
        clock = engine_new.compiled.channel_clock[copy.channel]
        copy.term_base_due = term.base_due(
            clock, copy.accepted_at, copy.term_value, Unit(copy.term_unit)
        )
    copy.tokens = [
        replace(
            token,
            due=engine_new.compiled.step_due(
                token.step, token.started, engine_old.entry_duration(case, token.step)
            ),
        )
        for token in copy.tokens
    ]
    return copy


def reproject(engine_old: Engine, engine_new: Engine, case: Case, at: dt.datetime) -> list[Change]:
    """Plan ``case`` again on ``engine_new``'s calendar (:func:`replanned`): its planned
    instants are updated in place, as a move updates a case, so that the snapshot saved next
    agrees with the new timers. Returns each timer whose due moved as of ``at`` (old, new), and
    those that came or went, in time order of the old due (then the new)."""
    old = {(t.kind, t.step): t.due for t in timers(engine_old, case, at)}
    fresh = replanned(engine_old, engine_new, case)
    new = {(t.kind, t.step): t.due for t in timers(engine_new, fresh, at)}
    case.term_base_due, case.tokens = fresh.term_base_due, fresh.tokens
    changes = [
        Change(kind, step, old.get((kind, step)), new.get((kind, step)))
        for kind, step in {**old, **new}
        if old.get((kind, step)) != new.get((kind, step))
    ]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(changes, key=lambda c: (c.old or far, c.new or far, c.kind, c.step or ""))


_SHOWN: dict[DueKind, tuple[str, dt.timedelta]] = {  # how a change reads, and its shift
    "step_overdue": ("due", TICK),
    "wait_timeout": ("wait limit", dt.timedelta(0)),
    "term_overdue": ("due", TICK),
    "term_at_risk": ("at risk from", dt.timedelta(0)),
    "step_due": ("due", dt.timedelta(0)),
    "term_due": ("due", dt.timedelta(0)),
}


def change_text(change: Change, zone: dt.tzinfo) -> str:
    """``check-b: due 2024-04-02T18:00:00+05:00 → 2024-04-03T18:00:00+05:00``: a change as the
    office reads it (a step's or the term's due, not the tick after it at which it is late)."""
    what, shift = _SHOWN[change.kind]

    def instant(value: dt.datetime | None) -> str:
        return "none" if value is None else (value - shift).astimezone(zone).isoformat()

    return f"{change.step or 'term'}: {what} {instant(change.old)} → {instant(change.new)}"


def _planned(case: Case) -> tuple[object, ...]:
    return case.term_base_due, tuple((t.step, t.due) for t in case.tokens)


def _status_changes(
    engine_old: Engine, engine_new: Engine, case: Case, before: Status, at: dt.datetime
) -> list[Change]:
    """The steps' and the term's due (:meth:`Engine.status`) that moved, for a case whose
    clocks stand still (no timer runs, so none moved)."""
    after = engine_new.status(case, at)
    old = {s.step: s.due for s in before.active}
    found = [
        Change("step_due", s.step, old.get(s.step), s.due)
        for s in after.active
        if old.get(s.step) != s.due
    ]
    if before.term_due != after.term_due:
        found.append(Change("term_due", None, before.term_due, after.term_due))
    return found


def reprojection(
    engine_old: Engine, engine_new: Engine, case: Case, at: dt.datetime, calendars: str
) -> tuple[list[Change], Record | None]:
    """:func:`reproject` of ``case`` as of its last record ``at``, and the ``reprojected``
    record appended to its history when a due instant or its plan moved (``None``, and the case
    unchanged, when none did). ``calendars`` names the old and the new calendar in the record
    (e.g. ``default (1a2b…) → default + 2026.yaml (3c4d…)``). Each due instant is listed once:
    a timer's, or, for a step or term without a timer (the case suspended), its due."""
    before, planned = engine_old.status(case, at), _planned(case)
    changes = reproject(engine_old, engine_new, case, at)
    if not changes and _planned(case) == planned:
        return [], None
    timed = {c.step for c in changes if c.kind in ("step_overdue", "wait_timeout")}
    term = any(c.kind == "term_overdue" for c in changes)
    changes += [
        c
        for c in _status_changes(engine_old, engine_new, case, before, at)
        if c.step not in timed and not (c.kind == "term_due" and term)
    ]
    zone = engine_new.compiled.zone
    listed = "; ".join(change_text(c, zone) for c in changes) or "the plan of the steps moved"
    record = Record(Kind.reprojected, at, detail=f"calendar {calendars}: {listed}")
    case.history.append(record)
    return changes, record
