"""/v1/reglaments: the library's reglaments (``list``, ``show``, ``diagram``, ``simulate``,
``audit``) and the validation of an uploaded YAML (``validate``), each answering the JSON the
command line prints with ``--format json``."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from reglament.errors import DefinitionError, UsageError
from reglament.loader import Chosen, Library, Loaded, load_file
from reglament.names import Language
from reglament.schemas.timeline import TimelineJSON
from reglament.service import rendered
from reglament.service.api.bodies import Listed
from reglament.service.api.common import day, described, instant
from reglament.service.auth import Action, may
from reglament.service.context import Service, serving
from reglament.service.rendered import Body, Key
from reglament.store.tokens import Principal

router = APIRouter(prefix="/reglaments", tags=["reglaments"])
Reader = Annotated[Principal, Depends(may(Action.read_reglaments))]
Auditor = Annotated[Principal, Depends(may(Action.audit_reglaments))]
Running = Annotated[Service, Depends(serving)]
Ref = Annotated[str, Field(max_length=300)]
Region = Annotated[str | None, Query(max_length=100, description="The region, case aside.")]
On = Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD: the version then.")]
JSON = "application/json"
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/plain")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.ya?ml")


def _chosen(library: Library, ref: str, region: str | None, on: str | None) -> Chosen:
    return library.choose(ref, region, day(on, "on") if on else None)


@router.get("", operation_id="listReglaments", **described(Action.read_reglaments))
def list_reglaments(_: Reader, running: Running) -> list[Listed]:
    """Every reglament of the library, by region and act (``reglament list``)."""
    from reglament.reports import describe

    found: list[dict[str, Any]] = json.loads(describe.library_json(running.library))
    return [Listed.model_validate(entry) for entry in found]


IfNoneMatch = Annotated[
    str | None,
    Header(
        alias="If-None-Match",
        max_length=1000,
        description="ETags read: 304 Not Modified, with no body, while one is the body's.",
    ),
]
_ETAG_HEADER = {
    "ETag": {
        "description": "The body's strong entity tag (docs/service.md, Conditional reads).",
        "required": True,
        "schema": {"type": "string"},
    }
}


def conditional(documented: dict[str, Any]) -> dict[str, Any]:
    """An operation's decorator keywords (``described``'s) with a conditional read's: the 200's
    ``ETag`` and the 304 answered to an ``If-None-Match`` that names it."""
    responses = documented["responses"]
    responses[200] = {"description": "Successful Response", **responses.get(200, {})}
    responses[200]["headers"] = _ETAG_HEADER
    responses[304] = {
        "description": "Not Modified: If-None-Match names the body's ETag; no body.",
        "headers": _ETAG_HEADER,
    }
    return documented


async def _body(running: Service, of: Key, draw: Callable[[], tuple[bytes, str]]) -> Body:
    """The body kept under ``of``, else drawn in the heavy lane (``draw``) and kept."""
    found = running.rendered.get(of)
    return (
        found if found is not None else await running.lanes.heavy(running.rendered.body, of, draw)
    )


def _answer(body: Body, if_none_match: str | None) -> Response:
    """``body`` with its ``ETag``; 304 with no body when ``If-None-Match`` names it."""
    headers = {"ETag": body.etag}
    if rendered.matches(if_none_match, body.etag):
        return Response(status_code=304, headers=headers)
    return Response(body.content, media_type=body.media_type, headers=headers)


@router.get(
    "/{ref}",
    operation_id="showReglament",
    response_model=dict[str, Any],
    **conditional(described(Action.read_reglaments)),
)
async def show_reglament(
    ref: Ref,
    _: Reader,
    running: Running,
    region: Region = None,
    on: On = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """One reglament version as its file says it (``reglament show --format json``); its
    ``ETag`` answers a matching ``If-None-Match`` with 304."""
    chosen = _chosen(running.library, ref, region, on)
    body = await _body(running, rendered.key("show", chosen), lambda: _shown(chosen))
    return _answer(body, if_none_match)


def _shown(chosen: Chosen) -> tuple[bytes, str]:
    """``reglament show --format json``'s document, as compact as FastAPI writes JSON."""
    from reglament.reports import describe

    shown = json.loads(describe.reglament_json(chosen.loaded))
    return json.dumps(shown, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), JSON


DiagramFormat = Literal["mermaid", "dot", "svg", "bpmn"]
DIAGRAM_TYPES: dict[str, str] = {
    "mermaid": "text/plain; charset=utf-8",
    "dot": "text/plain; charset=utf-8",
    "svg": "image/svg+xml",
    "bpmn": "application/xml",
}
_DIAGRAMS = {
    "text/plain": {"schema": {"type": "string"}},
    "image/svg+xml": {"schema": {"type": "string"}},
    "application/xml": {"schema": {"type": "string"}},
}
_NO_GRAPHVIZ = "svg and bpmn: Graphviz's dot is not installed on the server."


@router.get(
    "/{ref}/diagram",
    operation_id="reglamentDiagram",
    response_class=Response,
    **conditional(
        described(
            Action.read_reglaments,
            503,
            ok={"description": "The diagram: Mermaid, dot, SVG or BPMN.", "content": _DIAGRAMS},
            why={503: _NO_GRAPHVIZ},
        )
    ),
)
async def diagram(
    ref: Ref,
    _: Reader,
    running: Running,
    region: Region = None,
    on: On = None,
    kind: Annotated[
        DiagramFormat, Query(alias="format", description="mermaid, dot, svg or bpmn")
    ] = "mermaid",
    channel: Annotated[str | None, Query(max_length=100)] = None,
    lang: Language = Language.en,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """The flow (``reglament diagram -f``): Mermaid (default) or Graphviz dot text, SVG drawn
    by Graphviz, or BPMN 2.0 XML laid out by it; without Graphviz the last two are 503. Its
    ``ETag`` answers a matching ``If-None-Match`` with 304."""
    chosen = _chosen(running.library, ref, region, on)
    of = rendered.key("diagram", chosen, kind, lang.value, *([] if channel is None else [channel]))
    body = await _body(running, of, lambda: _drawn(chosen, kind, channel, lang))
    return _answer(body, if_none_match)


def _drawn(
    chosen: Chosen, kind: DiagramFormat, channel: str | None, lang: Language
) -> tuple[bytes, str]:
    from reglament.renderers import diagrams

    return diagrams.draw(chosen.reglament, kind, channel, lang), DIAGRAM_TYPES[kind]


class Simulation(BaseModel):
    """One case to simulate (``reglament simulate``'s options)."""

    model_config = ConfigDict(extra="forbid")
    region: str | None = Field(None, max_length=100)
    on: str | None = Field(None, max_length=10, description="YYYY-MM-DD: the version then.")
    submitted: str | None = Field(
        None, max_length=40, description="The instant, with its offset (default: 10:00)."
    )
    channel: str | None = Field(None, max_length=100)
    variant: str | None = Field(None, max_length=100)
    data: dict[str, str] = Field(default_factory=dict, max_length=100)
    answers: dict[str, str] = Field(
        default_factory=dict, max_length=200, description="STEP: outcome"
    )
    actuals: dict[str, str] = Field(
        default_factory=dict, max_length=200, description="STEP: duration taken"
    )
    outside_period: bool = False


@router.post(
    "/{ref}/simulate", operation_id="simulateReglament", **described(Action.read_reglaments, 400)
)
def simulate(ref: Ref, given: Simulation, _: Reader, running: Running) -> TimelineJSON:
    """One case end to end on a virtual clock: its timeline (``simulate --format json``)."""
    from reglament.engine import Engine, choose_case, parse_data
    from reglament.engine.simulate import parse_actual
    from reglament.engine.simulate import simulate as simulate_case
    from reglament.renderers import timeline

    submitted = instant(given.submitted, "submitted") if given.submitted else None
    chosen = running.library.choose(
        ref,
        given.region,
        day(given.on, "on") if given.on else None,
        default_on=submitted.date() if submitted else None,
    )
    engine = Engine(chosen.reglament)
    data = parse_data(chosen.reglament, given.data)
    case = choose_case(
        engine,
        on=chosen.on,
        submitted_at=submitted,
        channel=given.channel,
        variant=given.variant,
        data=data,
    )
    actuals = {}
    for step, text in given.actuals.items():
        try:
            actuals[step] = parse_actual(text)
        except UsageError as error:
            raise UsageError(f"actuals {step}: {error}") from None
    result = simulate_case(
        engine,
        case.submitted_at,
        case.channel,
        case.variant,
        case.data,
        given.answers,
        actuals,
        outside_period=given.outside_period,
    )
    parts = [f"chosen as {chosen.why}", f"file {chosen.loaded.display}"]
    if "variant" in case.defaulted and case.variant:
        parts.append(f"variant {case.variant} by default")
    note = f" ({'; '.join(parts)})"  # the header simulate's table and JSON give
    return timeline.as_dict(result, note)


@router.get("/{ref}/audit", operation_id="auditReglament", **described(Action.audit_reglaments))
async def audit(
    ref: Ref, _: Auditor, running: Running, region: Region = None, on: On = None
) -> dict[str, Any]:
    """One version's audit: term compliance over every submission minute of its year, what
    the act leaves open or contradicts (``reglament audit --format json`` for its file)."""
    # in the heavy lane (lanes.py): the first audit of a file takes a tenth of a second or more
    return await running.lanes.heavy(_audited, _chosen(running.library, ref, region, on).loaded)


_AUDITS: dict[tuple[Path, str], dict[str, Any]] = {}


def _audited(loaded: Loaded) -> dict[str, Any]:
    """A file's audit, made once: a served library's files do not change."""
    from reglament.audit.report import AuditReport, audit_file
    from reglament.reports import audit as audit_report

    key = (loaded.path, loaded.display)
    if key not in _AUDITS:
        _AUDITS[key] = audit_report.as_dict(AuditReport((audit_file(loaded),), ()))
    return _AUDITS[key]


@router.post(
    "/validate",
    operation_id="validateReglament",
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "The YAML file, as the request body (at most 4 MiB).",
            "content": {kind: {"schema": {"type": "string"}} for kind in YAML_TYPES},
        },
        "x-reglament-action": Action.read_reglaments.value,
        "x-reglament-roles": described(Action.read_reglaments)["openapi_extra"][
            "x-reglament-roles"
        ],
    },
    responses=described(Action.read_reglaments, 413)["responses"],
)
async def validate(
    request: Request,
    _: Reader,
    running: Running,
    name: Annotated[str, Query(max_length=104, description="The file's name.")] = "upload.yaml",
) -> dict[str, Any]:
    """Validate an uploaded YAML definition (``reglament validate --format json``): a valid
    one answers its report; an invalid one is a 422 problem listing each problem with its
    line and column."""
    from reglament.reports import validation

    if not _NAME.fullmatch(name):
        raise UsageError(f"name {name!r}: expected a file name like my-service.yaml")
    library = await running.lanes.heavy(_uploaded, await request.body(), name)
    if not library.ok:
        raise DefinitionError(library.all_problems())
    checked: dict[str, Any] = json.loads(validation.as_json(library))
    return checked


def _uploaded(body: bytes, name: str) -> Library:
    """The upload loaded as a file of its own folder (its ``extends`` reaches nothing else)."""
    with tempfile.TemporaryDirectory(prefix="reglament-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(body)
        return Library(files=[load_file(path, display=name)])
