"""schemathesis against a live ``reglament serve`` over HTTP on the loopback, on each database
(SQLite, and PostgreSQL: tests/store/conftest.py's ``db``; under CI=true a missing PostgreSQL
fails): every operation of the OpenAPI document, a bounded number of generated requests each
(``EXAMPLES`` per generation mode; CI's budget), each sent with a token of a role granted the
operation, in the region of the cases already stored. No answer may be a 5xx, and every answer
must match the document: its status, content type, headers and body schema."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.engine import Engine

from reglament.loader import Library
from reglament.service.app import openapi
from reglament.store import Request, Store, Who, tokens
from tests.service.conftest import NOW
from tests.service.live import Served

EXAMPLES = 12  # generated requests per operation and run
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
schema = schemathesis.openapi.from_dict(openapi())


@pytest.fixture
def secrets(db: Engine, library: Library) -> dict[str, str]:
    """The seeded cases, and a token of each role in their region: role -> secret."""
    _cases(db, library)
    return {
        role: tokens.create(db, role, "atyrau", "executor" if role == "clerk" else None, role, NOW)[
            1
        ]
        for role in tokens.ROLES
    }


def _cases(db: Engine, library: Library) -> None:
    """A few stored cases, so that some generated requests find one."""
    store = Store(db, library, lambda: NOW)
    chosen = library.choose("targeted-social-assistance@atyrau", on=dt.date(2013, 1, 9))
    at = dt.datetime(2013, 1, 9, 10, tzinfo=dt.timezone(dt.timedelta(hours=5)))
    for number in range(3):
        when = at + dt.timedelta(minutes=number)
        store.start(chosen.reglament, when, "office", request=Request(Who("seed", "clerk")))


def _role(operation: Any) -> str:
    roles = operation.definition.raw.get("x-reglament-roles", ["head"])
    return "head" if "head" in roles else roles[0]


def test_every_operation_answers_as_documented(
    served: Served, secrets: dict[str, str], db: Engine
) -> None:
    """Each operation of the document, ``EXAMPLES`` generated requests per mode (hypothesis
    through ``operation.as_strategy()``, one operation after another in this one test, so that
    it runs the same under pytest-xdist, whose workers cannot tell ``schema.parametrize()``'s
    items apart), sent to ``served`` over HTTP; then every operation was called, and the figures
    are printed (``pytest -s``)."""
    statuses: dict[str, dict[int, int]] = {}
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    for operation in operations:
        headers = {"Authorization": f"Bearer {secrets[_role(operation)]}"}
        for mode in GenerationMode:  # valid requests, then requests the document forbids
            _try(operation, mode, served.base, headers, statuses.setdefault(operation.label, {}))
    assert set(statuses) == {operation.label for operation in operations}
    assert all(statuses.values()), "every operation was called"
    calls = sum(sum(seen.values()) for seen in statuses.values())
    assert calls >= len(operations) * len(GenerationMode)
    print(
        f"\nschemathesis on {db.dialect.name}, live: {len(operations)} operations,"
        f" {calls} requests, 0 failures"
    )
    for label, seen in sorted(statuses.items()):
        print(f"  {label}: {dict(sorted(seen.items()))}")


def _try(
    operation: Any,
    mode: GenerationMode,
    base: str,
    headers: dict[str, str],
    seen: dict[int, int],
) -> None:
    """``EXAMPLES`` requests of ``operation`` generated in ``mode``, sent to the server at
    ``base``, each answer checked, its status counted in ``seen``."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case: schemathesis.Case[Any]) -> None:
        response = case.call_and_validate(base_url=base, headers=headers, checks=CHECKS)
        seen[response.status_code] = seen.get(response.status_code, 0) + 1

    run()
