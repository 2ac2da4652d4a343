"""Hostile templates beyond one command per file (tests/hostile/templates/cases.yaml): all of
them validated in one run, and simulate on a file with one (refused with validate's line, as
every command refuses an invalid file), each a real process within 10 s and 1 GiB."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.hostile.test_cases import run

HERE = Path(__file__).resolve().parent / "templates"
FOLDER = "tests/hostile/templates"


def test_every_hostile_template_at_once_gives_each_its_own_line() -> None:
    cases = yaml.safe_load((HERE / "cases.yaml").read_text("utf-8"))
    expected = {
        line
        for case in cases
        if case["args"][0] == "validate"
        for line in case["stdout"]
        if line.startswith(FOLDER)
    }
    result = run(["validate", FOLDER])
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 1
    found = set(result.stdout.splitlines())
    # cases.yaml itself is no reglament: the one line more
    assert found - expected == {
        f"{FOLDER}/cases.yaml:4:1: a reglament is a mapping of keys (format, id, title ...), "
        "not a list",
        f"13 file(s) checked: 1 valid, 12 invalid; {len(expected) + 1} problem(s) found.",
    }
    assert expected <= found


def test_simulate_refuses_a_file_with_a_hostile_template_with_validates_line() -> None:
    validated = run(["validate", f"{FOLDER}/multiply.yaml"])
    assert validated.returncode == 1
    [line, _summary] = validated.stdout.splitlines()
    result = run(
        [
            "simulate",
            "multiply",
            "--path",
            f"{FOLDER}/multiply.yaml",
            "--data",
            "documents_complete=true",
            "--answer",
            "check=complete",
            "--format",
            "json",
        ]
    )
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [f"error: {line}"]
