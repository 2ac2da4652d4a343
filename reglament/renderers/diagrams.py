"""Diagrams: a reglament's flow as a Mermaid flowchart or Graphviz DOT (actors as swimlanes,
each step's time on it), a simulated case as a Mermaid Gantt chart, and DOT drawn to SVG or PNG
by Graphviz's ``dot`` program, or laid out by it for the BPMN export (:func:`layout`): this
module is where Graphviz is called.

Every text that comes from a definition is escaped for the syntax it goes into; the tests feed
the output of every bundled reglament to Mermaid's own parser and to Graphviz.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from reglament.calendar import DayInfo, WorkCalendar, default_calendar
from reglament.engine.simulate import Timeline
from reglament.errors import Arg, ProgramMissing, ReglamentError, UsageError
from reglament.renderers.flow import Edge, EdgeKind, Flow, Node, Shape, build, wrap
from reglament.schemas import EndKind, Language, Reglament

FONT = "DejaVu Sans"  # has Cyrillic and Kazakh letters (Debian: fonts-dejavu-core)

# -- Mermaid flowchart --------------------------------------------------------------------------

# Mermaid reads "#name;" and "#123;" in labels as entities: every character that could end a
# label, start markup or an entity, or split an edge label is written as its code.
_MERMAID_CODES = str.maketrans({c: f"#{ord(c)};" for c in '#"<>&|`'})

_MERMAID_SHAPES: dict[Shape, tuple[str, str]] = {
    Shape.entry: (">", "]"),
    Shape.task: ("[", "]"),
    Shape.decision: ("{", "}"),
    Shape.wait: ("{{", "}}"),
    Shape.parallel: ("((", "))"),
    Shape.join: ("(((", ")))"),
    Shape.end: ("([", "])"),
}

_MERMAID_ARROWS = {EdgeKind.normal: "-->", EdgeKind.inferred: "-.->", EdgeKind.timeout: "==>"}

# Fill and stroke per class; the same colours are used in DOT and in the BPMN export.
COLOURS = {
    "entry": ("#e2e3e5", "#6c757d"),
    "task": ("#ffffff", "#495057"),
    "decision": ("#fff3cd", "#b58900"),
    "wait": ("#e7f1ff", "#3d6fb6"),
    "gate": ("#343a40", "#343a40"),
    "result": ("#d4edda", "#2e7d32"),
    "refusal": ("#f8d7da", "#b02a37"),
    "otherend": ("#eeeeee", "#6c757d"),
}
# Where a case stands now: a thick stroke over the node's own fill (the office page's case page).
_CURRENT = "#d63384"
LANE_COLOURS = ("#f8f9fa", "#f6f2ea", "#eef5ee", "#eef1f8", "#f7eef3", "#f1f1e6")


def mermaid_text(text: str) -> str:
    """Text made safe inside a double-quoted Mermaid label."""
    return text.translate(_MERMAID_CODES)


def _mermaid_label(lines: Sequence[str]) -> str:
    return '"' + "<br/>".join(mermaid_text(line) for line in lines) + '"'


def _css_class(node: Node) -> str:
    if node.shape in (Shape.parallel, Shape.join):
        return "gate"
    if node.shape is Shape.end:
        if node.ending is EndKind.result:
            return "result"
        return "refusal" if node.ending is EndKind.refusal else "otherend"
    return node.shape.name


def mermaid_flowchart(
    reglament: Reglament,
    channel: str | None = None,
    language: Language = Language.en,
    current: Collection[str] = (),
) -> str:
    """A Mermaid flowchart: one subgraph per actor, steps with their time, labelled routes.

    Dotted arrows are routes the act only implies; thick arrows are a wait's timeout; the steps
    in ``current`` (where a case stands now) have a thick stroke.
    """
    return _mermaid(build(reglament, channel, language, current))


def _mermaid(flow: Flow) -> str:
    by_id = {node.id: node for node in flow.nodes}
    lines = [
        "---",
        f"title: {json.dumps(flow.title, ensure_ascii=False)}",
        "---",
        "flowchart TB",
    ]

    def declare(node: Node, indent: str) -> str:
        opening, closing = _MERMAID_SHAPES[node.shape]
        return f"{indent}{node.id}{opening}{_mermaid_label(node.lines)}{closing}"

    laned: set[str] = set()
    for lane in flow.lanes:
        lines.append(f"  subgraph {lane.id}[{_mermaid_label(lane.lines)}]")
        lines.append("    direction TB")
        lines.extend(declare(by_id[nid], "    ") for nid in lane.nodes)
        lines.append("  end")
        laned.update(lane.nodes)
    lines.extend(declare(node, "  ") for node in flow.nodes if node.id not in laned)
    for edge in flow.edges:
        arrow = _MERMAID_ARROWS[edge.kind]
        label = f"|{_mermaid_label(edge.lines)}|" if edge.lines else ""
        lines.append(f"  {edge.source} {arrow}{label} {edge.target}")
    members: dict[str, list[str]] = defaultdict(list)
    for node in flow.nodes:
        members[_css_class(node)].append(node.id)
    members["untimed"] = [node.id for node in flow.nodes if node.untimed]
    for name, (fill, stroke) in COLOURS.items():
        if members[name]:
            text = ",color:#ffffff" if name == "gate" else ""
            lines.append(f"  classDef {name} fill:{fill},stroke:{stroke}{text}")
    members["current"] = [node.id for node in flow.nodes if node.current]
    if members["untimed"]:  # after the fills, so that its dashes win
        lines.append("  classDef untimed stroke-dasharray:5 4")
    if members["current"]:  # last, so that its stroke wins
        lines.append(f"  classDef current stroke:{_CURRENT},stroke-width:4px")
    for name in (*COLOURS, "untimed", "current"):
        if members[name]:
            lines.append(f"  class {','.join(members[name])} {name}")
    for index, lane in enumerate(flow.lanes):
        fill = LANE_COLOURS[index % len(LANE_COLOURS)]
        lines.append(f"  style {lane.id} fill:{fill},stroke:#adb5bd")
    return "\n".join(lines) + "\n"


# -- Graphviz DOT -------------------------------------------------------------------------------

_DOT_SHAPES = {
    Shape.entry: 'shape=cds, style="filled", margin="0.25,0.06"',
    Shape.task: 'shape=box, style="rounded,filled"',
    Shape.decision: 'shape=diamond, style="filled"',
    Shape.wait: 'shape=hexagon, style="filled"',
    Shape.parallel: 'shape=circle, style="filled", fontcolor="#ffffff", fontsize=9',
    Shape.join: 'shape=doublecircle, style="filled", fontcolor="#ffffff", fontsize=9',
    Shape.end: 'shape=box, style="rounded,filled,bold"',
}


def dot_text(text: str) -> str:
    """Text made safe inside a Graphviz HTML-like label (named entities Graphviz knows)."""
    return html.escape(text, quote=False).replace('"', "&quot;")


def _dot_label(lines: Sequence[str], bold_first: bool = False) -> str:
    parts = [dot_text(line) for line in lines]
    if bold_first and parts:
        parts[0] = f"<b>{parts[0]}</b>"
    return "<" + "<br/>".join(parts) + ">"


def _dot_node(node: Node) -> str:
    fill, stroke = COLOURS[_css_class(node)]
    attributes = _DOT_SHAPES[node.shape]
    if node.untimed:
        attributes = attributes.replace('style="', 'style="dashed,')
    if node.current:
        stroke = _CURRENT
        attributes += ", penwidth=4"
    label = _dot_label(node.lines, bold_first=node.shape is not Shape.entry)
    return f'{node.id} [{attributes}, fillcolor="{fill}", color="{stroke}", label={label}];'


def _dot_edge(edge: Edge, index: int) -> list[str]:
    """An edge; a labelled one passes through a node of its own that holds the label.

    Graphviz's own edge labels overlap when several labelled edges leave one node across
    clusters (dot with newrank); a label node is laid out like any node, so it never does.
    """
    style = {
        EdgeKind.normal: "",
        EdgeKind.inferred: "style=dashed",
        EdgeKind.timeout: 'style=bold, color="#b02a37"',
    }[edge.kind]
    if not edge.lines:
        return [f"  {edge.source} -> {edge.target}{f' [{style}]' if style else ''};"]
    label = f"e{index}"
    colour = ', fontcolor="#b02a37"' if edge.kind is EdgeKind.timeout else ""
    tail = f"arrowhead=none, {style}" if style else "arrowhead=none"
    return [
        f"  {label} [shape=plain, fontsize=9{colour}, label={_dot_label(edge.lines)}];",
        f"  {edge.source} -> {label} [{tail}];",
        f"  {label} -> {edge.target}{f' [{style}]' if style else ''};",
    ]


def dot(
    reglament: Reglament,
    channel: str | None = None,
    language: Language = Language.en,
    current: Collection[str] = (),
) -> str:
    """Graphviz DOT of the same flow: one ``cluster_`` per actor, the same shapes and labels,
    the steps in ``current`` (where a case stands now) drawn with a thick stroke."""
    flow = build(reglament, channel, language, current)
    by_id = {node.id: node for node in flow.nodes}
    lines = [
        f"digraph {json.dumps(flow.reglament)} {{",
        f"  graph [label={_dot_label([flow.title])}, labelloc=t, fontname={json.dumps(FONT)}, "
        'fontsize=14, rankdir=TB, newrank=true, nodesep=0.35, ranksep=0.45, charset="UTF-8"];',
        f"  node [fontname={json.dumps(FONT)}, fontsize=11, penwidth=1.2];",
        f'  edge [fontname={json.dumps(FONT)}, fontsize=9, color="#495057"];',
    ]
    laned: set[str] = set()
    for index, lane in enumerate(flow.lanes):
        fill = LANE_COLOURS[index % len(LANE_COLOURS)]
        lines.append(f"  subgraph cluster_{lane.id} {{")
        lines.append(
            f'    graph [label={_dot_label(wrap(" ".join(lane.lines), 48))}, style="rounded,filled", '
            f'fillcolor="{fill}", color="#adb5bd", fontsize=11, labeljust=l];'
        )
        lines.extend(f"    {_dot_node(by_id[nid])}" for nid in lane.nodes)
        lines.append("  }")
        laned.update(lane.nodes)
    lines.extend(f"  {_dot_node(node)}" for node in flow.nodes if node.id not in laned)
    for index, edge in enumerate(flow.edges, 1):
        lines.extend(_dot_edge(edge, index))
    lines.append("}")
    return "\n".join(lines) + "\n"


class GraphvizMissing(ProgramMissing):
    """``dot`` is not on PATH: SVG, PNG and BPMN cannot be drawn (exit 2, like other usage
    errors; 503 in the service)."""


FORMATS = ("mermaid", "dot", "svg", "png", "bpmn")  # what ``draw`` draws
_NO_DOT = (
    "Graphviz's 'dot' program, which is not on PATH; install Graphviz (e.g. apt-get install "
    "graphviz)"
)


def draw(
    reglament: Reglament,
    kind: str,
    channel: str | None = None,
    language: Language = Language.en,
) -> bytes:
    """The flow of ``reglament`` (of ``channel``) as ``kind``, one of ``FORMATS``: Mermaid or
    dot text, SVG or PNG drawn by Graphviz, BPMN 2.0 XML laid out by it (``renderers/bpmn.py``);
    text as UTF-8. The command line's ``diagram --format`` and the service's diagram ask it."""
    if kind not in FORMATS:
        raise UsageError(Arg("format", kind), f": expected one of {', '.join(FORMATS)}")
    if kind == "mermaid":
        return mermaid_flowchart(reglament, channel, language).encode("utf-8")
    if kind == "bpmn":
        from reglament.renderers.bpmn import bpmn  # which lays the process out with ``layout``

        return bpmn(reglament, channel, language).encode("utf-8")
    text = dot(reglament, channel, language)
    return text.encode("utf-8") if kind == "dot" else graphviz(text, kind)


def graphviz(source: str, output_format: str, wanted: str | None = None) -> bytes:
    """DOT drawn by Graphviz's ``dot`` program as ``svg``, ``png`` or ``json`` (its layout);
    ``wanted`` is the ``format`` the caller was asked for, named when ``dot`` is missing."""
    program = shutil.which("dot")
    if program is None:
        raise GraphvizMissing(
            Arg("format", wanted or output_format),
            f" needs {_NO_DOT} or use ",
            Arg("format", "dot"),
            " or mermaid",
        )
    done = subprocess.run(
        [program, f"-T{output_format}"], input=source.encode("utf-8"), capture_output=True
    )
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise ReglamentError(f"Graphviz 'dot' failed (exit {done.returncode}): {message}")
    return done.stdout


def layout(source: str, wanted: str) -> dict[str, Any]:
    """Where Graphviz's ``dot`` puts the nodes and clusters of ``source`` (its ``-Tjson``
    output: points, the origin at the lower left), for a writer that draws them itself."""
    found: dict[str, Any] = json.loads(graphviz(source, "json", wanted))
    return found


def inline_svgs(warn: Callable[[str], None]) -> Callable[[Reglament], str | None]:
    """Each reglament's flow as SVG to inline in HTML5 (no XML prolog, doctype or namespace
    declarations: nothing external), drawn by Graphviz, for the HTML audit report. Without
    Graphviz a flow is ``None`` and ``warn`` is told why, once."""
    warned: list[bool] = []

    def draw(reglament: Reglament) -> str | None:
        try:
            return inline_svg(reglament)
        except GraphvizMissing:
            if not warned:
                warn(f"diagrams left out of the report: {_NO_DOT}")
                warned.append(True)
            return None

    return draw


def inline_svg(
    reglament: Reglament,
    current: Collection[str] = (),
    channel: str | None = None,
    language: Language = Language.en,
) -> str:
    """The flow of ``reglament`` (of ``channel``, the steps in ``current`` marked) as SVG to
    inline in HTML5: no XML prolog, doctype or namespace declarations. :class:`GraphvizMissing`
    without ``dot``."""
    svg = graphviz(dot(reglament, channel, language, current), "svg").decode("utf-8")
    return re.sub(r'\sxmlns(:xlink)?="[^"]*"', "", svg[svg.index("<svg") :])


# -- Mermaid Gantt of a simulated case ------------------------------------------------------------

_GANTT_FORMAT = "%Y-%m-%d %H:%M"
_GANTT_UNSAFE = re.compile(r"[:;#\n\r]|%%")


def gantt_text(text: str) -> str:
    """Text made safe as a Gantt section or task name (no ':', ';', '#', '%%', line breaks:
    the Gantt grammar has no escapes)."""
    return " ".join(_GANTT_UNSAFE.sub(" ", text).split())


def _runs(days: Iterable[DayInfo]) -> list[list[DayInfo]]:
    """Consecutive days off grouped together."""
    runs: list[list[DayInfo]] = []
    for day in days:
        if runs and (day.date - runs[-1][-1].date).days == 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def _run_name(run: Sequence[DayInfo]) -> str:
    """``weekend, Orthodox Christmas``: why the days of a run are off, in order."""
    names = (day.holiday or ("weekend" if "weekend" in day.reasons else "day off") for day in run)
    return ", ".join(dict.fromkeys(names))


def mermaid_gantt(timeline: Timeline, calendar: WorkCalendar | None = None) -> str:
    """A Mermaid Gantt chart of a simulated case: a section per actor with its steps from start
    to end (late steps red, steps without time in the act marked), the days off in the span as
    bars of their own section (named by the calendar), and the legal term against the end.

    Mermaid's ``excludes`` is not used: it stretches every bar whose end has a time of day by
    the excluded days it spans, and the engine's ends already skip them. ``calendar`` names the
    days off (default: Kazakhstan's, without user overrides; pass the engine's).
    """
    calendar = calendar if calendar is not None else default_calendar()
    case = timeline.case
    zone = ZoneInfo(case.timezone)

    def at(t: dt.datetime) -> str:
        return t.astimezone(zone).strftime(_GANTT_FORMAT)

    scope = f"channel {case.channel}" + (f", variant {case.variant}" if case.variant else "")
    title = f"{case.reglament} ({case.region}) simulated, {scope}"
    lines = [
        "gantt",
        f"  title {gantt_text(title)}",
        "  dateFormat YYYY-MM-DD HH:mm",
        "  axisFormat %d %b",
        "  todayMarker off",
    ]
    sections: dict[str, list[str]] = defaultdict(list)
    for index, row in enumerate(timeline.rows, 1):
        tags = []
        name = row.step
        if row.late:
            tags.append("crit")
            name += " (late)"
        if "untimed" in row.flags:
            tags.append("active")
            name += " (no time in the act)"
        if row.end == row.start:
            tags.append("milestone")
        fields = [*tags, f"s{index}", at(row.start), at(row.end)]
        sections[row.actor or "no actor"].append(f"    {gantt_text(name)} :{', '.join(fields)}")
    for actor, tasks in sections.items():
        lines.append(f"  section {gantt_text(actor)}")
        lines.extend(tasks)
    first = case.accepted_at.astimezone(zone).date()
    last_instant = max(timeline.end, timeline.term_due or timeline.end)
    last = last_instant.astimezone(zone).date()
    runs = _runs(calendar.days_off(first, last))
    if runs:
        lines.append("  section days off")
        for index, run in enumerate(runs, 1):
            start = dt.datetime.combine(run[0].date, dt.time())
            end = dt.datetime.combine(run[-1].date + dt.timedelta(days=1), dt.time())
            lines.append(
                f"    {gantt_text(_run_name(run))} :done, off{index}, "
                f"{start.strftime(_GANTT_FORMAT)}, {end.strftime(_GANTT_FORMAT)}"
            )
    lines.append("  section term and end")
    if timeline.term_due is not None:
        verdict = "met" if timeline.term_met else "broken"
        tag = "" if timeline.term_met else "crit, "
        lines.append(
            f"    {gantt_text(timeline.term_text)} ({verdict}) :{tag}term, "
            f"{at(case.accepted_at)}, {at(timeline.term_due)}"
        )
    ended = f"ended at {case.end}" + (" (at the earliest)" if timeline.lower_bound else "")
    lines.append(f"    {gantt_text(ended)} :milestone, end, {at(timeline.end)}, {at(timeline.end)}")
    return "\n".join(lines) + "\n"
