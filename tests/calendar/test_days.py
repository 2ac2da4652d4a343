"""Date tables for the working-day calendar (docs/calendar.md, issue 3 item 6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import holidays
import numpy as np
import pytest

from reglament.calendar import DayInfo, WorkCalendar, default_calendar
from reglament.errors import CalendarRangeError, UsageError

CAL = default_calendar()
D = dt.date.fromisoformat


def info(day: str) -> DayInfo:
    return CAL.day_info(D(day))


# The Government's transfers named in the issue: (worked day, day off it pays for).
TRANSFERS = [
    ("2019-05-04", "2019-05-10"),
    ("2020-01-05", "2020-01-03"),
    ("2020-05-11", "2020-05-08"),  # a Monday: Victory Day's moved day off went to Friday 8 May
    ("2020-12-20", "2020-12-18"),
    ("2021-07-03", "2021-07-05"),
    ("2022-03-05", "2022-03-07"),
    ("2022-08-27", "2022-08-29"),
    ("2022-10-22", "2022-10-24"),
    ("2023-07-01", "2023-07-07"),
    ("2024-05-04", "2024-05-08"),
    ("2025-01-05", "2025-01-03"),
    ("2013-12-28", "2014-01-03"),  # across the year boundary
]


@pytest.mark.parametrize(("worked", "off"), TRANSFERS)
def test_government_transfers(worked: str, off: str) -> None:
    assert CAL.is_working_day(D(worked))
    assert not CAL.is_working_day(D(off))
    assert "transfer" in info(worked).reasons[0]
    assert info(off).reasons[0].startswith(f"transferred day off (from {D(worked):%a} {worked}")


# Every holiday of 2022–2026 that fell on a weekend, and the working day it moved to (chained).
WEEKEND_CHAINS = [
    (["2022-01-01", "2022-01-02"], ["2022-01-03", "2022-01-04"]),
    (["2022-05-01"], ["2022-05-02"]),
    (["2022-05-07"], ["2022-05-10"]),  # Mon 9 May is Victory Day itself
    (["2023-01-01"], ["2023-01-03"]),  # Mon 2 Jan is a holiday itself
    (["2023-05-07"], ["2023-05-08"]),
    (["2023-12-16"], ["2023-12-18"]),
    (["2024-03-23"], ["2024-03-25"]),
    (["2024-07-06"], ["2024-07-08"]),
    (["2025-03-08"], ["2025-03-10"]),
    (["2025-03-22", "2025-03-23"], ["2025-03-24", "2025-03-25"]),
    (["2025-07-06"], ["2025-07-07"]),
    (["2025-08-30"], ["2025-09-01"]),
    (["2025-10-25"], ["2025-10-27"]),
    (["2026-03-08"], ["2026-03-09"]),
    (["2026-03-21", "2026-03-22"], ["2026-03-24", "2026-03-25"]),  # Mon 23 Mar is Nauryz too
    (["2026-05-09"], ["2026-05-11"]),
    (["2026-10-25"], ["2026-10-26"]),
]


@pytest.mark.parametrize(("holidays_on_weekend", "moved_to"), WEEKEND_CHAINS)
def test_weekend_rule_chains(holidays_on_weekend: list[str], moved_to: list[str]) -> None:
    for day in holidays_on_weekend:
        assert D(day).weekday() >= 5
        assert not CAL.is_working_day(D(day))
        assert info(day).reasons[0].endswith("(holiday)")
    for day in moved_to:
        assert not CAL.is_working_day(D(day))
        assert info(day).reasons[0].endswith("(day off moved from the weekend)")
    assert CAL.add_working_days(D(moved_to[-1]), 0) != D(moved_to[-1])


# Religious days off never move: Orthodox Christmas and the first day of Kurban ait.
NOT_MOVED = [
    ("2023-01-07", "2023-01-09"),  # Christmas on a Saturday: Monday 9 Jan is a working day
    ("2024-01-07", "2024-01-08"),  # Christmas on a Sunday
    ("2024-06-16", "2024-06-17"),  # Kurban ait on Sunday 16 Jun: Monday 17 Jun is a working day
    ("2019-08-11", "2019-08-12"),  # Kurban ait on a Sunday
]


@pytest.mark.parametrize(("religious", "next_day"), NOT_MOVED)
def test_religious_days_do_not_move(religious: str, next_day: str) -> None:
    assert not CAL.is_working_day(D(religious))
    assert CAL.is_working_day(D(next_day))
    assert info(next_day).reasons == ()


LAW_CHANGES = [
    ("2021-12-01", False, "First President Day"),
    ("2022-12-01", True, ""),  # abolished in 2022
    ("2021-12-17", False, "Independence Day"),
    ("2022-12-16", False, "Independence Day"),
    ("2023-12-19", True, ""),  # 17 Dec abolished: no second day to move
    ("2021-10-25", True, ""),  # Republic Day not yet restored
    ("2022-10-25", False, "Republic Day"),  # restored in 2022
    ("2025-08-29", True, ""),
    ("2026-08-31", True, ""),  # 30 Aug is no longer a holiday from 2026: no moved day off
    ("2026-03-16", True, ""),
    ("2027-03-15", False, "Constitution Day"),  # from 2027
]


@pytest.mark.parametrize(("day", "working", "holiday"), LAW_CHANGES)
def test_law_changes(day: str, working: bool, holiday: str) -> None:
    assert CAL.is_working_day(D(day)) is working
    assert info(day).holiday == holiday


def test_estimated_kurban_ait() -> None:
    assert info("2027-05-16").estimated
    assert CAL.any_estimated(D("2027-05-10"), D("2027-05-20"))
    assert not CAL.any_estimated(D("2025-01-01"), D("2025-12-31"))
    # Fixed by the bundled override (DUMK calendar for 2026): no longer an estimate.
    assert not info("2026-05-27").estimated
    assert CAL.overridden(D("2026-05-27")) is not None


# Working days per month, five-day week.
# 2025: Ministry of Labour and Social Protection, "Производственный календарь и баланс рабочего
# времени на 2025 год" — 246 working days in the year. The monthly figures are derived from the Law
# "On holidays" and Government decree G24G0000436 (3 Jan off, Sun 5 Jan worked) and add up to 246.
PRODUCTION_2025 = [20, 20, 17, 22, 19, 20, 22, 21, 21, 22, 20, 22]
# 2024: the Ministry's "Баланс рабочего времени на 2024 год" (as reproduced at help.inbuh.kz/6801)
# lists 21, 21, 17, 22, 20, 19, 22, 21, 21, 22, 21, 21 = 248. It was published before Kurban ait's
# date was known; Kurban ait fell on Sunday 16 June, which does not move, so June has 20 working
# days and the year 249. Every other month matches the Ministry's figure.
MINISTRY_2024 = [21, 21, 17, 22, 20, 19, 22, 21, 21, 22, 21, 21]
PRODUCTION_2024 = [21, 21, 17, 22, 20, 20, 22, 21, 21, 22, 21, 21]


def test_production_calendar_2025() -> None:
    assert CAL.working_days_per_month(2025) == PRODUCTION_2025
    assert sum(PRODUCTION_2025) == 246


def test_production_calendar_2024() -> None:
    assert CAL.working_days_per_month(2024) == PRODUCTION_2024
    pairs = zip(PRODUCTION_2024, MINISTRY_2024, strict=True)
    assert [m for m, (ours, ministry) in enumerate(pairs, start=1) if ours != ministry] == [6]


ADD = [
    ("2015-12-15", 17, "2016-01-14"),
    ("2019-05-03", 1, "2019-05-04"),  # the worked Saturday counts
    ("2025-01-02", 1, "2025-01-05"),  # the worked Sunday counts
    ("2025-03-20", 1, "2025-03-26"),
    ("2025-03-21", 0, "2025-03-26"),  # n=0 on a day off: the next working day
    ("2025-03-26", 0, "2025-03-26"),  # n=0 on a working day: itself
    ("2024-06-14", 1, "2024-06-17"),
]


@pytest.mark.parametrize(("start", "n", "due"), ADD)
def test_add_working_days(start: str, n: int, due: str) -> None:
    assert CAL.add_working_days(D(start), n) == D(due)
    if n:
        assert CAL.working_days_between(D(start), D(due)) == n
    batch = CAL.add_working_days_batch(np.array([start], dtype="datetime64[D]"), n)
    assert batch[0] == np.datetime64(due)


def test_batch_matches_scalar_on_every_day() -> None:
    first, last = D("2000-01-01"), D("2030-11-30")
    ordinals = np.arange(first.toordinal(), last.toordinal() + 1)
    for n in (0, 1, 5, 17):
        got = CAL.add_working_days_batch(ordinals, n)
        want = [CAL.add_working_days(dt.date.fromordinal(int(o)), n).toordinal() for o in ordinals]
        assert got.tolist() == want
    steps = np.arange(len(ordinals)) % 7
    got = CAL.add_working_days_batch(ordinals.astype("datetime64[D]") - 719163, steps)
    assert got.dtype == np.dtype("datetime64[D]")


def test_next_working_day_and_between() -> None:
    assert CAL.next_working_day(D("2025-03-20")) == D("2025-03-26")
    assert CAL.working_days_between(D("2025-01-09"), D("2025-01-08")) == -1
    assert CAL.working_days_between(D("2024-12-31"), D("2025-01-03")) == 0  # 1-3 Jan off
    assert CAL.working_days_in(D("2025-01-01"), D("2025-12-31")) == 246


@pytest.mark.parametrize("day", ["1999-12-31", "2031-01-01"])
def test_range_errors_name_the_date_and_range(day: str) -> None:
    with pytest.raises(CalendarRangeError, match=rf"{day} is outside .*2000-01-01\.\.2030-12-31"):
        CAL.is_working_day(D(day))
    with pytest.raises(CalendarRangeError):
        CAL.add_working_days(D(day), 3)
    with pytest.raises(CalendarRangeError):
        CAL.add_working_days_batch(np.array([day], dtype="datetime64[D]"), 1)


def test_results_past_the_range_raise() -> None:
    with pytest.raises(CalendarRangeError, match="after the calendar's covered range"):
        CAL.add_working_days(D("2030-12-20"), 30)
    with pytest.raises(UsageError):
        CAL.add_working_days(D("2030-12-20"), -1)


def test_agrees_with_holidays_on_every_day_except_overrides() -> None:
    kz: Any = holidays.country_holidays("KZ", years=range(2000, 2031))
    day = D("2000-01-01")
    disagreements = []
    while day.year <= 2030:
        theirs = bool(kz.is_working_day(day))
        if CAL.is_working_day(day) != theirs or CAL.overridden(day):
            disagreements.append(day)
        day += dt.timedelta(days=1)
    # Kurban ait 2026 is a day off in both; the override only fixes it (no longer estimated).
    assert disagreements == [D("2026-05-27")]
    for d in disagreements:
        entry = CAL.overridden(d)
        assert entry is not None and entry.source


def test_kazakhstan_constructor_caches_default() -> None:
    assert WorkCalendar.kazakhstan() is default_calendar()
    assert CAL.first_year == 2000 and CAL.last_year == 2030


def test_instants_are_written_one_way() -> None:
    from zoneinfo import ZoneInfo

    from reglament.calendar.days import fmt_instant, weekday_name

    t = dt.datetime(2012, 12, 28, 17, 50, tzinfo=ZoneInfo("Asia/Atyrau"))
    assert fmt_instant(t) == "Fri 2012-12-28 17:50"
    assert fmt_instant(t, time_first=True) == "17:50 on Fri 2012-12-28"
    midnight = dt.datetime(2012, 12, 29, tzinfo=ZoneInfo("Asia/Atyrau"))
    assert fmt_instant(midnight, end=True) == "Fri 2012-12-28 24:00"
    assert fmt_instant(midnight) == "Sat 2012-12-29 00:00"
    assert fmt_instant(None) == "—"
    assert [weekday_name(dt.date(2024, 12, 23) + dt.timedelta(days=i)) for i in range(7)] == [
        "Mon",
        "Tue",
        "Wed",
        "Thu",
        "Fri",
        "Sat",
        "Sun",
    ]
