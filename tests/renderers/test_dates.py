"""Dates, times and durations as each language writes them: tables."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from reglament.renderers.dates import (
    MONTHS,
    format_date,
    format_datetime,
    format_duration,
    longest_date,
    russian_form,
)
from reglament.schemas import Language, Unit

KK = "қаңтар ақпан наурыз сәуір мамыр маусым шілде тамыз қыркүйек қазан қараша желтоқсан"
RU = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря"
EN = "January February March April May June July August September October November December"


@pytest.mark.parametrize(
    ("language", "names"), [(Language.kk, KK), (Language.ru, RU), (Language.en, EN)]
)
def test_month_tables(language: Language, names: str) -> None:
    assert MONTHS[language] == tuple(names.split())


@pytest.mark.parametrize("month", range(1, 13))
def test_every_month_in_every_language(month: int) -> None:
    day = dt.date(2025, month, 4)
    assert format_date(day, "kk") == f"2025 жылғы 4 {KK.split()[month - 1]}"
    assert format_date(day, "ru") == f"4 {RU.split()[month - 1]} 2025 г."
    assert format_date(day, "en") == f"4 {EN.split()[month - 1]} 2025"


ALMATY = ZoneInfo("Asia/Almaty")
AT = dt.datetime(2025, 3, 24, 18, 30, tzinfo=ALMATY)


@pytest.mark.parametrize(
    ("language", "written"),
    [
        ("kk", "2025 жылғы 24 наурыз, 18:30"),
        ("ru", "24 марта 2025 г., 18:30"),
        ("en", "24 March 2025, 18:30"),
    ],
)
def test_the_issue_examples(language: str, written: str) -> None:
    assert format_datetime(AT, language) == written


@pytest.mark.parametrize(
    ("at", "language", "written"),
    [
        (dt.datetime(2016, 1, 1, 9, 5, tzinfo=ALMATY), "kk", "2016 жылғы 1 қаңтар, 09:05"),
        (dt.datetime(2016, 1, 1, 9, 5, tzinfo=ALMATY), "ru", "1 января 2016 г., 09:05"),
        (dt.datetime(2016, 1, 1, 9, 5, tzinfo=ALMATY), "en", "1 January 2016, 09:05"),
        (dt.datetime(2012, 12, 31, 0, 0, tzinfo=ALMATY), "kk", "2012 жылғы 31 желтоқсан, 00:00"),
        (dt.datetime(2012, 12, 31, 23, 59, tzinfo=ALMATY), "ru", "31 декабря 2012 г., 23:59"),
        (dt.datetime(2020, 2, 29, 12, 0, tzinfo=ALMATY), "en", "29 February 2020, 12:00"),
    ],
)
def test_leading_zeros_only_in_times(at: dt.datetime, language: str, written: str) -> None:
    assert format_datetime(at, language) == written


@pytest.mark.parametrize(
    ("n", "form"),
    [
        *[(1, 0), (2, 1), (4, 1), (5, 2), (11, 2), (12, 2), (14, 2), (21, 0), (22, 1)],
        *[(25, 2), (101, 0), (111, 2), (112, 2), (122, 1), (0, 2)],
    ],
)
def test_russian_plural_forms(n: int, form: int) -> None:
    assert russian_form(n) == form


@pytest.mark.parametrize(
    ("value", "unit", "kk", "ru", "en"),
    [
        (1, Unit.working_days, "1 жұмыс күні", "1 рабочий день", "1 working day"),
        (2, Unit.working_days, "2 жұмыс күні", "2 рабочих дня", "2 working days"),
        (15, Unit.working_days, "15 жұмыс күні", "15 рабочих дней", "15 working days"),
        (21, Unit.calendar_days, "21 күнтізбелік күн", "21 календарный день", "21 calendar days"),
        (3, Unit.calendar_days, "3 күнтізбелік күн", "3 календарных дня", "3 calendar days"),
        (30, Unit.minutes, "30 минут", "30 минут", "30 minutes"),
        (1, Unit.minutes, "1 минут", "1 минута", "1 minute"),
        (2, Unit.hours, "2 сағат", "2 часа", "2 hours"),
        (11, Unit.hours, "11 сағат", "11 часов", "11 hours"),
    ],
)
def test_durations(value: int, unit: Unit, kk: str, ru: str, en: str) -> None:
    assert [format_duration(value, unit, lang) for lang in ("kk", "ru", "en")] == [kk, ru, en]


def test_an_untimed_duration_has_no_words() -> None:
    with pytest.raises(ValueError, match="untimed has no number"):
        format_duration(1, Unit.untimed, "en")


@pytest.mark.parametrize("language", list(Language))
def test_the_longest_date_is_as_long_as_any(language: Language) -> None:
    longest = len(format_date(longest_date(language), language))
    for month in range(1, 13):
        assert len(format_date(dt.date(2025, month, 28), language)) <= longest
