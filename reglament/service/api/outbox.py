"""/v1/outbox: the messages of the token's region's cases (``reglament outbox list``)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from reglament.service.api.bodies import Outbox
from reglament.service.api.common import described
from reglament.service.auth import Action, may
from reglament.service.context import Service, serving
from reglament.store import outbox
from reglament.store.tokens import Principal

router = APIRouter(prefix="/outbox", tags=["outbox"])


@router.get("", operation_id="listOutbox", **described(Action.read_outbox))
def list_outbox(
    running: Annotated[Service, Depends(serving)],
    who: Annotated[Principal, Depends(may(Action.read_outbox))],
    status: Literal["pending", "delivered", "failed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Outbox:
    """The outbox's messages of the region's cases, oldest first, and how many there are."""
    return Outbox.model_validate(outbox.listed(running.store.db, status, limit, who.region))
