"""Instants given in another UTC offset than the case's time zone are taken in the case's zone
(``store/cases.py: _in_zone``), the one form in which a move is run, logged and replayed: the
replayed case equals the stored snapshot, and the same move given in another offset under its
idempotency key is the same request (both databases)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from reglament.store import Request, Store
from reglament.store.worker import Worker
from tests.store.helpers import CERTIFICATE, CLERK, at, reglament

UTC = dt.UTC
PARIS = dt.timezone(dt.timedelta(hours=1))


def _snapshot(db: Engine, case_id: str) -> dict[str, Any]:
    from reglament.store.tables import cases

    with db.connect() as connection:
        found = connection.execute(select(cases.c.snapshot).where(cases.c.id == case_id))
        return dict(json.loads(found.scalar_one()))


def test_instants_in_other_offsets_replay_to_the_snapshot(store: Store, db: Engine) -> None:
    chosen = reglament(store.library, CERTIFICATE)
    written = store.start(chosen, at(9).astimezone(UTC), "office", request=Request(CLERK))
    ref = written.response["case"]
    accepted = written.response["events"][0]
    assert accepted["detail"] == "submitted 2013-01-09T10:00:00+05:00"  # in the case's zone
    store.complete(ref, "accept", at(9, 10, 10).astimezone(UTC))
    store.set_data(ref, {"tsa_this_quarter": True}, at(9, 10, 25).astimezone(PARIS))
    store.suspend(ref, at(10, 11).astimezone(UTC), "documents asked")
    store.resume(ref, at(11, 11).astimezone(PARIS))
    Worker(store).run_once(at(1, month=3))  # the worker's moves come on top of them
    snapshot = _snapshot(db, ref)
    assert store.replay(ref).to_dict() == snapshot
    history = [(r["kind"], r["at"]) for r in snapshot["history"]]
    assert ("step_completed", "2013-01-09T10:10:00+05:00") in history
    assert ("suspended", "2013-01-10T11:00:00+05:00") in history
    assert all(when.endswith("+05:00") for _, when in history)


def test_one_move_in_two_offsets_is_one_request_under_its_key(store: Store) -> None:
    chosen = reglament(store.library, CERTIFICATE)
    ref = store.start(chosen, at(9), "office").response["case"]
    first = store.complete(ref, "accept", at(9, 10, 10), request=Request(CLERK, key="k-1"))
    again = store.complete(
        ref, "accept", at(9, 10, 10).astimezone(UTC), request=Request(CLERK, key="k-1")
    )
    assert (again.repeated, again.response) == (True, first.response)
