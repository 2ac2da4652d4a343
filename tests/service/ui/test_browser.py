"""The office page in a real browser (issue 15, item 4): headless Chromium, Debian's package,
driven over its DevTools pipe by the suite's own client (tests/audit/browser.py), against the
app served by uvicorn on loopback. A clerk signs in with a token, opens the inbox, opens the
overdue case, completes its step, and sees it leave the overdue list.

Each page is saved as a screenshot: under ``REGLAMENT_SCREENSHOTS`` when set (e.g.
``.artifacts/ui/``, git-ignored), else in the test's temporary folder. Under CI=true a missing
Chromium fails the test (tests/audit/test_html.py's rule)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from reglament.loader import Library
from reglament.service import create_app
from tests.audit.browser import Browser, browser, need_chromium
from tests.service.conftest import NOW, Token
from tests.service.ui.conftest import Cases


@pytest.fixture(scope="module")
def chromium() -> str:
    return need_chromium()


@pytest.fixture
def served(url: str, library: Library, cases: Cases) -> Iterator[str]:
    """The app on a free loopback port, its clock at NOW, until the test ends."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(url, library, lambda: NOW)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _overdue(b: Browser) -> list[str]:
    return b.texts("section.overdue tbody tr td:first-child a")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_clerk_completes_an_overdue_step_in_chromium(
    chromium: str, served: str, token: Token, cases: Cases, tmp_path: Path
) -> None:
    shots = Path(os.environ.get("REGLAMENT_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    secret = token("clerk")
    with browser(chromium) as b:
        form = b.open(f"{served}/ui/inbox?lang=ru")  # no session yet: led to the sign-in
        assert form.status == 200 and form.url.endswith("/ui/sign-in"), form
        b.screenshot(shots / "1-sign-in.png")
        inbox = b.submit("#sign-in button", {"#token": secret})
        assert inbox.status == 200 and inbox.url.endswith("/ui/inbox"), inbox
        assert inbox.console_errors == []
        assert _overdue(b) == ["ATY-LATE"]
        assert b.texts("section.at_risk tbody tr td:first-child a") == ["ATY-RISK"]
        assert "Просрочка" in b.texts("section.overdue thead th")
        b.screenshot(shots / "2-inbox.png")
        case = b.submit("section.overdue tbody tr a")
        assert case.status == 200 and case.url.endswith("/ui/cases/late"), case
        assert b.texts("form.move button") == ["Отметить исполнение: ab-accept"]
        assert b.evaluate("document.querySelectorAll('figure.diagram svg').length") == 1
        b.screenshot(shots / "3-case.png")
        done = b.submit("form.move button")
        assert done.status == 200 and "written=ab-accept" in done.url, done
        assert b.texts(".notice.ok") == ["Записано: ab-accept"]
        assert b.texts("form.move button") == []  # resolution is the management's step
        b.screenshot(shots / "4-completed.png")
        after = b.open(f"{served}/ui/inbox")
        assert after.status == 200 and after.console_errors == []
        assert _overdue(b) == []
        assert "ATY-LATE" in b.texts("section.rest tbody tr td:first-child a")
        b.screenshot(shots / "5-inbox-after.png")
    for name in ("1-sign-in", "2-inbox", "3-case", "4-completed", "5-inbox-after"):
        assert (shots / f"{name}.png").stat().st_size > 5_000, name
