"""The service's ASGI wrapper: each request's id (``X-Request-Id``, made when absent or
unusable), the cap on a request body (413 past it, before the app reads more), and one log line
per request: method, path (never its query; anything shaped like a token's secret in it
hidden), status, request id, token name, milliseconds. Nothing else of a request is logged: no
header, no body, so no secret."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger("reglament.service")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_SECRET = re.compile(r"rgl_[A-Za-z0-9_-]+")  # a token's secret put where it does not belong


def _too_large(cap: int) -> str:
    return f"a request body may have at most {cap:,} bytes"


class Edge:
    """Wraps the app: request ids, the body cap, the access log."""

    def __init__(self, app: App, max_body: int) -> None:
        self.app, self.max_body = app, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = {k.decode("latin-1").casefold(): v for k, v in scope.get("headers", [])}
        given = headers.get("x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        status: list[int] = []

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (b"x-request-id", request_id.encode("latin-1")),
                ]
            await send(message)

        try:
            if self._declared_too_large(headers):
                await self._refuse(scope, sending, request_id)
            else:
                await self.app(scope, self._capped(receive), sending)
        finally:
            self._log(scope, status, request_id, started)

    def _declared_too_large(self, headers: dict[str, bytes]) -> bool:
        length = headers.get("content-length", b"").decode("latin-1")
        return length.isdigit() and int(length) > self.max_body

    def _capped(self, receive: Receive) -> Receive:
        seen = 0

        async def capped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:  # the app answers it as a 413 problem
                    raise HTTPException(413, _too_large(self.max_body))
            return message

        return capped

    async def _refuse(self, scope: Scope, send: Send, request_id: str) -> None:
        body = json.dumps(
            {
                "type": "urn:reglament:problem:content-too-large",
                "title": "Content too large",
                "status": 413,
                "detail": _too_large(self.max_body),
                "instance": scope.get("path", ""),
                "request_id": request_id,
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _log(self, scope: Scope, status: list[int], request_id: str, started: float) -> None:
        who = scope.get("state", {}).get("principal")
        log.info(
            "%s %s %s request=%s token=%s %.1fms",
            scope.get("method", ""),
            _SECRET.sub("rgl_(hidden)", scope.get("path", "")),
            status[0] if status else 0,
            request_id,
            getattr(who, "name", "-"),
            (time.perf_counter() - started) * 1000,
        )
