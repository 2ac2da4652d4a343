"""/v1/tokens: an admin manages their region's tokens (as ``reglament tokens`` does)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from reglament.service.api.common import described
from reglament.service.auth import Action, may
from reglament.service.context import Service, serving
from reglament.store import tokens
from reglament.store.tokens import Principal

router = APIRouter(prefix="/tokens", tags=["tokens"])
Admin = Annotated[Principal, Depends(may(Action.manage_tokens))]
Running = Annotated[Service, Depends(serving)]


class TokenOut(BaseModel):
    """A token as ``reglament tokens list --format json`` prints it (never its secret)."""

    id: int
    name: str
    role: str
    region: str
    actor: str | None
    created: str
    revoked: str | None


class NewToken(BaseModel):
    """A token to make, in the admin's own region."""

    model_config = ConfigDict(extra="forbid")
    role: str = Field(description="clerk, head, auditor or admin", max_length=10)
    actor: str | None = Field(None, description="A clerk's actor.", max_length=200)
    name: str | None = Field(None, max_length=200)


class Made(TokenOut):
    """A new token with its secret, shown this once."""

    secret: str


@router.get("", operation_id="listTokens", **described(Action.manage_tokens))
def list_tokens(who: Admin, running: Running) -> list[TokenOut]:
    """The tokens of the admin's region, oldest first (revoked ones too)."""
    return [TokenOut(**t.to_dict()) for t in tokens.listed(running.store.db, who.region)]


@router.post(
    "", operation_id="createToken", status_code=201, **described(Action.manage_tokens, 400, 413)
)
def create_token(given: NewToken, who: Admin, running: Running) -> Made:
    """A new token of the admin's region; its secret is in this answer only."""
    regions = {r.region for r in running.library.reglaments}
    made, secret = tokens.create(
        running.store.db,
        given.role,
        who.region,
        given.actor,
        given.name,
        running.now(),
        regions=regions,
    )
    return Made(**made.to_dict(), secret=secret)


@router.delete("/{token_id}", operation_id="revokeToken", **described(Action.manage_tokens, 404))
def revoke_token(
    token_id: Annotated[int, Path(ge=1, le=2**31 - 1)], who: Admin, running: Running
) -> TokenOut:
    """Revoke a token of the admin's region from now on."""
    found: dict[str, Any] = tokens.revoke(
        running.store.db, token_id, running.now(), who.region
    ).to_dict()
    running.verified.forget(token_id)  # refused here at once (another instance: verified.py)
    return TokenOut(**found)
