"""``cases list --overdue`` and ``--at-risk`` read indexed columns written with each case; at
any instant after the cases' last events they answer what ``Engine.status`` answers for each
case then (its steps overdue or its term overdue; its term at risk). Checked on a mix of cases
left at every stage, suspended ones included, on both databases."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from reglament.store import Request, Store
from reglament.store.tables import cases
from reglament.store.worker import Worker
from tests.store.helpers import TSA, at, reglament

PATH = ["ab-accept", "resolution", "review", "sign-notification", "issue-notification"]


def _fill(store: Store, count: int, seed: int) -> None:
    chance = random.Random(seed)
    tsa = reglament(store.library, TSA)
    for number in range(count):
        when = at(9 + chance.randrange(12), 9 + chance.randrange(9), chance.randrange(60))
        channel = chance.choice(["office", "akim"])
        started = store.start(
            tsa, when, channel, receipt=f"ATY-{number}", case_id=f"case-{number}", request=Request()
        )
        ref = started.response["case"]
        when = dt.datetime.fromisoformat(started.response["events"][0]["at"])  # accepted
        steps = (
            ["akim-accept", "akim-collect", "akim-dispatch"] if channel == "akim" else []
        ) + PATH
        for step in steps[: chance.randrange(len(steps) + 1)]:
            when += dt.timedelta(hours=chance.choice([1, 5, 30, 80]))
            outcome = "granted" if step == "review" else None
            store.complete(ref, step, when, outcome)
        if chance.random() < 0.3 and store.show(ref, when)["state"] == "open":
            when += dt.timedelta(hours=2)
            store.suspend(ref, when, "documents asked")
            if chance.random() < 0.5:
                store.resume(ref, when + dt.timedelta(days=chance.randrange(1, 6)))


def _expected(store: Store, db: Engine, when: dt.datetime) -> tuple[set[str], set[str]]:
    overdue, at_risk = set(), set()
    with db.connect() as connection:
        rows = connection.execute(
            select(
                cases.c.receipt,
                cases.c.snapshot,
                cases.c.reglament,
                cases.c.region,
                cases.c.version,
            )
        ).all()
    for row in rows:
        engine = store.engine(row.reglament, row.region, row.version)
        status = engine.status(engine.restore(json.loads(row.snapshot)), when)
        if status.overdue or status.term == "overdue":
            overdue.add(row.receipt)
        if status.term == "at_risk":
            at_risk.add(row.receipt)
    return overdue, at_risk


@pytest.mark.parametrize("seed", [1, 2])
def test_overdue_and_at_risk_are_what_status_says(store: Store, db: Engine, seed: int) -> None:
    _fill(store, 40, seed)
    start = dt.datetime(2013, 2, 1, tzinfo=dt.UTC)
    instants = [start + dt.timedelta(hours=7 * n + 0.5) for n in range(0, 400, 13)]
    seen_overdue = seen_at_risk = 0
    for when in instants:
        overdue, at_risk = _expected(store, db, when)
        listed = {c["receipt"] for c in store.cases(when, overdue=True, limit=1000)}
        risky = {c["receipt"] for c in store.cases(when, at_risk=True, limit=1000)}
        assert (listed, risky) == (overdue, at_risk), when
        seen_overdue += len(overdue)
        seen_at_risk += len(at_risk)
    assert seen_overdue and seen_at_risk  # the mix has both, at some instants


def test_filters_combine(store: Store) -> None:
    _fill(store, 12, 3)
    when = dt.datetime(2013, 3, 1, tzinfo=dt.UTC)
    every = store.cases(when, limit=1000)
    assert len(every) == 12
    assert (
        store.cases(when, region="Atyrau", reglament="targeted-social-assistance", limit=1000)
        == every
    )
    assert store.cases(when, region="zhambyl") == []
    assert [c["receipt"] for c in store.cases(when, receipt="ATY-3")] == ["ATY-3"]
    overdue = store.cases(when, overdue=True, limit=1000)
    assert [c["overdue_at"] for c in overdue] == sorted(c["overdue_at"] for c in overdue)
    assert len(store.cases(when, limit=5)) == 5


@pytest.mark.parametrize("seed", [4])
def test_the_list_still_says_so_once_the_worker_fired(store: Store, db: Engine, seed: int) -> None:
    """Once the worker has recorded a case overdue or at risk, the list still lists it so."""
    _fill(store, 30, seed)
    start = dt.datetime(2013, 2, 1, tzinfo=dt.UTC)
    fired = Worker(store).run_once(start)
    assert sum(1 for f in fired if f.kind == "term_at_risk" and f.events)
    assert sum(1 for f in fired if f.kind == "step_overdue" and f.events)
    for when in [start + dt.timedelta(hours=9 * n + 0.5) for n in range(0, 300, 23)]:
        overdue, at_risk = _expected(store, db, when)
        listed = {c["receipt"] for c in store.cases(when, overdue=True, limit=1000)}
        risky = {c["receipt"] for c in store.cases(when, at_risk=True, limit=1000)}
        assert (listed, risky) == (overdue, at_risk), when
