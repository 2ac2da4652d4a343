"""Validation results as text (one problem per line, then a summary) or JSON."""

from __future__ import annotations

import json

from reglament.errors import Problem
from reglament.loader import Library
from reglament.loader.document import Document
from reglament.renderers.variables import borrowed_template_fits
from reglament.schemas import Medium, Reglament


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
            }
            for loaded in library.files
        ],
        "problems": [problem_dict(p) for p in library.problems],
        "warnings": [problem_dict(p) for p in library.all_warnings()],
        "summary": summary(library),
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def needs_template_check(reglament: Reglament) -> bool:
    """Whether a reglament has anything of its own to check in its notifications: its own
    templates, an SMS to measure, or a built-in template used for an event that provides less
    than the template's own (the built-in templates themselves read only what their event
    provides: the test suite holds them to it)."""
    return bool(reglament.templates) or any(
        Medium.sms in n.via or not borrowed_template_fits(n) for n in reglament.notifications
    )


def template_problems(
    reglament: Reglament, document: Document | None
) -> tuple[list[Problem], list[Problem]]:
    """The notification-template problems of one definition (they make it invalid) and its
    warnings (an SMS longer than two segments): the loader's last pass (loader/templates.py).
    Jinja is imported only when the reglament has something of its own to check."""
    if not needs_template_check(reglament):
        return [], []
    from reglament.renderers import notifications

    found = notifications.check_templates(reglament, document)
    return list(found.problems), list(found.warnings)
