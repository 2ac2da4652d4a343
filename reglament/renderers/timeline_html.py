"""A simulated case as one standalone HTML page: no scripts, no external assets, CSS inline,
every text escaped. Beside the table, each step is drawn as a bar on the case's time span
(late steps red, steps without time in the act hatched), with the legal term's due marked."""

from __future__ import annotations

import datetime as dt
from html import escape

from reglament.calendar.days import fmt_instant
from reglament.engine.simulate import Row, Timeline
from reglament.renderers.timeline import header_lines, verdict_text

_CSS = """
body { font: 14px/1.45 "DejaVu Sans", "Segoe UI", Arial, sans-serif; color: #212529;
       margin: 2rem auto; max-width: 84rem; padding: 0 1rem; }
h1 { font-size: 1.4rem; margin-bottom: .3rem; }
h2 { font-size: 1.1rem; margin-top: 1.8rem; }
ul.meta { list-style: none; padding: 0; color: #495057; margin-top: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #dee2e6; padding: .3rem .5rem; text-align: left;
         vertical-align: top; }
th { background: #f1f3f5; font-weight: 600; }
td.when { white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.late td { background: #fdecee; }
tr.late td.step::after { content: " late"; color: #b02a37; font-size: .8em; }
tr.untimed td { background: #fff8e1; }
td.bar { width: 22%; min-width: 10rem; }
.track { position: relative; height: .9rem; background: #f1f3f5; border-radius: 2px; }
.span { position: absolute; top: 0; bottom: 0; min-width: 2px; background: #3d6fb6;
        border-radius: 2px; }
tr.late .span { background: #b02a37; }
tr.untimed .span { background: repeating-linear-gradient(45deg, #b58900 0 3px, #fff3cd 3px 6px); }
.due { position: absolute; top: -2px; bottom: -2px; width: 2px; background: #212529; }
p.verdict { font-weight: 600; padding: .5rem .75rem; border-radius: 4px; }
p.verdict.met { background: #d4edda; color: #1e5c2b; }
p.verdict.broken { background: #f8d7da; color: #842029; }
p.verdict.none { background: #e9ecef; }
.flags { color: #6c757d; font-size: .85em; }
footer { margin-top: 2rem; color: #6c757d; font-size: .85em; }
""".strip()


def _position(t: dt.datetime, first: dt.datetime, seconds: float) -> float:
    return round(100 * (t - first).total_seconds() / seconds, 2)


def _bar(row: Row, first: dt.datetime, seconds: float, term_due: dt.datetime | None) -> str:
    left = _position(row.start, first, seconds)
    width = max(_position(row.end, first, seconds) - left, 0.0)
    due = (
        f'<div class="due" style="left:{_position(term_due, first, seconds)}%" '
        'title="the legal term is due"></div>'
        if term_due is not None
        else ""
    )
    return (
        f'<div class="track"><div class="span" style="left:{left}%;width:{width}%" '
        f'title="{escape(fmt_instant(row.start))} → {escape(fmt_instant(row.end))}"></div>{due}</div>'
    )


def as_html(timeline: Timeline, version_note: str = "") -> str:
    case = timeline.case
    title = f"{case.reglament}: simulated case"
    first = case.accepted_at
    last = max(timeline.end, timeline.term_due or timeline.end)
    seconds = max((last - first).total_seconds(), 60.0)
    out = [
        "<!doctype html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>\n{_CSS}\n</style>",
        "</head>",
        "<body>",
        f"<h1>{escape(title)}</h1>",
        '<ul class="meta">',
        *(f"<li>{escape(line)}</li>" for line in header_lines(timeline, version_note)),
        "</ul>",
        "<table>",
        "<thead><tr><th>step</th><th>actor</th><th>start</th><th>allowed</th><th>due</th>"
        "<th>end</th><th>outcome</th><th>time span (bar: the step; line: the term's due)</th>"
        "</tr></thead>",
        "<tbody>",
    ]
    for row in timeline.rows:
        classes = " ".join(
            name for name, on in (("late", row.late), ("untimed", "untimed" in row.flags)) if on
        )
        flags = f' <span class="flags">[{escape(", ".join(row.flags))}]</span>' if row.flags else ""
        counted = "" if row.counted else ' <span class="flags">(not in term)</span>'
        out.append(
            f'<tr class="{classes}">'
            f'<td class="step">{escape(row.step)}</td>'
            f"<td>{escape(row.actor or '')}</td>"
            f'<td class="when">{escape(fmt_instant(row.start))}</td>'
            f"<td>{escape(row.allowed)}{counted}</td>"
            f'<td class="when">{escape(fmt_instant(row.due))}</td>'
            f'<td class="when">{escape(fmt_instant(row.end))}</td>'
            f"<td>{escape(row.outcome or '')}{flags}</td>"
            f'<td class="bar">{_bar(row, first, seconds, timeline.term_due)}</td>'
            "</tr>"
        )
    state = "none" if timeline.term_met is None else ("met" if timeline.term_met else "broken")
    out += [
        "</tbody>",
        "</table>",
        f'<p class="verdict {state}">{escape(verdict_text(timeline))}</p>',
    ]
    if timeline.term_explanation:
        out.append(f"<p>Term: {escape(timeline.term_explanation)}</p>")
    explained = [row for row in timeline.rows if row.explanation]
    if explained:
        out += ["<h2>How each due time was computed</h2>", "<ul>"]
        out += [
            f"<li><code>{escape(row.step)}</code>: {escape(row.explanation)}</li>"
            for row in explained
        ]
        out.append("</ul>")
    if timeline.assumptions:
        out += ["<h2>Assumed</h2>", "<ul>"]
        out += [f"<li>{escape(a)}</li>" for a in timeline.assumptions]
        out.append("</ul>")
    out.append("<h2>Notifications</h2>")
    if not timeline.notices:
        out.append("<p>(none declared for these events)</p>")
    else:
        out.append(
            "<table><thead><tr><th>when</th><th>event</th><th>to</th><th>by</th>"
            "<th>template</th></tr></thead><tbody>"
        )
        for notice in timeline.notices:
            n = notice.notification
            out.append(
                f'<tr><td class="when">{escape(fmt_instant(notice.record.at))}</td>'
                f"<td>{escape(notice.record.kind.value)}</td>"
                f"<td>{escape(', '.join(r.value for r in n.to))}</td>"
                f"<td>{escape(', '.join(m.value for m in n.via))}</td>"
                f"<td>{escape(notice.template)}</td></tr>"
            )
        out.append("</tbody></table>")
    out += [
        f"<footer>Simulated by reglament on a virtual clock; times are local ({escape(case.timezone)}).</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(out) + "\n"
