"""compare (one service across regions and versions) and diff (two versions, cases in flight)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from reglament.audit.compare import compare
from reglament.audit.diff import diff, select
from reglament.cli import app
from reglament.engine import Engine
from reglament.errors import UsageError
from reglament.loader import BUNDLED, load, load_file, load_library

ROOT = Path(__file__).resolve().parents[2]
OLD = BUNDLED / "karaganda-2015" / "semey-compensation.yaml"
NEW = ROOT / "tests" / "fixtures" / "audit" / "semey-compensation-2016.yaml"
ALMATY = ZoneInfo("Asia/Almaty")
runner = CliRunner()


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=ALMATY)


# -- compare ------------------------------------------------------------------------------------------


def test_compare_wheelchairs_across_regions() -> None:
    result = compare(load_library(), "wheelchairs")
    assert [v.label for v in result.versions] == ["atyrau 2012-12-10", "karaganda 2015-10-26"]
    sections = {s.title: s for s in result.sections}
    terms = {r.label: r.cells for r in sections["Channels and terms"].rows}
    assert terms["office: term"] == ("10 working days", "no term")
    assert "overruns by 3 working days" in terms["office: worst case"][0]
    steps = sections["Steps on the office channel (main path, aligned by role)"].rows
    assert len(steps) == 5  # five actions in both acts, aligned one to one
    assert steps[2].cells[0].startswith("review [executor]: 10 working days")
    assert steps[2].cells[1].startswith("prepare [executor]: 8 working days")
    assert steps[1].label == "head"


def test_compare_prosthetic_orthopedic_karaganda_and_kyzylorda() -> None:
    result = compare(load_library(), "prosthetic-orthopedic")
    assert [v.label for v in result.versions] == ["karaganda 2015-10-26", "kyzylorda 2012-06-29"]
    titles = [s.title for s in result.sections]
    assert "Steps on the con channel (main path, aligned by role)" in titles  # Kyzylorda's only
    office = next(s for s in result.sections if s.title.startswith("Steps on the office"))
    executor = next(r for r in office.rows if r.label == "executor")
    assert executor.cells[0].startswith("prepare [executor]: 8 working days")
    assert executor.cells[1].startswith("executor-prepare [executor]: 8 working days")


def test_semey_compensation_and_registration_are_two_services() -> None:
    # Karaganda's registration, compensation and certificate (000:52-183) and Kyzylorda's
    # registration and recording (002:310-828) are different services: compare keeps them apart.
    library = load_library()
    assert [v.reglament.id for v in compare(library, "semey").versions] == ["semey-compensation"]
    registration = compare(library, "semey-registration")
    assert [v.reglament.id for v in registration.versions] == ["semey-registration"]


def test_compare_unknown_service() -> None:
    with pytest.raises(UsageError, match="no service 'nothing'"):
        compare(load_library(), "nothing")


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_cli_compare(fmt: str) -> None:
    result = runner.invoke(app, ["compare", "wheelchairs", "--format", fmt])
    assert result.exit_code == 0, result.output
    assert "karaganda 2015-10-26" in result.output
    if fmt == "json":
        assert json.loads(result.output)["service"] == "wheelchairs"
    assert runner.invoke(app, ["compare", "nothing"]).exit_code == 2


# -- diff ----------------------------------------------------------------------------------------------


def test_structural_diff_of_a_later_version() -> None:
    result = diff(load_file(OLD), load_file(NEW))
    changes = {(c.kind, c.what, c.name) for c in result.changes}
    assert changes == {
        ("changed", "period", "effective"),
        ("added", "term", "variant recognition"),
        ("re-routed", "step", "con-hand-over"),
        ("removed", "step", "con-authorise"),
        ("re-timed", "step", "review"),
        ("re-timed", "step", "process"),
    }
    review = next(c for c in result.changes if c.name == "review")
    assert (review.old, review.new) == ("1 working day", "2 working days")
    assert review.where.startswith(str(NEW.relative_to(ROOT)) + ":")
    removed = next(c for c in result.changes if c.kind == "removed")
    assert removed.where.startswith("reglament/reglaments/karaganda-2015/semey-compensation.yaml:")


def test_diff_of_two_regions() -> None:
    library = load_library()
    result = diff(
        select(library, "wheelchairs@atyrau"), select(library, "wheelchairs@karaganda@2016-01-04")
    )
    kinds = {(c.kind, c.name) for c in result.changes if c.what == "step"}
    assert ("removed", "resolution") in kinds and ("added", "prepare") in kinds
    assert ("re-assigned", "accept") in kinds and ("re-timed", "accept") in kinds
    assert ("removed", "all channels") in {
        (c.kind, c.name) for c in result.changes if c.what == "term"
    }


def _saved_cases() -> list[dict[str, object]]:
    engine = Engine(load(OLD))
    cases = []
    # A: recognition at the executor (17 working days; 15 under the new version)
    a = engine.start(at("2016-02-01 10:00"), "office", "recognition")
    engine.complete(a, "register", at("2016-02-01 10:30"))
    engine.complete(a, "review", at("2016-02-02 11:00"))
    cases.append(a)
    # B: certificate at the head's review (1 working day; 2 under the new version)
    b = engine.start(at("2016-02-03 10:00"), "office", "certificate")
    engine.complete(b, "register", at("2016-02-03 10:20"))
    cases.append(b)
    # C: through the PSC past the log-in step, which the new version removed
    c = engine.start(at("2016-02-04 10:00"), "con", "certificate")
    engine.complete(c, "con-hand-over", at("2016-02-04 10:02"))
    engine.complete(c, "con-authorise", at("2016-02-04 10:03"))
    cases.append(c)
    # D: compensation, just registered: nothing changes for it
    d = engine.start(at("2016-02-05 10:00"), "office", "compensation")
    cases.append(d)
    return [case.to_dict() for case in cases]


def test_cases_in_flight_replanned_under_the_new_version() -> None:
    result = diff(load_file(OLD), load_file(NEW), _saved_cases())
    assert result.cases is not None
    a, b, c, d = result.cases
    process = next(s for s in a.shifts if s.what == "process")
    assert process.words == "earlier by 2 working days"
    term = next(s for s in a.shifts if s.what == "term")
    assert term.old is None and term.new is not None  # the new version gives recognition a term
    review = next(s for s in b.shifts if s.what == "review")
    assert review.words == "later by 1 working day"
    assert c.problem is not None and "con-authorise" in c.problem
    assert not d.changed


def test_cli_diff_with_cases(tmp_path: Path) -> None:
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps(_saved_cases()), encoding="utf-8")
    result = runner.invoke(app, ["diff", str(OLD), str(NEW), "--cases", str(cases)])
    assert result.exit_code == 0, result.output
    assert "step review re-timed: 1 working day → 2 working days" in result.output
    assert "cases in flight: 4; 3 with other due instants under the new version" in result.output
    assert "process: due" in result.output and "earlier by 2 working days" in result.output
    as_json = runner.invoke(app, ["diff", str(OLD), str(NEW), "--cases", str(cases), "-f", "json"])
    data = json.loads(as_json.output)
    assert [c["changed"] for c in data["cases"]] == [True, True, True, False]
    markdown = runner.invoke(app, ["diff", str(OLD), str(NEW), "-f", "markdown"])
    assert markdown.exit_code == 0 and "| re-timed |" in markdown.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nothing@atyrau", str(NEW)], "no reglament 'nothing'"),
        ([str(OLD), "missing.yaml"], "missing.yaml: no such file"),
        (
            [str(OLD), "wheelchairs@karaganda@2016-13-01"],
            "'wheelchairs@karaganda@2016-13-01': 2016-13-01 is an impossible date: there is no "
            "month 13",
        ),
        ([str(OLD), str(NEW), "--cases", "nowhere.json"], "nowhere.json: no such file"),
    ],
)
def test_cli_diff_usage_errors(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["diff", *args])
    assert result.exit_code == 2
    assert message in result.output
