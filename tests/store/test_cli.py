"""The store's commands through the command line, on both databases: JSON everywhere, and
each refusal its own exit code (2 usage, 3 conflict, 4 impossible move, 5 no store)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy.engine import URL
from typer.testing import CliRunner

from reglament.cli import app
from reglament.store.database import head

START = ["cases", "start", "targeted-social-assistance@atyrau", "--at", "2013-01-09T10:00"]


def _run(url: URL, *args: str) -> tuple[int, Any, str]:
    db = url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, [*args, "--db", db, "--format", "json"])
    try:
        data = json.loads(result.stdout) if result.stdout else None
    except json.JSONDecodeError:
        pytest.fail(result.stdout)
    return result.exit_code, data, result.stderr


def test_every_command_speaks_json(db_url: URL) -> None:
    code, upgraded, _ = _run(db_url, "db", "upgrade")
    assert (code, upgraded["before"], upgraded["after"]) == (0, None, head())
    code, started, _ = _run(
        db_url, *START, "--receipt", "ATY-7", "--by", "aigerim", "--role", "clerk"
    )
    assert (code, started["receipt"], started["revision"]) == (0, "ATY-7", 1)
    assert started["events"][0]["user"] == "aigerim"
    moves = [
        ["cases", "complete", "ATY-7", "ab-accept", "--at", "2013-01-09T10:10", "--revision", "1"],
        ["cases", "suspend", "ATY-7", "--at", "2013-01-09T10:15", "--reason", "documents asked"],
        ["cases", "resume", "ATY-7", "--at", "2013-01-10T10:00", "--key", "r1"],
        ["cases", "data", "ATY-7", "--at", "2013-01-10T10:05"],
    ]
    for revision, move in enumerate(moves[:3], start=2):
        code, written, stderr = _run(db_url, *move)
        assert (code, written["revision"]) == (0, revision), stderr
    code, again, stderr = _run(db_url, *moves[2])
    assert (code, again["revision"]) == (0, 4)
    assert "idempotency key was used already" in stderr
    code, shown, _ = _run(db_url, "cases", "show", "ATY-7", "--at", "2013-01-10T11:00")
    assert [e["kind"] for e in shown["events"]][-2:] == ["suspended", "resumed"]
    assert shown["status"]["active"][0]["step"] == "resolution"
    code, listed, _ = _run(db_url, "cases", "list", "--overdue", "--at", "2013-02-01T12:00")
    assert (code, [c["receipt"] for c in listed]) == (0, ["ATY-7"])
    code, listed, _ = _run(db_url, "cases", "list", "--region", "zhambyl")
    assert (code, listed) == (0, [])


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (
            [
                "cases",
                "complete",
                "ATY-7",
                "ab-accept",
                "--at",
                "2013-01-09T10:10",
                "--revision",
                "2",
            ],
            3,
        ),
        (["cases", "complete", "ATY-7", "review", "--at", "2013-01-09T10:10"], 4),
        (["cases", "resume", "ATY-7", "--at", "2013-01-09T10:10"], 4),
        (["cases", "show", "ATY-8"], 2),
        ([*START, "--receipt", "ATY-7"], 3),
    ],
)
def test_each_refusal_has_its_code(db_url: URL, args: list[str], code: int) -> None:
    assert _run(db_url, "cases", "list")[0] == 5  # no schema yet
    assert _run(db_url, "db", "upgrade")[0] == 0
    assert _run(db_url, *START, "--receipt", "ATY-7")[0] == 0
    found, output, stderr = _run(db_url, *args)
    assert (found, output) == (code, None)
    assert len(stderr.splitlines()) == 1 and stderr.startswith("error: ")


def test_the_worker_and_the_audit(db_url: URL) -> None:
    assert _run(db_url, "db", "upgrade")[0] == 0
    assert _run(db_url, *START, "--receipt", "ATY-9")[0] == 0
    ab_accept = ["cases", "complete", "ATY-9", "ab-accept", "--at", "2013-01-09T10:10"]
    assert _run(db_url, *ab_accept)[0] == 0
    code, fired, _ = _run(db_url, "worker", "--once", "--now", "2013-01-09T12:00+05:00")
    assert code == 0
    assert [(f["kind"], f["step"], f["revision"]) for f in fired] == [
        ("step_overdue", "resolution", 3)
    ]
    assert fired[0]["at"] == fired[0]["due"] == "2013-01-09T10:25:00.000001+05:00"
    assert _run(db_url, "worker", "--once", "--now", "2013-01-09T12:00+05:00")[1] == []
    code, shown, _ = _run(db_url, "cases", "show", "ATY-9", "--at", "2013-01-09T12:00")
    assert (shown["events"][-1]["kind"], shown["events"][-1]["role"]) == ("step_overdue", "system")
    code, audited, _ = _run(db_url, "cases", "audit", "ATY-9", "--at", "2013-01-09T12:00")
    assert code == 0
    late = [visit["step"] for visit in audited["steps"] if visit["late"]]
    assert late == ["resolution"]
    db = db_url.render_as_string(hide_password=False)
    text = CliRunner().invoke(
        app, ["cases", "audit", "ATY-9", "--at", "2013-01-09T12:00", "--db", db]
    )
    assert text.exit_code == 0
    assert text.stdout.startswith("Re-audit of case ")
    assert text.stdout.rstrip().endswith("1 step late")


def test_a_timer_not_fired_is_exit_4(db_url: URL, monkeypatch: pytest.MonkeyPatch) -> None:
    from reglament.errors import CaseError

    def refuse(*_: object) -> None:
        raise CaseError("a timeout route reads data not set")

    assert _run(db_url, "db", "upgrade")[0] == 0
    assert _run(db_url, *START, "--receipt", "ATY-9")[0] == 0
    monkeypatch.setattr("reglament.store.worker.fire", refuse)
    code, fired, stderr = _run(db_url, "worker", "--once", "--now", "2013-01-09T12:00")
    assert code == 4
    assert [f["error"] for f in fired] == [
        f"case {fired[0]['case']}: a timeout route reads data not set"
    ]
    assert stderr == f"error: case {fired[0]['case']}: step_overdue ab-accept due " + (
        "2013-01-09T10:15:00.000001+05:00: not fired: case "
        f"{fired[0]['case']}: a timeout route reads data not set\n"
    )
