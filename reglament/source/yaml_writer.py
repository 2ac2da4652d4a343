"""Plain data → YAML text in the bundled files' style, with the places still to fill marked.

The mirror of :mod:`reglament.source.yaml_reader` for the few commands that write a definition
(``import-bpmn``): mappings in their own order, short mappings and lists of scalars in flow style
(``name: {en: clerk}``), text always double-quoted (a JSON string is a YAML double-quoted
scalar, so no value can be read back as anything else: ``no``, ``12:30``, ``#``), ids and words
plain. A :class:`Fill` is an empty place: written ``null`` with a comment saying what goes there,
on a line of its own, so ``reglament validate`` reports it at its own line and column.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

_PLAIN = re.compile(r"^[a-z][a-z0-9_-]*$")
_RESERVED = frozenset({"true", "false", "null", "yes", "no", "on", "off", "y", "n", "nan", "inf"})
_FLOW_WIDTH = 100
_INDENT = "  "


@dataclass(frozen=True, slots=True)
class Fill:
    """A value the analyst fills in from the act: ``hint`` says what (written as a comment)."""

    hint: str


def dump(data: Mapping[str, object], header: Sequence[str] = ()) -> str:
    """The YAML text of ``data``, after the ``header`` comment lines."""
    lines = [f"# {line}".rstrip() for line in header]
    _mapping(data, 0, lines)
    return "\n".join(lines) + "\n"


def scalar(value: object) -> str:
    """One scalar as YAML: ids and words plain, text double-quoted, numbers and booleans bare."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if _PLAIN.match(text) and text not in _RESERVED:
        return text
    return json.dumps(text, ensure_ascii=False)


def _key(key: str) -> str:
    return scalar(key)


def _has_fill(value: object) -> bool:
    if isinstance(value, Fill):
        return True
    if isinstance(value, Mapping):
        return any(_has_fill(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_has_fill(item) for item in value)
    return False


def _flow(value: object) -> str | None:
    """``value`` in flow style when it is short and holds no place to fill, else None."""
    if _has_fill(value):
        return None
    if isinstance(value, Mapping):
        parts = {str(key): _flow(item) for key, item in value.items()}
        if any(part is None for part in parts.values()):
            return None
        text = "{" + ", ".join(f"{_key(key)}: {part}" for key, part in parts.items()) + "}"
    elif isinstance(value, list | tuple):
        items = [_flow(item) for item in value]
        if any(item is None for item in items):
            return None
        text = "[" + ", ".join(str(item) for item in items) + "]"
    else:
        return scalar(value)
    return text if len(text) <= _FLOW_WIDTH else None


def _mapping(data: Mapping[str, object], depth: int, lines: list[str]) -> None:
    pad = _INDENT * depth
    for key, value in data.items():
        _entry(f"{pad}{_key(key)}:", value, depth, lines)


def _entry(head: str, value: object, depth: int, lines: list[str]) -> None:
    """``head`` (``key:`` or ``-``) followed by ``value``, inline or on the lines below."""
    if isinstance(value, Fill):
        lines.append(f"{head} null  # TO FILL: {value.hint}")
        return
    if not isinstance(value, Mapping | list | tuple):
        lines.append(f"{head} {scalar(value)}")
        return
    flow = _flow(value)
    if flow is not None:
        lines.append(f"{head} {flow}")
    elif isinstance(value, Mapping):
        lines.append(head)
        _mapping(value, depth + 1, lines)
    else:
        lines.append(head)
        for item in value:
            _item(item, depth + 1, lines)


def _item(item: object, depth: int, lines: list[str]) -> None:
    """One list entry: ``- value``, a mapping's first key on the dash's line."""
    pad = _INDENT * depth
    if isinstance(item, Mapping) and item and _flow(item) is None:
        first = True
        for key, value in item.items():
            head = f"{pad}- {_key(key)}:" if first else f"{pad}  {_key(key)}:"
            _entry(head, value, depth + 1, lines)
            first = False
        return
    _entry(f"{pad}-", item, depth, lines)


__all__ = ["Fill", "dump", "scalar"]
