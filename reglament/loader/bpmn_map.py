"""A BPMN process graph → a reglament skeleton: the plain data of a definition, with the places
the act must fill marked (:class:`~reglament.source.yaml_writer.Fill`).

Lanes become actors, tasks steps, exclusive gateways decisions with an outcome per flow (a
gateway right after a task makes that task the decision), parallel gateways parallel blocks
and their joins, receive tasks, message catches and event-based gateways waits (a timer on
them the limit and its flow ``on_timeout``), a lone timer a wait that ends at its limit, end
events ends, start events channels. Where the export's ``rg`` elements are present they are
read back as written (docs/bpmn.md), and the gateways the export adds (a step's routes, a merge
in front of a step) become the step's ``next`` again.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from reglament.errors import Problem
from reglament.loader import bpmn_rg
from reglament.loader.bpmn_read import ACTIVITIES, Flow, Graph, Node, extension, one_line
from reglament.renderers.bpmn_ext import NAMESPACE
from reglament.schemas.steps import EndKind
from reglament.source.xml_reader import XNode
from reglament.source.yaml_writer import Fill

_KAZAKH = re.compile("[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
_CYRILLIC = re.compile("[а-яёА-ЯЁ]")
_ISO = re.compile(r"^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$")
_OURS = re.compile(r"^(\d+) (minutes|hours|working_days|calendar_days)$")

DURATION_HINT = (
    "the act's time for this step: {unit: working_days, value: N, raw: {kk: ...}, lines: ...} "
    "(unit minutes, hours, working_days, calendar_days; untimed when the act gives none)"
)
END_HINT = "how the case ends here: result, refusal, data_unavailable, withdrawn or other"


def language(text: str) -> str:
    """The language a drawn name is in, by its letters: Kazakh letters kk, other Cyrillic ru,
    else en."""
    if _KAZAKH.search(text):
        return "kk"
    return "ru" if _CYRILLIC.search(text) else "en"


def slug(text: str) -> str:
    """An id from a BPMN id or name: lower case, '_' and spaces as '-', other characters gone."""
    cleaned = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return cleaned[:80].rstrip("-")


@dataclass
class Skeleton:
    """What an import made: the reglament's data with its places to fill, and what was lost."""

    data: dict[str, Any]
    left_out: list[Problem] = field(default_factory=list)

    def fills(self) -> int:
        return sum(1 for _ in _fills(self.data))


def _fills(value: object) -> Iterator[Fill]:
    if isinstance(value, Fill):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _fills(item)
    elif isinstance(value, list):
        for item in value:
            yield from _fills(item)


class Ids:
    """Unique ids in one namespace (steps, actors, channels): a clash gets -2, -3 ..."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def make(self, wanted: str, fallback: str) -> str:
        base = wanted or fallback
        ident, n = base, 2
        while ident in self.taken:
            ident, n = f"{base}-{n}", n + 1
        self.taken.add(ident)
        return ident


class Mapper:
    """One import: ``skeleton(reglament_id, region, zone)``."""

    def __init__(self, graph: Graph, words: str | None = None) -> None:
        self.graph = graph
        self.words = words  # the language of the drawn names; None: by their letters
        self.left_out = list(graph.left_out)
        self.step_ids: dict[str, str] = {}
        self.actor_ids: dict[str, str] = {}
        self.absorbed: dict[str, Node] = {}  # a task's id → the gateway that makes it a decision
        self.catches: set[str] = set()  # events an event-based gateway waits on
        self._name_ids()

    # -- ids ------------------------------------------------------------------------------------

    def _name_ids(self) -> None:
        actors, steps = Ids(), Ids()
        for lane in self.graph.lanes:
            ext = extension(lane.element, NAMESPACE, "actor")
            self.actor_ids[lane.id] = actors.make(
                str(ext.attrib["id"]) if ext is not None and "id" in ext.attrib else slug(lane.id),
                "actor",
            )
        for node in self.graph.nodes.values():
            self._absorb(node)
        for node in self.graph.nodes.values():
            if self._is_step(node):
                ext = node.extension(NAMESPACE, "step")
                wanted = str(ext.attrib.get("id", "")) if ext is not None else slug(node.id)
                self.step_ids[node.id] = steps.make(wanted, "step")

    def _absorb(self, node: Node) -> None:
        """A modeler's gateway right after a task makes the task a decision; an event-based
        gateway's events are its wait."""
        if node.kind == "eventBasedGateway":
            self.catches.update(f.target for f in node.outgoing)
        if not self._plain_split(node) or len(node.incoming) != 1:
            return
        before = self.graph.nodes.get(node.incoming[0].source)
        if (
            before is not None
            and before.kind in ACTIVITIES - {"receiveTask"}
            and len(before.outgoing) == 1
            and not _has_rg(before)
            and not before.boundaries
        ):
            self.absorbed[before.id] = node

    def _plain_split(self, node: Node) -> bool:
        return node.kind == "exclusiveGateway" and not _has_rg(node) and len(node.outgoing) > 1

    def _role(self, node: Node) -> str | None:
        ext = node.extension(NAMESPACE, "gateway")
        if ext is not None:
            return ext.attrib.get("role")
        if node.kind == "exclusiveGateway" and not _has_rg(node) and len(node.outgoing) == 1:
            return "merge"
        if node.kind == "intermediateThrowEvent":
            return "merge"
        return None

    def _is_step(self, node: Node) -> bool:
        if node.kind in ("startEvent", "boundaryEvent") or node.id in self.catches:
            return False
        return node not in self.absorbed.values() and self._role(node) is None

    # -- where a flow leads ---------------------------------------------------------------------

    def target(self, flow: Flow, seen: frozenset[str] = frozenset()) -> Any:
        """The step id a flow leads to, a list of routes (through the export's routes gateway),
        or a place to fill (it leads to something not imported)."""
        node = self.graph.nodes.get(flow.target)
        if node is None or flow.target in seen:
            element = next(
                (e for e in self.graph.process.iter() if e.attrib.get("id") == flow.target), None
            )
            shown = f"{element.local} '{flow.target}'" if element is not None else flow.target
            return Fill(f"where the case goes: the drawing leads to {shown}, which is not imported")
        if node.id in self.step_ids:
            return self.step_ids[node.id]
        role = self._role(node)
        if role == "merge" and len(node.outgoing) == 1:
            return self.target(node.outgoing[0], seen | {node.id})
        if role == "routes":
            return [self._route(f, node, seen | {node.id}) for f in self._ordered(node)]
        return Fill(f"where the case goes after {node.described()}")

    def single(self, flow: Flow) -> Any:
        """A target that must be one step (a route's ``to``, a branch, a channel's start)."""
        found = self.target(flow)
        if isinstance(found, list):
            return Fill("one step id: the drawing has a choice of routes here")
        return found

    def next_of(self, node: Node, flows: list[Flow] | None = None) -> Any:
        out = list(node.outgoing if flows is None else flows)
        if not out:
            return Fill(f"where the case goes after this step: no flow leaves {node.described()}")
        if len(out) > 1:
            self.left_out.append(
                Problem(
                    node.position,
                    f"{node.described()} has {len(out)} flows out and no gateway: only the first "
                    "is imported; draw an exclusive or a parallel gateway after it",
                    code="not-mapped",
                )
            )
        return self.way(out[0])

    def way(self, flow: Flow) -> Any:
        """Where a step's own flow leads, as its ``next``: a flow that carries an ``rg:route``
        (the export's one route left, with its mark or note) is a list of that one route."""
        found = self.target(flow)
        ext = _ext(flow, "route")
        if ext is None or not isinstance(found, str):
            return found
        return [{**bpmn_rg.mapping(ext), "to": found}]

    def _ordered(self, gateway: Node) -> list[Flow]:
        """A gateway's flows, its default last (a list of routes ends with the one without
        ``when``)."""
        return sorted(gateway.outgoing, key=lambda f: f.id == gateway.default)

    def _route(self, flow: Flow, gateway: Node, seen: frozenset[str]) -> dict[str, Any]:
        ext = _ext(flow, "route")
        route: dict[str, Any] = {"to": None}
        if ext is not None:
            route.update(bpmn_rg.mapping(ext))
        elif flow.id != gateway.default and (when := self.condition(flow)) is not None:
            route["when"] = when
        found = self.target(flow, seen)
        route["to"] = found if not isinstance(found, list) else Fill("one step id")
        return route

    def condition(self, flow: Flow) -> str | None:
        """A drawn condition that is one of ours (our expression language parses it)."""
        from reglament.schemas import expr

        if flow.condition is None or not flow.condition.text.strip():
            return None
        text = one_line(flow.condition.text)
        try:
            expr.parse(text)
        except expr.ExprError:
            return None
        return text

    # -- texts ------------------------------------------------------------------------------------

    def text(self, words: str) -> dict[str, str]:
        return {self.words or language(words): words}

    def named(self, node: Node, hint: str) -> Any:
        return self.text(node.name) if node.name else Fill(hint)


def _has_rg(node: Node) -> bool:
    return node.extension(NAMESPACE, "step") is not None


def _ext(flow: Flow, local: str) -> XNode | None:
    return extension(flow.element, NAMESPACE, local)


def duration(text: str, language_uri: str | None) -> dict[str, Any] | None:
    """A timer's duration as a reglament duration: our own ``VALUE UNIT`` or an ISO 8601
    duration in weeks, days, hours and minutes (weeks and days are calendar days); None for
    what neither says exactly (months, years, seconds, fractions)."""
    text = text.strip()
    ours = _OURS.match(text)
    if ours is not None:
        return {"unit": ours.group(2), "value": int(ours.group(1))}
    iso = _ISO.match(text)
    if iso is None or text in ("P", "PT") or text.endswith("T"):
        return None
    weeks, days, hours, minutes = (int(part or 0) for part in iso.groups())
    days += 7 * weeks
    if minutes:
        total, unit = ((days * 24 + hours) * 60 + minutes), "minutes"
    elif hours:
        total, unit = days * 24 + hours, "hours"
    else:
        total, unit = days, "calendar_days"
    if total <= 0:
        return None
    return {"unit": unit, "value": total, "note": f"BPMN timer {text}"}


def order(steps: dict[str, dict[str, Any]], starts: list[str]) -> dict[str, dict[str, Any]]:
    """The steps in the order a reader follows them: breadth first from the channels' starts,
    then the rest as drawn."""
    seen: list[str] = []
    queue = deque(s for s in starts if s in steps)
    while queue:
        ident = queue.popleft()
        if ident in seen:
            continue
        seen.append(ident)
        queue.extend(t for t in _targets(steps[ident]) if t in steps and t not in seen)
    seen.extend(ident for ident in steps if ident not in seen)
    return {ident: steps[ident] for ident in seen}


def _targets(step: dict[str, Any]) -> Iterator[str]:
    for key in ("next", "on_timeout", "join"):
        yield from _ids_in(step.get(key))
    for branch in step.get("branches", []) or []:
        if isinstance(branch, str):
            yield branch
    for outcome in (step.get("outcomes") or {}).values():
        if isinstance(outcome, dict):
            yield from _ids_in(outcome.get("next"))


def _ids_in(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for route in value:
            if isinstance(route, dict) and isinstance(route.get("to"), str):
                yield route["to"]


END_KINDS = frozenset(kind.value for kind in EndKind)
