"""The applicant is addressed as each act names them (issue 17, item 3): a reglament's
``applicant`` (the 2011-2012 acts' «тұтынушы» / «потребитель», the Atyrau TSA certificate's
«мемлекеттік қызмет алушы»), else its own ``applicant`` actor, else the 2014-2017 acts'
«көрсетілетін қызметті алушы» / «услугополучатель»; the act's year decides nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from reglament.engine import Engine
from reglament.engine.simulate import simulate
from reglament.loader import BUNDLED, load
from reglament.renderers import notifications
from reglament.renderers.context import applicant_term
from reglament.schemas import Event

EVERY_EVENT = (
    Path(__file__).resolve().parent.parent / "fixtures" / "notifications" / "every-event.yaml"
)
CONSUMER = ("тұтынушы", "потребитель")
RECIPIENT = ("мемлекеттік қызмет алушы", "получатель государственной услуги")

OLD_ACTS = {
    "atyrau-2012/active-employment-referral.yaml": CONSUMER,
    "atyrau-2012/child-benefit-under-18.yaml": CONSUMER,
    "atyrau-2012/personal-assistant-sign-language.yaml": CONSUMER,
    "atyrau-2012/sanatorium-treatment.yaml": CONSUMER,
    "atyrau-2012/social-assistance-local.yaml": CONSUMER,
    "atyrau-2012/targeted-social-assistance.yaml": CONSUMER,
    "atyrau-2012/tsa-membership-certificate.yaml": RECIPIENT,
    "atyrau-2012/wheelchairs.yaml": CONSUMER,
    "kyzylorda-2011/prosthetic-orthopedic.yaml": CONSUMER,
    "kyzylorda-2011/semey-registration.yaml": CONSUMER,
    "kyzylorda-2011/surdo-tiflo-hygiene.yaml": CONSUMER,
    "kyzylorda-2011/unemployed-registration.yaml": CONSUMER,
}


@pytest.mark.parametrize("name", sorted(OLD_ACTS))
def test_each_2011_2012_file_names_the_applicant_by_its_act_and_cites_it(name: str) -> None:
    reglament = load(BUNDLED / name)
    assert reglament.applicant is not None and reglament.applicant.lines
    word = applicant_term(reglament)
    assert (word.kk, word.ru, word.en) == (*OLD_ACTS[name], "applicant")


def test_the_kyzylorda_russian_word_is_marked_ours() -> None:
    reglament = load(BUNDLED / "kyzylorda-2011" / "unemployed-registration.yaml")
    assert reglament.applicant is not None
    assert reglament.applicant.name.translated == ("ru",)


def _greetings(path: Path) -> dict[str, str]:
    reglament = load(path)
    engine = Engine(reglament)
    at = dt.datetime(2024, 3, 4, 10, 0, tzinfo=ZoneInfo(reglament.timezone))
    timeline = simulate(engine, at, "office", data={"data_found": True})
    case = timeline.case
    [notice] = [
        n
        for n in engine.notices(case)
        if n.notification.on is Event.accepted and "letter" in n.notification.via
    ]
    return {
        lang: notifications.render(
            engine, case, notice, lang, "letter", timeline=timeline
        ).text.split("\n\n")[3]
        for lang in ("kk", "ru", "en")
    }


def _with(tmp_path: Path, old: str, new: str) -> Path:
    text = EVERY_EVENT.read_text("utf-8")
    assert text.count(old) == 1
    path = tmp_path / "every-event.yaml"
    path.write_text(text.replace(old, new), "utf-8")
    return path


def test_without_a_word_of_its_own_even_a_2012_act_gets_the_default(tmp_path: Path) -> None:
    path = _with(
        tmp_path, 'act: {number: "1", date: 2024-01-01}', 'act: {number: "1", date: 2012-11-16}'
    )
    assert _greetings(path) == {
        "kk": "Құрметті көрсетілетін қызметті алушы!",
        "ru": "Уважаемый услугополучатель!",
        "en": "Dear applicant,",
    }


def test_the_reglaments_word_addresses_the_applicant(tmp_path: Path) -> None:
    path = _with(
        tmp_path,
        "provider:\n",
        'applicant: {name: {kk: тұтынушы, ru: заявитель}, lines: "38"}\nprovider:\n',
    )
    assert _greetings(path) == {
        "kk": "Құрметті тұтынушы!",
        "ru": "Уважаемый заявитель!",
        "en": "Dear applicant,",
    }
