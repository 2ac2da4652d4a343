"""The office page's view-models: plain dicts read from the store and the library, each value
asked of its owner, for ``reglament.renderers.office`` to write out.

- the inbox of a region: its open cases overdue (``Store.cases(overdue=True)``, in the order
  they fell due), then at risk (``at_risk=True``), then the rest; each with its steps under way,
  their due instants and how late, in working days, as the case's re-audit measures them
  (``Store.audit``: ``runtime/audit.py: Span.between`` on the step's clock and calendar);
- a case: the same re-audit as its timeline (each visit's due with the explanation
  ``simulate`` gives it), its history with who did what (``Store.show``), its flow with the
  steps under way marked (``renderers/diagrams.py: dot(current=...)``), and the moves it may take
  now (``Store.allowed``: ``Engine.allowed``; who chooses an outcome: ``procedure/outcomes.py:
  chooser``), those the principal may make;
- a reglament: its flow, its terms with their worst cases and the audit's findings
  (``audit/report.py: audit_file``, written as ``audit --format json`` writes them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from reglament.audit.report import audit_file
from reglament.calendar import zone_for_region
from reglament.loader import Library
from reglament.procedure.outcomes import Chooser, chooser
from reglament.reports.audit import finding_dict, term_dict
from reglament.runtime.audit import Reaudit
from reglament.schemas import Language, Reglament, Step
from reglament.store import Store

LIMIT = 100  # cases per section of the inbox
# a flow as SVG: the reglament, the steps marked, the channel (None: every channel), the language
Diagram = Callable[[Reglament, Collection[str], str | None, Language], str | None]
MayRecord = Callable[[str, Step], bool]  # may the principal complete this step (id, step)?


def inbox(store: Store, region: str, at: dt.datetime, language: Language) -> dict[str, Any]:
    """The open cases of ``region`` as of ``at``: overdue first (longest overdue first), then
    at risk, then the rest (by id); at most :data:`LIMIT` in each section (the rest: of the
    first ``3 × LIMIT`` open cases by id, those not listed above)."""
    overdue = store.cases(at, overdue=True, region=region, limit=LIMIT)
    at_risk = store.cases(at, at_risk=True, region=region, limit=LIMIT)
    everything = store.cases(at, region=region, limit=LIMIT * 3, open_only=True)
    shown: set[str] = set()
    sections = []
    for key, found in (("overdue", overdue), ("at_risk", at_risk), ("rest", everything)):
        rows = [_row(store, case, at, language) for case in found if case["case"] not in shown][
            :LIMIT
        ]
        shown.update(row["case"] for row in rows)
        sections.append({"key": key, "rows": rows})
    local = at.astimezone(zone_for_region(region))  # "as of" in the region's own time
    return {"at": local.isoformat(), "region": region, "sections": sections}


def _row(
    store: Store, case: Mapping[str, Any], at: dt.datetime, language: Language
) -> dict[str, Any]:
    reglament = store.engine(case["reglament"], case["region"], case["version"]).reglament
    audited = store.audit(case["case"], max(at, _updated(case)))
    return {
        "case": case["case"],
        "receipt": case["receipt"],
        "state": case["state"],
        "service": reglament.title.best(language),
        "reglament": _ref(case),
        **_open(audited, reglament, language),
    }


def _open(audited: Reaudit, reglament: Reglament, language: Language) -> dict[str, Any]:
    """The steps under way in a re-audit (done is None) and the term, with how late each is."""
    steps = [
        {
            "step": visit.step,
            "action": _action(reglament.steps[visit.step], language),
            "due": _iso(visit.due),
            "late_days": visit.late.working_days if visit.late else None,
        }
        for visit in audited.steps
        if visit.done is None
    ]
    term = audited.term
    late = term.verdict in ("broken", "overdue")
    return {
        "steps": steps,
        "term_due": _iso(term.due),
        "term_late_days": term.by.working_days if late and term.by else None,
    }


def case_page(
    store: Store,
    ref: str,
    at: dt.datetime,
    language: Language,
    may_record: MayRecord,
    diagram: Diagram,
) -> dict[str, Any]:
    """Case ``ref`` as of ``at`` (or its last event, if later)."""
    shown = store.show(ref, at)
    when = max(at, _updated(shown))  # never before its last event (a re-audit's rule)
    if when != at:
        shown = store.show(ref, when)
    engine = store.engine(shown["reglament"], shown["region"], shown["version"])
    reglament = engine.reglament
    audited = store.audit(shown["case"], when)
    active = [step["step"] for step in shown["status"]["active"]]
    return {
        "case": shown["case"],
        "receipt": shown["receipt"],
        "service": reglament.title.best(language),
        "reglament": _ref(shown),
        "region": shown["region"],
        "channel": shown["channel"],
        "channel_name": reglament.channels[shown["channel"]].name.best(language),
        "variant": shown["variant"],
        "variant_name": (
            reglament.variants[shown["variant"]].name.best(language) if shown["variant"] else None
        ),
        "state": shown["state"],
        "revision": shown["revision"],
        "at": when.astimezone(store.zone(shown["case"])).isoformat(),
        "term": {
            "allowed": audited.term.allowed,
            "amount": audited.term.amount.to_dict() if audited.term.amount else None,
            "verdict": audited.term.verdict,
            "due": _iso(audited.term.due),
            "late_days": _open(audited, reglament, language)["term_late_days"],
            "explanation": audited.term.explanation,
        },
        "timeline": [
            {
                "step": visit.step,
                "action": _action(reglament.steps[visit.step], language),
                "actor": visit.actor,
                "started": _iso(visit.started),
                "due": _iso(visit.due),
                "done": _iso(visit.done),
                "outcome": visit.outcome,
                "allowed": visit.allowed,
                "amount": visit.amount.to_dict() if visit.amount else None,
                "late_days": visit.late.working_days if visit.late else None,
                "explanation": visit.explanation,
            }
            for visit in audited.steps
        ],
        "diagram_svg": diagram(reglament, active, shown["channel"], language),
        "history": shown["events"],
        "moves": list(_moves(store.allowed(shown["case"]), reglament, may_record, language)),
    }


def _moves(
    allowed: Mapping[str, list[str]],
    reglament: Reglament,
    may_record: MayRecord,
    language: Language,
) -> Iterable[dict[str, Any]]:
    """One button per way the principal may end a step under way: each outcome when the caller
    chooses it, else one (the data decide it, or the step just goes on)."""
    for step_id, ways in allowed.items():
        step = reglament.steps[step_id]
        if not may_record(step_id, step):
            continue
        action = _action(step, language)
        if chooser(step) is Chooser.caller:
            for way in ways:
                yield {"step": step_id, "action": action, "outcome": way}
        else:
            yield {"step": step_id, "action": action, "outcome": None}


def reglament_page(
    library: Library, ref: str, language: Language, diagram: Diagram
) -> dict[str, Any]:
    """Reglament ``ref`` (``ID@REGION@VERSION``, or any reference ``Library.choose`` takes):
    its flow, its terms with their worst cases, the audit's findings."""
    chosen = library.choose(ref)
    reglament = chosen.reglament
    audited = audit_file(chosen.loaded)
    return {
        "reglament": f"{reglament.id}@{reglament.region}@{reglament.effective.from_.isoformat()}",
        "service": reglament.title.best(language),
        "file": chosen.loaded.display,
        "diagram_svg": diagram(reglament, (), None, language),
        "terms": [term_dict(check) for check in audited.terms],
        "findings": [
            finding_dict(finding)
            for finding in sorted(audited.findings, key=lambda f: (-f.severity.rank, *f.sort_key()))
        ],
    }


def _action(step: Step, language: Language) -> str | None:
    action = getattr(step, "action", None)
    return action.best(language) if action is not None else None


def _ref(case: Mapping[str, Any]) -> str:
    return f"{case['reglament']}@{case['region']}@{case['version']}"


def _updated(case: Mapping[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(case["updated_at"])


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
