"""/v1/reglaments/{ref}/migrate: the open cases of a reglament, in the token's region, moved
to another version of it or kept on theirs (``reglament cases migrate --format json``, made by
the same function, ``store/amend.py: migrate``).

A head's action (``cases:decide``): it re-plans the due instants of every open case of the
service. It answers 200 with each case's outcome (moved, kept, blocked, conflict) and the
counts, whatever they are: a case that cannot move is left as it is and says why, as the
command line's exit 4 does; a ``conflict`` (the case was written meanwhile) is moved by sending
the request again. ``Idempotency-Key`` makes a repeated request apply once (each case's move
keeps ``KEY/CASE``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from reglament.service.api.cases import IdempotencyKey, _request
from reglament.service.api.common import described, instant
from reglament.service.auth import Action, in_region, may
from reglament.service.context import Service, serving
from reglament.store.tokens import Principal

router = APIRouter(prefix="/reglaments", tags=["reglaments"])
Running = Annotated[Service, Depends(serving)]
Head = Annotated[Principal, Depends(may(Action.decide))]


class Migration(BaseModel):
    """The move asked (``reglament cases migrate``'s options)."""

    model_config = ConfigDict(extra="forbid")
    to: str = Field(max_length=10, description="The version to move to: YYYY-MM-DD.")
    policy: str = Field(
        "keep",
        max_length=20,
        description="keep (nothing moves) or from:YYYY-MM-DD (the open cases move from then).",
    )
    region: str | None = Field(None, max_length=100, description="Default: the token's region.")
    at: str | None = Field(None, max_length=40, description="The move's instant (default: now).")
    dry_run: bool = Field(
        False, description="List every due instant that would move; write nothing."
    )
    comment: str | None = Field(None, max_length=2000)


@router.post(
    "/{ref}/migrate", operation_id="migrateCases", **described(Action.decide, 400, 404, 413)
)
async def migrate_cases(
    ref: Annotated[str, Field(max_length=300)],
    given: Migration,
    who: Head,
    running: Running,
    request: Request,
    key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Move the open cases of a reglament to another version of it, or keep them on theirs."""
    # in the heavy lane (lanes.py): an amendment moves many cases
    return await running.lanes.heavy(_migrated, ref, given, who, running, request, key)


def _migrated(
    ref: str,
    given: Migration,
    who: Principal,
    running: Service,
    request: Request,
    key: str | None,
) -> dict[str, Any]:
    from reglament.runtime.amend import Policy
    from reglament.store import amend

    region = given.region or who.region
    in_region(who, region, Action.decide, f"{ref}@{region}")
    policy = Policy.parse(given.policy)
    at = instant(given.at, "at") if given.at else running.now()
    asked = _request(who, request, key, None, given.comment)
    done = amend.migrate(
        running.store,
        ref,
        given.to,
        policy,
        at,
        region=region,
        dry_run=given.dry_run,
        request=asked,
    )
    answer: dict[str, Any] = done.to_dict()
    return answer
