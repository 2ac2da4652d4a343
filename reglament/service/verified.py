"""The bearer tokens this process has verified lately, so that a request does not read the
tokens table: a token seen valid is trusted for ``TOKEN_TTL`` seconds (monotonic clock), then
read again.

The revocation rule (docs/service.md, "Tokens"): a token revoked through this instance's API
(``DELETE /v1/tokens/{id}``) is refused by it at once; one revoked elsewhere (``reglament
tokens revoke``, another instance on the same database) is refused by a running instance
within ``TOKEN_TTL`` seconds. An unknown or revoked token is never kept: each request with one
reads the table. The cache is keyed by the secret's hash (``tokens.digest``), never by the
secret itself."""

from __future__ import annotations

import time
from collections.abc import Callable

from reglament.store.tokens import Principal, digest

TOKEN_TTL = 2.0  # seconds a verified token is trusted without reading the table again
MAX_KEPT = 10_000  # tokens kept at most; past it the oldest go first


class Verified:
    """Principals by their secret's hash, each until its deadline (``ticks``, seconds)."""

    def __init__(self, ttl: float = TOKEN_TTL, ticks: Callable[[], float] = time.monotonic):
        self.ttl, self.ticks = ttl, ticks
        self._kept: dict[str, tuple[float, Principal]] = {}

    def get(self, secret: str) -> tuple[str, Principal | None]:
        """The secret's hash, and its principal if it was verified less than ``ttl`` ago."""
        key = digest(secret)
        found = self._kept.get(key)
        if found is None:
            return key, None
        if found[0] <= self.ticks():
            self._kept.pop(key, None)
            return key, None
        return key, found[1]

    def keep(self, key: str, who: Principal) -> None:
        """``who`` verified now, under the secret's hash ``key``."""
        if self.ttl <= 0:
            return
        if len(self._kept) >= MAX_KEPT:
            del self._kept[next(iter(self._kept))]
        self._kept[key] = (self.ticks() + self.ttl, who)

    def forget(self, token_id: int) -> None:
        """Token ``token_id`` revoked here: refused from this request on."""
        self._kept = {k: v for k, v in self._kept.items() if v[1].id != token_id}
