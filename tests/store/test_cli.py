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
