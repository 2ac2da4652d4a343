"""The Kazakh working-day calendar: days off, transfers, office time, deadlines (DESIGN §3).

Public names::

    WorkCalendar, DayInfo, default_calendar       which days are working days, +N working days
    WeeklySchedule, SCHEDULES                      office hours of an actor or channel
    Clock, Deadline, TermRules, Unit               office time and deadlines with explanations
    zone_for_region, REGION_ZONES                  IANA zones of Kazakhstan's regions
"""

from __future__ import annotations

from reglament.calendar.days import FIRST_YEAR, LAST_YEAR, DayInfo, WorkCalendar, default_calendar
from reglament.calendar.overrides import Override, OverrideKind, OverrideSet

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "DayInfo",
    "Override",
    "OverrideKind",
    "OverrideSet",
    "WorkCalendar",
    "default_calendar",
]
