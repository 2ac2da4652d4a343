"""The JSON of a simulated case (``reglament simulate --format json``), as typed dictionaries.

The renderer builds exactly these dictionaries (mypy checks it), and the published JSON Schema
``timeline.schema.json`` is generated from them, so the two cannot drift.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from pydantic import ConfigDict, Field, TypeAdapter, with_config
from typing_extensions import TypedDict  # pydantic needs it before Python 3.12

TIMELINE_SCHEMA_FILE = Path(__file__).resolve().parent / "timeline.schema.json"
TIMELINE_SCHEMA_ID = "https://github.com/reglament/reglament/schemas/timeline.schema.json"

Instant = Annotated[
    str,
    Field(
        description="An ISO 8601 instant with its UTC offset, e.g. 2015-12-14T17:45:00+06:00.",
        pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$",
        json_schema_extra={"format": "date-time"},
    ),
]
_CLOSED = ConfigDict(extra="forbid")


@with_config(_CLOSED)
class StepJSON(TypedDict):
    """One step the case went through."""

    step: Annotated[str, Field(description="The step id.")]
    kind: Annotated[str, Field(description="task, decision or wait.")]
    actor: Annotated[str | None, Field(description="The actor id.")]
    start: Instant
    allowed: Annotated[str, Field(description="The allowed time in words, e.g. 17 working days.")]
    due: Annotated[Instant | None, Field(description="null when the act gives no time.")]
    end: Instant
    outcome: Annotated[str | None, Field(description="The outcome of a decision or wait.")]
    counted_in_term: Annotated[bool, Field(description="Whether the step counts in the term.")]
    flags: Annotated[
        list[str], Field(description="untimed, by schedule, actual (an --actual time).")
    ]
    explanation: Annotated[str, Field(description="How the due time was computed.")]


@with_config(_CLOSED)
class EndJSON(TypedDict):
    step: Annotated[str | None, Field(description="The end step the case reached.")]
    at: Annotated[Instant | None, Field(description="When it ended.")]


@with_config(_CLOSED)
class TermJSON(TypedDict):
    text: Annotated[str, Field(description="The legal term in words.")]
    due: Annotated[Instant | None, Field(description="null when the act states no term.")]
    met: Annotated[bool | None, Field(description="null when the act states no term.")]
    explanation: str


@with_config(_CLOSED)
class NotificationJSON(TypedDict):
    """A message the case sends (``Notice.to_dict()`` gives exactly this)."""

    at: Instant
    event: str
    step: str | None
    to: list[str]
    via: list[str]
    template: str
    outcome: Annotated[str | None, Field(description="The outcome the event records, if any.")]
    detail: Annotated[str, Field(description="What the event records besides, in words.")]
    by: Annotated[str | None, Field(description="Who made the move, as the caller said.")]
    comment: Annotated[str | None, Field(description="The caller's comment on the move.")]


@with_config(_CLOSED)
class TimelineJSON(TypedDict):
    """A case simulated from submission to its end."""

    reglament: Annotated[str, Field(description="The reglament id.")]
    version: Annotated[str, Field(description="Effective-from date of the version used.")]
    version_note: Annotated[str, Field(description="Why this version was chosen.")]
    region: str
    timezone: Annotated[str, Field(description="IANA zone of every instant's local time.")]
    channel: str
    variant: str | None
    submitted_at: Instant
    accepted_at: Instant
    steps: list[StepJSON]
    end: EndJSON
    term: TermJSON
    lower_bound: Annotated[
        bool, Field(description="true when some step had no time: the real end may be later.")
    ]
    assumptions: Annotated[list[str], Field(description="Outcomes assumed by the simulation.")]
    notifications: list[NotificationJSON]


def timeline_schema() -> dict[str, Any]:
    schema = TypeAdapter(TimelineJSON).json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": TIMELINE_SCHEMA_ID,
        **schema,
    }


def timeline_schema_text() -> str:
    return json.dumps(timeline_schema(), ensure_ascii=False, indent=2) + "\n"
