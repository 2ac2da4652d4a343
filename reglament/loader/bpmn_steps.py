"""The steps, actors and channels of a BPMN import, one function per kind of drawn element
(the rules are in :mod:`reglament.loader.bpmn_map`'s docstring and docs/bpmn.md)."""

from __future__ import annotations

from collections import deque
from typing import Any

from reglament.errors import Problem
from reglament.loader import bpmn_rg
from reglament.loader.bpmn_map import (
    DURATION_HINT,
    END_HINT,
    END_KINDS,
    Ids,
    Mapper,
    duration,
    slug,
)
from reglament.loader.bpmn_read import ACTIVITIES, Flow, Node, extension, one_line
from reglament.renderers.bpmn_ext import NAMESPACE
from reglament.source.yaml_writer import Fill

_ACTOR_HINT = "who does it: an id under actors"


def actors(mapper: Mapper) -> dict[str, Any]:
    """One actor per leaf lane that holds a step."""
    used = {node.lane for node in mapper.graph.nodes.values() if node.id in mapper.step_ids}
    found: dict[str, Any] = {}
    for lane in mapper.graph.lanes:
        ext = extension(lane.element, NAMESPACE, "actor")
        if ext is None and lane.id not in used:
            continue
        actor = bpmn_rg.mapping(ext) if ext is not None else {}
        actor.pop("id", None)
        if "name" not in actor:
            actor = {
                "name": mapper.text(lane.name) if lane.name else Fill("the actor's name"),
                **actor,
            }
        found[mapper.actor_ids[lane.id]] = actor
    return found


def channels(mapper: Mapper) -> dict[str, Any]:
    """One channel per start event, starting at the step its flow leads to."""
    found: dict[str, Any] = {}
    taken: set[str] = set()
    for node in mapper.graph.nodes.values():
        if node.kind != "startEvent":
            continue
        ext = node.extension(NAMESPACE, "channel")
        channel = bpmn_rg.mapping(ext) if ext is not None else {}
        ident = str(channel.pop("id", "")) or _free(slug(node.id), taken, "channel")
        taken.add(ident)
        if ext is None:
            channel = {
                "kind": Fill(
                    "the channel's kind: office, con, portal, rural_akim, post, pension_centre or other"
                ),
                "name": mapper.named(node, "the channel's name"),
            }
        channel["start"] = (
            mapper.single(node.outgoing[0])
            if node.outgoing
            else Fill("the first step of this channel's route: no flow leaves the start event")
        )
        found[ident] = channel
    return found


def steps(mapper: Mapper) -> dict[str, dict[str, Any]]:
    made: dict[str, dict[str, Any]] = {}
    for node in mapper.graph.nodes.values():
        if node.id in mapper.step_ids:
            made[mapper.step_ids[node.id]] = step(mapper, node)
    return made


def step(mapper: Mapper, node: Node) -> dict[str, Any]:
    ext = node.extension(NAMESPACE, "step")
    if ext is not None:
        return _from_rg(mapper, node, bpmn_rg.mapping(ext))
    if node.id in mapper.absorbed:
        return _decision(mapper, node, mapper.absorbed[node.id], node)
    if node.kind == "receiveTask":
        return _wait(mapper, node, node.name, node.outgoing)
    if node.kind in ACTIVITIES:
        return _task(mapper, node)
    if node.kind == "exclusiveGateway":
        return _decision(mapper, node, node, None)
    if node.kind == "parallelGateway":
        return _parallel(mapper, node)
    if node.kind == "eventBasedGateway":
        return _event_wait(mapper, node)
    if node.kind == "intermediateCatchEvent":
        return _catch(mapper, node)
    return _end(mapper, node)


# -- from the export's own elements ----------------------------------------------------------


def _from_rg(mapper: Mapper, node: Node, found: dict[str, Any]) -> dict[str, Any]:
    """A step as the export wrote it; its routes from the flows."""
    found.pop("id", None)
    kind = found.get("kind")
    timers = [b for b in node.boundaries if "timer" in b.events]
    if kind == "decision":
        found["outcomes"] = _outcomes(mapper, node)
    elif kind == "parallel":
        found["branches"] = [mapper.single(f) for f in node.outgoing]
    elif kind != "end":
        found["next"] = mapper.next_of(node)
    if kind == "wait" and timers:
        found["on_timeout"] = mapper.next_of(timers[0])
    return found


# -- as a modeler draws them -----------------------------------------------------------------


def _work(mapper: Mapper, node: Node, kind: str, action: Any) -> dict[str, Any]:
    made: dict[str, Any] = {"kind": kind}
    if node.name:
        made["title"] = mapper.text(node.name)
    made["actor"] = _actor(mapper, node)
    made["action"] = action
    made["duration"] = Fill(DURATION_HINT)
    return made


def _task(mapper: Mapper, node: Node) -> dict[str, Any]:
    made = _work(mapper, node, "task", mapper.named(node, "what is done, in the act's words"))
    for boundary in node.boundaries:
        _boundary_on_task(mapper, node, boundary, made)
    made["next"] = mapper.next_of(node)
    return made


def _boundary_on_task(mapper: Mapper, node: Node, boundary: Node, made: dict[str, Any]) -> None:
    timer = boundary.definition("timer")
    found = _timer(timer) if timer is not None else None
    kept = ""
    if found is not None:
        made["duration"] = found
        kept = "; its time is taken as the step's duration"
    what = " and ".join(boundary.events) or "an event"
    mapper.left_out.append(
        Problem(
            boundary.position,
            f"boundary {what} event on {node.described()} is not imported with its path: a "
            f"reglament's task has one way on (when its time passes it is overdue, and a "
            f"notification says so){kept}",
            code="not-mapped",
        )
    )


def _decision(mapper: Mapper, node: Node, gateway: Node, task: Node | None) -> dict[str, Any]:
    """A decision: a drawn gateway alone, or a task with the gateway after it (the task's name
    its action, the gateway's name, the question, its title)."""
    made = _work(
        mapper, node, "decision", mapper.named(task or node, "what is decided, in the act's words")
    )
    if task is not None:
        made.pop("title", None)
        if gateway.name:
            made = {"kind": "decision", "title": mapper.text(gateway.name), **made}
    if len(gateway.outgoing) < 2:
        made["outcomes"] = Fill(
            "the decision's outcomes: {id: {label: ..., next: STEP}} (at least two)"
        )
    else:
        made["outcomes"] = _outcomes(mapper, gateway)
    return made


def _outcomes(mapper: Mapper, gateway: Node) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for flow in gateway.outgoing:
        ext = extension(flow.element, NAMESPACE, "outcome")
        outcome = bpmn_rg.mapping(ext) if ext is not None else {}
        ident = str(outcome.pop("id", "")) or _free(
            slug(flow.name) or slug(flow.id), set(found), "outcome"
        )
        if ext is None:
            if flow.name:
                outcome["label"] = mapper.text(flow.name)
            _drawn_condition(mapper, flow, gateway, outcome)
        outcome["next"] = mapper.way(flow)
        found[ident] = outcome
    return found


def _drawn_condition(mapper: Mapper, flow: Flow, gateway: Node, outcome: dict[str, Any]) -> None:
    if flow.condition is None or not flow.condition.text.strip() or flow.id == gateway.default:
        return
    ours = mapper.condition(flow)
    if ours is not None:
        outcome["when"] = ours
        return
    shown = one_line(flow.condition.text)
    outcome["note"] = f"the drawing's condition: {shown}"


def _parallel(mapper: Mapper, node: Node) -> dict[str, Any]:
    if len(node.outgoing) > 1 and len(node.incoming) > 1:
        mapper.left_out.append(
            Problem(
                node.position,
                f"{node.described()} both joins and splits: imported as a join; draw a second "
                "parallel gateway for the split",
                code="not-mapped",
            )
        )
    if len(node.outgoing) > 1 and len(node.incoming) <= 1:
        return {
            "kind": "parallel",
            "branches": [mapper.single(flow) for flow in node.outgoing],
            "join": _join_of(mapper, node),
        }
    return {"kind": "join", "next": mapper.next_of(node, node.outgoing[:1])}


def _join_of(mapper: Mapper, split: Node) -> Any:
    """The converging parallel gateway every branch reaches first (the fewest flows away)."""
    distances: list[dict[str, int]] = []
    for flow in split.outgoing:
        far: dict[str, int] = {}
        queue = deque([(flow.target, 1)])
        while queue:
            ident, steps_away = queue.popleft()
            node = mapper.graph.nodes.get(ident)
            if node is None or ident in far or ident == split.id:
                continue
            far[ident] = steps_away
            queue.extend((f.target, steps_away + 1) for f in node.outgoing)
        distances.append(far)
    joins = [
        node.id
        for node in mapper.graph.nodes.values()
        if node.kind == "parallelGateway"
        and len(node.incoming) > 1
        and all(node.id in d for d in distances)
    ]
    if not joins:
        return Fill("the join where these branches meet: the drawing has none")
    best = min(joins, key=lambda ident: max(d[ident] for d in distances))
    return mapper.step_ids.get(best, Fill("the join where these branches meet"))


def _wait(mapper: Mapper, node: Node, event: str, flows: list[Flow]) -> dict[str, Any]:
    made: dict[str, Any] = {"kind": "wait", "actor": _actor(mapper, node)}
    made["event"] = (
        mapper.text(event) if event else Fill("what the case waits for, in the act's words")
    )
    timers = [b for b in node.boundaries if "timer" in b.events]
    for other in [b for b in node.boundaries if b not in timers[:1]]:
        mapper.left_out.append(
            Problem(
                other.position,
                f"boundary {' and '.join(other.events) or 'none'} event {other.id!r} on "
                f"{node.described()} is not imported with its path: a reglament's wait has one "
                "time limit and no other way out",
                code="not-mapped",
            )
        )
    made["next"] = mapper.next_of(node, flows)
    if timers:
        timer = timers[0].definition("timer")
        made["limit"] = (_timer(timer) if timer is not None else None) or Fill(_LIMIT_HINT)
        made["on_timeout"] = mapper.next_of(timers[0])
    return made


_LIMIT_HINT = "the act's limit of this wait: {unit: working_days, value: N} (or minutes, hours, calendar_days)"


def _event_wait(mapper: Mapper, node: Node) -> dict[str, Any]:
    """An event-based gateway: the first message awaited is the wait's event, a timer its
    limit."""
    events = [mapper.graph.nodes[f.target] for f in node.outgoing if f.target in mapper.graph.nodes]
    awaited = [e for e in events if "timer" not in e.events]
    timers = [e for e in events if "timer" in e.events]
    for extra in awaited[1:] + timers[1:]:
        mapper.left_out.append(
            Problem(
                extra.position,
                f"{extra.described()} after the event-based gateway {node.id!r} is not imported: "
                "a reglament's wait awaits one event and one time limit",
                code="not-mapped",
            )
        )
    first = awaited[0] if awaited else None
    made: dict[str, Any] = {"kind": "wait", "actor": _actor(mapper, first or node)}
    made["event"] = (
        mapper.named(first, "what the case waits for") if first else Fill("what the case waits for")
    )
    made["next"] = (
        mapper.next_of(first) if first else Fill("where the case goes when the event happens")
    )
    if timers:
        timer = timers[0].definition("timer")
        made["limit"] = (_timer(timer) if timer is not None else None) or Fill(_LIMIT_HINT)
        made["on_timeout"] = mapper.next_of(timers[0])
    return made


def _catch(mapper: Mapper, node: Node) -> dict[str, Any]:
    """A message catch waits for its message; a lone timer waits until its time has passed."""
    if "timer" not in node.events:
        return _wait(mapper, node, node.name, node.outgoing)
    timer = node.definition("timer")
    made: dict[str, Any] = {"kind": "wait", "actor": _actor(mapper, node)}
    made["event"] = mapper.named(node, "what the case waits for until the time has passed")
    made["next"] = mapper.next_of(node)
    made["limit"] = (_timer(timer) if timer is not None else None) or Fill(_LIMIT_HINT)
    made["on_timeout"] = made["next"]
    return made


def _end(mapper: Mapper, node: Node) -> dict[str, Any]:
    made: dict[str, Any] = {"kind": "end"}
    if node.name:
        made["title"] = mapper.text(node.name)
    error = node.definition("error")
    code = None
    if error is not None and (ref := error.attrib.get("errorRef")) in mapper.graph.errors:
        code = mapper.graph.errors[ref].attrib.get("errorCode")
    made["outcome"] = code if code in END_KINDS else Fill(END_HINT)
    if "message" in node.events:
        mapper.left_out.append(
            Problem(
                node.position,
                f"the message {node.described()} sends is not imported: write it under "
                "notifications",
                code="not-mapped",
            )
        )
    return made


def _actor(mapper: Mapper, node: Node) -> Any:
    if node.lane is not None:
        return mapper.actor_ids[node.lane]
    return Fill(_ACTOR_HINT)


def _timer(timer: Any) -> dict[str, Any] | None:
    for child in timer.children:
        if child.local == "timeDuration":
            return duration(child.text, child.attrib.get("language"))
    return None


def _free(wanted: str, taken: set[str], fallback: str) -> str:
    ids = Ids()
    ids.taken = taken
    return ids.make(wanted, fallback)


__all__ = ["actors", "channels", "step", "steps"]
