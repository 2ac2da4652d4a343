"""What rendering keeps between messages, and that keeping it changes no text: an open case's
plan (the due date's fallback when the act states no term) is simulated once per engine and
what the simulation starts from, and simulated again when that changes; an engine is not kept
alive by it."""

from __future__ import annotations

import datetime as dt
import gc
import weakref
from pathlib import Path
from zoneinfo import ZoneInfo

from reglament.engine import Engine
from reglament.engine.simulate import simulate
from reglament.loader import load
from reglament.renderers import context, notifications
from reglament.schemas import Reglament

FIXTURES = Path(__file__).parent.parent / "fixtures" / "notifications"
MONDAY = dt.datetime(2024, 3, 4, 10, 0, tzinfo=ZoneInfo("Asia/Almaty"))


def _termless() -> Reglament:
    """every-event without its term: a notice's due is the end of the case's plan, which its
    data (``data_found``) moves by a week."""
    return load(FIXTURES / "every-event.yaml").model_copy(update={"terms": []})


def test_an_open_case_is_planned_from_what_it_starts_from_now() -> None:
    engine = Engine(_termless())
    case = engine.start(MONDAY, "office", data={"data_found": True})
    notice = engine.notices(case)[0]
    found = simulate(engine, MONDAY, "office", data={"data_found": True}).end
    for _ in range(2):  # the second from what is kept
        assert notifications.facts(engine, case, notice).due == found
    engine.set_data(case, {"data_found": False})
    other = simulate(engine, MONDAY, "office", data={"data_found": False}).end
    assert other != found
    assert notifications.facts(engine, case, notice).due == other
    assert context.planned_end(engine, case) == (other, "planned")


def test_a_plan_is_kept_per_engine() -> None:
    first, second = Engine(_termless()), Engine(_termless())
    case = first.start(MONDAY, "office", data={"data_found": True})
    again = second.start(MONDAY, "office", data={"data_found": True})
    assert context.planned_end(first, case) == context.planned_end(second, again)
    assert {first, second} <= set(context._PLANS)


def test_an_engine_is_not_kept_alive_by_its_plans() -> None:
    engine = Engine(_termless())
    case = engine.start(MONDAY, "office", data={"data_found": True})
    context.planned_end(engine, case)
    gone = weakref.ref(engine)
    del engine, case
    gc.collect()
    assert gone() is None
