"""An operation's JSON answer, made once: its content validated against the operation's model
(``bodies.py``) and serialised by pydantic in one step, into a ready ``Response``.

An operation that returns its content for FastAPI to serialise pays for a second validation,
and a plain function operation (``def``, run in the thread pool) pays for one more hop to the
thread pool for it; one that returns a ``Response`` pays for neither. The models still hold
every answer: ``response_model`` on the operation (the OpenAPI document), ``answer`` here (the
body)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from fastapi import Response
from pydantic import TypeAdapter


@cache
def _adapter(kind: Any) -> TypeAdapter[Any]:
    return TypeAdapter(kind)


def body(kind: Any, content: Any) -> bytes:
    """``content`` as JSON, checked against ``kind`` (a model, ``list[Model]``, ...)."""
    adapter = _adapter(kind)
    return adapter.dump_json(adapter.validate_python(content), by_alias=True)


def answer(
    kind: Any, content: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """The ``application/json`` response of ``content``, checked against ``kind``."""
    return Response(body(kind, content), status, headers, media_type="application/json")
