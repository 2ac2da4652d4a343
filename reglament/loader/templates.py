"""The fourth pass of :func:`~reglament.loader.library.load_file`: the notification templates a
definition uses, the one place where the loader reaches above itself.

Whether a file is valid includes whether the templates its notifications use compile, read only
what their events provide and nothing the sandbox forbids, exist in each language they are sent
in, and render within the sandbox's limits (``renderers/notifications.py: check_templates``).
Those checks need the notices' composer (Jinja, the sandbox, the variables of each event), which
lives in the renderers, above the loader. This module is the one import against the layer order:
it is declared in pyproject.toml (``[tool.importlinter]``, ``ignore_imports``) and made inside
the function, so that the renderers, and Jinja, are imported only when a file is checked, and
Jinja only when the file has something of its own to check (``renderers/validation.py:
needs_template_check``). docs/architecture.md says why it sits here.
"""

from __future__ import annotations

from reglament.errors import Problem
from reglament.loader.document import Document
from reglament.schemas import Reglament


def check(reglament: Reglament, document: Document) -> tuple[list[Problem], list[Problem]]:
    """The problems (the file is invalid) and the warnings of the templates ``reglament``
    uses, positioned in ``document``."""
    from reglament.renderers import validation  # the declared upward import (see above)

    return validation.template_problems(reglament, document)
