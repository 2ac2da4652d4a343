"""The cases a store keeps in memory between its writes (``store/memo.py``): used only while
the row holds the snapshot that store wrote, never after another writer's commit, never after a
write that did not commit; the same answers and snapshots as restoring every time."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from reglament.engine import Engine as CaseEngine
from reglament.errors import MoveError
from reglament.store import Request, Store, Who
from reglament.store import cases as store_cases
from reglament.store.memo import Kept
from reglament.store.tables import cases
from tests.store.helpers import CLERK, at, start

HEAD = Who("dana", "head")


def _snapshot(db: Engine, case_id: str) -> dict[str, Any]:
    with db.connect() as connection:
        found = connection.execute(select(cases.c.snapshot).where(cases.c.id == case_id))
        return dict(json.loads(found.scalar_one()))


@pytest.fixture
def restores(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the cases ``Engine.restore`` restores, in order."""
    seen: list[str] = []
    restore = CaseEngine.restore

    def counted(self: CaseEngine, saved: Any) -> Any:
        seen.append(saved["id"])
        return restore(self, saved)

    monkeypatch.setattr(CaseEngine, "restore", counted)
    return seen


def test_a_store_goes_on_with_the_case_it_wrote(
    store: Store, db: Engine, restores: list[str]
) -> None:
    ref = start(store).response["case"]
    store.complete(ref, "ab-accept", at(9, 10, 10), request=Request(CLERK))
    store.complete(ref, "resolution", at(9, 11), request=Request(HEAD))
    assert restores == []  # each write went on from the case the last one committed
    assert store.replay(ref).to_dict() == _snapshot(db, ref)


def test_another_writers_commit_is_read_from_the_row(
    store: Store, new_store: Callable[[], Store], db: Engine, restores: list[str]
) -> None:
    """A writes, B writes, A writes again: A's kept case is stale, and A restores B's."""
    other = new_store()
    try:
        ref = start(store).response["case"]
        store.complete(ref, "ab-accept", at(9, 10, 10), request=Request(CLERK))
        other.complete(ref, "resolution", at(9, 11), request=Request(HEAD))
        assert restores == [ref]  # B had not written it: restored
        written = store.complete(ref, "review", at(9, 12), "granted", Request(CLERK))
    finally:
        other.close()
    assert restores == [ref, ref]  # A's kept case was not the row's any more
    assert written.response["revision"] == 4
    shown = store.show(ref, at(9, 13))
    assert [e["user"] for e in shown["events"] if e["kind"] == "step_completed"] == [
        "aigerim",
        "dana",
        "aigerim",
    ]
    assert store.replay(ref).to_dict() == _snapshot(db, ref)


def test_a_write_that_does_not_commit_keeps_nothing(
    store: Store, db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The move is made on the kept case, the write fails before it commits: the next write
    starts again from the row, where the move is not."""
    ref = start(store).response["case"]
    logged = store_cases.Store._log

    def log_then_fail(self: Store, *args: Any, **kwargs: Any) -> dict[str, Any]:
        logged(self, *args, **kwargs)
        raise RuntimeError("the machine stops here")

    with monkeypatch.context() as patched:
        patched.setattr(store_cases.Store, "_log", log_then_fail)
        with pytest.raises(RuntimeError, match="the machine stops here"):
            store.complete(ref, "ab-accept", at(9, 10, 10))
    # the same move again: the step is still under way, as the row says
    assert store.complete(ref, "ab-accept", at(9, 10, 10)).response["revision"] == 2
    with pytest.raises(MoveError):
        store.complete(ref, "no-such-step", at(9, 10, 20))
    assert store.complete(ref, "resolution", at(9, 11)).response["revision"] == 3
    assert store.replay(ref).to_dict() == _snapshot(db, ref)


def test_kept_or_restored_the_same_case(store: Store, new_store: Callable[[], Store]) -> None:
    """Instants given in another zone (UTC): a store that kept the case and one that restores
    it at each write show the same case and make the same moves."""
    utc = dt.UTC
    moves = [
        ("ab-accept", at(9, 10, 10).astimezone(utc), None),
        ("resolution", at(9, 11).astimezone(utc), None),
        ("review", at(10, 9, 30).astimezone(utc), "granted"),
    ]
    kept = start(store).response["case"]
    fresh = new_store()
    try:
        restored = start(fresh, when=at(9, 10, 1)).response["case"]
        for step, when, outcome in moves:
            store.complete(kept, step, when, outcome)
            fresh._kept = Kept(size=0)  # restores every time, as before the store kept cases
            fresh.complete(restored, step, when + dt.timedelta(minutes=1), outcome)
        one, two = store.show(kept, at(11)), fresh.show(restored, at(11))
    finally:
        fresh.close()
    assert [s["step"] for s in one["status"]["active"]] == [
        s["step"] for s in two["status"]["active"]
    ]
    assert one["status"]["term_due"] == two["status"]["term_due"]
    assert [(e["kind"], e["step"]) for e in one["events"]] == [
        (e["kind"], e["step"]) for e in two["events"]
    ]


def test_at_most_size_cases_are_kept() -> None:
    kept = Kept(size=2)
    cases_ = [object(), object(), object()]
    with kept.committing():
        for n, case in enumerate(cases_):
            kept.stage(f"c{n}", f"s{n}", case)  # type: ignore[arg-type]
    assert kept.take("c0", "s0") is None  # the oldest dropped
    assert kept.take("c2", "other text") is None  # another snapshot: not this case
    assert kept.take("c2", "s2") is None  # taken out by the look-up before
    assert kept.take("c1", "s1") is cases_[1]
    with pytest.raises(RuntimeError), kept.committing():
        kept.stage("c9", "s9", cases_[0])  # type: ignore[arg-type]
        raise RuntimeError
    assert kept.take("c9", "s9") is None
