"""The ``rg`` extension elements of a BPMN export: a reglament's YAML mapping as XML, by one rule
(docs/bpmn.md, "The rg extension elements"), so an importer reads them back without a table per
key.

A mapping is an element named by its key; scalars are attributes, but the free-text keys
(:data:`TEXT_KEYS`) are child elements with the text as content; a list of scalars is one
attribute, space-separated; a list of mappings is an element of ``rg:item`` children. Keys at
their default are left out (the model dumps with ``exclude_defaults``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from xml.etree.ElementTree import Element, SubElement

from pydantic import BaseModel

NAMESPACE = "https://github.com/reglament/reglament/bpmn/1"
PREFIX = "rg"
TEXT_KEYS = frozenset({"kk", "ru", "en", "note", "text", "why"})
LIST_KEYS = frozenset({"translated", "branches", "variants", "channels"})
"""The keys whose value is a list of scalars (one attribute, items separated by a space)."""

ITEM = "item"


def tag(name: str) -> str:
    """The qualified name of ``rg:name`` for ElementTree."""
    return f"{{{NAMESPACE}}}{name}"


def dumped(model: BaseModel, leave_out: Iterable[str] = ()) -> dict[str, Any]:
    """A model as the YAML mapping it was read from (aliases as keys, defaults left out),
    without the keys in ``leave_out``."""
    found: dict[str, Any] = model.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    for key in leave_out:
        found.pop(key, None)
    return found


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def fill(element: Element, mapping: Mapping[str, Any]) -> Element:
    """Write ``mapping`` into ``element`` by the rule: attributes first, then child elements."""
    for key, value in mapping.items():
        if (
            value is None
            or isinstance(value, dict)
            or (key in TEXT_KEYS and isinstance(value, str))
        ):
            continue
        if isinstance(value, list):
            if value and not isinstance(value[0], dict):
                element.set(key, " ".join(_scalar(item) for item in value))
            continue
        element.set(key, _scalar(value))
    for key, value in mapping.items():
        if value is None:
            continue
        if key in TEXT_KEYS and isinstance(value, str):
            SubElement(element, tag(key)).text = value
        elif isinstance(value, dict):
            fill(SubElement(element, tag(key)), value)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            holder = SubElement(element, tag(key))
            for item in value:
                fill(SubElement(holder, tag(ITEM)), item)
    return element


def element(name: str, mapping: Mapping[str, Any], **first: str) -> Element:
    """``rg:name`` holding ``mapping``, with the attributes ``first`` (e.g. ``id``) before it."""
    made = Element(tag(name), first)
    return fill(made, mapping)
