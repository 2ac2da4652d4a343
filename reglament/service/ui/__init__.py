"""The office page at ``/ui``: sign-in with a token, the region's inbox, a case, a reglament
(docs/service.md, "The office page").

Server-rendered HTML with plain forms, no script: each page's view-model is built by
``views.py`` and written by ``reglament/renderers/office.py``. The session is a signed HttpOnly
cookie, every form carries the session's CSRF token (``session.py``). Who may do what is the
API's rule (``reglament/service/auth.py``): the same roles and region, a case of another region
not found for a read and refused for a write; a completion goes through the same store call as
the API's, with who = the token's name and role and the request's id, so it is in the case's
audit trail. The pages are left out of the OpenAPI document (they are not the API)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from reglament.errors import NotFoundError, ReglamentError
from reglament.renderers import diagrams, office
from reglament.renderers.office_text import words
from reglament.schemas import Language, Reglament, Step
from reglament.service import problems
from reglament.service.auth import GRANTED, Action, in_region, refusal
from reglament.service.context import Service, service
from reglament.service.ui import session as sessions
from reglament.service.ui import views
from reglament.store import Request as StoreRequest
from reglament.store import Who
from reglament.store import tokens as token_store
from reglament.store.tokens import Principal

router = APIRouter(prefix="/ui", include_in_schema=False)
LANGUAGE_COOKIE = "reglament_lang"
_HEADERS = {  # no script, no frame, nothing from elsewhere, nothing kept in a cache
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
Csrf = Annotated[str | None, Form()]
_R = TypeVar("_R", bound=Response)


class _Page:
    """One request's view of the office page: its service, language, session and principal."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.service: Service = service(request)
        self.now = self.service.now()
        self.key = _key(request)
        self.language = _language(request)
        cookie = request.cookies.get(sessions.COOKIE)
        self.loaded = sessions.load(cookie, self.key, self.now)
        self.session = self.loaded or sessions.fresh(self.now)
        self.principal = _principal(self.service, self.session)

    def render(
        self,
        page: str,
        view: dict[str, Any],
        status: int = 200,
        notice: dict[str, str] | None = None,
    ) -> HTMLResponse:
        principal = self.principal
        chrome = {
            "language": self.language.value,
            "principal": None
            if principal is None
            else {"name": principal.name, "role": principal.role, "region": principal.region},
            "csrf": self.session.csrf,
            "notice": notice,
            "here": self.request.url.path,
        }
        return self.keep(HTMLResponse(office.render(page, view, chrome), status, _HEADERS))

    def keep(self, response: _R) -> _R:
        """``response`` with the session's cookie (when it changed) and the language's."""
        if self.session != self.loaded:
            response.set_cookie(
                sessions.COOKIE,
                sessions.dump(self.session, self.key),
                max_age=int(sessions.LIFETIME.total_seconds()),
                path="/ui",
                httponly=True,
                samesite="lax",
                secure=self.request.url.scheme == "https",
            )
        if self.request.query_params.get("lang") == self.language.value:
            response.set_cookie(
                LANGUAGE_COOKIE,
                self.language.value,
                max_age=365 * 86400,
                path="/ui",
                samesite="lax",
            )
        return response

    def problem(self, error: ReglamentError | problems.ServiceError) -> HTMLResponse:
        """The page of an error: its status (the API's, ``problems.KINDS``), a heading in the
        user's language, the error's own message."""
        status, _ = _status(error)
        key = {403: "forbidden", 404: "not_found"}.get(status, "problem")
        view = {"title": _word(self.language, key), "detail": str(error)}
        return self.render("problem", view, status)

    def refused(self) -> HTMLResponse:
        """A form without its session's CSRF token (the session itself stays)."""
        view = {
            "title": _word(self.language, "forbidden"),
            "detail": _word(self.language, "form_refused"),
        }
        return self.render("problem", view, 403)

    def redirect(self, to: str) -> Response:
        return self.keep(RedirectResponse(to, 303, _HEADERS))


# -- signing in and out --------------------------------------------------------------------------


@router.get("")
@router.get("/")
def home(request: Request) -> Response:
    page = _Page(request)
    return page.redirect("/ui/inbox" if page.principal else "/ui/sign-in")


@router.get("/sign-in")
def sign_in_form(request: Request) -> Response:
    return _Page(request).render("sign_in", {})


@router.post("/sign-in")
def sign_in(
    request: Request, token: Annotated[str, Form(max_length=400)] = "", csrf: Csrf = None
) -> Response:
    page = _Page(request)
    if not sessions.csrf_ok(page.loaded, csrf):
        return page.refused()
    found = token_store.verify(page.service.store.db, token.strip())
    if found is None:
        page.session = sessions.fresh(page.now)
        notice = {"kind": "error", "text": _word(page.language, "token_refused")}
        return page.render("sign_in", {}, 401, notice)
    page.session = page.session.signed_in(found.id, page.now)
    page.principal = found
    return page.redirect("/ui/inbox")


@router.post("/sign-out")
def sign_out(request: Request, csrf: Csrf = None) -> Response:
    page = _Page(request)
    if not sessions.csrf_ok(page.loaded, csrf):
        return page.refused()
    page.session, page.principal = sessions.fresh(page.now), None
    return page.redirect("/ui/sign-in")


# -- the pages -------------------------------------------------------------------------------------


@router.get("/inbox")
def inbox(request: Request) -> Response:
    page = _Page(request)
    who = page.principal
    if who is None:
        return page.redirect("/ui/sign-in")
    try:
        _granted(who, Action.read_cases)
        view = views.inbox(page.service.store, who.region, page.now, page.language)
    except (ReglamentError, problems.ServiceError) as error:
        return page.problem(error)
    return page.render("inbox", view)


@router.get("/cases/{ref:path}")
async def case(request: Request, ref: str, written: str | None = None) -> Response:
    """A case's page, made in the heavy lane: its re-audit and its diagram (a Graphviz run with
    the current step marked) would hold up the quick lane's reads and writes."""
    return await service(request).lanes.heavy(_case_page, request, ref, written)


def _case_page(request: Request, ref: str, written: str | None) -> Response:
    page = _Page(request)
    who = page.principal
    if who is None:
        return page.redirect("/ui/sign-in")
    try:
        return _case(page, who, ref, written)
    except (ReglamentError, problems.ServiceError) as error:
        return page.problem(error)


def _case(
    page: _Page,
    who: Principal,
    ref: str,
    written: str | None,
    notice: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    _granted(who, Action.read_cases)
    store = page.service.store
    in_region(who, store.engine_of(ref).reglament.region, Action.read_cases, ref)
    view = views.case_page(store, ref, page.now, page.language, _may_record(who), _svg)
    if written and notice is None:
        notice = {"kind": "ok", "text": f"{_word(page.language, 'written')}: {written}"}
    return page.render("case", view, status, notice)


@router.post("/cases/{ref:path}/complete")
def complete(
    request: Request,
    ref: str,
    step: Annotated[str, Form(max_length=200)],
    revision: Annotated[int, Form(ge=1)],
    outcome: Annotated[str | None, Form(max_length=200)] = None,
    csrf: Csrf = None,
) -> Response:
    page = _Page(request)
    who = page.principal
    if who is None:
        return page.redirect("/ui/sign-in")
    if not sessions.csrf_ok(page.loaded, csrf):
        return page.refused()
    store = page.service.store
    try:
        _granted(who, Action.write_cases)
        reglament = store.engine_of(ref).reglament
        in_region(who, reglament.region, Action.write_cases, ref)
        if step in reglament.steps and not _may_record(who)(step, reglament.steps[step]):
            raise problems.forbidden(f"a {who.role}'s token may not complete step {step!r}")
        asked = StoreRequest(
            Who(who.name, who.role), revision=revision, request_id=_request_id(request)
        )
        written = store.complete(ref, step, page.now, outcome or None, asked)
    except problems.ServiceError as error:
        return page.problem(error)
    except ReglamentError as error:
        if isinstance(error, NotFoundError):
            return page.problem(error)
        status, _ = _status(error)
        notice = {"kind": "error", "text": f"{_word(page.language, 'refused')}: {error}"}
        return _case(page, who, ref, None, notice, status)
    case_id = written.response["case"]
    return page.redirect(f"/ui/cases/{quote(case_id, safe='')}?written={quote(step, safe='')}")


@router.get("/reglaments/{ref:path}")
async def reglament(request: Request, ref: str) -> Response:
    """A reglament's page, made in the heavy lane (its audit and its drawing the first time)."""
    return await service(request).lanes.heavy(_reglament_page, request, ref)


def _reglament_page(request: Request, ref: str) -> Response:
    page = _Page(request)
    if page.principal is None:
        return page.redirect("/ui/sign-in")
    try:
        view = _reglament_view(page, ref)
    except ReglamentError as error:
        return page.problem(error)
    return page.render("reglament", view)


# -- helpers -----------------------------------------------------------------------------------------


def _reglament_view(page: _Page, ref: str) -> dict[str, Any]:
    """The reglament page's view, kept per app (the audit takes a tenth of a second or more)."""
    kept: dict[tuple[str, str], dict[str, Any]] = page.request.app.state.__dict__.setdefault(
        "ui_reglaments", {}
    )
    found = kept.get((ref, page.language.value))
    if found is None:
        found = views.reglament_page(page.service.library, ref, page.language, _svg)
        kept[(ref, page.language.value)] = found
    return found


def _svg(
    reglament: Reglament, current: Collection[str], channel: str | None, language: Language
) -> str | None:
    """The flow as SVG with ``current`` marked; ``None`` without Graphviz (the page says so)."""
    try:
        return diagrams.inline_svg(reglament, current, channel, language)
    except diagrams.GraphvizMissing:
        return None


def _may_record(who: Principal) -> Callable[[str, Step], bool]:
    """Whether ``who`` may complete a step (``auth.refusal``, the API's rule too)."""
    return lambda step_id, step: refusal(who, step_id, step) is None


def _granted(who: Principal, action: Action) -> None:
    if who.role not in GRANTED[action]:
        raise problems.forbidden(f"a {who.role}'s token may not do this ({action.value})")


def _principal(running: Service, session: sessions.Session) -> Principal | None:
    """The principal of the session's token, if it is still there and not revoked."""
    if session.token is None:
        return None
    for token in token_store.listed(running.store.db):
        if token.id == session.token and token.revoked is None:
            return Principal(token.id, token.name, token.role, token.region, token.actor)
    return None


def _key(request: Request) -> bytes:
    """The app's session key, read once (a bad ``REGLAMENT_SESSION_KEY``: 500, saying so)."""
    state = request.app.state
    key = getattr(state, "ui_session_key", None)
    if key is None:
        try:
            key = state.ui_session_key = sessions.key_from_environment()
        except ReglamentError as error:
            raise problems.ServiceError(
                500, "configuration", "The service is misconfigured", str(error)
            ) from None
    assert isinstance(key, bytes)
    return key


def _language(request: Request) -> Language:
    """``?lang=`` if given, else the language cookie, else the browser's first of kk, ru, en
    (``Accept-Language``), else Kazakh, the state language."""
    for given in (request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if given is not None and given in Language.__members__:
            return Language(given)
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().split("-")[0].casefold()
        if tag in Language.__members__:
            return Language(tag)
    return Language.kk


def _word(language: Language, key: str) -> str:
    return words(language)[key]


def _status(error: ReglamentError | problems.ServiceError) -> tuple[int, str]:
    if isinstance(error, problems.ServiceError):
        return error.status, error.title
    for kind, status, _, title in problems.KINDS:
        if isinstance(error, kind):
            return status, title
    return 500, "Internal error"


def _request_id(request: Request) -> str | None:
    found = getattr(request.state, "request_id", None)
    return found if isinstance(found, str) else None
