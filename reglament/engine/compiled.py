"""A reglament compiled for execution: clocks per actor, exits and durations as closures.

Built once per reglament version and shared by every case of it. Knows nothing of YAML.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from reglament.calendar import SCHEDULES, Clock, WeeklySchedule, WorkCalendar, default_calendar
from reglament.errors import UsageError, unknown
from reglament.schemas import (
    Decision,
    Duration,
    DurationCase,
    End,
    Join,
    Parallel,
    Reglament,
    Route,
    Schedule,
    Step,
    Task,
    Term,
    Unit,
    Wait,
)
from reglament.schemas.expr import Expr, parse

DEFAULT_SCHEDULE = "standard"  # Mon–Fri 9:00–18:30, lunch 13:00–14:30 (docs/calendar.md)

Scope = Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Branch:
    """One conditional way on: taken when ``condition`` holds (``None``: always)."""

    condition: Expr | None
    target: str
    inferred: bool = False


@dataclass(frozen=True, slots=True)
class TimedRule:
    """A duration that applies when its condition holds."""

    condition: Expr | None
    duration: Duration


def _branches(next_: str | list[Route]) -> tuple[Branch, ...]:
    if isinstance(next_, str):
        return (Branch(None, next_),)
    return tuple(Branch(parse(r.when) if r.when else None, r.to, r.inferred) for r in next_)


def choose(branches: tuple[Branch, ...], scope: Scope) -> Branch:
    for branch in branches:
        if branch.condition is None or branch.condition(scope):
            return branch
    raise AssertionError("validated: the last branch has no condition")  # pragma: no cover


def schedule_of(schedule: Schedule, name: str) -> WeeklySchedule:
    days = {}
    for spec, hours in schedule.open.items():
        start, _, end = hours.partition("-")
        days[spec] = (start, end)
    lunch = tuple(schedule.lunch.split("-")) if schedule.lunch else None
    return WeeklySchedule.from_days(
        days,
        lunch=(lunch[0], lunch[1]) if lunch else None,
        open_on_days_off=schedule.open_on_days_off,
        name=name,
    )


class Compiled:
    """Everything the runtime needs about one reglament version, precomputed."""

    def __init__(self, reglament: Reglament, calendar: WorkCalendar | None = None) -> None:
        self.reglament = reglament
        self.calendar = calendar if calendar is not None else default_calendar()
        self.version = reglament.effective.from_.isoformat()
        self.zone_name = reglament.timezone
        schedules = {sid: schedule_of(s, sid) for sid, s in reglament.schedules.items()}
        default = SCHEDULES[DEFAULT_SCHEDULE]
        self._clock_by_schedule: dict[str, Clock] = {}

        def clock(name: str | None) -> Clock:
            key = name or f"default:{DEFAULT_SCHEDULE}"
            if key not in self._clock_by_schedule:
                weekly = schedules[name] if name else default
                self._clock_by_schedule[key] = Clock(self.calendar, weekly, self.zone_name)
            return self._clock_by_schedule[key]

        self.actor_clock = {aid: clock(a.schedule) for aid, a in reglament.actors.items()}
        self.channel_clock = {cid: clock(c.schedule) for cid, c in reglament.channels.items()}
        self.exits: dict[str, dict[str, tuple[Branch, ...]]] = {}
        self.outcome_conditions: dict[str, dict[str, Expr | None]] = {
            step_id: {name: parse(o.when) if o.when else None for name, o in step.outcomes.items()}
            for step_id, step in reglament.steps.items()
            if isinstance(step, Decision)
        }
        self.timing: dict[str, tuple[TimedRule, ...]] = {}
        for step_id, step in reglament.steps.items():
            self.exits[step_id] = _exits(step)
            self.timing[step_id] = _timing(step)
        self.starts = {cid: c.start for cid, c in reglament.channels.items() if c.start}
        self.opener_id, self.enclosing = _parallel_blocks(reglament)
        self.channel_conditions: dict[str, Expr] = {
            cid: parse(c.when) for cid, c in reglament.channels.items() if c.when
        }

    @property
    def steps(self) -> Mapping[str, Step]:
        return self.reglament.steps

    @cached_property
    def zone(self) -> dt.tzinfo:
        return next(iter(self.channel_clock.values())).zone

    def clock_for(self, step_id: str) -> Clock:
        step = self.reglament.steps[step_id]
        actor = getattr(step, "actor", None)
        if isinstance(actor, str):
            return self.actor_clock[actor]
        return next(iter(self.actor_clock.values()))

    def duration(self, step_id: str, scope: Scope) -> Duration | None:
        for rule in self.timing[step_id]:
            if rule.condition is None or rule.condition(scope):
                return rule.duration
        return None

    def term(self, channel: str, variant: str | None) -> Term | None:
        """The most specific legal term: channel and variant, channel, variant, general."""
        best: tuple[int, Term] | None = None
        for term in self.reglament.terms:
            if term.channel not in (None, channel) or term.variant not in (None, variant):
                continue
            rank = (term.channel is not None) * 2 + (term.variant is not None)
            if best is None or rank > best[0]:
                best = (rank, term)
        return best[1] if best else None

    def serves(self, channel: str, variant: str | None) -> bool:
        """Whether ``channel`` serves ``variant`` (its ``variants``; absent: every variant)."""
        return self.reglament.channels[channel].serves(variant)

    def admits(self, channel: str, data: Scope, variant: str | None = None) -> bool:
        """Whether case ``data`` satisfy ``channel``'s ``when`` (absent: everybody may apply)."""
        condition = self.channel_conditions.get(channel)
        return condition is None or condition({**data, "channel": channel, "variant": variant})

    def served_variants(self, channel: str) -> list[str | None]:
        """The variants a case through ``channel`` may have (``[None]`` without variants)."""
        variants: list[str | None] = list(self.reglament.variants) or [None]
        return [v for v in variants if self.serves(channel, v)]

    def scope_problem(self, channel: str, variant: str | None, data: Scope | None) -> str | None:
        """Why a case of ``variant`` with ``data`` may not be made through ``channel`` (``None``
        when it may; ``data`` of ``None`` skips the channel's ``when``)."""
        r = self.reglament
        served = r.channels[channel].variants
        if variant is not None and served is not None and variant not in served:
            return (
                f"channel {channel!r} of {r.id} serves only the variant"
                f"{'s' if len(served) > 1 else ''} {', '.join(served)}, not {variant!r}; "
                "choose one with --variant"
            )
        if data is not None and not self.admits(channel, data, variant):
            return (
                f"channel {channel!r} of {r.id} is open only when `{r.channels[channel].when}`; "
                "set the case data with --data"
            )
        return None

    def check_start(self, channel: str, variant: str | None, data: Scope | None = None) -> str:
        """The first step of a case through ``channel``; raises :class:`UsageError` for an
        unknown channel or variant, a channel without a procedure, a variant the channel does
        not serve or (when ``data`` is given) data that fail the channel's ``when``."""
        r = self.reglament
        if channel not in r.channels:
            raise unknown("channel", channel, r.channels, f"for {r.id}")
        start = r.channels[channel].start
        if start is None:
            with_start = ", ".join(self.starts) or "none"
            raise UsageError(
                f"channel {channel!r} of {r.id} has no procedure in the act, so no case can run "
                f"there; channels with a procedure: {with_start}"
            )
        if r.variants and variant is None:
            raise UsageError(f"{r.id} has variants; choose one of: {', '.join(r.variants)}")
        if variant is not None and variant not in r.variants:
            raise unknown("variant", variant, r.variants, f"for {r.id}")
        problem = self.scope_problem(channel, variant, data)
        if problem is not None:
            raise UsageError(problem)
        return start


def _parallel_blocks(reglament: Reglament) -> tuple[dict[str, str], dict[str, str | None]]:
    """For each join, the parallel block it closes; for each parallel block, the innermost
    block whose branches contain it (``None`` at the top level). Static facts of the graph,
    so a case needs to remember only which block each of its places belongs to."""
    steps = reglament.steps
    opener_id = {p.join: pid for pid, p in steps.items() if isinstance(p, Parallel)}
    regions: dict[str, set[str]] = {}
    for pid, p in steps.items():
        if not isinstance(p, Parallel):
            continue
        seen: set[str] = set()
        todo = list(p.branches)
        while todo:
            current = todo.pop()
            if current in seen or current == p.join or current not in steps:
                continue
            seen.add(current)
            todo.extend(b.target for exits in _exits(steps[current]).values() for b in exits)
            inner = steps[current]
            if isinstance(inner, Parallel):
                todo.append(inner.join)
        regions[pid] = seen
    enclosing: dict[str, str | None] = {}
    for pid in regions:
        around = [q for q, region in regions.items() if pid in region]
        enclosing[pid] = min(around, key=lambda q: len(regions[q])) if around else None
    return opener_id, enclosing


def _exits(step: Step) -> dict[str, tuple[Branch, ...]]:
    """Named ways out of a step: the trigger a caller records and where it can lead."""
    if isinstance(step, Task | Join):
        return {"done": _branches(step.next)}
    if isinstance(step, Decision):
        return {name: _branches(o.next) for name, o in step.outcomes.items()}
    if isinstance(step, Wait):
        found = {"event": _branches(step.next)}
        if step.on_timeout is not None:
            found["timeout"] = _branches(step.on_timeout)
        return found
    if isinstance(step, Parallel):
        return {"split": tuple(Branch(None, b) for b in step.branches)}
    assert isinstance(step, End)
    return {}


def _timing(step: Step) -> tuple[TimedRule, ...]:
    if isinstance(step, Task | Decision):
        duration: Duration | list[DurationCase] = step.duration
        if isinstance(duration, list):
            return tuple(TimedRule(parse(c.when) if c.when else None, c) for c in duration)
        return (TimedRule(None, duration),)
    if isinstance(step, Wait) and step.limit is not None:
        return (TimedRule(None, step.limit),)
    return ()


def is_timed(duration: Duration | None) -> bool:
    return duration is not None and duration.unit in (
        Unit.minutes,
        Unit.hours,
        Unit.working_days,
        Unit.calendar_days,
    )
