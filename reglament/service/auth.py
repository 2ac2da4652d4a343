"""Who may do what: bearer tokens (``reglament tokens``), their roles and their region.

- a **clerk** reads their region's cases and records their steps: starts a case, completes a
  step whose actor is the token's (never a decision), suspends, resumes, sets data;
- a **head** may do all a clerk may, on a step of any actor, decisions included, and sees the
  overdue and at-risk reports and the audits;
- an **auditor** reads everything of their region (cases, reports, audits, the outbox) and
  writes nothing;
- an **admin** manages their region's tokens, and nothing else;
- every role reads the reglaments themselves (acts are public).

A case of another region is not there for a read (404, as if it did not exist) and refused for
a write (403). A missing, unknown or revoked token is 401 (docs/service.md)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from reglament.errors import NotFoundError
from reglament.schemas import Decision, Step
from reglament.service.context import Service, serving
from reglament.service.problems import forbidden, unauthorized
from reglament.store.tokens import Principal, verify


class Action(StrEnum):
    """What an operation does, as the roles are granted it."""

    read_reglaments = "reglaments:read"
    audit_reglaments = "reglaments:audit"
    read_cases = "cases:read"
    report_cases = "cases:report"  # the overdue and at-risk lists
    audit_cases = "cases:audit"
    write_cases = "cases:write"  # start, complete a step, suspend, resume, set data
    decide = "cases:decide"  # complete a decision or a step of another actor
    read_outbox = "outbox:read"
    manage_tokens = "tokens:manage"


_ALL = frozenset({"clerk", "head", "auditor", "admin"})
GRANTED: dict[Action, frozenset[str]] = {
    Action.read_reglaments: _ALL,
    Action.audit_reglaments: frozenset({"head", "auditor"}),
    Action.read_cases: frozenset({"clerk", "head", "auditor"}),
    Action.report_cases: frozenset({"head", "auditor"}),
    Action.audit_cases: frozenset({"head", "auditor"}),
    Action.write_cases: frozenset({"clerk", "head"}),
    Action.decide: frozenset({"head"}),
    Action.read_outbox: frozenset({"head", "auditor"}),
    Action.manage_tokens: frozenset({"admin"}),
}
# Actions that change something: another region's case is refused (403), not hidden (404).
WRITES = frozenset({Action.write_cases, Action.decide, Action.manage_tokens})

bearer = HTTPBearer(
    auto_error=False,
    description="A token made by `reglament tokens create` (docs/service.md).",
)


async def principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    running: Annotated[Service, Depends(serving)],
) -> Principal:
    """The principal of the request's bearer token; 401 without one, or for one unknown or
    revoked. The secret goes nowhere but into its hash. A token verified lately is not read
    again (``verified.py``: the revocation rule); else the tokens table is read in the thread
    pool, off the event loop."""
    if credentials is None:
        raise unauthorized("this needs a bearer token: Authorization: Bearer <token>")
    key, found = running.verified.get(credentials.credentials)
    if found is None:
        found = await run_in_threadpool(verify, running.store.db, credentials.credentials)
        if found is None:
            raise unauthorized("the bearer token is unknown or revoked")
        running.verified.keep(key, found)
    request.state.principal = found
    return found


def may(action: Action) -> Callable[..., Awaitable[Principal]]:
    """A dependency: the request's principal, whose role is granted ``action`` (else 403)."""

    async def check(who: Annotated[Principal, Depends(principal)]) -> Principal:
        if who.role not in GRANTED[action]:
            raise forbidden(f"a {who.role}'s token may not do this ({action.value})")
        return who

    check.action = action  # type: ignore[attr-defined]  # read by the authorisation test
    return check


def in_region(who: Principal, region: str, action: Action, what: str) -> None:
    """Refuse ``what`` of ``region`` to a principal of another region: a read as if it did not
    exist (404), a write with 403."""
    if region.casefold() == who.region.casefold():
        return
    if action in WRITES:
        raise forbidden(f"{what} is in region {region}; this token's region is {who.region}")
    raise NotFoundError(f"no stored case {what!r} (give a case id or a receipt number)")


def refusal(who: Principal, step_id: str, step: Step) -> str | None:
    """Why ``who`` may not complete step ``step_id`` (``None``: they may): the roles that may
    decide (a head) any step; a clerk the steps of their own actor, never a decision; the other
    roles none. The API's completion and the office page's buttons and forms both ask it."""
    if who.role not in GRANTED[Action.write_cases]:
        return f"a {who.role}'s token records no step"
    if who.role in GRANTED[Action.decide]:
        return None
    if isinstance(step, Decision):
        return f"step {step_id} is a decision: a head's, not a {who.role}'s"
    actor = getattr(step, "actor", None)
    if actor is None or actor != who.actor:
        return f"step {step_id} is {actor}'s; this token records {who.actor}'s steps"
    return None
