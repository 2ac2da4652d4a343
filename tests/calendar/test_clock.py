"""Office time, acceptance, deadlines, time zones and explanations."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from reglament.calendar import (
    SCHEDULES,
    Clock,
    TermRules,
    WeeklySchedule,
    default_calendar,
    zone_for_region,
)
from reglament.errors import CalendarRangeError, UsageError

ALMATY = ZoneInfo("Asia/Almaty")
CLOCKS = {name: Clock(default_calendar(), schedule, ALMATY) for name, schedule in SCHEDULES.items()}
CLOSING_1830 = Clock(schedule=WeeklySchedule.parse("mon-fri 09:00-18:30"), zone=ALMATY)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=ALMATY)


def test_18_15_plus_30_minutes() -> None:
    # docs/calendar.md, Office time: 30 minutes from 18:15 with closing at 18:30 end at 9:15 next day.
    assert CLOSING_1830.add_office_minutes(at("2025-03-03 18:15"), 30).due == at("2025-03-04 09:15")


OFFICE = [
    # schedule, start, minutes, due
    ("standard", "2025-03-04 12:30", 60, "2025-03-04 15:00"),  # across lunch 13:00-14:30
    ("standard", "2025-03-04 13:10", 10, "2025-03-04 14:40"),  # submitted during lunch
    ("standard", "2025-03-04 18:00", 30, "2025-03-04 18:30"),  # exactly at closing: stays
    ("standard", "2025-03-04 18:00", 31, "2025-03-05 09:01"),
    ("standard", "2025-03-04 20:00", 15, "2025-03-05 09:15"),  # evening
    ("standard", "2025-03-07 18:00", 60, "2025-03-11 09:30"),  # Fri → Mon 10 Mar is a day off
    ("standard", "2025-03-20 17:00", 120, "2025-03-26 09:30"),  # Nauryz 21-25 Mar
    ("standard", "2025-03-04 09:00", 8 * 60, "2025-03-04 18:30"),  # a day holds 8 h
    ("standard", "2025-03-04 09:00", 8 * 60 + 30, "2025-03-05 09:30"),
    ("atyrau-office", "2025-03-04 12:30", 60, "2025-03-04 14:30"),  # lunch 13:00-14:00
    ("atyrau-office", "2025-03-04 17:45", 30, "2025-03-05 09:15"),
    ("akimat-no-lunch", "2025-03-04 12:30", 60, "2025-03-04 13:30"),  # no lunch
    ("akimat-no-lunch", "2025-03-14 18:30", 60, "2025-03-15 09:30"),  # ordinary Saturday open
    ("akimat-no-lunch", "2025-03-15 12:30", 60, "2025-03-17 09:30"),  # Sat to 13:00
    ("akimat-no-lunch", "2025-03-07 18:30", 60, "2025-03-11 09:30"),  # Sat 8 Mar holiday, Mon off
    ("con", "2025-03-01 12:00", 120, "2025-03-03 10:00"),  # Sat 9-13, Sunday closed
    ("con", "2025-01-04 12:30", 60, "2025-01-05 09:30"),  # Sat; Sun 5 Jan 2025 worked
    # A worked Saturday from a transfer runs Mon–Fri hours, not the schedule's Saturday hours:
    ("con", "2024-05-04 12:00", 120, "2024-05-04 14:00"),
    ("round-the-clock", "2025-03-21 23:00", 120, "2025-03-22 01:00"),  # days off count
]


@pytest.mark.parametrize(("schedule", "start", "minutes", "due"), OFFICE)
def test_office_time(schedule: str, start: str, minutes: int, due: str) -> None:
    assert CLOCKS[schedule].add_office_minutes(at(start), minutes).due == at(due)


# docs/calendar.md, Office time: office time runs continuously, so the sub-second part of a start
# in an opening is carried to its due; a start outside the office's hours counts from an
# opening, a whole second; a due that would land on closing with the part left over goes on at
# the next opening with it
SUB_SECOND = [
    # start, minutes, due (standard: 09:00-18:30, lunch 13:00-14:30)
    ("2025-03-04 10:00:00.250000", 30, "2025-03-04 10:30:00.250000"),
    ("2025-03-04 10:00:59.999999", 1, "2025-03-04 10:01:59.999999"),
    ("2025-03-04 12:30:00.500000", 60, "2025-03-04 15:00:00.500000"),  # across lunch
    ("2025-03-04 18:00:00.000001", 30, "2025-03-05 09:00:00.000001"),  # past closing by 1 µs
    ("2025-03-04 18:00:00", 30, "2025-03-04 18:30:00"),  # a whole second: stays at closing
    ("2025-03-04 18:29:59.750000", 1, "2025-03-05 09:00:59.750000"),
    ("2025-03-04 12:59:59.900000", 1, "2025-03-04 14:30:59.900000"),  # lunch between
    ("2025-03-04 13:10:00.500000", 10, "2025-03-04 14:40:00"),  # at lunch: from 14:30 sharp
    ("2025-03-04 20:00:00.123456", 15, "2025-03-05 09:15:00"),  # evening: from 09:00 sharp
    ("2025-03-04 18:30:00.500000", 15, "2025-03-05 09:15:00"),  # closed from 18:30 itself
    ("2025-03-04 10:00:00.250000", 0, "2025-03-04 10:00:00.250000"),  # 0: the instant itself
    ("2025-03-04 20:00:00.250000", 0, "2025-03-05 09:00:00"),  # 0: the next opening
]


@pytest.mark.parametrize(("start", "minutes", "due"), SUB_SECOND)
def test_office_time_keeps_the_sub_second_part(start: str, minutes: int, due: str) -> None:
    clock = CLOCKS["standard"]
    assert clock.add_office_minutes(at(start), minutes).due == at(due)
    assert clock.add(at(start), minutes, "minutes").due == at(due)
    # hours are minutes, and a step in minutes handed over at the instant runs from it
    if minutes % 60 == 0 and minutes:
        assert clock.add(at(start), minutes // 60, "hours").due == at(due)
    if minutes:
        assert clock.due_after_handover(at(start), minutes, "minutes") == at(due)


def test_hours_unit_and_dispatch() -> None:
    clock = CLOCKS["standard"]
    assert clock.add(at("2025-03-04 12:30"), 1, "hours").due == at("2025-03-04 15:00")
    assert clock.add(at("2025-03-04 12:30"), 60, "minutes").due == at("2025-03-04 15:00")
    with pytest.raises(UsageError, match="unknown unit 'weeks'; allowed: minutes, hours"):
        clock.add(at("2025-03-04 12:30"), 1, "weeks")


ACCEPT = [
    ("2025-03-04 10:00", "2025-03-04 10:00"),  # during hours: at once
    ("2025-03-04 13:30", "2025-03-04 14:30"),  # lunch
    ("2025-03-04 19:00", "2025-03-05 09:00"),  # after hours
    ("2025-03-08 10:00", "2025-03-11 09:00"),  # Saturday, then Mon 10 Mar day off
    ("2025-03-21 10:00", "2025-03-26 09:00"),  # Nauryz
]


@pytest.mark.parametrize(("submitted", "accepted"), ACCEPT)
def test_acceptance_at_next_opening(submitted: str, accepted: str) -> None:
    clock = CLOCKS["standard"]
    assert clock.accept(at(submitted)) == at(accepted)
    assert clock.next_opening(at(submitted)) == at(accepted)
    assert clock.is_open(at(submitted)) is (submitted == accepted)


DAYS = [
    # unit, submitted, n, due
    ("working_days", "2025-03-04 10:00", 1, "2025-03-05 18:30"),  # day of acceptance not counted
    ("working_days", "2025-03-04 19:00", 1, "2025-03-06 18:30"),  # accepted Wed, +1 → Thu
    ("working_days", "2025-03-20 10:00", 1, "2025-03-26 18:30"),
    ("working_days", "2025-03-04 10:00", 0, "2025-03-04 18:30"),
    ("calendar_days", "2025-03-04 10:00", 3, "2025-03-07 18:30"),
    ("calendar_days", "2025-03-04 10:00", 4, "2025-03-11 18:30"),  # Sat → Mon 10 off → Tue
    ("calendar_days", "2025-03-14 19:00", 6, "2025-03-26 18:30"),  # accepted Mon 17, +6 = Sun 23
]


@pytest.mark.parametrize(("unit", "submitted", "n", "due"), DAYS)
def test_terms_in_days(unit: str, submitted: str, n: int, due: str) -> None:
    assert CLOCKS["standard"].add(at(submitted), n, unit).due == at(due)


def test_rules_are_configurable() -> None:
    start = at("2025-03-04 10:00")
    counting = Clock(rules=TermRules(count_start_day=True))
    assert counting.add_working_days(start, 1).due == at("2025-03-04 18:30")
    no_roll = Clock(rules=TermRules(roll_calendar_days=False, due_at="end_of_day"))
    assert no_roll.add_calendar_days(start, 4).due == at("2025-03-09 00:00")


def test_explanation_of_working_days() -> None:
    deadline = CLOCKS["standard"].add_working_days(at("2015-12-15 10:00"), 17)
    # A count that leaves out the New Year days off and Christmas ends on Fri 2016-01-08; with
    # them the 17th working day is Thu 2016-01-14 (docs/calendar.md, Terms and deadlines).
    assert deadline.explanation == (
        "+17 working days from Tue 2015-12-15: skipped 16–17 Dec (Independence Day), "
        "1–2 Jan, 4 Jan (New Year's Day), 7 Jan (Orthodox Christmas), weekends "
        "→ Thu 2016-01-14 18:30"
    )
    assert [d.date for d in deadline.skipped][:2] == [dt.date(2015, 12, 16), dt.date(2015, 12, 17)]
    assert not deadline.estimated


def test_explanation_of_acceptance_and_office_minutes() -> None:
    deadline = CLOCKS["standard"].add_working_days(at("2025-03-22 10:00"), 3)
    assert deadline.explanation.startswith(
        "Sat 2025-03-22 10:00 is outside office hours: counted from the next opening "
        "Wed 2025-03-26 09:00; +3 working days from Wed 2025-03-26"
    )
    minutes = CLOCKS["standard"].add_office_minutes(at("2025-03-07 18:00"), 60)
    assert minutes.explanation == (
        "+60 minutes of office time (standard: Mon–Fri 09:00–13:00, 14:30–18:30) from "
        "Fri 2025-03-07 18:00: counted 30 min on Fri 2025-03-07, 30 min on Tue 2025-03-11; "
        "skipped 8 Mar, 10 Mar (International Women's Day), weekends "
        "→ Tue 2025-03-11 09:30"
    )


def test_estimated_flag_and_text() -> None:
    deadline = CLOCKS["standard"].add_working_days(at("2027-05-12 10:00"), 5)
    assert deadline.estimated
    assert deadline.explanation.endswith("[estimated: Kurban ait 2027-05-16 is an estimated date]")
    assert CLOCKS["standard"].add_office_minutes(at("2027-05-14 18:00"), 60).estimated
    assert not CLOCKS["standard"].add_office_minutes(at("2025-05-14 18:00"), 60).estimated


def test_time_zones() -> None:
    assert zone_for_region("Atyrau") == ZoneInfo("Asia/Atyrau")
    assert zone_for_region("Karaganda region") == ZoneInfo("Asia/Almaty")
    assert zone_for_region("Zhambyl") == ZoneInfo("Asia/Almaty")
    assert zone_for_region("Kyzylorda") == ZoneInfo("Asia/Qyzylorda")
    with pytest.raises(UsageError, match="unknown region 'Narnia'"):
        zone_for_region("Narnia")
    # Asia/Almaty went from UTC+6 to UTC+5 on 2024-03-01 (tzdata).
    assert at("2024-02-29 12:00").utcoffset() == dt.timedelta(hours=6)
    assert at("2024-03-01 12:00").utcoffset() == dt.timedelta(hours=5)
    # An instant given in UTC is read in the office's zone: 04:00Z is 10:00 in Almaty in 2023 ...
    utc = dt.datetime(2023, 3, 1, 4, 0, tzinfo=dt.UTC)
    assert CLOCKS["standard"].accept(utc) == at("2023-03-01 10:00")
    # ... and 09:00 after the change; an Atyrau office (always UTC+5) agrees before and after.
    utc = dt.datetime(2024, 3, 4, 4, 0, tzinfo=dt.UTC)
    assert CLOCKS["standard"].accept(utc) == at("2024-03-04 09:00")
    atyrau = Clock(schedule="atyrau-office", zone=zone_for_region("Atyrau"))
    assert atyrau.accept(dt.datetime(2023, 3, 1, 4, 0, tzinfo=dt.UTC)).hour == 9


def test_naive_datetimes_are_rejected() -> None:
    naive = dt.datetime(2025, 3, 4, 10, 0)  # noqa: DTZ001 - on purpose
    with pytest.raises(UsageError, match="naive datetime 2025-03-04T10:00:00"):
        CLOCKS["standard"].add_office_minutes(naive, 5)
    with pytest.raises(UsageError, match="naive datetime"):
        CLOCKS["standard"].add_working_days(naive, 5)


def test_range_errors() -> None:
    with pytest.raises(CalendarRangeError, match="outside the calendar's covered range"):
        CLOCKS["standard"].add_working_days(at("2031-01-05 10:00"), 1)
    with pytest.raises(CalendarRangeError):
        CLOCKS["standard"].add_office_minutes(at("2030-12-31 10:00"), 10_000)


# Counts no calendar can reach: one past it, past int64 (numpy would refuse or wrap), and 10**30.
HUGE = (12_000, 2**62, 2**63, 2**70, 10**30)


@pytest.mark.parametrize("n", HUGE)
@pytest.mark.parametrize("unit", ["minutes", "hours", "working_days", "calendar_days"])
def test_counts_past_the_calendar_are_range_errors(n: int, unit: str) -> None:
    clock = CLOCKS["standard"]
    if unit in ("minutes", "hours") and n == 12_000:
        n = 10**8  # 12,000 minutes fit in the calendar; a hundred million do not
    with pytest.raises(CalendarRangeError, match="falls after the calendar's covered range"):
        clock.add(at("2020-03-02 10:00"), n, unit)


@pytest.mark.parametrize("unit", ["minutes", "hours", "working_days", "calendar_days"])
def test_negative_counts_name_their_unit(unit: str) -> None:
    words = unit.replace("_", " ")
    with pytest.raises(UsageError, match=f"the number of {words} must be 0 or more, got -5"):
        CLOCKS["standard"].add(at("2020-03-02 10:00"), -5, unit)


def test_instants_that_cannot_reach_the_zone_are_range_errors() -> None:
    # 23:00 at UTC-12 on 9999-12-31 is in year 10000 in Almaty: datetime cannot hold it
    far = dt.datetime(9999, 12, 31, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=-12)))
    early = dt.datetime(1, 1, 1, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=12)))
    for t in (far, early):
        with pytest.raises(CalendarRangeError, match="outside the calendar's covered range"):
            CLOCKS["standard"].add_office_minutes(t, 5)
        with pytest.raises(CalendarRangeError, match="outside the calendar's covered range"):
            CLOCKS["standard"].add_working_days(t, 5)


SPECS = [
    ("mon-fri 9-18", "bad time '9'"),
    ("funday 09:00-10:00", "bad days 'funday'"),
    ("mon 10:00-09:00", "it must end after start"),
    ("mon 09:00-18:00 lunch 19:00-20:00", "must lie strictly inside"),
    ("mon 09:00-10:00; mon 11:00-12:00", "mon appears twice"),
    ("mon", "has no opening hours"),
]


@pytest.mark.parametrize(("spec", "message"), SPECS)
def test_schedule_parse_errors(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        WeeklySchedule.parse(spec)


def test_schedule_constructors_agree() -> None:
    parsed = WeeklySchedule.parse("mon-fri 09:00-18:00 lunch 13:00-14:00; sat 09:00-13:00")
    built = WeeklySchedule.from_days(
        {"mon-fri": ("09:00", "18:00"), "sat": ("09:00", "13:00")}, lunch=("13:00", "14:00")
    )
    assert parsed == built
    assert parsed.days[0] == ((dt.time(9), dt.time(13)), (dt.time(14), dt.time(18)))
    assert parsed.describe() == "Mon–Fri 09:00–13:00, 14:00–18:00; Sat 09:00–13:00"


# office time runs to the microsecond: an instant in an opening counts its sub-second part, one
# outside the office's hours counts as the opening it waits for (standard: 09–13, 14:30–18:30)
OFFICE_BETWEEN = [
    ("2025-03-04 10:00:00.900000", "2025-03-04 10:00:01.100000", 200_000),
    ("2025-03-04 10:00:00", "2025-03-04 10:00:59", 59_000_000),
    ("2025-03-04 12:59:59.500000", "2025-03-04 14:30:00.250000", 750_000),  # lunch between
    ("2025-03-04 18:29:59.750000", "2025-03-05 08:00:00.500000", 250_000),  # closed at night
    ("2025-03-04 20:00:00.500000", "2025-03-04 21:00:00.900000", 0),
    ("2025-03-04 10:00:01", "2025-03-04 10:00:00.500000", 0),  # b before a
]


@pytest.mark.parametrize(("a", "b", "micros"), OFFICE_BETWEEN)
def test_office_time_between_to_the_microsecond(a: str, b: str, micros: int) -> None:
    clock = CLOCKS["standard"]
    assert clock.office_microseconds_between(at(a), at(b)) == micros
    assert clock.office_seconds_between(at(a), at(b)) == micros // 1_000_000


ADD_MICROS = [
    ("2025-03-04 10:00:00", 59_000_000, "2025-03-04 10:00:59"),
    ("2025-03-04 10:00:00.250000", 90_500_000, "2025-03-04 10:01:30.750000"),
    ("2025-03-04 12:59:59.500000", 1_000_000, "2025-03-04 14:30:00.500000"),  # lunch between
    ("2025-03-04 18:29:59.500000", 500_000, "2025-03-04 18:30:00"),  # exactly at closing: stays
    ("2025-03-04 18:30:00", 1, "2025-03-05 09:00:00.000001"),  # from closing: the next opening
    ("2025-03-04 20:00:00.250000", 1_500_000, "2025-03-05 09:00:01.500000"),  # from 09:00 sharp
    ("2025-03-04 20:00:00.250000", 0, "2025-03-04 20:00:00.250000"),  # none: the instant itself
]


@pytest.mark.parametrize(("start", "micros", "due"), ADD_MICROS)
def test_add_office_microseconds(start: str, micros: int, due: str) -> None:
    clock = CLOCKS["standard"]
    assert clock.add_office_microseconds(at(start), micros) == at(due)
    if micros % 60_000_000 == 0 and micros:
        assert clock.add_office_minutes(at(start), micros // 60_000_000).due == at(due)


def test_add_office_microseconds_refuses_a_negative_count() -> None:
    with pytest.raises(UsageError, match="microseconds must be 0 or more"):
        CLOCKS["standard"].add_office_microseconds(at("2025-03-04 10:00"), -1)
