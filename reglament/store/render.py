"""The store's answers as text, for the command line (``--format json`` prints them as they
are): a write's events, a case shown, a list of cases."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def written_text(response: Mapping[str, Any]) -> str:
    """``case ID (receipt R): revision N`` and one line per event the write added."""
    lines = [
        f"case {response['case']} (receipt {response['receipt']}): revision {response['revision']}"
    ]
    lines += [f"  {_event(event)}" for event in response["events"]]
    return "\n".join(lines) + "\n"


def show_text(shown: Mapping[str, Any]) -> str:
    """A stored case: what it is, where it stands as of the instant asked, its history."""
    status = shown["status"]
    variant = f", variant {shown['variant']}" if shown["variant"] else ""
    lines = [
        f"case {shown['case']} (receipt {shown['receipt']}): revision {shown['revision']}, "
        f"{shown['state']}",
        f"  {shown['reglament']}@{shown['region']}@{shown['version']}, channel "
        f"{shown['channel']}{variant}",
        f"as of {status['at']}:",
    ]
    for step in status["active"]:
        due = f"due {step['due']}" if step["due"] else "untimed"
        lines.append(f"  {step['step']}: since {step['started']}, {due}, {step['state']}")
    if status["finished"]:
        lines.append(f"  finished: {status['end']}")
    term = f"due {status['term_due']}, " if status["term_due"] else ""
    lines.append(f"  term: {term}{status['term']}")
    lines.append("history:")
    lines += [f"  {_event(event)}" for event in shown["events"]]
    return "\n".join(lines) + "\n"


def list_text(found: Sequence[Mapping[str, Any]]) -> str:
    """One line per case: receipt, reglament and region, state, revision, what is due."""
    if not found:
        return "no cases\n"
    lines = []
    for case in found:
        late = f", overdue since {case['overdue_at']}" if case["overdue_at"] else ""
        due = f", term due {case['term_due']}" if case["term_due"] else ""
        lines.append(
            f"{case['receipt']}  {case['reglament']}@{case['region']}  {case['state']}  "
            f"revision {case['revision']}{due}{late}  ({case['case']})"
        )
    return "\n".join(lines) + "\n"


def _event(event: Mapping[str, Any]) -> str:
    parts = [f"{event['seq']:>3} {event['at']} {event['kind']}"]
    parts += [str(event[k]) for k in ("step", "outcome") if event[k]]
    if event["detail"]:
        parts.append(f"({event['detail']})")
    who = "/".join(str(event[k]) for k in ("user", "role") if event[k])
    if who:
        parts.append(f"by {who}")
    if event["comment"]:
        parts.append(f"— {event['comment']}")
    return " ".join(parts)
