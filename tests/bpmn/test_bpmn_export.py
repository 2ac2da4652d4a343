"""`reglament diagram ID --format bpmn`: what each part of a reglament becomes (docs/bpmn.md),
read back from the XML of every export and compared with the reglament itself: a lane per
actor, a task per task, an exclusive gateway per decision with a flow per outcome, a receive
task with a boundary timer per wait with a limit, parallel gateways, end events by kind,
conditions as written, the ``rg`` extensions that decode to the step's own mapping, and a
drawing where every node lies in its lane's band."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from reglament.cli import app
from reglament.procedure.graph import TIMEOUT, exits
from reglament.renderers import bpmn_ext
from reglament.renderers.flow import build, lane_id, live, node_id, settled
from reglament.schemas import Decision, End, EndKind, Join, Parallel, Task, Wait
from tests.bpmn.clients import parse
from tests.bpmn.exports import NAMES, Export, exports
from tests.diagrams.clients import need_graphviz

B = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
DI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
DC = "{http://www.omg.org/spec/DD/20100524/DC}"
W = "{http://www.omg.org/spec/DD/20100524/DI}"
RG = f"{{{bpmn_ext.NAMESPACE}}}"
LISTS = {"translated", "branches", "variants", "channels"}
TEXTS = {"kk", "ru", "en", "note", "text", "why"}
TAGS = {
    Task: "task",
    Decision: "exclusiveGateway",
    Wait: "receiveTask",
    Parallel: "parallelGateway",
    Join: "parallelGateway",
    End: "endEvent",
}


def decoded(element: Any) -> Any:
    """An ``rg`` element read back by the rule of docs/bpmn.md, as YAML would give it (numbers
    and booleans as the schema types them)."""
    children = list(element)
    if children and all(c.tag == f"{RG}item" for c in children) and not element.attrib:
        return [decoded(c) for c in children]
    found: dict[str, Any] = {}
    for key, value in element.attrib.items():
        if key in LISTS:
            found[key] = value.split(" ")
        elif value in ("true", "false"):
            found[key] = value == "true"
        elif key == "value":
            found[key] = int(value)
        else:
            found[key] = value
    for child in children:
        key = child.tag.removeprefix(RG)
        found[key] = child.text if key in TEXTS else decoded(child)
    return found


def _drawn(root: Any) -> tuple[dict[str, tuple[float, ...]], dict[str, list[tuple[float, float]]]]:
    shapes: dict[str, tuple[float, ...]] = {
        s.get("bpmnElement"): tuple(float(s.find(f"{DC}Bounds").get(k)) for k in "xy")
        + tuple(float(s.find(f"{DC}Bounds").get(k)) for k in ("width", "height"))
        for s in root.iter(f"{DI}BPMNShape")
    }
    edges: dict[str, list[tuple[float, float]]] = {
        e.get("bpmnElement"): [
            (float(p.get("x")), float(p.get("y"))) for p in e.iter(f"{W}waypoint")
        ]
        for e in root.iter(f"{DI}BPMNEdge")
    }
    return shapes, edges


@pytest.mark.parametrize("name", NAMES)
def test_each_part_of_the_reglament_becomes_its_bpmn_element(name: str) -> None:
    need_graphviz()
    export: Export = exports()[name]
    reglament, channel = export.reglament, export.channel
    flow = build(reglament, channel, export.language)
    root = parse(export.xml)
    process = root.find(f"{B}process")
    by_id = {e.get("id"): e for e in process.iter() if e.get("id")}
    (participant,) = root.iter(f"{B}participant")
    assert participant.get("processRef") == "process"
    lanes = {lane.get("id"): lane for lane in process.iter(f"{B}lane")}
    assert list(lanes) == [lane.id for lane in flow.lanes]
    for lane in flow.lanes:
        assert lanes[lane.id].get("name") == lane.lines[0]
        actor = decoded(lanes[lane.id].find(f"{B}extensionElements/{RG}actor"))
        assert actor == {"id": lane.actor, **bpmn_ext.dumped(reglament.actors[lane.actor])}
    lane_of = {
        ref.text: lane_id for lane_id, lane in lanes.items() for ref in lane.iter(f"{B}flowNodeRef")
    }
    flows = {f.get("id"): f for f in process.iter(f"{B}sequenceFlow")}
    for node in flow.nodes:
        if node.step in reglament.channels and node.id.startswith("c_"):
            start = by_id[node.id]
            assert start.tag == f"{B}startEvent"
            assert start.find(f"{B}messageEventDefinition") is not None
            spec = reglament.channels[node.step]
            rg_channel = decoded(start.find(f"{B}extensionElements/{RG}channel"))
            assert rg_channel == {"id": node.step, **bpmn_ext.dumped(spec, ("start",))}
            continue
        step = reglament.steps[node.step]
        element = by_id[node.id]
        assert element.tag == B + TAGS[type(step)], node.step
        rg_step = decoded(element.find(f"{B}extensionElements/{RG}step"))
        assert rg_step == {
            "id": node.step,
            **bpmn_ext.dumped(step, ("next", "on_timeout", "outcomes", "branches")),
        }
        if node.lane is not None:
            assert lane_of[node.id] == lane_id(node.lane), node.step
        if isinstance(step, End):
            error = element.find(f"{B}errorEventDefinition")
            assert (error is not None) == (
                step.outcome in (EndKind.refusal, EndKind.data_unavailable)
            )
        if isinstance(step, Task | Decision):
            words = element.find(f"{B}documentation").text
            assert any(
                words.startswith(t) for t in (step.action.kk, step.action.ru, step.action.en) if t
            )
        if isinstance(step, Wait) and step.limit is not None:
            (timer,) = (
                e for e in process.iter(f"{B}boundaryEvent") if e.get("attachedToRef") == node.id
            )
            duration = timer.find(f"{B}timerEventDefinition/{B}timeDuration")
            assert duration.get("language") == bpmn_ext.NAMESPACE + "#duration"
            assert duration.text == f"{step.limit.value} {step.limit.unit.value}"  # never ISO 8601
            assert [f for f in flows.values() if f.get("sourceRef") == timer.get("id")]
        if isinstance(step, Decision):
            outgoing = [f for f in flows.values() if f.get("sourceRef") == node.id]
            for way in exits(step):
                assert way.outcome is not None
                if settled(way.outcome.when, channel) is False:
                    continue
                (made,) = (
                    f
                    for f in outgoing
                    if f.find(f"{B}extensionElements/{RG}outcome").get("id") == way.trigger
                )
                rg_outcome = decoded(made.find(f"{B}extensionElements/{RG}outcome"))
                assert rg_outcome == {"id": way.trigger, **bpmn_ext.dumped(way.outcome, ("next",))}
                condition = made.find(f"{B}conditionExpression").text
                assert condition == (way.outcome.when or f"outcome == '{way.trigger}'")
                if isinstance(way.next, list) and len(live(way.next, channel)) > 1:
                    gateway = by_id[made.get("targetRef")]
                    routes = [f for f in flows.values() if f.get("sourceRef") == gateway.get("id")]
                    conditions = [r.find(f"{B}conditionExpression") for r in routes]
                    whens = [r.when for r in live(way.next, channel)]
                    assert [c.text if c is not None else None for c in conditions] == whens
        if isinstance(step, Wait) and any(w.trigger == TIMEOUT for w in exits(step)):
            assert step.limit is not None
    assert not [e for e in process.iter(f"{B}timeDuration") if (e.text or "").startswith("P")]
    head = decoded(process.find(f"{B}extensionElements/{RG}reglament"))
    assert head["id"] == reglament.id and head["region"] == reglament.region
    assert head["title"] == bpmn_ext.dumped(reglament.title)
    terms = [t for t in reglament.terms if channel is None or t.channel in (None, channel)]
    assert head.get("terms", []) == [bpmn_ext.dumped(term) for term in terms]
    _check_drawing(root, lanes, lane_of, flows)


def _check_drawing(
    root: Any, lanes: dict[str, Any], lane_of: dict[str, str], flows: dict[str, Any]
) -> None:
    """A shape for the pool, each lane and each node, an edge with waypoints for each flow; the
    lanes stacked as bands across the pool, each node inside its lane's band."""
    shapes, edges = _drawn(root)
    pool = shapes["participant"]
    nodes = [
        e.get("id")
        for e in root.find(f"{B}process")
        if e.tag not in (f"{B}laneSet", f"{B}sequenceFlow", f"{B}extensionElements")
    ]
    assert set(shapes) == {"participant", *lanes, *nodes}
    assert set(edges) == set(flows) and all(len(points) >= 2 for points in edges.values())
    bands = sorted((shapes[lane] for lane in lanes), key=lambda box: box[1])
    assert bands[0][1] == pool[1] and bands[-1][1] + bands[-1][3] == pool[1] + pool[3]
    for upper, lower in pairwise(bands):
        assert upper[1] + upper[3] == lower[1]
    for node, lane in lane_of.items():
        x, y, width, height = shapes[node]
        lx, ly, lwidth, lheight = shapes[lane]
        assert lx <= x and x + width <= lx + lwidth, node
        assert ly <= y + height / 2 <= ly + lheight, (
            node
        )  # a boundary timer sits on its task's edge
    for made in flows.values():
        first, last = edges[made.get("id")][0], edges[made.get("id")][-1]
        for point, end in ((first, made.get("sourceRef")), (last, made.get("targetRef"))):
            x, y, width, height = shapes[end]
            assert (
                x - 0.5 <= point[0] <= x + width + 0.5 and y - 0.5 <= point[1] <= y + height + 0.5
            )


runner = CliRunner()


def test_the_cli_writes_bpmn_for_a_channel_in_russian(tmp_path: Path) -> None:
    need_graphviz()
    target = tmp_path / "cb.bpmn"
    args = ["diagram", "child-benefit-under-18", "-r", "atyrau", "-c", "akim", "-l", "ru"]
    result = runner.invoke(app, [*args, "-f", "bpmn", "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    root = parse(target.read_text(encoding="utf-8"))
    names = [lane.get("name") for lane in root.iter(f"{B}lane")]
    assert "аким сельского округа" in names
    ids = {e.get("id") for e in root.iter() if e.get("id")}
    assert node_id("con-accept") not in ids  # the PSC's steps are not on the akim's route
    (extension,) = root.iter(f"{RG}reglament")
    assert extension.get("channel") == "akim" and extension.get("language") == "ru"
    piped = runner.invoke(app, [*args, "--format", "bpmn"])
    assert piped.exit_code == 0 and piped.stdout == target.read_text(encoding="utf-8")


def test_bpmn_needs_graphviz(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    result = runner.invoke(app, ["diagram", "semey-compensation", "-f", "bpmn"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --format bpmn needs Graphviz's 'dot' program")
    assert result.stdout == ""


def test_an_unknown_channel_is_one_line(tmp_path: Path) -> None:
    target = tmp_path / "x.bpmn"
    result = runner.invoke(
        app, ["diagram", "semey-compensation", "-f", "bpmn", "-c", "nope", "-o", str(target)]
    )
    assert result.exit_code == 2
    assert (
        result.stderr
        == "error: unknown channel 'nope' for semey-compensation; channels: office, con, ztmo\n"
    )
    assert not target.exists()


def test_the_readme_shows_the_export_as_bpmn_js_draws_it() -> None:
    readme = (Path(__file__).parent.parent.parent / "README.md").read_text("utf-8")
    picture = "docs/img/zhambyl-unemployed-registration-bpmn.png"
    assert f"]({picture})" in readme
    assert (Path(__file__).parent.parent.parent / picture).read_bytes().startswith(b"\x89PNG")


def test_hostile_texts_are_escaped_and_kept() -> None:
    need_graphviz()
    root = parse(exports()["test-region-nasty/kk"].xml)
    names = [lane.get("name") for lane in root.iter(f"{B}lane")]
    assert "Қабылдау бөлімінің «маманы» #1 [ө] {ү} (ұ) | қ & ғ <i>ң</i>" in names
