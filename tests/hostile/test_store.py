"""The case store's command line on a stored case, as real processes (tests/hostile/README.md):
a stale revision (exit 3), an impossible move and an instant going backwards (exit 4), an unknown
case (exit 2), a database with no schema or a newer one (exit 5): each one line on stderr, no
traceback, and nothing written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.hostile.test_cases import run

START = ["cases", "start", "targeted-social-assistance@atyrau", "--at", "2013-01-09T10:00"]
RECEIPT = "ATY-1"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One stored case at revision 2, shared: every case below must leave it as it is."""
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'cases.db'}"
    assert run(["db", "upgrade", "--db", url]).returncode == 0
    started = run([*START, "--receipt", RECEIPT, "--db", url])
    assert started.returncode == 0, started.stderr
    done = run(["cases", "complete", RECEIPT, "ab-accept", "--at", "2013-01-09T10:10", "--db", url])
    assert done.returncode == 0, done.stderr
    return url


def _events(url: str) -> int:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        return int(connection.execute("SELECT count(*) FROM events").fetchone()[0])


@pytest.mark.parametrize(
    ("args", "code", "line"),
    [
        (
            ["complete", RECEIPT, "resolution", "--at", "2013-01-09T11:00", "--revision", "1"],
            3,
            "error: case {case} is at revision 2, not 1: someone else changed it; show it again "
            "and repeat your move on what it is now",
        ),
        (
            ["complete", RECEIPT, "review", "--at", "2013-01-09T11:00"],
            4,
            "error: case {case}: step 'review' is not active; allowed moves: resolution: done",
        ),
        (
            ["complete", RECEIPT, "resolution", "--at", "2013-01-09T10:05"],
            4,
            "error: case {case}: complete at 2013-01-09T10:05:00+05:00 is before its last event "
            "(2013-01-09T10:10:00+05:00); instants never go backwards",
        ),
        (
            ["resume", RECEIPT, "--at", "2013-01-09T11:00"],
            4,
            "error: case {case}: the term is not suspended; allowed: suspend",
        ),
        (
            ["show", "ATY-404"],
            2,
            "error: no stored case 'ATY-404' (give a case id or a receipt number)",
        ),
        (
            ["complete", RECEIPT, "resolution", "--at", "2013-02-30T10:00"],
            2,
            "error: --at 2013-02-30 is an impossible date: February 2013 has 28 days",
        ),
    ],
)
def test_one_line_and_its_code(db: str, args: list[str], code: int, line: str) -> None:
    case = run(["cases", "show", RECEIPT, "--db", db, "-f", "json"]).stdout.split('"case": "')[1]
    before = _events(db)
    result = run(["cases", *args, "--db", db])
    assert (result.returncode, result.stdout) == (code, "")
    assert result.stderr.splitlines() == [line.format(case=case.split('"')[0])]
    assert _events(db) == before


def test_no_schema_and_a_newer_one(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    result = run(["cases", "list", "--db", url])
    assert result.returncode == 5
    assert result.stderr.splitlines() == [
        f"error: the database {url} has no case store yet: run reglament db upgrade"
    ]
    assert run(["db", "upgrade", "--db", url]).returncode == 0
    with sqlite3.connect(tmp_path / "empty.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099'")
    for args in (["cases", "list"], ["db", "upgrade"]):
        result = run([*args, "--db", url])
        assert result.returncode == 5
        assert result.stderr.splitlines() == [
            f"error: the database {url} is at schema 0099, newer than this reglament knows "
            "(0005): upgrade reglament"
        ]
