"""The worker fires each due timer exactly once, in the transaction that logs its events (as the
worker, role ``system``), bumps the case's revision and plans its timers again; a wait's timeout
takes its ``on_timeout`` route; several workers at once fire no timer twice (both databases)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import Counter
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from reglament.engine import Case
from reglament.engine import Engine as EngineOf
from reglament.errors import CaseError
from reglament.runtime.timers import Fired, Timer, fire
from reglament.store import Request, Store
from reglament.store.tables import cases, events, timers
from reglament.store.worker import Worker
from tests.store.helpers import at, reglament, start

LATER = at(1, month=3)  # past every due of a case started in January


def _timers(db: Engine) -> list[tuple[str, str, str | None, bool]]:
    with db.connect() as connection:
        rows = connection.execute(select(timers).order_by(timers.c.due_at, timers.c.id)).all()
    return [(r.case_id, r.kind, r.step, r.fired_at is not None) for r in rows]


def _events(db: Engine, case_id: str) -> list[tuple[str, str | None, str | None, str | None]]:
    with db.connect() as connection:
        rows = connection.execute(
            select(events).where(events.c.case_id == case_id).order_by(events.c.seq)
        ).all()
    return [(r.kind, r.step, r.user_id, r.role) for r in rows]


def _snapshot(db: Engine, case_id: str) -> object:
    with db.connect() as connection:
        text = connection.execute(select(cases.c.snapshot).where(cases.c.id == case_id)).scalar()
    return json.loads(text or "null")


def test_due_timers_fire_once_each_as_the_worker(store: Store, db: Engine) -> None:
    ref = start(store).response["case"]
    store.complete(ref, "ab-accept", at(9, 10, 10))
    worker = Worker(store)
    assert worker.run_once(at(9, 10, 10)) == []  # nothing due yet
    fired = worker.run_once(LATER)
    assert [(f.kind, f.step, f.events) for f in fired] == [
        ("step_overdue", "resolution", ("step_overdue resolution",)),
        ("term_at_risk", None, ("term_at_risk",)),
        ("term_overdue", None, ("term_overdue",)),
    ]
    assert [f.revision for f in fired] == [3, 4, 5]
    assert all(f.at == f.due for f in fired)  # fired at its due, whenever the worker came
    assert worker.run_once(LATER) == []
    assert all(row[3] for row in _timers(db))
    logged = _events(db, ref)
    assert logged[-3:] == [
        ("step_overdue", "resolution", "worker", "system"),
        ("term_at_risk", None, "worker", "system"),
        ("term_overdue", None, "worker", "system"),
    ]
    assert store.replay(ref).to_dict() == _snapshot(db, ref)
    # the case stays overdue in the list once its events are recorded
    listed = store.cases(LATER, overdue=True)
    assert [c["case"] for c in listed] == [ref]
    assert listed[0]["overdue_at"] == store.show(ref, LATER)["status"]["active"][0]["due"]


def test_a_step_done_late_is_not_fired_again(store: Store, db: Engine) -> None:
    ref = start(store).response["case"]
    store.complete(ref, "ab-accept", at(9, 16))  # late: the engine records step_overdue itself
    assert Worker(store).run_once(at(9, 16)) == []
    assert [e[:2] for e in _events(db, ref)].count(("step_overdue", "ab-accept")) == 1


def _at_the_guarantee(store: Store) -> str:
    permit = store.library.choose("foreign-labour-permit@karaganda", on=dt.date(2016, 2, 1))
    when = dt.datetime(2016, 2, 1, 16, 0, tzinfo=ZoneInfo("Asia/Almaty"))
    ref = store.start(
        permit.reglament, when, "office", "employer-issue", request=Request()
    ).response["case"]
    for step, outcome in [
        ("accept", None),
        ("review", None),
        ("examine", None),
        ("commission-decide", "granted"),
        ("notify-grant", None),
    ]:
        when += dt.timedelta(minutes=10)
        store.complete(ref, step, when, outcome)
    return str(ref)


def test_a_wait_times_out_into_its_route(store: Store, db: Engine) -> None:
    ref = _at_the_guarantee(store)
    planned = {(kind, step) for case, kind, step, _ in _timers(db) if case == ref}
    assert ("wait_timeout", "guarantee") in planned
    fired = Worker(store).run_once(dt.datetime(2016, 6, 1, tzinfo=dt.UTC))
    timeout = [f for f in fired if f.kind == "wait_timeout"]
    assert len(timeout) == 1
    assert timeout[0].events[0] == "step_completed guarantee"
    shown = store.show(ref, dt.datetime(2016, 6, 1, tzinfo=dt.UTC))
    assert "guarantee" not in {s["step"] for s in shown["status"]["active"]}
    assert store.replay(ref).to_dict() == _snapshot(db, ref)


def test_two_workers_fire_each_timer_once(
    store: Store, db: Engine, new_store: Callable[[], Store]
) -> None:
    tsa = reglament(store.library, "targeted-social-assistance@atyrau")
    refs = [
        store.start(tsa, at(9, 10, n), "office", case_id=f"c-{n}", receipt=f"R-{n}").response[
            "case"
        ]
        for n in range(24)
    ]
    due = len(_timers(db))
    assert due == 3 * len(refs)
    stores = [new_store(), new_store()]
    results: list[list[object]] = [[], []]

    def run(number: int) -> None:
        results[number] = list(Worker(stores[number]).run_once(LATER))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for made in stores:
        made.close()
    assert sum(len(r) for r in results) == due
    assert all(fired for case, kind, step, fired in _timers(db))
    for ref in refs:
        counted = Counter(kind for kind, *_ in _events(db, ref))
        assert (counted["step_overdue"], counted["term_at_risk"], counted["term_overdue"]) == (
            1,
            1,
            1,
        )
        assert store.replay(ref).to_dict() == _snapshot(db, ref)


def test_serve_sleeps_until_the_next_due(store: Store) -> None:
    start(store)
    clock = [at(9, 10)]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == 3:
            raise KeyboardInterrupt
        clock[0] += dt.timedelta(seconds=seconds)

    reported: list[str] = []
    with pytest.raises(KeyboardInterrupt):
        Worker(store).serve(lambda: clock[0], sleep, 3600.0, lambda f: reported.append(f.kind))
    # the first timer, ab-accept's overdue, is due 15 minutes after its start at 10:00
    assert slept[0] == pytest.approx(15 * 60, abs=1)
    assert reported == ["step_overdue"]
    assert slept[1] == 3600.0


def _refuse(kind: str) -> Callable[[EngineOf, Case, Timer, dt.datetime], Fired]:
    """``runtime.timers.fire``, but refused by the engine for timers of ``kind``."""

    def refuse(engine: EngineOf, case: Case, timer: Timer, at: dt.datetime) -> Fired:
        if timer.kind == kind:
            raise CaseError("a timeout route reads data not set")
        return fire(engine, case, timer, at)

    return refuse


def test_a_timer_the_engine_refuses_writes_nothing(
    store: Store, db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = start(store).response["case"]
    monkeypatch.setattr("reglament.store.worker.fire", _refuse("step_overdue"))
    worker = Worker(store)
    fired = worker.run_once(LATER)
    assert [(f.kind, f.error) for f in fired] == [
        ("step_overdue", f"case {ref}: a timeout route reads data not set"),
        ("term_at_risk", None),
        ("term_overdue", None),
    ]
    assert "ab-accept due 2013-01-09T10:15:00.000001+05:00: not fired: case" in fired[0].text
    # the next timer's poll records every event come by then: the step overdue too, once, and
    # its row is marked fired with it
    assert fired[1].events == ("step_overdue ab-accept", "term_at_risk")
    assert [kind for kind, *_ in _events(db, ref)].count("step_overdue") == 1
    assert all(fired for *_, fired in _timers(db))
    monkeypatch.undo()
    assert Worker(store).run_once(LATER) == []
    assert store.replay(ref).to_dict() == _snapshot(db, ref)


def test_a_refused_timer_is_left_for_the_next_run(
    store: Store, db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = start(store).response["case"]
    monkeypatch.setattr("reglament.store.worker.fire", _refuse("step_overdue"))
    worker = Worker(store)
    fired = worker.run_once(at(9, 12))  # only the step's timer is due
    assert [(f.kind, f.error is not None) for f in fired] == [("step_overdue", True)]
    assert worker.run_once(at(9, 12)) == []  # this worker does not try it again
    assert worker.next_due() == at(16, 0)  # the term at risk, next
    assert _events(db, ref)[-1][0] == "step_started"  # nothing written
    monkeypatch.undo()
    assert [f.kind for f in Worker(store).run_once(at(9, 12))] == ["step_overdue"]


def test_a_timer_no_longer_the_cases_writes_no_event(store: Store, db: Engine) -> None:
    ref = start(store).response["case"]
    with db.begin() as connection:  # a row left by a plan the case has since moved past
        connection.execute(
            insert(timers).values(
                case_id=ref, kind="step_overdue", step="review", due_at=at(9, 10, 5), revision=1
            )
        )
    fired = Worker(store).run_once(at(9, 12))
    assert [(f.kind, f.step, f.skipped) for f in fired] == [
        ("step_overdue", "review", "step 'review' is no longer under way"),
        ("step_overdue", "ab-accept", None),
    ]
    assert [e[0] for e in _events(db, ref)].count("step_overdue") == 1
    assert Worker(store).run_once(at(9, 12)) == []  # marked done: never claimed again
    assert store.replay(ref).to_dict() == _snapshot(db, ref)
