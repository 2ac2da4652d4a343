"""``reglament serve`` is real: uvicorn started as a subprocess on a free port answers HTTP,
and its log says nothing of a token's secret."""

from __future__ import annotations

import httpx2
from sqlalchemy.engine import Engine

from tests.service.conftest import Token, bearer
from tests.service.live import Served


def test_serve_answers_http_and_logs_no_secret(served: Served, token: Token, db: Engine) -> None:
    secret = token("admin")
    spec = httpx2.get(f"{served.base}/openapi.json", timeout=10).json()
    assert spec["openapi"].startswith("3.1")
    listed = httpx2.get(
        f"{served.base}/v1/tokens?secret={secret}",
        headers={**bearer(secret), "X-Request-Id": "req-42"},
        timeout=10,
    )
    assert listed.status_code == 200 and listed.headers["x-request-id"] == "req-42"
    refused = httpx2.get(f"{served.base}/v1/tokens", headers=bearer(secret + "y"), timeout=10)
    assert refused.status_code == 401
    log = served.log()
    assert "GET /v1/tokens 200 request=req-42 token=admin-atyrau" in log
    assert "GET /v1/tokens 401" in log
    assert secret not in log and secret[4:20] not in log
