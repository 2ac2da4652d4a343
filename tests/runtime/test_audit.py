"""runtime.audit: a case's history replayed against its own version, every late step and the
term judged, by how much, each explained as ``simulate`` explains it."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings

from reglament.engine import Case, Kind, Record
from reglament.errors import CaseError, UsageError
from reglament.runtime.audit import Span, audit, replay
from tests.engine.saved_cases import SEMEY, SYNTHETIC, at
from tests.runtime.histories import Live, live_cases

HOUR = 3600


def _run(moves: list[tuple[str, str, str | None]], eligible: bool = True) -> Case:
    """A synthetic case submitted Mon 1 Apr 2024 10:00, then ``moves``: (step, instant,
    outcome), or ("suspend"/"resume", instant, reason)."""
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": eligible})
    for step, when, outcome in moves:
        if step == "suspend":
            SYNTHETIC.suspend(case, at(when), outcome or "")
        elif step == "resume":
            SYNTHETIC.resume(case, at(when))
        else:
            SYNTHETIC.complete(case, step, at(when), outcome)
    return case


ON_TIME = [
    ("register", "2024-04-01 10:30", None),
    ("check-a", "2024-04-01 12:00", None),
    ("check-b", "2024-04-02 10:00", None),
    ("documents", "2024-04-02 11:00", "event"),
    ("decide", "2024-04-03 10:00", None),
]


def test_a_case_done_on_time() -> None:
    report = audit(SYNTHETIC, _run(ON_TIME))
    assert [v.step for v in report.steps] == [
        "register",
        "check-a",
        "check-b",
        "documents",
        "decide",
    ]
    assert report.late == ()
    assert report.term.verdict == "met"
    # 5 working days; the wait, not counted, stood still within Tuesday: no day added
    assert report.term.due == at("2024-04-08 18:00")
    assert report.term.by is not None and report.term.by.working_days == 3  # Thu, Fri, Mon
    text = report.text
    assert "0 steps late" in text and "met, with" in text
    # each due explained as simulate explains it
    assert "+30 minutes of office time" in text and "+5 working days from Mon 2024-04-01" in text


def test_one_step_late_by_office_and_calendar_time() -> None:
    late = [("register", "2024-04-01 11:30", None), *ON_TIME[1:]]
    report = audit(SYNTHETIC, _run(late))
    assert [v.step for v in report.late] == ["register"]
    visit = report.late[0]
    assert visit.due == at("2024-04-01 10:30") and visit.done == at("2024-04-01 11:30")
    assert visit.late == Span(office_seconds=HOUR, working_days=0, calendar_seconds=HOUR)
    assert "register: started Mon 2024-04-01 10:00, due Mon 2024-04-01 10:30, done Mon " in (
        report.text
    )
    assert "LATE by 1 h of office time (0 working days apart; 1 h in calendar time)" in report.text
    assert report.term.verdict == "met"


def test_a_broken_term() -> None:
    slow = [*ON_TIME[:4], ("decide", "2024-04-11 10:00", None)]
    report = audit(SYNTHETIC, _run(slow))
    assert [v.step for v in report.late] == ["decide"]
    assert report.term.verdict == "broken"
    assert report.term.due == at("2024-04-08 18:00") and report.term.ended == at("2024-04-11 10:00")
    # Tue 9 and Wed 10 Apr all day (8 h each) and Thu 11 Apr 09:00-10:00; 3 working days
    assert report.term.by == Span(17 * HOUR, 3, 64 * HOUR)
    assert "BROKEN by 17 h of office time (3 working days apart; 2 days 16 h in calendar time)" in (
        report.text
    )


def test_a_suspension_pushes_the_steps_and_the_term_back() -> None:
    suspended = [
        ("register", "2024-04-01 10:20", None),
        ("suspend", "2024-04-01 10:30", "documents requested"),
        ("resume", "2024-04-03 10:30", None),
        ("check-a", "2024-04-03 12:00", None),  # 2 h from 10:20 Mon, pushed back by 2 days
        ("check-b", "2024-04-04 10:00", None),  # 1 working day from Mon, pushed back by 2
        ("documents", "2024-04-04 11:00", "event"),
        ("decide", "2024-04-10 10:00", None),  # due Fri 5 Apr: late; the term's Wed 10: met
    ]
    report = audit(SYNTHETIC, _run(suspended))
    assert [v.step for v in report.late] == ["decide"]
    check_a = next(v for v in report.steps if v.step == "check-a")
    assert check_a.due == at("2024-04-03 12:20") and check_a.late is None
    assert "pushed back to Wed 2024-04-03 12:20 by the suspensions while it ran" in (
        check_a.explanation
    )
    # pushed back by the two working days it stood still (Mon to Wed)
    assert report.term.verdict == "met" and report.term.due == at("2024-04-10 18:00")
    assert "the term stood still for 2 stretch(es)" in report.term.explanation


def test_an_open_case_is_judged_as_of_an_instant() -> None:
    case = _run(ON_TIME[:2])
    report = audit(SYNTHETIC, case, at("2024-04-03 10:00"))
    check_b = next(v for v in report.steps if v.step == "check-b")
    assert check_b.done is None and check_b.late is not None  # due Tue 18:00, still under way
    assert report.term.verdict == "open" and report.term.ended is None
    assert audit(SYNTHETIC, case, at("2024-04-12 10:00")).term.verdict == "overdue"
    with pytest.raises(UsageError, match="before the case's last record"):
        audit(SYNTHETIC, case, at("2024-04-01 09:00"))


def test_the_report_is_json() -> None:
    report = audit(SEMEY, SEMEY.restore(_semey_case().to_dict()))
    data = json.loads(json.dumps(report.to_dict()))
    assert data["reglament"] == "semey-compensation@karaganda@2015-10-26"
    assert data["steps"][0]["step"] == "register" and data["steps"][0]["late"] is None
    assert set(data["term"]) == {
        "verdict", "allowed", "due", "ended", "by", "explanation", "amount",
    }  # fmt: skip
    assert data["term"]["amount"] is None  # the act states no overall term
    assert data["steps"][0]["allowed"] == "30 minutes"
    assert data["steps"][0]["amount"] == {
        "value": 30,
        "unit": "minutes",
    }  # the same, for a renderer


def _semey_case() -> Case:
    case = SEMEY.start(at("2015-12-14 17:45"), "office", "certificate")
    SEMEY.complete(case, "register", at("2015-12-14 18:05"))
    return case


def test_a_history_the_reglament_does_not_give_is_refused() -> None:
    case = _run(ON_TIME[:1])
    case.history.insert(3, Record(Kind.step_completed, at("2024-04-01 10:40"), "nope"))
    with pytest.raises(CaseError, match=r"record 3 \(step_completed nope at 2024-04-01T10:40"):
        replay(SYNTHETIC, case)
    tampered = _run(ON_TIME[:1])
    tampered.history[2].at = at("2024-04-01 10:25")  # register's completion, moved
    with pytest.raises(CaseError, match="does not replay"):
        audit(SYNTHETIC, tampered)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(live_cases())
def test_every_history_the_engine_made_replays_and_its_overdue_steps_are_late(live: Live) -> None:
    engine, case = live.engine, live.case
    again = replay(engine, case)
    assert (again.tokens, again.end, again.finished_at) == (case.tokens, case.end, case.finished_at)
    report = audit(engine, case, live.now)
    late = {(v.step, v.started) for v in report.late if v.done is not None}
    recorded = {
        (v.step, v.started)
        for v in report.steps
        if v.done is not None
        and any(
            r.kind is Kind.step_overdue and r.step == v.step and v.started <= r.at <= v.done
            for r in case.history
        )
    }
    # a step judged late was recorded overdue (by a poll, or by its late completion), and
    # the other way round
    assert late == recorded
