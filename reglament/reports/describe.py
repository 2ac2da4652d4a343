"""Plain-text descriptions of definitions: the library list and one reglament in full."""

from __future__ import annotations

import json
from collections import defaultdict

from reglament.loader import Library, Loaded
from reglament.schemas import Decision, End, Join, Parallel, Reglament, Task, Wait
from reglament.schemas.reglament import DataType
from reglament.schemas.words import (
    act_text,
    amount_text,
    duration_text,
    next_text,
    period_text,
    step_time_text,
)

__all__ = [
    "act_text",
    "duration_text",
    "library_json",
    "library_list",
    "next_text",
    "period_text",
    "reglament_json",
    "reglament_text",
]


TITLE_WIDTH = 70  # characters of a title in `list`, the ellipsis included


def cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` characters: cut at a word where one is near, and ended with
    an ellipsis when anything was left out."""
    if len(text) <= width:
        return text
    head = text[: width - 1]
    word = head.rsplit(" ", 1)[0]
    if len(word) >= width * 3 // 4:
        head = word
    return head.rstrip(" ,;:") + "…"


def library_list(library: Library) -> str:
    groups: dict[tuple[str, str], list[Loaded]] = defaultdict(list)
    for loaded in library.files:
        if loaded.reglament is not None:
            groups[(loaded.reglament.region, act_text(loaded.reglament))].append(loaded)
    lines: list[str] = []
    for (region, act), files in sorted(groups.items()):
        lines.append(f"{region.capitalize()} — {act}")
        for loaded in sorted(files, key=lambda f: f.reglament.id if f.reglament else ""):
            r = loaded.reglament
            assert r is not None
            lines.append(f"  {r.id:<36} {period_text(r):<36} {cut(r.title.best(), TITLE_WIDTH)}")
        lines.append("")
    count = len(library.reglaments)
    regions = len({r.region for r in library.reglaments})
    lines.append(f"{count} reglament(s) in {regions} region(s).")
    return "\n".join(lines)


def library_json(library: Library) -> str:
    return json.dumps(
        [
            {
                "id": r.id,
                "service": r.service_id,
                "region": r.region,
                "act": act_text(r),
                "effective": {
                    "from": r.effective.from_.isoformat(),
                    "until": r.effective.until.isoformat() if r.effective.until else None,
                    "estimated": r.effective.estimated,
                },
                "title": r.title.model_dump(exclude_none=True),
                "file": loaded.display,
            }
            for loaded in library.files
            if (r := loaded.reglament) is not None
        ],
        ensure_ascii=False,
        indent=2,
    )


def reglament_text(loaded: Loaded) -> str:
    r = loaded.reglament
    assert r is not None
    lines = [
        f"{r.id} ({r.region}) — {r.title.best()}",
    ]
    if r.title.kk:
        lines.append(f"  kk: {r.title.kk}")
    if r.title.ru:
        lines.append(f"  ru: {r.title.ru}")
    lines += [
        f"Act: {act_text(r)}; seed {r.source.seed} lines {r.source.lines}",
        f"In force: {period_text(r)}",
        f"Provider: {r.provider.best()}",
        f"File: {loaded.display}",
        "",
        "Channels:",
    ]
    for channel_id, channel in r.channels.items():
        start = f"starts at {channel.start}" if channel.start else "no procedure in the act"
        lines.append(f"  {channel_id:<14} {channel.kind.value:<15} {start}")
    if r.variants:
        lines.append("Variants:")
        for variant_id, variant in r.variants.items():
            lines.append(f"  {variant_id:<14} {variant.name.best()}")
    lines += data_lines(r)
    lines.append("Terms:")
    if not r.terms:
        lines.append("  (the act states no overall term)")
    for term in r.terms:
        scope = ", ".join(
            f"{name} {value}"
            for name, value in (("channel", term.channel), ("variant", term.variant))
            if value
        )
        lines.append(f"  {amount_text(term.value, term.unit)}{f' ({scope})' if scope else ''}")
    lines.append("Steps:")
    for step_id, step in r.steps.items():
        if isinstance(step, Task):
            lines.append(
                f"  {step_id:<24} task      {step.actor:<20} {step_time_text(step):<28} → {next_text(step.next)}"
            )
        elif isinstance(step, Decision):
            outs = "; ".join(f"{name} → {next_text(o.next)}" for name, o in step.outcomes.items())
            lines.append(
                f"  {step_id:<24} decision  {step.actor:<20} {step_time_text(step):<28} {outs}"
            )
        elif isinstance(step, Wait):
            limit = step_time_text(step)
            timeout = f"; timeout → {next_text(step.on_timeout)}" if step.on_timeout else ""
            lines.append(
                f"  {step_id:<24} wait      {step.actor:<20} {limit:<28} → {next_text(step.next)}{timeout}"
            )
        elif isinstance(step, Parallel):
            lines.append(
                f"  {step_id:<24} parallel  branches {', '.join(step.branches)}; join {step.join}"
            )
        elif isinstance(step, Join):
            lines.append(f"  {step_id:<24} join      → {next_text(step.next)}")
        elif isinstance(step, End):
            lines.append(f"  {step_id:<24} end       {step.outcome.value}")
    if r.notes:
        lines.append(
            f"Notes: {len(r.notes)} (unclear, discrepancies, inferences; see --format json)"
        )
    return "\n".join(lines)


def data_lines(r: Reglament) -> list[str]:
    """The case data a reglament declares, as ``simulate --data FIELD=VALUE`` takes them."""
    if not r.data:
        return ["Case data: none declared"]
    lines = ["Case data (simulate and render take them as --data FIELD=VALUE):"]
    for name, spec in r.data.items():
        kind = f"one of {', '.join(spec.values)}" if spec.values else _DATA_TYPES[spec.type]
        label = f"  {spec.label.best()}" if spec.label else ""
        lines.append(f"  {name:<24} {kind}{label}")
    return lines


_DATA_TYPES = {
    DataType.bool: "true or false",
    DataType.int: "a whole number",
    DataType.str: "text",
    DataType.date: "a date YYYY-MM-DD",
    DataType.choice: "a choice",
}


def reglament_json(loaded: Loaded) -> str:
    assert loaded.reglament is not None
    return loaded.reglament.model_dump_json(by_alias=True, exclude_none=True, indent=2)
