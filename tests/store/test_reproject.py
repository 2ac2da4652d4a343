"""A new calendar override in the store (both databases): ``cases reproject`` moves the due
instants of the open cases planned on the old calendar, records each change as one
``reprojected`` event (old → new), re-plans the timers; the worker then fires at the new instant
and never at the old; finished cases are untouched; a second run changes nothing; a process on
another calendar than the store's is refused (exit 6); the replayed log equals the snapshot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.engine import URL, Engine
from typer.testing import CliRunner

from reglament.cli import app
from reglament.errors import CalendarMismatch
from reglament.loader import Library
from reglament.runtime.timers import TICK
from reglament.store import Request, Store, Who
from reglament.store.calendars import Calendar
from reglament.store.reproject import run
from reglament.store.tables import calendars, cases, events, timers
from reglament.store.worker import Worker
from tests.store.conftest import RECORDED
from tests.store.helpers import CLERK, at, start

OFFICE = Who("office", "admin")
# Mon 14 Jan 2013: a day off now, in the middle of the review (7 working days from Wed 9 Jan)
HOLIDAY = """
overrides:
  - {date: 2013-01-14, kind: holiday, name: Test holiday, source: "test decree No. 1"}
"""


@pytest.fixture
def override(tmp_path: Path) -> Path:
    path = tmp_path / "2013.yaml"
    path.write_text(HOLIDAY, encoding="utf-8")
    return path


def _at_review(store: Store, minute: int = 0) -> str:
    """A TSA case at its review (7 working days) since Wed 9 Jan 2013 11:00."""
    ref = str(start(store, when=at(9, 10, minute)).response["case"])
    store.complete(ref, "ab-accept", at(9, 10, 10), request=Request(CLERK))
    store.complete(ref, "resolution", at(9, 11), request=Request(CLERK))
    return ref


def _finished(store: Store) -> str:
    ref = _at_review(store, minute=5)
    store.complete(ref, "review", at(10), "granted")
    store.complete(ref, "sign-notification", at(10, 11))
    store.complete(ref, "issue-notification", at(10, 12))
    return ref


def _timers(db: Engine, case: str) -> dict[tuple[str, str | None], tuple[Any, bool]]:
    with db.connect() as connection:
        rows = connection.execute(select(timers).where(timers.c.case_id == case)).all()
    return {(r.kind, r.step): (r.due_at, r.fired_at is not None) for r in rows}


def _log(db: Engine, case: str) -> list[Any]:
    with db.connect() as connection:
        query = select(events).where(events.c.case_id == case).order_by(events.c.seq)
        return list(connection.execute(query).all())


def _row(db: Engine, case: str) -> Any:
    with db.connect() as connection:
        return connection.execute(select(cases).where(cases.c.id == case)).first()


def _same_as_replayed(store: Store, db: Engine, case: str) -> None:
    assert store.replay(case).to_dict() == json.loads(_row(db, case).snapshot)


def test_a_new_holiday_moves_an_open_case_and_the_worker_follows(
    store: Store, db: Engine, library: Library, override: Path
) -> None:
    ref, done = _at_review(store), _finished(store)
    old_due = at(18, 18) + TICK  # Fri 18 Jan 18:00: 7 working days from Wed 9 Jan
    assert _timers(db, ref)[("step_overdue", "review")] == (old_due, False)
    before, done_before = _log(db, ref), _log(db, done)
    new = Store(db, library, lambda: RECORDED, calendar=Calendar.of_files([override]))

    # on another calendar than the store's, a process writes nothing and fires nothing
    with pytest.raises(CalendarMismatch, match=r"with `reglament cases reproject`"):
        new.complete(ref, "review", at(11), "granted")
    with pytest.raises(CalendarMismatch):
        Worker(new).run_once(at(1, month=3))

    dry = run(new, OFFICE, dry_run=True)
    assert (dry.dry_run, dry.checked, [m.case for m in dry.moved]) == (True, 1, [ref])
    assert _log(db, ref) == before and _timers(db, ref)[("step_overdue", "review")][0] == old_due

    done_run = run(new, OFFICE)
    assert done_run.to_dict()["moved"][0]["changes"] == dry.to_dict()["moved"][0]["changes"]
    changes = {(c.kind, c.step): (c.old, c.new) for c in done_run.moved[0].changes}
    assert changes[("step_overdue", "review")] == (old_due, at(21, 18) + TICK)  # Mon 21 Jan
    assert changes[("term_overdue", None)] == (at(18, 18) + TICK, at(21, 18) + TICK)
    logged = _log(db, ref)
    assert logged[:-1] == before  # one event more, nothing else changed in the log
    event = logged[-1]
    assert (event.kind, event.command, event.user_id, event.role) == (
        "reprojected",
        "reproject",
        "office",
        "admin",
    )
    assert event.at == at(9, 11)  # the case's time does not move: its last event's instant
    assert "review: due 2013-01-18T18:00:00+05:00 → 2013-01-21T18:00:00+05:00" in event.detail
    assert f"({override})" not in event.detail and f"default + {override}" in event.detail
    assert _timers(db, ref)[("step_overdue", "review")] == (at(21, 18) + TICK, False)
    row = _row(db, ref)
    assert (row.revision, row.step_due, row.term_due) == (event.revision, at(21, 18), at(21, 18))
    assert row.calendar == new.calendars.running.fingerprint
    assert _log(db, done) == done_before  # a finished case is untouched
    _same_as_replayed(new, db, ref)
    _same_as_replayed(new, db, done)

    again = run(new, OFFICE)  # idempotent: nothing is planned on another calendar any more
    assert (again.checked, again.moved) == (0, ())
    assert _log(db, ref) == logged

    with pytest.raises(CalendarMismatch):  # the old calendar's processes are refused now
        store.complete(ref, "review", at(11), "granted")
    with pytest.raises(CalendarMismatch):
        Worker(store).run_once(at(1, month=3))

    worker = Worker(new)
    fired = worker.run_once(at(18, 19))  # past the old due: the review is not overdue
    assert ("step_overdue", "review") not in {(f.kind, f.step) for f in fired}
    fired = worker.run_once(at(21, 18, 1))
    assert ("step_overdue", "review") in {(f.kind, f.step) for f in fired}
    overdue = [e for e in _log(db, ref) if e.kind == "step_overdue" and e.step == "review"]
    assert [e.at for e in overdue] == [at(21, 18)]
    _same_as_replayed(new, db, ref)


def test_the_worker_catches_up_a_case_planned_on_an_old_calendar(
    store: Store, db: Engine, library: Library, override: Path
) -> None:
    """A case written on the old calendar after the store moved (a writer that had not seen
    it): the worker re-projects it before any of its timers fires, never at the old due."""
    ref = _at_review(store)
    new = Store(db, library, lambda: RECORDED, calendar=Calendar.of_files([override]))
    with db.begin() as connection:  # the store moved, this case not yet
        new.calendars.install(connection, new.calendars.running, RECORDED)
    fired = Worker(new).run_once(at(18, 19))
    # the first due timer (the term at risk from Wed 16 Jan) finds the case on the old
    # calendar: re-projected, that timer moved (at risk from Thu 17 Jan now), then fired there
    assert fired[0].kind == "term_at_risk" and fired[0].skipped is not None
    assert "now due at 2013-01-17T00:00:00+05:00" in fired[0].skipped
    assert "review" not in {f.step for f in fired}
    kinds = [(e.kind, e.step) for e in _log(db, ref)]
    assert kinds.count(("reprojected", None)) == 1 and ("step_overdue", "review") not in kinds
    assert _row(db, ref).calendar == new.calendars.running.fingerprint
    _same_as_replayed(new, db, ref)


def _cli(url: URL, *args: str, env: dict[str, str] | None = None) -> tuple[int, Any, str]:
    db = url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, [*args, "--db", db, "--format", "json"], env=env)
    return result.exit_code, json.loads(result.stdout or "null"), result.stderr


def test_the_command_line(store: Store, db: Engine, db_url: URL, override: Path) -> None:
    ref = _at_review(store)
    code, dry, _ = _cli(db_url, "cases", "reproject", "--overrides", str(override), "--dry-run")
    assert (code, dry["dry_run"], [m["case"] for m in dry["moved"]]) == (0, True, [ref])
    assert dry["moved"][0]["revision"] is None
    moved = {(c["kind"], c["step"]): c["new"] for c in dry["moved"][0]["changes"]}
    assert moved[("step_overdue", "review")] == "2013-01-21T18:00:00.000001+05:00"
    code, _, stderr = _cli(db_url, "worker", "--once", "--overrides", str(override))
    assert code == 6 and "`reglament cases reproject`" in stderr
    code, done, _ = _cli(db_url, "cases", "reproject", "--overrides", str(override))
    assert (code, done["dry_run"], done["moved"][0]["revision"]) == (0, False, 4)
    code, _, stderr = _cli(db_url, "worker", "--once", "--now", "2013-01-18T19:00")
    assert code == 6, stderr  # the default calendar is not the store's any more
    env = {"REGLAMENT_CALENDAR": str(override)}
    code, fired, _ = _cli(db_url, "worker", "--once", "--now", "2013-01-18T19:00", env=env)
    assert code == 0 and "review" not in {f["step"] for f in fired}
    code, again, _ = _cli(db_url, "cases", "reproject", env=env)
    assert (code, again["checked"], again["moved"]) == (0, 0, [])


def test_cases_from_before_migration_0003_are_on_the_default_calendar(
    store: Store, db: Engine, library: Library, override: Path
) -> None:
    """A store migrated from 0002 names no calendar: its cases were planned on the default."""
    ref = _at_review(store)
    with db.begin() as connection:  # as 0003 leaves a store of 0002
        connection.execute(update(cases).values(calendar=None))
        connection.execute(update(events).values(calendar=None))
        connection.execute(delete(calendars))
    _same_as_replayed(Store(db, library, lambda: RECORDED), db, ref)
    new = Store(db, library, lambda: RECORDED, calendar=Calendar.of_files([override]))
    moved = run(new, OFFICE)
    assert [m.case for m in moved.moved] == [ref]  # the store takes the default first
    assert str(moved.old).startswith("default (")
    assert moved.moved[0].old.startswith("default (")
    _same_as_replayed(new, db, ref)


def test_a_suspended_case_moves_and_replays_after_its_resumption(
    store: Store, db: Engine, library: Library, override: Path
) -> None:
    """While a case stands still no timer runs: the event lists its steps' and term's due as
    the status gives them; resumed on the new calendar, it replays to its snapshot."""
    ref = _at_review(store)
    store.suspend(ref, at(10), "documents asked")
    new = Store(db, library, lambda: RECORDED, calendar=Calendar.of_files([override]))
    moved = run(new, OFFICE).moved
    assert {(c.kind, c.step) for c in moved[0].changes} == {
        ("step_due", "review"),
        ("term_due", None),
    }
    new.resume(ref, at(11))
    new.complete(ref, "review", at(11, 12), "granted")
    _same_as_replayed(new, db, ref)
