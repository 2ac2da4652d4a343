"""The outbox's messages: the notifications a case's events trigger, rendered for delivery.

:func:`messages` asks the engine which declared notifications some records of a case trigger
(:meth:`Engine.notices`, the one owner of that rule) and writes each with the notification
renderer (:func:`reglament.renderers.notifications.render`'s facts and composer), once per
recipient and declared medium, in the applicant's language. Each message carries an idempotency key computed from
the case, the record's place in the case's history, the notification, the recipient and the
medium only, so a re-render of the same event gives the same key (and the store's unique key
refuses a second row), whatever the language or the address.

The address of each message comes from the case's contact (:class:`Contact`), by medium:

==========  ==========================  ===============================================
medium      the applicant's             when the contact lacks it
==========  ==========================  ===============================================
sms         ``phone``                   kept, recipient ``""``: undeliverable
email       ``email``                   kept, recipient ``""``: undeliverable
cabinet     ``cabinet`` (account id)    kept, recipient ``""``: undeliverable
letter      ``address`` (postal)        kept, recipient ``""``: handed over in person
==========  ==========================  ===============================================

A message to an official (``actor``, ``head``) by ``cabinet`` goes to that role in the office's
own system: its recipient is ``role:actor`` or ``role:head``. By any other medium an official
has no address here (the case knows no official's phone or e-mail): such a message is kept
with recipient ``""``, undeliverable. An undeliverable message is never dropped: the store
keeps it, and the delivery loop (:func:`reglament.runtime.delivery.deliver`) fails it at once,
without trying a sink, with the reason :func:`undeliverable` gives, so that it is counted
among the failed (``reglament outbox list --failed``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from reglament.errors import UsageError, unknown
from reglament.renderers.notifications import compose, facts, template_name
from reglament.schemas import Language, Medium, Recipient

if TYPE_CHECKING:
    from reglament.engine import Case, Engine, Record

__all__ = [
    "KEY_PREFIX",
    "Contact",
    "Message",
    "address",
    "message_key",
    "messages",
    "undeliverable",
]

KEY_PREFIX = "rg1-"  # the key's version: a change to what it is computed from gets a new prefix

# which field of a contact addresses each medium, and how a missing one is worded
CONTACT_FIELD: dict[Medium, str] = {
    Medium.sms: "phone",
    Medium.email: "email",
    Medium.cabinet: "cabinet",
    Medium.letter: "address",
}
WANTED: dict[Medium, str] = {
    Medium.sms: "phone number",
    Medium.email: "e-mail address",
    Medium.cabinet: "cabinet account",
}
ROLE_PREFIX = "role:"


@dataclass(frozen=True, slots=True)
class Contact:
    """How to reach the applicant: each field ``None`` when not known."""

    email: str | None = None
    phone: str | None = None
    cabinet: str | None = None  # the applicant's account in the e-government cabinet
    address: str | None = None  # postal address, for a letter

    @classmethod
    def of(cls, given: Contact | Mapping[str, Any] | None) -> Contact:
        """A contact from the store's JSON (``{"email": ..., "phone": ...}``, may be empty):
        an unknown key or a value that is not text is a ``UsageError`` naming it; blank
        values count as missing."""
        if given is None:
            return cls()
        if isinstance(given, Contact):
            return given
        known = [f.name for f in fields(cls)]
        values: dict[str, str | None] = {}
        for name, value in given.items():
            if name not in known:
                raise unknown("contact field", name, known)
            if value is not None and not isinstance(value, str):
                raise UsageError(f"contact: {name} must be text, not {type(value).__name__}")
            text = " ".join(value.split()) if isinstance(value, str) else ""
            values[name] = text or None
        return cls(**values)


@dataclass(frozen=True, slots=True)
class Message:
    """One notification to deliver: to one address, by one medium, in one language.

    ``key`` is its idempotency key (:func:`message_key`); ``recipient`` the address (a phone
    number, an e-mail address, a cabinet account, a postal address, ``role:ROLE`` for an
    official's cabinet, or ``""``: see the module's table); ``subject`` is ``None`` for an SMS
    and a letter (a letter carries it in its body)."""

    key: str
    case_id: str
    medium: Medium
    language: Language
    recipient: str
    subject: str | None
    body: str

    def to_dict(self) -> dict[str, str | None]:
        """JSON-ready: what a webhook receives and the file sink writes."""
        return {
            "key": self.key,
            "case_id": self.case_id,
            "medium": self.medium.value,
            "language": self.language.value,
            "recipient": self.recipient,
            "subject": self.subject,
            "body": self.body,
        }


def message_key(
    case_id: str, seq: int, record: Record, notification: int, role: Recipient, medium: Medium
) -> str:
    """The idempotency key of one message: a digest of the case id, the record's place in the
    case's history (1-based) with its kind, instant and step, the notification's index among
    the reglament's ``notifications``, the recipient role and the medium. The same event of
    the same case gives the same key, however often it is rendered."""
    parts = (
        case_id,
        str(seq),
        record.kind.value,
        record.at.astimezone(dt.UTC).isoformat(),  # the same instant read back in another zone
        record.step or "",
        str(notification),
        role.value,
        medium.value,
    )
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return KEY_PREFIX + digest[:32]


def address(medium: Medium, role: Recipient, contact: Contact) -> str:
    """Where a message by ``medium`` to ``role`` goes (the module's table), ``""`` when the
    contact does not say."""
    if role is not Recipient.applicant:
        return ROLE_PREFIX + role.value if medium is Medium.cabinet else ""
    found: str | None = getattr(contact, CONTACT_FIELD[medium])
    return found or ""


def undeliverable(message: Message) -> str | None:
    """Why ``message`` cannot be delivered (one line), ``None`` when it can: an SMS, e-mail or
    cabinet message with no address. A letter with none is handed over in person."""
    if message.recipient or message.medium is Medium.letter:
        return None
    return f"no {message.medium.value} address: the contact has no {WANTED[message.medium]}"


def messages(
    engine: Engine,
    case: Case,
    records: Iterable[Record],
    contact: Contact | Mapping[str, Any] | None,
    language: Language | str,
) -> list[Message]:
    """The messages ``records`` (events of ``case``, as its moves return them) send: for each
    declared notification they trigger (:meth:`Engine.notices`), one message per recipient and
    declared medium, written as :func:`~reglament.renderers.notifications.render` writes it (its
    facts found once per notice, then composed per recipient and medium) in ``language`` (the applicant's; texts the reglament lacks in it
    are taken from another language, as the renderer does) and addressed from ``contact``
    (:class:`Contact`, or its JSON form). A ``UsageError`` for a record not of this case or a
    contact with an unknown field."""
    chosen = list(records)
    lang = Language(language)
    reached = Contact.of(contact)
    notices = engine.notices(case, chosen)
    if not notices:
        return []  # most moves send nothing: their records are not placed
    seq = _positions(case, [notice.record for notice in notices])
    index = {id(n): i for i, n in enumerate(engine.reglament.notifications)}
    found: list[Message] = []
    for notice in notices:
        notification = notice.notification
        fact = facts(engine, case, notice)  # once per notice: what render would ask each time
        name = template_name(notification)
        for role in notification.to:
            for medium in notification.via:
                written = compose(engine.reglament, name, fact, lang, medium, role)
                key = message_key(
                    case.id,
                    seq[id(notice.record)],
                    notice.record,
                    index[id(notification)],
                    role,
                    medium,
                )
                found.append(
                    Message(
                        key=key,
                        case_id=case.id,
                        medium=medium,
                        language=lang,
                        recipient=address(medium, role, reached),
                        subject=written.subject,
                        body=written.body,
                    )
                )
    return found


def _positions(case: Case, records: list[Record]) -> dict[int, int]:
    """Each record's place in the case's history, 1-based, by identity (an equal record that is
    not the very one is found by equality, as :meth:`Engine.notices` accepts it)."""
    place = {id(record): n for n, record in enumerate(case.history, start=1)}
    for record in records:
        if id(record) not in place and record in case.history:
            place[id(record)] = case.history.index(record) + 1
    return place
