"""Cases the store's tests run: targeted social assistance in Atyrau (a 7-working-day term, a
decision) and the TSA certificate (a decision read from case data)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from reglament.loader import Library
from reglament.schemas import Reglament
from reglament.store import Request, Store, Who, Written

ATYRAU = ZoneInfo("Asia/Atyrau")
TSA = "targeted-social-assistance@atyrau"
CERTIFICATE = "tsa-membership-certificate@atyrau"
CLERK = Who("aigerim", "clerk")


def at(day: int, hour: int = 10, minute: int = 0, month: int = 1) -> dt.datetime:
    """An instant of January 2013 (or ``month``) in Atyrau."""
    return dt.datetime(2013, month, day, hour, minute, tzinfo=ATYRAU)


def reglament(library: Library, ref: str) -> Reglament:
    return library.choose(ref, on=dt.date(2013, 1, 9)).reglament


def start(
    store: Store, ref: str = TSA, when: dt.datetime | None = None, key: str | None = None
) -> Written:
    return store.start(
        reglament(store.library, ref),
        when or at(9),
        "office",
        request=Request(CLERK, key=key),
    )
