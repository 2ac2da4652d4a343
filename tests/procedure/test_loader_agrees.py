"""The loader's semantic checks still hold their own walk of the exits and their own event
tables: the layer order puts the loader below the procedure layer, so it may not import it
until those checks move into it (issue 11, validity). Until then these tests hold the two
equal, so that a rule changed on one side fails here."""

from __future__ import annotations

from pathlib import Path

import pytest

from reglament.loader import load_file, semantic
from reglament.procedure import events, graph, timing
from reglament.schemas import EndKind, Event, Medium, Notification, Recipient
from tests.procedure.test_graph import FILES


def test_the_event_tables_agree() -> None:
    assert semantic.STEP_EVENTS == events.STEP_EVENTS
    assert semantic.END_EVENTS == events.END_EVENTS
    assert {
        end: event for end in EndKind if (event := events.raised_by(end)) is not None
    } == semantic.END_OF
    assert {Event(name) for name in semantic.BUILTIN_TEMPLATES} == set(Event)
    for template in (None, "talon"):
        note = Notification(
            on=Event.accepted, to=[Recipient.applicant], via=[Medium.sms], template=template
        )
        assert (note.template or note.on.value) == events.template_name(note)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_the_walks_of_exits_and_durations_agree(path: Path) -> None:
    loaded = load_file(path)
    assert loaded.reglament is not None and loaded.document is not None
    reglament = loaded.reglament
    checker = semantic._Checker(reglament, loaded.document)
    for step_id, step in reglament.steps.items():
        walked = [(e.target, e.path) for e in semantic.exits(step_id, step)]
        ours = [(t.to, ("steps", step_id, *t.key)) for e in graph.exits(step) for t in e.targets]
        assert walked == ours
        nexts = list(checker.nexts(step_id, step))
        assert nexts == [
            (("steps", step_id, *e.key), e.next) for e in graph.exits(step) if e.next is not None
        ]
    durations = [(p, d) for p, d in checker.durations() if p[0] == "steps"]
    assert durations == [
        (("steps", step_id, *t.key), t.duration)
        for step_id, step in reglament.steps.items()
        for t in timing.durations(step)
    ]
