"""The Kazakh working-day calendar: days off, transfers, office time, deadlines (docs/calendar.md).

Public names::

    WorkCalendar, DayInfo, default_calendar       which days are working days, +N working days
    WeeklySchedule, SCHEDULES                      office hours of an actor or channel
    Clock, Deadline, TermRules, Unit               office time and deadlines with explanations
    zone_for_region, REGION_ZONES                  IANA zones of Kazakhstan's regions
"""

from __future__ import annotations

from reglament.calendar.clock import REGION_ZONES, Clock, Deadline, TermRules, Unit, zone_for_region
from reglament.calendar.days import FIRST_YEAR, LAST_YEAR, DayInfo, WorkCalendar, default_calendar
from reglament.calendar.overrides import Override, OverrideKind, OverrideSet
from reglament.calendar.schedule import SCHEDULES, WeeklySchedule
from reglament.calendar.text import render_month, render_year

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
    "default_calendar",
    "render_month",
    "render_year",
    "zone_for_region",
]
