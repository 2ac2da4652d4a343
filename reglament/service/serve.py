"""``reglament serve``: the service on uvicorn, uvicorn's one home.

uvicorn's own access log is off (it writes each request's query string); the service logs one
line per request itself, without query, headers or body (``middleware.py``)."""

from __future__ import annotations

import logging

import uvicorn

from reglament.loader import Library
from reglament.service.app import create_app

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def serve(db_url: str | None, library: Library, host: str, port: int) -> None:
    """Serve the API on ``host:port`` until interrupted (Ctrl-C, SIGTERM: uvicorn's graceful
    shutdown, requests under way finished)."""
    app = create_app(db_url, library)
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    uvicorn.run(app, host=host, port=port, access_log=False, log_config=None, server_header=False)
