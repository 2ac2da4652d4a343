"""A saved case (``Case.to_dict()``), as typed dictionaries: the document, not the object.

``Case.to_dict`` builds exactly these dictionaries (mypy checks it), ``Case.from_dict`` validates
what it is given against them (strict: every key known, every value of its type), and the
published JSON Schema ``case.schema.json`` is generated from them, so the three cannot drift.
What needs more than the document (instants inside the calendar's range in the case's time zone,
steps the reglament has) is the engine's: see ``reglament.engine.case``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, NotRequired, get_args

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
    with_config,
)
from pydantic_core import ErrorDetails
from typing_extensions import TypedDict  # pydantic needs it before Python 3.12

from reglament.errors import UsageError
from reglament.schemas.common import zone

CASE_SCHEMA_FILE = Path(__file__).resolve().parent / "case.schema.json"
CASE_SCHEMA_ID = "https://github.com/reglament/reglament/schemas/case.schema.json"
SCHEMA_VERSION = 2  # what to_dict writes
READ_VERSIONS = (1, 2)  # what from_dict reads: 1 wrote every key of a record, even empty ones

# What ``datetime.isoformat()`` writes for an aware instant: seconds always, a fraction when
# there is one, the UTC offset always (with seconds for the rare zone whose offset has them).
INSTANT_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?"
    r"[+-][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?$"
)
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
ZONE_PATTERN = r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9][A-Za-z0-9_+-]*)*$"
PATTERN_WORDS = {
    INSTANT_PATTERN: "expected an ISO 8601 instant with its UTC offset, e.g. 2015-12-14T17:45:00+06:00",
    DATE_PATTERN: "expected a date YYYY-MM-DD",
    ZONE_PATTERN: "expected an IANA time zone name, e.g. Asia/Almaty",
}

KindName = Literal[
    "accepted",
    "step_started",
    "step_completed",
    "step_overdue",
    "term_at_risk",
    "term_overdue",
    "suspended",
    "resumed",
    "data_unavailable",
    "refused",
    "result_ready",
    "ended",
    "migrated",
    "reprojected",
]
TermUnit = Literal["minutes", "hours", "working_days", "calendar_days"]
DurationUnit = Literal[
    "minutes", "hours", "working_days", "calendar_days", "untimed", "by_schedule"
]
KIND_NAMES: tuple[str, ...] = get_args(KindName)
TERM_UNITS: tuple[str, ...] = get_args(TermUnit)


def _real_instant(value: str) -> str:
    try:
        dt.datetime.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"{value!r} is not a real instant ({error})") from None
    return value


def _real_date(value: str) -> str:
    try:
        dt.date.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"{value!r} is not a real date ({error})") from None
    return value


def _known_zone(value: str) -> str:
    zone(value)
    return value


_SCALAR_TYPES = (str, int, bool)


def _scalar(value: object) -> object:
    if value is None or type(value) in _SCALAR_TYPES:
        return value
    raise ValueError(f"expected a string, a whole number, true, false or null, got {_shown(value)}")


Instant = Annotated[
    StrictStr,
    Field(
        pattern=INSTANT_PATTERN,
        description=(
            "An ISO 8601 instant with its UTC offset, e.g. 2015-12-14T17:45:00+06:00; its day in "
            "the case's time zone must be one the working-day calendar covers (2000–2030)."
        ),
        json_schema_extra={"format": "date-time"},
    ),
    AfterValidator(_real_instant),
]
Name = Annotated[StrictStr, Field(min_length=1, max_length=200)]
DataValue = Annotated[
    object,
    AfterValidator(_scalar),
    WithJsonSchema(
        {
            "type": ["string", "integer", "boolean", "null"],
            "description": "A fact about the case: a string (also a date or a choice), a whole "
            "number, a boolean, or null (not known).",
        }
    ),
]
Id = Annotated[StrictInt, Field(ge=1)]
_CLOSED = ConfigDict(extra="forbid")


@with_config(_CLOSED)
class TermJSON(TypedDict):
    """The legal term of the case, as the engine set it at acceptance."""

    value: Annotated[StrictInt, Field(ge=0, description="How many units.")]
    unit: TermUnit
    base_due: Annotated[Instant, Field(description="The due instant before any suspension.")]


@with_config(_CLOSED)
class TokenJSON(TypedDict):
    """A step the case is in now."""

    id: Id
    step: Annotated[Name, Field(description="The step id (a task, decision or wait).")]
    started: Instant
    due: Annotated[Instant | None, Field(description="null when the act gives no time.")]
    parallel: Annotated[
        Name | None, Field(description="The parallel block this token is a branch of.")
    ]
    unit: NotRequired[
        Annotated[
            DurationUnit | None,
            Field(
                description="The unit of the duration the step was given on entry (null: none); "
                "a suspension pushes its due back in this unit."
            ),
        ]
    ]


@with_config(_CLOSED)
class RecordJSON(TypedDict):
    """One entry of the case's history. A key that holds nothing (no step, no outcome, no
    detail, no author, no comment) is left out (schema version 1 wrote it as null or "")."""

    kind: KindName
    at: Instant
    step: NotRequired[
        Annotated[Name | None, Field(description="The step it concerns; absent: none.")]
    ]
    outcome: NotRequired[
        Annotated[Name | None, Field(description="The outcome chosen; absent: none.")]
    ]
    detail: NotRequired[Annotated[StrictStr, Field(description="What happened; absent: empty.")]]
    by: NotRequired[
        Annotated[Name | None, Field(description="Who did it, as the caller said (complete).")]
    ]
    comment: NotRequired[
        Annotated[StrictStr | None, Field(max_length=2000, description="The caller's comment.")]
    ]


@with_config(_CLOSED)
class SuspensionJSON(TypedDict):
    """A stretch during which the legal term did not run."""

    start: Instant
    end: Annotated[Instant | None, Field(description="null while the term is suspended.")]
    reason: StrictStr


@with_config(_CLOSED)
class CaseJSON(TypedDict):
    """One case of one reglament version, saved halfway (or at its end) to be resumed later."""

    schema_version: Annotated[
        Literal[1, 2],
        Field(
            description="The version of this document: 2 leaves out a record's empty keys; 1 "
            '(still read) wrote them as null or "".'
        ),
    ]
    id: NotRequired[
        Annotated[Name, Field(description="The case id, fixed at start; never changes.")]
    ]
    receipt: NotRequired[
        Annotated[
            Name,
            Field(
                description="The application (receipt) number, fixed at start; never changes. "
                "A case saved without one gets the number derived from its start."
            ),
        ]
    ]
    reglament: Annotated[Name, Field(description="The reglament id.")]
    version: Annotated[
        StrictStr,
        Field(pattern=DATE_PATTERN, description="Effective-from date of the reglament version."),
        AfterValidator(_real_date),
    ]
    region: Name
    timezone: Annotated[
        StrictStr,
        Field(pattern=ZONE_PATTERN, max_length=64, description="IANA zone of the case."),
        AfterValidator(_known_zone),
    ]
    channel: Name
    variant: Name | None
    data: Annotated[dict[StrictStr, DataValue], Field(description="The case data by field.")]
    submitted_at: Instant
    accepted_at: Instant
    term: Annotated[TermJSON | None, Field(description="null when the act states no term.")]
    tokens: list[TokenJSON]
    arrived: Annotated[
        dict[Name, list[Id]],
        Field(description="Join step → one mark per parallel branch that has reached it."),
    ]
    history: Annotated[list[RecordJSON], Field(min_length=1)]
    suspensions: list[SuspensionJSON]
    next_token: Id
    end: Annotated[Name | None, Field(description="The end step reached; null while open.")]
    finished_at: Annotated[Instant | None, Field(description="When the case reached its end.")]


CASE_ADAPTER = TypeAdapter(CaseJSON)
_KEYS: dict[str, tuple[str, ...]] = {
    "": tuple(CaseJSON.__annotations__),
    "term": tuple(TermJSON.__annotations__),
    "tokens": tuple(TokenJSON.__annotations__),
    "history": tuple(RecordJSON.__annotations__),
    "suspensions": tuple(SuspensionJSON.__annotations__),
}


# -- errors with their JSON path -------------------------------------------------------------------


def path_of(loc: Iterable[str | int]) -> str:
    """``case.tokens[0].step``, ``case.arrived["check-join"][1]``: where a value is in a case."""
    text = "case"
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            text += f".{part}"
        else:
            text += f"[{json.dumps(part, ensure_ascii=False)}]"
    return text


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_TYPE_WORDS = {
    "string_type": "expected a string",
    "int_type": "expected a whole number",
    "bool_type": "expected true or false",
    "list_type": "expected a list",
    "dict_type": "expected an object",
    "typed_dict_type": "expected an object",
    "none_required": "expected null",
}


def _message(error: ErrorDetails) -> str:
    kind, ctx = error["type"], error.get("ctx", {})
    if kind == "missing":
        return "missing"
    if kind == "extra_forbidden":
        parent = "".join(p for p in error["loc"][:-1] if isinstance(p, str))
        return f"unknown key; allowed: {', '.join(_KEYS.get(parent, ()))}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "literal_error":
        return f"expected {ctx['expected']}, got {_shown(error['input'])}"
    if kind == "too_short":
        return f"expected at least {ctx['min_length']} item, got none"
    if kind == "greater_than_equal":
        return f"expected {ctx['ge']} or more, got {_shown(error['input'])}"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") in PATTERN_WORDS:
        words = PATTERN_WORDS[str(ctx["pattern"])]
    else:
        words = _TYPE_WORDS.get(kind) or error["msg"][0].lower() + error["msg"][1:]
    return f"{words}, got {_shown(error['input'])}"


def _located(error: ErrorDetails) -> tuple[str, str]:
    loc = list(error["loc"])
    if len(loc) >= 2 and loc[-1] == "[key]":  # a mapping's key, not its value, is wrong
        return path_of(loc[:-2]), f"key {_shown(loc[-2])}: {_message(error)}"
    return path_of(loc), _message(error)


def case_error(problems: list[tuple[str, str]]) -> UsageError:
    """One line: the first problem with its path, and how many others there are."""
    path, message = problems[0]
    more = len(problems) - 1
    rest = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return UsageError(f"{path}: {message}{rest}")


def read_document(data: object) -> CaseJSON:
    """``data`` checked to be a saved case (types and words), or a ``UsageError`` naming the
    first bad value by its JSON path."""
    if not isinstance(data, Mapping):
        raise case_error([("case", f"expected an object (a saved case), got {_shown(data)}")])
    version = data.get("schema_version", SCHEMA_VERSION)
    if version not in READ_VERSIONS or type(version) is not int:
        readable = " and ".join(str(v) for v in READ_VERSIONS)
        raise case_error(
            [("case.schema_version", f"{_shown(version)} is not supported (this reads {readable})")]
        )
    try:
        return CASE_ADAPTER.validate_python(data)
    except ValidationError as error:
        raise case_error([_located(e) for e in error.errors(include_url=False)]) from None


# -- the published schema --------------------------------------------------------------------------


def case_schema() -> dict[str, Any]:
    schema = CASE_ADAPTER.json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": CASE_SCHEMA_ID,
        **schema,
    }


def case_schema_text() -> str:
    return json.dumps(case_schema(), ensure_ascii=False, indent=2) + "\n"
