"""`reglament render`: the notifications of one event on a simulated case, and its errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from reglament.cli import app

ROOT = Path(__file__).resolve().parent.parent.parent
SEMEY = ["semey-compensation", "--submitted", "2015-12-14 17:45"]


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _run(*args: str) -> Result:
    result = CliRunner().invoke(app, ["render", *args])
    assert "Traceback" not in result.output
    return result


def test_an_sms_on_request() -> None:
    result = _run(*SEMEY, "--event", "accepted", "--lang", "kk", "--medium", "sms")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Өтініш № KAR-20151214-6A17D6 қабылданды. Болжамды мерзімі: 18.01.2016\n"
    )
    assert result.stderr.splitlines() == [
        "note: this notification is declared via letter; rendered as sms on request",
        "note: the SMS takes 1 segment (UCS-2, 69 units)",
    ]


def test_defaults_are_the_notifications_first_language_and_medium() -> None:
    result = _run(*SEMEY, "--event", "accepted")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # the office channel's letterhead: one body, not the act's role word for the provider
    assert lines[0] == "Ауданның (облыстық маңызы бар қаланың) жергілікті атқарушы органы"
    assert "Құрметті көрсетілетін қызметті алушы!" in lines and lines[-3] == "Құрметпен,"
    assert result.stderr == ""


def test_the_application_channel_is_channel_as_in_simulate() -> None:
    args = ["semey-compensation", "--variant", "certificate", "--event", "data_unavailable"]
    for option in ("--channel", "-c"):
        result = _run(*args, option, "con", "--answer", "con-check-data=missing", "--lang", "en")
        assert result.exit_code == 0, result.output
        assert "Your data could not be obtained" in result.stdout
        assert result.stderr == ""


def test_old_names_of_the_channel_still_work_for_one_release() -> None:
    args = ["semey-compensation", "--variant", "certificate", "--event", "data_unavailable"]
    for option in ("--via", "--applied-via"):
        result = _run(*args, option, "con", "--answer", "con-check-data=missing", "--lang", "en")
        assert result.exit_code == 0, result.output
        assert "Your data could not be obtained" in result.stdout
        assert result.stderr.splitlines()[0] == (
            "note: --via is now --channel; the old name goes in the next release"
        )
    both = _run(*args, "--via", "con", "--channel", "office")
    assert both.exit_code == 2
    assert both.stderr == "error: --channel and --via are one option: give --channel only\n"


def test_an_overdue_step_to_each_recipient() -> None:
    args = [*SEMEY, "--event", "step_overdue", "--lang", "en", "--actual", "review=3wd"]
    both = _run(*args)
    assert both.exit_code == 0, both.output
    assert both.stdout.count("--- to ") == 2
    assert both.stdout.startswith(
        "--- to actor, step review ---\nSubject: Time allowed for a step has run out"
    )
    head = _run(*args, "--to", "head")
    assert head.exit_code == 0 and "--- to" not in head.stdout
    assert head.stdout.startswith(
        "Subject: Time allowed for a step has run out on application No. KAR-"
    )
    assert "A step was not completed within the time allowed." in head.stdout


def test_json() -> None:
    result = _run(*SEMEY, "--event", "accepted", "--lang", "en", "--medium", "sms", "-f", "json")
    assert result.exit_code == 0, result.output
    [message] = json.loads(result.stdout)
    assert message["event"] == "accepted" and message["medium"] == "sms"
    assert message["sms"] == {"encoding": "GSM-7", "units": 76, "segments": 1}
    assert message["body"].startswith("Application No. KAR-20151214-6A17D6 accepted.")


def test_a_language_the_act_lacks_is_rendered_with_a_note() -> None:
    result = _run(*SEMEY, "--event", "accepted", "--lang", "ru", "--medium", "email")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Тема: Ваше заявление принято, № KAR-20151214-6A17D6\n")
    assert result.stderr.splitlines()[0] == (
        "note: this notification is declared via letter; rendered as email on request"
    )
    assert (
        "note: the ru text of the service's title, provider, channel's name, letterhead, "
        "variant's name, result's name is our translation, not the act's"
    ) in result.stderr


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            [*SEMEY, "--event", "term_at_risk"],
            "error: semey-compensation declares no notification on term_at_risk; it declares: "
            "accepted, data_unavailable, refused, result_ready, step_overdue",
        ),
        (
            [*SEMEY, "--event", "step_overdue"],
            "error: no step_overdue notification on this path (channel office, variant "
            "recognition) (every step takes its allowed time: make one late with --actual "
            "STEP=DURATION); notified on this path: accepted, result_ready",
        ),
        (
            [*SEMEY, "--event", "refused"],
            "error: no refused notification on this path (channel office, variant recognition) "
            "(choose another path with --channel, --variant, --answer or --data); notified on this "
            "path: accepted, result_ready",
        ),
        (
            [*SEMEY, "--event", "overdue"],
            "error: unknown event 'overdue'; did you mean 'step_overdue'? events: accepted, "
            "step_started, step_completed, "
            "step_overdue, term_at_risk, suspended, resumed, data_unavailable, refused, "
            "result_ready",
        ),
        (
            [*SEMEY, "--event", "step_overdue", "--actual", "review=3wd", "--to", "applicant"],
            "error: no step_overdue notification goes to applicant; recipients: actor, head",
        ),
        (
            ["no-such-service", "--event", "accepted"],
            "error: no reglament 'no-such-service'; known: ",
        ),
        (
            [*SEMEY, "--event", "accepted", "--channel", "fax"],
            "error: unknown channel 'fax' for semey-compensation; channels: office, con, ztmo",
        ),
    ],
)
def test_usage_errors_are_one_line_exit_2(args: list[str], error: str) -> None:
    result = _run(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(error)


def test_a_bad_choice_of_language_is_a_usage_error() -> None:
    result = _run(*SEMEY, "--event", "accepted", "--lang", "de")
    assert result.exit_code == 2


def test_invalid_templates_stop_rendering_with_exit_1() -> None:
    result = _run(
        "bad-overrides",
        "--path",
        "tests/fixtures/notifications/bad-overrides.yaml",
        "--event",
        "accepted",
        "--data",
        "data_found=true",
    )
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 5
    assert all(
        line.startswith("error: tests/fixtures/notifications/bad-overrides.yaml:") for line in lines
    )


def test_a_reglaments_own_template_through_the_cli() -> None:
    result = _run(
        "with-overrides",
        "--path",
        "tests/fixtures/notifications/overrides.yaml",
        "--event",
        "accepted",
        "--lang",
        "en",
        "--medium",
        "sms",
        "--submitted",
        "2024-12-02 10:00",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Receipt No. AST-20241202-")
    assert result.stdout.endswith(": the certificate will be ready on 9 December 2024.\n")
