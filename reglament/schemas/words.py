"""Plain-English words for definition values (durations, routes, acts, periods), shared by the
engine, the audit and the renderers: each wording has its one definition here."""

from __future__ import annotations

from reglament.schemas.common import TIMED_UNITS, Duration, DurationCase, Route, Unit
from reglament.schemas.reglament import Reglament
from reglament.schemas.steps import Decision, Step, Task, Wait

UNIT_WORDS: dict[Unit, tuple[str, str]] = {  # one, many
    Unit.minutes: ("minute", "minutes"),
    Unit.hours: ("hour", "hours"),
    Unit.working_days: ("working day", "working days"),
    Unit.calendar_days: ("calendar day", "calendar days"),
}


def amount_text(value: int, unit: Unit) -> str:
    """``1 working day``, ``15 working days``, ``30 minutes``."""
    one, many = UNIT_WORDS[unit]
    return f"{value} {one if value == 1 else many}"


def elapsed_text(seconds: int) -> str:
    """A stretch of time in words, to the minute: ``2 days 3 h 5 min``, ``45 min``; ``less
    than a minute`` under 60 seconds."""
    minutes = seconds // 60
    if minutes <= 0:
        return "less than a minute"
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} day{'' if days == 1 else 's'}"] if days else []
    parts += [f"{hours} h"] if hours else []
    parts += [f"{minutes} min"] if minutes else []
    return " ".join(parts)


def allowed_text(value: int | None, unit: Unit) -> str:
    """An allowed time in words: ``17 working days``; ``untimed``, ``by schedule`` for the
    units without an amount."""
    if unit in TIMED_UNITS and value is not None:
        return amount_text(value, unit)
    return unit.value.replace("_", " ")


def duration_text(duration: Duration | list[DurationCase] | None) -> str:
    if duration is None:
        return "-"
    if isinstance(duration, list):
        return "; ".join(
            (f"{case.when}: " if case.when else "otherwise: ") + duration_text(case)
            for case in duration
        )
    if duration.unit is Unit.untimed:
        text = "untimed"
    elif duration.unit is Unit.by_schedule:
        text = f"by schedule {duration.schedule}"
    else:
        text = allowed_text(duration.value, duration.unit)
    if not duration.counts_toward_term:
        text += " (not counted in the term)"
    return text


def step_time_text(step: Step) -> str:
    """The time a step is allowed, in words: a task's or a decision's duration, a wait's limit
    (``no limit``); ``""`` for the steps that take no time of their own."""
    if isinstance(step, Task | Decision):
        return duration_text(step.duration)
    if isinstance(step, Wait):
        return duration_text(step.limit) if step.limit else "no limit"
    return ""


def next_text(next_: str | list[Route]) -> str:
    if isinstance(next_, str):
        return next_
    if len(next_) == 1:  # a lone route (written as a list to mark it inferred): no choice
        return next_[0].to
    return "; ".join(f"{r.when} → {r.to}" if r.when else f"otherwise → {r.to}" for r in next_)


def act_text(reglament: Reglament) -> str:
    act = reglament.source.act
    parts = [act.issuer.best() if act.issuer else "", f"No. {act.number}" if act.number else ""]
    if act.date:
        parts.append(f"of {act.date.isoformat()}")
    return " ".join(part for part in parts if part)


def period_text(reglament: Reglament) -> str:
    effective = reglament.effective
    until = effective.until.isoformat() if effective.until else "in force"
    mark = " (estimated)" if effective.estimated else ""
    return f"{effective.from_.isoformat()} – {until}{mark}"
