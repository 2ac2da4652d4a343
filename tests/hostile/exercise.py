"""Every command a user would run on one reglament file, in-process, with what each may end in.

``exercise(folder, file, seed, ran)`` runs ``validate`` on the file and, when it is valid,
``simulate``, ``audit``, ``diagram`` and ``render`` through the CLI (``typer.testing.CliRunner``:
in-process, a hundred times faster than a process each), with options that ``seed`` chooses
among those the reglament declares (channels, variants, answers, actual times, data, formats).
A command may end in exit 0, 1 or 2 or in one of the project's own errors; anything else is a
:class:`Crash`, raised with the command that found it. Each command is bounded in time
(:data:`SECONDS`, as the hostile cases are) so that a hang fails instead of stalling the run.
"""

from __future__ import annotations

import datetime as dt
import random
import signal
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from typer.testing import CliRunner

from reglament.cli import app
from reglament.errors import ReglamentError
from reglament.loader import load_file
from reglament.schemas import Decision, Language, Medium, Recipient, Reglament, Wait

SECONDS = 10  # per command, as for every hostile case (tests/hostile/README.md)
EXITS = (0, 1, 2)


class Crash(Exception):
    """A command ended in something other than exit 0/1/2 or one of the project's errors."""


class Hang(Exception):
    """A command took longer than :data:`SECONDS`."""


# What ran, for the one-line summary at the end of the session (conftest.py prints it):
# "inputs", "valid", "crashes" and "<command> exit <code>".
STATS: Counter[str] = Counter()
COMMANDS = ("simulate", "audit", "diagram", "render")


def summary(mode: str) -> str:
    """``fuzz (MODE): N inputs, M still valid; simulate K (exit 0: a, 2: b), ...; C crashes``."""
    reached = []
    for command in COMMANDS:
        codes = {c: STATS[f"{command} exit {c}"] for c in EXITS if STATS[f"{command} exit {c}"]}
        ends = ", ".join(f"{c}: {n}" for c, n in codes.items())
        reached.append(f"{command} {sum(codes.values())}" + (f" (exit {ends})" if ends else ""))
    return (
        f"fuzz ({mode}): {STATS['inputs']} inputs, {STATS['valid']} still valid; reached "
        f"{', '.join(reached)}; {STATS['crashes']} crashes"
    )


@contextmanager
def time_limit(seconds: float, what: str) -> Iterator[None]:
    """:class:`Hang` when the block takes longer than ``seconds``."""

    def expire(_signum: int, frame: FrameType | None) -> None:
        if frame is not None and "/hypothesis/" in frame.f_code.co_filename:
            # e.g. hypothesis's garbage-collection callback, where an exception would be
            # ignored: raise it once back in our code
            signal.setitimer(signal.ITIMER_REAL, 0.01)
            return
        raise Hang(f"{what}: took more than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def invoke(args: list[str], ran: list[list[str]] | None = None) -> int:
    """Run one CLI command in-process, within :data:`SECONDS`; its exit code, or
    :class:`Crash` with its exception (:class:`Hang` when it takes too long)."""
    if ran is not None:
        ran.append(args)
    with time_limit(SECONDS, f"reglament {' '.join(args)}"):
        result = CliRunner().invoke(app, args, catch_exceptions=True)
    if isinstance(result.exception, Hang):
        raise result.exception
    code = ended(result.exception, result.exit_code, args)
    STATS[f"{args[0]} exit {code}"] += 1
    return code


def ended(error: BaseException | None, exit_code: int, args: list[str]) -> int:
    """How a command ended: its exit code when that is allowed, else :class:`Crash`."""
    if isinstance(error, ReglamentError):
        exit_code = error.exit_code
    elif error is not None and not isinstance(error, SystemExit):
        raise Crash(f"reglament {' '.join(args)}: {type(error).__name__}: {error}") from error
    if exit_code not in EXITS:
        raise Crash(f"reglament {' '.join(args)}: exit {exit_code}")
    return exit_code


def exercise(
    folder: Path, file: Path, seed: int, ran: list[list[str]], *, graphviz: bool = False
) -> None:
    """validate FILE; on a valid file also simulate, audit, diagram and render it, with options
    chosen by ``seed`` among those the reglament declares. Each command is added to ``ran``
    before it runs."""
    STATS["inputs"] += 1
    if invoke(["validate", str(file)], ran) != 0:
        return
    reglament = load_file(file).reglament
    assert reglament is not None, "validate said it is valid"
    STATS["valid"] += 1
    for args in commands(reglament, file, folder, random.Random(seed), graphviz=graphviz):
        invoke(args, ran)


def commands(
    reglament: Reglament, file: Path, folder: Path, rng: random.Random, *, graphviz: bool
) -> list[list[str]]:
    """simulate, audit, diagram (mermaid, dot, svg with Graphviz) and render on ``file``."""
    where = ["--path", str(file)]
    found = [["simulate", reglament.id, *where, *_simulate_options(reglament, rng)]]
    chosen = rng.choice(["text", "markdown", "json", "sarif", *(["html"] if graphviz else [])])
    output = ["--output", str(folder / "audit-report")] if chosen == "html" else []
    found.append(["audit", str(file), "--format", chosen, *output])
    for shape in ["mermaid", "dot", *(["svg"] if graphviz else [])]:
        options = [
            *_maybe(rng, "--channel", sorted(reglament.channels)),
            *_maybe(rng, "--language", [language.value for language in Language]),
        ]
        found.append(["diagram", reglament.id, *where, "-f", shape, *options])
    events = sorted({n.on.value for n in reglament.notifications})
    if events:
        event = rng.choice(events)
        found.append(
            ["render", reglament.id, *where, "--event", event, *_render_options(reglament, rng)]
        )
    return found


def _maybe(rng: random.Random, option: str, values: list[str]) -> list[str]:
    """``[option, one of values]`` half of the time."""
    if not values or rng.random() < 0.5:
        return []
    return [option, rng.choice(values)]


def _some(rng: random.Random, names: list[str]) -> list[str]:
    """A few of ``names`` (at most three, each once)."""
    return rng.sample(names, rng.randint(0, min(3, len(names))))


def _answers(reglament: Reglament, rng: random.Random) -> list[str]:
    """Outcomes for some decisions that an actor takes (not decided by data), timeouts for
    some waits."""
    steps = reglament.steps
    chosen = [
        n
        for n, s in steps.items()
        if (isinstance(s, Decision) and not all(o.when for o in s.outcomes.values()))
        or (isinstance(s, Wait) and s.on_timeout is not None)
    ]
    found: list[str] = []
    for name in _some(rng, chosen):
        step = steps[name]
        outcomes = sorted(step.outcomes) if isinstance(step, Decision) else ["event", "timeout"]
        found += ["--answer", f"{name}={rng.choice(outcomes)}"]
    return found


def _data(reglament: Reglament, rng: random.Random) -> list[str]:
    found: list[str] = []
    for name in _some(rng, sorted(reglament.data)):
        declared = reglament.data[name]
        kind = declared.type.value
        if kind == "bool":
            value = rng.choice(["true", "false"])
        elif kind == "int":
            value = str(rng.randint(-5, 100))
        elif declared.values:
            value = rng.choice(declared.values)
        else:
            value = rng.choice(["x", "yes", "0"])
        found += ["--data", f"{name}={value}"]
    return found


def _ways(reglament: Reglament) -> list[str]:
    """The channels a case can start in."""
    return sorted(name for name, channel in reglament.channels.items() if channel.start)


def _day(reglament: Reglament, rng: random.Random) -> dt.date:
    """A day the version is in force."""
    start, until = reglament.effective.from_, reglament.effective.until
    last = 400 if until is None else max(0, min(400, (until - start).days - 1))
    return start + dt.timedelta(days=rng.randint(0, last))


def _actuals(reglament: Reglament, rng: random.Random) -> list[str]:
    found: list[str] = []
    for name in _some(rng, sorted(reglament.steps)):
        unit = rng.choice(["m", "h", "wd", "cd"])
        found += ["--actual", f"{name}={rng.randint(0, 40)}{unit}"]
    return found


def _simulate_options(reglament: Reglament, rng: random.Random) -> list[str]:
    options = [
        *_maybe(rng, "--channel", _ways(reglament)),
        *_maybe(rng, "--variant", sorted(reglament.variants)),
        *_data(reglament, rng),
    ]
    start = _day(reglament, rng)
    if rng.random() < 0.5:
        # many cases: the batch simulator
        end = start + dt.timedelta(days=rng.randint(0, 60))
        options += ["--cases", str(rng.randint(1, 40)), "--from", start.isoformat()]
        options += ["--to", end.isoformat(), "--seed", str(rng.randint(0, 2**32))]
        return [*options, "--format", rng.choice(["table", "json", "markdown"])]
    options += _answers(reglament, rng) + _actuals(reglament, rng)
    hour = rng.choice(["00:00", "09:00", "13:30", "17:59", "18:00", "23:59"])
    options += ["--submitted", f"{start.isoformat()} {hour}"]
    return [*options, "--format", rng.choice(["table", "json", "markdown", "html", "gantt"])]


def _render_options(reglament: Reglament, rng: random.Random) -> list[str]:
    return [
        *_maybe(rng, "--lang", [language.value for language in Language]),
        *_maybe(rng, "--channel", [medium.value for medium in Medium]),
        *_maybe(rng, "--to", [recipient.value for recipient in Recipient]),
        *_maybe(rng, "--via", _ways(reglament)),
        *_maybe(rng, "--variant", sorted(reglament.variants)),
        *_answers(reglament, rng),
        *_actuals(reglament, rng),
        *_data(reglament, rng),
        *_maybe(rng, "--format", ["text", "json"]),
    ]
