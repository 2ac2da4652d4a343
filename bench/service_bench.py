"""The HTTP service under load: ``reglament serve`` (uvicorn, a real process on a free port of
the loopback) driven by locust (``bench/service_load.py``, headless, a process of its own).

Each run: a fresh database (SQLite on disk, or a schema of its own on PostgreSQL), a clerk's
and a head's token of Atyrau, and cases of targeted social assistance started in the store
beforehand (not timed), each with two steps for the clients to complete: ``ab-accept`` (the
executor's: the clerk's token) and then ``resolution`` (the management's: the head's). Every
client owns its cases; it sends a bounded number of requests, mixed: a case read
(``GET /v1/cases/{receipt}``), a case list with filters (the clerk's by reglament, the head's
overdue report), the reglament read (``GET /v1/reglaments/{ref}``) and step completions
(``POST .../complete`` with ``If-Match`` at the revision it knows and a new
``Idempotency-Key``; one in five sent a second time with the same key). The run is bounded
in count (requests per client) and in time (locust's ``--run-time``), and stops by itself.

Afterwards the store is read back: every completion answered 200 is in its case's history
exactly once, every repeated key was answered as the first time and applied nothing more.

``python -m bench --only service`` runs 100 and 500 clients with no pause (closed loop), and
100 clients paced to 200 requests/s in all, on SQLite and on PostgreSQL
(``REGLAMENT_TEST_PG_URL``, ``tools/pg-test start``; without it those rows are skipped with a
note); it writes its section of BENCHMARKS.md between ``service:start`` and ``service:end``.
No timed assertions: it measures and reports (tests/service/test_load.py runs a small one).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx2

from bench.databases import pg_db, sqlite_db
from bench.report import cpu_model, write_section
from reglament.loader import load_library
from reglament.store import Request, Store, Who, connect, store_url, tokens

START, END = "<!-- service:start -->", "<!-- service:end -->"
PG_ENV = "REGLAMENT_TEST_PG_URL"
LOCUSTFILE = Path(__file__).with_name("service_load.py")
REGLAMENT = Path(sys.executable).parent / "reglament"
REF = "targeted-social-assistance@atyrau"
ATYRAU = dt.timezone(dt.timedelta(hours=5))
SUBMITTED = dt.datetime(2013, 1, 9, 10, tzinfo=ATYRAU)
MOVES = (("ab-accept", "clerk", 1), ("resolution", "head", 2))  # step, role, days after
NOW = dt.datetime(2013, 1, 10, 9, 0, tzinfo=dt.UTC)  # tokens' and seeded cases' record time
GROUPS = ("case read", "case list", "reglament read", "step completion")
REPEATED = "step completion, key repeated"
WEIGHTS = (4, 2, 2, 2)  # of GROUPS: reads 80%, completions 20%
LISTS = (
    {"role": "clerk", "query": "reglament=targeted-social-assistance&limit=20"},
    {"role": "head", "query": "overdue=true&limit=20"},
)
SEED = 20250101
TARGETS = {"case read": 50.0, "step completion": 100.0}  # p99 ms at 200 requests/s
TARGET_RATE = 200  # requests/s offered, at which the p99 targets hold
OPEN_ZAAK_MS = 150.0  # Open Zaak's reported median for listing cases, one user


@dataclass(frozen=True, slots=True)
class Load:
    """One run's shape: clients, requests per client, the pace (requests/s per client; 0:
    none), the time limit, the server's processes."""

    clients: int
    requests: int
    pace: float
    seconds: int
    repeat: float = 0.2
    workers: int = 1  # reglament serve --workers

    @property
    def completions(self) -> int:
        """Steps a client's cases hold: 30% of its requests (a fifth of them are
        completions; a client whose steps run out reads a case instead)."""
        return -(-self.requests * 3 // 10)


@dataclass(frozen=True, slots=True)
class Group:
    count: int
    failed: int
    p50: float
    p95: float
    p99: float
    rate: float  # answers per second over the run


@dataclass
class Result:
    load: Load
    database: str
    groups: dict[str, Group]
    seconds: float
    statuses: Counter[int]
    applied: int  # completions answered 200, each found once in its case's history
    repeated: int  # repeated keys answered as the first time, nothing applied again
    wrong: list[str] = field(default_factory=list)  # what did not hold (empty: all did)
    server_cpu: float = 0.0  # the server process's CPU seconds over the run
    client_cpu: float = 0.0  # locust's

    @property
    def total(self) -> int:
        return sum(g.count for g in self.groups.values())


# -- the data -------------------------------------------------------------------------------


def prepare(url: str, load: Load, folder: Path) -> dict[str, Any]:
    """Tokens and each client's cases in the database at ``url``; the plan locust reads."""
    db = connect(store_url(url))
    secrets = {
        role: tokens.create(db, role, "atyrau", actor, f"load-{role}", NOW)[1]
        for role, actor in (("clerk", "executor"), ("head", None))
    }
    store = Store(db, load_library(), lambda: NOW)
    reglament = store.library.choose(REF, on=SUBMITTED.date()).reglament
    per_client = max(1, -(-load.completions // len(MOVES)))  # enough steps for every request
    users = []
    for client in range(load.clients):
        mine = []
        for n in range(per_client):
            at = SUBMITTED + dt.timedelta(minutes=n)
            receipt = f"L-{client}-{n}"
            written = store.start(
                reglament,
                at,
                "office",
                request=Request(Who("seed", "clerk")),
                receipt=receipt,
                case_id=receipt.lower(),
            )
            moves = [
                [step, role, (at + dt.timedelta(days=days)).isoformat()]
                for step, role, days in MOVES
            ]
            mine.append(
                {"receipt": receipt, "revision": written.response["revision"], "moves": moves}
            )
        users.append(mine)
    store.close()
    db.dispose()
    return {
        "tokens": secrets,
        "reglament": REF,
        "users": users,
        "requests": load.requests,
        "pace": load.pace,
        "weights": list(WEIGHTS),
        "lists": list(LISTS),
        "repeat": load.repeat,
        "seed": SEED,
        "out": str(folder / "samples.json"),
    }


# -- the processes --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of process ``pid`` and of its running descendants so far
    (``/proc/PID/stat``; uvicorn's workers are the supervisor's children)."""
    fields = Path(f"/proc/{pid}/stat").read_text("ascii").rsplit(")", 1)[1].split()
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(cpu_seconds(child) for child in _children(pid))


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text("ascii").split()]
    return found


@contextmanager
def serving(
    url: str, folder: Path, workers: int = 1
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``reglament serve --workers N`` on the database at ``url``, on a free port, once each
    worker answers."""
    port = free_port()
    log = (folder / "serve.log").open("wb")
    process = subprocess.Popen(
        [str(REGLAMENT), "serve", "--db", url, "--port", str(port), "--workers", str(workers)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "XDG_CACHE_HOME": str(folder)},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # up to 60 s on a loaded machine
            if process.poll() is not None:
                raise RuntimeError(f"reglament serve exited: {(folder / 'serve.log').read_text()}")
            try:
                httpx2.get(f"{base}/openapi.json", timeout=1)
                break
            except httpx2.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("reglament serve did not answer in 60 s")
        _all_started(process, workers)
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _all_started(process: subprocess.Popen[bytes], workers: int) -> None:
    """With several workers, the first answer came from one: wait until each has started (a
    worker still importing would spend its start-up inside the measured run)."""
    if workers == 1:
        return
    for _ in range(600):
        if len(_children(process.pid)) >= workers:
            time.sleep(3.0)  # each child's imports and app, then its first accept
            return
        time.sleep(0.1)
    raise RuntimeError(f"reglament serve did not start {workers} workers in 60 s")


def warm(base: str, plan: dict[str, Any]) -> None:
    """One request of each read before the clients start: the first use of a reglament's
    engine and of each query is not what a running service pays."""
    auth = {"Authorization": f"Bearer {plan['tokens']['clerk']}"}
    receipt = plan["users"][0][0]["receipt"]
    for path in (f"/v1/cases/{receipt}", f"/v1/reglaments/{REF}", "/v1/cases?limit=20"):
        httpx2.get(base + path, headers=auth, timeout=60).raise_for_status()


def swarm(base: str, plan_file: Path, load: Load) -> float:
    """locust, headless, until every client has sent its requests or the time is up; its CPU
    seconds."""
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
        "--host", base, "-u", str(load.clients), "-r", str(load.clients),
        "-t", f"{load.seconds}s", "--stop-timeout", "30", "--only-summary",
        "--loglevel", "WARNING", "--exit-code-on-error", "0",
    ]  # fmt: skip
    before = os.times()
    done = subprocess.run(
        command,
        env={**os.environ, "REGLAMENT_LOAD_PLAN": str(plan_file)},
        capture_output=True,
        text=True,
        timeout=load.seconds + 120,
        check=False,
    )
    after = os.times()
    if done.returncode != 0:
        raise RuntimeError(f"locust exited with {done.returncode}: {done.stderr[-2000:]}")
    return (
        after.children_user - before.children_user + after.children_system - before.children_system
    )


# -- the figures ----------------------------------------------------------------------------


def percentile(ordered: list[float], share: float) -> float:
    """The nearest-rank percentile of the sorted ``ordered``: the smallest value with at
    least ``share`` of them at or below it."""
    if not ordered:
        return 0.0
    return ordered[min(len(ordered), max(1, math.ceil(share * len(ordered)))) - 1]


def figures(samples: list[list[Any]]) -> tuple[dict[str, Group], float, Counter[int]]:
    """Each group's latencies and rate, over the run from the first request sent to the last
    answer."""
    first = min(s[1] for s in samples)
    last = max(s[1] + s[2] / 1e3 for s in samples)
    seconds = max(last - first, 1e-9)
    groups = {}
    for name in (*GROUPS, REPEATED):
        mine = sorted(s[2] for s in samples if s[0] == name)
        if not mine:
            continue
        failed = sum(1 for s in samples if s[0] == name and not 200 <= s[3] < 300)
        groups[name] = Group(
            len(mine),
            failed,
            statistics.median(mine),
            percentile(mine, 0.95),
            percentile(mine, 0.99),
            len(mine) / seconds,
        )
    return groups, seconds, Counter(int(s[3]) for s in samples)


def check(url: str, plan: dict[str, Any], done: list[dict[str, Any]]) -> tuple[int, int, list[str]]:
    """Every completion answered 200 once in its case's history; every repeated key answered
    as the first time; no completion anywhere that no client saw answered."""
    answered: Counter[tuple[str, str]] = Counter()
    wrong, repeated = [], 0
    for c in done:
        if c["status"] == 200:
            answered[(c["receipt"], c["step"])] += 1
        else:
            wrong.append(f"{c['receipt']} {c['step']}: answered {c['status']}")
        if c["repeated"] is not None:
            if c["repeated"] == [200, c["etag"]]:
                repeated += 1
            else:
                wrong.append(f"{c['receipt']} {c['step']}: repeated key answered {c['repeated']}")
    db = connect(store_url(url))
    store = Store(db, load_library(), lambda: NOW)
    logged: Counter[tuple[str, str]] = Counter()
    for mine in plan["users"]:
        for case in mine:
            for event in store.show(case["receipt"], NOW)["events"]:
                if event["kind"] == "step_completed":
                    logged[(case["receipt"], event["step"])] += 1
    store.close()
    db.dispose()
    for move, count in (logged - answered).items():
        wrong.append(f"{move[0]} {move[1]}: in the history {count} time(s) more than answered")
    for move in answered - logged:
        wrong.append(f"{move[0]} {move[1]}: answered 200 but not in the history")
    return sum(answered.values()), repeated, wrong


def run(url: str, load: Load, database: str) -> Result:
    """One run on the (migrated, empty) database at ``url``."""
    with tempfile.TemporaryDirectory(prefix="reglament-load-") as name:
        folder = Path(name)
        plan = prepare(url, load, folder)
        plan_file = folder / "plan.json"
        plan_file.write_text(json.dumps(plan), "utf-8")
        with serving(url, folder, load.workers) as (base, server):
            for _ in range(load.workers):  # each new connection may reach another worker
                warm(base, plan)
            cpu0 = cpu_seconds(server.pid)
            client_cpu = swarm(base, plan_file, load)
            server_cpu = cpu_seconds(server.pid) - cpu0
        out = json.loads((folder / "samples.json").read_text("utf-8"))
        groups, seconds, statuses = figures(out["samples"])
        applied, repeated, wrong = check(url, plan, out["completions"])
        wrong += [f"{n} answers {s}" for s, n in statuses.items() if s >= 500 or s == 0]
        return Result(
            load, database, groups, seconds, statuses, applied, repeated, wrong,
            server_cpu, client_cpu,
        )  # fmt: skip


# -- the section -----------------------------------------------------------------------------

LOADS = (
    Load(1, 200, 0, 60),  # one client: beside Open Zaak's one-user figure
    Load(100, 40, 0, 90),
    Load(500, 12, 0, 90),
    Load(100, 60, 2.0, 90),  # 100 clients, each 2 requests/s: 200 requests/s offered
    Load(100, 20, 0.5, 90),  # 50 requests/s offered: below what the server gives here
    Load(100, 60, 2.0, 90, workers=2),  # 200 requests/s offered to two server processes
)


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text(encoding="ascii").split()[:3])


def _shape(load: Load) -> str:
    clients = f"{load.clients} client{'s' if load.clients > 1 else ''}"
    if load.pace:
        clients = f"{clients} paced to {load.clients * load.pace:,.0f}/s"
    if load.workers > 1:
        clients = f"{clients}, {load.workers} workers"
    return clients


def _met(value: float, target: float) -> str:
    return "met" if value <= target else f"missed by {value - target:,.0f} ms"


def _at_target_rate(load: Load) -> bool:
    return load.pace > 0 and round(load.clients * load.pace) == TARGET_RATE


def _targets(results: list[Result]) -> list[str]:
    """Each target met or missed, by how much, and what bounds it; Open Zaak beside."""
    lines = ["", "Against the targets (case reads p99 ≤ 50 ms, step completions p99 ≤ 100 ms, "
             f"at {TARGET_RATE} requests/s):", ""]  # fmt: skip
    for r in results:
        if _at_target_rate(r.load):
            got = r.total / r.seconds
            cpu = r.server_cpu * 1e3 / r.total
            misses = [
                f"{name} p99 {r.groups[name].p99:,.0f} ms against {aim:.0f} ms: "
                f"{_met(r.groups[name].p99, aim)}"
                + (
                    f" ({r.groups[name].p99 / aim:.1f}× the target)"
                    if r.groups[name].p99 > aim
                    else ""
                )
                for name, aim in TARGETS.items()
                if name in r.groups
            ]
            lines.append(
                f"- {r.database}{_workers(r.load)}: {TARGET_RATE}/s offered, "
                f"**{got:,.0f}/s answered**; "
                + "; ".join(misses)
                + f". The server spent {cpu:.1f} ms of CPU a request: {TARGET_RATE}/s needs "
                f"{cpu * TARGET_RATE / 1e3:.2f} cores of it; {_processes(r)}; past that the "
                "requests queue, and the queue is the latency."
            )
        if r.load.clients == 1 and "case list" in r.groups:
            lines.append(
                f"- Beside Open Zaak: one client lists cases (20 a page) in "
                f"**{r.groups['case list'].p50:,.1f} ms** (p50) on {r.database}; Open Zaak's "
                f"performance page reports a median of {OPEN_ZAAK_MS:.0f} ms for "
                "`GET /zaken/api/v1/zaken` with one locust user (superuser; 200–240 ms as a "
                "regular user), on 10 pods of one CPU over 1,000,000 cases. Not like for like: "
                "these tables hold a few thousand cases (the store's section above times "
                "`cases list --overdue` over 1,000,000)."
            )
    return lines


def _workers(load: Load) -> str:
    return f", {load.workers} workers" if load.workers > 1 else ", one worker"


def _processes(r: Result) -> str:
    used = f"{r.server_cpu / r.seconds:.0%} of one core"
    if r.load.workers == 1:
        return f"one uvicorn process runs Python on one core at most (it had {used} here)"
    return (
        f"its {r.load.workers} processes had {used} here, beside locust and the database on "
        "the same two cores"
    )


def _rows(results: list[Result]) -> list[str]:
    rows = [
        "| run, endpoint group | p99 ms | p50 ms | p95 ms | answers/s | answers | target |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        for name, g in r.groups.items():
            target = TARGETS.get(name) if _at_target_rate(r.load) else None
            aim = f"p99 ≤ {target:.0f} ms: {_met(g.p99, target)}" if target else ""
            if name == "case list" and r.load.clients == 1:
                aim = f"Open Zaak: p50 {OPEN_ZAAK_MS:.0f} ms, one user"
            rows.append(
                f"| {r.database}, {_shape(r.load)}: {name} | **{g.p99:,.1f}** | "
                f"{g.p50:,.1f} | {g.p95:,.1f} | {g.rate:,.1f} | {g.count:,} | {aim} |"
            )
    return rows


def _runs(results: list[Result]) -> list[str]:
    lines = []
    for r in results:
        statuses = ", ".join(f"{n:,} × {s}" for s, n in sorted(r.statuses.items()))
        held = (
            "every completion answered 200 is in its case's history once, every repeated key "
            "answered as the first time"
            if not r.wrong
            else f"**{len(r.wrong)} did not hold**, e.g. {'; '.join(r.wrong[:3])}"
        )
        lines.append(
            f"- {r.database}, {_shape(r.load)}, {r.load.requests} requests each: "
            f"{r.total:,} answers in {r.seconds:.1f} s, **{r.total / r.seconds:,.0f}/s**; "
            f"{statuses}; the server's CPU {r.server_cpu * 1e3 / r.total:.1f} ms a request "
            f"({r.server_cpu / r.seconds:.0%} of one core), locust's process "
            f"{r.client_cpu * 1e3 / r.total:.1f} ms (its start included); "
            f"{r.applied:,} completions applied, "
            f"{r.repeated:,} repeated keys: {held}."
        )
    return lines


def _section(results: list[Result], seconds: float, before: str, versions: str) -> str:
    lines = [
        START,
        "## Service: `reglament serve` under load (HTTP on the loopback)",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC by "
        f"`python -m bench --only service` in {seconds:.0f} s on {cpu_model()} ({os.cpu_count()} cores; "
        f"load average {before} before, {_load()} after), {versions}.",
        "",
        "One `reglament serve` process (uvicorn, one worker; in the rows marked so, "
        "`--workers 2`: two processes on one socket) on a free port of 127.0.0.1, on a "
        "fresh database; locust (headless, one process, `FastHttpUser`) on the same two "
        "cores. Each client owns its cases of targeted social assistance (Atyrau), started in "
        "the store beforehand, and sends a bounded number of requests, drawn 4:2:2:2 from: a "
        "case read (`GET /v1/cases/{receipt}`, status and timeline), a case list with filters "
        "(a clerk's by reglament, a head's overdue report; 20 a page), the reglament read "
        "(`GET /v1/reglaments/{ref}`), a step completion (`POST .../complete`, the clerk's "
        "`ab-accept` then the head's `resolution`, each with `If-Match` at the revision the "
        "client knows and a new `Idempotency-Key`); one completion in five is sent again with "
        "the same key, as a client that lost the answer would (its own row). Closed loop (no "
        "pause) for 1, 100 and 500 clients; the paced rows: 100 clients each sending on a fixed "
        "schedule of 2 requests/s from a drawn phase (wrk2's constant rate), 200 requests/s "
        "offered in all, and each at 0.5/s, 50/s offered. Latency is counted from the instant "
        "a request was due: locust's time from its send to the last byte read, plus how late "
        "its client sent it (a client still awaiting an answer when its next request falls "
        "due sends that one at once, and the wait counts: wrk2's correction for coordinated "
        "omission; in the closed loop, locust's time alone). Every answer is counted (a "
        "warm-up request of each read first). Each run is bounded in requests and in time "
        "(90 s).",
        "",
        *_rows(results),
        "",
        *_runs(results),
        *_targets(results),
    ]
    return "\n".join([*lines, END])


def _versions(pg: str) -> str:
    import sqlite3

    found = [
        f"Python {platform.python_version()}",
        f"FastAPI {version('fastapi')}",
        f"uvicorn {version('uvicorn')} (httptools {version('httptools')}, uvloop "
        f"{version('uvloop')})",
        f"SQLAlchemy {version('sqlalchemy')}",
        f"SQLite {sqlite3.sqlite_version}",
        f"locust {version('locust')}",
    ]
    if pg:
        from sqlalchemy import create_engine

        engine = create_engine(store_url(pg))
        with engine.connect() as connection:
            server = connection.exec_driver_sql("SHOW server_version").scalar_one()
        engine.dispose()
        found.append(f"PostgreSQL {str(server).split()[0]} (psycopg {version('psycopg')})")
    return ", ".join(found)


def main() -> None:
    t0, before = time.perf_counter(), _load()
    pg = os.environ.get(PG_ENV, "")
    results = []
    for load in LOADS:
        with sqlite_db() as url:
            results.append(run(url, load, "SQLite"))
        print(_runs(results[-1:])[0], flush=True)
    if pg:
        for load in LOADS:
            with pg_db(pg) as url:
                results.append(run(url, load, "PostgreSQL"))
            print(_runs(results[-1:])[0], flush=True)
    section = _section(results, time.perf_counter() - t0, before, _versions(pg))
    if not pg:
        skipped = f"\n\nPostgreSQL rows skipped: {PG_ENV} is not set (tools/pg-test start).\n"
        section = section.replace(f"\n{END}", skipped + END)
    write_section(START, END, section)
