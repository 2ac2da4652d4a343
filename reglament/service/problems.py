"""Errors as RFC 9457 ``application/problem+json``: every error kind of the package mapped to
one HTTP status in one place (as ``cli.py`` maps each to an exit code), the positioned messages
of an invalid definition carried as ``problems: [{file, line, column, message, path, code}]``.

A problem's ``type`` is ``urn:reglament:problem:<kind>``; the kinds are listed in
docs/service.md ("Errors")."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from reglament.errors import (
    CalendarRangeError,
    ConflictError,
    DefinitionError,
    MoveError,
    NotFoundError,
    ProgramMissing,
    ReglamentError,
    StaleError,
    StoreError,
    UsageError,
)
from reglament.reports.validation import problem_dict

MEDIA_TYPE = "application/problem+json"
TYPE = "urn:reglament:problem:"
log = logging.getLogger("reglament.service")

# The error kinds, most specific first: (kind, status, title).
KINDS: tuple[tuple[type[ReglamentError], int, str, str], ...] = (
    (DefinitionError, 422, "definition", "The definition is invalid"),
    (NotFoundError, 404, "not-found", "Not found"),
    (CalendarRangeError, 422, "calendar-range", "Outside the calendar's range"),
    (ProgramMissing, 503, "program-missing", "A program the service needs is not installed"),
    (UsageError, 422, "usage", "The request cannot be done as given"),
    (StaleError, 412, "stale", "The case has changed since it was read"),
    (ConflictError, 409, "conflict", "Conflict"),
    (MoveError, 409, "move", "The move is not possible now"),
    (StoreError, 503, "store", "The case store cannot be used"),
)


class Positioned(BaseModel):
    """One problem of a definition, where it is: as ``reglament validate --format json``."""

    model_config = ConfigDict(extra="forbid")
    file: str
    line: int
    column: int
    message: str
    path: str = ""
    code: str = ""


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    model_config = ConfigDict(extra="forbid")
    type: str = Field(description="urn:reglament:problem:<kind> (docs/service.md)")
    title: str
    status: int
    detail: str
    instance: str | None = Field(None, description="The request path.")
    request_id: str | None = Field(None, description="The request's X-Request-Id.")
    problems: list[Positioned] | None = Field(
        None, description="Positioned messages: each with its file, line and column."
    )


class ServiceError(Exception):
    """A refusal the service itself makes (authentication, authorisation, headers)."""

    def __init__(
        self, status: int, kind: str, title: str, detail: str, headers: Mapping[str, str] = {}
    ) -> None:
        super().__init__(detail)
        self.status, self.kind, self.title, self.detail = status, kind, title, detail
        self.headers = dict(headers)


def unauthorized(detail: str) -> ServiceError:
    return ServiceError(401, "unauthorized", "Unauthorized", detail, {"WWW-Authenticate": "Bearer"})


def forbidden(detail: str) -> ServiceError:
    return ServiceError(403, "forbidden", "Forbidden", detail)


def response(
    request: Request,
    status: int,
    kind: str,
    title: str,
    detail: str,
    problems: Sequence[Mapping[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The problem document of ``status`` for ``request``."""
    body = Problem(
        type=TYPE + kind,
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
        request_id=getattr(request.state, "request_id", None),
        problems=[Positioned(**dict(p)) for p in problems] if problems is not None else None,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        media_type=MEDIA_TYPE,
        headers=dict(headers or {}),
    )


def of_error(request: Request, error: ReglamentError) -> JSONResponse:
    """The one mapping of the package's errors to HTTP statuses."""
    for kind, status, slug, title in KINDS:
        if isinstance(error, kind):
            problems = None
            if isinstance(error, DefinitionError):
                problems = [problem_dict(p) for p in error.problems]
                detail = f"{len(error.problems)} problem(s) found"
            else:
                detail = str(error)
            return response(request, status, slug, title, detail, problems)
    return response(request, 422, "error", "Error", str(error))


def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
    """A body or parameter of the wrong shape: each error with where it is in the request; a
    body that is not JSON at all is a bad request (400)."""
    errors = list(error.errors())
    bad_json = [item for item in errors if item.get("type") == "json_invalid"]
    if bad_json:
        where = bad_json[0].get("ctx", {}).get("error", "")
        detail = f"the body is not JSON: {where}" if where else "the body is not JSON"
        return response(request, 400, "malformed-json", "Malformed JSON", detail)
    found = []
    for item in errors:
        where = ".".join(str(part) for part in item.get("loc", ()))
        found.append(f"{where}: {item.get('msg', 'invalid')}")
    detail = "; ".join(found) or "the request is invalid"
    return response(request, 422, "invalid-request", "The request is invalid", detail)


def install(app: FastAPI) -> None:
    """Every error the app can meet answered as a problem document."""

    async def reglament_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, ReglamentError)
        return of_error(request, error)

    async def service_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, ServiceError)
        return response(
            request, error.status, error.kind, error.title, error.detail, None, error.headers
        )

    async def invalid(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        return _invalid(request, error)

    async def http_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, StarletteHTTPException)
        title = _TITLES.get(error.status_code, "Error")
        slug = title.casefold().replace(" ", "-")
        return response(
            request, error.status_code, slug, title, str(error.detail), None, error.headers
        )

    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("internal error on %s %s", request.method, request.url.path)
        return response(request, 500, "internal", "Internal error", "an internal error")

    app.add_exception_handler(ReglamentError, reglament_error)
    app.add_exception_handler(ServiceError, service_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)


_TITLES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    413: "Content too large",
    415: "Unsupported media type",
}

# The problem responses every operation may give, for the OpenAPI document.
PROBLEM_CONTENT = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
