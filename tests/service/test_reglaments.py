"""/v1/reglaments/{ref}/diagram in each format the command line's ``diagram -f`` draws but PNG:
the same bytes as the renderer's, SVG and BPMN readable as XML of their kind, and a clear 503
problem when the server has no Graphviz."""

from __future__ import annotations

import shutil

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from reglament.loader import Library
from reglament.renderers import diagrams
from reglament.schemas import Language
from tests.service.conftest import Token, bearer

DIAGRAM = "/v1/reglaments/semey-compensation/diagram"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SVG = "http://www.w3.org/2000/svg"
_SAFE = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not on PATH")


@pytest.mark.parametrize(
    ("kind", "media_type"),
    [
        ("mermaid", "text/plain; charset=utf-8"),
        ("dot", "text/plain; charset=utf-8"),
        pytest.param("svg", "image/svg+xml", marks=needs_dot),
        pytest.param("bpmn", "application/xml", marks=needs_dot),
    ],
)
def test_each_format_is_the_renderers(
    client: TestClient, token: Token, library: Library, kind: str, media_type: str
) -> None:
    params = {"format": kind, "lang": "ru", "channel": "con"}
    got = client.get(DIAGRAM, params=params, headers=bearer(token("clerk")))
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == media_type
    reglament = library.choose("semey-compensation").reglament
    assert got.content == diagrams.draw(reglament, kind, "con", Language.ru)


@needs_dot
def test_svg_is_an_svg_document(client: TestClient, token: Token) -> None:
    got = client.get(DIAGRAM, params={"format": "svg"}, headers=bearer(token("auditor")))
    root = etree.fromstring(got.content, _SAFE)
    assert root.tag == f"{{{SVG}}}svg"
    assert root.findall(f".//{{{SVG}}}g")  # drawn: Graphviz puts each node in a group


@needs_dot
def test_bpmn_is_a_bpmn_document(client: TestClient, token: Token) -> None:
    got = client.get(DIAGRAM, params={"format": "bpmn"}, headers=bearer(token("head")))
    root = etree.fromstring(got.content, _SAFE)
    assert root.tag == f"{{{BPMN}}}definitions"
    tasks = root.findall(f"{{{BPMN}}}process/{{{BPMN}}}task")
    assert tasks, "the steps are drawn as tasks"


@pytest.mark.parametrize("kind", ["svg", "bpmn"])
def test_no_graphviz_is_503_with_a_problem(
    client: TestClient, token: Token, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    clerk = bearer(token("clerk"))
    monkeypatch.setattr("shutil.which", lambda name: None)
    got = client.get(DIAGRAM, params={"format": kind}, headers={**clerk, "X-Request-Id": "no-dot"})
    assert got.status_code == 503
    assert got.headers["content-type"] == "application/problem+json"
    assert got.json() == {
        "type": "urn:reglament:problem:program-missing",
        "title": "A program the service needs is not installed",
        "status": 503,
        "detail": f"format={kind} needs Graphviz's 'dot' program, which is not on PATH; install "
        "Graphviz (e.g. apt-get install graphviz) or use format=dot or mermaid",
        "instance": DIAGRAM,
        "request_id": "no-dot",
    }
    text = client.get(DIAGRAM, params={"format": "dot"}, headers=clerk)
    assert text.status_code == 200  # dot and Mermaid text need no Graphviz


def test_an_unknown_format_is_refused(client: TestClient, token: Token) -> None:
    got = client.get(DIAGRAM, params={"format": "png"}, headers=bearer(token("clerk")))
    assert got.status_code == 422
    assert got.json()["type"] == "urn:reglament:problem:invalid-request"
