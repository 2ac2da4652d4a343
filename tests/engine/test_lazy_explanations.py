"""A timeline's explanations are built when read, and read the same as built at once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reglament.engine import Engine
from reglament.engine.simulate import Explained, simulate
from reglament.loader import load
from reglament.procedure import timing

BENCH = Path(__file__).resolve().parents[2] / "bench" / "ten_steps.yaml"


def test_an_explanation_is_built_once_when_first_read() -> None:
    calls: list[int] = []

    def make() -> str:
        calls.append(1)
        return "why"

    explained = Explained(make)
    assert calls == []
    assert explained.text == "why" and explained.text == "why"
    assert calls == [1]
    assert explained == Explained(lambda: "why") and repr(explained) == "'why'"


def test_the_rows_explain_their_deadlines_as_the_calendar_does() -> None:
    engine = Engine(load(BENCH))
    at = dt.datetime(2016, 3, 3, 17, 40, tzinfo=engine.compiled.zone)
    timeline = simulate(engine, at, "office", answers={"decide": "refuse"})
    for row in timeline.rows:
        duration = engine.compiled.duration(row.step, timeline.case.scope())
        assert duration is not None
        deadline = timing.step_deadline(engine.compiled.clock_for(row.step), duration, row.start)
        assert deadline is not None and row.explanation == deadline.explanation
    clock = engine.compiled.channel_clock["office"]
    term = clock.add(timeline.case.accepted_at, 15, "working_days")
    assert timeline.term_explanation == term.explanation
