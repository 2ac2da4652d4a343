"""The ``reglament`` command line: parses arguments, calls the public API, prints. No logic here.

Exit codes: 0 success, 1 an invalid definition (or a failed check), 2 a usage error.
"""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from reglament.errors import ReglamentError, UsageError
from reglament.loader import Library, load_library
from reglament.renderers import describe, validation
from reglament.schemas.jsonschema import json_schema_text

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
    typer.echo(f"error: {error}", err=True)
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


def _library(paths: list[Path] | None) -> Library:
    try:
        return load_library(paths or None)
    except ReglamentError as error:
        _fail(error)
        raise  # pragma: no cover - _fail always exits


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        _fail(UsageError(f"{option} {value!r} is not a date YYYY-MM-DD"))
        raise  # pragma: no cover


@app.command()
def validate(paths: PathsArgument = None, output: FormatOption = TextOrJson.text) -> None:
    """Check reglament definitions: YAML, the format, references, the graph, effective periods.

    Every problem is printed as FILE:LINE:COLUMN: message. Exit 0 when all are valid, 1 when any
    is invalid, 2 for usage errors.

    Examples:

      reglament validate

      reglament validate my-reglaments/ --format json
    """
    library = _library(paths)
    typer.echo(
        validation.as_json(library) if output is TextOrJson.json else validation.as_text(library)
    )
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
    paths: Annotated[
        list[Path] | None,
        typer.Option("--path", "-p", help="Look here instead of the bundled library."),
    ] = None,
    output: FormatOption = TextOrJson.text,
) -> None:
    """Show one reglament: its act, period, channels, variants, terms and steps.

    Example: reglament show semey-compensation --region karaganda
    """
    library = _library(paths)
    try:
        loaded = library.find(reglament_id, region, _date(on, "--on"))
    except ReglamentError as error:
        _fail(error)
        return
    typer.echo(
        describe.reglament_json(loaded)
        if output is TextOrJson.json
        else describe.reglament_text(loaded)
    )


@app.command()
def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Print the JSON Schema of the reglament format (for editors and CI).

    Example: reglament schema -o reglament.schema.json
    """
    text = json_schema_text()
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        _fail(UsageError(f"{output}: cannot write: {error.strerror}"))


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except ReglamentError as error:  # pragma: no cover - commands catch their own
        typer.echo(f"error: {error}", err=True)
        sys.exit(error.exit_code)
