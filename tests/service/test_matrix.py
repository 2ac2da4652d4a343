"""The authorisation matrix: every role × every operation of the app × its own region and
another. The operations are read from the app's routes, so a new route without a sample here
(or without its ``x-reglament-action``) fails the test instead of escaping it.

Expected: a role not granted the operation's action → 403; granted, on its own region → the
operation's success status; granted, on another region's case → 404 for a read and 403 for a
write; the region-wide lists (cases, outbox, tokens) show only the token's region. Every
answer is also as the OpenAPI document says: its status is one the operation documents, its
content type one documented for that status, and its JSON body valid against that schema
(JSON Schema 2020-12, OpenAPI 3.1's). schemathesis's generated requests mostly end in 4xx;
these are the success answers of every operation, checked against the document too."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from sqlalchemy.engine import Engine

from reglament.loader import Library
from reglament.service.auth import GRANTED, WRITES, Action
from reglament.store import tokens
from tests.service.conftest import NOW, OTHER, OWN, bearer
from tests.service.world import World

ROLES = tokens.ROLES
REGIONS = (OWN, OTHER)
TSA_YAML = b"not: [valid"  # validate answers 422 for it: a problem, but past the role check


@dataclass
class Sample:
    method: str
    path: str
    json: Any = None
    params: dict[str, str] = field(default_factory=dict)
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    ok: int = 200  # the success status
    region_free: bool = False  # the same for either region (the reglaments are public acts)
    lists: str | None = None  # a list whose rows must all be of the token's region: the key


_starts = itertools.count()


def _submitted(region: str) -> str:
    """A new submission instant for each start (a case's id is made from it)."""
    first = "2013-01-09T10:00+05:00" if region == OWN else "2015-12-14T10:00+06:00"
    return (dt.datetime.fromisoformat(first) + dt.timedelta(minutes=next(_starts))).isoformat()


def _at(world: World, region: str, hours: int = 0) -> str:
    return (world.later(region) + dt.timedelta(hours=hours)).isoformat()


Make = Callable[[World, str, dict[str, int]], Sample]
SAMPLES: dict[str, Make] = {
    "listReglaments": lambda w, r, t: Sample("GET", "/v1/reglaments", region_free=True),
    "showReglament": lambda w, r, t: Sample(
        "GET",
        f"/v1/reglaments/{'semey-compensation' if r == OTHER else 'tsa-membership-certificate'}@{r}",
        region_free=True,
    ),
    "reglamentDiagram": lambda w, r, t: Sample(
        "GET", "/v1/reglaments/semey-compensation/diagram", region_free=True
    ),
    "simulateReglament": lambda w, r, t: Sample(
        "POST",
        "/v1/reglaments/semey-compensation/simulate",
        json={"submitted": "2015-12-14T17:45+06:00", "variant": "recognition"},
        region_free=True,
    ),
    "auditReglament": lambda w, r, t: Sample(
        "GET", "/v1/reglaments/targeted-social-assistance/audit", region_free=True
    ),
    "validateReglament": lambda w, r, t: Sample(
        "POST",
        "/v1/reglaments/validate",
        content=TSA_YAML,
        headers={"Content-Type": "application/yaml"},
        ok=422,
        region_free=True,
    ),
    "startCase": lambda w, r, t: Sample(
        "POST",
        "/v1/cases",
        json={
            "reglament": "targeted-social-assistance@atyrau"
            if r == OWN
            else "semey-compensation@karaganda",
            "submitted": _submitted(r),
            "variant": None if r == OWN else "recognition",
        },
        ok=201,
    ),
    "listCases": lambda w, r, t: Sample(
        "GET", "/v1/cases", params={} if r == OWN else {"region": r}, lists="region"
    ),
    "getCase": lambda w, r, t: Sample("GET", f"/v1/cases/{w.case(r)}"),
    "caseHistory": lambda w, r, t: Sample("GET", f"/v1/cases/{w.case(r)}/history"),
    "auditCase": lambda w, r, t: Sample("GET", f"/v1/cases/{w.case(r)}/audit"),
    "completeStep": lambda w, r, t: Sample(
        "POST",
        f"/v1/cases/{w.case(r)}/complete",
        json={"step": "ab-accept" if r == OWN else "register", "at": _at(w, r)},
    ),
    "suspendCase": lambda w, r, t: Sample(
        "POST", f"/v1/cases/{w.case(r)}/suspend", json={"reason": "asked", "at": _at(w, r)}
    ),
    "resumeCase": lambda w, r, t: Sample(
        "POST", f"/v1/cases/{w.case(r, suspended=True)}/resume", json={"at": _at(w, r, 1)}
    ),
    "setCaseData": lambda w, r, t: Sample(
        "POST",
        f"/v1/cases/{w.case('certificate' if r == OWN else r)}/data",
        json={"values": {"tsa_this_quarter": "true"}, "at": _at(w, "certificate")},
    ),
    "migrateCases": lambda w, r, t: Sample(
        "POST",
        "/v1/reglaments/targeted-social-assistance/migrate",
        json={"to": "2012-11-09", "policy": "keep", "region": r, "at": _at(w, r)},
    ),
    "listOutbox": lambda w, r, t: Sample("GET", "/v1/outbox", lists="messages"),
    "listTokens": lambda w, r, t: Sample("GET", "/v1/tokens", lists="region"),
    "createToken": lambda w, r, t: Sample(
        "POST", "/v1/tokens", json={"role": "auditor"}, ok=201, region_free=True
    ),
    "revokeToken": lambda w, r, t: Sample("DELETE", f"/v1/tokens/{t[r]}"),
}


def _operations(app: FastAPI) -> dict[str, Action]:
    """Every operation the app serves under /v1, from the document FastAPI builds from its
    routes, with the action each declares."""
    found = {}
    for path, methods in app.openapi()["paths"].items():
        for method, operation in methods.items():
            assert "x-reglament-action" in operation, f"{method} {path} names no action"
            found[operation["operationId"]] = Action(operation["x-reglament-action"])
    return found


def _expected(role: str, action: Action, region: str, sample: Sample) -> int:
    if role not in GRANTED[action]:
        return 403
    if region == OWN or sample.region_free:
        return sample.ok
    if "region" in sample.params:
        return 403  # asking for another region's list
    if sample.lists:
        return sample.ok  # the list of the token's own region
    if sample.path.startswith("/v1/tokens/"):
        return 404  # another region's token is not there for an admin
    return 403 if action in WRITES else 404


def test_every_role_operation_and_region(
    app: FastAPI, client: TestClient, db: Engine, library: Library
) -> None:
    operations = _operations(app)
    assert sorted(operations) == sorted(SAMPLES), "each operation needs a sample here"
    world = World(db, library, NOW)
    secrets = {}
    for region in REGIONS:
        for role in ROLES:
            actor = "executor" if role == "clerk" else None
            secrets[role, region] = tokens.create(db, role, region, actor, role, NOW)[1]
    results, undocumented = [], []
    documented = _documented(app.openapi())
    for operation, action in sorted(operations.items()):
        for role in ROLES:
            for region in REGIONS:
                victims = {
                    r: tokens.create(db, "auditor", r, None, "v", NOW)[0].id for r in REGIONS
                }
                sample = SAMPLES[operation](world, region, victims)
                answer = client.request(
                    sample.method,
                    sample.path,
                    json=sample.json,
                    params=sample.params,
                    content=sample.content,
                    headers={**bearer(secrets[role, OWN]), **sample.headers},
                )
                expected = _expected(role, action, region, sample)
                results.append((operation, role, region, answer.status_code, expected))
                undocumented += documented(operation, answer)
                if answer.status_code == expected == 200 and sample.lists:
                    _only_own(answer.json(), sample.lists, world)
    wrong = [r for r in results if r[3] != r[4]]
    assert wrong == [], "\n".join(
        f"{o} {role}@{reg}: {got}, expected {exp}" for o, role, reg, got, exp in wrong
    )
    assert undocumented == [], "\n".join(undocumented)
    assert len(results) == len(SAMPLES) * len(ROLES) * len(REGIONS)
    print(
        f"\nauthorisation matrix: {len(SAMPLES)} operations × {len(ROLES)} roles × 2 regions = {len(results)} requests"
    )


def _documented(document: dict[str, Any]) -> Callable[[str, Any], list[str]]:
    """What of an answer to an operation (by its id) is not as ``document`` says."""
    by_id = {o["operationId"]: o for m in document["paths"].values() for o in m.values()}

    def wrong(operation: str, answer: Any) -> list[str]:
        said = f"{operation} {answer.status_code}"
        found = by_id[operation]["responses"].get(str(answer.status_code))
        if found is None:
            return [f"{said}: the status is not documented"]
        kind = answer.headers.get("content-type", "").split(";")[0]
        content = found.get("content", {})
        if kind not in content:
            return [f"{said}: {kind!r} is not documented ({sorted(content)})"]
        schema = content[kind].get("schema")
        if schema is None or not kind.endswith("json"):
            return []
        checker = Draft202012Validator({**schema, "components": document["components"]})
        return [f"{said}: {e.json_path}: {e.message}" for e in checker.iter_errors(answer.json())]

    return wrong


def _only_own(body: Any, key: str, world: World) -> None:
    if key == "messages":
        theirs = {c["case"] for c in world.store.cases(NOW, region=OTHER, limit=1000)}
        assert theirs, "the other region has cases with messages"
        assert all(m["case"] not in theirs for m in body["messages"])
        assert body["messages"], "the own region's messages are listed"
    else:
        assert {row["region"] for row in body} == {OWN}
