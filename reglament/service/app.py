"""``create_app``: the service's FastAPI application over one case store."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI

from reglament.loader import Library, load_library
from reglament.service import problems
from reglament.service.context import Service
from reglament.service.middleware import Edge
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
) -> FastAPI:
    """The service over the store at ``db_url`` (``--db``, else ``REGLAMENT_DB``, else the
    default file; its schema must be this version's: ``reglament db upgrade``), running the
    reglaments of ``library`` (default: the bundled ones), reading "now" from ``now``."""
    from reglament.service import api, ui

    library = library if library is not None else load_library()
    cases = Store(connect(store_url(db_url)), library, now)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        cases.close()

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
    app.state.service = Service(cases, library, now, max_body)
    problems.install(app)
    app.include_router(api.router)
    app.include_router(ui.router)  # the office page, /ui (reglament/service/ui/)
    app.add_middleware(Edge, max_body=max_body)
    return app
