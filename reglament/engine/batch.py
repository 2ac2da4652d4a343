"""Many cases at once: arrivals over a period, drawn outcomes, the distribution of completion times.

``simulate_many`` runs N cases of one reglament version through one channel (and variant) with
fixed case data, each step taking its full allowed time, as :func:`simulate` plans one case. It
is vectorised: cases that take the same way through the steps (the same *path*) move together,
and each step's due instant and the term's are computed for the whole group at once by the
vectorised forms of :mod:`reglament.procedure`'s rules (``timing.step_due_batch``,
``term.due_batch``, on int64 *positions*: local seconds since the calendar's first day). So the
batch here only decides where each group goes (tested equal to ``simulate()`` case by case).

Randomness: one ``numpy.random.Generator`` (PCG64) seeded with ``seed``. Arrivals are uniform
over the *open seconds* of the channel's office in the period (nobody applies at 3 a.m. or on a
holiday at a desk that is closed; for an office open round the clock that is uniform over the
period), then sorted. Outcomes are drawn per case, each time a case reaches a step that has
drawn outcomes (:func:`reglament.procedure.outcomes.drawn`: a decision without conditions on
every outcome, or with ``--probability`` given for it, and a wait with a time limit). Outcomes
not given a probability share what is left equally. The same seed, N, period and options give the same result, bit for bit.

A path through a parallel block is not vectorised: those cases are run one by one with
:func:`simulate` (with the outcomes drawn so far, and fresh draws for later steps), and counted.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from reglament.calendar import Clock
from reglament.engine.runtime import Engine
from reglament.engine.simulate import MAX_STEPS, Timeline, assume, assumed_text, simulate
from reglament.errors import Arg, UsageError, did_you_mean
from reglament.limits import BYTES_PER_CASE, MAX_CASES, MAX_SEED, shown
from reglament.procedure import graph, outcomes, term, timing
from reglament.procedure.graph import DONE, choose
from reglament.schemas import Decision, End, Join, Parallel, Unit
from reglament.schemas.words import allowed_text

__all__ = [
    "Batch",
    "BatchReport",
    "CaseOutcome",
    "Probability",
    "Share",
    "outcome_shares",
    "parse_probability",
    "simulate_many",
]

I64 = npt.NDArray[np.int64]
Scope = Mapping[str, object]
Path = tuple[tuple[str, str | None], ...]  # (step, outcome) in order; outcome None for a task

CHUNK = 65_536  # cases walked together (bounds memory; the progress callback runs per chunk)
DAY = 86_400
_PROBABILITY = re.compile(r"^\s*([^=\s]+)\s*=\s*([^:\s]+)\s*:\s*(\S+)\s*$")


@dataclass(frozen=True, slots=True)
class Probability:
    """``STEP=OUTCOME:P``: the chance that ``step`` ends with ``outcome``."""

    step: str
    outcome: str
    p: float


def parse_probability(text: str) -> Probability:
    """``check=refused:0.2`` or ``check=refused:20%`` → :class:`Probability`."""
    match = _PROBABILITY.match(text)
    if match is None:
        raise UsageError(
            Arg("probabilities", repr(text)), ": expected STEP=OUTCOME:P, e.g. check=refused:0.2"
        )
    step, outcome, value = match.groups()
    try:
        p = float(value[:-1]) / 100 if value.endswith("%") else float(value)
    except ValueError:
        raise UsageError(
            Arg("probabilities", repr(text)), f": {value!r} is not a number (write 0.2 or 20%)"
        ) from None
    if not 0.0 <= p <= 1.0:
        raise UsageError(Arg("probabilities", repr(text)), f": {value} is not between 0 and 1")
    return Probability(step, outcome, p)


def outcome_shares(
    engine: Engine, given: Sequence[Probability] = ()
) -> dict[str, dict[str, float]]:
    """The chance of each outcome of every step whose outcome is drawn.

    Drawn: decisions without a condition on every outcome, waits with a time limit, and any
    decision named in ``given``. Outcomes not given share what is left equally.
    """
    steps = engine.reglament.steps
    with_outcomes = [s for s, step in steps.items() if len(outcomes.outcomes(step)) > 1]
    chosen: dict[str, dict[str, float]] = {}
    for item in given:
        if item.step not in steps:
            hint = did_you_mean(item.step, steps)
            raise UsageError(
                Arg("probabilities"),
                f": no step {item.step!r} in {engine.reglament.id}{hint}"
                f"{' ' if hint else '; '}steps with outcomes: {', '.join(with_outcomes) or 'none'}",
            )
        names = outcomes.outcomes(steps[item.step])
        if len(names) < 2:
            kind = steps[item.step].kind
            why = "a wait without a time limit always ends with event" if names else ""
            raise UsageError(
                Arg("probabilities"),
                f": step {item.step!r} is a {kind} with nothing to draw"
                f"{': ' + why if why else ''}; steps with outcomes: {', '.join(with_outcomes) or 'none'}",
            )
        if item.outcome not in names:
            raise UsageError(
                Arg("probabilities"),
                f": step {item.step!r} has no outcome {item.outcome!r}; "
                f"allowed: {', '.join(names)}",
            )
        if item.outcome in chosen.get(item.step, {}):
            raise UsageError(Arg("probabilities"), f": {item.step}={item.outcome} is given twice")
        chosen.setdefault(item.step, {})[item.outcome] = item.p
    shares: dict[str, dict[str, float]] = {}
    for step_id in with_outcomes:
        if not outcomes.drawn(steps[step_id], given=step_id in chosen):
            continue  # the engine decides from the case data
        names = outcomes.outcomes(steps[step_id])
        fixed = chosen.get(step_id, {})
        total = sum(fixed.values())
        listed = ", ".join(f"{o}={p:g}" for o, p in fixed.items())
        if total > 1 + 1e-9:
            raise UsageError(
                Arg("probabilities"),
                f": the outcomes of {step_id!r} sum to {total:g} ({listed}); "
                "they must sum to 1 at most",
            )
        rest = [o for o in names if o not in fixed]
        if not rest and abs(total - 1) > 1e-9:
            raise UsageError(
                Arg("probabilities"),
                f": every outcome of {step_id!r} is given ({listed}) but they sum "
                f"to {total:g}, not 1",
            )
        left = max(0.0, 1 - total)
        shares[step_id] = {o: fixed.get(o, left / len(rest) if rest else 0.0) for o in names}
    return shares


@dataclass(frozen=True, slots=True)
class Share:
    """A count of cases and its share of a whole."""

    name: str
    cases: int
    share: float


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    """One case of a batch, as instants (for checks against :func:`simulate`)."""

    submitted_at: dt.datetime
    accepted_at: dt.datetime
    end_at: dt.datetime
    end: str
    term_due: dt.datetime | None
    term_met: bool | None
    lower_bound: bool
    answers: dict[str, str]  # the drawn outcomes, as --answer would give them
    per_case: bool  # run one by one with simulate() (a parallel block on the path)


@dataclass(frozen=True, slots=True)
class BatchReport:
    """What a batch shows: plain values, ready for a renderer."""

    reglament: str
    region: str
    version: str
    timezone: str
    channel: str
    variant: str | None
    data: dict[str, object]
    cases: int
    period_from: dt.datetime
    period_to: dt.datetime
    seed: int
    shares: dict[str, dict[str, float]]
    working_days: dict[str, int]  # p50, p90, p99, max
    calendar_days: dict[str, float]  # p50, p90
    term: str | None  # e.g. "15 working days"; None when the act states none
    broken: int
    culprits: tuple[Share, ...]  # the step active when the term ran out, most frequent first
    ends: tuple[Share, ...]
    lower_bound: int
    paths: int
    per_case: int
    definitions: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()  # data values assumed on some path, as simulate says them

    @property
    def broken_share(self) -> float:
        return self.broken / self.cases if self.cases else 0.0


DEFINITIONS = (
    "arrivals: uniform over the channel office's open time in the period, seeded",
    "working days: working days after the day of acceptance up to the end day (as a term "
    "in working days counts them: a case ending on the 17th working day after acceptance "
    "took 17)",
    "calendar days: from submission to the end, 24-hour days",
    "pNN: the smallest value that NN% of cases do not exceed",
    "broken: ended after the legal term's due instant; cause: the step active at that instant",
)


class Batch:
    """The cases of one :func:`simulate_many` run, as arrays of positions (see the module doc)."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        channel: str,
        variant: str | None,
        data: dict[str, object],
        seed: int,
        period: tuple[dt.datetime, dt.datetime],
        shares: dict[str, dict[str, float]],
        term: tuple[int, str] | None,
        submitted: I64,
    ) -> None:
        n = len(submitted)
        self.engine = engine
        self.clock = clock  # the channel's clock: positions are in its frame
        self.channel = channel
        self.variant = variant
        self.data = data
        self.seed = seed
        self.period = period
        self.shares = shares
        self.term = term
        self.submitted = submitted
        self.accepted = clock.accept_batch(submitted)
        self.end: I64 = np.zeros(n, dtype=np.int64)
        self.term_due: I64 | None = None if term is None else np.zeros(n, dtype=np.int64)
        self.lower_bound = np.zeros(n, dtype=np.bool_)
        self.per_case = np.zeros(n, dtype=np.bool_)
        self.path = np.zeros(n, dtype=np.int32)
        self.culprit = np.full(n, -1, dtype=np.int32)
        self.paths: list[Path] = []
        self.steps = list(engine.reglament.steps)
        self.assumptions: list[str] = []

    def __len__(self) -> int:
        return len(self.submitted)

    @property
    def term_met(self) -> npt.NDArray[np.bool_] | None:
        return None if self.term_due is None else self.end <= self.term_due

    def case(self, i: int) -> CaseOutcome:
        at = self.clock.instant
        path = self.paths[self.path[i]]
        due = None if self.term_due is None else at(self.term_due[i])
        return CaseOutcome(
            submitted_at=at(self.submitted[i]),
            accepted_at=at(self.accepted[i]),
            end_at=at(self.end[i]),
            end=path[-1][0],
            term_due=due,
            term_met=None if self.term_due is None else bool(self.end[i] <= self.term_due[i]),
            lower_bound=bool(self.lower_bound[i]),
            answers={s: o for s, o in path if o is not None and s in self.shares},
            per_case=bool(self.per_case[i]),
        )

    def report(self) -> BatchReport:
        reg = self.engine.reglament
        calendar = self.clock.calendar
        end_day = self.clock.ordinals(np.where(self.end % DAY == 0, self.end - 1, self.end))
        start_day = self.clock.ordinals(self.accepted)
        working = calendar.working_days_between_batch(start_day, np.maximum(end_day, start_day))
        days = (self.end - self.submitted) / DAY
        n = len(self)
        broken = 0
        culprits: tuple[Share, ...] = ()
        if self.term_due is not None:
            late = self.end > self.term_due
            broken = int(late.sum())
            counts = Counter(self.culprit[late].tolist())
            culprits = tuple(
                Share(self.steps[s] if s >= 0 else "(none)", c, c / n)
                for s, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            )
        ends = Counter(self.paths[p][-1][0] for p in self.path.tolist())
        return BatchReport(
            reglament=reg.id,
            region=reg.region,
            version=self.engine.compiled.version,
            timezone=reg.timezone,
            channel=self.channel,
            variant=self.variant,
            data=dict(self.data),
            cases=n,
            period_from=self.period[0],
            period_to=self.period[1],
            seed=self.seed,
            shares=self.shares,
            working_days={
                name: int(np.percentile(working, q, method="inverted_cdf"))
                for name, q in (("p50", 50), ("p90", 90), ("p99", 99), ("max", 100))
            },
            calendar_days={
                name: round(float(np.percentile(days, q, method="inverted_cdf")), 2)
                for name, q in (("p50", 50), ("p90", 90))
            },
            term=None if self.term is None else allowed_text(self.term[0], Unit(self.term[1])),
            broken=broken,
            culprits=culprits,
            ends=tuple(
                Share(name, c, c / n)
                for name, c in sorted(ends.items(), key=lambda kv: (-kv[1], kv[0]))
            ),
            lower_bound=int(self.lower_bound.sum()),
            paths=len(set(self.path.tolist())),
            per_case=int(self.per_case.sum()),
            definitions=DEFINITIONS,
            assumptions=tuple(self.assumptions),
        )


def simulate_many(
    engine: Engine,
    cases: int,
    start: dt.datetime,
    end: dt.datetime,
    channel: str,
    variant: str | None = None,
    data: Mapping[str, object] | None = None,
    probabilities: Sequence[Probability] = (),
    seed: int | None = None,
    progress: Callable[[int], None] | None = None,
    *,
    outside_period: bool = False,
) -> Batch:
    """Simulate ``cases`` cases arriving over ``[start, end)``; see the module doc.

    ``progress``, if given, is called with the number of cases just finished, chunk by chunk.
    A period that leaves the version's effective period is refused unless ``outside_period``
    (:meth:`Engine.start`'s).
    """
    if not 1 <= cases <= MAX_CASES:
        raise UsageError(
            Arg("cases", shown(cases)),
            f": the number of cases must be from 1 to {MAX_CASES:,} (a run "
            f"needs about {BYTES_PER_CASE} bytes of memory per case)",
        )
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise UsageError(
            Arg("seed", shown(seed)), f": a seed is a whole number from 0 to {MAX_SEED}"
        )
    if end <= start:
        raise UsageError(
            f"the period ends ({end.isoformat()}) before it starts ({start.isoformat()})"
        )
    case_data = dict(data or {})
    clock = engine.compiled.channel_clock.get(channel)
    # clear errors for the channel, the variant and who may apply there (the channel's when)
    engine.compiled.check_start(channel, variant, case_data)
    assert clock is not None
    shares = outcome_shares(engine, probabilities)
    if seed is None:
        seed = random.SystemRandom().randrange(2**32)
    rng = np.random.default_rng(seed)
    # the period ends at ``end`` exclusive, which may be the calendar's own end (--to its last day)
    first, last = clock.positions([start, end - dt.timedelta(seconds=1)]).tolist()
    lo, hi = clock.office_seconds_batch(np.array([first, last + 1], dtype=np.int64)).tolist()
    if hi <= lo:
        raise UsageError(
            f"the office of channel {channel!r} is never open from {start.isoformat()} to "
            f"{end.isoformat()}: no case can arrive"
        )
    submitted = np.sort(clock.from_office_seconds_batch(rng.integers(lo, hi, size=cases)))
    if not outside_period:  # every case, not only the first, is submitted in the period
        engine.check_in_force(start)
        engine.check_in_force(end - dt.timedelta(seconds=1))
    probe = engine.start(
        clock.instant(submitted[0]), channel, variant, case_data, outside_period=True
    )  # checks data
    term = (
        (probe.term_value, probe.term_unit)
        if probe.term_value is not None and probe.term_unit is not None
        else None
    )
    batch = Batch(
        engine, clock, channel, variant, case_data, seed, (start, end), shares, term, submitted
    )
    walker = _Walker(batch, rng, probe.tokens[0].step)
    for first in range(0, cases, CHUNK):
        walker.run(np.arange(first, min(first + CHUNK, cases), dtype=np.int64))
        if progress is not None:
            progress(min(CHUNK, cases - first))
    return batch


class _Walker:
    """Moves groups of cases through the steps; fills the batch's arrays chunk by chunk."""

    def __init__(self, batch: Batch, rng: np.random.Generator, first: str) -> None:
        self.batch = batch
        self.rng = rng
        self.first = first
        self.outside_period = True  # simulate_many checked the period
        engine = batch.engine
        self.engine = engine
        self.scope = {**batch.data, "variant": batch.variant, "channel": batch.channel}
        self.path_ids: dict[Path, int] = {}
        self.step_index = {s: i for i, s in enumerate(batch.steps)}
        self.cumulative = {s: np.cumsum(list(p.values()))[:-1] for s, p in batch.shares.items()}

    def _path_id(self, path: Path) -> int:
        if path not in self.path_ids:
            self.path_ids[path] = len(self.batch.paths)
            self.batch.paths.append(path)
        return self.path_ids[path]

    def run(self, idx: I64) -> None:
        b = self.batch
        c = self.engine.compiled
        steps = self.engine.reglament.steps
        visits: list[tuple[int, I64, I64, I64]] = []  # step, cases, start, end
        stopped: list[tuple[I64, I64, I64]] = []  # uncounted steps: cases, start, end
        per_case: list[tuple[I64, Path]] = []
        stack: list[tuple[str, I64, I64, Path, Scope]] = [
            (self.first, idx, b.accepted[idx], (), self.scope)
        ]
        while stack:
            step_id, group, pos, path, scope = stack.pop()
            if len(path) > MAX_STEPS:
                raise UsageError(
                    f"simulation of {self.engine.reglament.id} did not end within {MAX_STEPS} "
                    "steps: the outcomes lead round a loop"
                )
            step = steps[step_id]
            if isinstance(step, End):
                b.end[group] = pos
                b.path[group] = self._path_id((*path, (step_id, None)))
                continue
            if isinstance(step, Parallel | Join):
                per_case.append((group, path))
                continue
            duration = c.duration(step_id, scope)
            clock = c.clock_for(step_id)
            schedules = self.engine.reglament.external_schedules
            end, unknown = timing.step_due_batch(clock, duration, pos, schedules)
            b.lower_bound[group[unknown]] = True
            moved = end > pos
            if moved.any():
                visits.append((self.step_index[step_id], group, pos, end))
                if not term.counted(duration):
                    stopped.append((group, pos, end))
            if step_id not in b.shares:
                scope = self._assumed(step_id, None, scope)
            for outcome, sub in reversed(self._outcomes(step_id, len(group), scope)):
                trigger = outcome or DONE
                after = self._assumed(step_id, trigger, scope)
                target = choose(c.exits[step_id][trigger], after).target
                stack.append((target, group[sub], end[sub], (*path, (step_id, outcome)), after))
        if b.term_due is not None and b.term is not None:
            self._term(idx, stopped, visits)
        for group, path in per_case:
            self._one_by_one(group, path)

    def _assumed(self, step_id: str, trigger: str | None, scope: Scope) -> Scope:
        """``scope`` with the data assumed that the outcomes of decision ``step_id`` (``trigger``
        ``None``), or its routes taken by ``trigger``, read and the case data do not give: as
        :func:`simulate` assumes them, along the same path."""
        engine = self.engine
        if trigger is None:
            step = engine.reglament.steps[step_id]
            if not outcomes.decided_by_data(step):
                return scope
            conditions = list(engine.compiled.outcome_conditions[step_id].values())
        else:
            conditions = [br.condition for br in engine.compiled.exits[step_id][trigger]]
        unset = outcomes.unset(engine.reglament.data, scope)
        missing = graph.undetermined(conditions, scope, unset)
        if not missing:
            return scope
        values = assume(engine, scope, step_id, trigger, missing)
        for text in assumed_text(step_id, trigger, values):
            if text not in self.batch.assumptions:
                self.batch.assumptions.append(text)
        return self._assumed(step_id, trigger, {**scope, **values})

    def _outcomes(
        self, step_id: str, n: int, scope: Scope
    ) -> list[tuple[str | None, npt.NDArray[np.intp]]]:
        """Each outcome taken at ``step_id`` and the members of the group that take it."""
        step = self.engine.reglament.steps[step_id]
        everyone = np.arange(n)
        if step_id in self.batch.shares:
            names = list(self.batch.shares[step_id])
            drawn = np.searchsorted(self.cumulative[step_id], self.rng.random(n), side="right")
            found: list[tuple[str | None, npt.NDArray[np.intp]]] = []
            for k, name in enumerate(names):
                members = np.flatnonzero(drawn == k)
                if len(members):
                    found.append((name, members))
            return found
        if isinstance(step, Decision):
            decided = outcomes.decide(self.engine.compiled.outcome_conditions[step_id], scope)
            if decided is not None:
                return [(decided, everyone)]
            raise UsageError(
                f"simulation stopped at {step_id!r}: no condition of the decision holds for the "
                "case data; give ",
                Arg("data"),
                " or ",
                Arg("probabilities", f"{step_id}=OUTCOME:P"),
            )
        return [(outcomes.default(step), everyone)]

    def _term(
        self,
        idx: I64,
        stopped: list[tuple[I64, I64, I64]],
        visits: list[tuple[int, I64, I64, I64]],
    ) -> None:
        """The term's due instant per case (``term.due_batch``: the stretches of the steps not
        counted in it push it back), and the step that was active when it passed, for the cases
        that broke it."""
        b = self.batch
        assert b.term is not None and b.term_due is not None
        value, unit_name = b.term
        unit = Unit(unit_name)
        base = term.base_due_batch(b.clock, b.accepted[idx], value, unit)
        local = [(np.searchsorted(idx, group), a, e) for group, a, e in stopped]
        b.term_due[idx] = term.due_batch(b.clock, unit, base, local)
        for step, group, a, e in visits:
            d = b.term_due[group]
            hit = (a <= d) & (d < e) & (b.end[group] > d) & (b.culprit[group] < 0)
            b.culprit[group[hit]] = step

    def _one_by_one(self, group: I64, path: Path) -> None:
        """Cases whose path meets a parallel block: run each with :func:`simulate`."""
        b = self.batch
        so_far = {s: o for s, o in path if o is not None and s in b.shares}
        for i in group.tolist():
            answers = dict(so_far)
            for step_id, shares in b.shares.items():
                if step_id not in answers:
                    k = int(np.searchsorted(self.cumulative[step_id], self.rng.random(), "right"))
                    answers[step_id] = list(shares)[k]
            timeline = simulate(
                self.engine,
                b.clock.instant(b.submitted[i]),
                b.channel,
                b.variant,
                b.data,
                answers,
                outside_period=self.outside_period,
            )
            self._record(i, timeline, answers)

    def _record(self, i: int, timeline: Timeline, answers: dict[str, str]) -> None:
        b = self.batch
        position = b.clock.position
        b.per_case[i] = True
        b.end[i] = position(timeline.end)
        b.lower_bound[i] = timeline.lower_bound
        rows: Path = tuple((row.step, answers.get(row.step, row.outcome)) for row in timeline.rows)
        b.path[i] = self._path_id((*rows, (timeline.case.end or "", None)))
        if b.term_due is not None and timeline.term_due is not None:
            due = timeline.term_due
            b.term_due[i] = position(due)
            if timeline.end > due:
                for row in timeline.rows:
                    if row.start <= due < row.end:
                        b.culprit[i] = self.step_index[row.step]
                        break
