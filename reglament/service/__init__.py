"""The HTTP service (issue 15): the case store, the reglaments and the outbox over HTTP, for
other systems (``/v1``, described by OpenAPI 3.1 at ``/openapi.json``) and for offices (the page
at ``/ui``). FastAPI and starlette have their one home here, uvicorn in ``serve.py``; the
service takes "now" at its edge and passes it in (docs/service.md)."""

from reglament.service.app import create_app

__all__ = ["create_app"]
