"""docs/notifications.md: its Python example runs, its commands exit 0, the messages it quotes
are the real ones."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reglament.cli import app
from tests.renderers.test_overrides import EXPECTED, WARNING

ROOT = Path(__file__).resolve().parent.parent.parent
DOC = (ROOT / "docs" / "notifications.md").read_text("utf-8")


def test_the_python_example_runs() -> None:
    [block] = re.findall(r"```python\n(.*?)```", DOC, re.S)
    exec(compile(block, "docs/notifications.md", "exec"), {})


COMMANDS = [
    line[2:]
    for block in re.findall(r"```console\n(.*?)```", DOC, re.S)
    for line in block.splitlines()
    if line.startswith("$ ")
]


@pytest.mark.parametrize("command", COMMANDS)
def test_the_commands_run(command: str) -> None:
    args = shlex.split(command)
    assert args[0] == "reglament"
    result = CliRunner().invoke(app, args[1:])
    assert result.exit_code == 0, result.output


def test_the_quoted_problems_are_the_real_ones() -> None:
    real = [line.removeprefix("tests/fixtures/notifications/") for line in [*EXPECTED, WARNING]]
    quoted = [
        line.removeprefix("tests/fixtures/notifications/")
        for line in DOC.splitlines()
        if re.match(r"^(tests/fixtures/notifications/)?bad-overrides\.yaml:", line)
    ]
    assert len(quoted) == 6
    for line in quoted:  # "…" stands for what the page leaves out
        pattern = ".*".join(re.escape(piece) for piece in line.split("…"))
        assert any(re.fullmatch(pattern, r) for r in real), line
