"""BENCHMARKS.md: each benchmark section rewrites only the part between its own markers, and
each figure of its tables is printed beside the last committed one (``git show
HEAD:BENCHMARKS.md``), flagged when it is more than 20 % slower."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"
SLOWER = 0.20  # a figure this much worse than the committed one is flagged

# a time (lower is better) or a rate (higher is better), as the tables write them
_TIME = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}
_FIGURE = re.compile(r"^\*{0,2}([0-9][0-9,]*(?:\.[0-9]+)?)\*{0,2}\s*(ns|µs|us|ms|s|/s|cases/s)?\b")


def figure(cell: str) -> tuple[float, bool] | None:
    """``(value, higher_is_better)`` of a table cell such as ``149.2 ns``, ``1.1 ms`` or
    ``807,053`` (a rate, in a column of cases/s); ``None`` when it holds no figure."""
    found = _FIGURE.match(cell.strip())
    if found is None:
        return None
    value = float(found[1].replace(",", ""))
    unit = found[2]
    if unit in _TIME:
        return value * _TIME[unit], False
    return value, True


def rows(section: str) -> dict[str, str]:
    """The first two cells of each table row of ``section``, by the first."""
    found: dict[str, str] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 2 and not set(cells[1]) <= set("-: "):
            found.setdefault(cells[0], cells[1])
    return found


def committed(start: str, end: str) -> str:
    """The section as last committed, or ``""`` (not in git, or not there yet)."""
    try:
        text = subprocess.run(
            ["git", "show", f"HEAD:{OUT.name}"],
            cwd=OUT.parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return ""
    if start not in text or end not in text:
        return ""
    return text.split(start, 1)[1].split(end, 1)[0]


def comparison(old: str, new: str) -> list[str]:
    """One line per figure of ``new``: its value beside the committed one, ``SLOWER`` when it is
    more than :data:`SLOWER` worse."""
    before = rows(old)
    lines = []
    for name, cell in rows(new).items():
        now, then = figure(cell), figure(before.get(name, ""))
        if now is None:
            continue
        if then is None:
            lines.append(f"  {name}: {cell} (no committed figure)")
            continue
        value, higher = now
        ratio = (then[0] / value if value else float("inf")) if higher else value / then[0]
        flag = f"  SLOWER by {ratio - 1:.0%}" if ratio > 1 + SLOWER else ""
        lines.append(f"  {name}: {cell} (last committed: {before[name]}){flag}")
    return lines


def write_section(start: str, end: str, section: str) -> None:
    """Put ``section`` (which begins with ``start`` and ends with ``end``) into BENCHMARKS.md,
    replacing the previous one or appending it, and print it, then each of its figures beside
    the last committed one."""
    text = OUT.read_text(encoding="utf-8") if OUT.exists() else "# Benchmarks\n\n"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    OUT.write_text(text, encoding="utf-8")
    print(section)
    lines = comparison(committed(start, end), section)
    if lines:
        print("\nAgainst the last committed run (a shared VM varies up to 2x with load):")
        print("\n".join(lines))
        slower = sum("SLOWER" in line for line in lines)
        print(f"{slower} figure(s) more than {SLOWER:.0%} slower." if slower else "None slower.")
