"""Finding definition files, loading each with every problem reported, and the whole library.

Whether a definition is valid has one answer, given here and nowhere else: :func:`load_file`
(each file: its YAML, the format, the semantic checks, the notification templates) and
:func:`load_library` (the files and the checks across them). ``reglament validate`` prints that
answer, ``reglament audit`` reports it as its RG0xx findings, and every command that runs, draws
or shows a reglament gets its library through :meth:`Library.find` (or
:meth:`Library.versions`), which refuses a library holding an invalid file with a
:class:`DefinitionError` listing validate's problems."""

from __future__ import annotations

import datetime as dt
import gc
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from reglament.errors import (
    Arg,
    DefinitionError,
    Position,
    Problem,
    UsageError,
    did_you_mean,
)
from reglament.limits import parse_day
from reglament.loader import build, semantic, templates
from reglament.renderers.sms import SmsSize
from reglament.schemas import Reglament
from reglament.schemas.words import period_text
from reglament.source import files
from reglament.source.document import Document, resolve_extends, to_document
from reglament.source.yaml_reader import YamlProblem, YNode, read

_T = TypeVar("_T", str, dt.date)
SUFFIXES = (".yaml", ".yml")
BUNDLED = Path(__file__).resolve().parent.parent / "reglaments"


@dataclass(frozen=True, slots=True)
class Loaded:
    """One definition file and what became of it: ``problems`` make it invalid (every one the
    checks found, sorted); ``warnings`` do not (an SMS longer than two segments, steps named in messages without a
    ``message_name``); ``sms`` is
    the size of each template its notifications send by SMS, in each language."""

    path: Path
    display: str
    reglament: Reglament | None
    document: Document | None
    problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...] = ()
    sms: tuple[SmsSize, ...] = ()

    @property
    def ok(self) -> bool:
        return self.reglament is not None and not self.problems


@dataclass(slots=True)
class Library:
    """Every definition found under some paths, with the problems of each and across them."""

    files: list[Loaded] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # about paths or across files

    @property
    def reglaments(self) -> list[Reglament]:
        return [f.reglament for f in self.files if f.reglament is not None]

    def all_problems(self) -> list[Problem]:
        """Every problem that makes some file (or path) of the library invalid: the lines
        ``reglament validate`` prints."""
        found = [*self.problems]
        for loaded in self.files:
            found.extend(loaded.problems)
        return sorted(found, key=Problem.sort_key)

    def all_warnings(self) -> list[Problem]:
        return sorted((w for f in self.files for w in f.warnings), key=Problem.sort_key)

    def all_sms(self) -> list[SmsSize]:
        """The size of every template sent by SMS, file by file (validate's notes)."""
        return [size for f in self.files for size in f.sms]

    @property
    def ok(self) -> bool:
        return not self.all_problems()

    def require_valid(self) -> None:
        """Raise :class:`DefinitionError` with every problem when any file is invalid: nothing
        of a library that ``validate`` refuses is run, drawn or shown."""
        problems = self.all_problems()
        if problems:
            raise DefinitionError(problems)

    def versions(self, id_or_service: str, region: str | None = None) -> list[Loaded]:
        """Every version of an id (or service id), in ``region`` when given (case aside), by
        region then by the day each comes into force; :class:`DefinitionError` when the library
        is invalid."""
        self.require_valid()
        wanted = region.casefold() if region is not None else None
        found = [
            f
            for f in self.files
            if f.reglament is not None
            and id_or_service in (f.reglament.id, f.reglament.service_id)
            and (wanted is None or f.reglament.region.casefold() == wanted)
        ]
        return sorted(
            found,
            key=lambda f: (
                (f.reglament.region, f.reglament.effective.from_)
                if f.reglament
                else ("", dt.date.min)
            ),
        )

    def find(
        self, id_or_service: str, region: str | None = None, on: dt.date | str | None = None
    ) -> Loaded:
        """The one version of a service a case uses: in its region, in force on ``on`` (a date
        or an ISO date string, ``2018-03-20``).
        :class:`DefinitionError` when the library is invalid (see :meth:`require_valid`),
        :class:`UsageError` when no version or more than one answers, or ``on`` is no date."""
        on = _on_day(on)
        candidates = self.versions(id_or_service, region)
        if not candidates:
            raise self._unknown(id_or_service, region)
        if on is not None:
            in_force = [
                f
                for f in candidates
                if f.reglament is not None and f.reglament.effective.contains(on)
            ]
            if not in_force:
                raise _not_in_force(id_or_service, region, on, candidates)
            candidates = in_force
        regions = sorted({f.reglament.region for f in candidates if f.reglament is not None})
        if len(regions) > 1:
            raise _ambiguous(id_or_service, regions, refs=False)
        if len(candidates) > 1 and on is None:
            raise UsageError(
                f"{id_or_service!r} has {len(candidates)} versions; choose one with ",
                Arg("on", "DATE"),
            )
        return candidates[0]

    def choose(
        self,
        ref: str,
        region: str | None = None,
        on: dt.date | None = None,
        *,
        default_on: dt.date | None = None,
    ) -> Chosen:
        """The version a command works on, named by ``ID``, ``ID@REGION`` or
        ``ID@REGION@YYYY-MM-DD`` (``region`` and ``on`` say the same apart; both ways at once
        must agree). Regions are matched case aside.

        An id in several regions is refused unless a region is given, whatever the day: a
        :class:`UsageError` listing them. In its region, the version in force on ``on`` (else on
        ``default_on``, e.g. the day a case is submitted), else the latest."""
        name, region, day = parse_ref(ref, region, on)
        day = day or default_on
        versions = self.versions(name, region)
        if not versions:
            raise self._unknown(name, region)
        regions = sorted({f.reglament.region for f in versions if f.reglament is not None})
        if len(regions) > 1:
            raise _ambiguous(name, regions)
        if day is None:
            return Chosen(versions[-1], None, len(versions))
        return Chosen(self.find(name, regions[0], day), day, len(versions))

    def _unknown(self, id_or_service: str, region: str | None) -> UsageError:
        everywhere = self.versions(id_or_service)
        if region is not None and everywhere:
            regions = sorted({f.reglament.region for f in everywhere if f.reglament is not None})
            hint = did_you_mean(region, regions)
            return UsageError(
                f"no reglament {id_or_service!r} in region {region!r}{hint}"
                f"{' ' if hint else '; '}it is in: {', '.join(regions)}"
            )
        known = sorted({r.id for r in self.reglaments})
        hint = did_you_mean(id_or_service, [*known, *{r.service_id for r in self.reglaments}])
        where = f" in region {region!r}" if region else ""
        return UsageError(
            f"no reglament {id_or_service!r}{where}{hint}{' ' if hint else '; '}"
            f"known: {', '.join(known)}"
        )


@dataclass(frozen=True, slots=True)
class Chosen:
    """The version :meth:`Library.choose` chose, and why that one."""

    loaded: Loaded
    on: dt.date | None  # the day it is in force on, as asked; None: the latest of its region
    versions: int  # how many versions of it its region has

    @property
    def reglament(self) -> Reglament:
        assert self.loaded.reglament is not None  # choose only returns loaded reglaments
        return self.loaded.reglament

    @property
    def why(self) -> str:
        """``in force on 2015-12-14 in karaganda``, ``the latest of 2 versions in north``."""
        region = self.reglament.region
        if self.on is not None:
            return f"in force on {self.on.isoformat()} in {region}"
        if self.versions == 1:
            return f"the only version in {region}"
        return f"the latest of {self.versions} versions in {region}"


def parse_ref(
    ref: str, region: str | None = None, on: dt.date | None = None
) -> tuple[str, str | None, dt.date | None]:
    """``ID``, ``ID@REGION`` or ``ID@REGION@YYYY-MM-DD`` (the region may be left empty before a
    date: ``ID@@YYYY-MM-DD``) as its id, region and day; ``region`` and ``on`` (the options)
    fill in what it leaves out, and must agree with what it says."""
    parts = ref.split("@")
    if len(parts) > 3 or not parts[0].strip():
        raise UsageError(f"{ref!r}: expected ID, ID@REGION or ID@REGION@YYYY-MM-DD")
    given_region = region
    region = (parts[1].strip() or None) if len(parts) > 1 else None
    day = None
    if len(parts) == 3:
        try:
            day = parse_day(parts[2])
        except ValueError as error:
            raise UsageError(f"{ref!r}: {error}") from None
    return (
        parts[0].strip(),
        _agree(ref, "region", region, given_region),
        _agree(ref, "date", day, on),
    )


def _agree(ref: str, what: str, named: _T | None, given: _T | None) -> _T | None:
    """One value said in ``ref`` and by an option, which must not contradict each other."""
    if named is None or given is None:
        return named if named is not None else given
    same = str(named).casefold() == str(given).casefold()
    if not same:
        option = Arg("region" if what == "region" else "on")
        raise UsageError(f"{ref!r} names the {what} {named}, ", option, f" says {given}: give one")
    return named


def _on_day(on: object) -> dt.date | None:
    """``on`` as :meth:`Library.find` takes it: a date, an ISO date string, or ``None``."""
    if on is None or (isinstance(on, dt.date) and not isinstance(on, dt.datetime)):
        return on
    if isinstance(on, str):
        try:
            return parse_day(on)
        except ValueError as error:
            raise UsageError(f"on: {error}") from None
    raise UsageError(f"on: expected a date (datetime.date) or a date string YYYY-MM-DD, got {on!r}")


def _ambiguous(id_or_service: str, regions: list[str], refs: bool = True) -> UsageError:
    if not refs:  # find takes the region apart only
        return UsageError(
            f"{id_or_service!r} exists in several regions ({', '.join(regions)}); choose one with ",
            Arg("region"),
            f", e.g. region={regions[0]!r}",
        )
    return UsageError(
        f"{id_or_service!r} exists in several regions ({', '.join(regions)}); choose one with ",
        Arg("region"),
        f" or ID@REGION, e.g. {id_or_service}@{regions[0]}",
    )


def _not_in_force(
    id_or_service: str, region: str | None, on: dt.date, versions: list[Loaded]
) -> UsageError:
    periods = ", ".join(
        f"{period_text(f.reglament)} in {f.reglament.region}"
        for f in versions
        if f.reglament is not None
    )
    where = f" in {region}" if region else ""
    return UsageError(
        f"no version of {id_or_service!r} is in force on {on.isoformat()}{where}; "
        f"in force: {periods}"
    )


def display_path(path: Path) -> str:
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(BUNDLED.parent.parent))
    except ValueError:
        return str(path)


Reader = Callable[[Path, str], YNode]


def caching_reader() -> Reader:
    """A YAML reader that parses each (base) file once: children of one base share its tree,
    which merging never changes. For one library load, not for long-lived processes (a file
    edited meanwhile would not be seen)."""
    cache: dict[tuple[Path, str], YNode] = {}

    def cached(path: Path, display: str) -> YNode:
        key = (path.resolve(), display)
        if key not in cache:
            cache[key] = read(path, display)
        return cache[key]

    return cached


def load_file(path: Path | str, display: str | None = None, reader: Reader = read) -> Loaded:
    """Load one definition file with every problem that makes it invalid, in four passes: the
    file and its YAML, the format (keys, types, words), the semantic checks (references, the
    graph, conditions, terms) and the notification templates it uses; a pass that finds a
    problem ends the checks (docs/format.md#how-errors-are-reported). Never raises for a bad
    file, it reports; ``Loaded.ok`` is the one answer to "is this file valid"."""
    path = Path(path)
    shown = display if display is not None else display_path(path)
    try:
        tree = read(path, shown)
        tree = resolve_extends(tree, path, shown, reader)
    except YamlProblem as error:
        return Loaded(path, shown, None, None, (error.problem,))
    document = to_document(tree)
    reglament, problems = build.build(document)
    if reglament is None:
        return Loaded(path, shown, None, document, tuple(sorted(problems, key=Problem.sort_key)))
    problems = semantic.check(reglament, document)
    found, warnings, sizes = templates.check(reglament, document) if not problems else ([], [], [])
    return Loaded(
        path,
        shown,
        reglament,
        document,
        tuple(sorted([*problems, *found], key=Problem.sort_key)),
        tuple(sorted(warnings, key=Problem.sort_key)),
        tuple(sizes),
    )


def load(path: Path | str) -> Reglament:
    """Load one valid definition or raise :class:`DefinitionError` with all its problems."""
    loaded = load_file(path)
    if loaded.reglament is None or loaded.problems:
        raise DefinitionError(list(loaded.problems))
    return loaded.reglament


def discover(paths: Sequence[Path]) -> tuple[list[Path], list[Problem]]:
    """The definition files under ``paths`` (files as given; folders searched recursively,
    skipping base files whose names start with '_'); a path that is neither a regular file nor a
    folder is a :class:`UsageError`."""
    listed: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            kind = files.kind(path, str(path))
        except files.Refused as refused:
            raise refused.error() from None
        if kind == "folder":
            found = sorted(
                p
                for p in path.rglob("*")
                if p.suffix in SUFFIXES and p.is_file() and not p.name.startswith("_")
            )
            if not found:
                problems.append(
                    Problem(
                        Position(display_path(path), 0, 0),
                        "no reglament files (*.yaml, *.yml) in this folder",
                        code="no-files",
                    )
                )
            listed.extend(found)
        else:
            listed.append(path)
    return listed, problems


def load_library(paths: Iterable[Path | str] | None = None) -> Library:
    """Load every definition under ``paths`` (default: the bundled library), with the checks
    across files (effective periods of one service in one region must not overlap)."""
    if isinstance(paths, str):  # one path given as text, not its characters
        paths = [paths]
    chosen = [Path(p) for p in paths] if paths is not None else [BUNDLED]
    files, problems = discover(chosen)
    library = Library(problems=problems)
    seen: set[Path] = set()
    bases = caching_reader()
    # Loading makes many small, long-lived objects (models, position maps) and no reference
    # cycles to speak of; the cyclic collector's full passes over them would make loading N
    # files cost more than N times one file. It is paused for the load and restored after.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for path in files:
            if path.resolve() in seen:
                continue
            seen.add(path.resolve())
            library.files.append(load_file(path, reader=bases))
    finally:
        if collecting:
            gc.enable()
    library.problems.extend(_overlaps(library.files))
    return library


def _overlaps(files: list[Loaded]) -> list[Problem]:
    groups: dict[tuple[str, str], list[Loaded]] = defaultdict(list)
    for loaded in files:
        if loaded.reglament is not None:
            groups[(loaded.reglament.service_id, loaded.reglament.region)].append(loaded)
    problems = []
    for (service, region), versions in groups.items():
        versions.sort(key=lambda f: f.reglament.effective.from_ if f.reglament else dt.date.min)
        for earlier, later in itertools.pairwise(versions):
            assert (
                earlier.reglament is not None
                and later.reglament is not None
                and later.document is not None
            )
            until = earlier.reglament.effective.until
            if until is None or until > later.reglament.effective.from_:
                ends = until.isoformat() if until else "open-ended"
                problems.append(
                    Problem(
                        later.document.position(("effective",)),
                        f"effective period of {service!r} in {region} overlaps {earlier.display} "
                        f"({earlier.reglament.effective.from_.isoformat()} until {ends})",
                        "effective",
                        "effective-overlap",
                    )
                )
    return problems
