"""BENCHMARKS.md: each benchmark section rewrites only the part between its own markers, and each
figure of its tables is printed beside the last committed one (git's HEAD:BENCHMARKS.md), with a
slowdown over :data:`SLOWER` flagged. Timings never fail a test: this only says so."""

from __future__ import annotations

import platform
import re
import subprocess
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"
SLOWER = 0.20  # a figure this much worse than the last committed one is flagged
_UNITS = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}
_NUMBER = re.compile(r"^\*{0,2}([\d,]+(?:\.\d+)?)\s*(ns|µs|us|ms|s)?\b")


def cpu_model() -> str:
    """The processor's model name (``/proc/cpuinfo``), else what ``platform`` says."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def write_section(start: str, end: str, section: str) -> None:
    """Put ``section`` (which begins with ``start`` and ends with ``end``) into BENCHMARKS.md,
    replacing the previous one or appending it, and print it, then each figure beside the last
    committed one."""
    text = OUT.read_text(encoding="utf-8") if OUT.exists() else "# Benchmarks\n\n"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    OUT.write_text(text, encoding="utf-8")
    print(section)
    for line in compare(figures(_section(committed(), start, end)), figures(section)):
        print(line)


def committed() -> str:
    """BENCHMARKS.md as last committed (empty outside a git work tree or before any commit)."""
    try:
        done = subprocess.run(
            ["git", "show", "HEAD:BENCHMARKS.md"],
            cwd=OUT.parent,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return ""
    return done.stdout if done.returncode == 0 else ""


def _section(text: str, start: str, end: str) -> str:
    if start not in text or end not in text:
        return ""
    return text.split(start, 1)[1].split(end, 1)[0]


Figure = tuple[float, bool, str]  # value (seconds for a time), higher is better, as written


def figures(section: str) -> dict[str, Figure]:
    """Each table row's figure (its first column's name → :data:`Figure`): the
    second column, a rate when its header says per second (``/s``), else a time (in seconds
    when it has a unit)."""
    found: dict[str, Figure] = {}
    higher = False
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if "|" in line else []
        if len(cells) < 2 or set(cells[1]) <= {"-", ":"}:
            continue
        match = _NUMBER.match(cells[1])
        if match is None:  # a header row: what the column holds
            higher = "/s" in cells[1] or "per second" in cells[1]
            continue
        value = float(match.group(1).replace(",", "")) * _UNITS.get(match.group(2) or "", 1.0)
        found[cells[0]] = (value, higher, cells[1].strip("*"))
    return found


def compare(last: dict[str, Figure], now: dict[str, Figure]) -> list[str]:
    """One line per figure of ``now``: beside the last committed one, how much better or worse,
    and ``SLOWER`` when worse by more than :data:`SLOWER`."""
    lines = ["", "Beside the last committed figures (a slowdown over 20% is flagged):"]
    for name, (value, higher, text) in now.items():
        if name not in last or last[name][0] == 0 or value == 0:
            lines.append(f"  {name}: {text} (new)")
            continue
        before, _, before_text = last[name]
        worse = before / value - 1 if higher else value / before - 1
        flag = "  << SLOWER by more than 20%" if worse > SLOWER else ""
        change = f"{abs(worse):.0%} " + ("slower" if worse > 0 else "faster")
        lines.append(f"  {name}: {text} (last committed {before_text}; {change}){flag}")
    return lines
