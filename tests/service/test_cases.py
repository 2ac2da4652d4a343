"""The case resources on both databases: a start, reads with their ETag, writes guarded by
If-Match (412 when stale), Idempotency-Key (one write for a repeated request), the region rule
(404 for a read, 403 for a write), the clerk's actor rule, and the audit trail: every change is
in the case's events with who, what, when, the result and the request id; a refused one leaves
nothing."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from reglament.loader import Library
from tests.service.conftest import NOW, Token, bearer
from tests.service.world import World

START = {"reglament": "targeted-social-assistance@atyrau", "submitted": "2013-01-09T10:00+05:00"}
DONE = {"step": "ab-accept", "at": "2013-01-09T10:10+05:00"}


def _events(client: TestClient, secret: str, case: str) -> list[dict[str, Any]]:
    answer = client.get(f"/v1/cases/{case}/history", headers=bearer(secret))
    assert answer.status_code == 200
    events: list[dict[str, Any]] = answer.json()["events"]
    return events


def test_start_read_write_with_etags(client: TestClient, token: Token) -> None:
    clerk = token("clerk")
    started = client.post(
        "/v1/cases",
        json={**START, "receipt": "ATY-9"},
        headers={**bearer(clerk), "X-Request-Id": "start-1"},
    )
    assert started.status_code == 201, started.text
    case = started.json()["case"]
    assert (started.headers["etag"], started.headers["location"]) == ('"1"', f"/v1/cases/{case}")
    shown = client.get("/v1/cases/ATY-9?at=2013-01-09T10:05%2B05:00", headers=bearer(clerk))
    assert (shown.status_code, shown.headers["etag"]) == (200, '"1"')
    assert shown.json()["status"]["active"][0]["step"] == "ab-accept"
    stale = client.post(
        "/v1/cases/ATY-9/complete", json=DONE, headers={**bearer(clerk), "If-Match": '"2"'}
    )
    assert (stale.status_code, stale.json()["type"]) == (412, "urn:reglament:problem:stale")
    unreadable = client.post(
        "/v1/cases/ATY-9/complete", json=DONE, headers={**bearer(clerk), "If-Match": "abc"}
    )
    assert unreadable.status_code == 412
    done = client.post(
        "/v1/cases/ATY-9/complete",
        json=DONE,
        headers={**bearer(clerk), "If-Match": '"1"', "X-Request-Id": "complete-1"},
    )
    assert (done.status_code, done.headers["etag"], done.json()["revision"]) == (200, '"2"', 2)
    events = _events(client, clerk, case)
    assert [(e["kind"], e["step"], e["revision"], e["request"]) for e in events] == [
        ("accepted", None, 1, "start-1"),
        ("step_started", "ab-accept", 1, "start-1"),
        ("step_completed", "ab-accept", 2, "complete-1"),
        ("step_started", "resolution", 2, "complete-1"),
    ]
    assert {(e["user"], e["role"], e["recorded_at"]) for e in events} == {
        ("clerk-atyrau", "clerk", NOW.isoformat())
    }
    anyway = client.post(  # no If-Match: on the case as it is; the engine still checks the move
        "/v1/cases/ATY-9/complete", json=DONE, headers=bearer(clerk)
    )
    assert (anyway.status_code, anyway.json()["type"]) == (409, "urn:reglament:problem:move")
    assert len(_events(client, clerk, case)) == 4  # refusals write nothing


def test_an_idempotency_key_applies_once(client: TestClient, token: Token) -> None:
    head = bearer(token("head"))
    keyed = {**head, "Idempotency-Key": "queue-77"}
    first = client.post("/v1/cases", json=START, headers=keyed)
    again = client.post("/v1/cases", json=START, headers=keyed)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    case = first.json()["case"]
    moved = {**head, "Idempotency-Key": "queue-78"}
    one = client.post(f"/v1/cases/{case}/complete", json=DONE, headers=moved)
    two = client.post(f"/v1/cases/{case}/complete", json=DONE, headers=moved)
    assert one.json() == two.json() and one.json()["revision"] == 2
    other = client.post(f"/v1/cases/{case}/suspend", json={"reason": "x"}, headers=moved)
    assert other.status_code == 422
    assert "was used for another request" in other.json()["detail"]
    assert [e["key"] for e in _events(client, token("auditor"), case)][-2:] == ["queue-78"] * 2


def test_other_regions_case_404_for_a_read_403_for_a_write(
    client: TestClient, token: Token, db: Engine, library: Library
) -> None:
    world = World(db, library, NOW)
    theirs = world.case("karaganda")
    head = bearer(token("head"))
    missing = client.get("/v1/cases/NO-SUCH", headers=head)
    for path in (f"/v1/cases/{theirs}", f"/v1/cases/{theirs}/history", f"/v1/cases/{theirs}/audit"):
        read = client.get(path, headers=head)
        assert read.status_code == 404
        assert read.json()["detail"] == missing.json()["detail"].replace("NO-SUCH", theirs)
    write = client.post(f"/v1/cases/{theirs}/suspend", json={"reason": "x"}, headers=head)
    assert (write.status_code, write.json()["type"]) == (403, "urn:reglament:problem:forbidden")
    assert "region karaganda" in write.json()["detail"]
    mine = bearer(token("head", "karaganda"))
    assert len(_events(client, token("auditor", "karaganda"), theirs)) == 2
    assert client.get(f"/v1/cases/{theirs}", headers=mine).status_code == 200


def test_a_clerk_records_their_actors_steps_and_no_decision(
    client: TestClient, token: Token, db: Engine, library: Library
) -> None:
    world = World(db, library, NOW)
    case = world.case("tsa")
    other_actor = bearer(token("clerk", actor="akim"))
    refused = client.post(f"/v1/cases/{case}/complete", json=DONE, headers=other_actor)
    assert (refused.status_code, refused.json()["detail"]) == (
        403,
        "step ab-accept is executor's; this token records akim's steps",
    )
    clerk = bearer(token("clerk"))
    at = world.later().isoformat()
    assert (
        client.post(
            f"/v1/cases/{case}/complete", json={"step": "ab-accept", "at": at}, headers=clerk
        ).status_code
        == 200
    )
    resolution = {"step": "resolution", "at": at}
    refused = client.post(f"/v1/cases/{case}/complete", json=resolution, headers=clerk)
    assert refused.status_code == 403  # the management's step
    head = bearer(token("head"))
    assert (
        client.post(f"/v1/cases/{case}/complete", json=resolution, headers=head).status_code == 200
    )
    decide = {"step": "review", "outcome": "granted", "at": at}
    refused = client.post(f"/v1/cases/{case}/complete", json=decide, headers=clerk)
    assert (refused.status_code, refused.json()["detail"]) == (
        403,
        "step review is a decision: a head's, not a clerk's",
    )
    auditor = client.post(
        f"/v1/cases/{case}/complete", json=decide, headers=bearer(token("auditor"))
    )
    assert auditor.status_code == 403
    decided = client.post(f"/v1/cases/{case}/complete", json=decide, headers=head)
    assert decided.status_code == 200, decided.text
    assert decided.json()["events"][0]["outcome"] == "granted"


def test_suspend_resume_and_data(
    client: TestClient, token: Token, db: Engine, library: Library
) -> None:
    world = World(db, library, NOW)
    head = bearer(token("head"))
    case = world.case("certificate")
    at = world.later("certificate")
    data = client.post(
        f"/v1/cases/{case}/data",
        json={"values": {"tsa_this_quarter": "true"}, "at": at.isoformat()},
        headers=head,
    )
    assert data.status_code == 200 and data.json()["events"][0]["kind"] == "data_set"
    bad = client.post(
        f"/v1/cases/{case}/data", json={"values": {"tsa_this_quartr": "true"}}, headers=head
    )
    assert bad.status_code == 422 and "did you mean 'tsa_this_quarter'" in bad.json()["detail"]
    suspended = client.post(
        f"/v1/cases/{case}/suspend",
        json={"reason": "documents", "at": at.isoformat()},
        headers=head,
    )
    assert suspended.status_code == 200 and suspended.json()["events"][0]["kind"] == "suspended"
    resumed = client.post(
        f"/v1/cases/{case}/resume", json={"at": at.replace(hour=12).isoformat()}, headers=head
    )
    assert resumed.status_code == 200 and resumed.json()["events"][0]["kind"] == "resumed"
    assert resumed.headers["etag"] == '"4"'
