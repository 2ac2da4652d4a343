"""POST /v1/reglaments/{ref}/migrate: the store's ``cases migrate`` over HTTP (a head's, in
the token's region), answering the JSON ``reglament cases migrate --format json`` prints, with
who and the request id in each moved case's ``migrated`` event, on both databases."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from reglament.service import create_app
from reglament.store import Store, tokens
from reglament.store.tables import cases, events
from tests.service.conftest import NOW, bearer
from tests.store.test_migrate import MOVE_AT, SEMEY, TO, _cases, semey, two_versions

__all__ = ["semey", "two_versions"]

BODY = {"to": TO, "policy": "from:2016-05-30", "at": MOVE_AT.isoformat()}


def test_a_head_moves_the_regions_cases_and_the_events_say_who(
    semey: Store, db: Engine, url: str
) -> None:
    ids = _cases(semey)
    head = tokens.create(db, "head", "karaganda", None, "head-karaganda", NOW)[1]
    clerk = tokens.create(db, "clerk", "karaganda", "executor", "clerk", NOW)[1]
    other = tokens.create(db, "head", "atyrau", None, "head-atyrau", NOW)[1]
    path = f"/v1/reglaments/{SEMEY}/migrate"
    with TestClient(create_app(url, semey.library, lambda: NOW)) as client:
        assert client.post(path, json=BODY, headers=bearer(clerk)).status_code == 403
        refused = client.post(path, json={**BODY, "region": "karaganda"}, headers=bearer(other))
        assert refused.status_code == 403  # another region's cases: a write, refused
        dry = client.post(path, json={**BODY, "dry_run": True}, headers=bearer(head))
        assert dry.status_code == 200, dry.text
        assert dry.json()["dry_run"] is True
        assert dry.json()["counts"]["moved"] == 0
        headers = {**bearer(head), "Idempotency-Key": "amend-2016", "X-Request-Id": "req-42"}
        moved = client.post(path, json=BODY, headers=headers)
        assert moved.status_code == 200, moved.text
        again = client.post(path, json=BODY, headers=headers)
    answer = moved.json()
    outcomes = {c["case"]: c["outcome"] for c in answer["cases"]}
    assert outcomes == {ids["review"]: "moved", ids["process"]: "moved", ids["blocked"]: "blocked"}
    assert answer["counts"]["moved"] == 2
    assert {c["case"]: c["outcome"] for c in again.json()["cases"]} == outcomes
    with db.connect() as connection:
        logged = connection.execute(
            select(events).where(events.c.kind == "migrated").order_by(events.c.case_id)
        ).all()
    assert [(e.case_id, e.user_id, e.role, e.request_id) for e in logged] == [
        (ids["process"], "head-karaganda", "head", "req-42"),
        (ids["review"], "head-karaganda", "head", "req-42"),
    ]
    assert json.loads(logged[0].payload)["to"] == TO
    with db.connect() as connection:
        snapshot = connection.execute(
            select(cases.c.snapshot).where(cases.c.id == ids["review"])
        ).scalar_one()
    assert semey.replay(ids["review"]).to_dict() == json.loads(snapshot)
