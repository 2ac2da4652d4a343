"""The office page over HTTP (starlette's TestClient on the app ``create_app`` makes): sign-in
with a token and the session's cookie, CSRF on every form, the inbox's order, a case page with
its moves, a completion in the case's audit trail, regions and roles as the API has them, and
the user's language. On SQLite: the page is the same over either database (the store's tests
run both); the inbox's order and a completion run on both in test_databases.py."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from reglament.loader import Library
from reglament.renderers.office_text import words
from reglament.service import create_app
from reglament.service.ui import views
from reglament.store import tokens
from tests.service.conftest import NOW, Token, bearer
from tests.service.ui.conftest import Cases, app_client, csrf, inbox_sections, signed_in

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
WAIT = 30.0  # seconds; a lane that blocks fails the test instead of hanging it


def test_a_page_without_a_session_leads_to_the_sign_in(client: TestClient) -> None:
    for path in ("/ui", "/ui/inbox", "/ui/cases/late", "/ui/reglaments/x"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/ui/sign-in", path


def test_sign_in_sets_a_signed_http_only_cookie(client: TestClient, token: Token) -> None:
    form = client.get("/ui/sign-in")
    assert form.status_code == 200 and 'name="token"' in form.text
    assert "default-src 'none'" in form.headers["content-security-policy"]
    done = client.post(
        "/ui/sign-in", data={"token": token("clerk"), "csrf": csrf(form)}, follow_redirects=False
    )
    assert done.status_code == 303
    cookie = done.headers["set-cookie"]
    assert cookie.startswith("reglament_session=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/ui" in cookie
    assert "Secure" not in cookie  # plain http here; Secure behind https (docs/service.md)
    assert csrf(client.get("/ui/inbox")) != csrf(form)  # a new session at sign-in


def test_a_tampered_cookie_is_no_session(client: TestClient, token: Token) -> None:
    signed_in(client, token("clerk"))
    value = client.cookies["reglament_session"]
    payload, signature = value.split(".")
    client.cookies.clear()
    for forged in (f"{payload}.{'0' * len(signature)}", f"{payload}x.{signature}", "x", ""):
        cookie = {"Cookie": f"reglament_session={forged}"}
        answer = client.get("/ui/inbox", headers=cookie, follow_redirects=False)
        assert answer.headers["location"] == "/ui/sign-in", forged
    cookie = {"Cookie": f"reglament_session={value}"}
    assert client.get("/ui/inbox", headers=cookie).status_code == 200  # the genuine one


def test_an_unknown_token_is_refused_with_a_message(client: TestClient) -> None:
    form = client.get("/ui/sign-in?lang=ru")
    done = client.post("/ui/sign-in", data={"token": "nope", "csrf": csrf(form)})
    assert done.status_code == 401
    assert "Токен не распознан или отозван" in done.text


def test_a_form_without_its_csrf_token_is_refused(
    client: TestClient, token: Token, cases: Cases
) -> None:
    form = client.get("/ui/sign-in")
    assert client.post("/ui/sign-in", data={"token": token("clerk")}).status_code == 403
    wrong = {"token": token("clerk"), "csrf": csrf(form) + "x"}
    assert client.post("/ui/sign-in", data=wrong).status_code == 403
    signed_in(client, token("clerk"))
    page = client.get(f"/ui/cases/{cases.overdue}")
    assert 'data-step="ab-accept"' in page.text
    move = {"step": "ab-accept", "revision": "1"}
    refused = client.post(f"/ui/cases/{cases.overdue}/complete", data=move)
    assert refused.status_code == 403 and words("kk")["form_refused"] in refused.text
    assert client.get("/ui/inbox").status_code == 200  # still signed in
    after = client.get(f"/ui/cases/{cases.overdue}")
    assert "step_completed" not in after.text  # nothing was written
    assert client.post("/ui/sign-out", data={}).status_code == 403


def test_a_case_page_has_its_timeline_diagram_history_and_moves(
    client: TestClient, token: Token, cases: Cases
) -> None:
    signed_in(client, token("head"))
    page = client.get(f"/ui/cases/{cases.at_risk}?lang=en").text
    assert "+15 minutes of office time" in page  # each due's explanation, as simulate gives it
    assert "+7 working days" in page  # the term's
    assert "<svg" in page and 'stroke="#d63384"' in page  # the current step marked
    assert page.count('class="move"') == 2  # review: granted or refused (a head decides)
    assert "step_completed" in page and "resolution" in page  # the history


def test_another_regions_case_is_not_found_and_not_written(
    client: TestClient, token: Token, cases: Cases
) -> None:
    signed_in(client, token("head", region="karaganda"))
    listed = inbox_sections(client.get("/ui/inbox").text)
    assert cases.overdue not in [case for rows in listed.values() for case in rows]
    assert cases.elsewhere in [case for rows in listed.values() for case in rows]
    hidden = client.get(f"/ui/cases/{cases.overdue}?lang=en")
    assert hidden.status_code == 404 and "<h1>Not found</h1>" in hidden.text
    assert "ATY-LATE" not in hidden.text
    form = client.get("/ui/inbox")
    move = {"step": "ab-accept", "revision": "1", "csrf": csrf(form)}
    assert client.post(f"/ui/cases/{cases.overdue}/complete", data=move).status_code == 403


def test_roles_decide_the_buttons_and_the_writes(
    url: str, library: Library, token: Token, cases: Cases
) -> None:
    with app_client(url, library) as auditor:
        signed_in(auditor, token("auditor"))
        page = auditor.get(f"/ui/cases/{cases.overdue}")
        assert page.status_code == 200 and 'class="move"' not in page.text
        move = {"step": "ab-accept", "revision": "1", "csrf": csrf(page)}
        assert auditor.post(f"/ui/cases/{cases.overdue}/complete", data=move).status_code == 403
    with app_client(url, library) as clerk:
        signed_in(clerk, token("clerk"))
        page = clerk.get(f"/ui/cases/{cases.at_risk}")  # review: a decision, the head's
        assert 'class="move"' not in page.text
        move = {"step": "review", "outcome": "granted", "revision": "3", "csrf": csrf(page)}
        assert clerk.post(f"/ui/cases/{cases.at_risk}/complete", data=move).status_code == 403
    with app_client(url, library) as admin:
        signed_in(admin, token("admin"))
        assert admin.get("/ui/inbox").status_code == 403


def test_a_revoked_token_ends_its_session(
    client: TestClient, token: Token, db: Engine, cases: Cases
) -> None:
    signed_in(client, token("clerk"))
    assert client.get("/ui/inbox").status_code == 200
    (listed,) = [t for t in tokens.listed(db) if t.role == "clerk"]
    tokens.revoke(db, listed.id, NOW)
    answer = client.get("/ui/inbox", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/ui/sign-in"


def test_the_language_is_the_users_choice(
    url: str, library: Library, token: Token, cases: Cases
) -> None:
    with app_client(url, library) as client:
        signed_in(client, token("clerk"))
        assert "Мерзімі өткендер" in client.get("/ui/inbox").text  # Kazakh, the state language
        russian = client.get("/ui/inbox?lang=ru")
        assert '<html lang="ru">' in russian.text
        assert "Просроченные" in russian.text and "9 января 2013 г., 10:15" in russian.text
        assert "reglament_lang=ru" in russian.headers["set-cookie"]
        assert '<html lang="ru">' in client.get("/ui/inbox").text  # kept in its cookie
        case = client.get(f"/ui/cases/{cases.overdue}?lang=ru").text  # the channel's own name
        assert "уполномоченный орган <code>office</code>" in case and "(На рассмотрении)" in case
        assert "Обращение принято <code>accepted</code>" in case  # the history's events
        assert "7 рабочих дней: 18 января 2013 г., 18:00" in case  # the term, in Russian
        assert "(15 минут)" in case  # a step's allowed time
        english = client.get("/ui/inbox?lang=en").text
        assert "Overdue" in english and "9 January 2013, 10:15" in english
    with app_client(url, library) as browser:  # no choice made yet: the browser's language
        signed_in(browser, token("clerk"))
        asked = browser.get("/ui/inbox", headers={"Accept-Language": "de-DE, ru;q=0.8"})
        assert '<html lang="ru">' in asked.text


def test_the_reglament_page_has_its_terms_worst_cases_and_findings(
    client: TestClient, token: Token
) -> None:
    signed_in(client, token("auditor"))
    page = client.get("/ui/reglaments/targeted-social-assistance@atyrau?lang=en")
    assert page.status_code == 200
    text = page.text
    assert "Terms and their worst cases" in text and "7 working days" in text
    assert "overruns by 3 working days" in text  # the audit's worst case
    assert "RG101" in text and "<svg" in text
    missing = client.get("/ui/reglaments/no-such-thing")
    assert missing.status_code in (404, 422) and "no-such-thing" in missing.text


def test_instances_with_one_session_key_share_sessions(
    url: str, library: Library, token: Token, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGLAMENT_SESSION_KEY", "ab" * 32)
    with app_client(url, library) as first, app_client(url, library) as second:
        signed_in(first, token("clerk"))
        cookie = {"Cookie": f"reglament_session={first.cookies['reglament_session']}"}
        assert second.get("/ui/inbox", headers=cookie).status_code == 200
    monkeypatch.delenv("REGLAMENT_SESSION_KEY")
    with app_client(url, library) as third:  # a key of its own: the session is not its
        answer = third.get("/ui/inbox", headers=cookie, follow_redirects=False)
        assert answer.headers["location"] == "/ui/sign-in"


def test_a_short_session_key_is_named(
    url: str, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGLAMENT_SESSION_KEY", "short")
    with app_client(url, library) as client:
        answer = client.get("/ui/sign-in")
    assert answer.status_code == 500
    assert "REGLAMENT_SESSION_KEY is 5 bytes long; give at least 32" in answer.json()["detail"]


def test_the_cookie_is_secure_over_https(url: str, library: Library, token: Token) -> None:
    app = create_app(url, library, lambda: NOW)
    with TestClient(app, base_url="https://testserver") as client:
        form = client.get("/ui/sign-in")
        assert "Secure" in form.headers["set-cookie"]
        done = client.post(
            "/ui/sign-in",
            data={"token": token("clerk"), "csrf": csrf(form)},
            follow_redirects=False,
        )
        assert "Secure" in done.headers["set-cookie"] and "HttpOnly" in done.headers["set-cookie"]


def test_a_case_page_does_not_hold_up_the_quick_lane(
    client: TestClient, token: Token, cases: Cases, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The case page (its re-audit, its diagram drawn by Graphviz) runs in the heavy lane: a
    # case read through the API is answered while a page is still being made.
    entered, release = threading.Event(), threading.Event()
    made = views.case_page

    def slow(*args: Any) -> dict[str, Any]:
        entered.set()
        assert release.wait(WAIT), "the test never released the page"
        return made(*args)

    monkeypatch.setattr(views, "case_page", slow)
    signed_in(client, token("clerk"))
    answers: dict[str, int] = {}

    def page() -> None:
        answers["page"] = client.get(f"/ui/cases/{cases.overdue}").status_code

    running = threading.Thread(target=page)
    running.start()
    try:
        assert entered.wait(WAIT), "the page was never begun"
        read = client.get(f"/v1/cases/{cases.on_time}", headers=bearer(token("clerk")))
        assert read.status_code == 200
        assert "page" not in answers  # the read was answered while the page was being made
    finally:
        release.set()
        running.join(WAIT)
    assert answers == {"page": 200}
