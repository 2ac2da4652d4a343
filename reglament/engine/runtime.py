"""The engine's public API: start cases, record what happened, ask what is due.

No wall clock and no I/O: every instant is passed in, aware, by the caller.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from operator import attrgetter
from typing import Any, Literal, overload

from typing_extensions import deprecated

from reglament.calendar import TermRules, WorkCalendar
from reglament.engine.case import (
    Case,
    Record,
    Suspension,
    Token,
    atomic,
    check_data,
    check_instant,
    identify,
    label,
    reglament_problems,
    typed_data,
)
from reglament.engine.compiled import Compiled
from reglament.engine.machine import StepMachine
from reglament.errors import CalendarRangeError, CaseError, MissingDataError, UsageError, unknown
from reglament.procedure import events, graph, outcomes, term, timing
from reglament.procedure.events import Kind
from reglament.procedure.graph import DONE, SPLIT
from reglament.schemas import (
    Decision,
    Duration,
    End,
    Join,
    Notification,
    Parallel,
    Reglament,
    Task,
    Unit,
    Wait,
)
from reglament.schemas.case import case_error
from reglament.schemas.jsonready import ToDict, json_ready

_AT = attrgetter("at")
# The kinds a move records, bound once: an enum member read from its class costs ~0.13 µs on
# Python 3.11 (and ``.value`` ~0.26 µs), a module global ~0.01 µs, and a move reads several.
STARTED, COMPLETED, OVERDUE = Kind.step_started, Kind.step_completed, Kind.step_overdue
_UNIT_TEXT = {unit: unit.value for unit in Unit}
_HOLDING = (Task, Decision, Wait)  # the steps a token stays in; the others it passes at once
UNCOUNTED = "not counted in the term"  # the detail of a step_started the term does not run in

StepState = Literal["on_time", "overdue", "untimed"]
TermState = Literal["on_time", "at_risk", "overdue", "met", "broken", "none"]


@dataclass(frozen=True, slots=True)
class StepStatus(ToDict):
    """An active step seen at one instant: since when, due when, whether it is late."""

    step: str
    actor: str | None
    started: dt.datetime
    due: dt.datetime | None
    state: StepState


@dataclass(frozen=True, slots=True)
class Status(ToDict):
    """A case seen at one instant. ``to_dict()`` gives every field JSON-ready (instants in ISO
    8601 with their offset, ``active`` as a list of :meth:`StepStatus.to_dict`)."""

    at: dt.datetime
    active: tuple[StepStatus, ...]
    term_due: dt.datetime | None
    term: TermState
    finished: bool
    end: str | None

    @property
    def overdue(self) -> tuple[StepStatus, ...]:
        return tuple(s for s in self.active if s.state == "overdue")


@dataclass(frozen=True, slots=True)
class Notice:
    """A message to send because of an event, as the reglament declares it."""

    record: Record
    notification: Notification

    @property
    def template(self) -> str:
        return events.template_name(self.notification)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, as ``simulate --format json`` lists it under ``notifications``: when, the
        event and its step, to whom, by which media, the template; then the record's other
        fields (its outcome, its detail and any a record gains)."""
        record = self.record.to_dict()
        return {
            "at": record.pop("at"),
            "event": record.pop("kind"),
            "step": record.pop("step"),
            "to": json_ready(self.notification.to),
            "via": json_ready(self.notification.via),
            "template": self.template,
            **record,
        }


class Engine:
    """Runs cases of one reglament version. Build it once and share it between cases.

    Every method that takes a case first checks that the case is of this reglament and version
    and names only steps, a channel, a variant and data this version has; every instant passed
    in must be aware and inside the calendar's range. Anything else is a ``UsageError`` (a
    ``CalendarRangeError`` for an instant); an impossible move is a ``CaseError``.

    ``calendar`` defaults to Kazakhstan's; ``rules`` (how terms in days run) to the Civil
    Code's, see :class:`~reglament.calendar.TermRules`."""

    def __init__(
        self,
        reglament: Reglament,
        calendar: WorkCalendar | None = None,
        rules: TermRules | None = None,
    ) -> None:
        self.compiled = Compiled(reglament, calendar, rules)
        self.reglament = reglament

    @cached_property
    def machine(self) -> StepMachine:
        """This version as a ``transitions`` state machine, built on first use from the same
        compiled exits that :meth:`Compiled.route` moves cases along (the two are tested equal,
        move for move); moves themselves go through ``route``, a look-up and the conditions,
        where a trigger of the machine costs about 25 µs."""
        return StepMachine(self.compiled)

    # -- starting ---------------------------------------------------------------------------

    def start(
        self,
        submitted_at: dt.datetime,
        channel: str,
        variant: str | None = None,
        data: dict[str, object] | None = None,
        *,
        case_id: str | None = None,
        receipt: str | None = None,
        outside_period: bool = False,
    ) -> Case:
        """Open a case submitted at ``submitted_at`` through ``channel``. It is accepted at the
        next opening of the channel's office (at once during office hours) and the legal term
        starts then.

        The case gets its id (``case_id``, else :func:`~reglament.engine.case.case_id`) and its application number
        (``receipt``, else :func:`~reglament.engine.case.receipt_number`) now, for good. A
        submission on a day outside the version's effective period is refused unless
        ``outside_period`` says to run it under this version anyway."""
        c, given_id = self.compiled, case_id
        self._at(submitted_at)
        self._in_force(submitted_at, outside_period)
        self._check_data(data or {})
        given = typed_data(data or {}, self.reglament)
        first = c.check_start(channel, variant, given)
        clock = c.channel_clock[channel]
        accepted = clock.accept(submitted_at)
        case = Case(
            reglament=self.reglament.id,
            version=c.version,
            region=self.reglament.region,
            timezone=self.reglament.timezone,
            channel=channel,
            variant=variant,
            data=given,
            submitted_at=submitted_at.astimezone(clock.zone),
            accepted_at=accepted,
        )
        legal = c.term(channel, variant)
        if legal is not None:
            case.term_value = legal.value
            case.term_unit = _UNIT_TEXT[legal.unit]
            case.term_base_due = term.base_due(clock, accepted, legal.value, legal.unit)
        identify(case, _name("receipt", receipt), _name("case_id", given_id))
        case.history.append(
            Record(Kind.accepted, accepted, detail=f"submitted {submitted_at.isoformat()}")
        )
        self._enter(case, first, accepted, None)
        return case

    def check_in_force(self, submitted_at: dt.datetime, outside_period: bool = False) -> None:
        """A ``UsageError`` for a submission on a day the version is not in force (unless
        ``outside_period``)."""
        self._in_force(submitted_at, outside_period)

    def _in_force(self, submitted_at: dt.datetime, outside_period: bool) -> None:
        """A case is submitted while the version is in force, unless the caller says so."""
        effective = self.reglament.effective
        day = submitted_at.astimezone(self.compiled.zone).date()
        if outside_period or effective.contains(day):
            return
        until = f" until {effective.until.isoformat()}" if effective.until else ""
        raise UsageError(
            f"submitted on {day.isoformat()}, outside the effective period of "
            f"{label(self.reglament)} (from {effective.from_.isoformat()}{until}); submit a day "
            "in it, or pass outside_period=True (simulate --outside-period) to run the case "
            "under this version anyway"
        )

    def _check_data(self, data: dict[str, object]) -> None:
        problem = next(check_data(data, self.reglament), None)
        if problem is not None:
            raise UsageError(problem[1])

    def _check(self, case: Case) -> None:
        """The case is one of this engine's (its reglament, version, steps, channel, data)."""
        problems = reglament_problems(case, self.reglament)
        if problems:
            raise case_error(problems)

    def _at(self, at: dt.datetime) -> None:
        """``at`` is aware and on a day the calendar covers, in the reglament's time zone."""
        if not isinstance(at, dt.datetime):
            raise UsageError(f"expected an aware datetime, got {at!r}")
        _aware(at)
        c = self.compiled
        problem = check_instant(at, c.zone, c.first_day, c.last_day)
        if problem is not None:
            raise CalendarRangeError(problem)

    # -- recording what happened ------------------------------------------------------------------

    def set_data(self, case: Case, values: dict[str, object]) -> None:
        """Record facts learnt about the case (conditions read them from then on)."""
        self._check(case)
        self._check_data(values)
        case.data.update(typed_data(values, self.reglament))

    def allowed(self, case: Case) -> dict[str, list[str]]:
        """The moves a caller may record now: step → outcomes."""
        self._check(case)
        moves: dict[str, list[str]] = {}
        for token in case.tokens:
            moves[token.step] = list(self.compiled.exits[token.step])
        return moves

    def complete(
        self,
        case: Case,
        step: str,
        at: dt.datetime,
        outcome: str | None = None,
        *,
        by: str | None = None,
        comment: str | None = None,
    ) -> list[Record]:
        """Record that ``step`` finished at ``at`` (with ``outcome`` for a decision, ``event`` or
        ``timeout`` for a wait), done ``by`` someone, with a ``comment`` (both kept on the
        record, and saved with the case). Returns the events this produced. It applies whole
        or not at all: on any error the case is left as it was."""
        self._check(case)
        self._at(at)
        _name("by", by)
        _comment(comment)
        if case.finished:
            raise CaseError(f"case is finished (at {case.end}); nothing more can be recorded")
        token = next((t for t in case.tokens if t.step == step), None)
        if token is None:
            raise CaseError(
                f"step {step!r} is not active; allowed moves: {_describe(self.allowed(case))}"
            )
        if at < token.started:
            raise CaseError(
                f"step {step!r} cannot finish at {at.isoformat()}, before it started ({token.started.isoformat()})"
            )
        _not_before(case, at, f"step {step!r} cannot finish")
        return self._complete(case, token, at, outcome, by, comment)

    def _complete(
        self,
        case: Case,
        token: Token,
        at: dt.datetime,
        outcome: str | None,
        by: str | None = None,
        comment: str | None = None,
    ) -> list[Record]:
        """:meth:`complete` once its arguments are checked (the case is this engine's, ``at``
        an instant of its calendar at or after the case's last record and ``token``'s start,
        ``token`` one of the case's): the move itself, whole or not at all. ``simulate`` walks
        a case with it, its instants checked once."""
        step = token.step
        trigger = self._trigger(case, token, outcome)
        late = None if self._overdue_recorded(case, token) else self._overdue_since(case, token, at)
        history = case.history
        mark = len(history)
        with atomic(case):
            case.tokens.remove(token)
            if late is not None:  # nobody polled in between: the history still says it was late
                detail = f"completed late, at {at.isoformat()}"
                history.append(Record(OVERDUE, late, step, detail=detail))
            taken = trigger if trigger != DONE else None
            history.append(Record(COMPLETED, at, step, taken, "", by, comment))
            scope = case.scope()
            target = self._fire(case, step, trigger, scope)
            self._enter(case, target, at, token.parallel, scope)
        return history[mark:]

    def _fire(self, case: Case, step_id: str, trigger: str, scope: dict[str, object]) -> str:
        """Where ``trigger`` takes the case (whose conditions read ``scope``) from ``step_id``; a
        route whose condition reads data not set is not taken (a :class:`MissingDataError`
        naming them)."""
        found = self.compiled.exits[step_id].get(trigger, ())
        if found and found[0].condition is not None:  # an unconditional first route decides
            unset = outcomes.unset(self.reglament.data, case.data)
            missing = graph.undetermined((b.condition for b in found), scope, unset)
            if missing:
                raise MissingDataError(
                    f"step {step_id!r} cannot go on: the condition of its route reads "
                    f"{_fields(missing)}, which the case data do not give; set {_them(missing)} "
                    "with set_data first",
                    step_id,
                    trigger,
                    missing,
                )
        return self.compiled.route(step_id, trigger, scope)

    def _trigger(self, case: Case, token: Token, outcome: str | None) -> str:
        step = self.reglament.steps[token.step]
        if isinstance(step, Decision):
            return self._decided(case, token.step, step, outcome)
        if isinstance(step, Wait):
            chosen = outcome or outcomes.default(step)
            allowed = outcomes.outcomes(step)
            if chosen not in allowed:
                raise CaseError(
                    f"wait {token.step!r} ends with {' or '.join(allowed)}, not {chosen!r}"
                )
            return chosen
        if outcome not in (None, DONE):
            raise CaseError(
                f"step {token.step!r} is a {step.kind} and takes no outcome (got {outcome!r})"
            )
        return DONE

    def _decided(self, case: Case, step_id: str, step: Decision, outcome: str | None) -> str:
        """The outcome of decision ``step_id``: the one recorded, checked against the case
        data, else (a decision decided by data) the one the data decide."""
        conditions = self.compiled.outcome_conditions[step_id]
        if outcome is None:
            unset = outcomes.unset(self.reglament.data, case.data)
            missing = graph.undetermined(conditions.values(), case.scope(), unset)
            if outcomes.decided_by_data(step) and missing:
                raise MissingDataError(
                    f"decision {step_id!r} cannot be decided: its conditions read "
                    f"{_fields(missing)}, which the case data do not give; set {_them(missing)} "
                    "with set_data first",
                    step_id,
                    None,
                    missing,
                )
            if outcomes.decided_by_data(step):
                decided = outcomes.decide(conditions, case.scope())
                if decided is not None:
                    return decided
                raise CaseError(
                    f"no condition of decision {step_id!r} holds for this case; "
                    f"record an outcome: {', '.join(step.outcomes)}"
                )
            raise CaseError(
                f"decision {step_id!r} needs an outcome; allowed: {', '.join(step.outcomes)}"
            )
        if outcome not in step.outcomes:
            raise CaseError(
                f"decision {step_id!r} has no outcome {outcome!r}; allowed: {', '.join(step.outcomes)}"
            )
        condition = conditions.get(outcome)
        if condition is None:
            return outcome
        unset = outcomes.unset(self.reglament.data, case.data)
        missing = condition.missing(case.scope(), unset)
        if missing:
            raise MissingDataError(
                f"outcome {outcome!r} of decision {step_id!r} cannot be checked: its condition "
                f"{condition.source!r} reads {_fields(missing)}, which the case data do not give; "
                f"set {_them(missing)} with set_data first",
                step_id,
                None,
                missing,
            )
        if not condition(case.scope()):
            raise CaseError(
                f"outcome {outcome!r} of decision {step_id!r} contradicts the case data "
                f"(its condition {condition.source!r} is false); update the data with set_data first"
            )
        return outcome

    def _enter(
        self,
        case: Case,
        step_id: str,
        at: dt.datetime,
        parallel: str | None,
        scope: dict[str, object] | None = None,
    ) -> None:
        """Put the case into ``step_id`` at ``at``, running instantaneous steps at once
        (``scope``: the case's, if the caller has it already)."""
        if scope is None:
            scope = case.scope()
        step = self.reglament.steps[step_id]
        if isinstance(step, _HOLDING):  # the usual move: into a step that takes time
            self._hold(case, step_id, at, parallel, scope)
            return
        if isinstance(step, End):
            case.tokens.clear()
            case.end = step_id
            case.finished_at = at
            self._close_open_ledger(case, at)
            case.history.append(
                Record(events.ending(step.outcome), at, step_id, step.outcome.value)
            )
            return
        if isinstance(step, Parallel):
            case.history.append(Record(Kind.step_started, at, step_id))
            case.history.append(Record(Kind.step_completed, at, step_id, SPLIT))
            case.arrived[step.join] = []
            for branch in step.branches:
                self._enter(case, branch, at, step_id, scope)
            return
        assert isinstance(step, Join)  # the last kind of step
        opener = self.compiled.steps[self.compiled.opener_id[step_id]]
        assert isinstance(opener, Parallel)
        arrived = case.arrived.setdefault(step_id, [])
        arrived.append(case.next_token)  # one mark per branch that has arrived
        case.next_token += 1
        if len(arrived) < len(opener.branches):
            return
        del case.arrived[step_id]
        case.history.append(Record(Kind.step_started, at, step_id))
        case.history.append(Record(Kind.step_completed, at, step_id))
        target = self._fire(case, step_id, DONE, scope)
        # after the join the case is back in the block that encloses the parallel block
        enclosing = self.compiled.enclosing[self.compiled.opener_id[step_id]]
        self._enter(case, target, at, enclosing, scope)

    def _hold(
        self,
        case: Case,
        step_id: str,
        at: dt.datetime,
        parallel: str | None,
        scope: dict[str, object],
    ) -> None:
        """A token in task, decision or wait ``step_id`` from ``at``, due on entry."""
        duration = self.compiled.duration(step_id, scope)
        due = self.compiled.step_due(step_id, at, duration)
        unit = _UNIT_TEXT[duration.unit] if duration is not None else None
        case.tokens.append(Token(case.next_token, step_id, at, due, parallel, unit))
        case.next_token += 1
        detail = "" if term.counted(duration) else UNCOUNTED
        case.history.append(Record(STARTED, at, step_id, None, detail))

    # -- the term ledger ------------------------------------------------------------------------

    def suspend(self, case: Case, at: dt.datetime, reason: str) -> list[Record]:
        """Stop the legal term and the clocks of the steps under way (e.g. documents requested
        from the applicant): no step is overdue while the case waits."""
        self._check(case)
        self._at(at)
        if case.finished:
            raise CaseError("case is finished; the term cannot be suspended")
        if case.suspensions and case.suspensions[-1].end is None:
            raise CaseError(
                f"the term is already suspended since {case.suspensions[-1].start.isoformat()}"
            )
        _not_before(case, at, "the term cannot be suspended")
        case.suspensions.append(Suspension(at, None, reason))
        record = Record(Kind.suspended, at, detail=reason)
        case.history.append(record)
        return [record]

    def resume(self, case: Case, at: dt.datetime) -> list[Record]:
        """Let the legal term and the steps' clocks run again; each is pushed back by the
        stretch it stood still, in its own unit (docs/calendar.md, "Suspensions")."""
        self._check(case)
        self._at(at)
        if not case.suspensions or case.suspensions[-1].end is not None:
            raise CaseError("the term is not suspended; allowed: suspend")
        if at < case.suspensions[-1].start:
            raise CaseError(
                f"the term cannot resume at {at.isoformat()}, before it was suspended "
                f"({case.suspensions[-1].start.isoformat()}); resume at or after it"
            )
        _not_before(case, at, "the term cannot resume")
        case.suspensions[-1].end = at
        record = Record(Kind.resumed, at)
        case.history.append(record)
        return [record]

    def _close_open_ledger(self, case: Case, at: dt.datetime) -> None:
        if case.suspensions and case.suspensions[-1].end is None:
            case.suspensions[-1].end = at

    def stopped_intervals(
        self, case: Case, at: dt.datetime
    ) -> list[tuple[dt.datetime, dt.datetime]]:
        """When the term did not run up to ``at``: suspensions and steps not counted in it, in
        order, overlapping ones joined (a suspension during an uncounted step stops the term
        once)."""
        self._check(case)
        self._at(at)
        return self._stopped_intervals(case, at)

    def _stopped_intervals(self, case: Case, at: dt.datetime) -> list[Stretch]:
        return _as_of(_term_stretches(case), at)

    def term_due(self, case: Case, at: dt.datetime | None = None) -> dt.datetime | None:
        """The legal term's due instant, pushed back by suspensions and uncounted steps up to
        ``at`` (default: the end of the case, or its last event)."""
        self._check(case)
        if at is not None:
            self._at(at)
        return self._term_due(case, at)

    def _term_due(self, case: Case, at: dt.datetime | None) -> dt.datetime | None:
        if case.term_base_due is None or case.term_unit is None:
            return None
        until = at or case.finished_at or case.history[-1].at
        clock = self.compiled.channel_clock[case.channel]
        intervals = self._stopped_intervals(case, until)
        return term.due(clock, Unit(case.term_unit), case.term_base_due, intervals)

    # -- asking at an instant ---------------------------------------------------------------------

    def status(self, case: Case, at: dt.datetime) -> Status:
        """What is active at ``at``, what is due when, what is overdue, and the term's state.

        While the case is suspended the steps' clocks stand still, as the term's does: a due
        shown then is the one the step would have if the case resumed at ``at``, and a step
        (or the term) is overdue only if it already was when the suspension began."""
        self._check(case)
        self._at(at)
        active = tuple(
            StepStatus(
                t.step,
                getattr(self.reglament.steps[t.step], "actor", None),
                t.started,
                self._step_due(case, t, at),
                "untimed"
                if t.due is None
                else ("overdue" if self._overdue_since(case, t, at) else "on_time"),
            )
            for t in case.tokens
        )
        due = self._term_due(case, at)
        return Status(at, active, due, self._term_state(case, due, at), case.finished, case.end)

    def _term_state(self, case: Case, due: dt.datetime | None, at: dt.datetime) -> TermState:
        """The term's state at ``at``; while it stands still (a suspension, an uncounted step)
        it is judged as of the instant it stopped."""
        if due is None:
            return "none"
        if case.finished_at is not None:
            return "met" if case.finished_at <= due else "broken"
        when = _standing_since(_term_stretches(case), at) or at
        judged = due if when == at else self._term_due(case, when)
        assert judged is not None  # the case has a term
        if when > judged:
            return "overdue"
        clock = self.compiled.channel_clock[case.channel]
        return "at_risk" if term.at_risk(clock, when, judged, self.at_risk_days()) else "on_time"

    # -- the steps' clocks ------------------------------------------------------------------------

    def step_due(self, case: Case, step: str, at: dt.datetime) -> dt.datetime | None:
        """When ``step`` of ``case`` is due as of ``at``, as :meth:`status` gives it.

        An instant names the case as it stands once everything recorded at it is applied (what
        :meth:`status` shows, and the timers plan from): the visit of the step under way at
        ``at``, or else the latest one left by then. A visit runs from its start up to, not
        including, the instant it is left, so at an instant a step is left and entered again
        (a loop whose decision completes at once) it names the new visit; the visit just left
        is named by its record (:meth:`visit_due`). The visit is due at its due on entry pushed
        back by the suspensions while it ran (up to ``at``, or up to when it was left: a later
        suspension does not move it), those begun by its due only: one begun once the step was
        overdue finds its time run out (:func:`timing.pushed_back`). ``None`` when the case had
        not entered the step by ``at``, or the act gives the step no time. An unknown step is a
        ``UsageError``."""
        self._check(case)
        self._at(at)
        if step not in self.reglament.steps:
            raise unknown("step", step, self.reglament.steps, f"in {self.reglament.id}")
        return self._visit_due(case, step, _visit(case.history, step, at), at)

    def visit_due(self, case: Case, record: Record) -> dt.datetime | None:
        """When the visit of its step that ``record`` belongs to is due, as of that record: the
        visit a ``step_started`` opens, a ``step_completed`` closes, a ``step_overdue`` calls
        late (the latest visit of the step begun before the record in the history). It names
        the visit left even when the step was entered again at the same instant, where an
        instant names the new one (:meth:`step_due`); what the notices' ``step_due`` is.
        ``record`` is one of the case's history (the same object, else the first equal one,
        e.g. of a saved case read back); another record, or one that names no step, is a
        ``UsageError``."""
        self._check(case)
        index = _position(case.history, record)
        step = record.step
        if step is None or step not in self.reglament.steps:
            raise UsageError(
                f"{record.kind.value} at {record.at.isoformat()} names no step of "
                f"{self.reglament.id}: ask step_due(case, step, at) for a step as of an instant"
            )
        visit = _visit(case.history[: index + 1], step, record.at)
        return self._visit_due(case, step, visit, record.at)

    def _visit_due(
        self,
        case: Case,
        step: str,
        visit: tuple[dt.datetime, dt.datetime | None] | None,
        at: dt.datetime,
    ) -> dt.datetime | None:
        """The due of ``visit`` of ``step`` (its start and when it was left, ``None``: under
        way), as of ``at`` or as of when it was left."""
        if visit is None:
            return None
        started, left = visit
        token = next((t for t in case.tokens if t.step == step and t.started == started), None)
        if token is None or left is not None:
            duration = self.compiled.duration(step, case.scope())
            due = self.compiled.step_due(step, started, duration)
            unit = duration.unit.value if duration is not None else None
            token = Token(-1, step, started, due, unit=unit)
        return self._step_due(case, token, at if left is None else left)

    def _step_due(self, case: Case, token: Token, at: dt.datetime) -> dt.datetime | None:
        """When ``token``'s step is due as of ``at``: its due on entry, pushed back by the
        suspensions while it ran (up to ``at``)."""
        if token.due is None or not case.suspensions:
            return token.due
        stretches = _as_of([(max(s.start, token.started), s.end) for s in case.suspensions], at)
        if not stretches:
            return token.due
        clock = self.compiled.clock_for(token.step)
        return timing.pushed_back(clock, self._entry_duration(case, token), token.due, stretches)

    def _entry_duration(self, case: Case, token: Token) -> Duration | None:
        """The duration ``token``'s step was given on entry: the one that applies to the case
        now if it gives the token's due (in the unit the token saved), else the first of the
        step's durations that does (``set_data`` may since have changed which applies)."""
        rules = self.compiled.timing[token.step]
        now = timing.applies(rules, case.scope())
        for duration in (now, *(rule.duration for rule in rules)):
            if duration is None or token.unit not in (None, duration.unit.value):
                continue
            if self.compiled.step_due(token.step, token.started, duration) == token.due:
                return duration
        return now

    def _overdue_since(self, case: Case, token: Token, at: dt.datetime) -> dt.datetime | None:
        """The instant ``token``'s step went overdue, if it has by ``at``. Its clock stands
        still while the case is suspended, so then it is judged as of the suspension's start."""
        if not case.suspensions:  # no clock stood still: the due on entry
            due = token.due
            return due if due is not None and at > due else None
        when = _suspended_since(case, at) or at
        due = self._step_due(case, token, when)
        return due if due is not None and when > due else None

    def _overdue_recorded(self, case: Case, token: Token) -> bool:
        """Whether the history has a ``step_overdue`` of this visit of ``token``'s step (after
        its latest ``step_started``)."""
        step = token.step
        for record in reversed(case.history):
            if record.step == step and record.kind is OVERDUE:
                return True
            if record.step == step and record.kind is STARTED:
                return False
        return False

    def suspended_since(self, case: Case, at: dt.datetime) -> dt.datetime | None:
        """When the suspension under way at ``at`` began (``None``: the case is not suspended
        then); the steps' clocks and the term's stand still since then."""
        self._check(case)
        self._at(at)
        return _suspended_since(case, at)

    def term_standing_since(self, case: Case, at: dt.datetime) -> dt.datetime | None:
        """When the legal term last stopped, if it stands still at ``at`` (a suspension, or a
        step not counted in it, under way); ``None``: it runs. :meth:`poll` judges the term as
        of that instant."""
        self._check(case)
        self._at(at)
        return _standing_since(_term_stretches(case), at)

    def overdue_recorded(self, case: Case, step: str) -> bool:
        """Whether the visit under way of ``step`` has had its ``step_overdue`` recorded
        (:meth:`poll` records it once per visit). An unknown step is a ``UsageError``."""
        self._check(case)
        token = self._token(case, step)
        return token is not None and self._overdue_recorded(case, token)

    def entry_duration(self, case: Case, step: str) -> Duration | None:
        """The duration the visit under way of ``step`` was given on entry (``None``: the
        step is not under way, or has no duration)."""
        self._check(case)
        token = self._token(case, step)
        return None if token is None else self._entry_duration(case, token)

    def _token(self, case: Case, step: str) -> Token | None:
        if step not in self.reglament.steps:
            raise unknown("step", step, self.reglament.steps, f"in {self.reglament.id}")
        return next((t for t in case.tokens if t.step == step), None)

    def at_risk_days(self) -> int:
        """Working days before the term's end from which it is at risk (see
        :func:`reglament.procedure.events.at_risk_days`)."""
        return events.at_risk_days(self.reglament)

    def poll(self, case: Case, at: dt.datetime) -> list[Record]:
        """Record, once each, the time-driven events that have come by ``at``: steps overdue
        (once per visit of a step; none while the case is suspended, unless the step already
        was when the suspension began), the term at risk (not once it has passed), the term
        overdue. Returns the new ones in time order. Like a move, it is refused before the
        case's last record (a ``CaseError``), even once the case is finished."""
        self._check(case)
        self._at(at)
        _not_before(case, at, "the case cannot be polled")
        if case.finished:
            return []
        new: list[Record] = []
        for token in case.tokens:
            since = (
                None
                if self._overdue_recorded(case, token)
                else self._overdue_since(case, token, at)
            )
            if since is not None:
                new.append(Record(Kind.step_overdue, since, token.step))
        due = self._term_due(case, at)
        if due is not None:
            seen = {
                r.kind for r in case.history if r.kind in (Kind.term_at_risk, Kind.term_overdue)
            }
            state = self._term_state(case, due, at)
            if state == "at_risk" and Kind.term_at_risk not in seen:
                new.append(Record(Kind.term_at_risk, at, detail=f"due {due.isoformat()}"))
            if state == "overdue" and Kind.term_overdue not in seen:
                overdue = self._term_due(case, _standing_since(_term_stretches(case), at) or at)
                assert overdue is not None
                new.append(Record(Kind.term_overdue, overdue, detail=f"due {overdue.isoformat()}"))
        new.sort(key=lambda record: record.at)
        case.history.extend(new)
        return new

    # -- notifications ----------------------------------------------------------------------------

    @overload
    def notices(self, case: Case, records: Iterable[Record] | None = None) -> list[Notice]: ...

    @overload
    @deprecated("notices(records, channel) is notices(case, records) now")
    def notices(
        self, case: Sequence[Record], records: str | None = None, channel: str | None = None
    ) -> list[Notice]: ...

    def notices(
        self,
        case: Case | Sequence[Record],
        records: Iterable[Record] | str | None = None,
        channel: str | None = None,
    ) -> list[Notice]:
        """The declared notifications that ``records`` (events of ``case``, as ``poll``,
        ``complete`` and the other moves return them; default: its whole history) trigger for
        ``case``: those limited to another channel than the case's are left out.

        Deprecated, for this release: ``notices(records, channel=None)``, the events alone with
        the channel to apply (``None``: every notification, whatever its channel). It warns
        (``DeprecationWarning``) and gives what it gave."""
        if not isinstance(case, Case):
            warnings.warn(
                "Engine.notices(records, channel) is deprecated: pass the case, "
                "notices(case, records), so that its channel applies",
                DeprecationWarning,
                stacklevel=2,
            )
            old_channel = records if isinstance(records, str) else channel
            return self._notices(list(case), old_channel)
        self._check(case)
        if isinstance(records, str) or channel is not None:
            raise UsageError(
                "notices(case, records) takes the channel from the case: give no channel"
            )
        if records is None:
            return self._notices(case.history, case.channel)
        chosen = list(records)
        mine = {id(record) for record in case.history}
        for record in chosen:
            if id(record) not in mine and record not in case.history:
                raise UsageError(
                    f"{record.kind.value} at {record.at.isoformat()} is not an event of this "
                    "case: pass records from its history (what its moves returned)"
                )
        return self._notices(chosen, case.channel)

    def _notices(self, records: list[Record], channel: str | None) -> list[Notice]:
        return [
            Notice(record, notification)
            for record in records
            for notification in self.reglament.notifications
            if events.sends(notification, record.kind, record.step, channel)
        ]

    # -- restoring a saved case ---------------------------------------------------------------------

    def restore(self, saved: Mapping[str, Any]) -> Case:
        """The case saved as ``saved`` (what :meth:`Case.to_dict` gave, e.g. read back with
        ``json.loads``), checked whole against this engine's reglament and version: the one
        call to go on with a saved case. Anything else is a ``UsageError`` on one line naming
        the first bad value by its JSON path (``case.tokens[0].step: ...``). The same as
        ``Case.from_dict(saved, engine.reglament)``."""
        return Case.from_dict(saved, self.reglament)


Stretch = tuple[dt.datetime, dt.datetime]
OpenStretch = tuple[dt.datetime, dt.datetime | None]  # end None: still going on


def _term_stretches(case: Case) -> list[OpenStretch]:
    """Every stretch during which the case's term stood still: its suspensions and the runs of
    steps not counted in it (end ``None`` while it goes on)."""
    found: list[OpenStretch] = [(s.start, s.end) for s in case.suspensions]
    started: dict[str, dt.datetime] = {}
    for record in case.history:
        if record.kind is STARTED and record.detail == UNCOUNTED:
            started[record.step or ""] = record.at
        elif record.kind is COMPLETED and record.step in started:
            found.append((started.pop(record.step), record.at))
    found.extend((begin, None) for begin in started.values())
    return found


def _as_of(stretches: list[OpenStretch], at: dt.datetime) -> list[Stretch]:
    """``stretches`` as they stand at ``at``: one going on then ends there, one begun later is
    not yet; then joined as the term counts them (:func:`reglament.procedure.term.joined`)."""
    return term.joined((a, at if b is None or b > at else b) for a, b in stretches if a < at)


def _standing_since(stretches: list[OpenStretch], at: dt.datetime) -> dt.datetime | None:
    """When the clock that ``stretches`` stop last stopped, if it stands still at ``at``."""
    if not any(a <= at and (b is None or b > at) for a, b in stretches):
        return None
    return next((a for a, b in _as_of(stretches, at) if a <= at <= b), at)


def _visit(
    history: Sequence[Record], step: str, at: dt.datetime
) -> tuple[dt.datetime, dt.datetime | None] | None:
    """The latest visit of ``step`` begun by ``at`` in ``history`` (every record at ``at``
    applied): when it started, and when it was left if that was by ``at`` (``None``: under way
    at ``at``, or never entered by then)."""
    found: tuple[dt.datetime, dt.datetime | None] | None = None
    for record in history:
        if record.step != step or record.at > at:
            continue
        if record.kind is STARTED:
            found = (record.at, None)
        elif record.kind is COMPLETED and found is not None and found[1] is None:
            found = (found[0], record.at)
    return found


def _position(history: Sequence[Record], record: Record) -> int:
    """Where ``record`` is in ``history``: the same object, else the first equal record."""
    found = next((i for i, r in enumerate(history) if r is record), None)
    if found is None:
        found = next((i for i, r in enumerate(history) if r == record), None)
    if found is None:
        raise UsageError(
            f"{record.kind.value} at {record.at.isoformat()} is not an event of this case: "
            "pass a record of its history (what its moves returned)"
        )
    return found


def _suspended_since(case: Case, at: dt.datetime) -> dt.datetime | None:
    """When the suspension under way at ``at`` began (``None``: the case is not suspended)."""
    return _standing_since([(s.start, s.end) for s in case.suspensions], at)


def _describe(moves: dict[str, list[str]]) -> str:
    if not moves:
        return "none"
    return "; ".join(f"{step}: {', '.join(outcomes) or '-'}" for step, outcomes in moves.items())


def _aware(at: dt.datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise UsageError(f"naive datetime {at.isoformat()}: pass an aware one (with a time zone)")


def _not_before(case: Case, at: dt.datetime, what: str) -> None:
    """Instants never go backwards: a move is recorded at or after the case's last record."""
    if at < max(map(_AT, case.history)):
        last = max(case.history, key=_AT)
        raise CaseError(
            f"{what} at {at.isoformat()}: that is before the case's last record "
            f"({last.kind.value} at {last.at.isoformat()}); give an instant at or after it"
        )


def _fields(names: frozenset[str]) -> str:
    return ", ".join(sorted(names))


def _them(names: frozenset[str]) -> str:
    return "it" if len(names) == 1 else "them"


MAX_NAME = 200  # a case id, a receipt number, who did it (as the saved case's schema allows)
MAX_COMMENT = 2000


def _name(what: str, value: str | None) -> str | None:
    """A case id, a receipt number or who did it: ``None``, or a text of 1 to 200 characters."""
    if value is not None and not (isinstance(value, str) and 1 <= len(value) <= MAX_NAME):
        raise UsageError(f"{what} must be a text of 1 to {MAX_NAME} characters, got {value!r:.80}")
    return value


def _comment(value: str | None) -> None:
    if value is not None and not (isinstance(value, str) and len(value) <= MAX_COMMENT):
        raise UsageError(f"comment must be a text of at most {MAX_COMMENT} characters")
