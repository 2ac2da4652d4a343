"""Building blocks shared by the reglament models: texts, line ranges, durations, notes."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictInt,
    Tag,
    model_validator,
)

from reglament import limits
from reglament.names import Language as Language  # re-exported: the CLI offers it unloaded
from reglament.names import zone as zone
from reglament.schemas import expr

Slug = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9-]*$",
        max_length=80,
        description="A lower-case identifier: letters a-z, digits and '-'.",
    ),
]

Lines = Annotated[
    str,
    Field(
        pattern=r"^\d+(-\d+)?(, ?\d+(-\d+)?)*$",
        description="Line numbers in the seed act, e.g. '94-96' or '94, 4301-4303'.",
        examples=["94-96"],
    ),
]


def _check_condition(source: str) -> str:
    expr.parse(source)  # raises ExprError (a ValueError): pydantic reports it at the value
    return source


Condition = Annotated[
    str,
    AfterValidator(_check_condition),
    Field(
        description=(
            "A condition over the case: names (variant, channel, declared data fields), "
            "constants, == != < <= > >= in, not in, and, or, not."
        ),
        examples=["variant == 'certificate'", "documents_lacking and not data_found"],
    ),
]


class FieldError(ValueError):
    """A model-level check that fails because of one of the model's keys: errors point there."""

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.key = key


class Strict(BaseModel):
    """Base of every definition model: unknown keys are errors and objects never change.

    ``defer_build``: a model's validator is built when it is first used, not when its class is
    made; validating a ``Reglament`` builds one validator with every model it holds inside,
    rather than one more for each of the ~50 models (``validate`` starts 30-35 ms sooner)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=False, defer_build=True
    )


class Words(Strict):
    """An act's own words, exactly as it writes them (its case endings, its Latin i for і)."""

    kk: str | None = Field(None, min_length=1)
    ru: str | None = Field(None, min_length=1)

    @model_validator(mode="after")
    def _one_language(self) -> Self:
        if self.kk is None and self.ru is None:
            raise ValueError("the act's words need kk or ru")
        return self


class Text(Strict):
    """The same text in Kazakh, Russian and English; at least one. The acts' originals are
    never replaced: kk and ru are the act's words, a name put in the nominative and written with
    the Cyrillic і (the act's own inflected words in ``raw``), unless ``translated`` says that
    one of them is ours."""

    kk: str | None = Field(
        None, min_length=1, description="Kazakh: the act's words (names in the nominative)."
    )
    ru: str | None = Field(
        None, min_length=1, description="Russian: the act's words (names in the nominative)."
    )
    en: str | None = Field(None, min_length=1, description="English (a translation).")
    translated: tuple[Literal["kk", "ru"], ...] = Field(
        (),
        description="The languages of kk, ru that are our translation, not the act's: the act "
        "has no text in them (e.g. [ru] for a reglament the act writes in Kazakh only).",
    )
    raw: Words | None = Field(
        None,
        description="The act's words where kk or ru differ from them: a name the act inflects "
        "('... орталықтарымен'), given above in the nominative ('... орталықтары').",
    )

    @model_validator(mode="after")
    def _one_language(self) -> Self:
        if self.kk is None and self.ru is None and self.en is None:
            raise ValueError("a text needs at least one of kk, ru, en")
        for language in self.translated:
            if self.get(language) is None:
                raise FieldError(
                    f"translated names {language}, but the text has no {language}",
                    "translated",
                )
        return self

    def is_translated(self, language: Language | str) -> bool:
        """Whether this text's ``language`` is a translation (English always is)."""
        return str(language) == Language.en.value or str(language) in self.translated

    def get(self, language: Language | str) -> str | None:
        value: str | None = getattr(self, str(language))
        return value

    def best(self, preferred: Language | str = Language.en) -> str:
        """The text in ``preferred`` language, else the first of en, kk, ru that exists."""
        for language in (str(preferred), "en", "kk", "ru"):
            value = self.get(language)
            if value is not None:
                return value
        raise AssertionError("unreachable: validated to have one language")  # pragma: no cover

    def languages(self) -> tuple[Language, ...]:
        return tuple(language for language in Language if self.get(language) is not None)


class Unit(StrEnum):
    minutes = "minutes"
    hours = "hours"
    working_days = "working_days"
    calendar_days = "calendar_days"
    untimed = "untimed"
    by_schedule = "by_schedule"


TIMED_UNITS = frozenset({Unit.minutes, Unit.hours, Unit.working_days, Unit.calendar_days})

LONGEST = {
    Unit.minutes: limits.DAYS * 24 * 60,
    Unit.hours: limits.DAYS * 24,
    Unit.working_days: limits.DAYS,
    Unit.calendar_days: limits.DAYS,
}
"""The longest duration in each timed unit: the calendar's whole span (a working day or an hour of
office time takes at least a day or an hour of it). A longer one can never be computed."""


def too_long(value: int | str, unit: Unit) -> str | None:
    """Why ``value`` ``unit`` can never be computed (longer than the calendar's span), or None.

    ``value`` may be the digits as typed: thousands of them are judged by their length, never
    converted (Python refuses to read an int of more than 4,300 digits)."""
    longest = LONGEST[unit]
    if isinstance(value, str):
        value = value.lstrip("0") or "0"
        if len(value) <= len(str(longest)) and int(value) <= longest:
            return None
    elif value <= longest:
        return None
    words = unit.value.replace("_", " ")
    return (
        f"{limits.shown(value)} {words} is longer than the calendar's whole span ({limits.RANGE}, "
        f"{limits.DAYS:,} days): at most {longest:,} {words}"
    )


class Duration(Strict):
    """How long a step may take, in the act's own unit, with the act's own words."""

    unit: Unit = Field(
        description="minutes, hours, working_days, calendar_days, untimed, by_schedule"
    )
    value: StrictInt | None = Field(
        None,
        gt=0,
        description="A positive whole number, no longer than the calendar's whole span "
        f"({limits.RANGE}: {limits.DAYS:,} days, or as many hours or minutes); required for timed "
        "units, absent otherwise.",
    )
    schedule: Slug | None = Field(
        None, description="For by_schedule: the id of an entry under external_schedules."
    )
    raw: Text | None = Field(
        None, description="The act's words, e.g. '17 (он жеті) жұмыс күні ішінде'."
    )
    counts_toward_term: StrictBool = Field(
        True, description="false where the act says the step is not counted in the service term."
    )
    lines: Lines | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _value_matches_unit(self) -> Self:
        if self.unit in TIMED_UNITS and self.value is None:
            raise FieldError(
                f"a duration in {self.unit} needs a value (a positive whole number)", "unit"
            )
        if self.unit not in TIMED_UNITS and self.value is not None:
            raise FieldError(f"a duration that is {self.unit} takes no value", "value")
        if self.value is not None and (problem := too_long(self.value, self.unit)):
            raise FieldError(problem, "value")
        if self.unit is Unit.by_schedule and self.schedule is None:
            raise FieldError("a by_schedule duration names its schedule (schedule: <id>)", "unit")
        if self.unit is not Unit.by_schedule and self.schedule is not None:
            raise FieldError("only a by_schedule duration names a schedule", "schedule")
        return self


class DurationCase(Duration):
    """A duration that applies when its condition holds (first match wins; last has no `when`)."""

    when: Condition | None = None


class Route(Strict):
    """One way on: to a step, when the condition holds (first match wins; last has no `when`)."""

    to: Slug
    when: Condition | None = None
    inferred: StrictBool = Field(False, description="true when the act only implies this route.")
    note: str | None = None


def shape(value: object) -> str:
    """Tag of a value's YAML shape, so that unions report errors of the relevant member only."""
    return "list" if isinstance(value, list) else "one"


Next = Annotated[
    Annotated[Slug, Tag("one")] | Annotated[list[Route], Tag("list")],
    Discriminator(shape),
    Field(
        description=(
            "The next step's id, or a list of routes [{when, to}, ..., {to}] "
            "chosen by the first condition that holds."
        )
    ),
]


class NoteKind(StrEnum):
    unclear = "unclear"
    discrepancy = "discrepancy"
    inferred = "inferred"
    error = "error"  # an evident mistake of the act, kept as written


class Note(Strict):
    """What the act leaves open or gets wrong, quoting the original."""

    kind: NoteKind
    about: str | None = Field(
        None, description="What the note is about, e.g. 'steps.review.duration'."
    )
    text: str = Field(min_length=1, description="The explanation, in English.")
    quotes: Text | None = Field(None, description="The original words, per language.")
    lines: Lines | None = None
    used: Language | None = Field(
        None, description="For a discrepancy: which language's reading the engine uses."
    )
    why: str | None = Field(None, description="Why that reading is used.")

    @model_validator(mode="after")
    def _discrepancy_quotes(self) -> Self:
        if self.kind is NoteKind.discrepancy and self.quotes is None:
            raise FieldError(
                "a discrepancy quotes the differing originals (quotes: {kk: ..., ru: ...})", "kind"
            )
        return self


DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
