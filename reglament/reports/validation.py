"""Validation results as text (one problem per line, then a summary) or JSON."""

from __future__ import annotations

import json

from reglament.errors import Problem
from reglament.loader import Library


def problem_dict(problem: Problem) -> dict[str, object]:
    return {
        "file": problem.position.file,
        "line": problem.position.line,
        "column": problem.position.column,
        "message": problem.message,
        "path": problem.path,
        "code": problem.code,
    }


def summary(library: Library) -> str:
    files = len(library.files)
    valid = sum(1 for f in library.files if f.ok)
    problems = len(library.all_problems())
    if problems == 0:
        return f"{files} file(s) checked: all valid ({len(library.reglaments)} reglaments)."
    return (
        f"{files} file(s) checked: {valid} valid, {files - valid} invalid; "
        f"{problems} problem(s) found."
    )


def as_text(library: Library) -> str:
    lines = [str(problem) for problem in library.all_problems()]
    lines.append(summary(library))
    return "\n".join(lines)


def notes(library: Library) -> list[str]:
    """The warnings, then a note for each template sent by SMS (its size at its longest):
    what ``validate`` prints on stderr, its stdout being the problems and the summary."""
    return [*(str(w) for w in library.all_warnings()), *(str(s) for s in library.all_sms())]


def as_json(library: Library) -> str:
    document = {
        "ok": library.ok,
        "files": [
            {
                "file": loaded.display,
                "ok": loaded.ok,
                "id": loaded.reglament.id if loaded.reglament else None,
                "region": loaded.reglament.region if loaded.reglament else None,
                "problems": [problem_dict(p) for p in loaded.problems],
                "sms": [size.to_dict() for size in loaded.sms],
            }
            for loaded in library.files
        ],
        "problems": [problem_dict(p) for p in library.problems],
        "warnings": [problem_dict(p) for p in library.all_warnings()],
        "summary": summary(library),
    }
    return json.dumps(document, ensure_ascii=False, indent=2)
