"""The bad-input corpus of import-bpmn: each file in ``tests/bad/bpmn/`` (not XML, not BPMN, no
process, dangling references, an id given twice, not UTF-8 ...) gives its exact positioned lines
on stderr, exit 1, no traceback and nothing written; ``tests/bad/bpmn/expected.yaml`` lists them.
The hostile ones that need bounds on time and memory (entity bombs, external entities, deep
nesting) run as processes: ``tests/hostile/bpmn``."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from reglament.cli import app

ROOT = Path(__file__).resolve().parent.parent
BAD = Path("tests/bad/bpmn")  # relative: messages show paths as given
EXPECTED: dict[str, list[str]] = yaml.safe_load((ROOT / BAD / "expected.yaml").read_text("utf-8"))


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_the_corpus_is_complete() -> None:
    on_disk = {p.name for p in (ROOT / BAD).iterdir() if p.name != "expected.yaml"}
    assert on_disk == set(EXPECTED)
    assert len(EXPECTED) >= 10


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_refused_in_one_line_per_problem(case: str, tmp_path: Path) -> None:
    out = tmp_path / "drawn.yaml"
    args = [
        "import-bpmn",
        str(BAD / case),
        "--id",
        "drawn",
        "--region",
        "karaganda",
        "-o",
        str(out),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"error: {line}" for line in EXPECTED[case]]
    assert not out.exists() and list(tmp_path.iterdir()) == []
    for line in EXPECTED[case]:  # file:line:column: message
        head, _, _ = line.partition(": ")
        file, line_no, column = head.rsplit(":", 2)
        assert file == f"{BAD}/{case}" and int(line_no) >= 1 and int(column) >= 1


def test_the_lines_quoted_in_the_docs_are_the_real_ones() -> None:
    hostile = yaml.safe_load((ROOT / "tests/hostile/bpmn/cases.yaml").read_text("utf-8"))
    real = {line for lines in EXPECTED.values() for line in lines}
    real |= {line.removeprefix("error: ") for case in hostile for line in case["stderr"]}
    quoted = [
        line
        for line in (ROOT / "docs" / "bpmn.md").read_text("utf-8").splitlines()
        if line.startswith(("tests/bad/bpmn/", "tests/hostile/bpmn/"))
    ]
    assert len(quoted) >= 2
    assert [line for line in quoted if line not in real] == []
