"""The office page's session: a signed cookie, and the CSRF token every form carries.

The cookie ``reglament_session`` holds, as base64url JSON signed with HMAC-SHA256: the id of the
token signed in with (``None`` before sign-in), the session's CSRF token and when it expires. It
never holds the token's secret: each request looks the token up again by its id
(``store/tokens.py: listed``), so a revoked token ends its sessions at once. The cookie is
HttpOnly, SameSite=Lax, and Secure when the request came over https (directly, or through a
proxy that says so in ``X-Forwarded-Proto`` and that uvicorn trusts: docs/service.md).

A form is accepted only with the session's CSRF token in its ``csrf`` field (a session-bound
token, compared in constant time), so a page of another site cannot post one; sign-in makes a
new session, and so a new token (no fixation). The signing key is ``REGLAMENT_SESSION_KEY``
(hex or text, at least 32 bytes) when set, which several instances behind one proxy must share;
else one random key per process (sessions end when it restarts).

The standard library's ``hmac`` and ``secrets`` are enough for this (a dozen lines): no
dependency is added for it."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, replace

from reglament.errors import UsageError

COOKIE = "reglament_session"
LIFETIME = dt.timedelta(hours=12)
KEY_ENV = "REGLAMENT_SESSION_KEY"


@dataclass(frozen=True, slots=True)
class Session:
    """One browser's session: the token signed in with (``None``: nobody yet), its CSRF token,
    when it expires."""

    token: int | None
    csrf: str
    expires: dt.datetime

    def signed_in(self, token: int, now: dt.datetime) -> Session:
        """A new session for ``token``: a new CSRF token, a new lifetime."""
        return replace(fresh(now), token=token)


def fresh(now: dt.datetime) -> Session:
    """A session of nobody, with a new CSRF token."""
    return Session(None, secrets.token_urlsafe(32), now + LIFETIME)


def key_from_environment() -> bytes:
    """The signing key: ``REGLAMENT_SESSION_KEY`` (hex, else its UTF-8 bytes), else random."""
    given = os.environ.get(KEY_ENV)
    if given is None:
        return secrets.token_bytes(32)
    try:
        key = bytes.fromhex(given)
    except ValueError:
        key = given.encode("utf-8")
    if len(key) < 32:
        raise UsageError(f"{KEY_ENV} is {len(key)} bytes long; give at least 32 (64 hex digits)")
    return key


def dump(session: Session, key: bytes) -> str:
    """The cookie's value."""
    body = {"t": session.token, "c": session.csrf, "e": int(session.expires.timestamp())}
    payload = base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":")).encode())
    return f"{payload.decode()}.{_sign(payload, key)}"


def load(value: str | None, key: bytes, now: dt.datetime) -> Session | None:
    """The session a cookie holds, or ``None``: no cookie, a bad signature, a broken body, or
    an expired session."""
    if not value or value.count(".") != 1:
        return None
    payload, signature = value.encode().split(b".")
    if not hmac.compare_digest(_sign(payload, key), signature.decode()):
        return None
    try:
        body = json.loads(base64.urlsafe_b64decode(payload))
        token, csrf, expires = body["t"], body["c"], body["e"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None
    if not (token is None or type(token) is int) or not isinstance(csrf, str):
        return None
    if type(expires) is not int:
        return None
    ends = dt.datetime.fromtimestamp(expires, dt.UTC)
    return Session(token, csrf, ends) if ends > now else None


def csrf_ok(session: Session | None, given: str | None) -> bool:
    """Whether a form's ``csrf`` field is its session's token."""
    if session is None or not given:
        return False
    return hmac.compare_digest(session.csrf.encode(), given.encode())


def _sign(payload: bytes, key: bytes) -> str:
    return hmac.new(key, payload, hashlib.sha256).hexdigest()
