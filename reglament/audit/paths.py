"""Every way a case can go through a reglament, for one channel and variant, symbolically.

A *path* is the sequence of steps a case visits from its channel's start to an end, with the
outcome taken at each decision or wait and the duration that applies at each step. The case data
are unknown to an audit, so every way the data could send a case is followed: the ``bool`` and
``choice`` fields that conditions read are enumerated (each combination is one *scope*, in which
every condition is decided by the engine's own compiled conditions); a condition reading a field of
another type (int, str, date) may go either way. Decisions that the caller decides may take any
outcome whose condition does not contradict the scope; waits with a time limit may end with the
event or the timeout.

Loops (a wait sending the case back to an earlier step) are followed at most once: a path that
would enter a step a second time is cut there, and the loop is reported. The work is bounded,
whatever the graph: at most :data:`MAX_PATHS` paths, and as many ways through each branch of a
parallel block; paths of at most :data:`MAX_LENGTH` steps (a path is followed recursively);
:data:`MAX_VISITS` steps visited in all. Beyond a bound the enumeration says which it met
(``Enumeration.limit``), and what was found so far stands.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from reglament.engine.compiled import Compiled
from reglament.procedure import graph, outcomes, timing
from reglament.procedure.graph import DONE, EVENT, Branch
from reglament.schemas import Decision, Duration, End, Join, Parallel, Reglament
from reglament.schemas.expr import Expr, parse

MAX_PATHS = 256  # per channel and variant
MAX_LENGTH = 200  # steps on one path; each is a frame of the recursive walk
MAX_VISITS = 100_000  # steps visited (and parallel combinations tried) per channel and variant
MAX_SCOPES = 256  # combinations of bool/choice fields enumerated; beyond, fields go "either way"

Scope = Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Move:
    """One step of a path: the step, the outcome taken (``None`` for a task) and the duration
    that applies (``None``: a wait without a limit)."""

    step: str
    outcome: str | None
    duration: Duration | None


@dataclass(frozen=True, slots=True)
class Fork:
    """A parallel block: the moves of each branch up to the join, run at the same time."""

    step: str
    branches: tuple[tuple[Item, ...], ...]
    join: str


Item = Move | Fork


@dataclass(frozen=True, slots=True)
class Path:
    """A way from a channel's start to an end step."""

    items: tuple[Item, ...]
    end: str

    def moves(self) -> Iterator[Move]:
        """Every move, branches of parallel blocks included, in order."""
        yield from _flatten(self.items)

    def describe(self) -> str:
        """``accept → review (refused) → sign → refused``."""
        return " → ".join([*(_item_text(item) for item in self.items), self.end])


def _flatten(items: tuple[Item, ...]) -> Iterator[Move]:
    for item in items:
        if isinstance(item, Move):
            yield item
        else:
            for branch in item.branches:
                yield from _flatten(branch)


def _item_text(item: Item) -> str:
    if isinstance(item, Move):
        return f"{item.step} ({item.outcome})" if item.outcome not in (None, EVENT) else item.step
    inner = " | ".join(" → ".join(_item_text(i) for i in branch) for branch in item.branches)
    return f"{item.step} [{inner}] {item.join}"


@dataclass(slots=True)
class Enumeration:
    """The paths of one channel and variant, and what was cut on the way."""

    paths: list[Path] = field(default_factory=list)
    loops: set[tuple[str, str]] = field(default_factory=set)  # (from step, back to step)
    limit: str = ""  # the bound that cut it, e.g. "the route has more than 256 paths"
    data: dict[Path, dict[str, object]] = field(default_factory=dict)  # case data taking each path
    visits: int = 0  # steps visited (and parallel combinations tried): the work it took

    @property
    def truncated(self) -> bool:
        return bool(self.limit)

    def cut(self, why: str) -> None:
        """Record that a bound was met (the first one met is the one said)."""
        self.limit = self.limit or why


class _Stop(Exception):
    """A bound is met: stop enumerating (the message says which)."""


def finite_fields(
    reglament: Reglament, channel: str | None = None
) -> dict[str, tuple[object, ...]]:
    """The data fields read by some condition (of the steps, and of ``channel``'s ``when``)
    whose values can be enumerated."""
    read: set[str] = set()
    for expr in _conditions(reglament):
        read |= expr.names
    when = reglament.channels[channel].when if channel is not None else None
    if when is not None:
        read |= parse(when).names
    found: dict[str, tuple[object, ...]] = {}
    for name in sorted(read):
        declared = reglament.data.get(name)
        if declared is None:
            continue
        if declared.type.value == "bool":
            found[name] = (True, False)
        elif declared.values is not None:
            found[name] = tuple(declared.values)
    return found


def _conditions(reglament: Reglament) -> Iterator[Expr]:
    """Every condition of the steps: of the outcomes, the routes and the duration cases."""
    for step in reglament.steps.values():
        for way in graph.exits(step):
            if way.outcome is not None and way.outcome.when:
                yield parse(way.outcome.when)
            for target in way.targets:
                if target.when:
                    yield parse(target.when)
        for timed in timing.durations(step):
            if timed.when:
                yield parse(timed.when)


def scopes(
    reglament: Reglament, channel: str, variant: str | None
) -> tuple[list[dict[str, object]], frozenset[str]]:
    """The scopes to enumerate, and the names whose value stays unknown. Only scopes that the
    channel admits (its ``when``) are kept, unless its condition reads a name left unknown."""
    fields = finite_fields(reglament, channel)
    combinations = 1
    for values in fields.values():
        combinations *= len(values)
    if combinations > MAX_SCOPES:
        fields = {}
    unknown = frozenset(set(reglament.data) - set(fields))
    base: dict[str, object] = {"channel": channel, "variant": variant}
    found = [
        {**base, **dict(zip(fields, values, strict=True))}
        for values in itertools.product(*fields.values())
    ]
    when = reglament.channels[channel].when
    if when is not None:
        admits = parse(when)
        if not admits.names & unknown:
            found = [scope for scope in found if admits(scope)]
    return found, unknown


def _may(condition: Expr | None, scope: Scope, unknown: frozenset[str]) -> tuple[bool, bool]:
    """(may hold, may fail) of a condition in a scope where ``unknown`` names have no value."""
    if condition is None:
        return True, False
    if condition.names & unknown:
        return True, True
    holds = condition(scope)
    return holds, not holds


def _first_matches(
    conditions: list[Expr | None], scope: Scope, unknown: frozenset[str]
) -> list[int]:
    """Indices that may be the first whose condition holds (first match wins)."""
    found: list[int] = []
    for index, condition in enumerate(conditions):
        holds, fails = _may(condition, scope, unknown)
        if holds:
            found.append(index)
        if not fails:
            break
    return found


def _targets(branches: tuple[Branch, ...], scope: Scope, unknown: frozenset[str]) -> list[str]:
    chosen = _first_matches([b.condition for b in branches], scope, unknown)
    return list(dict.fromkeys(branches[i].target for i in chosen))


class _Enumerator:
    def __init__(self, compiled: Compiled, unknown: frozenset[str], found: Enumeration) -> None:
        self.c = compiled
        self.steps = compiled.reglament.steps
        self.scope: Scope = {}
        self.unknown = unknown
        self.found = found
        self.visits = 0

    def visit(self) -> None:
        self.visits += 1
        if self.visits > MAX_VISITS:
            raise _Stop(f"the route has more than {MAX_VISITS:,} steps to visit")

    def durations(self, step_id: str) -> list[Duration | None]:
        rules = self.c.timing[step_id]
        if not rules:
            return [None]
        chosen = _first_matches([r.condition for r in rules], self.scope, self.unknown)
        return [rules[i].duration for i in chosen]

    def outcomes(self, step_id: str) -> list[str | None]:
        """The outcomes ``step_id`` may end with in this scope: those the data may decide, those
        the caller may record (whose condition does not contradict the scope), or none."""
        step = self.steps[step_id]
        if not isinstance(step, Decision):
            return [*outcomes.outcomes(step)] or [None]
        conditions = self.c.outcome_conditions[step_id]
        names = list(conditions)
        if outcomes.decided_by_data(step):
            chosen = _first_matches([conditions[n] for n in names], self.scope, self.unknown)
            return [names[i] for i in chosen]
        return [n for n in names if _may(conditions[n], self.scope, self.unknown)[0]]

    def walk(
        self, step_id: str, seen: frozenset[str], stop: str | None
    ) -> Iterator[tuple[tuple[Item, ...], str]]:
        """Every sequence of items from ``step_id`` to an end (or to ``stop``, a join)."""
        if step_id == stop:
            yield (), step_id
            return
        if step_id in seen:
            return
        self.visit()
        step = self.steps[step_id]
        if isinstance(step, End):
            yield (), step_id
            return
        if len(seen) >= MAX_LENGTH:
            self.found.cut(f"the route has a path of more than {MAX_LENGTH} steps")
            return
        seen = seen | {step_id}
        if isinstance(step, Parallel):
            branch_ways = [self.ways(b, seen, step_id, step.join) for b in step.branches]
            for combination in itertools.product(*branch_ways):
                self.visit()
                inside = frozenset(m.step for items, _ in combination for m in _flatten(items))
                fork = Fork(step_id, tuple(items for items, _ in combination), step.join)
                for rest, end in self.after(step.join, seen | inside, stop):
                    yield (fork, *rest), end
            return
        if isinstance(step, Join):
            yield from self.after(step_id, seen, stop)
            return
        for outcome in self.outcomes(step_id):
            trigger = outcome or DONE
            for target in _targets(self.c.exits[step_id][trigger], self.scope, self.unknown):
                if target in seen and target != stop:
                    self.found.loops.add((step_id, target))
                    continue
                for duration in self.durations(step_id):
                    move = Move(step_id, outcome, duration)
                    for rest, end in self.walk(target, seen, stop):
                        yield (move, *rest), end

    def ways(
        self, branch: str, seen: frozenset[str], parallel: str, join: str
    ) -> list[tuple[tuple[Item, ...], str]]:
        """The ways from a branch's first step to the join (at most :data:`MAX_PATHS`)."""
        found = list(itertools.islice(self.walk(branch, seen, join), MAX_PATHS + 1))
        if len(found) > MAX_PATHS:
            self.found.cut(f"a branch of {parallel!r} has more than {MAX_PATHS} ways to its join")
        return found[:MAX_PATHS]

    def after(
        self, join: str, seen: frozenset[str], stop: str | None
    ) -> Iterator[tuple[tuple[Item, ...], str]]:
        """Where a join leads."""
        for target in _targets(self.c.exits[join][DONE], self.scope, self.unknown):
            if target in seen and target != stop:
                self.found.loops.add((join, target))
                continue
            yield from self.walk(target, seen | {join}, stop)


def enumerate_paths(compiled: Compiled, channel: str, variant: str | None) -> Enumeration:
    """Every path of ``channel`` and ``variant`` (deduplicated over the scopes), in a stable
    order: the order of the reglament's outcomes and routes. None when the channel does not
    serve the variant, and only with case data its ``when`` admits."""
    found = Enumeration()
    if not compiled.serves(channel, variant):
        return found
    start = compiled.starts[channel]
    all_scopes, unknown = scopes(compiled.reglament, channel, variant)
    seen: dict[Path, None] = {}
    walker = _Enumerator(compiled, unknown, found)
    try:
        for scope in all_scopes:
            walker.scope = scope
            for items, end in walker.walk(start, frozenset(), None):
                path = Path(items, end)
                seen.setdefault(path)
                found.data.setdefault(
                    path, {k: v for k, v in scope.items() if k not in ("channel", "variant")}
                )
                if len(seen) > MAX_PATHS:
                    raise _Stop(f"the route has more than {MAX_PATHS} paths")
    except _Stop as stop:
        found.cut(str(stop))
    found.visits = walker.visits
    found.paths = list(seen)[:MAX_PATHS]
    return found
