"""The audit's checks of one valid definition: small functions from a definition to findings.

Each check reads the model (what the file says) and the document (where it says it); none of
them changes anything or guesses: what the act leaves open is reported, never filled in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from reglament.audit.findings import RULES, Finding
from reglament.loader import Loaded
from reglament.procedure import events, graph, timing
from reglament.schemas import (
    Decision,
    Duration,
    End,
    Event,
    Language,
    Note,
    NoteKind,
    Reglament,
    Task,
    Text,
    Unit,
    Wait,
)
from reglament.source.document import Document, PathKey, dotted

QUOTE = 70  # characters of each quoted original in a message


@dataclass(frozen=True, slots=True)
class Subject:
    """One valid definition under audit."""

    reglament: Reglament
    document: Document

    def finding(self, code: str, path: PathKey, message: str, *, key: bool = False) -> Finding:
        position = self.document.key_position(path) if key else self.document.position(path)
        rule = RULES[code]
        return Finding(code, rule.severity, position, message, self.reglament.id, dotted(path))


Check = Callable[[Subject], Iterator[Finding]]


def subject(loaded: Loaded) -> Subject:
    assert loaded.reglament is not None and loaded.document is not None
    return Subject(loaded.reglament, loaded.document)


# -- durations -------------------------------------------------------------------------------------


def _durations(r: Reglament) -> Iterator[tuple[str, PathKey, Duration]]:
    for step_id, step in r.steps.items():
        for timed in timing.durations(step):
            yield step_id, ("steps", step_id, *timed.key), timed.duration


def untimed_steps(s: Subject) -> Iterator[Finding]:
    """RG201: a step the act gives no time."""
    for step_id, path, duration in _durations(s.reglament):
        if duration.unit is Unit.untimed:
            why = f" ({_brief(duration.note)})" if duration.note else ""
            yield s.finding(
                "RG201",
                (*path, "unit"),
                f"step {step_id!r} has no duration in the act; it takes no time in simulations "
                f"and the term check is a lower bound{why}",
            )


def schedules_without_dates(s: Subject) -> Iterator[Finding]:
    """RG202: a step follows an external schedule whose dates are unknown."""
    r = s.reglament
    for step_id, path, duration in _durations(r):
        if duration.unit is Unit.by_schedule and duration.schedule is not None:
            schedule = r.external_schedules.get(duration.schedule)
            if schedule is not None and not schedule.dates:
                yield s.finding(
                    "RG202",
                    (*path, "schedule"),
                    f"step {step_id!r} follows {duration.schedule!r}, whose dates are not known; "
                    "it takes no time in simulations and the term check is a lower bound",
                )


def waits_without_limit(s: Subject) -> Iterator[Finding]:
    """RG203: a wait nothing bounds."""
    for step_id, step in s.reglament.steps.items():
        if isinstance(step, Wait) and step.limit is None:
            yield s.finding(
                "RG203",
                ("steps", step_id),
                f"wait {step_id!r} ({_brief(step.event.best())}) has no time limit: nothing "
                "bounds it, and the term check counts it as no time (a lower bound)",
                key=True,
            )


# -- what the file marks as inferred, discrepant or mistaken ---------------------------------------


def inferred_routes(s: Subject) -> Iterator[Finding]:
    """RG211: outcomes and routes that the act only implies."""
    for step_id, step in s.reglament.steps.items():
        base: PathKey = ("steps", step_id)
        for way in graph.exits(step):
            outcome = way.outcome
            if outcome is not None and outcome.inferred:
                yield s.finding(
                    "RG211",
                    (*base, "outcomes", way.trigger, "inferred"),
                    f"outcome {way.trigger!r} of {step_id!r} → {_targets(way)} is inferred"
                    + (f": {_brief(outcome.note)}" if outcome.note else ""),
                )
            for target in way.targets:
                route = target.route
                if route is None or not route.inferred:
                    continue
                condition = f" when {route.when}" if route.when else ""
                yield s.finding(
                    "RG211",
                    (*base, *target.key[:-1], "inferred"),
                    f"route of {step_id!r} → {route.to!r}{condition} is inferred"
                    + (f": {_brief(route.note)}" if route.note else ""),
                )


def _targets(way: graph.Exit) -> str:
    return " / ".join(repr(target.to) for target in way.targets)


def _notes(r: Reglament) -> Iterator[tuple[PathKey, Note]]:
    for index, note in enumerate(r.notes):
        yield ("notes", index), note
    for step_id, step in r.steps.items():
        for index, note in enumerate(step.notes):
            yield ("steps", step_id, "notes", index), note


def discrepancies(s: Subject) -> Iterator[Finding]:
    """RG212: the Kazakh and Russian texts (or two places) differ, as the file's notes record."""
    for path, note in _notes(s.reglament):
        if note.kind is not NoteKind.discrepancy:
            continue
        about = _about(path, note)
        quoted = _quotes(note.quotes)
        used = f"; the engine follows {note.used.value}" if note.used else ""
        yield s.finding(
            "RG212",
            (*path, "kind"),
            f"{about + ': ' if about else ''}{_brief(note.text)}{' — ' + quoted if quoted else ''}{used}",
        )


def act_errors(s: Subject) -> Iterator[Finding]:
    """RG214: evident mistakes of the act, kept as written."""
    for path, note in _notes(s.reglament):
        if note.kind is NoteKind.error:
            about = _about(path, note)
            quoted = _quotes(note.quotes)
            yield s.finding(
                "RG214",
                (*path, "kind"),
                f"{about + ': ' if about else ''}{_brief(note.text)}{' — ' + quoted if quoted else ''}",
            )


def _about(path: PathKey, note: Note) -> str:
    """What a note is about: its ``about``, else the step it is written on."""
    if note.about:
        return note.about
    return f"steps.{path[1]}" if path[0] == "steps" else ""


def _quotes(quotes: Text | None) -> str:
    if quotes is None:
        return ""
    parts = [
        f"{language.value}: «{_brief(quotes.get(language) or '', QUOTE)}»"
        for language in (Language.kk, Language.ru, Language.en)
        if quotes.get(language)
    ]
    return " / ".join(parts)


def _brief(text: str | None, limit: int = 160) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


# -- languages -------------------------------------------------------------------------------------

ORIGINALS = (Language.kk, Language.ru)


def _act_texts(r: Reglament) -> Iterator[tuple[PathKey, str, Text]]:
    yield ("title",), "the title", r.title
    for result_id, result in r.results.items():
        yield ("results", result_id, "text"), f"result {result_id!r}", result.text
    for step_id, step in r.steps.items():
        if step.title is not None:
            yield ("steps", step_id, "title"), f"the title of step {step_id!r}", step.title
        if isinstance(step, Task | Decision):
            yield ("steps", step_id, "action"), f"the action of step {step_id!r}", step.action
        if isinstance(step, Wait):
            yield ("steps", step_id, "event"), f"the event of wait {step_id!r}", step.event


def missing_languages(s: Subject) -> Iterator[Finding]:
    """RG213: a title, action or result lacking a language the file uses elsewhere. Texts only
    in English are the encoder's own labels, not the act's words, and are not reported; a kk or
    ru text that is our translation (``translated``) does not make its language one the act
    uses."""
    texts = list(_act_texts(s.reglament))
    used = {
        language
        for _, _, text in texts
        for language in text.languages()
        if language not in ORIGINALS or not text.is_translated(language)
    }
    for path, what, text in texts:
        have = set(text.languages())
        if not have & set(ORIGINALS):
            continue
        missing = [language.value for language in Language if language in used - have]
        if missing:
            yield s.finding(
                "RG213",
                path,
                f"{what} has no {' and no '.join(missing)} text (the file uses "
                f"{', '.join(sorted(language.value for language in used))} elsewhere)",
            )


# -- schedules, notifications, the period ------------------------------------------------------------


def missing_schedules(s: Subject) -> Iterator[Finding]:
    """RG221: actors doing steps, and channels accepting applications, without office hours.
    One finding per file (at the first of them): they share one cause, the act's silence."""
    r = s.reglament
    doing: dict[str, list[str]] = {}
    for step_id, step in r.steps.items():
        actor = getattr(step, "actor", None)
        if isinstance(actor, str):
            doing.setdefault(actor, []).append(step_id)
    actors = [a for a, actor in r.actors.items() if actor.schedule is None and a in doing]
    channels = [c for c, ch in r.channels.items() if ch.schedule is None and ch.start is not None]
    if not actors and not channels:
        return
    parts = []
    if actors:
        parts.append(f"actor{'s' if len(actors) > 1 else ''} {', '.join(actors)}")
    if channels:
        parts.append(
            f"channel{'s' if len(channels) > 1 else ''} {', '.join(channels)} (acceptance)"
        )
    first: PathKey = ("actors", actors[0]) if actors else ("channels", channels[0])
    yield s.finding(
        "RG221",
        first,
        f"no office schedule for {' and '.join(parts)}: the default Mon–Fri 9:00–18:30 with "
        "lunch 13:00–14:30 is assumed in every deadline they take part in",
        key=True,
    )


def missing_notifications(s: Subject) -> Iterator[Finding]:
    """RG222: the messages the act implies (a receipt, the result, a refusal, missing data)."""
    r = s.reglament
    declared = r.notifications
    where: PathKey = ("notifications",) if ("notifications",) in s.document.keys else ("channels",)
    if any(c.start for c in r.channels.values()) and not any(
        n.on is Event.accepted for n in declared
    ):
        yield s.finding(
            "RG222",
            where,
            "no notification on accepted: an applicant is given a receipt (or talon) when the "
            "application is accepted; declare it (implied: true if the act does not name it)",
            key=True,
        )
    for step_id, step in r.steps.items():
        if not isinstance(step, End) or (event := events.raised_by(step.outcome)) is None:
            continue
        if not any(n.on is event and n.end in (None, step_id) for n in declared):
            yield s.finding(
                "RG222",
                ("steps", step_id),
                f"end {step_id!r} ({step.outcome.value}) has no notification on {event.value}: "
                "the applicant must learn the outcome; declare it (implied: true if the act "
                "does not name it)",
                key=True,
            )


def estimated_period(s: Subject) -> Iterator[Finding]:
    """RG223: the effective period is derived, not stated."""
    effective = s.reglament.effective
    if effective.estimated:
        until = effective.until.isoformat() if effective.until else "open-ended"
        yield s.finding(
            "RG223",
            ("effective", "estimated"),
            f"the period in force ({effective.from_.isoformat()} until {until}) is estimated"
            + (f": {_brief(effective.note)}" if effective.note else ""),
        )


CHECKS: tuple[Check, ...] = (
    untimed_steps,
    schedules_without_dates,
    waits_without_limit,
    inferred_routes,
    discrepancies,
    missing_languages,
    act_errors,
    missing_schedules,
    missing_notifications,
    estimated_period,
)
