"""The bad-input corpus: every malformed definition gives its exact positioned lines, exit 1.

Each case in ``tests/bad/`` (a file, or a folder for the cases that need several files or none)
is a near-copy of ``tests/fixtures/minimal.yaml`` with one defect; ``tests/bad/expected.yaml``
lists the lines ``reglament validate CASE`` must print. Each case runs twice: through the API
and through the CLI. The schema pass stops a file before the semantic pass (two passes), so a
case shows the problems of one pass only.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from reglament.cli import app
from reglament.loader import load_file, load_library
from reglament.source.yaml_reader import MAX_BYTES

ROOT = Path(__file__).resolve().parent.parent
BAD = Path("tests/bad")  # relative: messages show paths as given, relative to the repository
MINIMAL = Path("tests/fixtures/minimal.yaml")
EXPECTED: dict[str, list[str]] = yaml.safe_load((ROOT / BAD / "expected.yaml").read_text("utf-8"))
CASES = sorted(EXPECTED)


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_the_corpus_is_complete() -> None:
    on_disk = {p.name for p in (ROOT / BAD).iterdir() if p.is_dir() or p.name != "expected.yaml"}
    on_disk.discard("bpmn")  # the BPMN files import-bpmn refuses: tests/test_bad_bpmn.py
    assert on_disk == set(EXPECTED), "every file in tests/bad has an entry in expected.yaml"
    assert len(CASES) >= 35
    assert all(EXPECTED[case] for case in CASES), "every case expects at least one problem"


def test_the_minimal_definition_is_valid() -> None:
    loaded = load_file(MINIMAL)
    assert loaded.ok, [str(p) for p in loaded.problems]


@pytest.mark.parametrize("case", CASES)
def test_api(case: str) -> None:
    library = load_library([BAD / case])
    assert [str(problem) for problem in library.all_problems()] == EXPECTED[case]
    assert not library.ok


@pytest.mark.parametrize("case", CASES)
def test_cli(case: str) -> None:
    result = CliRunner().invoke(app, ["validate", str(BAD / case)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stdout.splitlines()
    assert lines[:-1] == EXPECTED[case]
    assert "invalid" in lines[-1] or "problem(s)" in lines[-1]


@pytest.mark.parametrize("case", [c for c in CASES if not (ROOT / BAD / c).is_dir()])
def test_one_line_per_problem(case: str) -> None:
    """A problem is one line: ``file:line:col: message``, or ``path: message`` for a folder."""
    for line in EXPECTED[case]:
        head, _, _ = line.partition(": ")
        file, line_no, column = head.rsplit(":", 2)
        assert file == f"tests/bad/{case}"
        assert int(line_no) >= 1 and int(column) >= 1


def test_a_very_large_file_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    text = MINIMAL.read_text("utf-8")
    filler = "# " + "x" * 1000 + "\n"
    big.write_text(text + filler * (MAX_BYTES // len(filler) + 1), encoding="utf-8")
    size = big.stat().st_size
    assert size > MAX_BYTES
    expected = [f"{big}:1:1: file is {size:,} bytes; a reglament file may be at most {MAX_BYTES:,}"]
    assert [str(p) for p in load_library([big]).all_problems()] == expected
    result = CliRunner().invoke(app, ["validate", str(big)])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:-1] == expected


def test_deep_nesting_just_under_the_size_limit(tmp_path: Path) -> None:
    """libyaml's composer recurses in C: a 4 MiB file of '[' would crash the interpreter."""
    deep = tmp_path / "deep.yaml"
    half = (MAX_BYTES - 10) // 2
    deep.write_text("id: " + "[" * half + "]" * half + "\n", encoding="utf-8")
    problems = [str(p) for p in load_library([deep]).all_problems()]
    # Behaviour, not one library's wording: PyYAML >= 6.0.4 refuses the flow level itself
    # ("exceeded maximum nesting depth") before our own 64-level limit is reached.
    assert len(problems) == 1, problems
    head, _, message = problems[0].partition(": ")
    file, line, column = head.rsplit(":", 2)
    assert (file, line) == (str(deep), "1") and int(column) >= 1
    assert "nest" in message
    result = CliRunner().invoke(app, ["validate", str(deep)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stdout.splitlines()[0] == problems[0]


def test_a_missing_path_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["validate", "tests/bad/no-such-file.yaml"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: tests/bad/no-such-file.yaml: no such file or folder"


def test_the_messages_quoted_in_the_docs_are_the_real_ones() -> None:
    quoted = [
        line
        for line in (ROOT / "docs" / "format.md").read_text("utf-8").splitlines()
        if line.startswith("tests/bad/")
    ]
    assert len(quoted) >= 5
    every = {line for lines in EXPECTED.values() for line in lines}
    assert [line for line in quoted if line not in every] == []
