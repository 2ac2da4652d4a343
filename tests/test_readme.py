"""The README's examples are run, so they cannot rot: the Python block executes, and every
`$ reglament ...` line of the console blocks exits 0 (with the output the README shows, where it
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
    commands: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", README, re.S):
        for line in block.splitlines():
            if line.startswith("$ "):
                commands.append((line[2:], []))
            elif commands and line:
                commands[-1][1].append(line)
    return commands


def test_notifications_are_shown_in_each_language() -> None:
    shown = [c for c, _ in _console() if c.startswith("reglament render")]
    assert {re.search(r"--lang (\w+)", c).group(1) for c in shown} == {"kk", "ru", "en"}  # type: ignore[union-attr]


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
