"""docs/service.md's curl examples, run against a live ``reglament serve``: each ``$ curl``
line of a ``console`` block through bash, its output the lines under it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.service.conftest import Token
from tests.service.live import Served

DOC = Path(__file__).resolve().parent.parent.parent / "docs" / "service.md"
BLOCK = re.compile(r"```console\n(.*?)```", re.S)


def examples() -> list[tuple[str, list[str]]]:
    found: list[tuple[str, list[str]]] = []
    for block in BLOCK.findall(DOC.read_text("utf-8")):
        for line in block.splitlines():
            if line.startswith("$ "):
                found.append((line[2:], []))
            else:
                found[-1][1].append(line)
    return found


def test_the_docs_have_examples() -> None:
    assert len(examples()) >= 7
    assert all(command.startswith("curl ") for command, _ in examples())


def test_every_curl_example(served: Served, token: Token, db: Engine) -> None:
    if shutil.which("curl") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("curl is not installed (Debian's curl)")
        pytest.skip("curl is not installed")
    env = {**os.environ, "BASE": served.base, "CLERK": token("clerk"), "HEAD": token("head")}
    for command, expected in examples():
        done = subprocess.run(
            ["bash", "-c", command],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert (done.returncode, done.stdout.splitlines()) == (0, expected), command
