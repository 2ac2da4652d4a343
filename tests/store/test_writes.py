"""Every command on a stored case: one transaction, with who did it; optimistic concurrency
(two writers on one revision: one wins, the other is a conflict and writes nothing);
idempotency keys (the same key twice applies once and answers the first answer); a failure
mid-way writes nothing; the snapshot always equals the event log replayed."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from reglament.errors import ConflictError, MoveError, UsageError
from reglament.store import Request, Store, Who, Written
from reglament.store import cases as store_cases
from reglament.store.tables import cases, events, idempotency
from tests.store.helpers import CERTIFICATE, CLERK, TSA, at, reglament, start

HEAD = Who("dana", "head")


def _counts(db: Engine) -> tuple[int, int, int]:
    with db.connect() as connection:
        return tuple(  # type: ignore[return-value]
            connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (cases, events, idempotency)
        )


def _revision(db: Engine, case_id: str) -> int:
    with db.connect() as connection:
        found = connection.execute(select(cases.c.revision).where(cases.c.id == case_id))
        return int(found.scalar_one())


def _snapshot(db: Engine, case_id: str) -> dict[str, Any]:
    with db.connect() as connection:
        found = connection.execute(select(cases.c.snapshot).where(cases.c.id == case_id))
        return dict(json.loads(found.scalar_one()))


def test_a_case_runs_start_to_result_with_who_and_revisions(store: Store, db: Engine) -> None:
    first = start(store).response
    assert (first["revision"], [e["kind"] for e in first["events"]]) == (
        1,
        ["accepted", "step_started"],
    )
    ref = first["receipt"]  # a case is found by its receipt as by its id
    moves: list[Callable[[], Written]] = [
        lambda: store.complete(ref, "ab-accept", at(9, 10, 10), request=Request(CLERK)),
        lambda: store.complete(ref, "resolution", at(9, 11), request=Request(HEAD)),
        lambda: store.suspend(ref, at(10), "documents asked", Request(CLERK, "by phone")),
        lambda: store.resume(ref, at(14), Request(CLERK)),
        lambda: store.complete(ref, "review", at(15), "granted", Request(CLERK, "all in order")),
        lambda: store.complete(ref, "sign-notification", at(15, 11), request=Request(HEAD)),
        lambda: store.complete(ref, "issue-notification", at(15, 12), request=Request(CLERK)),
    ]
    for revision, move in enumerate(moves, start=2):
        assert move().response["revision"] == revision
    shown = store.show(ref, at(16))
    assert shown["state"] == "finished"
    assert shown["status"]["end"] == "issued"
    assert shown["status"]["term"] == "met"
    review = next(
        e for e in shown["events"] if e["kind"] == "step_completed" and e["step"] == "review"
    )
    assert (review["outcome"], review["user"], review["role"]) == ("granted", "aigerim", "clerk")
    assert review["comment"] == "all in order"
    suspended = next(e for e in shown["events"] if e["kind"] == "suspended")
    assert (suspended["detail"], suspended["comment"]) == ("documents asked", "by phone")
    assert [e["seq"] for e in shown["events"]] == list(range(1, len(shown["events"]) + 1))
    assert store.replay(ref).to_dict() == _snapshot(db, first["case"])


def test_data_is_an_event_and_decides(store: Store, db: Engine) -> None:
    ref = start(store, CERTIFICATE).response["case"]
    store.complete(ref, "accept", at(9, 10, 10))
    with pytest.raises(MoveError, match="tsa_this_quarter"):
        store.complete(ref, "check", at(9, 10, 20))
    written = store.set_data(ref, {"tsa_this_quarter": True}, at(9, 10, 25), Request(CLERK))
    assert [e["kind"] for e in written.response["events"]] == ["data_set"]
    assert written.response["events"][0]["detail"] == '{"tsa_this_quarter": true}'
    store.complete(ref, "check", at(9, 10, 30))
    assert store.show(ref, at(9, 10, 31))["status"]["active"][0]["step"] == "sign"
    assert store.replay(ref).to_dict() == _snapshot(db, ref)


def test_a_stale_revision_is_a_conflict_and_writes_nothing(store: Store, db: Engine) -> None:
    ref = start(store).response["case"]
    store.complete(ref, "ab-accept", at(9, 10, 10), request=Request(revision=1))
    before = _counts(db)
    with pytest.raises(ConflictError, match=f"case {ref} is at revision 2, not 1"):
        store.complete(ref, "resolution", at(9, 11), request=Request(revision=1))
    assert _counts(db) == before


def test_two_writers_on_one_revision_one_wins(
    store: Store, new_store: Callable[[], Store], db: Engine
) -> None:
    ref = start(store).response["case"]
    writers = [new_store(), new_store()]
    ready = threading.Barrier(2)
    results: list[object] = []

    def write(writer: Store, user: str) -> None:
        ready.wait()
        try:
            done = writer.complete(
                ref, "ab-accept", at(9, 10, 10), request=Request(Who(user), revision=1)
            )
            results.append(done.response["events"][0]["user"])
        except ConflictError as error:
            results.append(error)

    threads = [
        threading.Thread(target=write, args=(w, u)) for w, u in zip(writers, "ab", strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for writer in writers:
        writer.close()
    winners = [r for r in results if isinstance(r, str)]
    assert len(winners) == 1 and sum(isinstance(r, ConflictError) for r in results) == 1
    shown = store.show(ref, at(9, 12))
    completed = [e for e in shown["events"] if e["kind"] == "step_completed"]
    assert [e["user"] for e in completed] == winners
    assert shown["revision"] == 2
    assert store.replay(ref).to_dict() == _snapshot(db, ref)


def test_the_same_key_twice_applies_once(store: Store, db: Engine) -> None:
    first = start(store, key="start-1")
    again = start(store, key="start-1")
    assert (first.repeated, again.repeated) == (False, True)
    assert again.response == first.response
    ref = first.response["case"]
    done = store.complete(ref, "ab-accept", at(9, 10, 10), request=Request(CLERK, key="k2"))
    counts = _counts(db)
    repeat = store.complete(ref, "ab-accept", at(9, 10, 10), request=Request(CLERK, key="k2"))
    assert repeat.repeated and repeat.response == done.response
    assert _counts(db) == counts
    assert _revision(db, ref) == 2
    with pytest.raises(UsageError, match="idempotency key 'k2' was used for another request"):
        store.complete(ref, "resolution", at(9, 11), request=Request(CLERK, key="k2"))


def test_a_key_another_writer_kept_meanwhile_is_a_conflict_and_writes_nothing(
    store: Store, db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The key is checked when the write begins (Store._done) and kept when it ends: another
    # writer that commits the same key in between wins, and this write is refused whole.
    ref = start(store).response["case"]
    store.complete(ref, "ab-accept", at(9, 10, 10), request=Request(CLERK, key="k3"))
    counts, revision = _counts(db), _revision(db, ref)
    monkeypatch.setattr(store_cases.Store, "_done", lambda *args: None)  # as if not seen yet
    with pytest.raises(ConflictError, match="idempotency key 'k3' was used by another write"):
        store.complete(ref, "resolution", at(9, 11), request=Request(CLERK, key="k3"))
    assert (_counts(db), _revision(db, ref)) == (counts, revision)


def test_a_case_started_twice_without_a_key_is_a_conflict(store: Store, db: Engine) -> None:
    start(store)
    before = _counts(db)
    with pytest.raises(ConflictError, match="is stored already"):
        start(store)
    assert _counts(db) == before


@pytest.mark.parametrize(
    ("move", "message"),
    [
        (lambda s, r: s.complete(r, "review", at(9, 11)), "step 'review' is not active"),
        (lambda s, r: s.complete(r, "ab-accept", at(9, 9)), "before its last event"),
        (lambda s, r: s.resume(r, at(9, 11)), "the term is not suspended"),
        (lambda s, r: s.set_data(r, {}, at(8)), "before its last event"),
    ],
)
def test_an_impossible_move_writes_nothing(
    store: Store, db: Engine, move: Callable[[Store, str], Written], message: str
) -> None:
    ref = start(store).response["case"]
    before, snapshot = _counts(db), _snapshot(db, ref)
    with pytest.raises(MoveError, match=message):
        move(store, ref)
    assert (_counts(db), _snapshot(db, ref)) == (before, snapshot)


def test_an_unknown_case_is_a_usage_error(store: Store) -> None:
    with pytest.raises(UsageError, match="no stored case 'KAR-0'"):
        store.complete("KAR-0", "ab-accept", at(9))


@pytest.mark.parametrize("command", ["start", "complete"])
def test_a_failure_mid_way_writes_nothing(
    store: Store, db: Engine, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """The case row is written, the events are written, then the write fails before it
    commits: none of it stays."""
    ref = start(store).response["case"] if command == "complete" else None
    before = _counts(db)
    logged = store_cases.Store._log

    def log_then_fail(self: Store, *args: Any, **kwargs: Any) -> dict[str, Any]:
        logged(self, *args, **kwargs)
        raise RuntimeError("the machine stops here")

    monkeypatch.setattr(store_cases.Store, "_log", log_then_fail)
    with pytest.raises(RuntimeError, match="the machine stops here"):
        if ref is None:
            start(store, key="k")
        else:
            store.complete(ref, "ab-accept", at(9, 10, 10), request=Request(key="k"))
    assert _counts(db) == before
    if ref is not None:
        assert _revision(db, ref) == 1


def test_two_writers_that_read_the_same_revision_one_wins(
    store: Store, new_store: Callable[[], Store], db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both writers have read revision 1 and made their move before either writes: the update
    guarded by the revision lets one through, the other is a conflict. (PostgreSQL: SQLite's
    writers take the write lock when they begin, so a second writer never reads a revision the
    first is about to replace.)"""
    if db.dialect.name == "sqlite":
        pytest.skip("SQLite's writers are serialised by BEGIN IMMEDIATE")
    ref = start(store).response["case"]
    both_read = threading.Barrier(2, timeout=30)
    update = store_cases.Store._update

    def update_once_both_read(self: Store, *args: Any, **kwargs: Any) -> Written:
        both_read.wait()
        return update(self, *args, **kwargs)

    monkeypatch.setattr(store_cases.Store, "_update", update_once_both_read)
    results: list[object] = []

    def write(user: str) -> None:
        writer = new_store()
        try:
            done = writer.complete(ref, "ab-accept", at(9, 10, 10), request=Request(Who(user)))
            results.append(done.response["events"][0]["user"])
        except ConflictError as error:
            results.append(error)
        finally:
            writer.close()

    threads = [threading.Thread(target=write, args=(user,)) for user in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(type(r).__name__ for r in results) == ["StaleError", "str"]
    assert _revision(db, ref) == 2
    assert store.replay(ref).to_dict() == _snapshot(db, ref)


@pytest.mark.parametrize("key", ["start-1", None])
def test_two_starts_of_one_case_that_read_before_either_wrote(
    new_store: Callable[[], Store], db: Engine, monkeypatch: pytest.MonkeyPatch, key: str | None
) -> None:
    """Both starts have found neither the key nor the case before either inserts (PostgreSQL's
    READ COMMITTED; a writer killed before its COMMIT landed is this case): the loser's insert
    meets the winner's row, and it reads again: the winner's answer under the same key, or a
    conflict without one. Never a database error, never two cases."""
    if db.dialect.name == "sqlite":
        pytest.skip("SQLite's writers are serialised by BEGIN IMMEDIATE")
    both_read = threading.Barrier(2, timeout=30)
    done = store_cases.Store._done
    first_reads: list[str] = []

    def done_then_wait(self: Store, *args: Any, **kwargs: Any) -> Written | None:
        found = done(self, *args, **kwargs)
        if len(first_reads) < 2:
            first_reads.append(threading.current_thread().name)
            both_read.wait()
        return found

    monkeypatch.setattr(store_cases.Store, "_done", done_then_wait)
    results: list[Written | ConflictError] = []

    def write() -> None:
        writer = new_store()
        try:
            results.append(start(writer, key=key))
        except ConflictError as error:
            results.append(error)
        finally:
            writer.close()

    threads = [threading.Thread(target=write) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 2 and _counts(db)[0] == 1
    won = [r for r in results if isinstance(r, Written) and not r.repeated]
    assert len(won) == 1
    other = next(r for r in results if r is not won[0])
    if key is None:
        assert isinstance(other, ConflictError) and "is stored already" in str(other)
    else:
        assert isinstance(other, Written) and other.repeated
        assert other.response == won[0].response


def test_a_naive_instant_is_a_usage_error(store: Store) -> None:
    ref = start(store).response["case"]
    with pytest.raises(UsageError, match="expected an aware datetime"):
        store.resume(ref, at(9, 11).replace(tzinfo=None))


@pytest.mark.parametrize(
    ("write", "line"),
    [
        (
            lambda store: store.start(
                reglament(store.library, TSA), at(9), "office", request=Request(Who("u" * 300))
            ),
            "the user (--by) is 300 characters long; at most 200 are kept",
        ),
        (
            lambda store: store.start(
                reglament(store.library, TSA), at(9), "office", request=Request(Who("u", "r" * 201))
            ),
            "the role (--role) is 201 characters long; at most 200 are kept",
        ),
        (
            lambda store: store.start(
                reglament(store.library, TSA), at(9), "office", request=Request(key="k" * 250)
            ),
            "the idempotency key (--key) is 250 characters long; at most 200 are kept",
        ),
    ],
)
def test_a_text_longer_than_its_column_is_one_line_and_writes_nothing(
    store: Store, db: Engine, write: Callable[[Store], Written], line: str
) -> None:
    # PostgreSQL refused it with a DataError traceback mid-transaction; SQLite kept it whole
    with pytest.raises(UsageError) as raised:
        write(store)
    assert str(raised.value) == line
    with db.connect() as connection:
        assert connection.execute(select(func.count()).select_from(cases)).scalar_one() == 0
        assert connection.execute(select(func.count()).select_from(events)).scalar_one() == 0


@pytest.mark.parametrize("races", [1, 2])
def test_a_start_that_meets_a_race_reads_again_once(
    store: Store, monkeypatch: pytest.MonkeyPatch, races: int
) -> None:
    # A start whose insert meets another writer's row (store_cases._Raced) is tried once more:
    # one race is answered by the second try, two are a ConflictError that says what to do.
    once = store_cases.Store._start_once
    tries: list[int] = []

    def raced(self: Store, *args: Any) -> Written:
        tries.append(1)
        if len(tries) <= races:
            raise store_cases._Raced
        return once(self, *args)

    monkeypatch.setattr(store_cases.Store, "_start_once", raced)
    if races == 1:
        assert start(store).response["revision"] == 1
    else:
        with pytest.raises(ConflictError, match="stored by another writer at the same time"):
            start(store)
    assert len(tries) == 2
