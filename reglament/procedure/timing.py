"""How long a step may take and when it is due.

A task or a decision has a duration, or a list of cases of it (the first whose condition holds
applies); a wait may have a limit. :func:`durations` is the one walk of them. A step started at
an instant (acceptance, or the end of the step before: a hand-over) is due (:func:`step_due`)
that much office time later on its actor's clock, or that many days after the day of the
hand-over (``Clock.add_after_handover``, which follows ``TermRules.handover``); a
``by_schedule`` step at the closing of the next known date of its schedule; an untimed step, a
schedule without known dates and a wait without a limit have no due instant.
:func:`step_due_batch` is the same rule for many start instants at once (a parity test holds the
two equal). While the case is suspended a step's clock stands still: :func:`pushed_back` moves
its due instant by the stretches that stood still, by the term's arithmetic
(:func:`reglament.procedure.term.due`) in the step's own unit; a stretch that begins after the
step fell due stops nothing (its time had run out), so a step once overdue stays so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reglament.procedure import term
from reglament.schemas import TIMED_UNITS, Decision, Duration, Step, Task, Unit, Wait
from reglament.schemas.expr import Expr, parse
from reglament.schemas.reglament import ExternalSchedule

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from reglament.calendar import Clock, Deadline

    I64 = npt.NDArray[np.int64]
    Flags = npt.NDArray[np.bool_]

Key = tuple[str | int, ...]
Stretch = term.Stretch
Scope = Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Timed:
    """One duration written on a step: a case of a list (with its condition), the duration
    itself, or a wait's limit; and where it is written under the step."""

    duration: Duration
    key: Key  # ("duration",), ("duration", 2) or ("limit",)
    when: str | None = None


def durations(step: Step) -> tuple[Timed, ...]:
    """The durations written on ``step``, in order (none for a join, a parallel block, an end
    or a wait without a limit)."""
    if isinstance(step, Task | Decision):
        if isinstance(step.duration, list):
            return tuple(
                Timed(case, ("duration", index), case.when)
                for index, case in enumerate(step.duration)
            )
        return (Timed(step.duration, ("duration",)),)
    if isinstance(step, Wait) and step.limit is not None:
        return (Timed(step.limit, ("limit",)),)
    return ()


@dataclass(frozen=True, slots=True)
class TimedRule:
    """A duration that applies when its condition holds (``None``: always)."""

    condition: Expr | None
    duration: Duration


def rules(step: Step) -> tuple[TimedRule, ...]:
    """``step``'s durations with their conditions parsed."""
    return tuple(TimedRule(parse(t.when) if t.when else None, t.duration) for t in durations(step))


def applies(found: tuple[TimedRule, ...], scope: Scope) -> Duration | None:
    """The duration that applies to a case with ``scope``: the first whose condition holds."""
    for rule in found:
        if rule.condition is None or rule.condition(scope):
            return rule.duration
    return None


def is_timed(duration: Duration | None) -> bool:
    """Whether ``duration`` is an amount of time (minutes, hours, working or calendar days)."""
    return duration is not None and duration.unit in TIMED_UNITS


def _known_dates(duration: Duration, schedules: Mapping[str, ExternalSchedule]) -> list[dt.date]:
    if duration.unit is Unit.by_schedule and duration.schedule is not None:
        return sorted(set(schedules[duration.schedule].dates))
    return []


def step_deadline(clock: Clock, duration: Duration, start: dt.datetime) -> Deadline | None:
    """The deadline of a step allowed an amount of time (``None`` for any other duration),
    started at ``start`` on its actor's ``clock``, with its explanation."""
    if not is_timed(duration):
        return None
    assert duration.value is not None
    return clock.add_after_handover(start, duration.value, duration.unit.value)


def pushed_back(
    clock: Clock, duration: Duration | None, due: dt.datetime, stretches: Sequence[Stretch]
) -> dt.datetime:
    """A step's ``due`` instant after its clock stood still for ``stretches`` (the case
    suspended while it ran; in order, not overlapping: :func:`reglament.procedure.term.joined`):
    in the duration's unit, by the term's own rule (:func:`reglament.procedure.term.due`). Only a stretch that begins by
    the due it pushes (the due as the stretches before it left it) stops the clock: one that
    begins later finds the step's time already run out, so the step stays overdue from the
    instant it became so. A ``by_schedule`` step keeps its date: the schedule's day does not
    move."""
    if duration is None or not is_timed(duration):
        return due
    return term.due(clock, duration.unit, due, stretches)


def step_due(
    clock: Clock,
    duration: Duration | None,
    start: dt.datetime,
    schedules: Mapping[str, ExternalSchedule],
) -> dt.datetime | None:
    """When a step started at ``start`` is due on its actor's ``clock`` (``None``: no time is
    known; ``schedules`` are the reglament's external schedules)."""
    if duration is None:
        return None
    if duration.unit in TIMED_UNITS:  # step_deadline's due, without building the Deadline
        assert duration.value is not None
        return clock.due_after_handover(start, duration.value, duration.unit)
    day = start.astimezone(clock.zone).date()
    upcoming = [d for d in _known_dates(duration, schedules) if d >= day]
    return clock.closing(upcoming[0]) if upcoming else None


def step_due_batch(
    clock: Clock,
    duration: Duration | None,
    starts: I64,
    schedules: Mapping[str, ExternalSchedule],
) -> tuple[I64, Flags]:
    """:func:`step_due` for many start positions (``Clock.positions``) at once: the due
    positions, the start itself where no time is known (the step then ends at once), and which
    of them have no known time (``duration`` ``None``, a wait without a limit, is not flagged:
    it has no time to know)."""
    import numpy as np

    unknown = np.zeros(len(starts), dtype=np.bool_)
    if duration is None:
        return starts, unknown
    if is_timed(duration):
        assert duration.value is not None
        return clock.add_after_handover_batch(starts, duration.value, duration.unit.value), unknown
    days = np.array([d.toordinal() for d in _known_dates(duration, schedules)], dtype=np.int64)
    nxt = np.searchsorted(days, clock.ordinals(starts), side="left")
    known = nxt < len(days)
    due = starts
    if known.any():
        closing = clock.closing_batch(days[np.minimum(nxt, len(days) - 1)])
        due = np.where(known, closing, starts)
    return due, ~known
