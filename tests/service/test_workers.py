"""``reglament serve --workers N`` (docs/service.md, "Several workers"): N processes on one
port, each with its own app, sharing the session key, so that a sign-in made through one is
honoured by the others; SIGINT ends them all."""

from __future__ import annotations

import os
import re

import httpx2
import pytest

from tests.service.conftest import Token, bearer
from tests.service.live import serve
from tests.service.ui.conftest import CSRF

REQUEST = re.compile(r"\[(\d+)\] INFO reglament\.service[.\w]*: GET /ui/inbox 200 ")
WORKERS = 2
TRIES = 40  # inbox reads, each on a new connection: the kernel spreads them over the workers


def test_workers_share_the_port_and_the_session(
    url: str, token: Token, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REGLAMENT_SESSION_KEY", raising=False)
    served = serve(url, "--workers", str(WORKERS))
    try:
        secret = token("clerk")
        assert httpx2.get(f"{served.base}/v1/reglaments", headers=bearer(secret)).status_code == 200
        form = httpx2.get(f"{served.base}/ui/sign-in")
        found = CSRF.search(form.text)
        assert found
        done = httpx2.post(
            f"{served.base}/ui/sign-in",
            data={"token": secret, "csrf": found.group(1)},
            cookies=form.cookies,
            follow_redirects=False,
        )
        assert done.status_code == 303 and done.headers["location"] == "/ui/inbox", done.text
        for _ in range(TRIES):  # a new connection each: any worker may answer
            page = httpx2.get(f"{served.base}/ui/inbox", cookies=done.cookies)
            assert page.status_code == 200 and "<section" in page.text, page.text[:300]
    finally:
        log = served.log()
    answered = set(REQUEST.findall(log))
    assert len(answered) == WORKERS, log  # each worker answered some: the session held in all
    assert str(served.process.pid) not in answered  # the supervisor only supervises
    assert served.process.returncode == 0, log
    for pid in answered:  # every worker ended with the supervisor
        with pytest.raises(ProcessLookupError):
            os.kill(int(pid), 0)
