"""The bench's regression guard reads the figures of a section's tables and flags a slowdown over
20% beside the last committed figure (no timing is asserted: only how figures are read and
compared)."""

from __future__ import annotations

from bench.report import compare, figures

SECTION = """
| what | cases/s | vs SpiffWorkflow | target |
|---|---:|---:|---:|
| ours, batch | **1,000** | 2.0× | ≥ 100/s |
| what | time | target |
|---|---:|---:|
| ours, scalar | 149.2 ns | ≤ 300 ns |
"""


def test_rates_and_times_are_read_with_their_direction() -> None:
    found = figures(SECTION)
    assert found["ours, batch"] == (1000.0, True, "1,000")
    value, higher, text = found["ours, scalar"]
    assert abs(value - 149.2e-9) < 1e-15 and not higher and text == "149.2 ns"


def test_a_slowdown_over_20_percent_is_flagged() -> None:
    last = figures(SECTION)
    now = figures(SECTION.replace("**1,000**", "700").replace("149.2 ns", "160 ns"))
    lines = compare(last, now)
    batch = next(line for line in lines if "ours, batch" in line)
    scalar = next(line for line in lines if "ours, scalar" in line)
    assert "last committed 1,000; 43% slower" in batch and "SLOWER" in batch
    assert "7% slower" in scalar and "SLOWER" not in scalar
    assert "(new)" in compare({}, now)[2]
