"""A stored case's timers and the list's indexed columns, both from
:func:`reglament.runtime.timers.timers` (the one owner of a case's due instants).

Each write plans its case again: the rows of the ``timers`` table are the timers the runtime
gives the case as of its last event (a step overdue, a wait's timeout, the term at risk, the
term overdue); the columns ``cases list --overdue`` and ``--at-risk`` read come from the same
timers, with the events already recorded taken back out of the history (a term at risk stays
at risk once its event is recorded, a step overdue stays overdue): from when the case is
overdue, one tick before its first step, wait or term timer that makes it so, and the stretch
in which its term is at risk, from its ``term_at_risk`` timer until its ``term_overdue``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import and_, bindparam, delete, insert, or_, select, update
from sqlalchemy.engine import Connection

from reglament.engine import Case, Engine
from reglament.engine.case import Record
from reglament.procedure.events import Kind
from reglament.runtime.timers import TICK, Timer, fire, timers
from reglament.store import direct
from reglament.store.tables import timers as table

Move = Callable[[Engine, Case], list[Record]]
_POLLED = (Kind.step_overdue, Kind.term_at_risk, Kind.term_overdue)
# a timer's due is the first instant its event comes; the list's columns hold the last
# instant the case is not yet late (``overdue_at < T``): a tick before, but for a wait, whose
# timeout comes at its limit and which is late a tick after it
_LATE_AFTER = {"step_overdue": TICK, "term_overdue": TICK, "wait_timeout": dt.timedelta(0)}


# the case row's columns :func:`plan` gives
COLUMNS = ("status", "step_due", "term_due", "overdue_at", "at_risk_at", "at_risk_until")


def plan(engine: Engine, case: Case, at: dt.datetime) -> tuple[dict[str, Any], list[Timer]]:
    """The case's row columns (state, earliest step due, term due, overdue from, at risk from
    and until) and its timers, as of its last event ``at``."""
    if case.finished:
        columns = dict.fromkeys(("step_due", "overdue_at", "at_risk_at", "at_risk_until"))
        return {**columns, "status": "finished", "term_due": engine.term_due(case)}, []
    planned = timers(engine, case, at)
    status = engine.status(case, at)
    whole = planned
    if any(record.kind in _POLLED for record in case.history):
        # the case without its time-driven records: a copy sharing all but its history
        # (``timers`` only reads a case), not a restored one (to_dict and restore per write)
        bare = replace(case, history=[r for r in case.history if r.kind not in _POLLED])
        whole = timers(engine, bare, at)
    late = [t.due - _LATE_AFTER[t.kind] for t in whole if t.kind in _LATE_AFTER]
    risk = next((t.due for t in whole if t.kind == "term_at_risk"), None)
    until = next((t.due - TICK for t in whole if t.kind == "term_overdue"), None)
    columns = {
        "status": "suspended" if engine.suspended_since(case, at) else "open",
        "step_due": min((s.due for s in status.active if s.due is not None), default=None),
        "term_due": status.term_due,
        "overdue_at": min(late, default=None),
        "at_risk_at": risk,
        "at_risk_until": until,
    }
    return columns, planned


# replan's statements, built once and run on the driver's cursor (store/direct.py: a statement
# run through SQLAlchemy's execution costs more Python than the database's work on it)
_KEPT = direct.Statement(
    select(table.c.id, table.c.kind, table.c.step, table.c.due_at, table.c.fired_at).where(
        table.c.case_id == bindparam("of_case")
    )
)
_DELETE = direct.Statement(delete(table).where(table.c.id == bindparam("gone")))
_INSERT = direct.Statement(insert(table), ["case_id", "kind", "step", "due_at", "revision"])


def replan(connection: Connection, case_id: str, revision: int, planned: list[Timer]) -> None:
    """The case's timers not fired yet become ``planned``: those no longer planned go, new ones
    come with the revision that planned them; fired ones stay, and none is planned twice."""
    kept = _KEPT.all(connection, {"of_case": case_id})
    wanted = {(t.kind, t.step, t.due) for t in planned}
    gone = [t.id for t in kept if t.fired_at is None and (t.kind, t.step, t.due_at) not in wanted]
    if gone:
        _DELETE.many(connection, [{"gone": g} for g in gone])
    have = {(t.kind, t.step, t.due_at) for t in kept}
    new = [t for t in planned if (t.kind, t.step, t.due) not in have]
    if new:
        _INSERT.many(
            connection,
            [
                {"case_id": case_id, "kind": t.kind, "step": t.step, "due_at": t.due}
                | {"revision": revision}
                for t in new
            ],
        )


# the timer fired, and any other row of its case not fired yet whose event the firing recorded
_MARK_FIRED = (
    update(table)
    .where(
        or_(
            table.c.id == bindparam("timer_id"),
            and_(
                table.c.case_id == bindparam("of_case"),
                table.c.fired_at.is_(None),
                table.c.kind == bindparam("recorded_kind"),
                table.c.step.is_not_distinct_from(bindparam("recorded_step")),
            ),
        )
    )
    .values(fired_at=bindparam("now"))
)


def mark_fired(
    connection: Connection, case_id: str, made: list[Record], timer_id: int, now: dt.datetime
) -> None:
    """Timer ``timer_id`` fired at ``now``, and with it every timer of the case not fired yet
    whose event the firing recorded too (one poll records every event come by then)."""
    recorded: list[tuple[str | None, str | None]] = [
        (r.kind.value, r.step) for r in made if r.kind in _POLLED
    ] or [(None, None)]  # none: the timer's own row only (no kind is null)
    connection.execute(
        _MARK_FIRED,
        [
            {"timer_id": timer_id, "of_case": case_id, "now": now}
            | {"recorded_kind": kind, "recorded_step": step}
            for kind, step in recorded
        ],
    )


def timer_of(payload: Mapping[str, Any]) -> Timer:
    """The timer a stored ``fire`` command names."""
    return Timer(payload["kind"], payload["step"], dt.datetime.fromisoformat(payload["due"]))


def fire_move(payload: Mapping[str, Any]) -> Move:
    """The move a stored ``fire`` command makes (the worker's, and a replay's):
    :func:`reglament.runtime.timers.fire` of its timer on a clock reading its ``at``."""
    at = dt.datetime.fromisoformat(payload["at"])
    return lambda engine, case: list(fire(engine, case, timer_of(payload), at).records)
