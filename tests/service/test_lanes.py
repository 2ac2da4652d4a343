"""The service's two thread lanes (reglament/service/lanes.py): the quick requests run on
one thread per process, in the order they came; a long request runs in the heavy lane and
never holds them up."""

from __future__ import annotations

import threading
from typing import Any

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient

from reglament.service import lanes
from reglament.service.api import reglaments
from tests.service.conftest import Token, bearer

WAIT = 30.0  # seconds; a lane that blocks fails the test instead of hanging it


def test_the_quick_lane_is_one_thread_once_the_app_runs(client: TestClient) -> None:
    assert client.portal is not None
    tokens = client.portal.call(lambda: anyio.to_thread.current_default_thread_limiter())
    assert tokens.total_tokens == lanes.QUICK == 1


def test_a_long_audit_does_not_hold_up_the_quick_lane(
    client: TestClient, token: Token, monkeypatch: pytest.MonkeyPatch
) -> None:
    entered, release = threading.Event(), threading.Event()
    audited = reglaments._audited

    def slow(loaded: Any) -> dict[str, Any]:
        entered.set()
        assert release.wait(WAIT), "the test never released the audit"
        return audited(loaded)

    monkeypatch.setattr(reglaments, "_audited", slow)
    answers: dict[str, int] = {}

    def audit() -> None:
        got = client.get("/v1/reglaments/semey-compensation/audit", headers=auditor)
        answers["audit"] = got.status_code

    auditor = bearer(token("auditor"))
    running = threading.Thread(target=audit)
    running.start()
    try:
        assert entered.wait(WAIT), "the audit never started"
        listed = client.get("/v1/reglaments", headers=bearer(token("clerk")))  # the quick lane
        assert listed.status_code == 200
        assert "audit" not in answers  # it was answered while the audit still ran
    finally:
        release.set()
        running.join(WAIT)
    assert answers == {"audit": 200}
