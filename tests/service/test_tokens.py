"""Tokens: only the hash of a secret is kept, a revoked or unknown one verifies to nothing, a
clerk's names its actor; ``reglament tokens create|list|revoke``; the service refuses a
missing, unknown or revoked token with 401 (one revoked elsewhere once its verification is
older than ``TOKEN_TTL``) and lets an admin manage their region's."""

from __future__ import annotations

import dataclasses
import json

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from reglament.cli import app as cli
from reglament.errors import NotFoundError, UsageError
from reglament.service.verified import TOKEN_TTL, Verified
from reglament.store import tokens
from reglament.store.tables import tokens as table
from tests.service.conftest import NOW, Token, bearer

CREATE = ["tokens", "create", "--role", "clerk", "-r", "atyrau"]


def test_only_the_hash_is_kept(db: Engine) -> None:
    made, secret = tokens.create(db, "head", "Atyrau", None, "Aigerim", NOW)
    assert secret.startswith(tokens.PREFIX) and len(secret) > 40
    assert (made.role, made.region, made.name, made.revoked) == ("head", "atyrau", "Aigerim", None)
    with db.connect() as connection:
        rows = [tuple(row) for row in connection.execute(select(table))]
    assert secret not in repr(rows)
    assert tokens.digest(secret) in repr(rows)
    found = tokens.verify(db, secret)
    assert found == tokens.Principal(made.id, "Aigerim", "head", "atyrau", None)
    assert tokens.verify(db, secret + "x") is None


def test_revoked_verifies_to_nothing_and_keeps_its_instant(db: Engine) -> None:
    made, secret = tokens.create(db, "auditor", "atyrau", None, None, NOW)
    assert made.name == "auditor@atyrau"
    first = tokens.revoke(db, made.id, NOW)
    later = NOW.replace(year=2014)
    assert tokens.revoke(db, made.id, later).revoked == first.revoked == NOW
    assert tokens.verify(db, secret) is None
    assert [t.revoked for t in tokens.listed(db)] == [NOW]
    with pytest.raises(NotFoundError, match="no token 99"):
        tokens.revoke(db, 99, NOW)
    with pytest.raises(NotFoundError):  # another region's is not there for its admin
        tokens.revoke(db, made.id, NOW, region="karaganda")


def test_refusals(db: Engine) -> None:
    with pytest.raises(UsageError, match="unknown role 'boss'; roles: clerk, head"):
        tokens.create(db, "boss", "atyrau", None, None, NOW)
    with pytest.raises(UsageError, match="give its actor"):
        tokens.create(db, "clerk", "atyrau", None, None, NOW)
    with pytest.raises(UsageError, match="unknown region 'atyray'; did you mean 'atyrau'"):
        tokens.create(db, "head", "atyray", None, None, NOW, regions={"atyrau", "zhambyl"})
    with pytest.raises(UsageError, match="the token's name"):
        tokens.create(db, "head", "atyrau", None, "x" * 201, NOW)


def test_the_commands(url: str) -> None:
    runner = CliRunner()
    made = runner.invoke(
        cli,
        [*CREATE, "--actor", "executor", "--name", "Dana", "--db", url, "--format", "json"],
    )
    assert made.exit_code == 0, made.stderr
    shown = json.loads(made.stdout)
    assert shown["secret"].startswith("rgl_") and shown["actor"] == "executor"
    listed = runner.invoke(cli, ["tokens", "list", "--db", url])
    assert listed.stdout == f"{shown['id']}\tDana\tclerk@atyrau actor executor\n"
    assert shown["secret"] not in listed.stdout
    revoked = runner.invoke(cli, ["tokens", "revoke", str(shown["id"]), "--db", url])
    assert (revoked.exit_code, revoked.stdout) == (0, f"token {shown['id']} (Dana) revoked\n")
    again = runner.invoke(cli, ["tokens", "list", "--db", url, "--format", "json"])
    assert json.loads(again.stdout)[0]["revoked"] is not None
    bad = runner.invoke(cli, ["tokens", "create", "--role", "clerk", "-r", "atyrau", "--db", url])
    assert (bad.exit_code, bad.stderr) == (
        2,
        "error: a clerk's token records the steps of one actor: give its actor\n",
    )
    missing = runner.invoke(cli, ["tokens", "revoke", "7", "--db", url])
    assert (missing.exit_code, missing.stderr) == (2, "error: no token 7\n")


def test_401_for_missing_unknown_revoked(
    app: FastAPI, client: TestClient, token: Token, db: Engine
) -> None:
    ticks = [0.0]
    app.state.service = dataclasses.replace(
        app.state.service, verified=Verified(TOKEN_TTL, lambda: ticks[0])
    )
    secret = token("admin")
    for headers, detail in [
        ({}, "this needs a bearer token: Authorization: Bearer <token>"),
        (
            {"Authorization": "Basic eDp5"},
            "this needs a bearer token: Authorization: Bearer <token>",
        ),
        (bearer(secret + "x"), "the bearer token is unknown or revoked"),
    ]:
        answer = client.get("/v1/tokens", headers=headers)
        assert answer.status_code == 401
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.headers["www-authenticate"] == "Bearer"
        assert answer.json()["detail"] == detail
    assert client.get("/v1/tokens", headers=bearer(secret)).status_code == 200
    tokens.revoke(db, tokens.verify(db, secret).id, NOW)  # type: ignore[union-attr]
    ticks[0] = TOKEN_TTL - 0.1  # revoked elsewhere (the CLI): trusted until its verification ages
    assert client.get("/v1/tokens", headers=bearer(secret)).status_code == 200
    ticks[0] = TOKEN_TTL + 0.1
    answer = client.get("/v1/tokens", headers=bearer(secret))
    assert (answer.status_code, answer.json()["detail"]) == (
        401,
        "the bearer token is unknown or revoked",
    )
    ticks[0] = 0.0  # an unknown or revoked token is never kept
    assert client.get("/v1/tokens", headers=bearer(secret)).status_code == 401


def test_an_admin_manages_their_regions_tokens(client: TestClient, token: Token) -> None:
    admin = bearer(token("admin"))
    token("head", "karaganda")
    made = client.post("/v1/tokens", headers=admin, json={"role": "clerk", "actor": "akim"})
    assert made.status_code == 201
    secret = made.json()["secret"]
    listed = client.get("/v1/tokens", headers=admin).json()
    assert [(t["role"], t["region"]) for t in listed] == [("admin", "atyrau"), ("clerk", "atyrau")]
    assert all("secret" not in t for t in listed)
    clerk = client.get("/v1/tokens", headers=bearer(secret))
    assert (clerk.status_code, clerk.json()["detail"]) == (
        403,
        "a clerk's token may not do this (tokens:manage)",
    )
    other = client.delete("/v1/tokens/2", headers=admin)  # karaganda's head
    assert other.status_code == 404
    gone = client.delete(f"/v1/tokens/{made.json()['id']}", headers=admin)
    assert gone.status_code == 200 and gone.json()["revoked"] == NOW.isoformat()
    assert client.get("/v1/tokens", headers=bearer(secret)).status_code == 401
