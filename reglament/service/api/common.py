"""What the API's operations share: the problem responses each may give, in OpenAPI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from reglament import limits
from reglament.errors import UsageError
from reglament.service.auth import GRANTED, Action
from reglament.service.problems import PROBLEM_CONTENT

_ERRORS = {
    401: "No bearer token, or one unknown or revoked.",
    403: "The token's role may not do this, or the case is of another region (a write).",
    422: "The request is invalid: its body, a parameter, or what it asks of a reglament.",
}


def described(
    action: Action,
    *extra: int,
    ok: dict[str, Any] | None = None,
    why: Mapping[int, str] | None = None,
) -> dict[str, Any]:
    """The keywords of an operation's decorator: its problem responses (401, 403, 422 and
    ``extra``, each described as ``why`` says, else as every operation's) and the roles granted
    ``action`` (``x-reglament-action``, ``x-reglament-roles``), which the authorisation matrix
    reads."""
    errors = {**_ERRORS, **{status: _EXTRA[status] for status in extra}, **(why or {})}
    responses: dict[int | str, Any] = {
        status: {"description": text, "content": PROBLEM_CONTENT}
        for status, text in sorted(errors.items())
    }
    if ok is not None:
        responses[200] = ok
    return {
        "responses": responses,
        "openapi_extra": {
            "x-reglament-action": action.value,
            "x-reglament-roles": sorted(GRANTED[action]),
        },
    }


_EXTRA = {
    400: "The body is not JSON.",
    404: "Not there, or a case of another region (a read).",
    409: "The move is not possible now, or the case or idempotency key is taken.",
    412: "If-Match names a revision the case is no longer at.",
    413: "The body is larger than the cap.",
    503: "The case store cannot be used.",
}


def instant(text: str, name: str) -> dt.datetime:
    """An instant the caller gave (ISO 8601, e.g. ``2013-01-09T10:00+05:00``). Over HTTP it
    must carry its offset: a caller's zone is not the server's business to guess."""
    try:
        value = limits.parse_instant(text)
    except ValueError as error:
        raise UsageError(f"{name} {error}") from None
    if value.tzinfo is None:
        raise UsageError(
            f"{name} {text!r} has no time zone: give its offset, e.g. {text}+05:00 (or Z for UTC)"
        )
    if not limits.FIRST_DAY <= value.date() <= limits.LAST_DAY:
        raise UsageError(f"{name} {text!r} is outside the calendar's range {limits.RANGE}")
    return value


def day(text: str, name: str) -> dt.date:
    """A day the caller gave, ``YYYY-MM-DD``."""
    try:
        return limits.parse_day(text)
    except ValueError as error:
        raise UsageError(f"{name} {error}") from None
