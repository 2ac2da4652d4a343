"""Notifications of every event, in every language and medium, on a made-up reglament that
declares them all (tests/fixtures/notifications/every-event.yaml); the facts they are built
from; receipts; the language fallback; the due date's three kinds."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from reglament.engine import Case, Engine, Kind, Notice
from reglament.engine.simulate import Timeline, parse_actual, simulate
from reglament.engine.watch import watch
from reglament.errors import UsageError
from reglament.loader import BUNDLED, load
from reglament.renderers import notifications
from reglament.schemas import Event, Language, Medium, Recipient, Template, Text

ROOT = Path(__file__).resolve().parents[2]
ALMATY = ZoneInfo("Asia/Almaty")
FIXTURES = Path(__file__).parent.parent / "fixtures" / "notifications"
MONDAY = dt.datetime(2024, 12, 2, 10, 0, tzinfo=ALMATY)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load(FIXTURES / "every-event.yaml"))


def _simulated(engine: Engine, **kwargs: object) -> tuple[Case, Timeline, list[Notice]]:
    timeline = simulate(engine, MONDAY, "office", **kwargs)  # type: ignore[arg-type]
    case = watch(engine, timeline)
    return case, timeline, engine.notices(case)


def _suspended(engine: Engine) -> tuple[Case, list[Notice]]:
    case = engine.start(MONDAY, "office", data={"data_found": True})
    engine.complete(case, "register", MONDAY + dt.timedelta(minutes=30))
    records = engine.suspend(case, MONDAY + dt.timedelta(hours=2), "documents requested")
    records += engine.resume(case, MONDAY + dt.timedelta(days=2))
    return case, engine.notices(case, records)


def _every_notice(engine: Engine) -> dict[Event, tuple[Case, Timeline | None, Notice]]:
    found: dict[Event, tuple[Case, Timeline | None, Notice]] = {}
    late = {"review": parse_actual("5wd")}
    for kwargs in (
        {"data": {"data_found": True}, "answers": {"review": "grant"}, "actuals": late},
        {"data": {"data_found": True}, "answers": {"review": "refuse"}},
        {"data": {"data_found": False}},
    ):
        case, timeline, notices = _simulated(engine, **kwargs)
        for notice in notices:
            found.setdefault(notice.notification.on, (case, timeline, notice))
    case, notices = _suspended(engine)
    for notice in notices:
        found.setdefault(notice.notification.on, (case, None, notice))
    return found


def test_every_event_occurs(engine: Engine) -> None:
    assert set(_every_notice(engine)) == set(Event)


# what each event's message must say, per language (beside the service and the receipt)
SAYS: dict[Event, dict[Language, list[str]]] = {
    Event.accepted: {
        Language.kk: ["қабылданды", "Нәтиже беру мерзімі: 2024 жылғы 9 желтоқсан"],
        Language.ru: ["принято", "Срок выдачи результата: 9 декабря 2024 г."],
        Language.en: ["accepted", "Result due by: 9 December 2024"],
    },
    Event.step_started: {
        Language.kk: ["құжаттарды қарайды", "бөлім басшысы"],
        Language.ru: ["рассматривает документы", "руководитель отдела"],
        Language.en: ["reviews the documents", "the head of the department"],
    },
    Event.step_completed: {
        Language.kk: ["анықтама немесе бас тарту", "анықтама беріледі"],
        Language.ru: ["справка или отказ", "справка выдаётся"],
        Language.en: ["the certificate or a refusal", "the certificate is granted"],
    },
    Event.step_overdue: {
        Language.kk: ["құжаттарды қарайды", "2024 жылғы 5 желтоқсан, 18:30"],
        Language.ru: ["рассматривает документы", "5 декабря 2024 г., 18:30"],
        Language.en: ["reviews the documents", "5 December 2024, 18:30"],
    },
    Event.term_at_risk: {
        # polled at the opening of Thu 5 Dec, due at the closing of Mon 9 Dec: Thursday,
        # Friday and Monday are left (the threshold is 2 working days after the day)
        Language.kk: ["3 жұмыс күні қалды", "аяқталатын уақыты: 2024 жылғы 9 желтоқсан"],
        Language.ru: ["3 рабочих дня", "Срок оказания услуги истекает: 9 декабря 2024 г."],
        Language.en: ["3 working days"],
    },
    Event.suspended: {
        Language.kk: ["тоқтатыла тұрды", "documents requested"],
        Language.ru: ["приостановлен", "documents requested"],
        Language.en: ["suspended", "documents requested"],
    },
    Event.resumed: {
        Language.kk: ["қайта жалғасты", "2024 жылғы 11 желтоқсан, 18:30"],
        Language.ru: ["возобновлен", "11 декабря 2024 г., 18:30"],
        Language.en: ["runs again", "11 December 2024, 18:30"],
    },
    Event.data_unavailable: {
        Language.kk: ["мәліметтеріңізді"],
        Language.ru: ["сведения"],
        Language.en: ["could not be obtained"],
    },
    Event.refused: {
        Language.kk: ["құжаттардың толық емес топтамасы", "тұрғын үй бөлімі"],
        Language.ru: ["неполный пакет документов", "жилищный отдел"],
        Language.en: ["an incomplete set of documents", "the housing department"],
    },
    Event.result_ready: {
        Language.kk: ["анықтама", "Нәтижені алу орны: тұрғын үй бөлімі"],
        Language.ru: ["справка", "Место получения результата: жилищный отдел"],
        Language.en: ["the certificate", "Where to collect it: the housing department"],
    },
}


@pytest.mark.parametrize("event", list(Event))
@pytest.mark.parametrize("language", list(Language))
def test_every_event_in_every_language_and_medium(
    engine: Engine, event: Event, language: Language
) -> None:
    case, timeline, notice = _every_notice(engine)[event]
    for medium in Medium:
        for recipient in notice.notification.to:
            message = notifications.render(
                engine, case, notice, language, medium, recipient, timeline=timeline
            )
            where = f"{event.value} {medium.value} to {recipient.value}"
            assert message.notes == (), where
            assert notifications.receipt_number(case) in message.text, where
            if medium is Medium.sms:
                assert message.subject is None and "\n" not in message.body, where
                assert message.sms_length.segments <= 2, (where, message.sms_length)
                continue
            assert (message.subject is None) is (medium is Medium.letter), where
            for words in SAYS[event][language]:
                assert words in message.text, (where, words, message.text)


def test_the_letter_carries_its_subject_in_its_body(engine: Engine) -> None:
    case, timeline, notice = _every_notice(engine)[Event.accepted]
    letter = notifications.render(engine, case, notice, "ru", "letter", timeline=timeline)
    email = notifications.render(engine, case, notice, "ru", "email", timeline=timeline)
    assert letter.subject is None and email.subject is not None
    assert email.subject in letter.body
    # the letterhead names the one body applied to (the channel), not the provider
    assert letter.body.startswith("Жилищный отдел\n\nИсх. № __________ от 2 декабря 2024 г.\n")
    assert letter.body.endswith(
        "С уважением,\n____________________ (должность)\n"
        "____________ (подпись)  ____________________ (Ф. И. О.)"
    )
    assert email.text.startswith(f"Тема: {email.subject}\n\nУважаемый услугополучатель!\n")


def test_a_letter_carries_the_callers_number_sender_and_signatory(engine: Engine) -> None:
    case, timeline, notice = _every_notice(engine)[Event.accepted]
    letter = notifications.render(
        engine,
        case,
        notice,
        "kk",
        "letter",
        timeline=timeline,
        letter=notifications.Letter(
            number="02-14/318",
            sender="Байзақ ауданының тұрғын үй бөлімі",
            position="бөлім басшысы",
            name="А. Сейітов",
        ),
    )
    assert letter.body.startswith(
        "Байзақ ауданының тұрғын үй бөлімі\n\n2024 жылғы 2 желтоқсан № 02-14/318\n"
    )
    assert letter.body.endswith("Құрметпен,\nБөлім басшысы\n____________ (қолы)  А. Сейітов")


def test_overdue_messages_differ_by_recipient(engine: Engine) -> None:
    case, timeline, notice = _every_notice(engine)[Event.step_overdue]
    bodies = {
        r: notifications.render(engine, case, notice, "en", "cabinet", r, timeline=timeline).body
        for r in Recipient
    }
    assert "your step" in bodies[Recipient.actor]
    assert "A step was not completed" in bodies[Recipient.head]
    assert "your application" in bodies[Recipient.applicant]


def test_variables_are_exactly_what_the_event_provides(engine: Engine) -> None:
    for event, (case, timeline, notice) in _every_notice(engine).items():
        fact = notifications.facts(engine, case, notice, timeline=timeline)
        values, notes = notifications.variables(
            engine.reglament, fact, Language.kk, Medium.sms, Recipient.applicant
        )
        assert set(values) == notifications.PROVIDED[event]
        assert notes == []


def test_receipt_numbers_are_deterministic_and_differ_between_cases(engine: Engine) -> None:
    one = engine.start(MONDAY, "office", data={"data_found": True})
    same = engine.start(MONDAY, "office", data={"data_found": True})
    later = engine.start(MONDAY + dt.timedelta(minutes=1), "office", data={"data_found": True})
    portal = engine.start(MONDAY, "portal", data={"data_found": True})
    assert notifications.receipt_number(one) == notifications.receipt_number(same)
    assert re.fullmatch(r"AST-20241202-[0-9A-F]{6}", notifications.receipt_number(one))
    numbers = {notifications.receipt_number(c) for c in (one, later, portal)}
    assert len(numbers) == 3


def test_a_given_receipt_number_is_used(engine: Engine) -> None:
    case, timeline, notice = _every_notice(engine)[Event.accepted]
    message = notifications.render(
        engine, case, notice, "kk", "sms", timeline=timeline, receipt="0001-77"
    )
    assert message.body == "Өтініш № 0001-77 қабылданды. Мерзімі: 09.12.2024"


def test_a_language_the_file_lacks_falls_back_and_says_so() -> None:
    # a version of Semey's compensation with no Russian at all (the bundled one has ours)
    reglament = load(ROOT / "tests" / "fixtures" / "audit" / "semey-compensation-2016.yaml")
    engine = Engine(reglament)
    timeline = simulate(
        engine, dt.datetime(2016, 7, 14, 17, 45, tzinfo=ALMATY), "office", "recognition"
    )
    notice = engine.notices(timeline.case)[0]
    message = notifications.render(engine, timeline.case, notice, "ru", "email", timeline=timeline)
    assert message.notes[0] == "semey-compensation has no ru texts (it has kk, en)"
    assert message.notes[1].startswith("no ru text for the service's title, provider")
    assert message.notes[1].endswith(": kk used")
    assert "«Семей ядролық сынақ полигонында" in message.text
    assert "(на казахском языке)" in message.text  # the Kazakh named as Kazakh
    # in one pair of guillemets, the template's «{{ service }}» not nesting them
    (service,) = [x for x in message.text.splitlines() if x.startswith("Государственная услуга")]
    assert service.startswith("Государственная услуга: «Семей ядролық сынақ полигонында")
    assert service.endswith("» (на казахском языке)")
    assert service.count("«") == service.count("»") and "««" not in message.text
    english = notifications.render(engine, timeline.case, notice, "en", "email", timeline=timeline)
    assert english.notes == ()


def test_our_translation_is_said_to_be_ours() -> None:
    engine = Engine(load(BUNDLED / "karaganda-2015" / "semey-compensation.yaml"))
    timeline = simulate(
        engine, dt.datetime(2015, 12, 14, 17, 45, tzinfo=ALMATY), "office", "recognition"
    )
    notice = engine.notices(timeline.case)[0]
    message = notifications.render(engine, timeline.case, notice, "ru", "email", timeline=timeline)
    assert message.notes == (
        "the ru text of the service's title, provider, channel's name, letterhead, variant's "
        "name, result's name is our translation, not the act's",
    )


def test_the_due_date_kinds() -> None:
    semey = Engine(load(BUNDLED / "karaganda-2015" / "semey-compensation.yaml"))
    at = dt.datetime(2015, 12, 14, 10, 0, tzinfo=ALMATY)
    planned = simulate(semey, at, "office", "certificate")
    # the compensation waits for a payment schedule the act does not give: a lower bound
    earliest = simulate(semey, at, "office", "compensation")
    for timeline, kind, words in (
        (planned, "planned", "Result expected on: 24 December 2015, 09:30"),
        (earliest, "earliest", "Result expected no earlier than: 21 December 2015, 09:30"),
    ):
        notice = semey.notices(timeline.case)[0]
        fact = notifications.facts(semey, timeline.case, notice, timeline=timeline)
        assert fact.due_kind == kind
        message = notifications.render(
            semey, timeline.case, notice, "en", "letter", timeline=timeline
        )
        assert words in message.body


def test_a_live_case_is_planned_by_simulating_it_from_its_start() -> None:
    semey = Engine(load(BUNDLED / "karaganda-2015" / "semey-compensation.yaml"))
    case = semey.start(dt.datetime(2015, 12, 14, 10, 0, tzinfo=ALMATY), "office", "certificate")
    notice = semey.notices(case)[0]
    message = notifications.render(semey, case, notice, "kk", "sms")
    assert message.body.endswith("қабылданды. Болжамды мерзімі: 24.12.2015")


def test_messages_gives_one_per_recipient(engine: Engine) -> None:
    case, timeline, notice = _every_notice(engine)[Event.step_overdue]
    found = notifications.messages(engine, case, [notice], "en", "sms", timeline=timeline)
    assert [m.recipient for m in found] == list(notice.notification.to)


def test_json_has_the_sms_size(engine: Engine) -> None:
    case, timeline, notice = _every_notice(engine)[Event.accepted]
    message = notifications.render(engine, case, notice, "en", "sms", timeline=timeline)
    data = notifications.message_dict(message)
    assert data["sms"] == {"encoding": "GSM-7", "units": len(message.body), "segments": 1}
    assert data["event"] == "accepted" and data["own_template"] is False


def test_a_template_that_fails_is_one_clear_error(engine: Engine) -> None:
    case, timeline, notice = _every_notice(engine)[Event.accepted]
    fact = notifications.facts(engine, case, notice, timeline=timeline)
    broken = engine.reglament.model_copy(
        update={"templates": {"accepted": Template(body=Text(en="{{ nope }}"))}}
    )
    with pytest.raises(
        UsageError,
        match=r"template 'accepted' \(en, email\) of every-event fails: 'nope' is undefined",
    ):
        notifications.compose(
            broken, "accepted", fact, Language.en, Medium.email, Recipient.applicant
        )
    assert Kind.accepted.value == Event.accepted.value
