"""A BPMN 2.0 file → the process graph an import maps: nodes, flows, lanes, every reference checked.

Which of a drawing's elements a reglament can hold is decided here, by element: what maps is
kept as a :class:`Node` or :class:`Flow`; what cannot (message flows, sub-processes, call
activities, inclusive and complex gateways, signal, escalation, compensation, conditional and
link events, data objects, loops ...) becomes a positioned problem in :attr:`Graph.left_out`.
A file that is not BPMN, has no process, gives an id twice or refers to an element it does not
have (a flow's source or target, a lane's node, a gateway's default, a boundary event's
activity) is refused whole: :class:`BpmnRefused`, every such problem at its line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reglament.errors import Position, Problem
from reglament.source.xml_reader import XNode

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"

ACTIVITIES = frozenset(
    {
        "task",
        "userTask",
        "manualTask",
        "serviceTask",
        "scriptTask",
        "sendTask",
        "businessRuleTask",
        "receiveTask",
    }
)
GATEWAYS = frozenset({"exclusiveGateway", "parallelGateway", "eventBasedGateway"})
EVENTS = frozenset(
    {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
)
MAPPED = ACTIVITIES | GATEWAYS | EVENTS

# what a reglament cannot hold, by element: the words of its problem
_NOT_MAPPED = {
    "subProcess": "a sub-process",
    "transaction": "a transaction (a sub-process)",
    "adHocSubProcess": "an ad-hoc sub-process",
    "callActivity": "a call activity",
    "inclusiveGateway": "an inclusive gateway",
    "complexGateway": "a complex gateway",
    "dataObject": "a data object",
    "dataObjectReference": "a data object",
    "dataStoreReference": "a data store",
    "textAnnotation": "a text annotation",
    "group": "a group",
    "association": "an association",
}
_WHY = {
    "subProcess": "a reglament's steps are one flat procedure; draw its steps in the process",
    "transaction": "a reglament's steps are one flat procedure; draw its steps in the process",
    "adHocSubProcess": "a reglament's steps are one flat procedure; draw its steps in the process",
    "callActivity": "a reglament's steps are one flat procedure; draw its steps in the process",
    "inclusiveGateway": "a reglament has exclusive choices and parallel blocks only",
    "complexGateway": "a reglament has exclusive choices and parallel blocks only",
    "dataObject": "the case's data are declared under data",
    "dataObjectReference": "the case's data are declared under data",
    "dataStoreReference": "the case's data are declared under data",
    "textAnnotation": "write it as a note",
    "group": "a reglament has no groups",
    "association": "it links an annotation or data",
}
_DEFINITIONS = {
    "messageEventDefinition": "message",
    "timerEventDefinition": "timer",
    "errorEventDefinition": "error",
    "terminateEventDefinition": "terminate",
    "signalEventDefinition": "signal",
    "escalationEventDefinition": "escalation",
    "compensateEventDefinition": "compensation",
    "conditionalEventDefinition": "conditional",
    "linkEventDefinition": "link",
    "cancelEventDefinition": "cancel",
}
_MAPPED_EVENTS = frozenset({"message", "timer", "error", "terminate"})
_ACTIVITY_PARTS = {
    "multiInstanceLoopCharacteristics": "a multi-instance marker",
    "standardLoopCharacteristics": "a loop marker",
    "dataInputAssociation": "a data input",
    "dataOutputAssociation": "a data output",
}


class BpmnRefused(Exception):
    """The file cannot be imported at all: every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass
class Node:
    """A flow node that maps: its element, event definitions, extension and where it stands."""

    id: str
    kind: str  # the element's local name: task, exclusiveGateway, boundaryEvent ...
    name: str
    element: XNode
    events: tuple[str, ...] = ()  # message, timer, error ... (its event definitions)
    lane: str | None = None
    attached_to: str | None = None
    default: str | None = None
    incoming: list[Flow] = field(default_factory=list)
    outgoing: list[Flow] = field(default_factory=list)
    boundaries: list[Node] = field(default_factory=list)

    @property
    def position(self) -> Position:
        return self.element.position

    def definition(self, kind: str) -> XNode | None:
        """Its event definition of ``kind`` (message, timer, error ...), if any."""
        for child in self.element.children:
            if child.namespace == BPMN and _DEFINITIONS.get(child.local) == kind:
                return child
        return None

    def extension(self, namespace: str, local: str) -> XNode | None:
        return extension(self.element, namespace, local)

    def described(self) -> str:
        shown = f" {self.name!r}" if self.name else ""
        return f"{self.kind}{shown} ({self.id})"


@dataclass
class Flow:
    id: str
    source: str
    target: str
    name: str
    element: XNode
    condition: XNode | None = None


@dataclass
class Lane:
    id: str
    name: str
    element: XNode
    nodes: list[str]


@dataclass
class Graph:
    """One process: its nodes (document order), flows, leaf lanes, and what was left out."""

    process: XNode
    participant: XNode | None
    nodes: dict[str, Node]
    flows: dict[str, Flow]
    lanes: list[Lane]
    errors: dict[str, XNode]  # bpmn:error elements by id (an end event's errorRef)
    left_out: list[Problem]


def extension(element: XNode, namespace: str, local: str) -> XNode | None:
    """The first ``{namespace}local`` element in ``element``'s ``extensionElements``."""
    for child in element.children:
        if child.namespace == BPMN and child.local == "extensionElements":
            for item in child.children:
                if item.namespace == namespace and item.local == local:
                    return item
    return None


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ufffe\uffff]")


def one_line(text: str) -> str:
    """Drawn text on one line, as a reglament holds it: line breaks (modelers break names) and
    runs of spaces made one space, control characters (which no reglament file may hold) gone."""
    return _CONTROL.sub("", " ".join(text.split()))


def name_of(element: XNode) -> str:
    """An element's name on one line."""
    return one_line(element.attrib.get("name", ""))


def read(root: XNode) -> Graph:
    """The graph of the file's process; :class:`BpmnRefused` when there is none to import."""
    if root.namespace != BPMN or root.local != "definitions":
        where = f"in the namespace {root.namespace}" if root.namespace else "in no namespace"
        raise BpmnRefused(
            [
                _problem(
                    root,
                    f"not a BPMN 2.0 file: the root element is <{root.local}> {where}; expected "
                    f"<definitions> in {BPMN}",
                    "not-bpmn",
                )
            ]
        )
    ids, refused = _ids(root)
    processes = [c for c in root.children if c.namespace == BPMN and c.local == "process"]
    drawn = [p for p in processes if any(_is_flow_element(c) for c in p.children)]
    if not drawn:
        raise BpmnRefused(
            [_problem(root, "no process with any element in it: nothing to import", "no-process")]
        )
    process = drawn[0]
    left_out = [
        _problem(
            other,
            f"a second process (pool) {_label(other)} is not imported: a reglament is one process",
            "not-mapped",
        )
        for other in drawn[1:]
    ]
    collaboration = [c for c in root.children if c.namespace == BPMN and c.local == "collaboration"]
    participant = _participant(collaboration, process, ids, refused)
    for holder in collaboration:
        left_out.extend(
            _problem(
                flow,
                f"a message flow {_label(flow)} is not imported: a reglament has one participant; write what it carries as a notification or a wait",
                "not-mapped",
            )
            for flow in holder.children
            if flow.namespace == BPMN and flow.local == "messageFlow"
        )
    graph = _graph(process, participant, root, left_out, refused)
    _check_references(graph, ids, refused)
    if refused:
        raise BpmnRefused(refused)
    return graph


def _is_flow_element(element: XNode) -> bool:
    return element.namespace == BPMN and (
        element.local in MAPPED or element.local in _NOT_MAPPED or element.local == "sequenceFlow"
    )


def _label(element: XNode) -> str:
    name = name_of(element)
    ident = element.attrib.get("id", "")
    return f"{name!r} ({ident})" if name else f"'{ident}'" if ident else ""


def _ids(root: XNode) -> tuple[dict[str, XNode], list[Problem]]:
    """Every element's id; an id given twice is refused at its second place."""
    ids: dict[str, XNode] = {}
    refused: list[Problem] = []
    for element in root.iter():
        ident = element.attrib.get("id")
        if ident is None or element.namespace != BPMN:
            continue
        if ident in ids:
            first = ids[ident].position.line
            refused.append(
                _problem(
                    element, f"id {ident!r} is given twice (first at line {first})", "duplicate-id"
                )
            )
        else:
            ids[ident] = element
    return ids, refused


def _participant(
    collaboration: list[XNode], process: XNode, ids: dict[str, XNode], refused: list[Problem]
) -> XNode | None:
    found = None
    for holder in collaboration:
        for child in holder.children:
            if child.namespace != BPMN or child.local != "participant":
                continue
            ref = child.attrib.get("processRef")
            if ref is not None and ref not in ids:
                refused.append(_dangling(child, "processRef", ref, "process"))
            elif ref == process.attrib.get("id") and found is None:
                found = child
    return found


def _graph(
    process: XNode,
    participant: XNode | None,
    root: XNode,
    left_out: list[Problem],
    refused: list[Problem],
) -> Graph:
    nodes: dict[str, Node] = {}
    flows: dict[str, Flow] = {}
    for element in process.children:
        if element.namespace != BPMN:
            continue
        ident = element.attrib.get("id", "")
        if element.local == "sequenceFlow":
            flows[ident] = _flow(element)
        elif element.local in MAPPED:
            node = _node(element, left_out)
            if node is not None:
                nodes[ident] = node
        elif element.local in _NOT_MAPPED:
            what = _NOT_MAPPED[element.local]
            left_out.append(
                _problem(
                    element,
                    f"{what} {_label(element)} is not imported: {_WHY[element.local]}",
                    "not-mapped",
                )
            )
    errors = {
        c.attrib["id"]: c
        for c in root.children
        if c.namespace == BPMN and c.local == "error" and "id" in c.attrib
    }
    return Graph(process, participant, nodes, flows, _lanes(process), errors, left_out)


def _node(element: XNode, left_out: list[Problem]) -> Node | None:
    events = []
    for child in element.children:
        if child.namespace != BPMN:
            continue
        if child.local in _DEFINITIONS:
            events.append(_DEFINITIONS[child.local])
        elif child.local in _ACTIVITY_PARTS:
            left_out.append(
                _problem(
                    child,
                    f"{_ACTIVITY_PARTS[child.local]} on {element.local} {_label(element)} is not imported: a reglament's step runs once and its data are declared under data",
                    "not-mapped",
                )
            )
    node = Node(
        id=element.attrib.get("id", ""),
        kind=element.local,
        name=name_of(element),
        element=element,
        events=tuple(events),
        attached_to=element.attrib.get("attachedToRef"),
        default=element.attrib.get("default"),
    )
    unmapped = [e for e in events if e not in _MAPPED_EVENTS]
    if unmapped or len(events) > 1:
        what = " and ".join(unmapped) if unmapped else "second event definition"
        kept = "; its path is not followed" if element.local == "boundaryEvent" else ""
        left_out.append(
            _problem(
                element,
                f"{element.local} {_label(element)}: its {what} is not imported{kept}: a "
                "reglament's events are messages awaited, time limits and ends",
                "not-mapped",
            )
        )
    if unmapped and element.local == "boundaryEvent":
        return None
    node.events = tuple(e for e in events if e in _MAPPED_EVENTS)
    return node


def _flow(element: XNode) -> Flow:
    condition = next(
        (c for c in element.children if c.namespace == BPMN and c.local == "conditionExpression"),
        None,
    )
    return Flow(
        id=element.attrib.get("id", ""),
        source=element.attrib.get("sourceRef", ""),
        target=element.attrib.get("targetRef", ""),
        name=name_of(element),
        element=element,
        condition=condition,
    )


def _lanes(process: XNode) -> list[Lane]:
    """The leaf lanes (a lane with a child lane set is only a heading), in document order."""
    found: list[Lane] = []

    def walk(holder: XNode) -> None:
        for lane_set in holder.children:
            if lane_set.namespace != BPMN or lane_set.local not in ("laneSet", "childLaneSet"):
                continue
            for lane in lane_set.children:
                if lane.namespace != BPMN or lane.local != "lane":
                    continue
                children = [
                    c for c in lane.children if c.namespace == BPMN and c.local == "childLaneSet"
                ]
                if children:
                    walk(lane)
                    continue
                refs = [
                    c.text.strip()
                    for c in lane.children
                    if c.namespace == BPMN and c.local == "flowNodeRef"
                ]
                found.append(Lane(lane.attrib.get("id", ""), name_of(lane), lane, refs))

    walk(process)
    return found


def _check_references(graph: Graph, ids: dict[str, XNode], refused: list[Problem]) -> None:
    """Every reference names an element of the process; flows and lanes join the graph."""
    everything = {e.attrib["id"]: e for e in graph.process.iter() if "id" in e.attrib}
    for flow in graph.flows.values():
        for attribute, ref in (("sourceRef", flow.source), ("targetRef", flow.target)):
            if ref not in everything:
                refused.append(_dangling(flow.element, attribute, ref, "flow node"))
            elif not _is_flow_element(everything[ref]):
                refused.append(
                    _problem(
                        flow.element,
                        f"{attribute} {ref!r} is a {everything[ref].local}, not a flow node",
                        "dangling-ref",
                    )
                )
        if flow.source in graph.nodes and flow.target in everything:
            graph.nodes[flow.source].outgoing.append(flow)
        if flow.target in graph.nodes and flow.source in everything:
            graph.nodes[flow.target].incoming.append(flow)
    for lane in graph.lanes:
        for ref in lane.nodes:
            if ref not in everything:
                refused.append(_dangling(lane.element, "flowNodeRef", ref, "flow node"))
            elif ref in graph.nodes and graph.nodes[ref].lane is None:
                graph.nodes[ref].lane = lane.id
    for node in graph.nodes.values():
        if node.default is not None and node.default not in graph.flows:
            refused.append(_dangling(node.element, "default", node.default, "sequence flow"))
        if node.attached_to is not None:
            if node.attached_to not in everything:
                refused.append(
                    _dangling(node.element, "attachedToRef", node.attached_to, "activity")
                )
            elif node.attached_to in graph.nodes:
                graph.nodes[node.attached_to].boundaries.append(node)
        error = node.definition("error")
        wanted = error.attrib.get("errorRef") if error is not None else None
        if error is not None and wanted is not None and wanted not in graph.errors:
            refused.append(_dangling(error, "errorRef", wanted, "error"))


def _dangling(element: XNode, attribute: str, ref: str, what: str) -> Problem:
    ident = element.attrib.get("id")
    whose = f"{element.local} {ident!r}" if ident else element.local
    return _problem(
        element, f"{whose}: {attribute} {ref!r} names no {what} in this file", "dangling-ref"
    )


def _problem(element: XNode, message: str, code: str) -> Problem:
    return Problem(element.position, message, code=code)
