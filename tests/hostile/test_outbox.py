"""The outbox's command line on a stored case, as real processes (tests/hostile/README.md): a
contact too long for the outbox to keep (exit 2, nothing written), a bad ``REGLAMENT_OUTBOX``
(exit 2, no attempt counted), and a sink folder that cannot be written (the message is tried
again later, one line, exit 0): no traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.hostile.test_cases import run

START = ["cases", "start", "targeted-social-assistance@atyrau", "--at", "2013-01-09T10:00"]
NOW = ["--now", "2013-01-09T10:05+05:00"]


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store with one case whose acceptance sends one letter."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("REGLAMENT_OUTBOX", raising=False)
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    assert run(["db", "upgrade", "--db", url]).returncode == 0
    started = run([*START, "--contact", "address=Atyrau", "--db", url])
    assert started.returncode == 0, started.stderr
    return url


def _outbox(url: str) -> list[tuple[str, int]]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        return list(connection.execute("SELECT status, attempts FROM outbox"))


def test_a_contact_too_long_to_keep_is_refused_whole(db: str) -> None:
    long = "x" * 5000
    done = run(
        [
            *START,
            "--receipt",
            "ATY-9",
            "--case-id",
            "c9",
            "--contact",
            f"address={long}",
            "--db",
            db,
        ]
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "error: contact: address is 5,000 characters long; at most 400 are kept\n"
    with sqlite3.connect(db.removeprefix("sqlite:///")) as connection:
        assert connection.execute("SELECT count(*) FROM cases").fetchone()[0] == 1
    assert _outbox(db) == [("pending", 0)]


def test_a_bad_setting_is_one_line_and_counts_no_attempt(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGLAMENT_OUTBOX", "letter=smtp://user:secret@mail:99999")
    done = run(["outbox", "deliver", *NOW, "--db", db])
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "error: REGLAMENT_OUTBOX: entry 1 (letter=smtp://user:***@mail:99999): the SMTP port is "
        "not a number from 0 to 65535\n"
    )
    assert _outbox(db) == [("pending", 0)]


def test_a_sink_folder_that_cannot_be_written_is_tried_again(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder should be", encoding="utf-8")
    monkeypatch.setenv("REGLAMENT_OUTBOX", f"*=maildir:{blocked}")
    done = run(["outbox", "deliver", *NOW, "--db", db])
    assert (done.returncode, done.stderr) == (0, "")
    first, summary = done.stdout.splitlines()
    assert first.endswith(f"(attempt 1): {blocked}: cannot write: Not a directory")
    assert ": tried again at 2013-01-09T10:05:" in first
    assert summary == "0 delivered, 1 to try again, 0 failed"
    assert _outbox(db) == [("pending", 1)]
