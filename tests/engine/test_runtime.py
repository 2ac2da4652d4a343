"""The engine's API on a synthetic reglament: moves, errors, parallel blocks, waits, the term."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from reglament.engine import Case, Engine, Kind
from reglament.engine.simulate import parse_actual, simulate
from reglament.errors import CaseError, UsageError
from reglament.loader import load

ZONE = ZoneInfo("Asia/Almaty")
FIXTURE = Path(__file__).parent / "fixtures" / "synthetic.yaml"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=ZONE)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load(FIXTURE))


def test_after_hours_submission_is_accepted_at_next_opening(engine: Engine) -> None:
    case = engine.start(at("2024-03-20 18:30"), "office", data={"eligible": True})
    # Wed 20 Mar 2024 after 18:00 → 21–22 Mar Nauryz (Thu, Fri), weekend, 25 Mar (23 Mar, a
    # Saturday, moved to Monday) → Tue 26 Mar 09:00
    assert case.accepted_at == at("2024-03-26 09:00")
    assert case.tokens[0].due == at("2024-03-26 09:30")
    # 5 working days after Tue 26 Mar: 27, 28, 29 Mar, 1, 2 Apr → Tue 2 Apr closing time
    assert case.term_base_due == at("2024-04-02 18:00")


def test_parallel_block_joins_then_waits(engine: Engine) -> None:
    case = engine.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    engine.complete(case, "register", at("2024-04-01 10:30"))
    assert sorted(case.active_steps) == ["check-a", "check-b"]
    due = {t.step: t.due for t in case.tokens}
    assert due["check-a"] == at("2024-04-01 12:30")
    assert due["check-b"] == at("2024-04-02 18:00")
    engine.complete(case, "check-a", at("2024-04-01 12:00"))
    assert case.active_steps == ["check-b"]
    engine.complete(case, "check-b", at("2024-04-02 11:00"))
    assert case.active_steps == ["documents"]


def test_impossible_moves_name_the_allowed_ones(engine: Engine) -> None:
    case = engine.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    with pytest.raises(
        CaseError, match=r"step 'decide' is not active; allowed moves: register: done"
    ):
        engine.complete(case, "decide", at("2024-04-01 11:00"))
    with pytest.raises(CaseError, match="takes no outcome"):
        engine.complete(case, "register", at("2024-04-01 11:00"), "grant")
    with pytest.raises(CaseError, match="before it started"):
        engine.complete(case, "register", at("2024-04-01 09:00"))
    with pytest.raises(UsageError, match="naive datetime"):
        engine.complete(case, "register", dt.datetime(2024, 4, 1, 11))  # noqa: DTZ001
    with pytest.raises(UsageError, match=r"unknown channel 'portal'.*channels: office"):
        engine.start(at("2024-04-01 10:00"), "portal")
    with pytest.raises(UsageError, match="unknown case data 'eligibel'"):
        engine.start(at("2024-04-01 10:00"), "office", data={"eligibel": True})


def test_conditions_decide_and_wait_timeout_refuses(engine: Engine) -> None:
    granted = simulate(engine, at("2024-04-01 10:00"), "office", data={"eligible": True})
    assert granted.case.end == "granted"
    refused = simulate(engine, at("2024-04-01 10:00"), "office", data={"eligible": False})
    assert refused.case.end == "refused"
    timeout = simulate(
        engine,
        at("2024-04-01 10:00"),
        "office",
        data={"eligible": True},
        answers={"documents": "timeout"},
    )
    assert timeout.case.end == "refused"
    assert [r.step for r in timeout.rows][-1] == "documents"


def test_uncounted_wait_and_suspension_push_the_term_back(engine: Engine) -> None:
    timeline = simulate(engine, at("2024-04-01 10:00"), "office", data={"eligible": True})
    # base term: 5 working days after Mon 1 Apr → Mon 8 Apr 18:00. The wait (2 working days,
    # not counted) is the applicant's, who has no schedule: the default one closes at 18:30, so
    # it ran Tue 2 Apr 18:00 → Thu 4 Apr 18:30, 2 working days → the term moves to Wed 10 Apr.
    # The decision, handed over on Thu 4 Apr (at 18:30, after its 18:00 closing), counts its 1
    # working day from the day after: it ends Fri 5 Apr 18:00.
    assert timeline.case.term_base_due == at("2024-04-08 18:00")
    assert timeline.term_due == at("2024-04-10 18:00")
    assert timeline.end == at("2024-04-05 18:00")
    assert timeline.term_met is True

    case = engine.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    engine.suspend(case, at("2024-04-01 11:00"), "documents requested")
    with pytest.raises(CaseError, match="already suspended"):
        engine.suspend(case, at("2024-04-01 12:00"), "again")
    engine.resume(case, at("2024-04-04 11:00"))  # Mon → Thu: 3 working days
    assert engine.term_due(case, at("2024-04-04 12:00")) == at("2024-04-11 18:00")
    kinds = [r.kind for r in case.history]
    assert Kind.suspended in kinds and Kind.resumed in kinds


def test_status_and_poll_report_overdue_once(engine: Engine) -> None:
    case = engine.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    status = engine.status(case, at("2024-04-01 10:15"))
    assert [(s.step, s.state) for s in status.active] == [("register", "on_time")]
    later = at("2024-04-01 11:00")
    assert engine.status(case, later).overdue[0].step == "register"
    first = engine.poll(case, later)
    assert [(r.kind, r.step) for r in first] == [(Kind.step_overdue, "register")]
    assert engine.poll(case, later) == []
    notices = engine.notices(case, first)
    assert [n.template for n in notices] == ["step_overdue"]


def test_case_round_trips_through_json(engine: Engine) -> None:
    case = engine.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    engine.complete(case, "register", at("2024-04-01 10:30"))
    text = json.dumps(case.to_dict())
    again = Case.from_dict(json.loads(text))
    assert again == case
    assert again.to_dict()["schema_version"] == 2
    with pytest.raises(
        UsageError, match=r"^case.schema_version: 99 is not supported \(this reads 1 and 2\)$"
    ):
        Case.from_dict({**case.to_dict(), "schema_version": 99})
    with pytest.raises(UsageError, match=r"^case.reglament: missing \(and 16 more problems\)$"):
        Case.from_dict({"schema_version": 1})


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("45m", 45, "minutes"),
        ("2h", 2, "hours"),
        ("3wd", 3, "working_days"),
        ("5cd", 5, "calendar_days"),
        ("3 working days", 3, "working_days"),
    ],
)
def test_actual_durations(text: str, value: int, unit: str) -> None:
    actual = parse_actual(text)
    assert (actual.value, actual.unit.value) == (value, unit)


def test_actual_durations_refuse_nonsense() -> None:
    with pytest.raises(UsageError) as caught:
        parse_actual("soon")
    assert str(caught.value) == (
        "duration 'soon' not understood; write 45m or 45 minutes, 2h or 2 hours, 3wd or 3 "
        "working days, 5cd or 5 calendar days"
    )


@pytest.mark.parametrize("text", ["3d", "3days", "3 day", "3 D"])
def test_days_without_their_kind_are_refused(text: str) -> None:
    """Undocumented aliases once read as calendar days: working or calendar, it must say."""
    with pytest.raises(UsageError) as caught:
        parse_actual(text)
    assert str(caught.value) == (
        f"duration {text!r}: days alone may be working or calendar days; write 3wd (working "
        "days) or 3cd (calendar days)"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("11324cd", "11324 calendar days is longer than the calendar's whole span"),
        ("99999999999999999999999wd", "at most 11,323 working days"),
        ("271753h", "at most 271,752 hours"),
        ("9" * 5000 + "m", r"999999999999\.\.\. \(5000 digits\) minutes is longer"),
    ],
)
def test_actual_durations_no_longer_than_the_calendar(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_actual(text)
    assert parse_actual("11323cd").value == 11323


def test_nested_parallel_blocks_join_in_their_own_block() -> None:
    engine = Engine(load(Path(__file__).parent / "fixtures" / "nested-parallel.yaml"))
    case = engine.start(at("2024-04-01 10:00"), "office")
    assert sorted((t.step, t.parallel) for t in case.tokens) == [
        ("a", "outer"),
        ("b1", "inner"),
        ("b2", "inner"),
    ]
    engine.complete(case, "a", at("2024-04-01 10:30"))
    assert case.active_steps == ["b1", "b2"]
    engine.complete(case, "b1", at("2024-04-01 11:00"))
    engine.complete(case, "b2", at("2024-04-01 12:00"))
    # the inner block has joined: C belongs to the outer block (whose other branch is done)
    assert [(t.step, t.parallel) for t in case.tokens] == [("c", "outer")]
    engine.complete(case, "c", at("2024-04-01 13:00"))
    assert case.end == "finished"
    again = Case.from_dict(json.loads(json.dumps(case.to_dict())))
    assert again == case
