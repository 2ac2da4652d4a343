"""The term's due instant: the vectorised form equals the one-case form, stretch by stretch and
case by case, on every clock (``TermRules`` variants included); and the engine honours the
clock's ``TermRules`` when a stretch that stood still pushes a term in calendar days back."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pytest

from reglament.calendar import SCHEDULES, Clock, TermRules, WeeklySchedule, default_calendar
from reglament.engine import Engine
from reglament.loader import load
from reglament.procedure import term
from reglament.schemas import Reglament, Term, Unit, Wait
from tests.calendar.test_clock_batch import random_instants
from tests.procedure.test_timing import MINIMAL

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
        found.append((start, term.joined(stretches)))  # in order, not overlapping, as due takes
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


@pytest.mark.parametrize("seed", range(4))
def test_joined_batch_equals_joined(seed: int) -> None:
    """Case by case, the stretches that :func:`term.joined_batch` leaves (the empty ones left
    out) are those :func:`term.joined` gives, and the due instants fed with them are equal;
    four stretches a case, overlapping, touching, inside one another, empty or backwards."""
    clock = CLOCKS[0]
    rng = random.Random(seed)
    cases = []
    for start in random_instants(seed, CASES, clock.zone):
        if start.year >= 2030:
            continue
        stretches = []
        for _ in range(4):
            a = start + dt.timedelta(minutes=rng.choice((0, 30, 600, 60 * 24)) * rng.randrange(8))
            b = a + dt.timedelta(minutes=rng.choice((0, -30, 30, 600, 60 * 24 * 3)))
            stretches.append((a, b))
        stretches.append(
            stretches[rng.randrange(4)][::-1] if rng.random() < 0.2 else (start, start)
        )
        cases.append((start, stretches))
    batch = [
        (clock.positions(s[k][0] for _, s in cases), clock.positions(s[k][1] for _, s in cases))
        for k in range(5)
    ]
    got = term.joined_batch(batch)
    assert len(got) == len(batch)
    for i, (_, stretches) in enumerate(cases):
        left = [(int(a[i]), int(b[i])) for a, b in got if b[i] > a[i]]
        want = term.joined(stretches)
        assert [(clock.instant(a), clock.instant(b)) for a, b in left] == want, stretches
    base = term.base_due_batch(clock, clock.positions(t for t, _ in cases), 5, Unit.working_days)
    due = term.due_batch(clock, Unit.working_days, base, [(None, a, b) for a, b in got])
    assert clock.instants(due) == [
        term.due(
            clock, Unit.working_days, term.base_due(clock, t, 5, Unit.working_days), term.joined(s)
        )
        for t, s in cases
    ]
    assert term.joined([]) == [] and term.joined_batch(batch[:1]) == batch[:1]


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


def _calendar_days_term(value: int, *, uncounted_wait: bool = False) -> Reglament:
    """The minimal reglament with a term of ``value`` calendar days (and, if asked, its wait
    for missing documents not counted in it)."""
    reglament = load(MINIMAL)
    steps = dict(reglament.steps)
    ask = steps["ask"]
    if uncounted_wait and isinstance(ask, Wait) and ask.limit is not None:
        limit = ask.limit.model_copy(update={"counts_toward_term": False})
        steps["ask"] = ask.model_copy(update={"limit": limit})
    return reglament.model_copy(
        update={"terms": [Term(value=value, unit=Unit.calendar_days)], "steps": steps}
    )


def test_the_engine_honours_roll_calendar_days() -> None:
    """A calendar-day term pushed back onto a day off ends on that day when the rules do not
    roll calendar days (``Clock.add_calendar_days`` gives the same), on the next working day
    when they do. Before, ``Engine.term_due`` rolled it whatever the rules said."""
    reglament = _calendar_days_term(10)
    at = dt.datetime(2025, 3, 3, 10, 0, tzinfo=ALMATY)  # Mon; +10 days: Thu 13 March
    for rules, due in [
        (None, dt.datetime(2025, 3, 17, 18, 30, tzinfo=ALMATY)),  # Sat 15 → Mon 17
        (TermRules(roll_calendar_days=False), dt.datetime(2025, 3, 16, tzinfo=ALMATY)),  # Sat 24:00
    ]:
        engine = Engine(reglament, rules=rules)
        case = engine.start(at, "office", "standard")
        engine.complete(case, "register", at)  # not counted in the term, and took no time
        engine.suspend(case, dt.datetime(2025, 3, 4, 10, 0, tzinfo=ALMATY), "documents")
        engine.resume(case, dt.datetime(2025, 3, 6, 10, 0, tzinfo=ALMATY))  # 2 days stood still
        assert engine.term_due(case) == due
        clock = engine.compiled.channel_clock["office"]
        if rules is not None:
            assert due == clock.add_calendar_days(at, 12).due


@pytest.mark.parametrize(
    "rules", [None, TermRules(roll_calendar_days=False)], ids=["roll", "no-roll"]
)
def test_the_audit_and_the_batch_agree_with_the_engine_under_the_rules(
    rules: TermRules | None,
) -> None:
    """The term compliance check and the many-case batch run the vectorised forms on the same
    clocks as the engine: under either rule, each worst moment's due instant is the engine's."""
    from reglament.audit import check_terms
    from reglament.audit.terms import answers
    from reglament.engine.batch import Probability, simulate_many
    from reglament.engine.simulate import simulate

    engine = Engine(_calendar_days_term(4, uncounted_wait=True), rules=rules)
    checks = check_terms(engine)
    assert checks and all(check.paths for check in checks)
    for check in checks:
        for path in check.paths:
            timeline = simulate(
                engine,
                path.worst.submitted,
                check.channel,
                check.variant,
                path.data,
                answers(engine, path.path),
            )
            assert timeline.term_due == path.worst.due, path.path.describe()
    start, end = (dt.datetime(2025, m, 1, tzinfo=ALMATY) for m in (3, 5))
    no_loop = [Probability("ask", "timeout", 1.0)]  # a drawn loop could not be replayed
    batch = simulate_many(engine, 300, start, end, "office", "standard", None, no_loop, 4)
    days_off = 0
    for i in range(300):
        case = batch.case(i)
        timeline = simulate(engine, case.submitted_at, "office", "standard", answers=case.answers)
        assert timeline.term_due == case.term_due
        assert case.term_due is not None
        days_off += not engine.compiled.calendar.is_working_day(
            (case.term_due - dt.timedelta(seconds=1)).date()
        )
    assert (days_off > 0) == (rules is not None)  # only without the roll does a term end on one


def test_a_stretch_is_counted_in_local_days_whatever_zone_its_instants_are_in() -> None:
    """A suspension from Sat 8 March 01:00 to Tue 11 March 01:00 (Almaty) stops one working day
    (Tue 11) wherever the caller's instants are given. Before, ``Engine.term_due`` took the
    dates of instants given in UTC (Fri 7 to Mon 10 March: no working day in between)."""
    reglament = load(MINIMAL).model_copy(update={"terms": [Term(value=15, unit=Unit.working_days)]})
    utc = dt.UTC
    dues = []
    for zone in (ALMATY, utc):
        engine = Engine(reglament)
        at = dt.datetime(2025, 3, 3, 10, 0, tzinfo=ALMATY)
        case = engine.start(at, "office", "standard")
        engine.complete(case, "register", at)
        start = dt.datetime(2025, 3, 8, 1, 0, tzinfo=ALMATY).astimezone(zone)
        engine.suspend(case, start, "documents")
        engine.resume(case, dt.datetime(2025, 3, 11, 1, 0, tzinfo=ALMATY).astimezone(zone))
        dues.append(engine.term_due(case))
    assert dues[0] == dues[1]
    clock = Engine(reglament).compiled.channel_clock["office"]
    base = term.base_due(
        clock, dt.datetime(2025, 3, 3, 10, 0, tzinfo=ALMATY), 15, Unit.working_days
    )
    assert dues[0] == clock.closing(clock.calendar.add_working_days(base.date(), 1))


@pytest.mark.parametrize("clock", CLOCKS[:4], ids=lambda c: str(c.schedule))
@pytest.mark.parametrize("days", [0, 2, 5])
def test_at_risk_since_is_the_first_instant_the_term_is_at_risk(clock: Clock, days: int) -> None:
    """``at_risk_since`` is where ``at_risk`` turns true (a tick before, it is false, unless that
    is before the acceptance); ``at_risk_from`` is the office's first opening from then."""
    tick = dt.timedelta(microseconds=1)
    for submitted in random_instants(days, 40, clock.zone):
        accepted = clock.accept(submitted)
        due = term.base_due(clock, accepted, 7, Unit.working_days)
        since = term.at_risk_since(clock, accepted, due, days)
        assert term.at_risk(clock, since, due, days)
        assert since == accepted or not term.at_risk(clock, since - tick, due, days)
        assert term.at_risk_from(clock, accepted, due, days) == max(
            accepted, clock.next_opening(since)
        )


def _tuesday(hhmm: str) -> dt.datetime:
    """Tue 4 Mar 2025 at ``hhmm`` (seconds and microseconds allowed), in Almaty."""
    return dt.datetime.fromisoformat(f"2025-03-04 {hhmm}").replace(tzinfo=ALMATY)


# a term (or step) in minutes due at ``due`` on the standard clock, stood still for one stretch:
# pushed back by the stretch's office time to the microsecond (docs/calendar.md, "Suspensions")
SHORT_STRETCHES = [
    ("10:30", ("10:00", "10:00:59"), "10:30:59"),  # 59 seconds: no longer nothing
    ("10:30", ("10:00", "10:01:30"), "10:31:30"),  # 90 seconds: no longer one minute
    ("10:30", ("10:00:00.250000", "10:00:00.750000"), "10:30:00.500000"),  # half a second
    ("10:30:00.500000", ("10:00", "10:00:30"), "10:30:30.500000"),  # a due with its own part
    ("12:59:59.500000", ("10:00", "10:00:01"), "14:30:00.500000"),  # on over lunch
    ("18:30", ("10:00", "10:00:00.500000"), "2025-03-05 09:00:00.500000"),  # past closing
    ("18:30", ("18:29:59.500000", "18:31"), "2025-03-05 09:00:00.500000"),  # open half only
    ("18:30", ("18:30", "20:00"), "18:30"),  # no office time stood still: the due stays
]


@pytest.mark.parametrize(("due", "stretch", "pushed"), SHORT_STRETCHES)
@pytest.mark.parametrize("unit", [Unit.minutes, Unit.hours])
def test_a_short_stretch_pushes_back_by_its_office_time(
    due: str, stretch: tuple[str, str], pushed: str, unit: Unit
) -> None:
    clock = Clock(schedule="standard", zone="Asia/Almaty")
    stood = [(_tuesday(stretch[0]), _tuesday(stretch[1]))]
    want = _tuesday(pushed) if " " not in pushed else dt.datetime.fromisoformat(pushed)
    assert term.due(clock, unit, _tuesday(due), stood) == want.replace(tzinfo=ALMATY)
    # the batch form, on whole-second positions (what it holds), gives the same
    if not any(t.microsecond for t in (*stood[0], _tuesday(due), want)):
        pos = clock.positions([_tuesday(due)])
        spans = [(None, clock.positions([stood[0][0]]), clock.positions([stood[0][1]]))]
        got = clock.instants(term.due_batch(clock, unit, pos, spans))
        assert got == [want.replace(tzinfo=ALMATY)]
