"""``reglament serve`` is real: uvicorn started as a subprocess on a free port answers HTTP,
and its log says nothing of a token's secret."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest
from sqlalchemy.engine import Engine

from tests.service.conftest import Token, bearer

REGLAMENT = Path(sys.executable).parent / "reglament"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Served:
    base: str
    process: subprocess.Popen[str]

    def log(self) -> str:
        self.process.send_signal(signal.SIGINT)
        out, _ = self.process.communicate(timeout=30)
        return out


def serve(url: str, tmp: Path) -> Served:
    """``reglament serve`` on a free port, once it answers."""
    port = free_port()
    process = subprocess.Popen(
        [str(REGLAMENT), "serve", "--db", url, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "XDG_CACHE_HOME": str(tmp)},
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):  # up to 60 s for a loaded machine to start it
        if process.poll() is not None:
            pytest.fail(f"reglament serve exited: {process.communicate()[0]}")
        try:
            httpx2.get(f"{base}/openapi.json", timeout=1)
            return Served(base, process)
        except httpx2.TransportError:
            time.sleep(0.1)
    process.kill()
    pytest.fail("reglament serve did not answer in 60 s")


@pytest.fixture
def served(url: str, tmp_path: Path) -> Iterator[Served]:
    running = serve(url, tmp_path)
    yield running
    if running.process.poll() is None:
        running.process.kill()
        running.process.wait()


def test_serve_answers_http_and_logs_no_secret(served: Served, token: Token, db: Engine) -> None:
    secret = token("admin")
    spec = httpx2.get(f"{served.base}/openapi.json", timeout=10).json()
    assert spec["openapi"].startswith("3.1")
    listed = httpx2.get(
        f"{served.base}/v1/tokens?secret={secret}",
        headers={**bearer(secret), "X-Request-Id": "req-42"},
        timeout=10,
    )
    assert listed.status_code == 200 and listed.headers["x-request-id"] == "req-42"
    refused = httpx2.get(f"{served.base}/v1/tokens", headers=bearer(secret + "y"), timeout=10)
    assert refused.status_code == 401
    log = served.log()
    assert "GET /v1/tokens 200 request=req-42 token=admin-atyrau" in log
    assert "GET /v1/tokens 401" in log
    assert secret not in log and secret[4:20] not in log
