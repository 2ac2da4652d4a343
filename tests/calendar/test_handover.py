"""The hand-over rule (docs/calendar.md, "A step handed over"): a step handed over on day D
counts its days from the day after D, whatever the hour; the old reading ("next_opening") is
kept as a ``TermRules`` option; minutes and hours are office time either way."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from reglament.calendar import Clock, TermRules, WeeklySchedule
from reglament.errors import ReglamentError, UsageError

ALMATY = ZoneInfo("Asia/Almaty")
STANDARD = Clock(schedule="standard", zone=ALMATY)  # Mon–Fri 09:00–18:30, lunch 13:00–14:30
NEXT_OPENING = Clock(schedule="standard", zone=ALMATY, rules=TermRules(handover="next_opening"))
END_OF_DAY = Clock(schedule="standard", zone=ALMATY, rules=TermRules(due_at="end_of_day"))
COUNT_START = Clock(schedule="standard", zone=ALMATY, rules=TermRules(count_start_day=True))
SATURDAYS = Clock(schedule="con", zone=ALMATY)  # Mon–Fri 09:00–20:00, Sat 09:00–13:00


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=ALMATY)


TABLE = [
    # clock, hand-over, value, unit, due (legal reading), due (next_opening reading)
    # at closing time on Fri 18 Dec 2015: day 1 is Mon 21 Dec, not Tue 22 Dec
    ("2015-12-18 18:30", 17, "working_days", "2016-01-15 18:30", "2016-01-18 18:30"),
    ("2015-12-18 18:30", 1, "working_days", "2015-12-21 18:30", "2015-12-22 18:30"),
    # during office hours the two readings agree: the day of the hand-over is not counted
    ("2015-12-18 11:00", 1, "working_days", "2015-12-21 18:30", "2015-12-21 18:30"),
    ("2015-12-18 13:30", 1, "working_days", "2015-12-21 18:30", "2015-12-21 18:30"),  # lunch
    # after closing, or at night: still that day's hand-over
    ("2015-12-18 20:00", 1, "working_days", "2015-12-21 18:30", "2015-12-22 18:30"),
    ("2015-12-18 23:59", 1, "working_days", "2015-12-21 18:30", "2015-12-22 18:30"),
    # on a weekend or a day off: the day after it is day 1 (working days: the next working day)
    ("2015-12-19 10:00", 1, "working_days", "2015-12-21 18:30", "2015-12-22 18:30"),
    ("2015-12-16 10:00", 1, "working_days", "2015-12-18 18:30", "2015-12-21 18:30"),  # holiday
    # before opening the day has not begun: both readings count from the day after it
    ("2015-12-21 08:00", 1, "working_days", "2015-12-22 18:30", "2015-12-22 18:30"),
    # calendar days: D + N, moved to the next working day when that is a day off
    ("2015-12-18 18:30", 3, "calendar_days", "2015-12-21 18:30", "2015-12-24 18:30"),
    ("2015-12-18 18:30", 2, "calendar_days", "2015-12-21 18:30", "2015-12-23 18:30"),
    ("2015-12-15 18:30", 1, "calendar_days", "2015-12-18 18:30", "2015-12-21 18:30"),  # 16-17 off
    # minutes and hours: office time after the hand-over in both readings
    ("2015-12-18 18:30", 30, "minutes", "2015-12-21 09:30", "2015-12-21 09:30"),
    ("2015-12-18 18:15", 15, "minutes", "2015-12-18 18:30", "2015-12-18 18:30"),
    ("2015-12-18 18:00", 2, "hours", "2015-12-21 10:30", "2015-12-21 10:30"),
]


@pytest.mark.parametrize(("start", "value", "unit", "legal", "old"), TABLE)
def test_day_1_is_the_day_after_the_hand_over(
    start: str, value: int, unit: str, legal: str, old: str
) -> None:
    assert STANDARD.add_after_handover(at(start), value, unit).due == at(legal)
    assert NEXT_OPENING.add_after_handover(at(start), value, unit).due == at(old)
    # the old reading is what acceptance does: the next opening, then the day after it
    assert NEXT_OPENING.add_after_handover(at(start), value, unit) == NEXT_OPENING.add(
        at(start), value, unit
    )


def test_the_legal_reading_is_the_default() -> None:
    assert TermRules().handover == "day_after"
    assert Clock().rules.handover == "day_after"
    with pytest.raises(UsageError, match="must be 0 or more"):
        STANDARD.add_after_handover(at("2015-12-18 18:30"), -1, "working_days")
    with pytest.raises(
        UsageError,
        match=r"^TermRules handover='next-opening' is not one of: 'day_after', 'next_opening'$",
    ):
        TermRules(handover="next-opening")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match=r"^TermRules due_at='midnight' is not one of"):
        TermRules(due_at="midnight")  # type: ignore[arg-type]


def test_an_acceptance_counts_as_it_always_did() -> None:
    """The first step starts at acceptance, always in office hours: both readings agree with
    the term's own count (``Clock.add``) from every instant the office is open."""
    for clock in (STANDARD, SATURDAYS, END_OF_DAY):
        for minute in range(0, 7 * 24 * 60, 17):
            t = clock.accept(at("2015-12-14 00:00") + dt.timedelta(minutes=minute))
            for unit in ("working_days", "calendar_days"):
                assert clock.add_after_handover(t, 3, unit) == clock.add(t, 3, unit)


def test_midnight_under_end_of_day_is_the_end_of_the_day_before() -> None:
    # a step due at 24:00 on Fri 11 Dec (under due_at="end_of_day") hands over on Friday
    handed = END_OF_DAY.add_working_days(at("2015-12-10 10:00"), 1).due
    assert handed == at("2015-12-12 00:00")
    assert END_OF_DAY.handover_day(handed) == dt.date(2015, 12, 11)
    assert END_OF_DAY.add_after_handover(handed, 1, "working_days").due == at("2015-12-15 00:00")
    # an office open at midnight: 00:00 is open time of the new day, as acceptance is
    always = Clock(schedule=WeeklySchedule.parse("daily 00:00-24:00", open_on_days_off=True))
    assert always.handover_day(at("2015-12-19 00:00")) == dt.date(2015, 12, 19)


def test_count_start_day_counts_the_first_open_day_in_both_readings() -> None:
    # handed over during hours: its own day is day 1; at closing: the next working day is
    assert COUNT_START.add_after_handover(at("2015-12-18 11:00"), 1, "working_days").due == (
        at("2015-12-18 18:30")
    )
    assert COUNT_START.add_after_handover(at("2015-12-18 18:30"), 1, "working_days").due == (
        at("2015-12-21 18:30")
    )


def test_explanations_say_where_the_count_starts() -> None:
    closing = STANDARD.add_after_handover(at("2015-12-18 18:30"), 17, "working_days")
    assert closing.explanation == (
        "+17 working days from Fri 2015-12-18 (handed over at 18:30; day 1 is the next working "
        "day): skipped 1–2 Jan, 4 Jan (New Year's Day), 7 Jan (Orthodox Christmas), weekends → "
        "Fri 2016-01-15 18:30"
    )
    # in office hours nothing is said: the count is the one from acceptance
    assert STANDARD.add_after_handover(at("2015-12-15 10:30"), 1, "working_days").explanation == (
        STANDARD.add(at("2015-12-15 10:30"), 1, "working_days").explanation
    )
    midnight = END_OF_DAY.add_after_handover(at("2015-12-19 00:00"), 1, "calendar_days")
    assert midnight.explanation.startswith(
        "+1 calendar day from Fri 2015-12-18 (handed over at 24:00; day 1 is the next day)"
    )
    assert [d.date for d in closing.skipped][:2] == [dt.date(2015, 12, 19), dt.date(2015, 12, 20)]


@pytest.mark.parametrize("clock", [STANDARD, NEXT_OPENING, END_OF_DAY, COUNT_START, SATURDAYS])
@pytest.mark.parametrize("unit", ["minutes", "hours", "working_days", "calendar_days"])
def test_the_batch_form_equals_the_one_case_form(clock: Clock, unit: str) -> None:
    from tests.calendar.test_clock_batch import random_instants

    instants = [t for t in random_instants(5, 400, clock.zone) if t.year < 2030]
    instants += [at("2015-12-19 00:00"), at("2015-12-18 18:30"), at("2015-12-16 10:00")]
    values = np.array(
        [(i % 7) * (1 if unit.endswith("days") else 45) for i in range(len(instants))]
    )
    got = clock.instants(clock.add_after_handover_batch(clock.positions(instants), values, unit))
    want = [
        clock.add_after_handover(t, int(v), unit).due for t, v in zip(instants, values, strict=True)
    ]
    assert got == want
    days = clock.handover_days_batch(clock.positions(instants))
    assert days.tolist() == [clock.handover_day(t).toordinal() for t in instants]


@pytest.mark.parametrize("clock", [STANDARD, NEXT_OPENING, END_OF_DAY, COUNT_START, SATURDAYS])
@pytest.mark.parametrize("unit", ["minutes", "hours", "working_days", "calendar_days"])
def test_the_due_alone_is_the_deadlines_due(clock: Clock, unit: str) -> None:
    """``due_after_handover`` (a step's due on entry, without the ``Deadline``) gives what
    ``add_after_handover(...).due`` gives: the same instant, its zone, and a hand-over after
    closing (or a second past midnight) kept as it was given."""
    from tests.calendar.test_clock_batch import random_instants

    instants = [t for t in random_instants(6, 300, clock.zone) if t.year < 2030]
    instants += [at("2015-12-19 00:00"), at("2015-12-18 18:30"), at("2015-12-16 10:00")]
    instants += [at("2015-12-19 00:00:00.5"), at("2015-12-18 18:30:00.25"), at("2015-12-18 20:00")]
    instants += [t.astimezone(dt.UTC) for t in instants[:40]]
    for i, t in enumerate(instants):
        value = (i % 7) * (1 if unit.endswith("days") else 45)
        want = clock.add_after_handover(t, value, unit).due
        got = clock.due_after_handover(t, value, unit)
        assert (got, got.tzinfo, got.fold) == (want, want.tzinfo, want.fold), (t, value)


@pytest.mark.parametrize(
    ("start", "value", "unit"),
    [
        ("2015-12-18 10:00", -1, "working_days"),
        ("2015-12-18 10:00", -1, "minutes"),
        ("2030-12-31 17:00", 5, "working_days"),
        ("2030-12-31 17:00", 600, "minutes"),
        ("2030-12-31 17:00", 90, "hours"),
        ("2000-01-01 00:00", 3, "calendar_days"),
    ],
)
def test_the_due_alone_refuses_as_the_deadline_does(start: str, value: int, unit: str) -> None:
    with pytest.raises(ReglamentError) as want:
        STANDARD.add_after_handover(at(start), value, unit)
    with pytest.raises(ReglamentError) as got:
        STANDARD.due_after_handover(at(start), value, unit)
    assert (type(got.value), str(got.value)) == (type(want.value), str(want.value))
