"""The default calendar kept on disk between processes, checked against its sources.

Building the Kazakh calendar means importing ``holidays``, reading its Kazakhstan class three ways
over 31 years and parsing the bundled override file: about 0.25 s of CPU. What comes out (the
dates where ``holidays`` departs from Mon–Fri, and the bundled overrides) is written once to
``calendar-<key>.json`` in the cache folder and read back by the next process in a few ms.

The key is a SHA-256 of every input the result depends on: this file's format number, the
calendar's span, the installed ``holidays`` package's version file and Kazakhstan module, the
bundled ``overrides.yaml``, and the source of the modules that derive the tables
(``days.py``, ``overrides.py``, this one). The cache is never required and never trusted:

* a file whose key, checksum or shape is wrong (stale, truncated, edited) is ignored, and the
  calendar is built from its sources and written again;
* a file is written to a temporary name in the same folder and renamed over the old one, so a
  reader never sees half a file;
* a folder that cannot be made or written is no error: the calendar is built in memory, as
  without a cache.

Folder: ``$REGLAMENT_CACHE_DIR``, else ``$XDG_CACHE_HOME/reglament``, else
``~/.cache/reglament``; ``REGLAMENT_NO_CACHE=1`` turns the cache off (docs/calendar.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib.util
import json
import os
import resource
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reglament.calendar.overrides import Override, OverrideKind, OverrideSet

if TYPE_CHECKING:
    from reglament.calendar.days import _Special

__all__ = ["cache_dir", "cache_key", "cached_tables", "decode_tables", "encode_tables"]

FORMAT = 1
_HERE = Path(__file__).resolve().parent
_OWN_SOURCES = ("days.py", "overrides.py", "cache.py")

Tables = tuple["dict[dt.date, _Special]", OverrideSet]


def cache_dir() -> Path | None:
    """The cache folder, or ``None`` when the cache is off or no folder can be named."""
    if os.environ.get("REGLAMENT_NO_CACHE", "") not in ("", "0"):
        return None
    given = os.environ.get("REGLAMENT_CACHE_DIR")
    if given:
        return Path(given)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "reglament"
    home = os.environ.get("HOME")
    return Path(home) / ".cache" / "reglament" if home else None


def _holidays_files() -> list[Path]:
    """The installed ``holidays`` package's version file and Kazakhstan module (found without
    importing the package, which is what the cache saves)."""
    spec = importlib.util.find_spec("holidays")
    if spec is None or spec.origin is None:
        return []
    root = Path(spec.origin).parent
    return [root / "version.py", root / "countries" / "kazakhstan.py"]


def cache_key(first_year: int, last_year: int, bundled: bytes) -> str | None:
    """The SHA-256 of every input of the default calendar; ``None`` if one cannot be read (then
    nothing is cached)."""
    digest = hashlib.sha256(f"reglament-calendar {FORMAT} {first_year} {last_year}\n".encode())
    digest.update(hashlib.sha256(bundled).digest())
    try:
        for path in (*_holidays_files(), *(_HERE / name for name in _OWN_SOURCES)):
            digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    except OSError:
        return None
    return digest.hexdigest()


def _encode(specials: dict[dt.date, _Special], overrides: OverrideSet) -> dict[str, Any]:
    return {
        "specials": [
            [d.isoformat(), s.working, list(s.reasons), s.estimated, s.holiday, s.overridden]
            for d, s in sorted(specials.items())
        ],
        "overrides": [
            [o.date.isoformat(), o.kind.value, o.name, o.source, o.estimated, o.note, o.origin]
            for o in sorted(overrides.entries.values(), key=lambda o: o.date)
        ],
        "transfer_sources": {str(year): text for year, text in overrides.transfer_sources.items()},
    }


def _checksum(payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


encode_tables = _encode  # the case store keeps a calendar in this form too (days.py: to_json)


def _strings(values: list[Any]) -> bool:
    return all(isinstance(v, str) for v in values)


def _decode(payload: dict[str, Any]) -> Tables:
    """The tables back from a checked payload; ``ValueError`` (or ``TypeError``) for any entry
    of the wrong shape."""
    from reglament.calendar.days import _Special

    specials: dict[dt.date, _Special] = {}
    for day, working, reasons, estimated, holiday, overridden in payload["specials"]:
        flags = (working, estimated, overridden)
        if not all(isinstance(f, bool) for f in flags) or not _strings([holiday, *reasons]):
            raise ValueError(f"bad entry for {day!r}")
        specials[dt.date.fromisoformat(day)] = _Special(
            working, tuple(reasons), estimated, holiday, overridden
        )
    entries: dict[dt.date, Override] = {}
    for day, kind, name, source, estimated, note, origin in payload["overrides"]:
        if not isinstance(estimated, bool) or not _strings([name, source, note, origin]):
            raise ValueError(f"bad override for {day!r}")
        date = dt.date.fromisoformat(day)
        entries[date] = Override(date, OverrideKind(kind), name, source, estimated, note, origin)
    sources = payload["transfer_sources"]
    if not isinstance(sources, dict) or not _strings(list(sources.values())):
        raise ValueError("bad transfer_sources")
    return specials, OverrideSet(entries, {int(year): text for year, text in sources.items()})


decode_tables = _decode


def _read(path: Path, key: str) -> Tables | None:
    """The tables in ``path`` if it is a whole, unchanged cache file for ``key``; else ``None``."""
    try:
        document = json.loads(path.read_bytes())
        if document.get("format") != FORMAT or document.get("key") != key:
            return None
        payload = document["payload"]
        if document.get("checksum") != _checksum(payload):
            return None
        return _decode(payload)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _write(path: Path, key: str, tables: Tables) -> None:
    """Write ``tables`` to ``path`` atomically (a temporary file renamed over it); any failure
    leaves no file behind and is not an error."""
    payload = _encode(*tables)
    document = {"format": FORMAT, "key": key, "checksum": _checksum(payload), "payload": payload}
    data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    if soft != resource.RLIM_INFINITY and soft < len(data):
        return  # the write would fail, or SIGXFSZ at its default would end the process
    tmp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        tmp = Path(name)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        tmp.replace(path)
        tmp = None
    except OSError:
        pass
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()


def cached_tables(
    first_year: int, last_year: int, bundled: bytes, build: Callable[[], Tables]
) -> Tables:
    """The default calendar's tables: from the cache when it holds them for these very inputs,
    else from ``build()`` (and then written to the cache for the next process)."""
    folder = cache_dir()
    key = cache_key(first_year, last_year, bundled) if folder is not None else None
    if folder is None or key is None:
        return build()
    path = folder / f"calendar-{key[:32]}.json"
    found = _read(path, key)
    if found is not None:
        return found
    tables = build()
    _write(path, key, tables)
    return tables
