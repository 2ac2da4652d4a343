"""The fourth pass of :func:`~reglament.loader.library.load_file`: the notification templates a
definition uses.

Whether a file is valid includes whether the templates its notifications use compile, read only
what their events provide and nothing the sandbox forbids, exist in each language they are sent
in, and render within the sandbox's limits (``renderers/notifications.py: check_templates``).
Those checks need the notices' composer (Jinja, the sandbox, the variables of each event), which
lives in the renderers. The loader sits above the renderers in the layer order (the reports of
what was found about files sit above the audit, in :mod:`reglament.reports`), so this is an
ordinary import, made inside the function so that Jinja is imported only when the file has
something of its own to check (:func:`needs_template_check`). docs/architecture.md shows the
order.
"""

from __future__ import annotations

from reglament.errors import Position, Problem
from reglament.procedure import events
from reglament.renderers.sms import SmsSize
from reglament.renderers.variables import borrowed_template_fits
from reglament.schemas import Medium, Reglament
from reglament.source.document import Document


def needs_template_check(reglament: Reglament) -> bool:
    """Whether a reglament has anything of its own to check in its notifications: its own
    templates, an SMS to measure, or a built-in template used for an event that provides less
    than the template's own (the built-in templates themselves read only what their event
    provides: the test suite holds them to it)."""
    return bool(reglament.templates) or any(
        Medium.sms in n.via or not borrowed_template_fits(n) for n in reglament.notifications
    )


def named_steps(reglament: Reglament) -> list[str]:
    """The steps a message of any of ``reglament``'s notifications may name, in the file's
    order (:func:`reglament.procedure.events.steps_named_by` of each)."""
    named = {s for n in reglament.notifications for s in events.steps_named_by(reglament, n)}
    return [s for s in reglament.steps if s in named]


def unnamed_steps(reglament: Reglament, document: Document | None) -> list[Problem]:
    """One warning when steps a message may name have no ``message_name``: the message then
    names each by the act's action, a sentence rather than a short noun phrase. One per file,
    naming the steps, at the ``steps`` key (a bundled file would otherwise warn dozens of
    times)."""
    missing = [s for s in named_steps(reglament) if reglament.steps[s].message_name is None]
    if not missing:
        return []
    at = document.key_position(("steps",)) if document is not None else Position(reglament.id, 0, 0)
    return [
        Problem(
            at,
            f"warning: {len(missing)} step(s) named in notifications have no message_name, so "
            f"their messages name them by the act's action: {', '.join(missing)}",
            "steps",
            "message-name",
        )
    ]


def check(
    reglament: Reglament, document: Document | None
) -> tuple[list[Problem], list[Problem], list[SmsSize]]:
    """The problems (the file is invalid), the warnings (steps named in messages without a
    ``message_name``, an SMS longer than two segments) and the size of each template sent by
    SMS of the templates ``reglament`` uses, positioned in ``document``. Jinja is imported only
    when the reglament has something of its own to check."""
    unnamed = unnamed_steps(reglament, document)
    if not needs_template_check(reglament):
        return [], unnamed, []
    from reglament.renderers import notifications  # Jinja: only when there is something to check

    found = notifications.check_templates(reglament, document)
    return list(found.problems), [*unnamed, *found.warnings], list(found.sizes)
