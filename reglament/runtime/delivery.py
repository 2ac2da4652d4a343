"""Delivering the outbox's messages: the sinks, the back-off, the delivery loop.

A :class:`Sink` delivers one :class:`~reglament.runtime.messages.Message` or raises
:class:`~reglament.errors.DeliveryError` (``permanent`` when trying again cannot help). Three
sinks:

* :class:`MaildirSink`, the default: e-mail into a Maildir (``ROOT/email``, readable by
  :class:`mailbox.Maildir` and any mail reader), every other medium as one JSON file per
  message (``ROOT/sms/KEY.json``, ``ROOT/cabinet/...``, ``ROOT/letter/...``) for the office's
  own gateway or printer to pick up. Each file is written under a temporary name, fsynced and
  linked to its final name, which is the message's key: a reader never sees half a message,
  and delivering the same key twice leaves one file.
* :class:`SmtpSink`: ``smtplib``, the key as the ``Message-ID`` (``<KEY@reglament>``).
* :class:`WebhookSink`: an HTTP POST of the message's JSON (:meth:`Message.to_dict`) with the
  key in an ``Idempotency-Key`` header, through the standard library's ``urllib``.

Which sink takes which medium is the setting ``REGLAMENT_OUTBOX`` (:func:`sinks`), by default
every medium to the Maildir sink under the user's data folder (:func:`outbox_dir`).

:func:`deliver` is the loop: it tries each pending message once and yields its
:class:`Outcome` (delivered, tried again at an instant, or failed for good) for the store to
write in one transaction per message. Delivery is at least once: a process that dies after a
sink accepted a message and before the store wrote its outcome delivers it again, with the
same key, on the next run; the receivers drop the second copy by that key (the Maildir sink
itself does). See docs/runtime.md, "Outbox".
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import hashlib
import http.client
import json
import os
import secrets
import smtplib
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from reglament.errors import DeliveryError, UsageError
from reglament.runtime.messages import Message, undeliverable
from reglament.schemas import Medium
from reglament.schemas.jsonready import ToDict

__all__ = [
    "BASE_DELAY",
    "MAX_ATTEMPTS",
    "MAX_DELAY",
    "DeliveryError",
    "MaildirSink",
    "Outcome",
    "Pending",
    "Sink",
    "SmtpSink",
    "Status",
    "WebhookSink",
    "backoff",
    "configured",
    "deliver",
    "next_attempt",
    "outbox_dir",
    "sinks",
]

Clock = Callable[[], dt.datetime]

SETTING = "REGLAMENT_OUTBOX"
SENDER = "reglament@localhost"  # the From of a message whose sink names none
TIMEOUT = 10.0  # seconds: an SMTP or HTTP exchange that takes longer is a failure, tried again


class Sink(Protocol):
    """Delivers one message, or raises :class:`DeliveryError`. Delivering the same key twice
    must be harmless for the receiver (it sees the key)."""

    def deliver(self, message: Message) -> None: ...


# -- back-off -------------------------------------------------------------------------------------

BASE_DELAY = dt.timedelta(seconds=30)
MAX_DELAY = dt.timedelta(hours=6)
MAX_ATTEMPTS = 13  # waits of 30 s, 1, 2, 4 ... 256 min, then 6 h twice: about 20 h in all


def backoff(attempts: int, key: str | None = None) -> dt.timedelta:
    """How long to wait after ``attempts`` failed attempts (1, 2, ...): ``BASE_DELAY`` doubled
    for each attempt after the first, at most ``MAX_DELAY``. With a ``key`` (the message's), the
    wait is cut by up to a quarter by a fraction drawn from the key and the attempt, so that
    messages failed together do not come back together, and the same message gets the same
    wait every time."""
    if attempts < 1:
        raise ValueError(f"attempts must be 1 or more, not {attempts}")
    delay = min(MAX_DELAY, BASE_DELAY * (1 << min(attempts - 1, 30)))
    if key is None:
        return delay
    digest = hashlib.sha256(f"{key}:{attempts}".encode()).digest()
    fraction = int.from_bytes(digest[:4], "big") / 2**32
    return delay * (1 - fraction / 4)


def next_attempt(attempts: int, now: dt.datetime, key: str | None = None) -> dt.datetime | None:
    """When to try a message again after ``attempts`` failed attempts, the last at ``now``
    (aware): ``now`` plus :func:`backoff`; ``None`` once ``MAX_ATTEMPTS`` have failed (the
    message has failed for good)."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware instant")
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + backoff(attempts, key)


# -- the delivery loop ----------------------------------------------------------------------------


class Status(StrEnum):
    """A message's state in the outbox, as the store keeps it."""

    pending = "pending"  # not yet delivered: tried again at ``next_attempt_at``
    delivered = "delivered"
    failed = "failed"  # for good: refused, undeliverable, or MAX_ATTEMPTS tried


@dataclass(frozen=True, slots=True)
class Pending:
    """A message to try, with the attempts already made on it."""

    message: Message
    attempts: int = 0


@dataclass(frozen=True, slots=True)
class Outcome(ToDict):
    """What one attempt came to: the message's new status, its attempts so far (this one
    included), when the attempt ended, when to try again (``pending`` only) and the one-line
    reason of a failure (``None`` when delivered). ``to_dict()`` is its JSON form."""

    key: str
    status: Status
    attempts: int
    at: dt.datetime
    next_attempt_at: dt.datetime | None = None
    error: str | None = None


def deliver(
    pending: Iterable[Pending], sinks: Mapping[Medium, Sink], clock: Clock
) -> Iterator[Outcome]:
    """Try each pending message once through the sink of its medium, in order, and yield each
    outcome as soon as it is known, so that the caller can write it (one transaction per
    message) before the next is tried. ``clock`` gives the instant each attempt ends (aware).
    A message :func:`~reglament.runtime.messages.undeliverable` fails at once, no sink tried."""
    for item in pending:
        sink = sinks.get(item.message.medium)
        if sink is None:
            raise UsageError(f"no sink for the medium {item.message.medium.value}")
        yield attempt(item, sink, clock)


def attempt(item: Pending, sink: Sink, clock: Clock) -> Outcome:
    """One attempt at one message (see :func:`deliver`)."""
    message, attempts = item.message, item.attempts + 1
    reason = undeliverable(message)
    if reason is not None:
        return Outcome(message.key, Status.failed, attempts, clock(), error=reason)
    try:
        sink.deliver(message)
    except DeliveryError as error:
        at = clock()
        later = None if error.permanent else next_attempt(attempts, at, message.key)
        if later is not None:
            return Outcome(message.key, Status.pending, attempts, at, later, error.reason)
        why = error.reason if error.permanent else f"{error.reason} (given up after {attempts})"
        return Outcome(message.key, Status.failed, attempts, at, error=why)
    return Outcome(message.key, Status.delivered, attempts, clock())


# -- the Maildir and file sink --------------------------------------------------------------------


def outbox_dir() -> Path:
    """The default sink's folder: ``$XDG_DATA_HOME/reglament/outbox``, else
    ``~/.local/share/reglament/outbox``."""
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / "reglament" / "outbox"


def email_message(message: Message, sender: str, date: dt.datetime) -> EmailMessage:
    """``message`` as an e-mail from ``sender``, dated ``date``, its key as its Message-ID."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = message.recipient
    mail["Subject"] = message.subject or ""
    mail["Date"] = email.utils.format_datetime(date)
    mail["Message-ID"] = f"<{message.key}@reglament>"
    mail.set_content(message.body)  # (it clears the Content-* headers: set after it)
    mail["Content-Language"] = message.language.value
    return mail


class MaildirSink:
    """E-mail into the Maildir ``ROOT/email``; every other medium as ``ROOT/MEDIUM/KEY.json``.
    The folders are made on the first delivery. A write that fails (disk full, no permission)
    is a :class:`DeliveryError` tried again."""

    def __init__(self, root: Path, clock: Clock, sender: str = SENDER) -> None:
        self.root = root
        self.clock = clock
        self.sender = sender

    def deliver(self, message: Message) -> None:
        try:
            if message.medium is Medium.email:
                self._mail(message)
            else:
                folder = self.root / message.medium.value
                data = json.dumps(message.to_dict(), ensure_ascii=False, indent=2) + "\n"
                folder.mkdir(parents=True, exist_ok=True)
                _write_once(folder, f"{message.key}.json", data.encode("utf-8"), folder)
        except OSError as error:
            raise DeliveryError(f"{self.root}: cannot write: {error.strerror or error}") from None

    def _mail(self, message: Message) -> None:
        folder = self.root / "email"
        for part in ("tmp", "new", "cur"):  # the Maildir's, and the folders above it
            (folder / part).mkdir(mode=0o700, parents=True, exist_ok=True)
        if next((folder / "cur").glob(f"{message.key}:*"), None) is not None:
            return  # delivered, and read since (a reader moves it to cur/KEY:2,FLAGS)
        data = email_message(message, self.sender, self.clock()).as_bytes()
        _write_once(folder / "tmp", message.key, data, folder / "new")


def _write_once(staging: Path, name: str, data: bytes, folder: Path) -> None:
    """Write ``data`` as ``folder/name`` whole or not at all: to a fresh file in ``staging``,
    fsynced, then hard-linked to its name (an existing one is kept: the same key twice is one
    file) and the folder fsynced."""
    temporary = staging / f".{name}.{secrets.token_hex(6)}.tmp"
    try:
        with temporary.open("xb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, folder / name)
    finally:
        temporary.unlink(missing_ok=True)
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# -- SMTP -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SmtpSink:
    """E-mail through an SMTP server. ``tls``: ``"ssl"`` (implicit TLS, smtps), ``"starttls"``
    or ``None``; ``username``/``password`` to log in. A 5xx reply (the message, the sender or
    the recipient refused) is permanent; a 4xx reply, a refused or lost connection and a
    timeout are tried again."""

    host: str
    port: int
    clock: Clock
    sender: str = SENDER
    tls: str | None = None
    username: str | None = None
    password: str | None = None
    timeout: float = TIMEOUT

    def deliver(self, message: Message) -> None:
        mail = email_message(message, self.sender, self.clock())
        where = f"smtp {self.host}:{self.port}"
        try:
            with self._connect() as smtp:
                if self.tls == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if self.username is not None:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(mail, from_addr=self.sender, to_addrs=[message.recipient])
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            raise _smtp_refused(where, code, text) from None
        except smtplib.SMTPResponseException as error:
            raise _smtp_refused(where, error.smtp_code, error.smtp_error) from None
        except smtplib.SMTPNotSupportedError as error:
            raise DeliveryError(f"{where}: {error}", permanent=True) from None
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(f"{where}: {_os_reason(error)}") from None

    def _connect(self) -> smtplib.SMTP:
        if self.tls == "ssl":
            context = ssl.create_default_context()
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)


def _smtp_refused(where: str, code: int, text: bytes | str) -> DeliveryError:
    said = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return DeliveryError(
        f"{where}: refused: {code} {' '.join(said.split())}", permanent=code >= 500
    )


def _os_reason(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "timed out"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    return str(error) or type(error).__name__


# -- webhook --------------------------------------------------------------------------------------

REPLY_LIMIT = 64 * 1024
# 4xx replies that say "later", not "never": tried again
RETRIED_4XX = frozenset({408, 425, 429})


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is not followed (urllib would turn the POST into a GET): it is an error."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@dataclass(frozen=True, slots=True)
class WebhookSink:
    """An HTTP POST of the message's JSON to ``url`` with the key in ``Idempotency-Key``. A 2xx
    reply delivers; a 4xx (but 408, 425, 429) or a redirect is permanent; a 5xx, 408, 425, 429,
    a refused or lost connection and a timeout are tried again."""

    url: str
    timeout: float = TIMEOUT

    def deliver(self, message: Message) -> None:
        body = json.dumps(message.to_dict(), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Idempotency-Key": message.key,
            },
        )
        opener = urllib.request.build_opener(_NoRedirect)
        where = f"POST {self.url}"
        try:
            with opener.open(request, timeout=self.timeout) as response:
                response.read(REPLY_LIMIT)  # the reply's body is not needed: a bounded read
        except urllib.error.HTTPError as error:
            error.close()
            status = error.code
            permanent = 300 <= status < 500 and status not in RETRIED_4XX
            raise DeliveryError(f"{where}: {status} {error.reason}", permanent=permanent) from None
        except urllib.error.URLError as error:
            raise DeliveryError(f"{where}: {_url_reason(error.reason)}") from None
        except (http.client.HTTPException, OSError) as error:
            raise DeliveryError(f"{where}: {_os_reason(error)}") from None


def _url_reason(reason: str | BaseException) -> str:
    return _os_reason(reason) if isinstance(reason, BaseException) else reason


# -- the setting: which sink takes which medium ---------------------------------------------------


def sinks(setting: str | None, clock: Clock, root: Path | None = None) -> dict[Medium, Sink]:
    """The sink of each medium from ``setting`` (``REGLAMENT_OUTBOX``'s value; ``None`` or
    empty: every medium to the Maildir sink in ``root``, default :func:`outbox_dir`).

    The setting is entries separated by ``;``, each ``MEDIUM=TARGET``; ``MEDIUM`` is ``sms``,
    ``email``, ``cabinet``, ``letter`` or ``*`` (every medium not named); ``TARGET`` is
    ``maildir:PATH`` (``maildir:`` alone: the default folder), ``smtp://[USER:PASSWORD@]HOST
    [:PORT][?from=ADDRESS&starttls=1]``, ``smtps://...`` (implicit TLS) or an ``http://`` or
    ``https://`` URL (a webhook). A bad entry is a ``UsageError`` naming it."""
    default: Sink = MaildirSink(root or outbox_dir(), clock)
    chosen: dict[str, Sink] = {}
    for number, entry in enumerate((setting or "").split(";"), start=1):
        if not entry.strip():
            continue
        medium, target = _entry(number, entry)
        chosen[medium] = _sink(number, entry, target, clock, root)
    fallback = chosen.pop("*", default)
    return {medium: chosen.get(medium.value, fallback) for medium in Medium}


def configured(clock: Clock, environ: Mapping[str, str] | None = None) -> dict[Medium, Sink]:
    """The sinks ``REGLAMENT_OUTBOX`` in ``environ`` (default: the process's) sets up, as
    :func:`sinks` reads it."""
    return sinks((os.environ if environ is None else environ).get(SETTING), clock)


def _entry(number: int, entry: str) -> tuple[str, str]:
    medium, equals, target = (part.strip() for part in entry.partition("="))
    names = [m.value for m in Medium]
    if not equals or not target:
        raise _bad(number, entry, "write MEDIUM=TARGET")
    if medium != "*" and medium not in names:
        raise _bad(
            number, entry, f"unknown medium {medium!r}; the media are: *, {', '.join(names)}"
        )
    return medium, target


def _sink(number: int, entry: str, target: str, clock: Clock, root: Path | None) -> Sink:
    scheme, colon, rest = target.partition(":")
    scheme = scheme.lower()
    if scheme == "maildir" and colon:
        if rest and not Path(rest).expanduser().is_absolute():
            raise _bad(number, entry, f"the maildir folder must be an absolute path, not {rest!r}")
        return MaildirSink(Path(rest).expanduser() if rest else root or outbox_dir(), clock)
    if scheme in ("smtp", "smtps"):
        return _smtp(number, entry, target, clock)
    if scheme in ("http", "https"):
        url = urllib.parse.urlsplit(target)
        if not url.hostname:
            raise _bad(number, entry, "the webhook URL names no host")
        if "@" in url.netloc:
            raise _bad(number, entry, "the webhook URL may not carry a user or password")
        return WebhookSink(target)
    raise _bad(number, entry, "the target is maildir:PATH, smtp://, smtps://, http:// or https://")


def _smtp(number: int, entry: str, target: str, clock: Clock) -> SmtpSink:
    url = urllib.parse.urlsplit(target)
    try:
        port = url.port
    except ValueError:
        raise _bad(number, entry, "the SMTP port is not a number from 0 to 65535") from None
    if not url.hostname:
        raise _bad(number, entry, "the SMTP URL names no host")
    query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
    unknown = sorted(set(query) - {"from", "starttls"})
    if unknown:
        raise _bad(
            number, entry, f"unknown SMTP option {unknown[0]!r}; the options: from, starttls"
        )
    implicit = url.scheme.lower() == "smtps"
    starttls = query.get("starttls", ["0"])[-1] in ("1", "true", "yes")
    return SmtpSink(
        host=url.hostname,
        port=port or (465 if implicit else 25),
        clock=clock,
        sender=query.get("from", [SENDER])[-1] or SENDER,
        tls="ssl" if implicit else "starttls" if starttls else None,
        username=urllib.parse.unquote(url.username) if url.username else None,
        password=urllib.parse.unquote(url.password) if url.password else None,
    )


def _bad(number: int, entry: str, problem: str) -> UsageError:
    return UsageError(f"{SETTING}: entry {number} ({_masked(entry)}): {problem}")


def _masked(entry: str) -> str:
    """The entry as given, its password (if any) shown as ``***``."""
    medium, equals, target = entry.strip().partition("=")
    url = urllib.parse.urlsplit(target.strip())
    if "@" not in url.netloc:
        return entry.strip()
    user, _, host = url.netloc.rpartition("@")
    name = user.partition(":")[0]
    return f"{medium}{equals}{url._replace(netloc=f'{name}:***@{host}').geturl()}"
