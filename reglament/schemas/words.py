"""Plain-English words for definition values (durations, routes, acts, periods), shared by the
renderers and the audit."""

from __future__ import annotations

from reglament.schemas.common import Duration, DurationCase, Route, Unit
from reglament.schemas.reglament import Reglament


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
        words = duration.unit.value.replace("_", " ")
        text = f"{duration.value} {words[:-1] if duration.value == 1 else words}"
    if not duration.counts_toward_term:
        text += " (not counted in the term)"
    return text


def next_text(next_: str | list[Route]) -> str:
    if isinstance(next_, str):
        return next_
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
