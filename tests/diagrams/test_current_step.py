"""The steps where a case stands now, marked in the flow (the office page's case diagram): the
flow's nodes say so, and both writers draw them with a thick stroke, checked by Graphviz here
and by Mermaid's own parser in test_real_parsers.py's one batch."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reglament.errors import UsageError
from reglament.loader import load
from reglament.renderers import diagrams
from reglament.renderers.flow import build
from reglament.schemas import Reglament
from tests.diagrams.clients import graphviz_svg

MINIMAL = Path(__file__).resolve().parent.parent / "fixtures" / "minimal.yaml"


@pytest.fixture(scope="module")
def minimal() -> Reglament:
    return load(MINIMAL)


def test_the_flow_marks_only_the_current_steps(minimal: Reglament) -> None:
    marked = {
        node.step for node in build(minimal, current={"draft", "stamp"}).nodes if node.current
    }
    assert marked == {"draft", "stamp"}
    assert not any(node.current for node in build(minimal).nodes)


def test_an_unknown_current_step_is_named(minimal: Reglament) -> None:
    with pytest.raises(UsageError, match=r"unknown step 'drafts'.*did you mean 'draft'"):
        build(minimal, current={"drafts"})


def test_dot_draws_the_current_step_thick(minimal: Reglament) -> None:
    source = diagrams.dot(minimal, current={"check"})
    thick = [line.split()[0] for line in source.splitlines() if "penwidth=4" in line]
    assert thick == ["s_check"]
    assert "penwidth=4" not in diagrams.dot(minimal)
    svg = graphviz_svg(source)
    assert re.search(r'stroke="#d63384" stroke-width="4"', svg)


def test_mermaid_gives_the_current_step_its_class(minimal: Reglament) -> None:
    text = diagrams.mermaid_flowchart(minimal, current={"check"})
    assert "  class s_check current" in text.splitlines()
    assert "current" not in diagrams.mermaid_flowchart(minimal)
    # Mermaid's own parser reads it: tests/diagrams/test_real_parsers.py (one batch of all flows)
