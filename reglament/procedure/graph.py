"""A reglament as a graph: the ways out of each step, and the parallel blocks.

:func:`exits` is the one walk of a step's ways out (a task's or join's ``next``, a decision's
outcomes, a wait's ``next`` and ``on_timeout``, a parallel block's branches): every reader of
the graph (the compiled engine and its state machine, the audit's paths, checks and diff, the
flowchart) calls it. Each way out is named by the *trigger* a caller records to take it
(:data:`DONE`, an outcome's name, :data:`EVENT`, :data:`TIMEOUT`, :data:`SPLIT`) and says where
it is written, so that a finding or a problem can point there.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from reglament.schemas import (
    Decision,
    End,
    Join,
    Outcome,
    Parallel,
    Reglament,
    Route,
    Step,
    Task,
    Wait,
)
from reglament.schemas.expr import Expr, parse
from reglament.schemas.words import next_text

Key = tuple[str | int, ...]  # a path under the step, e.g. ("outcomes", "granted", "next", 0, "to")
Scope = Mapping[str, object]

DONE = "done"  # a task or a join finished
EVENT = "event"  # the awaited event happened
TIMEOUT = "timeout"  # a wait's limit passed
SPLIT = "split"  # a parallel block starts all its branches


@dataclass(frozen=True, slots=True)
class Target:
    """One place a way out may lead to, and where it is written under the step."""

    to: str
    key: Key
    route: Route | None = None  # the route, when the way is written as a list of routes

    @property
    def when(self) -> str | None:
        """The route's condition (first match wins; ``None``: otherwise, or the only way)."""
        return self.route.when if self.route is not None else None

    @property
    def inferred(self) -> bool:
        """Whether the act only implies this route."""
        return self.route is not None and self.route.inferred


@dataclass(frozen=True, slots=True)
class Exit:
    """A named way out of a step: the trigger that takes it and where it may lead. Its targets
    are alternatives (the first whose condition holds is taken), except for :data:`SPLIT`,
    which starts them all."""

    trigger: str
    key: Key  # where its ``next`` (or the branches) is written under the step
    next: str | list[Route] | None  # as written; None for the branches of a parallel block
    targets: tuple[Target, ...]
    outcome: Outcome | None = None  # a decision's outcome


def _exit(trigger: str, key: Key, next_: str | list[Route], outcome: Outcome | None = None) -> Exit:
    if isinstance(next_, str):
        targets: tuple[Target, ...] = (Target(next_, key),)
    else:
        targets = tuple(
            Target(route.to, (*key, index, "to"), route) for index, route in enumerate(next_)
        )
    return Exit(trigger, key, next_, targets, outcome)


def exits(step: Step) -> tuple[Exit, ...]:
    """Every way out of ``step``, in the definition's order. An end has none; a parallel block
    leads into its branches (the join is reached through them)."""
    if isinstance(step, Task | Join):
        return (_exit(DONE, ("next",), step.next),)
    if isinstance(step, Decision):
        return tuple(
            _exit(name, ("outcomes", name, "next"), outcome.next, outcome)
            for name, outcome in step.outcomes.items()
        )
    if isinstance(step, Wait):
        found = [_exit(EVENT, ("next",), step.next)]
        if step.on_timeout is not None:
            found.append(_exit(TIMEOUT, ("on_timeout",), step.on_timeout))
        return tuple(found)
    if isinstance(step, Parallel):
        branches = tuple(Target(b, ("branches", i)) for i, b in enumerate(step.branches))
        return (Exit(SPLIT, ("branches",), None, branches),)
    assert isinstance(step, End)
    return ()


def triggers(step: Step) -> tuple[str, ...]:
    """The triggers that take ``step``'s ways out (a wait: ``event``, and ``timeout`` when it
    has a limit)."""
    return tuple(e.trigger for e in exits(step))


def routes_text(step: Step) -> str:
    """Where ``step`` leads, in words: a task's or a join's ``next``; ``outcome → next; ...``
    of a decision or a wait; a parallel block's branches and join; ``""`` for an end."""
    if isinstance(step, Parallel):
        return f"branches {', '.join(step.branches)}; join {step.join}"
    ways = [(way.trigger, way.next) for way in exits(step) if way.next is not None]
    if [trigger for trigger, _ in ways] == [DONE]:
        return next_text(ways[0][1])
    return "; ".join(f"{trigger} → {next_text(next_)}" for trigger, next_ in ways)


def targets(step: Step) -> list[str]:
    """Every step ``step`` may lead to directly, in order, once each."""
    return list(dict.fromkeys(t.to for e in exits(step) for t in e.targets))


# -- compiled: conditions parsed once, chosen against a case's scope ------------------------------


@dataclass(frozen=True, slots=True)
class Branch:
    """One conditional way on: taken when ``condition`` holds (``None``: always)."""

    condition: Expr | None
    target: str
    inferred: bool = False


def branches(step: Step) -> dict[str, tuple[Branch, ...]]:
    """``step``'s exits with their conditions parsed: trigger → the branches it may take."""
    return {
        e.trigger: tuple(
            Branch(parse(t.when) if t.when else None, t.to, t.inferred) for t in e.targets
        )
        for e in exits(step)
    }


def undetermined(
    conditions: Iterable[Expr | None], scope: Scope, unset: frozenset[str]
) -> frozenset[str]:
    """Missing data never decide: the fields of ``unset`` that the first of ``conditions``
    (tried in order, first match wins; ``None``: otherwise) whose value depends on them reads.
    Empty when a condition that holds, or an otherwise, comes first."""
    for condition in conditions:
        if condition is None:
            return frozenset()
        missing = condition.missing(scope, unset)
        if missing:
            return missing
        if condition(scope):
            return frozenset()
    return frozenset()


def choose(found: tuple[Branch, ...], scope: Scope) -> Branch:
    """The branch a case with ``scope`` takes: the first whose condition holds (the caller
    checks first that none is :func:`undetermined`)."""
    for branch in found:
        if branch.condition is None or branch.condition(scope):
            return branch
    raise AssertionError("validated: the last branch has no condition")  # pragma: no cover


# -- reachability and parallel blocks --------------------------------------------------------------


def successors(reglament: Reglament) -> dict[str, list[str]]:
    """Each step's successors among the declared steps; a parallel block also continues at its
    join (reached through its branches)."""
    steps = reglament.steps
    found = {sid: [t for t in targets(step) if t in steps] for sid, step in steps.items()}
    for step_id, step in steps.items():
        if isinstance(step, Parallel) and step.join in steps:
            found[step_id].append(step.join)
    return found


def reach(
    starts: Iterable[str],
    following: Mapping[str, list[str]],
    stop: frozenset[str] | set[str] = frozenset(),
) -> set[str]:
    """The steps reachable from ``starts`` (included) along ``following``, not going on past a
    step of ``stop`` (which is included when reached)."""
    seen: set[str] = set()
    queue = deque(starts)
    while queue:
        current = queue.popleft()
        if current in seen:
            continue
        seen.add(current)
        if current not in stop:
            queue.extend(following.get(current, ()))
    return seen


@dataclass(frozen=True, slots=True)
class Blocks:
    """The parallel blocks of a reglament: static facts of the graph, so that a case need
    remember only which block each of its places belongs to."""

    opener: dict[str, str]  # join → the parallel block it closes
    regions: dict[str, frozenset[str]]  # parallel block → the steps of its branches (not the join)
    enclosing: dict[str, str | None]  # parallel block → the innermost block around it (or None)


def blocks(reglament: Reglament) -> Blocks:
    """Each join's block, each block's region, and the block that encloses each block."""
    steps = reglament.steps
    following = successors(reglament)
    opener = {p.join: pid for pid, p in steps.items() if isinstance(p, Parallel)}
    regions: dict[str, frozenset[str]] = {}
    for pid, p in steps.items():
        if isinstance(p, Parallel):
            inside = reach([b for b in p.branches if b in steps], following, stop={p.join})
            regions[pid] = frozenset(inside - {p.join})
    enclosing: dict[str, str | None] = {}
    for pid in regions:
        around = [q for q, region in regions.items() if pid in region]
        enclosing[pid] = min(around, key=lambda q: len(regions[q])) if around else None
    return Blocks(opener, regions, enclosing)
