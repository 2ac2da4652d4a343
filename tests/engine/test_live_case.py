"""Live cases that can be trusted (issue 12, items 1-3): typed data, missing data never decide,
a fixed identity, atomic and ordered moves; through the public API and the CLI."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reglament.cli import app
from reglament.engine import Case, Engine, choose_case
from reglament.engine.batch import simulate_many
from reglament.engine.simulate import simulate
from reglament.errors import CalendarRangeError, CaseError, MissingDataError, UsageError
from reglament.loader import BUNDLED, load
from reglament.procedure import outcomes
from tests.engine.saved_cases import SEMEY, SYNTHETIC, at, synthetic_at_the_calendars_end

ZHAMBYL = Engine(load(BUNDLED / "zhambyl-2017" / "unemployed-registration.yaml"))
MINIMAL = Path(__file__).parents[1] / "fixtures" / "minimal.yaml"
runner = CliRunner()


def _cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def _zhambyl_at_the_decision(data: dict[str, object] | None = None) -> Case:
    case = ZHAMBYL.start(at("2017-11-20 10:00"), "office", data=data)
    ZHAMBYL.complete(case, "office-accept", at("2017-11-20 10:20"))
    ZHAMBYL.complete(case, "office-review", at("2017-11-20 10:40"))
    return case


# -- 1. typed case data ---------------------------------------------------------------------------


def test_a_value_of_the_wrong_type_or_an_unknown_field_is_refused_naming_it() -> None:
    with pytest.raises(UsageError, match=r"^eligible must be true or false, got 'false'$"):
        ZHAMBYL.start(at("2017-11-20 10:00"), "office", data={"eligible": "false"})
    case = _zhambyl_at_the_decision()
    before = case.to_dict()
    with pytest.raises(UsageError, match=r"^unknown case data 'eligable'"):
        ZHAMBYL.set_data(case, {"eligible": True, "eligable": True})
    assert case.to_dict() == before  # nothing half-applied


def test_missing_data_never_decide_a_live_case() -> None:
    case = _zhambyl_at_the_decision()
    before = case.to_dict()
    with pytest.raises(MissingDataError) as raised:
        ZHAMBYL.complete(case, "office-prepare", at("2017-11-20 12:40"))
    assert str(raised.value) == (
        "decision 'office-prepare' cannot be decided: its conditions read eligible, which the "
        "case data do not give; set it with set_data first"
    )
    assert isinstance(raised.value, CaseError) and raised.value.fields == {"eligible"}
    assert case.to_dict() == before
    ZHAMBYL.set_data(case, {"eligible": False})
    ZHAMBYL.complete(case, "office-prepare", at("2017-11-20 12:40"))
    assert case.history[-2].outcome == "refusal"


def test_a_condition_decided_without_the_missing_field_still_decides() -> None:
    # ``x and y`` with x false is false whatever y is: three-valued logic, not "unset is false"
    from reglament.schemas.expr import parse

    condition = parse("channel == 'portal' and eligible")
    unset = frozenset({"eligible"})
    assert condition.missing({"channel": "office"}, unset) == frozenset()
    assert condition.missing({"channel": "portal"}, unset) == unset
    assert parse("not eligible").missing({}, unset) == unset
    assert parse("channel == 'office' or eligible").missing({"channel": "office"}, unset) == set()


def test_simulation_states_what_it_assumes() -> None:
    timeline = simulate(ZHAMBYL, at("2017-11-20 10:00"), "office")
    assert timeline.case.end == "issued"
    assert timeline.case.data == {"eligible": True}
    assert (
        "eligible = true assumed: the case data do not give it, and decision 'office-prepare' "
        "reads it (give it with --data eligible=VALUE)"
    ) in timeline.assumptions
    given = simulate(ZHAMBYL, at("2017-11-20 10:00"), "office", data={"eligible": False})
    assert given.case.end == "refused" and not any("eligible" in a for a in given.assumptions)
    code, output = _cli("simulate", "unemployed-registration@zhambyl")
    assert code == 0 and "eligible = true assumed" in output


def test_the_batch_assumes_as_one_case_does() -> None:
    batch = simulate_many(ZHAMBYL, 30, at("2017-11-20 00:00"), at("2017-12-20 00:00"), "office")
    report = batch.report()
    assert [e.name for e in report.ends] == ["issued"]
    assert any(a.startswith("eligible = true assumed") for a in report.assumptions)


def test_dates_in_data_come_back_as_dates(tmp_path: Path) -> None:
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "  documents_complete: {type: bool}\n",
        "  documents_complete: {type: bool}\n  decided_on: {type: date}\n",
    )
    (tmp_path / "dated.yaml").write_text(text, encoding="utf-8")
    engine = Engine(load(tmp_path / "dated.yaml"))
    case = engine.start(at("2020-01-06 10:00"), "office", "standard", {"decided_on": "2020-01-03"})
    assert case.data["decided_on"] == dt.date(2020, 1, 3)
    engine.set_data(case, {"decided_on": dt.date(2020, 1, 5)})
    document = json.loads(json.dumps(case.to_dict()))
    assert document["data"]["decided_on"] == "2020-01-05"
    again = Case.from_dict(document, engine.reglament)
    assert again.data["decided_on"] == dt.date(2020, 1, 5)
    with pytest.raises(UsageError, match="decided_on must be a date"):
        engine.set_data(case, {"decided_on": dt.datetime(2020, 1, 5, tzinfo=dt.UTC)})


# -- 2. identity ----------------------------------------------------------------------------------


def test_id_and_receipt_are_fixed_at_start_and_saved() -> None:
    case = _zhambyl_at_the_decision()
    receipt, case_id = case.receipt, case.id
    assert receipt.startswith("ZHA-20171120-") and case_id
    ZHAMBYL.set_data(case, {"eligible": True})
    assert (case.receipt, case.id) == (receipt, case_id)  # was a hash of the data
    again = Case.from_dict(json.loads(json.dumps(case.to_dict())), ZHAMBYL.reglament)
    assert (again.receipt, again.id) == (receipt, case_id)
    mine = ZHAMBYL.start(at("2017-11-20 10:00"), "office", case_id="case-1", receipt="Z-1")
    assert (mine.id, mine.receipt) == ("case-1", "Z-1")
    with pytest.raises(UsageError, match="receipt must be a text of 1 to 200 characters"):
        ZHAMBYL.start(at("2017-11-20 10:00"), "office", receipt="")


def test_the_id_is_uuid5_of_the_identity_and_the_receipt_names_the_day() -> None:
    """The case id and the receipt number written out for speed are what ``uuid.uuid5`` and
    ``strftime`` give, for cases with and without data, in Kazakh too."""
    from reglament.engine import case as cases

    datas: list[dict[str, object]] = [{}, {"eligible": True}, {"eligible": False}]
    started = [
        ZHAMBYL.start(at(f"2017-11-{day} 10:00"), "office", data=data)
        for day in range(20, 25)
        for data in datas
    ]
    started.append(SEMEY.start(at("2015-12-14 17:45"), "office", "recognition"))
    for case in started:
        identity = cases._identity(case)
        assert case.id == str(uuid.uuid5(uuid.NAMESPACE_URL, "reglament:case:" + identity))
        assert case.receipt.split("-")[1] == f"{case.submitted_at:%Y%m%d}"
        assert (cases.case_id(case), cases.receipt_number(case)) == (case.id, case.receipt)
    assert len({case.id for case in started}) == len(started)


def test_every_call_checks_the_cases_version_and_reglament() -> None:
    case = _zhambyl_at_the_decision({"eligible": True})
    case.version = "2000-01-01"
    now = at("2017-11-21 10:00")
    calls: list[Callable[[], object]] = [
        lambda: ZHAMBYL.set_data(case, {"eligible": True}),
        lambda: ZHAMBYL.allowed(case),
        lambda: ZHAMBYL.complete(case, "office-prepare", now),
        lambda: ZHAMBYL.suspend(case, now, "x"),
        lambda: ZHAMBYL.resume(case, now),
        lambda: ZHAMBYL.status(case, now),
        lambda: ZHAMBYL.poll(case, now),
        lambda: ZHAMBYL.term_due(case, now),
        lambda: ZHAMBYL.stopped_intervals(case, now),
    ]
    for call in calls:
        with pytest.raises(UsageError, match=r"^case\.version: the case is of "):
            call()
    case.version, case.reglament = "2017-11-17", "jobseeker-registration"
    with pytest.raises(UsageError, match=r"^case\.reglament: "):
        ZHAMBYL.status(case, now)


# -- 3. atomic, ordered moves ---------------------------------------------------------------------


def test_a_move_that_fails_near_the_calendars_end_leaves_the_case_as_it_was() -> None:
    case = Case.from_dict(synthetic_at_the_calendars_end(), SYNTHETIC.reglament)
    SYNTHETIC.complete(case, "check-a", at("2030-12-31 17:00"))
    before = case.to_dict()
    with pytest.raises(CalendarRangeError):
        SYNTHETIC.complete(case, "check-b", at("2030-12-31 17:59"))
    assert case.to_dict() == before  # the step was removed and the case stuck
    assert "check-b" in SYNTHETIC.allowed(case)
    SYNTHETIC.suspend(case, at("2030-12-31 17:59"), "documents requested")  # still usable


def test_instants_never_go_backwards() -> None:
    case = SEMEY.start(at("2013-01-10 10:00"), "office", "certificate", outside_period=True)
    due = SEMEY.term_due(case)
    with pytest.raises(CaseError, match=r"before the case's last record \(accepted at 2013-01"):
        SEMEY.suspend(case, at("2012-01-10 10:00"), "a year before submission")
    assert SEMEY.term_due(case) == due and not case.suspensions
    SEMEY.suspend(case, at("2013-01-10 11:00"), "documents requested")
    SEMEY.resume(case, at("2013-01-11 11:00"))
    with pytest.raises(CaseError, match=r"before the case's last record \(resumed at"):
        SEMEY.complete(case, "register", at("2013-01-10 12:00"))


def test_a_poll_before_the_cases_last_record_is_refused() -> None:
    """``poll`` is refused before the case's last record as the moves are: one ``CaseError``
    sentence naming that record, and the case left as it was (before, a poll there recorded
    events, say the term at risk, in a history already past them)."""
    case = SEMEY.start(at("2015-12-14 10:00"), "office", "certificate")
    SEMEY.complete(case, "register", at("2015-12-14 10:30"))
    SEMEY.suspend(case, at("2015-12-15 10:00"), "documents requested")
    SEMEY.resume(case, at("2015-12-18 10:00"))
    before = case.to_dict()
    with pytest.raises(CaseError) as raised:
        SEMEY.poll(case, at("2015-12-16 12:00"))
    assert str(raised.value) == (
        "the case cannot be polled at 2015-12-16T12:00:00+06:00: that is before the case's last "
        "record (resumed at 2015-12-18T10:00:00+06:00); give an instant at or after it"
    )
    assert case.to_dict() == before
    assert SEMEY.poll(case, at("2015-12-18 10:00")) == []  # at the last record: allowed
    SEMEY.complete(case, "review", at("2015-12-18 11:00"))


def test_start_refuses_a_submission_outside_the_effective_period() -> None:
    with pytest.raises(UsageError) as raised:
        SEMEY.start(at("2013-01-10 10:00"), "office", "certificate")
    assert str(raised.value).startswith(
        "submitted on 2013-01-10, outside the effective period of "
        "semey-compensation@karaganda@2015-10-26 (from 2015-10-26"
    )
    # the version in force on --on, for a case submitted before it was
    args = ["simulate", "semey-compensation", "--on", "2015-12-01", "-v", "certificate"]
    args += ["-s", "2013-01-10 10:00"]
    code, output = _cli(*args)
    assert code == 2 and output.startswith("error: submitted on 2013-01-10, outside the")
    assert len(output.strip().splitlines()) == 1
    code, output = _cli(*args, "--outside-period")
    assert code == 0, output


def test_complete_keeps_who_did_it_and_a_comment() -> None:
    case = _zhambyl_at_the_decision({"eligible": True})
    records = ZHAMBYL.complete(
        case, "office-prepare", at("2017-11-20 12:00"), by="A. Serikova", comment="all in order"
    )
    done = next(r for r in records if r.kind.value == "step_completed")
    assert (done.by, done.comment) == ("A. Serikova", "all in order")
    document = case.to_dict()
    assert document["history"][-2]["by"] == "A. Serikova"
    again = Case.from_dict(json.loads(json.dumps(document)), ZHAMBYL.reglament)
    assert again.history[-2].comment == "all in order"


FILES = sorted(p for p in BUNDLED.rglob("*.yaml") if not p.name.startswith("_"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(BUNDLED)))
def test_save_and_restore_give_the_same_status(path: Path) -> None:
    engine = Engine(load(path))
    choice = choose_case(engine)
    case = engine.start(choice.submitted_at, choice.channel, choice.variant, choice.data)
    for _ in range(3):
        if case.finished:
            break
        token = case.tokens[0]
        step = engine.reglament.steps[token.step]
        outcome = None
        if outcomes.chooser(step) is outcomes.Chooser.caller:
            outcome = outcomes.outcomes(step)[0]
        end = token.due or token.started
        try:
            engine.complete(case, token.step, end, outcome)
        except MissingDataError as missing:
            engine.set_data(case, dict.fromkeys(missing.fields, True))
            engine.complete(case, token.step, end, outcome)
    if not case.finished:
        engine.suspend(case, max(r.at for r in case.history), "documents requested")
    again = Case.from_dict(json.loads(json.dumps(case.to_dict())), engine.reglament)
    assert again.to_dict() == case.to_dict()
    later = max(r.at for r in case.history)
    for days in (0, 1, 5, 40):
        when = later + dt.timedelta(days=days)
        assert Engine(engine.reglament).status(again, when) == engine.status(case, when)


# -- simulate: a loop that makes no progress --------------------------------------------------------


def test_a_loop_without_progress_is_detected() -> None:
    engine = Engine(load(MINIMAL))
    with pytest.raises(UsageError) as raised:
        simulate(
            engine, at("2020-01-06 10:00"), "office", "standard", {"documents_complete": False}
        )
    assert str(raised.value) == (
        "simulation of minimal goes round a loop that never ends (check → ask → check) with "
        "these answers and data; choose another outcome of one of its steps with --answer "
        "STEP=OUTCOME"
    )
    code, output = _cli("simulate", "minimal", "-p", str(MINIMAL), "-d", "documents_complete=false")
    assert code == 2 and output.startswith("error: simulation of minimal goes round a loop")
    timeline = simulate(
        engine,
        at("2020-01-06 10:00"),
        "office",
        "standard",
        {"documents_complete": False},
        {"ask": "timeout"},
    )
    assert timeline.case.end == "refused"
