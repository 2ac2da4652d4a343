"""Start-up and build: what a process pays before it computes anything, side by side in one run.

* ``Engine(...)`` of each bundled reglament once the calendar exists (best of 5 rounds, CPU);
* the default calendar in a fresh process: built from its sources (``REGLAMENT_NO_CACHE=1``)
  and read from its cache (``calendar/cache.py``);
* whole processes, best of several runs, wall and CPU time: ``python -c pass`` (Python's own
  start), ``reglament --version`` (the fixed start cost of any command), ``reglament validate``
  and ``reglament audit`` on the bundled library;
* ``import reglament.cli`` as ``python -X importtime`` counts it (cumulative).

Writes its section of BENCHMARKS.md between the ``startup:start`` and ``startup:end`` markers.
No timed assertions anywhere: this only measures and reports.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from typing import NamedTuple

from bench.report import cpu_model, write_section
from reglament.calendar import default_calendar
from reglament.calendar.clock import _office
from reglament.engine import Engine
from reglament.loader import load_library

START, END = "<!-- startup:start -->", "<!-- startup:end -->"
ROUNDS = 5
RUNS = 7
AUDIT_RUNS = 4
CALENDAR = (  # the package imported first: holidays is imported by the build, if it is built
    "import time; from reglament.calendar import default_calendar; t = time.process_time(); "
    "default_calendar(); print(time.process_time() - t)"
)


def engines() -> tuple[float, float, str, int]:
    """Mean and worst CPU seconds of ``Engine(r)`` over the bundled reglaments (each the best of
    :data:`ROUNDS`, every round with the office tables to build: the first Engine of each
    schedule pays for them), the worst one's id, and how many."""
    default_calendar()
    reglaments = load_library().reglaments
    best = [float("inf")] * len(reglaments)
    for _ in range(ROUNDS):
        _office.cache_clear()  # each round builds the office tables again, as a process does
        for i, r in enumerate(reglaments):
            t = time.process_time()
            Engine(r)
            best[i] = min(best[i], time.process_time() - t)
    worst = max(range(len(best)), key=best.__getitem__)
    return sum(best) / len(best), best[worst], reglaments[worst].id, len(best)


class Runs(NamedTuple):
    """Wall and CPU seconds (children's user + system time) of several runs of one process."""

    walls: list[float]
    cpus: list[float]

    @property
    def wall(self) -> float:
        return min(self.walls)

    @property
    def cpu(self) -> float:
        return min(self.cpus)


def process(args: list[str], env: dict[str, str] | None = None, runs: int = RUNS) -> Runs:
    """``runs`` runs of ``python ARGS``."""
    result = Runs([], [])
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run([sys.executable, *args], env=env, capture_output=True, check=False)
        result.walls.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        result.cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return result


def in_process(code: str, env: dict[str, str]) -> float:
    """Best of :data:`RUNS` of what ``code`` prints (CPU seconds it measured itself)."""
    return min(
        float(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True).stdout)
        for _ in range(RUNS)
    )  # fmt: skip


def importtime() -> float:
    """Seconds that ``python -X importtime`` gives ``reglament.cli`` (cumulative), best of runs."""
    best = float("inf")
    for _ in range(RUNS):
        err = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "import reglament.cli"],
            capture_output=True, text=True, check=True,
        ).stderr  # fmt: skip
        for line in err.splitlines():
            if line.rstrip().endswith("| reglament.cli"):
                best = min(best, int(line.split("|")[1]) / 1e6)
    return best


def main() -> None:
    t_all = time.perf_counter()
    mean, worst, worst_id, count = engines()
    with tempfile.TemporaryDirectory() as folder:
        cached = {**os.environ, "REGLAMENT_CACHE_DIR": folder}
        subprocess.run(
            [sys.executable, "-c", CALENDAR], env=cached, capture_output=True, check=True
        )
        calendar_cached = in_process(CALENDAR, cached)
        calendar_built = in_process(CALENDAR, {**os.environ, "REGLAMENT_NO_CACHE": "1"})
        cli = [*("-m", "reglament")]
        python = process(["-c", "pass"], cached)
        start = process([*cli, "--version"], cached)
        validate = process([*cli, "validate"], cached)
        audit = process([*cli, "audit"], cached, runs=AUDIT_RUNS)
    imports = importtime()
    elapsed = time.perf_counter() - t_all

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:,.1f} ms" if seconds < 0.1 else f"{seconds * 1000:,.0f} ms"

    def met(value: float, target: float) -> str:
        return "met" if value <= target else f"missed by {ms(value - target)}"

    def median(values: list[float]) -> str:
        return ms(statistics.median(values))

    table = [
        ("`Engine(...)` per reglament, calendar built (mean, CPU)", ms(mean), "", "≤ 5 ms", met(mean, 0.005)),
        (f"`Engine(...)`, the slowest ({worst_id})", ms(worst), "", "", ""),
        ("default calendar, read from its cache (CPU)", ms(calendar_cached), "", "≤ 100 ms", met(calendar_cached, 0.1)),
        ("default calendar, built from its sources (CPU, importing holidays)", ms(calendar_built), "", "", ""),
        ("`python -c pass` (CPU)", ms(python.cpu), median(python.cpus), "", ""),
        ("`reglament --version`: fixed start cost (CPU)", ms(start.cpu), median(start.cpus), "≤ 350 ms", met(start.cpu, 0.35)),
        ("`import reglament.cli`, `-X importtime` cumulative", ms(imports), "", "≤ 350 ms", met(imports, 0.35)),
        ("`reglament validate` process (wall)", ms(validate.wall), median(validate.walls), "≤ 500 ms", met(validate.wall, 0.5)),
        ("`reglament validate` process (CPU)", ms(validate.cpu), median(validate.cpus), "", ""),
        ("`reglament audit` process (CPU)", ms(audit.cpu), median(audit.cpus), "≤ 2,000 ms", met(audit.cpu, 2.0)),
        ("`reglament audit` process (wall)", ms(audit.wall), median(audit.walls), "", ""),
    ]  # fmt: skip
    lines = [
        START,
        "## Start-up and build",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by `python -m bench` in {elapsed:.0f} s "
        f"on {cpu_model()}, Python {platform.python_version()}, pydantic {version('pydantic')}, "
        f"typer {version('typer')}, holidays {version('holidays')}.",
        "",
        f"`Engine` over the {count} bundled reglaments, each the best of {ROUNDS} rounds; the "
        f"calendar in a fresh process, best of {RUNS}; processes {RUNS} runs (audit: "
        f"{AUDIT_RUNS}), the best and the median, with a warm calendar cache in a temporary "
        "folder. CPU time is the steadier figure on this shared 2-core machine, whose wall "
        f"times vary up to 2x with load (load average {os.getloadavg()[0]:.1f} at the end).",
        "",
        "| what | time (best) | median | target | |",
        "|---|---:|---:|---:|---|",
        *(
            f"| {name} | {value} | {middle} | {target} | {verdict} |"
            for name, value, middle, target, verdict in table
        ),
        END,
    ]
    write_section(START, END, "\n".join(lines))
