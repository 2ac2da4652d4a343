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

from reglament.errors import DefinitionError, Position, Problem, UsageError
from reglament.loader import build, files, semantic, templates
from reglament.loader.document import Document, resolve_extends, to_document
from reglament.loader.yaml_reader import YamlProblem, YNode, read
from reglament.schemas import Reglament

SUFFIXES = (".yaml", ".yml")
BUNDLED = Path(__file__).resolve().parent.parent / "reglaments"


@dataclass(frozen=True, slots=True)
class Loaded:
    """One definition file and what became of it: ``problems`` make it invalid (every one the
    checks found, sorted); ``warnings`` do not (an SMS longer than two segments)."""

    path: Path
    display: str
    reglament: Reglament | None
    document: Document | None
    problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...] = ()

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
        """The versions of a service (by id or service) in ``region`` (every region without
        it), by region and start; :class:`DefinitionError` when the library is invalid."""
        self.require_valid()
        found = [
            f
            for f in self.files
            if f.reglament is not None
            and id_or_service in (f.reglament.id, f.reglament.service_id)
            and (region is None or f.reglament.region == region)
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
        self, id_or_service: str, region: str | None = None, on: dt.date | None = None
    ) -> Loaded:
        """The one version of a service a case uses: in its region, in force on ``on``.
        :class:`DefinitionError` when the library is invalid (see :meth:`require_valid`),
        :class:`UsageError` when no version or more than one answers."""
        candidates = self.versions(id_or_service, region)
        if not candidates:
            known = sorted({r.id for r in self.reglaments})
            raise UsageError(
                f"no reglament {id_or_service!r}{f' in region {region!r}' if region else ''}; known: {', '.join(known)}"
            )
        if on is not None:
            candidates = [
                f
                for f in candidates
                if f.reglament is not None and f.reglament.effective.contains(on)
            ]
            if not candidates:
                raise UsageError(
                    f"no version of {id_or_service!r} is in force on {on.isoformat()}{f' in {region}' if region else ''}"
                )
        regions = sorted({f.reglament.region for f in candidates if f.reglament is not None})
        if len(regions) > 1:
            raise UsageError(
                f"{id_or_service!r} exists in several regions ({', '.join(regions)}); choose one with --region"
            )
        if len(candidates) > 1 and on is None:
            raise UsageError(
                f"{id_or_service!r} has {len(candidates)} versions; choose one with --on DATE"
            )
        return candidates[0]


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
    found, warnings = templates.check(reglament, document) if not problems else ([], [])
    return Loaded(
        path,
        shown,
        reglament,
        document,
        tuple(sorted([*problems, *found], key=Problem.sort_key)),
        tuple(sorted(warnings, key=Problem.sort_key)),
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
