"""Amendments: an open case moved from one version of its reglament to another.

When the akimat amends a reglament, the cases in flight either stay on the version in force when
they were submitted (the policy ``keep``, the default, as government case systems do) or move
to the new one (``from:DATE``: every case open on or after ``DATE``, the new version in force
that day). A moved case is planned again on the new version: its history is replayed under it
(``audit/diff.py: replay``, the replay of ``diff --cases``), and the term's due and each active
step's due become the new version's. What happened stays as recorded: the history, the
acceptance, the suspensions; the move is recorded as one more record, ``migrated``, naming both
versions.

:func:`plan` is the dry run: every due instant old → new (``audit/diff.py: shifts``, the
comparison ``diff --cases`` prints) and every reason the case cannot move (a :class:`Blocker`).
:func:`migrate` applies it: the case on the new version, re-targeted and checked whole by
:meth:`Engine.restore` of the new version, with the migration record at the end of its history;
a case that cannot move is refused with a ``CaseError`` naming the case and the step. Nothing
here reads the wall clock, and the case passed in is never changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from reglament.audit.diff import Shift, replay, shifts
from reglament.engine import Case, Engine, Kind, Record
from reglament.engine.case import label
from reglament.errors import CaseError, ReglamentError, UsageError
from reglament.limits import parse_day
from reglament.procedure.graph import routes_text
from reglament.reports.versions import shift_line
from reglament.schemas import Decision, Task, Wait
from reglament.schemas.jsonready import ToDict

_HOLDING = (Task, Decision, Wait)  # the steps a case can stand at


@dataclass(frozen=True, slots=True)
class Policy:
    """Which open cases move to a new version: none (``keep``, ``since`` ``None``), or every
    case open on or after ``since`` (``from:DATE``)."""

    since: dt.date | None = None

    @classmethod
    def parse(cls, text: str) -> Policy:
        """``keep`` or ``from:YYYY-MM-DD``; a ``UsageError`` on one line for anything else."""
        if text == "keep":
            return cls()
        head, sep, day = text.partition(":")
        if head != "from" or not sep:
            raise UsageError(f"policy {text!r}: expected keep or from:YYYY-MM-DD")
        try:
            return cls(parse_day(day))
        except ValueError as error:
            raise UsageError(f"policy {text!r}: {error}") from None

    def __str__(self) -> str:
        return "keep" if self.since is None else f"from:{self.since.isoformat()}"


KEEP = Policy()


@dataclass(frozen=True, slots=True)
class Blocker(ToDict):
    """Why a case cannot move: about one of its steps (``step``), or about the whole case."""

    step: str | None
    reason: str

    def __str__(self) -> str:
        return self.reason if self.step is None else f"step {self.step!r} {self.reason}"


@dataclass(frozen=True, slots=True)
class Plan(ToDict):
    """A case's move from one version (``old``) to another (``new``) under ``policy`` at ``at``,
    not applied: every due instant old → new (``changes``, each active step's and the term's,
    ``same`` included) and why it cannot move (``blockers``). Under ``keep`` the case stays:
    no changes, no blockers, ``moves`` false."""

    case: str
    receipt: str
    old: str
    new: str
    policy: str
    at: dt.datetime
    moves: bool
    changes: tuple[Shift, ...]
    blockers: tuple[Blocker, ...]

    @property
    def changed(self) -> tuple[Shift, ...]:
        """The due instants the move changes."""
        return tuple(shift for shift in self.changes if shift.old != shift.new)

    @property
    def text(self) -> str:
        """The plan as a person reads it: one line for the case, then one per changed due
        instant (as ``diff --cases`` writes it) or per blocker."""
        head = f"case {self.case} (receipt {self.receipt}): {self.old} → {self.new}, {self.policy}"
        if not self.moves:
            return f"{head}: kept on {self.old}"
        if self.blockers:
            lines = [f"{head}: cannot move"]
            return "\n".join([*lines, *(f"    {blocker}" for blocker in self.blockers)])
        changed = self.changed
        lines = [f"{head}: {len(changed)} due instant{'' if len(changed) == 1 else 's'} change"]
        return "\n".join([*lines, *(shift_line(shift) for shift in changed)])


@dataclass(frozen=True, slots=True)
class Migration:
    """An applied plan: the case on its new version with the migration ``record`` last in its
    history (under ``keep``: the case as it was, and no record)."""

    plan: Plan
    case: Case
    record: Record | None


def plan(
    old_engine: Engine,
    new_engine: Engine,
    case: Case,
    policy: Policy = KEEP,
    *,
    at: dt.datetime,
) -> Plan:
    """The dry run of moving ``case`` (of ``old_engine``'s version) to ``new_engine``'s under
    ``policy`` at ``at``: what :func:`migrate` would do, without doing it. The versions must be
    two of one reglament (its id and region; a ``UsageError`` otherwise); the case is checked
    against the old one and ``at`` against the calendar, as by every ``Engine`` method."""
    return _plan(old_engine, new_engine, case, policy, at)[0]


def migrate(
    old_engine: Engine,
    new_engine: Engine,
    case: Case,
    policy: Policy = KEEP,
    *,
    at: dt.datetime,
) -> Migration:
    """Apply :func:`plan`: ``case`` moved to ``new_engine``'s version, a new :class:`Case`
    (``case`` itself is left as it was) whose history ends with the ``migrated`` record; under
    ``keep``, ``case`` as it is. A case that cannot move is a ``CaseError`` naming the case, the
    step it stands at and the first blocker."""
    made, moved = _plan(old_engine, new_engine, case, policy, at)
    if not made.moves:
        return Migration(made, case, None)
    if made.blockers or moved is None:
        first, more = made.blockers[0], len(made.blockers) - 1
        also = f" (and {more} more)" if more else ""
        raise CaseError(
            f"{_case_words(case)} cannot move from {made.old} to {made.new}: {first}{also}"
        )
    return Migration(made, moved, moved.history[-1])


def _plan(
    old_engine: Engine, new_engine: Engine, case: Case, policy: Policy, at: dt.datetime
) -> tuple[Plan, Case | None]:
    old_engine.status(case, at)  # the case is of the old version; ``at`` an instant it can take
    _same_service(old_engine, new_engine)
    old, new = label(old_engine.reglament), label(new_engine.reglament)
    if policy.since is None:
        return Plan(case.id, case.receipt, old, new, str(policy), at, False, (), ()), None
    blockers = _refused(new_engine, case, policy.since, at)
    moved: Case | None = None
    if not case.finished and at >= _last(case):
        moved, more = _moved(old_engine, new_engine, case, _record(old, new, policy, at))
        blockers += more
    changes = () if moved is None else shifts(old_engine, case, new_engine, moved, at)
    made = Plan(case.id, case.receipt, old, new, str(policy), at, True, changes, tuple(blockers))
    return made, None if blockers else moved


# -- why a case cannot move ---------------------------------------------------------------------


def _last(case: Case) -> dt.datetime:
    return max(record.at for record in case.history)


def _same_service(old_engine: Engine, new_engine: Engine) -> None:
    a, b = old_engine.reglament, new_engine.reglament
    if (a.id, a.region) != (b.id, b.region):
        raise UsageError(
            f"{label(b)} is not a version of {a.id}@{a.region}: a case moves between two "
            "versions of its own reglament"
        )
    if a.effective.from_ == b.effective.from_:
        raise UsageError(f"the case is already on {label(b)}: name another version to move it to")


def _refused(new_engine: Engine, case: Case, since: dt.date, at: dt.datetime) -> list[Blocker]:
    """What stops the whole case from moving: it is finished, the move comes before its last
    record or before the policy's date, or the new version is not in force on that date."""
    if case.finished:
        return [Blocker(None, f"the case is finished (at {case.end}): only an open case moves")]
    last = _last(case)
    if at < last:
        return [
            Blocker(
                None,
                f"the move at {at.isoformat()} is before the case's last record (at "
                f"{last.isoformat()}); move it at or after that",
            )
        ]
    return refusals(new_engine, Policy(since), at)


def refusals(new_engine: Engine, policy: Policy, at: dt.datetime) -> list[Blocker]:
    """What stops every case from moving to ``new_engine``'s version under ``policy`` at
    ``at``, whatever the case: the new version not in force on the policy's date, or the move
    before that day (from 00:00 in the reglament's time zone). None under ``keep``."""
    since = policy.since
    if since is None:
        return []
    new = new_engine.reglament
    found: list[Blocker] = []
    if not new.effective.contains(since):
        until = f" until {new.effective.until.isoformat()}" if new.effective.until else ""
        found.append(
            Blocker(
                None,
                f"{label(new)} is not in force on {since.isoformat()} (in force from "
                f"{new.effective.from_.isoformat()}{until})",
            )
        )
    start = dt.datetime.combine(since, dt.time(), new_engine.compiled.zone)
    if at < start:
        found.append(
            Blocker(
                None,
                f"the policy moves cases from {since.isoformat()}, and {at.isoformat()} is "
                "before that day",
            )
        )
    return found


def _active(old_engine: Engine, new_engine: Engine, case: Case) -> list[Blocker]:
    """Each step the case stands at must be one the new version holds a case at, with the
    same exits (where the case goes from it)."""
    old, new = old_engine.reglament, new_engine.reglament
    found: list[Blocker] = []
    for token in case.tokens:
        was, now = old.steps[token.step], new.steps.get(token.step)
        if now is None:
            found.append(Blocker(token.step, f"is under way, and {label(new)} has no such step"))
        elif not isinstance(now, _HOLDING):
            found.append(
                Blocker(token.step, f"is under way, and is a {now.kind} step in {label(new)}")
            )
        elif routes_text(was) != routes_text(now):
            found.append(
                Blocker(
                    token.step,
                    f"is under way, and its exits differ in {label(new)}: "
                    f"{routes_text(was) or 'none'} → {routes_text(now) or 'none'}",
                )
            )
    return found


# -- the case on the new version ------------------------------------------------------------------


def _record(old: str, new: str, policy: Policy, at: dt.datetime) -> Record:
    return Record(Kind.migrated, at, detail=f"from {old} to {new} (policy {policy})")


def _moved(
    old_engine: Engine, new_engine: Engine, case: Case, record: Record
) -> tuple[Case | None, list[Blocker]]:
    """``case`` on the new version, or why not: its history replayed under it must reach the
    very place the case stands at (its acceptance, the steps under way since the same instants,
    the joins' arrivals); then the saved case is re-targeted (the version, the term and the
    steps' dues the replay gave) and restored by the new version's engine, its history kept as
    recorded, ``record`` appended."""
    new = label(new_engine.reglament)
    blockers = _active(old_engine, new_engine, case)
    if blockers:
        return None, blockers
    try:
        after = replay(new_engine, case)
    except ReglamentError as error:
        return None, [Blocker(None, f"its history cannot be replayed under {new}: {error}")]
    if _place(after) != _place(case):
        return None, [
            Blocker(
                None,
                f"under {new} the case would stand at {_where(after)}, not at {_where(case)}",
            )
        ]
    document = _retargeted(new_engine, case, after, record)
    try:
        return new_engine.restore(document), []
    except ReglamentError as error:
        return None, [Blocker(None, f"does not fit {new}: {error}")]


def _place(case: Case) -> tuple[object, ...]:
    """Where a case stands: its acceptance, each token (id, step, since when, its block), the
    joins' arrivals, its end."""
    tokens = tuple((t.id, t.step, t.started, t.parallel) for t in case.tokens)
    arrived = tuple(sorted((join, tuple(ids)) for join, ids in case.arrived.items()))
    return case.accepted_at, tokens, arrived, case.next_token, case.end


def _retargeted(new_engine: Engine, case: Case, after: Case, record: Record) -> dict[str, Any]:
    document = case.to_dict()
    planned = after.to_dict()
    document["version"] = new_engine.compiled.version
    document["term"] = planned["term"]
    document["tokens"] = planned["tokens"]
    document["history"] = [*document["history"], record.to_dict()]
    return document


def _where(case: Case) -> str:
    """The steps a case stands at, and since when (or its end)."""
    if case.finished:
        return f"its end {case.end}"
    return ", ".join(f"{t.step} (since {t.started.isoformat()})" for t in case.tokens)


def _case_words(case: Case) -> str:
    steps = ", ".join(case.active_steps)
    return f"case {case.id} (receipt {case.receipt}{', at ' + steps if steps else ''})"
