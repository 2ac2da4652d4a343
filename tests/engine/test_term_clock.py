"""A term clock that matches the act: a suspension stops the steps' clocks as well as the term,
a late completion is recorded as late without a poll, the term is not "at risk" once it has
passed, poll returns events in time order, and a stretch the term stands still is counted once
(docs/calendar.md, "Suspensions")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from reglament.calendar import Clock
from reglament.engine import Engine
from reglament.engine.case import Record
from reglament.loader import BUNDLED, load
from reglament.procedure import term
from reglament.procedure.events import Kind
from reglament.schemas import Unit

ALMATY = ZoneInfo("Asia/Almaty")
SYNTHETIC = Engine(load(Path(__file__).parent / "fixtures" / "synthetic.yaml"))  # 09–18, 5 wd
SEMEY = Engine(load(BUNDLED / "karaganda-2015" / "semey-compensation.yaml"))  # 09–18:30


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=ALMATY)


def _kinds(records: list[Record]) -> list[tuple[Kind, str | None, dt.datetime]]:
    return [(r.kind, r.step, r.at) for r in records]


def test_a_suspension_stops_a_step_in_minutes() -> None:
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    assert case.tokens[0].due == at("2024-04-01 10:30")  # register: 30 minutes
    SYNTHETIC.suspend(case, at("2024-04-01 10:15"), "documents requested")
    # two days later the case still waits for the applicant: nobody is told the step is late
    assert SYNTHETIC.poll(case, at("2024-04-03 11:00")) == []
    (register,) = SYNTHETIC.status(case, at("2024-04-03 11:00")).active
    assert register.state == "on_time"
    assert register.due == at("2024-04-03 11:15")  # 15 minutes left if it resumed now
    SYNTHETIC.resume(case, at("2024-04-03 12:00"))
    assert SYNTHETIC.poll(case, at("2024-04-03 12:10")) == []
    overdue = SYNTHETIC.poll(case, at("2024-04-03 12:20"))
    assert _kinds(overdue) == [(Kind.step_overdue, "register", at("2024-04-03 12:15"))]


def test_a_suspension_stops_a_step_in_working_days() -> None:
    case = SEMEY.start(at("2015-12-14 10:00"), "office", "certificate")
    SEMEY.complete(case, "register", at("2015-12-14 10:30"))
    assert case.tokens[0].due == at("2015-12-15 18:30")  # review: 1 working day
    SEMEY.suspend(case, at("2015-12-15 10:00"), "documents requested")
    # after closing on its last day, while suspended: not overdue (its clock stood still at 10:00)
    assert SEMEY.poll(case, at("2015-12-15 20:00")) == []
    assert SEMEY.status(case, at("2015-12-15 20:00")).overdue == ()
    # resumed on Fri 18 Dec (16-17 Dec are days off): one working day stood still, as for a term
    SEMEY.resume(case, at("2015-12-18 10:00"))
    assert SEMEY.status(case, at("2015-12-18 10:00")).active[0].due == at("2015-12-18 18:30")
    assert SEMEY.poll(case, at("2015-12-18 18:00")) == []
    assert _kinds(SEMEY.poll(case, at("2015-12-18 19:00"))) == [
        (Kind.step_overdue, "review", at("2015-12-18 18:30"))
    ]


def test_a_step_overdue_before_the_suspension_stays_overdue() -> None:
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    SYNTHETIC.suspend(case, at("2024-04-01 11:00"), "documents requested")
    (register,) = SYNTHETIC.status(case, at("2024-04-02 10:00")).active
    assert register.state == "overdue"
    assert _kinds(SYNTHETIC.poll(case, at("2024-04-02 10:00"))) == [
        (Kind.step_overdue, "register", at("2024-04-01 10:30"))
    ]


def test_a_late_completion_is_recorded_without_a_poll() -> None:
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    records = SYNTHETIC.complete(case, "register", at("2024-04-01 11:00"))
    late = records[0]
    assert (late.kind, late.step, late.at) == (
        Kind.step_overdue,
        "register",
        at("2024-04-01 10:30"),
    )
    assert late.detail == "completed late, at 2024-04-01T11:00:00+05:00"
    assert records[1].kind is Kind.step_completed
    assert [n.template for n in SYNTHETIC.notices(case, records[:1])] == ["step_overdue"]
    # once: a poll does not say it again, and a step completed in time says nothing
    assert all(
        r.kind is not Kind.step_overdue for r in SYNTHETIC.poll(case, at("2024-04-01 11:00"))
    )
    on_time = SYNTHETIC.complete(case, "check-a", at("2024-04-01 12:00"))
    assert Kind.step_overdue not in [r.kind for r in on_time]
    # a late step polled before its completion is not recorded twice
    SYNTHETIC.poll(case, at("2024-04-03 10:00"))  # check-b (1 working day) was due Tue 18:00
    again = SYNTHETIC.complete(case, "check-b", at("2024-04-03 11:00"))
    assert Kind.step_overdue not in [r.kind for r in again]
    assert [r.step for r in case.history if r.kind is Kind.step_overdue] == ["register", "check-b"]


def test_a_late_completion_while_suspended_is_judged_when_the_clock_stopped() -> None:
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    SYNTHETIC.suspend(case, at("2024-04-01 10:10"), "documents requested")
    records = SYNTHETIC.complete(case, "register", at("2024-04-02 16:00"))
    assert Kind.step_overdue not in [r.kind for r in records]


def test_no_term_at_risk_once_the_term_has_passed_and_events_in_time_order() -> None:
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    assert SYNTHETIC.term_due(case) == at("2024-04-08 18:00")
    first = SYNTHETIC.poll(case, at("2024-04-10 12:00"))  # the first poll is after the term
    assert _kinds(first) == [
        (Kind.step_overdue, "register", at("2024-04-01 10:30")),
        (Kind.term_overdue, None, at("2024-04-08 18:00")),
    ]
    assert SYNTHETIC.poll(case, at("2024-04-11 12:00")) == []


def test_term_at_risk_before_the_term_passes() -> None:
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    SYNTHETIC.complete(case, "register", at("2024-04-01 10:20"))
    risk = SYNTHETIC.poll(case, at("2024-04-05 10:00"))  # Fri: 1 working day left (Mon 8 Apr)
    assert [r.kind for r in risk] == [Kind.step_overdue, Kind.step_overdue, Kind.term_at_risk]
    assert [r.at for r in risk] == sorted(r.at for r in risk)
    assert [r.kind for r in SYNTHETIC.poll(case, at("2024-04-09 10:00"))] == [Kind.term_overdue]


def test_the_term_stands_still_while_suspended_on_its_last_day() -> None:
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    SYNTHETIC.complete(case, "register", at("2024-04-01 10:20"))
    SYNTHETIC.suspend(case, at("2024-04-08 10:00"), "documents requested")  # due 18:00 today
    status = SYNTHETIC.status(case, at("2024-04-08 19:00"))
    assert status.term == "at_risk"  # as it was at 10:00, when its clock stopped
    assert Kind.term_overdue not in [r.kind for r in SYNTHETIC.poll(case, at("2024-04-08 19:00"))]
    # resumed the same evening: the day of the suspension counts, so nothing is left of it
    SYNTHETIC.resume(case, at("2024-04-08 19:00"))
    assert SYNTHETIC.term_due(case, at("2024-04-08 19:00")) == at("2024-04-08 18:00")
    assert SYNTHETIC.status(case, at("2024-04-08 19:00")).term == "overdue"


def test_a_suspension_during_an_uncounted_step_stops_the_term_once() -> None:
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    SYNTHETIC.complete(case, "register", at("2024-04-01 10:30"))
    SYNTHETIC.complete(case, "check-a", at("2024-04-01 12:30"))
    SYNTHETIC.complete(case, "check-b", at("2024-04-01 15:00"))  # the wait (not counted) starts
    SYNTHETIC.suspend(case, at("2024-04-02 10:00"), "documents requested")
    SYNTHETIC.resume(case, at("2024-04-03 10:00"))
    SYNTHETIC.complete(case, "documents", at("2024-04-04 10:00"), "event")
    stretches = SYNTHETIC.stopped_intervals(case, at("2024-04-04 10:00"))
    assert stretches == [(at("2024-04-01 15:00"), at("2024-04-04 10:00"))]
    # Mon → Thu: 3 working days stood still (not 3 + the 1 of the suspension inside them)
    assert SYNTHETIC.term_due(case, at("2024-04-04 10:00")) == at("2024-04-11 18:00")


STANDARD = Clock(schedule="standard", zone=ALMATY)  # Mon–Fri 09:00–18:30, lunch 13:00–14:30
SUSPENSIONS = [
    # docs/calendar.md, "Suspensions": the worked examples
    # Fri 17:59 → Mon 09:00: Monday is given back in a term in days; 31 minutes of office time
    ("2025-03-14 17:59", "2025-03-17 09:00", Unit.working_days, 1),
    ("2025-03-14 17:59", "2025-03-17 09:00", Unit.calendar_days, 3),
    ("2025-03-14 17:59", "2025-03-17 09:00", Unit.minutes, 31 * 60 * 10**6),  # in µs
    # a seven-hour stop within one day: no day moves; 5 h 30 min of office time (lunch left out)
    ("2025-03-18 10:00", "2025-03-18 17:00", Unit.working_days, 0),
    ("2025-03-18 10:00", "2025-03-18 17:00", Unit.hours, 330 * 60 * 10**6),
    # a stop over Nauryz (21-25 Mar 2025 off): Thu → Wed is one working day given back
    ("2025-03-20 12:00", "2025-03-26 12:00", Unit.working_days, 1),
]


@pytest.mark.parametrize(("start", "end", "unit", "shift"), SUSPENSIONS)
def test_worked_examples_of_suspension_arithmetic(
    start: str, end: str, unit: Unit, shift: int
) -> None:
    assert term.shift(STANDARD, unit, at(start), at(end)) == shift


def test_worked_example_of_a_pushed_back_term() -> None:
    # accepted Tue 11 Mar 2025 (Mon 10 Mar is the day off for 8 March): 10 working days end on
    # Fri 28 Mar (Nauryz 21-25 Mar off); the Fri 17:59 → Mon 09:00 stop gives Monday back
    base = term.base_due(STANDARD, at("2025-03-11 10:00"), 10, Unit.working_days)
    assert base == at("2025-03-28 18:30")
    stop = [(at("2025-03-14 17:59"), at("2025-03-17 09:00"))]
    assert term.due(STANDARD, Unit.working_days, base, stop) == at("2025-03-31 18:30")
    hours = term.base_due(STANDARD, at("2025-03-14 17:00"), 2, Unit.hours)
    assert hours == at("2025-03-17 09:30")  # 1 h 30 min on Friday, 30 min on Monday
    stop = [(at("2025-03-14 17:59"), at("2025-03-17 09:00"))]
    assert term.due(STANDARD, Unit.hours, hours, stop) == at("2025-03-17 10:01")


def test_a_simulated_step_that_takes_longer_is_recorded_late() -> None:
    from reglament.engine.simulate import Actual, simulate

    late = {"register": Actual(45, Unit.minutes)}
    timeline = simulate(
        SYNTHETIC, at("2024-04-01 10:00"), "office", None, {"eligible": True}, None, late
    )
    overdue = [n for n in timeline.notices if n.record.kind is Kind.step_overdue]
    assert [(n.record.step, n.record.at) for n in overdue] == [("register", at("2024-04-01 10:30"))]


def test_a_step_keeps_the_unit_it_was_given_when_the_data_change() -> None:
    engine = Engine(load(Path(__file__).parent / "data" / "synthetic-ten.yaml"))
    case = engine.start(at("2016-03-01 10:00"), "office", "full", data={"urgent": False})
    engine.complete(case, "register", at("2016-03-01 10:20"))
    engine.complete(case, "triage", at("2016-03-01 11:00"), "simple")
    (check,) = case.tokens
    assert check.due == at("2016-03-03 19:00")  # 2 working days (expert: 08:00–19:00)
    engine.suspend(case, at("2016-03-02 18:00"), "documents requested")
    engine.set_data(case, {"urgent": True})  # now 4 hours would apply to a new visit
    engine.resume(case, at("2016-03-03 09:00"))
    # Wed 18:00 → Thu 09:00: Thursday is given back, in the step's own unit (working days); in
    # office time it would be 2 hours (Fri 10:00)
    assert engine.status(case, at("2016-03-03 09:00")).active[0].due == at("2016-03-04 19:00")


def test_simulate_lists_the_late_step_among_the_notifications() -> None:
    from typer.testing import CliRunner

    from reglament.cli import app

    fixture = str(Path(__file__).parent / "fixtures" / "synthetic.yaml")
    args = ["simulate", "synthetic", "-p", fixture, "--submitted", "2024-04-01 10:00"]
    result = CliRunner().invoke(app, [*args, "--actual", "register=45m", "-d", "eligible=true"])
    assert result.exit_code == 0, result.output
    assert (
        "  Mon 2024-04-01 10:30  step_overdue     to actor, head by cabinet (template step_overdue)"
        in result.stdout.splitlines()
    )


def test_asked_as_of_an_earlier_instant_a_later_suspension_does_not_count() -> None:
    """``status``, ``term_due`` and ``stopped_intervals`` as of an instant are pushed back by
    the stretches up to that instant only: a suspension that began later, or the part of one
    after it, does not count yet (the answer a poll at that instant would have given)."""
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    before = at("2024-04-01 10:10")
    status = SYNTHETIC.status(case, before)
    assert status.active[0].due == at("2024-04-01 10:30")  # register: 30 minutes
    SYNTHETIC.suspend(case, at("2024-04-01 10:15"), "documents requested")
    SYNTHETIC.resume(case, at("2024-04-03 12:00"))
    assert SYNTHETIC.status(case, before) == status
    assert SYNTHETIC.term_due(case, before) == status.term_due == at("2024-04-08 18:00")
    assert SYNTHETIC.stopped_intervals(case, before) == []
    midway = at("2024-04-02 11:00")
    assert SYNTHETIC.stopped_intervals(case, midway) == [(at("2024-04-01 10:15"), midway)]
    assert SYNTHETIC.term_due(case, midway) == at("2024-04-09 18:00")  # one day stood still
    assert SYNTHETIC.term_due(case, at("2024-04-03 12:00")) == at("2024-04-10 18:00")


def test_a_suspension_after_a_step_is_overdue_does_not_push_its_due_back() -> None:
    """The reported case: ``register`` overdue at 10:30, then suspended 12:00–12:30. Its clock
    had run out before it stopped, so nothing stood still on it: status, step_due and poll
    keep the due the overdue record names (docs/calendar.md, "Suspensions")."""
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    assert _kinds(SYNTHETIC.poll(case, at("2024-04-01 11:00"))) == [
        (Kind.step_overdue, "register", at("2024-04-01 10:30"))
    ]
    SYNTHETIC.suspend(case, at("2024-04-01 12:00"), "documents requested")
    SYNTHETIC.resume(case, at("2024-04-01 12:30"))
    for when in (at("2024-04-01 12:15"), at("2024-04-01 12:40")):
        (register,) = SYNTHETIC.status(case, when).active
        assert (register.due, register.state) == (at("2024-04-01 10:30"), "overdue")
        assert SYNTHETIC.step_due(case, "register", when) == at("2024-04-01 10:30")
    assert SYNTHETIC.poll(case, at("2024-04-01 12:40")) == []


def test_a_suspension_after_the_due_of_a_step_in_working_days_does_not_give_days_back() -> None:
    # review (1 working day) is due Tue 15 Dec 2015 18:30; the case is suspended that evening,
    # after the due, and resumed on Fri 18 Dec: Friday is not given back, the step stays late
    case = SEMEY.start(at("2015-12-14 10:00"), "office", "certificate")
    SEMEY.complete(case, "register", at("2015-12-14 10:30"))
    SEMEY.suspend(case, at("2015-12-15 19:00"), "documents requested")
    SEMEY.resume(case, at("2015-12-18 10:00"))
    (review,) = SEMEY.status(case, at("2015-12-18 11:00")).active
    assert (review.due, review.state) == (at("2015-12-15 18:30"), "overdue")
    # nobody polled before: the record is at the due on entry, as it would have been
    assert _kinds(SEMEY.poll(case, at("2015-12-18 11:00"))) == [
        (Kind.step_overdue, "review", at("2015-12-15 18:30"))
    ]


def test_only_the_suspensions_before_a_step_falls_due_push_it_back() -> None:
    # register (30 minutes, due 10:30): 10:10–10:20 pushes it to 10:40; 10:45–11:00 begins
    # after that, when the step was already late, and pushes it no further
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    SYNTHETIC.suspend(case, at("2024-04-01 10:10"), "documents requested")
    SYNTHETIC.resume(case, at("2024-04-01 10:20"))
    SYNTHETIC.suspend(case, at("2024-04-01 10:45"), "documents requested")
    SYNTHETIC.resume(case, at("2024-04-01 11:00"))
    assert SYNTHETIC.step_due(case, "register", at("2024-04-01 11:05")) == at("2024-04-01 10:40")
    assert _kinds(SYNTHETIC.poll(case, at("2024-04-01 11:05"))) == [
        (Kind.step_overdue, "register", at("2024-04-01 10:40"))
    ]
    records = SYNTHETIC.complete(case, "register", at("2024-04-01 11:10"))
    assert Kind.step_overdue not in [r.kind for r in records]  # recorded once
    # a suspension that begins at the due instant itself stops a clock that has not run out
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    SYNTHETIC.suspend(case, at("2024-04-01 10:30"), "documents requested")
    SYNTHETIC.resume(case, at("2024-04-01 10:40"))
    assert SYNTHETIC.step_due(case, "register", at("2024-04-01 10:45")) == at("2024-04-01 10:40")


def test_a_suspension_after_the_term_is_overdue_does_not_push_it_back() -> None:
    """The reported case: term_overdue recorded at Mon 8 Apr 18:00, then the case suspended
    Tue 9 Apr 11:00 – Fri 12 Apr 11:00. The term had run out before it stopped: status,
    term_due and poll keep the due the overdue record names (docs/calendar.md, "Suspensions")."""
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    SYNTHETIC.complete(case, "register", at("2024-04-01 10:20"))
    recorded = SYNTHETIC.poll(case, at("2024-04-09 10:00"))
    assert _kinds(recorded)[-1] == (Kind.term_overdue, None, at("2024-04-08 18:00"))
    SYNTHETIC.suspend(case, at("2024-04-09 11:00"), "documents requested")
    for when in (at("2024-04-10 12:00"), at("2024-04-12 11:00")):
        if when == at("2024-04-12 11:00"):
            SYNTHETIC.resume(case, when)
        status = SYNTHETIC.status(case, when)
        assert (status.term_due, status.term) == (at("2024-04-08 18:00"), "overdue")
        assert SYNTHETIC.term_due(case, when) == at("2024-04-08 18:00")
    assert SYNTHETIC.term_due(case) == at("2024-04-08 18:00")
    assert SYNTHETIC.poll(case, at("2024-04-12 12:00")) == []


def test_only_the_suspensions_before_the_term_falls_due_push_it_back() -> None:
    # due Mon 8 Apr 18:00 (5 working days); Tue 2 – Wed 3 Apr stands one working day still
    # (due Tue 9 Apr), a suspension from Wed 10 Apr begins after that and moves nothing
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    SYNTHETIC.suspend(case, at("2024-04-02 10:00"), "documents requested")
    SYNTHETIC.resume(case, at("2024-04-03 10:00"))
    SYNTHETIC.suspend(case, at("2024-04-10 10:00"), "documents requested")
    SYNTHETIC.resume(case, at("2024-04-12 10:00"))
    assert SYNTHETIC.term_due(case, at("2024-04-12 11:00")) == at("2024-04-09 18:00")
    # one that begins at the due instant itself stops a term that has not run out
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    SYNTHETIC.suspend(case, at("2024-04-08 18:00"), "documents requested")
    SYNTHETIC.resume(case, at("2024-04-09 10:00"))
    assert SYNTHETIC.term_due(case, at("2024-04-09 11:00")) == at("2024-04-09 18:00")
