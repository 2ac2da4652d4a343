"""Who chooses how a step ends: the case data, the caller, or nobody (one way only).

* A decision whose every outcome has a condition is decided by the case data: the engine takes
  the first outcome whose condition holds (:func:`decide`), and a caller may not pick one.
* A decision with an outcome without a condition, and a wait with a time limit (the awaited
  event, or the timeout), end as the caller records it.
* A task, a join, a parallel block and a wait without a limit have one way on.

Missing data never decide: a condition whose value depends on a declared field that the case
has not set (absent, or ``None``) is neither true nor false (:meth:`Expr.missing`), and the first
such condition in order stops the choice (:func:`reglament.procedure.graph.undetermined`). A
simulation may then *assume* values for those fields (:func:`assumed`), and says so.

A batch of simulated cases *draws* the outcome of the steps the caller chooses between (and of a
decision decided by data when it is given probabilities): :func:`drawn`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum

from reglament.procedure.graph import EVENT, triggers
from reglament.schemas import Decision, Step, Wait
from reglament.schemas.expr import Expr, parse
from reglament.schemas.reglament import DataField, DataType

Scope = Mapping[str, object]


class Chooser(StrEnum):
    data = "data"  # the case data decide (a decision whose every outcome has a condition)
    caller = "caller"  # the caller records the outcome
    none = "none"  # one way on: nothing to choose


def chooser(step: Step) -> Chooser:
    """Who chooses how ``step`` ends."""
    if isinstance(step, Decision):
        if all(o.when is not None for o in step.outcomes.values()):
            return Chooser.data
        return Chooser.caller
    if isinstance(step, Wait) and len(triggers(step)) > 1:
        return Chooser.caller
    return Chooser.none


def decided_by_data(step: Step) -> bool:
    return chooser(step) is Chooser.data


def outcomes(step: Step) -> tuple[str, ...]:
    """The outcomes ``step`` may end with: a decision's names, a wait's ``event`` (and
    ``timeout`` when it has a limit); none for the other steps, which just go on."""
    if isinstance(step, Decision | Wait):
        return triggers(step)
    return ()


def default(step: Step) -> str | None:
    """The outcome a wait ends with when the caller says nothing: the awaited event."""
    return EVENT if isinstance(step, Wait) else None


def drawn(step: Step, given: bool = False) -> bool:
    """Whether a batch draws ``step``'s outcome: the caller chooses between two or more, or
    (``given``) probabilities are given for it."""
    if len(outcomes(step)) < 2:
        return False
    return given or chooser(step) is Chooser.caller


def conditions(step: Step) -> dict[str, Expr | None]:
    """A decision's outcomes with their conditions parsed (empty for other steps)."""
    if not isinstance(step, Decision):
        return {}
    return {name: parse(o.when) if o.when else None for name, o in step.outcomes.items()}


def decide(found: Mapping[str, Expr | None], scope: Scope) -> str | None:
    """The first outcome whose condition holds for ``scope`` (``None``: none holds)."""
    for name, condition in found.items():
        if condition is not None and condition(scope):
            return name
    return None


def unset(declared: Mapping[str, DataField], data: Mapping[str, object]) -> frozenset[str]:
    """The declared fields that ``data`` does not give (absent, or ``None``: not known)."""
    return frozenset(name for name in declared if data.get(name) is None)


MAX_ASSUMED = 256  # assignments tried at most when values are assumed for missing fields


def candidates(field: DataField) -> tuple[object, ...]:
    """The values a simulation may assume for ``field``, in order: true before false, a
    choice's values as declared; none for a number, a text or a date (they must be given)."""
    if field.type is DataType.bool:
        return (True, False)
    if field.values is not None:
        return tuple(field.values)
    return ()


def assumed(
    conditions: Sequence[Expr | None],
    scope: Scope,
    declared: Mapping[str, DataField],
    missing: frozenset[str],
) -> dict[str, object] | None:
    """Values to assume for the fields of ``missing`` that the first undetermined of
    ``conditions`` (tried in order) reads: the first assignment, in the order of
    :func:`candidates`, under which that condition holds, so that the first way that can be
    taken is taken; else the first assignment. ``{}`` when no condition is undetermined;
    ``None`` when a field has no candidates (or there are too many assignments)."""
    first = next((c for c in _tried(conditions, scope) if c.missing(scope, missing)), None)
    if first is None:
        return {}
    names = sorted(first.missing(scope, missing))
    values = [candidates(declared[name]) for name in names]
    if any(not v for v in values):
        return None
    tried: dict[str, object] | None = None
    for count, assignment in enumerate(itertools.product(*values)):
        if count >= MAX_ASSUMED:
            return None
        chosen = dict(zip(names, assignment, strict=True))
        tried = tried or chosen
        if first({**scope, **chosen}):
            return chosen
    return tried


def _tried(conditions: Iterable[Expr | None], scope: Scope) -> Iterable[Expr]:
    """The conditions tried in order until one is an otherwise or holds (that one included)."""
    for condition in conditions:
        if condition is None:
            return
        yield condition
        if condition(scope):
            return
