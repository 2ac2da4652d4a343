"""Bad input over HTTP: each malformed request is a 4xx problem document, never a 5xx or a hang
(a hostile upload is refused within a few seconds of CPU): a body that is not JSON, a wrong
type, an unknown field, an oversized body (the 4 MiB cap, declared or streamed), a YAML alias
bomb, a template bomb, an instant without a zone; and the tokens: missing or revoked (401),
another region's case (404 for a read, 403 for a write). No secret reaches the logs."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from reglament.loader import Library
from reglament.service.app import MAX_BODY
from reglament.store import tokens
from tests.service.conftest import NOW, Token, bearer
from tests.service.world import World

ROOT = Path(__file__).resolve().parent.parent
CPU_SECONDS = 5.0  # each hostile request's budget (the loader's limits refuse far sooner)
YAML = {"Content-Type": "application/yaml"}


def _problem(answer: object, status: int, kind: str) -> dict[str, object]:
    from httpx2 import Response

    assert isinstance(answer, Response)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = answer.json()
    assert (body["status"], body["type"]) == (status, f"urn:reglament:problem:{kind}")
    return body


def test_malformed_bodies(client: TestClient, token: Token) -> None:
    head = {**bearer(token("head")), "Content-Type": "application/json"}
    start = "/v1/cases"
    _problem(client.post(start, content=b'{"reglament": ', headers=head), 400, "malformed-json")
    wrong = client.post(start, json={"reglament": 7, "submitted": "x"}, headers=head)
    assert "body.reglament: Input should be a valid string" in str(
        _problem(wrong, 422, "invalid-request")["detail"]
    )
    unknown = client.post(
        start, json={"reglament": "x", "submitted": "x", "colour": "red"}, headers=head
    )
    assert "body.colour: Extra inputs are not permitted" in str(
        _problem(unknown, 422, "invalid-request")["detail"]
    )
    naive = client.post(
        start,
        json={"reglament": "targeted-social-assistance@atyrau", "submitted": "2013-01-09T10:00"},
        headers=head,
    )
    assert _problem(naive, 422, "usage")["detail"] == (
        "submitted '2013-01-09T10:00' has no time zone: give its offset, "
        "e.g. 2013-01-09T10:00+05:00 (or Z for UTC)"
    )
    listed = client.get("/v1/cases?at=2013-01-09T10:00", headers=head)
    _problem(listed, 422, "usage")
    _problem(client.get("/v1/cases?limit=0", headers=head), 422, "invalid-request")


def test_oversized_bodies_are_refused_before_they_are_read(
    client: TestClient, token: Token
) -> None:
    head = {**bearer(token("head")), **YAML}
    big = b"a: b\n" * (MAX_BODY // 5 + 1)
    body = _problem(
        client.post("/v1/reglaments/validate", content=big, headers=head), 413, "content-too-large"
    )
    assert body["detail"] == "a request body may have at most 4,194,304 bytes"

    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap counts what streams in
        for _ in range(MAX_BODY // 65536 + 2):
            yield b"#" * 65536

    streamed = client.post("/v1/reglaments/validate", content=chunks(), headers=head)
    _problem(streamed, 413, "content-too-large")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        ("tests/bad/alias-bomb.yaml", "more than 200,000 values after expanding aliases"),
        ("template-bomb", "'*' would make 1,000,000,000 characters or items (at most 100,000)"),
    ],
)
def test_bombs_are_positioned_problems(
    client: TestClient, token: Token, upload: str, message: str
) -> None:
    if upload == "template-bomb":
        base = (ROOT / "hostile/templates/_base.yaml").read_text("utf-8")
        text = base + "templates:\n  result_ready:\n    body:\n      en: \"{{ 'a' * 10**9 }}\"\n"
    else:
        text = (ROOT.parent / upload).read_text("utf-8")
    began = time.process_time()
    answer = client.post(
        "/v1/reglaments/validate?name=bomb.yaml",
        content=text.encode(),
        headers={**bearer(token("clerk")), **YAML},
    )
    assert time.process_time() - began < CPU_SECONDS
    body = _problem(answer, 422, "definition")
    problems = body["problems"]
    assert isinstance(problems, list) and problems
    first = problems[0]
    assert first["file"] == "bomb.yaml" and first["line"] > 0 and first["column"] > 0
    assert message in first["message"]


def test_a_valid_upload_answers_validates_report(client: TestClient, token: Token) -> None:
    text = (
        ROOT.parent / "reglament/reglaments/karaganda-2015/semey-compensation.yaml"
    ).read_bytes()
    answer = client.post(
        "/v1/reglaments/validate?name=semey.yaml",
        content=text,
        headers={**bearer(token("clerk")), **YAML},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["ok"] is True and answer.json()["files"][0]["file"] == "semey.yaml"
    bad_name = client.post(
        "/v1/reglaments/validate?name=../x.yaml",
        content=text,
        headers={**bearer(token("clerk")), **YAML},
    )
    _problem(bad_name, 422, "usage")


def test_tokens_missing_revoked_other_region(
    client: TestClient, token: Token, db: Engine, library: Library
) -> None:
    theirs = World(db, library, NOW).case("karaganda")
    _problem(client.get(f"/v1/cases/{theirs}"), 401, "unauthorized")
    secret = token("head")
    _problem(client.get(f"/v1/cases/{theirs}", headers=bearer(secret)), 404, "not-found")
    _problem(
        client.post(f"/v1/cases/{theirs}/resume", json={}, headers=bearer(secret)), 403, "forbidden"
    )
    found = tokens.verify(db, secret)
    assert found is not None
    revoked = client.delete(f"/v1/tokens/{found.id}", headers=bearer(token("admin")))
    assert revoked.status_code == 200  # through this instance: refused at once (verified.py)
    _problem(client.get("/v1/cases", headers=bearer(secret)), 401, "unauthorized")


def test_no_secret_is_logged(
    client: TestClient, token: Token, caplog: pytest.LogCaptureFixture
) -> None:
    secret = token("head")
    caplog.set_level(logging.DEBUG)
    calls = [
        ("GET", f"/v1/cases?receipt={secret}", bearer(secret)),
        ("GET", "/v1/cases", bearer(secret + "-wrong")),
        ("GET", "/v1/cases", {"Authorization": secret}),
        ("POST", "/v1/tokens", bearer(secret)),
        ("GET", f"/v1/cases/{secret}", bearer(secret)),
    ]
    for method, path, headers in calls:
        assert client.request(method, path, headers=headers).status_code < 500
    served = [r for r in caplog.records if not r.name.startswith("httpx")]  # not the test's client
    logged = "\n".join(record.getMessage() for record in served)
    assert "GET /v1/cases 200" in logged and "token=head-atyrau" in logged
    assert "GET /v1/cases/rgl_(hidden) 404" in logged
    assert secret[4:] not in logged
