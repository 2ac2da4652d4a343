"""runtime.timers.reproject: a new calendar override moves the due instants of an open case; each
timer whose due moved is reported (old, new), and the case is planned again so that the engine
on the new calendar agrees."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings

from reglament.calendar import WorkCalendar
from reglament.engine import Case, Engine, Kind
from reglament.runtime.timers import TICK, Change, reproject, reprojection, timers
from tests.engine.saved_cases import SYNTHETIC, at
from tests.runtime.histories import Live, live_cases

HOLIDAY = """
overrides:
  - {date: 2024-04-02, kind: holiday, name: Test holiday, source: "test decree No. 1"}
"""


def _with_holiday(tmp_path: Path) -> Engine:
    path = tmp_path / "overrides.yaml"
    path.write_text(HOLIDAY, encoding="utf-8")
    return Engine(SYNTHETIC.reglament, WorkCalendar.kazakhstan([path]))


def _at_check_b() -> Case:
    """Mon 1 Apr 2024: registered, check A done; check B (1 working day) under way."""
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    SYNTHETIC.complete(case, "register", at("2024-04-01 10:30"))
    SYNTHETIC.complete(case, "check-a", at("2024-04-01 11:00"))
    return case


def test_a_new_holiday_moves_the_step_and_the_term(tmp_path: Path) -> None:
    new = _with_holiday(tmp_path)
    case = _at_check_b()
    changes = reproject(SYNTHETIC, new, case, at("2024-04-01 11:00"))
    assert changes == [
        Change(
            "step_overdue",
            "check-b",
            at("2024-04-02 18:00") + TICK,  # Tue
            at("2024-04-03 18:00") + TICK,  # Wed: Tue is a holiday now
        ),
        # two working days left: from Thu, now from Fri
        Change("term_at_risk", None, at("2024-04-04 00:00"), at("2024-04-05 00:00")),
        # five working days from Mon: Mon 8 Apr, now Tue 9 Apr
        Change("term_overdue", None, at("2024-04-08 18:00") + TICK, at("2024-04-09 18:00") + TICK),
    ]
    assert changes[0].to_dict() == {
        "kind": "step_overdue",
        "step": "check-b",
        "old": "2024-04-02T18:00:00.000001+05:00",
        "new": "2024-04-03T18:00:00.000001+05:00",
    }
    # the case is planned again, in place: the new engine's timers and polls agree
    assert [t.due for t in timers(new, case, at("2024-04-01 11:00"))] == [c.new for c in changes]
    assert new.poll(case, at("2024-04-02 18:01")) == []
    assert [r.kind for r in new.poll(case, at("2024-04-03 18:01"))] == [Kind.step_overdue]
    assert new.term_due(case) == at("2024-04-09 18:00")


def test_a_holiday_after_every_due_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "later.yaml"
    path.write_text(HOLIDAY.replace("2024-04-02", "2024-05-02"), encoding="utf-8")
    new = Engine(SYNTHETIC.reglament, WorkCalendar.kazakhstan([path]))
    case = _at_check_b()
    before = case.to_dict()
    assert reproject(SYNTHETIC, new, case, at("2024-04-01 11:00")) == []
    assert case.to_dict() == before


def test_a_suspended_case_keeps_its_stopped_clocks(tmp_path: Path) -> None:
    """While suspended no timer runs, so none moves; once resumed, the new calendar applies."""
    new = _with_holiday(tmp_path)
    case = _at_check_b()
    SYNTHETIC.suspend(case, at("2024-04-01 12:00"), "documents requested")
    assert reproject(SYNTHETIC, new, case, at("2024-04-01 12:00")) == []
    new.resume(case, at("2024-04-01 15:00"))
    due = {t.kind: t.due for t in timers(new, case, at("2024-04-01 15:00"))}
    # check B stood still 3 office hours of Monday: pushed back by its unit, working days: none
    assert due["step_overdue"] == at("2024-04-03 18:00") + TICK
    assert due["term_overdue"] == at("2024-04-09 18:00") + TICK


def test_a_finished_case_has_nothing_to_move(tmp_path: Path) -> None:
    new = _with_holiday(tmp_path)
    case = _at_check_b()
    SYNTHETIC.complete(case, "check-b", at("2024-04-01 12:00"))
    SYNTHETIC.complete(case, "documents", at("2024-04-01 12:30"), "event")
    SYNTHETIC.complete(case, "decide", at("2024-04-01 13:00"))
    assert case.finished
    assert reproject(SYNTHETIC, new, case, at("2024-04-01 13:00")) == []


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(live_cases())
def test_the_same_calendar_plans_every_case_as_it_was(live: Live) -> None:
    """Planned again on the same calendar, every case is the same and no timer moves: the
    re-planning asks the owners the engine planned with."""
    before = live.case.to_dict()
    same = Engine(live.engine.reglament)
    assert reproject(live.engine, same, live.case, live.now) == []
    assert live.case.to_dict() == before


def test_the_record_lists_each_due_once(tmp_path: Path) -> None:
    """reprojection appends one record naming the calendars and each due old → new (the due,
    not the tick after it); a suspended case, with no timer running, lists its steps' and
    term's due as the status gives them."""
    new = _with_holiday(tmp_path)
    case = _at_check_b()
    changes, record = reprojection(SYNTHETIC, new, case, at("2024-04-01 11:00"), "A → B")
    assert record is not None and case.history[-1] == record
    assert (record.kind, record.at) == (Kind.reprojected, at("2024-04-01 11:00"))
    assert record.detail.startswith("calendar A → B: check-b: due 2024-04-02T18:00:00+05:00")
    assert [c.kind for c in changes] == ["step_overdue", "term_at_risk", "term_overdue"]
    again = reprojection(new, new, case, at("2024-04-01 11:00"), "B → B")
    assert again == ([], None)

    stopped = _at_check_b()
    SYNTHETIC.suspend(stopped, at("2024-04-01 12:00"), "documents requested")
    changes, record = reprojection(SYNTHETIC, new, stopped, at("2024-04-01 12:00"), "A → B")
    assert record is not None
    assert {(c.kind, c.step) for c in changes} == {("step_due", "check-b"), ("term_due", None)}
