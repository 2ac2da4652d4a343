"""The list's "at risk from" column is the instant the term becomes at risk, as
``Engine.status`` judges it (``procedure/term.py: at_risk_since``), even on a working day the
office does not open: not the start of the day of the next opening."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from reglament.engine import Engine
from reglament.loader import load
from reglament.procedure import term
from reglament.runtime.timers import Timer
from reglament.store.timers import plan

ALMATY = ZoneInfo("Asia/Almaty")
SYNTHETIC = Path(__file__).parent.parent / "engine" / "fixtures" / "synthetic.yaml"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=ALMATY)


def test_at_risk_from_a_working_day_the_office_is_closed(tmp_path: Path) -> None:
    # the office opens Monday to Thursday only; accepted Tue 2 Apr 2024, the 5 working days end
    # Tue 9 Apr: 2 are left after Fri 5 Apr, a working day with the office closed
    text = SYNTHETIC.read_text(encoding="utf-8").replace("mon-fri:", "mon-thu:")
    path = tmp_path / "synthetic.yaml"
    path.write_text(text, encoding="utf-8")
    engine = Engine(load(path))
    case = engine.start(at("2024-04-02 10:00"), "office", data={"eligible": True})
    assert engine.term_due(case) == at("2024-04-09 18:00")
    assert engine.status(case, at("2024-04-05 12:00")).term == "at_risk"
    assert engine.status(case, at("2024-04-04 23:59")).term == "on_time"
    columns, planned = plan(engine, case, case.accepted_at)
    assert columns["at_risk_at"] == at("2024-04-05 00:00")
    clock = engine.compiled.channel_clock["office"]
    days = engine.at_risk_days()
    assert columns["at_risk_at"] == term.at_risk_since(
        clock, case.accepted_at, at("2024-04-09 18:00"), days
    )
    assert Timer("term_at_risk", None, at("2024-04-05 00:00")) in planned
    # a watcher polls at the first opening from then
    assert term.at_risk_from(clock, case.accepted_at, at("2024-04-09 18:00"), days) == at(
        "2024-04-08 09:00"
    )
