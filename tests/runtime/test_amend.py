"""runtime.amend: an open case moved to another version of its reglament. ``keep`` leaves it on
its own version; ``from:DATE`` plans it again on the new one, as ``diff --cases`` shows it, and
records the move; a case that cannot move is refused, naming the case and the step."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reglament.audit.diff import diff
from reglament.engine import Case, Engine, Kind
from reglament.errors import CaseError, UsageError
from reglament.loader import BUNDLED, load, load_file
from reglament.runtime import audit
from reglament.runtime.amend import KEEP, Blocker, Policy, migrate, plan
from reglament.runtime.timers import TICK, Timer, timers
from reglament.schemas import Decision, Duration, Reglament, Task, Wait
from tests.engine.saved_cases import at
from tests.runtime.histories import Live, live_cases

ROOT = Path(__file__).resolve().parents[2]
OLD_FILE = BUNDLED / "karaganda-2015" / "semey-compensation.yaml"
# the later version of the diff tests: review 2 working days (was 1), recognition 15 (was 17)
# and a 30-working-day term for it, the PSC's log-in step (con-authorise) removed
NEW_FILE = ROOT / "tests" / "fixtures" / "audit" / "semey-compensation-2016.yaml"
OLD, NEW = Engine(load(OLD_FILE)), Engine(load(NEW_FILE))
OLD_LABEL = "semey-compensation@karaganda@2015-10-26"
NEW_LABEL = "semey-compensation@karaganda@2016-05-30"
FROM = Policy.parse("from:2016-05-30")
MOVE_AT = at("2016-05-30 09:00")  # Monday, the day the new version comes in force


def _at_review() -> Case:
    """A certificate, registered on Fri 27 May 2016: the head's review (1 working day) under way."""
    case = OLD.start(at("2016-05-27 10:00"), "office", "certificate")
    OLD.complete(case, "register", at("2016-05-27 10:20"))
    return case


def _at_process() -> Case:
    """Recognition, reviewed: the executor's processing (17 working days) under way."""
    case = OLD.start(at("2016-05-25 10:00"), "office", "recognition")
    OLD.complete(case, "register", at("2016-05-25 10:30"))
    OLD.complete(case, "review", at("2016-05-26 11:00"))
    return case


def _past_the_log_in() -> Case:
    """Through the PSC past its log-in step, which the new version removed."""
    case = OLD.start(at("2016-05-27 10:00"), "con", "certificate")
    OLD.complete(case, "con-hand-over", at("2016-05-27 10:02"))
    OLD.complete(case, "con-authorise", at("2016-05-27 10:03"))
    return case


# -- keep -------------------------------------------------------------------------------------------


def test_keep_is_the_default_and_leaves_the_case_on_its_version() -> None:
    case = _at_review()
    saved = case.to_dict()
    made = plan(OLD, NEW, case, at=MOVE_AT)
    assert (made.policy, made.moves, made.changes, made.blockers) == ("keep", False, (), ())
    assert made.text.endswith(f"keep: kept on {OLD_LABEL}")
    kept = migrate(OLD, NEW, case, KEEP, at=MOVE_AT)
    assert kept.case is case and kept.record is None
    assert case.to_dict() == saved
    assert timers(OLD, case, MOVE_AT) == [
        Timer("step_overdue", "review", at("2016-05-30 18:30") + TICK)
    ]


# -- from:DATE ------------------------------------------------------------------------------------


def test_the_dry_run_lists_each_due_instant_as_diff_cases_does() -> None:
    case = _at_review()
    made = plan(OLD, NEW, case, FROM, at=MOVE_AT)
    assert made.moves and made.blockers == ()
    [review] = made.changed
    assert (review.what, review.old, review.new) == (
        "review",
        at("2016-05-30 18:30"),  # Mon: 1 working day after Fri's hand-over
        at("2016-05-31 18:30"),  # Tue: 2 working days
    )
    assert review.words == "later by 1 working day"
    # one owner: the same shift diff --cases computes for the same saved case
    shown = diff(load_file(OLD_FILE), load_file(NEW_FILE), [case.to_dict()]).cases
    assert shown is not None
    assert [s for s in shown[0].shifts if s.old != s.new] == [review]
    assert made.text.splitlines() == [
        f"case {case.id} (receipt {case.receipt}): {OLD_LABEL} → {NEW_LABEL}, "
        "from:2016-05-30: 1 due instant change",
        "    review: due 18:30 on Mon 2016-05-30 → 18:30 on Tue 2016-05-31: later by 1 working day",
    ]
    as_json = json.loads(json.dumps(made.to_dict()))
    assert {k: as_json[k] for k in ("old", "new", "policy", "moves", "blockers")} == {
        "old": OLD_LABEL,
        "new": NEW_LABEL,
        "policy": "from:2016-05-30",
        "moves": True,
        "blockers": [],
    }
    assert as_json["changes"][0] == {
        "what": "review",
        "old": "2016-05-30T18:30:00+06:00",
        "new": "2016-05-31T18:30:00+06:00",
        "words": "later by 1 working day",
    }


def test_a_move_replans_the_case_on_the_new_version_and_records_it() -> None:
    case = _at_review()
    saved = case.to_dict()
    moved = migrate(OLD, NEW, case, FROM, at=MOVE_AT)
    assert case.to_dict() == saved  # the case passed in is left as it was
    assert moved.case.version == "2016-05-30"
    assert moved.record is moved.case.history[-1]
    assert (moved.record.kind, moved.record.at, moved.record.detail) == (
        Kind.migrated,
        MOVE_AT,
        f"from {OLD_LABEL} to {NEW_LABEL} (policy from:2016-05-30)",
    )
    assert moved.case.history[:-1] == case.history  # what happened stays as recorded
    assert NEW.restore(moved.case.to_dict()).to_dict() == moved.case.to_dict()
    with pytest.raises(UsageError, match=f"case.version: the case is of {NEW_LABEL}"):
        OLD.restore(moved.case.to_dict())
    # its timers are the new version's: the review is due a working day later
    assert timers(NEW, moved.case, MOVE_AT) == [
        Timer("step_overdue", "review", at("2016-05-31 18:30") + TICK)
    ]
    # and it goes on under the new version
    NEW.complete(moved.case, "review", at("2016-05-31 12:00"))
    assert moved.case.active_steps == ["process"]


def test_a_move_gives_the_term_the_new_version_states() -> None:
    moved = migrate(OLD, NEW, _at_process(), FROM, at=MOVE_AT)
    words = {s.what: s.words for s in moved.plan.changed}
    assert words == {
        "process": "earlier by 2 working days",  # 15 working days, was 17
        "term": "no due instant under the old version",  # a term for recognition, new
    }
    kinds = [t.kind for t in timers(NEW, moved.case, MOVE_AT)]
    assert kinds == ["step_overdue", "term_at_risk", "term_overdue"]
    assert moved.case.term_value == 30 and moved.case.term_unit == "working_days"


def test_a_moved_case_is_re_audited_on_the_version_it_moved_to() -> None:
    moved = migrate(OLD, NEW, _at_review(), FROM, at=MOVE_AT)
    NEW.complete(moved.case, "review", at("2016-05-31 12:00"))
    found = audit.audit(NEW, moved.case)
    review = next(v for v in found.steps if v.step == "review")
    assert review.due == at("2016-05-31 18:30") and review.late is None


# -- blocked --------------------------------------------------------------------------------------


def test_a_case_whose_step_is_gone_is_refused_naming_the_case_and_the_step() -> None:
    case = OLD.start(at("2016-05-27 10:00"), "con", "certificate")
    OLD.complete(case, "con-hand-over", at("2016-05-27 10:02"))  # now at the log-in step
    made = plan(OLD, NEW, case, FROM, at=MOVE_AT)
    assert made.blockers == (
        Blocker("con-authorise", f"is under way, and {NEW_LABEL} has no such step"),
    )
    assert made.changes == ()
    assert made.text.splitlines()[1:] == [
        f"    step 'con-authorise' is under way, and {NEW_LABEL} has no such step"
    ]
    with pytest.raises(CaseError) as refused:
        migrate(OLD, NEW, case, FROM, at=MOVE_AT)
    assert str(refused.value) == (
        f"case {case.id} (receipt {case.receipt}, at con-authorise) cannot move from "
        f"{OLD_LABEL} to {NEW_LABEL}: step 'con-authorise' is under way, and {NEW_LABEL} has "
        "no such step"
    )


def test_a_step_whose_exits_differ_blocks_the_move() -> None:
    case = OLD.start(at("2016-05-27 10:00"), "con", "certificate")  # at the PSC's hand-over
    [blocker] = plan(OLD, NEW, case, FROM, at=MOVE_AT).blockers
    assert blocker.step == "con-hand-over"
    assert str(blocker) == (
        f"step 'con-hand-over' is under way, and its exits differ in {NEW_LABEL}: "
        "con-authorise → con-enter-request"
    )


def test_a_history_through_a_removed_step_blocks_the_move() -> None:
    case = _past_the_log_in()
    [blocker] = plan(OLD, NEW, case, FROM, at=MOVE_AT).blockers
    assert str(blocker) == (
        f"its history cannot be replayed under {NEW_LABEL}: step 'con-authorise', which the "
        "case went through, does not exist"
    )
    with pytest.raises(CaseError, match=r"\(receipt .*, at con-enter-request\) cannot move"):
        migrate(OLD, NEW, case, FROM, at=MOVE_AT)


@pytest.mark.parametrize(
    ("policy", "when", "reason"),
    [
        (
            "from:2016-05-01",
            MOVE_AT,
            f"{NEW_LABEL} is not in force on 2016-05-01 (in force from 2016-05-30)",
        ),
        (
            "from:2016-05-30",
            at("2016-05-29 12:00"),
            "the policy moves cases from 2016-05-30, and 2016-05-29T12:00:00+06:00 is before "
            "that day",
        ),
        (
            "from:2016-05-30",
            at("2016-05-27 10:19"),
            "the move at 2016-05-27T10:19:00+06:00 is before the case's last record (at "
            "2016-05-27T10:20:00+06:00); move it at or after that",
        ),
    ],
)
def test_a_case_that_cannot_move_then_is_refused(
    policy: str, when: dt.datetime, reason: str
) -> None:
    case = _at_review()
    made = plan(OLD, NEW, case, Policy.parse(policy), at=when)
    assert [str(b) for b in made.blockers] == [reason]
    with pytest.raises(CaseError) as refused:
        migrate(OLD, NEW, case, Policy.parse(policy), at=when)
    assert str(refused.value).endswith(
        f"(receipt {case.receipt}, at review) cannot move from {OLD_LABEL} to {NEW_LABEL}: {reason}"
    )


def test_a_finished_case_does_not_move() -> None:
    case, when = _at_review(), at("2016-05-27 10:20")
    while not case.finished:  # each step done a minute later, by its first way out
        when += dt.timedelta(minutes=1)
        step, ways = next(iter(OLD.allowed(case).items()))
        OLD.complete(case, step, when, ways[0] if ways else None)
    [blocker] = plan(OLD, NEW, case, FROM, at=MOVE_AT).blockers
    assert str(blocker) == f"the case is finished (at {case.end}): only an open case moves"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("move", "policy 'move': expected keep or from:YYYY-MM-DD"),
        ("from:", "policy 'from:': '': expected a date YYYY-MM-DD"),
        (
            "from:2016-02-30",
            "policy 'from:2016-02-30': 2016-02-30 is an impossible date: February 2016 has 29 days",
        ),
    ],
)
def test_a_bad_policy_is_one_line(text: str, message: str) -> None:
    with pytest.raises(UsageError) as refused:
        Policy.parse(text)
    assert str(refused.value) == message


def test_a_move_stays_within_one_reglament() -> None:
    other = Engine(load(BUNDLED / "karaganda-2015" / "wheelchairs.yaml"))
    with pytest.raises(UsageError, match="is not a version of semey-compensation@karaganda"):
        plan(OLD, other, _at_review(), FROM, at=MOVE_AT)
    with pytest.raises(UsageError, match=f"already on {OLD_LABEL}"):
        plan(OLD, OLD, _at_review(), FROM, at=MOVE_AT)
    with pytest.raises(UsageError, match=r"case\.version"):  # the case must be of the old one
        plan(NEW, OLD, _at_review(), FROM, at=MOVE_AT)


# -- a property over the bundled reglaments ---------------------------------------------------------


def _longer(duration: Duration) -> Duration:
    if duration.value is None:
        return duration
    return duration.model_copy(update={"value": duration.value + 1})


_AMENDED: dict[tuple[int, bool], Engine] = {}


def _amended(reglament: Reglament, longer: bool) -> Engine:
    """A later version of ``reglament``, in force from the day after it: every timed step, wait
    limit and term one unit longer (``longer``), or nothing else changed."""
    key = (id(reglament), longer)
    if key not in _AMENDED:
        _AMENDED[key] = _build(reglament, longer)
    return _AMENDED[key]


def _build(reglament: Reglament, longer: bool) -> Engine:
    steps = dict(reglament.steps)
    for sid, step in steps.items() if longer else ():
        if isinstance(step, Task | Decision):
            timing = step.duration
            new = [_longer(c) for c in timing] if isinstance(timing, list) else _longer(timing)
            steps[sid] = step.model_copy(update={"duration": new})
        elif isinstance(step, Wait) and step.limit is not None:
            steps[sid] = step.model_copy(update={"limit": _longer(step.limit)})
    terms = [t.model_copy(update={"value": t.value + 1}) if longer else t for t in reglament.terms]
    since = reglament.effective.from_ + dt.timedelta(days=1)
    effective = reglament.effective.model_copy(update={"from_": since, "until": None})
    return Engine(
        reglament.model_copy(update={"steps": steps, "terms": terms, "effective": effective})
    )


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(live_cases(), st.booleans())
def test_a_moved_case_restores_and_its_timers_follow_the_new_version(
    live: Live, longer: bool
) -> None:
    old, case = live.engine, live.case
    new = _amended(old.reglament, longer)
    since = new.reglament.effective.from_
    when = max(live.now, dt.datetime.combine(since, dt.time(), new.compiled.zone))
    policy = Policy(max(since, when.date()))
    made = plan(old, new, case, policy, at=when)
    if case.finished:
        assert [b.reason.split(" (")[0] for b in made.blockers] == ["the case is finished"]
        return
    saved = case.to_dict()
    assert made.blockers == ()  # the same steps and routes: every open case moves
    moved = migrate(old, new, case, policy, at=when)
    assert case.to_dict() == saved
    again = new.restore(moved.case.to_dict())
    assert again.to_dict() == moved.case.to_dict()
    assert moved.case.history == [*case.history, moved.record]
    # the plan's new due instants are the moved case's
    for shift in moved.plan.changes:
        if shift.what == "term":
            assert shift.new == new.term_due(moved.case, when)
        else:
            assert shift.new == new.step_due(moved.case, shift.what, when)
    # its timers are those of the same history run on the new version from the start, but for
    # the events already recorded (a step overdue, the term at risk), which do not come again
    native = audit.replay(new, moved.case)
    planned = timers(new, again, when)
    recorded = {(r.kind.value, r.step) for r in case.history}
    expected = [
        t
        for t in timers(new, native, when)
        if (t.kind, t.step) not in recorded and (t.kind, None) not in recorded
    ]
    assert [t for t in planned if (t.kind, t.step) not in recorded] == expected
    if not longer:  # nothing changed but the version: nothing moves
        assert moved.plan.changed == ()
        assert planned == timers(old, case, when)
