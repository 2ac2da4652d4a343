"""``reglament cases migrate`` on both databases: stored cases of the bundled Semey compensation
reglament (karaganda, 2015-10-26) moved to the later version the diff and amendment tests use
(tests/fixtures/audit/semey-compensation-2016.yaml, in force from 2016-05-30: the review 2
working days instead of 1, recognition 15 instead of 17 with a 30-working-day term, the PSC's
log-in step removed). The bundled library holds one version per service and region, so the
store runs on the bundled files plus that one.

``keep`` moves nothing and writes nothing; ``from:DATE`` moves each movable case in its own
transaction, its timers planned again and the move logged as ``migrated`` with who and the
key, and leaves a case that cannot move as it is (exit 4); the dry run lists the very changes
the run makes; the log replays to the snapshot; the same key applies once."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import URL, Engine
from typer.testing import CliRunner

from reglament.cli import app
from reglament.errors import UsageError
from reglament.loader import BUNDLED, Library, load_library
from reglament.runtime.amend import KEEP, Policy
from reglament.runtime.timers import TICK
from reglament.store import Request, Store, Who
from reglament.store.amend import Outcome, migrate
from reglament.store.tables import cases, events, idempotency, timers
from reglament.store.worker import Worker
from tests.store.conftest import RECORDED

ROOT = Path(__file__).resolve().parents[2]
NEW_FILE = ROOT / "tests" / "fixtures" / "audit" / "semey-compensation-2016.yaml"
ALMATY = ZoneInfo("Asia/Almaty")
SEMEY = "semey-compensation"
OLD_LABEL, NEW_LABEL = f"{SEMEY}@karaganda@2015-10-26", f"{SEMEY}@karaganda@2016-05-30"
TO = "2016-05-30"
FROM = Policy.parse("from:2016-05-30")
LEAD = Request(Who("lead", "admin"), "the 2016 amendment", "amend-2016")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=ALMATY)


MOVE_AT = at("2016-05-30T09:00")  # Monday, the day the new version comes in force


@pytest.fixture(scope="module")
def two_versions() -> Library:
    return load_library([BUNDLED, NEW_FILE])


@pytest.fixture
def semey(db: Engine, two_versions: Library) -> Store:
    return Store(db, two_versions, lambda: RECORDED)


def _start(store: Store, name: str, channel: str, variant: str, day: str = "2016-05-27") -> str:
    reglament = store.library.choose(SEMEY, "karaganda", dt.date(2016, 5, 27)).reglament
    written = store.start(reglament, at(f"{day}T10:00"), channel, variant, case_id=name)
    return str(written.response["case"])


def _cases(store: Store) -> dict[str, str]:
    """Three open cases: ``review`` at the head's review, ``process`` at the executor's
    recognition (no term under the old version), ``blocked`` at the PSC's log-in step, which
    the new version removed."""
    review = _start(store, "review", "office", "certificate")
    store.complete(review, "register", at("2016-05-27T10:20"))
    process = _start(store, "process", "office", "recognition", "2016-05-25")
    store.complete(process, "register", at("2016-05-25T10:30"))
    store.complete(process, "review", at("2016-05-26T11:00"))
    blocked = _start(store, "blocked", "con", "certificate")
    store.complete(blocked, "con-hand-over", at("2016-05-27T10:02"))
    return {"review": review, "process": process, "blocked": blocked}


def _state(db: Engine) -> list[Any]:
    """Everything the store holds about its cases."""
    with db.connect() as connection:
        return [
            connection.execute(select(table).order_by(*table.primary_key.columns)).all()
            for table in (cases, events, timers, idempotency)
        ]


def _timers(db: Engine, case_id: str) -> set[tuple[str, str | None, dt.datetime]]:
    with db.connect() as connection:
        rows = connection.execute(
            select(timers.c.kind, timers.c.step, timers.c.due_at).where(
                timers.c.case_id == case_id, timers.c.fired_at.is_(None)
            )
        ).all()
    return {(r.kind, r.step, r.due_at) for r in rows}


def _row(db: Engine, case_id: str) -> Any:
    with db.connect() as connection:
        return connection.execute(select(cases).where(cases.c.id == case_id)).one()


# -- keep -----------------------------------------------------------------------------------------


def test_keep_lists_each_case_kept_and_writes_nothing(semey: Store, db: Engine) -> None:
    ids = _cases(semey)
    before = _state(db)
    done = migrate(semey, SEMEY, TO, KEEP, MOVE_AT, region="karaganda", request=LEAD)
    assert [(m.case, m.outcome) for m in done.cases] == [
        (ids["blocked"], Outcome.kept),
        (ids["process"], Outcome.kept),
        (ids["review"], Outcome.kept),
    ]
    assert done.exit_code == 0 and done.counts["kept"] == 3
    assert _state(db) == before
    lines = done.text.splitlines()
    assert lines[0] == (
        f"{SEMEY}@karaganda → {NEW_LABEL}, keep, at 2016-05-30T09:00:00+06:00: each case stays "
        "on the version in force when it was submitted"
    )
    assert lines[3].endswith(f"keep: kept on {OLD_LABEL}")


# -- from:DATE ------------------------------------------------------------------------------------


def test_a_move_replans_records_and_leaves_the_blocked_case(semey: Store, db: Engine) -> None:
    ids = _cases(semey)
    blocked_before = _row(db, ids["blocked"])
    done = migrate(semey, SEMEY, TO, FROM, MOVE_AT, region="karaganda", request=LEAD)
    outcomes = {m.case: m.outcome for m in done.cases}
    assert outcomes == {
        ids["review"]: Outcome.moved,
        ids["process"]: Outcome.moved,
        ids["blocked"]: Outcome.blocked,
    }
    assert done.exit_code == 4
    # the moved case: its row, its snapshot and its list columns on the new version
    row = _row(db, ids["review"])
    assert (row.version, row.revision) == (TO, 3)
    assert json.loads(row.snapshot)["version"] == TO
    assert row.step_due == at("2016-05-31T18:30")  # a working day later: 2 days, not 1
    assert row.updated_at == MOVE_AT
    # its timers: the old review's gone, the new one planned, at the move's revision
    assert _timers(db, ids["review"]) == {("step_overdue", "review", at("2016-05-31T18:30") + TICK)}
    kinds = {kind for kind, _, _ in _timers(db, ids["process"])}
    assert kinds == {"step_overdue", "term_at_risk", "term_overdue"}  # the new 30-day term
    # the event: both versions, who, the comment, the key, the command and its payload
    with db.connect() as connection:
        event = connection.execute(
            select(events).where(events.c.case_id == ids["review"]).order_by(events.c.seq.desc())
        ).first()
    assert event is not None
    assert (event.kind, event.command, event.revision, event.at) == (
        "migrated",
        "migrate",
        3,
        MOVE_AT,
    )
    assert event.detail == f"from {OLD_LABEL} to {NEW_LABEL} (policy from:2016-05-30)"
    assert (event.user_id, event.role, event.comment) == ("lead", "admin", "the 2016 amendment")
    assert event.idempotency_key == f"amend-2016/{ids['review']}"
    assert json.loads(event.payload) == {
        "to": TO,
        "policy": "from:2016-05-30",
        "at": "2016-05-30T09:00:00+06:00",
    }
    # the case that cannot move: its line, and left as it was
    [blocked] = [m for m in done.cases if m.outcome is Outcome.blocked]
    assert blocked.plan is not None
    assert [str(b) for b in blocked.plan.blockers] == [
        f"step 'con-authorise' is under way, and {NEW_LABEL} has no such step"
    ]
    assert _row(db, ids["blocked"]) == blocked_before
    # a case moved is shown and listed as a case of the new version
    shown = semey.show(ids["review"], MOVE_AT)
    assert shown["version"] == TO
    assert shown["events"][-1]["kind"] == "migrated"
    assert [c["case"] for c in semey.cases(MOVE_AT, reglament=SEMEY) if c["version"] == TO] == [
        ids["process"],
        ids["review"],
    ]


def test_the_dry_run_lists_the_changes_the_run_makes_and_writes_nothing(
    semey: Store, db: Engine
) -> None:
    _cases(semey)
    before = _state(db)
    dry = migrate(semey, SEMEY, TO, FROM, MOVE_AT, region="karaganda", dry_run=True)
    assert _state(db) == before
    assert [m.outcome for m in dry.cases] == [Outcome.blocked, Outcome.movable, Outcome.movable]
    assert dry.exit_code == 4  # what the run would answer
    run = migrate(semey, SEMEY, TO, FROM, MOVE_AT, region="karaganda")
    assert [(m.case, m.plan) for m in dry.cases] == [(m.case, m.plan) for m in run.cases]
    review = next(m for m in dry.cases if m.case == "review")
    assert review.plan is not None
    assert review.plan.text.splitlines()[1] == (
        "    review: due 18:30 on Mon 2016-05-30 → 18:30 on Tue 2016-05-31: later by 1 working day"
    )


def test_replay_equals_the_snapshot_after_a_move_and_after(semey: Store, db: Engine) -> None:
    ids = _cases(semey)
    semey.suspend(ids["process"], at("2016-05-27T15:00"), "documents asked")
    migrate(semey, SEMEY, TO, FROM, MOVE_AT, region="karaganda", request=LEAD)
    assert _row(db, ids["process"]).status == "suspended"  # a suspended case moves too
    semey.resume(ids["process"], at("2016-05-31T10:00"))
    semey.complete(ids["review"], "review", at("2016-05-31T12:00"))  # on, under the new version
    fired = Worker(semey).run_once(at("2016-06-30T12:00"))  # the new version's timers fire
    assert {(f.case, f.kind, f.step, f.due) for f in fired} == {
        (ids["blocked"], "step_overdue", "con-authorise", at("2016-05-27T10:03") + TICK),
        (ids["review"], "step_overdue", "process", at("2016-06-03T18:30") + TICK),
        # 15 working days (the new version's, was 17) from the review, the suspension added
        (ids["process"], "step_overdue", "process", at("2016-06-20T18:30") + TICK),
    }
    for case_id in ids.values():
        row = _row(db, case_id)
        assert semey.replay(case_id).to_dict() == json.loads(row.snapshot)


def test_the_same_key_applies_once_and_another_request_is_refused(semey: Store, db: Engine) -> None:
    ids = _cases(semey)
    first = migrate(semey, SEMEY, TO, FROM, MOVE_AT, region="karaganda", request=LEAD)
    after_first = _state(db)
    again = migrate(semey, SEMEY, TO, FROM, MOVE_AT, region="karaganda", request=LEAD)
    assert _state(db) == after_first
    moved = {m.case: m for m in first.cases if m.outcome is Outcome.moved}
    repeated = {m.case: m for m in again.cases if m.repeated}
    assert set(repeated) == set(moved) == {ids["review"], ids["process"]}
    assert [(m.revision, m.events) for m in repeated.values()] == [
        (moved[c].revision, moved[c].events) for c in repeated
    ]
    with db.connect() as connection:
        count = connection.execute(
            select(func.count()).select_from(events).where(events.c.kind == "migrated")
        ).scalar_one()
    assert count == 2
    other = Policy.parse("from:2016-05-31")
    with pytest.raises(UsageError, match="idempotency key 'amend-2016' was used for another"):
        migrate(semey, SEMEY, TO, other, at("2016-05-31T09:00"), request=LEAD)
    assert _state(db) == after_first
    # without the key, a second run finds the moved cases on the new version already
    plain = migrate(semey, SEMEY, TO, FROM, MOVE_AT)
    assert (plain.already, [m.case for m in plain.cases]) == (2, [ids["blocked"]])


def test_a_move_before_the_last_event_is_blocked(semey: Store, db: Engine) -> None:
    ids = _cases(semey)
    semey.set_data(ids["review"], {}, at("2016-05-30T10:00"))  # after the move's instant
    done = migrate(semey, SEMEY, TO, FROM, MOVE_AT, dry_run=False)
    [review] = [m for m in done.cases if m.case == ids["review"]]
    assert review.outcome is Outcome.blocked and review.plan is not None
    assert str(review.plan.blockers[-1]) == (
        "the move at 2016-05-30T09:00:00+06:00 is before the case's last event (at "
        "2016-05-30T10:00:00+06:00); instants never go backwards"
    )
    assert _row(db, ids["review"]).version == "2015-10-26"


@pytest.mark.parametrize(
    ("ref", "region", "to", "policy", "when", "line"),
    [
        ("nope", None, TO, FROM, MOVE_AT, "no reglament 'nope'"),
        (SEMEY, "atyrau", TO, FROM, MOVE_AT, "no reglament 'semey-compensation' in region"),
        (SEMEY, None, "2016-06-01", FROM, MOVE_AT, "version 2016-06-01 of semey-compensation@"),
        (SEMEY, None, "2016-02-30", FROM, MOVE_AT, "--to 2016-02-30 is an impossible date"),
        (
            SEMEY,
            None,
            TO,
            Policy.parse("from:2016-05-01"),
            MOVE_AT,
            f"policy from:2016-05-01: {NEW_LABEL} is not in force on 2016-05-01",
        ),
        (SEMEY, None, TO, FROM, at("2016-05-29T12:00"), "is before that day"),
    ],
)
def test_bad_input_is_one_usage_error_and_writes_nothing(
    semey: Store,
    db: Engine,
    ref: str,
    region: str | None,
    to: str,
    policy: Policy,
    when: dt.datetime,
    line: str,
) -> None:
    _cases(semey)
    before = _state(db)
    with pytest.raises(UsageError, match=re.escape(line)):
        migrate(semey, ref, to, policy, when, region=region)
    assert _state(db) == before


def test_a_case_on_a_version_not_in_the_library_is_refused_before_any_write(
    semey: Store, db: Engine
) -> None:
    _cases(semey)
    before = _state(db)
    only_new = Store(db, load_library([NEW_FILE]), lambda: RECORDED, check=False)
    with pytest.raises(UsageError, match="no version of 'semey-compensation' is in force on 2015"):
        migrate(only_new, SEMEY, TO, FROM, MOVE_AT, request=LEAD)
    assert _state(db) == before


def test_a_case_written_meanwhile_is_a_conflict_and_left_as_it_is(
    semey: Store, new_store: Callable[[], Store], db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A clerk's write commits between the migration's read of a case and its update: that
    case is left as the clerk made it (exit 3), the others move. (PostgreSQL: on SQLite the
    migration's transaction holds the one write lock from its start.)"""
    if db.dialect.name == "sqlite":
        pytest.skip("SQLite's writers are serialised by BEGIN IMMEDIATE")
    ids = _cases(semey)
    migrated = Store.migrated

    def clerk_first(self: Store, *args: Any, **kwargs: Any) -> Any:
        found = migrated(self, *args, **kwargs)
        if args[1].id == ids["review"]:
            clerk = Store(db, self.library, lambda: RECORDED, check=False)
            clerk.set_data(ids["review"], {}, at("2016-05-29T12:00"))
        return found

    monkeypatch.setattr(Store, "migrated", clerk_first)
    done = migrate(semey, SEMEY, TO, FROM, MOVE_AT, request=LEAD)
    outcomes = {m.case: m.outcome for m in done.cases}
    assert outcomes[ids["review"]] is Outcome.conflict and done.exit_code == 3
    assert outcomes[ids["process"]] is Outcome.moved
    row = _row(db, ids["review"])
    assert (row.version, row.revision) == ("2015-10-26", 3)  # the clerk's write, not the move
    assert semey.replay(ids["review"]).to_dict() == json.loads(row.snapshot)


# -- the command line -----------------------------------------------------------------------------


def _cli(url: URL, *args: str) -> tuple[int, str, str]:
    db = url.render_as_string(hide_password=False)
    paths = ["--path", str(BUNDLED), "--path", str(NEW_FILE)]
    result = CliRunner().invoke(app, ["cases", *args, "--db", db, *paths])
    return result.exit_code, result.stdout, result.stderr


def test_the_command_line_speaks_json_and_says_each_refusal(semey: Store, db_url: URL) -> None:
    ids = _cases(semey)
    migrate_args = ["migrate", SEMEY, "-r", "karaganda", "--to", TO, "--at", "2016-05-30T09:00"]
    code, out, _ = _cli(db_url, *migrate_args, "--format", "json")
    kept = json.loads(out)
    assert (code, kept["policy"], kept["counts"]["kept"], kept["dry_run"]) == (0, "keep", 3, False)
    code, out, _ = _cli(
        db_url, *migrate_args, "--policy", "from:2016-05-30", "--dry-run", "-f", "json"
    )
    dry = json.loads(out)
    assert (code, dry["counts"]["movable"], dry["counts"]["blocked"]) == (4, 2, 1)
    review = next(c for c in dry["cases"] if c["case"] == ids["review"])
    assert review["plan"]["changes"] == [
        {
            "what": "review",
            "old": "2016-05-30T18:30:00+06:00",
            "new": "2016-05-31T18:30:00+06:00",
            "words": "later by 1 working day",
        }
    ]
    code, out, _ = _cli(
        db_url,
        *migrate_args,
        "--policy",
        "from:2016-05-30",
        "--by",
        "lead",
        "--key",
        "k",
        "-f",
        "json",
    )
    run = json.loads(out)
    assert (code, run["counts"]["moved"], run["counts"]["blocked"]) == (4, 2, 1)
    moved = next(c for c in run["cases"] if c["case"] == ids["review"])
    assert (moved["outcome"], moved["revision"]) == ("moved", 3)
    assert moved["events"][0]["kind"] == "migrated" and moved["events"][0]["user"] == "lead"
    assert moved["plan"] == review["plan"] | {"at": moved["plan"]["at"]}
    code, out, err = _cli(db_url, *migrate_args, "--policy", "move")
    assert (code, out, err) == (2, "", "error: policy 'move': expected keep or from:YYYY-MM-DD\n")
    code, out, err = _cli(db_url, *migrate_args[:-2], "--policy", "from:2016-02-30")
    assert (code, err) == (
        2,
        "error: policy 'from:2016-02-30': 2016-02-30 is an impossible date: February 2016 has 29 "
        "days\n",
    )
