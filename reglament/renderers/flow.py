"""A reglament's route as a drawing: lanes, nodes with their labels, labelled edges.

Built once from the definition and drawn by both the Mermaid and the Graphviz writers, so the
two diagrams always show the same shapes, words and routes. Labels are plain text here (a list
of lines); each writer escapes them for its own syntax.
"""

from __future__ import annotations

import textwrap
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass, replace
from enum import Enum, StrEnum

from reglament.errors import UsageError, unknown
from reglament.procedure import graph, timing
from reglament.procedure.graph import TIMEOUT
from reglament.renderers.dates import format_duration
from reglament.renderers.office_text import in_language
from reglament.schemas import (
    Decision,
    Duration,
    DurationCase,
    End,
    EndKind,
    Join,
    Language,
    Parallel,
    Reglament,
    Route,
    Step,
    Task,
    Unit,
    Wait,
)
from reglament.schemas import expr as expressions

WIDTH = 28  # characters per label line: Graphviz never wraps; Mermaid wraps at 200px itself

# the drawing's own words, by language (kk, ru, en); a duration is written as the notifications
# write it (renderers/dates.py), ids and conditions stay as the act's file has them
_WORDS: dict[str, tuple[str, str, str]] = {
    "title": (
        "{reglament} ({region}), {version} бастап қолданылатын редакция",
        "{reglament} ({region}), редакция, действующая с {version}",
        "{reglament} ({region}), version in force from {version}",
    ),
    "title_channel": (
        ", өтініш беру тәсілі {channel}",
        ", способ обращения {channel}",
        ", channel {channel}",
    ),
    "by_schedule": (
        "{schedule} кестесі бойынша",
        "по графику {schedule}",
        "by schedule {schedule}",
    ),
    "untimed": ("актіде мерзім көрсетілмеген", "срок в акте не указан", "no time in the act"),
    "not_in_term": (" (мерзімге кірмейді)", " (не входит в срок)", " (not in the term)"),
    "if_case": ("егер {when}:", "если {when}:", "if {when}:"),
    "otherwise_case": ("әйтпесе:", "иначе:", "otherwise:"),
    "if": ("егер {when}", "если {when}", "if {when}"),
    "otherwise": ("әйтпесе", "иначе", "otherwise"),
    "outcome_if": ("{trigger} (егер {when})", "{trigger} (если {when})", "{trigger} (if {when})"),
    "waits": ("ең көбі {limit} күтеді", "ожидание не более {limit}", "waits at most {limit}"),
    "waits_no_limit": ("мерзімсіз күтеді", "ожидание без срока", "waits, no limit"),
    "timeout": ("күту мерзімі өтті: {limit}", "срок ожидания истёк: {limit}", "timeout: {limit}"),
    "apply": ("өтініш: {channel}", "обращение: {channel}", "apply: {channel}"),
    "end_result": ("нәтиже", "результат", "result"),
    "end_refusal": ("бас тарту", "отказ", "refusal"),
    "end_data_unavailable": ("мәліметтер жоқ", "нет сведений", "data unavailable"),
    "end_withdrawn": ("кері қайтарылды", "отозвано", "withdrawn"),
    "end_other": ("басқа", "иное", "other"),
}


def say(key: str, language: Language = Language.en, **values: str) -> str:
    """The drawing's words for ``key`` in ``language``, with ``values`` put in."""
    return in_language(_WORDS[key], language).format(**values)


class Shape(Enum):
    entry = "entry"  # where a channel's route starts
    task = "task"
    decision = "decision"
    wait = "wait"
    parallel = "parallel"
    join = "join"
    end = "end"


class EdgeKind(StrEnum):
    normal = "normal"
    inferred = "inferred"  # the act only implies this route
    timeout = "timeout"  # a wait's limit passed


@dataclass(frozen=True, slots=True)
class Node:
    id: str  # safe in both syntaxes: letters, digits, '_'
    step: str  # the step (or channel) id it stands for
    shape: Shape
    lines: tuple[str, ...]  # the label, line by line
    lane: str | None = None  # the actor id: the swimlane it is drawn in
    untimed: bool = False  # the act gives (some case of) this step no time
    ending: EndKind | None = None
    current: bool = False  # a case stands in this step now (the office page's case diagram)


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    lines: tuple[str, ...] = ()
    kind: EdgeKind = EdgeKind.normal


@dataclass(frozen=True, slots=True)
class Lane:
    id: str  # safe id of the lane
    actor: str
    lines: tuple[str, ...]  # one line: Mermaid keeps no room for a second one
    nodes: tuple[str, ...]  # node ids, in step order


@dataclass(frozen=True, slots=True)
class Flow:
    """What a flowchart of one reglament (or one channel of it) shows."""

    reglament: str
    region: str
    version: str
    channel: str | None
    lanes: tuple[Lane, ...]
    nodes: tuple[Node, ...]  # every node, lanes' nodes first
    edges: tuple[Edge, ...]
    language: Language = Language.en  # the drawing's own words (say)

    @property
    def title(self) -> str:
        where = {"reglament": self.reglament, "region": self.region, "version": self.version}
        scope = say("title_channel", self.language, channel=self.channel) if self.channel else ""
        return say("title", self.language, **where) + scope


def node_id(step_id: str) -> str:
    return "s_" + step_id.replace("-", "_")


def entry_id(channel_id: str) -> str:
    return "c_" + channel_id.replace("-", "_")


def lane_id(actor_id: str) -> str:
    return "a_" + actor_id.replace("-", "_")


def wrap(text: str, width: int = WIDTH) -> tuple[str, ...]:
    """Lines of at most ``width`` characters (a longer word stays whole)."""
    return tuple(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)) or (
        "",
    )


def amount(duration: Duration, language: Language = Language.en) -> str:
    """``30 minutes``, ``1 working day``, ``no time in the act``, ``by schedule X`` (in
    ``language``: ``30 минут``, ``1 жұмыс күні``)."""
    if timing.is_timed(duration):
        assert duration.value is not None  # a timed duration has its number
        text = format_duration(duration.value, duration.unit, language)
    elif duration.unit is Unit.by_schedule:
        text = say("by_schedule", language, schedule=str(duration.schedule))
    else:
        text = say("untimed", language)
    if not duration.counts_toward_term:
        text += say("not_in_term", language)
    return text


def wait_limit(step: Wait, language: Language = Language.en) -> str:
    """``waits at most 10 working days``, ``waits, no limit`` (in ``language``)."""
    if step.limit is None:
        return say("waits_no_limit", language)
    return say("waits", language, limit=amount(step.limit, language))


def duration_lines(
    duration: Duration | list[DurationCase], language: Language = Language.en
) -> tuple[str, ...]:
    if not isinstance(duration, list):
        return wrap(amount(duration, language))
    lines: list[str] = []
    for case in duration:
        said = say("if_case", language, when=str(case.when)) if case.when else None
        lines += wrap(said or say("otherwise_case", language))
        lines += wrap(f"→ {amount(case, language)}")
    return tuple(lines)


def _untimed(duration: Duration | list[DurationCase] | None) -> bool:
    if duration is None:
        return False
    cases = duration if isinstance(duration, list) else [duration]
    return any(not timing.is_timed(case) for case in cases)


def reachable(reglament: Reglament, start: str, channel: str | None = None) -> list[str]:
    """The steps a case entering at ``start`` can reach, in the definition's order; with
    ``channel``, routes whose condition reads only the channel are followed as it decides."""
    step_of = {node_id(step_id): step_id for step_id in reglament.steps}
    seen = {start}
    queue = deque([start])
    while queue:
        step_id = queue.popleft()
        for edge in _edges(step_id, reglament.steps[step_id], channel):
            target = step_of[edge.target]
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return [step_id for step_id in reglament.steps if step_id in seen]


def settled(condition: str | None, channel: str | None) -> bool | None:
    """Whether a condition holds when only the channel is known: None when it reads more."""
    if condition is None:
        return True
    if channel is None:
        return None
    parsed = expressions.parse(condition)
    if not parsed.names <= {"channel"}:
        return None
    return parsed({"channel": channel})


def live(routes: list[Route], channel: str | None) -> list[Route]:
    """The routes a case on ``channel`` can take: first match wins, so a route that surely
    holds ends the list and one that surely fails is left out."""
    found: list[Route] = []
    for route in routes:
        holds = settled(route.when, channel)
        if holds is False:
            continue
        found.append(route)
        if holds:
            break
    return found


def _node(step_id: str, step: Step, language: Language = Language.en) -> Node:
    nid = node_id(step_id)
    if isinstance(step, Task | Decision):
        shape = Shape.task if isinstance(step, Task) else Shape.decision
        return Node(
            nid,
            step_id,
            shape,
            (step_id, *duration_lines(step.duration, language)),
            step.actor,
            _untimed(step.duration),
        )
    if isinstance(step, Wait):
        return Node(
            nid, step_id, Shape.wait, (step_id, *wrap(wait_limit(step, language))), step.actor
        )
    if isinstance(step, Parallel):
        return Node(nid, step_id, Shape.parallel, (step_id,))
    if isinstance(step, Join):
        return Node(nid, step_id, Shape.join, (step_id,))
    assert isinstance(step, End)
    return Node(
        nid,
        step_id,
        Shape.end,
        (step_id, say(f"end_{step.outcome.value}", language)),
        ending=step.outcome,
    )


def _route_edges(
    source: str,
    next_: str | list[Route],
    prefix: str | None,
    inferred: bool,
    kind: EdgeKind,
    channel: str | None,
    language: Language = Language.en,
) -> list[Edge]:
    """Edges of one ``next``: a route list gives one edge per route, labelled by its condition."""
    head = wrap(prefix) if prefix else ()
    if isinstance(next_, str):
        edge_kind = EdgeKind.inferred if inferred and kind is EdgeKind.normal else kind
        return [Edge(source, node_id(next_), head, edge_kind)]
    edges = []
    taken = live(next_, channel)
    for route in taken:
        if len(taken) == 1:  # the channel left one way, or one was written: no choice to label
            condition: tuple[str, ...] = ()
        else:
            condition = (
                wrap(say("if", language, when=str(route.when)))
                if route.when
                else (say("otherwise", language),)
            )
        edge_kind = (
            EdgeKind.inferred if (inferred or route.inferred) and kind is EdgeKind.normal else kind
        )
        edges.append(Edge(source, node_id(route.to), (*head, *condition), edge_kind))
    return edges


def _edges(
    step_id: str, step: Step, channel: str | None = None, language: Language = Language.en
) -> list[Edge]:
    """The edges of ``step``'s exits: a decision's labelled by their outcome (and left out when
    the channel rules them out), a wait's timeout bold and labelled by its limit."""
    source = node_id(step_id)
    edges: list[Edge] = []
    for way in graph.exits(step):
        if way.next is None:  # a parallel block's branches, all taken
            edges += [Edge(source, node_id(t.to)) for t in way.targets]
            continue
        outcome = way.outcome
        if outcome is not None:
            if settled(outcome.when, channel) is False:
                continue
            label = (
                say("outcome_if", language, trigger=way.trigger, when=str(outcome.when))
                if outcome.when
                else way.trigger
            )
            edges += _route_edges(
                source, way.next, label, outcome.inferred, EdgeKind.normal, channel, language
            )
        elif way.trigger == TIMEOUT and isinstance(step, Wait) and step.limit is not None:
            label = say("timeout", language, limit=amount(step.limit, language))
            edges += _route_edges(
                source, way.next, label, False, EdgeKind.timeout, channel, language
            )
        else:
            edges += _route_edges(source, way.next, None, False, EdgeKind.normal, channel, language)
    return edges


def build(
    reglament: Reglament,
    channel: str | None = None,
    language: Language = Language.en,
    current: Collection[str] = (),
) -> Flow:
    """The flow of the whole reglament, or of the steps reachable from ``channel``'s start;
    actors and channels named in ``language`` where the act has it; the steps in ``current``
    (where a case stands now) marked, for both writers to draw."""
    channels = reglament.channels
    if channel is not None:
        if channel not in channels:
            raise unknown("channel", channel, channels, f"for {reglament.id}")
        start = channels[channel].start
        if start is None:
            with_route = [c for c, ch in channels.items() if ch.start] or ["none"]
            raise UsageError(
                f"channel {channel!r} of {reglament.id} has no procedure in the act; "
                f"channels with one: {', '.join(with_route)}"
            )
        step_ids = reachable(reglament, start, channel)
        entries = {channel: start}
    else:
        step_ids = list(reglament.steps)
        entries = {c: ch.start for c, ch in channels.items() if ch.start is not None}

    unknown_steps = [step for step in current if step not in reglament.steps]
    if unknown_steps:
        raise unknown("step", unknown_steps[0], reglament.steps, f"of {reglament.id}")
    step_nodes = [
        replace(node, current=True) if node.step in current else node
        for node in (_node(step_id, reglament.steps[step_id], language) for step_id in step_ids)
    ]
    lanes: list[Lane] = []
    for actor_id in dict.fromkeys(n.lane for n in step_nodes if n.lane is not None):
        actor = reglament.actors[actor_id]
        lanes.append(
            Lane(
                lane_id(actor_id),
                actor_id,
                (actor.name.best(language),),
                tuple(n.id for n in step_nodes if n.lane == actor_id),
            )
        )
    entry_nodes = [
        Node(
            entry_id(c),
            c,
            Shape.entry,
            (say("apply", language, channel=c), *wrap(channels[c].name.best(language))),
        )
        for c in entries
    ]
    laned = [n for n in step_nodes if n.lane is not None]
    free = [n for n in step_nodes if n.lane is None]
    edges = [Edge(entry_id(c), node_id(start)) for c, start in entries.items()]
    for step_id in step_ids:
        edges += _edges(step_id, reglament.steps[step_id], channel, language)
    return Flow(
        reglament.id,
        reglament.region,
        reglament.effective.from_.isoformat(),
        channel,
        tuple(lanes),
        (*laned, *entry_nodes, *free),
        tuple(edges),
        Language(language),
    )
