"""One answer to "is this file valid" (issue 11): ``validate``, ``audit``, every command that runs,
draws or shows a reglament, and the Python API agree on every input of tests/bad/,
tests/fixtures/ and the hostile folders.

- ``audit`` reports exactly ``validate``'s problems, as error findings of the validator's rules
  (each problem kind with its own RG0xx code), and nothing else for an invalid input: an invalid
  file is never run, so it has no term compliance and no other finding.
- ``simulate``, ``render``, ``diagram``, ``show``, ``compare`` and ``diff`` refuse each input
  ``validate`` refuses: exit 1, nothing on stdout, and on stderr each of validate's problem lines
  after ``error:``. They accept each input validate accepts (``show`` and ``diagram`` draw it).
- ``load``, ``load_library`` and ``Library.find`` raise a ``DefinitionError`` with the same
  problems.
- ``validate`` checks templates without the engine, the calendar, holidays, transitions or numpy
  (Jinja only when a file has templates or an SMS of its own to check).
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reglament.audit.findings import VALIDATOR_RULES
from reglament.cli import app
from reglament.errors import DefinitionError
from reglament.loader import load, load_library

ROOT = Path(__file__).resolve().parent.parent
VALIDATOR_CODES = {rule.code for rule in VALIDATOR_RULES.values()}


def _inputs() -> list[str]:
    """Every YAML file of tests/bad/, tests/fixtures/ and tests/hostile/*/, and the folders whose
    files are checked together (versions that overlap, a folder with no reglament, a child and
    its bases), as paths relative to the repository (the way messages show them)."""
    files = [
        *(ROOT / "tests" / "bad").rglob("*.yaml"),
        *(ROOT / "tests" / "fixtures").rglob("*.yaml"),
        *(ROOT / "tests" / "hostile").glob("*/*.yaml"),
    ]
    folders = ["tests/bad/overlap", "tests/bad/empty-folder", "tests/fixtures/extends"]
    return sorted({str(p.relative_to(ROOT)) for p in files}) + folders


INPUTS = _inputs()


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@dataclass(frozen=True)
class Validated:
    """What ``reglament validate PATH`` says: its exit code, its problem lines, and the id of
    the one reglament the input defines (when it defines one that the format accepts)."""

    exit_code: int
    lines: list[str]
    reglament_id: str | None


@functools.cache
def _validate(path: str) -> Validated:
    text = CliRunner().invoke(app, ["validate", path])
    data = CliRunner().invoke(app, ["validate", path, "--format", "json"])
    assert text.exit_code == data.exit_code, text.output + data.output
    lines = text.stdout.splitlines()
    assert lines[-1] == json.loads(data.stdout)["summary"]
    ids = {f["id"] for f in json.loads(data.stdout)["files"] if f["id"] is not None}
    return Validated(text.exit_code, lines[:-1], ids.pop() if len(ids) == 1 else None)


def _line(finding: dict[str, object]) -> str:
    """A finding written as validate writes a problem (FILE:LINE:COLUMN: message (path))."""
    where = f"{finding['file']}:{finding['line']}:{finding['column']}" if finding["line"] else ""
    path = f" ({finding['path']})" if finding["path"] else ""
    return f"{where or finding['file']}: {finding['message']}{path}"


INVALID = [p for p in INPUTS if _validate(p).exit_code == 1]
VALID = [p for p in INPUTS if _validate(p).exit_code == 0]


def test_the_inputs_cover_both_answers_and_every_kind_of_problem() -> None:
    assert len(INVALID) >= 90 and len(VALID) >= 10
    assert set(INVALID) | set(VALID) == set(INPUTS), "validate answers 0 or 1 for each input"
    assert "tests/fixtures/notifications/bad-overrides.yaml" in INVALID
    assert "tests/hostile/validity/misspelt-target.yaml" in INVALID


@pytest.mark.parametrize("path", INPUTS)
def test_audit_reports_exactly_validates_problems(path: str) -> None:
    validated = _validate(path)
    result = CliRunner().invoke(app, ["audit", path, "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    findings = [*report["findings"], *(f for file in report["files"] for f in file["findings"])]
    ours = [f for f in findings if f["code"] in VALIDATOR_CODES]
    assert sorted(_line(f) for f in ours) == sorted(validated.lines)
    assert {f["severity"] for f in ours} <= {"error"}
    assert "RG000" not in {f["code"] for f in ours}, "each problem kind has its own code"
    if validated.exit_code == 1:
        assert result.exit_code == 1
        invalid = {f["file"] for f in report["files"] if not f["ok"]}
        for file in report["files"]:  # an invalid file is never run: its problems, nothing else
            if file["file"] in invalid:
                assert file["terms"] == []
                assert {f["code"] for f in file["findings"]} <= VALIDATOR_CODES


def _commands(path: str, reglament_id: str) -> list[list[str]]:
    commands = [
        ["simulate", reglament_id, "--path", path],
        ["render", reglament_id, "--event", "accepted", "--path", path],
        ["diagram", reglament_id, "--path", path],
        ["show", reglament_id, "--path", path],
        ["compare", reglament_id, "--path", path],
    ]
    if not Path(path).is_dir():
        commands.append(["diff", path, path])
    return commands


@pytest.mark.parametrize("path", INVALID)
def test_every_command_refuses_an_invalid_input_with_validates_lines(path: str) -> None:
    validated = _validate(path)
    expected = [f"error: {line}" for line in validated.lines]
    for command in _commands(path, validated.reglament_id or "minimal"):
        result = CliRunner().invoke(app, command)
        assert (result.exit_code, result.stdout) == (1, ""), (command, result.output)
        assert result.stderr.splitlines() == expected, command


@pytest.mark.parametrize("path", INVALID)
def test_the_api_refuses_an_invalid_input_with_validates_problems(path: str) -> None:
    validated = _validate(path)
    library = load_library([path])
    assert [str(p) for p in library.all_problems()] == validated.lines
    with pytest.raises(DefinitionError) as refused:
        library.find(validated.reglament_id or "minimal")
    assert [str(p) for p in refused.value.problems] == validated.lines
    if not Path(path).is_dir():
        with pytest.raises(DefinitionError) as loaded:
            load(path)
        assert [str(p) for p in loaded.value.problems] == validated.lines


@pytest.mark.parametrize("path", VALID)
def test_a_valid_input_is_shown_and_drawn(path: str) -> None:
    validated = _validate(path)
    assert validated.lines == []
    library = load_library([path])
    for loaded in library.files:
        assert loaded.ok and loaded.reglament is not None
        where = ["--path", path, "--region", loaded.reglament.region]
        on = ["--on", loaded.reglament.effective.from_.isoformat()]
        for command in (["show", loaded.reglament.id], ["diagram", loaded.reglament.id]):
            result = CliRunner().invoke(app, [*command, *where, *on])
            assert result.exit_code == 0, (command, result.output)
            assert result.stdout


HEAVY = ("numpy", "holidays", "transitions", "reglament.engine", "reglament.calendar")
IMPORTED = """
import sys
from reglament.cli import main
try:
    main(["validate", *sys.argv[1:]])
except SystemExit:
    pass
print(" ".join(sorted(m for m in sys.modules if m in HEAVY or m.startswith(HEAVY))))
print("jinja2" in sys.modules)
"""


@pytest.mark.parametrize(
    ("paths", "jinja"),
    [
        ([], False),  # the bundled library: nothing of its own to check in its notifications
        (["tests/fixtures/minimal.yaml"], True),  # an SMS to measure
        (["tests/fixtures/notifications", "tests/hostile/templates"], True),  # own templates
    ],
)
def test_validate_imports_neither_the_engine_nor_the_calendar(
    paths: list[str], jinja: bool
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", f"HEAVY = {HEAVY!r}\n{IMPORTED}", *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    heavy, jinja_imported = done.stdout.splitlines()[-2:]
    assert heavy == ""
    assert jinja_imported == str(jinja)
