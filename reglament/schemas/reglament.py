"""The reglament document: identity, provenance, actors, channels, variants, terms, steps."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, StrictBool, StrictInt, field_validator, model_validator

from reglament import limits
from reglament.names import Event as Event  # re-exported, as the models' own
from reglament.names import Medium as Medium
from reglament.names import Recipient as Recipient
from reglament.schemas.common import (
    Condition,
    Duration,
    FieldError,
    Language,
    Lines,
    Note,
    Slug,
    Strict,
    Text,
    Unit,
    too_long,
    zone,
)
from reglament.schemas.steps import Step

FORMAT_VERSION = 1

_HOURS = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_SPEC = r"^(mon|tue|wed|thu|fri|sat|sun)(-(mon|tue|wed|thu|fri|sat|sun))?$"


def _minutes(hours: str) -> tuple[int, int]:
    match = _HOURS.match(hours)
    if match is None:
        raise ValueError(f"hours {hours!r} are not HH:MM-HH:MM, e.g. 09:00-18:30")
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if start >= end or end > 24 * 60:
        raise ValueError(f"hours {hours!r} must open before they close, within one day")
    return start, end


def _check_hours(hours: str) -> str:
    _minutes(hours)
    return hours


Hours = Annotated[
    str,
    # the pattern first (it is what the JSON Schema can say), then the check it cannot
    Field(
        pattern=_HOURS.pattern, description="Opening hours 'HH:MM-HH:MM'.", examples=["09:00-18:30"]
    ),
    AfterValidator(_check_hours),
]
DaySpec = Annotated[
    str, Field(pattern=_DAY_SPEC, description="A weekday or range: mon, sat, mon-fri.")
]
TemplateName = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9_-]*$",
        max_length=80,
        description="A template's name: a-z, digits, '-' and '_' (the built-in ones are the "
        "events' names, e.g. result_ready).",
    ),
]
CalendarDay = Annotated[
    dt.date,
    AfterValidator(limits.check_day),
    Field(description=f"A date the working-day calendar covers: {limits.RANGE}."),
]
Identifier = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_]*$",
        max_length=60,
        description="A name usable in conditions: a-z, digits, '_'.",
    ),
]


def day_numbers(spec: str) -> list[int]:
    """``"mon-fri"`` → ``[0, 1, 2, 3, 4]``."""
    first, _, last = spec.partition("-")
    start = _DAYS.index(first)
    end = _DAYS.index(last) if last else start
    if end < start:
        raise ValueError(f"day range {spec!r} runs backwards; write it from Monday towards Sunday")
    return list(range(start, end + 1))


class ActRef(Strict):
    """A legal act: who issued it, its number and date, its title."""

    issuer: Text | None = None
    kind: Text | None = Field(None, description="resolution (қаулы), order (бұйрық), decision ...")
    number: str | None = None
    date: dt.date | None = None
    title: Text | None = None
    note: str | None = None


class Registration(Strict):
    """State registration of a normative act with the justice bodies."""

    number: str
    date: dt.date | None = None
    by: Text | None = None


class ChangeOp(StrEnum):
    deleted = "deleted"
    reworded = "reworded"
    added = "added"
    replaced = "replaced"


class Change(Strict):
    """One operation of an amending act on the act it amends."""

    op: ChangeOp
    target: str = Field(min_length=1, description="What is changed, e.g. 'paragraph 1, item 10)'.")
    text: Text | None = Field(None, description="The new wording, where the act gives it.")
    lines: Lines | None = None
    note: str | None = None


class Source(Strict):
    """Where the definition comes from: the act, its registration, amendments, the seed lines."""

    act: ActRef
    registration: Registration | None = None
    standard: ActRef | None = Field(
        None, description="The service standard this reglament implements."
    )
    amends: ActRef | None = Field(None, description="For an amending act: the act it amends.")
    changes: list[Change] = Field(default_factory=list, description="An amending act's operations.")
    amended_by: list[ActRef] = Field(default_factory=list)
    repealed_by: ActRef | None = None
    seed: str = Field(min_length=1, description="The seed file the text was encoded from.")
    lines: Lines = Field(description="The line range of this reglament in the seed file.")


class Effective(Strict):
    """When this version is in force: from ``from`` (inclusive) until ``until`` (exclusive)."""

    model_config = Strict.model_config | {"populate_by_name": True}

    from_: CalendarDay = Field(alias="from")
    until: Annotated[dt.date, AfterValidator(limits.check_end)] | None = Field(
        None,
        description="The day it ceases to be in force (exclusive), at the latest the day after "
        f"the calendar's last ({limits.RANGE}).",
    )
    estimated: StrictBool = Field(False, description="true when a boundary is derived, not stated.")
    note: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.until is not None and self.until <= self.from_:
            raise FieldError(
                f"effective period ends ({self.until}) before it starts ({self.from_})", "until"
            )
        return self

    def contains(self, day: dt.date) -> bool:
        return self.from_ <= day and (self.until is None or day < self.until)


class Schedule(Strict):
    """An office's weekly hours and lunch break, as the act gives them."""

    name: Text | None = None
    open: dict[DaySpec, Hours] = Field(min_length=1, description="Hours per weekday or range.")
    lunch: Hours | None = None
    open_on_days_off: bool = Field(
        False, description="true for services that run on holidays too (e.g. the e-gov portal)."
    )
    raw: Text | None = None
    lines: Lines | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        seen: dict[int, str] = {}
        lunch_inside = False
        for spec, hours in self.open.items():
            for day in day_numbers(spec):
                if day in seen:
                    raise FieldError(
                        f"{_DAYS[day]} is given twice (in {seen[day]!r} and {spec!r})", "open"
                    )
                seen[day] = spec
            if self.lunch is not None:
                (open_, close), (lunch_start, lunch_end) = _minutes(hours), _minutes(self.lunch)
                inside = open_ <= lunch_start and lunch_end <= close
                if not inside and not (lunch_start >= close or lunch_end <= open_):
                    raise FieldError(
                        f"lunch {self.lunch} straddles opening hours {hours} ({spec})", "lunch"
                    )
                lunch_inside = lunch_inside or inside
        if self.lunch is not None and not lunch_inside:
            raise FieldError(
                f"lunch {self.lunch} falls outside the opening hours of every day "
                f"({', '.join(f'{spec} {hours}' for spec, hours in self.open.items())})",
                "lunch",
            )
        return self


class ExternalSchedule(Strict):
    """A schedule outside the reglament that a step follows (e.g. a payment schedule)."""

    name: Text
    dates: list[CalendarDay] = Field(default_factory=list, description="Known dates, if any.")
    raw: Text | None = None
    lines: Lines | None = None
    note: str | None = None


class ActorKind(StrEnum):
    person = "person"
    office = "office"
    commission = "commission"
    system = "system"
    external = "external"
    applicant = "applicant"


class Actor(Strict):
    """Who does steps: an official, an office, a commission, an information system ..."""

    name: Text
    kind: ActorKind = ActorKind.person
    schedule: Slug | None = Field(
        None, description="The id of the office schedule, under schedules."
    )
    head: Slug | None = Field(None, description="The actor told when this actor's step is overdue.")
    note: str | None = None


class ChannelKind(StrEnum):
    office = "office"
    con = "con"
    portal = "portal"
    rural_akim = "rural_akim"
    post = "post"
    pension_centre = "pension_centre"
    other = "other"


class Letterhead(Strict):
    """The one body whose name heads the paper letters of a case made through a channel: the
    issuing body, not a role word such as «көрсетілетін қызметті беруші» / «услугодатель»."""

    name: Text = Field(description="The body's name in the nominative (the act's words).")
    lines: Lines | None = Field(None, description="Where the act names that body.")
    inferred: StrictBool = Field(
        False, description="true when the act does not say that this body writes the letters."
    )
    note: str | None = None


class Channel(Strict):
    """Where applications are accepted and results issued, and the route a case takes there."""

    kind: ChannelKind
    name: Text
    start: Slug | None = Field(
        None, description="The first step of this channel's route; absent if the act gives none."
    )
    accepts: StrictBool = True
    issues: StrictBool = True
    schedule: Slug | None = None
    variants: list[Slug] | None = Field(
        None,
        description="The variants (sub-services) this channel serves; absent: all of them.",
    )
    when: Condition | None = Field(
        None,
        description="Who may apply through this channel: a condition over the declared case "
        "data (e.g. 'disabled or socially_significant_disease'); absent: everybody.",
    )
    raw: Text | None = Field(
        None, description="The act's words restricting the channel (to variants or applicants)."
    )
    letterhead: Letterhead | None = Field(
        None,
        description="The body heading a letter of a case made here (default: the channel when "
        "it is one body, an office, a PSC, a rural akim or a pension centre, else the provider).",
    )
    lines: Lines | None = None
    note: str | None = None

    def serves(self, variant: str | None) -> bool:
        """Whether a case of ``variant`` may be made through this channel."""
        return self.variants is None or variant is None or variant in self.variants


class Variant(Strict):
    """A sub-service with its own durations or route (e.g. recognition / certificate)."""

    name: Text
    result: Slug | None = None
    lines: Lines | None = None
    note: str | None = None


class TermStart(StrEnum):
    acceptance = "acceptance"
    documents_submitted = "documents_submitted"


class Term(Strict):
    """A legal term of the whole service, possibly per channel or variant."""

    value: StrictInt = Field(gt=0, description="At most the calendar's span, as for a duration.")
    unit: Literal[Unit.minutes, Unit.hours, Unit.working_days, Unit.calendar_days]
    raw: Text | None = None
    channel: Slug | None = None
    variant: Slug | None = None
    starts: TermStart = TermStart.acceptance
    lines: Lines | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _computable(self) -> Self:
        problem = too_long(self.value, self.unit)
        if problem:
            raise FieldError(problem, "value")
        return self


class QueueLimit(Strict):
    """Maximum waiting time in the queue and maximum service time, where the act gives them."""

    channel: Slug | None = None
    max_wait: Duration | None = None
    max_service: Duration | None = None
    lines: Lines | None = None
    note: str | None = None


class ResultKind(StrEnum):
    decision = "decision"
    certificate = "certificate"
    document = "document"
    notification = "notification"
    payment = "payment"
    referral = "referral"
    permit = "permit"
    refusal = "refusal"
    returned = "returned"  # the documents handed back with the reasons: not a refusal
    other = "other"


class Result(Strict):
    """What the applicant receives."""

    kind: ResultKind
    text: Text
    lines: Lines | None = None


class ApplicantWord(Strict):
    """How the act names the one who applies, in the nominative singular: the word messages
    address the applicant by («Құрметті тұтынушы!», «Уважаемый потребитель!»)."""

    name: Text = Field(
        description="The act's word, e.g. kk 'тұтынушы', ru 'потребитель' (the 2011-2012 acts)."
    )
    lines: Lines | None = None
    note: str | None = None


class Ground(Strict):
    """A ground for refusal, in the act's words."""

    text: Text
    channels: list[Slug] | None = Field(
        None,
        description="The channels where the act gives this ground (default: every channel).",
    )
    ends: list[Slug] | None = Field(
        None,
        description=(
            "The refusal ends that give this ground (e.g. the portal's refusal for an "
            "unconfirmed signature): a refusal names it only at one of them (default: any)."
        ),
    )
    standard_paragraph: str | None = Field(
        None,
        min_length=1,
        max_length=20,
        pattern=r"^[0-9][0-9.\-]*$",
        description=(
            "When the act lists no ground here but refers to the standard's paragraph: its "
            "number, e.g. '10'; messages name the paragraph as a reference."
        ),
    )
    lines: Lines | None = None


class DataType(StrEnum):
    bool = "bool"
    int = "int"
    str = "str"
    date = "date"
    choice = "choice"


class DataField(Strict):
    """A fact about the case that conditions may read (declared so that typos are caught)."""

    type: DataType
    label: Text | None = None
    values: list[str] | None = Field(None, description="The allowed values of a choice.")

    @model_validator(mode="after")
    def _choice_values(self) -> Self:
        if (self.type is DataType.choice) != (self.values is not None):
            raise FieldError("values are given exactly for type: choice", "type")
        return self


class Notification(Strict):
    """A message the case sends: on which event, to whom, how, with which template."""

    on: Event
    step: Slug | None = Field(None, description="Only for this step (step_* events).")
    end: Slug | None = Field(None, description="Only for this end step (result/refusal events).")
    channel: Slug | None = Field(
        None, description="Only for cases applied through this channel (e.g. a PSC receipt)."
    )
    to: list[Recipient] = Field(min_length=1)
    via: list[Medium] = Field(min_length=1)
    template: TemplateName | None = Field(
        None,
        description="The reglament's own template of this name, else the built-in one of that "
        "event's name; defaults to the event's name.",
    )
    languages: list[Language] | None = Field(None, description="Defaults to the title's languages.")
    days_before: StrictInt | None = Field(
        None, gt=0, le=limits.DAYS, description="For term_at_risk: working days before."
    )
    implied: StrictBool = Field(
        False, description="true when the act implies the message but does not name it."
    )
    lines: Lines | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _days_before(self) -> Self:
        if (self.on is Event.term_at_risk) != (self.days_before is not None):
            raise FieldError("days_before is given exactly for on: term_at_risk", "on")
        return self


class Template(Strict):
    """A reglament's own wording of a notification: Jinja2 text per language, filled in with the
    case's facts (see docs/notifications.md for the variables)."""

    subject: Text | None = Field(
        None,
        description="The e-mail subject and cabinet title (default: the built-in template's).",
    )
    body: Text = Field(
        description="The message of an e-mail, cabinet message or letter (the package adds the "
        "greeting, letterhead and signature of each medium)."
    )
    sms: Text | None = Field(None, description="The SMS text (default: the body).")


class Reglament(Strict):
    """One reglament of one act: a state service's procedure as the act approves it."""

    format: Literal[1] = Field(description="The version of this file format.")
    id: Slug = Field(description="The service's id within its region, e.g. semey-compensation.")
    service: Slug | None = Field(
        None, description="The service across regions (defaults to id); used by compare."
    )
    extends: str | None = Field(None, description="A base file this one builds on (relative path).")
    region: Slug
    timezone: str = Field(description="IANA time zone of the region, e.g. Asia/Almaty.")
    title: Text
    source: Source
    effective: Effective
    provider: Text
    applicant: ApplicantWord | None = Field(
        None,
        description="How the act names the applicant (default: the 2014-2017 acts' "
        "'көрсетілетін қызметті алушы' / 'услугополучатель').",
    )
    form: Text | None = Field(None, description="Paper, electronic ...")
    results: dict[Slug, Result] = Field(min_length=1)
    refusal_grounds: list[Ground] = Field(default_factory=list)
    documents: list[Text] = Field(default_factory=list)
    data: dict[Identifier, DataField] = Field(default_factory=dict)
    schedules: dict[Slug, Schedule] = Field(default_factory=dict)
    external_schedules: dict[Slug, ExternalSchedule] = Field(default_factory=dict)
    actors: dict[Slug, Actor] = Field(min_length=1)
    channels: dict[Slug, Channel] = Field(min_length=1)
    variants: dict[Slug, Variant] = Field(default_factory=dict)
    terms: list[Term] = Field(default_factory=list)
    queue: list[QueueLimit] = Field(default_factory=list)
    steps: dict[Slug, Step] = Field(min_length=1)
    notifications: list[Notification] = Field(default_factory=list)
    templates: dict[TemplateName, Template] = Field(
        default_factory=dict,
        description="The reglament's own notification templates; one named as an event "
        "(e.g. accepted, result_ready) replaces the built-in one for every notification of it.",
    )
    notes: list[Note] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zone(value)
        except ValueError:
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name such as Asia/Almaty"
            ) from None
        return value

    @property
    def service_id(self) -> str:
        return self.service or self.id
