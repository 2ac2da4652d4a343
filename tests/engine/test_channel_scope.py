"""Channels restricted to some variants (``variants``) or applicants (``when``), and
notifications restricted to one channel, on the bundled acts that need them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from reglament.cli import app
from reglament.engine import Engine
from reglament.engine.batch import simulate_many
from reglament.errors import UsageError
from reglament.loader import BUNDLED, load_file
from reglament.schemas import Event, Reglament


def _load(name: str) -> Reglament:
    loaded = load_file(BUNDLED / name)
    assert loaded.reglament is not None
    return loaded.reglament


SOCIAL = _load("karaganda-2015/social-assistance-local.yaml")
LABOUR = _load("karaganda-2015/foreign-labour-permit.yaml")
BENEFIT = _load("atyrau-2012/child-benefit-under-18.yaml")
AT = dt.datetime(2015, 11, 2, 10, 0, tzinfo=ZoneInfo("Asia/Almaty"))


def test_a_channel_open_to_some_applicants_refuses_the_others() -> None:
    engine = Engine(SOCIAL)
    with pytest.raises(UsageError) as error:
        engine.start(AT, "portal", data={"disabled": False})
    assert str(error.value) == (
        "channel 'portal' of social-assistance-local is open only when "
        "`disabled or socially_significant_disease`; set the case data with data=..."
    )
    assert (
        engine.start(AT, "portal", data={"socially_significant_disease": True}).channel == "portal"
    )
    assert engine.start(AT, "office").channel == "office"  # the other channels are open to all


def test_a_channel_serving_some_variants_refuses_the_others() -> None:
    engine = Engine(LABOUR)
    with pytest.raises(UsageError, match=r"serves only the variants employer-issue, employer-ext"):
        engine.start(AT, "portal", "worker-issue")
    assert engine.compiled.served_variants("portal") == ["employer-issue", "employer-extend"]
    assert engine.start(AT, "office", "worker-issue").variant == "worker-issue"


def test_the_batch_simulator_refuses_an_inadmissible_combination() -> None:
    with pytest.raises(UsageError, match="open only when"):
        simulate_many(Engine(SOCIAL), 5, AT, AT + dt.timedelta(days=7), "portal", seed=1)
    batch = simulate_many(
        Engine(SOCIAL), 5, AT, AT + dt.timedelta(days=7), "portal", data={"disabled": True}, seed=1
    )
    assert len(batch) == 5


def test_notices_of_another_channel_are_left_out() -> None:
    engine = Engine(BENEFIT)
    at = dt.datetime(2012, 12, 28, 10, 0, tzinfo=ZoneInfo(BENEFIT.timezone))
    for channel in ("office", "akim", "con"):
        case = engine.start(at, channel)
        accepted = [
            n.notification for n in engine.notices(case) if n.notification.on is Event.accepted
        ]
        assert [n.channel for n in accepted] == ([channel] if channel != "con" else [])
    with pytest.deprecated_call():  # the old form, the events alone: every declared one
        everything = engine.notices(case.history)
    assert len([n for n in everything if n.notification.on is Event.accepted]) == 2


def test_simulate_defaults_to_an_admissible_channel_and_variant() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["simulate", "foreign-labour-permit", "--channel", "portal"])
    assert result.exit_code == 0, result.output
    assert "variant employer-issue by default" in result.output
    result = runner.invoke(app, ["simulate", "oralman-status"])  # the PSC needs first_application
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app,
        ["simulate", "foreign-labour-permit", "--channel", "portal", "--variant", "worker-issue"],
    )
    assert result.exit_code != 0
    assert "serves only the variants employer-issue, employer-extend" in result.output
