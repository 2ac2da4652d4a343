"""The re-audit of a case's history: replayed against its own reglament version on a virtual
clock, every step done late and the term met or broken, by how much, and why.

:func:`replay` runs the case again from its submission through the public :class:`Engine` API:
``start`` with its channel, variant and data, then each recorded move at its recorded instant
(each completion with its outcome, who and comment; each suspension and resumption). What the
engine records by itself (acceptance, steps started, parallel blocks and joins, ends) must come
out as recorded; the time-driven records (steps and the term overdue, the term at risk) are
not replayed, since the audit computes lateness afresh. A history that does not replay is a
``CaseError`` naming the first record that differs. The data are the case's as they are now
(a history does not record when each value was set).

:func:`audit` then reads the replayed case: each visit of a step with its due (as
:meth:`Engine.step_due` gives it as of the visit's end, pushed back by the suspensions while it
ran), the term's due (:meth:`Engine.term_due`), and how far past each the case went, in office
time and working days on the actor's (or the channel's) clock and in calendar time. Each due
is explained as ``simulate`` explains it (:func:`reglament.engine.simulate.step_explainer`,
:func:`reglament.engine.simulate.term_words`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from reglament.audit.diff import started_again
from reglament.calendar import Clock
from reglament.calendar.days import fmt_instant
from reglament.engine import Case, Engine, Kind, Record
from reglament.engine.case import label
from reglament.engine.simulate import Explained, step_explainer, term_words
from reglament.errors import CaseError, UsageError
from reglament.schemas import Decision, Task, Unit, Wait
from reglament.schemas.jsonready import ToDict
from reglament.schemas.words import allowed_text, amount_text, elapsed_text

TIME_DRIVEN = frozenset({Kind.step_overdue, Kind.term_at_risk, Kind.term_overdue})
"""What :meth:`Engine.poll` records (and a late completion): computed afresh, not replayed."""
NOT_REPLAYED = TIME_DRIVEN | {Kind.migrated, Kind.reprojected}
"""The records a replay does not give again: the time-driven ones, and a move to another
version (``runtime/amend.py``), after which the case replays on the version it moved to."""

TermVerdict = Literal["met", "broken", "open", "overdue", "none"]
_VERDICTS: dict[str, TermVerdict] = {"met": "met", "broken": "broken", "overdue": "overdue"}


@dataclass(frozen=True, slots=True)
class Span(ToDict):
    """How far apart two instants are: office time and working days on a clock, and calendar
    time (the later minus the earlier, in seconds)."""

    office_seconds: int
    working_days: int
    calendar_seconds: int

    @classmethod
    def between(cls, clock: Clock, early: dt.datetime, late: dt.datetime) -> Span:
        a, b = early.astimezone(clock.zone).date(), late.astimezone(clock.zone).date()
        return cls(
            clock.office_seconds_between(early, late),
            max(0, clock.calendar.working_days_between(a, b)),
            int((late - early).total_seconds()),
        )

    @property
    def text(self) -> str:
        return (
            f"{elapsed_text(self.office_seconds)} of office time "
            f"({amount_text(self.working_days, Unit.working_days)} apart; "
            f"{elapsed_text(self.calendar_seconds)} in calendar time)"
        )


@dataclass(frozen=True, slots=True)
class Allowed(ToDict):
    """The time the act allows, as its number and unit (``allowed`` in words): ``value`` is
    ``None`` for a unit that has no number (``untimed``, ``by_schedule``)."""

    value: int | None
    unit: Unit


@dataclass(frozen=True, slots=True)
class StepVisit(ToDict):
    """One visit of a step: when it started, was due and was done (``done`` ``None``: under
    way at the audit's instant), and how late (``late`` ``None``: on time, or untimed)."""

    step: str
    actor: str | None
    started: dt.datetime
    due: dt.datetime | None
    done: dt.datetime | None
    outcome: str | None
    allowed: str
    late: Span | None
    explanation: str
    amount: Allowed | None = None  # ``allowed`` as a number and unit (None: no time limit)


@dataclass(frozen=True, slots=True)
class TermCheck(ToDict):
    """The legal term: met or broken (a finished case), open or overdue (an open one, as of the
    audit's instant), ``none`` when the act states none; ``by``: how far past its due the case
    went (broken, overdue) or how much time was left (met, open)."""

    verdict: TermVerdict
    allowed: str
    due: dt.datetime | None
    ended: dt.datetime | None
    by: Span | None
    explanation: str
    amount: Allowed | None = None  # ``allowed`` as a number and unit (None: the act states none)


@dataclass(frozen=True, slots=True)
class Reaudit(ToDict):
    """A case's history re-audited: every visit of a step in order, and the term."""

    case: str
    receipt: str
    reglament: str
    at: dt.datetime
    steps: tuple[StepVisit, ...]
    term: TermCheck

    @property
    def late(self) -> tuple[StepVisit, ...]:
        """The visits done late (or still under way past their due)."""
        return tuple(visit for visit in self.steps if visit.late is not None)

    @property
    def text(self) -> str:
        """The re-audit as a person reads it, one line per visit, each with its explanation."""
        lines = [
            f"Re-audit of case {self.case} (receipt {self.receipt}), {self.reglament}, "
            f"as of {fmt_instant(self.at)}",
        ]
        for visit in self.steps:
            lines.append(f"  {visit.step}: {_visit_words(visit)}")
            if visit.explanation:
                lines.append(f"      due: {visit.explanation}")
        lines.append(f"Term ({self.term.allowed}): {_term_line(self.term)}")
        if self.term.explanation:
            lines.append(f"      due: {self.term.explanation}")
        late = len(self.late)
        lines.append(f"{late} step{'' if late == 1 else 's'} late")
        return "\n".join(lines)


def _visit_words(visit: StepVisit) -> str:
    done = f"done {fmt_instant(visit.done)}" if visit.done else "under way"
    due = f"due {fmt_instant(visit.due, end=True)}" if visit.due else visit.allowed
    outcome = f" ({visit.outcome})" if visit.outcome else ""
    verdict = f"LATE by {visit.late.text}" if visit.late else "on time"
    if visit.due is None:
        verdict = "no due instant"
    return f"started {fmt_instant(visit.started)}, {due}, {done}{outcome}: {verdict}"


def _term_line(term: TermCheck) -> str:
    if term.verdict == "none" or term.due is None:
        return "the act states no overall term"
    due = f"due {fmt_instant(term.due, end=True)}"
    by = f" by {term.by.text}" if term.by else ""
    words = {
        "met": f"met, with {term.by.text if term.by else 'no time'} to spare",
        "broken": f"BROKEN{by}",
        "open": f"open, {term.by.text if term.by else 'no time'} left",
        "overdue": f"OVERDUE{by}, still open",
    }
    ended = f", ended {fmt_instant(term.ended)}" if term.ended else ""
    return f"{due}{ended}: {words[term.verdict]}"


# -- replaying the history ---------------------------------------------------------------------


def _facts(history: list[Record]) -> list[tuple[int, Record]]:
    """The records a replay must give again (not :data:`NOT_REPLAYED`), with their index."""
    return [(i, record) for i, record in enumerate(history) if record.kind not in NOT_REPLAYED]


def _fact(record: Record) -> tuple[object, ...]:
    return record.kind, record.at, record.step, record.outcome


def _is_move(engine: Engine, record: Record) -> bool:
    if record.kind in (Kind.suspended, Kind.resumed):
        return True
    if record.kind is not Kind.step_completed or record.step is None:
        return False
    return isinstance(engine.reglament.steps.get(record.step), Task | Decision | Wait)


def _say(record: Record) -> str:
    step = f" {record.step}" if record.step else ""
    outcome = f" ({record.outcome})" if record.outcome else ""
    return f"{record.kind.value}{step}{outcome} at {record.at.isoformat()}"


def _apply(engine: Engine, case: Case, record: Record) -> None:
    if record.kind is Kind.suspended:
        engine.suspend(case, record.at, record.detail)
    elif record.kind is Kind.resumed:
        engine.resume(case, record.at)
    else:
        assert record.step is not None
        engine.complete(
            case, record.step, record.at, record.outcome, by=record.by, comment=record.comment
        )


Judge = Callable[[Case, Record], None]


def replay(engine: Engine, case: Case) -> Case:
    """``case`` run again from its submission through ``engine`` (its own reglament version),
    each recorded move at its recorded instant: the replayed case, whose dues and term are the
    reglament's. A ``CaseError`` naming the first record the replay does not give again."""
    return _replay(engine, case, None)


def _replay(engine: Engine, case: Case, judge: Judge | None) -> Case:
    """:func:`replay`, calling ``judge`` with the replayed case and each recorded completion
    just before it is applied (the case then stands as it did when the step was done)."""
    fresh = started_again(engine, case)
    for index, record in enumerate(case.history):
        if not _is_move(engine, record):
            continue
        try:
            done = record.kind is Kind.step_completed and record.step in fresh.active_steps
            if judge is not None and done:
                judge(fresh, record)
            _apply(engine, fresh, record)
        except CaseError as error:
            raise CaseError(
                f"case {case.id}: record {index} ({_say(record)}) does not replay on "
                f"{label(engine.reglament)}: {error}"
            ) from None
    wanted, got = _facts(case.history), [record for _, record in _facts(fresh.history)]
    for position, (index, record) in enumerate(wanted):
        if position >= len(got) or _fact(got[position]) != _fact(record):
            gives = _say(got[position]) if position < len(got) else "nothing more"
            raise CaseError(
                f"case {case.id}: record {index} ({_say(record)}) does not replay on "
                f"{label(engine.reglament)}: the reglament gives {gives} there"
            )
    if len(got) > len(wanted):
        raise CaseError(
            f"case {case.id}: its history ends where {label(engine.reglament)} goes on "
            f"({_say(got[len(wanted)])})"
        )
    return fresh


# -- auditing the replayed case ------------------------------------------------------------------


def audit(engine: Engine, case: Case, at: dt.datetime | None = None) -> Reaudit:
    """Re-audit ``case`` against ``engine``'s reglament version (its own): :func:`replay`, each
    visit of a step judged when it was done, as the engine judged it then, and what is still
    open and the term as of ``at`` (default: the case's end, or its last record; never before
    its last record)."""
    last = max(record.at for record in case.history)
    when = at or case.finished_at or last
    if when < last:
        raise UsageError(
            f"a re-audit as of {when.isoformat()} is before the case's last record "
            f"({last.isoformat()}); give an instant at or after it"
        )
    visits: list[StepVisit] = []

    def judge(fresh: Case, done: Record) -> None:
        visits.append(_visit(engine, fresh, done.step or "", done.at, done))

    fresh = _replay(engine, case, judge)
    visits.extend(_visit(engine, fresh, token.step, when, None) for token in fresh.tokens)
    return Reaudit(
        case.id,
        case.receipt,
        label(engine.reglament),
        when,
        tuple(visits),
        _term(engine, fresh, when),
    )


def _visit(
    engine: Engine, case: Case, step_id: str, end: dt.datetime, done: Record | None
) -> StepVisit:
    """The visit of ``step_id`` under way in ``case``, judged at ``end`` (when it was done, or
    the audit's instant) by :meth:`Engine.status`; how late, up to ``end`` or, if the case is
    suspended then, up to the suspension's start (the step's clock stood still from then)."""
    started = next(token.started for token in case.tokens if token.step == step_id)
    state = next(s.state for s in engine.status(case, end).active if s.step == step_id)
    judged = max(started, engine.suspended_since(case, end) or end)
    due = engine.step_due(case, step_id, judged)
    duration = engine.compiled.duration(step_id, case.scope())
    clock = engine.compiled.clock_for(step_id)
    explanation = Explained(step_explainer(clock, duration, started)).text
    planned = engine.compiled.step_due(step_id, started, duration)
    if due is not None and planned is not None and due != planned:
        explanation += (
            f"; pushed back to {fmt_instant(due, end=True)} by the suspensions while it ran"
        )
    if judged < end and state == "overdue":
        explanation += f"; judged as of {fmt_instant(judged)}, when the case was suspended"
    return StepVisit(
        step_id,
        getattr(engine.reglament.steps[step_id], "actor", None),
        started,
        due,
        done.at if done else None,
        done.outcome if done else None,
        allowed_text(duration.value, duration.unit) if duration else "no time limit",
        Span.between(clock, due, judged) if due is not None and state == "overdue" else None,
        explanation,
        Allowed(duration.value, duration.unit) if duration else None,
    )


def _term(engine: Engine, case: Case, at: dt.datetime) -> TermCheck:
    """The term judged by :meth:`Engine.status`: a finished case by its end; an open one as of
    ``at``, or, while its term stands still (a suspension, a step not counted in it), as of
    the instant it stopped, which is also where its lateness is measured to."""
    allowed, explained = term_words(engine, case)
    value, unit = case.term_value, case.term_unit  # stated when both are (as term_words reads)
    amount = Allowed(value, Unit(unit)) if value is not None and unit is not None else None
    state = engine.status(case, at).term
    if state == "none":
        return TermCheck("none", allowed, None, None, None, explained.text, amount)
    clock = engine.compiled.channel_clock[case.channel]
    end = case.finished_at or engine.term_standing_since(case, at) or at
    due = engine.term_due(case, end)
    assert due is not None  # the case has a term
    verdict = _VERDICTS.get(state, "open")  # on time or at risk: open
    late = verdict in ("broken", "overdue")
    by = Span.between(clock, due, end) if late else Span.between(clock, end, due)
    return TermCheck(verdict, allowed, due, case.finished_at, by, explained.text, amount)
