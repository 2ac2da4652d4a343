"""The hand-over rule through the public API and the CLI: a step handed over on day D counts
its days from the day after D (docs/calendar.md, "A step handed over"), so no working day is
lost at a hand-over at closing time; ``TermRules(handover="next_opening")`` keeps the old
reading; an application submitted after hours is still accepted at the next opening."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from typer.testing import CliRunner

from reglament.calendar import TermRules
from reglament.cli import app
from reglament.engine import Engine
from reglament.engine.simulate import Timeline, simulate
from reglament.loader import BUNDLED, load

ALMATY = ZoneInfo("Asia/Almaty")
SEMEY = load(BUNDLED / "karaganda-2015" / "semey-compensation.yaml")
WHEELCHAIRS = load(BUNDLED / "karaganda-2015" / "wheelchairs.yaml")
SYNTHETIC = load(Path(__file__).parent / "fixtures" / "synthetic.yaml")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=ALMATY)


def _due(timeline: Timeline, step: str) -> dt.datetime | None:
    return next(row.due for row in timeline.rows if row.step == step)


def test_semey_recognition_process_is_due_on_friday_15_january() -> None:
    timeline = simulate(Engine(SEMEY), at("2015-12-15 10:00"), "office", "recognition")
    # review (1 working day) ends at closing on Fri 18 Dec; process's 17 working days run from
    # Mon 21 Dec, the next working day, not from Tue 22 Dec
    assert _due(timeline, "review") == at("2015-12-18 18:30")
    assert _due(timeline, "process") == at("2016-01-15 18:30")
    assert _due(timeline, "sign") == at("2016-01-18 18:30")
    old = Engine(SEMEY, rules=TermRules(handover="next_opening"))
    assert _due(simulate(old, at("2015-12-15 10:00"), "office", "recognition"), "process") == (
        at("2016-01-18 18:30")
    )


def test_the_cli_shows_the_legal_due() -> None:
    args = ["simulate", "semey-compensation", "--variant", "recognition"]
    result = CliRunner().invoke(app, [*args, "--submitted", "2015-12-15 10:00"])
    assert result.exit_code == 0, result.output
    (process,) = [line for line in result.stdout.splitlines() if line.startswith("process ")]
    assert " ".join(process.split()[1:]) == (
        "executor Fri 2015-12-18 18:30 17 working days Fri 2016-01-15 18:30 Fri 2016-01-15 18:30"
    )
    assert (
        "process: +17 working days from Fri 2015-12-18 (handed over at 18:30; day 1 is the next "
        "working day)" in result.stdout
    )


def test_a_chain_of_1_8_1_working_days_ends_on_the_10th_working_day() -> None:
    for rules, nth in ((None, 10), (TermRules(handover="next_opening"), 12)):
        engine = Engine(WHEELCHAIRS, rules=rules)
        timeline = simulate(engine, at("2015-12-15 10:00"), "office")
        sign = next(row for row in timeline.rows if row.step == "sign")
        calendar = engine.compiled.calendar
        assert calendar.working_days_between(dt.date(2015, 12, 15), sign.end.date()) == nth


def test_an_application_after_hours_is_accepted_at_the_next_opening() -> None:
    timeline = simulate(Engine(SEMEY), at("2015-12-14 19:00"), "office", "recognition")
    assert timeline.case.accepted_at == at("2015-12-15 09:00")
    # Tue 15 Dec, the day of acceptance, is not counted: review is due on Fri 18 Dec
    assert _due(timeline, "review") == at("2015-12-18 18:30")


def test_minutes_then_days_and_days_then_minutes() -> None:
    # register (30 minutes) ends at closing, 18:00: check-b's working day is Tue 2 Apr
    timeline = simulate(
        Engine(SYNTHETIC), at("2024-04-01 17:30"), "office", data={"eligible": True}
    )
    assert _due(timeline, "register") == at("2024-04-01 18:00")
    assert _due(timeline, "check-b") == at("2024-04-02 18:00")
    assert _due(timeline, "check-a") == at("2024-04-02 11:00")  # 2 hours of office time
    # a day step ending at closing is followed by office time from the next opening
    semey = simulate(Engine(SEMEY), at("2015-12-15 10:00"), "office", "recognition")
    assert _due(semey, "sign") == at("2016-01-18 18:30")
    assert _due(semey, "issue") == at("2016-01-19 09:30")
