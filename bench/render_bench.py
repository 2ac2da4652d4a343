"""The outbox's rendering: what ``runtime.messages.messages()`` costs per message on the bundled
reglaments, as a live runtime calls it.

Every bundled reglament that declares notifications, on each channel and variant it serves
(data: the first admissible combination of its yes/no and choice fields), is run move by move:
the case started, polled and completed at each step's simulated end, and after each move the
messages its records send are rendered against the in-flight case, in kk, ru and en, with a
full contact. Each pass begins with no simulated plan kept (``renderers/context.py:
planned_end``), so each case's first notices simulate it, as a runtime's would; then as many
passes with the plans kept. CPU time (``process_time``) of the ``messages()`` calls only, best
of several passes, on one core.

Writes its section of BENCHMARKS.md between the ``render:start`` and ``render:end`` markers.
No timed assertions anywhere: this only measures and reports.
"""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import os
import platform
import time
from dataclasses import dataclass
from importlib.metadata import version
from zoneinfo import ZoneInfo

from bench.report import cpu_model, write_section
from reglament.engine import Engine, Record
from reglament.engine.compiled import Compiled
from reglament.engine.simulate import Timeline, simulate
from reglament.engine.watch import at_risk_from
from reglament.errors import UsageError
from reglament.loader import BUNDLED, load_file
from reglament.renderers import context
from reglament.runtime.messages import Contact, messages
from reglament.schemas import Language, Reglament

START, END = "<!-- render:start -->", "<!-- render:end -->"
PASSES = 5
TARGET_MS = 0.2  # per message: well under, for the outbox's share of a durable completion
CONTACT = Contact(
    email="a@example.kz", phone="+77010000000", cabinet="880101300123", address="Astana"
)


@dataclass(slots=True)
class Run:
    engine: Engine
    submitted: dt.datetime
    channel: str
    variant: str | None
    data: dict[str, object]
    timeline: Timeline


def _data(
    reglament: Reglament, compiled: Compiled, channel: str, variant: str | None
) -> dict[str, object]:
    """The first combination of the yes/no and choice fields that the channel admits."""
    choices: list[list[tuple[str, object]]] = []
    for name, field in reglament.data.items():
        if field.type.value == "bool":
            choices.append([(name, False), (name, True)])
        elif field.values:
            choices.append([(name, v) for v in field.values])
    for combo in itertools.product(*choices):
        if compiled.admits(channel, dict(combo), variant):
            return dict(combo)
    return {}


def _submitted(reglament: Reglament) -> dt.datetime:
    """10:00 on the first weekday the version is in force."""
    day = reglament.effective.from_
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=ZoneInfo(reglament.timezone))


def runs() -> list[tuple[str, list[Run]]]:
    """Each bundled reglament with notifications: its name and its runs."""
    found: list[tuple[str, list[Run]]] = []
    for path in sorted(p for p in BUNDLED.rglob("*.yaml") if not p.name.startswith("_")):
        reglament = load_file(path).reglament
        if reglament is None or not reglament.notifications:
            continue
        engine, compiled, at = Engine(reglament), Compiled(reglament), _submitted(reglament)
        mine: list[Run] = []
        for channel, item in reglament.channels.items():
            if not item.start:
                continue
            for variant in compiled.served_variants(channel):
                data = _data(reglament, compiled, channel, variant)
                try:
                    timeline = simulate(engine, at, channel, variant, data)
                except UsageError:
                    continue
                mine.append(Run(engine, at, channel, variant, data, timeline))
        found.append((str(path.relative_to(BUNDLED)), mine))
    return found


def _timed(run: Run, language: Language) -> tuple[float, int]:
    """The case moved as its timeline goes, the messages of each move rendered after it:
    CPU seconds in messages() and messages rendered."""
    engine = run.engine
    case = engine.start(run.submitted, run.channel, run.variant, dict(run.data))
    seconds, count = 0.0, 0

    def render(records: list[Record]) -> None:
        nonlocal seconds, count
        t0 = time.process_time()
        count += len(messages(engine, case, records, CONTACT, language))
        seconds += time.process_time() - t0

    render(list(case.history))
    risk = at_risk_from(engine, case)
    for row in run.timeline.rows:
        if risk is not None and risk <= row.end:
            render(engine.poll(case, risk))
            risk = None
        render(engine.poll(case, row.end))
        render(engine.complete(case, row.step, row.end, row.outcome))
    return seconds, count


def one_pass(files: list[tuple[str, list[Run]]], cold: bool) -> dict[str, tuple[float, int]]:
    """Per reglament: CPU seconds in messages() and messages rendered; ``cold``: with no
    simulated plan kept from before."""
    if cold:
        context._PLANS.clear()
    spent: dict[str, tuple[float, int]] = {}
    for name, mine in files:
        timed = [_timed(run, language) for run in mine for language in Language]
        spent[name] = (sum(s for s, _ in timed), sum(n for _, n in timed))
    return spent


def main() -> None:
    affinity = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    if affinity:
        os.sched_setaffinity(0, {min(affinity)})  # one core
    try:
        section = _measure()
    finally:
        if affinity:
            os.sched_setaffinity(0, affinity)
    write_section(START, END, section)


def _best(files: list[tuple[str, list[Run]]], cold: bool) -> dict[str, tuple[float, int]]:
    best: dict[str, tuple[float, int]] = {}
    gc.collect()
    for _ in range(PASSES):
        for name, (seconds, count) in one_pass(files, cold).items():
            if name not in best or seconds < best[name][0]:
                best[name] = (seconds, count)
    return best


def _measure() -> str:
    t_all = time.perf_counter()
    files = runs()
    best = _best(files, cold=True)
    total = sum(s for s, _ in best.values())
    count = sum(n for _, n in best.values())
    per = 1e3 * total / count
    worst_name, (worst_s, worst_n) = max(best.items(), key=lambda kv: kv[1][0] / kv[1][1])
    kept = _best(files, cold=False)
    per_kept = 1e3 * sum(s for s, _ in kept.values()) / sum(n for _, n in kept.values())
    elapsed = time.perf_counter() - t_all
    lines = [
        START,
        "## Outbox: rendering the messages of a move (bundled reglaments)",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by `python -m bench --only render` in "
        f"{elapsed:.0f} s on {cpu_model()} (pinned to one core), Python "
        f"{platform.python_version()}, Jinja2 {version('jinja2')}.",
        "",
        f"`runtime.messages.messages()` after each move of {sum(len(r) for _, r in files)} "
        f"simulated paths of the {len(files)} bundled reglaments that declare notifications, "
        "each rendered against the in-flight case in kk, ru and en: "
        f"{count:,} messages per pass, CPU time of the calls only, best of {PASSES} passes, "
        "each beginning with no simulated plan kept (an open case whose act states no term "
        "is simulated from its start for its due date: once per case, at its first notice), "
        "then as many with the plans kept.",
        "",
        "| what | per message | target |",
        "|---|---:|---:|",
        f"| ours, `messages()` per message, all | {per:.3f} ms | ≤ {TARGET_MS} ms |",
        f"| ours, `messages()` per message, slowest reglament ({worst_name}) "
        f"| {1e3 * worst_s / worst_n:.3f} ms | |",
        f"| ours, `messages()` per message, all, each case's plan kept | {per_kept:.3f} ms | |",
        "",
        f"- **{count / total:,.0f} messages/s** on one core "
        f"(target ≤ {TARGET_MS} ms a message: " + ("met" if per <= TARGET_MS else "missed") + ").",
        END,
    ]
    return "\n".join(lines)
