"""Term compliance: does the procedure fit the legal term, on every channel, variant and path,
for every moment an application can be submitted?

For one version, channel and variant:

* the *window* is the version's period in force, at most its first twelve months
  (:func:`window`); every minute of it, nights and days off included, is a submission moment;
* each moment is accepted at the channel office's next opening; moments accepted at the same
  instant have the same future, so the walk runs once per distinct acceptance instant and the
  results are weighted back to the moments (``Clock.accept_grid`` gives the instants and their
  moments from the office intervals, without a grid of every minute);
* every path (:mod:`reglament.audit.paths`) is walked with each step taking its full allowed
  time (``procedure.timing.step_due_batch``: the actor's office clock, the calendar's days),
  sharing the work of common prefixes;
* the legal term (``procedure.term``: the one that applies, its due instant pushed back by the
  steps not counted in it, those of parallel branches at the same time once: ``joined_batch``)
  runs from acceptance on the channel's clock; a path *overruns* when its end is after the due
  instant, as the engine judges a case "broken";
* variants of a channel with the same term, paths and case data share one walk (it counts
  against :data:`MAX_WORK` each time, as if walked again).

Untimed steps, ``by_schedule`` steps without known dates and waits without a limit take no
time: the result is then a lower bound, and says so.

Each step walked and each path finished is a computation over every acceptance instant; a file
gets at most :data:`MAX_WORK` instant-steps of them, over all its channels and variants, so that a
route with hundreds of long paths is audited in seconds. Beyond, the check keeps the paths
finished so far, says that it stopped (``TermCheck.limit``), and the channels and variants after
it are not checked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from reglament.audit.paths import Enumeration, Fork, Item, Move, Path, enumerate_paths
from reglament.calendar import Clock
from reglament.engine import Engine
from reglament.errors import ReglamentError
from reglament.limits import LAST_DAY
from reglament.procedure import outcomes, term, timing
from reglament.schemas import Reglament, Term, Unit, Wait
from reglament.schemas.words import allowed_text, amount_text

I64 = npt.NDArray[np.int64]
Flags = npt.NDArray[np.bool_]
DAY = 86_400
RESOLUTION = 60  # seconds between two submission moments
# acceptance instants times the steps walked and paths finished, per file: about a second (the
# bundled reglaments need at most 14 million)
MAX_WORK = 50_000_000
VISIT = 100  # instant-steps one step visited by the path enumeration costs, about


@dataclass(frozen=True, slots=True)
class Window:
    """The submission moments checked: every minute from ``first`` (inclusive, 00:00) to
    ``until`` (exclusive, 00:00), in the region's local time."""

    first: dt.date
    until: dt.date
    why: str

    @property
    def moments(self) -> int:
        return (self.until - self.first).days * DAY // RESOLUTION

    def describe(self) -> str:
        return (
            f"every minute from {self.first.isoformat()} to {self.until.isoformat()} ({self.why})"
        )


def window(reglament: Reglament) -> Window:
    """The version's period in force, cut to its first twelve months and to the calendar."""
    effective = reglament.effective
    first = effective.from_
    try:
        year_later = first.replace(year=first.year + 1)
    except ValueError:  # 29 February
        year_later = first.replace(year=first.year + 1, day=28)
    if effective.until is not None and effective.until <= year_later:
        return Window(first, effective.until, "the version's whole period in force")
    calendar_end = LAST_DAY + dt.timedelta(days=1)
    if calendar_end < year_later:
        why = f"the version's days in force that the calendar covers, to {LAST_DAY.isoformat()}"
        return Window(first, calendar_end, why)
    return Window(first, year_later, "the version's first twelve months in force")


@dataclass(frozen=True, slots=True)
class Moment:
    """One submission moment and what became of it on one path."""

    submitted: dt.datetime
    after_hours_from: dt.datetime | None  # earliest moment with the same acceptance, if earlier
    accepted: dt.datetime
    end: dt.datetime
    due: dt.datetime | None


@dataclass(frozen=True, slots=True)
class PathCheck:
    """One path, over every submission moment."""

    path: Path
    counted: str  # the counted durations summed, e.g. "11 working days + 45 minutes"
    uncounted: tuple[str, ...]  # steps not counted in the term, with their durations
    untimed: tuple[str, ...]  # steps that took no time (the result is a lower bound)
    worst: Moment
    overrun: int  # office seconds past the due instant at the worst moment (< 0: margin)
    overrun_text: str  # "2 working days 45 minutes", or the margin when it fits
    share: float  # share of submission moments that overrun on this path
    max_working_days: int  # working days after the day of acceptance to the end, at most
    data: dict[str, object] = field(default_factory=dict)  # case data that take this path

    @property
    def overruns(self) -> bool:
        return self.share > 0

    @property
    def lower_bound(self) -> bool:
        return bool(self.untimed)


@dataclass(frozen=True, slots=True)
class TermCheck:
    """One channel and variant of one version."""

    channel: str
    variant: str | None
    term: Term | None
    term_index: int | None  # its index under terms
    window: Window
    paths: tuple[PathCheck, ...]
    share: float  # share of submission moments that overrun on some path
    loops: tuple[tuple[str, str], ...] = ()
    limit: str = ""  # why only some paths were checked ("" when all were)
    error: str | None = None  # why it could not be computed

    @property
    def truncated(self) -> bool:
        """Only some paths were checked (``limit`` says why)."""
        return bool(self.limit)

    @property
    def term_text(self) -> str:
        return "no term" if self.term is None else allowed_text(self.term.value, self.term.unit)

    @property
    def worst(self) -> PathCheck | None:
        """The path that overruns most (or fits with the least margin); without a term, the
        longest."""
        if not self.paths:
            return None
        if self.term is None:
            return max(self.paths, key=lambda p: (p.max_working_days, p.worst.end))
        return max(self.paths, key=lambda p: p.overrun)

    @property
    def overruns(self) -> bool:
        return self.share > 0


class _Spent(Exception):
    """The file's :data:`MAX_WORK` is used up."""


@dataclass(slots=True)
class _Budget:
    left: int = MAX_WORK
    spent: bool = False

    def spend(self, work: int) -> None:
        if self.left < work:
            self.spent = True
            raise _Spent
        self.left -= work


@dataclass(slots=True)
class _State:
    pos: I64
    stopped: list[tuple[I64, I64]] = field(default_factory=list)
    untimed: tuple[str, ...] = ()


class _Walk:
    """Walks the paths of one channel and variant over the distinct acceptance instants."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        legal: Term | None,
        accepted: I64,
        weights: I64,
        earliest: I64,
        in_grid: Flags,
        budget: _Budget,
    ) -> None:
        self.engine = engine
        self.budget = budget
        budget.spend(len(accepted))
        self.clock = clock
        self.term = legal
        self.accepted = accepted
        self.weights = weights
        self.total = int(weights.sum())
        self.earliest = earliest
        self.in_grid = in_grid
        self.base_due = (
            None if legal is None else term.base_due_batch(clock, accepted, legal.value, legal.unit)
        )
        self.accepted_days = clock.ordinals(accepted)
        self.any_overrun = np.zeros(len(accepted), dtype=np.bool_)
        self.results: list[PathCheck] = []
        self.data: dict[Path, dict[str, object]] = {}

    def run(self, paths: Sequence[Path], data: dict[Path, dict[str, object]]) -> None:
        self.data = data
        self._tree(list(paths), 0, _State(self.accepted))

    def _tree(self, paths: list[Path], depth: int, state: _State) -> None:
        groups: dict[Item, list[Path]] = {}
        for path in paths:
            if depth == len(path.items):
                self._finish(path, state)
            else:
                groups.setdefault(path.items[depth], []).append(path)
        for item, members in groups.items():
            self._tree(members, depth + 1, self._apply(item, state))

    def _apply(self, item: Item, state: _State) -> _State:
        if isinstance(item, Move):
            return self._move(item, state)
        return self._fork(item, state)

    def share(self) -> float:
        """The share of submission moments that overrun on some path walked."""
        if self.term is None:
            return 0.0
        return float(self.weights[self.any_overrun].sum()) / self.total

    def _move(self, move: Move, state: _State) -> _State:
        self.budget.spend(len(state.pos))
        clock = self.engine.compiled.clock_for(move.step)
        schedules = self.engine.reglament.external_schedules
        firsts = _firsts(state.pos)
        if 2 * len(firsts) < len(state.pos):  # equal starts end equal: compute each once
            runs = _runs(firsts, len(state.pos))
            end_once, unknown_once = timing.step_due_batch(
                clock, move.duration, state.pos[firsts], schedules
            )
            end, unknown = end_once[runs], unknown_once[runs]
        else:
            end, unknown = timing.step_due_batch(clock, move.duration, state.pos, schedules)
        stopped = state.stopped
        if not term.counted(move.duration):
            stopped = [*stopped, (state.pos, end)]
        untimed = state.untimed
        step = self.engine.reglament.steps[move.step]
        if unknown.any() or (move.duration is None and isinstance(step, Wait)):
            untimed = (*untimed, move.step)
        return _State(end, stopped, untimed)

    def _fork(self, fork: Fork, state: _State) -> _State:
        ends: list[I64] = []
        stopped = list(state.stopped)
        untimed = state.untimed
        for branch in fork.branches:
            inner = _State(state.pos)
            for item in branch:
                inner = self._apply(item, inner)
            ends.append(inner.pos)
            stopped.extend(inner.stopped)
            untimed = (*untimed, *inner.untimed)
        joined: I64 = np.maximum.reduce(ends) if ends else state.pos
        return _State(joined, stopped, untimed)

    def _due(self, state: _State) -> I64 | None:
        if self.term is None or self.base_due is None:
            return None
        # the branches of a parallel block may stand still at the same time: joined, the term
        # stands still once over them, as the engine counts it
        stretches = [(None, a, e) for a, e in term.joined_batch(state.stopped)]
        return term.due_batch(self.clock, self.term.unit, self.base_due, stretches)

    def _finish(self, path: Path, state: _State) -> None:
        self.budget.spend(len(state.pos))
        clock = self.clock
        end = state.pos
        due = self._due(state)
        last = np.where(end % DAY == 0, end - 1, end)
        working = _per_run(self._working_days, self.accepted_days, clock.ordinals(last))
        if due is None:
            key = (working.astype(np.int64) << 32) + (end - self.accepted)
            worst = int(np.argmax(key))  # the most working days, then the longest
            overrun = 0
            share = 0.0
        else:
            late = end > due
            self.any_overrun |= late
            office = _per_run(clock.office_seconds_batch, end) - _per_run(
                clock.office_seconds_batch, due
            )
            best = office.max()
            raw = np.where(office == best, end - due, np.iinfo(np.int64).min)
            worst = int(np.argmax(raw))
            overrun = int(office[worst])
            if overrun == 0 and end[worst] > due[worst]:
                overrun = 1  # later, but only outside office time
            share = float(self.weights[late].sum()) / self.total
        text = ""
        if due is not None:
            a, b = (int(due[worst]), int(end[worst]))
            text = gap_words(clock, self.term.unit if self.term else Unit.minutes, *sorted((a, b)))
        self.results.append(
            PathCheck(
                path=path,
                counted=counted_text(path),
                uncounted=uncounted(path),
                untimed=tuple(dict.fromkeys(state.untimed)),
                worst=self._moment(worst, end, due),
                overrun=overrun,
                overrun_text=text,
                share=share,
                max_working_days=int(working.max()) if len(working) else 0,
                data=dict(self.data.get(path, {})),
            )
        )

    def _working_days(self, accepted: I64, last: I64) -> I64:
        """Working days after the day of acceptance up to the day of ``last`` (0 if before)."""
        days: I64 = self.clock.calendar.working_days_between_batch(
            accepted, np.maximum(last, accepted)
        )
        return days

    def _moment(self, i: int, end: I64, due: I64 | None) -> Moment:
        at = self.clock.instant
        accepted = int(self.accepted[i])
        earliest = int(self.earliest[i])
        in_grid = bool(self.in_grid[i])
        submitted = accepted if in_grid else earliest
        return Moment(
            submitted=at(submitted),
            after_hours_from=at(earliest) if in_grid and earliest < accepted else None,
            accepted=at(accepted),
            end=at(int(end[i])),
            due=None if due is None else at(int(due[i])),
        )


def check_terms(
    engine: Engine, only: Sequence[tuple[str, str | None]] | None = None
) -> list[TermCheck]:
    """Term compliance of every channel with a procedure and every variant it serves (or
    ``only`` those); each path is walked with case data the channel admits (its ``when``).
    Stops, saying so in the last check, when the file's :data:`MAX_WORK` is spent."""
    compiled = engine.compiled
    span = window(engine.reglament)
    combos = only or [(c, v) for c in compiled.starts for v in compiled.served_variants(c)]
    found: list[TermCheck] = []
    prepared: dict[str, tuple[I64, I64, I64, Flags]] = {}
    walked: dict[Hashable, _Walked] = {}
    budget = _Budget()
    for channel, variant in combos:
        found.append(_check(engine, channel, variant, span, prepared, walked, budget))
        if budget.spent:
            break
    return found


def _check(
    engine: Engine,
    channel: str,
    variant: str | None,
    span: Window,
    prepared: dict[str, tuple[I64, I64, I64, Flags]],
    walked: dict[Hashable, _Walked],
    budget: _Budget,
) -> TermCheck:
    compiled = engine.compiled
    legal = compiled.term(channel, variant)
    index = None if legal is None else engine.reglament.terms.index(legal)
    clock = compiled.channel_clock[channel]
    enumeration: Enumeration = enumerate_paths(compiled, channel, variant)
    limit = enumeration.limit
    walk: _Walk | None = None
    shared: _Walked | None = None
    try:
        budget.spend(enumeration.visits * VISIT)
        if channel not in prepared:
            budget.spend(span.moments)
            prepared[channel] = _moments(clock, span)
        key = _walk_key(channel, index, enumeration)
        done = walked.get(key)
        if done is not None and budget.left >= done.work:  # as walked for another variant
            budget.left -= done.work
            loops = tuple(sorted(enumeration.loops))
            return TermCheck(
                channel, variant, legal, index, span, done.paths, done.share, loops, limit
            )
        accepted, weights, earliest, in_grid = prepared[channel]
        left = budget.left
        walk = _Walk(engine, clock, legal, accepted, weights, earliest, in_grid, budget)
        walk.run(enumeration.paths, enumeration.data)
        shared = walked[key] = _Walked(tuple(walk.results), walk.share(), left - budget.left)
    except _Spent:
        limit = (
            f"the audit's {MAX_WORK:,} instant-steps per file ran out here (the channels and "
            "variants after this one were not checked)"
        )
    except ReglamentError as error:  # e.g. a period outside the calendar's years
        return TermCheck(channel, variant, legal, index, span, (), 0.0, error=str(error))
    return TermCheck(
        channel,
        variant,
        legal,
        index,
        span,
        shared.paths if shared else tuple(walk.results) if walk else (),
        shared.share if shared else walk.share() if walk else 0.0,
        tuple(sorted(enumeration.loops)),
        limit,
    )


@dataclass(frozen=True, slots=True)
class _Walked:
    """A finished walk: its paths' results, the share that overruns, and the work it took."""

    paths: tuple[PathCheck, ...]
    share: float
    work: int


def _walk_key(channel: str, term_index: int | None, enumeration: Enumeration) -> Hashable:
    """What a walk's result depends on besides the file: the channel (its clock and moments),
    the term, the paths and the case data taking each. Variants that share them (a variant
    often changes only the documents) share the walk."""
    data = tuple(
        (path, repr(sorted(enumeration.data.get(path, {}).items()))) for path in enumeration.paths
    )
    return channel, term_index, data


def _moments(clock: Clock, span: Window) -> tuple[I64, I64, I64, Flags]:
    """The distinct acceptance instants of the window's submission moments, in order
    (``Clock.accept_grid``: from the office intervals, without the grid of moments), how many
    moments each stands for, the earliest moment accepted at each, and whether the instant is
    itself a moment."""
    start = clock.position(dt.datetime.combine(span.first, dt.time(), tzinfo=clock.zone))
    accepted, firsts = clock.accept_grid(start, RESOLUTION, span.moments)
    counts = np.diff(firsts, append=span.moments)
    earliest = start + RESOLUTION * firsts
    last = start + RESOLUTION * (span.moments - 1)
    in_grid = ((accepted - start) % RESOLUTION == 0) & (accepted <= last)
    return accepted, counts, earliest, in_grid


def _firsts(values: I64) -> npt.NDArray[np.intp]:
    """Where each run of equal consecutive ``values`` begins. The walk's positions are in
    acceptance order and every step's due instant grows with its start, so after a step counted in
    days most of them repeat."""
    if not len(values):
        return np.zeros(0, dtype=np.intp)
    starts = np.empty(len(values), dtype=np.bool_)
    starts[0] = True
    np.not_equal(values[1:], values[:-1], out=starts[1:])
    return np.flatnonzero(starts)


def _per_run(compute: Callable[..., I64], *columns: I64) -> I64:
    """``compute(*columns)``, element by element, computed once per run of equal consecutive
    rows when the rows repeat (positions after a step counted in days mostly do)."""
    size = len(columns[0])
    if size < 2:
        return compute(*columns)
    changes = np.zeros(size - 1, dtype=np.bool_)
    for column in columns:
        changes |= column[1:] != column[:-1]
    firsts = np.flatnonzero(np.concatenate(([True], changes)))
    if 2 * len(firsts) >= size:
        return compute(*columns)
    once = compute(*(column[firsts] for column in columns))
    return once[_runs(firsts, size)]


def _runs(firsts: npt.NDArray[np.intp], size: int) -> npt.NDArray[np.intp]:
    """The run of each of ``size`` values whose runs begin at ``firsts``:
    ``values[firsts][runs] == values``."""
    counts = np.diff(firsts, append=size)
    return np.repeat(np.arange(len(firsts), dtype=np.intp), counts)


def answers(engine: Engine, path: Path) -> dict[str, str]:
    """The outcomes of ``path`` as :func:`~reglament.engine.simulate.simulate` takes them
    (``--answer``): those the caller chooses (decisions decided by the case data follow the
    path's ``data``)."""
    steps = engine.reglament.steps
    return {
        m.step: m.outcome
        for m in path.moves()
        if m.outcome is not None and not outcomes.decided_by_data(steps[m.step])
    }


# -- words -------------------------------------------------------------------------------------------


def minutes_words(seconds: int) -> str:
    """``45 minutes``, ``1 hour 5 minutes``, ``2 hours``."""
    minutes = (seconds + 59) // 60
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(amount_text(hours, Unit.hours))
    if rest or not hours:
        parts.append(amount_text(rest, Unit.minutes))
    return " ".join(parts)


def gap_words(clock: Clock, unit: Unit, a: int, b: int) -> str:
    """How far position ``b`` is after ``a``, in the term's words: whole working (or calendar)
    days, each keeping ``a``'s time of day, then the office time left (``2 working days 45
    minutes``); minutes and hours terms in office time only."""
    office = clock.office_seconds_batch(np.array([a, b], dtype=np.int64))
    if unit in (Unit.minutes, Unit.hours):
        return minutes_words(int(office[1] - office[0]))
    calendar = clock.calendar
    first = calendar.first_day
    day, time_of_day = divmod(a, DAY)
    start = first + dt.timedelta(days=day)
    anchor, days = a, 0
    while True:
        if unit is Unit.working_days:
            nxt = calendar.add_working_days(start, days + 1)
        else:
            nxt = start + dt.timedelta(days=days + 1)
        candidate = (nxt - first).days * DAY + time_of_day
        if candidate > b:
            break
        anchor, days = candidate, days + 1
    rest = clock.office_seconds_batch(np.array([anchor, b], dtype=np.int64))
    left = int(rest[1] - rest[0])
    parts = [amount_text(days, unit)] if days else []
    if left or not days:
        parts.append(minutes_words(left))
    return " ".join(parts)


def counted_text(path: Path) -> str:
    """The durations of the counted steps, summed per unit: ``11 working days + 45 minutes``."""
    totals: dict[Unit, int] = {}
    for move in path.moves():
        d = move.duration
        if d is None or not term.counted(d) or d.value is None:
            continue
        unit = Unit.minutes if d.unit is Unit.hours else d.unit
        totals[unit] = totals.get(unit, 0) + (d.value * 60 if d.unit is Unit.hours else d.value)
    parts = []
    for unit in (Unit.working_days, Unit.calendar_days):
        if unit in totals:
            parts.append(allowed_text(totals[unit], unit))
    if Unit.minutes in totals:
        parts.append(minutes_words(totals[Unit.minutes] * 60))
    return " + ".join(parts) or "no time"


def uncounted(path: Path) -> tuple[str, ...]:
    return tuple(
        f"{m.step} ({allowed_text(m.duration.value, m.duration.unit)})"
        for m in path.moves()
        if m.duration is not None and not term.counted(m.duration)
    )
