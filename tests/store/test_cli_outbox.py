"""``reglament outbox list|deliver`` and ``cases start --lang --contact`` through the command
line, on both databases: the Maildir default, a webhook refusing for good counted by ``outbox
list --failed``, and each usage error one line and exit 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import URL
from typer.testing import CliRunner

from reglament.cli import app
from tests.runtime.test_delivery import HookServer, hook  # noqa: F401 (the fixture, by name)

START = ["cases", "start", "targeted-social-assistance@atyrau", "--at", "2013-01-09T10:00"]
ADDRESS = "Atyrau, Satpayev 1"


def _run(url: URL, env: dict[str, str], *args: str) -> tuple[int, str, str]:
    db = url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, [*args, "--db", db], env=env)
    return result.exit_code, result.stdout, result.stderr


def _json(url: URL, env: dict[str, str], *args: str) -> Any:
    code, out, err = _run(url, env, *args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"XDG_DATA_HOME": str(tmp_path), "REGLAMENT_OUTBOX": ""}


def test_a_case_started_with_a_contact_is_notified_through_the_maildir(
    db_url: URL, env: dict[str, str], tmp_path: Path
) -> None:
    assert _run(db_url, env, "db", "upgrade")[0] == 0
    contact = ["--contact", f"address={ADDRESS}", "--contact", "phone=+77010000000"]
    started = _json(db_url, env, *START, "--lang", "ru", *contact, "--receipt", "ATY-1")
    shown = _json(db_url, env, "cases", "show", "ATY-1", "--at", "2013-01-09T11:00")
    assert shown["language"] == "ru"
    assert shown["contact"] == {"address": ADDRESS, "phone": "+77010000000"}
    pending = _json(db_url, env, "outbox", "list", "--pending")
    assert pending["count"] == 1
    (message,) = pending["messages"]
    assert (message["case"], message["medium"], message["language"]) == (
        started["case"],
        "letter",
        "ru",
    )
    assert (message["recipient"], message["event"], message["attempts"]) == (ADDRESS, 1, 0)
    assert _json(db_url, env, "outbox", "deliver", "--now", "2013-01-09T09:59+05:00") == []
    code, out, _ = _run(db_url, env, "outbox", "deliver", "--now", "2013-01-09T10:05+05:00")
    assert code == 0
    assert out.splitlines() == [
        f"{message['key']}: delivered (attempt 1)",
        "1 delivered, 0 to try again, 0 failed",
    ]
    written = tmp_path / "reglament" / "outbox" / "letter" / f"{message['key']}.json"
    assert json.loads(written.read_text(encoding="utf-8"))["recipient"] == ADDRESS
    delivered = _json(db_url, env, "outbox", "list", "--delivered")
    assert delivered["count"] == 1
    assert delivered["messages"][0]["delivered_at"] == "2013-01-09T10:05:00+05:00"
    assert _json(db_url, env, "outbox", "list", "--pending")["count"] == 0


def test_a_refusal_for_good_is_counted_by_list_failed(
    db_url: URL,
    env: dict[str, str],
    hook: HookServer,  # noqa: F811
) -> None:
    _run(db_url, env, "db", "upgrade")
    _json(db_url, env, *START, "--contact", f"address={ADDRESS}", "--receipt", "ATY-2")
    url = f"http://127.0.0.1:{hook.server_address[1]}/status/400"
    refusing = {**env, "REGLAMENT_OUTBOX": f"letter={url}"}
    (outcome,) = _json(db_url, refusing, "outbox", "deliver", "--now", "2013-01-09T10:05+05:00")
    assert (outcome["status"], outcome["attempts"]) == ("failed", 1)
    assert outcome["error"] == f"POST {url}: 400 Bad Request"
    code, out, _ = _run(db_url, env, "outbox", "list", "--failed")
    lines = out.splitlines()
    assert code == 0 and lines[-1] == "1 message(s)"
    assert lines[0].endswith(f"failed, 1 attempt(s): POST {url}: 400 Bad Request")
    assert _json(db_url, env, "outbox", "deliver", "--now", "2013-01-10T10:05") == []  # for good
    assert len(hook.requests) == 1


@pytest.mark.parametrize(
    ("args", "env_outbox", "message"),
    [
        (
            [*START, "--contact", "mail=a@b.kz"],
            "",
            "error: unknown contact field 'mail'; did you mean 'email'? contact fields: email, "
            "phone, cabinet, address",
        ),
        ([*START, "--contact", "email"], "", "error: --contact 'email': expected FIELD=VALUE"),
        (
            ["outbox", "list", "--failed", "--pending"],
            "",
            "error: --failed and --pending: give one of them",
        ),
        (
            ["outbox", "deliver", "--now", "2013-02-30T10:00"],
            "",
            "error: --now 2013-02-30 is an impossible date: February 2013 has 28 days",
        ),
        (
            ["outbox", "deliver"],
            "fax=maildir:/x",
            "error: REGLAMENT_OUTBOX: entry 1 (fax=maildir:/x): unknown medium 'fax'; the media "
            "are: *, sms, email, cabinet, letter",
        ),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(
    db_url: URL, env: dict[str, str], args: list[str], env_outbox: str, message: str
) -> None:
    _run(db_url, env, "db", "upgrade")
    code, out, err = _run(db_url, {**env, "REGLAMENT_OUTBOX": env_outbox}, *args)
    assert (code, out, err) == (2, "", message + "\n")


def test_an_outbox_without_a_store_is_exit_5(db_url: URL, env: dict[str, str]) -> None:
    code, _, err = _run(db_url, env, "outbox", "list")
    assert code == 5
    assert err.endswith("has no case store yet: run reglament db upgrade\n")
