"""Weekly office schedules: when an actor or a channel is open, lunch breaks cut out."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["DAY_NAMES", "SCHEDULES", "Interval", "WeeklySchedule", "seconds_of"]

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
END_OF_DAY = dt.time.max  # stands for 24:00 in an interval's end

Interval = tuple[dt.time, dt.time]

_CLOCK = re.compile(r"^(\d{1,2}):(\d\d)$")


def seconds_of(t: dt.time) -> int:
    """Seconds since midnight; ``time.max`` (our 24:00) is 86400."""
    if t == END_OF_DAY:
        return 86400
    return t.hour * 3600 + t.minute * 60 + t.second


def _fmt(t: dt.time) -> str:
    return "24:00" if t == END_OF_DAY else t.strftime("%H:%M")


def _parse_clock(text: str, spec: str) -> dt.time:
    match = _CLOCK.match(text.strip())
    if not match:
        raise ValueError(f"bad time {text!r} in schedule {spec!r}: expected HH:MM")
    hour, minute = int(match[1]), int(match[2])
    if (hour, minute) == (24, 0):
        return END_OF_DAY
    if hour > 23 or minute > 59:
        raise ValueError(f"bad time {text!r} in schedule {spec!r}: out of range")
    return dt.time(hour, minute)


def _parse_range(text: str, spec: str) -> Interval:
    parts = text.split("-")
    if len(parts) != 2:
        raise ValueError(f"bad time range {text!r} in schedule {spec!r}: expected HH:MM-HH:MM")
    start, end = _parse_clock(parts[0], spec), _parse_clock(parts[1], spec)
    if seconds_of(start) >= seconds_of(end):
        raise ValueError(f"bad time range {text!r} in schedule {spec!r}: it must end after start")
    return start, end


def _parse_days(text: str, spec: str) -> list[int]:
    if text in ("daily", "every-day"):
        return list(range(7))
    days: list[int] = []
    for part in text.split(","):
        ends = part.split("-")
        try:
            idx = [DAY_NAMES.index(e[:3]) for e in ends if e[:3] == e or e in _LONG]
        except ValueError:
            idx = []
        if len(idx) != len(ends) or len(ends) > 2:
            allowed = ", ".join(DAY_NAMES)
            raise ValueError(
                f"bad days {part!r} in schedule {spec!r}: use {allowed}, ranges like mon-fri,"
                " lists like mon,wed or daily"
            )
        days.extend(range(idx[0], idx[-1] + 1))
    return days


_LONG = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _cut(intervals: list[Interval], lunch: Interval | None, spec: str) -> list[Interval]:
    if lunch is None:
        return intervals
    out: list[Interval] = []
    cut = False
    for start, end in intervals:
        if seconds_of(start) < seconds_of(lunch[0]) and seconds_of(lunch[1]) < seconds_of(end):
            out += [(start, lunch[0]), (lunch[1], end)]
            cut = True
        else:
            out.append((start, end))
    if not cut:
        raise ValueError(
            f"lunch {_fmt(lunch[0])}-{_fmt(lunch[1])} in schedule {spec!r} "
            "must lie strictly inside the opening hours"
        )
    return out


@dataclass(frozen=True, slots=True)
class WeeklySchedule:
    """Open intervals per weekday (0=Mon..6=Sun), lunch already cut out; ``time.max`` is 24:00.

    ``open_on_days_off``: the schedule also runs on public holidays and transferred days off (the
    e-government portal). Otherwise the office is closed on every day off, and a Saturday or Sunday
    made a working day by a Government transfer is worked with the Monday hours (a transfer swaps
    a whole weekday), whatever the schedule says about Saturdays.
    """

    days: tuple[tuple[Interval, ...], ...]
    open_on_days_off: bool = False
    name: str = ""

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise ValueError(f"a weekly schedule needs 7 days (Mon..Sun), got {len(self.days)}")
        for weekday, intervals in enumerate(self.days):
            last = -1
            for start, end in intervals:
                if seconds_of(start) >= seconds_of(end) or seconds_of(start) < last:
                    raise ValueError(
                        f"{DAY_NAMES[weekday]}: intervals must be increasing and not overlap"
                    )
                last = seconds_of(end)

    @classmethod
    def parse(cls, spec: str, *, open_on_days_off: bool = False, name: str = "") -> WeeklySchedule:
        """``"mon-fri 09:00-18:30 lunch 13:00-14:30; sat 09:00-13:00"``.

        Segments are separated by ``;``: days (``mon-fri``, ``sat``, ``mon,wed``, ``daily``), then
        one or more ``HH:MM-HH:MM`` ranges (``24:00`` allowed as an end), then optionally
        ``lunch HH:MM-HH:MM``. Days not named are closed.
        """
        days: list[list[Interval] | None] = [None] * 7
        for segment in (s.strip() for s in spec.lower().split(";")):
            if not segment:
                continue
            tokens = segment.replace(",", " , ").split()
            day_text, rest = tokens[0], tokens[1:]
            while rest and rest[0] == ",":  # "mon, wed 09:00-..." spelled with spaces
                day_text += "," + rest[1]
                rest = rest[2:]
            lunch: Interval | None = None
            if "lunch" in rest:
                at = rest.index("lunch")
                if len(rest) != at + 2:
                    raise ValueError(
                        f"bad lunch in schedule {spec!r}: expected 'lunch HH:MM-HH:MM' at the end"
                    )
                lunch = _parse_range(rest[at + 1], spec)
                rest = rest[:at]
            ranges = [_parse_range(r, spec) for r in rest if r != ","]
            if not ranges:
                raise ValueError(f"segment {segment!r} of schedule {spec!r} has no opening hours")
            intervals = _cut(sorted(ranges, key=lambda r: seconds_of(r[0])), lunch, spec)
            for weekday in _parse_days(day_text, spec):
                if days[weekday] is not None:
                    raise ValueError(f"{DAY_NAMES[weekday]} appears twice in schedule {spec!r}")
                days[weekday] = intervals
        if all(d is None for d in days):
            raise ValueError(f"schedule {spec!r} opens on no day")
        try:
            return cls(tuple(tuple(d or ()) for d in days), open_on_days_off, name)
        except ValueError as error:
            raise ValueError(f"schedule {spec!r}: {error}") from None

    @classmethod
    def from_days(
        cls,
        days: Mapping[str, tuple[str, str]],
        lunch: tuple[str, str] | None = None,
        *,
        open_on_days_off: bool = False,
        name: str = "",
    ) -> WeeklySchedule:
        """``from_days({"mon-fri": ("09:00", "18:00")}, lunch=("13:00", "14:00"))``.

        The lunch break applies to every day whose hours contain it.
        """
        parts = []
        for day_spec, (start, end) in days.items():
            text = f"{day_spec} {start}-{end}"
            if lunch is not None and (
                seconds_of(_parse_clock(start, text)) < seconds_of(_parse_clock(lunch[0], text))
                and seconds_of(_parse_clock(lunch[1], text)) < seconds_of(_parse_clock(end, text))
            ):
                text += f" lunch {lunch[0]}-{lunch[1]}"
            parts.append(text)
        return cls.parse("; ".join(parts), open_on_days_off=open_on_days_off, name=name)

    def seconds(self, weekday: int) -> tuple[tuple[int, int], ...]:
        return tuple((seconds_of(s), seconds_of(e)) for s, e in self.days[weekday])

    def describe(self) -> str:
        """``Mon–Fri 09:00–13:00, 14:30–18:30; Sat 09:00–13:00``."""
        groups: list[tuple[int, int, tuple[Interval, ...]]] = []
        for weekday, intervals in enumerate(self.days):
            if groups and groups[-1][2] == intervals and groups[-1][1] == weekday - 1:
                groups[-1] = (groups[-1][0], weekday, intervals)
            else:
                groups.append((weekday, weekday, intervals))
        parts = []
        for first, last, intervals in groups:
            if not intervals:
                continue
            names = DAY_NAMES[first].title()
            if last != first:
                names += f"–{DAY_NAMES[last].title()}"
            hours = ", ".join(f"{_fmt(s)}–{_fmt(e)}" for s, e in intervals)
            parts.append(f"{names} {hours}")
        text = "; ".join(parts)
        return text + (" (also on days off)" if self.open_on_days_off else "")


SCHEDULES: dict[str, WeeklySchedule] = {
    # The default for a state body: no act fixes one (docs/calendar.md, Office time).
    "standard": WeeklySchedule.parse("mon-fri 09:00-18:30 lunch 13:00-14:30", name="standard"),
    # The seeds' Atyrau offices.
    "atyrau-office": WeeklySchedule.parse(
        "mon-fri 09:00-18:00 lunch 13:00-14:00", name="atyrau-office"
    ),
    # A duty ЦОН (public service centre).
    "con": WeeklySchedule.parse("mon-fri 09:00-20:00; sat 09:00-13:00", name="con"),
    # Some akimats: no lunch break, Saturday until 13:00.
    "akimat-no-lunch": WeeklySchedule.parse(
        "mon-fri 09:00-19:00; sat 09:00-13:00", name="akimat-no-lunch"
    ),
    # The e-government portal (egov.kz): always open, days off included.
    "round-the-clock": WeeklySchedule.parse(
        "daily 00:00-24:00", open_on_days_off=True, name="round-the-clock"
    ),
}
