"""The ``reglament`` command line: parses arguments, calls the public API, prints. No logic here.

Exit codes: 0 success, 1 an invalid definition (or a failed check), 2 a usage error; the case
store's (``db``, ``cases``, ``outbox``): 3 a conflict (a stale revision), 4 an impossible move, 5 a database
that cannot be reached or whose schema is too old or too new, 6 a calendar that is not the one the
store's cases are planned on (``cases reproject``). Every error goes through one place
(:func:`_report`): the commands only raise the package's own errors.

One vocabulary, the same in every command:

  ID            ID, ID@REGION or ID@REGION@YYYY-MM-DD; an id in several regions is refused
                until a region is given (--region or ID@REGION)
  --region -r   the region, case aside       --on       YYYY-MM-DD: the version in force then
  --channel -c  the channel applied through  --medium -m  the medium of a message
  --lang -l     a language                   --format -f  the output format (json for data)
  --output -o   a file instead of stdout     --path -p  definitions instead of the bundled ones

Old spellings (``--language``, ``render --via``/``--applied-via``, ``render --channel`` naming a
medium) still work for this release, with a note on stderr.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import signal
import sys
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer

from reglament import limits
from reglament.errors import Arg, ReglamentError, UsageError, unknown
from reglament.names import Event, Language, Medium, Recipient
from reglament.names import zone as schemas_zone

if TYPE_CHECKING:
    from reglament import calendar as cal
    from reglament import store
    from reglament.audit.report import AuditReport
    from reglament.engine import CaseChoice, Engine
    from reglament.engine.simulate import Actual, Timeline
    from reglament.loader import Chosen, Library
    from reglament.renderers.notices import Sent
    from reglament.schemas import Reglament
    from reglament.store.worker import Firing

# The loader (pydantic and the models), the engine, the calendar and the renderers are imported
# by the commands that use them: `reglament validate` starts without the engine and the calendar
# (holidays, numpy), `--help` and `calendar` without the models (pydantic). The options' choices
# come from reglament.names, which the models share.

HELP = {"help_option_names": ["-h", "--help"]}

app = typer.Typer(
    name="reglament",
    help="Kazakhstan state-service reglaments: validate, simulate, render and audit them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings=HELP,
)

calendar_app = typer.Typer(
    help="The Kazakh working-day calendar: days off, transfers, office time, deadlines.",
    no_args_is_help=True,
    context_settings=HELP,
)
app.add_typer(calendar_app, name="calendar")

P = ParamSpec("P")
R = TypeVar("R")


# The option that gives each argument the package's messages name (errors.Arg): the API says
# ``on=DATE``, the command line ``--on DATE``.
_OPTIONS = {
    "actuals": "--actual STEP=DURATION",
    "answers": "--answer",
    "cases": "--cases",
    "data": "--data",
    "on": "--on",
    "probabilities": "--probability",
    "region": "--region",
    "seed": "--seed",
    "variant": "--variant",
}


def _option(argument: Arg) -> str:
    option = _OPTIONS.get(argument.name, f"--{argument.name.replace('_', '-')}")
    return f"{option} {argument.value}" if argument.value else option


def _report(error: ReglamentError) -> int:
    """The one place an error is shown: each line of it on stderr after ``error:``, with the
    arguments it names worded as this command line's options; its exit code (1 an invalid
    definition, 2 a usage error)."""
    for line in error.worded(_option).splitlines() or [""]:
        typer.echo(f"error: {line}", err=True)
    return error.exit_code


def _command(
    group: typer.Typer, name: str | None = None, context_settings: dict[str, bool] | None = None
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Register a command whose errors all go through :func:`_report`."""

    def register(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return function(*args, **kwargs)
            except ReglamentError as error:
                raise typer.Exit(_report(error)) from None

        group.command(name, context_settings=context_settings)(run)
        return function

    return register


def _version(value: bool) -> None:
    if value:
        from importlib import metadata

        try:
            number = metadata.version("reglament")
        except metadata.PackageNotFoundError:  # run from a source tree that was never installed
            number = "(not installed)"
        typer.echo(f"reglament {number}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Kazakhstan state-service reglaments: validate, simulate, render and audit them."""


def _alias(new: R | None, old: R | None, new_name: str, old_name: str) -> R | None:
    """An option given by its old name: taken, with a note, for this release."""
    if old is None:
        return new
    if new is not None and new != old:
        raise UsageError(f"{new_name} and {old_name} are one option: give {new_name} only")
    typer.echo(
        f"note: {old_name} is now {new_name}; the old name goes in the next release", err=True
    )
    return old


# -- the vocabulary: one name, one meaning, in every command -------------------------------------


class TextOrJson(StrEnum):
    text = "text"
    json = "json"


class JsonOnly(StrEnum):
    json = "json"


ID_HELP = (
    "Reglament id or service: ID, ID@REGION or ID@REGION@YYYY-MM-DD. An id that exists in "
    "several regions is refused until one is chosen (--region or ID@REGION)."
)
IdArgument = Annotated[str, typer.Argument(metavar="ID", help=ID_HELP)]
PathsArgument = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Reglament files or folders (searched recursively). Default: the bundled library.",
        show_default=False,
    ),
]
FormatOption = Annotated[TextOrJson, typer.Option("--format", "-f", help="Output format.")]
JsonFormatOption = Annotated[
    JsonOnly, typer.Option("--format", "-f", help="Output format (a JSON Schema is JSON).")
]
RegionOption = Annotated[
    str | None,
    typer.Option("--region", "-r", help="Region (case aside), when the id exists in several."),
]
OnOption = Annotated[
    str | None, typer.Option("--on", help="YYYY-MM-DD: the version in force on that day.")
]
SubmittedOption = Annotated[
    str | None,
    typer.Option(
        "--submitted",
        "-s",
        help="When the application is submitted, 'YYYY-MM-DD HH:MM' in the region's time "
        "(default: 10:00 on --on, else on the first day of the latest version).",
    ),
]
ChannelOption = Annotated[
    str | None,
    typer.Option(
        "--channel",
        "-c",
        help="The channel applied through: office, con, portal ... (default: the first with a "
        "procedure that the case data may use).",
    ),
]
VariantOption = Annotated[
    str | None,
    typer.Option("--variant", "-v", help="Variant (default: the first the channel serves)."),
]
AnswerOption = Annotated[
    list[str] | None,
    typer.Option("--answer", "-a", help="STEP=OUTCOME for a decision or wait."),
]
DataOption = Annotated[
    list[str] | None,
    typer.Option("--data", "-d", help="FIELD=VALUE case data ('reglament show ID' lists them)."),
]
LibraryPathOption = Annotated[
    list[Path] | None,
    typer.Option("--path", "-p", help="Look here instead of the bundled library (repeatable)."),
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
]
LangOption = Annotated[
    Language | None,
    typer.Option("--lang", "-l", help="Language: kk, ru or en.", show_default=False),
]
LanguageAlias = Annotated[Language | None, typer.Option("--language", hidden=True)]


# engine.simulate.ACTUAL_UNITS, written out so that --help does not load the engine (a test
# holds the two equal)
ACTUAL_UNITS = "45m or 45 minutes, 2h or 2 hours, 3wd or 3 working days, 5cd or 5 calendar days"


def _actual_help(extra: str = "") -> str:
    return f"STEP=DURATION actually taken: {ACTUAL_UNITS}{extra}."


ActualOption = Annotated[list[str] | None, typer.Option("--actual", help=_actual_help())]


# -- reading the options --------------------------------------------------------------------------


def _day(text: str, name: str) -> dt.date:
    try:
        return limits.parse_day(text)
    except ValueError as error:
        raise UsageError(f"{name} {error}") from None


def _submitted(text: str) -> dt.datetime:
    try:
        value = limits.parse_instant(text)
    except ValueError as error:
        raise UsageError(f"--submitted {error}") from None
    if not limits.FIRST_DAY <= value.date() <= limits.LAST_DAY:
        raise UsageError(f"--submitted {text!r} is outside the calendar's range {limits.RANGE}")
    return value


def _pairs(values: list[str] | None, option: str, shape: str = "STEP=VALUE") -> dict[str, str]:
    found: dict[str, str] = {}
    for value in values or []:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip() or not rest.strip():
            raise UsageError(f"{option} {value!r}: expected {shape}")
        found[key.strip()] = rest.strip()
    return found


def _actuals(values: list[str] | None) -> dict[str, Actual]:
    """--actual STEP=DURATION, each parsed by the engine; an error names the option and step."""
    from reglament.engine.simulate import parse_actual

    found = {}
    for step, text in _pairs(values, "--actual", "STEP=DURATION").items():
        try:
            found[step] = parse_actual(text)
        except UsageError as error:
            raise UsageError(f"--actual {step}: {error}") from None
    return found


def _load(paths: list[Path] | None) -> Library:
    """The library at ``paths`` (default: the bundled one); the loader is imported here, by the
    commands that read definitions."""
    from reglament.loader import load_library

    return load_library(paths or None)


def _chosen(library: Library, ref: str, region: str | None, on: str | None) -> Chosen:
    """The version ``show`` and ``diagram`` work on; a note says so when it was one of several."""
    chosen = library.choose(ref, region, _day(on, "--on") if on else None)
    if chosen.on is None and chosen.versions > 1:
        typer.echo(f"note: chosen as {chosen.why}; another with --on DATE", err=True)
    return chosen


# -- validate, list, show -------------------------------------------------------------------------


@_command(app)
def validate(paths: PathsArgument = None, output: FormatOption = TextOrJson.text) -> None:
    """Check reglament definitions: YAML, the format, references, the graph, effective periods.

    Every problem is printed as FILE:LINE:COLUMN: message. The notification templates each file
    uses are checked too (they exist in its languages and read only what the engine provides);
    each template sent by SMS gets a note with its size at its longest (on stderr), and one
    longer than two segments is a warning (on stderr), not a failure. Exit 0 when all are
    valid, 1 when any is invalid, 2 for usage errors.

    Examples:

      reglament validate

      reglament validate my-reglaments/ --format json
    """
    from reglament.reports import validation

    library = _load(paths)
    if output is TextOrJson.json:
        typer.echo(validation.as_json(library))
    else:
        for line in validation.notes(library):
            typer.echo(line, err=True)
        typer.echo(validation.as_text(library))
    if not library.ok:
        raise typer.Exit(1)


@_command(app, "list")
def list_(paths: PathsArgument = None, output: FormatOption = TextOrJson.text) -> None:
    """List reglaments grouped by region and act, with their effective periods.

    Example: reglament list
    """
    from reglament.reports import describe, validation

    library = _load(paths)
    typer.echo(
        describe.library_json(library)
        if output is TextOrJson.json
        else describe.library_list(library)
    )
    if not library.ok:
        typer.echo(f"warning: {validation.summary(library)} Run 'reglament validate'.", err=True)
        raise typer.Exit(1)


@_command(app)
def show(
    reglament_id: IdArgument,
    region: RegionOption = None,
    on: OnOption = None,
    paths: LibraryPathOption = None,
    output: FormatOption = TextOrJson.text,
) -> None:
    """Show one reglament: its act, period, channels, variants, case data, terms and steps.

    Example: reglament show semey-compensation --region karaganda
    """
    from reglament.reports import describe

    chosen = _chosen(_load(paths), reglament_id, region, on)
    if output is TextOrJson.json:
        typer.echo(describe.reglament_json(chosen.loaded))
    else:
        typer.echo(describe.reglament_text(chosen.loaded))


# -- simulate and render: one case, set up once ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Asked:
    """What the options of ``simulate`` and ``render`` say about the case, as typed."""

    ref: str
    region: str | None
    on: str | None
    submitted: str | None
    channel: str | None
    variant: str | None
    data: list[str] | None
    answer: list[str] | None
    actual: list[str] | None
    paths: list[Path] | None
    outside_period: bool = False  # simulate --outside-period


@dataclass(frozen=True, slots=True)
class _Case:
    """The version chosen, its engine, and the case to run on it (the API's own choices)."""

    chosen: Chosen
    engine: Engine
    case: CaseChoice
    answers: dict[str, str]
    actuals: dict[str, Actual]
    outside_period: bool = False

    def note(self, extra: str = "") -> str:
        """Why this version, and what was chosen by default, as the header shows it."""
        parts = [f"chosen as {self.chosen.why}", f"file {self.chosen.loaded.display}"]
        if "variant" in self.case.defaulted and self.case.variant:
            parts.append(f"variant {self.case.variant} by default")
        return f" ({'; '.join([*parts, *([extra] if extra else [])])})"

    def timeline(self) -> Timeline:
        from reglament.engine.simulate import simulate as simulate_case

        c = self.case
        return simulate_case(
            self.engine,
            c.submitted_at,
            c.channel,
            c.variant,
            c.data,
            self.answers,
            self.actuals,
            outside_period=self.outside_period,
        )


def _version_of(asked: _Asked, first: dt.date | None = None) -> Chosen:
    """The version: in force on --on (or ID@REGION@DATE), else on the submission day (with
    --cases: on ``first``, --from), else the latest."""
    submitted = _submitted(asked.submitted) if asked.submitted else None
    library = _load(asked.paths)
    return library.choose(
        asked.ref,
        asked.region,
        _day(asked.on, "--on") if asked.on else None,
        default_on=submitted.date() if submitted else first,
    )


def _case(asked: _Asked, chosen: Chosen) -> _Case:
    """The case the options describe, completed by :func:`reglament.engine.choose_case`."""
    from reglament.engine import Engine, choose_case, parse_data

    engine = Engine(chosen.reglament)
    data = parse_data(chosen.reglament, _pairs(asked.data, "--data", "FIELD=VALUE"))
    case = choose_case(
        engine,
        on=chosen.on,
        submitted_at=_submitted(asked.submitted) if asked.submitted else None,
        channel=asked.channel,
        variant=asked.variant,
        data=data,
    )
    answers, actuals = _pairs(asked.answer, "--answer"), _actuals(asked.actual)
    return _Case(chosen, engine, case, answers, actuals, asked.outside_period)


class TimelineFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"
    html = "html"
    gantt = "gantt"


TimelineFormatOption = Annotated[
    TimelineFormat,
    typer.Option(
        "--format",
        "-f",
        help="table, json (schema: reglament schema --timeline), markdown, html (a standalone "
        "page), gantt (a Mermaid Gantt chart with the days off). With --cases: table, json or "
        "markdown.",
    ),
]
ColorOption = Annotated[
    bool | None,
    typer.Option(
        "--color/--no-color",
        help="Colour the table (late steps red, untimed yellow, the verdict green or red; late "
        "steps are marked [late] either way). Default: on a terminal unless NO_COLOR is set.",
        show_default=False,
    ),
]
CasesOption = Annotated[
    int | None,
    typer.Option(
        "--cases",
        "-n",
        help=f"Simulate this many cases (1 to {limits.MAX_CASES:,}: a run needs about "
        f"{limits.BYTES_PER_CASE} bytes of memory per case) arriving over --from..--to and "
        "report the distribution of completion times.",
    ),
]
FromOption = Annotated[
    str | None, typer.Option("--from", help="With --cases: first day of arrivals, YYYY-MM-DD.")
]
ToOption = Annotated[
    str | None,
    typer.Option("--to", help="With --cases: last day of arrivals (included), YYYY-MM-DD."),
]
ProbabilityOption = Annotated[
    list[str] | None,
    typer.Option(
        "--probability",
        "-P",
        help="With --cases: STEP=OUTCOME:P, e.g. decide=refuse:0.2 (repeatable); outcomes "
        "not given share the rest equally.",
    ),
]
SeedOption = Annotated[
    int | None,
    typer.Option(
        "--seed", help="With --cases: random seed, 0 to 2**64-1 (same seed, same report)."
    ),
]
OutsidePeriodOption = Annotated[
    bool,
    typer.Option(
        "--outside-period",
        help="Run a case (or --cases arriving) outside the version's effective period under "
        "this version anyway (refused without it).",
    ),
]


def _terminal() -> bool:
    """Whether stdout is a terminal (one place, so tests can say it is)."""
    return sys.stdout.isatty()


def _colour(choice: bool | None) -> bool:
    """--color/--no-color, else colour only on a terminal and when NO_COLOR is unset or empty."""
    if choice is not None:
        return choice
    return _terminal() and not os.environ.get("NO_COLOR")


@_command(app)
def simulate(
    reglament_id: IdArgument,
    region: RegionOption = None,
    on: OnOption = None,
    submitted: SubmittedOption = None,
    channel: ChannelOption = None,
    variant: VariantOption = None,
    answer: AnswerOption = None,
    actual: ActualOption = None,
    data: DataOption = None,
    paths: LibraryPathOption = None,
    output: TimelineFormatOption = TimelineFormat.table,
    color: ColorOption = None,
    cases: CasesOption = None,
    from_: FromOption = None,
    to: ToOption = None,
    probability: ProbabilityOption = None,
    seed: SeedOption = None,
    outside_period: OutsidePeriodOption = False,
) -> None:
    """Simulate one case end to end on a virtual clock and print its timeline; or, with
    --cases, many cases, and print the distribution of their completion times.

    Each step takes its full allowed time unless --actual says otherwise. The version in force
    on the submission day (with --cases: on --from) in the region is chosen, and the header says
    why; so are the defaults taken.

    Examples:

      reglament simulate semey-compensation --variant recognition --submitted "2015-12-14 17:45"

      reglament simulate semey-compensation -c con -v certificate -a con-check-data=missing

      reglament simulate child-benefit-under-18@atyrau -s "2012-12-28 17:40" -f html > case.html

      reglament simulate semey-compensation -c con -v recognition --cases 100000
      --from 2015-11-01 --to 2016-04-30 -P con-check-data=missing:0.05 --seed 1
    """
    asked = _Asked(
        reglament_id,
        region,
        on,
        submitted,
        channel,
        variant,
        data,
        answer,
        actual,
        paths,
        outside_period,
    )
    many = _Many(cases, from_, to, probability, seed)
    if many.asked():
        _simulate_many(asked, many, output)
        return
    run = _case(asked, _version_of(asked))
    _print_timeline(run, run.timeline(), output, _colour(color))


def _print_timeline(run: _Case, result: Timeline, output: TimelineFormat, colour: bool) -> None:
    from reglament.renderers import diagrams, timeline, timeline_html

    note = run.note()
    if output is TimelineFormat.json:
        typer.echo(timeline.as_json(result, note))
    elif output is TimelineFormat.markdown:
        typer.echo(timeline.as_markdown(result, note), nl=False)
    elif output is TimelineFormat.html:
        typer.echo(timeline_html.as_html(result, note), nl=False)
    elif output is TimelineFormat.gantt:
        typer.echo(diagrams.mermaid_gantt(result, run.engine.compiled.calendar), nl=False)
    else:
        typer.echo(timeline.as_table(result, note, color=colour), color=colour)


@dataclass(frozen=True, slots=True)
class _Many:
    """The options of ``simulate --cases``."""

    cases: int | None
    from_: str | None
    to: str | None
    probability: list[str] | None
    seed: int | None

    def asked(self) -> bool:
        given = (self.cases, self.from_, self.to, self.probability, self.seed)
        return any(x is not None for x in given)

    def period(self) -> tuple[dt.date, dt.date]:
        if self.from_ is None or self.to is None:
            raise UsageError("--cases needs the arrival period: --from DATE --to DATE")
        first, last = _day(self.from_, "--from"), _day(self.to, "--to")
        for option, day in (("--from", first), ("--to", last)):
            if not limits.FIRST_DAY <= day <= limits.LAST_DAY:
                raise UsageError(f"{option} {day} is outside the calendar's range {limits.RANGE}")
        if last < first:
            raise UsageError(f"--to {last} is before --from {first}")
        return first, last


BAR_FROM = 50_000  # cases from which a progress bar is shown (on a terminal, on stderr)


def _simulate_many(asked: _Asked, many: _Many, output: TimelineFormat) -> None:
    # numpy comes in with the batch simulator: imported only when --cases asks for it.
    from reglament.engine import batch
    from reglament.renderers import batch as batch_report

    if many.cases is None:
        raise UsageError("--from, --to, --probability and --seed go with --cases N")
    if output in (TimelineFormat.html, TimelineFormat.gantt):
        raise UsageError(
            f"--format {output} shows one case; with --cases use table, json or markdown"
        )
    if asked.submitted is not None or asked.answer or asked.actual:
        raise UsageError(
            "--submitted, --answer and --actual describe one case; with --cases use "
            "--from/--to and --probability STEP=OUTCOME:1"
        )
    from reglament.engine import arrivals

    first, last = many.period()
    run = _case(asked, _version_of(asked, first))
    start, end = arrivals(run.engine, first, last)
    given = [batch.parse_probability(p) for p in many.probability or []]
    c = run.case
    arguments = (run.engine, many.cases, start, end, c.channel, c.variant, c.data, given, many.seed)
    outside = asked.outside_period
    if many.cases >= BAR_FROM and sys.stderr.isatty():
        with typer.progressbar(length=many.cases, label="simulating", file=sys.stderr) as bar:
            result = batch.simulate_many(*arguments, bar.update, outside_period=outside)
    else:
        result = batch.simulate_many(*arguments, outside_period=outside)
    report, note = result.report(), run.note("used for every case")
    if output is TimelineFormat.json:
        typer.echo(batch_report.as_json(report, note))
    elif output is TimelineFormat.markdown:
        typer.echo(batch_report.as_markdown(report, note), nl=False)
    else:
        typer.echo(batch_report.as_table(report, note))


class MessageFormat(StrEnum):
    text = "text"
    json = "json"


EventOption = Annotated[
    str,
    typer.Option(
        "--event",
        "-e",
        help="The event whose notifications to render: " + ", ".join(e.value for e in Event) + ".",
        show_default=False,
    ),
]
MediumOption = Annotated[
    Medium | None,
    typer.Option(
        "--medium",
        "-m",
        help="The medium of the message: sms, email, cabinet or letter (default: the "
        "notification's first).",
        show_default=False,
    ),
]
RecipientOption = Annotated[
    Recipient | None,
    typer.Option("--to", help="Only the message to this recipient: applicant, actor, head."),
]
ReceiptOption = Annotated[
    str | None,
    typer.Option(
        "--receipt",
        help="The application number to write (default: one derived from the case, e.g. "
        "KAR-20151214-6A17D6).",
    ),
]
ViaAlias = Annotated[str | None, typer.Option("--via", "--applied-via", hidden=True)]
RenderActualOption = Annotated[
    list[str] | None,
    typer.Option("--actual", help=_actual_help(" (longer than allowed: step_overdue)")),
]


@_command(app)
def render(
    reglament_id: IdArgument,
    event: EventOption,
    lang: LangOption = None,
    medium: MediumOption = None,
    to: RecipientOption = None,
    receipt: ReceiptOption = None,
    region: RegionOption = None,
    on: OnOption = None,
    submitted: SubmittedOption = None,
    channel: ChannelOption = None,
    variant: VariantOption = None,
    answer: AnswerOption = None,
    actual: RenderActualOption = None,
    data: DataOption = None,
    paths: LibraryPathOption = None,
    output: Annotated[
        MessageFormat, typer.Option("--format", "-f", help="Output format.")
    ] = MessageFormat.text,
    language: LanguageAlias = None,
    via: ViaAlias = None,
) -> None:
    """Render the notifications an event sends on a simulated case: the case runs as
    `simulate` runs it (same options), a watcher records steps overdue and the term at risk,
    and each declared notification of EVENT is written out for each recipient.

    Texts the reglament lacks in the language are taken from another, with a note on stderr;
    so is the SMS size. Exit 0, 1 when a definition is invalid (validate's lines), 2 for usage
    errors (an event not declared, or not on the simulated path: the message lists those
    that are).

    Examples:

      reglament render semey-compensation --event accepted --lang kk --medium sms

      reglament render child-benefit-under-18@atyrau --event refused --lang ru --medium letter
      --answer review=refused

      reglament render semey-compensation --event step_overdue --medium cabinet
      --actual review=3wd --receipt KAR-0001
    """
    wanted = _event(event)
    channel = _alias(channel, via, "--channel", "--via")
    asked = _Asked(
        reglament_id, region, on, submitted, channel, variant, data, answer, actual, paths
    )
    chosen = _version_of(asked)
    asked, medium = _old_medium(asked, medium, chosen.reglament)
    run = _case(asked, chosen)
    sent = _event_messages(
        run, wanted, _alias(lang, language, "--lang", "--language"), medium, to, _receipt(receipt)
    )
    _print_messages(sent, output)


def _event(text: str) -> Event:
    try:
        return Event(text)
    except ValueError:
        raise unknown("event", text, [e.value for e in Event]) from None


def _receipt(text: str | None) -> str | None:
    if text is not None and not re.fullmatch(r"[\w./-]{1,40}", text):
        raise UsageError(
            f"--receipt {text[:60]!r}: an application number is 1 to 40 letters, digits, "
            "'-', '/', '.' or '_'"
        )
    return text


def _old_medium(
    asked: _Asked, medium: Medium | None, reglament: Reglament
) -> tuple[_Asked, Medium | None]:
    """``render --channel sms`` meant the medium before --medium: taken so for this release
    when the word is a medium and no channel of the reglament."""
    word = asked.channel
    if word is None or word in reglament.channels or word not in set(Medium):
        return asked, medium
    if medium is not None:
        raise UsageError(
            f"--channel {word}: {word} is a medium, given with --medium; --channel is the "
            f"channel applied through: {', '.join(reglament.channels)}"
        )
    typer.echo(
        f"note: --channel {word} is taken as --medium {word} (the medium is now --medium, "
        "--channel the channel applied through); the old meaning goes in the next release",
        err=True,
    )
    return replace(asked, channel=None), Medium(word)


def _event_messages(
    run: _Case,
    event: Event,
    lang: Language | None,
    medium: Medium | None,
    to: Recipient | None,
    receipt: str | None,
) -> list[Sent]:
    from reglament.renderers.notices import event_messages

    return event_messages(
        run.engine,
        run.timeline(),
        event,
        language=lang,
        medium=medium,
        recipient=to,
        receipt=receipt,
    )


def _print_messages(sent: list[Sent], output: MessageFormat) -> None:
    from reglament.renderers import notifications

    for one in sent:
        for note in one.notes:
            typer.echo(f"note: {note}", err=True)
    if output is MessageFormat.json:
        typer.echo(notifications.as_json([one.message for one in sent]))
        return
    for index, one in enumerate(sent):
        if len(sent) > 1:
            step = f", step {one.notice.record.step}" if one.notice.record.step else ""
            typer.echo(("\n" if index else "") + f"--- to {one.message.recipient.value}{step} ---")
        typer.echo(one.message.text)


# -- diagram and schema ---------------------------------------------------------------------------


def _write(path: Path, data: str | bytes) -> None:
    """An --output file, written atomically (renderers/output.py); exit 2 when it cannot be."""
    from reglament.renderers.output import write_file

    write_file(path, data)


def _emit(data: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        _write(output, data)


class DiagramFormat(StrEnum):
    mermaid = "mermaid"
    dot = "dot"
    svg = "svg"
    png = "png"
    bpmn = "bpmn"


DiagramFormatOption = Annotated[
    DiagramFormat,
    typer.Option(
        "--format",
        "-f",
        help="mermaid (flowchart), dot (Graphviz), svg/png drawn by Graphviz's dot program, or "
        "bpmn (BPMN 2.0 XML for bpmn.io and Camunda Modeler, laid out by dot; docs/bpmn.md).",
    ),
]


@_command(app)
def diagram(
    reglament_id: IdArgument,
    region: RegionOption = None,
    on: OnOption = None,
    output_format: DiagramFormatOption = DiagramFormat.mermaid,
    channel: Annotated[
        str | None,
        typer.Option("--channel", "-c", help="Only the steps reachable from this channel's start."),
    ] = None,
    lang: Annotated[
        Language | None,
        typer.Option(
            "--lang", "-l", help="Language of actor and channel names, where given (default en)."
        ),
    ] = None,
    output: OutputOption = None,
    paths: LibraryPathOption = None,
    language: LanguageAlias = None,
) -> None:
    """Draw a reglament's flow: actors as swimlanes, each step with its time, decisions with
    their outcomes, waits with their limit, routes with their conditions (dashed: routes the
    act only implies).

    SVG, PNG and BPMN need Graphviz's 'dot' program on PATH (exit 2 with a message if it is
    missing). PNG goes to stdout only when stdout is not a terminal; otherwise use --output.

    Examples:

      reglament diagram semey-compensation

      reglament diagram child-benefit-under-18 -r atyrau --channel con -l ru -f svg -o cb.svg

      reglament diagram unemployed-registration@zhambyl -f dot | dot -Tpdf > flow.pdf

      reglament diagram semey-compensation -f bpmn -o semey.bpmn
    """
    from reglament.renderers import diagrams

    chosen = _chosen(_load(paths), reglament_id, region, on)
    words = _alias(lang, language, "--lang", "--language") or Language.en
    if output_format is DiagramFormat.png and output is None and _terminal():
        raise UsageError("PNG is binary: write it with --output FILE or redirect stdout to a file")
    _emit(diagrams.draw(chosen.reglament, output_format.value, channel, words), output)


@_command(app, "import-bpmn")
def import_bpmn(
    file: Annotated[Path, typer.Argument(metavar="FILE.bpmn", help="A BPMN 2.0 XML file.")],
    reglament_id: Annotated[str, typer.Option("--id", help="The new reglament's id.")],
    region: Annotated[str, typer.Option("--region", "-r", help="Its region's id.")],
    lang: Annotated[
        Language | None,
        typer.Option(
            "--lang", "-l", help="Language of the drawn names (default: by their letters)."
        ),
    ] = None,
    output: OutputOption = None,
) -> None:
    """Make a reglament skeleton from a process drawn in a BPMN modeler (or exported by
    'diagram --format bpmn'): lanes become actors, tasks steps, gateways decisions, timers
    waits. The places the act must fill (the act, the provider, results, each step's time)
    are written as null with a TO FILL comment; 'reglament validate' lists each.

    What cannot be mapped (message flows, sub-processes, signal events ...) is listed on
    stderr as FILE:LINE:COLUMN: message, and the skeleton is still written. Exit 0 when
    everything was mapped, 1 when something was left out (the skeleton written) or the file
    cannot be imported (not XML, not BPMN, a DOCTYPE, a reference to a missing element:
    nothing written), 2 for usage errors. Details: docs/bpmn.md.

    Examples:

      reglament import-bpmn drawn.bpmn --id my-service --region karaganda -o my-service.yaml
    """
    from reglament.loader import bpmn

    skeleton = bpmn.import_bpmn(file, reglament_id, region, lang.value if lang else None)
    _emit(bpmn.text(skeleton, str(file)).encode("utf-8"), output)
    for problem in skeleton.left_out:
        typer.echo(str(problem), err=True)
    where = str(output) if output is not None else "stdout"
    lost = f"; {len(skeleton.left_out)} element(s) not imported" if skeleton.left_out else ""
    typer.echo(
        f"{file}: skeleton written to {where}: {skeleton.fills()} place(s) to fill{lost}",
        err=True,
    )
    if skeleton.left_out:
        raise typer.Exit(1)


@_command(app)
def schema(
    output: OutputOption = None,
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
    output_format: JsonFormatOption = JsonOnly.json,
) -> None:
    """Print the JSON Schema of the reglament format (for editors and CI), with --timeline
    that of a simulated case's JSON, or with --case that of a saved case.

    Example: reglament schema -o reglament.schema.json
    """
    from reglament.schemas.case import case_schema_text
    from reglament.schemas.jsonschema import json_schema_text
    from reglament.schemas.timeline import timeline_schema_text

    if of_timeline and of_case:
        raise UsageError("--timeline and --case are two schemas: give one of them")
    if of_case:
        text = case_schema_text()
    else:
        text = timeline_schema_text() if of_timeline else json_schema_text()
    if output is None:
        typer.echo(text, nl=False)
        return
    _write(output, text)


# -- reglament audit, compare, diff ---------------------------------------------------------------


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


@_command(app)
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
    from reglament.reports import audit as audit_report

    if output_format is AuditFormat.html and output is None:
        raise UsageError("--format html writes a folder: give it with --output DIR")
    _roomy_heap()
    report = audit_library(_load(paths))
    if output_format is AuditFormat.html:
        _audit_html(report, output)
    else:
        render = {
            AuditFormat.text: audit_report.as_text,
            AuditFormat.markdown: audit_report.as_markdown,
            AuditFormat.json: audit_report.as_json,
            AuditFormat.sarif: audit_report.as_sarif,
        }[output_format]
        if output is None:
            typer.echo(render(report))
        else:
            _write(output, render(report) + "\n")
            typer.echo(audit_report.summary(report))
    if report.fails(Severity(fail_on.value)):
        raise typer.Exit(1)


TOP_PAD = 64 * 1024 * 1024  # bytes of slack glibc keeps at the top of the heap in `audit`


def _roomy_heap() -> bool:
    """Let the C heap keep free memory for this process (glibc: ``M_TOP_PAD``); whether it
    could. The term check allocates and frees numpy arrays of some 60,000 instants thousands of
    times; by default glibc gives the top of the heap back to the kernel each time and takes it
    again a page fault per 4 KiB (about 285,000 faults, 0.4 s of system time for the bundled
    library). Elsewhere than glibc, nothing is changed."""
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (AttributeError, OSError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(-2, TOP_PAD))  # M_TOP_PAD in malloc.h


def _audit_html(report: AuditReport, output: Path | None) -> None:
    from reglament.renderers import diagrams
    from reglament.reports import audit as audit_report
    from reglament.reports import audit_html

    assert output is not None  # audit refuses --format html without it
    flows = diagrams.inline_svgs(lambda why: typer.echo(f"warning: {why}", err=True))
    written = audit_html.write_report(report, output, flows)
    typer.echo(f"{audit_report.summary(report)} Report: {written[0]} ({len(written)} pages).")


class VersionsFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


VersionsFormatOption = Annotated[
    VersionsFormat, typer.Option("--format", "-f", help="Output format.")
]


@_command(app, "compare")
def compare_(
    service: Annotated[
        str,
        typer.Argument(metavar="SERVICE", help="A service or an id, or ID@REGION (one region)."),
    ],
    region: Annotated[
        str | None, typer.Option("--region", "-r", help="Only the versions of this region.")
    ] = None,
    paths: LibraryPathOption = None,
    output: VersionsFormatOption = VersionsFormat.text,
) -> None:
    """Set the versions of one service side by side, across regions and acts (or over time in
    one region): channels, terms with the audit's worst case, the steps aligned by the actor's
    role, durations in the acts' units, actors.

    Examples:

      reglament compare wheelchairs

      reglament compare semey --format markdown
    """
    from reglament.audit.compare import compare as compare_versions
    from reglament.reports import versions

    result = compare_versions(_load(paths), service, region)
    render = {
        VersionsFormat.text: versions.compare_text,
        VersionsFormat.markdown: versions.compare_markdown,
        VersionsFormat.json: versions.compare_json,
    }[output]
    typer.echo(render(result))


@_command(app, "diff")
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
    region: Annotated[
        str | None,
        typer.Option("--region", "-r", help="The region of an OLD or NEW id given without one."),
    ] = None,
    paths: LibraryPathOption = None,
    output: VersionsFormatOption = VersionsFormat.text,
) -> None:
    """What changed from OLD to NEW: steps added, removed, re-timed, re-routed, re-assigned;
    terms; channels; variants; actors; schedules; the period. With --cases, the cases in
    flight are replayed under both versions and those whose due instants move are listed.

    An id without a date is its region's latest version; one in several regions is refused
    until a region is given.

    Examples:

      reglament diff wheelchairs@atyrau wheelchairs@karaganda

      reglament diff old.yaml new.yaml --cases in-flight.json --format markdown
    """
    from reglament.audit.diff import diff as diff_versions
    from reglament.audit.diff import read_cases, select
    from reglament.reports import versions

    library = _load(paths)
    before, after = select(library, old, region), select(library, new, region)
    saved = read_cases(cases) if cases is not None else None
    render = {
        VersionsFormat.text: versions.diff_text,
        VersionsFormat.markdown: versions.diff_markdown,
        VersionsFormat.json: versions.diff_json,
    }[output]
    typer.echo(render(diff_versions(before, after, saved)))


# -- reglament calendar ---------------------------------------------------------------------------

OverridesOption = Annotated[
    list[Path] | None,
    typer.Option("--overrides", help="A user override file (YAML); may be repeated."),
]


def _calendar(overrides: list[Path] | None) -> cal.WorkCalendar:
    from reglament import calendar as cal

    return cal.WorkCalendar.kazakhstan(tuple(overrides or ()))


def _month(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if match is None:
        raise UsageError(f"bad month {text!r}: expected YYYY-MM")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise UsageError(f"bad month {text!r}: there is no month {month}")
    return year, month


def _instant(text: str, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """``YYYY-MM-DD`` (the start of that day) or ``YYYY-MM-DDTHH:MM[+05:00]`` in ``zone``."""
    try:
        value = limits.parse_instant(text)
    except ValueError as error:
        raise UsageError(f"START {error}") from None
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
        return schemas_zone(zone or "Asia/Almaty")
    except ValueError:  # a folder of the zone database ('Asia') or too long a name included
        raise UsageError(f"unknown time zone {zone!r}") from None


@_command(calendar_app, "month")
def calendar_month(
    month: Annotated[str, typer.Argument(help="YYYY-MM")],
    overrides: OverridesOption = None,
    output: FormatOption = TextOrJson.text,
) -> None:
    """Print a month grid with days off marked (*) and why; + marks a worked weekend day.

    Example: reglament calendar month 2026-03
    """
    from reglament import calendar as cal

    year, number = _month(month)
    work = _calendar(overrides)
    if output is TextOrJson.json:
        typer.echo(cal.month_json(work, year, number))
    else:
        typer.echo(cal.render_month(work, year, number))


@_command(calendar_app, "is-working")
def calendar_is_working(
    date: Annotated[str, typer.Argument(metavar="DATE", help="YYYY-MM-DD")],
    overrides: OverridesOption = None,
    output: FormatOption = TextOrJson.text,
) -> None:
    """Say whether a date is a working day and why. Exit code 0 either way.

    Example: reglament calendar is-working 2024-05-04
    """
    from reglament import calendar as cal

    info = _calendar(overrides).day_info(_day(date, "DATE"))
    typer.echo(cal.day_json(info) if output is TextOrJson.json else str(info))


@_command(calendar_app, "add", context_settings={"ignore_unknown_options": True})
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
    region: Annotated[
        str | None, typer.Option("--region", "-r", help="A region, e.g. Atyrau (case aside).")
    ] = None,
    overrides: OverridesOption = None,
    output: FormatOption = TextOrJson.text,
) -> None:
    """Compute a deadline and explain it. A date alone means the start of that day.

    Example: reglament calendar add 2025-03-03T18:15 30 --unit minutes
    """
    from reglament import calendar as cal

    tz = _zone(zone, region)
    clock = cal.Clock(_calendar(overrides), _schedule(schedule), tz)
    deadline = clock.add(_instant(start, tz), n, unit)
    if output is TextOrJson.json:
        typer.echo(cal.deadline_json(deadline))
    else:
        typer.echo(f"{deadline.due.isoformat()}\n{deadline.explanation}")


@_command(calendar_app, "count")
def calendar_count(
    start: Annotated[str, typer.Argument(metavar="START", help="YYYY-MM-DD (included)")],
    end: Annotated[str, typer.Argument(metavar="END", help="YYYY-MM-DD (included)")],
    overrides: OverridesOption = None,
    output: FormatOption = TextOrJson.text,
) -> None:
    """Count working days from START to END, both included (as production calendars count).

    Example: reglament calendar count 2025-01-01 2025-12-31
    """
    from reglament import calendar as cal

    a, b = _day(start, "START"), _day(end, "END")
    if b < a:
        raise UsageError(f"END {b} is before START {a}")
    count = _calendar(overrides).working_days_in(a, b)
    if output is TextOrJson.json:
        typer.echo(cal.count_json(a, b, count))
    else:
        typer.echo(f"{count} working days from {a} to {b} (both included)")


@_command(calendar_app, "year")
def calendar_year(
    year: Annotated[int, typer.Argument(help="YYYY")],
    overrides: OverridesOption = None,
    output: FormatOption = TextOrJson.text,
) -> None:
    """Working days per month and in total (five-day week), like the production calendar.

    Example: reglament calendar year 2025
    """
    from reglament import calendar as cal

    work = _calendar(overrides)
    if output is TextOrJson.json:
        typer.echo(cal.year_json(work, year))
    else:
        typer.echo(cal.render_year(work, year))


# -- the case store: reglament db, reglament cases ----------------------------------------------

db_app = typer.Typer(
    help="The case store's database: reglament db upgrade.",
    no_args_is_help=True,
    context_settings=HELP,
)
app.add_typer(db_app, name="db")
cases_app = typer.Typer(
    help="Cases kept in the store with their full history: start, complete, suspend, resume, "
    "data, show, list, audit, migrate (docs/runtime.md).",
    no_args_is_help=True,
    context_settings=HELP,
)
app.add_typer(cases_app, name="cases")

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="The store's database: sqlite:///PATH or postgresql://... (default: REGLAMENT_DB, "
        "else $XDG_DATA_HOME/reglament/cases.db).",
        show_default=False,
    ),
]
CaseArgument = Annotated[str, typer.Argument(metavar="CASE", help="A case id or receipt number.")]
AtOption = Annotated[
    str,
    typer.Option(
        "--at",
        help="YYYY-MM-DDTHH:MM[+05:00]: when it happened (without an offset: in the case's "
        "time zone).",
    ),
]
WhenOption = Annotated[
    str | None,
    typer.Option("--at", help="The instant to look at (default: now).", show_default=False),
]
ByOption = Annotated[str | None, typer.Option("--by", help="Who does it: a user id.")]
RoleOption = Annotated[str | None, typer.Option("--role", help="The user's role.")]
CommentOption = Annotated[str | None, typer.Option("--comment", help="A comment on the move.")]
RevisionOption = Annotated[
    int | None,
    typer.Option("--revision", help="The revision read: refused (exit 3) if the case moved on."),
]
KeyOption = Annotated[
    str | None,
    typer.Option("--key", help="An idempotency key: the same key again applies once."),
]
# a naive instant given to `cases list`: in the zone of most regions' reglaments
LIST_ZONE = "Asia/Almaty"


def _store_of(
    db: str | None, paths: list[Path] | None, overrides: list[Path] | None = None
) -> store.Store:
    from reglament import store
    from reglament.store.calendars import configured

    running = configured(overrides)  # --overrides, else REGLAMENT_CALENDAR, else the default
    return store.Store(store.connect(store.store_url(db)), _load(paths), _now, calendar=running)


StoreOverridesOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--overrides",
        metavar="FILE",
        help="A calendar override file (YAML; may be repeated; default: REGLAMENT_CALENDAR's "
        "files, separated by ':'): due instants are planned on the calendar with them.",
    ),
]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _at(text: str, zone: dt.tzinfo, option: str = "--at") -> dt.datetime:
    try:
        value = limits.parse_instant(text)
    except ValueError as error:
        raise UsageError(f"{option} {error}") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def _request(
    by: str | None,
    role: str | None,
    key: str | None,
    revision: int | None = None,
    comment: str | None = None,
) -> store.Request:
    from reglament import store

    return store.Request(store.Who(by, role), comment, key, revision)


@_command(db_app, "upgrade")
def db_upgrade(db: DbOption = None, output: FormatOption = TextOrJson.text) -> None:
    """Create the store's schema, or migrate it to this version's (each run one transaction).

    Example: reglament db upgrade --db postgresql://reglament@localhost/cases
    """
    from reglament import store

    url = store.store_url(db)
    database = store.connect(url)
    try:
        done = store.upgrade(database)
    finally:
        database.dispose()
    if output is TextOrJson.json:
        typer.echo(_json({"db": url.render_as_string(hide_password=True), **done.to_dict()}))
    elif done.before == done.after:
        typer.echo(f"schema {done.after}: up to date")
    else:
        typer.echo(f"schema {done.before or 'none'} → {done.after}")


@_command(cases_app, "start")
def cases_start(
    reglament_id: IdArgument,
    at: AtOption,
    region: RegionOption = None,
    channel: ChannelOption = None,
    variant: VariantOption = None,
    data: DataOption = None,
    by: ByOption = None,
    role: RoleOption = None,
    key: KeyOption = None,
    lang: LangOption = None,
    contact: Annotated[
        list[str] | None,
        typer.Option(
            "--contact",
            metavar="FIELD=VALUE",
            help="How to reach the applicant (repeatable): email=, phone=, cabinet= (the "
            "e-government account), address= (postal). Notifications go by it, in --lang.",
        ),
    ] = None,
    receipt: ReceiptOption = None,
    case_id: Annotated[
        str | None, typer.Option("--case-id", help="The case id (default: derived from the case).")
    ] = None,
    db: DbOption = None,
    paths: LibraryPathOption = None,
    output: FormatOption = TextOrJson.text,
) -> None:
    """Start a case submitted --at INSTANT and store it; print its case id and receipt.

    Example: reglament cases start semey-compensation --at 2015-12-14T10:00 -v recognition
    """
    from reglament.engine import choose_case, parse_data

    with _store_of(db, paths) as cases:
        library = cases.library
        chosen = library.choose(reglament_id, region, None, default_on=_at(at, dt.UTC).date())
        engine = cases.engine(
            chosen.reglament.id,
            chosen.reglament.region,
            chosen.reglament.effective.from_.isoformat(),
        )
        submitted = _at(at, engine.compiled.zone)
        given = parse_data(chosen.reglament, _pairs(data, "--data", "FIELD=VALUE"))
        choice = choose_case(
            engine, submitted_at=submitted, channel=channel, variant=variant, data=given
        )
        written = cases.start(
            chosen.reglament,
            submitted,
            choice.channel,
            choice.variant,
            given,
            request=_request(by, role, key),
            language=(lang or Language.kk).value,
            contact=_pairs(contact, "--contact", "FIELD=VALUE"),
            case_id=case_id,
            receipt=_receipt(receipt),
        )
        _print_written(written, output)


@_command(cases_app, "complete")
def cases_complete(
    case: CaseArgument,
    step: Annotated[str, typer.Argument(metavar="STEP", help="The step done.")],
    at: AtOption,
    outcome: Annotated[
        str | None, typer.Option("--outcome", help="The outcome (a decision's, a wait's).")
    ] = None,
    by: ByOption = None,
    role: RoleOption = None,
    comment: CommentOption = None,
    revision: RevisionOption = None,
    key: KeyOption = None,
    db: DbOption = None,
    paths: LibraryPathOption = None,
    output: FormatOption = TextOrJson.text,
) -> None:
    """Record that STEP of CASE was done --at INSTANT (with --outcome for a decision).

    Example: reglament cases complete KAR-20151214-D00413 register --at 2015-12-14T10:20
    """
    with _store_of(db, paths) as cases:
        request = _request(by, role, key, revision, comment)
        written = cases.complete(case, step, _at(at, cases.zone(case)), outcome, request)
        _print_written(written, output)


@_command(cases_app, "suspend")
def cases_suspend(
    case: CaseArgument,
    at: AtOption,
    reason: Annotated[str, typer.Option("--reason", help="Why the term stops.")],
    by: ByOption = None,
    role: RoleOption = None,
    revision: RevisionOption = None,
    key: KeyOption = None,
    db: DbOption = None,
    paths: LibraryPathOption = None,
    output: FormatOption = TextOrJson.text,
) -> None:
    """Suspend the legal term of CASE --at INSTANT (e.g. documents asked of the applicant)."""
    with _store_of(db, paths) as cases:
        request = _request(by, role, key, revision)
        written = cases.suspend(case, _at(at, cases.zone(case)), reason, request)
        _print_written(written, output)


@_command(cases_app, "resume")
def cases_resume(
    case: CaseArgument,
    at: AtOption,
    by: ByOption = None,
    role: RoleOption = None,
    revision: RevisionOption = None,
    key: KeyOption = None,
    db: DbOption = None,
    paths: LibraryPathOption = None,
    output: FormatOption = TextOrJson.text,
) -> None:
    """Let the legal term of CASE run again --at INSTANT."""
    with _store_of(db, paths) as cases:
        written = cases.resume(case, _at(at, cases.zone(case)), _request(by, role, key, revision))
        _print_written(written, output)


@_command(cases_app, "data")
def cases_data(
    case: CaseArgument,
    values: Annotated[list[str], typer.Argument(metavar="FIELD=VALUE...", help="Case data.")],
    at: AtOption,
    by: ByOption = None,
    role: RoleOption = None,
    revision: RevisionOption = None,
    key: KeyOption = None,
    db: DbOption = None,
    paths: LibraryPathOption = None,
    output: FormatOption = TextOrJson.text,
) -> None:
    """Record case data learnt --at INSTANT (conditions read it from then on)."""
    from reglament.engine import parse_data

    with _store_of(db, paths) as cases:
        reglament = cases.engine_of(case).reglament
        given = parse_data(reglament, _pairs(values, "FIELD=VALUE", "FIELD=VALUE"))
        request = _request(by, role, key, revision)
        written = cases.set_data(case, given, _at(at, cases.zone(case)), request)
        _print_written(written, output)


@_command(cases_app, "show")
def cases_show(
    case: CaseArgument,
    at: WhenOption = None,
    db: DbOption = None,
    paths: LibraryPathOption = None,
    output: FormatOption = TextOrJson.text,
) -> None:
    """Show CASE as of --at (default: now): its steps under way and their due instants, the
    term, and its history with who did what and when."""
    from reglament.store import render

    with _store_of(db, paths) as cases:
        shown = cases.show(case, _at(at, cases.zone(case)) if at else _now())
        typer.echo(_json(shown) if output is TextOrJson.json else render.show_text(shown), nl=False)


@_command(cases_app, "list")
def cases_list(
    overdue: Annotated[bool, typer.Option("--overdue", help="Only cases overdue.")] = False,
    at_risk: Annotated[bool, typer.Option("--at-risk", help="Only terms at risk.")] = False,
    at: WhenOption = None,
    region: RegionOption = None,
    reglament: Annotated[str | None, typer.Option("--reglament", help="A reglament id.")] = None,
    receipt: Annotated[str | None, typer.Option("--receipt", help="A receipt number.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 100,
    db: DbOption = None,
    paths: LibraryPathOption = None,
    output: FormatOption = TextOrJson.text,
) -> None:
    """List stored cases: those --overdue or --at-risk --at an instant (default: now; without an
    offset in Asia/Almaty), of a --region, a --reglament, a --receipt."""
    from reglament.store import render

    with _store_of(db, paths) as cases:
        when = _at(at, zoneinfo.ZoneInfo(LIST_ZONE)) if at else _now()
        found = cases.cases(
            when,
            overdue=overdue,
            at_risk=at_risk,
            region=region,
            reglament=reglament,
            receipt=receipt,
            limit=limit,
        )
        typer.echo(_json(found) if output is TextOrJson.json else render.list_text(found), nl=False)


# -- the outbox: reglament outbox list, deliver -----------------------------------------------------

outbox_app = typer.Typer(
    help="The notifications the stored cases' events send: list, deliver (docs/runtime.md).",
    no_args_is_help=True,
    context_settings=HELP,
)
app.add_typer(outbox_app, name="outbox")


@_command(outbox_app, "list")
def outbox_list(
    failed: Annotated[bool, typer.Option("--failed", help="Only those failed for good.")] = False,
    pending: Annotated[bool, typer.Option("--pending", help="Only those to deliver.")] = False,
    delivered: Annotated[bool, typer.Option("--delivered", help="Only those delivered.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 100,
    db: DbOption = None,
    output: FormatOption = TextOrJson.text,
) -> None:
    """List the outbox's messages, oldest first, and count them (--failed: those that failed for
    good, with why)."""
    from reglament.store import outbox

    chosen = [
        name
        for name, on in (("failed", failed), ("pending", pending), ("delivered", delivered))
        if on
    ]
    if len(chosen) > 1:
        raise UsageError(f"--{chosen[0]} and --{chosen[1]}: give one of them")
    with outbox.opened(db) as database:
        found = outbox.listed(database, chosen[0] if chosen else None, limit)
    typer.echo(_json(found) if output is TextOrJson.json else outbox.listed_text(found), nl=False)


@_command(outbox_app, "deliver")
def outbox_deliver(
    now: Annotated[
        str | None,
        typer.Option(
            "--now",
            help="A virtual clock: deliver what is due at this instant and date each attempt "
            "at it (default: the wall clock; without an offset: in Asia/Almaty).",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Try at most this many messages.")
    ] = None,
    db: DbOption = None,
    output: FormatOption = TextOrJson.text,
) -> None:
    """Deliver the pending messages whose next attempt has come, through the sinks
    REGLAMENT_OUTBOX sets (default: a Maildir under the data folder), each outcome committed
    before the next message is tried."""
    from reglament.runtime import delivery
    from reglament.store import outbox

    clock = _outbox_clock(now)
    sinks = delivery.configured(clock)
    done = []
    with outbox.opened(db) as database:
        for outcome in outbox.deliver(database, sinks, clock, clock(), limit):
            done.append(outcome)
            if output is TextOrJson.text:
                typer.echo(outbox.outcome_text(outcome))
    if output is TextOrJson.json:
        typer.echo(_json([o.to_dict() for o in done]))
    else:
        count = {s: sum(o.status is s for o in done) for s in delivery.Status}
        typer.echo(
            f"{count[delivery.Status.delivered]} delivered, "
            f"{count[delivery.Status.pending]} to try again, {count[delivery.Status.failed]} failed"
        )


def _outbox_clock(now: str | None) -> Callable[[], dt.datetime]:
    """The wall clock, or the fixed instant --now gives (a virtual clock)."""
    if now is None:
        return _now
    fixed = _at(now, zoneinfo.ZoneInfo(LIST_ZONE), "--now")
    return lambda: fixed


@_command(cases_app, "audit")
def cases_audit(
    case: CaseArgument,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="As of this instant (default: its end, or its last event).",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    paths: LibraryPathOption = None,
    output: FormatOption = TextOrJson.text,
) -> None:
    """Re-audit CASE against its own version: every step done late, the term met or broken,
    by how much, each explained as simulate explains it.

    Example: reglament cases audit KAR-20151214-D00413
    """
    with _store_of(db, paths) as cases:
        found = cases.audit(case, _at(at, cases.zone(case)) if at else None)
        typer.echo(_json(found.to_dict()) if output is TextOrJson.json else found.text)


@_command(cases_app, "migrate")
def cases_migrate(
    reglament_id: IdArgument,
    to: Annotated[
        str,
        typer.Option("--to", help="The version to move to: YYYY-MM-DD, the day it comes in force."),
    ],
    policy: Annotated[
        str,
        typer.Option(
            "--policy",
            help="keep: each case stays on the version it was submitted under (nothing moves); "
            "from:YYYY-MM-DD: the open cases move, from that day on.",
        ),
    ] = "keep",
    region: RegionOption = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="The instant of the move (default: now; without an offset: in the reglament's "
            "time zone).",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="List every due instant that would move; write nothing."),
    ] = False,
    by: ByOption = None,
    role: RoleOption = None,
    comment: CommentOption = None,
    key: KeyOption = None,
    db: DbOption = None,
    paths: LibraryPathOption = None,
    output: FormatOption = TextOrJson.text,
) -> None:
    """Move the open cases of a reglament to another version of it (--policy from:DATE), or keep
    them on theirs (keep, the default). Exit 4 if a case cannot move (it is left as it is).

    Example: reglament cases migrate semey-compensation -r karaganda --to 2016-05-30 --policy from:2016-05-30 --dry-run
    """
    from reglament.runtime.amend import Policy
    from reglament.store import amend

    chosen = Policy.parse(policy)
    with _store_of(db, paths) as cases:
        zone = amend.target(cases, reglament_id, region, to).compiled.zone
        when = _at(at, zone) if at else _now().astimezone(zone)
        request = _request(by, role, key, comment=comment)
        done = amend.migrate(
            cases, reglament_id, to, chosen, when, region=region, dry_run=dry_run, request=request
        )
    typer.echo(_json(done.to_dict()) if output is TextOrJson.json else done.text, nl=False)
    if done.exit_code:
        raise typer.Exit(done.exit_code)


@_command(cases_app, "reproject")
def cases_reproject(
    overrides: StoreOverridesOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List every change; write nothing.")
    ] = False,
    by: ByOption = None,
    role: Annotated[str, typer.Option("--role", help="The user's role.")] = "system",
    db: DbOption = None,
    paths: LibraryPathOption = None,
    output: FormatOption = TextOrJson.text,
) -> None:
    """Plan the open cases' due instants again on a new calendar (after a new override file):
    the store takes this calendar, and each case whose due instants move gets one event
    listing them old → new. Run again, it changes nothing.

    Example: reglament cases reproject --overrides /etc/reglament/2026.yaml --dry-run
    """
    from reglament import store
    from reglament.store import reproject

    with _store_of(db, paths, overrides) as cases:
        done = reproject.run(cases, store.Who(by, role), dry_run=dry_run)
    typer.echo(_json(done.to_dict()) if output is TextOrJson.json else done.text, nl=False)


@_command(app, "worker")
def worker(
    once: Annotated[bool, typer.Option("--once", help="Fire what is due, then exit.")] = False,
    now: Annotated[
        str | None,
        typer.Option(
            "--now",
            help="A virtual clock: YYYY-MM-DDTHH:MM[+05:00] (without an offset: in Asia/Almaty); "
            "without --once it runs on from there. Default: the wall clock.",
            show_default=False,
        ),
    ] = None,
    interval: Annotated[
        float, typer.Option("--interval", min=0.01, help="Seconds between polls, at most.")
    ] = 5.0,
    overrides: StoreOverridesOption = None,
    db: DbOption = None,
    paths: LibraryPathOption = None,
    output: FormatOption = TextOrJson.text,
) -> None:
    """Fire the stored cases' due timers (a step overdue, the term at risk or overdue, a wait's
    timeout), each exactly once, however many workers run (docs/runtime.md).

    Example: reglament worker --once --now 2016-03-01T09:00
    """
    import time

    from reglament.store.worker import Worker

    clock = _clock(None if now is None else _at(now, zoneinfo.ZoneInfo(LIST_ZONE), "--now"))
    with _store_of(db, paths, overrides) as cases:
        fires = Worker(cases)
        if once:
            done = fires.run_once(clock())
            if output is TextOrJson.json:
                typer.echo(_json([firing.to_dict() for firing in done]))
            for firing in done:
                if output is TextOrJson.text or firing.error is not None:
                    _report_firing(firing, TextOrJson.text)
            if any(firing.error for firing in done):
                raise typer.Exit(4)
            return
        fires.serve(clock, time.sleep, interval, lambda firing: _report_firing(firing, output))


# -- the HTTP service: reglament serve, reglament tokens ---------------------------------------------

tokens_app = typer.Typer(
    help="The HTTP service's bearer tokens: create, list, revoke (docs/service.md).",
    no_args_is_help=True,
    context_settings=HELP,
)
app.add_typer(tokens_app, name="tokens")


@_command(app, "serve")
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="The port to listen on.")
    ] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", min=1, max=64, help="Processes serving the port (docs/service.md)."
        ),
    ] = 1,
    paths: LibraryPathOption = None,
) -> None:
    """Serve the HTTP API (/v1, OpenAPI at /openapi.json) over the case store until
    interrupted.

    Example: reglament serve --db postgresql://reglament@localhost/cases --port 8000 --workers 2
    """
    from reglament.service.serve import serve as run

    run(db, _load(paths), host, port, workers, paths)


@_command(tokens_app, "create")
def tokens_create(
    role: Annotated[str, typer.Option("--role", help="clerk, head, auditor or admin.")],
    region: Annotated[str, typer.Option("--region", "-r", help="The token's region.")],
    actor: Annotated[
        str | None, typer.Option("--actor", help="The actor whose steps a clerk records.")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="Who holds it (the log's).")] = None,
    db: DbOption = None,
    paths: LibraryPathOption = None,
    output: FormatOption = TextOrJson.text,
) -> None:
    """Make a token and print its secret, this once: the store keeps only its hash.

    Example: reglament tokens create --role clerk --region karaganda --actor registrar
    """
    from reglament.store import outbox, tokens

    regions = {r.region for r in _load(paths).reglaments}
    with outbox.opened(db) as database:
        made, secret = tokens.create(database, role, region, actor, name, _now(), regions=regions)
    if output is TextOrJson.json:
        typer.echo(_json({**made.to_dict(), "secret": secret}))
    else:
        typer.echo(f"token {made.id} ({made.name}, {made.role}@{made.region}): {secret}")


@_command(tokens_app, "list")
def tokens_list(db: DbOption = None, output: FormatOption = TextOrJson.text) -> None:
    """List the tokens, revoked ones too (never their secrets)."""
    from reglament.store import outbox, tokens

    with outbox.opened(db) as database:
        found = tokens.listed(database)
    if output is TextOrJson.json:
        typer.echo(_json([token.to_dict() for token in found]))
    for token in found if output is TextOrJson.text else ():
        revoked = f" revoked {token.revoked.isoformat()}" if token.revoked else ""
        actor = f" actor {token.actor}" if token.actor else ""
        typer.echo(f"{token.id}\t{token.name}\t{token.role}@{token.region}{actor}{revoked}")


@_command(tokens_app, "revoke")
def tokens_revoke(
    token_id: Annotated[
        int, typer.Argument(metavar="ID", min=1, max=2**31 - 1, help="The token's id.")
    ],
    db: DbOption = None,
) -> None:
    """Revoke token ID from now on: it is refused (401) from its next request."""
    from reglament.store import outbox, tokens

    with outbox.opened(db) as database:
        token = tokens.revoke(database, token_id, _now())
    typer.echo(f"token {token.id} ({token.name}) revoked")


def _clock(start: dt.datetime | None) -> Callable[[], dt.datetime]:
    """The worker's clock: the wall clock, or a virtual one from ``start`` on."""
    if start is None:
        return _now
    began = _now()
    return lambda: start + (_now() - began)


def _report_firing(firing: Firing, output: TextOrJson) -> None:
    if firing.error is not None:
        typer.echo(f"error: {firing.text}", err=True)
    elif output is TextOrJson.json:
        import json

        typer.echo(json.dumps(firing.to_dict(), ensure_ascii=False))
    else:
        typer.echo(firing.text)


def _print_written(written: store.Written, output: TextOrJson) -> None:
    from reglament.store import render

    if written.repeated:
        typer.echo("note: this idempotency key was used already: its first answer", err=True)
    if output is TextOrJson.json:
        typer.echo(_json(written.response))
    else:
        typer.echo(render.written_text(written.response), nl=False)


def _json(value: object) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, indent=2)


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
    except ReglamentError as error:  # pragma: no cover - the commands report their own
        sys.exit(_report(error))
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
