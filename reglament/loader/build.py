"""Plain data → frozen models, with every pydantic error turned into a positioned sentence."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from reglament.errors import Position, Problem, closest
from reglament.schemas import Reglament
from reglament.schemas.common import FieldError
from reglament.schemas.expr import ExprError
from reglament.source.document import Document, PathKey, Plain, dotted


def build(document: Document) -> tuple[Reglament | None, list[Problem]]:
    """Validate the document's data against the format; every problem at once."""
    if not isinstance(document.data, dict):
        return None, [
            Problem(
                document.position(()),
                f"a reglament is a mapping of keys (format, id, title ...), not {_shape(document.data)}",
                code="schema",
            )
        ]
    try:
        return Reglament.model_validate(document.data), []
    except ValidationError as error:
        problems = [_problem(document, details) for details in error.errors(include_url=False)]
        return None, _unique(problems)


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[Position, str]] = set()
    result = []
    for problem in problems:
        if (problem.position, problem.message) not in seen:
            seen.add((problem.position, problem.message))
            result.append(problem)
    return result


def _data_path(data: Plain, loc: tuple[int | str, ...]) -> tuple[PathKey, list[int | str]]:
    """Split pydantic's ``loc`` into the path that exists in the data and the labels it added
    (discriminator tags and union member names)."""
    path: list[str | int] = []
    labels: list[int | str] = []
    node: Any = data
    for part in loc:
        if (isinstance(node, dict) and isinstance(part, str) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part] if isinstance(node, dict) else node[int(part)]
            path.append(part)
        else:
            labels.append(part)
    return tuple(path), labels


def _problem(document: Document, details: ErrorDetails) -> Problem:
    loc = tuple(details["loc"])
    kind = details["type"]
    path, labels = _data_path(document.data, loc)
    ctx = details.get("ctx") or {}
    value = details["input"]
    where = dotted(path)
    if kind == "extra_forbidden":
        key = loc[-1]
        allowed = _allowed_keys(loc[:-1])
        close = closest(str(key), allowed)
        hint = f" (did you mean {close!r}?)" if close is not None else ""
        hint += f"; allowed here: {', '.join(allowed)}" if allowed else ""
        return Problem(document.key_position(path), f"unknown key {key!r}{hint}", where, "schema")
    if kind == "missing":
        # at the key of the mapping that lacks it (the root mapping has no key: its first line)
        key = loc[-1]
        return Problem(
            document.key_position(path), f"missing required key {key!r}", where, "schema"
        )
    if kind == "union_tag_not_found":
        return Problem(
            document.key_position(path),
            _message(kind, details["msg"], ctx, value, loc),
            where,
            "schema",
        )
    if kind == "union_tag_invalid" and isinstance(value, dict) and "kind" in value:
        path = (*path, "kind")
        where = dotted(path)
    if labels and labels[-1] == "[key]":  # a key that is not an id: point at the key
        under = f" under {path[-2]!r}" if len(path) >= 2 else ""
        if kind == "string_pattern_mismatch":
            name = _pattern_name(str(ctx.get("pattern", "")))
            message = f"{_show(path[-1])} is not a valid {name} for a key{under}"
        else:
            message = f"key {path[-1]!r}{under}: {details['msg'][0].lower()}{details['msg'][1:]}"
        return Problem(document.key_position(path), message, where, "schema")
    if labels and loc[-1] in ("one", "list") and labels[-1] == loc[-1]:
        loc = loc[:-1]  # a union's shape tag names no key: the value's own key does
    position = document.position(path)
    error = ctx.get("error")
    if isinstance(error, FieldError) and (*path, error.key) in document.values:
        path = (*path, error.key)
        position, where = document.position(path), dotted(path)
    if isinstance(error, ExprError):
        offset = 1 if path in document.quoted else 0
        position = Position(
            position.file, position.line, position.column + offset + error.column - 1
        )
        return Problem(position, f"condition {value!r}: {error}", where, "condition")
    return Problem(position, _message(kind, details["msg"], ctx, value, loc), where, "schema")


def _message(
    kind: str, msg: str, ctx: dict[str, Any], value: object, loc: tuple[int | str, ...]
) -> str:
    got = _show(value)
    field = loc[-1] if loc else ""
    if kind in {"enum", "literal_error"}:
        return f"{got} is not allowed for {field!r}; allowed: {ctx.get('expected', '')}"
    if kind == "union_tag_invalid":
        return f"unknown {ctx.get('discriminator', 'kind').strip(chr(39))} {ctx.get('tag')!r}; allowed: {ctx.get('expected_tags')}"
    if kind == "union_tag_not_found":
        return f"missing {ctx.get('discriminator', 'kind')}; every step says its kind (task, decision, wait, parallel, join, end)"
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return f"{field!r} must be a whole number, got {got}"
    if kind == "greater_than":
        return f"{field!r} must be greater than {ctx.get('gt')}, got {got}"
    if kind == "less_than_equal":
        return f"{field!r} must be at most {ctx.get('le')}, got {got}"
    if kind in {"string_type"}:
        return f"{field!r} must be text, got {got}"
    if kind == "string_pattern_mismatch":
        return f"{got} is not a valid {_pattern_name(str(ctx.get('pattern', '')))} for {field!r}"
    if kind == "string_too_short":
        return f"{field!r} must not be empty"
    if kind in {"bool_type", "bool_parsing"}:
        return f"{field!r} must be true or false, got {got}"
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return f"{field!r} must be a mapping (key: value lines), got {got}"
    if kind == "list_type":
        return f"{field!r} must be a list, got {got}"
    if kind in {
        "date_type",
        "date_parsing",
        "date_from_datetime_parsing",
        "date_from_datetime_inexact",
    }:
        return f"{field!r} must be a date YYYY-MM-DD, got {got}"
    if kind == "too_short":
        return f"{field!r} needs at least {ctx.get('min_length')} item(s), got {ctx.get('actual_length', 0)}"
    if kind == "value_error":
        return str(ctx.get("error", msg)).removeprefix("Value error, ")
    return f"{field!r}: {msg[0].lower()}{msg[1:]}, got {got}"


_PATTERNS = {
    r"^[a-z0-9][a-z0-9-]*$": "id (lower-case letters a-z, digits and '-')",
    r"^[a-z][a-z0-9_]*$": "name (lower-case letters a-z, digits and '_')",
    r"^[a-z0-9][a-z0-9_-]*$": "template name (lower-case letters a-z, digits, '-' and '_')",
    r"^\d+(-\d+)?(, ?\d+(-\d+)?)*$": "line range (e.g. '94-96' or '94, 4301-4303')",
}


def _pattern_name(pattern: str) -> str:
    if pattern in _PATTERNS:
        return _PATTERNS[pattern]
    if "HH" in pattern or (":" in pattern and "[0-5]" in pattern):
        return "time range HH:MM-HH:MM"
    if "mon|tue" in pattern:
        return "weekday or range (mon, sat, mon-fri)"
    return f"value (expected to match {pattern})"


def _show(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _shape(value: object) -> str:
    return (
        _show(value)
        if isinstance(value, dict | list) or value is None
        else f"the value {_show(value)}"
    )


# --- which keys a model at some location accepts (for "unknown key" messages) ---------------


def _allowed_keys(loc: tuple[int | str, ...]) -> list[str]:
    current: Any = Reglament
    for part in loc:
        current = _step_into(current, part)
        if current is None:
            return []
    model = _model_of(current)
    if model is None:
        return []
    return [field.alias or name for name, field in model.model_fields.items()]


def _members(annotation: Any) -> Iterator[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        yield from _members(typing.get_args(annotation)[0])
    elif origin is typing.Union or origin is types.UnionType:
        for arg in typing.get_args(annotation):
            yield from _members(arg)
    else:
        yield annotation


def _model_of(annotation: Any) -> type[BaseModel] | None:
    for member in _members(annotation):
        if isinstance(member, type) and issubclass(member, BaseModel):
            return member
    return None


def _step_into(annotation: Any, part: int | str) -> Any:
    for member in _members(annotation):
        origin = typing.get_origin(member)
        if isinstance(member, type) and issubclass(member, BaseModel):
            for name, field in member.model_fields.items():
                if part in (name, field.alias):
                    return (
                        field.annotation
                        if not field.metadata
                        else typing.Annotated[field.annotation, *field.metadata]
                    )
            continue
        if origin is dict and isinstance(part, str):
            return typing.get_args(member)[1]
        if origin is list and isinstance(part, int):
            return typing.get_args(member)[0]
    # a discriminator tag or union label: choose the member it names
    for member in _members(annotation):
        if isinstance(member, type) and issubclass(member, BaseModel):
            kind = member.model_fields.get("kind")
            if kind is not None and typing.get_args(kind.annotation) == (part,):
                return member
    if part in {"one", "list"}:
        members = list(_members(annotation))
        wanted = [m for m in members if (typing.get_origin(m) is list) == (part == "list")]
        return wanted[0] if wanted else None
    return None
