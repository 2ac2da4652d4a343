"""Office time and deadlines: a calendar, a weekly schedule and a time zone bound together.

Rules (legal basis in docs/calendar.md), all configurable through ``TermRules``:

* acceptance: a submission after hours, on a weekend or a day off is accepted at the next opening;
* a term in days starts the day after acceptance (the Civil Code's chapter on computing terms);
* N working days end at closing time of the N-th working day after the day of acceptance;
* N calendar days end at closing time of the N-th day after it, moved to the next working day if
  that day is a day off;
* a step handed over from the step before on day D counts its days from the day after D
  (``add_after_handover``; ``TermRules.handover``), whatever the hour of the hand-over;
* minutes and hours run in office time only (lunch breaks, nights, weekends and days off excluded).

Office time is precomputed per (calendar, schedule) as a sorted list of open intervals in local
wall-clock seconds since the calendar's first day, with cumulative open seconds, so adding minutes
is two bisects. The tables are in whole seconds; an instant's sub-second part in an opening is
carried through office time (``add_office_minutes``; the batch takes it as ``micros``).
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
import functools
import itertools
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, get_args, overload

from reglament.calendar.days import (
    DayInfo,
    WorkCalendar,
    counts,
    default_calendar,
    fmt_day,
    fmt_instant,
)
from reglament.calendar.schedule import SCHEDULES, WeeklySchedule
from reglament.errors import CalendarRangeError, UsageError
from reglament.limits import shown

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Positions = npt.NDArray[np.int64]

__all__ = [
    "REGION_ZONES",
    "Clock",
    "Deadline",
    "TermRules",
    "Unit",
    "zone_for_region",
]

_DAY = 86400
_MICROS = 1_000_000  # microseconds in a second: office time runs to the microsecond

# Kazakhstan's regions and cities of republican significance -> IANA zones. Since tzdata 2024a all
# of Kazakhstan is UTC+5 (Asia/Almaty moved from UTC+6 on 2024-03-01); the zones still differ
# before that date, which is why they are kept apart.
REGION_ZONES: dict[str, str] = {
    "abai": "Asia/Almaty",
    "akmola": "Asia/Almaty",
    "aktobe": "Asia/Aqtobe",
    "almaty": "Asia/Almaty",
    "almaty-region": "Asia/Almaty",
    "astana": "Asia/Almaty",
    "atyrau": "Asia/Atyrau",
    "east-kazakhstan": "Asia/Almaty",
    "karaganda": "Asia/Almaty",
    "kostanay": "Asia/Qostanay",
    "kyzylorda": "Asia/Qyzylorda",
    "mangystau": "Asia/Aqtau",
    "north-kazakhstan": "Asia/Almaty",
    "pavlodar": "Asia/Almaty",
    "shymkent": "Asia/Almaty",
    "turkistan": "Asia/Almaty",
    "ulytau": "Asia/Almaty",
    "west-kazakhstan": "Asia/Oral",
    "zhambyl": "Asia/Almaty",
    "zhetysu": "Asia/Almaty",
}
_REGION_ALIASES = {
    "атырау": "atyrau",
    "атырауская": "atyrau",
    "караганда": "karaganda",
    "карагандинская": "karaganda",
    "қарағанды": "karaganda",
    "жамбыл": "zhambyl",
    "жамбылская": "zhambyl",
    "кызылорда": "kyzylorda",
    "кызылординская": "kyzylorda",
    "қызылорда": "kyzylorda",
    "qyzylorda": "kyzylorda",
    "qaragandy": "karaganda",
    "jambyl": "zhambyl",
    "aqtobe": "aktobe",
    "qostanay": "kostanay",
}


def zone_for_region(region: str) -> zoneinfo.ZoneInfo:
    """The IANA zone of a region: ``zone_for_region("Atyrau") -> ZoneInfo("Asia/Atyrau")``."""
    key = region.strip().lower().replace("_", "-").replace(" ", "-")
    for suffix in ("-region", "-oblast", "-область", "-облысы"):
        if key.endswith(suffix) and key != "almaty-region":
            key = key.removesuffix(suffix)
    key = _REGION_ALIASES.get(key, key)
    if key not in REGION_ZONES:
        allowed = ", ".join(sorted(REGION_ZONES))
        raise UsageError(f"unknown region {region!r}; known regions: {allowed}")
    return zoneinfo.ZoneInfo(REGION_ZONES[key])


class Unit(enum.StrEnum):
    MINUTES = "minutes"
    HOURS = "hours"
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"


Handover = Literal["day_after", "next_opening"]
DueAt = Literal["closing", "end_of_day"]


@dataclass(frozen=True, slots=True)
class TermRules:
    """How a term counted in days runs; the defaults are the Civil Code's (see docs/calendar.md).

    ``count_start_day``: the day of acceptance is day 1 (some acts say so); default False (a
    term defined by a period starts the day after the event that opens it).
    ``roll_calendar_days``: a calendar-day term ending on a day off ends on the next working day;
    default True.
    ``due_at``: "closing" (closing time of the last day, default) or "end_of_day" (24:00).
    ``handover``: where the days of a step handed over from the step before start.
    "day_after" (default, the legal reading): day 1 is the day after the day of the hand-over,
    whatever its hour. "next_opening": the hand-over is received at the next opening, as an
    application is, and that day is not counted either (a step handed over at closing then
    starts its count a working day later).
    """

    count_start_day: bool = False
    roll_calendar_days: bool = True
    due_at: DueAt = "closing"
    handover: Handover = "day_after"

    def __post_init__(self) -> None:
        for name, allowed in (("due_at", get_args(DueAt)), ("handover", get_args(Handover))):
            value = getattr(self, name)
            if value not in allowed:
                raise UsageError(
                    f"TermRules {name}={value!r} is not one of: {', '.join(map(repr, allowed))}"
                )


class _Basis(NamedTuple):
    """How a deadline was computed: enough to explain it later."""

    clock: Clock
    value: int
    unit: Unit
    accepted: dt.datetime | None  # when the count began, if it differs from the start
    day0: dt.date | None  # the day a hand-over was on: the count in days runs from the day after


@dataclass(frozen=True, slots=True)
class Deadline:
    """A computed due instant that can explain itself (the explanation is built when asked)."""

    start: dt.datetime  # the instant the term was asked for (e.g. submission)
    due: dt.datetime  # aware, in the clock's zone
    estimated: bool  # an estimated day (e.g. a future Kurban ait) lies in the counted span
    basis: _Basis | None = field(default=None, repr=False, compare=False)

    @property
    def value(self) -> int:
        return self.basis.value if self.basis else 0

    @property
    def unit(self) -> Unit | None:
        return self.basis.unit if self.basis else None

    @property
    def accepted(self) -> dt.datetime | None:
        return self.basis.accepted if self.basis else None

    @property
    def explanation(self) -> str:
        if self.basis is None:
            return f"due {self.due.isoformat()}"
        return self.basis.clock.explain(self)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, as ``calendar add --format json`` prints it: the start, the count, the
        due instant (ISO 8601 with its offset), whether a day in it is estimated, and why."""
        return {
            "start": self.start.isoformat(),
            "value": self.value,
            "unit": self.unit.value if self.unit is not None else None,
            "due": self.due.isoformat(),
            "estimated": self.estimated,
            "explanation": self.explanation,
        }

    @property
    def skipped(self) -> tuple[DayInfo, ...]:
        """The days off passed over between the start of the count and the due day."""
        if self.basis is None:
            return ()
        return self.basis.clock.skipped(self)


# Building a Deadline on the office-time hot path: the frozen dataclass __init__ costs ~1 µs (one
# object.__setattr__ per field); writing the slots through their descriptors is several times faster
# and leaves an identical, still frozen, object.
_NEW = object.__new__
_SLOTS = Deadline.__dict__
_SECONDS = dt.timedelta
_SET_START: Callable[[Deadline, Any], None] = _SLOTS["start"].__set__
_SET_DUE: Callable[[Deadline, Any], None] = _SLOTS["due"].__set__
_SET_ESTIMATED: Callable[[Deadline, Any], None] = _SLOTS["estimated"].__set__
_SET_BASIS: Callable[[Deadline, Any], None] = _SLOTS["basis"].__set__
_BASES = 1024  # office-time bases kept per clock
# The units bound once: an enum member read from its class costs ~0.13 µs on Python 3.11.
_MINUTES, _HOURS = Unit.MINUTES, Unit.HOURS
_WORKING_DAYS, _CALENDAR_DAYS = Unit.WORKING_DAYS, Unit.CALENDAR_DAYS
_OFFICE = (_MINUTES, _HOURS)
_AFTER, _BEFORE = bisect.bisect_right, bisect.bisect_left


@dataclass(frozen=True, slots=True)
class _Office:
    starts: list[int]  # open interval starts, local seconds since the calendar's first day
    ends: list[int]
    cum_end: list[int]  # open seconds from the first interval up to each interval's end
    first_of_day: list[int]  # index of the first interval of each day (len = days + 1)
    shift: list[int]  # ends - cum_end: a position in an interval is its open seconds + this


def _tables(starts: list[int], ends: list[int], cum_end: list[int], fod: list[int]) -> _Office:
    return _Office(starts, ends, cum_end, fod, [e - c for e, c in zip(ends, cum_end, strict=True)])


class _OfficeArrays(NamedTuple):
    """The office tables as numpy arrays, for the batch methods (built on first use)."""

    starts: Any  # int64 arrays, as in _Office
    ends: Any
    cum_end: Any
    closing: Any  # the due position of each day: its closing time (or 24:00, see TermRules)


@functools.lru_cache(maxsize=32)
def _office(calendar: WorkCalendar, schedule: WeeklySchedule) -> _Office:
    """The office tables of ``schedule`` over ``calendar`` (every ``Engine`` with a schedule of
    its own builds one): which hours each day has, then the tables in whole-list passes."""
    hours = [schedule.seconds(w) for w in range(7)] + [()]  # by weekday; 7: closed
    first = calendar.first_day
    origin, weekday0 = first.toordinal(), first.weekday()
    working, specials = calendar._working, calendar._specials

    def day_hours(i: int) -> int:
        weekday = (weekday0 + i) % 7
        if schedule.open_on_days_off or (weekday < 5 and working[i]):
            return weekday
        if working[i]:  # a Saturday or Sunday worked by a transfer
            return 0
        day = dt.date.fromordinal(origin + i)
        if weekday >= 5 and (day not in specials or calendar.day_info(day).reasons == ("weekend",)):
            return weekday  # an ordinary weekend: the schedule's own hours
        return 7  # a holiday or a transferred day off

    kinds = list(map(day_hours, range(calendar.last_day.toordinal() - origin + 1)))
    if any(s == 0 for w in hours for s, _ in w) and any(e == _DAY for w in hours for _, e in w):
        return _office_joined(kinds, hours)
    starts = [i * _DAY + s for i, k in enumerate(kinds) for s, _ in hours[k]]
    ends = [i * _DAY + e for i, k in enumerate(kinds) for _, e in hours[k]]
    lengths = [tuple(e - s for s, e in w) for w in hours]
    cum_end = list(itertools.accumulate(x for k in kinds for x in lengths[k]))
    sizes = [len(w) for w in hours]
    first_of_day = [0, *itertools.accumulate(sizes[k] for k in kinds)]
    return _tables(starts, ends, cum_end, first_of_day)


def _office_joined(kinds: list[int], hours: list[tuple[tuple[int, int], ...]]) -> _Office:
    """The office tables when an interval may end at 24:00 and the next begin at 00:00 of the
    next day: those two are one interval."""
    starts: list[int] = []
    ends: list[int] = []
    cum_end: list[int] = []
    first_of_day: list[int] = []
    total = 0
    for i, k in enumerate(kinds):
        first_of_day.append(len(starts))
        base = i * _DAY
        for s, e in hours[k]:
            if starts and ends[-1] == base + s:  # 24:00 then 00:00: one interval
                ends[-1] = base + e
                total += e - s
                cum_end[-1] = total
                continue
            starts.append(base + s)
            ends.append(base + e)
            total += e - s
            cum_end.append(total)
    first_of_day.append(len(starts))
    return _tables(starts, ends, cum_end, first_of_day)


_UNIT_OF: dict[object, Unit] = {**{u: u for u in Unit}, **{u.value: u for u in Unit}}


def _unit(unit: Unit | str) -> Unit:
    # a dict look-up: Unit(unit) costs about 1 µs, twice per step due (the engine's hot path)
    found = _UNIT_OF.get(unit)
    if found is not None:
        return found
    try:
        return Unit(unit)
    except ValueError:
        allowed = ", ".join(u.value for u in Unit)
        raise UsageError(f"unknown unit {unit!r}; allowed: {allowed}") from None


def _require_aware(t: dt.datetime) -> None:
    if t.tzinfo is None or t.utcoffset() is None:
        raise UsageError(
            f"naive datetime {t.isoformat()}: pass an aware one, e.g. "
            "datetime(..., tzinfo=ZoneInfo('Asia/Almaty'))"
        )


def _fmt_dm(d: dt.date) -> str:
    return f"{d.day} {d.strftime('%b')}"


def _runs(days: list[dt.date]) -> str:
    """``16–17 Dec, 4 Jan``: consecutive dates joined into ranges."""
    out: list[str] = []
    i = 0
    while i < len(days):
        j = i
        while j + 1 < len(days) and days[j + 1].toordinal() == days[j].toordinal() + 1:
            j += 1
        first, last = days[i], days[j]
        if first == last:
            out.append(_fmt_dm(first))
        elif first.month == last.month:
            out.append(f"{first.day}–{_fmt_dm(last)}")
        else:
            out.append(f"{_fmt_dm(first)}–{_fmt_dm(last)}")
        i = j + 1
    return ", ".join(out)


def describe_skipped(skipped: tuple[DayInfo, ...]) -> str:
    """``16–17 Dec (Independence Day), 7 Jan (Orthodox Christmas), weekends``."""
    groups: dict[str, list[dt.date]] = {}
    weekends = False
    for info in skipped:
        if info.holiday:
            groups.setdefault(info.holiday, []).append(info.date)
        elif info.reasons == ("weekend",):
            weekends = True
        else:
            groups.setdefault(info.reasons[0] if info.reasons else "day off", []).append(info.date)
    parts = [f"{_runs(days)} ({label})" for label, days in groups.items()]
    if weekends:
        parts.append("weekends")
    return ", ".join(parts)


class Clock:
    """Office time of one schedule in one zone, over one calendar."""

    __slots__ = (
        "_base",
        "_bases",
        "_est",
        "_hot",
        "_n",
        "_np",
        "_office",
        "_origin",
        "calendar",
        "rules",
        "schedule",
        "zone",
    )

    def __init__(
        self,
        calendar: WorkCalendar | None = None,
        schedule: WeeklySchedule | str = "standard",
        zone: zoneinfo.ZoneInfo | str = "Asia/Almaty",
        rules: TermRules | None = None,
    ) -> None:
        self.calendar = calendar if calendar is not None else default_calendar()
        if isinstance(schedule, str):
            if schedule not in SCHEDULES:
                allowed = ", ".join(SCHEDULES)
                raise UsageError(f"unknown schedule {schedule!r}; known: {allowed}")
            schedule = SCHEDULES[schedule]
        self.schedule = schedule
        self.zone = zone if isinstance(zone, zoneinfo.ZoneInfo) else zoneinfo.ZoneInfo(zone)
        self.rules = rules if rules is not None else TermRules()
        first = self.calendar.first_day
        self._base = dt.datetime(first.year, first.month, first.day, tzinfo=self.zone)
        self._origin = first.toordinal()
        self._office = _office(self.calendar, schedule)
        self._n = len(self._office.first_of_day) - 1
        self._est = self.calendar._cum_est
        self._np: _OfficeArrays | None = None
        self._bases: dict[int, _Basis] = {}
        office = self._office
        self._hot = (
            *(self.zone, self._base, self._n),
            *(office.starts, office.ends, office.cum_end, office.shift, office.first_of_day),
            *(self._est, self._bases),
        )

    # -- conversions -------------------------------------------------------------------------------

    def _local(self, t: dt.datetime) -> dt.datetime:
        """``t`` in the clock's zone (an instant near year 1 or 9999 may not convert: it is far
        outside the calendar either way)."""
        _require_aware(t)
        try:
            return t.astimezone(self.zone)
        except OverflowError:
            raise self.calendar.range_error(t.date()) from None

    def _pos(self, t: dt.datetime) -> int:
        """Local wall-clock seconds since the calendar's first day."""
        if t.tzinfo is not self.zone:
            t = self._local(t)
        delta = t - self._base  # same tzinfo object: wall-clock difference
        pos = delta.days * _DAY + delta.seconds
        if not 0 <= pos < self._n * _DAY:
            raise self.calendar.range_error(t.date())
        return pos

    def _at(self, pos: int) -> dt.datetime:
        return self._base + dt.timedelta(seconds=pos)

    def _closing(self, day_index: int) -> int:
        """Closing time of a day (its last interval's end), or 24:00 if closed or asked so."""
        office = self._office
        first, nxt = office.first_of_day[day_index], office.first_of_day[day_index + 1]
        if self.rules.due_at == "end_of_day" or first == nxt:
            return (day_index + 1) * _DAY
        return min(office.ends[nxt - 1], (day_index + 1) * _DAY)

    def closing(self, day: dt.date) -> dt.datetime:
        """Closing time of ``day`` (24:00 if the office is closed that day)."""
        index = day.toordinal() - self._origin
        if not 0 <= index < self._n:
            raise self.calendar.range_error(day)
        return self._at(self._closing(index))

    def _open_before(self, pos: int) -> int:
        """Open seconds from the calendar's first day up to ``pos``."""
        office = self._office
        j = bisect.bisect_right(office.starts, pos) - 1
        if j < 0:
            return 0
        if pos < office.ends[j]:
            return office.cum_end[j] - office.ends[j] + pos
        return office.cum_end[j]

    def office_seconds_between(self, a: dt.datetime, b: dt.datetime) -> int:
        """Whole seconds of office time from ``a`` to ``b`` (0 if ``b`` is not after ``a``):
        :meth:`office_microseconds_between`, its sub-second rest left out."""
        return self.office_microseconds_between(a, b) // _MICROS

    def office_microseconds_between(self, a: dt.datetime, b: dt.datetime) -> int:
        """Microseconds of office time from ``a`` to ``b`` (0 if ``b`` is not after ``a``).
        Office time runs to the microsecond: an instant in an opening counts its sub-second
        part, one outside the office's hours counts as the opening it waits for."""
        return max(0, self._office_micros(b) - self._office_micros(a))

    def _office_micros(self, t: dt.datetime) -> int:
        """Open microseconds from the calendar's first day up to ``t``."""
        pos = self._pos(t)
        return self._open_before(pos) * _MICROS + (t.microsecond if self._open(pos) else 0)

    # -- queries ---------------------------------------------------------------------------------

    def is_open(self, t: dt.datetime) -> bool:
        return self._open(self._pos(t))

    def _open(self, pos: int) -> bool:
        j = bisect.bisect_right(self._office.starts, pos) - 1
        return j >= 0 and pos < self._office.ends[j]

    def next_opening(self, t: dt.datetime) -> dt.datetime:
        """``t`` itself if the office is open then, otherwise the start of the next opening."""
        pos = self._pos(t)
        office = self._office
        j = bisect.bisect_right(office.starts, pos) - 1
        if j >= 0 and pos < office.ends[j]:
            return t.astimezone(self.zone)
        if j + 1 >= len(office.starts):
            raise CalendarRangeError(
                f"no opening after {t.isoformat()} within the calendar's covered range"
            )
        return self._at(office.starts[j + 1])

    def accept(self, t: dt.datetime) -> dt.datetime:
        """When a submission at ``t`` is accepted: at once during office hours, else at the next
        opening (after hours, on a weekend or a day off)."""
        return self.next_opening(t)

    # -- arithmetic ------------------------------------------------------------------------------

    def add_office_minutes(self, t: dt.datetime, minutes: int) -> Deadline:
        """``minutes`` of office time after ``t``; a result exactly at closing stays at closing.

        Office time runs continuously: a ``t`` in an opening carries its sub-second part to the
        due (and a due that would land on a closing with that part still to run goes on at the
        next opening); a ``t`` outside the office's hours counts from an opening, a whole
        second.

        This is a hot path (a µs or two): the clock's tables read in one go, the position, two
        bounded bisects, and a ``Deadline`` built without the dataclass ``__init__`` (its
        explanation is built when read).
        """
        zone, base, n, starts, ends, cum_end, shift, fod, est, bases = self._hot
        delta = (t if t.tzinfo is zone else self._local(t)) - base
        day = delta.days
        if not 0 <= day < n or minutes <= 0:
            return self._add_minutes_slow(t, minutes)
        pos = day * _DAY + delta.seconds
        j = _AFTER(starts, pos, fod[day], fod[day + 1]) - 1
        micro = 0
        if j < 0:  # before the calendar's first opening
            target = minutes * 60
        elif pos < ends[j]:  # in an opening: its open seconds so far, and the minutes
            target = pos - shift[j] + minutes * 60
            micro = delta.microseconds
        else:
            target = cum_end[j] + minutes * 60
        k = _BEFORE(cum_end, target, j if j > 0 else 0)
        if micro and k < len(cum_end) and cum_end[k] == target:
            k += 1  # on a closing with a part of a second to run: the next opening
        if k >= len(cum_end):
            raise CalendarRangeError(
                f"{t.isoformat()} + {shown(minutes)} minutes of office time falls after the calendar's "
                f"covered range ({self.calendar.first_year}–{self.calendar.last_year})"
            )
        due = shift[k] + target
        result = _NEW(Deadline)
        _SET_START(result, t)
        _SET_DUE(result, base + _SECONDS(0, due, micro))  # wall-clock arithmetic: one tzinfo
        _SET_ESTIMATED(result, est[due // _DAY + 1] > est[day])
        _SET_BASIS(result, bases.get(minutes) or self._basis(minutes))
        return result

    def add_office_microseconds(self, t: dt.datetime, micros: int) -> dt.datetime:
        """``micros`` microseconds of office time after ``t`` (``t`` itself for none), as
        :meth:`add_office_minutes` counts: a ``t`` in an opening carries its sub-second part, a
        result exactly at closing stays at closing, one with a part of a second still to run
        there goes on at the next opening. What a stretch that stood still pushes a term in
        minutes or hours back by (``procedure/term.py: shifted``)."""
        if micros < 0:
            raise UsageError(f"microseconds must be 0 or more, got {micros}")
        if not micros:
            return t
        office = self._office
        seconds, micro = divmod(self._office_micros(t) + micros, _MICROS)
        k = _BEFORE(office.cum_end, seconds)
        if micro and k < len(office.cum_end) and office.cum_end[k] == seconds:
            k += 1  # on a closing with a part of a second to run: the next opening
        if k >= len(office.cum_end):
            raise CalendarRangeError(
                f"{t.isoformat()} + {micros} µs of office time falls after the calendar's "
                f"covered range ({self.calendar.first_year}–{self.calendar.last_year})"
            )
        return self._at(office.shift[k] + seconds) + dt.timedelta(microseconds=micro)

    def _basis(self, minutes: int) -> _Basis:
        """The basis of ``minutes`` of office time on this clock, shared by the deadlines that
        have it (kept for the first few hundred counts asked)."""
        basis = _Basis(self, minutes, _MINUTES, None, None)
        if len(self._bases) < _BASES:
            self._bases[minutes] = basis
        return basis

    def _add_minutes_slow(self, t: dt.datetime, minutes: int) -> Deadline:
        self._pos(t)  # raises for a date outside the range
        if minutes < 0:
            raise UsageError(f"minutes must be 0 or more, got {minutes}")
        return self._deadline(t, self.next_opening(t), 0, Unit.MINUTES)

    def add_working_days(self, t: dt.datetime, n: int) -> Deadline:
        """Closing time of the N-th working day after the day of acceptance."""
        if n < 0:
            raise UsageError(f"the number of working days must be 0 or more, got {n}")
        accepted = self.accept(t)
        start_day = accepted.date()
        if self.rules.count_start_day and n > 0 and self.calendar.is_working_day(start_day):
            due_day = self.calendar.add_working_days(start_day, n - 1)
        else:
            due_day = self.calendar.add_working_days(start_day, n)
        return self._day_deadline(t, accepted, due_day, n, Unit.WORKING_DAYS)

    def add_calendar_days(self, t: dt.datetime, n: int) -> Deadline:
        """Closing time of the N-th day after the day of acceptance, rolled to a working day."""
        if n < 0:
            raise UsageError(f"the number of calendar days must be 0 or more, got {n}")
        accepted = self.accept(t)
        start_day = accepted.date()
        shift = n - 1 if self.rules.count_start_day and n > 0 else n
        due_day = self._calendar_days_after(start_day, shift, n)
        return self._day_deadline(t, accepted, due_day, n, Unit.CALENDAR_DAYS)

    def _calendar_days_after(self, day: dt.date, shift: int, n: int) -> dt.date:
        """``day`` + ``shift`` days, moved to the next working day when it is a day off and the
        rules say so (``n``: the count asked for, for the message)."""
        if day.toordinal() + shift > self.calendar.last_day.toordinal():
            raise CalendarRangeError(
                f"{day.isoformat()} + {shown(n)} calendar days falls after the calendar's "
                f"covered range {self.calendar.first_day}..{self.calendar.last_day}"
            )
        due_day = day + dt.timedelta(days=shift)
        if self.rules.roll_calendar_days and not self.calendar.is_working_day(due_day):
            due_day = self.calendar.next_working_day(due_day)
        return due_day

    def add(self, t: dt.datetime, value: int, unit: Unit | str) -> Deadline:
        """Dispatch on ``unit``: minutes, hours, working_days or calendar_days."""
        u = _unit(unit)
        if value < 0:
            raise UsageError(
                f"the number of {u.value.replace('_', ' ')} must be 0 or more, got {value}"
            )
        if u is _MINUTES:
            return self.add_office_minutes(t, value)
        if u is _HOURS:
            self._pos(t)  # an instant outside the range says so itself
            try:
                d = self.add_office_minutes(t, value * 60)
            except CalendarRangeError:  # say it in the hours asked for, not in minutes
                raise CalendarRangeError(
                    f"{t.isoformat()} + {shown(value)} hours of office time falls after the "
                    f"calendar's covered range ({self.calendar.first_year}–{self.calendar.last_year})"
                ) from None
            return Deadline(d.start, d.due, d.estimated, _Basis(self, value, _HOURS, None, None))
        if u is _WORKING_DAYS:
            return self.add_working_days(t, value)
        return self.add_calendar_days(t, value)

    # -- a step handed over from the step before ------------------------------------------------

    def handover_day(self, t: dt.datetime) -> dt.date:
        """The day of a hand-over at ``t``, which a count in days does not include: ``t``'s own
        local day, except that 00:00 when the office is closed is 24:00 of the day before (the
        due instant of a day under ``due_at="end_of_day"``, or of a day the office is closed)."""
        local = self._local(t)
        pos = self._pos(local)  # an instant outside the range says so itself
        day = local.date()
        if local.time() == dt.time() and not self._open(pos):
            return day - dt.timedelta(days=1)
        return day

    def add_after_handover(self, t: dt.datetime, value: int, unit: Unit | str) -> Deadline:
        """``value`` of ``unit`` for a step that starts at ``t``: handed over by the step before
        it, or the first step of a case, started at acceptance.

        Minutes and hours are office time after ``t``, as :meth:`add` counts them. Days follow
        ``rules.handover``: with "day_after" (the default) N working days end at closing time of
        the N-th working day after :meth:`handover_day` (N calendar days: of that day + N, moved
        off a day off as :meth:`add` moves it), so a step handed over at closing time on day D
        starts its count on the next working day after D; with "next_opening", and whenever
        ``rules.count_start_day`` makes day 1 the first day the office is open at or after
        ``t``, they are :meth:`add`'s. During office hours the two readings agree: the day of
        ``t`` is the day of acceptance, and is not counted.
        """
        u = _unit(unit)
        if u in _OFFICE or self._counts_as_add:
            return self.add(t, value, u)
        local, day0, due_day, later = self._after_handover(t, value, u)
        due = local if later else self._at(self._closing(due_day))
        estimated = self._est[due_day + 1] > self._est[day0]
        day = dt.date.fromordinal(self._origin + day0)
        return Deadline(t, due, estimated, _Basis(self, value, u, None, day))

    def due_after_handover(self, t: dt.datetime, value: int, unit: Unit | str) -> dt.datetime:
        """``add_after_handover(t, value, unit).due``, without the ``Deadline``: the due instant
        alone, as a step's due on entry needs it (``procedure/timing.py: step_due``)."""
        u = _UNIT_OF.get(unit) or _unit(unit)
        if u in _OFFICE and value > 0:
            try:
                return self.add_office_minutes(t, value if u is _MINUTES else value * 60).due
            except CalendarRangeError:
                pass  # add() says so, in the unit asked for
        if u in _OFFICE or self._counts_as_add:
            return self.add(t, value, u).due
        local, _, due_day, later = self._after_handover(t, value, u)
        return local if later else self._at(self._closing(due_day))

    @property
    def _counts_as_add(self) -> bool:
        """Whether a count in days from a hand-over is :meth:`add`'s (see
        :meth:`add_after_handover`)."""
        return self.rules.handover == "next_opening" or self.rules.count_start_day

    def _after_handover(
        self, t: dt.datetime, value: int, u: Unit
    ) -> tuple[dt.datetime, int, int, bool]:
        """A count of ``value`` days of ``u`` from a hand-over at ``t``, as day indices: ``t``
        in the clock's zone, the day of the hand-over (:meth:`handover_day`), the due day, and
        whether ``t`` is after that day's closing (0 days after closing: due at once)."""
        if value < 0:
            raise UsageError(
                f"the number of {u.value.replace('_', ' ')} must be 0 or more, got {value}"
            )
        local = t if t.tzinfo is self.zone else self._local(t)
        pos = self._pos(local)
        day0, sec = divmod(pos, _DAY)
        if sec == 0 and local.microsecond == 0 and not self._open(pos):
            day0 -= 1  # 00:00 of a closed office is 24:00 of the day before
        calendar = self.calendar
        handed = dt.date.fromordinal(self._origin + day0)
        if day0 < 0:
            raise calendar.range_error(handed)
        if u is _WORKING_DAYS:
            due_date = calendar.add_working_days(handed, value)
        else:
            due_date = self._calendar_days_after(handed, value, value)
        due_day = due_date.toordinal() - self._origin
        closing = self._closing(due_day)
        later = pos > closing or (pos == closing and local.microsecond > 0)
        return local, day0, due_day, later

    def _day_deadline(
        self, t: dt.datetime, accepted: dt.datetime, due_day: dt.date, n: int, unit: Unit
    ) -> Deadline:
        index = due_day.toordinal() - self._origin
        due = self._at(self._closing(index))
        estimated = self.calendar.any_estimated(accepted.date(), due_day)
        return Deadline(t, due, estimated, _Basis(self, n, unit, accepted, None))

    def _deadline(self, t: dt.datetime, due: dt.datetime, n: int, unit: Unit) -> Deadline:
        estimated = self.calendar.any_estimated(t.astimezone(self.zone).date(), due.date())
        return Deadline(t, due, estimated, _Basis(self, n, unit, None, None))

    # -- batch: numpy int64 arrays of positions ----------------------------------------------------
    #
    # A *position* is an instant as local wall-clock seconds since the calendar's first day (the
    # unit of the office tables). The batch methods give exactly what the scalar ones give, for
    # whole arrays at once: ``instants(add_batch(positions(ts), n, unit))`` equals
    # ``[add(t, n, unit).due for t in ts]``.

    def _office_minutes(self) -> int:
        """Minutes the office is open over the whole calendar: no addition can exceed them."""
        cum_end = self._office.cum_end
        return cum_end[-1] // 60 if cum_end else 0

    def _arrays(self) -> _OfficeArrays:
        if self._np is None:
            import numpy as np

            office = self._office
            ends = np.array(office.ends, dtype=np.int64)
            fod = np.array(office.first_of_day, dtype=np.int64)
            midnight = (np.arange(self._n, dtype=np.int64) + 1) * _DAY
            first, nxt = fod[:-1], fod[1:]
            if self.rules.due_at == "end_of_day" or not len(ends):
                closing = midnight
            else:
                last_end = ends[np.maximum(nxt - 1, 0)]
                closing = np.where(first == nxt, midnight, np.minimum(last_end, midnight))
            self._np = _OfficeArrays(
                np.array(office.starts, dtype=np.int64),
                ends,
                np.array(office.cum_end, dtype=np.int64),
                closing,
            )
        return self._np

    def positions(self, instants: Iterable[dt.datetime]) -> Positions:
        """Aware instants → positions (local seconds since the calendar's first day, whole: the
        sub-second part of each is :meth:`microseconds`'s)."""
        import numpy as np

        return np.fromiter((self._pos(t) for t in instants), dtype=np.int64)

    def microseconds(self, instants: Iterable[dt.datetime]) -> Positions:
        """The sub-second part of each instant (0 to 999,999 µs), which its position leaves
        out: what :meth:`add_office_minutes_batch` takes as ``micros``."""
        import numpy as np

        return np.fromiter((t.microsecond for t in instants), dtype=np.int64)

    def position(self, t: dt.datetime) -> int:
        """One aware instant → its position."""
        return self._pos(t)

    def instant(self, position: int) -> dt.datetime:
        """A position → the aware instant in the clock's zone."""
        return self._at(int(position))

    def instants(self, positions: Positions, micros: Positions | None = None) -> list[dt.datetime]:
        """Positions → aware instants in the clock's zone (with ``micros``, each with its
        sub-second part)."""
        at = self._at
        if micros is None:
            return [at(p) for p in positions.tolist()]
        return [
            at(p) + dt.timedelta(microseconds=u)
            for p, u in zip(positions.tolist(), micros.tolist(), strict=True)
        ]

    def ordinals(self, positions: Positions) -> Positions:
        """The local date of each position, as ``date.toordinal()``."""
        return positions // _DAY + self.calendar.first_day.toordinal()

    def _check_batch(self, positions: Positions) -> None:
        if positions.size and (positions.min() < 0 or positions.max() >= self._n * _DAY):
            bad = int(positions.min()) if positions.min() < 0 else int(positions.max())
            raise self.calendar.range_error(
                self.calendar.first_day + dt.timedelta(days=bad // _DAY)
            )

    def office_seconds_batch(self, positions: Positions) -> Positions:
        """Open seconds from the calendar's first day up to each position (``office_seconds_between``
        of two instants is the difference of theirs)."""
        import numpy as np

        a = self._arrays()
        j = np.searchsorted(a.starts, positions, side="right") - 1
        jc = np.maximum(j, 0)
        # in interval j: its end's count less the seconds still to its end (none after it)
        before: Positions = a.cum_end[jc] - np.maximum(a.ends[jc] - positions, 0)
        if j.size and j.min() < 0:  # before the first opening: none
            before = np.where(j < 0, 0, before)
        return before

    def from_office_seconds_batch(self, seconds: Positions) -> Positions:
        """The inverse of ``office_seconds_batch`` on open time: the position at which the office
        has been open for ``seconds`` (0 ≤ seconds < all the open seconds of the calendar)."""
        import numpy as np

        a = self._arrays()
        k = np.searchsorted(a.cum_end, seconds, side="right")
        if k.size and k.max() >= len(a.cum_end):
            raise CalendarRangeError("an office second falls after the calendar's covered range")
        found: Positions = a.ends[k] - (a.cum_end[k] - seconds)
        return found

    def accept_batch(self, positions: Positions) -> Positions:
        """Vectorised ``accept``/``next_opening``: each position itself if open, else the next
        opening."""
        import numpy as np

        self._check_batch(positions)
        a = self._arrays()
        j = np.searchsorted(a.starts, positions, side="right") - 1
        inside = (j >= 0) & (positions < a.ends[np.maximum(j, 0)])
        nxt = j + 1
        stuck = ~inside & (nxt >= len(a.starts))
        if stuck.any():
            first = self._at(int(positions.flat[np.argmax(stuck)]))
            raise CalendarRangeError(
                f"no opening after {first.isoformat()} within the calendar's covered range "
                f"{self.calendar.first_day}..{self.calendar.last_day}"
            )
        accepted: Positions = np.where(
            inside, positions, a.starts[np.minimum(nxt, len(a.starts) - 1)]
        )
        return accepted

    def accept_grid(self, start: int, step: int, count: int) -> tuple[Positions, Positions]:
        """``accept_batch`` of the grid ``start + step * i`` (``0 <= i < count``), grouped: the
        distinct acceptance instants in order, and the index of the first grid point accepted at
        each (the number each stands for is the difference of the next one's). Computed from
        the office intervals the grid crosses, without the grid: a point in an interval is
        accepted at itself, the points in the gap before an interval at its start."""
        import numpy as np

        if count <= 0 or step <= 0:
            raise UsageError(f"a grid needs points and a step, got {count} points of {step} s")
        last = start + step * (count - 1)
        self._check_batch(np.array([start, last], dtype=np.int64))
        a = self._arrays()
        starts, ends = a.starts, a.ends
        if not len(ends) or last >= ends[-1]:  # some points have no opening after them
            stuck = 0 if not len(ends) else max(0, -(-(int(ends[-1]) - start) // step))
            self.accept_batch(np.array([start + step * stuck], dtype=np.int64))  # raises
        lo = max(int(np.searchsorted(starts, start, side="right")) - 1, 0)
        hi = int(np.searchsorted(starts, last, side="right"))  # the first opening after the grid
        k = np.arange(lo, min(hi, len(starts) - 1) + 1)
        s, e = starts[k], ends[k]
        gap_from = np.maximum(np.where(k > 0, ends[k - 1], start), start)  # the gap: [from, s]
        gap_first = np.maximum(0, -((start - gap_from) // step))
        gap_last = np.where(s >= start, np.minimum(count - 1, (s - start) // step), -1)
        gap = (gap_last >= gap_first).astype(np.int64)
        own_first = np.maximum(0, (s - start) // step + 1)  # the points inside, after its start
        own = np.maximum(0, np.minimum(count, -((start - e) // step)) - own_first)
        sizes = gap + own
        ends_at = np.cumsum(sizes)
        within = np.arange(int(ends_at[-1]), dtype=np.int64) - np.repeat(ends_at - sizes, sizes)
        firsts: Positions = np.repeat(own_first - gap, sizes) + within
        values: Positions = start + step * firsts
        opens = np.repeat(gap.astype(np.bool_), sizes) & (within == 0)
        firsts[opens] = gap_first[gap.astype(np.bool_)]
        values[opens] = s[gap.astype(np.bool_)]
        return values, firsts

    def closing_batch(self, ordinals: Positions) -> Positions:
        """Vectorised ``closing``: the closing position of each day (given as ordinals)."""
        index = ordinals - self.calendar.first_day.toordinal()
        if index.size and (index.min() < 0 or index.max() >= self._n):
            bad = int(index.min()) if index.min() < 0 else int(index.max())
            raise self.calendar.range_error(self.calendar.first_day + dt.timedelta(days=bad))
        closing: Positions = self._arrays().closing[index]
        return closing

    @overload
    def add_office_minutes_batch(
        self, positions: Positions, minutes: int | Positions, micros: None = None
    ) -> Positions: ...

    @overload
    def add_office_minutes_batch(
        self, positions: Positions, minutes: int | Positions, micros: Positions
    ) -> tuple[Positions, Positions]: ...

    def add_office_minutes_batch(
        self, positions: Positions, minutes: int | Positions, micros: Positions | None = None
    ) -> Positions | tuple[Positions, Positions]:
        """Vectorised ``add_office_minutes(...).due`` (0 minutes: the next opening). With
        ``micros`` (the starts' sub-second parts, :meth:`microseconds`) it gives the due
        positions and theirs, as the scalar form carries them: a start's part where it is in an
        opening, else 0 (:meth:`instants` joins the two)."""
        import numpy as np

        self._check_batch(positions)
        m = np.broadcast_to(
            counts(minutes, self._office_minutes(), "minutes of office time", self.calendar),
            positions.shape,
        )
        if m.size and m.min() < 0:
            raise UsageError(f"minutes must be 0 or more, got {int(m.min())}")
        a = self._arrays()
        target = self.office_seconds_batch(positions) + m * 60
        k = np.searchsorted(a.cum_end, target, side="left")
        carried = None
        if micros is not None:
            carried = self._carried(positions, micros)
            # on a closing with a part of a second to run: the next opening
            k = k + ((carried > 0) & (a.cum_end[np.minimum(k, len(a.cum_end) - 1)] == target))
        if k.size and k.max() >= len(a.cum_end):
            worst = int(np.argmax(k))
            start = self._at(int(np.broadcast_to(positions, k.shape).flat[worst]))
            raise CalendarRangeError(
                f"{start.isoformat()} + {int(m.flat[worst])} minutes of office time falls after "
                f"the calendar's covered range ({self.calendar.first_year}–{self.calendar.last_year})"
            )
        due: Positions = a.ends[k] - a.cum_end[k] + target
        if not m.all():
            due = np.where(m == 0, self.accept_batch(positions), due)
        return due if carried is None else (due, carried)

    def add_office_seconds_batch(self, positions: Positions, seconds: Positions) -> Positions:
        """Vectorised :meth:`add_office_microseconds` on whole seconds (positions hold no
        sub-second part): each position pushed on by its ``seconds`` of office time (0: the
        position itself), a result exactly at closing staying at closing."""
        import numpy as np

        self._check_batch(positions)
        if seconds.size and seconds.min() < 0:
            raise UsageError(f"seconds must be 0 or more, got {int(seconds.min())}")
        a = self._arrays()
        target = self.office_seconds_batch(positions) + seconds
        k = np.searchsorted(a.cum_end, target, side="left")
        if k.size and k.max() >= len(a.cum_end):
            raise CalendarRangeError("an office second falls after the calendar's covered range")
        moved: Positions = np.where(seconds > 0, a.ends[k] - a.cum_end[k] + target, positions)
        return moved

    def _carried(self, positions: Positions, micros: Positions) -> Positions:
        """The sub-second part an office-time count carries: ``micros`` where the office is
        open at the position, else 0 (a count from an opening starts on a whole second)."""
        import numpy as np

        if micros.shape != positions.shape:
            raise UsageError(
                f"micros must have the positions' shape {positions.shape}, got {micros.shape}"
            )
        if micros.size and (micros.min() < 0 or micros.max() >= 1_000_000):
            raise UsageError("micros must be sub-second parts, 0 to 999999 µs")
        carried: Positions = np.where(self._open_batch(positions), micros, 0)
        return carried

    def add_working_days_batch(self, positions: Positions, n: int | Positions) -> Positions:
        """Vectorised ``add_working_days(...).due``."""
        import numpy as np

        days = self.ordinals(self.accept_batch(positions))
        steps = np.broadcast_to(
            counts(n, self.calendar.working_day_count, "working days", self.calendar),
            positions.shape,
        )
        if self.rules.count_start_day:
            steps = np.where((steps > 0) & self.calendar.is_working_batch(days), steps - 1, steps)
        return self.closing_batch(self.calendar.add_working_days_batch(days, steps))

    def add_calendar_days_batch(self, positions: Positions, n: int | Positions) -> Positions:
        """Vectorised ``add_calendar_days(...).due``."""
        import numpy as np

        steps = np.broadcast_to(counts(n, self._n, "calendar days", self.calendar), positions.shape)
        if steps.size and steps.min() < 0:
            raise UsageError(
                f"the number of calendar days must be 0 or more, got {int(steps.min())}"
            )
        days = self.ordinals(self.accept_batch(positions))
        if self.rules.count_start_day:
            steps = np.where(steps > 0, steps - 1, steps)
        return self.closing_batch(self._calendar_days_after_batch(days, steps))

    def _calendar_days_after_batch(self, days: Positions, steps: Positions) -> Positions:
        """Vectorised ``_calendar_days_after`` on ordinals."""
        import numpy as np

        due = days + steps
        last = self.calendar.last_day.toordinal()
        if due.size and due.max() > last:
            raise self.calendar.range_error(
                dt.date.fromordinal(min(int(due.max()), dt.date.max.toordinal()))
            )
        if self.rules.roll_calendar_days:
            off = ~self.calendar.is_working_batch(due)
            if off.any():
                due = np.where(off, self.calendar.add_working_days_batch(due, 1), due)
        return due

    def add_batch(
        self, positions: Positions, value: int | Positions, unit: Unit | str
    ) -> Positions:
        """Vectorised ``add(...).due``: ``value`` of ``unit`` after each position."""
        u = _unit(unit)
        if u is Unit.MINUTES:
            return self.add_office_minutes_batch(positions, value)
        if u is Unit.HOURS:
            hours = counts(
                value, self._office_minutes() // 60, "hours of office time", self.calendar
            )
            return self.add_office_minutes_batch(positions, hours * 60)
        if u is Unit.WORKING_DAYS:
            return self.add_working_days_batch(positions, value)
        return self.add_calendar_days_batch(positions, value)

    def _open_batch(self, positions: Positions) -> Any:
        """Whether the office is open at each position (``is_open``)."""
        import numpy as np

        a = self._arrays()
        j = np.searchsorted(a.starts, positions, side="right") - 1
        return (j >= 0) & (positions < a.ends[np.maximum(j, 0)])

    def handover_days_batch(self, positions: Positions) -> Positions:
        """Vectorised ``handover_day``, as ordinals."""
        self._check_batch(positions)
        days = self.ordinals(positions)
        midnight_closed = (positions % _DAY == 0) & ~self._open_batch(positions)
        moved: Positions = days - midnight_closed
        return moved

    def add_after_handover_batch(
        self, positions: Positions, value: int | Positions, unit: Unit | str
    ) -> Positions:
        """Vectorised ``add_after_handover(...).due``."""
        import numpy as np

        u = _unit(unit)
        if (
            u in (Unit.MINUTES, Unit.HOURS)
            or self.rules.handover == "next_opening"
            or self.rules.count_start_day
        ):
            return self.add_batch(positions, value, u)
        days = self.handover_days_batch(positions)
        if u is Unit.WORKING_DAYS:
            steps = np.broadcast_to(
                counts(value, self.calendar.working_day_count, "working days", self.calendar),
                positions.shape,
            )
            due_days = self.calendar.add_working_days_batch(days, steps)
        else:
            steps = np.broadcast_to(
                counts(value, self._n, "calendar days", self.calendar), positions.shape
            )
            if steps.size and steps.min() < 0:
                raise UsageError(
                    f"the number of calendar days must be 0 or more, got {int(steps.min())}"
                )
            due_days = self._calendar_days_after_batch(days, steps)
        due: Positions = np.maximum(self.closing_batch(due_days), positions)
        return due

    # -- explanations ------------------------------------------------------------------------------

    def _span(self, d: Deadline) -> tuple[dt.date, dt.date]:
        end = d.due - dt.timedelta(microseconds=1) if d.due.time() == dt.time() else d.due
        return self._first_day(d), end.date()

    def _first_day(self, d: Deadline) -> dt.date:
        """The day a count in days runs from (not counted itself): the day of a hand-over, else
        of acceptance, else of the start."""
        if d.basis is not None and d.basis.day0 is not None:
            return d.basis.day0
        return (d.accepted or d.start).astimezone(self.zone).date()

    def _handover_note(self, d: Deadline) -> str:
        """`` (handed over at 18:30; day 1 is the next working day)`` for a count in days from a
        hand-over outside office hours, where the two readings of ``TermRules.handover`` differ."""
        if d.basis is None or d.basis.day0 is None:
            return ""
        start = d.start.astimezone(self.zone)
        if self.is_open(start):
            return ""
        hour = "24:00" if start.date() != d.basis.day0 else f"{start:%H:%M}"
        day = "working day" if d.unit is Unit.WORKING_DAYS else "day"
        return f" (handed over at {hour}; day 1 is the next {day})"

    def skipped(self, d: Deadline) -> tuple[DayInfo, ...]:
        begin, end = self._span(d)
        if d.unit in (Unit.WORKING_DAYS, Unit.CALENDAR_DAYS):
            begin += dt.timedelta(days=1)  # the day of acceptance is not part of the count
        if end < begin:
            return ()
        return self.calendar.days_off(begin, end)

    def explain(self, d: Deadline) -> str:
        # the definitions' words for an amount of time, imported when a deadline is explained
        # (the calendar alone does not load the definition models)
        from reglament.schemas import Unit as Units
        from reglament.schemas.words import amount_text

        amount = amount_text(d.value, Units(d.unit.value)) if d.unit is not None else ""
        start = d.start.astimezone(self.zone)
        due_text = self._fmt_instant(d.due, end=True)
        parts: list[str] = []
        if d.accepted is not None and d.accepted != start:
            parts.append(
                f"{self._fmt_instant(start)} is outside office hours: counted from the next "
                f"opening {self._fmt_instant(d.accepted)}"
            )
        skipped_days = describe_skipped(self.skipped(d))
        skipped = f"skipped {skipped_days}" if skipped_days else "no days off in between"
        first = self._first_day(d)
        note = self._handover_note(d)
        if d.unit is Unit.WORKING_DAYS:
            rule = "" if not self.rules.count_start_day else " (the day of acceptance counts)"
            parts.append(f"+{amount} from {fmt_day(first)}{rule}{note}: {skipped} → {due_text}")
        elif d.unit is Unit.CALENDAR_DAYS:
            shift = d.value - 1 if self.rules.count_start_day and d.value > 0 else d.value
            nominal = first + dt.timedelta(days=shift)
            text = f"+{amount} from {fmt_day(first)}{note} → {fmt_day(nominal)}"
            info = self.calendar.day_info(nominal)
            if not info.working and d.due.date() != nominal:
                text += (
                    f", a day off ({info.holiday or '; '.join(info.reasons)}),"
                    " moved to the next working day"
                    f" ({skipped})"
                )
            parts.append(f"{text} → {due_text}")
        else:
            parts.append(
                f"+{amount} of office time ({self.schedule.name or 'schedule'}: "
                f"{self.schedule.describe()}) from {self._fmt_instant(start)}: "
                f"{self._per_day(start, d.due)}"
                f"{'; ' + skipped if skipped_days else ''} → {due_text}"
            )
        estimated_note = ""
        if d.estimated:
            begin, end = self._span(d)
            days = [i for i in self.calendar.days(begin, end) if i.estimated]
            names = ", ".join(f"{i.holiday or 'day'} {i.date.isoformat()}" for i in days)
            estimated_note = f"[estimated: {names} is an estimated date]"
        text = "; ".join(parts)
        if d.estimated:
            text += " " + estimated_note
        return text

    def _per_day(self, start: dt.datetime, due: dt.datetime) -> str:
        office = self._office
        a, b = self._pos(start), self._pos(due)
        per_day: dict[int, int] = {}
        j = max(bisect.bisect_right(office.starts, a) - 1, 0)
        while j < len(office.starts) and office.starts[j] < b:
            lo, hi = max(office.starts[j], a), min(office.ends[j], b)
            if hi > lo:
                per_day[lo // _DAY] = per_day.get(lo // _DAY, 0) + hi - lo
            j += 1
        first = self.calendar.first_day
        return "counted " + ", ".join(
            f"{self._fmt_minutes(sec)} on {fmt_day(first + dt.timedelta(days=day))}"
            for day, sec in per_day.items()
        )

    @staticmethod
    def _fmt_minutes(seconds: int) -> str:
        minutes = seconds // 60
        hours, rest = divmod(minutes, 60)
        if hours and rest:
            return f"{hours} h {rest} min"
        return f"{hours} h" if hours else f"{rest} min"

    def _fmt_instant(self, t: dt.datetime, *, end: bool = False) -> str:
        """``t`` in the clock's zone (:func:`~reglament.calendar.days.fmt_instant`)."""
        return fmt_instant(t.astimezone(self.zone), end=end)
