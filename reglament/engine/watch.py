"""A simulated case as a watcher would have seen it: with the time-driven events.

:func:`~reglament.engine.simulate.simulate` records what the steps did; a running system also
polls its cases (:meth:`Engine.poll`), which records a step overdue when it runs past its due
time and the legal term at risk when it comes within N working days of its end (N from the
reglament's ``term_at_risk`` notification, else 2). :func:`watch` replays a timeline through
the engine, polling at each step's end and at the first opening of the day the term comes at
risk, and returns the replayed case, whose history holds those events too. The simulated
timeline itself is left as it is.
"""

from __future__ import annotations

import datetime as dt

from reglament.engine.case import Case
from reglament.engine.runtime import Engine
from reglament.engine.simulate import Timeline
from reglament.procedure import term


def at_risk_from(engine: Engine, case: Case) -> dt.datetime | None:
    """The first instant the case's legal term counts as at risk (``None``: no term), as
    :func:`reglament.procedure.term.at_risk_from` finds it on the channel's clock."""
    due = engine.term_due(case, case.accepted_at)
    if due is None:
        return None
    clock = engine.compiled.channel_clock[case.channel]
    return term.at_risk_from(clock, case.accepted_at, due, engine.at_risk_days())


def watch(engine: Engine, timeline: Timeline) -> Case:
    """Replay ``timeline`` through ``engine``, polling as a watcher would; the replayed case."""
    simulated = timeline.case
    case = engine.start(
        simulated.submitted_at, simulated.channel, simulated.variant, dict(simulated.data)
    )
    risk = at_risk_from(engine, case)
    for row in timeline.rows:
        if risk is not None and risk <= row.end:
            engine.poll(case, risk)
            risk = None
        engine.poll(case, row.end)
        engine.complete(case, row.step, row.end, row.outcome)
    return case
