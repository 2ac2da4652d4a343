"""A live ``reglament serve``: uvicorn as a subprocess on a free port, once it answers."""

from __future__ import annotations

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


def serve(url: str, *options: str) -> Served:
    """``reglament serve`` on a free port, with ``options``, once it answers."""
    port = free_port()
    process = subprocess.Popen(
        [str(REGLAMENT), "serve", "--db", url, "--port", str(port), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
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
def served(url: str) -> Iterator[Served]:
    """``reglament serve`` on the test's database, stopped after the test."""
    running = serve(url)
    yield running
    if running.process.poll() is None:
        running.process.kill()
    running.process.communicate(timeout=30)  # reaped, its pipe closed
