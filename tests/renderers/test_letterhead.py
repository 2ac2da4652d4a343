"""A paper letter is headed by one body, the one that writes it: the channel's ``letterhead``
when the reglament gives one, never a role word of the act such as «услугодатель»."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from reglament.engine import Engine
from reglament.engine.simulate import simulate
from reglament.loader import BUNDLED
from reglament.renderers import context, notifications
from reglament.renderers.context import Letter
from reglament.schemas import Event, Medium
from tests.engine.test_corpus import _submitted
from tests.renderers.test_notifications_corpus import FILES, _reached, _reglament

# the acts' words for a role or its office: what the act calls the provider, not a body's name
ROLE_WORDS = frozenset(
    {
        "көрсетілетін қызметті беруші",
        "көрсетілетін қызметті берушінің кеңсесі",
        "көрсетілген қызметті берушінің кеңсесі",
        "услугодатель",
        "канцелярия услугодателя",
    }
)
LETTERS = [
    pytest.param(path, id=str(path.relative_to(BUNDLED)))
    for path in FILES
    if any(Medium.letter in n.via for n in _reglament(path).notifications)
]


@pytest.mark.parametrize("path", LETTERS)
def test_no_bundled_letter_is_headed_by_a_role_word(path: Path) -> None:
    reglament = _reglament(path)
    for index, reached in _reached(path).items():
        if Medium.letter not in reglament.notifications[index].via:
            continue
        for engine, case, timeline, notice in reached:
            for language in notifications.languages_of(reglament, notice.notification):
                message = notifications.render(
                    engine, case, notice, language, Medium.letter, timeline=timeline
                )
                head = message.body.splitlines()[0]
                where = f"{path.name}: notification {index} via {case.channel} ({language.value}): {head!r}"
                assert head.strip(), where
                assert head.casefold() not in ROLE_WORDS, where


def _accepted_letter(channel: str, letter: Letter | None = None) -> str:
    reglament = _reglament(BUNDLED / "karaganda-2015" / "foreign-labour-permit.yaml")
    engine = Engine(reglament)
    timeline = simulate(engine, _at(), channel, "employer-issue", {}, {}, {})
    case = timeline.case
    notice = next(n for n in engine.notices(case) if n.notification.on is Event.accepted)
    return notifications.render(
        engine, case, notice, "ru", Medium.letter, timeline=timeline, letter=letter
    ).body


def _at() -> dt.datetime:
    return _submitted(_reglament(BUNDLED / "karaganda-2015" / "foreign-labour-permit.yaml"))


def test_the_channels_letterhead_heads_the_letter_and_the_callers_sender_wins() -> None:
    assert _accepted_letter("office").splitlines()[0] == "Местный исполнительный орган области"
    given = _accepted_letter("office", Letter(sender="Управление координации занятости"))
    assert given.splitlines()[0] == "Управление координации занятости"


@pytest.mark.parametrize("path", LETTERS)
def test_no_channel_of_a_file_sending_letters_heads_them_with_a_role_word(path: Path) -> None:
    # every channel, not only those the simulated cases above happened to take
    reglament = _reglament(path)
    for channel_id, channel in reglament.channels.items():
        for language in reglament.title.languages():
            head = context._letterhead(reglament, channel, context._Texts(language))
            assert head.casefold() not in ROLE_WORDS, f"{path.name}: {channel_id}: {head!r}"
