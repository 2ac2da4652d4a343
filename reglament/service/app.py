"""``create_app``: the service's FastAPI application over one case store; ``openapi``: its
OpenAPI 3.1 document (the one ``/openapi.json`` serves, ``docs/openapi.json`` keeps)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import FastAPI

from reglament.loader import Library, load_library
from reglament.service import lanes, problems
from reglament.service.context import Service
from reglament.service.middleware import Edge
from reglament.service.verified import TOKEN_TTL, Verified
from reglament.store import Store, connect, store_url

API_VERSION = "1.0.0"  # the HTTP API's, under /v1 (not the package's)
MAX_BODY = 4 * 1024 * 1024  # bytes: a request body's cap, an uploaded YAML's (the reader's too)


def wall_clock() -> dt.datetime:
    """The service's "now": the one wall-clock read of the service, at its edge."""
    return dt.datetime.now(dt.UTC)


def create_app(
    db_url: str | None,
    library: Library | None = None,
    now: Callable[[], dt.datetime] = wall_clock,
    *,
    max_body: int = MAX_BODY,
    token_ttl: float = TOKEN_TTL,
) -> FastAPI:
    """The service over the store at ``db_url`` (``--db``, else ``REGLAMENT_DB``, else the
    default file; its schema must be this version's: ``reglament db upgrade``), running the
    reglaments of ``library`` (default: the bundled ones), reading "now" from ``now``; a
    verified token is trusted for ``token_ttl`` seconds (``verified.py``: the revocation rule)."""
    library = library if library is not None else load_library()
    cases = Store(connect(store_url(db_url)), library, now)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        lanes.open_lanes()
        yield
        cases.close()

    app = _application(lifespan, max_body)
    app.state.service = Service(cases, library, now, max_body, Verified(token_ttl))
    return app


def _application(
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None, max_body: int
) -> FastAPI:
    from reglament.service import api, ui

    app = FastAPI(
        title="reglament",
        version=API_VERSION,
        summary="Kazakhstan's state-service reglaments and their cases over HTTP.",
        description="Cases, their due instants and history, the reglaments and the outbox "
        "(docs/service.md). Errors are RFC 9457 problem documents.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    problems.install(app)
    app.include_router(api.router)
    app.openapi = lambda: _with_problems(app)  # type: ignore[method-assign]
    app.include_router(ui.router)  # the office page, /ui (reglament/service/ui/)
    app.add_middleware(Edge, max_body=max_body)
    return app


def _with_problems(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document for ``app``, with the problem document's schema that every error
    response refers to (built once, as FastAPI does)."""
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        document = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
        )
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        found = problems.Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(found.pop("$defs", {}))
        schemas["Problem"] = found
        app.openapi_schema = document
    return app.openapi_schema


def openapi() -> dict[str, Any]:
    """The API's OpenAPI 3.1 document, without a store."""
    document: dict[str, Any] = _application(None, MAX_BODY).openapi()
    return document


def openapi_text() -> str:
    """The document as ``docs/openapi.json`` keeps it."""
    return json.dumps(openapi(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
