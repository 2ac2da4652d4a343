"""The messages one event sends on a simulated case: what ``reglament render`` prints.

The case is replayed as a live one (:func:`~reglament.engine.watch.watch`: steps overdue, the
term at risk), and each notification of the event on its path is written for each recipient.
"""

from __future__ import annotations

from dataclasses import dataclass

from reglament.engine.runtime import Engine, Notice
from reglament.engine.simulate import Timeline
from reglament.engine.watch import watch
from reglament.errors import Arg, DefinitionError, UsageError
from reglament.renderers.notifications import (
    Message,
    builtin_problems,
    languages_of,
    render,
)
from reglament.schemas import Event, Language, Medium, Recipient


@dataclass(frozen=True, slots=True)
class Sent:
    """One message of an event: the notice that sent it and the message as written."""

    notice: Notice
    message: Message

    @property
    def notes(self) -> list[str]:
        """What a reader of the message should know: a medium other than declared, texts
        taken from another language, the SMS size."""
        notes = []
        declared = self.notice.notification.via
        if self.message.medium not in declared:
            notes.append(
                f"this notification is declared via {', '.join(m.value for m in declared)}; "
                f"rendered as {self.message.medium.value} on request"
            )
        notes.extend(self.message.notes)
        if self.message.medium is Medium.sms:
            notes.append(f"the SMS takes {self.message.sms_length}")
        return notes


def event_messages(
    engine: Engine,
    timeline: Timeline,
    event: Event,
    *,
    language: Language | None = None,
    medium: Medium | None = None,
    recipient: Recipient | None = None,
    receipt: str | None = None,
) -> list[Sent]:
    """Every message ``event`` sends on the simulated case ``timeline``: each notification of
    ``event`` on its path, for each recipient (or ``recipient`` only), in ``language`` (default:
    the notification's first) by ``medium`` (default: its first), numbered ``receipt`` (default:
    the number derived from the case).

    Raises :class:`DefinitionError` when the package's own templates are broken (a reglament's
    own are checked when it is loaded: ``load`` and ``load_library`` refuse a file whose
    templates fail), :class:`UsageError` when ``event`` is not declared, not on this path, or
    sent to no such recipient (each message lists what there is)."""
    reglament = engine.reglament
    declared = sorted({n.on.value for n in reglament.notifications})
    if event.value not in declared:
        raise UsageError(
            f"{reglament.id} declares no notification on {event.value}; "
            f"it declares: {', '.join(declared) or 'none'}"
        )
    problems = builtin_problems()
    if problems:
        raise DefinitionError(list(problems))
    case = watch(engine, timeline)
    notices = engine.notices(case)
    found = [n for n in notices if n.notification.on is event]
    if not found:
        raise UsageError(
            *_not_on_path(event, timeline, sorted({n.record.kind.value for n in notices}))
        )
    sent = [
        Sent(
            notice,
            render(
                engine,
                case,
                notice,
                language or languages_of(reglament, notice.notification)[0],
                medium or notice.notification.via[0],
                to,
                timeline=timeline,
                receipt=receipt,
            ),
        )
        for notice in found
        for to in notice.notification.to
        if recipient is None or to is recipient
    ]
    if not sent:
        recipients = sorted({r.value for n in found for r in n.notification.to})
        raise UsageError(
            f"no {event.value} notification goes to {recipient.value if recipient else ''}; "
            f"recipients: {', '.join(recipients)}"
        )
    return sent


def _not_on_path(event: Event, timeline: Timeline, occurring: list[str]) -> tuple[str | Arg, ...]:
    case = timeline.case
    path = f"channel {case.channel}" + (f", variant {case.variant}" if case.variant else "")
    hint: tuple[str | Arg, ...]
    if event is Event.step_overdue:
        hint = (" (every step takes its allowed time: make one late with ", Arg("actuals"), ")")
    elif event is Event.term_at_risk:
        hint = (" (the case ends before the term comes at risk, or the act states no term)",)
    elif event in (Event.suspended, Event.resumed):
        hint = (" (a simulated case is never suspended)",)
    else:
        hint = (" (choose another path with ", Arg("channel"), ", ", Arg("variant"), ", ")
        hint += (Arg("answers"), " or ", Arg("data"), ")")
    return (
        f"no {event.value} notification on this path ({path})",
        *hint,
        f"; notified on this path: {', '.join(occurring) or 'nothing'}",
    )
