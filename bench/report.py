"""BENCHMARKS.md: each benchmark section rewrites only the part between its own markers."""

from __future__ import annotations

from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"


def write_section(start: str, end: str, section: str) -> None:
    """Put ``section`` (which begins with ``start`` and ends with ``end``) into BENCHMARKS.md,
    replacing the previous one or appending it, and print it."""
    text = OUT.read_text(encoding="utf-8") if OUT.exists() else "# Benchmarks\n\n"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    OUT.write_text(text, encoding="utf-8")
    print(section)
