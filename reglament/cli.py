"""The ``reglament`` command line: parses arguments, calls the public API, prints. No logic here.

Exit codes: 0 success, 1 an invalid definition (or a failed check), 2 a usage error.
"""

from __future__ import annotations

import sys

import typer

from reglament.errors import ReglamentError

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


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except ReglamentError as error:  # pragma: no cover - commands catch their own
        typer.echo(f"error: {error}", err=True)
        sys.exit(error.exit_code)
