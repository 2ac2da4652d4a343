"""``reglament serve`` is real: uvicorn started as a subprocess on a free port answers HTTP;
docs/service.md's curl examples run against it (each ``$ curl`` line of a ``console`` block
through bash, its output the lines under it); and its log says nothing of a token's secret."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import httpx2
import pytest
from sqlalchemy.engine import Engine

from tests.service.conftest import Token, bearer
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


def test_serve_runs_the_docs_examples_and_logs_no_secret(
    served: Served, token: Token, db: Engine
) -> None:
    if shutil.which("curl") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("curl is not installed (Debian's curl)")
        pytest.skip("curl is not installed")
    clerk, head, admin = token("clerk"), token("head"), token("admin")
    env = {**os.environ, "BASE": served.base, "CLERK": clerk, "HEAD": head}
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
    spec = httpx2.get(f"{served.base}/openapi.json", timeout=10).json()
    assert spec["openapi"].startswith("3.1")
    listed = httpx2.get(
        f"{served.base}/v1/tokens?secret={admin}",
        headers={**bearer(admin), "X-Request-Id": "req-42"},
        timeout=10,
    )
    assert listed.status_code == 200 and listed.headers["x-request-id"] == "req-42"
    log = served.log()
    assert "GET /v1/tokens 200 request=req-42 token=admin-atyrau" in log
    assert "POST /v1/cases/ATY-1/complete 412 request=doc-1 token=clerk-atyrau" in log
    assert "GET /v1/cases 401 request=doc-4 token=-" in log
    for secret in (clerk, head, admin):
        assert secret[4:] not in log
