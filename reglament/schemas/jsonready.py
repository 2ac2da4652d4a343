"""Values as JSON-ready data: the one conversion behind every ``to_dict`` of the public API.

Instants become ISO 8601 strings with their UTC offset (``2015-12-14T17:45:00+06:00``), dates
``YYYY-MM-DD``, enums their value, tuples lists, dataclasses a dictionary of their fields (every
field, so that one added later is included), pydantic models what ``model_dump(mode="json")``
gives. The shapes are those of the published documents (``case.schema.json``,
``timeline.schema.json``), which are built with these same functions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Mapping
from typing import Any, cast

from pydantic import BaseModel


def json_ready(value: object) -> Any:
    """``value`` as plain JSON data (see the module doc); a ``TypeError`` for anything else,
    which is a bug of the caller's type, not bad input."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return json_ready(value.value)
    if isinstance(value, ToDict):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return fields_of(value)
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    if isinstance(value, Mapping):
        return {str(key): json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_ready(item) for item in value]
    raise TypeError(f"no JSON form for {type(value).__name__}: {value!r}")


def fields_of(value: object) -> dict[str, Any]:
    """A dataclass instance as a dictionary of all its fields, each JSON-ready."""
    return {
        field.name: json_ready(getattr(value, field.name))
        for field in dataclasses.fields(cast(Any, value))
    }


class ToDict:
    """A dataclass of the public API whose ``to_dict()`` is the JSON-ready dictionary of its
    fields, in their order (a mixin: it adds no slot)."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """Every field, JSON-ready: instants as ISO 8601 with their offset, dates as
        ``YYYY-MM-DD``, enums as their value, nested values alike."""
        return fields_of(self)
