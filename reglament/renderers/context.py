"""What a notification says, built from the engine's data only: the facts of one notice
(instants, ids, numbers) and, per language, the variables templates read.

No Jinja here: the loader-side checks (``reglament validate``) can ask what an event provides
without importing it. :mod:`reglament.renderers.notifications` renders the templates.

Texts come from the reglament in the message's language; where the reglament lacks that
language for some text, the first of :data:`FALLBACK` it has is used and the message says so in
its notes (an original before a translation: Kazakh, then Russian, then English for a Kazakh or
Russian message; Russian, then Kazakh for an English one). Lines a template may leave out fall
back on the other original only.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from reglament.procedure import events
from reglament.procedure.events import END_EVENTS, STEP_EVENTS, Kind
from reglament.renderers import dates
from reglament.renderers.variables import PROVIDED
from reglament.schemas import (
    Channel,
    ChannelKind,
    Decision,
    End,
    Event,
    Ground,
    Language,
    Medium,
    Notification,
    Recipient,
    Reglament,
    Text,
    Unit,
    letters,
)

if TYPE_CHECKING:  # the engine is imported by what builds facts, not by what checks templates
    from reglament.engine.case import Case
    from reglament.engine.runtime import Engine, Notice
    from reglament.engine.simulate import Timeline

FALLBACK: dict[Language, tuple[Language, ...]] = {
    Language.kk: (Language.kk, Language.ru, Language.en),
    Language.ru: (Language.ru, Language.kk, Language.en),
    Language.en: (Language.en, Language.ru, Language.kk),
}

# -- what the engine says about one notice ---------------------------------------------------------

DueKind = Literal["term", "planned", "earliest"]


@dataclass(frozen=True, slots=True)
class Facts:
    """The language-independent facts of one notice: instants, ids and numbers."""

    event: Event
    receipt: str
    submitted: dt.datetime
    accepted: dt.datetime
    at: dt.datetime
    due: dt.datetime
    due_kind: DueKind
    channel: str
    variant: str | None
    term: tuple[int, Unit] | None = None
    step: str | None = None  # the step of a step event, or the one the case is in
    end: str | None = None  # the end step of an end event
    outcome: str | None = None
    step_due: dt.datetime | None = None
    days_before: int | None = None
    reason: str = ""
    days_left: int | None = None  # term_at_risk: working days left of the term (calendar)


@dataclass(frozen=True, slots=True)
class Letter:
    """What a paper letter carries beside its message, given by the caller (or its store):
    the outgoing number, the one body that sends it (default: the channel applied through
    when it is an office, else the provider), the signatory's position and name. What is not
    given is left as a line to fill in by hand."""

    number: str | None = None
    sender: str | None = None
    position: str | None = None
    name: str | None = None


def receipt_number(case: Case) -> str:
    """The case's application number, fixed at its start (``Case.receipt``; see
    :func:`reglament.engine.case.receipt_number`)."""
    return case.receipt


def _current_step(case: Case, at: dt.datetime) -> str | None:
    """The step the case was in at ``at`` (the latest started and not yet completed)."""
    open_: list[str] = []
    for record in case.history:
        if record.at > at:
            break
        if record.kind is Kind.step_started and record.step is not None:
            open_.append(record.step)
        elif record.kind is Kind.step_completed and record.step in open_:
            open_.remove(record.step)
    return open_[-1] if open_ else None


def facts(
    engine: Engine,
    case: Case,
    notice: Notice,
    *,
    timeline: Timeline | None = None,
    receipt: str | None = None,
) -> Facts:
    """What the engine says about ``notice`` of ``case``. The result's due date is the legal
    term's due as of the notice; when the act states no term, the case's end (a finished case),
    else the end of ``timeline``, else of the case simulated from its start."""
    from reglament.procedure.term import working_days_left  # the calendar: not for validate

    record = notice.record
    event = events.event_of(record.kind)
    assert event is not None, f"no notification is declared on {record.kind}"
    term_due = engine.term_due(case, record.at)
    due_kind: DueKind = "term"
    if term_due is not None:
        due = term_due
    elif timeline is not None:
        due, due_kind = timeline.end, "earliest" if timeline.lower_bound else "planned"
    elif not case.finished:
        due, due_kind = planned_end(engine, case)
    else:
        assert case.finished_at is not None
        due, due_kind = case.finished_at, "planned"
    step = end = None
    if event in STEP_EVENTS:
        step = record.step
    elif event is Event.term_at_risk:
        step = _current_step(case, record.at)
    elif event in END_EVENTS:
        end = record.step
    step_due = None
    if event is Event.step_overdue:
        step_due = record.at  # the engine records an overdue step at its due time
    elif event in STEP_EVENTS:  # the visit the record opens or closes, not one begun since
        step_due = engine.visit_due(case, record)
    elif step is not None:
        step_due = engine.step_due(case, step, record.at)
    term = (
        (case.term_value, Unit(case.term_unit))
        if case.term_value is not None and case.term_unit is not None
        else None
    )
    days_before = days_left = None
    if event is Event.term_at_risk:
        days_before = events.at_risk_days(engine.reglament, notice.notification)
        if term_due is not None:
            clock = engine.compiled.channel_clock[case.channel]
            days_left = working_days_left(clock, record.at, term_due)
    return Facts(
        event=event,
        receipt=receipt or receipt_number(case),
        submitted=case.submitted_at,
        accepted=case.accepted_at,
        at=record.at,
        due=due,
        due_kind=due_kind,
        channel=case.channel,
        variant=case.variant,
        term=term,
        step=step,
        end=end,
        outcome=record.outcome if event is Event.step_completed else None,
        step_due=step_due,
        days_before=days_before,
        reason=record.detail if event is Event.suspended else "",
        days_left=days_left,
    )


# The end of an open case's plan, simulated from its start, is a due date's fallback when the
# act states no term: the same for every notice of the case as long as what the plan starts from
# (its submission, channel, variant and data) does not change. Each engine keeps the last
# PLANS of them, so that a case's notices, and its next moves' notices, simulate it once.
PLANS = 1024
PlanKey = tuple[dt.datetime, str, str, str | None, tuple[tuple[str, str, object], ...]]
_PLANS: weakref.WeakKeyDictionary[Engine, Callable[[PlanKey], tuple[dt.datetime, DueKind]]] = (
    weakref.WeakKeyDictionary()
)
_PLANS_LOCK = threading.Lock()


def planned_end(engine: Engine, case: Case) -> tuple[dt.datetime, DueKind]:
    """The end of ``case`` simulated from its start (its submission, channel, variant and
    data), ``"earliest"`` when some step has no time in the act, else ``"planned"``; kept per
    engine (:data:`PLANS`) under what the simulation starts from."""
    key: PlanKey = (
        case.submitted_at,
        str(case.submitted_at.tzinfo),  # equal instants in two zones are two keys
        case.channel,
        case.variant,
        tuple((name, type(value).__name__, value) for name, value in case.data.items()),
    )
    try:
        hash(key)
    except TypeError:  # a value that is no key (none of the schema's types is such)
        return _simulated_end(engine, key)
    with _PLANS_LOCK:
        plans = _PLANS.get(engine)
        if plans is None:
            plans = _PLANS[engine] = _plan_cache(weakref.ref(engine))
    return plans(key)


def _plan_cache(
    engine: weakref.ref[Engine],
) -> Callable[[PlanKey], tuple[dt.datetime, DueKind]]:
    @functools.lru_cache(maxsize=PLANS)
    def plan(key: PlanKey) -> tuple[dt.datetime, DueKind]:
        alive = engine()
        assert alive is not None, "a plan asked of an engine no longer there"
        return _simulated_end(alive, key)

    return plan


def _simulated_end(engine: Engine, key: PlanKey) -> tuple[dt.datetime, DueKind]:
    from reglament.engine.simulate import simulate

    submitted, _, channel, variant, data = key
    # a case in hand was accepted: one moved to a later version (runtime/amend.py) was
    # submitted before that version came in force, and is planned under it all the same
    given = {name: v for name, _, v in data}
    plan = simulate(engine, submitted, channel, variant, given, outside_period=True)
    return plan.end, "earliest" if plan.lower_bound else "planned"


# -- facts + reglament + language → template variables -----------------------------------------


FOREIGN: dict[tuple[Language, Language], str] = {
    (Language.ru, Language.kk): "«{}» (на казахском языке)",
    (Language.kk, Language.ru): "«{}» (орыс тілінде)",
}
"""How a Kazakh or Russian message names a text it has only in the other original language:
as that language's words, saying which language they are in (an English message names them
as they are)."""


class Foreign(str):
    """A text a message names in the other original language, written as :data:`FOREIGN`
    says: in guillemets already, with its language said. The ``quoted`` filter leaves it as it
    is, so «{{ service }}» never nests them (««…» (на казахском языке)»)."""

    __slots__ = ()


@dataclass(slots=True)
class _Texts:
    """Picks each text in the message's language, noting what came from another and what is
    our translation."""

    language: Language
    borrowed: dict[Language, list[str]] = field(default_factory=dict)
    translated: list[str] = field(default_factory=list)

    def __call__(self, text: Text | None, what: str, *, optional: bool = False) -> str:
        """The text in the message's language, else in the first of its fallbacks that has
        it. An ``optional`` one (a line a template may leave out) in a Kazakh or Russian
        message falls back on the other original only: a Kazakh letter leaves out a
        sub-service named in English only rather than print English. Kazakh is written with
        the Cyrillic і (:mod:`reglament.schemas.letters`)."""
        if text is None:
            return ""
        chain = FALLBACK[self.language]
        if optional and self.language is not Language.en:
            chain = chain[:2]
        for language in chain:
            value = text.get(language)
            if value is not None:
                return self._written(text, language, " ".join(value.split()), what)
        if optional:
            return ""
        raise AssertionError("unreachable: a text has a language")  # pragma: no cover

    def _written(self, text: Text, language: Language, value: str, what: str) -> str:
        if language is Language.kk:
            value = letters.cyrillic_i(value)
        if language is self.language:
            if language is not Language.en and text.is_translated(language):
                _add(self.translated, what)
            return value
        _add(self.borrowed.setdefault(language, []), what)
        foreign = FOREIGN.get((self.language, language))
        return Foreign(foreign.format(value)) if foreign else value

    @property
    def notes(self) -> list[str]:
        notes = [
            f"no {self.language.value} text for the {', '.join(whats)}: {language.value} used"
            for language, whats in self.borrowed.items()
        ]
        if self.translated:
            notes.append(
                f"the {self.language.value} text of the {', '.join(self.translated)} is our "
                "translation, not the act's"
            )
        return notes


def _add(whats: list[str], what: str) -> None:
    if what not in whats:
        whats.append(what)


# how the acts name the applicant unless a reglament says otherwise (its `applicant`, else its
# own `applicant` actor): the 2014-2017 acts' «көрсетілетін қызметті алушы» /
# «услугополучатель»; the 2011-2012 acts' «тұтынушы» / «потребитель» are set in their files
APPLICANT = Text(kk="көрсетілетін қызметті алушы", ru="услугополучатель", en="applicant")


def applicant_term(reglament: Reglament) -> Text:
    """The act's word for the applicant, in the nominative, per language: the reglament's
    ``applicant``, else its ``applicant`` actor's name, else :data:`APPLICANT`."""
    own = reglament.actors.get("applicant")
    named = [reglament.applicant.name] if reglament.applicant is not None else []
    if own is not None:
        named.append(own.name)
    return Text(
        **{
            lang.value: next((v for t in named if (v := t.get(lang))), APPLICANT.get(lang))
            for lang in Language
        }
    )


def applies(ground: Ground, fact: Facts) -> bool:
    """Whether a refusal ground is one of this case's: given at its channel and, for a
    ground of certain ends, at the end the case took."""
    if ground.channels is not None and fact.channel not in ground.channels:
        return False
    return ground.ends is None or fact.end is None or fact.end in ground.ends


# the channels that are one body the applicant dealt with: a letter's default letterhead
BODY_CHANNELS = frozenset(
    {ChannelKind.office, ChannelKind.con, ChannelKind.rural_akim, ChannelKind.pension_centre}
)


def _letterhead(reglament: Reglament, channel: Channel, text: _Texts) -> str:
    """The one body heading a letter of a case made through ``channel``: the reglament's
    ``letterhead`` of it, else the channel when it is one body, else the provider."""
    if channel.letterhead is not None:
        return text(channel.letterhead.name, "letterhead")
    if channel.kind in BODY_CHANNELS:
        return text(channel.name, "channel's name")
    return text(reglament.provider, "provider")


def variables(
    reglament: Reglament,
    fact: Facts,
    language: Language,
    medium: Medium,
    recipient: Recipient,
) -> tuple[dict[str, Any], list[str]]:
    """The template variables of one message (exactly :data:`PROVIDED` of its event), and the
    notes on texts taken from another language."""
    lang = Language(language)
    text = _Texts(lang)
    r = reglament
    zone = fact.accepted.tzinfo

    def when(t: dt.datetime) -> str:
        return dates.format_datetime(t.astimezone(zone), lang)

    def day(t: dt.datetime) -> str:
        return dates.format_date(t.astimezone(zone).date(), lang)

    channel = r.channels[fact.channel]
    variant = r.variants.get(fact.variant) if fact.variant else None
    end = r.steps.get(fact.end) if fact.end else None
    result_id = end.result if isinstance(end, End) and end.result else None
    if result_id is None and variant is not None:
        result_id = variant.result
    result = r.results.get(result_id) if result_id else None
    step = r.steps.get(fact.step) if fact.step else None
    actor = r.actors.get(getattr(step, "actor", "") or "")
    head = r.actors.get(actor.head) if actor is not None and actor.head else None
    names = {
        Recipient.applicant: "",
        Recipient.actor: text(actor.name, "actor's name") if actor else "",
        Recipient.head: text(head.name, "head's name") if head else "",
    }
    found: dict[str, Any] = {
        "lang": lang.value,
        "medium": Medium(medium).value,
        "event": fact.event.value,
        "recipient": Recipient(recipient).value,
        "recipient_name": names[Recipient(recipient)],
        "service": text(r.title, "service's title"),
        "provider": text(r.provider, "provider"),
        "reglament_id": r.id,
        "receipt": fact.receipt,
        "submitted": when(fact.submitted),
        "accepted": when(fact.accepted),
        "accepted_date": day(fact.accepted),
        "at": when(fact.at),
        "at_date": day(fact.at),
        "due": when(fact.due),
        "due_date": day(fact.due),
        "due_kind": fact.due_kind,
        "due_numeric": dates.format_numeric(fact.due.astimezone(zone).date()),
        "at_numeric": dates.format_numeric(fact.at.astimezone(zone).date()),
        "at_numeric_time": dates.format_numeric(fact.at.astimezone(zone)),
        "term": dates.format_duration(fact.term[0], fact.term[1], lang) if fact.term else "",
        "channel": text(channel.name, "channel's name"),
        "channel_kind": channel.kind.value,
        "letterhead": _letterhead(r, channel, text),
        "collect_at": text(channel.name, "channel's name")
        if channel.issues
        else text(r.provider, "provider"),
        "variant": text(variant.name, "variant's name", optional=True) if variant else "",
        "result": text(result.text, "result's name", optional=True) if result else "",
        "result_kind": result.kind.value if result else "",
        "applicant_term": " ".join((applicant_term(r).get(lang) or "").split()),
    }
    wanted = PROVIDED[fact.event]
    if "step" in wanted:
        title = step.title if step is not None else None
        action = (
            getattr(step, "message_name", None)
            or getattr(step, "action", None)
            or getattr(step, "event", None)
            or title
        )
        found |= {
            "step": text(action, "step's name"),
            "step_title": text(title, "step's title", optional=True),
            "step_id": fact.step or "",
            "step_output": text(getattr(step, "output", None), "step's output", optional=True),
            "actor": text(actor.name, "actor's name") if actor else "",
            "head": text(head.name, "head's name") if head else "",
            "step_due": when(fact.step_due) if fact.step_due else "",
            "step_due_numeric": dates.format_numeric(fact.step_due.astimezone(zone))
            if fact.step_due
            else "",
        }
    if "outcome" in wanted:
        label = None
        if isinstance(step, Decision) and fact.outcome in step.outcomes:
            label = step.outcomes[fact.outcome].label
        found["outcome"] = text(label, "outcome's label", optional=True) if label else ""
    if "days_before" in wanted:
        n = fact.days_before or 0
        found["days_before"] = n
        found["days_before_text"] = dates.format_duration(n, Unit.working_days, lang)
        left = n if fact.days_left is None else fact.days_left
        found["days_left"] = left
        found["days_left_text"] = dates.format_duration(left, Unit.working_days, lang)
    if "reason" in wanted:
        found["reason"] = fact.reason
    if "grounds" in wanted:
        chosen = [g for g in r.refusal_grounds if applies(g, fact)]
        found["grounds"] = [
            text(g.text, "grounds for refusal") for g in chosen if g.standard_paragraph is None
        ]
        found["standard_paragraphs"] = [
            g.standard_paragraph for g in chosen if g.standard_paragraph is not None
        ]
    assert set(found) == wanted, sorted(set(found) ^ wanted)
    return found, text.notes


def languages_of(reglament: Reglament, notification: Notification) -> tuple[Language, ...]:
    """The languages a notification is sent in: its own list, else the title's."""
    return tuple(notification.languages or reglament.title.languages())
