"""Random histories of live cases over the bundled reglaments (and the synthetic one, whose wait
has a limit and whose step is not counted in the term), built through the public ``Engine``
API: moves at increasing instants, drawn outcomes, suspensions and resumptions, polls."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from hypothesis import strategies as st

from reglament.engine import Case, Engine
from reglament.errors import CaseError, MissingDataError
from reglament.loader import BUNDLED, load
from reglament.procedure import outcomes
from tests.engine.test_corpus import _runs, _submitted

FIXTURES = Path(__file__).parent.parent / "engine" / "fixtures"
FILES = (
    *sorted(p for p in BUNDLED.rglob("*.yaml") if not p.name.startswith("_")),
    FIXTURES / "synthetic.yaml",
)
# the reglaments with a wait that has a limit, drawn as often as all the others together
WAITING = (BUNDLED / "karaganda-2015" / "foreign-labour-permit.yaml", FIXTURES / "synthetic.yaml")


@cache
def engine_of(path: Path) -> Engine:
    return Engine(load(path))


@dataclass
class Live:
    """A case with the engine it runs on and the instant of its last move."""

    engine: Engine
    case: Case
    now: dt.datetime


# how far the clock moves between two moves: often minutes, sometimes days
steps_of_time = st.one_of(
    st.integers(0, 90).map(lambda m: dt.timedelta(minutes=m)),
    st.integers(0, 12 * 24).map(lambda h: dt.timedelta(hours=h)),
)
MOVES = ("complete", "complete", "complete", "suspend", "resume", "poll")


@st.composite
def live_cases(draw: st.DrawFn, *, moves: int = 16) -> Live:
    """A case of a drawn reglament, submitted at a drawn instant, after up to ``moves`` drawn
    moves (those the engine refuses are passed over, the case left as it was)."""
    path = draw(st.sampled_from(FILES) | st.sampled_from(WAITING))
    engine = engine_of(path)
    channel, variant, data, _ = draw(st.sampled_from(_runs(engine.reglament)))
    submitted = _submitted(engine.reglament) + draw(steps_of_time)
    case = engine.start(submitted, channel, variant, data, outside_period=True)
    now = max(r.at for r in case.history)
    for _ in range(draw(st.integers(0, moves))):
        if case.finished:
            break
        now += draw(steps_of_time)
        _move(engine, case, now, draw(st.sampled_from(MOVES)), draw)
    return Live(engine, case, max([now, *(r.at for r in case.history)]))


def _move(engine: Engine, case: Case, now: dt.datetime, move: str, draw: st.DrawFn) -> None:
    try:
        if move == "suspend":
            engine.suspend(case, now, "documents requested")
        elif move == "resume":
            engine.resume(case, now)
        elif move == "poll":
            engine.poll(case, now)
        elif case.tokens:
            token = draw(st.sampled_from(case.tokens))
            step = engine.reglament.steps[token.step]
            choices = outcomes.outcomes(step) if outcomes.chooser(step).value == "caller" else ()
            outcome = draw(st.sampled_from(choices)) if choices else None
            engine.complete(case, token.step, max(now, token.started), outcome)
    except (CaseError, MissingDataError):
        pass  # not a move this case allows now
