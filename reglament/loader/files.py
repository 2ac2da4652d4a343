"""Moved to :mod:`reglament.source.files` (the reader sits below the calendar now). This path
re-exports its public names for one release and will then be removed.
"""

from reglament.source.files import (
    JSON_DEPTH,
    NAME_MAX,
    PATH_MAX,
    Kind,
    Refused,
    exists,
    kind,
    line_col,
    name_problem,
    read_json,
    read_text,
    shown,
    text_line_col,
)

__all__ = [
    "JSON_DEPTH",
    "NAME_MAX",
    "PATH_MAX",
    "Kind",
    "Refused",
    "exists",
    "kind",
    "line_col",
    "name_problem",
    "read_json",
    "read_text",
    "shown",
    "text_line_col",
]
