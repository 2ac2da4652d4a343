"""Every diagram we generate, given to its real client: each bundled reglament's flowchart (whole
and per channel, in every language it names actors in) and the Gantt chart of its default
simulated case to Mermaid's own parser; each DOT to Graphviz. Beyond "no error", what the parser
understood is compared with what the generator meant: the same nodes with the same shapes and
labels, the same edges with the same labels, the same lanes, tasks at the same instants.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from reglament.engine import Engine
from reglament.engine.simulate import Timeline, simulate
from reglament.loader import Library, load, load_library
from reglament.renderers import diagrams
from reglament.renderers.flow import Flow, Shape, build
from reglament.schemas import Language, Reglament
from tests.diagrams.clients import graphviz_svg, mermaid_decoded, mermaid_parse

NASTY = Path(__file__).parent / "nasty.yaml"
PARALLEL = Path(__file__).parent.parent / "engine" / "data" / "synthetic-parallel.yaml"
MINIMAL = Path(__file__).parent.parent / "fixtures" / "minimal.yaml"

_MERMAID_SHAPES = {
    Shape.entry: "odd",
    Shape.task: "square",
    Shape.decision: "diamond",
    Shape.wait: "hexagon",
    Shape.parallel: "circle",
    Shape.join: "doublecircle",
    Shape.end: "stadium",
}


@cache
def _library() -> Library:
    library = load_library()
    assert library.ok
    return library


def _extra() -> list[Reglament]:
    return [load(NASTY), load(PARALLEL), load(MINIMAL)]


def _name(reglament: Reglament) -> str:
    return f"{reglament.region}-{reglament.id}"


def _flows() -> dict[str, tuple[Reglament, str | None, Language]]:
    """Every flowchart: each reglament whole and from each channel with a route (English
    names), and the hostile fixture and one bundled act in their other languages too."""
    found: dict[str, tuple[Reglament, str | None, Language]] = {}
    for reglament in [*_library().reglaments, *_extra()]:
        found[_name(reglament)] = (reglament, None, Language.en)
        for channel, spec in reglament.channels.items():
            if spec.start is not None:
                found[f"{_name(reglament)}/{channel}"] = (reglament, channel, Language.en)
    child_benefit = _library().find("child-benefit-under-18", "atyrau").reglament
    assert child_benefit is not None
    for reglament in (load(NASTY), child_benefit):
        for language in (Language.kk, Language.ru):
            found[f"{_name(reglament)}/{language}"] = (reglament, None, language)
    found["test-region-nasty/office/kk"] = (load(NASTY), "office", Language.kk)
    return found


FLOWS = _flows()


def _default_case(reglament: Reglament) -> Timeline:
    """The case `reglament simulate ID` runs: submitted at 10:00 on the first day in force."""
    engine = Engine(reglament)
    day = reglament.effective.from_
    at = dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=ZoneInfo(reglament.timezone))
    channel = next(
        c for c, spec in reglament.channels.items() if spec.start and engine.compiled.admits(c, {})
    )
    variant = next(iter(engine.compiled.served_variants(channel)))
    return simulate(engine, at, channel, variant)


GANTTS = {_name(r): r for r in [*_library().reglaments, load(PARALLEL)]}


@pytest.fixture(scope="module")
def parsed() -> dict[str, dict[str, Any]]:
    """Mermaid's reading of every flowchart and Gantt chart, in one batch."""
    texts = {
        f"flow:{name}": diagrams.mermaid_flowchart(reglament, channel, language)
        for name, (reglament, channel, language) in FLOWS.items()
    }
    for name, reglament in GANTTS.items():
        engine_calendar = Engine(reglament).compiled.calendar
        texts[f"gantt:{name}"] = diagrams.mermaid_gantt(_default_case(reglament), engine_calendar)
    texts["current:minimal"] = diagrams.mermaid_flowchart(load(MINIMAL), current={"check"})
    texts["broken:flow"] = 'flowchart TB\n  a["unclosed] --> b\n'
    texts["broken:gantt"] = (
        "gantt\n  dateFormat YYYY-MM-DD\n  section a\n  task :a1, 2020-01-01, 1d\n  )(\n"
    )
    texts["broken:type"] = "flowchartt TB\n  a --> b\n"
    return mermaid_parse(texts)


def test_the_current_step_has_its_class(parsed: dict[str, dict[str, Any]]) -> None:
    """The step where a case stands (the office page's case diagram) has the class 'current',
    and no other step has it."""
    result = parsed["current:minimal"]
    assert result["ok"], result["error"]
    classes = {v["id"]: v["classes"] for v in result["vertices"]}
    assert "current" in classes["s_check"]
    assert not any("current" in c for vid, c in classes.items() if vid != "s_check")


def test_the_parser_refuses_broken_diagrams(parsed: dict[str, dict[str, Any]]) -> None:
    """Proof that a pass means something: Mermaid's parser throws on invalid input."""
    for name in ("broken:flow", "broken:gantt", "broken:type"):
        assert parsed[name]["ok"] is False, name
    assert "Parse error" in parsed["broken:flow"]["error"]
    assert "Expecting 'NEWLINE', 'SPACE', 'GRAPH'" in parsed["broken:type"]["error"]


def _expected(flow: Flow) -> dict[str, Any]:
    return {
        "vertices": {n.id: ("<br>".join(n.lines), _MERMAID_SHAPES[n.shape]) for n in flow.nodes},
        "edges": [(e.source, e.target, "<br>".join(e.lines)) for e in flow.edges],
        "subgraphs": {
            lane.id: ("<br>".join(lane.lines), sorted(lane.nodes)) for lane in flow.lanes
        },
    }


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_mermaid_reads_each_flowchart_as_meant(
    name: str, parsed: dict[str, dict[str, Any]]
) -> None:
    result = parsed[f"flow:{name}"]
    assert result["ok"], result["error"]
    assert result["type"] == "flowchart-v2"
    reglament, channel, language = FLOWS[name]
    expected = _expected(build(reglament, channel, language))
    lanes = {s["id"] for s in result["subgraphs"]}  # `style LANE ...` lists the lane too
    vertices = {
        v["id"]: (mermaid_decoded(v["text"]), v.get("shape"))
        for v in result["vertices"]
        if v["id"] not in lanes
    }
    assert vertices == expected["vertices"]
    edges = [(e["start"], e["end"], mermaid_decoded(e["text"])) for e in result["edges"]]
    assert edges == expected["edges"]
    subgraphs = {
        s["id"]: (mermaid_decoded(s["title"]), sorted(s["nodes"])) for s in result["subgraphs"]
    }
    assert subgraphs == expected["subgraphs"]


def test_hostile_texts_come_out_as_written(parsed: dict[str, dict[str, Any]]) -> None:
    result = parsed["flow:test-region-nasty/office/kk"]
    titles = [mermaid_decoded(s["title"]) for s in result["subgraphs"]]
    assert titles[0] == "Қабылдау бөлімінің «маманы» #1 [ө] {ү} (ұ) | қ & ғ <i>ң</i>"
    english = parsed["flow:test-region-nasty"]
    title = mermaid_decoded(english["subgraphs"][0]["title"])
    assert title == (
        'Clerk "Q" #1 [desk] {A} (B) | C & D <script>alert(1)</script> `x` %% y; z: w \\ end'
    )


def _local(text: str) -> str:
    """A Gantt instant as we wrote it ('YYYY-MM-DD HH:MM', local) as Mermaid reports it (TZ=UTC)."""
    day, time = text.split(" ")
    assert dt.date.fromisoformat(day) and dt.time.fromisoformat(time)
    return f"{day}T{time}:00.000Z"


_TASK = re.compile(r"^    (?P<name>[^:]+) :(?P<fields>.+)$")


@pytest.mark.parametrize("name", sorted(GANTTS))
def test_mermaid_reads_each_gantt_at_the_simulated_instants(
    name: str, parsed: dict[str, dict[str, Any]]
) -> None:
    result = parsed[f"gantt:{name}"]
    assert result["ok"], result["error"]
    assert result["type"] == "gantt"
    reglament = GANTTS[name]
    timeline = _default_case(reglament)
    text = diagrams.mermaid_gantt(timeline, Engine(reglament).compiled.calendar)
    written = []
    for line in text.splitlines():
        match = _TASK.match(line)
        if match:
            *_, task_id, start, end = (f.strip() for f in match["fields"].split(","))
            written.append((task_id, _local(start), _local(end)))
    tasks = [(t["id"], t["start"], t["end"]) for t in result["tasks"]]
    assert sorted(tasks) == sorted(written)
    steps = [t for t in result["tasks"] if re.fullmatch(r"s\d+", t["id"])]
    assert len(steps) == len(timeline.rows)
    zone = ZoneInfo(reglament.timezone)
    for task in steps:
        row = timeline.rows[int(task["id"][1:]) - 1]
        assert task["start"] == row.start.astimezone(zone).strftime("%Y-%m-%dT%H:%M:00.000Z")
        assert task["end"] == row.end.astimezone(zone).strftime("%Y-%m-%dT%H:%M:00.000Z")
        assert task["crit"] == row.late
    assert [s for s in result["sections"] if s not in ("days off", "term and end")] == list(
        dict.fromkeys(row.actor for row in timeline.rows)
    )


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_graphviz_draws_each_dot_without_a_warning(name: str) -> None:
    reglament, channel, language = FLOWS[name]
    flow = build(reglament, channel, language)
    svg = graphviz_svg(diagrams.dot(reglament, channel, language))
    titles = set(re.findall(r"<title>([^<]*)</title>", svg))
    assert {node.id for node in flow.nodes} <= titles
    assert {f"cluster_{lane.id}" for lane in flow.lanes} <= titles
    labelled = sum(1 for edge in flow.edges if edge.lines)  # through a label node: two edges
    assert len(re.findall(r'<g id="edge\d+" class="edge">', svg)) == len(flow.edges) + labelled
    assert 'font-family="DejaVu Sans' in svg


def test_graphviz_keeps_cyrillic_and_hostile_texts() -> None:
    svg = graphviz_svg(diagrams.dot(load(NASTY), "office", Language.kk))
    texts = " ".join(re.findall(r"<text [^>]*>([^<]*)</text>", svg))  # wrapped lines, joined
    assert "Қабылдау бөлімінің «маманы» #1 [ө] {ү} (ұ) | қ &amp; ғ &lt;i&gt;ң&lt;/i&gt;" in texts
    assert "<script>" not in svg
