"""``reglament import-bpmn``: a BPMN 2.0 file → a reglament skeleton in YAML.

Reading (:mod:`reglament.source.xml_reader`: the safe parser) → the process graph, every
reference checked (:mod:`reglament.loader.bpmn_read`) → the reglament's data, the places the act
must fill marked (:mod:`reglament.loader.bpmn_map`, :mod:`reglament.loader.bpmn_steps`) → YAML
text (:mod:`reglament.source.yaml_writer`). The skeleton is the format's own: once each marked
place is filled (the act, its seed lines, the provider, the results, each step's time ...) it
validates, and until then ``reglament validate`` names each place at its line and column.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from reglament.errors import DefinitionError, Problem, UsageError
from reglament.loader import bpmn_rg, bpmn_steps
from reglament.loader.bpmn_map import Mapper, Skeleton, order
from reglament.loader.bpmn_read import BpmnRefused, extension, name_of, read
from reglament.renderers.bpmn_ext import NAMESPACE
from reglament.source import xml_reader
from reglament.source.xml_reader import XmlProblem
from reglament.source.yaml_writer import Fill, dump

_ID = r"^[a-z0-9][a-z0-9-]*$"


def import_bpmn(path: Path, reglament_id: str, region: str, words: str | None = None) -> Skeleton:
    """The skeleton of the process drawn in ``path``. ``words``: the language of the drawn
    names (kk, ru or en; default: told by their letters). An unreadable path is a
    :class:`UsageError`; a file that is not XML, not BPMN or refers to elements it lacks a
    :class:`DefinitionError` with every problem."""
    region = region.lower()  # a region, case aside, as in every command
    _check_id(reglament_id, "id")
    _check_id(region, "region")
    try:
        root = xml_reader.read(path, str(path), what="a BPMN file")
    except XmlProblem as problem:
        if problem.usage:
            raise UsageError(str(problem.problem)) from None
        raise DefinitionError([problem.problem]) from None
    try:
        graph = read(root)
        mapper = Mapper(graph, words)
        return Skeleton(_reglament(mapper, reglament_id, region), mapper.left_out)
    except BpmnRefused as refused:
        raise DefinitionError(refused.problems) from None
    except bpmn_rg.RgProblem as problem:
        raise DefinitionError(
            [Problem(problem.element.position, str(problem), code="rg")]
        ) from None


def text(skeleton: Skeleton, source: str) -> str:
    """The skeleton as YAML, headed by what it came from and how to finish it."""
    header = [
        f"A reglament skeleton imported from {source} by reglament import-bpmn.",
        "Fill in each place marked TO FILL from the act (reglament validate lists them), then",
        "check the routes, names and ids against it.",
    ]
    return dump(skeleton.data, header)


def _check_id(value: str, what: str) -> None:
    if not re.match(_ID, value) or len(value) > 80:
        raise UsageError(
            f"{what} {value!r} is not a valid id (lower-case letters a-z, digits and '-')"
        )


def _reglament(mapper: Mapper, reglament_id: str, region: str) -> dict[str, Any]:
    top = _top(mapper)
    steps = bpmn_steps.steps(mapper)
    channels = bpmn_steps.channels(mapper)
    starts = [c["start"] for c in channels.values() if isinstance(c.get("start"), str)]
    data: dict[str, Any] = {
        "format": 1,
        "id": reglament_id,
        "region": region,
        "timezone": _zone(region),
        "title": top.get("title") or _title(mapper),
        "source": {
            "act": Fill(
                "the act: {issuer: {kk: ...}, kind: {kk: қаулы}, number: ..., date: YYYY-MM-DD, title: {kk: ...}}"
            ),
            "seed": Fill("the seed file the reglament is encoded from"),
            "lines": Fill("the line range of the reglament in the seed file, e.g. 52-183"),
        },
        "effective": {
            "from": top.get("from") or Fill("the first day the act is in force, YYYY-MM-DD")
        },
        "provider": Fill("who provides the service: {kk: ..., ru: ...}"),
        "results": Fill(_results_hint(steps)),
    }
    declared = _declared(steps, channels)
    data.update(declared)
    data["actors"] = bpmn_steps.actors(mapper) or Fill(
        "who does the steps: {id: {name: {kk: ...}}}; the drawing has no lanes"
    )
    data["channels"] = channels or Fill(
        "where applications are accepted: {id: {kind: office, name: ..., start: STEP}}; the drawing has no start event"
    )
    if top.get("terms"):
        data["terms"] = top["terms"]
    # an export keeps the reglament's own order of steps; a drawing's is the reader's
    data["steps"] = (steps if top else order(steps, starts)) or Fill("the procedure's steps")
    return data


def _top(mapper: Mapper) -> dict[str, Any]:
    """The export's ``rg:reglament``: title, first day, terms (empty for a drawing)."""
    ext = extension(mapper.graph.process, NAMESPACE, "reglament")
    return bpmn_rg.mapping(ext) if ext is not None else {}


def _title(mapper: Mapper) -> Any:
    for element in (mapper.graph.participant, mapper.graph.process):
        if element is not None and name_of(element):
            return mapper.text(name_of(element))
    return Fill("the service's name: {kk: ..., ru: ..., en: ...}")


def _zone(region: str) -> Any:
    from reglament.calendar.clock import REGION_ZONES

    return REGION_ZONES.get(region) or Fill("the region's IANA time zone, e.g. Asia/Almaty")


def _results_hint(steps: dict[str, Any]) -> str:
    named = sorted({s["result"] for s in steps.values() if isinstance(s.get("result"), str)})
    hint = "what the applicant receives: {id: {kind: certificate, text: {kk: ...}}}"
    return f"{hint}; the ends name {', '.join(named)}" if named else hint


def _declared(steps: dict[str, Any], channels: dict[str, Any]) -> dict[str, Any]:
    """The case data and variants the imported conditions read, each with its type to fill."""
    from reglament.schemas import expr

    names: set[str] = set()
    variants: set[str] = set()
    choices: dict[str, set[str]] = {}
    for condition in _conditions({"steps": steps, "channels": channels}):
        try:
            parsed = expr.parse(condition)
        except expr.ExprError:
            continue
        names |= parsed.names
        for name, constant in parsed.compared:
            (variants if name == "variant" else choices.setdefault(name, set())).add(constant)
    found: dict[str, Any] = {}
    fields = sorted(names - {"variant", "channel"})
    if fields:
        found["data"] = {name: {"type": Fill(_type_hint(choices.get(name)))} for name in fields}
    if variants:
        found["variants"] = {v: {"name": Fill("the variant's name")} for v in sorted(variants)}
    return found


def _type_hint(values: set[str] | None) -> str:
    hint = "bool, int, str, date or choice"
    if values:
        hint += f" (compared with {', '.join(sorted(values))}: choice with values: [...])"
    return hint


def _conditions(value: object) -> list[str]:
    if isinstance(value, dict):
        found = [v for k, v in value.items() if k == "when" and isinstance(v, str)]
        for item in value.values():
            found.extend(_conditions(item))
        return found
    if isinstance(value, list):
        return [c for item in value for c in _conditions(item)]
    return []
