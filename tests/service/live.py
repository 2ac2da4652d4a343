"""A live ``reglament serve``: uvicorn as a subprocess on a free port, once it answers. Its log
goes to a temporary file, not a pipe: a pipe nobody drains fills after some 500 requests' lines
(64 KiB), and the server then blocks on its next log line."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

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
    output: IO[str]

    def log(self) -> str:
        """Stop the server (Ctrl-C) and return what it wrote."""
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=30)
        return self.written()

    def written(self) -> str:
        """What the server wrote; its file is closed."""
        with self.output:
            self.output.seek(0)
            return self.output.read()


def serve(url: str, *options: str) -> Served:
    """``reglament serve`` on a free port, with ``options``, once it answers."""
    port = free_port()
    output = tempfile.TemporaryFile("w+")  # noqa: SIM115 (closed by Served.written or below)
    process = subprocess.Popen(
        [str(REGLAMENT), "serve", "--db", url, "--port", str(port), *options],
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):  # up to 60 s for a loaded machine to start it
        if process.poll() is not None:
            pytest.fail(f"reglament serve exited: {Served(base, process, output).written()}")
        try:
            httpx2.get(f"{base}/openapi.json", timeout=1)
            return Served(base, process, output)
        except httpx2.TransportError:
            time.sleep(0.1)
    process.kill()
    process.wait()
    output.close()
    pytest.fail("reglament serve did not answer in 60 s")


@pytest.fixture
def served(url: str) -> Iterator[Served]:
    """``reglament serve`` on the test's database, stopped after the test."""
    running = serve(url)
    yield running
    if running.process.poll() is None:
        running.process.kill()
    running.process.wait(timeout=30)  # reaped
    running.output.close()
