"""The override layer: a user file is one line per correction; bad files fail clearly."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from reglament.calendar import Clock, WorkCalendar, default_calendar
from reglament.calendar.overrides import load_bundled
from reglament.errors import DefinitionError, UsageError

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


# Each bad file gives one line at the position of what is wrong (the loader's YAML reader keeps
# every value's line and column), followed by the entry it is about.
BAD = [
    (
        "overrides: [{date: 2030-02-30, kind: holiday, name: X, source: Y}]",
        "1:20: bad date '2030-02-30': day is out of range for month (overrides[0].date)",
    ),
    (
        "overrides: [{date: '30.01.2030', kind: holiday, name: X, source: Y}]",
        "1:20: date '30.01.2030' is not a date (YYYY-MM-DD) (overrides[0].date)",
    ),
    (
        "overrides: [{date: 2030-2-1, kind: holiday, name: X, source: Y}]",
        "1:20: date '2030-2-1' is not a date (YYYY-MM-DD) (overrides[0].date)",
    ),
    (
        "overrides: [{date: 2030-02-01, kind: party, name: X, source: Y}]",
        "1:38: kind 'party' is not one of: holiday, day_off, working_day (overrides[0].kind)",
    ),
    (
        "overrides: [{date: 2030-02-01, kind: holiday, name: X}]",
        "1:13: missing key(s) source (overrides[0])",
    ),
    (
        "overrides: [{date: 2030-02-01, kind: holiday, name: X, source: Y, why: Z}]",
        "1:67: unknown key(s) why; allowed: date, estimated, kind, name, note, source (overrides[0])",
    ),
    (
        "overrides: [{date: 2030-02-01, kind: holiday, name: X, source: ''}]",
        "1:64: source must be a non-empty string, got '' (overrides[0].source)",
    ),
    (
        "overrides: [{date: 2030-02-01, kind: holiday, name: X, source: Y},"
        " {date: 2030-02-01, kind: day_off, name: X, source: Y}]",
        "1:75: duplicate date 2030-02-01 (first at {path}#overrides[0]) (overrides[1])",
    ),
    (
        # YAML 1.2: yes is a string, not true
        "overrides: [{date: 2030-02-01, kind: holiday, name: X, source: Y, estimated: yes}]",
        "1:78: estimated must be true or false, got 'yes' (overrides[0].estimated)",
    ),
    ("overrides: {}", "1:12: overrides must be a list (overrides)"),
    ("days: []", "1:1: unknown key(s) days; allowed: overrides, transfer_sources"),
    (
        "transfer_sources:\n  2030: X\n  '20x': Y",
        "3:10: transfer_sources entry '20x': 'Y' must be YEAR: text (transfer_sources.20x)",
    ),
    ("- 1", "1:1: the file must be a mapping with keys overrides and/or transfer_sources"),
    ("overrides: []\noverrides: []", "2:1: duplicate key 'overrides' (first given at line 1)"),
    (
        "overrides: [",
        "2:1: YAML syntax error: did not find expected node content "
        "(while parsing a flow node that starts at line 2, column 1)",
    ),
    (
        "overrides: [{date: 2030-02-01, kind: !!python/name:os.system holiday}]",
        "1:38: tag '!!python/name:os.system' is not allowed: a calendar override holds plain "
        "data only (mappings, lists, strings, numbers, true/false, null)",
    ),
    (
        "# a bell \x07 in a comment\nx: 1",
        "1:10: control character U+0007 (BEL) is not allowed in YAML; remove it",
    ),
]


@pytest.mark.parametrize(("text", "line"), BAD)
def test_bad_files_name_file_position_and_entry(tmp_path: Path, text: str, line: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(DefinitionError) as caught:
        WorkCalendar.kazakhstan([path])
    assert str(caught.value) == f"{path}:{line.format(path=path)}"


def test_blank_file_holds_no_overrides(tmp_path: Path) -> None:
    cal = WorkCalendar.kazakhstan([write(tmp_path, "# nothing yet\n\n")])
    assert cal.overrides.entries == default_calendar().overrides.entries


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        WorkCalendar.kazakhstan([tmp_path / "nope.yaml"])
    assert str(caught.value) == f"{tmp_path / 'nope.yaml'}: no such file"


def test_the_fingerprint_is_which_days_are_working_and_the_days_round_trip(
    tmp_path: Path,
) -> None:
    """WorkCalendar.fingerprint changes with a day off, not with a name; to_json/from_json
    give the very calendar back (the case store keeps its calendars so)."""
    base = default_calendar()
    holiday = tmp_path / "holiday.yaml"
    holiday.write_text(
        "overrides:\n  - {date: 2013-01-14, kind: holiday, name: A, source: decree 1}\n",
        encoding="utf-8",
    )
    renamed = tmp_path / "renamed.yaml"  # 1 May stays a day off, under another name
    renamed.write_text(
        "overrides:\n  - {date: 2013-05-01, kind: holiday, name: B, source: decree 2}\n",
        encoding="utf-8",
    )
    moved = WorkCalendar.kazakhstan([holiday])
    assert moved.fingerprint != base.fingerprint
    assert WorkCalendar.kazakhstan([renamed]).fingerprint == base.fingerprint
    back = WorkCalendar.from_json(json.loads(json.dumps(moved.to_json())))
    assert back.fingerprint == moved.fingerprint
    first, last = dt.date(2012, 12, 1), dt.date(2013, 2, 28)
    assert list(back.days(first, last)) == list(moved.days(first, last))
    assert back.overridden(dt.date(2013, 1, 14)) == moved.overridden(dt.date(2013, 1, 14))
