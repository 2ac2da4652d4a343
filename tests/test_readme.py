"""The README's examples are run, so they cannot rot: the Python block executes, and every
`$ reglament ...` line of the console block exits 0 (with the output the README shows, where it
shows one)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reglament.cli import app

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_python_example_runs() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert blocks, "the README has a Python example"
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})


def _console() -> list[tuple[str, list[str]]]:
    block = re.findall(r"```console\n(.*?)```", README, re.S)[0]
    commands: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        elif commands:
            commands[-1][1].append(line)
    return commands


@pytest.mark.parametrize(
    ("command", "shown"), _console(), ids=lambda c: c if isinstance(c, str) else ""
)
def test_console_example_runs(
    command: str, shown: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # `schema --output` writes here
    args = shlex.split(command)
    assert args[0] == "reglament"
    result = CliRunner().invoke(app, args[1:])
    assert result.exit_code == 0, result.output
    for line in shown:
        assert line in result.output
