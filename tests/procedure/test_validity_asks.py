"""The loader's semantic checks ask the procedure layer what a definition means; none of its rules
is written twice.

Each rule the procedure layer owns is defined in one module of it, and no other module of the
package defines a name of that rule (the copies the loader held while it sat below this layer,
``STEP_EVENTS``, ``END_EVENTS``, ``END_OF``, ``BUILTIN_TEMPLATES``, its own walks of the exits and
the durations, are gone). And the checks follow the procedure's answer: when it changes, so does
what a file is refused for.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from reglament.loader import load_file
from reglament.procedure import events, graph, timing
from reglament.schemas import EndKind, Event

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "reglament"
BAD = ROOT / "tests" / "bad"

OWNED = {  # a module-level name of a rule → the one module that defines it
    "STEP_EVENTS": "procedure/events.py",
    "END_EVENTS": "procedure/events.py",
    "BUILTIN_TEMPLATES": "procedure/events.py",
    "DEFAULT_AT_RISK_DAYS": "procedure/events.py",
    "template_name": "procedure/events.py",
    "raised_by": "procedure/events.py",
    "exits": "procedure/graph.py",
    "successors": "procedure/graph.py",
    "reach": "procedure/graph.py",
    "durations": "procedure/timing.py",
    "step_due": "procedure/timing.py",
}
GONE = ("END_OF", "_reach")  # the loader's copies: nobody defines them any more


def _defined(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(path.read_text("utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def test_each_rule_is_defined_in_its_one_module() -> None:
    found: dict[str, set[str]] = {name: set() for name in (*OWNED, *GONE)}
    for path in sorted(PACKAGE.rglob("*.py")):
        for name in _defined(path) & set(found):
            found[name].add(path.relative_to(PACKAGE).as_posix())
    assert found == {
        **{name: {owner} for name, owner in OWNED.items()},
        **{name: set() for name in GONE},
    }


def _messages(path: Path) -> list[str]:
    return [problem.message for problem in load_file(path).problems]


def test_an_end_raises_what_the_procedure_says(monkeypatch: pytest.MonkeyPatch) -> None:
    path = BAD / "notification-end-wrong-event.yaml"
    assert any("it raises result_ready" in m for m in _messages(path))
    raised = {EndKind.result: Event.refused}
    monkeypatch.setattr(events, "raised_by", raised.get)
    assert not any("never raises" in m for m in _messages(path))


def test_the_steps_an_event_names_are_the_procedures(monkeypatch: pytest.MonkeyPatch) -> None:
    path = BAD / "notification-step-wrong-event.yaml"
    assert any("has no step to filter on" in m for m in _messages(path))
    monkeypatch.setattr(events, "STEP_EVENTS", frozenset(Event))
    assert not any("has no step to filter on" in m for m in _messages(path))


def test_the_ways_out_are_the_procedures(monkeypatch: pytest.MonkeyPatch) -> None:
    path = BAD / "dangling-target.yaml"
    assert any("is not declared" in m for m in _messages(path))
    monkeypatch.setattr(graph, "exits", lambda step: ())
    assert not any("is not declared" in m and "step" in m for m in _messages(path))


def test_the_durations_are_the_procedures(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    text = (ROOT / "tests" / "fixtures" / "minimal.yaml").read_text("utf-8")
    written = "duration: {unit: working_days, value: 1}"
    assert written in text
    path = tmp_path / "schedule.yaml"
    path.write_text(text.replace(written, "duration: {unit: by_schedule, schedule: nowhere}"))
    assert any("external schedule 'nowhere'" in m for m in _messages(path))
    monkeypatch.setattr(timing, "durations", lambda step: ())
    assert not any("external schedule" in m for m in _messages(path))
