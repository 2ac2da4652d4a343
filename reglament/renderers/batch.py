"""A many-case simulation report as a terminal table, Markdown or JSON."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from reglament.calendar.days import fmt_day
from reglament.renderers.timeline import bare_note

if TYPE_CHECKING:
    from reglament.engine.batch import BatchReport, Share

TOP = 5  # steps listed as causes of a broken term


def _pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def _header(r: BatchReport, note: str) -> list[str]:
    variant = f", variant {r.variant}" if r.variant else ""
    data = ", ".join(f"{k}={v}" for k, v in r.data.items())
    return [
        f"{r.reglament} ({r.region}), version in force from {r.version}{note}",
        f"channel {r.channel}{variant}" + (f", data {data}" if data else ""),
        f"{r.cases:,} cases arriving from {fmt_day(r.period_from.date())} to "
        f"{fmt_day((r.period_to - dt.timedelta(microseconds=1)).date())} ({r.timezone}), "
        f"seed {r.seed}",
        *(f"assumed: {text}" for text in r.assumptions),
    ]


def _shares(r: BatchReport) -> list[str]:
    return [
        f"{step}: " + ", ".join(f"{o} {p:.0%}" for o, p in outcomes.items())
        for step, outcomes in r.shares.items()
    ]


def _term_lines(r: BatchReport) -> list[str]:
    if r.term is None:
        return ["legal term: the act states none"]
    lines = [
        f"legal term {r.term}: broken in {r.broken:,} cases ({_pct(r.broken_share)})",
    ]
    if r.culprits:
        lines.append("  step active when the term ran out:")
        lines += [
            f"    {c.name:<28} {c.cases:>9,}  {_pct(c.cases / r.broken)} of broken"
            for c in r.culprits[:TOP]
        ]
        if len(r.culprits) > TOP:
            lines.append(f"    ... and {len(r.culprits) - TOP} more steps")
    return lines


def _ends(ends: tuple[Share, ...]) -> str:
    return ", ".join(f"{e.name} {e.cases:,} ({_pct(e.share)})" for e in ends)


def as_table(r: BatchReport, note: str = "") -> str:
    wd, cd = r.working_days, r.calendar_days
    lines = [*_header(r, note), ""]
    lines.append(f"{'completion':<34} {'p50':>7} {'p90':>7} {'p99':>7} {'max':>7}")
    lines.append("-" * 66)
    lines.append(
        f"{'working days after acceptance':<34} {wd['p50']:>7} {wd['p90']:>7} {wd['p99']:>7} {wd['max']:>7}"
    )
    lines.append(f"{'calendar days from submission':<34} {cd['p50']:>7.1f} {cd['p90']:>7.1f}")
    lines.append("")
    lines += _term_lines(r)
    lines.append("")
    lines.append(f"ends: {_ends(r.ends)}")
    lines.append(f"paths taken: {r.paths}")
    if r.per_case:
        lines.append(f"run one by one (a parallel block on the path): {r.per_case:,} cases")
    if r.lower_bound:
        lines.append(
            f"lower bound: {r.lower_bound:,} cases ({_pct(r.lower_bound / r.cases)}) pass a step "
            "the act gives no time; their real end may be later"
        )
    if r.shares:
        lines.append("outcomes drawn: " + "; ".join(_shares(r)))
    lines.append("")
    lines.append("working days: working days after the day of acceptance up to the end day;")
    lines.append(
        "pNN: the value NN% of cases do not exceed; arrivals: uniform over open office time"
    )
    return "\n".join(lines)


def as_markdown(r: BatchReport, note: str = "") -> str:
    wd, cd = r.working_days, r.calendar_days
    lines = [f"# {r.reglament}: {r.cases:,} simulated cases", ""]
    lines += [f"- {line}" for line in _header(r, note)]
    lines += [
        "",
        "| completion | p50 | p90 | p99 | max |",
        "|---|---:|---:|---:|---:|",
        f"| working days after acceptance | {wd['p50']} | {wd['p90']} | {wd['p99']} | {wd['max']} |",
        f"| calendar days from submission | {cd['p50']:.1f} | {cd['p90']:.1f} | | |",
        "",
    ]
    if r.term is None:
        lines.append("Legal term: the act states none.")
    else:
        lines.append(
            f"Legal term {r.term}: **broken in {r.broken:,} cases ({_pct(r.broken_share)})**."
        )
        if r.culprits:
            lines += [
                "",
                "| step active when the term ran out | cases | of broken |",
                "|---|---:|---:|",
            ]
            lines += [
                f"| {c.name} | {c.cases:,} | {_pct(c.cases / r.broken)} |" for c in r.culprits
            ]
    lines += ["", f"Ends: {_ends(r.ends)}. Paths taken: {r.paths}."]
    if r.per_case:
        lines.append(f"Run one by one (a parallel block on the path): {r.per_case:,} cases.")
    if r.lower_bound:
        lines.append(f"Lower bound: {r.lower_bound:,} cases pass a step the act gives no time.")
    if r.shares:
        lines += ["", "Outcomes drawn:", ""] + [f"- {s}" for s in _shares(r)]
    lines += [
        "",
        "Working days: working days after the day of acceptance up to the end day; pNN: the value "
        "NN% of cases do not exceed; arrivals uniform over the open time of the channel's office.",
    ]
    return "\n".join(lines) + "\n"


def as_dict(r: BatchReport, note: str = "") -> dict[str, Any]:
    return {
        "reglament": r.reglament,
        "region": r.region,
        "version": r.version,
        "version_note": bare_note(note),
        "timezone": r.timezone,
        "channel": r.channel,
        "variant": r.variant,
        "data": r.data,
        "assumptions": list(r.assumptions),
        "cases": r.cases,
        "period": {"from": r.period_from.isoformat(), "to": r.period_to.isoformat()},
        "seed": r.seed,
        "outcome_probabilities": r.shares,
        "working_days": r.working_days,
        "calendar_days": r.calendar_days,
        "term": None
        if r.term is None
        else {
            "text": r.term,
            "broken": r.broken,
            "broken_share": r.broken_share,
            "active_step_when_broken": [
                {"step": c.name, "cases": c.cases, "share": c.share} for c in r.culprits
            ],
        },
        "ends": [{"end": e.name, "cases": e.cases, "share": e.share} for e in r.ends],
        "paths": r.paths,
        "per_case": r.per_case,
        "lower_bound": r.lower_bound,
        "definitions": list(r.definitions),
    }


def as_json(r: BatchReport, note: str = "") -> str:
    return json.dumps(as_dict(r, note), ensure_ascii=False, indent=2)
