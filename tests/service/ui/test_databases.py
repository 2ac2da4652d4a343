"""The office page's inbox and a completion on each database (SQLite and PostgreSQL): the
inbox overdue first, then at risk, then the rest; a step completed on the page is in the case's
audit trail and the case leaves the overdue list."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.service.conftest import NOW, Token
from tests.service.ui.conftest import Cases, csrf, inbox_sections, signed_in


def test_the_inbox_lists_overdue_then_at_risk_then_the_rest(
    client: TestClient, token: Token, cases: Cases
) -> None:
    signed_in(client, token("clerk"))
    page = client.get("/ui/inbox")
    assert page.status_code == 200
    assert inbox_sections(page.text) == {
        "overdue": [cases.overdue],
        "at_risk": [cases.at_risk],
        "rest": [cases.on_time],
    }
    text = page.text
    row = text[text.index(f'data-case="{cases.overdue}"') :]
    row = row[: row.index("</tr>")]
    # receipt, service, step, its due as the notifications write dates, how late in working days
    assert "ATY-LATE" in row and "ab-accept" in row
    assert "2013 жылғы 9 қаңтар, 10:15" in row  # Kazakh by default, in the case's zone
    assert "1 жұмыс күні" in row  # 15 minutes from 9 January 10:00, as of 10 January 14:00
    assert "2013 жылғы 10 қаңтар, 14:00" in text  # as of now, in the region's time


def test_a_completion_is_in_the_audit_trail_and_leaves_the_overdue_list(
    client: TestClient, token: Token, cases: Cases
) -> None:
    signed_in(client, token("clerk"))
    page = client.get(f"/ui/cases/{cases.overdue}")
    move = {"step": "ab-accept", "revision": "1", "csrf": csrf(page)}
    done = client.post(
        f"/ui/cases/{cases.overdue}/complete",
        data=move,
        headers={"X-Request-Id": "ui-test-1"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    shown = client.get(done.headers["location"])
    assert "ab-accept" in shown.text and 'class="notice ok"' in shown.text
    listed = inbox_sections(client.get("/ui/inbox").text)
    assert cases.overdue not in listed["overdue"] and cases.overdue in listed["rest"]
    answer = client.app.state.service.store.show(cases.overdue, NOW)  # type: ignore[attr-defined]
    last = [e for e in answer["events"] if e["kind"] == "step_completed"][-1]
    assert (last["step"], last["user"], last["role"]) == ("ab-accept", "clerk-atyrau", "clerk")
    assert last["request"] == "ui-test-1"
    again = client.post(f"/ui/cases/{cases.overdue}/complete", data=move)
    assert again.status_code == 412  # the revision read is stale now
    assert 'class="notice error"' in again.text
