"""Auditing reglaments: is a definition sound and lawful (docs/audit.md).

Built on the loader (positions), the calendar and the engine: the validator's problems, checks of
what the act leaves open or contradicts, and term compliance over every submission moment.
``compare`` sets versions of one service side by side; ``diff`` says what changed between two
versions and which in-flight cases would get a different due date.
"""

from reglament.audit.findings import RULES, Finding, Rule, Severity
from reglament.audit.report import AuditReport, FileAudit, audit_file, audit_library
from reglament.audit.terms import PathCheck, TermCheck, Window, check_terms, window

__all__ = [
    "RULES",
    "AuditReport",
    "FileAudit",
    "Finding",
    "PathCheck",
    "Rule",
    "Severity",
    "TermCheck",
    "Window",
    "audit_file",
    "audit_library",
    "check_terms",
    "window",
]
