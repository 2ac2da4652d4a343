"""A case: the serialisable state of one application going through one reglament version.

Plain data only (dataclasses of strings, numbers and aware datetimes); ``to_dict``/``from_dict``
give JSON-ready dictionaries with a ``schema_version`` (the document of
``reglament.schemas.case``, published as ``case.schema.json``), so a case can be saved halfway
and resumed later, in another process, with the same result as never stopping.

``from_dict`` checks the whole document: every key and type, instants inside the calendar's range
in the case's time zone, and (given the reglament, as every ``Engine`` method does) the
reglament's id and version and the steps, channel, variant and data it names. Each problem is a
``UsageError`` naming the bad value by its JSON path, e.g. ``case.tokens[0].step``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from operator import attrgetter
from typing import Any, cast

from reglament.calendar import FIRST_YEAR, LAST_YEAR
from reglament.procedure.events import Kind
from reglament.schemas import Decision, End, Join, Parallel, Reglament, Task, Wait
from reglament.schemas.case import SCHEMA_VERSION as SCHEMA_VERSION
from reglament.schemas.case import (
    CaseJSON,
    RecordJSON,
    SuspensionJSON,
    TermUnit,
    TokenJSON,
    case_error,
    path_of,
    read_document,
)
from reglament.schemas.common import zone
from reglament.schemas.jsonready import ToDict
from reglament.schemas.reglament import DataType

FIRST_DAY = dt.date(FIRST_YEAR, 1, 1)  # the working-day calendar's range
LAST_DAY = dt.date(LAST_YEAR, 12, 31)
Problems = list[tuple[str, str]]  # (JSON path, what is wrong there)


@dataclass(slots=True)
class Record(ToDict):
    """One entry of a case's history."""

    kind: Kind
    at: dt.datetime
    step: str | None = None
    outcome: str | None = None
    detail: str = ""
    by: str | None = None  # who did it (a completion), as the caller said
    comment: str | None = None  # the caller's comment on it


@dataclass(slots=True)
class Token(ToDict):
    """A place the case is in: a step, since when, due when (``None``: the act sets no time)."""

    id: int
    step: str
    started: dt.datetime
    due: dt.datetime | None
    parallel: str | None = None  # the parallel block this token is a branch of
    unit: str | None = None  # the unit of the duration it was given on entry (None: untimed)


@dataclass(slots=True)
class Suspension(ToDict):
    """A stretch during which the legal term does not run."""

    start: dt.datetime
    end: dt.datetime | None
    reason: str


@dataclass(slots=True)
class Case:
    """The state of one case. Create it with :meth:`reglament.engine.Engine.start`."""

    reglament: str
    version: str  # the effective-from date of the reglament version
    region: str
    timezone: str
    channel: str
    variant: str | None
    data: dict[str, object]
    submitted_at: dt.datetime
    accepted_at: dt.datetime
    term_value: int | None = None
    term_unit: str | None = None
    term_base_due: dt.datetime | None = None  # before suspensions
    tokens: list[Token] = field(default_factory=list)
    arrived: dict[str, list[int]] = field(default_factory=dict)  # join step → arrived tokens
    history: list[Record] = field(default_factory=list)
    suspensions: list[Suspension] = field(default_factory=list)
    next_token: int = 1
    end: str | None = None
    finished_at: dt.datetime | None = None
    id: str = ""  # the case id, fixed at start
    receipt: str = ""  # the application (receipt) number, fixed at start
    schema_version: int = SCHEMA_VERSION

    @property
    def finished(self) -> bool:
        return self.end is not None

    @property
    def active_steps(self) -> list[str]:
        return [token.step for token in self.tokens]

    def scope(self) -> dict[str, object]:
        """What conditions may read: the case data (a date as its ISO text, which compares in
        order with a date written as text), its variant and channel."""
        if not self.data:
            return {"variant": self.variant, "channel": self.channel}
        data = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in self.data.items()}
        return {**data, "variant": self.variant, "channel": self.channel}

    # -- serialisation ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The case as a JSON-ready dictionary (``reglament schema --case`` describes it)."""
        return dict(self._document())

    def _document(self) -> CaseJSON:
        def instant(value: dt.datetime | None) -> str | None:
            return value.isoformat() if value is not None else None

        return {
            "schema_version": 2,
            "id": self.id,
            "receipt": self.receipt,
            "reglament": self.reglament,
            "version": self.version,
            "region": self.region,
            "timezone": self.timezone,
            "channel": self.channel,
            "variant": self.variant,
            "data": {k: _data_json(v) for k, v in self.data.items()},
            "submitted_at": self.submitted_at.isoformat(),
            "accepted_at": self.accepted_at.isoformat(),
            "term": None
            if self.term_value is None or self.term_unit is None or self.term_base_due is None
            else {
                "value": self.term_value,
                "unit": cast(TermUnit, self.term_unit),
                "base_due": self.term_base_due.isoformat(),
            },
            "tokens": [cast(TokenJSON, t.to_dict()) for t in self.tokens],
            "arrived": {join: list(ids) for join, ids in self.arrived.items()},
            "history": [_record_json(r) for r in self.history],
            "suspensions": [cast(SuspensionJSON, s.to_dict()) for s in self.suspensions],
            "next_token": self.next_token,
            "end": self.end,
            "finished_at": instant(self.finished_at),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], reglament: Reglament | None = None) -> Case:
        """Rebuild a case saved with :meth:`to_dict`; a ``UsageError`` naming the first bad value
        by its JSON path for anything else. Given ``reglament``, the case must be of that
        reglament and version, and name only its steps, channels, variants and data (every
        ``Engine`` method checks this too)."""
        document = read_document(data)
        where = zone(document["timezone"])  # known: read_document checked it
        problems = [
            (path, message)
            for path, text in _instants(document)
            if (message := check_instant(_parse(text), where, FIRST_DAY, LAST_DAY)) is not None
        ]
        if (document["end"] is None) != (document["finished_at"] is None):
            problems.append(("case.finished_at", "given exactly when the case has an end"))
        if problems:
            raise case_error(problems)
        case = _build(document, where)
        if reglament is not None:
            if problems := reglament_problems(case, reglament):
                raise case_error(problems)
            case.data = typed_data(case.data, reglament)
        return case


def _record_json(record: Record) -> RecordJSON:
    """A record as saved: its kind and instant, and only the keys that hold something (a saved
    case stays small: most records have no outcome, detail, author or comment)."""
    saved: RecordJSON = {"kind": record.kind.value, "at": record.at.isoformat()}
    if record.step is not None:
        saved["step"] = record.step
    if record.outcome is not None:
        saved["outcome"] = record.outcome
    if record.detail:
        saved["detail"] = record.detail
    if record.by is not None:
        saved["by"] = record.by
    if record.comment is not None:
        saved["comment"] = record.comment
    return saved


def atomic(case: Case) -> AbstractContextManager[None]:
    """A move on ``case`` applies whole or not at all: whatever it raises, the case is left
    exactly as it was (its history is only ever appended to, the rest is copied)."""
    return _Atomic(case)


class _Atomic:
    """:func:`atomic`'s context manager: a class, not a generator (the hot path of every move
    pays its entry and exit); empty collections are not copied."""

    __slots__ = ("_case", "_saved")

    def __init__(self, case: Case) -> None:
        self._case = case

    def __enter__(self) -> None:
        case = self._case
        self._saved = (
            dict(case.data) if case.data else {},
            list(case.tokens),
            len(case.history),
            {join: list(ids) for join, ids in case.arrived.items()} if case.arrived else {},
            [replace(s) for s in case.suspensions] if case.suspensions else [],
            case.next_token,
            case.end,
            case.finished_at,
        )

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            return
        case = self._case
        data, tokens, history, arrived, suspensions, next_token, end, finished_at = self._saved
        case.data, case.tokens, case.arrived = data, tokens, arrived
        case.suspensions = suspensions
        del case.history[history:]
        case.next_token, case.end, case.finished_at = next_token, end, finished_at


# -- reading a saved case ---------------------------------------------------------------------------


def _parse(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)  # the document's pattern makes it aware


def _instants(document: CaseJSON) -> Iterator[tuple[str, str]]:
    """Every instant of the document, with its path."""
    yield "case.submitted_at", document["submitted_at"]
    yield "case.accepted_at", document["accepted_at"]
    if document["term"] is not None:
        yield "case.term.base_due", document["term"]["base_due"]
    for i, token in enumerate(document["tokens"]):
        yield f"case.tokens[{i}].started", token["started"]
        if token["due"] is not None:
            yield f"case.tokens[{i}].due", token["due"]
    for i, record in enumerate(document["history"]):
        yield f"case.history[{i}].at", record["at"]
    for i, suspension in enumerate(document["suspensions"]):
        yield f"case.suspensions[{i}].start", suspension["start"]
        if suspension["end"] is not None:
            yield f"case.suspensions[{i}].end", suspension["end"]
    if document["finished_at"] is not None:
        yield "case.finished_at", document["finished_at"]


def check_instant(at: dt.datetime, where: dt.tzinfo, first: dt.date, last: dt.date) -> str | None:
    """What is wrong with ``at`` as an instant of a case in zone ``where`` on a calendar that
    covers ``first``..``last`` (``None``: nothing)."""
    if at.tzinfo is None or at.utcoffset() is None:
        return f"{at.isoformat()} has no UTC offset"
    try:
        day = at.astimezone(where).date()
    except OverflowError:  # year 1 or 9999 moved past the datetime range
        day = None
    if day is None or not first <= day <= last:
        return (
            f"{at.isoformat()} is outside the calendar's covered range "
            f"{first.isoformat()}..{last.isoformat()}"
        )
    return None


def _build(document: CaseJSON, where: dt.tzinfo) -> Case:
    def instant(text: str) -> dt.datetime:
        return _parse(text).astimezone(where)

    def maybe(text: str | None) -> dt.datetime | None:
        return None if text is None else instant(text)

    term = document["term"]
    case = Case(
        reglament=document["reglament"],
        version=document["version"],
        region=document["region"],
        timezone=document["timezone"],
        channel=document["channel"],
        variant=document["variant"],
        data=dict(document["data"]),
        submitted_at=instant(document["submitted_at"]),
        accepted_at=instant(document["accepted_at"]),
        term_value=term["value"] if term else None,
        term_unit=term["unit"] if term else None,
        term_base_due=instant(term["base_due"]) if term else None,
        tokens=[
            Token(
                t["id"],
                t["step"],
                instant(t["started"]),
                maybe(t["due"]),
                t["parallel"],
                t.get("unit"),
            )
            for t in document["tokens"]
        ],
        arrived={join: list(ids) for join, ids in document["arrived"].items()},
        history=[
            Record(
                Kind(r["kind"]),
                instant(r["at"]),
                r.get("step"),
                r.get("outcome"),
                r.get("detail", ""),
                r.get("by"),
                r.get("comment"),
            )
            for r in document["history"]
        ],
        suspensions=[
            Suspension(instant(s["start"]), maybe(s["end"]), s["reason"])
            for s in document["suspensions"]
        ],
        next_token=document["next_token"],
        end=document["end"],
        finished_at=maybe(document["finished_at"]),
    )
    # a case saved before it had an identity keeps the number it showed then
    case.receipt = document.get("receipt") or receipt_number(case)
    case.id = document.get("id") or case.receipt
    return case


_IDENTITY = json.JSONEncoder(ensure_ascii=False)  # json.dumps(..., ensure_ascii=False), built once


def _identity(case: Case) -> str:
    """What a case is at its start: reglament, version, region, channel, variant, submission
    instant and data."""
    return _IDENTITY.encode(
        [
            case.reglament,
            case.version,
            case.region,
            case.channel,
            case.variant,
            case.submitted_at.isoformat(),
            {k: str(v) for k, v in sorted(case.data.items())},
        ]
    )


def receipt_number(case: Case) -> str:
    """A deterministic application number for a new case: the region's first three letters,
    the submission day and six hex digits of a hash of the case's identity at its start, e.g.
    ``KAR-20151214-5C0E9B``. :meth:`Engine.start` fixes it on the case; a real system passes
    its own number instead."""
    return _receipt(case, _identity(case))


def case_id(case: Case) -> str:
    """A deterministic case id for a new case: a UUID (version 5) of its identity at its
    start, so that the same run gives the same id. Two cases submitted at the same instant
    through the same channel with the same data get the same one: a real system passes its
    own ids."""
    return _case_id(_identity(case))


def identify(case: Case, receipt: str | None, given_id: str | None) -> None:
    """Fix a new case's receipt number and id: those given, else :func:`receipt_number` and
    :func:`case_id` (its identity serialised once for both)."""
    identity = _identity(case) if receipt is None or given_id is None else ""
    case.receipt = receipt or _receipt(case, identity)
    case.id = given_id or _case_id(identity)


@functools.lru_cache(maxsize=64)
def _letters(region: str) -> str:
    return re.sub(r"[^a-z]", "", region.lower())[:3].upper() or "KZ"


def _receipt(case: Case, identity: str) -> str:
    letters = _letters(case.region)
    digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:6].upper()
    day = case.submitted_at  # its YYYYMMDD, as strftime("%Y%m%d") writes a year >= 1000
    return f"{letters}-{day.year:04d}{day.month:02d}{day.day:02d}-{digest}"


_CASE_NAMESPACE = uuid.NAMESPACE_URL.bytes + b"reglament:case:"


def _case_id(identity: str) -> str:
    """``str(uuid.uuid5(uuid.NAMESPACE_URL, "reglament:case:" + identity))``, written out (RFC
    4122 version 5: SHA-1 of the namespace and the name, version and variant bits set), since
    building the ``UUID`` object costs several µs per started case; tested equal."""
    digest = bytearray(hashlib.sha1(_CASE_NAMESPACE + identity.encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # the RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


# -- a case against its reglament ------------------------------------------------------------------


def label(reglament: Reglament) -> str:
    """``semey-compensation@karaganda@2015-10-26``: a reglament version, as the CLI names it."""
    return f"{reglament.id}@{reglament.region}@{reglament.effective.from_.isoformat()}"


def _known(names: Iterable[str]) -> str:
    return ", ".join(names) or "none"


def reglament_problems(case: Case, reglament: Reglament) -> Problems:
    """What in ``case`` does not fit ``reglament``: another reglament or version, or steps,
    a channel, a variant or data it does not have. Empty when the case is one of its cases.
    (Every ``Engine`` method runs this, so the usual, empty answer is kept to a few look-ups.)"""
    mine = (case.reglament, case.region, case.version)
    theirs = (reglament.id, reglament.region, reglament.effective.from_.isoformat())
    if mine != theirs:
        key = next(
            k
            for k, a, b in zip(("reglament", "region", "version"), mine, theirs, strict=True)
            if a != b
        )
        return [(f"case.{key}", f"the case is of {'@'.join(mine)}, not of {label(reglament)}")]
    problems: Problems = []
    if case.timezone != reglament.timezone:
        problems.append(
            (
                "case.timezone",
                f"{case.timezone!r} is not {label(reglament)}'s time zone {reglament.timezone}",
            )
        )
    if case.channel not in reglament.channels:
        problems.append(_unknown("channel", case.channel, reglament.channels, reglament))
    if case.variant is not None and case.variant not in reglament.variants:
        problems.append(_unknown("variant", case.variant, reglament.variants, reglament))
    if case.data:
        problems.extend(
            (path_of(["data", key]), message) for key, message in check_data(case.data, reglament)
        )
    steps = reglament.steps
    for i, token in enumerate(case.tokens):
        if not isinstance(steps.get(token.step), _HOLDING):
            message = _wrong(token.step, reglament, _HOLDING, "a task, decision or wait")
            problems.append((f"case.tokens[{i}].step", message))
        if token.parallel is not None and not isinstance(steps.get(token.parallel), Parallel):
            message = _wrong(token.parallel, reglament, (Parallel,), "a parallel block")
            problems.append((f"case.tokens[{i}].parallel", message))
    for join in case.arrived:
        if not isinstance(steps.get(join), Join):
            problems.append(
                (path_of(["arrived", join]), _wrong(join, reglament, (Join,), "a join"))
            )
    stray = set(map(_STEP, case.history)).difference(steps, _NO_STEP)
    for i, record in enumerate(case.history if stray else ()):
        if record.step in stray:
            message = _wrong(str(record.step), reglament, _ANY, "a step")
            problems.append((f"case.history[{i}].step", message))
    if case.end is not None and not isinstance(steps.get(case.end), End):
        problems.append(("case.end", _wrong(case.end, reglament, (End,), "an end")))
    return problems


_STEP = attrgetter("step")
_NO_STEP = (None,)
_HOLDING = (Task, Decision, Wait)  # the steps a case can be in; the others it passes at once
_ANY = (Task, Decision, Wait, Parallel, Join, End)


def _unknown(key: str, value: str, known: Iterable[str], reglament: Reglament) -> tuple[str, str]:
    return (
        f"case.{key}",
        f"{value!r} is not a {key} of {label(reglament)}; known: {_known(known)}",
    )


def _wrong(value: str, reglament: Reglament, kinds: tuple[type, ...], what: str) -> str:
    steps = reglament.steps
    known = _known(sid for sid, step in steps.items() if isinstance(step, kinds))
    if value in steps:
        kind = steps[value].kind
        return f"{value!r} is a {kind} step of {label(reglament)}, not {what}; known: {known}"
    return f"{value!r} is not a step of {label(reglament)}; known: {known}"


_TYPES: dict[DataType, tuple[type, str]] = {
    DataType.bool: (bool, "true or false"),
    DataType.int: (int, "a whole number"),
    DataType.str: (str, "a string"),
    DataType.date: (dt.date, "a date (datetime.date, or its text YYYY-MM-DD)"),
    DataType.choice: (str, "a string"),
}


def check_data(data: Mapping[str, object], reglament: Reglament) -> Iterator[tuple[str, str]]:
    """(field, problem) for each value of ``data`` that ``reglament`` does not declare, or whose
    type or value its declaration does not allow (``None``, not known, fits any but a choice)."""
    declared = reglament.data
    for key, value in data.items():
        spec = declared.get(key)
        if spec is None:
            yield key, f"unknown case data {key!r} for {reglament.id}; declared: {_known(declared)}"
        elif spec.values is not None:
            if value not in spec.values:
                yield key, f"{key} must be one of {', '.join(spec.values)}, got {value!r}"
        elif value is not None and not _typed(value, spec.type):
            yield key, f"{key} must be {_TYPES[spec.type][1]}, got {value!r}"


def typed_data(data: Mapping[str, object], reglament: Reglament) -> dict[str, object]:
    """``data`` (checked by :func:`check_data`) with each date given as text made a date."""
    declared = reglament.data
    return {
        key: dt.date.fromisoformat(value)
        if isinstance(value, str) and key in declared and declared[key].type is DataType.date
        else value
        for key, value in data.items()
    }


def _typed(value: object, kind: DataType) -> bool:
    if kind is DataType.date:
        if isinstance(value, str):
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                return False
            return len(value) == len("YYYY-MM-DD")
        return type(value) is dt.date
    return type(value) is _TYPES[kind][0]


def _data_json(value: object) -> str | int | bool | None:
    """A data value as JSON: a date as its text YYYY-MM-DD (read back as a date)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    assert value is None or isinstance(value, str | int | bool)  # check_data allows no other
    return value
