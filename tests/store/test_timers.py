"""Each write plans the case's timers (the rows the worker of the next wave fires): one per due
instant the engine gives an open case, a step's overdue, the term at risk, the term overdue;
re-planned by every move, none while the clocks stand still, none once the case is finished,
and a fired one is never planned again."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from reglament.runtime.timers import TICK
from reglament.store import Store
from reglament.store.tables import timers
from tests.store.helpers import at, start

Planned = set[tuple[str, str | None, dt.datetime, bool]]


def _timers(db: Engine, case_id: str) -> Planned:
    with db.connect() as connection:
        rows = connection.execute(select(timers).where(timers.c.case_id == case_id)).all()
    return {(r.kind, r.step, r.due_at, r.fired_at is not None) for r in rows}


def _due(store: Store, ref: str, when: dt.datetime) -> Planned:
    """What the engine says is due for the case, as of ``when``: a step or the term is late a
    tick after the due ``Engine.status`` shows (``runtime.timers``)."""
    shown = store.show(ref, when)
    steps = {
        ("step_overdue", s["step"], dt.datetime.fromisoformat(s["due"]) + TICK, False)
        for s in shown["status"]["active"]
        if s["due"]
    }
    term = {
        ("term_at_risk", None, dt.datetime.fromisoformat(shown["at_risk_at"]), False),
        ("term_overdue", None, dt.datetime.fromisoformat(shown["term_due"]) + TICK, False),
    }
    return steps | term


def test_a_move_replans_the_timers(store: Store, db: Engine) -> None:
    ref = start(store).response["case"]
    assert _timers(db, ref) == _due(store, ref, at(9, 10))
    store.complete(ref, "ab-accept", at(9, 10, 10))
    planned = _timers(db, ref)
    assert planned == _due(store, ref, at(9, 10, 10))
    assert {t[1] for t in planned} == {"resolution", None}


def test_no_step_timer_while_suspended_and_pushed_back_after(store: Store, db: Engine) -> None:
    ref = start(store).response["case"]
    store.complete(ref, "ab-accept", at(9, 10, 10))
    before = {t for t in _timers(db, ref) if t[0] == "step_overdue"}
    store.suspend(ref, at(9, 10, 12), "documents asked")
    assert {t[0] for t in _timers(db, ref)} == set()
    store.resume(ref, at(11, 10))
    after = {t for t in _timers(db, ref) if t[0] == "step_overdue"}
    assert after == {t for t in _due(store, ref, at(11, 10)) if t[0] == "step_overdue"}
    assert [t[2] for t in after] > [t[2] for t in before]


def test_none_once_finished_and_a_fired_one_stays(store: Store, db: Engine) -> None:
    ref = start(store).response["case"]
    with db.begin() as connection:
        connection.execute(
            update(timers)
            .where(timers.c.case_id == ref, timers.c.kind == "term_at_risk")
            .values(fired_at=at(9, 10))
        )
    store.complete(ref, "ab-accept", at(9, 10, 10))
    fired = {t for t in _timers(db, ref) if t[3]}
    assert [t[0] for t in fired] == ["term_at_risk"]
    assert [t for t in _timers(db, ref) if t[0] == "term_at_risk"] == list(fired)
    for step, outcome, when in [
        ("resolution", None, at(9, 10, 20)),
        ("review", "refused", at(10)),
        ("sign-refusal", None, at(10, 10, 10)),
        ("issue-refusal", None, at(10, 11)),
    ]:
        store.complete(ref, step, when, outcome)
    assert _timers(db, ref) == fired
