"""The office page's cases: targeted social assistance in Atyrau, as the service's clock (NOW,
10 January 2013, 14:00 in Atyrau) finds them: one overdue (its first step, 15 minutes, began the
day before), one at risk (its term falls due the next day, its step on time), one on time, and
one in Karaganda that an Atyrau token never sees."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy.engine import Engine

from reglament.loader import Library
from reglament.service import create_app
from reglament.store import Store
from tests.service.conftest import NOW, Token

ATYRAU = ZoneInfo("Asia/Atyrau")
TSA = "targeted-social-assistance@atyrau"
KARAGANDA = "social-assistance-local@karaganda"


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=ATYRAU)


@dataclass(frozen=True)
class Cases:
    overdue: str
    at_risk: str
    on_time: str
    elsewhere: str


@pytest.fixture
def cases(db: Engine, library: Library) -> Cases:
    store = Store(db, library, lambda: NOW)
    tsa = library.choose(TSA, on=dt.date(2013, 1, 9)).reglament
    store.start(tsa, local(2013, 1, 9, 10), "office", case_id="late", receipt="ATY-LATE")
    store.start(tsa, local(2012, 12, 28, 10), "office", case_id="risk", receipt="ATY-RISK")
    store.complete("risk", "ab-accept", local(2012, 12, 28, 10, 10))
    store.complete("risk", "resolution", local(2012, 12, 28, 10, 20))
    store.start(tsa, local(2013, 1, 10, 13, 55), "office", case_id="new", receipt="ATY-NEW")
    other = library.choose(KARAGANDA).reglament
    begins = other.effective.from_ + dt.timedelta(days=30)
    started = store.start(
        other,
        dt.datetime(begins.year, begins.month, begins.day, 10, tzinfo=ATYRAU),
        next(c for c, channel in other.channels.items() if channel.start),
        case_id="kar",
        receipt="KAR-1",
    )
    assert started.response["case"] == "kar"
    return Cases("late", "risk", "new", "kar")


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf(page: Response) -> str:
    found = CSRF.search(page.text)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def signed_in(client: TestClient, secret: str) -> TestClient:
    """``client`` signed in on the page with ``secret``, as a browser does it."""
    form = client.get("/ui/sign-in")
    done = client.post(
        "/ui/sign-in", data={"token": secret, "csrf": csrf(form)}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/ui/inbox", done.text
    return client


def inbox_sections(page: str) -> dict[str, list[str]]:
    """The cases listed in each section of the inbox, in order."""
    found = {}
    for key in ("overdue", "at_risk", "rest"):
        start = page.index(f'<section class="{key}"')
        end = page.index("</section>", start)
        found[key] = re.findall(r'<tr data-case="([^"]+)"', page[start:end])
    return found


def app_client(url: str, library: Library) -> TestClient:
    return TestClient(create_app(url, library, lambda: NOW), raise_server_exceptions=False)


__all__ = ["Cases", "Token", "app_client", "cases", "csrf", "inbox_sections", "local", "signed_in"]
