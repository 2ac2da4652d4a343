"""The case store: committed step completions per second, and ``cases list --overdue`` on a
large table, side by side in one run on the bench's ten-step process (``bench/ten_steps.yaml``).

* ``Store.complete`` on SQLite (one process, pinned to one core), and on PostgreSQL with 1 and
  4 worker processes (each completing the steps of its own cases), every completion a
  committed transaction (the case row at its next revision, its events, its timers);
* the baseline: SpiffWorkflow's serializer round trip per step (deserialize the workflow,
  complete its task, serialize it again), what a store of SpiffWorkflow documents does per
  step before it even writes;
* timers fired per second: ``Worker.run_once`` (``reglament worker``) firing every due timer of
  many open cases, each firing one committed transaction, on SQLite (one process) and on
  PostgreSQL with 1 and 4 worker processes claiming from the same table (``SKIP LOCKED``);
* ``Store.cases(overdue=True)`` (``cases list --overdue``) with 100,000 and 1,000,000 in-flight
  cases bulk-inserted into the ``cases`` table, timed, with its plan (EXPLAIN) on both databases.

PostgreSQL rows need ``REGLAMENT_TEST_PG_URL`` (``tools/pg-test start``); without it they are
skipped with a note. Writes its section of BENCHMARKS.md between the ``store:start`` and
``store:end`` markers. No timed assertions anywhere: this only measures and reports.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import os
import platform
import random
import statistics
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine as Database

from bench.databases import ServerClock, pg_db, sqlite_db
from bench.engine_bench import PERIOD, SEED, YAML, spiff_spec
from bench.pgbench_peer import SECONDS, Peer, peers
from bench.report import cpu_model, write_section
from reglament.engine import Engine
from reglament.engine.batch import simulate_many
from reglament.loader import Library, load_library
from reglament.store import Store, connect, store_url
from reglament.store.cases import list_query
from reglament.store.tables import cases as cases_table
from reglament.store.worker import Worker

START, END = "<!-- store:start -->", "<!-- store:end -->"
PG_ENV = "REGLAMENT_TEST_PG_URL"
CASES_PER_RUN = 100  # cases per writer and run: ten completions each
RUNS = 3
PG_RUNS = 3  # each run of 4 writers is 4,000 completions
SPIFF_CASES = 100
TIMER_CASES = 300  # open cases per worker process and run: three timers each
TIMER_RUNS = 3
FIRE_AT = dt.datetime(2017, 3, 1, tzinfo=dt.UTC)  # after every timer of a case begun in 2016
LIST_SIZES = (100_000, 1_000_000)
LIST_RUNS = 25
RECORDED = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
TARGET_SQLITE, TARGET_PG4, TARGET_LIST_MS = 1_000, 2_000, 50.0

Move = tuple[str, str, dt.datetime, str | None]  # case id, step, at, outcome
# one run: completions, wall seconds, the writers' CPU seconds [, the server's CPU seconds]
Run = tuple[int, float, float] | tuple[int, float, float, float]


@dataclass(frozen=True, slots=True)
class Costs:
    """CPU milliseconds per completion (or firing), medians of the runs: the writers' (or
    workers') and the PostgreSQL server's."""

    writer_ms: float
    server_ms: float

    def ceiling(self, cores: int) -> float:
        """Completions per second with ``cores`` cores all busy at these costs."""
        return cores * 1e3 / (self.writer_ms + self.server_ms)


@dataclass(frozen=True, slots=True)
class Rate:
    """Completions per second over several runs: best and median (wall), best in CPU time."""

    best: float
    median: float
    cpu: float  # completions per CPU second of the writer processes (best run)
    costs: Costs | None = None  # the runs' CPU each, with the server's (None: not measured)

    @staticmethod
    def of(runs: Sequence[Run]) -> Rate:
        rates = [run[0] / run[1] for run in runs]
        cpu = max(run[0] / run[2] for run in runs if run[2] > 0)
        served = [run for run in runs if len(run) > 3]
        costs = None
        if served:
            costs = Costs(
                statistics.median(1e3 * run[2] / run[0] for run in served),
                statistics.median(1e3 * run[3] / run[0] for run in served),
            )
        return Rate(max(rates), statistics.median(rates), cpu, costs)


# -- the data: cases, their moves planned in memory by the same engine -------------------------


def _library() -> Library:
    return load_library([YAML])


def plan(engine: Engine, count: int, offset: int) -> tuple[list[dict[str, Any]], list[Move]]:
    """``count`` cases (their start's arguments) and every completion of each, each step done
    at its due instant with the drawn outcome, interleaved case by case (round robin) so that
    consecutive writes touch different cases."""
    sample = simulate_many(engine, count, *PERIOD, "office", seed=SEED + offset)
    starts, per_case = [], []
    for i in range(count):
        drawn = sample.case(i)
        case_id = f"bench-{offset}-{i}-{uuid.uuid4().hex[:8]}"
        receipt = f"R{offset}-{i}-{uuid.uuid4().hex[:8]}"
        case = engine.start(drawn.submitted_at, "office", case_id=case_id, receipt=receipt)
        starts.append({"at": drawn.submitted_at, "case_id": case_id, "receipt": receipt})
        moves = []
        while not case.finished:
            token = case.tokens[0]
            assert token.due is not None
            outcome = drawn.answers.get(token.step)
            engine.complete(case, token.step, token.due, outcome)
            moves.append((case_id, token.step, token.due, outcome))
        per_case.append(moves)
    interleaved = [m for group in zip(*per_case, strict=False) for m in group]
    rest = [m for moves in per_case for m in moves[len(per_case[0]) :]]
    return starts, interleaved + rest


def _start_all(store: Store, starts: list[dict[str, Any]]) -> None:
    reglament = store.library.choose("bench-ten-steps@almaty").reglament
    for s in starts:
        store.start(reglament, s["at"], "office", case_id=s["case_id"], receipt=s["receipt"])


def _complete_all(store: Store, moves: list[Move]) -> None:
    for case_id, step, at, outcome in moves:
        store.complete(case_id, step, at, outcome)


def _worker(url: str, offset: int, ready: Any, go: Any, out: Any) -> None:
    """One writer process: its own cases started, then (all together) completed step by step."""
    library = _library()
    store = Store(connect(store_url(url)), library, lambda: RECORDED)
    engine = store.engine("bench-ten-steps", "almaty", "2015-01-01")
    starts, moves = plan(engine, CASES_PER_RUN, offset)
    _start_all(store, starts)
    gc.collect()
    ready.put(offset)
    go.wait()
    t0, c0 = time.perf_counter(), time.process_time()
    _complete_all(store, moves)
    out.put((len(moves), t0, time.perf_counter(), time.process_time() - c0))
    store.close()


def writers(url: str, count: int, run: int) -> Run:
    """``count`` writer processes at once: completions, wall seconds from the first start to
    the last end, CPU seconds of the writers, and of the PostgreSQL server meanwhile."""
    return _at_once(_worker, "a writer", url, count, run)


def _at_once(target: Callable[..., None], what: str, url: str, count: int, run: int) -> Run:
    """``count`` processes of ``target`` started together: the sum of what each counted, wall
    seconds from the first start to the last end, their CPU seconds, and the CPU seconds the
    (local) PostgreSQL server ``url`` names spent from the start to the last result."""
    context = multiprocessing.get_context("fork")
    ready, out, go = context.Queue(), context.Queue(), context.Event()
    processes = [
        context.Process(target=target, args=(url, 1000 * run + n, ready, go, out))
        for n in range(count)
    ]
    for p in processes:
        p.start()
    for _ in processes:
        ready.get(timeout=600)
    server = ServerClock(url)
    s0 = server.seconds()
    go.set()
    results = [out.get(timeout=600) for _ in processes]
    served = server.seconds() - s0
    for p in processes:
        p.join()
        if p.exitcode != 0:
            raise RuntimeError(f"{what} exited with {p.exitcode}")
    done = sum(r[0] for r in results)
    wall = max(r[2] for r in results) - min(r[1] for r in results)
    return done, wall, sum(r[3] for r in results), served


# -- the databases -------------------------------------------------------------------------------


def sqlite_rate(query: str = "") -> Rate:
    """One process, pinned to one core (the parent's affinity): its cases started, then
    completed; ``RUNS`` runs, each on a fresh database."""
    runs = []
    library = _library()
    for run in range(RUNS):
        with sqlite_db(query) as url:
            store = Store(connect(store_url(url)), library, lambda: RECORDED)
            engine = store.engine("bench-ten-steps", "almaty", "2015-01-01")
            starts, moves = plan(engine, CASES_PER_RUN, run)
            _start_all(store, starts)
            gc.collect()
            t0, c0 = time.perf_counter(), time.process_time()
            _complete_all(store, moves)
            runs.append((len(moves), time.perf_counter() - t0, time.process_time() - c0))
            store.close()
    return Rate.of(runs)


def pg_rate(base: str, count: int) -> Rate:
    runs = []
    for run in range(PG_RUNS):
        with pg_db(base) as url:
            runs.append(writers(url, count, run))
    return Rate.of(runs)


# -- timers fired per second -------------------------------------------------------------------


def _open_cases(store: Store, count: int, offset: int) -> None:
    """``count`` cases started at drawn instants of 2016 and left at their first step: each
    has three timers (its step overdue, its term at risk, its term overdue)."""
    engine = store.engine("bench-ten-steps", "almaty", "2015-01-01")
    sample = simulate_many(engine, count, *PERIOD, "office", seed=SEED + offset)
    reglament = store.library.choose("bench-ten-steps@almaty").reglament
    for i in range(count):
        at = sample.case(i).submitted_at
        store.start(reglament, at, "office", case_id=f"t{offset}-{i}", receipt=f"T{offset}-{i}")


def _fire(store: Store) -> tuple[int, float, float, float]:
    """Fire every timer due by :data:`FIRE_AT`: (fired, start, end, CPU seconds)."""
    gc.collect()
    t0, c0 = time.perf_counter(), time.process_time()
    done = Worker(store).run_once(FIRE_AT)
    t1, c1 = time.perf_counter(), time.process_time()
    errors = [f.text for f in done if f.error is not None]
    if errors:
        raise RuntimeError(f"a timer could not fire: {errors[0]}")
    return sum(f.revision is not None for f in done), t0, t1, c1 - c0


def _fired_once(url: str, fired: int) -> None:
    """Every timer due was fired, each once: the fired rows are the firings counted, and no
    event of a timer was recorded twice for one case."""
    db = connect(store_url(url))
    with db.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT count(*) FROM timers WHERE fired_at IS NOT NULL"
        ).scalar_one()
        left = connection.exec_driver_sql(
            "SELECT count(*) FROM timers WHERE fired_at IS NULL"
        ).scalar_one()
        twice = connection.exec_driver_sql(
            "SELECT count(*) FROM (SELECT case_id, kind, step FROM events WHERE kind IN "
            "('step_overdue', 'term_at_risk', 'term_overdue') "
            "GROUP BY case_id, kind, step HAVING count(*) > 1) AS t"
        ).scalar_one()
    db.dispose()
    if rows != fired or left or twice:
        raise RuntimeError(f"timers: {fired} fired, {rows} rows fired, {left} left, {twice} twice")


def _timer_worker(url: str, offset: int, ready: Any, go: Any, out: Any) -> None:
    """One worker process: its share of the open cases started, then (all together) every
    due timer of the table fired."""
    store = Store(connect(store_url(url)), _library(), lambda: RECORDED)
    _open_cases(store, TIMER_CASES, offset)
    ready.put(offset)
    go.wait()
    out.put(_fire(store))
    store.close()


def timer_workers(url: str, count: int, run: int) -> Run:
    """``count`` worker processes firing the timers of ``count * TIMER_CASES`` cases: timers
    fired, wall seconds from the first start to the last end, CPU seconds of the workers and
    of the server."""
    found = _at_once(_timer_worker, "a timer worker", url, count, run)
    _fired_once(url, found[0])
    return found


def sqlite_timer_rate() -> Rate:
    """One process, pinned to one core: its cases started, then their timers fired."""
    runs = []
    library = _library()
    for run in range(TIMER_RUNS):
        with sqlite_db() as url:
            store = Store(connect(store_url(url)), library, lambda: RECORDED)
            _open_cases(store, TIMER_CASES, run)
            fired, t0, t1, cpu = _fire(store)
            store.close()
            _fired_once(url, fired)
            runs.append((fired, t1 - t0, cpu))
    return Rate.of(runs)


def pg_timer_rate(base: str, count: int) -> Rate:
    runs = []
    for run in range(TIMER_RUNS):
        with pg_db(base) as url:
            runs.append(timer_workers(url, count, run))
    return Rate.of(runs)


# -- the baseline: SpiffWorkflow's serializer round trip per step ------------------------------


def spiff_round_trips() -> Rate:
    """Per step: deserialize the workflow's JSON, complete its ready task (and run the engine
    steps after it), serialize it again: what a store of SpiffWorkflow documents does per
    completion before its write."""
    from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState

    spec = spiff_spec()
    serializer = BpmnWorkflowSerializer()
    rng = random.Random(SEED)
    runs = []
    for _ in range(RUNS):
        documents = []
        for _ in range(SPIFF_CASES):
            workflow = BpmnWorkflow(spec)
            workflow.do_engine_steps()
            documents.append((serializer.serialize_json(workflow), rng.random() < 0.5))
        gc.collect()
        done = 0
        t0, c0 = time.perf_counter(), time.process_time()
        while documents:
            kept = []
            for document, refuse in documents:
                workflow = serializer.deserialize_json(document)
                task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
                task.data["refused"] = refuse
                task.run()
                workflow.do_engine_steps()
                done += 1
                if not workflow.is_completed():
                    kept.append((serializer.serialize_json(workflow), refuse))
                else:
                    serializer.serialize_json(workflow)
            documents = kept
        runs.append((done, time.perf_counter() - t0, time.process_time() - c0))
    return Rate.of(runs)


# -- cases list --overdue on a large table -------------------------------------------------------


def bulk_rows(count: int, seed: int) -> Iterator[dict[str, Any]]:
    """``count`` in-flight cases of the ten-step process as the store's columns hold them:
    submitted over 2016, about a third overdue by the listing instant (some from a step, some
    from the term), a tenth suspended, each with a small snapshot (the query never reads it)."""
    rng = random.Random(seed)
    start = PERIOD[0].astimezone(dt.UTC)
    for i in range(count):
        created = start + dt.timedelta(minutes=rng.randrange(365 * 24 * 60))
        step_due = created + dt.timedelta(hours=rng.randrange(1, 24 * 40))
        term_due = created + dt.timedelta(days=21)
        overdue = step_due if rng.random() < 0.5 else term_due + dt.timedelta(microseconds=1)
        yield {
            "id": _case_id(i),
            "reglament": "bench-ten-steps",
            "version": "2015-01-01",
            "region": "almaty",
            "timezone": "Asia/Almaty",
            "channel": "office",
            "variant": None,
            "receipt": f"ALM-{seed}-{i:07d}",
            "language": "kk",
            "contact": "{}",
            "status": "suspended" if rng.random() < 0.1 else "open",
            "revision": rng.randrange(1, 10),
            "snapshot": '{"schema_version": 2}',
            "step_due": step_due,
            "term_due": term_due,
            "overdue_at": overdue,
            "at_risk_at": term_due - dt.timedelta(days=4),
            "at_risk_until": term_due,
            "created_at": created,
            "updated_at": created + dt.timedelta(minutes=30),
        }


def _case_id(i: int) -> str:
    return f"case-{i:07d}"


LIST_AT = dt.datetime(2016, 7, 1, 12, 0, tzinfo=dt.UTC)  # the listing instant: mid-year


BASE = 100_000  # rows made in Python; a larger table is copies of them under other ids


def fill(db: Database, have: int, count: int) -> None:
    """Grow the ``cases`` table from ``have`` rows to ``count``: first :data:`BASE` of
    :func:`bulk_rows` by executemany, then copies of them (``INSERT ... SELECT``) under other
    ids and receipts, until there are ``count``."""
    with db.begin() as connection:
        if have == 0:
            batch: list[dict[str, Any]] = []
            for row in bulk_rows(min(count, BASE), SEED):
                batch.append(row)
                if len(batch) == 20_000:
                    connection.execute(cases_table.insert(), batch)
                    batch = []
            if batch:
                connection.execute(cases_table.insert(), batch)
        names = [c.name for c in cases_table.c]
        copied = [f"{n} || '.{{k}}'" if n in ("id", "receipt") else n for n in names]
        statement = (
            f"INSERT INTO cases ({', '.join(names)}) SELECT {', '.join(copied)} "
            f"FROM cases WHERE length(id) = {len(_case_id(0))}"
        )
        for k in range(max(have // BASE, 1), count // BASE):
            connection.exec_driver_sql(statement.replace("{k}", str(k)))
        connection.exec_driver_sql(
            "ANALYZE cases" if db.dialect.name == "postgresql" else "ANALYZE"
        )


@dataclass(frozen=True, slots=True)
class Listed:
    best_ms: float
    median_ms: float
    rows: int
    plan: list[str]
    fill_s: float


def listings(url: str) -> dict[int, Listed]:
    """For each of :data:`LIST_SIZES` in turn, the one table grown to that many cases, then
    :func:`listing`."""
    found, have = {}, 0
    db = connect(store_url(url))
    for size in sorted(LIST_SIZES):
        t0 = time.perf_counter()
        fill(db, have, size)
        found[size] = listing(db, time.perf_counter() - t0)
        have = size
    db.dispose()
    return found


def listing(db: Database, filled: float) -> Listed:
    """Time ``Store.cases(overdue=True)`` (the first page, 100 cases) and read its plan."""
    store = Store(db, _library(), lambda: RECORDED)
    times, rows = [], 0
    for _ in range(LIST_RUNS):
        t0 = time.perf_counter()
        rows = len(store.cases(LIST_AT, overdue=True))
        times.append((time.perf_counter() - t0) * 1e3)
    statement = list_query(LIST_AT, overdue=True).compile(
        db, compile_kwargs={"literal_binds": True}
    )
    with db.connect() as connection:
        if db.dialect.name == "postgresql":
            found = connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}").all()
            plan = [r[0] for r in found]
        else:
            found = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}").all()
            plan = [r[-1] for r in found]
    return Listed(min(times), statistics.median(times), rows, plan, filled)


# -- the section -----------------------------------------------------------------------------


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text(encoding="ascii").split()[:3])


def _pg_version(base: str) -> str:
    engine = create_engine(store_url(base))
    with engine.connect() as connection:
        found = connection.exec_driver_sql("SHOW server_version").scalar_one()
    engine.dispose()
    return str(found).split()[0]


def main() -> None:
    t_all = time.perf_counter()
    load_before = _load()
    pg = os.environ.get(PG_ENV, "")
    affinity = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    if affinity:
        os.sched_setaffinity(0, {min(affinity)})  # the one-process rows: one core
    try:
        spiff = spiff_round_trips()
        sqlite_full = sqlite_rate("?synchronous=full")
        sqlite_default = sqlite_rate()
        sqlite_timers = sqlite_timer_rate()
    finally:
        if affinity:
            os.sched_setaffinity(0, affinity)
    pg1 = pg_rate(pg, 1) if pg else None
    pg4 = pg_rate(pg, 4) if pg else None
    server = peers(pg, (1, 4), PG_RUNS) if pg else []
    timers = {"SQLite, one process": sqlite_timers}
    if pg:
        timers["PostgreSQL, 1 worker process"] = pg_timer_rate(pg, 1)
        timers["PostgreSQL, 4 worker processes"] = pg_timer_rate(pg, 4)
    lists: dict[tuple[str, int], Listed] = {}
    with sqlite_db() as url:
        lists.update({("SQLite", n): listed for n, listed in listings(url).items()})
    if pg:
        with pg_db(pg) as url:
            lists.update({("PostgreSQL", n): listed for n, listed in listings(url).items()})
    section = _section(
        time.perf_counter() - t_all,
        load_before,
        spiff,
        sqlite_default,
        sqlite_full,
        pg1,
        pg4,
        timers,
        lists,
        _pg_version(pg) if pg else None,
        server,
    )
    write_section(START, END, section)


def _met(value: float, target: float, higher: bool = True) -> str:
    ok = value >= target if higher else value <= target
    if ok:
        return "met"
    by = (target / value if higher else value / target) if value else float("inf")
    return f"missed ({by:.1f}× short)" if higher else f"missed ({by:.1f}× over)"


def _notes(
    spiff: Rate, sqlite_default: Rate, sqlite_full: Rate, pg1: Rate | None, pg4: Rate | None
) -> list[str]:
    """What the completion figures say, each target met or missed by how much."""
    per_write = 1e3 / sqlite_default.cpu
    notes = [
        f"- SQLite, the default: **{sqlite_default.best:,.0f}/s** best, "
        f"{sqlite_default.median:,.0f}/s median, against the target of {TARGET_SQLITE:,}/s on "
        f"one core: {_met(sqlite_default.best, TARGET_SQLITE)} in wall time; in the process's "
        f"CPU time {sqlite_default.cpu:,.0f}/s ({per_write:.2f} ms of CPU per committed "
        f"completion: {_met(sqlite_default.cpu, TARGET_SQLITE)}), which is what one core of "
        "this machine gives when no other work shares it.",
        f"- SQLite with `?synchronous=full`: {sqlite_full.best:,.0f}/s, one flush to the disk "
        f"per commit; {sqlite_full.best / sqlite_default.best:.0%} of the default's rate.",
        f"- SpiffWorkflow's round trip alone, with no database: {spiff.best:,.0f}/s "
        f"({spiff.cpu:,.0f}/s per CPU second); ours with the database's commit: "
        f"{sqlite_default.cpu / spiff.cpu:.1f}× of it in CPU time.",
    ]
    if pg1 is not None and pg4 is not None:
        notes.append(
            f"- PostgreSQL: 1 writer **{pg1.best:,.0f}/s**, 4 writers **{pg4.best:,.0f}/s** "
            f"best ({pg4.median:,.0f}/s median) against the target of {TARGET_PG4:,}/s: "
            f"{_met(pg4.best, TARGET_PG4)}. Each writer waits for eight round trips to the "
            "server (BEGIN, the case row read, its update, the timers read, deleted and "
            "inserted, the events, COMMIT) and the commit's flush; four writers and the "
            "server share the machine's two cores, so the four-writer figure is bound by CPU "
            "here." + _split(pg4, sqlite_default)
        )
    return notes


def _split(pg4: Rate, sqlite_default: Rate) -> str:
    """What the four writers' CPU and the server's say of the target on this machine."""
    if pg4.costs is None:
        return ""
    cores = os.cpu_count() or 1
    writer, server = pg4.costs.writer_ms, pg4.costs.server_ms
    return (
        f" One completion cost {writer:.2f} ms of the writers' CPU and {server:.2f} ms of the "
        "server's (the median of the runs; the server's read from `/proc`: the cluster's "
        "processes, between the start and the last result): with both at those costs the "
        f"{cores} cores, every one busy, give at most {pg4.costs.ceiling(cores):,.0f}/s. "
        f"{TARGET_PG4:,}/s on {cores} cores leaves {cores * 1e3 / TARGET_PG4:.2f} ms of CPU "
        f"for a whole write, both sides: the server's part alone is {server:.2f} ms here, and "
        "SQLite's whole write in one process, the engine's work and the database's, is "
        f"{1e3 / sqlite_default.cpu:.2f} ms."
    )


def _server_lines(server: list[Peer], pg4: Rate | None) -> list[str]:
    """pgbench against the same cluster in the same run: the server's own ceiling here."""
    if not server:
        return []
    lines = [
        "",
        "The server's own ceiling, in the same run on the same cluster: pgbench (Debian's, "
        "`-M prepared`) with its built-in TPC-B-like transaction (BEGIN, three UPDATEs, a "
        "SELECT, an INSERT, END: a transaction of about the size of one of our writes, from a "
        f"C client with no application logic), {SECONDS} s per run, {PG_RUNS} runs:",
        "",
        "| what | transactions/s (best) | median | server's CPU ms each |",
        "|---|---:|---:|---:|",
    ]
    for peer in server:
        clients = "1 client" if peer.clients == 1 else f"{peer.clients} clients"
        lines.append(
            f"| pgbench TPC-B-like, {clients} | {peer.best:,.0f} | {peer.median:,.0f} "
            f"| {peer.server_ms:.2f} |"
        )
    four = [p for p in server if p.clients == 4]
    if four:
        lines += [
            "",
            f"With 4 clients the server commits {four[0].best:,.0f} of pgbench's transactions "
            f"per second on these two cores: the target of {TARGET_PG4:,} of our writes per "
            f"second with 4 writers is {TARGET_PG4 / four[0].best:.1f}× what PostgreSQL does "
            "here for a C client that spends no time between its statements"
            + (
                f"; its transaction costs the server {four[0].server_ms:.2f} ms of CPU, one "
                f"of our writes {pg4.costs.server_ms:.2f} ms."
                if pg4 is not None and pg4.costs is not None
                else "."
            ),
        ]
    return lines


def _timer_lines(timers: dict[str, Rate]) -> list[str]:
    """The table of timers fired per second, beside the completions above."""
    lines = [
        f"Timers fired per second (`reglament worker`: `Worker.run_once`): {TIMER_CASES} open "
        "cases per worker process started through the store (not timed), each at its first "
        "step with three timers (the step overdue, the term at risk, the term overdue), then "
        "every timer fired at its due by the worker, each firing one committed transaction "
        "(the timer claimed, the case's events, its next revision and its timers planned "
        "again); with 4 workers the four processes claim from the one table of all their "
        f"cases (`FOR UPDATE SKIP LOCKED`). {TIMER_RUNS} runs, each on a fresh database; "
        "after each the table is checked: every timer fired, each once (fired rows = "
        "firings counted, no event of a timer twice).",
        "",
        "| what | timers fired/s (best) | median | per CPU second | CPU ms each: workers + "
        "server |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, rate in timers.items():
        lines.append(
            f"| {name} | {rate.best:,.0f} | {rate.median:,.0f} | {rate.cpu:,.0f} | {_costs(rate)} |"
        )
    return lines


def _costs(rate: Rate) -> str:
    """A PostgreSQL row's CPU per completion (or firing): its clients' and the server's,
    medians of the runs ("" for a row with no server of its own to measure)."""
    if rate.costs is None:
        return ""
    return f"{rate.costs.writer_ms:.2f} + {rate.costs.server_ms:.2f}"


def _section(
    elapsed: float,
    load_before: str,
    spiff: Rate,
    sqlite_default: Rate,
    sqlite_full: Rate,
    pg1: Rate | None,
    pg4: Rate | None,
    timers: dict[str, Rate],
    lists: dict[tuple[str, int], Listed],
    pg_version: str | None,
    server: list[Peer],
) -> str:
    from sqlite3 import sqlite_version

    def row(name: str, rate: Rate | None, target: str, note: str = "") -> str:
        if rate is None:
            return f"| {name} | skipped | | | | | {target} |"
        vs = rate.best / spiff.best
        return (
            f"| {name} | {rate.best:,.0f} | {rate.median:,.0f} | {rate.cpu:,.0f} "
            f"| {_costs(rate)} | {vs:,.1f}× | {target}{note} |"
        )

    lines = [
        START,
        "## Store: committed step completions and timers fired per second, and `cases list --overdue`",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by `python -m bench --only store` in "
        f"{elapsed:.0f} s on {cpu_model()} ({os.cpu_count()} cores; load "
        f"average {load_before} before, {_load()} after), Python {platform.python_version()}, "
        f"SQLAlchemy {version('SQLAlchemy')}, SQLite {sqlite_version}, "
        + (f"PostgreSQL {pg_version} (psycopg {version('psycopg')}), " if pg_version else "")
        + f"SpiffWorkflow {version('SpiffWorkflow')}.",
        "",
        f"Each run: {CASES_PER_RUN} cases of `bench/ten_steps.yaml` per writer started through "
        "the store (not timed), then each of their ten steps completed at its due instant by "
        "`Store.complete`, the writes going round the cases; every completion is one committed "
        "transaction (the case row at its next revision with its snapshot and indexed "
        "instants, its events, its timers planned again). "
        f"{RUNS} runs ({PG_RUNS} on PostgreSQL), each on a fresh database; best and median of wall time, and the best "
        "in the writers' CPU time (per CPU second: what one free core would do). SQLite's rows "
        "run in one process pinned to one core, on a file on disk; PostgreSQL's writers are "
        "separate processes, each with its own cases, against a local cluster on the same two "
        "cores (`tools/pg-test`, its default settings: `synchronous_commit=on`, fsync on).",
        "",
        "| what | completions/s (best) | median | per CPU second | CPU ms each: writers + "
        "server | vs SpiffWorkflow | target |",
        "|---|---:|---:|---:|---:|---:|---:|",
        row(
            "SQLite, WAL, `synchronous=NORMAL` (the default), one process",
            sqlite_default,
            f"≥ {TARGET_SQLITE:,}/s: {_met(sqlite_default.best, TARGET_SQLITE)}",
        ),
        row(
            "SQLite, WAL, `synchronous=FULL` (`?synchronous=full`), one process",
            sqlite_full,
            "",
        ),
        row("PostgreSQL, 1 writer process", pg1, ""),
        row(
            "PostgreSQL, 4 writer processes",
            pg4,
            f"≥ {TARGET_PG4:,}/s: " + (_met(pg4.best, TARGET_PG4) if pg4 else "not run"),
        ),
        row("SpiffWorkflow: deserialize, complete a task, serialize (no database)", spiff, ""),
    ]
    if pg4 is None:
        lines += ["", f"PostgreSQL rows skipped: {PG_ENV} is not set (`tools/pg-test start`)."]
    lines += ["", *_notes(spiff, sqlite_default, sqlite_full, pg1, pg4)]
    lines += _server_lines(server, pg4)
    lines += ["", *_timer_lines(timers)]
    lines += [
        "",
        f"`cases list --overdue` (`Store.cases(at, overdue=True)`: the first page of 100, in "
        f"order of when each became overdue), on a table of N in-flight cases bulk-inserted "
        f"(about half overdue at the instant asked, a tenth suspended; one table per database, "
        f"grown from 100,000 to 1,000,000 cases); best and median of "
        f"{LIST_RUNS} calls, the Python that builds the answer included:",
        "",
        "| what | best | median | rows | table grown in | target |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for (name, size), listed in lists.items():
        target = (
            f"≤ {TARGET_LIST_MS:.0f} ms: {_met(listed.best_ms, TARGET_LIST_MS, higher=False)}"
            if size == max(LIST_SIZES)
            else ""
        )
        lines.append(
            f"| {name}, {size:,} cases | {listed.best_ms:.1f} ms | {listed.median_ms:.1f} ms "
            f"| {listed.rows} | {listed.fill_s:.0f} s | {target} |"
        )
    for (name, size), listed in lists.items():
        if size != max(LIST_SIZES):
            continue
        lines += ["", f"{name}'s plan at {size:,} cases:", "", "```"]
        lines += listed.plan
        lines += ["```"]
    lines.append(END)
    return "\n".join(lines)
