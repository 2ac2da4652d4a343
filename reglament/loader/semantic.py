"""Second pass: the checks that need the whole definition (references, the graph, terms).

What a definition means is the procedure layer's: the ways out of a step
(:func:`reglament.procedure.graph.exits`, ``successors``, ``reach``), the durations written on
it (:func:`reglament.procedure.timing.durations`), which events name a step or an end and the
event each end raises, and the template a notification uses (:mod:`reglament.procedure.events`).
These checks ask it and hold no copy of their own."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from reglament.errors import Position, Problem, did_you_mean
from reglament.procedure import events, graph, timing
from reglament.schemas import (
    Decision,
    Duration,
    End,
    Join,
    Parallel,
    Reglament,
    Route,
    Step,
    Task,
    Unit,
    Wait,
)
from reglament.schemas import expr as expressions
from reglament.source.document import Document, PathKey, dotted

RESERVED_NAMES = frozenset({"variant", "channel"})


@dataclass(frozen=True, slots=True)
class Exit:
    """One place a way out of a step may lead to, and where that is written."""

    target: str
    path: PathKey


def _targets(step_id: str, step: Step) -> Iterator[Exit]:
    """Every place a step's ways out may lead to (:func:`reglament.procedure.graph.exits`),
    with the path where each is written. A parallel block leads into its branches (the join is
    reached through them)."""
    for way in graph.exits(step):
        for target in way.targets:
            yield Exit(target.to, ("steps", step_id, *target.key))


def check(reglament: Reglament, document: Document) -> list[Problem]:
    """Every semantic problem of one definition."""
    checker = _Checker(reglament, document)
    checker.run()
    return checker.problems


class _Checker:
    def __init__(self, reglament: Reglament, document: Document) -> None:
        self.r = reglament
        self.doc = document
        self.problems: list[Problem] = []

    def add(
        self, path: PathKey, message: str, code: str, *, key: bool = False, column: int = 0
    ) -> None:
        """Record a problem at ``path`` (its key with ``key``); ``column`` is a 0-based offset
        into a condition's text."""
        position = self.doc.key_position(path) if key else self.doc.position(path)
        if column:
            column += 1 if path in self.doc.quoted else 0
            position = Position(position.file, position.line, position.column + column)
        self.problems.append(Problem(position, message, dotted(path), code))

    def unknown(
        self,
        path: PathKey,
        what: str,
        value: str,
        known: Iterable[str],
        code: str,
        *,
        column: int = 0,
    ) -> None:
        names = sorted(known)
        hint = did_you_mean(value, names)
        listed = ", ".join(names[:12]) + (" ..." if len(names) > 12 else "")
        self.add(
            path,
            f"{what} {value!r} is not declared{hint} (declared: {listed or 'none'})",
            code,
            column=column,
        )

    def reference(
        self, path: PathKey, what: str, value: str | None, known: Collection[str], code: str
    ) -> None:
        """Report ``value`` (a reference, when one is given) unless it is among ``known``."""
        if value is not None and value not in known:
            self.unknown(path, what, value, known, code)

    def run(self) -> None:
        self.references()
        self.routes_and_cases()
        self.expressions()
        self.graph()
        self.terms()

    # -- references ------------------------------------------------------------------------

    def references(self) -> None:
        r = self.r
        for step_id, step in r.steps.items():
            for exit_ in _targets(step_id, step):
                if exit_.target not in r.steps:
                    self.unknown(exit_.path, "step", exit_.target, r.steps, "dangling-target")
            if isinstance(step, Task | Decision | Wait) and step.actor not in r.actors:
                self.unknown(
                    ("steps", step_id, "actor"), "actor", step.actor, r.actors, "undeclared-actor"
                )
            if isinstance(step, Parallel):
                join = r.steps.get(step.join)
                if join is None:
                    self.unknown(
                        ("steps", step_id, "join"), "step", step.join, r.steps, "dangling-target"
                    )
                elif not isinstance(join, Join):
                    self.add(
                        ("steps", step_id, "join"),
                        f"{step.join!r} is a {join.kind}, not a join step",
                        "parallel",
                    )
            if isinstance(step, End) and step.result is not None and step.result not in r.results:
                self.unknown(
                    ("steps", step_id, "result"),
                    "result",
                    step.result,
                    r.results,
                    "undeclared-result",
                )
        for path, duration in self.durations():
            if duration.unit is Unit.by_schedule and duration.schedule not in r.external_schedules:
                self.unknown(
                    (*path, "schedule"),
                    "external schedule",
                    duration.schedule or "",
                    r.external_schedules,
                    "undeclared-schedule",
                )
        for actor_id, actor in r.actors.items():
            self.reference(
                ("actors", actor_id, "schedule"),
                "schedule",
                actor.schedule,
                r.schedules,
                "undeclared-schedule",
            )
            self.reference(
                ("actors", actor_id, "head"), "actor", actor.head, r.actors, "undeclared-actor"
            )
        for index, ground in enumerate(r.refusal_grounds):
            for i, channel_id in enumerate(ground.channels or ()):
                self.reference(
                    ("refusal_grounds", index, "channels", i),
                    "channel",
                    channel_id,
                    r.channels,
                    "undeclared-channel",
                )
            for i, step_id in enumerate(ground.ends or ()):
                self.reference(
                    ("refusal_grounds", index, "ends", i),
                    "step",
                    step_id,
                    r.steps,
                    "dangling-target",
                )
        for channel_id, channel in r.channels.items():
            self.reference(
                ("channels", channel_id, "start"), "step", channel.start, r.steps, "dangling-target"
            )
            self.reference(
                ("channels", channel_id, "schedule"),
                "schedule",
                channel.schedule,
                r.schedules,
                "undeclared-schedule",
            )
            if channel.variants is not None and not channel.variants:
                self.add(
                    ("channels", channel_id, "variants"),
                    f"channel {channel_id!r} serves no variant (its 'variants' is empty); list "
                    "the variants it serves, or leave 'variants' out when it serves all",
                    "channel-scope",
                )
            for index, served in enumerate(channel.variants or ()):
                if served not in r.variants:
                    self.unknown(
                        ("channels", channel_id, "variants", index),
                        "variant",
                        served,
                        r.variants,
                        "undeclared-variant",
                    )
        for variant_id, variant in r.variants.items():
            self.reference(
                ("variants", variant_id, "result"),
                "result",
                variant.result,
                r.results,
                "undeclared-result",
            )
        for index, limit in enumerate(r.queue):
            self.reference(
                ("queue", index, "channel"),
                "channel",
                limit.channel,
                r.channels,
                "undeclared-channel",
            )
        for index, note in enumerate(r.notifications):
            where: PathKey = ("notifications", index)
            if note.step is not None and note.on not in events.STEP_EVENTS:
                self.add(
                    (*where, "step"),
                    f"a notification on {note.on.value} has no step to filter on; 'step' goes with "
                    f"{', '.join(sorted(e.value for e in events.STEP_EVENTS))} "
                    "(for a message when a step ends, use on: step_completed)",
                    "notification",
                )
            if note.end is not None and note.on not in events.END_EVENTS:
                self.add(
                    (*where, "end"),
                    f"a notification on {note.on.value} has no end to filter on; 'end' goes with "
                    f"{', '.join(sorted(e.value for e in events.END_EVENTS))}",
                    "notification",
                )
            self.reference((*where, "step"), "step", note.step, r.steps, "dangling-target")
            self.reference(
                (*where, "channel"), "channel", note.channel, r.channels, "undeclared-channel"
            )
            if note.end is not None:
                target = r.steps.get(note.end)
                if target is None:
                    self.unknown((*where, "end"), "step", note.end, r.steps, "dangling-target")
                elif not isinstance(target, End):
                    self.add(
                        (*where, "end"),
                        f"{note.end!r} is a {target.kind} step, not an end",
                        "notification",
                    )
                elif (
                    note.on in events.END_EVENTS and events.raised_by(target.outcome) is not note.on
                ):
                    fires = events.raised_by(target.outcome)
                    self.add(
                        (*where, "end"),
                        f"end {note.end!r} ({target.outcome.value}) never raises {note.on.value}"
                        + (f"; it raises {fires.value}" if fires else "; it raises no event"),
                        "notification",
                    )
            template = events.template_name(note)
            if events.builtin_template(template) is None and template not in r.templates:
                known = sorted(events.BUILTIN_TEMPLATES | set(r.templates))
                self.unknown(
                    (*where, "template"), "template", template, known, "undeclared-template"
                )
        for name in r.data:
            if name in RESERVED_NAMES:
                self.add(
                    ("data", name),
                    f"{name!r} is reserved (the case's {name}); choose another name",
                    "data",
                    key=True,
                )

    def durations(self) -> Iterator[tuple[PathKey, Duration]]:
        """Every duration a definition writes: on its steps (:func:`reglament.procedure.timing.
        durations`) and on its queue limits."""
        for step_id, step in self.r.steps.items():
            for timed in timing.durations(step):
                yield ("steps", step_id, *timed.key), timed.duration
        for index, limit in enumerate(self.r.queue):
            for name in ("max_wait", "max_service"):
                value = getattr(limit, name)
                if value is not None:
                    yield ("queue", index, name), value

    # -- route lists and duration cases: first match wins, the last is the fallback ---------

    def routes_and_cases(self) -> None:
        for step_id, step in self.r.steps.items():
            base: PathKey = ("steps", step_id)
            lists: list[tuple[PathKey, Sequence[object]]] = []
            for exit_path, next_ in self.nexts(step_id, step):
                if isinstance(next_, list):
                    lists.append((exit_path, next_))
            if isinstance(step, Task | Decision) and isinstance(step.duration, list):
                lists.append(((*base, "duration"), step.duration))
            for path, items in lists:
                for index, item in enumerate(items):
                    last = index == len(items) - 1
                    when = getattr(item, "when", None)
                    if last and when is not None:
                        self.add(
                            (*path, index, "when"),
                            "the last entry of a list of cases must have no 'when' (it applies "
                            "when no other does); add a last entry without one",
                            "cases",
                        )
                    if not last and when is None:
                        self.add(
                            (*path, index),
                            "only the last entry of a list of cases may omit 'when' (the ones after it could never apply)",
                            "cases",
                        )

    def nexts(self, step_id: str, step: Step) -> Iterator[tuple[PathKey, str | list[Route]]]:
        """Each way out of a step that is written as a ``next`` (a step, or a list of routes),
        with where it is written (the branches of a parallel block are not)."""
        for way in graph.exits(step):
            if way.next is not None:
                yield ("steps", step_id, *way.key), way.next

    # -- conditions read only declared names and compare to declared values ----------------

    def expressions(self) -> None:
        r = self.r
        allowed = RESERVED_NAMES | set(r.data)
        for path, source in self.conditions():
            parsed = expressions.parse(source)  # already validated by the model
            for name in sorted(parsed.names - allowed):
                at = _offset(source, rf"(?<![\w'\"]){re.escape(name)}(?![\w'\"])")
                self.unknown(path, "name", name, allowed, "undeclared-name", column=at)
            for name, constant in parsed.compared:
                at = _offset(source, rf"(['\"]){re.escape(constant)}\1")
                if name == "variant" and constant not in r.variants:
                    self.unknown(
                        path, "variant", constant, r.variants, "undeclared-variant", column=at
                    )
                elif name == "channel" and constant not in r.channels:
                    self.unknown(
                        path, "channel", constant, r.channels, "undeclared-channel", column=at
                    )
                elif name in r.data:
                    values = r.data[name].values
                    if values is not None and constant not in values:
                        self.unknown(
                            path,
                            f"value of {name}",
                            constant,
                            values,
                            "undeclared-value",
                            column=at,
                        )

    def conditions(self) -> Iterator[tuple[PathKey, str]]:
        for channel_id, channel in self.r.channels.items():
            if channel.when is not None:
                yield ("channels", channel_id, "when"), channel.when
        for step_id, step in self.r.steps.items():
            for path, next_ in self.nexts(step_id, step):
                if isinstance(next_, list):
                    for index, route in enumerate(next_):
                        if route.when is not None:
                            yield (*path, index, "when"), route.when
            if isinstance(step, Decision):
                for name, outcome in step.outcomes.items():
                    if outcome.when is not None:
                        yield ("steps", step_id, "outcomes", name, "when"), outcome.when
            if isinstance(step, Task | Decision) and isinstance(step.duration, list):
                for index, case in enumerate(step.duration):
                    if case.when is not None:
                        yield ("steps", step_id, "duration", index, "when"), case.when

    # -- the graph --------------------------------------------------------------------------

    def graph(self) -> None:
        r = self.r
        successors = graph.successors(r)
        starts = [
            c.start for c in r.channels.values() if c.start is not None and c.start in r.steps
        ]
        if not starts:
            self.add(
                ("channels",),
                "no channel names a start step, so no case could ever begin",
                "unreachable",
            )
            return
        reached = graph.reach(starts, successors)
        for step_id in r.steps:
            if step_id not in reached:
                self.add(
                    ("steps", step_id),
                    f"step {step_id!r} is unreachable from the start of every channel",
                    "unreachable",
                    key=True,
                )
        # a step with a dangling exit may lead anywhere: its problem is reported once, above,
        # not again as a dead end of it and of every step before it
        ends = [
            step_id
            for step_id, step in r.steps.items()
            if isinstance(step, End)
            or any(e.target not in r.steps for e in _targets(step_id, step))
            or (isinstance(step, Parallel) and step.join not in r.steps)
        ]
        predecessors: dict[str, list[str]] = {step_id: [] for step_id in r.steps}
        for source, targets in successors.items():
            for target in targets:
                predecessors[target].append(source)
        finishing = graph.reach(ends, predecessors)
        for step_id in r.steps:
            if step_id in reached and step_id not in finishing:
                self.add(
                    ("steps", step_id),
                    f"dead end: no path from step {step_id!r} reaches an end step",
                    "dead-end",
                    key=True,
                )
        self.parallels(successors)

    def parallels(self, successors: Mapping[str, list[str]]) -> None:
        r = self.r
        joins: dict[str, str] = {}
        for step_id, step in r.steps.items():
            if not isinstance(step, Parallel) or not isinstance(r.steps.get(step.join), Join):
                continue
            if step.join in joins:
                self.add(
                    ("steps", step_id, "join"),
                    f"join {step.join!r} already closes parallel {joins[step.join]!r}",
                    "parallel",
                )
            joins[step.join] = step_id
            for index, branch in enumerate(step.branches):
                if branch not in r.steps:
                    continue
                inside = graph.reach([branch], successors, stop={step.join})
                path: PathKey = ("steps", step_id, "branches", index)
                escapes = sorted(s for s in inside if isinstance(r.steps[s], End))
                if step.join not in inside:
                    ending = f"; it ends the case at {escapes[0]!r}" if escapes else ""
                    self.add(
                        path,
                        f"branch {branch!r} never reaches the join {step.join!r}{ending}",
                        "parallel",
                    )
                elif escapes:
                    self.add(
                        path,
                        f"branch {branch!r} can end the case at {escapes[0]!r} without reaching the join {step.join!r}",
                        "parallel",
                    )
        for step_id, step in r.steps.items():
            if isinstance(step, Join) and step_id not in joins:
                self.add(
                    ("steps", step_id),
                    f"join {step_id!r} closes no parallel block",
                    "parallel",
                    key=True,
                )

    # -- terms --------------------------------------------------------------------------------

    def terms(self) -> None:
        r = self.r
        seen: dict[tuple[str | None, str | None], int] = {}
        for index, term in enumerate(r.terms):
            self.reference(
                ("terms", index, "channel"),
                "channel",
                term.channel,
                r.channels,
                "undeclared-channel",
            )
            self.reference(
                ("terms", index, "variant"),
                "variant",
                term.variant,
                r.variants,
                "undeclared-variant",
            )
            key = (term.channel, term.variant)
            if key in seen:
                self.add(
                    ("terms", index),
                    f"a second term for channel {term.channel or 'any'} and variant {term.variant or 'any'} (first is terms[{seen[key]}])",
                    "term",
                )
            seen[key] = index


def _offset(source: str, pattern: str) -> int:
    """0-based offset of ``pattern`` in a condition's text (0 when not found)."""
    match = re.search(pattern, source)
    return match.start() if match else 0
