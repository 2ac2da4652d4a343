"""A reglament's flow as a BPMN process graph: which BPMN element each step, channel, route and
outcome becomes (docs/bpmn.md, "What each part of a reglament becomes"), before it is laid out
and written as XML (``renderers/bpmn.py``).

Built on the flow graph the Mermaid and Graphviz diagrams draw (``renderers/flow.py``: the same
steps, lanes, names and channel logic) and on the one walk of a step's ways out
(``procedure/graph.exits``). BPMN's own rules add gateways the reglament does not write: a
diverging exclusive gateway for a list of routes, a converging one in front of an activity or
a diverging gateway that several flows reach.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from reglament.procedure.graph import SPLIT, TIMEOUT, exits
from reglament.renderers import bpmn_ext
from reglament.renderers.flow import (
    Flow,
    Shape,
    amount,
    build,
    entry_id,
    live,
    node_id,
    say,
    settled,
    wait_limit,
)
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
    Text,
    Wait,
)

CONDITION = bpmn_ext.NAMESPACE + "#condition"
DURATION = bpmn_ext.NAMESPACE + "#duration"
ERRORS = (EndKind.refusal, EndKind.data_unavailable)  # ends drawn as error end events
# BPMN's rules: an activity does not join flows, a gateway does not both join and split
_NO_JOIN = frozenset({"task", "receiveTask", "exclusiveGateway", "parallelFork", "endEvent"})


@dataclass
class Node:
    id: str
    tag: str  # the BPMN element: task, receiveTask, exclusiveGateway, startEvent, ...
    name: str
    lane: str | None = None  # the lane's id
    extension: Element | None = None
    documentation: str | None = None
    event: str | None = None  # message, timer or error: the event definition
    ref: str | None = None  # the message or error it refers to
    attached_to: str | None = None  # a boundary event's activity
    timer: str | None = None  # a timer's duration, in our own language
    default: str | None = None  # a gateway's default flow
    colour: str | None = None  # its class in the diagrams' colours (renderers/diagrams.py)


@dataclass
class SequenceFlow:
    id: str
    source: str
    target: str
    name: str = ""
    condition: str | None = None
    extension: Element | None = None


@dataclass
class Process:
    """Everything the XML says, but the coordinates."""

    flow: Flow
    extension: Element
    lanes: list[tuple[str, str, Element]]  # id, name, rg:actor
    nodes: dict[str, Node]
    flows: list[SequenceFlow]
    messages: dict[str, str]  # id: name
    errors: dict[str, str]
    forks: set[str] = field(default_factory=set)  # the parallel gateways that split


def _words(text: Text | None, language: Language) -> str | None:
    return text.best(language) if text is not None else None


def _act_words(text: Text, language: Language) -> str:
    """The act's own words in ``language`` where the act has them, else in one it has."""
    for choice in (str(language), "kk", "ru"):
        if choice != "en" and text.get(choice) and not text.is_translated(choice):
            return str(text.get(choice))
    return text.best(language)


def _time(duration: Duration | list[DurationCase], language: Language) -> str:
    if isinstance(duration, list):
        return " / ".join(dict.fromkeys(amount(case, language) for case in duration))
    return amount(duration, language)


def _name(step_id: str, step: Step, language: Language) -> str:
    label = _words(step.message_name, language) or _words(step.title, language) or step_id
    if isinstance(step, Task | Decision):
        return f"{label}\n{_time(step.duration, language)}"
    if isinstance(step, Wait):
        return f"{label}\n{wait_limit(step, language)}"
    if isinstance(step, End):
        return _words(step.title, language) or say(f"end_{step.outcome.value}", language)
    return label


_ROUTES_KEYS = ("next", "on_timeout", "outcomes", "branches")


class _Builder:
    def __init__(self, reglament: Reglament, channel: str | None, language: Language) -> None:
        self.reglament = reglament
        self.channel = channel
        self.language = language
        self.flow = build(reglament, channel, language)
        self.nodes: dict[str, Node] = {}
        self.flows: list[SequenceFlow] = []
        self.messages: dict[str, str] = {}
        self.errors: dict[str, str] = {}
        self.forks: set[str] = set()

    def add(self, node: Node) -> Node:
        self.nodes[node.id] = node
        return node

    def connect(
        self, source: str, target: str, name: str = "", condition: str | None = None
    ) -> SequenceFlow:
        made = SequenceFlow(f"f{len(self.flows) + 1}", source, target, name, condition)
        self.flows.append(made)
        return made

    # -- nodes ---------------------------------------------------------------------------------

    def step_node(self, step_id: str, step: Step, lane: str | None) -> None:
        nid = node_id(step_id)
        extension = bpmn_ext.element("step", bpmn_ext.dumped(step, _ROUTES_KEYS), id=step_id)
        node = Node(nid, "task", _name(step_id, step, self.language), lane, extension)
        lines = f" (lines {step.lines})" if step.lines else ""
        if isinstance(step, Task | Decision):
            node.documentation = _act_words(step.action, self.language) + lines
            node.tag = "task" if isinstance(step, Task) else "exclusiveGateway"
            node.colour = "task" if isinstance(step, Task) else "decision"
        elif isinstance(step, Wait):
            node.documentation = _act_words(step.event, self.language) + lines
            node.tag, node.event, node.ref = "receiveTask", "message", f"msg_{nid}"
            node.colour = "wait"
            self.messages[node.ref] = f"{step_id}: {step.event.best(self.language)}"
            if step.limit is not None:
                limit = step.limit
                self.add(
                    Node(
                        f"t_{step_id.replace('-', '_')}",
                        "boundaryEvent",
                        say("timeout", self.language, limit=amount(limit, self.language)),
                        lane,
                        event="timer",
                        attached_to=nid,
                        timer=f"{limit.value} {limit.unit.value}",
                    )
                )
        elif isinstance(step, Parallel | Join):
            node.tag = "parallelGateway"
            if isinstance(step, Parallel):
                self.forks.add(nid)
        else:
            assert isinstance(step, End)
            node.tag = "endEvent"
            node.colour = {EndKind.result: "result", EndKind.refusal: "refusal"}.get(
                step.outcome, "otherend"
            )
            if step.outcome in ERRORS:
                node.event, node.ref = "error", f"error_{step.outcome.value}"
                self.errors[node.ref] = step.outcome.value
        self.nodes[nid] = node

    def channel_node(self, channel: str, start: str) -> None:
        spec = self.reglament.channels[channel]
        nid = entry_id(channel)
        ref = f"msg_{nid}"
        name = spec.name.best(self.language)
        self.messages[ref] = f"application: {channel} ({name})"
        extension = bpmn_ext.element("channel", bpmn_ext.dumped(spec, ("start",)), id=channel)
        applied = say("apply", self.language, channel=name)
        self.add(Node(nid, "startEvent", applied, None, extension, event="message"))
        self.nodes[nid].ref = ref
        self.connect(nid, node_id(start))

    # -- flows ---------------------------------------------------------------------------------

    def routes(
        self, source: str, next_: str | list[Route], gateway: str, role: dict[str, str]
    ) -> tuple[str, str | None]:
        """Where a flow from ``source`` along ``next_`` goes: the step itself, or a routes
        gateway with a flow per live route; and the ``rg:route`` of a route the channel settled."""
        if isinstance(next_, str):
            return node_id(next_), None
        taken = live(next_, self.channel)
        if len(taken) == 1:
            return node_id(taken[0].to), "settled"
        lane = self.nodes[source].lane
        extension = bpmn_ext.element("gateway", {}, role="routes", **role)
        self.add(Node(gateway, "exclusiveGateway", f"routes of {role['step']}", lane, extension))
        for route in taken:
            name = (
                say("if", self.language, when=str(route.when))
                if route.when
                else say("otherwise", self.language)
            )
            made = self.connect(gateway, node_id(route.to), name, route.when)
            made.extension = bpmn_ext.element("route", bpmn_ext.dumped(route, ("to",)))
            if route.when is None:
                self.nodes[gateway].default = made.id
        return gateway, None

    def follow(
        self, source: str, next_: str | list[Route], suffix: str, role: dict[str, str]
    ) -> SequenceFlow:
        gateway = f"r_{source[2:]}{suffix}"
        target, settled_route = self.routes(source, next_, gateway, role)
        made = self.connect(source, target)
        if settled_route is not None:
            assert isinstance(next_, list)
            (route,) = live(next_, self.channel)
            made.extension = bpmn_ext.element("route", bpmn_ext.dumped(route, ("to", "when")))
        return made

    def step_flows(self, step_id: str, step: Step) -> None:
        source = node_id(step_id)
        for way in exits(step):
            if way.trigger == SPLIT:
                for target in way.targets:
                    self.connect(source, node_id(target.to))
                continue
            assert way.next is not None
            outcome = way.outcome
            if outcome is not None:
                if settled(outcome.when, self.channel) is False:
                    continue
                role = {"step": step_id, "exit": "outcome", "outcome": way.trigger}
                made = self.follow(source, way.next, f"_{way.trigger.replace('-', '_')}", role)
                label = _words(outcome.label, self.language) or way.trigger
                made.name = (
                    say("outcome_if", self.language, trigger=label, when=str(outcome.when))
                    if outcome.when
                    else label
                )
                made.condition = outcome.when or f"outcome == '{way.trigger}'"
                made.extension = bpmn_ext.element(
                    "outcome", bpmn_ext.dumped(outcome, ("next",)), id=way.trigger
                )
            elif way.trigger == TIMEOUT:
                timer = f"t_{step_id.replace('-', '_')}"
                self.follow(timer, way.next, "_timeout", {"step": step_id, "exit": "on_timeout"})
            else:  # a task's or join's next, a wait's event
                self.follow(source, way.next, "", {"step": step_id, "exit": "next"})

    def merges(self) -> None:
        """A converging exclusive gateway in front of each activity or diverging gateway that
        two or more flows reach."""
        incoming = Counter(made.target for made in self.flows)
        for target, count in incoming.items():
            node = self.nodes[target]
            kind = "parallelFork" if target in self.forks else node.tag
            if count < 2 or kind not in _NO_JOIN:
                continue
            step = self.flow_step(target)
            merge = f"j_{target[2:]}"
            extension = bpmn_ext.element("gateway", {}, role="merge", step=step)
            self.add(Node(merge, "exclusiveGateway", f"to {step}", node.lane, extension))
            for made in self.flows:
                if made.target == target:
                    made.target = merge
            self.connect(merge, target)

    def flow_step(self, nid: str) -> str:
        return next(n.step for n in self.flow.nodes if n.id == nid)

    def place(self) -> None:
        """Lanes for the nodes without an actor: a start event in its step's, any other in the
        lane of the first node that leads to it."""
        for _ in range(len(self.nodes)):
            missing = [n for n in self.nodes.values() if n.lane is None]
            if not missing:
                return
            for node in missing:
                for made in self.flows:
                    if node.tag == "startEvent" and made.source == node.id:
                        node.lane = self.nodes[made.target].lane
                    elif made.target == node.id and self.nodes[made.source].lane is not None:
                        node.lane = self.nodes[made.source].lane
                    if node.lane is not None:
                        break
        raise AssertionError("a node no flow reaches from a lane")  # pragma: no cover


def process(
    reglament: Reglament, channel: str | None = None, language: Language = Language.en
) -> Process:
    """The BPMN process of the whole reglament, or of what ``channel``'s start reaches."""
    made = _Builder(reglament, channel, language)
    flow = made.flow
    lane_of = {nid: lane.id for lane in flow.lanes for nid in lane.nodes}
    for node in flow.nodes:
        if node.shape is not Shape.entry:
            made.step_node(node.step, reglament.steps[node.step], lane_of.get(node.id))
    starts = {
        n.step: reglament.channels[n.step].start for n in flow.nodes if n.shape is Shape.entry
    }
    for node in flow.nodes:
        if node.shape is not Shape.entry:
            made.step_flows(node.step, reglament.steps[node.step])
    for channel_id, start in starts.items():
        assert start is not None
        made.channel_node(channel_id, start)
    made.merges()
    made.place()
    lanes = [
        (
            lane.id,
            lane.lines[0],
            bpmn_ext.element("actor", bpmn_ext.dumped(reglament.actors[lane.actor]), id=lane.actor),
        )
        for lane in flow.lanes
    ]
    terms = [
        bpmn_ext.dumped(term)
        for term in reglament.terms
        if channel is None or term.channel in (None, channel)
    ]
    head = {"id": reglament.id, "region": reglament.region, "from": flow.version}
    if channel is not None:
        head["channel"] = channel
    head["language"] = language.value
    body: dict[str, object] = {"title": bpmn_ext.dumped(reglament.title)}
    if terms:
        body["terms"] = terms
    extension = bpmn_ext.element("reglament", body, **head)
    return Process(
        flow, extension, lanes, made.nodes, made.flows, made.messages, made.errors, made.forks
    )
