"""A reglament compiled for execution: clocks per actor and channel, exits, outcomes and durations
with their conditions parsed (the rules themselves are :mod:`reglament.procedure`'s).

Built once per reglament version and shared by every case of it. Knows nothing of YAML.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cached_property

from reglament.calendar import (
    SCHEDULES,
    Clock,
    TermRules,
    WeeklySchedule,
    WorkCalendar,
    default_calendar,
)
from reglament.errors import Arg, CaseError, UsageError, unknown
from reglament.procedure import graph, outcomes, term, timing
from reglament.procedure.graph import SPLIT, Branch
from reglament.procedure.timing import TimedRule
from reglament.schemas import Decision, Duration, Reglament, Schedule, Step, Term
from reglament.schemas.expr import Expr, parse

DEFAULT_SCHEDULE = "standard"  # Mon–Fri 9:00–18:30, lunch 13:00–14:30 (docs/calendar.md)

Scope = Mapping[str, object]


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

    def __init__(
        self,
        reglament: Reglament,
        calendar: WorkCalendar | None = None,
        rules: TermRules | None = None,
    ) -> None:
        self.reglament = reglament
        self.calendar = calendar if calendar is not None else default_calendar()
        self.rules = rules if rules is not None else TermRules()
        self.version = reglament.effective.from_.isoformat()
        self.first_day, self.last_day = self.calendar.first_day, self.calendar.last_day
        self.zone_name = reglament.timezone
        schedules = {sid: schedule_of(s, sid) for sid, s in reglament.schedules.items()}
        default = SCHEDULES[DEFAULT_SCHEDULE]
        self._clock_by_schedule: dict[str, Clock] = {}

        def clock(name: str | None) -> Clock:
            key = name or f"default:{DEFAULT_SCHEDULE}"
            if key not in self._clock_by_schedule:
                weekly = schedules[name] if name else default
                self._clock_by_schedule[key] = Clock(
                    self.calendar, weekly, self.zone_name, self.rules
                )
            return self._clock_by_schedule[key]

        self.actor_clock = {aid: clock(a.schedule) for aid, a in reglament.actors.items()}
        self.channel_clock = {cid: clock(c.schedule) for cid, c in reglament.channels.items()}
        self._step_clock: dict[str, Clock] = {}  # clock_for's answers, filled as asked
        steps = reglament.steps
        self.exits: dict[str, dict[str, tuple[Branch, ...]]] = {
            step_id: graph.branches(step) for step_id, step in steps.items()
        }
        self.outcome_conditions: dict[str, dict[str, Expr | None]] = {
            step_id: outcomes.conditions(step)
            for step_id, step in steps.items()
            if isinstance(step, Decision)
        }
        self.timing: dict[str, tuple[TimedRule, ...]] = {
            step_id: timing.rules(step) for step_id, step in steps.items()
        }
        self.starts = {cid: c.start for cid, c in reglament.channels.items() if c.start}
        blocks = graph.blocks(reglament)
        self.opener_id, self.enclosing = blocks.opener, blocks.enclosing
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
        """The clock of ``step_id``'s actor (a step without one: the first actor's)."""
        found = self._step_clock.get(step_id)
        if found is None:
            actor = getattr(self.reglament.steps[step_id], "actor", None)
            if isinstance(actor, str):
                found = self.actor_clock[actor]
            else:
                found = next(iter(self.actor_clock.values()))
            self._step_clock[step_id] = found
        return found

    def duration(self, step_id: str, scope: Scope) -> Duration | None:
        """The duration of ``step_id`` that applies to a case with ``scope``."""
        return timing.applies(self.timing[step_id], scope)

    def step_due(
        self, step_id: str, start: dt.datetime, duration: Duration | None
    ) -> dt.datetime | None:
        """When ``step_id``, started at ``start`` and allowed ``duration``, is due."""
        return timing.step_due(
            self.clock_for(step_id), duration, start, self.reglament.external_schedules
        )

    def route(self, step_id: str, trigger: str, scope: Scope) -> str:
        """Where ``trigger`` takes a case with ``scope`` from ``step_id``: the first of its
        branches whose condition holds (:func:`reglament.procedure.graph.choose`). This is the
        move the ``transitions`` machine built from these same exits makes
        (:class:`reglament.engine.machine.StepMachine`), without its per-trigger cost; the
        machine and this answer are tested equal, move for move
        (tests/engine/test_machine_parity.py). A trigger that is not a way out of the step, or
        ``split`` (a parallel block starts its branches itself), is a ``CaseError``."""
        found = self.exits[step_id].get(trigger) if trigger != SPLIT else None
        if not found:
            allowed = ", ".join(t for t in self.exits[step_id] if t != SPLIT) or "none"
            raise CaseError(f"{trigger!r} is not a move out of {step_id!r}; allowed: {allowed}")
        return graph.choose(found, scope).target

    def term(self, channel: str, variant: str | None) -> Term | None:
        """The legal term of a case through ``channel`` of ``variant`` (the most specific)."""
        return term.applicable(self.reglament.terms, channel, variant)

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

    def scope_problem(
        self, channel: str, variant: str | None, data: Scope | None
    ) -> tuple[str | Arg, ...] | None:
        """Why a case of ``variant`` with ``data`` may not be made through ``channel`` (``None``
        when it may; ``data`` of ``None`` skips the channel's ``when``)."""
        r = self.reglament
        served = r.channels[channel].variants
        if variant is not None and served is not None and variant not in served:
            return (
                f"channel {channel!r} of {r.id} serves only the variant"
                f"{'s' if len(served) > 1 else ''} {', '.join(served)}, not {variant!r}; "
                "choose one with ",
                Arg("variant"),
            )
        if data is not None and not self.admits(channel, data, variant):
            return (
                f"channel {channel!r} of {r.id} is open only when `{r.channels[channel].when}`; "
                "set the case data with ",
                Arg("data"),
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
            raise UsageError(*problem)
        return start
