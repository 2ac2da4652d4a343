"""engine.watch: a simulated case replayed as a watcher polling it would see it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from reglament.engine import Engine, Kind
from reglament.engine.simulate import parse_actual, simulate
from reglament.engine.watch import at_risk_from, watch
from reglament.loader import BUNDLED, load

ALMATY = ZoneInfo("Asia/Almaty")
EVERY_EVENT = Path(__file__).parent.parent / "fixtures" / "notifications" / "every-event.yaml"


def test_replaying_on_time_gives_the_same_case_and_no_overdue_step() -> None:
    engine = Engine(load(BUNDLED / "karaganda-2015" / "semey-compensation.yaml"))
    at = dt.datetime(2015, 12, 14, 17, 45, tzinfo=ALMATY)
    timeline = simulate(engine, at, "office", "recognition")
    case = watch(engine, timeline)
    assert case.end == timeline.case.end and case.finished_at == timeline.case.finished_at
    assert not [r for r in case.history if r.kind is Kind.step_overdue]
    # the simulated timeline is left as it is
    assert not [r for r in timeline.case.history if r.kind is Kind.step_overdue]


def test_a_late_step_is_recorded_overdue_at_its_due_time() -> None:
    engine = Engine(load(BUNDLED / "karaganda-2015" / "semey-compensation.yaml"))
    at = dt.datetime(2015, 12, 14, 17, 45, tzinfo=ALMATY)
    timeline = simulate(
        engine, at, "office", "recognition", actuals={"review": parse_actual("3wd")}
    )
    case = watch(engine, timeline)
    overdue = [r for r in case.history if r.kind is Kind.step_overdue]
    assert [(r.step, r.at) for r in overdue] == [
        ("review", dt.datetime(2015, 12, 15, 18, 30, tzinfo=ALMATY))
    ]
    assert [n.record.step for n in engine.notices(case, overdue)] == ["review"]


def test_the_term_comes_at_risk_n_working_days_before_its_end() -> None:
    # every-event: 5 working days from Mon 2 Dec 2024 10:00 → Mon 9 Dec 18:30; at risk
    # (2 working days left) from the opening of Thu 5 Dec; review takes 3 working days,
    # issue 1 more, so the case is still open then.
    engine = Engine(load(EVERY_EVENT))
    at = dt.datetime(2024, 12, 2, 10, 0, tzinfo=ALMATY)
    timeline = simulate(
        engine, at, "office", data={"data_found": True}, answers={"review": "grant"}
    )
    case = watch(engine, timeline)
    assert engine.term_due(case) == dt.datetime(2024, 12, 9, 18, 30, tzinfo=ALMATY)
    assert at_risk_from(engine, case) == dt.datetime(2024, 12, 5, 9, 0, tzinfo=ALMATY)
    risk = [r for r in case.history if r.kind is Kind.term_at_risk]
    assert [r.at for r in risk] == [dt.datetime(2024, 12, 5, 9, 0, tzinfo=ALMATY)]


def test_no_term_no_risk() -> None:
    engine = Engine(load(BUNDLED / "karaganda-2015" / "semey-compensation.yaml"))
    case = engine.start(dt.datetime(2015, 12, 14, 10, 0, tzinfo=ALMATY), "office", "certificate")
    assert at_risk_from(engine, case) is None
