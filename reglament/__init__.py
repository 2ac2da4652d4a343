"""reglament: Kazakhstan's state-service regulations, loaded, validated, run, rendered, audited.

The public API, importable from the package itself::

    from reglament import Engine, Case, Library, load, load_library, simulate

Each name is the object its own module defines (``reglament.engine.Engine``,
``reglament.engine.Case``, ``reglament.loader.Library``, ``reglament.loader.load``,
``reglament.loader.load_library``, ``reglament.engine.simulate.simulate``), imported only when it
is first asked for (PEP 562): ``import reglament.errors`` or ``reglament.schemas`` loads neither
the engine nor the loader.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # what the names are, for type checkers; at run time see __getattr__
    from reglament.engine.case import Case
    from reglament.engine.runtime import Engine
    from reglament.engine.simulate import simulate
    from reglament.loader.library import Library, load, load_library

# each public name and the module that defines it
_HOMES = {
    "Case": "reglament.engine.case",
    "Engine": "reglament.engine.runtime",
    "Library": "reglament.loader.library",
    "load": "reglament.loader.library",
    "load_library": "reglament.loader.library",
    "simulate": "reglament.engine.simulate",
}

__all__ = ["Case", "Engine", "Library", "load", "load_library", "simulate"]


if not TYPE_CHECKING:  # a type checker sees the imports above, and so flags a name not there

    def __getattr__(name: str) -> object:
        """A public name, imported from its module the first time it is asked for."""
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module 'reglament' has no attribute {name!r}")
        value: object = getattr(importlib.import_module(home), name)
        globals()[name] = value  # asked once: the next time is an ordinary attribute
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})
