"""What can happen to a case, and which notifications it sends: one vocabulary.

A reglament declares its notifications on an :class:`~reglament.schemas.Event`. A case's history
records a :class:`Kind`: every event, under the same name, and four more that no notification is
declared on (``term_overdue``; ``ended``, an end that is neither a result, a refusal nor missing
data; ``migrated``, the case moved to another version of its reglament, ``runtime/amend.py``;
``reprojected``, its due instants planned again on a new calendar, ``runtime/timers.py``). A
kind is turned into its event by :func:`event_of`, never through its ``.value``.

Here too: which events name a step and which an end (:data:`STEP_EVENTS`, :data:`END_EVENTS`),
the event each kind of end raises (:func:`raised_by`), the template a notification uses
(:func:`template_name`, :data:`BUILTIN_TEMPLATES`), when the legal term counts as at risk (:func:`at_risk_days`) and which
declared notifications an event triggers (:func:`sends`).
"""

from __future__ import annotations

from enum import StrEnum

from reglament.schemas import Decision, EndKind, Event, Notification, Reglament, Task, Wait


class Kind(StrEnum):
    """What happened to a case (the events notifications are attached to, and four more)."""

    accepted = Event.accepted.value
    step_started = Event.step_started.value
    step_completed = Event.step_completed.value
    step_overdue = Event.step_overdue.value
    term_at_risk = Event.term_at_risk.value
    term_overdue = "term_overdue"
    suspended = Event.suspended.value
    resumed = Event.resumed.value
    data_unavailable = Event.data_unavailable.value
    refused = Event.refused.value
    result_ready = Event.result_ready.value
    ended = "ended"
    migrated = "migrated"
    """The case moved to another version of its reglament (an amendment): the detail names
    both versions; recorded by ``runtime/amend.py: migrate``, never by a move of the engine."""
    reprojected = "reprojected"
    """The case's due instants planned again on a new calendar (a new override file): the
    detail names both calendars and each due instant old → new; recorded by
    ``runtime/timers.py: reprojection``, never by a move of the engine."""


_EVENT_OF: dict[Kind, Event] = {Kind[event.name]: event for event in Event}


def event_of(kind: Kind) -> Event | None:
    """The event a notification may be declared on for ``kind`` (``None`` for the four kinds
    that have none)."""
    return _EVENT_OF.get(kind)


def kind_of(event: Event) -> Kind:
    """The kind a case's history records for ``event``."""
    return Kind[event.name]


STEP_EVENTS = frozenset({Event.step_started, Event.step_completed, Event.step_overdue})
"""The events that name a step (a notification may be limited to one with ``step``)."""

_RAISED: dict[EndKind, Event] = {
    EndKind.result: Event.result_ready,
    EndKind.refusal: Event.refused,
    EndKind.data_unavailable: Event.data_unavailable,
}
END_EVENTS = frozenset(_RAISED.values())
"""The events an end raises (a notification may be limited to one end with ``end``)."""


def raised_by(end: EndKind) -> Event | None:
    """The event an end of this kind raises; other endings (withdrawn, other) raise none."""
    return _RAISED.get(end)


def ending(end: EndKind) -> Kind:
    """What a case's history records when it ends at an end of this kind."""
    event = raised_by(end)
    return Kind.ended if event is None else kind_of(event)


BUILTIN_TEMPLATES = frozenset(event.value for event in Event)
"""The names of the built-in templates: one for each event, named as the event."""


def template_name(notification: Notification) -> str:
    """The template a notification uses: its own ``template``, else its event's name (a
    reglament's own template of that name, else the built-in one)."""
    return notification.template or notification.on.value


def builtin_template(name: str) -> Event | None:
    """The event whose built-in template ``name`` is (``None``: no built-in template has that
    name; it must be one of the reglament's own)."""
    return Event(name) if name in BUILTIN_TEMPLATES else None


DEFAULT_AT_RISK_DAYS = 2
"""Working days before the term's end from which it is at risk, when the reglament says none."""


def at_risk_days(reglament: Reglament, notification: Notification | None = None) -> int:
    """Working days before the term's end from which it is at risk: ``notification``'s own
    ``days_before`` when it has one, else the reglament's first ``term_at_risk`` notification's,
    else :data:`DEFAULT_AT_RISK_DAYS`."""
    if notification is not None and notification.days_before is not None:
        return notification.days_before
    for declared in reglament.notifications:
        if declared.on is Event.term_at_risk and declared.days_before is not None:
            return declared.days_before
    return DEFAULT_AT_RISK_DAYS


def sends(notification: Notification, kind: Kind, step: str | None, channel: str | None) -> bool:
    """Whether an event of ``kind`` (at ``step``, for a case applied through ``channel``)
    triggers ``notification``: its event, its step or end (when it names one) and its channel
    (when it is limited to one; ``channel`` ``None``: any) all match."""
    if event_of(kind) is not notification.on:
        return False
    if notification.step is not None and notification.step != step:
        return False
    if notification.end is not None and notification.end != step:
        return False
    return channel is None or notification.channel in (None, channel)


def steps_named_by(reglament: Reglament, notification: Notification) -> list[str]:
    """The steps a message of ``notification`` may name (its ``step``), in the file's order:
    none for an event that names no step; else the one it is limited to, else every task,
    decision and wait (a step event, or ``term_at_risk``, naming the step the case is in)."""
    if notification.on not in STEP_EVENTS and notification.on is not Event.term_at_risk:
        return []
    if notification.step:
        return [notification.step]
    return [s for s, step in reglament.steps.items() if isinstance(step, Task | Decision | Wait)]
