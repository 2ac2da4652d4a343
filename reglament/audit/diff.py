"""What changed between two versions of a reglament, and what it does to cases in flight.

The structural diff compares by id: steps added, removed, re-timed (their duration, limit or
whether they count in the term), re-routed (where they lead), re-assigned (their actor) or of
another kind; terms by channel and variant; channels, variants, actors, office schedules and
the effective period.

Cases in flight (as the engine saves them, ``Case.to_dict()``) are *replayed* under each version:
the same submission, channel, variant and data, then every recorded completion, suspension and
resumption at its recorded time. The due instants of the steps still active and of the legal
term are compared; a case whose history cannot be replayed under the new version (a step it went
through was removed, an outcome renamed) is reported with the reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reglament.audit.terms import gap_words
from reglament.calendar import Clock
from reglament.calendar.days import fmt_instant
from reglament.engine import Case, Engine, Kind
from reglament.errors import DefinitionError, Position, Problem, ReglamentError, UsageError
from reglament.loader import Library, Loaded, load_file
from reglament.procedure.graph import DONE, routes_text
from reglament.schemas import Join, Parallel, Reglament, Step, Unit
from reglament.schemas.words import amount_text, period_text, step_time_text
from reglament.source import files
from reglament.source.document import PathKey


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between the versions."""

    kind: str  # added, removed, re-timed, re-routed, re-assigned, changed
    what: str  # step, term, channel, variant, actor, schedule, period
    name: str
    old: str
    new: str
    where: str  # file:line:column in the new version (in the old one for what was removed)


@dataclass(frozen=True, slots=True)
class Shift:
    """One due instant under both versions."""

    what: str  # a step id, or "term"
    old: dt.datetime | None
    new: dt.datetime | None
    words: str  # "later by 2 working days", "earlier by 30 minutes", "same"


@dataclass(frozen=True, slots=True)
class CaseDelta:
    """One case in flight under both versions."""

    index: int  # 1-based position in the cases file
    label: str
    shifts: tuple[Shift, ...]
    problem: str | None = None

    @property
    def changed(self) -> bool:
        return self.problem is not None or any(s.old != s.new for s in self.shifts)


@dataclass(frozen=True, slots=True)
class Diff:
    old: Loaded
    new: Loaded
    changes: tuple[Change, ...]
    cases: tuple[CaseDelta, ...] | None = None

    @property
    def old_label(self) -> str:
        return _label(self.old)

    @property
    def new_label(self) -> str:
        return _label(self.new)


def _label(loaded: Loaded) -> str:
    r = loaded.reglament
    if r is None:
        return loaded.display
    return f"{r.id}@{r.region}@{r.effective.from_.isoformat()} ({loaded.display})"


def select(library: Library, text: str, region: str | None = None) -> Loaded:
    """A version named by a file path or by ``id@region@date`` (``id@region``, ``id``, the
    region also by ``region``), as :meth:`Library.choose` chooses it; :class:`DefinitionError`
    with every problem when it is invalid (as validate says)."""
    path = Path(text)
    if path.suffix in (".yaml", ".yml") or files.exists(path):
        try:
            kind = files.kind(path, text)
        except files.Refused as refused:
            raise refused.error() from None
        if kind != "file":
            raise UsageError(f"{text}: a folder; name a file, or ID@REGION@YYYY-MM-DD")
        loaded = load_file(path)
    else:
        loaded = library.choose(text, region).loaded
    if not loaded.ok:  # validate's problems, exit 1: an invalid file is never compared
        raise DefinitionError(list(loaded.problems))
    return loaded


def diff(old: Loaded, new: Loaded, cases: list[dict[str, Any]] | None = None) -> Diff:
    """The structural differences of ``new`` from ``old``, and (given saved cases) which cases
    get other due instants under ``new``."""
    assert old.reglament is not None and new.reglament is not None
    changes = _Differ(old, new).run()
    deltas = None if cases is None else tuple(_cases(old.reglament, new.reglament, cases))
    return Diff(old, new, tuple(changes), deltas)


MAX_CASES_BYTES = 16 * 1024 * 1024  # about 15,000 saved cases (one is about 1 KB)
MAX_CASES = 20_000


def read_cases(path: Path) -> list[dict[str, Any]]:
    """A JSON list of saved cases (``Case.to_dict()``), read through the loader's file reader: a
    regular file of at most 16 MiB of UTF-8 JSON, at most ``MAX_CASES`` cases. A bad path is a
    usage error; a bad file a ``DefinitionError`` at the line and column of the problem."""
    display = str(path)
    try:
        data = files.read_json(path, display, limit=MAX_CASES_BYTES, what="a saved-cases file")
    except files.Refused as refused:
        raise refused.error() from None
    shape = "expected a JSON list of saved cases (Case.to_dict())"
    if not isinstance(data, list):
        raise _bad_cases(display, f"{shape}, got {_json_kind(data)}")
    if len(data) > MAX_CASES:
        raise _bad_cases(display, f"{len(data):,} saved cases; at most {MAX_CASES:,} in one file")
    for index, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise _bad_cases(display, f"{shape}; item {index} is {_json_kind(item)}")
    for index, item in enumerate(data, start=1):
        try:
            Case.from_dict(item)
        except UsageError as error:
            raise _bad_cases(display, f"case {index}: {error}") from None
    return data


def _bad_cases(display: str, message: str) -> DefinitionError:
    return DefinitionError([Problem(Position(display, 0, 0), message, code="saved-cases")])


def _json_kind(value: object) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return "true/false" if isinstance(value, bool) else "a number"


# -- the structural diff ----------------------------------------------------------------------------


class _Differ:
    def __init__(self, old: Loaded, new: Loaded) -> None:
        assert old.reglament and new.reglament and old.document and new.document
        self.old, self.new = old, new
        self.a: Reglament = old.reglament
        self.b: Reglament = new.reglament
        self.changes: list[Change] = []

    def where(self, path: PathKey, *, removed: bool = False) -> str:
        loaded = self.old if removed else self.new
        assert loaded.document is not None
        return str(loaded.document.key_position(path))

    def add(self, kind: str, what: str, name: str, old: str, new: str, path: PathKey) -> None:
        self.changes.append(
            Change(kind, what, name, old, new, self.where(path, removed=kind == "removed"))
        )

    def run(self) -> list[Change]:
        a, b = self.a, self.b
        if period_text(a) != period_text(b):
            self.add(
                "changed", "period", "effective", period_text(a), period_text(b), ("effective",)
            )
        self.keyed(
            "channel",
            "channels",
            {k: _channel(c.kind.value, c.start, c.schedule) for k, c in a.channels.items()},
            {k: _channel(c.kind.value, c.start, c.schedule) for k, c in b.channels.items()},
        )
        self.keyed(
            "variant",
            "variants",
            {k: v.name.best() for k, v in a.variants.items()},
            {k: v.name.best() for k, v in b.variants.items()},
        )
        self.terms()
        self.keyed(
            "actor",
            "actors",
            {k: f"schedule {x.schedule or 'default'}" for k, x in a.actors.items()},
            {k: f"schedule {x.schedule or 'default'}" for k, x in b.actors.items()},
            changed="re-timed",
        )
        self.keyed(
            "schedule",
            "schedules",
            {k: _hours(s.open, s.lunch) for k, s in a.schedules.items()},
            {k: _hours(s.open, s.lunch) for k, s in b.schedules.items()},
            changed="re-timed",
        )
        self.steps()
        return self.changes

    def keyed(
        self,
        what: str,
        key: str,
        old: dict[str, str],
        new: dict[str, str],
        changed: str = "changed",
    ) -> None:
        for name in old:
            if name not in new:
                self.add("removed", what, name, old[name], "", (key, name))
            elif old[name] != new[name]:
                self.add(changed, what, name, old[name], new[name], (key, name))
        for name in new:
            if name not in old:
                self.add("added", what, name, "", new[name], (key, name))

    def terms(self) -> None:
        def keyed(r: Reglament) -> dict[tuple[str | None, str | None], tuple[int, str]]:
            return {
                (t.channel, t.variant): (
                    i,
                    f"{amount_text(t.value, t.unit)}, from {t.starts.value}",
                )
                for i, t in enumerate(r.terms)
            }

        old, new = keyed(self.a), keyed(self.b)
        for scope, (i, text) in old.items():
            name = _term_name(scope)
            if scope not in new:
                self.add("removed", "term", name, text, "", ("terms", i))
            elif new[scope][1] != text:
                self.add("re-timed", "term", name, text, new[scope][1], ("terms", new[scope][0]))
        for scope, (i, text) in new.items():
            if scope not in old:
                self.add("added", "term", _term_name(scope), "", text, ("terms", i))

    def steps(self) -> None:
        a, b = self.a.steps, self.b.steps
        for step_id, step in a.items():
            if step_id not in b:
                self.add("removed", "step", step_id, _step_text(step), "", ("steps", step_id))
                continue
            other = b[step_id]
            path: PathKey = ("steps", step_id)
            if step.kind != other.kind:
                self.add("changed", "step", step_id, step.kind, other.kind, path)
                continue
            if _actor(step) != _actor(other):
                self.add("re-assigned", "step", step_id, _actor(step), _actor(other), path)
            if step_time_text(step) != step_time_text(other):
                self.add(
                    "re-timed", "step", step_id, step_time_text(step), step_time_text(other), path
                )
            if routes_text(step) != routes_text(other):
                self.add("re-routed", "step", step_id, routes_text(step), routes_text(other), path)
        for step_id, step in b.items():
            if step_id not in a:
                self.add("added", "step", step_id, "", _step_text(step), ("steps", step_id))


def _channel(kind: str, start: str | None, schedule: str | None) -> str:
    return f"{kind}, {'starts at ' + start if start else 'no procedure'}, schedule {schedule or 'default'}"


def _hours(open_: dict[str, str], lunch: str | None) -> str:
    days = ", ".join(f"{day} {hours}" for day, hours in open_.items())
    return days + (f", lunch {lunch}" if lunch else "")


def _term_name(scope: tuple[str | None, str | None]) -> str:
    channel, variant = scope
    return (
        ", ".join(
            x
            for x in (
                f"channel {channel}" if channel else "",
                f"variant {variant}" if variant else "",
            )
            if x
        )
        or "all channels"
    )


def _actor(step: Step) -> str:
    actor = getattr(step, "actor", None)
    return actor if isinstance(actor, str) else ""


def _step_text(step: Step) -> str:
    parts: list[str] = [step.kind]
    for text in (_actor(step), step_time_text(step), routes_text(step)):
        if text:
            parts.append(text)
    return ", ".join(parts)


# -- cases in flight ------------------------------------------------------------------------------


def started_again(engine: Engine, saved: Case) -> Case:
    """The saved case started anew on ``engine``: its submission, channel, variant, data, id
    and receipt, whether or not ``engine``'s version was in force then (a replay's first move;
    ``runtime/audit.py`` replays from it too)."""
    return engine.start(
        saved.submitted_at,
        saved.channel,
        saved.variant,
        dict(saved.data),
        case_id=saved.id,
        receipt=saved.receipt,
        outside_period=True,
    )


def replay(engine: Engine, saved: Case) -> Case:
    """The saved case's history run again on ``engine``'s version (raises ReglamentError); a
    case in flight was submitted before the new version came in force, and is run under it on
    purpose."""
    case = started_again(engine, saved)
    steps = engine.reglament.steps
    for record in saved.history:
        if record.kind is Kind.step_completed:
            assert record.step is not None
            step = steps.get(record.step)
            if step is None:
                raise UsageError(
                    f"step {record.step!r}, which the case went through, does not exist"
                )
            if isinstance(step, Parallel | Join):
                continue  # the engine passes these by itself
            outcome = record.outcome if record.outcome not in (None, DONE) else None
            engine.complete(case, record.step, record.at, outcome)
        elif record.kind is Kind.suspended:
            engine.suspend(case, record.at, record.detail)
        elif record.kind is Kind.resumed:
            engine.resume(case, record.at)
    return case


def _cases(old: Reglament, new: Reglament, cases: list[dict[str, Any]]) -> list[CaseDelta]:
    old_engine, new_engine = Engine(old), Engine(new)
    found: list[CaseDelta] = []
    for index, data in enumerate(cases, start=1):
        try:
            saved = Case.from_dict(data)
        except UsageError as error:
            raise UsageError(f"case {index}: {error}") from None
        label = (
            f"case {index}: submitted {fmt_instant(saved.submitted_at, time_first=True)}, channel {saved.channel}"
            + (f", variant {saved.variant}" if saved.variant else "")
            + (f", finished at {saved.end}" if saved.finished else "")
        )
        if saved.reglament != old.id:
            found.append(
                CaseDelta(index, label, (), f"a case of {saved.reglament!r}, not {old.id!r}")
            )
            continue
        try:
            before = replay(old_engine, saved)
        except ReglamentError as error:
            found.append(
                CaseDelta(index, label, (), f"cannot be replayed under the old version: {error}")
            )
            continue
        try:
            after = replay(new_engine, saved)
        except ReglamentError as error:
            found.append(
                CaseDelta(index, label, (), f"cannot be replayed under the new version: {error}")
            )
            continue
        found.append(CaseDelta(index, label, shifts(old_engine, before, new_engine, after)))
    return found


def shifts(
    old_engine: Engine,
    before: Case,
    new_engine: Engine,
    after: Case,
    at: dt.datetime | None = None,
) -> tuple[Shift, ...]:
    """Every due instant of one case in flight, ``before`` under ``old_engine``'s version and
    ``after`` under ``new_engine``'s: each active step's (:meth:`Engine.step_due`, pushed back by
    the suspensions while it ran), then the legal term's (:meth:`Engine.term_due`), as of ``at``
    (default: each case's end, or its last record). The one comparison of a case under two
    versions: ``diff --cases`` (``before`` and ``after`` replayed) and an amendment's plan
    (``runtime/amend.py``: ``before`` the live case, ``after`` the case moved) both make it."""
    found: list[Shift] = []
    old_due = {t.step: _due(old_engine, before, t.step, at) for t in before.tokens}
    new_due = {t.step: _due(new_engine, after, t.step, at) for t in after.tokens}
    for step in dict.fromkeys([*old_due, *new_due]):
        clock = new_engine.compiled.clock_for(step) if step in new_engine.reglament.steps else None
        a, b = old_due.get(step), new_due.get(step)
        if step not in old_due:
            words = "active only under the new version"
        elif step not in new_due:
            words = "active only under the old version"
        else:
            words = shift_words(clock, Unit.working_days, a, b)
        found.append(Shift(step, a, b, words))
    a_term, b_term = old_engine.term_due(before, at), new_engine.term_due(after, at)
    if a_term is not None or b_term is not None:
        clock = new_engine.compiled.channel_clock[after.channel]
        unit = Unit(after.term_unit) if after.term_unit else Unit.working_days
        found.append(Shift("term", a_term, b_term, shift_words(clock, unit, a_term, b_term)))
    return tuple(found)


def _due(engine: Engine, case: Case, step: str, at: dt.datetime | None) -> dt.datetime | None:
    """The due of ``step``, under way in ``case``, as of ``at`` (default: as :meth:`Engine.term_due`
    takes it, the case's end or its last record)."""
    return engine.step_due(case, step, at or case.finished_at or case.history[-1].at)


def shift_words(
    clock: Clock | None, unit: Unit, a: dt.datetime | None, b: dt.datetime | None
) -> str:
    """``later by 2 working days 30 minutes``, ``earlier by 1 hour``, ``same``."""
    if a == b:
        return "same"
    if a is None:
        return "no due instant under the old version"
    if b is None:
        return "no due instant under the new version"
    if clock is None:
        return "later" if b > a else "earlier"
    pa, pb = clock.position(a), clock.position(b)
    words = gap_words(clock, unit, min(pa, pb), max(pa, pb))
    return f"{'later' if pb > pa else 'earlier'} by {words}"
