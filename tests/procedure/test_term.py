"""The term's due instant: the vectorised form equals the one-case form, stretch by stretch and
case by case, on every clock (``TermRules`` variants included)."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pytest

from reglament.calendar import SCHEDULES, Clock, TermRules, WeeklySchedule, default_calendar
from reglament.procedure import term
from reglament.schemas import Term, Unit
from tests.calendar.test_clock_batch import random_instants

ALMATY = ZoneInfo("Asia/Almaty")
CLOCKS = [
    *(Clock(default_calendar(), schedule, ALMATY) for schedule in SCHEDULES.values()),
    Clock(schedule=WeeklySchedule.parse("daily 00:00-24:00", open_on_days_off=True)),
    Clock(schedule="standard", zone="Asia/Atyrau", rules=TermRules(count_start_day=True)),
    Clock(schedule="standard", rules=TermRules(roll_calendar_days=False, due_at="end_of_day")),
    Clock(schedule="standard", rules=TermRules(roll_calendar_days=False)),
]
UNITS = (Unit.minutes, Unit.hours, Unit.working_days, Unit.calendar_days)
CASES = 300
Stretches = list[tuple[npt.NDArray[np.intp], npt.NDArray[np.int64], npt.NDArray[np.int64]]]


def _cases(
    clock: Clock, unit: Unit, seed: int
) -> list[tuple[dt.datetime, list[tuple[dt.datetime, dt.datetime]]]]:
    """Random acceptance instants, each with 0 to 3 stretches (some empty, some backwards)."""
    rng = random.Random(seed)
    accepted = [clock.accept(t) for t in random_instants(seed, CASES, clock.zone)]
    accepted = [t for t in accepted if t.year < 2030]
    found = []
    for start in accepted:
        stretches = []
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            a = start + dt.timedelta(minutes=rng.randrange(60 * 24 * 40))
            b = a + dt.timedelta(minutes=rng.choice((0, -30, 45, 600, 60 * 24 * 3, 60 * 24 * 9)))
            stretches.append((a, b))
        found.append((start, stretches))
    return found


@pytest.mark.parametrize("index", range(len(CLOCKS)))
@pytest.mark.parametrize("unit", UNITS)
def test_due_batch_equals_due(index: int, unit: Unit) -> None:
    clock = CLOCKS[index]
    cases = _cases(clock, unit, index * 11 + UNITS.index(unit))
    value = 3 if unit in (Unit.working_days, Unit.calendar_days) else 90
    want = [
        term.due(clock, unit, term.base_due(clock, accepted, value, unit), stretches)
        for accepted, stretches in cases
    ]
    positions = clock.positions(accepted for accepted, _ in cases)
    base = term.base_due_batch(clock, positions, value, unit)
    assert clock.instants(base) == [term.base_due(clock, t, value, unit) for t, _ in cases]
    # one stretch array per (case, k-th stretch): members are the cases that have a k-th one
    batch: Stretches = []
    for k in range(3):
        members = np.array([i for i, (_, s) in enumerate(cases) if len(s) > k], dtype=np.intp)
        if not len(members):
            continue
        starts = clock.positions(cases[i][1][k][0] for i in members)
        ends = clock.positions(cases[i][1][k][1] for i in members)
        batch.append((members, starts, ends))
    got = clock.instants(term.due_batch(clock, unit, base, batch))
    assert got == want


@pytest.mark.parametrize("index", range(len(CLOCKS)))
@pytest.mark.parametrize("unit", UNITS)
def test_shift_batch_equals_shift(index: int, unit: Unit) -> None:
    clock = CLOCKS[index]
    pairs = [s for _, stretches in _cases(clock, unit, 500 + index) for s in stretches]
    pairs = [(a, b) for a, b in pairs if b >= a]
    starts, ends = clock.positions(a for a, _ in pairs), clock.positions(b for _, b in pairs)
    got = term.shift_batch(clock, unit, starts, ends).tolist()
    assert got == [term.shift(clock, unit, a, b) for a, b in pairs]


def test_every_case_at_once_with_none_members() -> None:
    clock = CLOCKS[0]
    # Mon 3 March 2025 + 5 working days: Tue 11 March (8 March, a Saturday, moves to Mon 10)
    accepted = clock.positions([dt.datetime(2025, 3, 3, 10, tzinfo=ALMATY)] * 2)
    base = term.base_due_batch(clock, accepted, 5, Unit.working_days)
    start = clock.positions([dt.datetime(2025, 3, 4, 10, tzinfo=ALMATY)] * 2)
    end = clock.positions(
        [dt.datetime(2025, 3, 6, 10, tzinfo=ALMATY), dt.datetime(2025, 3, 4, 10, tzinfo=ALMATY)]
    )
    due = clock.instants(term.due_batch(clock, Unit.working_days, base, [(None, start, end)]))
    assert due == [
        dt.datetime(2025, 3, 13, 18, 30, tzinfo=ALMATY),  # 2 working days after Tue 11 March
        dt.datetime(2025, 3, 11, 18, 30, tzinfo=ALMATY),  # an empty stretch moves nothing
    ]


def test_the_most_specific_term_applies() -> None:
    general = Term(value=30, unit=Unit.calendar_days)
    office = Term(value=15, unit=Unit.working_days, channel="office")
    fast = Term(value=5, unit=Unit.working_days, variant="fast")
    both = Term(value=1, unit=Unit.working_days, channel="office", variant="fast")
    terms = [general, office, fast, both]
    assert term.applicable(terms, "office", "fast") is both
    assert term.applicable(terms, "office", None) is office
    assert term.applicable(terms, "portal", "fast") is fast
    assert term.applicable(terms, "portal", "slow") is general
    assert term.applicable([office], "portal", None) is None
