"""Views of the calendar for the CLI: a month grid and a production-calendar year as text, and
each answer of ``reglament calendar`` (a month, a year, a day, a deadline, a count) as JSON."""

from __future__ import annotations

import calendar as stdcal
import datetime as dt
import json
from typing import Any

from reglament.calendar.clock import Deadline
from reglament.calendar.days import DayInfo, WorkCalendar, weekday_name
from reglament.errors import CalendarRangeError
from reglament.limits import shown

__all__ = [
    "count_json",
    "day_json",
    "deadline_json",
    "month_json",
    "render_month",
    "render_year",
    "year_json",
]

_MONTHS = [stdcal.month_name[m] for m in range(1, 13)]


def _check_year(work: WorkCalendar, year: int) -> None:
    if not work.first_year <= year <= work.last_year:
        raise CalendarRangeError(
            f"year {shown(year)} is outside the calendar's covered range "
            f"{work.first_year}..{work.last_year}"
        )


def render_month(work: WorkCalendar, year: int, month: int) -> str:
    """A Monday-first grid (``*`` day off, ``+`` worked weekend day, ``?`` estimated), then why."""
    _check_year(work, year)
    lines = [f"{_MONTHS[month - 1]} {year}", " Mo  Tu  We  Th  Fr  Sa  Su"]
    notes: list[str] = []
    for week in stdcal.Calendar(0).monthdatescalendar(year, month):
        cells = []
        for day in week:
            if day.month != month:
                cells.append("    ")
                continue
            info = work.day_info(day)
            mark = " "
            if not info.working:
                mark = "*"
            elif day.weekday() >= 5:
                mark = "+"
            if info.estimated:
                mark = "?"
            cells.append(f"{day.day:>3}{mark}")
            if info.reasons and info.reasons != ("weekend",):
                est = " [estimated]" if info.estimated else ""
                state = "working" if info.working else "day off"
                notes.append(
                    f"{day.day:>3} {weekday_name(day)}  {state}: {'; '.join(info.reasons)}{est}"
                )
        lines.append("".join(cells).rstrip())
    total = work.working_days_per_month(year)[month - 1]
    lines.append("")
    lines.append(f"* day off   + worked weekend day   ? estimated date   working days: {total}")
    if notes:
        lines.append("")
        lines.extend(notes)
    return "\n".join(lines)


def render_year(work: WorkCalendar, year: int) -> str:
    """Working days per month and in total, five-day week (the production calendar's layout)."""
    _check_year(work, year)
    counts = work.working_days_per_month(year)
    lines = [f"Production calendar {year} (five-day week)", f"{'Month':<10} {'Working days':>12}"]
    for month, count in enumerate(counts, start=1):
        lines.append(f"{_MONTHS[month - 1]:<10} {count:>12}")
        if month % 3 == 0:
            quarter = sum(counts[month - 3 : month])
            lines.append(f"{'  Q' + str(month // 3):<10} {quarter:>12}")
    lines.append(f"{'Year':<10} {sum(counts):>12}")
    return "\n".join(lines)


def _json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def _day(info: DayInfo) -> dict[str, Any]:
    return {
        "date": info.date.isoformat(),
        "weekday": f"{info.date:%a}",
        "working": info.working,
        "reasons": list(info.reasons),
        "holiday": info.holiday or None,
        "estimated": info.estimated,
    }


def day_json(info: DayInfo) -> str:
    """``calendar is-working --format json``: the day, whether it is a working day, and why."""
    return _json(_day(info))


def month_json(work: WorkCalendar, year: int, month: int) -> str:
    """``calendar month --format json``: every day of the month, and its working days."""
    _check_year(work, year)
    first = dt.date(year, month, 1)
    last = dt.date(year, month, stdcal.monthrange(year, month)[1])
    return _json(
        {
            "month": f"{year:04d}-{month:02d}",
            "working_days": work.working_days_per_month(year)[month - 1],
            "days": [_day(info) for info in work.days(first, last)],
        }
    )


def year_json(work: WorkCalendar, year: int) -> str:
    """``calendar year --format json``: working days per month and in the year (five-day week)."""
    _check_year(work, year)
    counts = work.working_days_per_month(year)
    months = [
        {"month": f"{year:04d}-{m:02d}", "name": _MONTHS[m - 1], "working_days": count}
        for m, count in enumerate(counts, start=1)
    ]
    return _json({"year": year, "months": months, "working_days": sum(counts)})


def deadline_json(deadline: Deadline) -> str:
    """``calendar add --format json``: the start, the due instant and how it was computed."""
    return _json(deadline.to_dict())


def count_json(start: dt.date, end: dt.date, count: int) -> str:
    """``calendar count --format json``: working days from ``start`` to ``end``, both included."""
    return _json({"from": start.isoformat(), "to": end.isoformat(), "working_days": count})
