"""The engine's answers the runtime's timers ask: since when a case is suspended, since when its
term stands still, whether a step's overdue is recorded, the duration a step was given."""

from __future__ import annotations

import pytest

from reglament.errors import UsageError
from reglament.schemas import Unit
from tests.engine.saved_cases import SYNTHETIC, at


def test_suspended_and_standing_since() -> None:
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": False})
    assert SYNTHETIC.suspended_since(case, at("2024-04-01 10:00")) is None
    SYNTHETIC.suspend(case, at("2024-04-01 10:05"), "documents requested")
    assert SYNTHETIC.suspended_since(case, at("2024-04-01 11:00")) == at("2024-04-01 10:05")
    assert SYNTHETIC.term_standing_since(case, at("2024-04-01 11:00")) == at("2024-04-01 10:05")
    SYNTHETIC.resume(case, at("2024-04-01 12:00"))
    assert SYNTHETIC.suspended_since(case, at("2024-04-01 12:00")) is None
    for step, when in (("register", "12:30"), ("check-a", "13:00"), ("check-b", "14:00")):
        SYNTHETIC.complete(case, step, at(f"2024-04-01 {when}"))
    # the wait is not counted in the term: the term stands still from its start, not suspended
    assert SYNTHETIC.suspended_since(case, at("2024-04-01 15:00")) is None
    assert SYNTHETIC.term_standing_since(case, at("2024-04-01 15:00")) == at("2024-04-01 14:00")


def test_overdue_recorded_and_entry_duration() -> None:
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    assert not SYNTHETIC.overdue_recorded(case, "register")
    duration = SYNTHETIC.entry_duration(case, "register")
    assert duration is not None and (duration.value, duration.unit) == (30, Unit.minutes)
    SYNTHETIC.poll(case, at("2024-04-01 11:00"))
    assert SYNTHETIC.overdue_recorded(case, "register")
    assert not SYNTHETIC.overdue_recorded(case, "decide")  # not under way
    assert SYNTHETIC.entry_duration(case, "decide") is None
    with pytest.raises(UsageError, match="unknown step 'nope'"):
        SYNTHETIC.overdue_recorded(case, "nope")
