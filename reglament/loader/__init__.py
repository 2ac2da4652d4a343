"""Text → data → models: the one door through which definitions come in.

``load(path)`` gives one valid :class:`~reglament.schemas.Reglament` or raises
:class:`~reglament.errors.DefinitionError` listing every problem with ``file:line:column``;
``load_library(paths)`` loads many and reports instead of raising.
"""

from reglament.loader.library import (
    BUNDLED,
    Library,
    Loaded,
    discover,
    load,
    load_file,
    load_library,
)

__all__ = ["BUNDLED", "Library", "Loaded", "discover", "load", "load_file", "load_library"]
