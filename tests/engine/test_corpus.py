"""One generated test per bundled reglament: it compiles, and simulates end to end on every
channel with a procedure, every variant and every decision outcome; and a case saved halfway,
reloaded and finished gives the same result as never stopping (and, saved, follows the published
case schema)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from zoneinfo import ZoneInfo

import pytest

from reglament.engine import Case, Engine
from reglament.engine.compiled import Compiled
from reglament.engine.simulate import simulate
from reglament.errors import UsageError
from reglament.loader import BUNDLED, load_file
from reglament.procedure import outcomes
from reglament.schemas import DataField, Decision, Reglament
from tests.engine.saved_cases import case_validator

CASE_VALIDATOR = case_validator()  # the published case.schema.json
FILES = sorted(p for p in BUNDLED.rglob("*.yaml") if not p.name.startswith("_"))


def _reglament(path_name: str) -> Reglament:
    loaded = load_file(BUNDLED / path_name)
    assert loaded.reglament is not None and not loaded.problems, loaded.problems
    return loaded.reglament


def _submitted(reglament: Reglament) -> dt.datetime:
    """10:00 on the first weekday the version is in force (a plain, in-hours submission)."""
    day = reglament.effective.from_
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=ZoneInfo(reglament.timezone))


def _data_combinations(fields: dict[str, DataField]) -> list[dict[str, object]]:
    choices: list[list[tuple[str, object]]] = []
    for name, field in fields.items():
        if field.type.value == "bool":
            choices.append([(name, False), (name, True)])
        elif field.values:
            choices.append([(name, v) for v in field.values])
    return [dict(combo) for combo in itertools.product(*choices)] or [{}]


def _runs(reglament: Reglament) -> list[tuple[str, str | None, dict[str, object], dict[str, str]]]:
    """Channel × variant × data × (one answer per decision/wait outcome), only the admissible
    ones: each channel with the variants it serves and the data its ``when`` lets in."""
    compiled = Compiled(reglament)
    channels = [c for c, ch in reglament.channels.items() if ch.start]
    answers: list[dict[str, str]] = [{}]
    for step_id, step in reglament.steps.items():
        if outcomes.chooser(step) is outcomes.Chooser.caller:
            answers += [
                {step_id: outcome}
                for outcome in outcomes.outcomes(step)
                if outcome != outcomes.default(step)
            ]
    return [
        (c, v, d, a)
        for c in channels
        for v in compiled.served_variants(c)
        for d in _data_combinations(reglament.data)
        if compiled.admits(c, d, v)
        for a in answers
    ]


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(BUNDLED)))
def test_every_channel_is_simulated(path: object) -> None:
    """Channel restrictions (variants, when) never leave a channel with a procedure unrun, and
    every inadmissible combination is refused at the start."""
    reglament = _reglament(str(path))
    runs = _runs(reglament)
    with_procedure = {c for c, ch in reglament.channels.items() if ch.start}
    assert {c for c, _, _, _ in runs} == with_procedure
    engine = Engine(reglament)
    at = _submitted(reglament)
    admitted = {(c, v, tuple(sorted(d.items()))) for c, v, d, _ in runs}
    for channel in with_procedure:
        variants: list[str | None] = list(reglament.variants) or [None]
        for variant in variants:
            for data in _data_combinations(reglament.data):
                if (channel, variant, tuple(sorted(data.items()))) not in admitted:
                    with pytest.raises(UsageError, match=f"channel {channel!r} of"):
                        engine.start(at, channel, variant, data)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(BUNDLED)))
def test_simulates_every_path(path: object) -> None:
    reglament = _reglament(str(path))
    engine = Engine(reglament)
    at = _submitted(reglament)
    taken: set[tuple[str, str]] = set()
    reached: set[str] = set()
    ends: set[str] = set()
    for channel, variant, data, answers in _runs(reglament):
        timeline = simulate(engine, at, channel, variant, data, answers)
        assert timeline.case.finished, (channel, variant, answers)
        assert timeline.end >= timeline.case.accepted_at
        ends.add(timeline.case.end or "")
        for row in timeline.rows:
            reached.add(row.step)
            if row.outcome is not None:
                taken.add((row.step, row.outcome))
            assert row.end >= row.start
            if row.due is not None and "actual" not in row.flags:
                assert row.end == row.due  # each step takes its full allowed time
    for step_id, step in reglament.steps.items():
        if isinstance(step, Decision):
            for outcome in step.outcomes:
                assert (step_id, outcome) in taken, f"outcome {step_id}={outcome} never simulated"
    steps_run = reached | ends
    never = [
        s
        for s, step in reglament.steps.items()
        if s not in steps_run and step.kind not in ("parallel", "join")
    ]
    assert not never, f"steps never reached in any simulation: {never}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(BUNDLED)))
def test_save_halfway_and_resume(path: object) -> None:
    reglament = _reglament(str(path))
    at = _submitted(reglament)
    for channel, variant, data, answers in _runs(reglament)[:6]:
        straight = _walk(
            Engine(reglament), reglament, at, channel, variant, data, answers, stop=None
        )
        saved = _walk(Engine(reglament), reglament, at, channel, variant, data, answers, stop=2)
        assert saved == straight, (channel, variant, answers)


def _walk(
    engine: Engine,
    reglament: Reglament,
    at: dt.datetime,
    channel: str,
    variant: str | None,
    data: dict[str, object],
    answers: dict[str, str],
    stop: int | None,
) -> dict[str, object]:
    case = engine.start(at, channel, variant, data)
    for moves in itertools.count():
        if case.finished:
            break
        if moves == stop:  # save, drop everything, reload in a fresh engine, go on
            text = json.dumps(case.to_dict())
            engine = Engine(reglament)
            document = json.loads(text)
            assert [e.message for e in CASE_VALIDATOR.iter_errors(document)] == []
            case = Case.from_dict(document, reglament)
        token = min(case.tokens, key=lambda t: (t.due or t.started, t.id))
        step = reglament.steps[token.step]
        outcome: str | None = None
        if outcomes.chooser(step) is outcomes.Chooser.caller:
            outcome = answers.get(token.step, outcomes.outcomes(step)[0])
        engine.complete(case, token.step, token.due or token.started, outcome)
    assert [e.message for e in CASE_VALIDATOR.iter_errors(case.to_dict())] == []
    return case.to_dict()
