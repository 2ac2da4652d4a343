"""One service across regions and versions, side by side.

The versions of a service (files whose ``service`` — or ``id`` — is the one asked for) become the
columns of one table. Its rows: the act and period; the channels and their terms with the audit's
worst case; for each kind of channel, the steps of the main path (the first way to a result)
aligned by the actor's role and their order; the actors by role.

Actors are named differently in every act ("office specialist", "clerk", "employee of the
office"); :func:`role` maps each to a role (office clerk, executor, head, PSC clerk …) from its
kind, id and English name, and the step sequences of the versions are aligned on those roles
(``difflib.SequenceMatcher``, the first version as the reference). The alignment is a reading
aid: a step on the same row does the same kind of work at the same point of the procedure.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from reglament.audit.paths import enumerate_paths
from reglament.audit.report import term_summary
from reglament.audit.terms import TermCheck, check_terms
from reglament.engine import Engine
from reglament.errors import UsageError, did_you_mean
from reglament.loader import Library, Loaded, parse_ref
from reglament.schemas import Actor, Decision, End, EndKind, Reglament, Task, Wait
from reglament.schemas.reglament import ActorKind
from reglament.schemas.words import act_text, period_text, step_time_text


def role(actor_id: str, actor: Actor) -> str:
    """The kind of work an actor does, comparable across acts (a heuristic on its kind, id and
    English name): ``office clerk``, ``executor``, ``head``, ``PSC clerk``, ``akim`` …"""
    if actor.kind is ActorKind.applicant:
        return "applicant"
    if actor.kind is ActorKind.system:
        return "information system"
    if actor.kind is ActorKind.external:
        return "external body"
    if actor.kind is ActorKind.commission:
        return "commission"
    words = f"{actor_id} {actor.name.en or ''}".lower()
    if actor_id.startswith("con") or "psc" in words or "center" in words:
        org = "PSC "
    elif "akim" in words:
        if actor_id == "akim" or words.startswith("akim of"):
            return "akim"
        org = "akim's "
    else:
        org = ""
    if any(w in words for w in ("head", "management", "signer")):
        function = "head"
    elif org == "PSC " or any(w in words for w in ("clerk", "office", "collection", "inspector")):
        function = "clerk"
    elif actor.kind is ActorKind.office:
        function = "office"
    else:
        function = "executor"
    return f"{org}{function}" if org or function != "clerk" else "office clerk"


@dataclass(frozen=True, slots=True)
class Version:
    """One version (a column)."""

    loaded: Loaded
    reglament: Reglament
    terms: tuple[TermCheck, ...]

    @property
    def label(self) -> str:
        r = self.reglament
        return f"{r.region} {r.effective.from_.isoformat()}"


@dataclass(frozen=True, slots=True)
class Row:
    """One row: a label and one cell per version ("" where the version has nothing)."""

    label: str
    cells: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    rows: tuple[Row, ...]


@dataclass(frozen=True, slots=True)
class Comparison:
    service: str
    versions: tuple[Version, ...]
    sections: tuple[Section, ...]
    notes: tuple[str, ...] = field(default=())


def compare(library: Library, service: str, region: str | None = None) -> Comparison:
    """The versions of ``service`` (by ``service`` or ``id``; ``ID@REGION`` or ``region``: of
    that region only, case aside) in ``library``, side by side;
    :class:`~reglament.errors.DefinitionError` when the library is invalid."""
    name, in_region, _ = parse_ref(service, region)
    found = library.versions(name, in_region)
    if not found:
        known = sorted({r.service_id for r in library.reglaments})
        if in_region is not None and library.versions(name):
            raise UsageError(f"no version of {name!r} in region {in_region!r}")
        hint = did_you_mean(name, [*known, *(r.id for r in library.reglaments)])
        raise UsageError(
            f"no service {name!r}{hint}{' ' if hint else '; '}known: {', '.join(known)}"
        )
    versions = []
    for loaded in found:
        assert loaded.reglament is not None
        checks = tuple(check_terms(Engine(loaded.reglament)))
        versions.append(Version(loaded, loaded.reglament, checks))
    notes = []
    if len(versions) == 1:
        where = f" in {versions[0].reglament.region}" if in_region else ""
        notes.append(f"only one version of {name!r}{where} is in the library")
    sections = [_identity(versions), _channels(versions)]
    kinds = list(
        dict.fromkeys(
            c.kind.value for v in versions for c in v.reglament.channels.values() if c.start
        )
    )
    for kind in kinds:
        sections.append(_steps(versions, kind))
    sections.append(_actors(versions))
    return Comparison(name, tuple(versions), tuple(sections), tuple(notes))


def _identity(versions: list[Version]) -> Section:
    def row(label: str, values: list[str]) -> Row:
        return Row(label, tuple(values))

    rs = [v.reglament for v in versions]
    return Section(
        "Version",
        (
            row("id", [r.id for r in rs]),
            row("title", [r.title.best() for r in rs]),
            row("act", [act_text(r) for r in rs]),
            row("in force", [period_text(r) for r in rs]),
            row("provider", [r.provider.best() for r in rs]),
            row("variants", [", ".join(r.variants) or "—" for r in rs]),
            row("file", [v.loaded.display for v in versions]),
        ),
    )


def _channels(versions: list[Version]) -> Section:
    kinds = list(
        dict.fromkeys(c.kind.value for v in versions for c in v.reglament.channels.values())
    )
    rows = []
    for kind in kinds:
        cells, terms, worst = [], [], []
        for v in versions:
            ids = [cid for cid, c in v.reglament.channels.items() if c.kind.value == kind]
            cells.append(
                "; ".join(
                    f"{cid}: {'procedure' if v.reglament.channels[cid].start else 'no procedure'}"
                    for cid in ids
                )
            )
            checks = [c for c in v.terms if c.channel in ids]
            terms.append("; ".join(dict.fromkeys(_scoped(c, c.term_text) for c in checks)))
            worst.append("; ".join(_scoped(c, term_summary(c)) for c in checks))
        rows.append(Row(f"{kind}", tuple(cells)))
        rows.append(Row(f"{kind}: term", tuple(terms)))
        rows.append(Row(f"{kind}: worst case", tuple(worst)))
    return Section("Channels and terms", tuple(rows))


def _scoped(check: TermCheck, text: str) -> str:
    return f"{check.variant}: {text}" if check.variant else text


def _main_path(v: Version, kind: str) -> list[str]:
    """The step ids of the channel kind's main path: the first path to a result (else the first)."""
    r = v.reglament
    channel = next((cid for cid, c in r.channels.items() if c.kind.value == kind and c.start), None)
    if channel is None:
        return []
    engine = Engine(r)
    variant = next(iter(engine.compiled.served_variants(channel)), None)
    paths = enumerate_paths(engine.compiled, channel, variant).paths
    if not paths:
        return []
    results = [p for p in paths if _ends_with_result(r, p.end)]
    chosen = (results or paths)[0]
    return [m.step for m in chosen.moves()]


def _ends_with_result(r: Reglament, step_id: str) -> bool:
    step = r.steps[step_id]
    return isinstance(step, End) and step.outcome is EndKind.result


def _step_role(r: Reglament, step_id: str) -> str:
    step = r.steps[step_id]
    actor = getattr(step, "actor", None)
    if isinstance(actor, str) and actor in r.actors:
        return role(actor, r.actors[actor])
    return step.kind


def _steps(versions: list[Version], kind: str) -> Section:
    rows: list[list[str | None]] = []  # per row: one step id (or None) per version
    labels: list[str] = []
    for column, v in enumerate(versions):
        steps = _main_path(v, kind)
        roles = [_step_role(v.reglament, s) for s in steps]
        if not rows:
            rows = [[s if i == column else None for i in range(len(versions))] for s in steps]
            labels = list(roles)
            continue
        matcher = difflib.SequenceMatcher(a=labels, b=roles, autojunk=False)
        new_rows: list[list[str | None]] = []
        new_labels: list[str] = []
        for op, a1, a2, b1, b2 in matcher.get_opcodes():
            if op == "equal" or op == "replace":
                pairs = min(a2 - a1, b2 - b1)
                for k in range(pairs):
                    rows[a1 + k][column] = steps[b1 + k]
                    new_rows.append(rows[a1 + k])
                    new_labels.append(
                        labels[a1 + k] if op == "equal" else f"{labels[a1 + k]} / {roles[b1 + k]}"
                    )
                for k in range(a1 + pairs, a2):
                    new_rows.append(rows[k])
                    new_labels.append(labels[k])
                for k in range(b1 + pairs, b2):
                    new_rows.append(
                        [steps[k] if i == column else None for i in range(len(versions))]
                    )
                    new_labels.append(roles[k])
            elif op == "delete":
                new_rows.extend(rows[a1:a2])
                new_labels.extend(labels[a1:a2])
            else:  # insert
                for k in range(b1, b2):
                    new_rows.append(
                        [steps[k] if i == column else None for i in range(len(versions))]
                    )
                    new_labels.append(roles[k])
        rows, labels = new_rows, new_labels
    out = [
        Row(label, tuple(_step_cell(v.reglament, ids[i]) for i, v in enumerate(versions)))
        for label, ids in zip(labels, rows, strict=True)
    ]
    return Section(f"Steps on the {kind} channel (main path, aligned by role)", tuple(out))


def _step_cell(r: Reglament, step_id: str | None) -> str:
    if step_id is None:
        return ""
    step = r.steps[step_id]
    if isinstance(step, Task | Decision):
        raw = (
            ""
            if isinstance(step.duration, list) or step.duration.raw is None
            else step.duration.raw.best("kk")
        )
    elif isinstance(step, Wait):
        raw = ""
    else:
        return f"{step_id} ({step.kind})"
    return f"{step_id} [{step.actor}]: {step_time_text(step)}" + (f" «{raw}»" if raw else "")


def _actors(versions: list[Version]) -> Section:
    roles: dict[str, list[list[str]]] = {}
    for column, v in enumerate(versions):
        for actor_id, actor in v.reglament.actors.items():
            cells = roles.setdefault(role(actor_id, actor), [[] for _ in versions])
            schedule = f", schedule {actor.schedule}" if actor.schedule else ""
            cells[column].append(f"{actor_id} ({actor.name.best()}{schedule})")
    return Section(
        "Actors by role",
        tuple(Row(name, tuple("; ".join(c) for c in cells)) for name, cells in roles.items()),
    )
