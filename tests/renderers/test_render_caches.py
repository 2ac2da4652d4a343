"""What makes rendering cheap, and that it changes no text and bounds no less: the package's
templates run trusted, uncounted, while a reglament's own still run bounded, with any package
template they import; an open case's plan (the due date's fallback when the act states no
term) is simulated once per engine and what the simulation starts from, and simulated again
when that changes; an engine is not kept alive by it."""

from __future__ import annotations

import datetime as dt
import gc
import weakref
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from jinja2.exceptions import SecurityError

from reglament.engine import Engine
from reglament.engine.simulate import simulate
from reglament.loader import load
from reglament.renderers import context, notifications, sandbox
from reglament.schemas import Event, Language, Medium, Recipient, Reglament, Template, Text

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


def _accepted(reglament: Reglament) -> notifications.Facts:
    engine = Engine(reglament)
    case = engine.start(MONDAY, "office", data={"data_found": True})
    notice = next(n for n in engine.notices(case) if n.notification.on is Event.accepted)
    return notifications.facts(engine, case, notice)


def _spent(reglament: Reglament, medium: Medium) -> tuple[int, str]:
    budget = sandbox.Budget()
    with sandbox.bounded(budget):
        message = notifications.compose(
            reglament, "accepted", _accepted(reglament), Language.en, medium, Recipient.applicant
        )
    return budget.steps, message.body


@pytest.mark.parametrize("medium", list(Medium))
def test_the_package_templates_are_not_counted_a_reglaments_own_are(medium: Medium) -> None:
    reglament = load(FIXTURES / "every-event.yaml")
    assert _spent(reglament, medium)[0] == 0
    own = reglament.model_copy(
        update={"templates": {"accepted": Template(body=Text(en="Accepted: {{ receipt }}."))}}
    )
    steps, body = _spent(own, medium)
    assert steps > 0 and "Accepted: " in body


def test_a_package_template_an_own_one_imports_runs_bounded() -> None:
    source = '{% from "en/_common.j2" import service_lines with context %}{{ service_lines() }}'
    reglament = load(FIXTURES / "every-event.yaml")
    own = reglament.model_copy(update={"templates": {"accepted": Template(body=Text(en=source))}})
    steps, body = _spent(own, Medium.sms)
    assert steps > 0 and "Application number: " in body
    looping = "{% for i in range(10**5) %}" + source + "{% endfor %}"
    own = reglament.model_copy(update={"templates": {"accepted": Template(body=Text(en=looping))}})
    with pytest.raises(notifications.TemplateFailed, match="takes more than 200,000 steps"):
        _spent(own, Medium.sms)


def test_the_package_templates_still_run_in_the_immutable_sandbox() -> None:
    environment = notifications.package_environment()
    with pytest.raises(SecurityError):
        environment.from_string("{{ x.__class__.__mro__ }}").render(x="")
    with pytest.raises(SecurityError):
        environment.from_string("{{ x.append(1) }}").render(x=[])
