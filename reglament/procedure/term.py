"""The legal term of a case: which one applies, when it is due, when it is at risk.

The term runs from acceptance on the channel's clock (:func:`base_due`). It stands still while
the case is suspended and while a step runs that the act does not count in it
(``counts_toward_term: false``, :func:`counted`); each such *stretch* pushes the due instant back
(:func:`due`), in the term's own unit, stretches that overlap once (:func:`joined`), and only
a stretch that begins by the due as the ones before it left it (one begun after the term fell
due finds its time run out and moves nothing):

* minutes and hours: by the office time of the stretch;
* working days: by the working days after the stretch's first day up to its last;
* calendar days: by the days between them, the due day then moved to the next working day when
  it is a day off and the clock's ``TermRules.roll_calendar_days`` says so (as
  ``Clock.add_calendar_days`` does).

A due day is closed at the clock's closing time of that day (``TermRules.due_at``).

A term is *at risk* on a day after which at most N working days remain up to its due day
(:func:`at_risk`: the day is judged, not the hour), so from the start (local midnight) of the
first such day, no earlier than the acceptance: :func:`at_risk_since`, the one instant
``Engine.status``, ``poll``, the runtime's ``term_at_risk`` timer and the store's list columns
follow. :func:`at_risk_from` is not another such instant but the first opening of the office
from then, when a watcher polls (``engine/watch.py``). The
``_batch`` functions are the same rules for many cases at once, on ``Clock.positions``; a parity
test holds them equal to the one-case forms.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from reglament.schemas import Duration, Term, Unit

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from reglament.calendar import Clock

    I64 = npt.NDArray[np.int64]
    Flags = npt.NDArray[np.bool_]
    Indices = npt.NDArray[np.intp] | npt.NDArray[np.int64]

Stretch = tuple[dt.datetime, dt.datetime]  # [start, end) during which the term stood still


def applicable(terms: Sequence[Term], channel: str, variant: str | None) -> Term | None:
    """The most specific legal term for a case through ``channel`` of ``variant``: the one for
    the channel and the variant, else the channel, else the variant, else the general one."""
    best: tuple[int, Term] | None = None
    for term in terms:
        if term.channel not in (None, channel) or term.variant not in (None, variant):
            continue
        rank = (term.channel is not None) * 2 + (term.variant is not None)
        if best is None or rank > best[0]:
            best = (rank, term)
    return best[1] if best else None


def counted(duration: Duration | None) -> bool:
    """Whether the time a step takes counts toward the legal term."""
    return duration is None or duration.counts_toward_term


def base_due(clock: Clock, accepted: dt.datetime, value: int, unit: Unit) -> dt.datetime:
    """The term's due instant before any stretch stood still."""
    return clock.add(accepted, value, unit).due


def shift(clock: Clock, unit: Unit, start: dt.datetime, end: dt.datetime) -> int:
    """How far one stretch pushes the term back, in the term's unit (microseconds of office
    time for minutes and hours: office time runs to the microsecond, else days); the stretch's
    days are the clock's local days."""
    if unit in (Unit.minutes, Unit.hours):
        return clock.office_microseconds_between(start, end)
    a, b = start.astimezone(clock.zone).date(), end.astimezone(clock.zone).date()
    if unit is Unit.working_days:
        return clock.calendar.working_days_between(a, b)
    return (b - a).days


def shifted(clock: Clock, unit: Unit, base: dt.datetime, by: int) -> dt.datetime:
    """``base`` pushed back by ``by`` (summed :func:`shift`), after some stretch stood still."""
    if unit in (Unit.minutes, Unit.hours):  # by all of it, to the microsecond (none: base)
        return clock.add_office_microseconds(base, by)
    if not by:
        return base
    calendar = clock.calendar
    day = base.astimezone(clock.zone).date()
    if unit is Unit.working_days:
        return clock.closing(calendar.add_working_days(day, by))
    day += dt.timedelta(days=by)
    if clock.rules.roll_calendar_days and not calendar.is_working_day(day):
        day = calendar.next_working_day(day)
    return clock.closing(day)


def joined(stretches: Iterable[Stretch]) -> list[Stretch]:
    """The stretches the term stood still, as :func:`due` takes them: the empty ones dropped,
    overlapping or touching ones joined (a suspension during an uncounted step, or uncounted
    steps of parallel branches at the same time, stop the term once), in order."""
    union: list[Stretch] = []
    for a, b in sorted(stretches):
        if b <= a:
            continue
        if union and a <= union[-1][1]:
            union[-1] = (union[-1][0], max(union[-1][1], b))
        else:
            union.append((a, b))
    return union


def due(clock: Clock, unit: Unit, base: dt.datetime, stretches: Sequence[Stretch]) -> dt.datetime:
    """The term's due instant: ``base`` pushed back by the stretches that stood still, in
    order and not overlapping (:func:`joined` makes them so). Only a stretch that begins by the
    due it pushes (the due as the stretches before it left it) stops the term: one that begins
    later finds its time already run out, so a term once overdue stays so from the instant it
    became so (and so does a step, ``reglament.procedure.timing.pushed_back``)."""
    pushed, by = base, 0
    for start, end in stretches:
        if start > pushed:  # the term was late when this stretch began, and so at every later
            break
        if end > start:
            by += shift(clock, unit, start, end)
            pushed = shifted(clock, unit, base, by)
    return pushed


def at_risk(clock: Clock, at: dt.datetime, due_at: dt.datetime, days: int) -> bool:
    """Whether a term due at ``due_at`` is at risk at ``at``: at most ``days`` working days
    remain after ``at``'s day up to the due day."""
    first = at.astimezone(clock.zone).date()
    last = due_at.astimezone(clock.zone).date()
    return clock.calendar.working_days_between(first, last) <= days


def working_days_left(clock: Clock, at: dt.datetime, due_at: dt.datetime) -> int:
    """The working days left at ``at`` of a term due at ``due_at``: those after ``at``'s day
    up to the due day, and ``at``'s day itself when it is a working day and its office has not
    closed yet (0 once the term has passed)."""
    if at >= due_at:
        return 0
    first = at.astimezone(clock.zone).date()
    last = due_at.astimezone(clock.zone).date()
    today = clock.calendar.is_working_day(first) and at < clock.closing(first)
    return max(0, clock.calendar.working_days_between(first, last)) + (1 if today else 0)


def _first_day_at_risk(
    clock: Clock, accepted: dt.datetime, due_at: dt.datetime, days: int
) -> dt.datetime:
    """The start (local midnight) of the first day, from ``accepted``'s on, on which a term due
    at ``due_at`` is at risk (:func:`at_risk` looks at the day alone)."""
    day = accepted.astimezone(clock.zone).date()
    last = due_at.astimezone(clock.zone).date()
    while day < last and clock.calendar.working_days_between(day, last) > days:
        day += dt.timedelta(days=1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=clock.zone)


def at_risk_from(
    clock: Clock, accepted: dt.datetime, due_at: dt.datetime, days: int
) -> dt.datetime:
    """The first instant the office is open while a term due at ``due_at`` is at risk: the
    office's next opening from :func:`at_risk_since` (the term became at risk at that instant,
    perhaps hours or days before, on a day the office opens late or not at all), where a
    watcher polls. Not when the term became at risk: that is :func:`at_risk_since`."""
    return clock.next_opening(at_risk_since(clock, accepted, due_at, days))


def at_risk_since(
    clock: Clock, accepted: dt.datetime, due_at: dt.datetime, days: int
) -> dt.datetime:
    """The first instant at all that a term due at ``due_at`` is at risk (:func:`at_risk`),
    no earlier than ``accepted``: the start of the first day it is, as ``Engine.poll`` judges
    it (its first ``term_at_risk``; a timer's due, ``reglament.runtime.timers``)."""
    return max(accepted, _first_day_at_risk(clock, accepted, due_at, days))


# -- the same rules for many cases at once, on positions -------------------------------------------


def base_due_batch(clock: Clock, accepted: I64, value: int, unit: Unit) -> I64:
    """:func:`base_due` for many acceptance positions."""
    return clock.add_batch(accepted, value, unit.value)


def shift_batch(clock: Clock, unit: Unit, start: I64, end: I64) -> I64:
    """:func:`shift` for many stretches ``[start, end)`` (positions, ``end >= start``; whole
    seconds, so their office time is whole seconds too, given in microseconds as :func:`shift`
    gives it)."""
    import numpy as np

    if unit in (Unit.minutes, Unit.hours):
        gap: I64 = clock.office_seconds_batch(end) - clock.office_seconds_batch(start)
        return np.maximum(gap, 0) * 1_000_000
    a, b = clock.ordinals(start), clock.ordinals(end)
    if unit is Unit.working_days:
        counted_days: I64 = clock.calendar.working_days_between_batch(a, b)
        return counted_days
    days: I64 = b - a
    return days


def shifted_batch(clock: Clock, unit: Unit, base: I64, by: I64, has: Flags) -> I64:
    """:func:`shifted` for many cases: ``base`` pushed back by ``by`` where ``has`` (some
    stretch stood still), ``base`` elsewhere."""
    import numpy as np

    if unit in (Unit.minutes, Unit.hours):  # by: whole seconds in µs (:func:`shift_batch`)
        moved: I64 = np.where(has, clock.add_office_seconds_batch(base, by // 1_000_000), base)
        return moved
    calendar = clock.calendar
    day = clock.ordinals(base)
    if unit is Unit.working_days:
        day = calendar.add_working_days_batch(day, by)
    else:
        day = day + by
        if clock.rules.roll_calendar_days:
            off = ~calendar.is_working_batch(day)
            day = np.where(off, calendar.add_working_days_batch(day, 1), day)
    rolled: I64 = np.where(by > 0, clock.closing_batch(day), base)
    return rolled


def joined_batch(stretches: Sequence[tuple[I64, I64]]) -> list[tuple[I64, I64]]:
    """:func:`joined` for many cases at once: ``stretches`` are ``(start, end)`` positions, one
    pair per case in each array; the result has as many pairs, case by case the stretches
    joined, in order, and then empty ones (``start == end``) where a stretch was joined into
    one before it."""
    import numpy as np

    if len(stretches) < 2:
        return list(stretches)
    starts = np.stack([a for a, _ in stretches])
    ends = np.maximum(np.stack([b for _, b in stretches]), starts)  # an empty one stays empty
    order = np.argsort(starts, axis=0, kind="stable")
    start = np.take_along_axis(starts, order, axis=0)
    end = np.take_along_axis(ends, order, axis=0)
    reach = np.maximum.accumulate(end, axis=0)  # the latest end so far, case by case
    opens = np.ones(start.shape, dtype=np.bool_)
    opens[1:] = start[1:] > reach[:-1]  # a stretch that begins after all before it: a new one
    closes = np.ones(start.shape, dtype=np.bool_)
    closes[:-1] = opens[1:]
    # each joined stretch ends where the first of its members that closes it reaches
    last = np.where(closes, reach, np.iinfo(np.int64).max)
    until = np.minimum.accumulate(last[::-1], axis=0)[::-1]
    joined_end = np.where(opens, until, start)
    return [(start[k], joined_end[k]) for k in range(len(stretches))]


def due_batch(
    clock: Clock, unit: Unit, base: I64, stretches: Sequence[tuple[Indices | None, I64, I64]]
) -> I64:
    """:func:`due` for many cases: ``base`` (one due position per case) pushed back by the
    stretches, each given as ``(members, start, end)``: the cases it belongs to (indices into
    ``base``; ``None``: every case) and its start and end positions for each of them; a case's
    stretches come in order and do not overlap (:func:`joined_batch` makes them so)."""
    import numpy as np

    if not stretches:
        return base
    by = np.zeros(len(base), dtype=np.int64)
    pushed = base.copy()
    for members, start, end in stretches:
        where = np.arange(len(base)) if members is None else members
        # only a stretch that begins by the due so far stops the term (:func:`due`); once one
        # begins later, every later one of the case does too, and the due stays
        standing = (end > start) & (start <= pushed[where])
        where = where[standing]
        by[where] += shift_batch(clock, unit, start[standing], end[standing])
        every = np.ones(len(where), dtype=np.bool_)
        pushed[where] = shifted_batch(clock, unit, base[where], by[where], every)
    return pushed
