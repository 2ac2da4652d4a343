"""Moved to :mod:`reglament.source.yaml_reader` (the reader sits below the calendar now). This path
re-exports its public names for one release and will then be removed.
"""

from reglament.source.yaml_reader import (
    MAX_BYTES,
    MAX_DEPTH,
    MAX_NODES,
    Scalar,
    YamlProblem,
    YMap,
    YNode,
    YScalar,
    YSeq,
    is_blank,
    parse,
    read,
    read_text,
)

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "Scalar",
    "YMap",
    "YNode",
    "YScalar",
    "YSeq",
    "YamlProblem",
    "is_blank",
    "parse",
    "read",
    "read_text",
]
