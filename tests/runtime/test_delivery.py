"""Delivering the outbox: the Maildir and file sink, SMTP against a local aiosmtpd server,
webhooks against a local HTTP server (with its failures), the back-off, the delivery loop and
the REGLAMENT_OUTBOX setting."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import mailbox
import socket
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from reglament.errors import DeliveryError, UsageError
from reglament.runtime import delivery
from reglament.runtime.delivery import (
    MAX_ATTEMPTS,
    MaildirSink,
    Outcome,
    Pending,
    SmtpSink,
    Status,
    WebhookSink,
    backoff,
    deliver,
    next_attempt,
    sinks,
)
from reglament.runtime.messages import Message, messages, undeliverable
from reglament.schemas import Language, Medium
from tests.runtime.test_messages import FULL, _case, _engine

NOW = dt.datetime(2024, 3, 12, 9, 0, tzinfo=dt.UTC)


def clock() -> dt.datetime:
    return NOW


def message(
    medium: Medium = Medium.email, key: str = "rg1-00ff", recipient: str | None = None
) -> Message:
    return Message(
        key=key,
        case_id="case-1",
        medium=medium,
        language=Language.kk,
        recipient=(
            recipient
            if recipient is not None
            else "a@example.kz"
            if medium is Medium.email
            else "+77010000000"
        ),
        subject=None if medium is Medium.sms else "Өтінішіңіз қабылданды",
        body="Құрметті көрсетілетін қызметті алушы!\n\nӨтініш № AST-1 қабылданды.",
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# -- back-off -------------------------------------------------------------------------------------


def test_the_back_off_doubles_from_30_seconds_up_to_6_hours() -> None:
    minutes = [backoff(n) / dt.timedelta(minutes=1) for n in range(1, 15)]
    assert minutes == [0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256, 360, 360, 360, 360]
    assert backoff(10_000) == dt.timedelta(hours=6)


def test_the_back_off_gives_up_after_max_attempts() -> None:
    assert next_attempt(1, NOW) == NOW + dt.timedelta(seconds=30)
    assert next_attempt(MAX_ATTEMPTS - 1, NOW) == NOW + dt.timedelta(hours=6)
    assert next_attempt(MAX_ATTEMPTS, NOW) is None
    total = sum((backoff(n) for n in range(1, MAX_ATTEMPTS)), dt.timedelta())
    assert dt.timedelta(hours=20) < total < dt.timedelta(hours=21)


def test_the_jitter_is_drawn_from_the_key_and_the_attempt() -> None:
    for attempts in range(1, MAX_ATTEMPTS):
        plain = backoff(attempts)
        jittered = [backoff(attempts, f"rg1-{n:032x}") for n in range(50)]
        assert all(plain * 0.75 <= j <= plain for j in jittered)
        assert len(set(jittered)) > 40  # spread, not one value
        assert jittered == [backoff(attempts, f"rg1-{n:032x}") for n in range(50)]


def test_the_back_off_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="attempts must be 1 or more, not 0"):
        backoff(0)
    with pytest.raises(ValueError, match="aware"):
        next_attempt(1, dt.datetime(2024, 1, 1))  # noqa: DTZ001


# -- the Maildir and file sink --------------------------------------------------------------------


def test_an_email_lands_in_the_maildir_under_its_key(tmp_path: Path) -> None:
    sink = MaildirSink(tmp_path, clock, sender="akimat@example.kz")
    sent = message()
    sink.deliver(sent)
    box = mailbox.Maildir(tmp_path / "email", create=False)
    assert box.keys() == [sent.key]
    mail = box[sent.key]
    assert mail["Message-ID"] == f"<{sent.key}@reglament>"
    assert mail["From"] == "akimat@example.kz"
    assert mail["To"] == "a@example.kz"
    assert mail["Date"] == "Tue, 12 Mar 2024 09:00:00 +0000"
    parsed = email.message_from_bytes(mail.as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed["Subject"] == "Өтінішіңіз қабылданды"
    body = parsed.get_body()
    assert body is not None and body.get_content().rstrip("\n") == sent.body
    assert list((tmp_path / "email" / "tmp").iterdir()) == []


def test_the_first_email_makes_the_sinks_folders(tmp_path: Path) -> None:
    root = tmp_path / "data" / "reglament" / "outbox"  # none of them there yet
    sent = message()
    MaildirSink(root, clock).deliver(sent)
    assert mailbox.Maildir(root / "email", create=False).keys() == [sent.key]


def test_the_same_key_twice_is_one_mail_even_once_read(tmp_path: Path) -> None:
    sink = MaildirSink(tmp_path, clock)
    sent = message()
    sink.deliver(sent)
    sink.deliver(sent)
    folder = tmp_path / "email"
    assert [p.name for p in (folder / "new").iterdir()] == [sent.key]
    (folder / "new" / sent.key).rename(folder / "cur" / f"{sent.key}:2,S")  # a reader read it
    sink.deliver(sent)
    assert list((folder / "new").iterdir()) == []
    assert mailbox.Maildir(folder, create=False).keys() == [sent.key]
    sink.deliver(message(key="rg1-0100"))
    assert sorted(mailbox.Maildir(folder, create=False).keys()) == [sent.key, "rg1-0100"]


@pytest.mark.parametrize("medium", [Medium.sms, Medium.cabinet, Medium.letter])
def test_other_media_are_one_json_file_each(tmp_path: Path, medium: Medium) -> None:
    sink = MaildirSink(tmp_path, clock)
    sent = message(medium)
    sink.deliver(sent)
    sink.deliver(sent)
    folder = tmp_path / medium.value
    assert [p.name for p in folder.iterdir()] == [f"{sent.key}.json"]
    assert json.loads((folder / f"{sent.key}.json").read_text(encoding="utf-8")) == sent.to_dict()


def test_a_write_that_fails_is_tried_again(tmp_path: Path) -> None:
    blocked = tmp_path / "outbox"
    blocked.write_text("a file where the folder should be", encoding="utf-8")
    with pytest.raises(DeliveryError) as raised:
        MaildirSink(blocked, clock).deliver(message(Medium.sms))
    assert not raised.value.permanent
    assert str(raised.value) == f"{blocked}: cannot write: Not a directory"
    with pytest.raises(DeliveryError, match="cannot write: Not a directory"):
        MaildirSink(blocked, clock).deliver(message(Medium.email))


# -- SMTP, against a local aiosmtpd server -------------------------------------------------------


class Mailroom:
    """An aiosmtpd handler: keeps what it accepts; refuses some recipients for good (550) and
    some for now (451)."""

    def __init__(self) -> None:
        self.received: list[Envelope] = []

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 no such mailbox"
        if address.startswith("busy@"):
            return "451 4.3.0 mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.received.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def mailroom() -> Iterator[tuple[Mailroom, int]]:
    handler = Mailroom()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def test_smtp_delivers_with_the_key_as_message_id(mailroom: tuple[Mailroom, int]) -> None:
    handler, port = mailroom
    sent = message()
    SmtpSink("127.0.0.1", port, clock, sender="akimat@example.kz").deliver(sent)
    (envelope,) = handler.received
    assert envelope.mail_from == "akimat@example.kz"
    assert envelope.rcpt_tos == ["a@example.kz"]
    content = envelope.content
    assert isinstance(content, bytes)
    mail = email.message_from_bytes(content, policy=email.policy.default)
    assert isinstance(mail, EmailMessage)
    assert mail["Message-ID"] == f"<{sent.key}@reglament>"
    assert mail["Subject"] == "Өтінішіңіз қабылданды"
    assert mail["Content-Language"] == "kk"
    body = mail.get_body()
    assert body is not None
    assert body.get_content().replace("\r\n", "\n").rstrip("\n") == sent.body  # CRLF on the wire


@pytest.mark.parametrize(
    ("recipient", "permanent", "reason"),
    [
        ("nobody@example.kz", True, "refused: 550 5.1.1 no such mailbox"),
        ("busy@example.kz", False, "refused: 451 4.3.0 mailbox busy, try later"),
    ],
)
def test_smtp_refusals(
    mailroom: tuple[Mailroom, int], recipient: str, permanent: bool, reason: str
) -> None:
    handler, port = mailroom
    with pytest.raises(DeliveryError) as raised:
        SmtpSink("127.0.0.1", port, clock).deliver(message(recipient=recipient))
    assert raised.value.permanent is permanent
    assert str(raised.value) == f"smtp 127.0.0.1:{port}: {reason}"
    assert handler.received == []


def test_smtp_connection_refused_is_tried_again() -> None:
    port = free_port()  # nothing listens there
    with pytest.raises(DeliveryError) as raised:
        SmtpSink("127.0.0.1", port, clock).deliver(message())
    assert not raised.value.permanent
    assert str(raised.value) == f"smtp 127.0.0.1:{port}: connection refused"


def test_a_silent_smtp_server_times_out() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(DeliveryError) as raised:
            SmtpSink("127.0.0.1", port, clock, timeout=0.3).deliver(message())
        assert time.monotonic() - started < 5
    assert not raised.value.permanent
    assert str(raised.value) == f"smtp 127.0.0.1:{port}: Connection unexpectedly closed: timed out"


# -- webhooks, against a local HTTP server --------------------------------------------------------


class Hook(BaseHTTPRequestHandler):
    """Answers each POST with the status its path names (``/status/503``); ``/slow`` answers
    after a second. Keeps every request it gets on the server."""

    server: HookServer

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.server.requests.append((self.path, dict(self.headers), self.rfile.read(length)))
        if self.path == "/slow":
            time.sleep(1)
        status = int(self.path.rsplit("/", 1)[1]) if self.path.startswith("/status/") else 200
        self.send_response(status)
        if 300 <= status < 400:
            self.send_header("Location", "/elsewhere")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (its signature)
        pass


class HookServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Hook)
        self.requests: list[tuple[str, dict[str, str], bytes]] = []


@pytest.fixture
def hook(monkeypatch: pytest.MonkeyPatch) -> Iterator[HookServer]:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    server = HookServer()
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _url(server: HookServer, path: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


def test_a_webhook_gets_the_json_and_the_idempotency_key(hook: HookServer) -> None:
    sent = message(Medium.sms)
    WebhookSink(_url(hook, "/sms")).deliver(sent)
    ((path, headers, body),) = hook.requests
    assert path == "/sms"
    assert headers["Idempotency-Key"] == sent.key
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(body.decode("utf-8")) == sent.to_dict()


@pytest.mark.parametrize(
    ("status", "permanent"),
    [(500, False), (503, False), (429, False), (408, False), (400, True), (404, True), (302, True)],
)
def test_webhook_failures(hook: HookServer, status: int, permanent: bool) -> None:
    url = _url(hook, f"/status/{status}")
    with pytest.raises(DeliveryError) as raised:
        WebhookSink(url).deliver(message(Medium.sms))
    assert raised.value.permanent is permanent
    assert str(raised.value).startswith(f"POST {url}: {status} ")
    assert [r[0] for r in hook.requests] == [f"/status/{status}"]  # a redirect is not followed


def test_a_webhook_that_refuses_the_connection_is_tried_again() -> None:
    url = f"http://127.0.0.1:{free_port()}/hook"
    with pytest.raises(DeliveryError) as raised:
        WebhookSink(url).deliver(message(Medium.sms))
    assert not raised.value.permanent
    assert str(raised.value) == f"POST {url}: connection refused"


def test_a_slow_webhook_times_out(hook: HookServer) -> None:
    url = _url(hook, "/slow")
    with pytest.raises(DeliveryError) as raised:
        WebhookSink(url, timeout=0.3).deliver(message(Medium.sms))
    assert not raised.value.permanent
    assert str(raised.value) == f"POST {url}: timed out"


# -- the delivery loop ----------------------------------------------------------------------------


class Scripted:
    """A sink that fails as told, by key, and keeps what it delivered."""

    def __init__(self, failures: dict[str, DeliveryError]) -> None:
        self.failures = failures
        self.delivered: list[str] = []

    def deliver(self, message: Message) -> None:
        if message.key in self.failures:
            raise self.failures[message.key]
        self.delivered.append(message.key)


def test_the_loop_yields_each_outcome() -> None:
    sink = Scripted(
        {
            "busy": DeliveryError("503 Service Unavailable"),
            "gone": DeliveryError("404 Not Found", permanent=True),
            "tired": DeliveryError("503 Service Unavailable"),
        }
    )
    pending = [
        Pending(message(Medium.sms, "ok")),
        Pending(message(Medium.sms, "busy"), attempts=2),
        Pending(message(Medium.sms, "gone")),
        Pending(message(Medium.sms, "tired"), attempts=MAX_ATTEMPTS - 1),
        Pending(message(Medium.cabinet, "nowhere", recipient=""), attempts=0),
    ]
    media = dict.fromkeys(Medium, sink)
    assert list(deliver(pending, media, clock)) == [
        Outcome("ok", Status.delivered, 1, NOW),
        Outcome(
            "busy", Status.pending, 3, NOW, NOW + backoff(3, "busy"), "503 Service Unavailable"
        ),
        Outcome("gone", Status.failed, 1, NOW, error="404 Not Found"),
        Outcome(
            "tired",
            Status.failed,
            MAX_ATTEMPTS,
            NOW,
            error=f"503 Service Unavailable (given up after {MAX_ATTEMPTS})",
        ),
        Outcome(
            "nowhere",
            Status.failed,
            1,
            NOW,
            error="no cabinet address: the contact has no cabinet account",
        ),
    ]
    assert sink.delivered == ["ok"]  # the undeliverable one never reached the sink
    busy = Outcome("busy", Status.pending, 3, NOW, NOW + dt.timedelta(minutes=2), "503")
    assert busy.to_dict() == {
        "key": "busy",
        "status": "pending",
        "attempts": 3,
        "at": "2024-03-12T09:00:00+00:00",
        "next_attempt_at": "2024-03-12T09:02:00+00:00",
        "error": "503",
    }


def test_the_loop_is_lazy_so_each_outcome_can_be_committed_first() -> None:
    sink = Scripted({})
    outcomes = deliver(
        [Pending(message(key="a")), Pending(message(key="b"))], {Medium.email: sink}, clock
    )
    assert next(outcomes).key == "a"
    assert sink.delivered == ["a"]
    assert next(outcomes).key == "b"


def test_a_medium_without_a_sink_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="no sink for the medium sms"):
        list(deliver([Pending(message(Medium.sms))], {}, clock))


def test_a_case_delivered_to_the_default_sinks(tmp_path: Path) -> None:
    """From a case's events to the files of the default sink, every medium, twice over; the
    officials' SMS and e-mails (no address) fail at once, counted."""
    engine, case = _engine(), _case()
    every = messages(engine, case, case.history, FULL, "ru")
    found = [m for m in every if undeliverable(m) is None]
    media = sinks(None, clock, root=tmp_path)
    for _ in range(2):  # at least once: a second run leaves the same files
        outcomes = list(deliver([Pending(m) for m in every], media, clock))
        statuses = {o.key: o.status for o in outcomes}
        assert statuses == {m.key: Status.delivered if m in found else Status.failed for m in every}
    unaddressed = [m for m in every if m not in found]
    assert unaddressed and {m.medium for m in unaddressed} == {Medium.sms, Medium.email}
    emails = [m for m in found if m.medium is Medium.email]
    assert sorted(mailbox.Maildir(tmp_path / "email", create=False).keys()) == sorted(
        m.key for m in emails
    )
    for medium in (Medium.sms, Medium.cabinet, Medium.letter):
        files = sorted(p.stem for p in (tmp_path / medium.value).iterdir())
        assert files == sorted(m.key for m in found if m.medium is medium)


# -- the setting ----------------------------------------------------------------------------------


def test_by_default_every_medium_goes_to_the_maildir_sink(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    chosen = sinks(None, clock)
    assert set(chosen) == set(Medium)
    assert all(isinstance(s, MaildirSink) for s in chosen.values())
    assert {s.root for s in chosen.values() if isinstance(s, MaildirSink)} == {
        tmp_path / "reglament" / "outbox"
    }
    assert delivery.outbox_dir() == tmp_path / "reglament" / "outbox"


def test_the_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGLAMENT_OUTBOX", "*=https://gateway.example.kz/hook")
    assert set(delivery.configured(clock).values()) == {
        WebhookSink("https://gateway.example.kz/hook")
    }
    given = {"REGLAMENT_OUTBOX": "sms=http://127.0.0.1:9/x"}
    assert delivery.configured(clock, given)[Medium.sms] == WebhookSink("http://127.0.0.1:9/x")


def test_the_setting_maps_media_to_sinks(tmp_path: Path) -> None:
    setting = (
        "email=smtp://clerk:p%40ss@mail.example.kz:2525?from=akimat@example.kz&starttls=1; "
        f"*=https://gateway.example.kz/hook ; letter=maildir:{tmp_path}/print"
    )
    chosen = sinks(setting, clock, root=tmp_path)
    assert chosen[Medium.email] == SmtpSink(
        "mail.example.kz",
        2525,
        clock,
        sender="akimat@example.kz",
        tls="starttls",
        username="clerk",
        password="p@ss",
    )
    assert chosen[Medium.sms] == WebhookSink("https://gateway.example.kz/hook")
    assert chosen[Medium.cabinet] == WebhookSink("https://gateway.example.kz/hook")
    letter = chosen[Medium.letter]
    assert isinstance(letter, MaildirSink) and letter.root == tmp_path / "print"
    smtps = sinks("email=smtps://mail.example.kz", clock)[Medium.email]
    assert smtps == SmtpSink("mail.example.kz", 465, clock, tls="ssl")


@pytest.mark.parametrize(
    ("setting", "shown"),
    [
        (
            "fax=maildir:/x",
            "entry 1 (fax=maildir:/x): unknown medium 'fax'; the media are: *, sms,",
        ),
        ("sms", "entry 1 (sms): write MEDIUM=TARGET"),
        ("sms=;", "entry 1 (sms=): write MEDIUM=TARGET"),
        ("sms=ftp://x", "entry 1 (sms=ftp://x): the target is maildir:PATH, smtp://, smtps://,"),
        ("; email=maildir:rel", "entry 2 (email=maildir:rel): the maildir folder must be an"),
        ("email=smtp://h:99999", "entry 1 (email=smtp://h:99999): the SMTP port is not a number"),
        ("email=smtp://", "entry 1 (email=smtp://): the SMTP URL names no host"),
        ("email=smtp://h?tls=1", "entry 1 (email=smtp://h?tls=1): unknown SMTP option 'tls';"),
        ("sms=https:///x", "entry 1 (sms=https:///x): the webhook URL names no host"),
        ("email=smtp://u:secret@h?x=1", "entry 1 (email=smtp://u:***@h?x=1): unknown SMTP option"),
        ("email=smtp://h?from=a@b&x=1", "entry 1 (email=smtp://h?from=a@b&x=1): unknown SMTP opt"),
        ("sms=https://u:secret@h/x", "entry 1 (sms=https://u:***@h/x): the webhook URL may not"),
    ],
)
def test_a_bad_setting_is_one_line(setting: str, shown: str) -> None:
    with pytest.raises(UsageError) as raised:
        sinks(setting, clock)
    assert str(raised.value).startswith(f"REGLAMENT_OUTBOX: {shown}")
    assert "secret" not in str(raised.value)


def test_the_back_off_table_in_the_docs_is_the_codes() -> None:
    doc = (Path(__file__).parent.parent.parent / "docs" / "runtime.md").read_text("utf-8")
    row = next(line for line in doc.splitlines() if line.startswith("| next attempt after"))
    cells = [cell.strip() for cell in row.strip("|").split("|")][1:]

    def shown(wait: dt.timedelta) -> str:
        seconds = int(wait.total_seconds())
        if seconds < 60:
            return f"{seconds} s"
        return f"{seconds // 3600} h" if seconds >= 3600 * 6 else f"{seconds // 60} min"

    waits = [shown(backoff(n)) for n in range(1, MAX_ATTEMPTS)]
    assert cells == [*waits, "failed"]
