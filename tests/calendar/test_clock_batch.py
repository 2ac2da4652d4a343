"""The batch office-time and day arithmetic equals the scalar one, instant by instant."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from reglament.calendar import SCHEDULES, Clock, TermRules, WeeklySchedule, default_calendar
from reglament.errors import CalendarRangeError, UsageError

ALMATY = ZoneInfo("Asia/Almaty")
CLOCKS = [
    *(Clock(default_calendar(), schedule, ALMATY) for schedule in SCHEDULES.values()),
    Clock(schedule=WeeklySchedule.parse("daily 00:00-24:00", open_on_days_off=True)),
    Clock(schedule="standard", zone="Asia/Atyrau", rules=TermRules(count_start_day=True)),
    Clock(schedule="standard", rules=TermRules(roll_calendar_days=False, due_at="end_of_day")),
]
UNITS = ("minutes", "hours", "working_days", "calendar_days")


def random_instants(seed: int, count: int, zone: dt.tzinfo) -> list[dt.datetime]:
    rng = random.Random(seed)
    first = dt.datetime(2000, 1, 3, tzinfo=zone)
    span = (dt.datetime(2030, 6, 1, tzinfo=zone) - first).total_seconds()
    # Half anywhere, half on round minutes near opening and closing times.
    found = [first + dt.timedelta(seconds=rng.randrange(int(span))) for _ in range(count // 2)]
    for _ in range(count - len(found)):
        day = first + dt.timedelta(days=rng.randrange(int(span // 86400)))
        hour = rng.choice((0, 8, 9, 12, 13, 14, 17, 18, 19, 23))
        found.append(day.replace(hour=hour, minute=rng.choice((0, 15, 29, 30, 45, 59))))
    return found


@pytest.mark.parametrize("index", range(len(CLOCKS)))
@pytest.mark.parametrize("unit", UNITS)
def test_add_batch_equals_scalar(index: int, unit: str) -> None:
    clock = CLOCKS[index]
    instants = random_instants(index * 7 + UNITS.index(unit), 400, clock.zone)
    values = [random.Random(i).choice((0, 1, 2, 5, 17, 30, 61, 200)) for i in range(400)]
    if unit in ("working_days", "calendar_days"):
        values = [v % 40 for v in values]
    positions = clock.positions(instants)
    got = clock.instants(clock.add_batch(positions, np.array(values), unit))
    want = [clock.add(t, v, unit).due for t, v in zip(instants, values, strict=True)]
    assert got == want


def sub_second_instants(seed: int, count: int, zone: dt.tzinfo) -> list[dt.datetime]:
    """:func:`random_instants` with sub-second parts, a third of them a part of a second
    before or after a round minute (a closing, an opening, lunch)."""
    rng = random.Random(seed)
    found = []
    for t in random_instants(seed, count, zone):
        part = rng.choice((rng.randrange(1, 1_000_000), 1, 999_999, 0))
        if rng.random() < 1 / 3 and t.second == 0:
            t -= dt.timedelta(seconds=1)  # 12:59:59.xxx, 18:29:59.xxx
        found.append(t.replace(microsecond=part))
    return found


@pytest.mark.parametrize("index", range(len(CLOCKS)))
def test_office_minutes_batch_carries_the_sub_second_part_as_the_scalar_does(index: int) -> None:
    clock = CLOCKS[index]
    instants = [t for t in sub_second_instants(50 + index, 400, clock.zone) if t.year < 2030]
    minutes = np.array(
        [random.Random(i).choice((0, 1, 2, 15, 30, 61, 600)) for i in range(len(instants))]
    )
    positions, micros = clock.positions(instants), clock.microseconds(instants)
    assert clock.instants(positions, micros) == instants
    due, carried = clock.add_office_minutes_batch(positions, minutes, micros)
    want = [clock.add_office_minutes(t, int(m)).due for t, m in zip(instants, minutes, strict=True)]
    assert clock.instants(due, carried) == want
    # without micros: the whole seconds, as before
    assert (
        clock.add_office_minutes_batch(positions, minutes)
        == clock.positions(
            [
                clock.add_office_minutes(t.replace(microsecond=0), int(m)).due
                for t, m in zip(instants, minutes, strict=True)
            ]
        )
    ).all()


def test_office_minutes_batch_refuses_bad_micros() -> None:
    clock = CLOCKS[0]
    positions = clock.positions(random_instants(3, 4, clock.zone))
    with pytest.raises(UsageError, match="shape"):
        clock.add_office_minutes_batch(positions, 30, np.zeros(3, dtype=np.int64))
    with pytest.raises(UsageError, match="0 to 999999"):
        clock.add_office_minutes_batch(positions, 30, np.full(4, 1_000_000, dtype=np.int64))


@pytest.mark.parametrize("index", range(len(CLOCKS)))
def test_accept_closing_office_seconds(index: int) -> None:
    clock = CLOCKS[index]
    instants = random_instants(100 + index, 300, clock.zone)
    positions = clock.positions(instants)
    assert clock.instants(clock.accept_batch(positions)) == [clock.accept(t) for t in instants]
    days = clock.ordinals(positions)
    assert days.tolist() == [t.date().toordinal() for t in instants]
    assert clock.instants(clock.closing_batch(days)) == [clock.closing(t.date()) for t in instants]
    seconds = clock.office_seconds_batch(positions)
    assert (seconds[1:] - seconds[0]).tolist() == [
        clock.office_seconds_between(instants[0], t)
        if t >= instants[0]
        else -clock.office_seconds_between(t, instants[0])
        for t in instants[1:]
    ]
    # The inverse on open time: an open position maps back to itself.
    opened = clock.accept_batch(positions)
    assert (clock.from_office_seconds_batch(clock.office_seconds_batch(opened)) == opened).all()


def _grouped(clock: Clock, start: int, step: int, count: int) -> tuple[list[int], list[int]]:
    """What ``accept_grid`` should give, from ``accept_batch`` of the whole grid."""
    accepted = clock.accept_batch(start + step * np.arange(count, dtype=np.int64))
    values, firsts = np.unique(accepted, return_index=True)
    return values.tolist(), firsts.tolist()


@pytest.mark.parametrize("index", range(len(CLOCKS)))
@pytest.mark.parametrize(
    ("offset", "step", "count"),
    [
        (0, 60, 60 * 24 * 40),  # midnight, every minute, 40 days
        (9 * 3600 + 17, 60, 5_000),  # inside office hours, off the minute
        (13 * 3600 + 30 * 60, 420, 900),  # lunch, a step longer than some gaps
        (3 * 86_400 + 18 * 3600, 7 * 3600 + 13, 300),  # a step longer than an office day
        (5 * 86_400, 60, 1),  # one point, on a day off
    ],
)
def test_accept_grid_is_accept_batch_grouped(
    index: int, offset: int, step: int, count: int
) -> None:
    """The grid's distinct acceptance instants and the first point of each, from the office
    intervals: exactly ``np.unique`` of ``accept_batch`` over every point."""
    clock = CLOCKS[index]
    for day in (
        dt.datetime(2012, 12, 10, tzinfo=clock.zone),
        dt.datetime(2026, 3, 20, tzinfo=clock.zone),
    ):
        start = clock.position(day) + offset
        values, firsts = clock.accept_grid(start, step, count)
        assert (values.tolist(), firsts.tolist()) == _grouped(clock, start, step, count)


def test_accept_grid_errors_are_accept_batch_errors() -> None:
    clock = CLOCKS[0]
    end = clock.position(dt.datetime(2030, 12, 31, 12, tzinfo=ALMATY))
    for start, count in ((end, 60 * 11), (end, 60 * 24), (-120, 10)):
        grid = start + 60 * np.arange(count, dtype=np.int64)
        with pytest.raises(CalendarRangeError) as batch:
            clock.accept_batch(grid)
        with pytest.raises(CalendarRangeError) as grouped:
            clock.accept_grid(start, 60, count)
        assert str(grouped.value) == str(batch.value)
    with pytest.raises(UsageError, match="a grid needs points"):
        clock.accept_grid(0, 60, 0)


def test_positions_round_trip() -> None:
    clock = CLOCKS[0]
    instants = random_instants(7, 100, ALMATY)
    assert clock.instants(clock.positions(instants)) == instants
    assert clock.instant(clock.position(instants[0])) == instants[0]


def test_batch_errors() -> None:
    clock = CLOCKS[0]
    late = clock.positions([dt.datetime(2030, 12, 31, 17, 0, tzinfo=ALMATY)])
    with pytest.raises(CalendarRangeError):
        clock.add_batch(late, 5, "working_days")
    with pytest.raises(CalendarRangeError):
        clock.add_batch(late, 30, "calendar_days")
    with pytest.raises(CalendarRangeError):
        clock.add_batch(late, 10_000, "minutes")
    with pytest.raises(CalendarRangeError):
        clock.add_batch(np.array([-5], dtype=np.int64), 1, "minutes")
    with pytest.raises(UsageError, match="0 or more"):
        clock.add_batch(late, -1, "minutes")
    with pytest.raises(UsageError, match="unknown"):
        clock.add_batch(late, 1, "weeks")


@pytest.mark.parametrize("unit", UNITS)
@pytest.mark.parametrize("n", [2**62, 2**63, 10**30, np.array([5, 2**62], dtype=np.int64)])
def test_batch_counts_past_the_calendar_are_range_errors(unit: str, n: object) -> None:
    """Never an OverflowError, never a wrapped int64 giving a date: a range error."""
    clock = CLOCKS[0]
    positions = clock.positions([dt.datetime(2020, 3, 2, 10, tzinfo=ALMATY)] * 2)
    with pytest.raises(CalendarRangeError, match="falls after the calendar's covered range"):
        clock.add_batch(positions, n, unit)  # type: ignore[arg-type]


def test_batch_counts_up_to_the_calendar_are_computed() -> None:
    clock = CLOCKS[0]
    start = dt.datetime(2000, 1, 3, 9, tzinfo=ALMATY)
    positions = clock.positions([start])
    count = clock.calendar.working_day_count - 2  # the last working day of 2030
    (due,) = clock.instants(clock.add_batch(positions, count, "working_days"))
    assert due == clock.add(start, count, "working_days").due
    assert due.year == 2030
    with pytest.raises(CalendarRangeError, match=r"\+ 3 working days falls after"):
        clock.add_batch(clock.positions([due]), 3, "working_days")
