"""An argument too long to write in cases.yaml: a duration of 5,000 digits (more than Python reads
as an int; parse_actual raised ValueError)."""

from __future__ import annotations

from tests.hostile.test_cases import run

DIGITS = "9" * 5000


def test_an_actual_duration_of_5000_digits() -> None:
    result = run(["simulate", "semey-compensation", "--actual", f"review={DIGITS}m"])
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "error: --actual review: 999999999999... (5000 digits) minutes is longer than the "
        "calendar's whole span (2000-01-01..2030-12-31, 11,323 days): at most 16,305,120 minutes"
    ]
