"""/v1/reglaments/{ref}/diagram in each format the command line's ``diagram -f`` draws but PNG:
the same bytes as the renderer's, SVG and BPMN readable as XML of their kind, and a clear 503
problem when the server has no Graphviz. The conditional reads of a reglament and its diagram:
a strong ETag per version and query, 304 with no body on a matching If-None-Match, each body
drawn once per process and kept in a bounded cache."""

from __future__ import annotations

import json
import shutil
from typing import Any

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from reglament.loader import Library
from reglament.renderers import diagrams
from reglament.schemas import Language
from reglament.service import create_app, rendered
from tests.service.conftest import NOW, Token, bearer

DIAGRAM = "/v1/reglaments/semey-compensation/diagram"
SHOW = "/v1/reglaments/semey-compensation"
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


# -- conditional reads -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", [SHOW, DIAGRAM])
def test_a_matching_if_none_match_is_304_with_no_body(
    client: TestClient, token: Token, path: str
) -> None:
    clerk = bearer(token("clerk"))
    first = client.get(path, headers=clerk)
    tag = first.headers["etag"]
    assert first.status_code == 200 and first.content
    assert tag.startswith('"') and tag.endswith('"') and not tag.startswith("W/")
    for given in (tag, f"W/{tag}", f'"other", {tag}', "*"):
        again = client.get(path, headers={**clerk, "If-None-Match": given})
        assert again.status_code == 304, given
        assert again.content == b""
        assert again.headers["etag"] == tag
        assert "content-type" not in again.headers
    for given in ('"other"', tag.strip('"'), "not a tag", f"{tag}x"):
        sent = client.get(path, headers={**clerk, "If-None-Match": given})
        assert sent.status_code == 200, given
        assert sent.content == first.content and sent.headers["etag"] == tag


def test_the_show_body_is_the_cli_json_compact(
    client: TestClient, token: Token, library: Library
) -> None:
    from reglament.reports import describe

    shown = client.get(SHOW, headers=bearer(token("auditor")))
    assert shown.headers["content-type"] == "application/json"
    loaded = library.choose("semey-compensation").loaded
    assert shown.json() == json.loads(describe.reglament_json(loaded))
    assert b"\n" not in shown.content  # as FastAPI writes JSON: compact, non-ASCII as is


def test_a_new_query_is_a_new_etag(client: TestClient, token: Token) -> None:
    clerk = bearer(token("clerk"))
    tags: dict[tuple[str, ...], str] = {}
    for query in (
        {"lang": "en"},
        {"lang": "ru"},
        {"lang": "kk"},
        {"lang": "ru", "channel": "con"},
        {"lang": "ru", "format": "dot"},
    ):
        got = client.get(DIAGRAM, params=query, headers=clerk)
        assert got.status_code == 200
        tags[tuple(sorted(query.values()))] = got.headers["etag"]
    assert len(set(tags.values())) == len(tags), tags
    english, russian = tags[("en",)], tags[("ru",)]
    stale = client.get(DIAGRAM, params={"lang": "ru"}, headers={**clerk, "If-None-Match": english})
    assert stale.status_code == 200 and stale.headers["etag"] == russian
    assert stale.text != client.get(DIAGRAM, params={"lang": "en"}, headers=clerk).text


def test_a_version_named_two_ways_has_one_etag(client: TestClient, token: Token) -> None:
    """The region and day choose a version; the body, so the tag, is the version's."""
    clerk = bearer(token("clerk"))
    tags = {
        client.get(path, headers=clerk).headers["etag"]
        for path in (SHOW, f"{SHOW}@karaganda", SHOW + "?region=karaganda")
    }
    assert len(tags) == 1


def test_each_body_is_drawn_once_and_its_etag_outlives_the_process(
    client: TestClient, token: Token, url: str, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[str] = []
    draw = diagrams.draw

    def counted(*args: Any) -> bytes:
        drawn.append(args[1])
        return draw(*args)

    monkeypatch.setattr(diagrams, "draw", counted)
    clerk = bearer(token("clerk"))
    tags = {client.get(DIAGRAM, params={"format": "dot"}, headers=clerk).headers["etag"]}
    for _ in range(3):
        tags.add(client.get(DIAGRAM, params={"format": "dot"}, headers=clerk).headers["etag"])
    assert drawn == ["dot"] and len(tags) == 1
    with TestClient(create_app(url, library, lambda: NOW)) as other:  # another instance
        again = other.get(DIAGRAM, params={"format": "dot"}, headers=clerk)
    assert again.headers["etag"] in tags and drawn == ["dot", "dot"]


def test_an_error_is_not_kept(client: TestClient, token: Token) -> None:
    clerk = bearer(token("clerk"))
    for _ in range(2):
        got = client.get(DIAGRAM, params={"channel": "nope"}, headers=clerk)
        assert got.status_code == 422 and "etag" not in got.headers
    assert len(client.app.state.service.rendered) == 0  # type: ignore[attr-defined]


def test_the_cache_is_bounded_in_entries_and_bytes() -> None:
    kept = rendered.Rendered(max_kept=3, max_bytes=10)
    for name in "abc":
        kept.keep((name,), b"x", "text/plain")
    assert kept.get(("a",)) is not None  # now the most recently used
    kept.keep(("d",), b"x", "text/plain")
    assert kept.get(("b",)) is None and len(kept) == 3  # the least recently used went
    kept.keep(("e",), b"123456789", "text/plain")
    assert kept.get(("c",)) is None and kept.get(("a",)) is None  # 9 + 3 bytes > 10
    assert len(kept) == 2 and kept.get(("d",)) is not None  # 9 + 1 = 10: both fit
    large = kept.keep(("f",), b"x" * 11, "text/plain")
    assert large.etag and kept.get(("f",)) is None and kept.get(("e",)) is not None


def test_the_etag_digests_identity_query_and_body() -> None:
    one = rendered.etag(("diagram", "a@r@2015-01-01", "/x.yaml", "dot", "en"), b"digraph {}")
    assert one == rendered.etag(
        ("diagram", "a@r@2015-01-01", "/x.yaml", "dot", "en"), b"digraph {}"
    )
    assert len(one) == 34 and one.strip('"').isalnum()
    assert one != rendered.etag(
        ("diagram", "a@r@2015-01-01", "/x.yaml", "dot", "ru"), b"digraph {}"
    )
    assert one != rendered.etag(
        ("diagram", "a@r@2016-01-01", "/x.yaml", "dot", "en"), b"digraph {}"
    )
    assert one != rendered.etag(("diagram", "a@r@2015-01-01", "/x.yaml", "dot", "en"), b"digraph{}")
