"""Every BPMN export given to the real clients: the OMG BPMN 2.0 XSDs, bpmnlint's recommended
rules (and bpmn-moddle's reading), SpiffWorkflow's parser, and bpmn-js in headless Chromium,
which must import each whole reglament's with no warning and draw every step inside its actor's
lane (a channel's export is a part of the same drawing). Each
bundled reglament's drawing is saved as a screenshot (``$REGLAMENT_BPMN_SHOTS`` keeps them).

Batched: one Node process lints every file, one Chromium session shows them all.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reglament.renderers.flow import build
from tests.audit.browser import browser
from tests.bpmn.clients import (
    Viewer,
    bpmnlint,
    need_chromium,
    shots_folder,
    spiff_spec,
    xsd_errors,
)
from tests.bpmn.exports import BUNDLED, NAMES, WHOLE, exports
from tests.diagrams.clients import need_graphviz

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("name", NAMES)
def test_the_omg_xsds_accept_each_export(name: str) -> None:
    need_graphviz()
    assert xsd_errors(exports()[name].xml) == []


def test_the_xsds_refuse_a_broken_file() -> None:
    """Proof that a pass means something: an element BPMN does not have is refused."""
    need_graphviz()
    broken = exports()[BUNDLED[0]].xml.replace("<bpmn:participant ", "<bpmn:pool ", 1)
    assert any("pool" in error for error in xsd_errors(broken))


@pytest.fixture(scope="module")
def linted() -> dict[str, dict[str, Any]]:
    need_graphviz()
    files = {name: exports()[name].xml for name in NAMES}
    files["broken:unnamed"] = _unnamed(exports()[BUNDLED[0]].xml)
    return bpmnlint(files)


def _unnamed(xml: str) -> str:
    """The first task without its name: bpmnlint's label-required."""
    at = xml.index("<bpmn:task ")
    head, tail = xml[:at], xml[at:]
    name = tail.index(' name="')
    closing = tail.index('"', name + len(' name="'))
    return head + tail[:name] + ' name=""' + tail[closing + 1 :]


def test_bpmnlint_reports_a_broken_file(linted: dict[str, dict[str, Any]]) -> None:
    reports = linted["broken:unnamed"]["reports"]
    assert [(r["rule"], r["category"]) for r in reports] == [("label-required", "error")]


@pytest.mark.parametrize("name", NAMES)
def test_bpmnlint_recommended_finds_nothing(name: str, linted: dict[str, dict[str, Any]]) -> None:
    result = linted[name]
    assert result["ok"], result["error"]
    assert result["warnings"] == []  # bpmn-moddle read every element and attribute
    assert result["reports"] == []  # neither an error nor a warning of the recommended rules


@pytest.mark.parametrize("name", NAMES)
def test_spiffworkflow_loads_each_process(name: str) -> None:
    need_graphviz()
    export = exports()[name]
    spec = spiff_spec(export.xml, name)
    flow = build(export.reglament, export.channel, export.language)
    assert {node.id for node in flow.nodes} <= set(spec.task_specs)


@pytest.fixture(scope="module")
def viewer() -> Iterator[Viewer]:
    executable = need_chromium()
    need_graphviz()
    with browser(executable) as chromium:
        yield Viewer(chromium)


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shots_folder(tmp_path_factory.mktemp("bpmn-shots"))


def _inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return (
        outer["x"] <= inner["x"]
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"]
        and outer["y"] <= inner["y"] + inner["height"] / 2 <= outer["y"] + outer["height"]
    )


@pytest.mark.parametrize("name", WHOLE)
def test_bpmn_js_imports_each_export_with_no_warning(
    name: str, viewer: Viewer, shots: Path
) -> None:
    export = exports()[name]
    shown = viewer.show(export.xml)
    assert shown["error"] is None and shown["warnings"] == []
    shapes = {shape["id"]: shape for shape in shown["shapes"]}
    flow = build(export.reglament, export.channel, export.language)
    assert {lane.id for lane in flow.lanes} | {node.id for node in flow.nodes} <= set(shapes)
    assert shapes["participant"]["type"] == "bpmn:Participant"
    for lane in flow.lanes:
        assert shapes[lane.id]["type"] == "bpmn:Lane"
        for node in lane.nodes:  # as bpmn-js drew them: each step in its actor's lane
            assert _inside(shapes[node], shapes[lane.id]), (node, lane.id)
    assert shown["svg"] >= len(shapes) + len(shown["connections"])  # all drawn
    if export.bundled:
        path = shots / f"{name}.png"
        viewer.screenshot(shown["box"], path)
        assert path.read_bytes().startswith(PNG_MAGIC) and path.stat().st_size > 20_000


def test_bpmn_js_refuses_a_file_that_is_not_bpmn(viewer: Viewer) -> None:
    """Proof that "no warning" means something: bpmn-js reports what it cannot read."""
    shown = viewer.show('<?xml version="1.0"?><definitions xmlns="urn:x"><process/></definitions>')
    assert shown["error"] is not None or shown["warnings"]
