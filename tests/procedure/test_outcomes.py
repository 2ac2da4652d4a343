"""Who chooses how a step ends, asked in one place: the runtime, the simulation, the batch and
the audit's paths all follow it."""

from __future__ import annotations

from reglament.engine import Engine
from reglament.engine.batch import outcome_shares
from reglament.loader import BUNDLED, load
from reglament.procedure import outcomes
from reglament.procedure.outcomes import Chooser
from reglament.schemas import Decision
from tests.procedure.test_timing import MINIMAL


def test_who_chooses_each_kind_of_step() -> None:
    reglament = load(MINIMAL)
    steps = reglament.steps
    assert outcomes.chooser(steps["register"]) is Chooser.none
    assert outcomes.chooser(steps["check"]) is Chooser.caller
    assert outcomes.chooser(steps["ask"]) is Chooser.caller  # a wait with a limit
    assert outcomes.chooser(steps["prepare"]) is Chooser.none
    assert outcomes.outcomes(steps["ask"]) == ("event", "timeout")
    assert outcomes.outcomes(steps["register"]) == ()
    assert outcomes.default(steps["ask"]) == "event"
    assert outcomes.default(steps["check"]) is None
    assert outcomes.drawn(steps["check"]) and outcomes.drawn(steps["ask"])
    assert not outcomes.drawn(steps["register"], given=True)


def test_a_decision_with_a_condition_on_every_outcome_is_decided_by_the_data() -> None:
    reglament = load(BUNDLED / "kyzylorda-2011" / "semey-registration.yaml")
    by_data = [
        step_id
        for step_id, step in reglament.steps.items()
        if isinstance(step, Decision) and outcomes.decided_by_data(step)
    ]
    assert by_data, "the fixture decides by the case data"
    engine = Engine(reglament)
    shares = outcome_shares(engine)
    for step_id in by_data:
        step = reglament.steps[step_id]
        assert not outcomes.drawn(step) and outcomes.drawn(step, given=True)
        assert step_id not in shares  # a batch does not draw what the data decide
        conditions = outcomes.conditions(step)
        assert all(condition is not None for condition in conditions.values())


def test_decide_takes_the_first_outcome_whose_condition_holds() -> None:
    from reglament.schemas.expr import parse

    found = {
        "child": parse("age >= 0 and age < 18"),
        "adult": parse("age >= 18"),
        "anyone": parse("age >= 0"),
    }
    assert outcomes.decide(found, {"age": 30}) == "adult"
    assert outcomes.decide(found, {"age": 3}) == "child"
    assert outcomes.decide(found, {"age": -1}) is None
