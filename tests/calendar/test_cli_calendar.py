"""`reglament calendar ...` driven through typer's CliRunner."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from reglament.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["calendar", *args])
    return result.exit_code, result.stdout, result.stderr


def test_year_2025_has_246_working_days() -> None:
    code, out, _ = run("year", "2025")
    assert code == 0
    assert out.splitlines()[-1].split() == ["Year", "246"]
    assert "March" in out and "17" in out


def test_month_grid_marks_days_off_and_reasons() -> None:
    code, out, _ = run("month", "2026-03")
    assert code == 0
    assert " 21* 22*" in out
    assert "23 Mon  day off: Nowruz Holiday (holiday)" in out
    assert "25 Wed  day off: Nowruz Holiday (day off moved from the weekend)" in out
    code, out, _ = run("month", "2024-05")
    assert "  4+" in out  # the worked Saturday
    assert "working Saturday (transfer: day off moved to Wed 2024-05-08" in out


def test_is_working() -> None:
    code, out, _ = run("is-working", "2024-06-17")
    assert code == 0 and out.strip() == "Mon 2024-06-17 working day"
    code, out, _ = run("is-working", "2023-01-07")
    assert "day off: Orthodox Christmas (holiday)" in out


def test_add_and_count() -> None:
    code, out, _ = run("add", "2025-03-03T18:15", "30", "--unit", "minutes")
    assert code == 0
    assert out.splitlines()[0] == "2025-03-04T09:15:00+05:00"
    code, out, _ = run("add", "2015-12-15T10:00", "17")
    assert out.splitlines()[0] == "2016-01-14T18:30:00+06:00"
    assert "skipped 16–17 Dec (Independence Day)" in out
    code, out, _ = run(
        "add", "2025-03-03T17:30", "60", "--unit", "minutes", "--schedule", "atyrau-office",
        "--region", "Atyrau",
    )  # fmt: skip
    assert out.splitlines()[0] == "2025-03-04T09:30:00+05:00"
    code, out, _ = run("add", "2025-03-03T12:00", "2", "--unit", "hours", "--schedule",
                       "mon-fri 09:00-13:00")  # fmt: skip
    assert out.splitlines()[0] == "2025-03-04T10:00:00+05:00"
    code, out, _ = run("count", "2025-01-01", "2025-12-31")
    assert out.strip() == "246 working days from 2025-01-01 to 2025-12-31 (both included)"


def test_user_overrides_option(tmp_path: Path) -> None:
    path = tmp_path / "o.yaml"
    path.write_text(
        "overrides:\n  - {date: 2030-05-04, kind: working_day, name: W, source: S}\n",
        encoding="utf-8",
    )
    code, out, _ = run("is-working", "2030-05-04", "--overrides", str(path))
    assert code == 0 and "working day: W (working day; S)" in out


ERRORS = [
    (("is-working", "2031-01-01"), "2031-01-01 is outside the calendar's covered range"),
    (("year", "1999"), "year 1999 is outside the calendar's covered range 2000..2030"),
    (("year", "99999999999999999999"), "year 99999999999999999999 is outside"),
    (("month", "2025-13"), "bad month '2025-13': there is no month 13"),
    (("is-working", "01.02.2025"), "DATE '01.02.2025': expected a date YYYY-MM-DD"),
    (
        ("is-working", "2015-02-30"),
        "DATE 2015-02-30 is an impossible date: February 2015 has 28 days",
    ),
    (("count", "2015-02-29", "2015-03-01"), "START 2015-02-29 is an impossible date"),
    (("add", "2015-02-30", "3"), "START 2015-02-30 is an impossible date: February 2015 has 28"),
    (("add", "2015-03-02T24:00", "3"), "START 24:00 is an impossible time of day"),
    (("month", "2025-1"), "bad month '2025-1': expected YYYY-MM"),
    (("add", "2025-01-01", "3", "--unit", "weeks"), "unknown unit 'weeks'"),
    (("add", "2025-01-01", "3", "--schedule", "mon 9-18"), "bad time '9'"),
    (("add", "2025-01-01", "3", "--region", "Narnia"), "unknown region 'Narnia'"),
    (("add", "2030-12-30", "30"), "after the calendar's covered range"),
    (
        ("add", "2020-01-01", "100000000", "--unit", "calendar_days"),
        "2020-01-05 + 100000000 calendar days falls after the calendar's covered range",
    ),
    (("add", "2020-01-01", "-5"), "the number of working days must be 0 or more, got -5"),
    (("add", "2020-01-01", "-5", "--unit", "hours"), "the number of hours must be 0 or more"),
    (("count", "2025-02-01", "2025-01-01"), "is before START"),
]


@pytest.mark.parametrize(("args", "message"), ERRORS)
def test_errors_are_one_line_exit_2(args: tuple[str, ...], message: str) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert err.startswith("error: ") and message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in out + err
