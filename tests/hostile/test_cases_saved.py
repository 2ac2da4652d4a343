"""Saved cases that once broke the engine (a KeyError, an AttributeError, an OverflowError, an
OSError, an IndexError, a ValueError, or silently nothing), each with the exact error it gives
now through the API: ``Case.from_dict`` alone, against the reglament, and every Engine method.

Each file in ``tests/hostile/cases/`` is a JSON list of one saved case (what ``diff --cases``
reads; those that once failed there are in its ``cases.yaml`` too). The case is the README's
(semey-compensation, Karaganda 2015, at its review) with one thing changed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from reglament.engine import Case, Engine
from reglament.errors import UsageError
from reglament.loader import BUNDLED, load

HERE = Path(__file__).resolve().parent / "cases"
ENGINE = Engine(load(BUNDLED / "karaganda-2015" / "semey-compensation.yaml"))
AT = dt.datetime(2015, 12, 16, 12, 0, tzinfo=ZoneInfo("Asia/Almaty"))
SEMEY = "semey-compensation@karaganda@2015-10-26"

# file → (what it once did, the line it gives now)
EXPECTED = {
    "arrived-list.json": (
        "AttributeError in from_dict",
        "case.arrived: expected an object, got [1]",
    ),
    "year-9999.json": (
        "OverflowError in from_dict",
        "case.tokens[0].due: 9999-12-31T23:00:00-01:00 is outside the calendar's covered range "
        "2000-01-01..2030-12-31",
    ),
    "timezone-folder.json": (
        "IsADirectoryError in from_dict",
        "case.timezone: 'Asia' is not a known time zone",
    ),
    "empty-history.json": (
        "IndexError in term_due",
        "case.history: expected at least 1 item, got none",
    ),
    "term-unit.json": (
        "ValueError in status, term_due and poll",
        "case.term.unit: expected 'minutes', 'hours', 'working_days' or 'calendar_days', "
        "got 'weeks'",
    ),
    "step-number.json": (
        "KeyError in allowed, status and complete",
        "case.tokens[0].step: expected a string, got 7",
    ),
    "unknown-step.json": (
        "KeyError in allowed, status and complete",
        f"case.tokens[0].step: 'revieww' is not a step of {SEMEY}; known: con-hand-over, "
        "con-authorise, con-enter-request, con-query-databases, con-check-data, "
        "con-data-unavailable, con-send, con-register-package, con-check-package, "
        "con-refusal-message, con-hand-refusal, register, review, process, sign, issue, ztmo-pay, "
        "con-hand-result",
    ),
    "other-version.json": (
        "ran on the 2015 version as if it were its own",
        f"case.version: the case is of semey-compensation@karaganda@2011-01-01, not of {SEMEY}",
    ),
    "schema-version-3.json": (
        "a version this one does not write or read (it reads 1 and 2)",
        "case.schema_version: 3 is not supported (this reads 1 and 2)",
    ),
}


def test_every_file_has_its_line() -> None:
    assert sorted(p.name for p in HERE.glob("*.json")) == sorted(EXPECTED)


def _methods(case: Case) -> list[Callable[[], object]]:
    return [
        lambda: ENGINE.allowed(case),
        lambda: ENGINE.complete(case, "review", AT),
        lambda: ENGINE.set_data(case, {}),
        lambda: ENGINE.suspend(case, AT, "documents requested"),
        lambda: ENGINE.resume(case, AT),
        lambda: ENGINE.stopped_intervals(case, AT),
        lambda: ENGINE.term_due(case),
        lambda: ENGINE.term_due(case, AT),
        lambda: ENGINE.status(case, AT),
        lambda: ENGINE.poll(case, AT),
    ]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_saved_case(name: str) -> None:
    (document,) = json.loads((HERE / name).read_text("utf-8"))
    line = EXPECTED[name][1]
    with pytest.raises(UsageError) as raised:
        Case.from_dict(document, ENGINE.reglament)
    assert str(raised.value) == line
    try:
        case = Case.from_dict(document)  # the document alone
    except UsageError as error:
        assert str(error) == line
        return
    for call in _methods(case):  # well formed, but not one of this engine's cases
        with pytest.raises(UsageError) as raised:
            call()
        assert str(raised.value) == line
