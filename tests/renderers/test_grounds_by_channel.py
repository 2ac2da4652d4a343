"""The refusal grounds of karaganda-2014, karaganda-2015 and zhambyl-2017 are those of the
channel and end the case took (issue 17, item 4): a refusal at the office names no portal
ground, a portal signature refusal no document ground, and the standard's paragraph is a
reference, not a ground."""

from __future__ import annotations

from reglament.engine import Engine
from reglament.engine.simulate import simulate
from reglament.engine.watch import watch
from reglament.loader import BUNDLED, load
from reglament.renderers import notifications
from reglament.schemas import Event
from tests.engine.test_corpus import _submitted

GUARDIANSHIP = BUNDLED / "karaganda-2014" / "guardianship-orphans.yaml"
HOME_SCHOOLING = BUNDLED / "karaganda-2015" / "home-schooling-disabled-children.yaml"
SOCIAL = BUNDLED / "karaganda-2015" / "social-assistance-local.yaml"
UNEMPLOYED = BUNDLED / "zhambyl-2017" / "unemployed-registration.yaml"

EDS = "ЭЦҚ түпнұсқалы"  # the e-signature grounds (түпнұсқалығының, түпнұсқалылығының)


def _refusal(path: object, channel: str, **kwargs: object) -> str:
    """The Kazakh cabinet message of the case's refusal."""
    reglament = load(path)  # type: ignore[arg-type]
    engine = Engine(reglament)
    timeline = simulate(engine, _submitted(reglament), channel, **kwargs)  # type: ignore[arg-type]
    case = watch(engine, timeline)
    [notice] = [n for n in engine.notices(case) if n.notification.on is Event.refused]
    return notifications.render(engine, case, notice, "kk", "cabinet", timeline=timeline).text


def test_an_office_refusal_refers_to_the_standard_and_names_no_portal_ground() -> None:
    text = _refusal(
        GUARDIANSHIP, "office", data={"documents_comply": False, "in_workstation": False}
    )
    assert "стандартының 10-тармағында" in text
    assert EDS not in text
    assert "құжаттарында бұзушылықтар" not in text  # the portal's documents ground
    assert "деректерінде бұзушылықтардың" not in text  # the workstation's data ground


def test_the_workstation_refusal_names_its_data_ground_alone() -> None:
    text = _refusal(
        GUARDIANSHIP,
        "office",
        data={"documents_comply": True, "in_workstation": True},
        answers={"arm-check-data": "violations"},
    )
    assert "– қызмет алушының деректерінде бұзушылықтардың болуына байланысты" in text
    assert "10-тармағында" not in text and EDS not in text


def test_a_psc_refusal_names_the_documents_not_the_signature() -> None:
    text = _refusal(HOME_SCHOOLING, "con", answers={"con-check-package": "deficient"})
    assert "құжаттарында кемшіліктердің болуына байланысты" in text
    assert EDS not in text


def test_a_portal_signature_refusal_names_the_signature_alone() -> None:
    text = _refusal(
        SOCIAL,
        "portal",
        data={"disabled": True, "socially_significant_disease": False, "documents_lacking": False},
        answers={"portal-check-signature": "invalid"},
    )
    assert EDS in text
    assert "құжаттар топтамасында кемшіліктердің" not in text


def test_a_reference_to_the_standard_is_not_listed_as_a_ground() -> None:
    text = _refusal(UNEMPLOYED, "office", data={"eligible": False})
    assert "10-тармағында" in text
    assert "– стандарттың 10-тармағында көзделген негіздер бойынша" not in text
