"""The step due: the vectorised form equals the one-case form for every duration of every step
of the bundled reglaments (and a ``by_schedule`` step with known dates), on the step's own
clock; and the durations of a step are walked once, where the file writes them."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from reglament.calendar import Clock, TermRules
from reglament.engine.compiled import Compiled
from reglament.loader import BUNDLED, load, load_file
from reglament.procedure import term, timing
from reglament.schemas import Duration, Unit
from reglament.schemas.reglament import ExternalSchedule
from tests.calendar.test_clock_batch import random_instants

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "fixtures" / "minimal.yaml"
FILES = sorted(p for p in BUNDLED.rglob("*.yaml") if not p.name.startswith("_"))


def _check(compiled: Compiled, step_id: str, duration: Duration | None, seed: int) -> None:
    clock = compiled.clock_for(step_id)
    schedules = compiled.reglament.external_schedules
    starts = [t for t in random_instants(seed, 120, clock.zone) if t.year < 2030]
    due, unknown = timing.step_due_batch(clock, duration, clock.positions(starts), schedules)
    want = [timing.step_due(clock, duration, t, schedules) for t in starts]
    assert clock.instants(due) == [w or t for w, t in zip(want, starts, strict=True)]
    assert unknown.tolist() == [duration is not None and w is None for w in want]


RULES = {
    "legal": TermRules(),
    "next-opening": TermRules(handover="next_opening"),
    "end-of-day": TermRules(due_at="end_of_day", roll_calendar_days=False),
}


@pytest.mark.parametrize("rules", RULES)
@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(BUNDLED)))
def test_step_due_batch_equals_step_due(path: Path, rules: str) -> None:
    loaded = load_file(path)
    assert loaded.reglament is not None
    compiled = Compiled(loaded.reglament, rules=RULES[rules])
    checked = 0
    for index, (step_id, step) in enumerate(loaded.reglament.steps.items()):
        for timed in timing.durations(step):
            _check(compiled, step_id, timed.duration, index)
            checked += 1
        if not timing.durations(step):
            _check(compiled, step_id, None, index)  # no duration: no due, not flagged
    assert checked


def test_by_schedule_with_known_dates() -> None:
    reglament = load(MINIMAL)
    dates = [dt.date(2012, 1, 20), dt.date(2016, 2, 19), dt.date(2016, 2, 19), dt.date(2029, 3, 1)]
    dated = reglament.model_copy(
        update={
            "external_schedules": {
                "payments": ExternalSchedule(name={"en": "payments"}, dates=dates)
            }
        }
    )
    compiled = Compiled(dated)
    step_id = next(iter(dated.steps))
    by_schedule = Duration(unit=Unit.by_schedule, schedule="payments")
    _check(compiled, step_id, by_schedule, 3)
    clock = compiled.clock_for(step_id)
    start = dt.datetime(2016, 2, 19, 20, 0, tzinfo=clock.zone)  # after closing on the date itself
    assert timing.step_due(clock, by_schedule, start, dated.external_schedules) == clock.closing(
        dt.date(2016, 2, 19)
    )
    after = dt.datetime(2029, 3, 2, 9, 0, tzinfo=clock.zone)  # no known date left
    assert timing.step_due(clock, by_schedule, after, dated.external_schedules) is None
    untimed = Duration(unit=Unit.untimed)
    due, unknown = timing.step_due_batch(
        clock, untimed, clock.positions([after]), dated.external_schedules
    )
    assert (due.tolist(), unknown.tolist()) == (clock.positions([after]).tolist(), [True])


def test_durations_are_walked_where_the_file_writes_them() -> None:
    reglament = load(ROOT / "tests" / "engine" / "data" / "synthetic-ten.yaml")
    found = {
        (step_id, timed.key, timed.when)
        for step_id, step in reglament.steps.items()
        for timed in timing.durations(step)
    }
    cases = [(key, when) for _, key, when in found if len(key) == 2]  # a list of cases
    assert ("duration", 0) in [key for key, _ in cases]
    assert "urgent" in [when for _, when in cases]
    assert all(when is None for _, key, when in found if len(key) == 1)
    for step_id, key, _ in found:
        node: object = reglament.steps[step_id]
        for part in key:
            node = node[part] if isinstance(part, int) else getattr(node, part)  # type: ignore[index]
        assert isinstance(node, Duration)
    for step in reglament.steps.values():
        rules = timing.rules(step)
        assert [r.duration for r in rules] == [t.duration for t in timing.durations(step)]
        assert all(
            (r.condition is None) == (t.when is None)
            for r, t in zip(rules, timing.durations(step), strict=True)
        )
    assert not timing.is_timed(Duration(unit=Unit.untimed))
    assert timing.is_timed(Duration(unit=Unit.hours, value=2))


def test_a_notice_names_the_step_due_of_a_by_schedule_step_it_has_left() -> None:
    """``step_due`` of a step_completed notice is the step's own due, computed by the same rule
    as the engine's (before, a ``by_schedule`` step already left had none: the message said "")."""
    from reglament.engine import Engine
    from reglament.engine.simulate import simulate
    from reglament.renderers.context import facts
    from reglament.schemas import Notification

    semey = load(BUNDLED / "karaganda-2015" / "semey-compensation.yaml")
    payment = semey.external_schedules["compensation-payment-schedule"]
    dates = [dt.date(2016, 1, 20), dt.date(2016, 2, 19)]
    told = Notification.model_validate(
        {"on": "step_completed", "step": "process", "to": ["applicant"], "via": ["letter"]}
    )
    dated = semey.model_copy(
        update={
            "external_schedules": {
                "compensation-payment-schedule": payment.model_copy(update={"dates": dates})
            },
            "notifications": [*semey.notifications, told],
        }
    )
    engine = Engine(dated)
    at = dt.datetime(2015, 12, 14, 10, 0, tzinfo=engine.compiled.zone)
    timeline = simulate(engine, at, "office", "compensation")
    row = next(r for r in timeline.rows if r.step == "process")
    assert row.due == engine.compiled.clock_for("process").closing(dt.date(2016, 1, 20))
    notice = next(n for n in timeline.notices if n.notification is told)
    assert facts(engine, timeline.case, notice, timeline=timeline).step_due == row.due


def test_a_notice_names_the_step_due_pushed_back_by_a_suspension() -> None:
    """``step_due`` of a notice is the due the engine gives the step (``Engine.status``): pushed
    back by a suspension while it ran, not the due it was given on entry."""
    from reglament.engine import Engine
    from reglament.renderers.context import facts
    from reglament.schemas import Notification

    told = Notification.model_validate(
        {"on": "step_completed", "step": "check", "to": ["applicant"], "via": ["letter"]}
    )
    engine = Engine(load(MINIMAL).model_copy(update={"notifications": [told]}))
    zone = engine.compiled.zone
    start = dt.datetime(2024, 4, 1, 10, 0, tzinfo=zone)
    case = engine.start(start, "office", "standard", {"documents_complete": True})
    engine.complete(case, "register", dt.datetime(2024, 4, 1, 10, 30, tzinfo=zone))
    entry_due = next(t.due for t in case.tokens if t.step == "check")
    engine.suspend(case, dt.datetime(2024, 4, 1, 11, 0, tzinfo=zone), "a document is asked for")
    engine.resume(case, dt.datetime(2024, 4, 8, 11, 0, tzinfo=zone))
    done = dt.datetime(2024, 4, 8, 12, 0, tzinfo=zone)
    (status,) = (s for s in engine.status(case, done).active if s.step == "check")
    assert entry_due is not None and status.due is not None and status.due > entry_due
    records = engine.complete(case, "check", done, "complete")
    notice = next(n for n in engine.notices(case, records) if n.notification is told)
    assert facts(engine, case, notice).step_due == status.due


def test_engine_step_due_of_a_step_under_way_and_of_one_left() -> None:
    """``Engine.step_due(case, step, at)``: a step under way is due as ``status`` says (its due
    on entry pushed back by the suspension so far); a step already left keeps the due it had when
    it was left (a later suspension does not move it); a step not yet reached, or one with no
    time, has none; an unknown step is a usage error."""
    from reglament.engine import Engine
    from reglament.errors import UsageError

    engine = Engine(load(MINIMAL))
    zone = engine.compiled.zone
    case = engine.start(
        dt.datetime(2024, 4, 1, 10, 0, tzinfo=zone),
        "office",
        "standard",
        {"documents_complete": True},
    )
    engine.complete(case, "register", dt.datetime(2024, 4, 1, 10, 30, tzinfo=zone))
    assert engine.step_due(case, "check", dt.datetime(2024, 4, 1, 10, 0, tzinfo=zone)) is None
    entry_due = next(t.due for t in case.tokens if t.step == "check")
    engine.suspend(case, dt.datetime(2024, 4, 1, 11, 0, tzinfo=zone), "a document is asked for")
    engine.resume(case, dt.datetime(2024, 4, 8, 11, 0, tzinfo=zone))
    done = dt.datetime(2024, 4, 8, 12, 0, tzinfo=zone)
    (status,) = (s for s in engine.status(case, done).active if s.step == "check")
    assert engine.step_due(case, "check", dt.datetime(2024, 4, 1, 10, 45, tzinfo=zone)) == entry_due
    assert engine.step_due(case, "check", done) == status.due != entry_due
    engine.complete(case, "check", done, "complete")
    later = dt.datetime(2024, 4, 9, 11, 0, tzinfo=zone)
    engine.suspend(case, dt.datetime(2024, 4, 8, 12, 30, tzinfo=zone), "asked again")
    engine.resume(case, later)
    assert engine.step_due(case, "check", later) == status.due
    with pytest.raises(UsageError, match="'chek'"):
        engine.step_due(case, "chek", later)


def _monday(hhmm: str) -> dt.datetime:
    """Mon 17 Mar 2025 at ``hhmm``, in Almaty."""
    return dt.datetime.fromisoformat(f"2025-03-17 {hhmm}").replace(tzinfo=ZoneInfo("Asia/Almaty"))


# a step of 30 minutes due Mon 17 Mar 2025 10:30 (standard schedule), its clock stopped for
# these stretches: each that begins by the due as the ones before left it pushes it back by its
# office time; the first that begins later (the step already late) and every one after it, not
PUSHED_BACK = [
    ([("10:00", "10:10")], "10:40"),
    ([("10:30", "10:40")], "10:40"),  # begins at the due itself: the time has not run out
    ([("10:31", "10:41")], "10:30"),  # begins a minute after it: overdue since 10:30
    ([("10:00", "10:10"), ("10:35", "10:45")], "10:50"),  # the second begins before 10:40
    ([("10:00", "10:10"), ("10:41", "10:51"), ("11:00", "11:10")], "10:40"),
    ([("12:00", "12:30")], "10:30"),  # the reported case
]


@pytest.mark.parametrize(("stretches", "due"), PUSHED_BACK)
def test_only_the_stretches_that_begin_by_the_due_push_a_step_back(
    stretches: list[tuple[str, str]], due: str
) -> None:
    clock = Clock(schedule="standard", zone="Asia/Almaty")
    stood = [(_monday(a), _monday(b)) for a, b in stretches]
    minutes = Duration(value=30, unit=Unit.minutes)
    got = timing.pushed_back(clock, minutes, _monday("10:30"), stood)
    assert got == _monday(due)
    # the stretches that count are pushed back by the term's arithmetic
    counted = [s for s in stood if s[0] <= got]
    assert got == term.due(clock, Unit.minutes, _monday("10:30"), counted)


def test_at_a_loop_an_instant_names_the_visit_under_way_and_a_record_its_own_visit() -> None:
    """A wait left and entered again at one instant (its documents come, and the decision after
    it sends the case back at once): ``Engine.step_due`` at that instant names the visit under
    way then, the new one, as ``status`` and the timers do; the records name their own visits
    (``Engine.visit_due``), so the step_completed notice of the visit left names its due."""
    from reglament.engine import Engine, Kind
    from reglament.errors import UsageError
    from reglament.renderers.context import facts
    from reglament.runtime.timers import timers
    from reglament.schemas import Notification

    told = Notification.model_validate(
        {"on": "step_completed", "step": "ask", "to": ["applicant"], "via": ["letter"]}
    )
    engine = Engine(load(MINIMAL).model_copy(update={"notifications": [told]}))
    zone = engine.compiled.zone
    case = engine.start(
        dt.datetime(2024, 4, 1, 10, 0, tzinfo=zone),
        "office",
        "standard",
        {"documents_complete": True},
    )
    engine.complete(case, "register", dt.datetime(2024, 4, 1, 10, 30, tzinfo=zone))
    engine.complete(case, "check", dt.datetime(2024, 4, 1, 11, 0, tzinfo=zone), "lacking")
    first = dt.datetime(2024, 4, 8, 18, 0, tzinfo=zone)  # ask: 5 working days from Mon 11:00
    assert case.tokens[0].due == first
    loop = dt.datetime(2024, 4, 2, 12, 0, tzinfo=zone)
    records = engine.complete(case, "ask", loop, "event")
    records += engine.complete(case, "check", loop, "lacking")  # decided at the same instant
    again = dt.datetime(2024, 4, 9, 18, 0, tzinfo=zone)
    (ask,) = engine.status(case, loop).active
    assert (ask.step, ask.started, ask.due) == ("ask", loop, again)
    assert engine.step_due(case, "ask", loop) == again
    assert [t.due for t in timers(engine, case, loop) if t.kind == "wait_timeout"] == [again]
    (opened,) = (r for r in case.history if r.step == "ask" and r.at < loop)
    left = records[0]
    assert (left.kind, left.step) == (Kind.step_completed, "ask")
    reopened = records[-1]
    assert (reopened.kind, reopened.step, reopened.at) == (Kind.step_started, "ask", loop)
    assert engine.visit_due(case, opened) == engine.visit_due(case, left) == first
    assert engine.visit_due(case, reopened) == again
    # a saved case read back names the same visits (its records are equal, not the same)
    restored = engine.restore(case.to_dict())
    assert engine.visit_due(restored, left) == first
    notice = next(n for n in engine.notices(case, records) if n.notification is told)
    assert notice.record is left
    assert facts(engine, case, notice).step_due == first
    with pytest.raises(UsageError, match="not an event of this case"):
        engine.visit_due(case, replace(left, at=first))
    with pytest.raises(UsageError, match="names no step"):
        engine.visit_due(case, case.history[0])  # accepted


def test_a_step_in_minutes_is_pushed_back_by_seconds() -> None:
    clock = Clock(schedule="standard", zone="Asia/Almaty")
    minutes = Duration(value=30, unit=Unit.minutes)
    stood = [(_monday("10:00"), _monday("10:00") + dt.timedelta(seconds=59, microseconds=5))]
    got = timing.pushed_back(clock, minutes, _monday("10:30"), stood)
    assert got == _monday("10:30") + dt.timedelta(seconds=59, microseconds=5)
