"""Plain-text views of the calendar for the CLI: a month grid and a production-calendar year."""

from __future__ import annotations

import calendar as stdcal

from reglament.calendar.days import WorkCalendar, weekday_name
from reglament.errors import CalendarRangeError
from reglament.limits import shown

__all__ = ["render_month", "render_year"]

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
