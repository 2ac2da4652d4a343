"""The store's outbox on both databases: every write puts the messages its events send into the
outbox in its own transaction (a failure leaves neither events nor messages; a repeat adds
none), and delivery commits each outcome on its own, against a real SMTP server (aiosmtpd), a
real webhook (``http.server``) and the Maildir default."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import mailbox
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import URL
from sqlalchemy.engine import Engine as Database

from reglament.errors import UsageError
from reglament.loader import Library, load_library
from reglament.runtime.delivery import Outcome, Status, sinks
from reglament.runtime.messages import messages
from reglament.store import Request, Store, Who, connect
from reglament.store import outbox as store_outbox
from reglament.store.tables import events, outbox
from tests.runtime.test_delivery import (  # noqa: F401 (the fixtures, used by name)
    HookServer,
    Mailroom,
    hook,
    mailroom,
)
from tests.runtime.test_messages import EVERY_EVENT, ZONE
from tests.store.conftest import RECORDED

CONTACT = {
    "email": "a@example.kz",
    "phone": "+77010000000",
    "cabinet": "880101300123",
    "address": "Astana, Mangilik El 8",
}
CLERK = Who("aigerim", "clerk")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=ZONE)


@pytest.fixture(scope="module")
def every_event() -> Library:
    return load_library([EVERY_EVENT])


@pytest.fixture
def office(db: Database, every_event: Library) -> Store:
    """A store of the every-event reglament: a notification on every event, by every medium."""
    return Store(db, every_event, lambda: RECORDED)


def _start(store: Store, key: str | None = None, **given: Any) -> str:
    chosen = store.library.choose("every-event@astana").reglament
    written = store.start(
        chosen,
        at("2024-03-04 10:00"),
        "office",
        data={"data_found": True},
        request=Request(CLERK, key=key),
        language=given.get("language", "ru"),
        contact=given.get("contact", CONTACT),
    )
    return str(written.response["case"])


def _rows(db: Database) -> list[Any]:
    with db.connect() as connection:
        return list(connection.execute(select(outbox).order_by(outbox.c.id)).all())


def _count(db: Database, table: Any) -> int:
    with db.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


# -- written with the event ----------------------------------------------------------------------


def test_each_write_keeps_the_messages_its_events_send(office: Store, db: Database) -> None:
    ref = _start(office)
    rows = _rows(db)
    engine = office.engine_of(ref)
    case = office.replay(ref)
    assert [r.key for r in rows] == [
        m.key for m in messages(engine, case, case.history[:1], CONTACT, "ru")
    ]
    assert {r.medium for r in rows} == {"sms", "email", "cabinet", "letter"}
    assert {(r.status, r.attempts, r.language, r.event_seq) for r in rows} == {
        ("pending", 0, "ru", 1)
    }
    assert {r.next_attempt_at for r in rows} == {at("2024-03-04 10:00")}  # due at its event
    assert {r.created_at for r in rows} == {RECORDED}  # the wall clock of the write
    by_medium = {r.medium: r for r in rows}
    assert by_medium["email"].recipient == "a@example.kz"
    assert by_medium["sms"].subject == ""  # an SMS has none
    office.set_data(ref, {"data_found": True}, at("2024-03-04 10:10"))  # event 2, sends nothing
    assert len(_rows(db)) == 4
    office.complete(ref, "register", at("2024-03-04 10:30"))
    office.complete(ref, "query", at("2024-03-04 10:40"))  # review starts: 3 recipients × 4
    rows = _rows(db)
    case = office.replay(ref)
    assert [r.key for r in rows] == [
        m.key for m in messages(engine, case, case.history, CONTACT, "ru")
    ]
    with db.connect() as connection:
        logged = {
            e.seq: e.kind for e in connection.execute(select(events).where(events.c.case_id == ref))
        }
    assert {logged[r.event_seq] for r in rows[4:]} == {"step_started"}
    assert len(rows) == 4 + 12


def test_a_failure_after_the_events_leaves_neither_events_nor_messages(
    office: Store, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    enqueue = store_outbox.enqueue
    stops: list[int] = []

    def enqueue_then_fail(*args: Any, **kwargs: Any) -> int:
        stops.append(enqueue(*args, **kwargs))  # the messages are inserted, then
        raise RuntimeError("the machine stops here")

    monkeypatch.setattr(store_outbox, "enqueue", enqueue_then_fail)
    with pytest.raises(RuntimeError, match="the machine stops here"):
        _start(office, key="k1")
    assert stops == [4]
    assert (_count(db, events), _count(db, outbox)) == (0, 0)
    monkeypatch.undo()
    ref = _start(office)
    office.complete(ref, "register", at("2024-03-04 10:30"))
    before = (_count(db, events), _count(db, outbox))
    monkeypatch.setattr(store_outbox, "enqueue", enqueue_then_fail)
    with pytest.raises(RuntimeError, match="the machine stops here"):
        office.complete(ref, "query", at("2024-03-04 10:40"))
    assert stops[-1] == 12
    assert (_count(db, events), _count(db, outbox)) == before


def test_an_idempotent_repeat_adds_no_message(office: Store, db: Database) -> None:
    ref = _start(office, key="s1")
    assert _start(office, key="s1") == ref
    assert len(_rows(db)) == 4
    request = Request(CLERK, key="c1")
    office.complete(ref, "register", at("2024-03-04 10:30"), request=request)
    office.complete(ref, "query", at("2024-03-04 10:40"), request=Request(CLERK, key="c2"))
    again = office.complete(ref, "query", at("2024-03-04 10:40"), request=Request(CLERK, key="c2"))
    assert again.repeated
    assert len(_rows(db)) == 16


def test_the_same_messages_again_are_skipped_by_their_key(office: Store, db: Database) -> None:
    ref = _start(office)
    engine, case = office.engine_of(ref), office.replay(ref)
    with db.begin() as connection:
        added = store_outbox.enqueue(
            connection, engine, case, len(case.history), 0, "kk", {}, RECORDED
        )
    assert added == 0
    assert {r.language for r in _rows(db)} == {"ru"}  # the first rendering stays


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"language": "de"}, "unknown language 'de'; languages: kk, ru, en"),
        ({"contact": {"mail": "a@b.kz"}}, "unknown contact field 'mail'"),
        ({"contact": {"phone": 7}}, "contact: phone must be text, not int"),
        ({"contact": {"email": "a" * 401}}, "contact: email is 401 characters long; at most 400"),
    ],
)
def test_a_bad_language_or_contact_writes_nothing(
    office: Store, db: Database, given: dict[str, Any], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        _start(office, **given)
    assert (_count(db, events), _count(db, outbox)) == (0, 0)


# -- delivered, each outcome committed -----------------------------------------------------------


def _deliver(db: Database, media: str | None, now: dt.datetime, root: Path) -> list[Outcome]:
    chosen = sinks(media, lambda: now, root=root)
    return list(store_outbox.deliver(db, chosen, lambda: now, now))


def _url(server: HookServer, path: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


def test_the_maildir_default_takes_every_medium(
    office: Store, db: Database, tmp_path: Path
) -> None:
    _start(office)
    assert _deliver(db, None, at("2024-03-04 09:59"), tmp_path) == []  # not due yet
    done = _deliver(db, None, at("2024-03-04 10:05"), tmp_path)
    assert [o.status for o in done] == [Status.delivered] * 4
    rows = _rows(db)
    assert {(r.status, r.attempts, r.next_attempt_at) for r in rows} == {("delivered", 1, None)}
    assert {r.delivered_at for r in rows} == {at("2024-03-04 10:05")}
    (mail,) = [r for r in rows if r.medium == "email"]
    assert list(mailbox.Maildir(tmp_path / "email", create=False).keys()) == [mail.key]
    for medium in ("sms", "cabinet", "letter"):
        (row,) = [r for r in rows if r.medium == medium]
        kept = json.loads((tmp_path / medium / f"{row.key}.json").read_text(encoding="utf-8"))
        assert (kept["recipient"], kept["body"]) == (row.recipient, row.body)
    assert _deliver(db, None, at("2024-03-05 10:00"), tmp_path) == []  # each one once


def test_a_failing_webhook_is_retried_with_back_off_then_delivered(
    office: Store,
    db: Database,
    hook: HookServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    _start(office)
    first = at("2024-03-04 10:05")
    failing = f"*={_url(hook, '/status/503')}"
    tried = _deliver(db, failing, first, tmp_path)
    assert [o.status for o in tried] == [Status.pending] * 4
    assert {o.error for o in tried} == {
        f"POST {_url(hook, '/status/503')}: 503 Service Unavailable"
    }
    waits = {o.next_attempt_at - first for o in tried if o.next_attempt_at}  # 30 s, jittered
    assert len(waits) == 4 and all(
        dt.timedelta(seconds=22.5) <= w <= dt.timedelta(seconds=30) for w in waits
    )
    rows = _rows(db)
    assert {(r.status, r.attempts) for r in rows} == {("pending", 1)}
    assert {r.last_error for r in rows} == {tried[0].error}
    assert _deliver(db, failing, first + dt.timedelta(seconds=20), tmp_path) == []  # waiting
    second = _deliver(db, failing, first + dt.timedelta(seconds=30), tmp_path)
    assert [(o.status, o.attempts) for o in second] == [(Status.pending, 2)] * 4
    waits = {o.next_attempt_at - second[0].at for o in second if o.next_attempt_at}  # 1 min
    assert all(dt.timedelta(seconds=45) <= w <= dt.timedelta(minutes=1) for w in waits)
    recovered = f"*={_url(hook, '/ok')}"
    third = _deliver(db, recovered, first + dt.timedelta(minutes=2), tmp_path)
    assert [(o.status, o.attempts) for o in third] == [(Status.delivered, 3)] * 4
    keys = [h["Idempotency-Key"] for p, h, _ in hook.requests if p == "/ok"]
    assert sorted(keys) == sorted(r.key for r in rows)
    assert {(r.status, r.attempts) for r in _rows(db)} == {("delivered", 3)}
    assert len(hook.requests) == 12


def test_smtp_delivers_the_email_and_a_refusal_fails_for_good(
    office: Store,
    db: Database,
    mailroom: tuple[Mailroom, int],  # noqa: F811
    tmp_path: Path,
) -> None:
    handler, port = mailroom
    _start(office)
    _start_other(office, {"email": "nobody@example.kz"})
    done = _deliver(db, f"email=smtp://127.0.0.1:{port}", at("2024-03-04 10:05"), tmp_path)
    rows = {r.key: r for r in _rows(db)}
    emailed = {o.key: o for o in done if rows[o.key].medium == "email"}
    assert sorted((rows[k].recipient, o.status) for k, o in emailed.items()) == [
        ("a@example.kz", Status.delivered),
        ("nobody@example.kz", Status.failed),
    ]
    (envelope,) = handler.received
    assert isinstance(envelope.content, bytes)
    mail = email.message_from_bytes(envelope.content, policy=email.policy.default)
    (sent,) = [k for k, o in emailed.items() if o.status is Status.delivered]
    assert mail["Message-ID"] == f"<{sent}@reglament>"
    assert mail["Content-Language"] == "ru"
    listed = store_outbox.listed(db, "failed")
    assert listed["count"] == 3  # the refused e-mail; the other case's SMS and cabinet message
    why = {m["medium"]: m["last_error"] for m in listed["messages"]}
    assert why == {
        "email": f"smtp 127.0.0.1:{port}: refused: 550 5.1.1 no such mailbox",
        "sms": "no sms address: the contact has no phone number",
        "cabinet": "no cabinet address: the contact has no cabinet account",
    }
    assert store_outbox.listed(db, "delivered", limit=1)["count"] == 5  # its letter: in person


def _start_other(store: Store, contact: dict[str, str]) -> str:
    chosen = store.library.choose("every-event@astana").reglament
    written = store.start(
        chosen,
        at("2024-03-04 10:01"),
        "office",
        data={"data_found": True},
        receipt="AST-2",
        case_id="case-2",
        language="ru",
        contact=contact,
    )
    return str(written.response["case"])


def test_a_deliverer_that_died_after_its_claim_is_taken_over_when_its_lease_ends(
    office: Store, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first run claims a message and dies before its outcome is written: the message
    stays pending, is not tried again while its lease runs, then is delivered (at least once)."""
    _start(office)
    now = at("2024-03-04 10:05")
    chosen = sinks(None, lambda: now, root=tmp_path)

    def die(*_: object) -> bool:
        raise KeyboardInterrupt

    monkeypatch.setattr(store_outbox, "_write", die)
    with pytest.raises(KeyboardInterrupt):
        next(store_outbox.deliver(db, chosen, lambda: now, now))
    monkeypatch.undo()
    (claimed,) = [r for r in _rows(db) if r.attempts == 1]
    assert (claimed.status, claimed.next_attempt_at) == ("pending", now + store_outbox.LEASE)
    assert len(_deliver(db, None, now, tmp_path)) == 3  # the other three
    later = now + store_outbox.LEASE
    (again,) = _deliver(db, None, later, tmp_path)
    assert (again.key, again.status, again.attempts) == (claimed.key, Status.delivered, 2)


def test_an_outcome_is_not_written_over_a_newer_claim(
    office: Store, db: Database, tmp_path: Path
) -> None:
    _start(office)
    now = at("2024-03-04 10:05")
    first, *others = [store_outbox._claim(db, now, lambda: now) for _ in range(4)]
    assert first is not None and None not in others
    later = now + store_outbox.LEASE
    second = store_outbox._claim(db, later, lambda: later)  # the lease ran out: taken over
    assert second is not None and second.id == first.id
    late = Outcome(first.pending.message.key, Status.failed, 1, now, error="late")
    assert not store_outbox._write(db, first, late)
    done = Outcome(second.pending.message.key, Status.delivered, 2, later)
    assert store_outbox._write(db, second, done)
    (row,) = [r for r in _rows(db) if r.id == first.id]
    assert (row.status, row.attempts, row.last_error) == ("delivered", 2, None)


def test_a_claimed_message_is_not_claimed_again_while_leased(
    office: Store, db: Database, new_store: Callable[[], Store]
) -> None:
    _start(office)
    now = at("2024-03-04 10:05")
    other = new_store().db
    try:
        taken = [store_outbox._claim(d, now, lambda: now) for d in (db, other, db, other, db)]
    finally:
        other.dispose()
    ids = [t.id for t in taken if t is not None]
    assert len(ids) == len(set(ids)) == 4 and taken[-1] is None


def test_a_claim_skips_a_row_another_deliverer_holds(
    office: Store, db: Database, db_url: URL
) -> None:
    """PostgreSQL: while one deliverer's claim holds the oldest row (not yet committed), another
    takes the next one at once (SKIP LOCKED) instead of waiting."""
    if db_url.get_backend_name() != "postgresql":
        pytest.skip("SQLite has one writer at a time: a second claim waits for BEGIN IMMEDIATE")
    _start(office)
    now = at("2024-03-04 10:05")
    oldest = select(outbox.c.id).order_by(outbox.c.next_attempt_at, outbox.c.id).limit(1)
    other = connect(db_url)
    options = f"{db_url.query['options']} -clock_timeout=3000"  # a wait is an error, not a hang
    claimer = connect(db_url.update_query_dict({"options": options}))
    try:
        with other.connect() as connection, connection.begin():
            held = connection.execute(oldest.with_for_update()).scalar_one()
            claim = store_outbox._claim(claimer, now, lambda: now)
            assert claim is not None and claim.id != held
    finally:
        other.dispose()
        claimer.dispose()


def test_the_address_limit_is_the_recipient_column() -> None:
    assert getattr(outbox.c.recipient.type, "length", None) == store_outbox.ADDRESS_LIMIT
