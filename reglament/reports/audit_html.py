"""The audit as a small static site: an overview of the library and one page per reglament.

Every page is self-contained (inline CSS, no scripts, no external assets) and every value is
escaped (Jinja2 autoescape, StrictUndefined). A page gets its flow diagram from outside as
``diagram_svg`` (the diagrams renderer's SVG), so this module knows nothing of how diagrams are
drawn; without one the page simply has no diagram section.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from jinja2 import DictLoader, Environment, StrictUndefined, select_autoescape
from markupsafe import Markup

from reglament.audit import RULES, AuditReport, FileAudit, Finding, Severity, TermCheck
from reglament.audit.report import term_summary
from reglament.procedure.graph import routes_text
from reglament.renderers import output
from reglament.reports.audit import counts_text, scope, summary
from reglament.schemas import Decision, End, Reglament, Step, Task, Text, Wait
from reglament.schemas.words import act_text, amount_text, period_text, step_time_text

Diagrams = Callable[[Reglament], str | None]

_CSS = """
:root { --fg: #1d232b; --muted: #5b6573; --line: #d8dde3; --head: #f3f5f7;
  --error: #b3261e; --warning: #8a5a00; --note: #2f5d8a; --ok: #2e6b34; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
  color: var(--fg); margin: 0 auto; padding: 1.5rem 2rem 3rem; max-width: 1200px; }
h1 { font-size: 1.5rem; margin: 0 0 .3rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .6rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
p.lead, .muted { color: var(--muted); }
a { color: #1a56a8; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid var(--line); padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: var(--head); font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.nowrap { white-space: nowrap; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .85em; }
.badge { display: inline-block; min-width: 1.8em; padding: 0 .4em; border-radius: .6em; font-weight: 600;
  text-align: center; font-size: .85em; color: #fff; }
.badge.error { background: var(--error); } .badge.warning { background: var(--warning); }
.badge.note { background: var(--note); } .badge.zero { background: #e6e9ed; color: var(--muted); }
.sev { font-weight: 600; white-space: nowrap; }
.sev.error { color: var(--error); } .sev.warning { color: var(--warning); } .sev.note { color: var(--note); }
.over { color: var(--error); font-weight: 600; } .fits { color: var(--ok); font-weight: 600; }
.none { color: var(--muted); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .6rem 0 1rem; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
figure.diagram { margin: .5rem 0 1rem; overflow-x: auto; border: 1px solid var(--line); padding: .5rem; }
figure.diagram svg { max-width: 100%; height: auto; }
details { margin: .2rem 0; } summary { cursor: pointer; color: var(--muted); }
.lang { color: var(--muted); font-size: .8em; margin-right: .3em; }
td.lines { font-size: .8em; color: var(--muted); min-width: 7em; max-width: 12em; overflow-wrap: anywhere; }
td.raw, span.raw { color: var(--muted); font-size: .9em; }
col.wide { width: 34%; }
nav { margin-bottom: 1rem; font-size: .9rem; }
"""

_BASE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{{ title }}</title>
<style>{{ css }}</style>
</head>
<body>
{% block body %}{% endblock %}
</body>
</html>
"""

_BADGES = """{% macro badges(counts) -%}
{%- for sev in severities -%}
<span class="badge {{ sev.value if counts[sev] else 'zero' }}" title="{{ counts[sev] }} {{ sev.value }}(s)">{{ counts[sev] }}</span>{{ ' ' if not loop.last }}
{%- endfor -%}
{%- endmacro %}"""

_INDEX = (
    _BADGES
    + """{% extends "base" %}
{% block body %}
<h1>Audit of reglaments</h1>
<p class="lead">{{ summary }} Each page shows a reglament's steps, its term compliance and its findings.</p>

<h2>Overview</h2>
<table id="overview">
<thead><tr><th>reglament</th><th>region</th><th>act</th><th>term</th><th>worst case</th>
<th class="num">errors</th><th class="num">warnings</th><th class="num">notes</th></tr></thead>
<tbody>
{% for row in rows %}
<tr>
<td><a href="{{ row.href }}">{{ row.id }}</a><br><span class="muted">{{ row.title }}</span></td>
<td>{{ row.region }}</td>
<td>{{ row.act }}</td>
<td>{{ row.term }}</td>
<td class="{{ row.verdict_class }}">{{ row.worst }}</td>
{% for sev in severities %}<td class="num"><span class="badge {{ sev.value if row.counts[sev] else 'zero' }}">{{ row.counts[sev] }}</span></td>{% endfor %}
</tr>
{% endfor %}
</tbody>
</table>
{% if general %}
<h2>Across files</h2>
<table><thead><tr><th>severity</th><th>code</th><th>where</th><th>message</th></tr></thead><tbody>
{% for f in general %}<tr><td class="sev {{ f.severity.value }}">{{ f.severity.value }}</td><td class="nowrap"><a href="#{{ f.code }}">{{ f.code }}</a></td><td class="mono">{{ f.position }}</td><td>{{ f.message }}</td></tr>{% endfor %}
</tbody></table>
{% endif %}

<h2>Findings by code</h2>
<table id="found">
<thead><tr><th>code</th><th>rule</th><th>severity</th><th>what it reports</th><th class="num">found</th></tr></thead>
<tbody>
{% for rule in rules if by_code.get(rule.code) %}
<tr><td class="mono"><a href="#{{ rule.code }}">{{ rule.code }}</a></td><td>{{ rule.name }}</td><td class="sev {{ rule.severity.value }}">{{ rule.severity.value }}</td>
<td>{{ rule.summary }}</td><td class="num">{{ by_code[rule.code] }}</td></tr>
{% endfor %}
</tbody>
</table>

<h2>Rules</h2>
<details><summary>every code the audit can report, with what it means</summary>
<table id="rules">
<thead><tr><th>code</th><th>rule</th><th>severity</th><th>meaning</th></tr></thead>
<tbody>
{% for rule in rules %}
<tr id="{{ rule.code }}"><td class="mono">{{ rule.code }}</td><td>{{ rule.name }}</td><td class="sev {{ rule.severity.value }}">{{ rule.severity.value }}</td>
<td>{{ rule.summary }}{% if rule.help != rule.summary %} {{ rule.help }}{% endif %}</td></tr>
{% endfor %}
</tbody>
</table>
</details>
{% endblock %}
"""
)

_PAGE = (
    _BADGES
    + """{% extends "base" %}
{% block body %}
{% if index_href %}<nav><a href="{{ index_href }}">← all reglaments</a></nav>{% endif %}
<h1>{{ r.id }} <span class="muted">({{ r.region }})</span></h1>
{% for lang, text in titles %}<div><span class="lang">{{ lang }}</span>{{ text }}</div>{% endfor %}
<dl class="facts">
<dt>act</dt><dd>{{ act }}</dd>
<dt>in force</dt><dd>{{ period }}</dd>
<dt>provider</dt><dd>{{ r.provider.best() }}</dd>
{% if file %}<dt>file</dt><dd class="mono">{{ file }}</dd>{% endif %}
<dt>findings</dt><dd>{{ badges(counts) }} <span class="muted">{{ counts_text }}</span></dd>
</dl>

{% if diagram %}
<h2>Flow</h2>
<figure class="diagram">{{ diagram }}</figure>
{% endif %}

<h2>Term compliance</h2>
{% if terms %}
<p class="muted">Submission moments: {{ window }}. Each step takes its full allowed time, on the real calendar and the actors' office hours.</p>
<table id="terms">
<thead><tr><th>channel / variant</th><th>term</th><th>verdict</th><th>worst case</th><th class="num">moments overrunning</th></tr></thead>
<tbody>
{% for t in terms %}
<tr><td class="nowrap">{{ t.scope }}</td><td class="nowrap">{{ t.term }}</td>
<td class="{{ t.verdict_class }}">{{ t.verdict }}</td>
<td>{{ t.summary }}
{% if t.paths %}<details><summary>{{ t.paths|length }} path{{ 's' if t.paths|length != 1 }}</summary>
<table><thead><tr><th>path</th><th>counted</th><th>worst</th></tr></thead><tbody>
{% for p in t.paths %}<tr><td>{{ p.path }}</td><td>{{ p.counted }}</td><td>{{ p.worst }}</td></tr>{% endfor %}
</tbody></table></details>{% endif %}
</td><td class="num">{{ t.share }}</td></tr>
{% endfor %}
</tbody>
</table>
{% else %}
<p class="none">Not computed (the definition is not valid).</p>
{% endif %}

<h2>Steps</h2>
<table id="steps">
<thead><tr><th>step</th><th>kind</th><th>actor</th><th>action</th><th>duration</th><th>leads to</th><th>lines</th></tr></thead>
<tbody>
{% for s in steps %}
<tr id="step-{{ s.id }}"><td class="mono">{{ s.id }}</td><td>{{ s.kind }}</td><td>{{ s.actor }}</td><td>{{ s.action }}</td>
<td>{{ s.duration }}{% if s.raw %}<br><span class="raw">«{{ s.raw }}»</span>{% endif %}</td><td>{{ s.next }}</td><td class="lines">{{ s.lines }}</td></tr>
{% endfor %}
</tbody>
</table>

<h2>Findings</h2>
{% if findings %}
<table id="findings">
<thead><tr><th>severity</th><th>code</th><th>where</th><th>message</th></tr></thead>
<tbody>
{% for f in findings %}
<tr><td class="sev {{ f.severity }}">{{ f.severity }}</td>
<td class="nowrap">{% if index_href %}<a href="{{ index_href }}#{{ f.code }}">{{ f.code }}</a>{% else %}{{ f.code }}{% endif %}<br><span class="muted">{{ f.name }}</span></td>
<td class="mono">{{ f.where }}</td><td>{{ f.message }}</td></tr>
{% endfor %}
</tbody>
</table>
{% else %}
<p class="none">No findings.</p>
{% endif %}
{% endblock %}
"""
)

_INVALID = """{% extends "base" %}
{% block body %}
<nav><a href="index.html">← all reglaments</a></nav>
<h1>{{ file }}</h1>
<p>The definition is not valid, so it was not audited further.</p>
<table id="findings"><thead><tr><th>severity</th><th>code</th><th>where</th><th>message</th></tr></thead><tbody>
{% for f in findings %}<tr><td class="sev {{ f.severity.value }}">{{ f.severity.value }}</td><td><a href="index.html#{{ f.code }}">{{ f.code }}</a></td><td class="mono">{{ f.position }}</td><td>{{ f.message }}</td></tr>{% endfor %}
</tbody></table>
{% endblock %}
"""
_ENV = Environment(
    loader=DictLoader({"base": _BASE, "index": _INDEX, "page": _PAGE, "invalid": _INVALID}),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True, slots=True)
class _Row:
    id: str
    title: str
    href: str
    region: str
    act: str
    term: str
    worst: str
    verdict_class: str
    counts: dict[Severity, int]


def page_name(file: FileAudit, taken: set[str] | None = None) -> str:
    """A stable file name for a reglament's page: ``atyrau-2012--child-benefit-under-18.html``."""
    path = Path(file.display)
    stem = f"{path.parent.name}--{path.stem}" if path.parent.name else path.stem
    base = re.sub(r"[^a-z0-9-]+", "-", stem.lower()).strip("-") or "reglament"
    name, n = f"{base}.html", 2
    while taken is not None and name in taken:
        name, n = f"{base}-{n}.html", n + 1
    if taken is not None:
        taken.add(name)
    return name


def _verdict(checks: Sequence[TermCheck]) -> tuple[str, str]:
    """The worst case of a file in a few words, and its CSS class."""
    computed = [c for c in checks if c.error is None and c.worst is not None]
    if not computed:
        return ("not computed", "none") if checks else ("no procedure", "none")
    late = [c for c in computed if c.overruns]
    if late:
        worst = max(late, key=lambda c: c.worst.overrun if c.worst else 0)
        assert worst.worst is not None
        bound = "at least " if worst.worst.lower_bound else ""
        return f"overruns by {bound}{worst.worst.overrun_text} ({scope(worst)})", "over"
    with_term = [c for c in computed if c.term is not None]
    if with_term:
        tight = min(with_term, key=lambda c: -c.worst.overrun if c.worst else 0)
        assert tight.worst is not None
        if tight.worst.overrun == 0:
            return f"fits exactly ({scope(tight)})", "fits"
        return f"fits, least margin {tight.worst.overrun_text} ({scope(tight)})", "fits"
    longest = max(computed, key=lambda c: c.worst.max_working_days if c.worst else 0)
    assert longest.worst is not None
    return (
        f"no term; up to the {_ordinal(longest.worst.max_working_days)} working day ({scope(longest)})",
        "none",
    )


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _terms_text(r: Reglament) -> str:
    if not r.terms:
        return "none stated"
    parts = []
    for term in r.terms:
        where = ", ".join(x for x in (term.channel, term.variant) if x)
        words = amount_text(term.value, term.unit)
        parts.append(f"{words} ({where})" if where else words)
    return "; ".join(parts)


def render_index(report: AuditReport, pages: dict[str, str] | None = None) -> str:
    """The overview page; ``pages`` maps each file's display path to its page's href."""
    names: set[str] = set()
    hrefs = pages or {f.display: page_name(f, names) for f in report.files}
    rows = []
    for file in report.files:
        r = file.loaded.reglament
        worst, css = _verdict(file.terms)
        rows.append(
            _Row(
                id=r.id if r else file.display,
                title=r.title.best() if r else "invalid definition",
                href=hrefs[file.display],
                region=r.region if r else "",
                act=act_text(r) if r else "",
                term=_terms_text(r) if r else "",
                worst=worst,
                verdict_class=css,
                counts=file.counts(),
            )
        )
    return _ENV.get_template("index").render(
        title="Audit of reglaments",
        css=Markup(_CSS),
        summary=summary(report),
        rows=rows,
        general=report.general,
        rules=list(RULES.values()),
        by_code=report.by_code(),
        severities=list(Severity),
    )


def render_page(
    reglament: Reglament,
    findings: Sequence[Finding],
    diagram_svg: str | None = None,
    *,
    terms: Sequence[TermCheck] = (),
    file: str = "",
    index_href: str | None = "index.html",
) -> str:
    """One reglament's page: its facts, flow diagram (when given), term compliance, steps and
    findings. ``diagram_svg`` is inserted as it is (it comes from the diagrams renderer, not
    from the definition)."""
    counts = dict.fromkeys(Severity, 0)
    for finding in findings:
        counts[finding.severity] += 1
    window = ""
    if terms:
        span = terms[0].window
        window = span.describe() + f", {span.moments:,} moments"
    return _ENV.get_template("page").render(
        title=f"{reglament.id} ({reglament.region}) — audit",
        css=Markup(_CSS),
        r=reglament,
        titles=[(lang.value, reglament.title.get(lang)) for lang in reglament.title.languages()],
        act=act_text(reglament),
        period=period_text(reglament),
        file=file,
        counts=counts,
        counts_text=counts_text(counts),
        diagram=Markup(diagram_svg) if diagram_svg else None,
        terms=[_term_row(c) for c in terms],
        window=window,
        steps=[_step_row(reglament, step_id, step) for step_id, step in reglament.steps.items()],
        findings=[
            _finding_row(f, file)
            for f in sorted(findings, key=lambda f: (-f.severity.rank, *f.sort_key()))
        ],
        index_href=index_href,
        severities=list(Severity),
    )


def _term_row(check: TermCheck) -> dict[str, object]:
    if check.error is not None:
        verdict, css = "not computed", "none"
    elif check.term is None:
        verdict, css = "no term", "none"
    elif check.overruns:
        verdict, css = "overruns", "over"
    else:
        verdict, css = "fits", "fits"
    share = "—" if check.term is None or check.error else f"{check.share * 100:.1f}%"
    return {
        "scope": scope(check),
        "term": check.term_text,
        "verdict": verdict,
        "verdict_class": css,
        "summary": term_summary(check),
        "share": share,
        "paths": [
            {
                "path": p.path.describe(),
                "counted": p.counted + (" (lower bound)" if p.lower_bound else ""),
                "worst": (
                    f"{'overruns by' if p.overruns else 'margin'} {p.overrun_text}"
                    if check.term is not None
                    else f"{_ordinal(p.max_working_days)} working day"
                ),
            }
            for p in check.paths
        ],
    }


def _text(text: Text | None) -> str:
    return text.best() if text is not None else ""


def _step_row(r: Reglament, step_id: str, step: Step) -> dict[str, str]:
    actor = getattr(step, "actor", None)
    row = {
        "id": step_id,
        "kind": step.kind,
        "actor": (r.actors[actor].name.best() if actor in r.actors else actor) if actor else "",
        "action": "",
        "duration": "",
        "raw": "",
        "next": "",
        "lines": step.lines or "",
    }
    row["duration"] = step_time_text(step)
    row["next"] = routes_text(step)
    if isinstance(step, Task | Decision):
        row["action"] = _text(step.action)
        if not isinstance(step.duration, list) and step.duration.raw is not None:
            row["raw"] = step.duration.raw.best("kk")
    elif isinstance(step, Wait):
        row["action"] = _text(step.event)
    elif isinstance(step, End):
        row["action"] = _text(step.title) or step.outcome.value
        row["next"] = f"end: {step.outcome.value}" + (f" ({step.result})" if step.result else "")
    return row


def _finding_row(finding: Finding, file: str) -> dict[str, str]:
    p = finding.position
    where = f"{p.line}:{p.column}" if p.file == file and p.line else str(p)
    return {
        "severity": finding.severity.value,
        "code": finding.code,
        "name": RULES[finding.code].name,
        "where": where,
        "message": finding.message,
    }


def write_report(
    report: AuditReport, directory: Path, diagrams: Diagrams | None = None
) -> list[Path]:
    """Write ``index.html`` and one page per file into ``directory``; returns the paths, the
    index first. ``diagrams`` gives each reglament's flow diagram as SVG (or ``None``).

    Atomic (``output.write_folder``): the pages are built aside and put in place, the index
    last, only when all are written; a failed write leaves ``directory`` as it was and raises
    ``UsageError``. The folder is created when missing, its parent is not."""
    names: set[str] = {"index.html"}
    pages = {f.display: page_name(f, names) for f in report.files}
    with output.write_folder(directory) as folder:
        for file in report.files:
            r = file.loaded.reglament
            if r is None:
                page = _invalid_page(file)
            else:
                svg = diagrams(r) if diagrams is not None else None
                page = render_page(r, file.findings, svg, terms=file.terms, file=file.display)
            folder.write(pages[file.display], page)
        folder.write("index.html", render_index(report, pages))
    return [directory / "index.html", *(directory / pages[f.display] for f in report.files)]


def _invalid_page(file: FileAudit) -> str:
    return _ENV.get_template("invalid").render(
        title=f"{file.display} — audit", css=Markup(_CSS), file=file.display, findings=file.findings
    )


__all__ = ["page_name", "render_index", "render_page", "write_report"]
