"""A small client of Chromium's DevTools protocol over ``--remote-debugging-pipe`` (no
WebSocket library, no browser download): open pages, collect console errors, read links, fill
in and submit forms, take screenshots. Used by the HTML report's browser test and the office
page's (tests/service/ui/test_browser.py)."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--remote-debugging-pipe",
)
CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


def find_chromium() -> str | None:
    for candidate in CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def need_chromium() -> str:
    """The Chromium to drive: without one the test is skipped, and under CI=true it fails."""
    executable = find_chromium()
    if executable is None:
        reason = "chromium is not installed (apt-get install chromium; .ci/run installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}: the browser test must run in CI")
        pytest.skip(reason)
    return executable


@dataclass
class Visit:
    """What one page load showed."""

    url: str
    status: int | None = None
    error: str | None = None  # the navigation failed (errorText)
    console_errors: list[str] = field(default_factory=list)


class Browser:
    """One headless Chromium with one page, driven over the DevTools pipe."""

    def __init__(self, executable: str, profile: Path) -> None:
        self._to_chrome_r, self._to_chrome_w = os.pipe()
        self._from_chrome_r, self._from_chrome_w = os.pipe()
        to_r, from_w = self._to_chrome_r, self._from_chrome_w

        def wire() -> None:  # in the child: the protocol reads fd 3 and writes fd 4
            os.dup2(to_r, 3)
            os.dup2(from_w, 4)

        self.process = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            preexec_fn=wire,
            pass_fds=(3, 4),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_r)
        os.close(from_w)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1280, "height": 1000, "deviceScaleFactor": 1, "mobile": False},
            session=True,
        )

    # -- the protocol ------------------------------------------------------------------------------

    def _read(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            chunk = os.read(self._from_chrome_r, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        parsed: dict[str, Any] = json.loads(message)
        return parsed

    def call(
        self, method: str, params: dict[str, Any] | None = None, *, session: bool = False
    ) -> Any:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        os.write(self._to_chrome_w, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self._events.append(reply)

    def _wait(self, method: str) -> None:
        while not any(e.get("method") == method for e in self._events):
            self._events.append(self._read())

    # -- what the test asks ------------------------------------------------------------------------

    def open(self, url: str) -> Visit:
        """Load ``url`` and wait for its load event; the page's status and console errors."""
        self._events.clear()
        visit = Visit(url)
        result = self.call("Page.navigate", {"url": url}, session=True)
        if result.get("errorText"):
            visit.error = str(result["errorText"])
            return visit
        return self._loaded(visit)

    def submit(self, selector: str, fields: dict[str, str] | None = None) -> Visit:
        """Fill in ``fields`` (CSS selector → value) and click ``selector`` (a submit button),
        as a person would; then wait for the page the form leads to (after any redirects)."""
        for field_selector, value in (fields or {}).items():
            found = self.evaluate(
                f"(() => {{ const e = document.querySelector({json.dumps(field_selector)});"
                f" if (!e) return false; e.value = {json.dumps(value)}; return true; }})()"
            )
            assert found, f"no field {field_selector} on the page"
        self._events.clear()
        clicked = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " if (!e) return false; e.click(); return true; })()"
        )
        assert clicked, f"nothing to click at {selector}"
        return self._loaded(Visit(selector))

    def _loaded(self, visit: Visit) -> Visit:
        """``visit`` once the page has loaded: its final status and its console errors."""
        self._wait("Page.loadEventFired")
        for event in self._events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Network.responseReceived" and params.get("type") == "Document":
                visit.status = int(params["response"]["status"])
                visit.url = str(params["response"]["url"])
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                visit.console_errors.append(json.dumps(params.get("args", []))[:300])
            elif method == "Runtime.exceptionThrown":
                visit.console_errors.append(json.dumps(params.get("exceptionDetails", {}))[:300])
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                entry = params["entry"]
                visit.console_errors.append(
                    f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}"
                )
        return visit

    def evaluate(self, expression: str) -> Any:
        result = self.call(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=True
        )
        return result["result"].get("value")

    def texts(self, selector: str) -> list[str]:
        """The text of each element ``selector`` matches, as shown."""
        value = self.evaluate(
            f"JSON.stringify(Array.from(document.querySelectorAll({json.dumps(selector)}),"
            " e => e.innerText.trim()))"
        )
        found: list[str] = json.loads(value)
        return found

    def links(self) -> list[str]:
        value = self.evaluate(
            "JSON.stringify(Array.from(document.querySelectorAll('a[href]'), a => a.href))"
        )
        links: list[str] = json.loads(value)
        return links

    def screenshot(self, path: Path) -> None:
        height = int(self.evaluate("Math.min(document.documentElement.scrollHeight, 4000)"))
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1280, "height": max(height, 600), "deviceScaleFactor": 1, "mobile": False},
            session=True,
        )
        data = self.call("Page.captureScreenshot", {"format": "png"}, session=True)["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        with suppress(RuntimeError, OSError):
            self.call("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_chrome_w)
        os.close(self._from_chrome_r)


@contextmanager
def browser(executable: str) -> Iterator[Browser]:
    with tempfile.TemporaryDirectory(prefix="reglament-chromium-") as profile:
        instance = Browser(executable, Path(profile))
        try:
            yield instance
        finally:
            instance.close()
