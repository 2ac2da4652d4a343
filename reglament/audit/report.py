"""The audit of a library: every file's validator problems, checks and term compliance."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reglament.audit.checks import CHECKS, Subject, subject
from reglament.audit.findings import Finding, Severity, from_problem
from reglament.audit.terms import TermCheck, check_terms
from reglament.calendar.days import fmt_instant
from reglament.engine import Engine
from reglament.errors import Problem, ReglamentError
from reglament.loader import Library, Loaded


@dataclass(frozen=True, slots=True)
class FileAudit:
    """One definition file: its findings and, when it is valid, its term compliance."""

    loaded: Loaded
    findings: tuple[Finding, ...]
    terms: tuple[TermCheck, ...] = ()

    @property
    def display(self) -> str:
        return self.loaded.display

    def counts(self) -> dict[Severity, int]:
        return _counts(self.findings)


@dataclass(frozen=True, slots=True)
class AuditReport:
    """Every audited file, and the findings that belong to no single file."""

    files: tuple[FileAudit, ...]
    general: tuple[Finding, ...] = ()

    def findings(self) -> list[Finding]:
        found = [*self.general]
        for audit in self.files:
            found.extend(audit.findings)
        return found

    def counts(self) -> dict[Severity, int]:
        return _counts(self.findings())

    def by_code(self) -> Counter[str]:
        return Counter(f.code for f in self.findings())

    def fails(self, threshold: Severity) -> bool:
        """Whether any finding is at or above ``threshold``."""
        return any(f.severity.rank >= threshold.rank for f in self.findings())


def _counts(findings: Iterable[Finding]) -> dict[Severity, int]:
    counts = dict.fromkeys(Severity, 0)
    for finding in findings:
        counts[finding.severity] += 1
    return counts


def audit_library(library: Library) -> AuditReport:
    """Audit every file of ``library`` (see docs/audit.md)."""
    by_file: dict[str, list[Problem]] = {}
    general: list[Finding] = []
    displays = {loaded.display for loaded in library.files}
    for problem in library.problems:
        if problem.position.file in displays:
            by_file.setdefault(problem.position.file, []).append(problem)
        else:
            general.append(from_problem(problem))
    files = tuple(audit_file(loaded, by_file.get(loaded.display, ())) for loaded in library.files)
    return AuditReport(files, tuple(sorted(general, key=Finding.sort_key)))


def audit_file(loaded: Loaded, extra: Sequence[Problem] = ()) -> FileAudit:
    """Audit one loaded file; ``extra``: problems found across files that concern it."""
    reglament_id = loaded.reglament.id if loaded.reglament else ""
    findings = [from_problem(p, reglament_id) for p in (*loaded.problems, *extra)]
    terms: tuple[TermCheck, ...] = ()
    if loaded.ok:
        s = subject(loaded)
        for check in CHECKS:
            findings.extend(check(s))
        terms, term_findings = _terms(s)
        findings.extend(term_findings)
    return FileAudit(loaded, tuple(sorted(findings, key=Finding.sort_key)), terms)


# -- term compliance as findings ------------------------------------------------------------------


def _terms(s: Subject) -> tuple[tuple[TermCheck, ...], list[Finding]]:
    r = s.reglament
    try:
        checks = check_terms(Engine(r))
    except ReglamentError as error:
        return (), [
            s.finding("RG104", ("channels",), f"term compliance not computed: {error}", key=True)
        ]
    findings: list[Finding] = []
    # one finding per channel and term, naming the variants it covers (variants often share both)
    groups: dict[tuple[str, int | None], list[TermCheck]] = {}
    for check in checks:
        groups.setdefault((check.channel, check.term_index), []).append(check)
    for (channel, index), members in groups.items():
        variants = [c.variant for c in members if c.variant is not None]
        failed = [c for c in members if c.error is not None or c.truncated]
        for check in failed:
            why = check.error or f"only some paths were checked: {check.limit}"
            findings.append(
                s.finding(
                    "RG104",
                    ("channels", channel),
                    f"{_scope(channel, [check.variant])}: {why}",
                    key=True,
                )
            )
        if index is not None:
            late = [c for c in members if c.overruns]
            if late:
                worst = max(late, key=lambda c: c.worst.overrun if c.worst else 0)
                findings.append(
                    s.finding(
                        "RG101",
                        ("terms", index),
                        overrun_message(
                            worst, [c.variant for c in late if c.variant], len(variants)
                        ),
                    )
                )
        else:
            checked = [c for c in members if c.worst is not None]
            if checked:
                worst = max(checked, key=lambda c: _longest(c))
                findings.append(
                    s.finding(
                        "RG102", ("channels", channel), no_term_message(worst, variants), key=True
                    )
                )
    loops = sorted({loop for check in checks for loop in check.loops})
    for source, target in loops:
        findings.append(
            s.finding(
                "RG103",
                ("steps", source),
                f"step {source!r} can send a case back to {target!r}: each pass adds time, so the "
                "term check follows the loop once (its worst case is for a case that does not go round)",
                key=True,
            )
        )
    return tuple(checks), findings


def _longest(check: TermCheck) -> tuple[int, object]:
    worst = check.worst
    assert worst is not None
    return worst.max_working_days, worst.worst.end


def _scope(channel: str, variants: Sequence[str | None]) -> str:
    named = [v for v in variants if v]
    if not named:
        return f"channel {channel}"
    return f"channel {channel}, variant{'s' if len(named) > 1 else ''} {', '.join(named)}"


def overrun_message(check: TermCheck, late_variants: Sequence[str], variants: int) -> str:
    """``channel office: accept → … → issued takes 11 working days + 45 minutes against 10
    working days: overruns by 3 working days when submitted at 17:30 on Thu 2012-12-13 …``."""
    path = check.worst
    assert path is not None
    moment = path.worst
    assert moment.due is not None
    at_least = "at least " if path.lower_bound else ""
    submitted, due, end, earliest = (
        fmt_instant(t, time_first=True)
        for t in (moment.submitted, moment.due, moment.end, moment.after_hours_from)
    )
    also = f" (or at any time from {earliest})" if moment.after_hours_from else ""
    late_paths = sum(1 for p in check.paths if p.overruns)
    scope = _scope(check.channel, late_variants)
    if variants > 1 and len(late_variants) == variants:
        scope = f"channel {check.channel}, every variant"
    text = (
        f"{scope}: {path.path.describe()} takes {path.counted}"
        f"{' (uncounted: ' + ', '.join(path.uncounted) + ')' if path.uncounted else ''}"
        f" against {check.term_text}: overruns by {at_least}{path.overrun_text} when submitted "
        f"at {submitted}{also} (due {due}, ends {end}); "
        f"{_percent(check.share)} of submission moments overrun on {late_paths} of "
        f"{len(check.paths)} path{'s' if len(check.paths) != 1 else ''}"
    )
    if path.lower_bound:
        text += f"; a lower bound: {', '.join(path.untimed)} take{'s' if len(path.untimed) == 1 else ''} no time"
    return text


def no_term_message(check: TermCheck, variants: Sequence[str]) -> str:
    path = check.worst
    assert path is not None
    at_least = "at least " if path.lower_bound else ""
    scope = f"channel {check.channel}" + (f", variant {check.variant}" if check.variant else "")
    submitted, end = (
        fmt_instant(t, time_first=True) for t in (path.worst.submitted, path.worst.end)
    )
    text = (
        f"{scope}: no legal term in the file; the longest path {path.path.describe()} takes "
        f"{path.counted} and ends {at_least}on the {_ordinal(path.max_working_days)} working day "
        f"after acceptance (submitted at {submitted}, ends {end})"
    )
    if path.lower_bound:
        text += f"; a lower bound: {', '.join(path.untimed)} take{'s' if len(path.untimed) == 1 else ''} no time"
    if len(variants) > 1:
        text += f" (the longest of variants {', '.join(variants)})"
    return text


def _percent(share: float) -> str:
    if share >= 1:
        return "100%"
    if share <= 0:
        return "0%"
    value = share * 100
    return f"{value:.1f}%" if value >= 0.1 else "<0.1%"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def term_summary(check: TermCheck) -> str:
    """One line on one channel and variant: whether the worst case fits, by how much, when."""
    if check.error is not None:
        return f"not computed: {check.error}"
    path = check.worst
    if path is None:
        return "no path to check"
    moment = path.worst
    lower = path.lower_bound
    submitted, due, end = (
        fmt_instant(t, time_first=True) for t in (moment.submitted, moment.due, moment.end)
    )
    if check.term is None:
        return (
            f"no legal term; the longest path takes {path.counted} and ends "
            f"{'at least ' if lower else ''}on the {_ordinal(path.max_working_days)} working day "
            f"after acceptance (submitted at {submitted})"
        )
    assert moment.due is not None
    if check.overruns:
        text = (
            f"{path.counted} against {check.term_text}: overruns by {'at least ' if lower else ''}"
            f"{path.overrun_text} when submitted at {submitted} (due {due}, ends {end}); "
            f"{_percent(check.share)} of "
            "submission moments overrun"
        )
    else:
        margin = (
            "fits exactly (no margin)"
            if path.overrun == 0
            else f"fits; the least margin is {'at most ' if lower else ''}{path.overrun_text}"
        )
        text = (
            f"{path.counted} against {check.term_text}: {margin}, when submitted at "
            f"{submitted} (due {due}, ends {end})"
        )
    if lower:
        text += f"; a lower bound: {', '.join(path.untimed)} take{'s' if len(path.untimed) == 1 else ''} no time"
    return text
