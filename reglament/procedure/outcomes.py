"""Who chooses how a step ends: the case data, the caller, or nobody (one way only).

* A decision whose every outcome has a condition is decided by the case data: the engine takes
  the first outcome whose condition holds (:func:`decide`), and a caller may not pick one.
* A decision with an outcome without a condition, and a wait with a time limit (the awaited
  event, or the timeout), end as the caller records it.
* A task, a join, a parallel block and a wait without a limit have one way on.

A batch of simulated cases *draws* the outcome of the steps the caller chooses between (and of a
decision decided by data when it is given probabilities): :func:`drawn`.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from reglament.procedure.graph import EVENT, triggers
from reglament.schemas import Decision, Step, Wait
from reglament.schemas.expr import Expr, parse

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
