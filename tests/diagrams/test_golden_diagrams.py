"""Golden diagrams: the Mermaid and DOT of five bundled reglaments from four regions, and the
Gantt charts of two hand-checked cases (tests/engine/test_golden.py explains their dates).
Regenerate after a deliberate change with ``make golden`` and review the diff (render changed
DOT with ``dot -Tpng`` and look at it) before committing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reglament.cli import app

GOLDEN = Path(__file__).parent.parent / "golden" / "diagrams"
UPDATE = os.environ.get("REGLAMENT_UPDATE_GOLDEN") == "1"

REGLAMENTS: dict[str, list[str]] = {
    # PSC and office channels, inferred routes, a step by schedule, an untimed payment
    "karaganda-semey-compensation": ["semey-compensation", "--region", "karaganda"],
    # four channels meeting at the authorised body, a data-decided decision
    "atyrau-child-benefit-under-18": ["child-benefit-under-18", "--region", "atyrau"],
    # waits with a limit and a timeout, many variant routes, a portal channel
    "karaganda-foreign-labour-permit": ["foreign-labour-permit", "--region", "karaganda"],
    "zhambyl-unemployed-registration": ["unemployed-registration", "--region", "zhambyl"],
    "kyzylorda-semey-registration": ["semey-registration", "--region", "kyzylorda"],
}
GANTTS: dict[str, list[str]] = {
    "gantt-semey-before-new-year": [
        "semey-compensation",
        "--variant",
        "recognition",
        "--submitted",
        "2015-12-14 17:45",
    ],
    "gantt-atyrau-child-benefit-new-year": [
        "child-benefit-under-18",
        "--region",
        "atyrau",
        "--submitted",
        "2012-12-28 17:40",
    ],
}
CASES = {
    **{f"{name}.mmd": ["diagram", *args] for name, args in REGLAMENTS.items()},
    **{f"{name}.dot": ["diagram", *args, "--format", "dot"] for name, args in REGLAMENTS.items()},
    **{f"{name}.mmd": ["simulate", *args, "--format", "gantt"] for name, args in GANTTS.items()},
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_diagram(name: str) -> None:
    result = CliRunner().invoke(app, CASES[name])
    assert result.exit_code == 0, result.output
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(result.stdout, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run 'make golden' and review it"
    assert result.stdout == path.read_text(encoding="utf-8")


def test_every_golden_file_has_a_case() -> None:
    """A renamed case leaves no stale golden file behind."""
    assert sorted(p.name for p in GOLDEN.iterdir()) == sorted(CASES)


README = Path(__file__).parent.parent.parent / "README.md"
README_SVG = "docs/img/zhambyl-unemployed-registration.svg"


def test_the_readme_shows_the_current_diagram() -> None:
    """The README's Mermaid block is what the command prints, and its SVG is committed (Graphviz
    versions lay SVG out differently, so the SVG itself is not compared)."""
    text = README.read_text("utf-8")
    (block,) = re.findall(r"```mermaid\n(.*?)```", text, re.S)
    result = CliRunner().invoke(app, ["diagram", "unemployed-registration", "-r", "zhambyl"])
    assert result.exit_code == 0
    assert block == result.stdout, "run the README's command and paste its output"
    assert f"]({README_SVG})" in text
    svg = (README.parent / README_SVG).read_text("utf-8")
    assert svg.startswith("<?xml") and "<title>s_office_prepare</title>" in svg
