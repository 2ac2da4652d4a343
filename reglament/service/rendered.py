"""The bodies the service draws from its library (a reglament shown, its diagram), each made
once per version and query and kept, with its strong ``ETag``, for conditional GETs.

A served library does not change while the process runs (``create_app`` loads it once), so a
body drawn for one version and one query (format, channel, language ...) stays right until the
process ends: no expiry. The cache is bounded in entries and in bytes; past either bound the
least recently used go first. Only bodies are kept: an error is never cached.

The ``ETag`` (docs/service.md, "Conditional reads") is a SHA-256 digest of the version's
identity (``ID@REGION@FROM`` and its file), the query that shaped the body, and the body itself,
so it changes whenever any of them does; ``If-None-Match`` is compared weakly (RFC 9110 13.1.2)."""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from reglament.loader import Chosen

MAX_KEPT = 1_000  # bodies kept at most: versions x formats x channels x languages in use
MAX_BYTES = 64 * 1024 * 1024  # their bytes at most; the bundled library's largest SVG is ~100 KB
_TAG = re.compile(r'\s*(?:W/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*')

Key = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Body:
    """One drawn body: its bytes, media type and strong entity tag (quoted)."""

    content: bytes
    media_type: str
    etag: str


def key(operation: str, chosen: Chosen, *query: str) -> Key:
    """The cache key of ``operation``'s body for the version chosen and the query shaping it."""
    reglament = chosen.reglament
    version = f"{reglament.id}@{reglament.region}@{reglament.effective.from_.isoformat()}"
    return (operation, version, str(chosen.loaded.path), *query)


def etag(of: Key, content: bytes) -> str:
    """The strong entity tag of ``content`` drawn as ``of`` says."""
    digest = hashlib.sha256("\0".join(of).encode("utf-8"))
    digest.update(b"\0")
    digest.update(content)
    return f'"{digest.hexdigest()[:32]}"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """Whether ``If-None-Match`` names ``tag`` (or is ``*``): the client's copy is current. A
    header that is not a list of entity tags matches nothing (the body is sent)."""
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    wanted = tag.strip('"')
    return any(
        (found := _TAG.fullmatch(part)) is not None and found.group(1) == wanted
        for part in if_none_match.split(",")
    )


class Rendered:
    """Bodies by key, least recently used first; safe across the thread pool's threads."""

    def __init__(self, max_kept: int = MAX_KEPT, max_bytes: int = MAX_BYTES) -> None:
        self.max_kept, self.max_bytes = max_kept, max_bytes
        self._kept: OrderedDict[Key, Body] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, of: Key) -> Body | None:
        """The body kept under ``of``, if any (now the most recently used)."""
        with self._lock:
            found = self._kept.get(of)
            if found is not None:
                self._kept.move_to_end(of)
            return found

    def keep(self, of: Key, content: bytes, media_type: str) -> Body:
        """``content`` drawn as ``of`` says, with its tag, kept unless larger than the bound."""
        body = Body(content, media_type, etag(of, content))
        if len(content) > self.max_bytes:
            return body
        with self._lock:
            old = self._kept.pop(of, None)
            self._bytes -= len(old.content) if old is not None else 0
            while self._kept and (
                len(self._kept) >= self.max_kept or self._bytes + len(content) > self.max_bytes
            ):
                self._bytes -= len(self._kept.popitem(last=False)[1].content)
            self._kept[of] = body
            self._bytes += len(content)
        return body

    def body(self, of: Key, draw: Callable[[], tuple[bytes, str]]) -> Body:
        """The body kept under ``of``, else ``draw()``'s (its bytes and media type), kept."""
        found = self.get(of)
        return found if found is not None else self.keep(of, *draw())

    def __len__(self) -> int:
        return len(self._kept)
