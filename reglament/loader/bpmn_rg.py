"""The ``rg`` extension elements of a BPMN file read back as the reglament's YAML mapping.

The inverse of the export's one encoding rule (docs/bpmn.md, "The rg extension elements";
its namespace and key sets are the export's, ``renderers/bpmn_ext.py``):
attributes are scalars (the keys in ``LIST_KEYS`` a space-separated list), the free-text keys
(``TEXT_KEYS``) holding a string child elements with only their text, an element holding
``rg:item`` children and no attributes a list of mappings, any other child element a mapping
(``text`` of a result or a ground is a text: ``rg:text`` with ``rg:kk`` ... inside). Attribute values are text;
each key gets its field's type from the reglament's models (:func:`typed_keys`): ``value`` a
whole number, ``inferred`` a boolean ...
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from reglament.renderers.bpmn_ext import ITEM, LIST_KEYS, NAMESPACE, TEXT_KEYS
from reglament.schemas import Reglament
from reglament.source.xml_reader import XNode

__all__ = ["RgProblem", "mapping", "typed_keys", "value"]


class RgProblem(ValueError):
    """An ``rg`` value that is not what its key holds (``value="ten"``)."""

    def __init__(self, element: XNode, message: str) -> None:
        super().__init__(message)
        self.element = element


def mapping(element: XNode) -> dict[str, Any]:
    """``element`` (an ``rg:`` element) as the YAML mapping it encodes."""
    found: dict[str, Any] = {}
    kinds = typed_keys()
    for key, text in element.attrib.items():
        if key.startswith("{"):  # a namespaced attribute is not ours
            continue
        found[key] = _typed(element, key, text, kinds.get(key))
    for child in element.children:
        if child.namespace != NAMESPACE:
            continue
        found[child.local] = value(child)
    return found


def value(element: XNode) -> Any:
    """An ``rg:`` child element's value: its text, a list of mappings, or a mapping."""
    ours = [c for c in element.children if c.namespace == NAMESPACE]
    if element.local in TEXT_KEYS and not ours and not element.attrib:
        return element.text  # a free-text key holding a string: exactly its content
    items = [c for c in ours if c.local == ITEM]
    if items and not element.attrib:
        return [mapping(item) for item in items]
    return mapping(element)


def _typed(element: XNode, key: str, text: str, kind: type | None) -> Any:
    if key in LIST_KEYS:
        return text.split()
    if kind is bool:
        if text not in ("true", "false"):
            raise RgProblem(element, f"rg attribute {key}={text!r} must be true or false")
        return text == "true"
    if kind is int:
        if not text.isdigit():
            raise RgProblem(element, f"rg attribute {key}={text!r} must be a whole number")
        return int(text)
    return text


@functools.cache
def typed_keys() -> dict[str, type]:
    """The keys of the reglament's models that hold a boolean or a whole number (the only types
    an attribute's text does not say), by their YAML name."""
    kinds: dict[str, type] = {}
    seen: set[type[BaseModel]] = set()

    def walk(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        for name, info in model.model_fields.items():
            for member in _members(info.annotation):
                if isinstance(member, type) and issubclass(member, BaseModel):
                    walk(member)
                elif member in (bool, int):
                    kinds[info.alias or name] = member

    walk(Reglament)
    return kinds


def _members(annotation: Any) -> Iterator[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        yield from _members(typing.get_args(annotation)[0])
    elif origin in (typing.Union, types.UnionType, list, tuple, dict):
        for argument in typing.get_args(annotation):
            yield from _members(argument)
    else:
        yield annotation
