"""Refusal grounds of the 2011-2012 acts by the end the case took (issue 17, item 4): the
Kyzylorda Semey registration gives the defective package its own sentence and deadlines (seed
002, lines 384-397), so its refusal names that ground only, and the executor's refusal the
grounds of the first sentence of paragraph 10 (lines 378-383) only."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from reglament.engine import Engine
from reglament.engine.simulate import simulate
from reglament.engine.watch import watch
from reglament.loader import BUNDLED, load
from reglament.renderers import notifications
from reglament.schemas import Event

SEMEY = BUNDLED / "kyzylorda-2011" / "semey-registration.yaml"
PAID = "өтемақының төлену фактісінің анықталуы"
FALSE = "толық емес және (немесе) жалған мәліметтер ұсынуы"
DEFECTIVE = "құжаттар дұрыс ресімделмеген жағдайда"


def _refusal(channel: str, data: dict[str, bool]) -> str:
    reglament = load(SEMEY)
    engine = Engine(reglament)
    at = dt.datetime(2012, 12, 28, 10, 0, tzinfo=ZoneInfo(reglament.timezone))
    timeline = simulate(engine, at, channel, data=data)
    case = watch(engine, timeline)
    [notice] = [n for n in engine.notices(case) if n.notification.on is Event.refused]
    return notifications.render(engine, case, notice, "kk", "letter", timeline=timeline).text


@pytest.mark.parametrize("channel", ["office", "con"])
def test_a_defective_package_names_its_own_ground_only(channel: str) -> None:
    text = _refusal(channel, {"eligible": True, "package_defective": True})
    assert DEFECTIVE in text
    assert PAID not in text and FALSE not in text


@pytest.mark.parametrize("channel", ["office", "con"])
def test_the_executors_refusal_names_the_grounds_of_paragraph_10(channel: str) -> None:
    text = _refusal(channel, {"eligible": False, "package_defective": False})
    assert PAID in text and FALSE in text
    assert DEFECTIVE not in text
