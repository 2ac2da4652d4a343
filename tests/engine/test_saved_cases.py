"""Saved cases: the published schema, the whole document checked by ``Case.from_dict``, a case
checked against the engine it meets, and instants at the calendar's end."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from reglament.cli import app
from reglament.engine import Case, Engine, Kind
from reglament.errors import CalendarRangeError, UsageError
from reglament.schemas import TIMED_UNITS
from reglament.schemas.case import CASE_SCHEMA_FILE, KIND_NAMES, TERM_UNITS, case_schema_text
from tests.engine.saved_cases import (
    BASES,
    SEMEY,
    SYNTHETIC,
    at,
    case_validator,
    semey_halfway,
    synthetic_at_the_calendars_end,
    synthetic_in_parallel,
)

ROOT = Path(__file__).resolve().parents[2]
DROP = object()  # a key taken out of the document
SEMEY_NAME = "semey-compensation@karaganda@2015-10-26"
SYNTHETIC_NAME = "synthetic@testland@2024-01-01"
HOLDING_SEMEY = (
    "con-hand-over, con-authorise, con-enter-request, con-query-databases, con-check-data, "
    "con-data-unavailable, con-send, con-register-package, con-check-package, con-refusal-message, con-hand-refusal, "
    "register, review, process, sign, issue, ztmo-pay, con-hand-result"
)


def changed(document: dict[str, Any], path: tuple[str | int, ...], value: object) -> Any:
    """A deep copy of ``document`` with the value at ``path`` replaced (or dropped)."""
    result = copy.deepcopy(document)
    parent: Any = result
    for key in path[:-1]:
        parent = parent[key]
    if value is DROP:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return result


# -- the published schema ---------------------------------------------------------------------------


def test_the_shipped_case_schema_is_up_to_date() -> None:
    assert CASE_SCHEMA_FILE.read_text("utf-8") == case_schema_text(), (
        f"{CASE_SCHEMA_FILE.relative_to(ROOT)} is stale: run `make schema` and commit it"
    )
    assert CliRunner().invoke(app, ["schema", "--case"]).stdout == case_schema_text()


def test_one_schema_at_a_time() -> None:
    result = CliRunner().invoke(app, ["schema", "--case", "--timeline"])
    assert result.exit_code == 2
    assert result.output == "error: --timeline and --case are two schemas: give one of them\n"


def test_the_documents_words_are_the_engines() -> None:
    assert tuple(kind.value for kind in Kind) == KIND_NAMES
    assert set(TERM_UNITS) == {unit.value for unit in TIMED_UNITS}


@pytest.mark.parametrize("name", sorted(BASES))
def test_saved_cases_of_real_runs_meet_the_schema_and_come_back(name: str) -> None:
    engine, document = BASES[name]
    validator = case_validator()
    assert [e.message for e in validator.iter_errors(document)] == []
    text = json.dumps(document)
    again = Case.from_dict(json.loads(text), engine.reglament)
    assert again.to_dict() == document
    assert not validator.is_valid({**document, "surprise": 1})
    assert not validator.is_valid(changed(document, ("history",), []))


EMPTY_RECORD = {"step": None, "outcome": None, "detail": "", "by": None, "comment": None}


def schema_version_1(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` as schema version 1 wrote it: every key of every record, empty or not."""
    return {
        **document,
        "schema_version": 1,
        "history": [{**EMPTY_RECORD, **record} for record in document["history"]],
    }


@pytest.mark.parametrize("name", sorted(BASES))
def test_a_case_saved_in_schema_version_1_comes_back_the_same(name: str) -> None:
    """Version 2 leaves out a record's empty keys; version 1 documents, with all of them, are
    still read (by ``Case.from_dict`` and ``Engine.restore``) into the same case, saved again
    as version 2."""
    engine, document = BASES[name]
    old = schema_version_1(document)
    assert document["schema_version"] == 2 and old != document
    assert not any(
        record.get(key, "x") in (None, "") for record in document["history"] for key in EMPTY_RECORD
    )
    assert [e.message for e in case_validator().iter_errors(old)] == []
    new_case = Case.from_dict(json.loads(json.dumps(document)), engine.reglament)
    assert Case.from_dict(json.loads(json.dumps(old)), engine.reglament) == new_case
    assert engine.restore(json.loads(json.dumps(old))) == new_case
    assert engine.restore(old).to_dict() == document
    assert len(json.dumps(document)) < len(json.dumps(old))


# -- the document, with no reglament ------------------------------------------------------------------

DOCUMENT_ERRORS = [
    (("arrived",), [1], "case.arrived: expected an object, got [1]"),
    (
        ("arrived", "checked"),
        ["1"],
        'case.arrived.checked[0]: expected a whole number, got "1"'.replace('"', "'"),
    ),
    (("tokens", 0, "id"), True, "case.tokens[0].id: expected a whole number, got True"),
    (("tokens", 0, "step"), 7, "case.tokens[0].step: expected a string, got 7"),
    (("tokens", 0, "due"), DROP, "case.tokens[0].due: missing"),
    (
        ("tokens", 0, "late"),
        True,
        "case.tokens[0].late: unknown key; allowed: id, step, started, due, parallel, unit",
    ),
    (
        ("tokens", 0, "due"),
        "9999-12-31T23:00:00-01:00",
        "case.tokens[0].due: 9999-12-31T23:00:00-01:00 is outside the calendar's covered range "
        "2000-01-01..2030-12-31",
    ),
    (
        ("submitted_at",),
        "2031-01-01T05:30:00+06:00",  # Almaty keeps +05:00 from 2024: 00:30 on 1 January is out
        "case.submitted_at: 2031-01-01T05:30:00+06:00 is outside the calendar's covered range "
        "2000-01-01..2030-12-31",
    ),
    (
        ("accepted_at",),
        "2030-12-31T22:00:00-03:00",  # 2031-01-01 06:00 in Almaty
        "case.accepted_at: 2030-12-31T22:00:00-03:00 is outside the calendar's covered range "
        "2000-01-01..2030-12-31",
    ),
    (
        ("history", 1, "at"),
        "2015-12-14 17:45",
        "case.history[1].at: expected an ISO 8601 instant with its UTC offset, e.g. "
        "2015-12-14T17:45:00+06:00, got '2015-12-14 17:45'",
    ),
    (
        ("history", 1, "at"),
        "2015-02-30T10:00:00+06:00",
        "case.history[1].at: '2015-02-30T10:00:00+06:00' is not a real instant (day is out of "
        "range for month)",
    ),
    (
        ("history", 0, "kind"),
        "born",
        "case.history[0].kind: expected 'accepted', 'step_started', 'step_completed', "
        "'step_overdue', 'term_at_risk', 'term_overdue', 'suspended', 'resumed', "
        "'data_unavailable', 'refused', 'result_ready', 'ended', 'migrated' or 'reprojected', "
        "got 'born'",
    ),
    (("history",), [], "case.history: expected at least 1 item, got none"),
    (
        ("term", "unit"),
        "weeks",
        "case.term.unit: expected 'minutes', 'hours', 'working_days' or 'calendar_days', "
        "got 'weeks'",
    ),
    (("timezone",), "Asia", "case.timezone: 'Asia' is not a known time zone"),
    (
        ("timezone",),
        "Asia/Almaty/" + "x" * 300,
        "case.timezone: string should have at most 64 characters, got "
        "'Asia/Almaty/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...",
    ),
    (
        ("version",),
        "2024-13-01",
        "case.version: '2024-13-01' is not a real date (month must be in 1..12)",
    ),
    (
        ("data", "eligible"),
        [True],
        "case.data.eligible: expected a string, a whole number, true, false or null, got [True]",
    ),
    (("next_token",), 0, "case.next_token: expected 1 or more, got 0"),
    (("schema_version",), 3, "case.schema_version: 3 is not supported (this reads 1 and 2)"),
    (("schema_version",), "1", "case.schema_version: '1' is not supported (this reads 1 and 2)"),
    (
        ("finished_at",),
        "2024-04-02T10:00:00+05:00",
        "case.finished_at: given exactly when the case has an end",
    ),
    (
        ("variant",),
        DROP,
        "case.variant: missing",
    ),
]


@pytest.mark.parametrize(("path", "value", "message"), DOCUMENT_ERRORS)
def test_the_whole_document_is_checked(
    path: tuple[str | int, ...], value: object, message: str
) -> None:
    document = changed(synthetic_in_parallel(), path, value)
    with pytest.raises(UsageError) as raised:
        Case.from_dict(document)
    assert str(raised.value) == message


def test_only_the_first_problem_is_spelled_out() -> None:
    document = changed(synthetic_in_parallel(), ("tokens", 0, "id"), "1")
    document = changed(document, ("region",), None)
    with pytest.raises(UsageError) as raised:
        Case.from_dict(document)
    assert str(raised.value) == "case.region: expected a string, got None (and 1 more problem)"
    with pytest.raises(UsageError, match=r"^case: expected an object \(a saved case\), got \[\]$"):
        Case.from_dict([])  # type: ignore[arg-type]


# -- the case against its reglament -----------------------------------------------------------------

REGLAMENT_ERRORS = [
    (
        ("tokens", 0, "step"),
        "revieww",
        f"case.tokens[0].step: 'revieww' is not a step of {SEMEY_NAME}; known: {HOLDING_SEMEY}",
    ),
    (
        ("tokens", 0, "step"),
        "issued",
        f"case.tokens[0].step: 'issued' is a end step of {SEMEY_NAME}, not a task, decision or "
        f"wait; known: {HOLDING_SEMEY}",
    ),
    (
        ("end",),
        "review",
        f"case.end: 'review' is a task step of {SEMEY_NAME}, not an end; known: issued, paid, "
        "refused, data-unavailable",
    ),
    (
        ("history", 2, "step"),
        "regster",
        f"case.history[2].step: 'regster' is not a step of {SEMEY_NAME}; known: con-hand-over, "
        "con-authorise, con-enter-request, con-query-databases, con-check-data, "
        "con-data-unavailable, con-send, con-register-package, con-check-package, "
        "con-refusal-message, con-hand-refusal, register, review, process, sign, issue, "
        "ztmo-pay, con-hand-result, issued, paid, refused, data-unavailable",
    ),
    (
        ("arrived",),
        {"review": [1]},
        f"case.arrived.review: 'review' is a task step of {SEMEY_NAME}, not a join; known: none",
    ),
    (
        ("channel",),
        "portal",
        f"case.channel: 'portal' is not a channel of {SEMEY_NAME}; known: office, con, ztmo",
    ),
    (
        ("variant",),
        "gold",
        f"case.variant: 'gold' is not a variant of {SEMEY_NAME}; known: recognition, "
        "certificate, compensation",
    ),
    (
        ("data",),
        {"eligible": True},
        "case.data.eligible: unknown case data 'eligible' for semey-compensation; declared: none",
    ),
    (
        ("timezone",),
        "Asia/Aqtobe",
        f"case.timezone: 'Asia/Aqtobe' is not {SEMEY_NAME}'s time zone Asia/Almaty",
    ),
    (
        ("version",),
        "2011-01-01",
        f"case.version: the case is of semey-compensation@karaganda@2011-01-01, not of {SEMEY_NAME}",
    ),
    (
        ("reglament",),
        "wheelchairs",
        f"case.reglament: the case is of wheelchairs@karaganda@2015-10-26, not of {SEMEY_NAME}",
    ),
]


@pytest.mark.parametrize(("path", "value", "message"), REGLAMENT_ERRORS)
def test_the_case_is_checked_against_its_reglament(
    path: tuple[str | int, ...], value: object, message: str
) -> None:
    document = changed(semey_halfway(), path, value)
    if path == ("end",):
        document["finished_at"] = document["history"][-1]["at"]
    case = Case.from_dict(document)  # the document alone is well formed
    with pytest.raises(UsageError) as raised:
        Case.from_dict(document, SEMEY.reglament)
    assert str(raised.value) == message
    for call in (
        lambda: SEMEY.allowed(case),
        lambda: SEMEY.status(case, at("2015-12-16 12:00")),
        lambda: SEMEY.poll(case, at("2015-12-16 12:00")),
        lambda: SEMEY.complete(case, "review", at("2015-12-16 12:00")),
        lambda: SEMEY.term_due(case),
    ):
        with pytest.raises(UsageError) as raised:
            call()
        assert str(raised.value) == message


def test_a_case_of_another_reglament_names_both() -> None:
    case = Case.from_dict(semey_halfway())
    message = f"case.reglament: the case is of {SEMEY_NAME}, not of {SYNTHETIC_NAME}"
    when = at("2024-04-01 12:00")
    for call in (
        lambda: SYNTHETIC.allowed(case),
        lambda: SYNTHETIC.complete(case, "review", when),
        lambda: SYNTHETIC.set_data(case, {"eligible": True}),
        lambda: SYNTHETIC.suspend(case, when, "documents"),
        lambda: SYNTHETIC.resume(case, when),
        lambda: SYNTHETIC.status(case, when),
        lambda: SYNTHETIC.poll(case, when),
        lambda: SYNTHETIC.term_due(case, when),
        lambda: SYNTHETIC.stopped_intervals(case, when),
    ):
        with pytest.raises(UsageError) as raised:
            call()
        assert str(raised.value) == message


def test_case_data_must_have_its_declared_type() -> None:
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    with pytest.raises(UsageError, match=r"^eligible must be true or false, got 'yes'$"):
        SYNTHETIC.set_data(case, {"eligible": "yes"})
    with pytest.raises(UsageError, match=r"^eligible must be true or false, got 1$"):
        SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": 1})
    SYNTHETIC.set_data(case, {"eligible": None})  # not known (any more)
    assert case.data == {"eligible": None}


# -- instants at the calendar's end -------------------------------------------------------------------


def test_instants_passed_in_are_inside_the_calendar() -> None:
    case = Case.from_dict(synthetic_in_parallel(), SYNTHETIC.reglament)
    far = at("9999-12-31 23:00")
    message = (
        "9999-12-31T23:00:00+05:00 is outside the calendar's covered range 2000-01-01..2030-12-31"
    )
    for call in (
        lambda: SYNTHETIC.start(far, "office"),
        lambda: SYNTHETIC.complete(case, "check-b", far),
        lambda: SYNTHETIC.suspend(case, far, "documents"),
        lambda: SYNTHETIC.resume(case, far),
        lambda: SYNTHETIC.status(case, far),
        lambda: SYNTHETIC.poll(case, far),
        lambda: SYNTHETIC.term_due(case, far),
        lambda: SYNTHETIC.stopped_intervals(case, far),
    ):
        with pytest.raises(CalendarRangeError) as raised:
            call()
        assert str(raised.value) == message
    with pytest.raises(
        UsageError, match=r"^expected an aware datetime, got datetime.date\(9999, 12, 31\)$"
    ):
        SYNTHETIC.status(case, far.date())  # type: ignore[arg-type]


def test_a_move_whose_next_step_falls_after_the_calendar_is_a_range_error() -> None:
    engine: Engine = SYNTHETIC
    case = Case.from_dict(synthetic_at_the_calendars_end(), engine.reglament)
    engine.complete(case, "check-a", at("2030-12-31 17:00"))  # the join waits for check-b
    with pytest.raises(
        CalendarRangeError,
        match=r"^2030-12-31 \+ 2 working days falls after the calendar's covered range "
        r"2000-01-01\.\.2030-12-31$",
    ):
        engine.complete(case, "check-b", at("2030-12-31 17:59"))  # the wait's limit: 2031
    case = Case.from_dict(synthetic_at_the_calendars_end(), engine.reglament)
    engine.suspend(case, at("2030-12-31 17:00"), "documents requested")
    assert engine.term_due(case, at("2030-12-31 23:59")) == at("2030-12-31 18:00")
    engine.complete(case, "check-b", at("2030-12-31 17:30"))
    with pytest.raises(CalendarRangeError, match="falls after the calendar's covered range"):
        engine.complete(case, "check-a", at("2030-12-31 17:45"))
