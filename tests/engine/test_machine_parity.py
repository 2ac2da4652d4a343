"""The engine moves cases with ``Compiled.route``, not by firing its ``transitions`` machine (a
trigger of the machine costs more than the rest of a completion): both are built from the same
compiled exits, and here they must allow, refuse and send every move alike, on every bundled
reglament, for every step, every trigger name the reglament knows (and one it does not), and a
spread of case data."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from pathlib import Path

import pytest
from transitions import MachineError

from reglament.engine import Engine
from reglament.errors import CaseError
from reglament.loader import load_file
from reglament.procedure import graph
from reglament.schemas import Reglament
from reglament.schemas.reglament import DataType
from tests.procedure.test_graph import FILES

ROOT = Path(__file__).resolve().parents[2]
ALL = [
    *FILES,
    ROOT / "tests" / "engine" / "fixtures" / "synthetic.yaml",
    ROOT / "bench" / "ten_steps.yaml",
]
SCOPES = 24  # drawn scopes per reglament, besides the empty one


def _values(reglament: Reglament, key: str) -> list[object]:
    spec = reglament.data[key]
    if spec.values is not None:
        return [*spec.values, None]
    if spec.type is DataType.bool:
        return [True, False, None]
    if spec.type is DataType.int:
        return [0, 1, 3, 18, 65, 1_000_000, None]
    if spec.type is DataType.date:
        return ["2015-01-01", "2020-06-15", "2030-12-31", None]
    return ["", "x", "yes", None]


def _scopes(reglament: Reglament) -> list[dict[str, object]]:
    rng = random.Random(reglament.id)
    variants: list[str | None] = [*reglament.variants, None]
    scopes: list[dict[str, object]] = [{"variant": None, "channel": None}]
    for _ in range(SCOPES):
        scope: dict[str, object] = {
            key: rng.choice(_values(reglament, key)) for key in reglament.data
        }
        scope = {k: v for k, v in scope.items() if v is not None}
        scope["variant"] = rng.choice(variants)
        scope["channel"] = rng.choice([*reglament.channels, None])
        scopes.append(scope)
    return scopes


def _machine(engine: Engine, step: str, trigger: str, scope: dict[str, object]) -> str | None:
    """Where the ``transitions`` machine goes (``None``: it refuses the trigger)."""
    try:
        return engine.machine.fire(step, trigger, scope)
    except (MachineError, AttributeError):  # a trigger not from this step, or not at all
        return None


def _route(engine: Engine, step: str, trigger: str, scope: dict[str, object]) -> str | None:
    try:
        return engine.compiled.route(step, trigger, scope)
    except CaseError:
        return None


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_route_and_the_machine_make_the_same_moves(path: Path) -> None:
    loaded = load_file(path)
    assert loaded.reglament is not None
    reglament = loaded.reglament
    engine = Engine(reglament)
    triggers = sorted({t for s in reglament.steps.values() for t in graph.triggers(s)})
    checked = refused = 0
    for step, trigger, scope in itertools.product(
        reglament.steps, [*triggers, "no-such-move"], _scopes(reglament)
    ):
        expected = _machine(engine, step, trigger, scope)
        assert _route(engine, step, trigger, scope) == expected, (step, trigger, scope)
        checked += 1
        refused += expected is None
    assert checked and refused  # both kinds of answer were compared


def test_a_refused_move_names_the_moves_allowed() -> None:
    engine = Engine(load_file(ROOT / "bench" / "ten_steps.yaml").reglament)  # type: ignore[arg-type]
    with pytest.raises(CaseError, match=r"'grant' is not a move out of 'review'; allowed: done"):
        engine.compiled.route("review", "grant", {})
    assert engine.compiled.route("decide", "refuse", {}) == "refuse"


def test_live_moves_do_not_build_the_machine() -> None:
    engine = Engine(load_file(ROOT / "bench" / "ten_steps.yaml").reglament)  # type: ignore[arg-type]
    at = dt.datetime(2016, 3, 3, 10, tzinfo=engine.compiled.zone)
    case = engine.start(at, "office")
    engine.complete(case, "register", at + dt.timedelta(minutes=10))
    assert "machine" not in vars(engine)
