"""Words that say what happened (issue 17): returned documents are not a refusal; the refusal
grounds are those of the channel and end the case took, a reference to the standard named as
a reference; the term at risk states the working days left on the calendar."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from reglament.engine import Engine
from reglament.engine.simulate import simulate
from reglament.engine.watch import watch
from reglament.loader import BUNDLED, load
from reglament.procedure.term import working_days_left
from reglament.renderers import notifications
from reglament.schemas import Event

ATYRAU = BUNDLED / "atyrau-2012" / "child-benefit-under-18.yaml"
ZHAMBYL = BUNDLED / "zhambyl-2017" / "jobseeker-registration.yaml"


def _refusal(path: object, submitted: str, channel: str, **kwargs: object) -> dict[str, str]:
    reglament = load(path)  # type: ignore[arg-type]
    engine = Engine(reglament)
    at = dt.datetime.fromisoformat(submitted).replace(tzinfo=ZoneInfo(reglament.timezone))
    timeline = simulate(engine, at, channel, **kwargs)  # type: ignore[arg-type]
    case = watch(engine, timeline)
    [notice] = [n for n in engine.notices(case) if n.notification.on is Event.refused]
    return {
        lang: notifications.render(engine, case, notice, lang, "cabinet", timeline=timeline).text
        for lang in ("kk", "ru", "en")
        if lang in reglament.title.languages()
    }


def test_returned_documents_are_not_a_refusal() -> None:
    texts = _refusal(ATYRAU, "2012-12-28 17:40", "con", data={"package_defective": True})
    assert texts["kk"].startswith("Тақырып: Құжаттар қайтарылды, № ATY-")
    assert texts["ru"].startswith("Тема: Документы возвращены, № ATY-")
    assert "Причины возврата изложены в письменном обосновании" in texts["ru"]
    for text in texts.values():
        assert "бас тарт" not in text and "отказ" not in text.lower() and "refus" not in text


def test_a_refusal_names_a_refusal_and_its_grounds() -> None:
    texts = _refusal(ATYRAU, "2012-12-28 17:40", "office", answers={"review": "refused"})
    assert "принято решение об отказе" in texts["ru"]
    assert "среднедушевой доход семьи превышает" in texts["ru"]


def test_grounds_are_those_of_the_channel_and_the_end() -> None:
    office = _refusal(ZHAMBYL, "2020-03-20 18:45", "office", data={"eligible": False})
    eds = _refusal(
        ZHAMBYL,
        "2020-03-20 18:45",
        "portal",
        data={"eligible": True},
        answers={"portal-check-eds": "not-confirmed"},
    )
    signature = "электрондық цифрлық қолтаңбасының расталмауына"
    # at the office: no e-signature ground; the standard's paragraph named as a reference
    assert signature not in office["kk"].split("Құжат:")[1].split("\n", 1)[1]
    assert (
        "Бас тарту негіздері мемлекеттік көрсетілетін қызмет стандартының 10-тармағында"
        in (office["kk"])
    )
    assert "those of paragraph 10 of the standard" in office["en"]
    assert "Grounds for refusal under the reglament" not in office["en"]
    # the portal's signature refusal: that ground alone, no reference to paragraph 10
    assert f"– көрсетілетін қызметті алушының {signature}" in eds["kk"]
    assert "10-тармағында көзделген." not in eds["kk"]


def test_term_at_risk_states_the_working_days_left() -> None:
    engine = Engine(load(ATYRAU))
    zone = ZoneInfo(engine.reglament.timezone)
    clock = engine.compiled.channel_clock["office"]
    due = dt.datetime(2013, 1, 16, 18, 0, tzinfo=zone)  # Wednesday's closing
    for at, left in (
        (dt.datetime(2013, 1, 16, 9, 0, tzinfo=zone), 1),  # the due day itself, open
        (dt.datetime(2013, 1, 15, 9, 0, tzinfo=zone), 2),
        (dt.datetime(2013, 1, 14, 9, 0, tzinfo=zone), 3),
        (dt.datetime(2013, 1, 12, 10, 0, tzinfo=zone), 3),  # a Saturday: Monday to Wednesday
        (dt.datetime(2013, 1, 11, 19, 0, tzinfo=zone), 3),  # Friday after closing: not Friday
        (dt.datetime(2013, 1, 16, 18, 0, tzinfo=zone), 0),
    ):
        assert working_days_left(clock, at, due) == left, at
