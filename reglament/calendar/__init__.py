"""The Kazakh working-day calendar: days off, transfers, office time, deadlines (docs/calendar.md).

Public names::

    WorkCalendar, DayInfo, default_calendar       which days are working days, +N working days
    WeeklySchedule, SCHEDULES                      office hours of an actor or channel
    Clock, Deadline, TermRules, Unit               office time and deadlines with explanations
    zone_for_region, REGION_ZONES                  IANA zones of Kazakhstan's regions
    render_month, render_year, *_json              what `reglament calendar` prints
"""

from __future__ import annotations

from reglament.calendar.clock import REGION_ZONES, Clock, Deadline, TermRules, Unit, zone_for_region
from reglament.calendar.days import FIRST_YEAR, LAST_YEAR, DayInfo, WorkCalendar, default_calendar
from reglament.calendar.overrides import Override, OverrideKind, OverrideSet
from reglament.calendar.schedule import SCHEDULES, WeeklySchedule
from reglament.calendar.text import (
    count_json,
    day_json,
    deadline_json,
    month_json,
    render_month,
    render_year,
    year_json,
)

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "REGION_ZONES",
    "SCHEDULES",
    "Clock",
    "DayInfo",
    "Deadline",
    "Override",
    "OverrideKind",
    "OverrideSet",
    "TermRules",
    "Unit",
    "WeeklySchedule",
    "WorkCalendar",
    "count_json",
    "day_json",
    "deadline_json",
    "default_calendar",
    "month_json",
    "render_month",
    "render_year",
    "year_json",
    "zone_for_region",
]
