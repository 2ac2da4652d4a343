"""A case: the serialisable state of one application going through one reglament version.

Plain data only (dataclasses of strings, numbers and aware datetimes); ``to_dict``/``from_dict``
give JSON-ready dictionaries with a ``schema_version``, so a case can be saved halfway and
resumed later, in another process, with the same result as never stopping.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from reglament.errors import UsageError
from reglament.procedure.events import Kind

SCHEMA_VERSION = 1


@dataclass(slots=True)
class Record:
    """One entry of a case's history."""

    kind: Kind
    at: dt.datetime
    step: str | None = None
    outcome: str | None = None
    detail: str = ""


@dataclass(slots=True)
class Token:
    """A place the case is in: a step, since when, due when (``None``: the act sets no time)."""

    id: int
    step: str
    started: dt.datetime
    due: dt.datetime | None
    parallel: str | None = None  # the parallel block this token is a branch of


@dataclass(slots=True)
class Suspension:
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
    schema_version: int = SCHEMA_VERSION

    @property
    def finished(self) -> bool:
        return self.end is not None

    @property
    def active_steps(self) -> list[str]:
        return [token.step for token in self.tokens]

    def scope(self) -> dict[str, object]:
        """What conditions may read: the case data, its variant and channel."""
        return {**self.data, "variant": self.variant, "channel": self.channel}

    # -- serialisation ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        def instant(value: dt.datetime | None) -> str | None:
            return value.isoformat() if value is not None else None

        return {
            "schema_version": self.schema_version,
            "reglament": self.reglament,
            "version": self.version,
            "region": self.region,
            "timezone": self.timezone,
            "channel": self.channel,
            "variant": self.variant,
            "data": dict(self.data),
            "submitted_at": instant(self.submitted_at),
            "accepted_at": instant(self.accepted_at),
            "term": None
            if self.term_value is None
            else {
                "value": self.term_value,
                "unit": self.term_unit,
                "base_due": instant(self.term_base_due),
            },
            "tokens": [
                {
                    "id": t.id,
                    "step": t.step,
                    "started": instant(t.started),
                    "due": instant(t.due),
                    "parallel": t.parallel,
                }
                for t in self.tokens
            ],
            "arrived": {join: list(ids) for join, ids in self.arrived.items()},
            "history": [
                {
                    "kind": r.kind.value,
                    "at": instant(r.at),
                    "step": r.step,
                    "outcome": r.outcome,
                    "detail": r.detail,
                }
                for r in self.history
            ],
            "suspensions": [
                {"start": instant(s.start), "end": instant(s.end), "reason": s.reason}
                for s in self.suspensions
            ],
            "next_token": self.next_token,
            "end": self.end,
            "finished_at": instant(self.finished_at),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Case:
        """Rebuild a case saved with :meth:`to_dict`; a clear error for anything else."""
        try:
            version = data["schema_version"]
            if version != SCHEMA_VERSION:
                raise UsageError(
                    f"case schema_version {version!r} is not supported (this is {SCHEMA_VERSION})"
                )
            zone = ZoneInfo(data["timezone"])

            def instant(value: str | None) -> dt.datetime | None:
                if value is None:
                    return None
                parsed = dt.datetime.fromisoformat(value)
                if parsed.tzinfo is None:
                    raise UsageError(f"case time {value!r} has no UTC offset")
                return parsed.astimezone(zone)

            def required(value: str) -> dt.datetime:
                parsed = instant(value)
                assert parsed is not None
                return parsed

            term = data["term"]
            return cls(
                reglament=data["reglament"],
                version=data["version"],
                region=data["region"],
                timezone=data["timezone"],
                channel=data["channel"],
                variant=data["variant"],
                data=dict(data["data"]),
                submitted_at=required(data["submitted_at"]),
                accepted_at=required(data["accepted_at"]),
                term_value=term["value"] if term else None,
                term_unit=term["unit"] if term else None,
                term_base_due=instant(term["base_due"]) if term else None,
                tokens=[
                    Token(
                        t["id"], t["step"], required(t["started"]), instant(t["due"]), t["parallel"]
                    )
                    for t in data["tokens"]
                ],
                arrived={join: list(ids) for join, ids in data["arrived"].items()},
                history=[
                    Record(Kind(r["kind"]), required(r["at"]), r["step"], r["outcome"], r["detail"])
                    for r in data["history"]
                ],
                suspensions=[
                    Suspension(required(s["start"]), instant(s["end"]), s["reason"])
                    for s in data["suspensions"]
                ],
                next_token=data["next_token"],
                end=data["end"],
                finished_at=instant(data["finished_at"]),
            )
        except UsageError:
            raise
        except (KeyError, TypeError, ValueError) as error:
            raise UsageError(f"not a saved case: {type(error).__name__} {error}") from None
