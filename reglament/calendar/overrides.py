"""The override layer: corrections to the ``holidays`` package as data, one legal source per entry.

This is the one calendar module that reads YAML. A file looks like::

    transfer_sources:            # optional: year -> the act that moved days off that year
      2025: "Government decree ... (adilet.zan.kz G24G0000436)"
    overrides:                   # optional: one entry per date
      - date: 2026-05-27
        kind: holiday            # holiday | day_off | working_day
        name: Kurban ait
        source: "..."            # required, never empty
        estimated: false         # optional, default false
        note: "..."              # optional

An entry is the final verdict for its date: it replaces whatever the base calendar says about that
day (so a holiday added on a Saturday must list the weekday it moves to as its own entry).
Validation is strict: unknown keys, missing keys, bad dates, duplicate dates and empty sources are
errors that name the file and the entry.
"""

from __future__ import annotations

import datetime as dt
import enum
import importlib.resources
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from reglament.errors import DefinitionError, Position, Problem

__all__ = [
    "BUNDLED_OVERRIDES",
    "Override",
    "OverrideKind",
    "OverrideSet",
    "load_bundled",
    "load_overrides",
    "merge",
]

BUNDLED_OVERRIDES = "reglament/calendar/data/overrides.yaml"


class OverrideKind(enum.StrEnum):
    """What an override makes of its date."""

    HOLIDAY = "holiday"  # a public holiday (a day off by law)
    DAY_OFF = "day_off"  # a day off by a transfer or a one-off decision
    WORKING_DAY = "working_day"  # a working day (a worked Saturday, or an abolished holiday)

    @property
    def working(self) -> bool:
        return self is OverrideKind.WORKING_DAY


@dataclass(frozen=True, slots=True)
class Override:
    """One corrected date, with its legal source and where it was read from."""

    date: dt.date
    kind: OverrideKind
    name: str
    source: str
    estimated: bool = False
    note: str = ""
    origin: str = ""  # "file#index", for messages

    def reason(self) -> str:
        label = {
            OverrideKind.HOLIDAY: "holiday",
            OverrideKind.DAY_OFF: "day off",
            OverrideKind.WORKING_DAY: "working day",
        }[self.kind]
        return f"{self.name} ({label}; {self.source})"


@dataclass(frozen=True, slots=True)
class OverrideSet:
    """Overrides by date plus the per-year sources of the government's transfers."""

    entries: Mapping[dt.date, Override]
    transfer_sources: Mapping[int, str]


_ENTRY_KEYS = {"date", "kind", "name", "source", "estimated", "note"}
_REQUIRED = ("date", "kind", "name", "source")
_TOP_KEYS = {"overrides", "transfer_sources"}


class _Problems:
    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[Problem] = []

    def add(self, message: str, path: str = "") -> None:
        self.items.append(Problem(Position(self.file, 1, 1), message, path, "calendar-override"))


def _parse_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _entry(raw: object, index: int, problems: _Problems) -> Override | None:
    path = f"overrides[{index}]"
    if not isinstance(raw, dict):
        problems.add(f"an override must be a mapping, got {type(raw).__name__}", path)
        return None
    unknown = sorted(str(k) for k in raw if k not in _ENTRY_KEYS)
    if unknown:
        allowed = ", ".join(sorted(_ENTRY_KEYS))
        problems.add(f"unknown key(s) {', '.join(unknown)}; allowed: {allowed}", path)
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        problems.add(f"missing key(s) {', '.join(missing)}", path)
    if unknown or missing:
        return None
    day = _parse_date(raw["date"])
    if day is None:
        problems.add(f"date {raw['date']!r} is not a date (YYYY-MM-DD)", f"{path}.date")
    try:
        kind = OverrideKind(raw["kind"])
    except ValueError:
        allowed = ", ".join(k.value for k in OverrideKind)
        problems.add(f"kind {raw['kind']!r} is not one of: {allowed}", f"{path}.kind")
        kind = None
    texts: dict[str, str] = {}
    for key in ("name", "source", "note"):
        value = raw.get(key, "")
        if not isinstance(value, str) or (key != "note" and not value.strip()):
            problems.add(f"{key} must be a non-empty string, got {value!r}", f"{path}.{key}")
        else:
            texts[key] = value.strip()
    estimated = raw.get("estimated", False)
    if not isinstance(estimated, bool):
        problems.add(f"estimated must be true or false, got {estimated!r}", f"{path}.estimated")
    if day is None or kind is None or len(texts) != 3 or not isinstance(estimated, bool):
        return None
    return Override(
        date=day,
        kind=kind,
        name=texts["name"],
        source=texts["source"],
        estimated=estimated,
        note=texts["note"],
        origin=f"{problems.file}#{path}",
    )


def parse_overrides(text: str, file: str) -> OverrideSet:
    """Parse and validate the text of an override file; raise ``DefinitionError`` on any problem."""
    problems = _Problems(file)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        problems.add(f"not valid YAML: {error}")
        raise DefinitionError(problems.items) from error
    except ValueError as error:  # PyYAML builds dates eagerly: 2030-02-30 fails here
        problems.add(f"bad date in the file: {error}")
        raise DefinitionError(problems.items) from error
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.add("the file must be a mapping with keys overrides and/or transfer_sources")
        raise DefinitionError(problems.items)
    unknown = sorted(str(k) for k in data if k not in _TOP_KEYS)
    if unknown:
        problems.add(f"unknown key(s) {', '.join(unknown)}; allowed: overrides, transfer_sources")
    raw_entries = data.get("overrides", [])
    if raw_entries is None:
        raw_entries = []
    if not isinstance(raw_entries, list):
        problems.add("overrides must be a list", "overrides")
        raw_entries = []
    entries: dict[dt.date, Override] = {}
    for index, raw in enumerate(raw_entries):
        entry = _entry(raw, index, problems)
        if entry is None:
            continue
        if entry.date in entries:
            first = entries[entry.date].origin
            problems.add(f"duplicate date {entry.date} (first at {first})", f"overrides[{index}]")
            continue
        entries[entry.date] = entry
    raw_sources = data.get("transfer_sources", {})
    if raw_sources is None:
        raw_sources = {}
    sources: dict[int, str] = {}
    if not isinstance(raw_sources, dict):
        problems.add("transfer_sources must map years to strings", "transfer_sources")
    else:
        for year, source in raw_sources.items():
            if not isinstance(year, int) or isinstance(year, bool) or not isinstance(source, str):
                problems.add(
                    f"transfer_sources entry {year!r}: {source!r} must be YEAR: text",
                    f"transfer_sources.{year}",
                )
                continue
            sources[year] = source
    if problems.items:
        raise DefinitionError(problems.items)
    return OverrideSet(entries, sources)


def load_overrides(path: Path) -> OverrideSet:
    """Read a user-supplied override file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DefinitionError(
            [Problem(Position(str(path), 1, 1), f"cannot read override file: {error.strerror}")]
        ) from error
    return parse_overrides(text, str(path))


def load_bundled() -> OverrideSet:
    """The corrections shipped with the package (always applied)."""
    resource = importlib.resources.files("reglament.calendar") / "data" / "overrides.yaml"
    return parse_overrides(resource.read_text(encoding="utf-8"), BUNDLED_OVERRIDES)


def merge(sets: Sequence[OverrideSet]) -> OverrideSet:
    """Later sets win, date by date and year by year."""
    entries: dict[dt.date, Override] = {}
    sources: dict[int, str] = {}
    for item in sets:
        entries.update(item.entries)
        sources.update(item.transfer_sources)
    return OverrideSet(entries, sources)
