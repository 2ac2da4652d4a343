"""A reglament's flow as BPMN 2.0 XML with its drawing (BPMNDI), for bpmn.io, Camunda Modeler
and other BPMN tools (docs/bpmn.md).

The process graph comes from ``renderers/bpmn_graph.py``; the coordinates from Graphviz
(``diagrams.layout``): the nodes laid out left to right with one cluster per lane, each cluster
then made a horizontal band across the pool (the bands stacked in the order dot drew them), and
each flow drawn with right angles. The XML is written with the standard library (no parsing:
nothing to defuse); every text from a definition is escaped by it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from xml.etree.ElementTree import Element, SubElement, indent, register_namespace, tostring

from reglament.renderers import bpmn_ext, diagrams
from reglament.renderers.bpmn_graph import CONDITION, DURATION, Node, Process, process
from reglament.schemas import Language, Reglament

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
COLOR = "http://www.omg.org/spec/BPMN/non-normative/color/1.0"  # BPMN in Color (bpmn-js reads it)
_PREFIXES = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "xsi": XSI, "color": COLOR}
for _prefix, _uri in {**_PREFIXES, bpmn_ext.PREFIX: bpmn_ext.NAMESPACE}.items():
    register_namespace(_prefix, _uri)

# sizes in BPMN pixels (Graphviz's points, one to one): a shape, and the box dot keeps for it
# with room for an outside label (events and gateways have their names below them)
_SIZES = {
    "task": (160, 90),
    "receiveTask": (160, 90),
    "exclusiveGateway": (50, 50),
    "parallelGateway": (50, 50),
    "startEvent": (36, 36),
    "endEvent": (36, 36),
    "boundaryEvent": (36, 36),
}
_LABEL_ROOM = (110, 64)  # extra width and height dot keeps under a small shape for its name
POOL_LABEL = 30  # the pool's and each lane's title bands, on the left
PAD = 20  # inside a lane, above and below its nodes; to the left and right of the drawing


def _q(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def _b(name: str) -> str:
    return _q(BPMN, name)


@dataclass(frozen=True, slots=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    @property
    def middle(self) -> tuple[float, float]:
        return self.x + self.width / 2, self.y + self.height / 2


# -- the layout ------------------------------------------------------------------------------------


def _dot_size(node: Node) -> tuple[float, float]:
    width, height = _SIZES[node.tag]
    if width < 100:
        return width + _LABEL_ROOM[0], height + _LABEL_ROOM[1]
    return width, height


def _dot_source(graph: Process) -> str:
    lines = [
        "digraph bpmn {",
        "  graph [rankdir=LR, newrank=true, nodesep=0.35, ranksep=0.5];",
        '  node [shape=box, fixedsize=true, label=""];',
    ]
    drawn = [n for n in graph.nodes.values() if n.attached_to is None]
    for lane_id, _, _ in graph.lanes:
        lines.append(f"  subgraph cluster_{lane_id} {{ graph [margin=12];")
        for node in drawn:
            if node.lane == lane_id:
                width, height = _dot_size(node)
                lines.append(f"    {node.id} [width={width / 72:.4f}, height={height / 72:.4f}];")
        lines.append("  }")
    host = {n.id: n.attached_to for n in graph.nodes.values() if n.attached_to is not None}
    for made in graph.flows:
        lines.append(f"  {host.get(made.source, made.source)} -> {made.target};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _bounds(text: str) -> tuple[float, float, float, float]:
    left, low, right, high = (float(v) for v in text.split(","))
    return left, low, right, high


@dataclass(frozen=True, slots=True)
class Drawing:
    pool: Box
    lanes: dict[str, Box]
    shapes: dict[str, Box]


def _draw(graph: Process) -> Drawing:
    """Every shape's box: dot's layout, each lane's cluster moved into a band of its own."""
    laid = diagrams.layout(_dot_source(graph), "bpmn")
    clusters = {
        o["name"][len("cluster_") :]: _bounds(o["bb"]) for o in laid["objects"] if "bb" in o
    }
    centres = {
        o["name"]: tuple(float(v) for v in o["pos"].split(","))
        for o in laid["objects"]
        if "pos" in o
    }
    left_most = min(bounds[0] for bounds in clusters.values())
    order = sorted(clusters, key=lambda lane: -clusters[lane][3])  # top first
    lanes: dict[str, Box] = {}
    top = 0.0
    shift: dict[str, tuple[float, float]] = {}  # lane: (x offset, y of the cluster's top edge)
    for lane in order:
        _, low, _, high = clusters[lane]
        height = high - low + 2 * PAD
        lanes[lane] = Box(0, top, 0, height)
        shift[lane] = (2 * POOL_LABEL + PAD - left_most, top + PAD + high)
        top += height
    shapes: dict[str, Box] = {}
    for node in graph.nodes.values():
        if node.attached_to is not None or node.lane is None:
            continue
        assert node.lane is not None
        x_offset, y_top = shift[node.lane]
        cx, cy = centres[node.id]
        width, height = _SIZES[node.tag]
        box_height = _dot_size(node)[1]
        x = cx + x_offset - width / 2
        y = (y_top - cy) - height / 2
        if box_height > height:  # the name goes below: the shape sits at the top of dot's box
            y = (y_top - cy) - box_height / 2 + 4
        shapes[node.id] = Box(x, y, width, height)
    for node in graph.nodes.values():
        if node.attached_to is not None:
            host = shapes[node.attached_to]
            width, height = _SIZES[node.tag]
            shapes[node.id] = Box(host.right - width - 10, host.bottom - height / 2, width, height)
    right = max(box.right for box in shapes.values()) + PAD
    pool = Box(0, 0, right, top)
    lanes = {k: Box(POOL_LABEL, v.y, right - POOL_LABEL, v.height) for k, v in lanes.items()}
    return Drawing(pool, lanes, shapes)


Point = tuple[float, float]


def _waypoints(source: Box, target: Box, start: str) -> list[Point]:
    """A flow with right angles into the target's left side: out of the source's right side
    (``start="side"``), or out of its upper or lower corner towards the target's height
    (``"corner"``: a gateway's branches fan out), or out of its lower side (``"below"``: a
    boundary timer). A flow backwards goes under both."""
    sx, sy = source.middle
    tx, ty = target.middle
    if target.x < source.right + 10:
        low = max(source.bottom, target.bottom) + 16
        return [(sx, source.bottom), (sx, low), (tx, low), (tx, target.bottom)]
    if start == "below":
        low = source.bottom + 16
        if ty > low:
            return [(sx, source.bottom), (sx, ty), (target.x, ty)]
        middle = (source.right + target.x) / 2
        return [(sx, source.bottom), (sx, low), (middle, low), (middle, ty), (target.x, ty)]
    if target.y + 2 < sy < target.bottom - 2:  # straight across, into the target's side
        return [(source.right, sy), (target.x, sy)]
    if start == "corner":
        corner = source.y if ty < sy else source.bottom
        return [(sx, corner), (sx, ty), (target.x, ty)]
    middle = (source.right + target.x) / 2
    return [(source.right, sy), (middle, sy), (middle, ty), (target.x, ty)]


def _label(points: list[Point], name: str, before: int) -> Box:
    """Where a flow's name goes: above its last horizontal stretch, from the bend on; the name
    of a second flow between the same two nodes (``before``: how many came first) below it."""
    (x1, y1), (x2, y2) = points[-2], points[-1]
    height = 14 * (-(-len(name) // 20))  # bpmn-js wraps a name of 130 pixels at ~20 characters
    if abs(y1 - y2) < 1 and x2 > x1:
        top = y2 - height - 4 if before % 2 == 0 else y2 + 4
        return Box(
            x1 + 6, top + (before // 2) * (-height if before % 2 == 0 else height), 130, height
        )
    return Box(x2 + 6, (y1 + y2) / 2 - height / 2 + before * height, 130, height)


# -- the XML ---------------------------------------------------------------------------------------


def _extension(parent: Element, *elements: Element | None) -> None:
    found = [e for e in elements if e is not None]
    if found:
        holder = SubElement(parent, _b("extensionElements"))
        holder.extend(found)


def _flow_node(parent: Element, node: Node, graph: Process) -> None:
    element = SubElement(parent, _b(node.tag), {"id": node.id, "name": node.name})
    if node.attached_to is not None:
        element.set("attachedToRef", node.attached_to)
        element.set("cancelActivity", "true")
    if node.tag == "receiveTask" and node.ref is not None:
        element.set("messageRef", node.ref)
    if node.default is not None:
        element.set("default", node.default)
    if node.documentation:
        SubElement(
            element, _b("documentation"), {"textFormat": "text/plain"}
        ).text = node.documentation
    _extension(element, node.extension)
    for made in graph.flows:
        if made.target == node.id:
            SubElement(element, _b("incoming")).text = made.id
    for made in graph.flows:
        if made.source == node.id:
            SubElement(element, _b("outgoing")).text = made.id
    if node.tag == "receiveTask":
        return
    if node.event == "message":
        SubElement(element, _b("messageEventDefinition"), {"messageRef": str(node.ref)})
    elif node.event == "error":
        SubElement(element, _b("errorEventDefinition"), {"errorRef": str(node.ref)})
    elif node.event == "timer":
        timer = SubElement(element, _b("timerEventDefinition"))
        duration = SubElement(
            timer, _b("timeDuration"), {_q(XSI, "type"): "bpmn:tFormalExpression"}
        )
        duration.set("language", DURATION)
        duration.text = node.timer


def _process(root: Element, graph: Process, name: str) -> None:
    element = SubElement(root, _b("process"), {"id": "process", "name": name})
    element.set("isExecutable", "true")  # SpiffWorkflow loads no other (docs/bpmn.md)
    _extension(element, graph.extension)
    lane_set = SubElement(element, _b("laneSet"), {"id": "lanes"})
    for lane_id, lane_name, actor in graph.lanes:
        lane = SubElement(lane_set, _b("lane"), {"id": lane_id, "name": lane_name})
        _extension(lane, actor)
        for node in graph.nodes.values():
            if node.lane == lane_id:
                SubElement(lane, _b("flowNodeRef")).text = node.id
    for node in graph.nodes.values():
        _flow_node(element, node, graph)
    for made in graph.flows:
        flow = SubElement(
            element,
            _b("sequenceFlow"),
            {"id": made.id, "sourceRef": made.source, "targetRef": made.target},
        )
        if made.name:
            flow.set("name", made.name)
        _extension(flow, made.extension)
        if made.condition is not None:
            condition = SubElement(
                flow, _b("conditionExpression"), {_q(XSI, "type"): "bpmn:tFormalExpression"}
            )
            condition.set("language", CONDITION)
            condition.text = made.condition


def _bounds_element(parent: Element, box: Box) -> None:
    SubElement(
        parent,
        _q(DC, "Bounds"),
        {
            k: f"{v:.0f}"
            for k, v in (("x", box.x), ("y", box.y), ("width", box.width), ("height", box.height))
        },
    )


def _diagram(root: Element, graph: Process, drawing: Drawing) -> None:
    diagram = SubElement(root, _q(BPMNDI, "BPMNDiagram"), {"id": "diagram"})
    plane = SubElement(
        diagram, _q(BPMNDI, "BPMNPlane"), {"id": "plane", "bpmnElement": "collaboration"}
    )

    def shape(element_id: str, box: Box, colours: tuple[str, str] | None = None) -> None:
        made = SubElement(
            plane, _q(BPMNDI, "BPMNShape"), {"id": f"{element_id}_di", "bpmnElement": element_id}
        )
        if element_id in drawing.lanes or element_id == "participant":
            made.set("isHorizontal", "true")
        if colours is not None:
            made.set(_q(COLOR, "background-color"), colours[0])
            made.set(_q(COLOR, "border-color"), colours[1])
        _bounds_element(made, box)

    shape("participant", drawing.pool)
    for index, (lane_id, _, _) in enumerate(graph.lanes):
        fill = diagrams.LANE_COLOURS[index % len(diagrams.LANE_COLOURS)]
        shape(lane_id, drawing.lanes[lane_id], (fill, "#6c757d"))  # the border names it too
    for node in graph.nodes.values():
        colours = diagrams.COLOURS[node.colour] if node.colour else None
        shape(node.id, drawing.shapes[node.id], colours)
    named: Counter[tuple[str, str]] = Counter()  # names of flows between two nodes so far
    for made in graph.flows:
        edge = SubElement(
            plane, _q(BPMNDI, "BPMNEdge"), {"id": f"{made.id}_di", "bpmnElement": made.id}
        )
        source = graph.nodes[made.source]
        start = "below" if source.attached_to else "side"
        if source.tag == "exclusiveGateway" or source.id in graph.forks:
            start = "corner"
        points = _waypoints(drawing.shapes[made.source], drawing.shapes[made.target], start)
        for x, y in points:
            SubElement(edge, _q(DI, "waypoint"), {"x": f"{x:.0f}", "y": f"{y:.0f}"})
        if made.name:
            pair = (made.source, made.target)
            box = _label(points, made.name, named[pair])
            named[pair] += 1
            _bounds_element(SubElement(edge, _q(BPMNDI, "BPMNLabel")), box)


def bpmn(reglament: Reglament, channel: str | None = None, language: Language = Language.en) -> str:
    """BPMN 2.0 XML of the reglament's flow (or of ``channel``'s), drawn (docs/bpmn.md)."""
    graph = process(reglament, channel, language)
    drawing = _draw(graph)
    target = f"{bpmn_ext.NAMESPACE}/{reglament.region}/{reglament.id}/{graph.flow.version}"
    root = Element(
        _b("definitions"),
        {"id": "definitions", "targetNamespace": target, "exporter": "reglament"},
    )
    title = graph.flow.title
    collaboration = SubElement(root, _b("collaboration"), {"id": "collaboration"})
    SubElement(
        collaboration,
        _b("participant"),
        {"id": "participant", "name": reglament.title.best(language), "processRef": "process"},
    )
    _process(root, graph, title)
    for message_id, name in graph.messages.items():
        SubElement(root, _b("message"), {"id": message_id, "name": name})
    for error_id, code in graph.errors.items():
        SubElement(
            root, _b("error"), {"id": error_id, "name": code.replace("_", " "), "errorCode": code}
        )
    _diagram(root, graph, drawing)
    indent(root, "  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, "unicode") + "\n"
