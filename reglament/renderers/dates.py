"""Dates, times and durations written the way each language writes them.

=========  ===============================  ==============================
language   a date and time                  a duration
=========  ===============================  ==============================
kk         2025 жылғы 24 наурыз, 18:30      15 жұмыс күні, 10 күнтізбелік күн
ru         24 марта 2025 г., 18:30          15 рабочих дней, 1 рабочий день
en         24 March 2025, 18:30             15 working days, 1 working day
=========  ===============================  ==============================

The month names are written out here rather than taken from the C library's locales, which
vary between machines (and rarely carry Kazakh): the output must be the same everywhere.
Kazakh names a month in the nominative after the year in the genitive ("2025 жылғы 24
наурыз"); Russian puts the month in the genitive ("24 марта"). Times are 24-hour, in the
instant's own zone (the case's region).
"""

from __future__ import annotations

import datetime as dt

from reglament.schemas import Language, Unit
from reglament.schemas.words import amount_text

MONTHS: dict[Language, tuple[str, ...]] = {
    Language.kk: (
        "қаңтар",
        "ақпан",
        "наурыз",
        "сәуір",
        "мамыр",
        "маусым",
        "шілде",
        "тамыз",
        "қыркүйек",
        "қазан",
        "қараша",
        "желтоқсан",
    ),
    Language.ru: (
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ),
    Language.en: (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}


def format_date(day: dt.date, language: Language | str) -> str:
    """``2025 жылғы 24 наурыз`` / ``24 марта 2025 г.`` / ``24 March 2025``."""
    lang = Language(language)
    month = MONTHS[lang][day.month - 1]
    if lang is Language.kk:
        return f"{day.year} жылғы {day.day} {month}"
    if lang is Language.ru:
        return f"{day.day} {month} {day.year} г."
    return f"{day.day} {month} {day.year}"


def format_time(t: dt.datetime | dt.time) -> str:
    """``18:30`` (24-hour, in the instant's own zone)."""
    return f"{t.hour:02d}:{t.minute:02d}"


def format_datetime(t: dt.datetime, language: Language | str) -> str:
    """``2025 жылғы 24 наурыз, 18:30`` / ``24 марта 2025 г., 18:30`` / ``24 March 2025, 18:30``."""
    return f"{format_date(t.date(), language)}, {format_time(t)}"


def format_numeric(t: dt.date | dt.datetime) -> str:
    """A date as an SMS writes it, the same in every language: 16.01.2013, or with the time,
    16.01.2013 18:00."""
    if isinstance(t, dt.datetime):
        return f"{t:%d.%m.%Y} {format_time(t)}"
    return f"{t:%d.%m.%Y}"


def longest_date(language: Language | str) -> dt.date:
    """A date whose written form is as long as any (two-digit day, longest month name): the
    sample the SMS length check measures with."""
    lang = Language(language)
    names = MONTHS[lang]
    month = max(range(12), key=lambda m: len(names[m])) + 1
    return dt.date(2025, month, 28)


# -- durations ------------------------------------------------------------------------------

_KK_UNITS = {
    Unit.minutes: "минут",
    Unit.hours: "сағат",
    Unit.working_days: "жұмыс күні",
    Unit.calendar_days: "күнтізбелік күн",
}
# one / few / many (1 день, 2 дня, 5 дней)
_RU_UNITS = {
    Unit.minutes: ("минута", "минуты", "минут"),
    Unit.hours: ("час", "часа", "часов"),
    Unit.working_days: ("рабочий день", "рабочих дня", "рабочих дней"),
    Unit.calendar_days: ("календарный день", "календарных дня", "календарных дней"),
}


def russian_form(n: int) -> int:
    """Which Russian plural form a number takes: 0 (1, 21, 101 …), 1 (2–4, 22–24 …), 2 (the
    rest, 11–14 included)."""
    if n % 10 == 1 and n % 100 != 11:
        return 0
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return 1
    return 2


def format_duration(value: int, unit: Unit | str, language: Language | str) -> str:
    """``15 жұмыс күні`` / ``15 рабочих дней`` / ``15 working days``. Kazakh nouns do not
    take the plural after a numeral."""
    lang, kind = Language(language), Unit(unit)
    if kind not in _KK_UNITS:
        raise ValueError(f"a duration in {kind.value} has no number to write")
    if lang is Language.kk:
        return f"{value} {_KK_UNITS[kind]}"
    if lang is Language.ru:
        return f"{value} {_RU_UNITS[kind][russian_form(value)]}"
    return amount_text(value, kind)
