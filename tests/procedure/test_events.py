"""One vocabulary of events: every event a notification is declared on is a kind of the case
history under the same name, the end of a case records the event its kind of end raises, and a
record triggers exactly the notifications that name its event, step or end, and channel."""

from __future__ import annotations

import pytest

from reglament.loader import load
from reglament.procedure import events
from reglament.procedure.events import Kind
from reglament.schemas import EndKind, Event, Medium, Notification, Recipient
from tests.procedure.test_timing import MINIMAL


def test_every_event_is_a_kind_and_four_kinds_are_not_events() -> None:
    for event in Event:
        kind = events.kind_of(event)
        assert (kind.name, kind.value) == (event.name, event.value)
        assert events.event_of(kind) is event
    others = [kind for kind in Kind if events.event_of(kind) is None]
    assert others == [Kind.term_overdue, Kind.ended, Kind.migrated, Kind.reprojected]


@pytest.mark.parametrize(
    ("end", "raised", "recorded"),
    [
        (EndKind.result, Event.result_ready, Kind.result_ready),
        (EndKind.refusal, Event.refused, Kind.refused),
        (EndKind.data_unavailable, Event.data_unavailable, Kind.data_unavailable),
        (EndKind.withdrawn, None, Kind.ended),
        (EndKind.other, None, Kind.ended),
    ],
)
def test_an_end_raises_its_event(end: EndKind, raised: Event | None, recorded: Kind) -> None:
    assert events.raised_by(end) is raised
    assert events.ending(end) is recorded
    assert (raised in events.END_EVENTS) == (raised is not None)


def _note(**fields: object) -> Notification:
    return Notification.model_validate({"to": [Recipient.applicant], "via": [Medium.sms], **fields})


def test_the_template_is_its_own_else_the_events() -> None:
    assert events.template_name(_note(on="accepted")) == "accepted"
    assert events.template_name(_note(on="accepted", template="talon")) == "talon"


def test_at_risk_days_default_and_declared() -> None:
    reglament = load(MINIMAL)
    assert events.at_risk_days(reglament) == events.DEFAULT_AT_RISK_DAYS == 2
    declared = _note(on="term_at_risk", days_before=4)
    with_risk = reglament.model_copy(update={"notifications": [declared]})
    assert events.at_risk_days(with_risk) == 4
    assert events.at_risk_days(reglament, _note(on="term_at_risk", days_before=1)) == 1


def test_a_record_triggers_the_notifications_that_match_it() -> None:
    on_step = _note(on="step_completed", step="check")
    at_end = _note(on="result_ready", end="issued")
    at_office = _note(on="accepted", channel="office")
    assert events.sends(on_step, Kind.step_completed, "check", "office")
    assert not events.sends(on_step, Kind.step_completed, "register", "office")
    assert not events.sends(on_step, Kind.step_started, "check", "office")
    assert events.sends(at_end, Kind.result_ready, "issued", None)
    assert not events.sends(at_end, Kind.result_ready, "other-end", None)
    assert not events.sends(at_end, Kind.ended, "issued", None)
    assert events.sends(at_office, Kind.accepted, None, "office")
    assert events.sends(at_office, Kind.accepted, None, None)  # None: any channel
    assert not events.sends(at_office, Kind.accepted, None, "portal")
