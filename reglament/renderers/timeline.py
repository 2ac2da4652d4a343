"""A simulated case as a terminal table (coloured on request), Markdown, a standalone HTML page
or JSON (whose schema is ``reglament/schemas/timeline.schema.json``)."""

from __future__ import annotations

import datetime as dt
import json
from typing import cast

from reglament.calendar.days import fmt_instant
from reglament.engine.simulate import Row, Timeline
from reglament.schemas.timeline import NotificationJSON, TimelineJSON


def bare_note(version_note: str) -> str:
    """The note a header shows after the version (`` (chosen as ...)``) without its one pair of
    parentheses, for JSON: what is inside stays as it is, balanced."""
    note = version_note.strip()
    if note.startswith("(") and note.endswith(")"):
        note = note[1:-1]
    return note.strip()


def marks(row: Row) -> tuple[str, ...]:
    """A row's flags as text shows them, ``late`` among them: colour is never the only mark."""
    return (*row.flags, "late") if row.late else row.flags


def header_lines(timeline: Timeline, version_note: str) -> list[str]:
    case = timeline.case
    lines = [
        f"{case.reglament} ({case.region}), version in force from {case.version}{version_note}",
        f"channel {case.channel}" + (f", variant {case.variant}" if case.variant else ""),
        f"submitted {fmt_instant(case.submitted_at)}, accepted {fmt_instant(case.accepted_at)} ({case.timezone})",
    ]
    return lines


def verdict_text(timeline: Timeline) -> str:
    end = f"ended at {timeline.case.end} on {fmt_instant(timeline.end)}"
    if timeline.term_due is None:
        verdict = f"{end}; the act states no overall term"
    elif timeline.term_met:
        verdict = (
            f"{end}; legal term {timeline.term_text} due {fmt_instant(timeline.term_due)}: met"
        )
    else:
        verdict = (
            f"{end}; legal term {timeline.term_text} due {fmt_instant(timeline.term_due)}: BROKEN"
        )
    if timeline.lower_bound:
        verdict += " (some steps have no time in the act: the real end may be later)"
    return verdict


RED, YELLOW, GREEN, BOLD, RESET = "\x1b[31m", "\x1b[33m", "\x1b[32m", "\x1b[1m", "\x1b[0m"


def _paint(text: str, colour: str | None) -> str:
    return f"{colour}{text}{RESET}" if colour else text


def _row_colour(row: Row) -> str | None:
    if row.late:
        return RED
    if "untimed" in row.flags:
        return YELLOW
    return None


def _verdict_colour(timeline: Timeline) -> str | None:
    if timeline.term_met is None:
        return BOLD
    return GREEN if timeline.term_met else RED


def as_table(timeline: Timeline, version_note: str = "", color: bool = False) -> str:
    """The timeline as a plain-text table; with ``color``, ANSI colours: late steps red, steps
    without time in the act yellow, the verdict green (term met) or red (broken)."""
    lines = header_lines(timeline, version_note)
    lines.append("")
    head = (
        f"{'step':<24} {'actor':<18} {'start':<21} {'allowed':<18} {'due':<21} {'end':<21} outcome"
    )
    lines.append(head)
    lines.append("-" * len(head))
    for row in timeline.rows:
        flags = f" [{', '.join(marks(row))}]" if marks(row) else ""
        counted = "" if row.counted else " (not in term)"
        line = (
            f"{row.step:<24} {row.actor or '':<18} {fmt_instant(row.start):<21} {row.allowed + counted:<18} "
            f"{fmt_instant(row.due):<21} {fmt_instant(row.end):<21} {row.outcome or ''}{flags}"
        )
        lines.append(_paint(line, _row_colour(row) if color else None))
    lines.append("")
    lines.append(_paint(verdict_text(timeline), _verdict_colour(timeline) if color else None))
    if timeline.term_explanation:
        lines.append(f"term: {timeline.term_explanation}")
    lines.append("")
    lines.append("How each due time was computed:")
    for row in timeline.rows:
        if row.explanation:
            lines.append(f"  {row.step}: {row.explanation}")
    if timeline.assumptions:
        lines.append("")
        lines.append("Assumed:")
        lines.extend(f"  {a}" for a in timeline.assumptions)
    lines.append("")
    lines.append("Notifications:")
    if not timeline.notices:
        lines.append("  (none declared for these events)")
    for notice in timeline.notices:
        n = notice.notification
        lines.append(
            f"  {fmt_instant(notice.record.at)}  {notice.record.kind.value:<16} to {', '.join(r.value for r in n.to)} "
            f"by {', '.join(m.value for m in n.via)} (template {notice.template})"
        )
    return "\n".join(lines)


def as_markdown(timeline: Timeline, version_note: str = "") -> str:
    lines = [f"# {timeline.case.reglament}: simulated case", ""]
    lines += [f"- {line}" for line in header_lines(timeline, version_note)]
    lines += [
        "",
        "| step | actor | start | allowed | due | end | outcome |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in timeline.rows:
        flags = f" ({', '.join(marks(row))})" if marks(row) else ""
        lines.append(
            f"| {row.step} | {row.actor or ''} | {fmt_instant(row.start)} | {row.allowed} | {fmt_instant(row.due)} | "
            f"{fmt_instant(row.end)} | {row.outcome or ''}{flags} |"
        )
    lines += ["", f"**{verdict_text(timeline)}**", ""]
    if timeline.term_explanation:
        lines += [f"Term: {timeline.term_explanation}", ""]
    lines += ["## Due times", ""]
    lines += [f"- `{row.step}`: {row.explanation}" for row in timeline.rows if row.explanation]
    if timeline.assumptions:
        lines += ["", "## Assumed", ""] + [f"- {a}" for a in timeline.assumptions]
    lines += ["", "## Notifications", ""]
    for notice in timeline.notices:
        n = notice.notification
        lines.append(
            f"- {fmt_instant(notice.record.at)}: {notice.record.kind.value} → {', '.join(r.value for r in n.to)} "
            f"by {', '.join(m.value for m in n.via)} (template `{notice.template}`)"
        )
    return "\n".join(lines) + "\n"


def as_dict(timeline: Timeline, version_note: str = "") -> TimelineJSON:
    def iso(t: dt.datetime | None) -> str | None:
        return t.isoformat() if t is not None else None

    def instant(t: dt.datetime) -> str:
        return t.isoformat()

    case = timeline.case
    return {
        "reglament": case.reglament,
        "version": case.version,
        "version_note": bare_note(version_note),
        "region": case.region,
        "timezone": case.timezone,
        "channel": case.channel,
        "variant": case.variant,
        "submitted_at": instant(case.submitted_at),
        "accepted_at": instant(case.accepted_at),
        "steps": [
            {
                "step": row.step,
                "kind": row.kind,
                "actor": row.actor,
                "start": instant(row.start),
                "allowed": row.allowed,
                "due": iso(row.due),
                "end": instant(row.end),
                "outcome": row.outcome,
                "counted_in_term": row.counted,
                "flags": list(row.flags),
                "explanation": row.explanation,
            }
            for row in timeline.rows
        ],
        "end": {"step": case.end, "at": iso(case.finished_at)},
        "term": {
            "text": timeline.term_text,
            "due": iso(timeline.term_due),
            "met": timeline.term_met,
            "explanation": timeline.term_explanation,
        },
        "lower_bound": timeline.lower_bound,
        "assumptions": list(timeline.assumptions),
        "notifications": [cast(NotificationJSON, notice.to_dict()) for notice in timeline.notices],
    }


def as_json(timeline: Timeline, version_note: str = "") -> str:
    return json.dumps(as_dict(timeline, version_note), ensure_ascii=False, indent=2)
