"""The PostgreSQL server's own ceiling on this machine, run beside the store's writers: pgbench
(Debian's, from the ``postgresql`` package that ``tools/pg-test`` runs) with its built-in
TPC-B-like transaction (BEGIN, three UPDATEs, a SELECT, an INSERT, END: one committed
transaction of a C client with no application logic), prepared statements, 1 and 4 clients
against the same cluster.

A write of ours is a transaction of about the same size (a row read and updated, timer rows
deleted and inserted, event rows inserted) with a Python engine's move before it, so what
pgbench commits per second here bounds what any number of our writers can.
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from bench.databases import ServerClock

SCALE = 4  # pgbench -i -s: 400,000 accounts, 4 branches (contention as with 4 clients)
SECONDS = 10
_TPS = re.compile(r"^tps = ([\d.]+) \(without initial connection time\)$", re.MULTILINE)
_DONE = re.compile(r"^number of transactions actually processed: (\d+)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Peer:
    """pgbench's committed transactions per second: best and median of its runs."""

    clients: int
    best: float
    median: float
    server_ms: float  # the server's CPU ms per transaction (median of the runs)


def pgbench() -> Path | None:
    """Debian's pgbench, beside the ``initdb`` that ``tools/pg-test`` finds."""
    found = shutil.which("pgbench")
    if found:
        return Path(found)
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pgbench"))
    return candidates[-1] if candidates else None


def _args(url: str) -> list[str]:
    """pgbench's connection options for the database ``url`` names (socket or host)."""
    parsed = make_url(url)
    args = ["-U", parsed.username or "postgres"]
    host = parsed.query.get("host") or parsed.host
    if isinstance(host, tuple):
        host = host[0]
    if host:
        args += ["-h", str(host)]
    if parsed.port:
        args += ["-p", str(parsed.port)]
    return args


def _run(binary: Path, args: list[str], *more: str) -> str:
    done = subprocess.run(
        [str(binary), *args, *more], capture_output=True, text=True, timeout=600, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"pgbench {' '.join(more)} failed: {done.stderr.strip()}")
    return done.stdout


def peers(url: str, clients: tuple[int, ...], runs: int) -> list[Peer]:
    """pgbench's TPC-B-like transaction with each number of ``clients``, ``runs`` runs of
    :data:`SECONDS` each, on tables of their own in the database ``url`` names (created, then
    dropped)."""
    binary = pgbench()
    if binary is None:
        raise RuntimeError("pgbench not found: install Debian's postgresql package")
    database = make_url(url).database or "postgres"
    args = _args(url)
    _run(binary, args, "-i", "-q", "-s", str(SCALE), database)  # pgbench_* tables
    server = ServerClock(url)
    found = []
    try:
        for count in clients:
            rates, costs = [], []
            for _ in range(runs):
                s0 = server.seconds()
                out = _run(
                    binary,
                    args,
                    "-M",
                    "prepared",
                    "-c",
                    str(count),
                    "-j",
                    str(min(count, 2)),
                    "-T",
                    str(SECONDS),
                    "-n",
                    database,
                )
                served = server.seconds() - s0
                match, done = _TPS.search(out), _DONE.search(out)
                if match is None or done is None:
                    raise RuntimeError(f"pgbench printed no tps line: {out[-200:]}")
                rates.append(float(match.group(1)))
                costs.append(1e3 * served / int(done.group(1)))
            rates.sort()
            best, median = rates[-1], rates[len(rates) // 2]
            found.append(Peer(count, best, median, statistics.median(costs)))
    finally:
        _run(binary, args, "-i", "-I", "d", database)
    return found
