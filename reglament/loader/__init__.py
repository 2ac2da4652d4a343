"""Text → data → models: the one door through which definitions come in.

``load(path)`` gives one valid :class:`~reglament.schemas.Reglament` or raises
:class:`~reglament.errors.DefinitionError` listing every problem with ``file:line:column``;
``load_library(paths)`` loads many and reports instead of raising; ``Library.choose(ref)``
names the version a command works on (``ID``, ``ID@REGION``, ``ID@REGION@YYYY-MM-DD``), and why.
"""

from reglament.loader.library import (
    BUNDLED,
    Chosen,
    Library,
    Loaded,
    discover,
    load,
    load_file,
    load_library,
    parse_ref,
)

__all__ = [
    "BUNDLED",
    "Chosen",
    "Library",
    "Loaded",
    "discover",
    "load",
    "load_file",
    "load_library",
    "parse_ref",
]
