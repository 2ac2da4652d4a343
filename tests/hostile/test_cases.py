"""Every hostile input ends cleanly: exit 1 or 2, the exact lines, within 10 s of CPU and 1 GiB.

The cases are data (``tests/hostile/*/cases.yaml``, described in ``tests/hostile/README.md``); each
runs as a real process so that time and memory can be bounded as a user's machine would bound them.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SECONDS = 10  # of CPU time: the bound a case must meet, whatever else runs on the machine
WALL = 6  # times SECONDS of wall time: a process blocked without using CPU (a FIFO) is a hang too
MEMORY = 1 << 30  # bytes of address space


def _cases() -> list[Any]:
    found = []
    for spec in sorted(HERE.glob("*/cases.yaml")):
        folder = spec.parent.relative_to(ROOT).as_posix()
        for case in yaml.safe_load(spec.read_text("utf-8")):
            found.append(pytest.param(folder, case, id=f"{spec.parent.name}/{case['name']}"))
    return found


CASES = _cases()


def _limits(file_size: int | None, seconds: float) -> Callable[[], None]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
        cpu = max(1, round(seconds))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))  # SIGXCPU, then SIGKILL
        if file_size is not None:  # as `ulimit -f`: no file written grows past file_size bytes
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))

    return limit


def run(
    args: list[str], timeout: float = SECONDS, *, file_size: int | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m reglament ARGS`` from the repository's root, bounded in time and memory (and,
    given ``file_size``, in the size of the files it writes). ``timeout`` is CPU seconds; the wall
    clock allows ``WALL`` times as much, so that a loaded machine does not fail a case that a quiet
    one passes, while a process that blocks still ends."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "reglament", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout * WALL,
        preexec_fn=_limits(file_size, timeout),
        env=env,
        check=False,
    )


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if "__pycache__" not in p.parts}


def test_there_are_cases() -> None:
    assert len(CASES) >= 1


@pytest.mark.parametrize(("folder", "case"), CASES)
def test_case(folder: str, case: dict[str, Any]) -> None:
    args = [str(a).replace("{here}", folder) for a in case["args"]]
    before = _files(ROOT / folder)
    result = run(args)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == case["exit"], output
    assert result.stdout.splitlines() == case["stdout"], output
    if "stderr" in case:
        assert result.stderr.splitlines() == case["stderr"], output
    assert _files(ROOT / folder) == before, "nothing is left behind"
