"""The override layer: corrections to the ``holidays`` package as data, one legal source per entry.

This is the one calendar module that reads override files, through the loader's file and YAML
readers (regular files of at most 4 MiB, YAML 1.2 scalars, positioned errors). A file looks
like::

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
errors that name the file, the line and column, and the entry.
"""

from __future__ import annotations

import datetime as dt
import enum
import importlib.resources
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reglament.errors import DefinitionError, Problem

if TYPE_CHECKING:
    from reglament.source.document import Document, PathKey

# The reader (and PyYAML under it) is imported by the functions that parse a file: a process that
# finds the calendar in its cache (cache.py) reads no YAML.

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
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_YEAR = re.compile(r"[0-9]{4}")


class _Problems:
    """The problems of one file, each at the line of the value (or key) it is about."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.items: list[Problem] = []

    def add(
        self, message: str, path: PathKey = (), at: PathKey | None = None, *, key: bool = False
    ) -> None:
        """A problem about ``path``, shown at ``at`` (default ``path``): at its key or value."""
        from reglament.source.document import dotted

        where = path if at is None else at
        position = self.document.key_position(where) if key else self.document.position(where)
        self.items.append(Problem(position, message, dotted(path), "calendar-override"))


def _parse_date(value: object, path: PathKey, problems: _Problems) -> dt.date | None:
    found = _DATE.fullmatch(value) if isinstance(value, str) else None
    if found is None:
        problems.add(f"date {value!r} is not a date (YYYY-MM-DD)", path)
        return None
    try:
        return dt.date(*(int(part) for part in found.groups()))
    except ValueError as error:  # 2030-02-30
        problems.add(f"bad date {value!r}: {error}", path)
        return None


def _entry(raw: object, index: int, problems: _Problems) -> Override | None:
    from reglament.source.document import dotted

    path: PathKey = ("overrides", index)
    if not isinstance(raw, dict):
        problems.add(f"an override must be a mapping, got {type(raw).__name__}", path)
        return None
    unknown = sorted(k for k in raw if k not in _ENTRY_KEYS)
    if unknown:
        allowed = ", ".join(sorted(_ENTRY_KEYS))
        problems.add(
            f"unknown key(s) {', '.join(unknown)}; allowed: {allowed}",
            path,
            (*path, unknown[0]),
            key=True,
        )
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        problems.add(f"missing key(s) {', '.join(missing)}", path)
    if unknown or missing:
        return None
    day = _parse_date(raw["date"], (*path, "date"), problems)
    kind = None
    try:
        kind = OverrideKind(raw["kind"])
    except ValueError:
        allowed = ", ".join(k.value for k in OverrideKind)
        problems.add(f"kind {raw['kind']!r} is not one of: {allowed}", (*path, "kind"))
    texts: dict[str, str] = {}
    for key in ("name", "source", "note"):
        value = raw.get(key, "")
        if not isinstance(value, str) or (key != "note" and not value.strip()):
            problems.add(f"{key} must be a non-empty string, got {value!r}", (*path, key))
        else:
            texts[key] = value.strip()
    estimated = raw.get("estimated", False)
    if not isinstance(estimated, bool):
        problems.add(f"estimated must be true or false, got {estimated!r}", (*path, "estimated"))
    if day is None or kind is None or len(texts) != 3 or not isinstance(estimated, bool):
        return None
    return Override(
        date=day,
        kind=kind,
        name=texts["name"],
        source=texts["source"],
        estimated=estimated,
        note=texts["note"],
        origin=f"{problems.document.position(()).file}#{dotted(path)}",
    )


def parse_overrides(text: str, file: str) -> OverrideSet:
    """Parse and validate the text of an override file; raise ``DefinitionError`` on any problem.

    The text is read by the loader's YAML reader (YAML 1.2 scalars: ``yes`` stays a string;
    duplicate keys and tags refused; every problem at its line and column)."""
    from reglament.source.document import to_document
    from reglament.source.yaml_reader import YamlProblem, is_blank, parse

    if is_blank(text):
        return OverrideSet({}, {})
    try:
        document = to_document(parse(text, file, "calendar override"))
    except YamlProblem as error:
        raise DefinitionError([error.problem]) from None
    problems = _Problems(document)
    data = document.data
    if not isinstance(data, dict):
        problems.add("the file must be a mapping with keys overrides and/or transfer_sources")
        raise DefinitionError(problems.items)
    unknown = sorted(k for k in data if k not in _TOP_KEYS)
    if unknown:
        problems.add(
            f"unknown key(s) {', '.join(unknown)}; allowed: overrides, transfer_sources",
            at=(unknown[0],),
            key=True,
        )
    raw_entries = data.get("overrides", [])
    if raw_entries is None:
        raw_entries = []
    if not isinstance(raw_entries, list):
        problems.add("overrides must be a list", ("overrides",))
        raw_entries = []
    entries: dict[dt.date, Override] = {}
    for index, raw in enumerate(raw_entries):
        entry = _entry(raw, index, problems)
        if entry is None:
            continue
        if entry.date in entries:
            first = entries[entry.date].origin
            problems.add(
                f"duplicate date {entry.date} (first at {first})",
                ("overrides", index),
                ("overrides", index, "date"),
            )
            continue
        entries[entry.date] = entry
    raw_sources = data.get("transfer_sources", {})
    if raw_sources is None:
        raw_sources = {}
    sources: dict[int, str] = {}
    if not isinstance(raw_sources, dict):
        problems.add("transfer_sources must map years to strings", ("transfer_sources",))
    else:
        for year, source in raw_sources.items():
            if _YEAR.fullmatch(year) is None or not isinstance(source, str):
                problems.add(
                    f"transfer_sources entry {year!r}: {source!r} must be YEAR: text",
                    ("transfer_sources", year),
                )
                continue
            sources[int(year)] = source
    if problems.items:
        raise DefinitionError(problems.items)
    return OverrideSet(entries, sources)


def load_overrides(path: Path) -> OverrideSet:
    """Read a user-supplied override file: a path that is missing or not a regular file is a
    usage error; a file too large, not UTF-8 or invalid is a ``DefinitionError``."""
    from reglament.source import files
    from reglament.source.yaml_reader import MAX_BYTES

    try:
        text = files.read_text(
            path, str(path), limit=MAX_BYTES, what="a calendar override file", language="YAML"
        )
    except files.Refused as refused:
        raise refused.error() from None
    return parse_overrides(text, str(path))


def bundled_text() -> str:
    """The text of the bundled override file."""
    resource = importlib.resources.files("reglament.calendar") / "data" / "overrides.yaml"
    return resource.read_text(encoding="utf-8")


def load_bundled() -> OverrideSet:
    """The corrections shipped with the package (always applied)."""
    return parse_overrides(bundled_text(), BUNDLED_OVERRIDES)


def merge(sets: Sequence[OverrideSet]) -> OverrideSet:
    """Later sets win, date by date and year by year."""
    entries: dict[dt.date, Override] = {}
    sources: dict[int, str] = {}
    for item in sets:
        entries.update(item.entries)
        sources.update(item.transfer_sources)
    return OverrideSet(entries, sources)
