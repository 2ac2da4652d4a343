"""An audit report as text, Markdown, JSON or SARIF 2.1.0 (the HTML report is in audit_html)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from reglament.audit import RULES, AuditReport, FileAudit, Finding, Severity, TermCheck
from reglament.audit.report import term_summary
from reglament.audit.terms import RESOLUTION

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _version() -> str:
    try:
        return version("reglament")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0"


def counts_text(counts: dict[Severity, int]) -> str:
    return ", ".join(f"{counts[s]} {s.value}{'s' if counts[s] != 1 else ''}" for s in Severity)


def summary(report: AuditReport) -> str:
    files = len(report.files)
    invalid = sum(1 for f in report.files if not f.loaded.ok)
    text = f"{files} file(s) audited"
    if invalid:
        text += f" ({invalid} invalid)"
    return f"{text}: {counts_text(report.counts())}."


def by_code_lines(report: AuditReport) -> list[str]:
    counts: Counter[str] = report.by_code()
    return [f"  {code} {RULES[code].name}: {counts[code]}" for code in sorted(counts)]


def scope(check: TermCheck) -> str:
    return check.channel + (f" / {check.variant}" if check.variant else "")


def window_text(file: FileAudit) -> str:
    if not file.terms:
        return ""
    span = file.terms[0].window
    return (
        f"{span.describe()}, {span.moments:,} moments at a resolution of {RESOLUTION // 60} minute"
    )


def _title(file: FileAudit) -> str:
    r = file.loaded.reglament
    if r is None:
        return f"{file.display} (invalid)"
    return f"{file.display}: {r.id} ({r.region})"


# -- text ------------------------------------------------------------------------------------------


def as_text(report: AuditReport) -> str:
    lines: list[str] = []
    for file in report.files:
        lines.append(f"== {_title(file)}")
        if file.terms:
            lines.append(f"term compliance, {window_text(file)}:")
            lines.extend(f"  {scope(c)}: {term_summary(c)}" for c in file.terms)
        lines.extend(str(f) for f in file.findings)
        lines.append("")
    if report.general:
        lines.append("== across files")
        lines.extend(str(f) for f in report.general)
        lines.append("")
    lines.append(summary(report))
    codes = by_code_lines(report)
    if codes:
        lines.append("by code:")
        lines.extend(codes)
    return "\n".join(lines)


# -- Markdown --------------------------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def as_markdown(report: AuditReport) -> str:
    lines = ["# Audit of reglaments", "", summary(report), ""]
    lines += [
        "| file | reglament | region | errors | warnings | notes |",
        "|---|---|---|---:|---:|---:|",
    ]
    for file in report.files:
        r = file.loaded.reglament
        c = file.counts()
        lines.append(
            f"| `{file.display}` | {r.id if r else '(invalid)'} | {r.region if r else ''} | "
            f"{c[Severity.error]} | {c[Severity.warning]} | {c[Severity.note]} |"
        )
    for file in report.files:
        lines += ["", f"## {_cell(_title(file))}", ""]
        if file.terms:
            lines += [f"Term compliance ({window_text(file)}):", ""]
            lines += [f"- **{scope(c)}**: {_cell(term_summary(c))}" for c in file.terms]
            lines.append("")
        if file.findings:
            lines += ["| severity | code | where | message |", "|---|---|---|---|"]
            for f in file.findings:
                lines.append(
                    f"| {f.severity.value} | {f.code} {f.rule.name} | `{f.position}` | {_cell(f.message)} |"
                )
        else:
            lines.append("No findings.")
    if report.general:
        lines += ["", "## Across files", ""]
        lines += [
            f"- `{f.position}` {f.severity.value} {f.code}: {_cell(f.message)}"
            for f in report.general
        ]
    codes = report.by_code()
    if codes:
        lines += ["", "## Findings by code", "", "| code | rule | count |", "|---|---|---:|"]
        lines += [f"| {code} | {RULES[code].name} | {codes[code]} |" for code in sorted(codes)]
    return "\n".join(lines) + "\n"


# -- JSON ------------------------------------------------------------------------------------------


def finding_dict(finding: Finding) -> dict[str, Any]:
    p = finding.position
    return {
        "code": finding.code,
        "rule": finding.rule.name,
        "severity": finding.severity.value,
        "file": p.file,
        "line": p.line,
        "column": p.column,
        "message": finding.message,
        "reglament": finding.reglament,
        "path": finding.path,
    }


def term_dict(check: TermCheck) -> dict[str, Any]:
    def iso(value: dt.datetime | None) -> str | None:
        return None if value is None else value.isoformat()

    return {
        "channel": check.channel,
        "variant": check.variant,
        "term": None
        if check.term is None
        else {"value": check.term.value, "unit": check.term.unit.value, "index": check.term_index},
        "window": {
            "from": check.window.first.isoformat(),
            "until": check.window.until.isoformat(),
            "why": check.window.why,
            "moments": check.window.moments,
            "resolution_seconds": RESOLUTION,
        },
        "share_overrun": check.share,
        "summary": term_summary(check),
        "error": check.error,
        "loops": [list(loop) for loop in check.loops],
        "truncated": check.truncated,
        "paths": [
            {
                "path": p.path.describe(),
                "end": p.path.end,
                "counted": p.counted,
                "uncounted": list(p.uncounted),
                "untimed": list(p.untimed),
                "lower_bound": p.lower_bound,
                "overruns": p.overruns,
                "share_overrun": p.share,
                "worst": {
                    "submitted": iso(p.worst.submitted),
                    "accepted": iso(p.worst.accepted),
                    "end": iso(p.worst.end),
                    "due": iso(p.worst.due),
                    "office_seconds_past_due": p.overrun if check.term is not None else None,
                    "gap": p.overrun_text or None,
                },
                "max_working_days": p.max_working_days,
            }
            for p in check.paths
        ],
    }


def as_dict(report: AuditReport) -> dict[str, Any]:
    counts = report.counts()
    return {
        "summary": {
            "files": len(report.files),
            **{s.value + "s": counts[s] for s in Severity},
            "by_code": dict(sorted(report.by_code().items())),
            "text": summary(report),
        },
        "rules": [
            {"code": r.code, "name": r.name, "severity": r.severity.value, "summary": r.summary}
            for r in RULES.values()
        ],
        "files": [
            {
                "file": file.display,
                "ok": file.loaded.ok,
                "id": file.loaded.reglament.id if file.loaded.reglament else None,
                "region": file.loaded.reglament.region if file.loaded.reglament else None,
                "terms": [term_dict(c) for c in file.terms],
                "findings": [finding_dict(f) for f in file.findings],
            }
            for file in report.files
        ],
        "findings": [finding_dict(f) for f in report.general],
    }


def as_json(report: AuditReport) -> str:
    return json.dumps(as_dict(report), ensure_ascii=False, indent=2)


# -- SARIF 2.1.0 -----------------------------------------------------------------------------------


def artifact_uri(file: str) -> str:
    """A relative path with forward slashes where possible (code-review tools resolve it against
    the repository root); an absolute file URI otherwise."""
    path = Path(file)
    if not path.is_absolute():
        return path.as_posix()
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.resolve().as_uri()


def _result(finding: Finding, audited: str | None, index: dict[str, int]) -> dict[str, Any]:
    uri = artifact_uri(finding.position.file)
    location: dict[str, Any] = {"artifactLocation": {"uri": uri}}
    if not uri.startswith("file:"):
        location["artifactLocation"]["uriBaseId"] = "%SRCROOT%"
    if finding.position.line > 0:
        location["region"] = {
            "startLine": finding.position.line,
            "startColumn": max(finding.position.column, 1),
        }
    message = finding.message
    if audited is not None and audited != finding.position.file:
        message += f" [in {finding.reglament or 'the reglament'} of {artifact_uri(audited)}]"
    identity = "|".join(
        (finding.code, audited or "", finding.reglament, finding.path, finding.message)
    )
    properties: dict[str, Any] = {"rule": finding.rule.name}
    if finding.reglament:
        properties["reglament"] = finding.reglament
    if audited is not None:
        properties["file"] = artifact_uri(audited)
    if finding.path:
        properties["path"] = finding.path
    return {
        "ruleId": finding.code,
        "ruleIndex": index[finding.code],
        "level": finding.severity.value,
        "message": {"text": message},
        "locations": [{"physicalLocation": location}],
        "partialFingerprints": {
            "reglamentFinding/v1": hashlib.sha256(identity.encode("utf-8")).hexdigest()
        },
        "properties": properties,
    }


def as_sarif_dict(report: AuditReport) -> dict[str, Any]:
    rules = list(RULES.values())
    index = {rule.code: i for i, rule in enumerate(rules)}
    results = [_result(f, None, index) for f in report.general]
    for file in report.files:
        results.extend(_result(f, file.display, index) for f in file.findings)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "reglament",
                        "version": _version(),
                        "semanticVersion": _version(),
                        "rules": [
                            {
                                "id": rule.code,
                                "name": rule.name,
                                "shortDescription": {"text": rule.summary},
                                "fullDescription": {"text": rule.help},
                                "help": {
                                    "text": f"{rule.summary} {rule.help}"
                                    if rule.help != rule.summary
                                    else rule.summary,
                                    "markdown": f"**{rule.code} {rule.name}**: {rule.summary}\n\n{rule.help}",
                                },
                                "defaultConfiguration": {"level": rule.severity.value},
                                "properties": {"tags": [_family(rule.code)]},
                            }
                            for rule in rules
                        ],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def _family(code: str) -> str:
    number = int(code[2:])
    if number < 100:
        return "validation"
    if number < 200:
        return "term-compliance"
    return "completeness"


def as_sarif(report: AuditReport) -> str:
    return json.dumps(as_sarif_dict(report), ensure_ascii=False, indent=2)
