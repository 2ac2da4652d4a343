"""The case store: every command on a stored case is one transaction on top of the public
``Engine`` API.

A write reads the case's snapshot (``Case.to_dict()`` as JSON) and its revision, restores the
case (``Engine.restore``), makes the move, then in the same transaction updates the case row
*where its revision is still the one read* (optimistic concurrency: a stale revision is a
:class:`~reglament.errors.ConflictError` and nothing is written), appends the move's events
(with who, the comment and the idempotency key), and keeps the answer under the idempotency key
(the same key again answers the first answer and writes nothing). An impossible move is a
:class:`~reglament.errors.MoveError`; anything raised leaves the database as it was."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Integer,
    Row,
    Select,
    bindparam,
    func,
    insert,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.engine import Engine as Database
from sqlalchemy.exc import IntegrityError

from reglament.engine import Case, Engine
from reglament.engine.case import Record
from reglament.errors import (
    CaseError,
    ConflictError,
    MoveError,
    NotFoundError,
    StaleError,
    UsageError,
)
from reglament.loader import Library
from reglament.runtime import amend
from reglament.runtime.amend import Migration
from reglament.runtime.audit import Reaudit
from reglament.runtime.audit import audit as reaudit
from reglament.schemas import Reglament
from reglament.schemas.jsonready import json_ready
from reglament.store import database, direct, memo, outbox, reproject
from reglament.store import timers as planning
from reglament.store.calendars import Calendar, Calendars
from reglament.store.tables import Instant, cases, events, fit, idempotency

Move = Callable[[Engine, Case], list[Record]]
DATA_SET = "data_set"  # the store's own event kind: case data recorded (Engine.set_data)
MIGRATE = "migrate"  # the command that moves a case to another version (store/amend.py)


# The statements of every write, built once: a statement built per call costs more Python than
# the database's own work on it (construction and SQLAlchemy's cache key; docs/runtime.md).
_LAST_SEQ = (  # the number of the case's last event, read with its row
    select(func.coalesce(func.max(events.c.seq), 0))
    .where(events.c.case_id == cases.c.id)
    .scalar_subquery()
    .label("last_seq")
)
_SELECT_CASE = direct.Statement(
    select(cases, _LAST_SEQ).where(
        or_(cases.c.id == bindparam("ref"), cases.c.receipt == bindparam("ref"))
    )
)
_UPDATE_CASE = direct.Statement(
    update(cases).where(
        cases.c.id == bindparam("row_id"), cases.c.revision == bindparam("read_revision")
    ),
    ["revision", "snapshot", "updated_at", *planning.COLUMNS],
)
_INSERT_EVENTS = direct.Statement(insert(events), [c.name for c in events.c])
_CASE_EVENTS = direct.Statement(  # a case's history, oldest first (show)
    select(events).where(events.c.case_id == bindparam("case_id")).order_by(events.c.seq)
)
_INSERT_CASE = insert(cases)
_TAKEN = select(cases.c.id, cases.c.receipt).where(
    or_(cases.c.id == bindparam("new_id"), cases.c.receipt == bindparam("new_receipt"))
)
_KEPT_ANSWER = direct.Statement(
    select(idempotency).where(idempotency.c.key == bindparam("kept_key"))
)
# a key another writer committed meanwhile: nothing inserted (rowcount 0)
_KEEP_ANSWER = direct.insert_or_skip(idempotency, "key", [c.name for c in idempotency.c])


@dataclass(frozen=True, slots=True)
class Who:
    """Who makes a move: a user id and a role, as the caller's system knows them."""

    user: str | None = None
    role: str | None = None


@dataclass(frozen=True, slots=True)
class Request:
    """A write's common arguments: who, their comment, the idempotency key, the revision the
    caller read (``None``: whatever revision the case is at), and the id of the HTTP request
    that asked for it (kept on its events; not part of the idempotency fingerprint)."""

    who: Who = field(default_factory=Who)
    comment: str | None = None
    key: str | None = None
    revision: int | None = None
    request_id: str | None = None


@dataclass(frozen=True, slots=True)
class Written:
    """What a write answered (``response``: the case, its new revision, the events added), and
    whether it is the first answer given again for a key used before (``repeated``)."""

    response: dict[str, Any]
    repeated: bool = False


class _Raced(Exception):
    """A start's insert met a row another writer committed after this one's checks read."""


@dataclass(frozen=True, slots=True)
class _Command:
    name: str  # start, complete, suspend, resume, data
    payload: dict[str, Any]  # its arguments as JSON, what a replay runs it from
    move: Move
    at: dt.datetime  # the instant the caller gave


class Store:
    """Cases kept in a database (``reglament db upgrade`` made its schema), run by the engines
    of ``library``'s versions. ``now`` is the wall clock the events' ``recorded_at`` reads
    (the CLI's); the cases' own instants are always the caller's."""

    def __init__(
        self,
        db: Database,
        library: Library,
        now: Callable[[], dt.datetime],
        *,
        check: bool = True,
        calendar: Calendar | None = None,
    ) -> None:
        if check:
            try:
                database.check(db)
            except BaseException:
                db.dispose()
                raise
        self.db, self.library, self.now = db, library, now
        # the calendar due instants are planned on (store/calendars.py; default: the default)
        self.calendars = Calendars(calendar) if calendar is not None else Calendars()
        self._engines: dict[tuple[str, str, str], Engine] = {}
        self._kept = memo.Kept()  # the cases of the last writes, as they committed them

    def close(self) -> None:
        """Close the database's connections."""
        self.db.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- the engines ----------------------------------------------------------------------------

    def engine(self, reglament: str, region: str, version: str) -> Engine:
        """The engine of a stored case's version (built once per store)."""
        found = self._engines.get((reglament, region, version))
        if found is None:
            chosen = self.library.choose(f"{reglament}@{region}@{version}")
            if chosen.reglament.effective.from_.isoformat() != version:
                raise UsageError(
                    f"version {version} of {reglament}@{region} is not in the library: "
                    "give its file with --path"
                )
            work = self.calendars.running.work
            found = self._engines[(reglament, region, version)] = Engine(chosen.reglament, work)
        return found

    def engine_of(self, ref: str) -> Engine:
        """The engine of stored case ``ref``'s version."""
        row = self._read(ref)
        return self.engine(row.reglament, row.region, row.version)

    def zone(self, ref: str) -> ZoneInfo:
        """The time zone of stored case ``ref`` (an instant without offset is read in it)."""
        return ZoneInfo(self._read(ref).timezone)

    def _read(self, ref: str) -> Any:
        with database.transaction(self.db, write=False) as connection:
            return self._row(connection, ref)

    # -- the commands -----------------------------------------------------------------------------

    def start(
        self,
        reglament: Reglament,
        at: dt.datetime,
        channel: str,
        variant: str | None = None,
        data: Mapping[str, object] | None = None,
        *,
        request: Request | None = None,
        language: str = "kk",
        contact: Mapping[str, str] | None = None,
        case_id: str | None = None,
        receipt: str | None = None,
        outside_period: bool = False,
    ) -> Written:
        """Open a case of ``reglament`` submitted at ``at`` (``Engine.start``) and store it at
        revision 1 with its first events."""
        request = request or Request()
        at = _zoned(at, ZoneInfo(reglament.timezone))
        payload = {
            "reglament": reglament.id,
            "region": reglament.region,
            "version": reglament.effective.from_.isoformat(),
            "submitted_at": at.isoformat(),
            "channel": channel,
            "variant": variant,
            "data": json_ready(dict(data or {})),
            "case_id": case_id,
            "receipt": receipt,
            "outside_period": outside_period,
            "language": language,
            "contact": dict(contact or {}),
        }
        engine = self.engine(reglament.id, reglament.region, payload["version"])
        for _attempt in range(2):  # a race: read again, the kept answer of the key or the case
            try:
                return self._start_once(engine, payload, request)
            except _Raced:
                continue
        raise ConflictError(
            f"case {payload['case_id'] or '(new)'} was stored by another writer at the "
            "same time: repeat the request to get its answer"
        )

    def _start_once(self, engine: Engine, payload: dict[str, Any], request: Request) -> Written:
        with self._kept.committing(), database.transaction(self.db, write=True) as connection:
            done = self._done(connection, "start", payload, request)
            if done is not None:
                return done
            reproject.ensure(connection, self)
            try:
                case = _start(engine, payload)
            except CaseError as error:
                raise MoveError(str(error)) from None
            return self._insert(connection, engine, case, payload, request)

    def complete(
        self,
        ref: str,
        step: str,
        at: dt.datetime,
        outcome: str | None = None,
        request: Request | None = None,
    ) -> Written:
        """Record that ``step`` of case ``ref`` (its id or receipt) finished at ``at``."""
        request = request or Request()
        payload = {"step": step, "at": at.isoformat(), "outcome": outcome}
        payload.update(by=request.who.user, comment=request.comment)
        return self._write(ref, _Command("complete", payload, _complete(payload), at), request)

    def suspend(
        self, ref: str, at: dt.datetime, reason: str, request: Request | None = None
    ) -> Written:
        """Stop the legal term of case ``ref`` at ``at`` (``Engine.suspend``)."""
        payload = {"at": at.isoformat(), "reason": reason}
        command = _Command("suspend", payload, lambda e, c: e.suspend(c, at, reason), at)
        return self._write(ref, command, request or Request())

    def resume(self, ref: str, at: dt.datetime, request: Request | None = None) -> Written:
        """Let the legal term of case ``ref`` run again at ``at`` (``Engine.resume``)."""
        command = _Command("resume", {"at": at.isoformat()}, lambda e, c: e.resume(c, at), at)
        return self._write(ref, command, request or Request())

    def set_data(
        self,
        ref: str,
        values: Mapping[str, object],
        at: dt.datetime,
        request: Request | None = None,
    ) -> Written:
        """Record case data learnt at ``at`` (``Engine.set_data``), as one ``data_set`` event."""
        payload = {"at": at.isoformat(), "values": json_ready(dict(values))}
        return self._write(
            ref, _Command("data", payload, _set_data(payload), at), request or Request()
        )

    # -- reading --------------------------------------------------------------------------------

    def show(self, ref: str, at: dt.datetime) -> dict[str, Any]:
        """Case ``ref`` as of ``at``: its row, its status (``Engine.status``: the steps under
        way and their due instants, the term), and its whole event log with who and when."""
        with database.transaction(self.db, write=False) as connection:
            row = self._row(connection, ref)
            logged = _CASE_EVENTS.all(connection, {"case_id": row.id})
        engine = self.engine(row.reglament, row.region, row.version)
        case = engine.restore(json.loads(row.snapshot))
        return {
            **_summary(row),
            "channel": row.channel,
            "variant": row.variant,
            "language": row.language,
            "contact": json.loads(row.contact),
            "status": engine.status(case, at).to_dict(),
            "events": [_event_json(event, ZoneInfo(row.timezone)) for event in logged],
        }

    def allowed(self, ref: str) -> dict[str, list[str]]:
        """The moves case ``ref`` may take now (``Engine.allowed``): each step under way and
        the ways out of it."""
        row = self._read(ref)
        engine = self.engine(row.reglament, row.region, row.version)
        return engine.allowed(engine.restore(json.loads(row.snapshot)))

    def audit(self, ref: str, at: dt.datetime | None = None) -> Reaudit:
        """Case ``ref`` re-audited against its own version (``runtime.audit.audit``): each step
        done late and the term met or broken, by how much, as of ``at`` (default: its end, or
        its last event)."""
        row = self._read(ref)
        engine = self.engine(row.reglament, row.region, row.version)
        return reaudit(engine, engine.restore(json.loads(row.snapshot)), at)

    def cases(
        self,
        at: dt.datetime,
        *,
        overdue: bool = False,
        at_risk: bool = False,
        region: str | None = None,
        reglament: str | None = None,
        receipt: str | None = None,
        limit: int = 100,
        open_only: bool = False,
    ) -> list[dict[str, Any]]:
        """The cases that match every filter given, as of ``at``: overdue (a step or the term),
        their term at risk, of a region (case aside), a reglament id, a receipt number, not
        finished (``open_only``). Ordered by when they became overdue (``overdue``), else at
        risk (``at_risk``), else their id."""
        shape = _ListShape(overdue, at_risk, region is not None, reglament is not None,
                           receipt is not None, open_only)  # fmt: skip
        query = _list_on_cursor(shape)
        params = _list_params(at, region, reglament, receipt, limit)
        with database.transaction(self.db, write=False) as connection:
            rows = query.all(connection, params)
        return [_summary(row) for row in rows]

    def replay(self, ref: str) -> Case:
        """Case ``ref`` rebuilt from its event log alone: each write's command run again through
        the engine from its stored arguments. The store's invariant: it equals the snapshot,
        and every write gives again exactly the events it logged (a ``RuntimeError`` if not)."""
        with database.transaction(self.db, write=False) as connection:
            row = self._row(connection, ref)
            logged = connection.execute(
                select(events).where(events.c.case_id == row.id).order_by(events.c.seq)
            ).all()
            calendars = {e.calendar for e in logged} | {
                json.loads(e.payload)["from"] for e in logged if e.command == reproject.COMMAND
            }
            on = {c: self.calendars.of(connection, c) for c in calendars}
        groups: dict[int, list[Row[Any]]] = {}
        for event in logged:
            groups.setdefault(event.revision, []).append(event)
        case: Case | None = None
        version = row.version
        for revision, group in sorted(groups.items()):
            first = group[0]
            payload = json.loads(first.payload)
            if first.command == "start":  # on the version it was started on
                version = payload["version"]
            # each write again on the version the case was on, on the calendar it ran on
            engine = reproject.engine_on(self, row, on[first.calendar], version)
            if first.command == "start":
                case = _start(engine, payload)
                made = list(case.history)
            elif first.command == MIGRATE:  # then on the version it moved to
                assert case is not None, "a case's log begins with its start"
                to = reproject.engine_on(self, row, on[first.calendar], payload["to"])
                moved = self.migrated(engine, case, payload, to)[1]
                case, made = moved.case, [r for r in (moved.record,) if r is not None]
                version = payload["to"]
            else:
                assert case is not None, "a case's log begins with its start"
                if first.command == reproject.COMMAND:  # from the calendar it was planned on
                    old = reproject.engine_on(self, row, on[payload["from"]], version)
                    made = reproject.again(old, payload)(engine, case)
                else:
                    made = _moves[first.command](payload)(engine, case)
            _same(revision, [_record_row(r) for r in made] or [_data_row(payload)], group)
        assert case is not None
        return case

    def migrated(
        self, engine: Engine, case: Case, payload: Mapping[str, Any], new: Engine | None = None
    ) -> tuple[Engine, Migration]:
        """A stored ``migrate`` command (the write's, and a replay's): ``case`` of ``engine``'s
        version moved by ``runtime.amend.migrate`` to the version ``payload["to"]`` under its
        policy at its instant, with that version's engine (``new``, a replay's on the calendar
        the write ran on; else the store's)."""
        new = new or self.engine(case.reglament, case.region, payload["to"])
        at = dt.datetime.fromisoformat(payload["at"])
        return new, amend.migrate(engine, new, case, amend.Policy.parse(payload["policy"]), at=at)

    # -- the writes -------------------------------------------------------------------------------

    def _write(self, ref: str, command: _Command, request: Request) -> Written:
        if command.at.tzinfo is None:
            raise UsageError(f"expected an aware datetime, got {command.at!r}")
        with self._kept.committing(), database.transaction(self.db, write=True) as connection:
            row = self._row(connection, ref)
            command = _in_zone(command, ZoneInfo(row.timezone))
            done = self._done(connection, command.name, command.payload, request)
            if done is not None:
                return done
            if request.revision is not None and request.revision != row.revision:
                raise _stale(row.id, request.revision, row.revision)
            row = reproject.catch_up(connection, self, row, request.who)
            engine = self.engine(row.reglament, row.region, row.version)
            case = self._case(engine, row)
            if command.at < row.updated_at:
                raise MoveError(
                    f"case {row.id}: {command.name} at {command.at.isoformat()} is before its "
                    f"last event ({row.updated_at.astimezone(command.at.tzinfo).isoformat()}); "
                    "instants never go backwards"
                )
            try:
                made = command.move(engine, case)
            except CaseError as error:
                raise MoveError(f"case {row.id}: {error}") from None
            logged = [_record_row(r) for r in made] or [_data_row(command.payload)]
            return self._update(connection, engine, case, row, command, logged, request)

    def _update(
        self,
        connection: Connection,
        engine: Engine,
        case: Case,
        row: Row[Any],
        command: _Command,
        logged: list[dict[str, Any]],
        request: Request,
    ) -> Written:
        revision = row.revision + 1
        last = max(command.at, row.updated_at)
        columns, planned = planning.plan(engine, case, last)
        snapshot = json.dumps(case.to_dict(), ensure_ascii=False)
        changed = _UPDATE_CASE.run(
            connection,
            {
                "row_id": row.id,
                "read_revision": row.revision,
                "revision": revision,
                "snapshot": snapshot,
                "updated_at": last,
                **columns,
            },
        )
        if changed != 1:  # another writer committed in between (PostgreSQL's READ COMMITTED)
            raise _stale(row.id, row.revision, row.revision + 1)
        self._kept.stage(case.id, snapshot, case)
        planning.replan(connection, case.id, revision, planned)
        first = row.last_seq
        response = self._log(
            connection, case, revision, first, command.name, command.payload, logged, request
        )
        made = sum(entry["kind"] != DATA_SET for entry in logged)  # the move's records
        contact = json.loads(row.contact)
        outbox.enqueue(connection, engine, case, made, first, row.language, contact, self.now())
        return self._keep(
            connection, case.id, revision, command.name, command.payload, request, response
        )

    def _insert(
        self,
        connection: Connection,
        engine: Engine,
        case: Case,
        payload: dict[str, Any],
        request: Request,
    ) -> Written:
        taken = connection.execute(_TAKEN, {"new_id": case.id, "new_receipt": case.receipt}).first()
        if taken is not None:
            raise ConflictError(
                f"case {taken.id} (receipt {taken.receipt}) is stored already: give another "
                "case id or receipt, or an idempotency key to repeat a start safely"
            )
        last = case.history[-1].at
        columns, planned = planning.plan(engine, case, last)
        row = dict(
            id=case.id,
            reglament=case.reglament,
            version=case.version,
            region=case.region,
            timezone=case.timezone,
            channel=case.channel,
            variant=case.variant,
            receipt=case.receipt,
            language=payload["language"],
            contact=json.dumps(payload["contact"], ensure_ascii=False),
            revision=1,
            snapshot=json.dumps(case.to_dict(), ensure_ascii=False),
            created_at=case.submitted_at,
            updated_at=last,
            calendar=self.calendars.running.fingerprint,
            **columns,
        )
        fit(cases, [row])
        try:
            connection.execute(_INSERT_CASE, row)
        except IntegrityError:
            # PostgreSQL: another writer's start of this id or receipt committed after the
            # check above read (READ COMMITTED); this transaction is spoiled, so it is rolled
            # back and ``start`` reads again.
            raise _Raced from None
        self._kept.stage(case.id, row["snapshot"], case)
        planning.replan(connection, case.id, 1, planned)
        logged = [_record_row(r) for r in case.history]
        response = self._log(connection, case, 1, 0, "start", payload, logged, request)
        outbox.enqueue(
            connection,
            engine,
            case,
            len(logged),
            0,
            payload["language"],
            payload["contact"],
            self.now(),
        )
        return self._keep(connection, case.id, 1, "start", payload, request, response)

    def _log(
        self,
        connection: Connection,
        case: Case,
        revision: int,
        after: int,
        command: str,
        payload: dict[str, Any],
        logged: list[dict[str, Any]],
        request: Request,
    ) -> dict[str, Any]:
        recorded = self.now()
        rows = [
            {
                **entry,
                "case_id": case.id,
                "seq": after + number,
                "revision": revision,
                "command": command,
                "payload": json.dumps(payload, ensure_ascii=False) if number == 1 else None,
                "user_id": request.who.user,
                "role": request.who.role,
                "comment": request.comment,
                "idempotency_key": request.key,
                "recorded_at": recorded,
                "calendar": self.calendars.running.fingerprint,
                "request_id": request.request_id,
            }
            for number, entry in enumerate(logged, start=1)
        ]
        fit(events, rows)
        _INSERT_EVENTS.many(connection, rows)
        return {
            "case": case.id,
            "receipt": case.receipt,
            "revision": revision,
            "events": [_event_json(_Row(entry), ZoneInfo(case.timezone)) for entry in rows],
        }

    def _keep(
        self,
        connection: Connection,
        case_id: str,
        revision: int,
        command: str,
        payload: dict[str, Any],
        request: Request,
        response: dict[str, Any],
    ) -> Written:
        if request.key is not None:
            kept = _KEEP_ANSWER[connection.dialect.name].run(
                connection,
                {
                    "key": request.key,
                    "case_id": case_id,
                    "request": _fingerprint(command, payload, request),
                    "revision": revision,
                    "response": json.dumps(response, ensure_ascii=False),
                },
            )
            if kept != 1:  # the same key committed by another writer meanwhile: all rolled back
                raise ConflictError(
                    f"idempotency key {request.key!r} was used by another write at the same "
                    "time: repeat the request to get its answer"
                )
        return Written(response)

    def _done(
        self, connection: Connection, command: str, payload: dict[str, Any], request: Request
    ) -> Written | None:
        """The first answer given under the request's idempotency key, if it was used."""
        if request.key is None:
            return None
        kept = _KEPT_ANSWER.first(connection, {"kept_key": request.key})
        if kept is None:
            return None
        if kept.request != _fingerprint(command, payload, request):
            raise UsageError(
                f"idempotency key {request.key!r} was used for another request (on case "
                f"{kept.case_id}): give a new key for a new request"
            )
        return Written(json.loads(kept.response), repeated=True)

    def _case(self, engine: Engine, row: Row[Any]) -> Case:
        """The case ``row`` holds: the one this store's last write on it committed, if the row
        still holds that write's snapshot (``memo``), else its snapshot restored."""
        kept = self._kept.take(row.id, row.snapshot)
        return kept if kept is not None else engine.restore(json.loads(row.snapshot))

    def _row(self, connection: Connection, ref: str) -> Any:
        """The row of case ``ref``, by its id or its receipt number (its columns by name)."""
        row = _SELECT_CASE.first(connection, {"ref": ref})
        if row is None:
            raise NotFoundError(f"no stored case {ref!r} (give a case id or a receipt number)")
        return row


def list_query(
    at: dt.datetime,
    *,
    overdue: bool = False,
    at_risk: bool = False,
    region: str | None = None,
    reglament: str | None = None,
    receipt: str | None = None,
    limit: int = 100,
    open_only: bool = False,
) -> Select[Any]:
    """The statement ``Store.cases`` runs, its values bound (the bench EXPLAINs it)."""
    shape = _ListShape(overdue, at_risk, region is not None, reglament is not None,
                       receipt is not None, open_only)  # fmt: skip
    return _list_statement(shape).params(_list_params(at, region, reglament, receipt, limit))


@dataclass(frozen=True, slots=True)
class _ListShape:
    """Which filters a list has: its statement is built once per shape (``_list_on_cursor``)."""

    overdue: bool
    at_risk: bool
    by_region: bool
    by_reglament: bool
    by_receipt: bool
    open_only: bool


def _list_params(
    at: dt.datetime, region: str | None, reglament: str | None, receipt: str | None, limit: int
) -> dict[str, Any]:
    found: dict[str, Any] = {"at": at, "limit": limit}
    for name, value in (("region", region), ("reglament", reglament), ("receipt", receipt)):
        if value is not None:
            found[name] = value.casefold() if name == "region" else value
    return found


@functools.cache
def _list_statement(shape: _ListShape) -> Select[Any]:
    """The list of cases of ``shape``, its values as parameters (``_list_params``)."""
    at = bindparam("at", type_=Instant)
    query = select(*(c for c in cases.c if c.name not in ("snapshot", "contact")))
    order = [cases.c.id]
    if shape.open_only:
        query = query.where(_open())
    if shape.overdue:
        query = query.where(_open(), cases.c.overdue_at < at)
        order = [cases.c.overdue_at, cases.c.id]
    if shape.at_risk:
        query = query.where(
            _open(),
            cases.c.at_risk_at <= at,
            or_(cases.c.at_risk_until.is_(None), cases.c.at_risk_until >= at),
        )
        order = order if shape.overdue else [cases.c.at_risk_at, cases.c.id]
    for given, column in (
        (shape.by_region, cases.c.region),
        (shape.by_reglament, cases.c.reglament),
        (shape.by_receipt, cases.c.receipt),
    ):
        if given:
            query = query.where(column == bindparam(column.name))
    return query.order_by(*order).limit(bindparam("limit", type_=Integer))


@functools.cache
def _list_on_cursor(shape: _ListShape) -> direct.Statement:
    """The list of ``shape`` run on the driver's cursor (``Store.cases``)."""
    return direct.Statement(_list_statement(shape))


# -- the moves, from their stored arguments (what a write runs and a replay runs again) -------------


def _start(engine: Engine, payload: Mapping[str, Any]) -> Case:
    return engine.start(
        dt.datetime.fromisoformat(payload["submitted_at"]),
        payload["channel"],
        payload["variant"],
        dict(payload["data"]),
        case_id=payload["case_id"],
        receipt=payload["receipt"],
        outside_period=payload["outside_period"],
    )


def _complete(payload: Mapping[str, Any]) -> Move:
    at = dt.datetime.fromisoformat(payload["at"])

    def move(engine: Engine, case: Case) -> list[Record]:
        return engine.complete(
            case,
            payload["step"],
            at,
            payload["outcome"],
            by=payload["by"],
            comment=payload["comment"],
        )

    return move


def _suspend(payload: Mapping[str, Any]) -> Move:
    at = dt.datetime.fromisoformat(payload["at"])
    return lambda engine, case: engine.suspend(case, at, payload["reason"])


def _resume(payload: Mapping[str, Any]) -> Move:
    at = dt.datetime.fromisoformat(payload["at"])
    return lambda engine, case: engine.resume(case, at)


def _set_data(payload: Mapping[str, Any]) -> Move:
    at = dt.datetime.fromisoformat(payload["at"])

    def move(engine: Engine, case: Case) -> list[Record]:
        engine.status(case, at)  # the instant is aware and inside the calendar's range
        engine.set_data(case, dict(payload["values"]))
        return []  # logged as one data_set event (_data_row)

    return move


_moves: dict[str, Callable[[Mapping[str, Any]], Move]] = {
    "complete": _complete,
    "suspend": _suspend,
    "resume": _resume,
    "data": _set_data,
    "fire": planning.fire_move,
}


def _zoned(at: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """``at`` in the case's time zone (a naive one as given, for the engine to refuse)."""
    return at.astimezone(zone) if at.tzinfo is not None else at


def _in_zone(command: _Command, zone: ZoneInfo) -> _Command:
    """``command`` with its instant in the case's time zone, the one form in which a move is
    run, logged and replayed: ``Engine.restore`` reads a snapshot's instants in that zone, so
    an instant kept in the caller's offset would make the replayed case differ from the
    snapshot (and the same move given in two offsets is one request under its key)."""
    at = _zoned(command.at, zone)
    if at.isoformat() == command.payload["at"]:
        return command
    payload = {**command.payload, "at": at.isoformat()}
    return _Command(command.name, payload, _moves[command.name](payload), at)


# -- rows ---------------------------------------------------------------------------------------


def _record_row(record: Record) -> dict[str, Any]:
    return {
        "at": record.at,
        "kind": record.kind.value,
        "step": record.step,
        "outcome": record.outcome,
        "detail": record.detail,
    }


def _data_row(payload: Mapping[str, Any]) -> dict[str, Any]:
    detail = json.dumps(payload["values"], ensure_ascii=False, sort_keys=True)
    at = dt.datetime.fromisoformat(payload["at"])
    return {"at": at, "kind": DATA_SET, "step": None, "outcome": None, "detail": detail}


class _Row:
    """A row about to be inserted, read like a row read back."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.__dict__.update(values)


def _event_json(event: Any, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "revision": event.revision,
        "at": event.at.astimezone(zone).isoformat(),
        "kind": event.kind,
        "step": event.step,
        "outcome": event.outcome,
        "detail": event.detail,
        "user": event.user_id,
        "role": event.role,
        "comment": event.comment,
        "key": event.idempotency_key,
        "recorded_at": event.recorded_at.isoformat(),
        "request": event.request_id,
    }


def _same(revision: int, made: list[dict[str, Any]], logged: Sequence[Row[Any]]) -> None:
    """The events a replayed write made are the ones it logged (instants compared as instants)."""
    keys = ("at", "kind", "step", "outcome", "detail")
    again = [tuple(entry[k] for k in keys) for entry in made]
    kept = [tuple(getattr(row, k) for k in keys) for row in logged]
    if again != kept:
        raise RuntimeError(f"revision {revision} replays as {again}, logged as {kept}")


def _summary(row: Row[Any]) -> dict[str, Any]:
    zone = ZoneInfo(row.timezone)

    def instant(value: dt.datetime | None) -> str | None:
        return value.astimezone(zone).isoformat() if value is not None else None

    return {
        "case": row.id,
        "receipt": row.receipt,
        "reglament": row.reglament,
        "version": row.version,
        "region": row.region,
        "state": row.status,
        "revision": row.revision,
        "step_due": instant(row.step_due),
        "term_due": instant(row.term_due),
        "overdue_at": instant(row.overdue_at),
        "at_risk_at": instant(row.at_risk_at),
        "at_risk_until": instant(row.at_risk_until),
        "updated_at": instant(row.updated_at),
    }


def _open() -> Any:
    """A case not finished, its two statuses in the SQL text, ``status IN ('open',
    'suspended')``: a statement on the driver's cursor (``direct``) has no expanding
    parameter, which ``in_()`` of values makes."""
    return cases.c.status.op("IN")(literal_column("('open', 'suspended')"))


def _stale(case_id: str, given: int, found: int) -> StaleError:
    return StaleError(
        f"case {case_id} is at revision {found}, not {given}: someone else changed it; "
        "show it again and repeat your move on what it is now"
    )


def _fingerprint(command: str, payload: Mapping[str, Any], request: Request) -> str:
    text = json.dumps(
        [command, payload, request.who.user, request.who.role, request.comment, request.revision],
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
