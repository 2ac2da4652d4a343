"""/v1/cases: start a case; list, show, its history, its audit; complete a step, suspend,
resume, set data. Each answers the JSON of the matching ``reglament cases ... --format json``
(the store's functions make it).

Writes: ``ETag`` is the case's revision (``"3"``); ``If-Match: "3"`` makes a write apply only
to that revision (412 otherwise); without ``If-Match`` (or with ``*``) it applies to the case as
it is, whose moves the engine still checks (409 for one not possible now). ``Idempotency-Key``
makes a repeated request apply once: the repeat answers the first answer, with
``Idempotent-Replayed: true``. Who, the request id and the key go into the case's events."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from reglament.service.api.answers import answer
from reglament.service.api.bodies import History, Shown, Summary, Written
from reglament.service.api.common import described, instant
from reglament.service.auth import Action, in_region, may, refusal
from reglament.service.context import Service, serving
from reglament.service.problems import forbidden
from reglament.store import Request as StoreRequest
from reglament.store import Who
from reglament.store import Written as Answer
from reglament.store.tokens import Principal

router = APIRouter(prefix="/cases", tags=["cases"])
Running = Annotated[Service, Depends(serving)]
CaseRef = Annotated[str, Path(max_length=200, description="A case id or receipt number.")]
At = Annotated[
    str | None,
    Query(max_length=40, description="The instant to look at, with its offset (default: now)."),
]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=100,
        description='The ETag read ("3"): the write applies only to that revision (else 412).',
    ),
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="The same key again applies the request once.",
    ),
]
_ETAG = re.compile(r'\s*(?:W/)?"?(\d{1,9})"?\s*')


def etag(revision: int) -> str:
    return f'"{revision}"'


def _revision(if_match: str | None) -> int | None:
    """The revision ``If-Match`` names (``None``: absent or ``*``); one that names none
    matches no revision, so the write is refused as stale (RFC 9110)."""
    if if_match is None or if_match.strip() == "*":
        return None
    found = _ETAG.fullmatch(if_match)
    return int(found.group(1)) if found else -1


def _request(
    who: Principal, request: Request, key: str | None, revision: int | None, comment: str | None
) -> StoreRequest:
    return StoreRequest(Who(who.name, who.role), comment, key, revision, request.state.request_id)


def _answer(written: Answer, status: int = 200, **headers: str) -> Response:
    """A write's answer: its body (``Written``), ``ETag`` its new revision, and
    ``Idempotent-Replayed`` when it repeats a first answer."""
    headers["ETag"] = etag(written.response["revision"])
    if written.repeated:
        headers["Idempotent-Replayed"] = "true"
    return answer(Written, written.response, status, headers)


def _region_of(running: Service, ref: str) -> str:
    return running.store.engine_of(ref).reglament.region


# -- start ----------------------------------------------------------------------------------------


class Start(BaseModel):
    """A case to start (``reglament cases start``'s options)."""

    model_config = ConfigDict(extra="forbid")
    reglament: str = Field(max_length=300, description="ID, ID@REGION or ID@REGION@DATE.")
    submitted: str = Field(max_length=40, description="The submission instant, with offset.")
    channel: str | None = Field(None, max_length=100)
    variant: str | None = Field(None, max_length=100)
    data: dict[str, str] = Field(default_factory=dict, max_length=100)
    language: str = Field("kk", pattern="^(kk|ru|en)$")
    contact: dict[str, str] = Field(default_factory=dict, max_length=10)
    receipt: str | None = Field(None, max_length=200)
    case_id: str | None = Field(None, max_length=200)
    comment: str | None = Field(None, max_length=2000)


@router.post(
    "",
    operation_id="startCase",
    status_code=201,
    response_model=Written,
    **described(Action.write_cases, 400, 409, 413),
)
def start_case(
    given: Start,
    request: Request,
    running: Running,
    who: Annotated[Principal, Depends(may(Action.write_cases))],
    key: IdempotencyKey = None,
) -> Response:
    """Start a case and store it at revision 1 (``reglament cases start``)."""
    from reglament.engine import choose_case, parse_data

    submitted = instant(given.submitted, "submitted")
    chosen = running.library.choose(given.reglament, default_on=submitted.date())
    reglament = chosen.reglament
    in_region(who, reglament.region, Action.write_cases, f"{reglament.id}@{reglament.region}")
    cases = running.store
    engine = cases.engine(reglament.id, reglament.region, reglament.effective.from_.isoformat())
    data = parse_data(reglament, given.data)
    choice = choose_case(
        engine,
        submitted_at=submitted,
        channel=given.channel,
        variant=given.variant,
        data=data,
    )
    written = cases.start(
        reglament,
        submitted,
        choice.channel,
        choice.variant,
        data,
        request=_request(who, request, key, None, given.comment),
        language=given.language,
        contact=given.contact,
        case_id=given.case_id,
        receipt=given.receipt,
    )
    return _answer(written, 201, Location=f"/v1/cases/{written.response['case']}")


# -- reading --------------------------------------------------------------------------------------


@router.get(
    "", operation_id="listCases", response_model=list[Summary], **described(Action.read_cases)
)
def list_cases(
    running: Running,
    who: Annotated[Principal, Depends(may(Action.read_cases))],
    overdue: Annotated[
        bool, Query(description="Only cases overdue (a head's, an auditor's).")
    ] = False,
    at_risk: Annotated[
        bool, Query(description="Only terms at risk (a head's, an auditor's).")
    ] = False,
    at: At = None,
    region: Annotated[str | None, Query(max_length=100)] = None,
    reglament: Annotated[str | None, Query(max_length=200)] = None,
    receipt: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """The token's region's cases that match every filter (``reglament cases list``)."""
    if (overdue or at_risk) and who.role not in ("head", "auditor"):
        raise forbidden(f"a {who.role}'s token may not see the overdue and at-risk reports")
    if region is not None and region.casefold() != who.region:
        raise forbidden(f"region {region}: this token's region is {who.region}")
    found = running.store.cases(
        instant(at, "at") if at else running.now(),
        overdue=overdue,
        at_risk=at_risk,
        region=who.region,
        reglament=reglament,
        receipt=receipt,
        limit=limit,
    )
    return answer(list[Summary], found)


def _shown(running: Service, who: Principal, case: str, at: str | None) -> dict[str, Any]:
    shown = running.store.show(case, instant(at, "at") if at else running.now())
    in_region(who, shown["region"], Action.read_cases, case)
    return shown


@router.get(
    "/{case}", operation_id="getCase", response_model=Shown, **described(Action.read_cases, 404)
)
def get_case(
    case: CaseRef,
    running: Running,
    who: Annotated[Principal, Depends(may(Action.read_cases))],
    at: At = None,
) -> Response:
    """The case as of ``at``: its steps under way and their due instants, the term, and its
    history (``reglament cases show``); ``ETag`` is its revision."""
    shown = _shown(running, who, case, at)
    return answer(Shown, shown, headers={"ETag": etag(shown["revision"])})


@router.get(
    "/{case}/history",
    operation_id="caseHistory",
    response_model=History,
    **described(Action.read_cases, 404),
)
def case_history(
    case: CaseRef,
    running: Running,
    who: Annotated[Principal, Depends(may(Action.read_cases))],
) -> Response:
    """Every event of the case, oldest first: who did what, when, by which request."""
    shown = _shown(running, who, case, None)
    events = {k: shown[k] for k in ("case", "receipt", "revision", "events")}
    return answer(History, events, headers={"ETag": etag(shown["revision"])})


@router.get("/{case}/audit", operation_id="auditCase", **described(Action.audit_cases, 404))
async def audit_case(
    case: CaseRef,
    running: Running,
    who: Annotated[Principal, Depends(may(Action.audit_cases))],
    at: At = None,
) -> dict[str, Any]:
    """The case re-audited against its own version (``reglament cases audit``)."""
    # in the heavy lane (lanes.py): a replay of the case's whole history
    return await running.lanes.heavy(_audited, running, who, case, at)


def _audited(running: Service, who: Principal, case: str, at: str | None) -> dict[str, Any]:
    in_region(who, _region_of(running, case), Action.audit_cases, case)
    found: dict[str, Any] = running.store.audit(case, instant(at, "at") if at else None).to_dict()
    return found


# -- the moves ------------------------------------------------------------------------------------


class _Move(BaseModel):
    model_config = ConfigDict(extra="forbid")
    at: str | None = Field(
        None, max_length=40, description="When it happened, with its offset (default: now)."
    )
    comment: str | None = Field(None, max_length=2000)


class Complete(_Move):
    """A step done (``reglament cases complete``)."""

    step: str = Field(max_length=200)
    outcome: str | None = Field(None, max_length=200, description="A decision's, a wait's.")


class Suspend(_Move):
    """The legal term stopped (``reglament cases suspend``)."""

    reason: str = Field(min_length=1, max_length=2000)


class Resume(_Move):
    """The legal term running again (``reglament cases resume``)."""


class SetData(_Move):
    """Case data learnt (``reglament cases data``)."""

    values: dict[str, str] = Field(min_length=1, max_length=100)


WRITES = {"response_model": Written, **described(Action.write_cases, 400, 404, 409, 412, 413)}


class _Write:
    """What a move's operation checks before it writes: the role, the region, the revision."""

    def __init__(
        self,
        case: CaseRef,
        request: Request,
        running: Running,
        who: Annotated[Principal, Depends(may(Action.write_cases))],
        if_match: IfMatch = None,
        key: IdempotencyKey = None,
    ) -> None:
        in_region(who, _region_of(running, case), Action.write_cases, case)
        self.case, self.running, self.who = case, running, who
        self.http, self.revision, self.key = request, _revision(if_match), key

    def at(self, given: _Move) -> Any:
        return instant(given.at, "at") if given.at else self.running.now()

    def request(self, given: _Move) -> StoreRequest:
        return _request(self.who, self.http, self.key, self.revision, given.comment)


Write = Annotated[_Write, Depends()]


@router.post("/{case}/complete", operation_id="completeStep", **WRITES)
def complete_step(given: Complete, write: Write) -> Response:
    """Record that a step of the case was done. A clerk records only steps of their actor,
    never a decision; a head any step."""
    _may_complete(write, given.step)
    written = write.running.store.complete(
        write.case, given.step, write.at(given), given.outcome, write.request(given)
    )
    return _answer(written)


def _may_complete(write: _Write, step: str) -> None:
    found = write.running.store.engine_of(write.case).reglament.steps.get(step)
    if found is None:  # the store names the steps under way
        return
    why = refusal(write.who, step, found)
    if why is not None:
        raise forbidden(why)


@router.post("/{case}/suspend", operation_id="suspendCase", **WRITES)
def suspend_case(given: Suspend, write: Write) -> Response:
    """Stop the case's legal term (e.g. documents asked of the applicant)."""
    written = write.running.store.suspend(
        write.case, write.at(given), given.reason, write.request(given)
    )
    return _answer(written)


@router.post("/{case}/resume", operation_id="resumeCase", **WRITES)
def resume_case(given: Resume, write: Write) -> Response:
    """Let the case's legal term run again."""
    written = write.running.store.resume(write.case, write.at(given), write.request(given))
    return _answer(written)


@router.post("/{case}/data", operation_id="setCaseData", **WRITES)
def set_case_data(given: SetData, write: Write) -> Response:
    """Record case data learnt; conditions read it from then on."""
    from reglament.engine import parse_data

    reglament = write.running.store.engine_of(write.case).reglament
    values = parse_data(reglament, given.values)
    written = write.running.store.set_data(
        write.case, values, write.at(given), write.request(given)
    )
    return _answer(written)
