"""runtime.timers: the due instants of an open case are where ``Engine.poll`` first gives each
event (a tick before, it gives none), and a wait's timeout at its limit; firing one does what
the reglament says, once."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings

from reglament.engine import Case, Engine, Kind
from reglament.errors import CaseError
from reglament.runtime.timers import TICK, Timer, fire, timers
from tests.engine.saved_cases import SYNTHETIC, at
from tests.runtime.histories import Live, live_cases, steps_of_time

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
POLLED = {"step_overdue": Kind.step_overdue, "term_at_risk": Kind.term_at_risk}
POLLED["term_overdue"] = Kind.term_overdue


def _copy(live: Live) -> Case:
    return live.engine.restore(live.case.to_dict())


def _polled(engine: Engine, case: Case, when: dt.datetime) -> set[tuple[Kind, str | None]]:
    return {(r.kind, r.step) for r in engine.poll(case, when)}


def _last(case: Case) -> dt.datetime:
    return max(r.at for r in case.history)


@PROPERTY
@given(live_cases())
def test_each_timer_is_where_poll_first_gives_its_event(live: Live) -> None:
    engine, case = live.engine, live.case
    for timer in timers(engine, case, live.now):
        if timer.due - TICK < _last(case):
            continue  # come already: poll cannot look before the case's last record
        event = (POLLED.get(timer.kind, Kind.step_overdue), timer.step)
        if timer.kind == "wait_timeout":
            assert timer.step is not None
            # the limit is the wait's due: poll calls it overdue one tick after, not at it
            assert event not in _polled(engine, _copy(live), timer.due)
            assert event in _polled(engine, _copy(live), timer.due + TICK)
            done = engine.complete(_copy(live), timer.step, timer.due, "timeout")
            assert [r.kind for r in done][:1] == [Kind.step_completed]
            continue
        assert event not in _polled(engine, _copy(live), timer.due - TICK), timer
        assert event in _polled(engine, _copy(live), timer.due), timer


@PROPERTY
@given(live_cases(), steps_of_time)
def test_poll_gives_no_event_that_is_not_a_timer(live: Live, later: dt.timedelta) -> None:
    """Whatever poll records by a later instant, a timer foretold: and every step or term
    overdue whose timer has come is recorded."""
    engine, case = live.engine, live.case
    planned = timers(engine, case, live.now)
    when = live.now + later
    got = _polled(engine, _copy(live), when)
    come = {
        (POLLED.get(t.kind, Kind.step_overdue), t.step)
        for t in planned
        if t.due <= when or (t.kind == "wait_timeout" and t.due < when)
    }
    assert got <= come, (planned, got)
    for timer in planned:
        if timer.kind in ("step_overdue", "term_overdue") and timer.due <= when:
            assert (POLLED[timer.kind], timer.step) in got


@PROPERTY
@given(live_cases())
def test_each_timer_fires_once(live: Live) -> None:
    engine, case = live.engine, live.case
    for timer in timers(engine, case, live.now):
        copy = _copy(live)
        when = max(timer.due, _last(copy))
        first = fire(engine, copy, timer, when)
        second = fire(engine, copy, timer, when)
        assert first.skipped is None and first.records, (timer, first)
        assert second.records == () and second.skipped
        kinds = {r.kind for r in first.records}
        if timer.kind == "wait_timeout":
            assert Kind.step_completed in kinds
        else:
            assert POLLED[timer.kind] in kinds


@PROPERTY
@given(live_cases())
def test_a_finished_case_has_no_timers_and_a_suspended_one_none_to_come(live: Live) -> None:
    found = timers(live.engine, live.case, live.now)
    if live.case.finished:
        assert found == []
    if live.engine.suspended_since(live.case, live.now) is not None:
        assert all(t.due <= live.now for t in found), found


def test_the_synthetic_case_from_its_start() -> None:
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    assert timers(SYNTHETIC, case, at("2024-04-01 10:00")) == [
        Timer("step_overdue", "register", at("2024-04-01 10:30") + TICK),
        Timer("term_at_risk", None, at("2024-04-04 00:00")),  # Thu: 2 working days left
        Timer("term_overdue", None, at("2024-04-08 18:00") + TICK),  # 5 working days
    ]


def _at_the_wait() -> Case:
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": False})
    for step, when in (("register", "10:30"), ("check-a", "11:00"), ("check-b", "12:00")):
        SYNTHETIC.complete(case, step, at(f"2024-04-01 {when}"))
    return case


def test_a_wait_times_out_at_its_limit_into_its_on_timeout_route() -> None:
    case = _at_the_wait()
    found = timers(SYNTHETIC, case, at("2024-04-01 12:00"))
    # the wait is not counted in the term: the term stands still, only the wait's limit runs
    assert found == [Timer("wait_timeout", "documents", at("2024-04-03 18:30"))]
    fired = fire(SYNTHETIC, case, found[0], at("2024-04-05 09:00"))  # the worker came late
    assert fired.skipped is None
    assert [(r.kind, r.step, r.outcome, r.at) for r in fired.records] == [
        (Kind.step_completed, "documents", "timeout", at("2024-04-03 18:30")),
        (Kind.refused, "refused", "refusal", at("2024-04-03 18:30")),
    ]
    assert case.end == "refused"
    assert timers(SYNTHETIC, case, at("2024-04-05 09:00")) == []


def test_a_timer_of_a_step_done_since_does_nothing_and_says_so() -> None:
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    timer = timers(SYNTHETIC, case, at("2024-04-01 10:00"))[0]
    SYNTHETIC.complete(case, "register", at("2024-04-01 10:20"))
    fired = fire(SYNTHETIC, case, timer, at("2024-04-01 10:31"))
    assert fired.records == ()
    assert fired.skipped == "step 'register' is no longer under way"


def test_a_suspension_stops_the_timers_and_a_resumption_moves_them() -> None:
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    timer = timers(SYNTHETIC, case, at("2024-04-01 10:00"))[0]
    SYNTHETIC.suspend(case, at("2024-04-01 10:10"), "documents requested")
    assert timers(SYNTHETIC, case, at("2024-04-01 10:10")) == []
    stale = fire(SYNTHETIC, case, timer, at("2024-04-01 10:31"))
    assert stale.records == () and stale.skipped is not None
    assert "does not come" in stale.skipped
    SYNTHETIC.resume(case, at("2024-04-02 10:10"))  # one working day and its office time
    moved = timers(SYNTHETIC, case, at("2024-04-02 10:10"))
    assert moved[0] == Timer("step_overdue", "register", at("2024-04-02 10:30") + TICK)
    assert fire(SYNTHETIC, case, timer, at("2024-04-02 10:31")).skipped == (
        "step_overdue is now due at 2024-04-02T10:30:00.000001+05:00"
    )


def test_a_timer_not_yet_due_does_nothing() -> None:
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    timer = timers(SYNTHETIC, case, at("2024-04-01 10:00"))[0]
    fired = fire(SYNTHETIC, case, timer, at("2024-04-01 10:15"))
    assert fired.records == () and fired.skipped is not None
    assert fired.skipped.startswith("not due until")


@pytest.mark.parametrize("kind", ["step_overdue", "term_at_risk"])
def test_fired_and_timers_are_json_ready(kind: str) -> None:
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    timer = next(t for t in timers(SYNTHETIC, case, at("2024-04-01 10:00")) if t.kind == kind)
    fired = fire(SYNTHETIC, case, timer, timer.due).to_dict()
    assert fired["timer"] == {"kind": kind, "step": timer.step, "due": timer.due.isoformat()}
    assert kind in [record["kind"] for record in fired["records"]] and fired["skipped"] is None


def test_a_clock_behind_the_case_is_refused_as_the_engine_refuses_it() -> None:
    case = _at_the_wait()
    SYNTHETIC.poll(case, at("2024-04-05 10:00"))  # nothing to record: the term stands still
    timer = timers(SYNTHETIC, case, at("2024-04-01 12:00"))[0]
    SYNTHETIC.suspend(case, at("2024-04-05 10:00"), "documents requested")
    with pytest.raises(CaseError, match="before the case's last record"):
        fire(SYNTHETIC, case, timer, at("2024-04-04 10:00"))
    step = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    SYNTHETIC.complete(step, "register", at("2024-04-01 10:20"))
    check_a = timers(SYNTHETIC, step, at("2024-04-01 10:20"))[0]
    assert check_a == Timer("step_overdue", "check-a", at("2024-04-01 12:20") + TICK)
    SYNTHETIC.complete(step, "check-b", at("2024-04-01 14:00"))  # check A left overdue
    with pytest.raises(CaseError, match="before the case's last record"):
        fire(SYNTHETIC, step, check_a, at("2024-04-01 12:30"))


def test_the_term_at_risk_does_not_come_once_the_term_has_passed() -> None:
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    risk = next(
        t for t in timers(SYNTHETIC, case, at("2024-04-01 10:00")) if t.kind == "term_at_risk"
    )
    fired = fire(SYNTHETIC, case, risk, at("2024-04-09 10:00"))
    assert fired.records == ()
    assert fired.skipped == "the term has passed its due: term_overdue comes instead"


def test_a_suspension_after_a_step_is_overdue_moves_no_timer() -> None:
    # not polled before: register's overdue timer stays at its due, in the past, and fires at
    # once with the record at 10:30 (not the 11:00 a pushed-back clock would give)
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    SYNTHETIC.suspend(case, at("2024-04-01 12:00"), "documents requested")
    SYNTHETIC.resume(case, at("2024-04-01 12:30"))
    late = Timer("step_overdue", "register", at("2024-04-01 10:30") + TICK)
    assert late in timers(SYNTHETIC, case, at("2024-04-01 12:30"))
    fired = fire(SYNTHETIC, case, late, at("2024-04-01 12:30"))
    assert [(r.kind, r.at) for r in fired.records] == [(Kind.step_overdue, at("2024-04-01 10:30"))]
    assert all(t.step != "register" for t in timers(SYNTHETIC, case, at("2024-04-01 12:30")))


def test_a_suspension_after_the_term_is_overdue_moves_no_timer() -> None:
    # not polled before: the term's overdue timer stays at its due, Mon 8 Apr 18:00, and fires
    # with the record there (not at the 11 Apr 18:00 a pushed-back term would give)
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    SYNTHETIC.complete(case, "register", at("2024-04-01 10:20"))
    SYNTHETIC.suspend(case, at("2024-04-09 11:00"), "documents requested")
    SYNTHETIC.resume(case, at("2024-04-12 11:00"))
    late = Timer("term_overdue", None, at("2024-04-08 18:00") + TICK)
    assert late in timers(SYNTHETIC, case, at("2024-04-12 11:00"))
    fired = fire(SYNTHETIC, case, late, at("2024-04-12 11:00"))
    assert (Kind.term_overdue, at("2024-04-08 18:00")) in [(r.kind, r.at) for r in fired.records]
    assert all(t.kind != "term_overdue" for t in timers(SYNTHETIC, case, at("2024-04-12 11:00")))
