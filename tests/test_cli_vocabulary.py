"""One vocabulary across the commands (issue 11, part 4), and a thin cli.py (part 3).

Each option means one thing wherever it appears; every data command speaks JSON; every command
that takes an id reads it the same way and refuses an ambiguous one the same way; mistakes get
the closest name and an option that exists.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner, Result

from reglament import cli
from reglament.cli import app

ROOT = Path(__file__).resolve().parent.parent
SEMEY = ["semey-compensation", "--submitted", "2015-12-14 17:45"]


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def run(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output
    return result


def _params(path: str) -> list[Any]:
    """The parameters of ``reglament PATH`` as typer builds them (typer's own click)."""
    command: Any = typer.main.get_command(app)
    for name in path.split():
        command = command.commands[name]
    return list(command.params)


def _options(path: str) -> set[str]:
    return {name for p in _params(path) for name in (*p.opts, *p.secondary_opts)}


def _error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    return line


# -- --format: json on every command whose output is data ----------------------------------------

DATA_COMMANDS = [
    ["validate"],
    ["list"],
    ["show", "semey-compensation"],
    ["simulate", *SEMEY],
    [
        "simulate",
        "semey-compensation",
        "--cases",
        "50",
        "--from",
        "2016-01-04",
        "--to",
        "2016-01-08",
    ],
    ["render", *SEMEY, "--event", "accepted"],
    ["compare", "wheelchairs"],
    ["diff", "wheelchairs@atyrau", "wheelchairs@karaganda"],
    ["calendar", "year", "2025"],
    ["calendar", "month", "2026-03"],
    ["calendar", "add", "2025-03-03T18:15", "30", "--unit", "minutes"],
    ["calendar", "is-working", "2024-05-04"],
    ["calendar", "count", "2025-01-01", "2025-12-31"],
    ["schema"],
    ["schema", "--timeline"],
]


@pytest.mark.parametrize("args", DATA_COMMANDS, ids=" ".join)
def test_every_data_command_speaks_json(args: list[str]) -> None:
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)


def test_the_calendar_in_json() -> None:
    year = json.loads(run("calendar", "year", "2025", "-f", "json").stdout)
    assert (year["year"], year["working_days"], len(year["months"])) == (2025, 246, 12)
    month = json.loads(run("calendar", "month", "2026-03", "-f", "json").stdout)
    nauryz = next(d for d in month["days"] if d["date"] == "2026-03-23")
    assert (nauryz["working"], nauryz["holiday"]) == (False, "Nowruz Holiday")
    assert month["working_days"] == sum(d["working"] for d in month["days"])
    day = json.loads(run("calendar", "is-working", "2024-05-04", "-f", "json").stdout)
    assert (day["date"], day["weekday"], day["working"]) == ("2024-05-04", "Sat", True)
    due = json.loads(
        run("calendar", "add", "2025-03-03T18:15", "30", "--unit", "minutes", "-f", "json").stdout
    )
    assert (due["due"], due["value"], due["unit"]) == ("2025-03-04T09:15:00+05:00", 30, "minutes")
    count = json.loads(run("calendar", "count", "2025-01-01", "2025-12-31", "-f", "json").stdout)
    assert count == {"from": "2025-01-01", "to": "2025-12-31", "working_days": 246}


def test_a_json_version_note_is_balanced() -> None:
    result = run("simulate", "semey-compensation", "-f", "json")
    note = json.loads(result.stdout)["version_note"]
    assert note == (
        "chosen as the only version in karaganda; file "
        "reglament/reglaments/karaganda-2015/semey-compensation.yaml; variant recognition by default"
    )
    depth = 0
    for char in note:
        depth += {"(": 1, ")": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0
    table = run("simulate", "semey-compensation").stdout.splitlines()[0]
    assert table.endswith(f"({note})")


# -- one name per concept -------------------------------------------------------------------------


def test_lang_is_one_option_and_language_an_old_name() -> None:
    for command in ("render", "diagram"):
        assert {"--lang", "-l", "--language"} <= _options(command)
        assert "--language" not in run(command, "--help").stdout  # hidden
    new = run("diagram", "child-benefit-under-18@atyrau", "--lang", "ru")
    old = run("diagram", "child-benefit-under-18@atyrau", "--language", "ru")
    assert new.exit_code == old.exit_code == 0, old.output
    assert new.stdout == old.stdout
    assert new.stdout != run("diagram", "child-benefit-under-18@atyrau").stdout  # in Russian
    assert new.stderr == ""
    assert old.stderr == "note: --language is now --lang; the old name goes in the next release\n"
    assert _error(run("diagram", "semey-compensation", "--lang", "kk", "--language", "ru")) == (
        "error: --lang and --language are one option: give --lang only"
    )
    rendered = run("render", *SEMEY, "--event", "accepted", "--language", "en")
    assert rendered.exit_code == 0, rendered.output
    assert "Your application" in rendered.stdout


def test_channel_is_the_application_channel_everywhere() -> None:
    for command in ("simulate", "render", "diagram"):
        assert {"--channel", "-c"} <= _options(command)
    assert {"--medium", "-m"} <= _options("render")
    simulated = run("simulate", *SEMEY, "--channel", "con", "--variant", "certificate")
    assert "channel con, variant certificate" in simulated.stdout
    rendered = run(
        "render",
        *SEMEY,
        "-c",
        "con",
        "-v",
        "certificate",
        "-e",
        "accepted",
        "-m",
        "sms",
        "-l",
        "en",
    )
    assert rendered.exit_code == 0, rendered.output
    assert rendered.stdout.startswith("Application No. KAR-")


def test_render_channel_naming_a_medium_is_the_old_meaning_for_one_release() -> None:
    old = run("render", *SEMEY, "--event", "accepted", "--lang", "en", "--channel", "sms")
    new = run("render", *SEMEY, "--event", "accepted", "--lang", "en", "--medium", "sms")
    assert old.exit_code == new.exit_code == 0, old.output
    assert old.stdout == new.stdout
    assert old.stderr.splitlines()[0] == (
        "note: --channel sms is taken as --medium sms (the medium is now --medium, --channel the "
        "channel applied through); the old meaning goes in the next release"
    )
    both = run("render", *SEMEY, "--event", "accepted", "--channel", "sms", "--medium", "email")
    assert _error(both) == (
        "error: --channel sms: sms is a medium, given with --medium; --channel is the channel "
        "applied through: office, con, ztmo"
    )


def test_render_takes_a_receipt_as_the_api_does() -> None:
    result = run(
        "render", *SEMEY, "-e", "accepted", "-l", "en", "-m", "sms", "--receipt", "KAR-0001"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Application No. KAR-0001 accepted.")
    bad = run("render", *SEMEY, "-e", "accepted", "--receipt", "a\nb")
    assert _error(bad) == (
        "error: --receipt 'a\\nb': an application number is 1 to 40 letters, digits, '-', '/', "
        "'.' or '_'"
    )


# -- ids ------------------------------------------------------------------------------------------

ID_COMMANDS = {
    "show": [],
    "simulate": [],
    "render": ["--event", "accepted"],
    "diagram": [],
}
AMBIGUOUS = (
    "error: 'wheelchairs' exists in several regions (atyrau, karaganda); choose one with "
    "--region or ID@REGION, e.g. wheelchairs@atyrau"
)


@pytest.mark.parametrize("command", sorted(ID_COMMANDS))
def test_every_id_command_reads_an_id_one_way(command: str) -> None:
    extra = ID_COMMANDS[command]
    assert "--region" in _options(command)
    (argument,) = [p for p in _params(command) if p.name == "reglament_id"]
    assert "several regions is refused" in argument.help
    assert _error(run(command, "wheelchairs", *extra)) == AMBIGUOUS
    undated = [
        ["wheelchairs@atyrau"],
        ["wheelchairs@ATYRAU"],
        ["wheelchairs", "--region", "atyrau"],
        ["wheelchairs", "-r", "Atyrau"],
    ]
    dated = [
        ["wheelchairs@atyrau@2013-01-10"],
        ["wheelchairs@Atyrau", "--on", "2013-01-10"],
        ["wheelchairs", "-r", "atyrau", "--on", "2013-01-10"],
    ]
    for ways in (undated, dated):
        outputs = set()
        for way in ways:
            result = run(command, *way, *extra)
            assert result.exit_code == 0, (way, result.output)
            outputs.add(result.stdout)
        assert len(outputs) == 1, ways
    assert _error(run(command, "wheelchairs@atyrau", "-r", "karaganda", *extra)) == (
        "error: 'wheelchairs@atyrau' names the region atyrau, --region says karaganda: give one"
    )


def test_of_several_versions_the_latest_is_taken_and_said(tmp_path: Path) -> None:
    body = (ROOT / "tests" / "fixtures" / "minimal.yaml").read_text("utf-8")
    for name, period in (
        ("old.yaml", "from: 2020-01-01\n  until: 2021-01-01"),
        ("new.yaml", "from: 2021-01-01"),
    ):
        (tmp_path / name).write_text(body.replace("from: 2020-01-01", period), "utf-8")
    for command in ("show", "diagram"):
        latest = run(command, "minimal", "-p", str(tmp_path))
        assert latest.exit_code == 0, latest.output
        assert latest.stderr == (
            "note: chosen as the latest of 2 versions in test-region; another with --on DATE\n"
        )
        dated = run(command, "minimal", "-p", str(tmp_path), "--on", "2020-06-01")
        assert dated.exit_code == 0 and dated.stderr == ""
        assert dated.stdout != latest.stdout
    simulated = run("simulate", "minimal", "-p", str(tmp_path), "-d", "documents_complete=true")
    assert "(chosen as the latest of 2 versions in test-region; file " in simulated.stdout


def test_diff_and_compare_read_ids_the_same_way() -> None:
    assert "--region" in _options("diff") and "--region" in _options("compare")
    assert _error(run("diff", "wheelchairs", "wheelchairs@karaganda")) == AMBIGUOUS
    assert run("diff", "wheelchairs@ATYRAU", "wheelchairs@Karaganda").exit_code == 0
    by_option = run("diff", "wheelchairs", "wheelchairs", "--region", "atyrau")
    assert by_option.exit_code == 0, by_option.output
    assert by_option.stdout.splitlines()[:2] == [
        "old: wheelchairs@atyrau@2012-12-10 (reglament/reglaments/atyrau-2012/wheelchairs.yaml)",
        "new: wheelchairs@atyrau@2012-12-10 (reglament/reglaments/atyrau-2012/wheelchairs.yaml)",
    ]
    one = run("compare", "wheelchairs@Atyrau")
    assert one.exit_code == 0, one.output
    assert "only one version of 'wheelchairs' in atyrau is in the library" in one.stdout
    assert run("compare", "wheelchairs", "-r", "atyrau").stdout == one.stdout


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["show", "wheelchairs"], "--region"),
        (["simulate", "wheelchairs"], "--region"),
        (["diff", "wheelchairs", "wheelchairs@karaganda"], "--region"),
        (["render", "semey-compensation", "-e", "step_overdue"], "--actual"),
        (["render", "semey-compensation", "-e", "refused"], "--channel"),
        (["simulate", "social-assistance-local@karaganda", "-c", "portal"], "--data"),
        (["simulate", "foreign-labour-permit", "-c", "portal", "-v", "worker-issue"], "--variant"),
    ],
)
def test_every_error_names_an_option_the_command_has(args: list[str], option: str) -> None:
    line = _error(run(*args))
    named = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", line))
    assert option in named
    assert named <= _options(args[0]), line


# -- help for mistakes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["show", "semey-compensaton"],
            "error: no reglament 'semey-compensaton'; did you mean 'semey-compensation'? known: ",
        ),
        (
            ["simulate", "wheelchairs@atyrauu"],
            "error: no reglament 'wheelchairs' in region 'atyrauu'; did you mean 'atyrau'? it is in: atyrau, karaganda",
        ),
        (
            ["diagram", "wheelchairs", "-r", "karagnda"],
            "error: no reglament 'wheelchairs' in region 'karagnda'; did you mean 'karaganda'?",
        ),
        (
            ["simulate", *SEMEY, "--answer", "reveiw=done"],
            "error: unknown step 'reveiw' in semey-compensation; did you mean 'review'? steps: ",
        ),
        (
            ["simulate", *SEMEY, "--actual", "reviw=3wd"],
            "error: unknown step 'reviw' in semey-compensation; did you mean 'review'? steps: ",
        ),
        (
            ["render", *SEMEY, "--event", "acepted"],
            "error: unknown event 'acepted'; did you mean 'accepted'? events: accepted, ",
        ),
        (
            ["simulate", *SEMEY, "--channel", "offise"],
            "error: unknown channel 'offise' for semey-compensation; did you mean 'office'? channels: office, con, ztmo",
        ),
        (
            ["render", *SEMEY, "-e", "accepted", "-c", "offise"],
            "error: unknown channel 'offise' for semey-compensation; did you mean 'office'? channels: office, con, ztmo",
        ),
        (
            ["diagram", "semey-compensation", "-c", "offise"],
            "error: unknown channel 'offise' for semey-compensation; did you mean 'office'? channels: office, con, ztmo",
        ),
        (
            ["simulate", *SEMEY, "--variant", "certifikate"],
            "error: unknown variant 'certifikate' for semey-compensation; did you mean 'certificate'? variants: ",
        ),
        (
            ["simulate", "oralman-status", "--data", "first_aplication=true"],
            "error: unknown case data field 'first_aplication' for oralman-status; did you mean 'first_application'? ",
        ),
        (
            ["compare", "wheelchair"],
            "error: no service 'wheelchair'; did you mean 'wheelchairs'? known: ",
        ),
    ],
)
def test_did_you_mean(args: list[str], message: str) -> None:
    assert _error(run(*args)).startswith(message)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["show", "semey-compensation", "--on", "2015-02-30"],
            "error: --on 2015-02-30 is an impossible date: February 2015 has 28 days",
        ),
        (
            ["simulate", "semey-compensation", "-s", "2015-02-30 10:00"],
            "error: --submitted 2015-02-30 is an impossible date: February 2015 has 28 days",
        ),
        (
            ["simulate", "semey-compensation", "-s", "2015-12-14 24:30"],
            "error: --submitted 24:30 is an impossible time of day: from 00:00 to 23:59",
        ),
        (
            ["simulate", "semey-compensation", "-s", "14.12.2015"],
            "error: --submitted '14.12.2015': expected 'YYYY-MM-DD HH:MM' (or YYYY-MM-DDTHH:MM+05:00)",
        ),
        (
            ["diagram", "semey-compensation@karaganda@2016-02-30"],
            "error: 'semey-compensation@karaganda@2016-02-30': 2016-02-30 is an impossible date: February 2016 has 29 days",
        ),
        (
            ["calendar", "is-working", "2015-02-29"],
            "error: DATE 2015-02-29 is an impossible date: February 2015 has 28 days",
        ),
        (["calendar", "month", "2015-13"], "error: bad month '2015-13': there is no month 13"),
    ],
)
def test_an_impossible_date_is_called_impossible(args: list[str], message: str) -> None:
    assert _error(run(*args)) == message


@pytest.mark.parametrize("unit", ["3d", "3days", "3 day"])
def test_an_undocumented_actual_unit_is_refused_with_the_documented_ones(unit: str) -> None:
    line = _error(run("simulate", *SEMEY, "--actual", f"review={unit}"))
    assert line == (
        f"error: --actual review: duration {unit!r}: days alone may be working or calendar days; "
        "write 3wd (working days) or 3cd (calendar days)"
    )
    assert _error(run("simulate", *SEMEY, "--actual", "review=3 weeks")) == (
        "error: --actual review: duration '3 weeks' not understood; write 45m or 45 minutes, 2h "
        "or 2 hours, 3wd or 3 working days, 5cd or 5 calendar days"
    )


def test_the_actual_units_in_help_are_the_engines() -> None:
    from reglament.engine.simulate import ACTUAL_UNITS

    assert cli.ACTUAL_UNITS == ACTUAL_UNITS
    for command in ("simulate", "render"):
        (actual,) = [p for p in _params(command) if "--actual" in p.opts]
        assert ACTUAL_UNITS in actual.help


# -- options and output ---------------------------------------------------------------------------


def test_version_and_short_help() -> None:
    from importlib import metadata

    version = run("--version")
    assert version.exit_code == 0
    assert version.stdout == f"reglament {metadata.version('reglament')}\n"
    for args in (["-h"], ["calendar", "-h"], ["simulate", "-h"], ["calendar", "add", "-h"]):
        result = run(*args)
        assert result.exit_code == 0, result.output
        assert result.stdout == run(*args[:-1], "--help").stdout


def test_show_lists_the_case_data() -> None:
    result = run("show", "oralman-status")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    start = lines.index("Case data (simulate and render take them as --data FIELD=VALUE):")
    assert lines[start + 1].split()[:4] == ["registered_elsewhere", "true", "or", "false"]
    assert lines[start + 2].split()[0] == "first_application"
    assert "Case data: none declared" in run("show", "semey-compensation").stdout


def test_list_cuts_titles_with_an_ellipsis() -> None:
    from reglament.reports.describe import TITLE_WIDTH, cut

    lines = run("list").stdout.splitlines()
    cut_lines = [line for line in lines if line.endswith("…")]
    assert cut_lines
    for line in lines:
        if line.startswith("  "):
            title = line[2 + 37 + 37 :]
            assert len(title) <= TITLE_WIDTH
    assert cut("short", 10) == "short"
    assert cut("one two three four five", 16) == "one two three…"
    assert cut("x" * 20, 10) == "x" * 9 + "…"


# -- a thin cli.py --------------------------------------------------------------------------------

MAX_LINES = 60


def test_no_function_in_cli_is_longer_than_60_lines() -> None:
    tree = ast.parse(Path(cli.__file__).read_text("utf-8"))
    long = {
        node.name: node.end_lineno - node.lineno + 1
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno
        if node.end_lineno - node.lineno + 1 > MAX_LINES
    }
    assert long == {}


def test_errors_are_reported_in_one_place() -> None:
    source = Path(cli.__file__).read_text("utf-8")
    assert source.count("except ReglamentError") == 2  # the commands' wrapper and main()'s
    assert "typer.Exit(error.exit_code)" not in source


def test_the_cli_holds_no_copy_of_the_rules_it_calls() -> None:
    source = Path(cli.__file__).read_text("utf-8")
    for gone in ("def _admits", "parse_condition", 'Asia/Almaty"), dt.date(2000', ".serves("):
        assert gone not in source


def test_the_cli_starts_without_the_engine() -> None:
    """`reglament validate` and --help load neither the engine nor holidays nor numpy."""
    code = (
        "import sys, reglament.cli; "
        "print(sorted(m for m in ('reglament.engine', 'holidays', 'numpy', 'jinja2') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_cli_starts_without_the_models() -> None:
    """Importing the CLI builds no pydantic model and reads no YAML: the options' choices come
    from reglament.names; the loader is imported by the commands that read definitions."""
    code = (
        "import sys, reglament.cli; "
        "print(sorted(m for m in ('pydantic', 'yaml', 'reglament.loader', 'reglament.schemas', "
        "'importlib.metadata') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_options_offer_the_models_own_vocabularies() -> None:
    from reglament import names, schemas

    assert schemas.Language is names.Language and schemas.Event is names.Event
    assert schemas.Medium is names.Medium and schemas.Recipient is names.Recipient
