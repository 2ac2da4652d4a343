"""The JSON bodies of the API, described for OpenAPI: each is what the command line prints with
``--format json`` (the same functions make it: ``Store.start``/``complete``/..., ``Store.show``,
``Store.cases``, ``outbox.listed``, ``describe.library_json``, ...). The models only describe
it; ``tests/service/test_bodies.py`` holds them to the CLI's output, and FastAPI checks every
answer against them, so the two cannot drift."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Event(_Out):
    """One event of a case's log, with who made it and the request that did (``cases show``)."""

    seq: int
    revision: int
    at: str
    kind: str
    step: str | None
    outcome: str | None
    detail: str
    user: str | None = Field(description="Who: the token's name (the CLI's --by).")
    role: str | None = Field(description="The token's role (the CLI's --role).")
    comment: str | None
    key: str | None = Field(description="The Idempotency-Key of the write.")
    recorded_at: str = Field(description="When the write was committed (the service's clock).")
    request: str | None = Field(description="The X-Request-Id of the write.")


class Written(_Out):
    """What a write answered: the case, its new revision (its ETag), the events it added."""

    case: str
    receipt: str
    revision: int
    events: list[Event]


class Summary(_Out):
    """A stored case in a list (``cases list``)."""

    case: str
    receipt: str
    reglament: str
    version: str
    region: str
    state: str
    revision: int
    step_due: str | None
    term_due: str | None
    overdue_at: str | None
    at_risk_at: str | None
    at_risk_until: str | None
    updated_at: str | None


class Shown(Summary):
    """A stored case as of an instant (``cases show``): its status (the steps under way and
    their due instants, the term) and its whole history."""

    channel: str
    variant: str | None
    language: str
    contact: dict[str, str]
    status: dict[str, Any] = Field(description="Engine.status: active steps, due instants, term.")
    events: list[Event]


class History(_Out):
    """A case's history: its events, oldest first, with who, what, when and the request."""

    case: str
    receipt: str
    revision: int
    events: list[Event]


class Message(_Out):
    """An outbox message (``outbox list``)."""

    key: str
    case: str
    event: int
    medium: str
    language: str
    recipient: str
    subject: str | None
    body: str
    status: str
    attempts: int
    next_attempt_at: str | None
    last_error: str | None
    created_at: str | None
    delivered_at: str | None


class Outbox(_Out):
    """The outbox's messages of the token's region, oldest first, and how many there are."""

    count: int
    messages: list[Message]


class Period(_Out):
    from_: str = Field(alias="from")
    until: str | None
    estimated: bool


class Listed(_Out):
    """A reglament in the library (``reglament list``)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    id: str
    service: str
    region: str
    act: str
    effective: Period
    title: dict[str, Any]
    file: str
