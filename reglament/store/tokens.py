"""The HTTP service's bearer tokens: who may call it, in which role and region.

A token is a random secret shown once, when it is made (``reglament tokens create``); the store
keeps only its SHA-256, so a stolen database gives no usable token and a secret is never
written anywhere. ``verify`` answers the principal a secret stands for, or ``None`` when it is
unknown or revoked. The roles and what each may do are the service's (docs/service.md)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.engine import Engine as Database

from reglament.errors import NotFoundError, UsageError, unknown
from reglament.store import database
from reglament.store.tables import fit, tokens

ROLES = ("clerk", "head", "auditor", "admin")
PREFIX = "rgl_"  # a secret's first characters: a leaked one is easy to recognise and scan for
_SECRET_BYTES = 32  # 256 bits of randomness


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a verified token stands for: the service checks its role and region."""

    id: int
    name: str
    role: str
    region: str
    actor: str | None


@dataclass(frozen=True, slots=True)
class Token:
    """A stored token, without its secret."""

    id: int
    name: str
    role: str
    region: str
    actor: str | None
    created: dt.datetime
    revoked: dt.datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "region": self.region,
            "actor": self.actor,
            "created": self.created.isoformat(),
            "revoked": self.revoked.isoformat() if self.revoked is not None else None,
        }


def digest(secret: str) -> str:
    """The hash the store keeps of a secret."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create(
    db: Database,
    role: str,
    region: str,
    actor: str | None,
    name: str | None,
    now: dt.datetime,
    *,
    regions: Collection[str] = (),
) -> tuple[Token, str]:
    """A new token of ``role`` for ``region`` (one of ``regions`` when given), and its secret,
    which is returned here once and kept nowhere. A clerk's token names the ``actor`` whose
    steps it records."""
    if role not in ROLES:
        raise unknown("role", role, ROLES)
    region = region.casefold()
    if regions and region not in regions:
        raise unknown("region", region, sorted(regions))
    if role == "clerk" and not actor:
        raise UsageError("a clerk's token records the steps of one actor: give its actor")
    secret = PREFIX + secrets.token_urlsafe(_SECRET_BYTES)
    row = {
        "name": name or f"{role}@{region}",
        "role": role,
        "region": region,
        "actor": actor or None,
        "secret_sha256": digest(secret),
        "created_at": now,
        "revoked_at": None,
    }
    fit(tokens, [row])
    with database.transaction(db, write=True) as connection:
        made = connection.execute(insert(tokens).values(**row).returning(tokens)).one()
    return _token(made), secret


def listed(db: Database, region: str | None = None) -> list[Token]:
    """Every token (of ``region`` when given), oldest first, revoked ones too."""
    query = select(tokens).order_by(tokens.c.id)
    if region is not None:
        query = query.where(tokens.c.region == region.casefold())
    with database.transaction(db, write=False) as connection:
        return [_token(row) for row in connection.execute(query)]


def revoke(db: Database, token_id: int, now: dt.datetime, region: str | None = None) -> Token:
    """Revoke token ``token_id`` (of ``region`` when given) from ``now`` on; revoking it again
    keeps the first instant."""
    where = [tokens.c.id == token_id]
    if region is not None:
        where.append(tokens.c.region == region.casefold())
    with database.transaction(db, write=True) as connection:
        connection.execute(
            update(tokens).where(*where, tokens.c.revoked_at.is_(None)).values(revoked_at=now)
        )
        row = connection.execute(select(tokens).where(*where)).first()
    if row is None:
        raise NotFoundError(f"no token {token_id}")
    return _token(row)


def verify(db: Database, secret: str) -> Principal | None:
    """The principal ``secret`` stands for, or ``None`` (unknown, or revoked)."""
    query = select(tokens).where(
        tokens.c.secret_sha256 == digest(secret), tokens.c.revoked_at.is_(None)
    )
    with database.transaction(db, write=False) as connection:
        row = connection.execute(query).first()
    if row is None:
        return None
    return Principal(row.id, row.name, row.role, row.region, row.actor)


def _token(row: Row[Any]) -> Token:
    return Token(row.id, row.name, row.role, row.region, row.actor, row.created_at, row.revoked_at)
