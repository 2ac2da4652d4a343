"""`reglament simulate ID --cases N ...` driven through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reglament.cli import app

runner = CliRunner()
SYNTHETIC = str(Path(__file__).parent / "data" / "synthetic-ten.yaml")
BASE = ("simulate", "synthetic-ten", "-p", SYNTHETIC, "--from", "2016-01-01", "--to", "2016-03-31")


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_table_report() -> None:
    code, out, err = run(*BASE, "--cases", "3000", "--seed", "7", "-v", "full", "-c", "con")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[2] == (
        "3,000 cases arriving from Fri 2016-01-01 to Thu 2016-03-31 (Asia/Almaty), seed 7"
    )
    assert lines[6].split()[:4] == ["working", "days", "after", "acceptance"]
    assert "legal term 20 calendar days: broken in" in out
    assert "step active when the term ran out:" in out
    assert "paths taken: " in out
    assert "outcomes drawn: triage: simple 50%, complex 50%" in out
    assert err == ""


def test_same_seed_same_output_other_seed_differs() -> None:
    args = (*BASE, "--cases", "2000", "-P", "decide=refuse:0.1", "--format", "json")
    one, two, other = (run(*args, "--seed", s)[1] for s in ("1", "1", "2"))
    assert one == two
    assert one != other
    report = json.loads(one)
    assert report["seed"] == 1 and report["cases"] == 2000
    assert report["outcome_probabilities"]["decide"] == {"grant": 0.9, "refuse": 0.1}
    assert set(report["working_days"]) == {"p50", "p90", "p99", "max"}
    assert report["term"]["text"] == "15 working days"
    assert sum(e["cases"] for e in report["ends"]) == 2000


def test_markdown_report() -> None:
    code, out, _ = run(
        *BASE, "--cases", "500", "--seed", "3", "-c", "con", "-d", "urgent=true", "-f", "markdown"
    )
    assert code == 0
    assert out.startswith("# synthetic-ten: 500 simulated cases\n")
    assert "| working days after acceptance |" in out
    assert "Legal term 20 calendar days" in out


def test_no_term_and_lower_bound_on_the_bundled_reglament() -> None:
    code, out, _ = run(
        "simulate",
        "semey-compensation",
        "-v",
        "compensation",
        "--cases",
        "300",
        "--from",
        "2016-01-01",
        "--to",
        "2016-02-29",
        "--seed",
        "1",
    )
    assert code == 0
    assert "legal term: the act states none" in out
    assert "lower bound: 300 cases (100.0%)" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--cases", "10"), "--cases needs the arrival period: --from DATE --to DATE"),
        (("--seed", "1"), "--from, --to, --probability and --seed go with --cases N"),
        (
            ("--cases", "10", "--from", "2016-01-01", "--to", "2016-01-31", "-a", "decide=grant"),
            "describe one case",
        ),
        (
            ("--cases", "0", "--from", "2016-01-01", "--to", "2016-01-31"),
            "--cases 0: the number of cases must be from 1 to 5,000,000",
        ),
        (
            ("--cases", "5000001", "--from", "2016-01-01", "--to", "2016-01-31"),
            "--cases 5000001: the number of cases must be from 1 to 5,000,000",
        ),
        (
            ("--cases", "10", "--from", "2016-01-01", "--to", "2016-01-31", "--seed", "-1"),
            "--seed -1: a seed is a whole number from 0 to 18446744073709551615",
        ),
        (
            ("--cases", "10", "--from", "2016-01-01", "--to", "9999-12-31"),
            "--to 9999-12-31 is outside the calendar's range 2000-01-01..2030-12-31",
        ),
        (("--cases", "10", "--from", "2016-02-01", "--to", "2016-01-31"), "before --from"),
        (
            ("--cases", "10", "--from", "2016-01-01", "--to", "2016-01-31", "-P", "decide=x:0.1"),
            "no outcome 'x'; allowed: grant, refuse",
        ),
        (
            ("--cases", "10", "--from", "2016-01-01", "--to", "2016-01-31", "-P", "decide"),
            "expected STEP=OUTCOME:P",
        ),
        (
            ("--cases", "10", "--from", "2016-13-01", "--to", "2016-01-31"),
            "--from 2016-13-01 is an impossible date: there is no month 13",
        ),
    ],
)
def test_usage_errors(args: tuple[str, ...], message: str) -> None:
    code, out, err = run("simulate", "synthetic-ten", "-p", SYNTHETIC, *args)
    assert code == 2
    assert out == ""
    assert err.startswith("error: ") and message in err
    assert len(err.strip().splitlines()) == 1
