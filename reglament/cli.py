"""The ``reglament`` command line: parses arguments, calls the public API, prints. No logic here.

Exit codes: 0 success, 1 an invalid definition (or a failed check), 2 a usage error.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import sys
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from reglament import limits
from reglament.errors import ReglamentError, UsageError
from reglament.loader import Library, Loaded, load_library
from reglament.renderers import describe, validation
from reglament.schemas import Event, Language, Medium, Recipient, Reglament
from reglament.schemas.expr import parse as parse_condition
from reglament.schemas.jsonschema import json_schema_text

if TYPE_CHECKING:
    from reglament import calendar as cal
    from reglament.engine import Engine
    from reglament.engine.simulate import Actual

# The engine, the calendar and the renderers of timelines and diagrams are imported by the
# commands that use them, so that `reglament validate` starts without them (holidays, numpy).

app = typer.Typer(
    name="reglament",
    help="Kazakhstan state-service reglaments: validate, simulate, render and audit them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

calendar_app = typer.Typer(
    help="The Kazakh working-day calendar: days off, transfers, office time, deadlines.",
    no_args_is_help=True,
)
app.add_typer(calendar_app, name="calendar")


def _fail(error: ReglamentError) -> None:
    for line in str(error).splitlines() or [""]:  # a DefinitionError: one line per problem
        typer.echo(f"error: {line}", err=True)
    raise typer.Exit(error.exit_code)


class TextOrJson(StrEnum):
    text = "text"
    json = "json"


PathsArgument = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Reglament files or folders (searched recursively). Default: the bundled library.",
        show_default=False,
    ),
]
FormatOption = Annotated[TextOrJson, typer.Option("--format", "-f", help="Output format.")]
RegionOption = Annotated[
    str | None, typer.Option("--region", "-r", help="Region, when the id exists in several.")
]
OnOption = Annotated[
    str | None,
    typer.Option("--on", help="Date YYYY-MM-DD: use the version in force on that day."),
]
SubmittedOption = Annotated[
    str | None,
    typer.Option(
        "--submitted",
        "-s",
        help="When the application is submitted, 'YYYY-MM-DD HH:MM' in the region's time "
        "(default: 10:00 on --on, else on the first day the version is in force).",
    ),
]
VariantOption = Annotated[
    str | None, typer.Option("--variant", "-v", help="Variant (sub-service).")
]
AnswerOption = Annotated[
    list[str] | None,
    typer.Option("--answer", "-a", help="STEP=OUTCOME for a decision or wait."),
]
DataOption = Annotated[
    list[str] | None, typer.Option("--data", "-d", help="FIELD=VALUE case data.")
]
LibraryPathOption = Annotated[
    list[Path] | None,
    typer.Option("--path", "-p", help="Look here instead of the bundled library."),
]


def _library(paths: list[Path] | None) -> Library:
    try:
        return load_library(paths or None)
    except ReglamentError as error:
        _fail(error)
        raise  # pragma: no cover - _fail always exits


@app.command()
def validate(paths: PathsArgument = None, output: FormatOption = TextOrJson.text) -> None:
    """Check reglament definitions: YAML, the format, references, the graph, effective periods.

    Every problem is printed as FILE:LINE:COLUMN: message. The notification templates each file
    uses are checked too (they exist in its languages and read only what the engine provides);
    an SMS longer than two segments is a warning (on stderr), not a failure. Exit 0 when all are
    valid, 1 when any is invalid, 2 for usage errors.

    Examples:

      reglament validate

      reglament validate my-reglaments/ --format json
    """
    library = _library(paths)
    if output is TextOrJson.json:
        typer.echo(validation.as_json(library))
    else:
        for warning in library.all_warnings():
            typer.echo(str(warning), err=True)
        typer.echo(validation.as_text(library))
    if not library.ok:
        raise typer.Exit(1)


@app.command("list")
def list_(paths: PathsArgument = None, output: FormatOption = TextOrJson.text) -> None:
    """List reglaments grouped by region and act, with their effective periods.

    Example: reglament list
    """
    library = _library(paths)
    typer.echo(
        describe.library_json(library)
        if output is TextOrJson.json
        else describe.library_list(library)
    )
    if not library.ok:
        typer.echo(f"warning: {validation.summary(library)} Run 'reglament validate'.", err=True)
        raise typer.Exit(1)


@app.command()
def show(
    reglament_id: Annotated[str, typer.Argument(metavar="ID", help="Reglament id or service.")],
    region: RegionOption = None,
    on: OnOption = None,
    paths: LibraryPathOption = None,
    output: FormatOption = TextOrJson.text,
) -> None:
    """Show one reglament: its act, period, channels, variants, terms and steps.

    Example: reglament show semey-compensation --region karaganda
    """
    library = _library(paths)
    try:
        loaded = library.find(reglament_id, region, _date(on) if on else None)
    except ReglamentError as error:
        _fail(error)
        return
    typer.echo(
        describe.reglament_json(loaded)
        if output is TextOrJson.json
        else describe.reglament_text(loaded)
    )


class TimelineFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"
    html = "html"
    gantt = "gantt"


def _terminal() -> bool:
    """Whether stdout is a terminal (one place, so tests can say it is)."""
    return sys.stdout.isatty()


def _colour(choice: bool | None) -> bool:
    """--color/--no-color, else colour only on a terminal and when NO_COLOR is unset or empty."""
    if choice is not None:
        return choice
    return _terminal() and not os.environ.get("NO_COLOR")


def _pairs(values: list[str] | None, option: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for value in values or []:
        key, sep, rest = value.partition("=")
        if not sep or not key or not rest:
            raise UsageError(f"{option} {value!r}: expected STEP=VALUE")
        found[key.strip()] = rest.strip()
    return found


def _actuals(values: list[str] | None) -> dict[str, Actual]:
    """--actual STEP=DURATION, each parsed by the engine; an error names the option and step."""
    from reglament.engine.simulate import parse_actual

    found = {}
    for step, text in _pairs(values, "--actual").items():
        try:
            found[step] = parse_actual(text)
        except UsageError as error:
            raise UsageError(f"--actual {step}: {error}") from None
    return found


def _typed(value: str, kind: str) -> object:
    if kind == "bool":
        if value.lower() not in ("true", "false"):
            raise UsageError(f"--data value {value!r} must be true or false")
        return value.lower() == "true"
    if kind == "int":
        try:
            return int(value)
        except ValueError:
            raise UsageError(f"--data value {value!r} must be a whole number") from None
    return value


def _submitted(
    text: str | None, on: dt.date | None, zone: zoneinfo.ZoneInfo, first: dt.date
) -> dt.datetime:
    if text is not None:
        try:
            value = dt.datetime.fromisoformat(text.strip().replace(" ", "T", 1))
        except ValueError:
            raise UsageError(f"--submitted {text!r}: expected 'YYYY-MM-DD HH:MM'") from None
        if not limits.FIRST_DAY <= value.date() <= limits.LAST_DAY:
            raise UsageError(f"--submitted {text!r} is outside the calendar's range {limits.RANGE}")
        return value if value.tzinfo is not None else value.replace(tzinfo=zone)
    day = on or first
    return dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=zone)


@dataclass(frozen=True, slots=True)
class _Choice:
    """The case a command runs: the version in force, submission instant, channel, variant."""

    loaded: Loaded
    reglament: Reglament
    day: dt.date
    at: dt.datetime
    channel: str
    variant: str | None
    data: dict[str, object]


def _choose(
    library: Library,
    reglament_id: str,
    region: str | None,
    on: str | None,
    submitted: str | None,
    channel: str | None,
    variant: str | None,
    data: list[str] | None,
) -> _Choice:
    """The version in force on --on (else the submission day, else the latest), and the case's
    submission, channel (default: the first with a procedure whose `when` the data satisfy),
    variant (default: the first
    the channel serves) and typed data."""
    day = _date(on) if on else None
    if submitted is not None and day is None:
        day = _submitted(
            submitted, None, zoneinfo.ZoneInfo("Asia/Almaty"), dt.date(2000, 1, 1)
        ).date()
    versions = library.versions(reglament_id, region)
    if not versions:
        library.find(reglament_id, region)  # raises the usage error naming the known ids
    chosen_day = day or max(v.reglament.effective.from_ for v in versions if v.reglament)
    loaded = library.find(reglament_id, region, chosen_day)
    reg = loaded.reglament
    assert reg is not None
    zone = zoneinfo.ZoneInfo(reg.timezone)
    at = _submitted(submitted, day, zone, reg.effective.from_)
    declared = reg.data
    case_data: dict[str, object] = {}
    for key, value in _pairs(data, "--data").items():
        if key not in declared:
            raise UsageError(
                f"unknown case data {key!r}; declared: {', '.join(declared) or 'none'}"
            )
        case_data[key] = _typed(value, declared[key].type.value)
    ways = [c for c, ch in reg.channels.items() if ch.start]
    open_ways = [c for c in ways if _admits(reg.channels[c].when, {**case_data, "channel": c})]
    chosen_channel = channel or next(iter([*open_ways, *ways, *reg.channels]))
    served = [
        v
        for v in reg.variants
        if chosen_channel not in reg.channels or reg.channels[chosen_channel].serves(v)
    ]
    chosen_variant = variant or (served[0] if served else next(iter(reg.variants), None))
    return _Choice(loaded, reg, chosen_day, at, chosen_channel, chosen_variant, case_data)


def _admits(when: str | None, scope: dict[str, object]) -> bool:
    return when is None or parse_condition(when)(scope)


@app.command()
def simulate(
    reglament_id: Annotated[str, typer.Argument(metavar="ID", help="Reglament id or service.")],
    region: RegionOption = None,
    on: OnOption = None,
    submitted: SubmittedOption = None,
    channel: Annotated[
        str | None,
        typer.Option("--channel", "-c", help="Channel (default: the first with a procedure)."),
    ] = None,
    variant: VariantOption = None,
    answer: AnswerOption = None,
    actual: Annotated[
        list[str] | None,
        typer.Option("--actual", help="STEP=DURATION actually taken: 45m, 2h, 3wd, 5cd."),
    ] = None,
    data: DataOption = None,
    paths: LibraryPathOption = None,
    output: Annotated[
        TimelineFormat,
        typer.Option(
            "--format",
            "-f",
            help="Output format: table, json (schema: reglament schema --timeline), markdown, "
            "html (a standalone page), gantt (a Mermaid Gantt chart with the days off).",
        ),
    ] = TimelineFormat.table,
    color: Annotated[
        bool | None,
        typer.Option(
            "--color/--no-color",
            help="Colour the table (late steps red, untimed yellow, the verdict green or red). "
            "Default: on a terminal unless NO_COLOR is set.",
            show_default=False,
        ),
    ] = None,
    cases: Annotated[
        int | None,
        typer.Option(
            "--cases",
            "-n",
            help=f"Simulate this many cases (1 to {limits.MAX_CASES:,}: a run needs about "
            f"{limits.BYTES_PER_CASE} bytes of memory per case) arriving over --from..--to and "
            "report the distribution of completion times.",
        ),
    ] = None,
    from_: Annotated[
        str | None, typer.Option("--from", help="With --cases: first day of arrivals, YYYY-MM-DD.")
    ] = None,
    to: Annotated[
        str | None,
        typer.Option("--to", help="With --cases: last day of arrivals (included), YYYY-MM-DD."),
    ] = None,
    probability: Annotated[
        list[str] | None,
        typer.Option(
            "--probability",
            "-P",
            help="With --cases: STEP=OUTCOME:P, e.g. decide=refuse:0.2 (repeatable); outcomes "
            "not given share the rest equally.",
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed",
            help="With --cases: random seed, 0 to 2**64-1 (same seed, same report).",
        ),
    ] = None,
) -> None:
    """Simulate one case end to end on a virtual clock and print its timeline; or, with
    --cases, many cases, and print the distribution of their completion times.

    Each step takes its full allowed time unless --actual says otherwise. The version in force
    on the submission date (with --cases: on --from) in the region is chosen, and said.

    Examples:

      reglament simulate semey-compensation --variant recognition --submitted "2015-12-14 17:45"

      reglament simulate semey-compensation -c con -v certificate -a con-check-data=missing

      reglament simulate child-benefit-under-18 -r atyrau -s "2012-12-28 17:40" -f html > case.html

      reglament simulate child-benefit-under-18 -r atyrau -s "2012-12-28 17:40" -f gantt

      reglament simulate semey-compensation -c con -v recognition --cases 100000
      --from 2015-11-01 --to 2016-04-30 -P con-check-data=missing:0.05 --seed 1
    """
    from reglament.engine import Engine
    from reglament.engine.simulate import simulate as simulate_case
    from reglament.renderers import diagrams, timeline, timeline_html

    many = (from_, to, probability, seed)
    if cases is None and any(x is not None for x in many):
        _fail(UsageError("--from, --to, --probability and --seed go with --cases N"))
    if cases is not None:
        if output in (TimelineFormat.html, TimelineFormat.gantt):
            _fail(
                UsageError(
                    f"--format {output} shows one case; with --cases use table, json or markdown"
                )
            )
        if from_ is None or to is None:
            _fail(UsageError("--cases needs the arrival period: --from DATE --to DATE"))
        if submitted is not None or answer or actual:
            _fail(
                UsageError(
                    "--submitted, --answer and --actual describe one case; with --cases use "
                    "--from/--to and --probability STEP=OUTCOME:1"
                )
            )
        on = on or from_
    library = _library(paths)
    try:
        chosen = _choose(library, reglament_id, region, on, submitted, channel, variant, data)
        loaded, reg, at = chosen.loaded, chosen.reglament, chosen.at
        chosen_day, chosen_channel, chosen_variant = chosen.day, chosen.channel, chosen.variant
        case_data = chosen.data
        actuals = _actuals(actual)
        engine = Engine(reg)
        if cases is not None:
            assert from_ is not None and to is not None
            _many(
                engine,
                f"{chosen_day.isoformat()} in {reg.region}; file {loaded.display}",
                cases,
                (_date(from_), _date(to)),
                chosen_channel,
                chosen_variant,
                case_data,
                probability or [],
                seed,
                output,
            )
            return
        result = simulate_case(
            engine,
            at,
            chosen_channel,
            chosen_variant,
            case_data,
            _pairs(answer, "--answer"),
            actuals,
        )
    except ReglamentError as error:
        _fail(error)
        return
    note = (
        f" (chosen as in force on {at.date().isoformat()} in {reg.region}; file {loaded.display})"
    )
    if chosen_variant and variant is None:
        note += f"; variant {chosen_variant} by default"
    if output is TimelineFormat.json:
        typer.echo(timeline.as_json(result, note))
    elif output is TimelineFormat.markdown:
        typer.echo(timeline.as_markdown(result, note), nl=False)
    elif output is TimelineFormat.html:
        typer.echo(timeline_html.as_html(result, note), nl=False)
    elif output is TimelineFormat.gantt:
        typer.echo(diagrams.mermaid_gantt(result, engine.compiled.calendar), nl=False)
    else:
        typer.echo(timeline.as_table(result, note, color=_colour(color)), color=_colour(color))


def _many(
    engine: Engine,
    where: str,
    cases: int,
    period: tuple[dt.date, dt.date],
    channel: str,
    variant: str | None,
    data: dict[str, object],
    probability: list[str],
    seed: int | None,
    output: TimelineFormat,
) -> None:
    # numpy comes in with the batch simulator: imported only when --cases asks for it.
    from reglament.engine import batch
    from reglament.renderers import batch as batch_report

    first, last = period
    for option, day in (("--from", first), ("--to", last)):
        if not limits.FIRST_DAY <= day <= limits.LAST_DAY:
            raise UsageError(f"{option} {day} is outside the calendar's range {limits.RANGE}")
    if last < first:
        raise UsageError(f"--to {last} is before --from {first}")
    zone = zoneinfo.ZoneInfo(engine.reglament.timezone)
    start = dt.datetime(first.year, first.month, first.day, tzinfo=zone)
    end = dt.datetime(last.year, last.month, last.day, tzinfo=zone) + dt.timedelta(days=1)
    given = [batch.parse_probability(p) for p in probability]
    note = f" (chosen as in force on {where}; used for every case)"
    if cases >= BAR_FROM and sys.stderr.isatty():
        with typer.progressbar(length=cases, label="simulating", file=sys.stderr) as bar:
            result = batch.simulate_many(
                engine, cases, start, end, channel, variant, data, given, seed, bar.update
            )
    else:
        result = batch.simulate_many(engine, cases, start, end, channel, variant, data, given, seed)
    report = result.report()
    if output is TimelineFormat.json:
        typer.echo(batch_report.as_json(report, note))
    elif output is TimelineFormat.markdown:
        typer.echo(batch_report.as_markdown(report, note), nl=False)
    else:
        typer.echo(batch_report.as_table(report, note))


BAR_FROM = 50_000  # cases from which a progress bar is shown (on a terminal, on stderr)


class MessageFormat(StrEnum):
    text = "text"
    json = "json"


@app.command()
def render(
    reglament_id: Annotated[str, typer.Argument(metavar="ID", help="Reglament id or service.")],
    event: Annotated[
        str,
        typer.Option(
            "--event",
            "-e",
            help="The event whose notifications to render: "
            + ", ".join(e.value for e in Event)
            + ".",
        ),
    ],
    lang: Annotated[
        Language | None,
        typer.Option("--lang", "-l", help="Language (default: the notification's first language)."),
    ] = None,
    medium: Annotated[
        Medium | None,
        typer.Option(
            "--channel",
            "-c",
            help="The medium of the message: sms, email, cabinet or letter (default: the "
            "notification's first). Not the channel of the application: that is --via.",
        ),
    ] = None,
    to: Annotated[
        Recipient | None,
        typer.Option("--to", help="Only the message to this recipient: applicant, actor, head."),
    ] = None,
    region: RegionOption = None,
    on: OnOption = None,
    submitted: SubmittedOption = None,
    via: Annotated[
        str | None,
        typer.Option(
            "--via",
            "--applied-via",
            help="The channel the application was made through: office, con, portal ... "
            "(default: the first with a procedure).",
        ),
    ] = None,
    variant: VariantOption = None,
    answer: AnswerOption = None,
    actual: Annotated[
        list[str] | None,
        typer.Option(
            "--actual",
            help="STEP=DURATION actually taken: 45m, 2h, 3wd, 5cd (a step taking longer than "
            "allowed raises step_overdue).",
        ),
    ] = None,
    data: DataOption = None,
    paths: LibraryPathOption = None,
    output: Annotated[
        MessageFormat, typer.Option("--format", "-f", help="Output format.")
    ] = MessageFormat.text,
) -> None:
    """Render the notifications an event sends on a simulated case: the case runs as
    `simulate` runs it (same options), a watcher records steps overdue and the term at risk,
    and each declared notification of EVENT is written out for each recipient.

    Texts the reglament lacks in the language are taken from another, with a note on stderr;
    so is the SMS size. Exit 0, 1 when a definition is invalid (validate's lines), 2 for usage
    errors (an event not declared, or not on the simulated path: the message lists those
    that are).

    Examples:

      reglament render semey-compensation --event accepted --lang kk --channel sms

      reglament render child-benefit-under-18 --region atyrau --event refused --lang ru
      --channel letter --answer review=refused

      reglament render semey-compensation --event step_overdue --lang en --channel cabinet
      --actual review=3wd
    """
    from reglament.engine import Engine
    from reglament.engine.simulate import simulate as simulate_case
    from reglament.engine.watch import watch
    from reglament.renderers import notifications

    library = _library(paths)
    try:
        try:
            wanted = Event(event)
        except ValueError:
            raise UsageError(
                f"unknown event {event!r}; events: {', '.join(e.value for e in Event)}"
            ) from None
        chosen = _choose(library, reglament_id, region, on, submitted, via, variant, data)
        reg = chosen.reglament
        declared = sorted({n.on.value for n in reg.notifications})
        if wanted.value not in declared:
            raise UsageError(
                f"{reg.id} declares no notification on {wanted.value}; "
                f"it declares: {', '.join(declared) or 'none'}"
            )
        problems = notifications.builtin_problems()  # the file's own: checked when loaded
        if problems:
            for problem in problems:
                typer.echo(str(problem), err=True)
            raise typer.Exit(1)
        engine = Engine(reg)
        actuals = _actuals(actual)
        result = simulate_case(
            engine,
            chosen.at,
            chosen.channel,
            chosen.variant,
            chosen.data,
            _pairs(answer, "--answer"),
            actuals,
        )
        case = watch(engine, result)
        notices = engine.notices(case.history, case.channel)
        found = [n for n in notices if n.notification.on is wanted]
        if not found:
            raise UsageError(
                _not_on_path(wanted, chosen, sorted({n.record.kind.value for n in notices}))
            )
        rendered = []
        for notice in found:
            n = notice.notification
            language = lang or notifications.languages_of(reg, n)[0]
            chosen_medium = medium or n.via[0]
            for recipient in n.to:
                if to is not None and recipient is not to:
                    continue
                message = notifications.render(
                    engine, case, notice, language, chosen_medium, recipient, timeline=result
                )
                rendered.append((notice, message))
        if not rendered:
            raise UsageError(
                f"no {wanted.value} notification goes to {to.value if to else ''}; "
                f"recipients: {', '.join(sorted({r.value for x in found for r in x.notification.to}))}"
            )
    except ReglamentError as error:
        _fail(error)
        return
    for notice, message in rendered:
        if message.medium not in notice.notification.via:
            declared_media = ", ".join(m.value for m in notice.notification.via)
            typer.echo(
                f"note: this notification is declared via {declared_media}; "
                f"rendered as {message.medium.value} on request",
                err=True,
            )
        for note in message.notes:
            typer.echo(f"note: {note}", err=True)
        if message.medium is Medium.sms:
            typer.echo(f"note: the SMS takes {message.sms_length}", err=True)
    if output is MessageFormat.json:
        typer.echo(notifications.as_json([m for _, m in rendered]))
        return
    many = len(rendered) > 1
    for index, (notice, message) in enumerate(rendered):
        if many:
            step = f", step {notice.record.step}" if notice.record.step else ""
            typer.echo(("\n" if index else "") + f"--- to {message.recipient.value}{step} ---")
        typer.echo(message.text)


def _not_on_path(event: Event, chosen: _Choice, occurring: list[str]) -> str:
    path = f"channel {chosen.channel}" + (f", variant {chosen.variant}" if chosen.variant else "")
    hint = ""
    if event is Event.step_overdue:
        hint = " (every step takes its allowed time: make one late with --actual STEP=DURATION)"
    elif event is Event.term_at_risk:
        hint = " (the case ends before the term comes at risk, or the act states no term)"
    elif event in (Event.suspended, Event.resumed):
        hint = " (a simulated case is never suspended)"
    else:
        hint = " (choose another path with --via, --variant, --answer or --data)"
    return (
        f"no {event.value} notification on this path ({path}){hint}; "
        f"notified on this path: {', '.join(occurring) or 'nothing'}"
    )


def _write(path: Path, data: str | bytes) -> None:
    """An --output file, written atomically (renderers/output.py); exit 2 when it cannot be."""
    from reglament.renderers.output import write_file

    try:
        write_file(path, data)
    except ReglamentError as error:
        _fail(error)


def _flow_svgs() -> Callable[[Reglament], str | None]:
    """Each reglament's flow as inline SVG drawn by Graphviz, for the HTML audit report; without
    Graphviz the pages go without a diagram and one warning says so."""
    from reglament.renderers import diagrams

    warned: list[bool] = []

    def draw(reglament: Reglament) -> str | None:
        try:
            svg = diagrams.graphviz(diagrams.dot(reglament), "svg").decode("utf-8")
        except diagrams.GraphvizMissing as error:
            if not warned:
                typer.echo(f"warning: diagrams left out of the report: {error}", err=True)
                warned.append(True)
            return None
        # inline in HTML5: no XML prolog, doctype or namespace declarations (nothing external)
        return re.sub(r'\sxmlns(:xlink)?="[^"]*"', "", svg[svg.index("<svg") :])

    return draw


class DiagramFormat(StrEnum):
    mermaid = "mermaid"
    dot = "dot"
    svg = "svg"
    png = "png"


@app.command()
def diagram(
    reglament_id: Annotated[str, typer.Argument(metavar="ID", help="Reglament id or service.")],
    region: RegionOption = None,
    on: OnOption = None,
    output_format: Annotated[
        DiagramFormat,
        typer.Option(
            "--format",
            "-f",
            help="mermaid (flowchart), dot (Graphviz), or svg/png drawn by Graphviz's dot program.",
        ),
    ] = DiagramFormat.mermaid,
    channel: Annotated[
        str | None,
        typer.Option("--channel", "-c", help="Only the steps reachable from this channel's start."),
    ] = None,
    language: Annotated[
        Language,
        typer.Option("--language", "-l", help="Language of actor and channel names, where given."),
    ] = Language.en,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
    paths: LibraryPathOption = None,
) -> None:
    """Draw a reglament's flow: actors as swimlanes, each step with its time, decisions with
    their outcomes, waits with their limit, routes with their conditions (dashed: routes the
    act only implies).

    SVG and PNG need Graphviz's 'dot' program on PATH (exit 2 with a message if it is missing).
    PNG goes to stdout only when stdout is not a terminal; otherwise use --output.

    Examples:

      reglament diagram semey-compensation

      reglament diagram child-benefit-under-18 -r atyrau --channel con -l ru -f svg -o cb.svg

      reglament diagram unemployed-registration -r zhambyl -f dot | dot -Tpdf > flow.pdf
    """
    from reglament.renderers import diagrams

    library = _library(paths)
    try:
        loaded = library.find(reglament_id, region, _date(on) if on else None)
        reg = loaded.reglament
        assert reg is not None
        if output_format is DiagramFormat.mermaid:
            data = diagrams.mermaid_flowchart(reg, channel, language).encode("utf-8")
        else:
            text = diagrams.dot(reg, channel, language)
            if output_format is DiagramFormat.dot:
                data = text.encode("utf-8")
            else:
                if output_format is DiagramFormat.png and output is None and _terminal():
                    raise UsageError(
                        "PNG is binary: write it with --output FILE or redirect stdout to a file"
                    )
                data = diagrams.graphviz(text, output_format.value)
    except ReglamentError as error:
        _fail(error)
        return
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    _write(output, data)


@app.command()
def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
    of_timeline: Annotated[
        bool,
        typer.Option(
            "--timeline", help="The schema of 'simulate --format json' instead of the format's."
        ),
    ] = False,
    of_case: Annotated[
        bool,
        typer.Option(
            "--case", help="The schema of a saved case (Case.to_dict()) instead of the format's."
        ),
    ] = False,
) -> None:
    """Print the JSON Schema of the reglament format (for editors and CI), with --timeline
    that of a simulated case's JSON, or with --case that of a saved case.

    Example: reglament schema -o reglament.schema.json
    """
    from reglament.schemas.case import case_schema_text
    from reglament.schemas.timeline import timeline_schema_text

    if of_timeline and of_case:
        _fail(UsageError("--timeline and --case are two schemas: give one of them"))
    if of_case:
        text = case_schema_text()
    else:
        text = timeline_schema_text() if of_timeline else json_schema_text()
    if output is None:
        typer.echo(text, nl=False)
        return
    _write(output, text)


# -- reglament audit ------------------------------------------------------------------------------


class AuditFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    html = "html"
    json = "json"
    sarif = "sarif"


class FailOn(StrEnum):
    error = "error"
    warning = "warning"
    note = "note"


@app.command()
def audit(
    paths: PathsArgument = None,
    output_format: Annotated[
        AuditFormat, typer.Option("--format", "-f", help="Report format.")
    ] = AuditFormat.text,
    fail_on: Annotated[
        FailOn,
        typer.Option("--fail-on", help="Exit 1 when a finding is at or above this severity."),
    ] = FailOn.error,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the report here (a folder for --format html, else a file).",
        ),
    ] = None,
) -> None:
    """Audit reglaments: term compliance on every channel and variant over every submission
    minute of the version's year, what the act leaves open or contradicts, and the validator's
    checks. Every finding has a stable code (docs/audit.md).

    Exit 0 when no finding is at or above --fail-on (default error), 1 when one is, 2 for a
    usage error.

    Examples:

      reglament audit

      reglament audit my-reglaments/ --format sarif -o audit.sarif --fail-on warning

      reglament audit --format html -o audit-report/
    """
    from reglament.audit import Severity, audit_library
    from reglament.renderers import audit as audit_report

    if output_format is AuditFormat.html and output is None:
        _fail(UsageError("--format html writes a folder: give it with --output DIR"))
    library = _library(paths)
    report = audit_library(library)
    if output_format is AuditFormat.html:
        from reglament.renderers import audit_html

        assert output is not None
        try:
            written = audit_html.write_report(report, output, _flow_svgs())
        except ReglamentError as error:
            _fail(error)
            return
        typer.echo(f"{audit_report.summary(report)} Report: {written[0]} ({len(written)} pages).")
    else:
        render = {
            AuditFormat.text: audit_report.as_text,
            AuditFormat.markdown: audit_report.as_markdown,
            AuditFormat.json: audit_report.as_json,
            AuditFormat.sarif: audit_report.as_sarif,
        }[output_format]
        text = render(report)
        if output is None:
            typer.echo(text)
        else:
            _write(output, text + "\n")
            typer.echo(audit_report.summary(report))
    if report.fails(Severity(fail_on.value)):
        raise typer.Exit(1)


class VersionsFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


VersionsFormatOption = Annotated[
    VersionsFormat, typer.Option("--format", "-f", help="Output format.")
]
LookInOption = Annotated[
    list[Path] | None,
    typer.Option("--path", "-p", help="Look here instead of the bundled library (repeatable)."),
]


@app.command("compare")
def compare_(
    service: Annotated[str, typer.Argument(metavar="SERVICE", help="A service (or an id).")],
    paths: LookInOption = None,
    output: VersionsFormatOption = VersionsFormat.text,
) -> None:
    """Set the versions of one service side by side, across regions and acts: channels, terms
    with the audit's worst case, the steps aligned by the actor's role, durations in the acts'
    units, actors.

    Examples:

      reglament compare wheelchairs

      reglament compare semey --format markdown
    """
    from reglament.audit.compare import compare as compare_versions
    from reglament.renderers import versions

    library = _library(paths)
    try:
        result = compare_versions(library, service)
    except ReglamentError as error:
        _fail(error)
        return
    render = {
        VersionsFormat.text: versions.compare_text,
        VersionsFormat.markdown: versions.compare_markdown,
        VersionsFormat.json: versions.compare_json,
    }[output]
    typer.echo(render(result))


@app.command("diff")
def diff_(
    old: Annotated[str, typer.Argument(metavar="OLD", help="A file, or ID@REGION@YYYY-MM-DD.")],
    new: Annotated[str, typer.Argument(metavar="NEW", help="A file, or ID@REGION@YYYY-MM-DD.")],
    cases: Annotated[
        Path | None,
        typer.Option(
            "--cases",
            help="A JSON list of saved cases (Case.to_dict()): which get other due instants "
            "under NEW, and by how much.",
        ),
    ] = None,
    paths: LookInOption = None,
    output: VersionsFormatOption = VersionsFormat.text,
) -> None:
    """What changed from OLD to NEW: steps added, removed, re-timed, re-routed, re-assigned;
    terms; channels; variants; actors; schedules; the period. With --cases, the cases in
    flight are replayed under both versions and those whose due instants move are listed.

    Examples:

      reglament diff wheelchairs@atyrau wheelchairs@karaganda

      reglament diff old.yaml new.yaml --cases in-flight.json --format markdown
    """
    from reglament.audit.diff import diff as diff_versions
    from reglament.audit.diff import read_cases, select
    from reglament.renderers import versions

    library = _library(paths)
    try:
        before, after = select(library, old), select(library, new)
        saved = read_cases(cases) if cases is not None else None
        result = diff_versions(before, after, saved)
    except ReglamentError as error:
        _fail(error)
        return
    render = {
        VersionsFormat.text: versions.diff_text,
        VersionsFormat.markdown: versions.diff_markdown,
        VersionsFormat.json: versions.diff_json,
    }[output]
    typer.echo(render(result))


# -- reglament calendar ---------------------------------------------------------------------------

OverridesOption = Annotated[
    list[Path] | None,
    typer.Option("--overrides", help="A user override file (YAML); may be repeated."),
]


def _calendar(overrides: list[Path] | None) -> cal.WorkCalendar:
    from reglament import calendar as cal

    return cal.WorkCalendar.kazakhstan(tuple(overrides or ()))


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"bad date {text!r}: expected YYYY-MM-DD") from None


def _instant(text: str, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """``YYYY-MM-DD`` (the start of that day) or ``YYYY-MM-DDTHH:MM[+05:00]`` in ``zone``."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"bad date/time {text!r}: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM"
        ) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def _schedule(text: str) -> cal.WeeklySchedule:
    from reglament import calendar as cal

    if text in cal.SCHEDULES:
        return cal.SCHEDULES[text]
    try:
        return cal.WeeklySchedule.parse(text)
    except ValueError as error:
        known = ", ".join(cal.SCHEDULES)
        raise UsageError(f"{error} (or use a named schedule: {known})") from None


def _zone(zone: str | None, region: str | None) -> zoneinfo.ZoneInfo:
    from reglament import calendar as cal

    if region:
        return cal.zone_for_region(region)
    try:
        return zoneinfo.ZoneInfo(zone or "Asia/Almaty")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"unknown time zone {zone!r}") from None


@calendar_app.command("month")
def calendar_month(
    month: Annotated[str, typer.Argument(help="YYYY-MM")],
    overrides: OverridesOption = None,
) -> None:
    """Print a month grid with days off marked (*) and why; + marks a worked weekend day.

    Example: reglament calendar month 2026-03
    """
    from reglament import calendar as cal

    try:
        year, mon = (int(x) for x in month.split("-"))
        first = dt.date(year, mon, 1)
    except ValueError:
        _fail(UsageError(f"bad month {month!r}: expected YYYY-MM"))
        return
    try:
        work = _calendar(overrides)
        typer.echo(cal.render_month(work, first.year, first.month))
    except ReglamentError as error:
        _fail(error)


@calendar_app.command("is-working")
def calendar_is_working(
    date: Annotated[str, typer.Argument(help="YYYY-MM-DD")],
    overrides: OverridesOption = None,
) -> None:
    """Say whether a date is a working day and why. Exit code 0 either way.

    Example: reglament calendar is-working 2024-05-04
    """
    try:
        typer.echo(str(_calendar(overrides).day_info(_date(date))))
    except ReglamentError as error:
        _fail(error)


@calendar_app.command("add", context_settings={"ignore_unknown_options": True})
def calendar_add(
    start: Annotated[str, typer.Argument(help="YYYY-MM-DD or YYYY-MM-DDTHH:MM[±HH:MM]")],
    n: Annotated[int, typer.Argument(help="How many units to add (0 or more).")],
    unit: Annotated[
        str, typer.Option(help="working_days, calendar_days, minutes or hours.")
    ] = "working_days",
    schedule: Annotated[
        str, typer.Option(help="A named schedule or a spec like 'mon-fri 09:00-18:00'.")
    ] = "standard",
    zone: Annotated[str | None, typer.Option(help="IANA zone (default Asia/Almaty).")] = None,
    region: Annotated[str | None, typer.Option(help="A region, e.g. Atyrau.")] = None,
    overrides: OverridesOption = None,
) -> None:
    """Compute a deadline and explain it. A date alone means the start of that day.

    Example: reglament calendar add 2025-03-03T18:15 30 --unit minutes
    """
    from reglament import calendar as cal

    try:
        tz = _zone(zone, region)
        clock = cal.Clock(_calendar(overrides), _schedule(schedule), tz)
        deadline = clock.add(_instant(start, tz), n, unit)
        typer.echo(deadline.due.isoformat())
        typer.echo(deadline.explanation)
    except ReglamentError as error:
        _fail(error)


@calendar_app.command("count")
def calendar_count(
    start: Annotated[str, typer.Argument(help="YYYY-MM-DD (included)")],
    end: Annotated[str, typer.Argument(help="YYYY-MM-DD (included)")],
    overrides: OverridesOption = None,
) -> None:
    """Count working days from START to END, both included (as production calendars count).

    Example: reglament calendar count 2025-01-01 2025-12-31
    """
    try:
        a, b = _date(start), _date(end)
        if b < a:
            raise UsageError(f"END {b} is before START {a}")
        count = _calendar(overrides).working_days_in(a, b)
        typer.echo(f"{count} working days from {a} to {b} (both included)")
    except ReglamentError as error:
        _fail(error)


@calendar_app.command("year")
def calendar_year(
    year: Annotated[int, typer.Argument(help="YYYY")],
    overrides: OverridesOption = None,
) -> None:
    """Working days per month and in total (five-day week), like the production calendar.

    Example: reglament calendar year 2025
    """
    from reglament import calendar as cal

    try:
        typer.echo(cal.render_year(_calendar(overrides), year))
    except ReglamentError as error:
        _fail(error)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point. A usage mistake typer finds itself (an unknown command or
    option, a value that is not a number, a missing argument) is one line on stderr and exit 2,
    as every other usage error is; a bare group (``reglament``, ``reglament calendar``) shows its
    help."""
    # Past the file-size limit (ulimit -f), a write raises EFBIG instead of SIGXFSZ killing the
    # process, so that --output can clean up and say so. CPython ignores it at start-up already;
    # this keeps it so when the interpreter is started without its signal handlers.
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        code = app(args=argv, prog_name="reglament", standalone_mode=False)
    except typer.exceptions.TyperException as error:
        sys.exit(_usage(error))
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except ReglamentError as error:  # pragma: no cover - commands catch their own
        typer.echo(f"error: {error}", err=True)
        sys.exit(error.exit_code)
    sys.exit(code if isinstance(code, int) else 0)


def _usage(error: typer.exceptions.TyperException) -> int:
    """One line for a mistake typer found; the group's help where nothing was asked."""
    context = getattr(error, "ctx", None)
    message = error.format_message()
    if not message and context is not None:  # a group called with no command: its help
        typer.echo(context.get_help())
        return error.exit_code
    where = f"{context.command_path}: " if context is not None else ""
    hint = f" (see '{context.command_path} --help')" if context is not None else ""
    typer.echo(f"error: {where}{' '.join(message.split())}{hint}", err=True)
    return error.exit_code
