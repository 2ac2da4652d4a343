"""The override layer: a user file is one line per correction; bad files fail clearly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from reglament.calendar import Clock, WorkCalendar, default_calendar
from reglament.calendar.overrides import load_bundled
from reglament.errors import DefinitionError

USER = """
transfer_sources:
  2030: "Government decree No. 1 of 1 Jan 2030 (test)"
overrides:
  - {date: 2030-05-04, kind: working_day, name: Worked Saturday, source: "decree No. 1 (test)"}
  - {date: 2030-05-10, kind: day_off, name: Transferred day off, source: "decree No. 1 (test)"}
  - {date: 2030-06-03, kind: holiday, name: Test holiday, source: "test law", estimated: true}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "user.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_file_is_valid_and_sourced() -> None:
    bundled = load_bundled()
    assert all(entry.source for entry in bundled.entries.values())
    assert 2025 in bundled.transfer_sources


def test_user_file_applies_on_top(tmp_path: Path) -> None:
    cal = WorkCalendar.kazakhstan([write(tmp_path, USER)])
    assert cal is not default_calendar()
    assert cal.is_working_day(dt.date(2030, 5, 4))  # a Saturday
    assert not cal.is_working_day(dt.date(2030, 5, 10))
    assert not default_calendar().is_working_day(dt.date(2030, 5, 4))
    info = cal.day_info(dt.date(2030, 6, 3))
    assert not info.working and info.estimated
    assert info.reasons == ("Test holiday (holiday; test law)",)
    # the bundled override is still applied
    assert cal.overridden(dt.date(2026, 5, 27)) is not None
    # the estimated day shows in deadlines that span it
    clock = Clock(cal)
    start = dt.datetime(2030, 5, 31, 10, tzinfo=clock.zone)
    deadline = clock.add_working_days(start, 3)
    assert deadline.estimated
    assert "[estimated: Test holiday 2030-06-03 is an estimated date]" in deadline.explanation


BAD = [
    ("overrides: [{date: 2030-02-30, kind: holiday, name: X, source: Y}]", "bad date"),
    ("overrides: [{date: '30.01.2030', kind: holiday, name: X, source: Y}]", "is not a date"),
    ("overrides: [{date: 2030-02-01, kind: party, name: X, source: Y}]", "kind 'party' is not one"),
    ("overrides: [{date: 2030-02-01, kind: holiday, name: X}]", "missing key(s) source"),
    ("overrides: [{date: 2030-02-01, kind: holiday, name: X, source: Y, why: Z}]", "unknown key"),
    ("overrides: [{date: 2030-02-01, kind: holiday, name: X, source: ''}]", "source must be"),
    (
        "overrides: [{date: 2030-02-01, kind: holiday, name: X, source: Y},"
        " {date: 2030-02-01, kind: day_off, name: X, source: Y}]",
        "duplicate date 2030-02-01",
    ),
    ("overrides: {}", "overrides must be a list"),
    ("days: []", "unknown key(s) days"),
    ("overrides: [", "not valid YAML"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_bad_files_name_file_and_entry(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(DefinitionError) as caught:
        WorkCalendar.kazakhstan([path])
    assert message in str(caught.value)
    assert str(path) in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="cannot read override file"):
        WorkCalendar.kazakhstan([tmp_path / "nope.yaml"])
