"""Simulation on a virtual clock: a case walked from submission to its end.

Each step takes its full allowed time unless an actual time is given; decisions follow the given
answers, else their conditions over the case data, else their first outcome (said in the
timeline). A step the act gives no time (``untimed``, or ``by_schedule`` without known dates)
takes no time and is flagged, so the plan's end is then a lower bound.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from reglament.calendar import Clock
from reglament.engine.case import Case, Record, Token
from reglament.engine.runtime import Engine, Notice
from reglament.errors import Arg, CaseError, MissingDataError, UsageError, unknown
from reglament.limits import shown
from reglament.procedure import outcomes, term, timing
from reglament.procedure.events import Kind
from reglament.schemas import Decision, Duration, Unit, Wait
from reglament.schemas.common import too_long
from reglament.schemas.words import allowed_text, amount_text

MAX_STEPS = 10_000
_COMPLETED = Kind.step_completed  # bound once: an enum member read from its class costs ~0.13 µs

_ACTUAL = re.compile(
    r"^\s*(\d+)\s*(m|min|minutes?|h|hours?|wd|working[_ ]days?|cd|calendar[_ ]days?)\s*$"
)
_DAYS_ALONE = re.compile(r"^\s*(\d+)\s*(d|days?)\s*$")
_UNITS = {
    "m": Unit.minutes,
    "min": Unit.minutes,
    "minute": Unit.minutes,
    "minutes": Unit.minutes,
    "h": Unit.hours,
    "hour": Unit.hours,
    "hours": Unit.hours,
    "wd": Unit.working_days,
    "cd": Unit.calendar_days,
}
ACTUAL_UNITS = "45m or 45 minutes, 2h or 2 hours, 3wd or 3 working days, 5cd or 5 calendar days"
"""The units ``--actual`` understands, as its help and the README give them."""


@dataclass(frozen=True, slots=True)
class Actual:
    """How long a step really took: a value in a unit, counted in the actor's office time."""

    value: int
    unit: Unit

    def __str__(self) -> str:
        return amount_text(self.value, self.unit)


def parse_actual(text: str) -> Actual:
    """``45m``, ``2h``, ``3wd``, ``5cd``, ``30 minutes``, ``3 working days`` → :class:`Actual`
    (:data:`ACTUAL_UNITS`); no longer than the calendar's span, as a duration of a definition.
    Days without their kind (``3d``, ``3 days``) are refused: working or calendar?"""
    match = _ACTUAL.match(text.lower())
    if match is None:
        alone = _DAYS_ALONE.match(text.lower())
        if alone is not None:
            n = shown(alone.group(1))
            raise UsageError(
                f"duration {text!r}: days alone may be working or calendar days; write {n}wd "
                f"(working days) or {n}cd (calendar days)"
            )
        raise UsageError(f"duration {text!r} not understood; write {ACTUAL_UNITS}")
    digits, word = match.group(1), match.group(2).replace(" ", "_")
    if word.startswith("working"):
        unit = Unit.working_days
    elif word.startswith("calendar"):
        unit = Unit.calendar_days
    else:
        unit = _UNITS[word]
    problem = too_long(digits, unit)  # before int(): 5,000 digits are no number Python reads
    if problem:
        raise UsageError(problem)
    return Actual(int(digits), unit)


class Explained:
    """A text built the first time it is read (a timeline's explanations: most callers never
    read them, and building one walks the calendar day by day). Equal to another with the same
    text."""

    __slots__ = ("_make", "_text")

    def __init__(self, make: Callable[[], str]) -> None:
        self._make: Callable[[], str] | None = make
        self._text: str | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            assert self._make is not None
            self._text, self._make = self._make(), None
        return self._text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Explained) and self.text == other.text

    def __hash__(self) -> int:
        return hash(self.text)

    def __repr__(self) -> str:
        return repr(self.text)


@dataclass(frozen=True, slots=True)
class Row:
    """One step of a simulated case."""

    step: str
    kind: str
    actor: str | None
    start: dt.datetime
    due: dt.datetime | None
    end: dt.datetime
    outcome: str | None
    allowed: str  # the allowed time in words, e.g. "17 working days" or "untimed"
    explained: Explained  # how the due time was computed, built when read: see explanation
    counted: bool  # counted in the legal term
    flags: tuple[str, ...] = ()

    @property
    def explanation(self) -> str:
        """How the due time was computed (built the first time it is read)."""
        return self.explained.text

    @property
    def late(self) -> bool:
        return self.due is not None and self.end > self.due


@dataclass(frozen=True, slots=True)
class Timeline:
    """A simulated case from submission to its end."""

    case: Case
    rows: tuple[Row, ...]
    term_due: dt.datetime | None
    term_text: str
    term_explained: Explained  # how the term's due was computed, built when read
    notices: tuple[Notice, ...]
    assumptions: tuple[str, ...] = field(default=())

    @property
    def term_explanation(self) -> str:
        """How the term's due instant was computed (built the first time it is read)."""
        return self.term_explained.text

    @property
    def end(self) -> dt.datetime:
        assert self.case.finished_at is not None
        return self.case.finished_at

    @property
    def term_met(self) -> bool | None:
        if self.term_due is None:
            return None
        return self.end <= self.term_due

    @property
    def lower_bound(self) -> bool:
        """True when some step had no time in the act, so the real end may be later."""
        return any("untimed" in row.flags for row in self.rows)


def simulate(
    engine: Engine,
    submitted_at: dt.datetime,
    channel: str,
    variant: str | None = None,
    data: Mapping[str, object] | None = None,
    answers: Mapping[str, str] | None = None,
    actuals: Mapping[str, Actual] | None = None,
    *,
    outside_period: bool = False,
) -> Timeline:
    """Walk one case on a virtual clock and return its timeline.

    Where a decision or a route reads case data not given, a value is assumed (the first, in
    :func:`reglament.procedure.outcomes.candidates`' order, that takes the first way that can be
    taken), set on the case and stated in ``assumptions``; a number, a text or a date is never
    assumed (a :class:`UsageError` asks for it). A walk that comes back to where it was with
    the same data would go round for ever: it stops with a :class:`UsageError` naming the
    loop. ``outside_period`` is :meth:`Engine.start`'s."""
    reglament = engine.reglament
    answers = dict(answers or {})
    actuals = dict(actuals or {})
    for name in (*answers, *actuals):
        if name not in reglament.steps:
            raise unknown("step", name, reglament.steps, f"in {reglament.id}")
    case = engine.start(
        submitted_at, channel, variant, dict(data or {}), outside_period=outside_period
    )
    compiled, steps = engine.compiled, reglament.steps
    rows: list[Row] = []
    assumptions: list[str] = []
    seen: dict[object, int] = {}
    known = _data_key(case)
    # The walk's moves are checked once here: the case is the engine's, every instant is a
    # planned end at or after its step's start and the case's last record (the earliest
    # planned end goes first), so each move goes through Engine._complete, not complete().
    for _ in range(MAX_STEPS):
        if case.finished:
            break
        _no_loop(engine, case, rows, seen, known)
        token, end, flags = _next(engine, case, actuals)
        step = steps[token.step]
        outcome = _outcome(engine, case, token.step, answers, assumptions)
        duration = compiled.duration(token.step, case.scope())
        explained = Explained(
            step_explainer(compiled.clock_for(token.step), duration, token.started)
        )
        records, assumed = _complete(engine, case, token, end, outcome, assumptions)
        if assumed:
            known = _data_key(case)
        rows.append(
            Row(
                step=token.step,
                kind=step.kind,
                actor=getattr(step, "actor", None),
                start=token.started,
                due=token.due,
                end=end,
                outcome=_taken(records, token.step) if isinstance(step, Decision | Wait) else None,
                allowed=_allowed(duration),
                explained=explained,
                counted=term.counted(duration),
                flags=flags,
            )
        )
    else:
        raise UsageError(
            f"simulation of {reglament.id} did not end within {MAX_STEPS} steps: the answers lead round a loop"
        )
    term_due = engine._term_due(case, None)
    term_text, term_explained = term_words(engine, case)
    notices = tuple(engine._notices(case.history, case.channel))
    return Timeline(
        case, tuple(rows), term_due, term_text, term_explained, notices, tuple(assumptions)
    )


def _next(
    engine: Engine, case: Case, actuals: Mapping[str, Actual]
) -> tuple[Token, dt.datetime, tuple[str, ...]]:
    """The step under way that ends first (by its planned end, then the order it was entered
    in), when, and its flags."""
    if len(case.tokens) == 1:
        token = case.tokens[0]
        return (token, *_planned_end(engine, case, token, actuals))
    planned = [(_planned_end(engine, case, t, actuals), t) for t in case.tokens]
    (end, flags), token = min(planned, key=lambda p: (p[0][0], p[1].id))
    return token, end, flags


@functools.lru_cache(maxsize=256)
def _allowed_words(value: int | None, unit: Unit) -> str:
    return allowed_text(value, unit)


def _allowed(duration: Duration | None) -> str:
    """A row's allowed time in words (the same few durations come back in every case)."""
    if duration is None:
        return "no time limit"
    return _allowed_words(duration.value, duration.unit)


def _complete(
    engine: Engine,
    case: Case,
    token: Token,
    end: dt.datetime,
    outcome: str | None,
    assumptions: list[str],
) -> tuple[list[Record], bool]:
    """Complete ``token``'s step at ``end`` (the events it produced), assuming (and saying so)
    the values of data the way on needs (and whether it did)."""
    assumed = False
    while True:
        try:
            return engine._complete(case, token, end, outcome), assumed
        except MissingDataError as missing:
            values = assume(engine, case.scope(), missing.step, missing.trigger, missing.fields)
            engine.set_data(case, values)
            assumptions.extend(assumed_text(missing.step, missing.trigger, values))
            assumed = True
        except CaseError as error:  # pragma: no cover - simulate only makes allowed moves
            raise UsageError(f"simulation stopped at {token.step!r}: {error}") from None


def assume(
    engine: Engine,
    scope: Mapping[str, object],
    step_id: str,
    trigger: str | None,
    missing: frozenset[str],
) -> dict[str, object]:
    """The values a simulation assumes for the ``missing`` data that the outcomes of decision
    ``step_id`` (``trigger`` ``None``), or the routes it takes with ``trigger``, read (see
    :func:`reglament.procedure.outcomes.assumed`); a :class:`UsageError` when they cannot be
    assumed. The batch assumes with this too."""
    compiled = engine.compiled
    if trigger is None:
        conditions = list(compiled.outcome_conditions[step_id].values())
    else:
        conditions = [b.condition for b in compiled.exits[step_id][trigger]]
    values = outcomes.assumed(conditions, scope, engine.reglament.data, missing)
    if not values:
        fields = ", ".join(sorted(missing))
        raise UsageError(
            f"simulation stopped at {step_id!r}: {_reader(step_id, trigger)} reads {fields}, "
            f"which is not given and cannot be assumed; give it with --data {min(missing)}=VALUE"
        )
    return values


def assumed_text(step_id: str, trigger: str | None, values: Mapping[str, object]) -> list[str]:
    """What the timeline says of each value assumed."""
    return [
        f"{name} = {str(value).lower() if isinstance(value, bool) else value} assumed: the case "
        f"data do not give it, and {_reader(step_id, trigger)} reads it (give it with --data "
        f"{name}=VALUE)"
        for name, value in values.items()
    ]


def _reader(step_id: str, trigger: str | None) -> str:
    return f"decision {step_id!r}" if trigger is None else f"the route out of {step_id!r}"


def _data_key(case: Case) -> tuple[tuple[str, str], ...]:
    """The case data as :func:`_no_loop` compares them."""
    return tuple(sorted((k, repr(v)) for k, v in case.data.items()))


def _no_loop(
    engine: Engine,
    case: Case,
    rows: list[Row],
    seen: dict[object, int],
    data: tuple[tuple[str, str], ...],
) -> None:
    """The same steps under way with the same ``data`` (:func:`_data_key`, and so the same
    answers) as before: the walk would go round the same loop for ever."""
    tokens = case.tokens
    where = (
        ((tokens[0].step, tokens[0].parallel or ""),)
        if len(tokens) == 1
        else tuple(sorted((t.step, t.parallel or "") for t in tokens)),
        tuple(sorted((j, len(ids)) for j, ids in case.arrived.items())) if case.arrived else (),
        data,
    )
    if where in seen:
        loop = [row.step for row in rows[seen[where] :]]
        steps = " → ".join([*loop, loop[0]])
        raise UsageError(
            f"simulation of {engine.reglament.id} goes round a loop that never ends ({steps}) "
            "with these answers and data; choose another outcome of one of its steps with "
            "--answer STEP=OUTCOME"
        )
    seen[where] = len(rows)


def _taken(records: list[Record], step_id: str) -> str | None:
    """The outcome the engine recorded for the step just completed (``records``: what the
    move produced)."""
    for record in records:
        if record.kind is _COMPLETED and record.step == step_id:
            return record.outcome
    return None  # pragma: no cover - the step was just completed


def _planned_end(
    engine: Engine, case: Case, token: Token, actuals: Mapping[str, Actual]
) -> tuple[dt.datetime, tuple[str, ...]]:
    clock = engine.compiled.clock_for(token.step)
    if token.step in actuals:
        actual = actuals[token.step]
        taken = clock.add_after_handover(token.started, actual.value, actual.unit.value)
        return taken.due, ("actual",)
    if token.due is not None:
        return token.due, ()
    duration = engine.compiled.duration(token.step, case.scope())
    if duration is None:
        return token.started, ()
    if duration.unit is Unit.by_schedule:
        return token.started, ("untimed", "by schedule")
    return token.started, ("untimed",)


def _outcome(
    engine: Engine, case: Case, step_id: str, answers: Mapping[str, str], assumptions: list[str]
) -> str | None:
    step = engine.reglament.steps[step_id]
    if isinstance(step, Decision):
        return _decision_outcome(engine, step_id, step, answers, assumptions)
    if isinstance(step, Wait):
        answer = answers.get(step_id, outcomes.default(step))
        allowed = outcomes.outcomes(step)
        if answer not in allowed:
            raise UsageError(f"wait {step_id!r} ends with {' or '.join(allowed)}, not {answer!r}")
        return answer
    if step_id in answers:
        raise UsageError(f"step {step_id!r} is a {step.kind}: it has no outcomes to answer")
    return None


def _decision_outcome(
    engine: Engine,
    step_id: str,
    step: Decision,
    answers: Mapping[str, str],
    assumptions: list[str],
) -> str | None:
    """The given answer, else ``None`` where the case data decide (the engine does), else the
    first outcome, assumed and said so."""
    by_data = outcomes.decided_by_data(step)
    if step_id in answers and by_data:
        conditions = engine.compiled.outcome_conditions[step_id]
        rules = "; ".join(f"{o}: {c.source}" for o, c in conditions.items() if c)
        raise UsageError(
            f"decision {step_id!r} is decided by conditions over the case data ({rules}); "
            "set the data with ",
            Arg("data"),
            " instead",
        )
    if step_id in answers:
        if answers[step_id] not in step.outcomes:
            raise UsageError(
                f"decision {step_id!r} has no outcome {answers[step_id]!r}; allowed: {', '.join(step.outcomes)}"
            )
        return answers[step_id]
    if by_data:
        return None  # the engine decides from the case data
    first = next(iter(step.outcomes))
    assumptions.append(
        f"{step_id}: outcome {first!r} assumed (the first listed; choose with --answer {step_id}=OUTCOME)"
    )
    return first


def step_explainer(
    clock: Clock, duration: Duration | None, started: dt.datetime
) -> Callable[[], str]:
    """How a step's due was computed, when asked: its deadline's explanation, else why there
    is none (empty for a step without a duration). A simulated timeline's rows, and a stored
    case's re-audit (``reglament.runtime.audit``), explain with it."""

    def explain() -> str:
        if duration is None:
            return ""
        deadline = timing.step_deadline(clock, duration, started)
        if deadline is not None:
            return deadline.explanation
        return duration.note or "the act gives no time for this step"

    return explain


def term_words(engine: Engine, case: Case) -> tuple[str, Explained]:
    """The legal term of ``case`` in words, and how its due was computed (built when read):
    the deadline's explanation and the stretches it stood still by the case's end or last
    record (a simulated timeline's, and a stored case's re-audit, ``reglament.runtime.audit``)."""
    if case.term_value is None or case.term_unit is None:
        return "the act states no overall term", Explained(str)
    value, unit = case.term_value, case.term_unit
    clock = engine.compiled.channel_clock[case.channel]
    intervals = engine._stopped_intervals(case, case.finished_at or case.history[-1].at)

    def explain() -> str:
        deadline = clock.add(case.accepted_at, value, unit)
        extra = (
            f"; the term stood still for {len(intervals)} stretch(es) (suspensions, uncounted "
            "steps)"
            if intervals
            else ""
        )
        return deadline.explanation + extra

    return allowed_text(value, Unit(unit)), Explained(explain)


def events_of(timeline: Timeline) -> list[Record]:
    """The case's events in order (for notifications and reports)."""
    return [r for r in timeline.case.history if r.kind is not Kind.step_started]
