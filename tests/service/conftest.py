"""The service's tests: the app over a store on each database (SQLite, and PostgreSQL when
REGLAMENT_TEST_PG_URL is set; under CI=true its absence fails), a fixed clock, and tokens of
every role in two regions (Karaganda and Atyrau)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from reglament.loader import Library
from reglament.service import create_app
from reglament.store import tokens
from tests.store.conftest import db, db_url, library

__all__ = ["db", "db_url", "library"]

NOW = dt.datetime(2013, 1, 10, 9, 0, tzinfo=dt.UTC)  # the service's clock in these tests
OWN, OTHER = "atyrau", "karaganda"
ACTORS = {"clerk": "executor"}  # the clerk's actor: TSA's executor (ab-accept, review)

Token = Callable[..., str]


@pytest.fixture
def url(db: Engine) -> str:
    return db.url.render_as_string(hide_password=False)


@pytest.fixture
def app(url: str, library: Library) -> FastAPI:
    return create_app(url, library, lambda: NOW)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def token(db: Engine) -> Token:
    """``token(role, region=OWN, actor=...)``: a new token's secret."""

    def make(role: str, region: str = OWN, actor: str | None = None) -> str:
        actor = actor or ACTORS.get(role)
        return tokens.create(db, role, region, actor, f"{role}-{region}", NOW)[1]

    return make


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
