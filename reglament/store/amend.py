"""Amendments in the store: ``reglament cases migrate`` moves the open cases of a service in a
region to another version of it, or keeps them where they are (docs/runtime.md, "Amendments").

Which cases move, how and what blocks a move are ``reglament.runtime.amend``'s (its policy,
:func:`~reglament.runtime.amend.plan` and :func:`~reglament.runtime.amend.migrate`); this module
runs it over the stored cases and writes each result:

- ``keep`` (the default) moves nothing and writes nothing: each open case is listed as kept on
  the version it was submitted under;
- ``from:DATE`` moves each open or suspended case not yet on the new version, **one transaction
  per case**: the case restored, moved, its snapshot, version and list columns updated where
  its revision is still the one read, its timers planned again on the new version
  (``store/timers.py: replan``), the ``migrated`` event appended (the command ``migrate``, its
  payload what ``Store.replay`` runs again) with who, the comment and the request's
  idempotency key. A case that cannot move is reported with its blockers and left as it is;
- ``dry_run`` plans every case the same way and writes nothing.

One transaction per case, not one for the whole run: the run replays every case's history, and
one transaction would hold SQLite's one write lock (and on PostgreSQL every moved row) for all
of it, so that the office's clerks and the worker, who wait at most 30 seconds, would fail
meanwhile. Each case's move is whole or not at all; a run stopped half-way (killed, a
conflict) is finished by running it again, since a case already on the new version is passed
over.

An idempotency key is kept per case (``KEY/CASE-ID``, in the ``idempotency`` table and on the
case's ``migrated`` event): the same request again answers, for each case it moved, that first
answer and moves nothing; the same key with another request is refused before anything is
written."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.engine import Connection

from reglament.engine import Engine
from reglament.engine.case import label
from reglament.errors import ConflictError, MoveError, ReglamentError, UsageError
from reglament.limits import parse_day
from reglament.runtime import amend
from reglament.runtime.amend import Plan, Policy
from reglament.schemas.jsonready import ToDict
from reglament.store import database, reproject
from reglament.store.cases import (
    MIGRATE,
    Request,
    Store,
    _Command,
    _fingerprint,
    _record_row,
)
from reglament.store.tables import cases, idempotency

PAGE = 500  # cases read at a time
KEY_LENGTH = 200  # what the idempotency key's columns keep


class Outcome(StrEnum):
    """What a migration did with one open case."""

    kept = "kept"  # ``keep``: left on its version
    moved = "moved"  # moved and written
    movable = "movable"  # the dry run: it would move
    blocked = "blocked"  # it cannot move: left as it is
    conflict = "conflict"  # someone else wrote it meanwhile: left as it is; run it again


@dataclass(frozen=True, slots=True)
class Moved(ToDict):
    """One open case in a migration: its ``outcome``, the plan (every due instant old → new and
    every blocker; ``None`` for a first answer given again), the revision and events its move
    wrote, and whether that answer is the first one given again under the request's
    idempotency key (``repeated``)."""

    case: str
    receipt: str | None  # None: a conflict, the case not read
    version: str | None  # the version the case was on (None: not read)
    outcome: Outcome
    plan: Plan | None
    revision: int | None = None
    events: tuple[dict[str, Any], ...] = ()
    repeated: bool = False
    error: str | None = None  # the conflict, or an engine's refusal of the case

    @property
    def text(self) -> str:
        if self.repeated:  # the first answer, given again
            return (
                f"case {self.case} (receipt {self.receipt}): moved already under this "
                f"idempotency key, revision {self.revision}"
            )
        lines = [f"case {self.case}" if self.plan is None else self.plan.text]
        if self.outcome is Outcome.moved:
            lines.append(f"    moved: revision {self.revision}")
        elif self.error is not None:
            lines.append(f"    {self.error}")
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Migrated(ToDict):
    """A migration's answer: the service, the version moved to (``to``), the policy, the
    instant of the move, whether it was a dry run, each open case not already on ``to``
    (``cases``, by id), and how many open cases were on ``to`` already (``already``)."""

    reglament: str
    region: str
    to: str
    policy: str
    at: dt.datetime
    dry_run: bool
    cases: tuple[Moved, ...]
    already: int

    @property
    def counts(self) -> dict[str, int]:
        """How many cases had each outcome."""
        return {o.value: sum(m.outcome is o for m in self.cases) for o in Outcome}

    @property
    def exit_code(self) -> int:
        """0: every case moved (or kept); 3: some case changed meanwhile (run it again); 4: some
        case cannot move (the dry run answers what the run would)."""
        found = {m.outcome for m in self.cases}
        if Outcome.conflict in found:
            return ConflictError.exit_code
        return MoveError.exit_code if Outcome.blocked in found else 0

    def to_dict(self) -> dict[str, Any]:
        return {**ToDict.to_dict(self), "counts": self.counts}

    @property
    def text(self) -> str:
        head = (
            f"{self.reglament}@{self.region} → {self.to}, {self.policy}, at {self.at.isoformat()}"
        )
        if self.policy == "keep":
            head += ": each case stays on the version in force when it was submitted"
        if self.dry_run:
            head += " (dry run: nothing written)"
        lines = [head, *(m.text for m in self.cases)]
        counts = ", ".join(f"{n} {o}" for o, n in self.counts.items() if n)
        lines.append(
            f"{len(self.cases)} case(s)"
            + (f": {counts}" if counts else "")
            + f"; {self.already} other open case(s) on {self.to} already"
        )
        return "\n".join(lines) + "\n"


def target(store: Store, ref: str, region: str | None, version: str) -> Engine:
    """The engine of version ``version`` (``YYYY-MM-DD``, the day it comes in force) of
    reglament ``ref`` (an id or a service id, in ``region`` when it is in several): a
    :class:`UsageError` on one line for an unknown reglament or region, a bad date, or a
    version the library does not have (naming those it has)."""
    try:
        day = parse_day(version)
    except ValueError as error:
        raise UsageError(f"--to {error}") from None
    chosen = store.library.choose(ref, region)  # unknown id, unknown or ambiguous region
    reglament = chosen.reglament
    versions = store.library.versions(reglament.id, reglament.region)
    known = [f.reglament.effective.from_ for f in versions if f.reglament is not None]
    if day not in known:
        raise UsageError(
            f"version {day.isoformat()} of {reglament.id}@{reglament.region} is not in the "
            f"library (its versions: {', '.join(d.isoformat() for d in known)}): give its "
            "file with --path"
        )
    return store.engine(reglament.id, reglament.region, day.isoformat())


def migrate(
    store: Store,
    ref: str,
    to: str,
    policy: Policy,
    at: dt.datetime,
    *,
    region: str | None = None,
    dry_run: bool = False,
    request: Request | None = None,
) -> Migrated:
    """Move the open cases of reglament ``ref`` (in ``region``) to its version ``to`` under
    ``policy`` at ``at`` (module doc); ``dry_run``: plan them, write nothing. Bad input (an
    unknown reglament, region or version, a naive ``at``, a policy whose date the version is
    not in force on, ``at`` before that day, a key too long) is a :class:`UsageError` before
    anything is read or written."""
    if at.tzinfo is None:
        raise UsageError(f"expected an aware datetime, got {at!r}")
    request = request or Request()
    new = target(store, ref, region, to)
    refused = amend.refusals(new, policy, at)
    if refused:
        raise UsageError(f"policy {policy}: {refused[0]}")
    run = _Run(store, new, policy, at, dry_run or policy.since is None, request)
    found, already = run.all()
    reglament = new.reglament
    return Migrated(
        reglament.id, reglament.region, label(reglament), str(policy), at, dry_run, found, already
    )


@dataclass(frozen=True, slots=True)
class _Run:
    store: Store
    new: Engine
    policy: Policy
    at: dt.datetime
    dry: bool  # plan only: a dry run, or ``keep``
    request: Request

    @property
    def payload(self) -> dict[str, Any]:
        """The ``migrate`` command's arguments (``Store.migrated`` runs them again)."""
        version = self.new.compiled.version
        return {"to": version, "policy": str(self.policy), "at": self.at.isoformat()}

    def all(self) -> tuple[tuple[Moved, ...], int]:
        ids = self._open()
        if not self.dry:
            self._check_key(ids)
        found: list[Moved] = []
        already = 0
        for case_id in ids:
            done = self._plan(case_id) if self.dry else self._move(case_id)
            if done is None:
                already += 1
            else:
                found.append(done)
        return tuple(found), already

    def _open(self) -> list[str]:
        """The ids of the service's open and suspended cases, a page at a time; each version
        they are on must be in the library (a :class:`UsageError` before anything is written)."""
        reglament = self.new.reglament
        query = (
            select(cases.c.id, cases.c.version)
            .where(
                cases.c.reglament == reglament.id,
                cases.c.region == reglament.region,
                cases.c.status.in_(("open", "suspended")),
            )
            .order_by(cases.c.id)
            .limit(PAGE)
        )
        ids: list[str] = []
        versions: set[str] = set()
        while True:
            page = query if not ids else query.where(cases.c.id > ids[-1])
            with database.transaction(self.store.db, write=False) as connection:
                got = connection.execute(page).all()
            ids += [row.id for row in got]
            versions.update(row.version for row in got)
            if len(got) < PAGE:
                break
        for version in sorted(versions):
            self.store.engine(reglament.id, reglament.region, version)
        return ids

    def _keyed(self, case_id: str) -> Request:
        key = self.request.key
        return self.request if key is None else replace(self.request, key=f"{key}/{case_id}")

    def _check_key(self, ids: list[str]) -> None:
        """The request's key fits each case's (``KEY/CASE-ID``), and was not used by another
        request on any case: refused before anything is written."""
        key = self.request.key
        if key is None or not ids:
            return
        longest = max(len(self._keyed(i).key or "") for i in ids)
        if longest > KEY_LENGTH:
            room = KEY_LENGTH - (longest - len(key))
            raise UsageError(
                f"the idempotency key (--key) is {len(key):,} characters long; a migration keeps "
                f"it per case as KEY/CASE-ID, so at most {max(room, 0):,} are kept here"
            )
        mine = _fingerprint(MIGRATE, self.payload, self.request)
        for start in range(0, len(ids), PAGE):
            keys = [self._keyed(i).key for i in ids[start : start + PAGE]]
            with database.transaction(self.store.db, write=False) as connection:
                kept = connection.execute(
                    select(idempotency.c.key, idempotency.c.request).where(
                        idempotency.c.key.in_(keys)
                    )
                ).all()
            other = next((k for k in kept if k.request != mine), None)
            if other is not None:
                raise UsageError(
                    f"idempotency key {key!r} was used for another request (on case "
                    f"{other.key[len(key) + 1 :]}): give a new key for a new request"
                )

    def _plan(self, case_id: str) -> Moved | None:
        """One case planned, nothing written (``None``: it is on the new version already)."""
        with database.transaction(self.store.db, write=False) as connection:
            row = self.store._row(connection, case_id)
        return None if row.version == self.new.compiled.version else self._planned(row)

    def _planned(self, row: Row[Any]) -> Moved:
        """What moving the case of ``row`` would do, and why it cannot."""
        engine = self.store.engine(row.reglament, row.region, row.version)
        case = engine.restore(json.loads(row.snapshot))
        try:
            made = amend.plan(engine, self.new, case, self.policy, at=self.at)
        except ReglamentError as error:  # the engine refuses the instant for this case
            return Moved(row.id, row.receipt, row.version, Outcome.blocked, None, error=str(error))
        behind = _behind(row, self.at) if made.moves else None
        if behind is not None:
            made = replace(made, changes=(), blockers=(*made.blockers, behind))
        if not made.moves:
            outcome = Outcome.kept
        else:
            outcome = Outcome.blocked if made.blockers else Outcome.movable
        return Moved(row.id, row.receipt, row.version, outcome, made)

    def _move(self, case_id: str) -> Moved | None:
        """One case moved in one transaction (``None``: it is on the new version already)."""
        try:
            with database.transaction(self.store.db, write=True) as connection:
                return self._moved(connection, case_id)
        except ConflictError as error:  # rolled back: nothing written
            return Moved(
                case_id, None, None, Outcome.conflict, None, error=f"{error}; run it again"
            )

    def _moved(self, connection: Connection, case_id: str) -> Moved | None:
        store, request = self.store, self._keyed(case_id)
        done = store._done(connection, MIGRATE, self.payload, request)
        if done is not None:
            answer = done.response
            revision, made = answer["revision"], tuple(answer["events"])
            return Moved(
                answer["case"], answer["receipt"], None, Outcome.moved, None, revision, made, True
            )
        row = store._row(connection, case_id)
        if row.version == self.new.compiled.version:
            return None
        row = reproject.catch_up(connection, store, row, request.who)
        if _behind(row, self.at) is not None:
            return self._planned(row)
        engine = store.engine(row.reglament, row.region, row.version)
        try:
            new, moved = store.migrated(
                engine, engine.restore(json.loads(row.snapshot)), self.payload
            )
        except ReglamentError:  # it cannot move: its plan says why
            return self._planned(row)
        assert moved.record is not None  # a policy that moves
        command = _Command(MIGRATE, self.payload, lambda *_: [], self.at)
        logged = [_record_row(moved.record)]
        answer = store._update(connection, new, moved.case, row, command, logged, request).response
        connection.execute(
            update(cases).where(cases.c.id == row.id).values(version=moved.case.version)
        )
        made = tuple(answer["events"])
        return Moved(
            row.id, row.receipt, row.version, Outcome.moved, moved.plan, answer["revision"], made
        )


def _behind(row: Row[Any], at: dt.datetime) -> amend.Blocker | None:
    """A move before the case's last stored event (case data too, which its history does not
    record) would put its log out of time order: the store's rule for every write."""
    if at >= row.updated_at:
        return None
    last = row.updated_at.astimezone(at.tzinfo).isoformat()
    return amend.Blocker(
        None,
        f"the move at {at.isoformat()} is before the case's last event (at {last}); instants "
        "never go backwards",
    )
