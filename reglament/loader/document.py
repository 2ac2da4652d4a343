"""Moved to :mod:`reglament.source.document` (the reader sits below the calendar now). This path
re-exports its public names for one release and will then be removed.
"""

from reglament.source.document import (
    MAX_EXTENDS_DEPTH,
    Document,
    PathKey,
    Plain,
    dotted,
    resolve_extends,
    to_document,
)

__all__ = [
    "MAX_EXTENDS_DEPTH",
    "Document",
    "PathKey",
    "Plain",
    "dotted",
    "resolve_extends",
    "to_document",
]
