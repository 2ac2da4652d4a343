"""The API's bodies are the command line's ``--format json``: the same case, list, history,
outbox, reglament list and show, and simulated timeline, asked both ways, are equal."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from reglament.cli import app as cli
from reglament.loader import Library
from tests.service.conftest import NOW, Token, bearer
from tests.service.world import World

AT = "2013-01-10T12:00+05:00"


def _cli(*args: str) -> Any:
    result = CliRunner().invoke(cli, [*args, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_cases_as_the_cli_prints_them(
    client: TestClient, token: Token, url: str, db: Engine, library: Library
) -> None:
    receipt = World(db, library, NOW).case("tsa")
    head = bearer(token("head"))
    shown = client.get(f"/v1/cases/{receipt}", params={"at": AT}, headers=head).json()
    assert shown == _cli("cases", "show", receipt, "--at", AT, "--db", url)
    listed = client.get("/v1/cases", params={"at": AT, "overdue": "true"}, headers=head).json()
    assert listed == _cli("cases", "list", "--overdue", "--at", AT, "-r", "atyrau", "--db", url)
    audit = client.get(f"/v1/cases/{receipt}/audit", headers=head).json()
    assert audit == _cli("cases", "audit", receipt, "--db", url)
    outbox = client.get("/v1/outbox", headers=head).json()
    assert outbox == _cli("outbox", "list", "--db", url)


def test_reglaments_as_the_cli_prints_them(client: TestClient, token: Token) -> None:
    clerk = bearer(token("clerk"))
    assert client.get("/v1/reglaments", headers=clerk).json() == _cli("list")
    shown = client.get("/v1/reglaments/semey-compensation", headers=clerk).json()
    assert shown == _cli("show", "semey-compensation")
    simulated = client.post(
        "/v1/reglaments/semey-compensation/simulate",
        json={"variant": "recognition", "submitted": "2015-12-14T17:45+06:00"},
        headers=clerk,
    ).json()
    expected = _cli(
        "simulate", "semey-compensation", "-v", "recognition", "-s", "2015-12-14 17:45+06:00"
    )
    assert simulated == expected
    defaulted = client.post(
        "/v1/reglaments/semey-compensation/simulate", json={}, headers=clerk
    ).json()
    assert defaulted == _cli("simulate", "semey-compensation")
    assert "by default" in defaulted["version_note"]
