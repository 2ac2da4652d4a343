"""Step kinds of a procedure, a discriminated union on ``kind``."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import Discriminator, Field, StrictBool, Tag, model_validator

from reglament.schemas.common import (
    Condition,
    Duration,
    DurationCase,
    FieldError,
    Lines,
    Next,
    Note,
    Slug,
    Strict,
    Text,
    shape,
)

StepDuration = Annotated[
    Annotated[Duration, Tag("one")] | Annotated[list[DurationCase], Tag("list")],
    Discriminator(shape),
    Field(
        description=(
            "How long the step may take, or a list of cases [{when, unit, value, raw}, ..., "
            "{unit, value, raw}] where the first case whose condition holds applies."
        )
    ),
]


class _Step(Strict):
    title: Text | None = Field(None, description="A short name of the step.")
    message_name: Text | None = Field(
        None,
        description=(
            "What the step is called in notifications: a short noun phrase in the nominative "
            "(e.g. kk 'құжаттарды қарау', ru 'рассмотрение документов'), not the act's sentence."
        ),
    )
    lines: Lines | None = Field(None, description="Where the act describes this step.")
    notes: list[Note] = Field(default_factory=list)


class _Work(_Step):
    actor: Slug = Field(description="Who does it: an id under actors.")
    action: Text = Field(description="What is done, in the act's words.")
    duration: StepDuration
    output: Text | None = Field(None, description="What the step produces (the act's 'result').")


class Task(_Work):
    """A piece of work by one actor, then on to the next step."""

    kind: Literal["task"]
    next: Next


class Outcome(Strict):
    """One answer of a decision and where it leads."""

    label: Text | None = None
    next: Next
    when: Condition | None = Field(
        None, description="When every outcome has a condition, the engine decides by itself."
    )
    inferred: StrictBool = Field(
        False, description="true when the act only implies where it leads."
    )
    note: str | None = None


class Decision(_Work):
    """A question with named outcomes (granted / refused / data missing ...), each leading on."""

    kind: Literal["decision"]
    outcomes: dict[Slug, Outcome] = Field(min_length=2)


class Wait(_Step):
    """A wait for an outside event, with an optional time limit and where its passing leads."""

    kind: Literal["wait"]
    actor: Slug = Field(description="Who is awaited (often the applicant or an outside body).")
    event: Text = Field(description="What is awaited, in the act's words.")
    limit: Duration | None = Field(None, description="How long the wait may last at most.")
    next: Next = Field(description="Where the case goes when the event happens.")
    on_timeout: Next | None = Field(None, description="Where the case goes when the limit passes.")

    @model_validator(mode="after")
    def _timeout_needs_limit(self) -> Self:
        if self.limit is not None and self.on_timeout is None:
            raise FieldError(
                "a wait with a limit says where the case goes when it passes (on_timeout)", "limit"
            )
        if self.limit is None and self.on_timeout is not None:
            raise FieldError("on_timeout needs a limit", "on_timeout")
        return self


class Parallel(_Step):
    """Start several branches at once; they meet again at ``join``."""

    kind: Literal["parallel"]
    branches: list[Slug] = Field(min_length=2, description="The first step of each branch.")
    join: Slug = Field(description="The join step where every branch ends.")


class Join(_Step):
    """Wait until every branch of a parallel block has arrived, then go on."""

    kind: Literal["join"]
    next: Next


class EndKind(StrEnum):
    result = "result"
    refusal = "refusal"
    data_unavailable = "data_unavailable"
    withdrawn = "withdrawn"
    other = "other"


class End(_Step):
    """The case ends: a result issued, a refusal, or another ending the act names."""

    kind: Literal["end"]
    outcome: EndKind
    result: Slug | None = Field(None, description="The id of the result issued, under results.")


Step = Annotated[Task | Decision | Wait | Parallel | Join | End, Field(discriminator="kind")]

STEP_KINDS = ("task", "decision", "wait", "parallel", "join", "end")
