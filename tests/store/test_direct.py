"""store/direct.py: a statement run on the driver's cursor does what SQLAlchemy's execution of
the same statement does, on both databases (parameters and rows converted by the column types,
a driver's error raised as SQLAlchemy's)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import bindparam, delete, func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from reglament.store import database, direct
from reglament.store.tables import cases, timers

AT = dt.datetime(2016, 3, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=6)))
CASE = {
    "id": "c1",
    "reglament": "r",
    "version": "2015-01-01",
    "region": "almaty",
    "timezone": "Asia/Almaty",
    "channel": "office",
    "variant": None,
    "receipt": "R1",
    "language": "kk",
    "contact": "{}",
    "status": "open",
    "revision": 1,
    "snapshot": "{}",
    "step_due": AT,
    "term_due": None,
    "overdue_at": None,
    "at_risk_at": None,
    "at_risk_until": None,
    "created_at": AT,
    "updated_at": AT,
    "calendar": None,
}
_SELECT = (
    select(cases, func.coalesce(func.max(timers.c.id), 0).label("top"))
    .where((cases.c.id == bindparam("ref")) | (cases.c.receipt == bindparam("ref")))
    .outerjoin(timers, timers.c.case_id == cases.c.id)
    .group_by(cases.c.id)
)
_INSERT = insert(timers)
KEYS = ["case_id", "kind", "step", "due_at", "revision"]


def test_rows_and_parameters_as_sqlalchemy_gives_them(db: Engine) -> None:
    rows: list[dict[str, object]] = [
        {"case_id": "c1", "kind": "step_overdue", "step": "s", "due_at": AT, "revision": 1},
        {"case_id": "c1", "kind": "term_due", "step": None, "due_at": AT, "revision": 1},
    ]
    with database.transaction(db, write=True) as connection:
        connection.execute(insert(cases), CASE)
        direct.Statement(_INSERT, KEYS).many(connection, rows)
        for ref in ("c1", "R1"):  # a name used twice, and a literal of the statement
            mine = direct.Statement(_SELECT).first(connection, {"ref": ref})
            theirs = connection.execute(_SELECT, {"ref": ref}).one()
            assert mine._asdict() == theirs._asdict()
            assert mine.step_due == AT and mine.step_due.tzinfo == dt.UTC
        kept = select(timers.c.kind, timers.c.step, timers.c.due_at).order_by(timers.c.id)
        assert direct.Statement(kept).all(connection, {}) == [
            tuple(r) for r in connection.execute(kept).all()
        ]
        assert [r.due_at for r in connection.execute(kept)] == [AT, AT]
        gone = direct.Statement(delete(timers).where(timers.c.kind == bindparam("kind")))
        assert gone.run(connection, {"kind": "term_due"}) == 1
        assert direct.Statement(select(timers.c.kind)).first(connection, {}) == ("step_overdue",)
        assert (
            direct.Statement(select(timers.c.kind).where(timers.c.id < 0)).first(connection, {})
            is None
        )


def test_a_driver_error_is_sqlalchemys(db: Engine) -> None:
    with pytest.raises(IntegrityError), database.transaction(db, write=True) as connection:
        row = {"case_id": "none", "kind": "k", "step": None, "due_at": AT, "revision": 1}
        direct.Statement(_INSERT, KEYS).many(connection, [row])  # no such case: its foreign key
