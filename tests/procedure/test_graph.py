"""One walk of a step's exits: each names the trigger that takes it and where the file writes
it; the compiled engine, its state machine and the parallel blocks are built from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from reglament.engine import Engine
from reglament.loader import BUNDLED, load, load_file
from reglament.procedure import graph
from reglament.schemas import Decision, End, Join, Parallel, Task, Wait
from tests.procedure.test_timing import MINIMAL

ROOT = Path(__file__).resolve().parents[2]
NESTED = ROOT / "tests" / "engine" / "fixtures" / "nested-parallel.yaml"
FILES = [
    *sorted(p for p in BUNDLED.rglob("*.yaml") if not p.name.startswith("_")),
    MINIMAL,
    NESTED,
]


def _at(node: object, key: graph.Key) -> object:
    for part in key:
        if isinstance(part, int):
            assert isinstance(node, list)
            node = node[part]
        elif isinstance(node, dict):
            node = node[part]
        else:
            node = getattr(node, part)
    return node


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_exit_is_written_where_it_says(path: Path) -> None:
    loaded = load_file(path)
    assert loaded.reglament is not None
    engine = Engine(loaded.reglament)
    for step_id, step in loaded.reglament.steps.items():
        ways = graph.exits(step)
        for way in ways:
            if way.next is not None:
                assert _at(step, way.key) == way.next
            for target in way.targets:
                assert _at(step, target.key) == target.to
        # the engine's triggers and its state machine's are the exits' own
        assert list(engine.compiled.exits[step_id]) == list(graph.triggers(step))
        machine = set(engine.machine.triggers(step_id))
        assert machine == {t for t in graph.triggers(step) if t != graph.SPLIT}


def test_the_triggers_of_each_kind_of_step() -> None:
    reglament = load(MINIMAL)
    kinds = {type(step): graph.triggers(step) for step in reglament.steps.values()}
    assert kinds[Task] == (graph.DONE,)
    assert kinds[Join] == (graph.DONE,)
    assert kinds[Decision] == ("complete", "lacking")
    assert kinds[Wait] == (graph.EVENT, graph.TIMEOUT)
    assert kinds[Parallel] == (graph.SPLIT,)
    assert kinds[End] == ()
    check = reglament.steps["check"]
    complete = graph.exits(check)[0]
    assert [(t.to, t.when) for t in complete.targets] == [
        ("prepare", "variant == 'standard' and documents_complete"),
        ("ask", None),
    ]
    assert graph.targets(check) == ["prepare", "ask"]
    assert graph.routes_text(reglament.steps["ask"]) == "event → check; timeout → refused"
    assert graph.routes_text(reglament.steps["prepare"]) == "branches draft, stamp; join together"


def test_parallel_blocks_nest() -> None:
    reglament = load(NESTED)
    blocks = graph.blocks(reglament)
    for join, opener in blocks.opener.items():
        step = reglament.steps[opener]
        assert isinstance(step, Parallel) and step.join == join
        assert join not in blocks.regions[opener]
        assert set(step.branches) <= blocks.regions[opener]
    inner = [p for p, around in blocks.enclosing.items() if around is not None]
    assert inner, "the fixture nests a parallel block in another"
    for p in inner:
        around = blocks.enclosing[p]
        assert around is not None and p in blocks.regions[around]
        assert blocks.regions[p] < blocks.regions[around]


def test_reach_stops_at_a_stop_step() -> None:
    following = {"a": ["b"], "b": ["c", "d"], "c": ["a"], "d": []}
    assert graph.reach(["a"], following) == {"a", "b", "c", "d"}
    assert graph.reach(["a"], following, stop={"b"}) == {"a", "b"}
