"""The outbox's messages: what a case's events send, addressed, keyed, in the applicant's
language, by each declared medium; every bundled reglament's notifications render into them."""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from reglament.engine import Case, Engine
from reglament.errors import UsageError
from reglament.loader import BUNDLED, load
from reglament.renderers import notifications
from reglament.runtime.messages import (
    KEY_PREFIX,
    Contact,
    Message,
    message_key,
    messages,
    undeliverable,
)
from reglament.schemas import Language, Medium, Recipient
from tests.renderers.test_notifications_corpus import FILES, _occurrences

EVERY_EVENT = Path(__file__).parent.parent / "fixtures" / "notifications" / "every-event.yaml"
ZONE = ZoneInfo("Asia/Almaty")
FULL = Contact(email="a@example.kz", phone="+77010000000", cabinet="880101300123", address="Astana")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=ZONE)


@functools.cache
def _engine() -> Engine:
    return Engine(load(EVERY_EVENT))


def _case() -> Case:
    """A case of every-event: accepted, its review started, then overdue."""
    engine = _engine()
    case = engine.start(at("2024-03-04 10:00"), "office", data={"data_found": True})
    engine.complete(case, "register", at("2024-03-04 10:30"))
    engine.complete(case, "query", at("2024-03-04 10:40"))
    engine.poll(case, at("2024-03-12 12:00"))
    return case


def test_each_declared_recipient_and_medium_gets_one_message() -> None:
    engine, case = _engine(), _case()
    found = messages(engine, case, case.history, FULL, "ru")
    notices = engine.notices(case)
    wanted = sum(len(n.notification.to) * len(n.notification.via) for n in notices)
    assert len(found) == wanted
    assert {m.medium for m in found} == set(Medium)
    assert all(m.language is Language.ru and m.case_id == case.id for m in found)
    assert len({m.key for m in found}) == len(found)
    sms = next(m for m in found if m.medium is Medium.sms)
    assert sms.subject is None
    assert sms.body == f"Заявление № {case.receipt} принято. Результат до 12.03.2024"
    email = next(m for m in found if m.medium is Medium.email)
    assert email.subject and email.recipient == "a@example.kz"


def test_each_message_is_what_the_renderer_writes() -> None:
    """messages() finds a notice's facts once and composes each medium: the same text as
    renderers.notifications.render, recipient by recipient, medium by medium."""
    engine, case = _engine(), _case()
    found = iter(messages(engine, case, case.history, FULL, "kk"))
    for notice in engine.notices(case):
        for role in notice.notification.to:
            for medium in notice.notification.via:
                written = notifications.render(engine, case, notice, "kk", medium, role)
                message = next(found)
                assert (message.medium, message.subject, message.body) == (
                    medium,
                    written.subject,
                    written.body,
                )
    assert next(found, None) is None


def test_the_text_is_the_renderers_in_the_applicants_language() -> None:
    engine, case = _engine(), _case()
    accepted = case.history[:1]
    kk = messages(engine, case, accepted, FULL, Language.kk)
    en = messages(engine, case, accepted, FULL, "en")
    assert [m.key for m in kk] == [m.key for m in en]  # the language is no part of the key
    assert kk[0].body == f"Өтініш № {case.receipt} қабылданды. Мерзімі: 12.03.2024"
    assert en[0].body == f"Application No. {case.receipt} accepted. Result due by 12.03.2024."


def test_keys_are_the_same_on_every_render_and_differ_by_event_and_medium() -> None:
    engine = _engine()
    first, second = _case(), _case()  # the same case twice: the same id
    assert first.id == second.id
    keys = [m.key for m in messages(engine, first, first.history, FULL, "kk")]
    again = [m.key for m in messages(engine, second, second.history, {}, "en")]
    assert keys == again
    assert all(k.startswith(KEY_PREFIX) and len(k) == len(KEY_PREFIX) + 32 for k in keys)
    record = first.history[0]
    one = message_key(first.id, 1, record, 0, Recipient.applicant, Medium.sms)
    assert one == message_key(first.id, 1, record, 0, Recipient.applicant, Medium.sms)
    assert one != message_key(first.id, 1, record, 0, Recipient.applicant, Medium.email)
    assert one != message_key(first.id, 2, record, 0, Recipient.applicant, Medium.sms)
    assert one != message_key("other", 1, record, 0, Recipient.applicant, Medium.sms)


def test_a_saved_and_restored_case_gives_the_same_keys() -> None:
    """What the store does: the case saved as JSON, read back, its messages rendered again."""
    engine, case = _engine(), _case()
    restored = engine.restore(json.loads(json.dumps(case.to_dict())))
    again = messages(engine, restored, restored.history, FULL, "ru")
    assert again == messages(engine, case, case.history, FULL, "ru")


def test_the_records_of_a_later_move_keep_their_keys() -> None:
    """Rendering only a move's records gives the keys those records had in the whole history."""
    engine, case = _engine(), _case()
    before = {m.key for m in messages(engine, case, case.history, FULL, "ru")}
    moved = engine.complete(case, "review", at("2024-03-12 15:00"), "grant")
    new = messages(engine, case, moved, FULL, "ru")
    every = {m.key for m in messages(engine, case, case.history, FULL, "ru")}
    assert new and before.isdisjoint(m.key for m in new)
    assert every == before | {m.key for m in new}


def test_addresses_come_from_the_contact_by_medium() -> None:
    engine, case = _engine(), _case()
    found = messages(engine, case, case.history, FULL, "en")
    by_medium = {m.recipient for m in found if m.recipient and not m.recipient.startswith("role:")}
    assert by_medium == {"a@example.kz", "+77010000000", "880101300123", "Astana"}
    staff = [m for m in found if m.recipient.startswith("role:")]
    assert {m.recipient for m in staff} == {"role:actor", "role:head"}
    assert {m.medium for m in staff} == {Medium.cabinet}


def test_a_missing_address_is_kept_and_called_undeliverable() -> None:
    engine, case = _engine(), _case()
    found = messages(engine, case, case.history, {"phone": "+77010000000"}, "en")
    assert len(found) == len(messages(engine, case, case.history, FULL, "en"))
    reasons = {m.medium: undeliverable(m) for m in found if m.recipient == ""}
    assert reasons == {
        Medium.email: "no email address: the contact has no e-mail address",
        Medium.cabinet: "no cabinet address: the contact has no cabinet account",
        Medium.sms: "no sms address: the contact has no phone number",
        Medium.letter: None,  # handed over in person
    }
    applicant_sms = [m for m in found if m.medium is Medium.sms and m.recipient]
    assert applicant_sms and all(undeliverable(m) is None for m in applicant_sms)


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        (
            {"mail": "a@b"},
            "unknown contact field 'mail'; did you mean 'email'? contact fields: email, phone,",
        ),
        ({"phone": 7701}, "contact: phone must be text, not int"),
    ],
)
def test_a_bad_contact_is_one_line(given: dict[str, object], shown: str) -> None:
    engine, case = _engine(), _case()
    with pytest.raises(UsageError) as raised:
        messages(engine, case, case.history, given, "en")
    assert str(raised.value).startswith(shown)


def test_blank_contact_fields_are_missing() -> None:
    assert Contact.of({"email": "  ", "phone": " +7 701 "}) == Contact(phone="+7 701")
    assert Contact.of(None) == Contact()


def test_a_record_of_another_case_is_refused() -> None:
    engine, case = _engine(), _case()
    other = engine.start(at("2024-03-05 10:00"), "portal", data={"data_found": False})
    with pytest.raises(UsageError, match="is not an event of this case"):
        messages(engine, case, other.history, FULL, "en")


def test_to_dict_is_the_seven_fields() -> None:
    message = Message("k", "c", Medium.sms, Language.kk, "+7", None, "мәтін")
    assert message.to_dict() == {
        "key": "k",
        "case_id": "c",
        "medium": "sms",
        "language": "kk",
        "recipient": "+7",
        "subject": None,
        "body": "мәтін",
    }


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(BUNDLED)))
def test_every_bundled_notification_renders_into_messages(path: Path) -> None:
    """Each declared notification, on a case where it is sent, becomes one message per
    recipient and declared medium in each of kk, ru and en, with a text and a stable key."""
    occurrences = _occurrences(path)
    assert occurrences, f"{path}: no notification is sent on any path"
    for engine, case, _timeline, notice in occurrences.values():
        n = notice.notification
        for language in Language:
            found = messages(engine, case, [notice.record], FULL, language)
            mine = [m for m in found if m.key in _keys(engine, case, notice.record, n)]
            assert len(mine) == len(n.to) * len(n.via), (path, n.on, language)
            assert all(m.body.strip() and m.language is language for m in mine)
            assert all(undeliverable(m) is None for m in mine)


def _keys(engine: Engine, case: Case, record: object, notification: object) -> set[str]:
    index = next(i for i, x in enumerate(engine.reglament.notifications) if x is notification)
    seq = next(i for i, r in enumerate(case.history, start=1) if r is record)
    return {
        message_key(case.id, seq, case.history[seq - 1], index, role, medium)
        for role in engine.reglament.notifications[index].to
        for medium in engine.reglament.notifications[index].via
    }
