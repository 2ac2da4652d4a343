"""Every bundled reglament renders every notification it declares, in every language the file
provides, by every medium (the declared ones and the rest), to every recipient, with no
undefined variable: one generated test per declared notification.

Each notification is rendered on every channel and variant whose simulated paths send it (one
case for each): every channel, variant, data combination and decision outcome is walked (as in
the engine's corpus test), and each path once more with every step taking longer than allowed,
so that steps come overdue.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

from reglament.engine import Case, Engine, Notice
from reglament.engine.simulate import Actual, Timeline, simulate
from reglament.engine.watch import watch
from reglament.loader import BUNDLED, load_file
from reglament.renderers import notifications
from reglament.schemas import (
    TIMED_UNITS,
    Decision,
    Language,
    Medium,
    Reglament,
    Task,
    Unit,
    Wait,
)
from reglament.schemas.common import Duration
from tests.engine.test_corpus import _runs, _submitted

FILES = sorted(p for p in BUNDLED.rglob("*.yaml") if not p.name.startswith("_"))
RANK = {Unit.minutes: 0, Unit.hours: 1, Unit.calendar_days: 2, Unit.working_days: 3}


@functools.cache
def _reglament(path: Path) -> Reglament:
    loaded = load_file(path)
    assert loaded.reglament is not None and loaded.ok, loaded.problems
    return loaded.reglament


def _late(reglament: Reglament) -> dict[str, Actual]:
    """For every timed step, a time longer than the longest it is allowed."""
    found: dict[str, Actual] = {}
    for step_id, step in reglament.steps.items():
        durations: list[Duration] = []
        if isinstance(step, Task | Decision):
            durations = [*step.duration] if isinstance(step.duration, list) else [step.duration]
        elif isinstance(step, Wait) and step.limit is not None:
            durations = [step.limit]
        timed = [d for d in durations if d.unit in TIMED_UNITS and d.value is not None]
        if timed:
            longest = max(timed, key=lambda d: (RANK[d.unit], d.value or 0))
            assert longest.value is not None
            found[step_id] = Actual(longest.value + 1, longest.unit)
    return found


Occurrence = tuple[Engine, Case, Timeline, Notice]
"""A simulated case on which a notification is sent, with its timeline and the notice."""


@functools.cache
def _reached(path: Path) -> dict[int, tuple[Occurrence, ...]]:
    """For each declared notification (by index), one simulated case per (channel, variant)
    whose paths send it: every path is walked, so that each channel's words (its name, its
    letterhead, its grounds, its places) are rendered, not only those of the first channel the
    notification occurs on."""
    reglament = _reglament(path)
    engine = Engine(reglament)
    at = _submitted(reglament)
    index = {id(n): i for i, n in enumerate(reglament.notifications)}
    found: dict[tuple[int, str, str | None], Occurrence] = {}
    for channel, variant, data, answers in _runs(reglament):
        for actuals in ({}, _late(reglament)):
            timeline = simulate(engine, at, channel, variant, data, answers, actuals)
            case = watch(engine, timeline)
            for notice in engine.notices(case):
                key = (index[id(notice.notification)], channel, variant)
                found.setdefault(key, (engine, case, timeline, notice))
    reached: dict[int, list[Occurrence]] = {}
    for (i, _channel, _variant), occurrence in found.items():
        reached.setdefault(i, []).append(occurrence)
    return {i: tuple(occurrences) for i, occurrences in sorted(reached.items())}


def _occurrences(path: Path) -> dict[int, Occurrence]:
    """For each declared notification (by index), the first simulated case on which it is
    sent (for the tests that need one case, not every channel's)."""
    return {i: occurrences[0] for i, occurrences in _reached(path).items()}


CASES = [
    pytest.param(path, i, id=f"{path.relative_to(BUNDLED)}:{i}:{n.on.value}")
    for path in FILES
    for i, n in enumerate(_reglament(path).notifications)
]


@pytest.mark.parametrize(("path", "index"), CASES)
def test_every_declared_notification_renders(path: Path, index: int) -> None:
    reglament = _reglament(path)
    notification = reglament.notifications[index]
    reached = _reached(path)
    assert index in reached, f"notification {index} ({notification.on}) is never sent"
    languages = notifications.languages_of(reglament, notification)
    assert set(languages) <= set(reglament.title.languages())
    for occurrence in reached[index]:
        _renders_in_every_language_and_medium(reglament, occurrence, languages)


def _renders_in_every_language_and_medium(
    reglament: Reglament, occurrence: Occurrence, languages: tuple[Language, ...]
) -> None:
    engine, case, timeline, notice = occurrence
    notification = notice.notification
    for language in languages:
        for medium in Medium:
            for recipient in notification.to:
                message = notifications.render(
                    engine, case, notice, language, medium, recipient, timeline=timeline
                )
                where = f"{case.channel} {case.variant}: {language.value} {medium.value} to {recipient.value}"
                assert message.body.strip(), where
                assert "None" not in message.text and "{" not in message.text, where
                assert not any("has no" in note for note in message.notes), where
                if medium is Medium.sms:  # one segment: ≤ 70 UCS-2 units, ≤ 160 GSM-7
                    length = message.sms_length
                    assert length.segments == 1, f"{where}: {length}: {message.body}"
                    if language is Language.en:
                        assert length.encoding == "GSM-7", f"{where}: {message.body}"
                else:
                    title = " ".join((reglament.title.get(language) or "").split())
                    assert title in message.text, where
                assert re.search(r"[A-Z]{3}-\d{8}-[0-9A-F]{6}", message.text), where
                if language is Language.ru:  # «е» chosen, and «Вы», «Ваш» capitalised
                    assert "ё" not in message.text, where
                    assert not re.search(r"\b(вы|ваш\w*|вам|вас)\b", message.text), where


def test_every_bundled_file_passes_the_template_check() -> None:
    for path in FILES:
        checked = notifications.check_templates(_reglament(path))
        assert not checked.problems and not checked.warnings, path


def test_the_built_in_templates_are_clean() -> None:
    assert notifications.builtin_problems() == ()


def test_a_notification_is_rendered_on_every_channel_that_sends_it() -> None:
    """Not only on the first channel it occurs on: the Atyrau child benefit's «result ready» is
    sent at the authorised body, at the rural akim's office and at the PSC, each case with its
    own channel's name and letterhead."""
    path = BUNDLED / "atyrau-2012" / "child-benefit-under-18.yaml"
    reglament = _reglament(path)
    ready = next(i for i, n in enumerate(reglament.notifications) if n.on.value == "result_ready")
    channels = [case.channel for _engine, case, _timeline, _notice in _reached(path)[ready]]
    assert channels == ["office", "akim", "con"]
    assert _occurrences(path)[ready][1].channel == "office"
