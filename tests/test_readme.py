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


def _sessions() -> list[list[tuple[str, list[str]]]]:
    """The ```shell-session blocks: each one session of commands run in order on one store."""
    sessions = []
    for block in re.findall(r"```shell-session\n(.*?)```", README, re.S):
        commands: list[tuple[str, list[str]]] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                commands.append((line[2:], []))
            elif commands and line:
                commands[-1][1].append(line)
        sessions.append(commands)
    return sessions


def test_the_store_session_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The store's example, command after command, on the default store: a SQLite file under
    the data directory (here a fresh one)."""
    sessions = _sessions()
    assert sessions, "the README runs a case through the store"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.delenv("REGLAMENT_DB", raising=False)
    for commands in sessions:
        for command, shown in commands:
            args = shlex.split(command)
            assert args[0] == "reglament"
            result = CliRunner().invoke(app, args[1:])
            assert result.exit_code == 0, (command, result.output)
            for line in shown:
                assert line in result.output, (command, line)
    assert (tmp_path / "reglament" / "cases.db").is_file()
