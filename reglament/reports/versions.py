"""Versions side by side (``compare``) and what changed between two (``diff``): text,
Markdown, JSON."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from typing import Any

from reglament.audit.compare import Comparison
from reglament.audit.diff import Diff, Shift
from reglament.calendar.days import fmt_instant

TEXT_WIDTH = 160  # characters of a text table


def _iso(t: dt.datetime | None) -> str | None:
    return None if t is None else t.isoformat()


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or " "


# -- compare ----------------------------------------------------------------------------------------


def compare_text(c: Comparison) -> str:
    columns = len(c.versions)
    label_width = 24
    width = max(24, (TEXT_WIDTH - label_width - 3 * columns) // max(columns, 1))
    lines = [f"{c.service}: {columns} version(s)"]
    lines.extend(f"note: {note}" for note in c.notes)
    header = [""] + [v.label for v in c.versions]
    for section in c.sections:
        lines.append("")
        lines.append(f"== {section.title}")
        lines.append(_text_row(header, label_width, width))
        lines.append("-" * (label_width + (width + 3) * columns))
        for row in section.rows:
            lines.append(_text_row([row.label, *row.cells], label_width, width))
    return "\n".join(lines)


def _text_row(cells: list[str], label_width: int, width: int) -> str:
    wrapped = [textwrap.wrap(cells[0], label_width) or [""]]
    wrapped += [textwrap.wrap(cell, width) or ["—"] for cell in cells[1:]]
    height = max(len(w) for w in wrapped)
    out = []
    for i in range(height):
        parts = [(wrapped[0][i] if i < len(wrapped[0]) else "").ljust(label_width)]
        parts += [(w[i] if i < len(w) else "").ljust(width) for w in wrapped[1:]]
        out.append(" | ".join(parts).rstrip())
    return "\n".join(out)


def compare_markdown(c: Comparison) -> str:
    lines = [f"# {c.service}: {len(c.versions)} version(s)", ""]
    lines.extend(f"> {note}" for note in c.notes)
    for section in c.sections:
        lines += ["", f"## {section.title}", ""]
        lines.append("| | " + " | ".join(v.label for v in c.versions) + " |")
        lines.append("|---|" + "---|" * len(c.versions))
        for row in section.rows:
            lines.append(
                f"| {_cell(row.label)} | " + " | ".join(_cell(x) for x in row.cells) + " |"
            )
    return "\n".join(lines) + "\n"


def compare_dict(c: Comparison) -> dict[str, Any]:
    return {
        "service": c.service,
        "versions": [
            {
                "label": v.label,
                "id": v.reglament.id,
                "region": v.reglament.region,
                "from": v.reglament.effective.from_.isoformat(),
                "file": v.loaded.display,
            }
            for v in c.versions
        ],
        "notes": list(c.notes),
        "sections": [
            {
                "title": s.title,
                "rows": [{"label": r.label, "cells": list(r.cells)} for r in s.rows],
            }
            for s in c.sections
        ],
    }


def compare_json(c: Comparison) -> str:
    return json.dumps(compare_dict(c), ensure_ascii=False, indent=2)


# -- diff --------------------------------------------------------------------------------------------


def diff_text(d: Diff) -> str:
    lines = [f"old: {d.old_label}", f"new: {d.new_label}", ""]
    if not d.changes:
        lines.append("no structural changes")
    for change in d.changes:
        detail = (
            change.new
            if change.kind == "added"
            else change.old
            if change.kind == "removed"
            else f"{change.old} → {change.new}"
        )
        lines.append(f"{change.where}: {change.what} {change.name} {change.kind}: {detail}")
    if d.cases is not None:
        lines.append("")
        lines += _cases_text(d)
    return "\n".join(lines)


def _cases_text(d: Diff) -> list[str]:
    assert d.cases is not None
    changed = [c for c in d.cases if c.changed]
    lines = [
        f"cases in flight: {len(d.cases)}; {len(changed)} with other due instants under the new version"
    ]
    for case in changed:
        lines.append(f"  {case.label}")
        if case.problem:
            lines.append(f"    {case.problem}")
        lines.extend(shift_line(s) for s in case.shifts if s.old != s.new)
    return lines


def shift_line(s: Shift) -> str:
    """One due instant of a case under two versions, as ``diff --cases`` (and an amendment's
    plan, ``runtime/amend.py``) writes it: ``    review: due 11:00 Tue 2016-02-02 → ...``."""
    old = fmt_instant(s.old, time_first=True)
    new = fmt_instant(s.new, time_first=True)
    return f"    {s.what}: due {old} → {new}: {s.words}"


def diff_markdown(d: Diff) -> str:
    lines = ["# What changed", "", f"- old: `{d.old_label}`", f"- new: `{d.new_label}`", ""]
    if d.changes:
        lines += ["| where | what | change | old | new |", "|---|---|---|---|---|"]
        for c in d.changes:
            lines.append(
                f"| `{c.where}` | {c.what} `{c.name}` | {c.kind} | {_cell(c.old)} | {_cell(c.new)} |"
            )
    else:
        lines.append("No structural changes.")
    if d.cases is not None:
        changed = [c for c in d.cases if c.changed]
        lines += [
            "",
            "## Cases in flight",
            "",
            f"{len(d.cases)} case(s); {len(changed)} with other due instants under the new version.",
            "",
        ]
        if changed:
            lines += ["| case | what | old due | new due | difference |", "|---|---|---|---|---|"]
            for case in changed:
                if case.problem:
                    lines.append(f"| {_cell(case.label)} | | | | {_cell(case.problem)} |")
                for s in case.shifts:
                    if s.old != s.new:
                        lines.append(
                            f"| {_cell(case.label)} | {s.what} | {fmt_instant(s.old, time_first=True)} | "
                            f"{fmt_instant(s.new, time_first=True)} | {s.words} |"
                        )
    return "\n".join(lines) + "\n"


def diff_dict(d: Diff) -> dict[str, Any]:
    return {
        "old": d.old_label,
        "new": d.new_label,
        "changes": [
            {
                "kind": c.kind,
                "what": c.what,
                "name": c.name,
                "old": c.old,
                "new": c.new,
                "where": c.where,
            }
            for c in d.changes
        ],
        "cases": None
        if d.cases is None
        else [
            {
                "index": c.index,
                "label": c.label,
                "changed": c.changed,
                "problem": c.problem,
                "due": [
                    {"what": s.what, "old": _iso(s.old), "new": _iso(s.new), "difference": s.words}
                    for s in c.shifts
                ],
            }
            for c in d.cases
        ],
    }


def diff_json(d: Diff) -> str:
    return json.dumps(diff_dict(d), ensure_ascii=False, indent=2)
