"""Stored cases the service's tests act on: targeted social assistance in Atyrau (a clerk's
step ``ab-accept`` by the executor, then a decision), the TSA certificate (case data), and
Semey compensation in Karaganda (the other region)."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy.engine import Engine

from reglament.loader import Library
from reglament.store import Request, Store, Who

ATYRAU = dt.timezone(dt.timedelta(hours=5))
KARAGANDA = dt.timezone(dt.timedelta(hours=6))
REFS = {
    "tsa": ("targeted-social-assistance@atyrau", dt.datetime(2013, 1, 9, 10, tzinfo=ATYRAU)),
    "certificate": (
        "tsa-membership-certificate@atyrau",
        dt.datetime(2013, 1, 9, 10, tzinfo=ATYRAU),
    ),
    "semey": ("semey-compensation@karaganda", dt.datetime(2015, 12, 14, 10, tzinfo=KARAGANDA)),
}
OF_REGION = {"atyrau": "tsa", "karaganda": "semey"}
_numbers = itertools.count(1)


class World:
    """Starts cases straight in the store (each a new one: a minute later than the last)."""

    def __init__(self, db: Engine, library: Library, now: dt.datetime) -> None:
        self.store = Store(db, library, lambda: now)

    def case(self, kind: str = "tsa", *, suspended: bool = False) -> str:
        """A new case of ``kind`` (tsa, certificate, semey, or a region's), its receipt."""
        ref, at = REFS[OF_REGION.get(kind, kind)]
        number = next(_numbers)
        reglament = self.store.library.choose(ref, on=at.date()).reglament
        written = self.store.start(
            reglament,
            at + dt.timedelta(minutes=number % 1000),
            "office",
            "recognition" if reglament.variants else None,
            request=Request(Who("seed", "clerk")),
            receipt=f"R-{number}",
        )
        receipt: str = written.response["receipt"]
        if suspended:
            self.store.suspend(receipt, self.later(kind), "documents asked")
        return receipt

    @staticmethod
    def later(kind: str = "tsa") -> dt.datetime:
        """An instant after every case of ``kind`` began: the second day, 11:00."""
        at = REFS[OF_REGION.get(kind, kind)][1]
        return at.replace(hour=11) + dt.timedelta(days=1)
