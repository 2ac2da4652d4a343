"""A reglament's own templates: rendered in place of the built-in ones inside each medium's
layout, and checked before any case runs, every problem at its place in the file."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from reglament.cli import app
from reglament.engine import Engine, Notice
from reglament.engine.simulate import Timeline, simulate
from reglament.errors import UsageError
from reglament.loader import load, load_file
from reglament.renderers import notifications
from reglament.schemas import Event, Language, Medium, Recipient, Template, Text

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURES = Path("tests/fixtures/notifications")  # relative: messages show paths as given
MONDAY = dt.datetime(2024, 12, 2, 10, 0, tzinfo=ZoneInfo("Asia/Almaty"))


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _granted(name: str) -> tuple[Engine, Timeline, dict[Event, Notice]]:
    engine = Engine(load(FIXTURES / name))
    timeline = simulate(
        engine, MONDAY, "office", data={"data_found": True}, answers={"review": "grant"}
    )
    notices = {n.notification.on: n for n in engine.notices(timeline.case)}
    return engine, timeline, notices


def test_good_overrides_pass_the_check() -> None:
    loaded = load_file(FIXTURES / "overrides.yaml")
    assert loaded.reglament is not None and loaded.ok
    checked = notifications.check_templates(loaded.reglament, loaded.document)
    assert checked.problems == [] and checked.warnings == []


def test_an_override_replaces_the_words_and_keeps_the_layout() -> None:
    engine, timeline, notices = _granted("overrides.yaml")
    case, notice = timeline.case, notices[Event.accepted]
    email = notifications.render(engine, case, notice, "ru", "email", timeline=timeline)
    receipt = notifications.receipt_number(case)
    assert email.own and email.template == "accepted"
    assert email.subject == f"Талон № {receipt}"
    assert email.body == (
        "Уважаемый услугополучатель!\n\n"
        "Ваши документы приняты (2 декабря 2024 г., 10:00).\n"
        "Справку можно получить с 9 декабря 2024 г.: жилищный отдел.\n\n"
        "Это сообщение отправлено автоматически, не отвечайте на него.\n"
        "Жилищный отдел"
    )
    sms = notifications.render(engine, case, notice, "kk", "sms", timeline=timeline)
    assert sms.body == f"Талон № {receipt}: анықтама 2024 жылғы 9 желтоқсан дайын болады."
    letter = notifications.render(engine, case, notice, "en", "letter", timeline=timeline)
    assert f"Receipt No. {receipt}\n\nDear applicant," in letter.body


def test_an_override_of_an_event_with_an_underscore() -> None:
    engine, timeline, notices = _granted("overrides.yaml")
    case, notice = timeline.case, notices[Event.result_ready]
    email = notifications.render(engine, case, notice, "en", "email", timeline=timeline)
    assert email.own and email.template == "result_ready"
    assert "\n\nThe certificate is ready. Collect it at the housing department.\n\n" in email.body


def test_an_override_of_its_own_name_without_subject_or_sms() -> None:
    engine, timeline, notices = _granted("overrides.yaml")
    case, notice = timeline.case, notices[Event.step_completed]
    cabinet = notifications.render(engine, case, notice, "kk", "cabinet", timeline=timeline)
    assert cabinet.template == "decision-made" and cabinet.own
    # the subject is the built-in one of the event; the SMS is the body on one line
    assert (
        cabinet.subject
        == f"Өтінішті қарау бойынша іс-қимыл аяқталды, № {notifications.receipt_number(case)}"
    )
    assert cabinet.body == "Шешім қабылданды: анықтама беріледі."
    sms = notifications.render(engine, case, notice, "en", "sms", timeline=timeline)
    assert sms.body == "A decision has been taken: the certificate is granted."


BAD = "tests/fixtures/notifications/bad-overrides.yaml"
EXPECTED = [
    f"{BAD}:9:30: the built-in template 'step_overdue' reads 'actor', 'step', 'step_due', "
    "'step_due_numeric', which notices on accepted do not provide (notifications[3].template)",
    f"{BAD}:13:7: template 'accepted' has no ru body, but notifications[0] is sent in kk, ru, en "
    "(templates.accepted.body)",
    f"{BAD}:17:11: template 'refusal-letter' (kk) reads 'step', which notices on refused do not "
    "provide (provided: "
    + ", ".join(sorted(notifications.PROVIDED[Event.refused]))
    + ") (templates.refusal-letter.body.kk)",
    f"{BAD}:18:11: template 'refusal-letter' (ru): line 1: unexpected end of template, "
    "expected 'end of statement block'. (templates.refusal-letter.body.ru)",
    f"{BAD}:33:11: template 'unused' (en) reads 'nonsense', which no notice provides (provided: "
    + ", ".join(sorted(notifications.ALL_VARIABLES))
    + ") (templates.unused.body.en)",
]
WARNING = (
    f"{BAD}:26:11: warning: the SMS of template 'chatty' (kk) needs 3 segments (UCS-2, 189 "
    "units) at its longest; at most 2 segments are wanted (templates.chatty.sms.kk)"
)


def test_bad_overrides_are_positioned_problems() -> None:
    loaded = load_file(Path(BAD))
    assert loaded.reglament is not None
    checked = notifications.check_templates(loaded.reglament, loaded.document)
    assert [str(p) for p in checked.problems] == EXPECTED
    assert [str(p) for p in checked.warnings] == [WARNING]
    # the loader's last pass is this check: the file is invalid for every command
    assert not loaded.ok
    assert [str(p) for p in loaded.problems] == EXPECTED
    assert [str(p) for p in loaded.warnings] == [WARNING]
    assert {p.code for p in checked.problems} == {"template"}
    assert {p.code for p in checked.warnings} == {"sms-length"}


def test_validate_fails_on_bad_overrides_and_warns_on_long_sms() -> None:
    result = CliRunner().invoke(app, ["validate", BAD])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        *EXPECTED,
        "1 file(s) checked: 0 valid, 1 invalid; 5 problem(s) found.",
    ]
    assert result.stderr.splitlines() == [WARNING, *NOTES]


NOTES = [  # the size of each template sent by SMS (validate's notes), chatty's 3 segments too
    f"{BAD}:26:11: note: the SMS of template 'chatty' (kk) takes 3 segments (UCS-2, 189 units) "
    "at its longest (templates.chatty.sms.kk)",
    f"{BAD}:29:11: note: the SMS of template 'chatty' (ru) takes 1 segment (UCS-2, 51 units) "
    "at its longest (templates.chatty.sms.ru)",
    f"{BAD}:30:11: note: the SMS of template 'chatty' (en) takes 1 segment (GSM-7, 57 units) "
    "at its longest (templates.chatty.sms.en)",
]


def test_validate_reports_the_size_of_each_sms_template_of_its_own() -> None:
    """overrides.yaml's own SMS (accepted) and its body on one line (decision-made): each
    measured at its longest, in text (a note per template and language) and JSON."""
    path = str(FIXTURES / "overrides.yaml")
    result = CliRunner().invoke(app, ["validate", path])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["1 file(s) checked: all valid (1 reglaments)."]
    notes = [line for line in result.stderr.splitlines() if ": note: " in line]
    assert notes[0] == (
        f"{path}:27:11: note: the SMS of template 'accepted' (kk) takes 2 segments "
        "(UCS-2, 75 units) at its longest (templates.accepted.sms.kk)"
    )
    assert [n.split(" note: ")[1].split(" takes")[0] for n in notes] == [
        f"the SMS of template {name!r} ({lang})"
        for name in ("accepted", "decision-made")
        for lang in ("kk", "ru", "en")
    ]
    document = json.loads(CliRunner().invoke(app, ["validate", path, "--format", "json"]).stdout)
    sizes = document["files"][0]["sms"]
    assert sizes[0] == {
        "file": path,
        "line": 27,
        "column": 11,
        "path": "templates.accepted.sms.kk",
        "template": "accepted",
        "language": "kk",
        "encoding": "UCS-2",
        "units": 75,
        "segments": 2,
    }
    assert [(s["template"], s["segments"]) for s in sizes[3:]] == [("decision-made", 1)] * 3


def test_validate_reports_one_segment_for_every_builtin_sms() -> None:
    """Every built-in template, sent by SMS (every-event.yaml: each event via sms), takes one
    segment in each language at its longest, with the sample's 19-character receipt number."""
    result = CliRunner().invoke(app, ["validate", str(FIXTURES / "every-event.yaml")])
    assert result.exit_code == 0, result.output
    document = json.loads(
        CliRunner()
        .invoke(app, ["validate", str(FIXTURES / "every-event.yaml"), "--format", "json"])
        .stdout
    )
    sizes = document["files"][0]["sms"]
    reglament = load(FIXTURES / "every-event.yaml")
    assert len(notifications.SAMPLE_RECEIPT) == 19  # e.g. ATY-20121228-B87D21
    assert [(s["template"], s["language"]) for s in sizes] == [
        (n.on.value, lang) for n in reglament.notifications for lang in ("en", "kk", "ru")
    ]
    assert len(sizes) == 30
    assert {s["path"].split(".")[-1] for s in sizes} == {"via"}
    assert [s for s in sizes if s["segments"] != 1] == []
    assert {s["encoding"] for s in sizes if s["language"] != "en"} == {"UCS-2"}
    notes = [line for line in result.stderr.splitlines() if ": note: " in line]
    assert len(notes) == 30
    assert all(" takes 1 segment (" in note for note in notes)


def test_validate_json_lists_warnings() -> None:
    result = CliRunner().invoke(app, ["validate", BAD, "--format", "json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert [w["code"] for w in document["warnings"]] == ["sms-length"]
    assert len(document["files"][0]["problems"]) == 5


def test_a_long_sms_alone_is_only_a_warning(tmp_path: Path) -> None:
    text = (ROOT / BAD).read_text("utf-8")
    fixed = text.replace(
        "      ru: \"{% if grounds %}Основания: {{ grounds | join(', ') }}{% endif\"",
        "      ru: \"{{ grounds | join(', ') }}\"",
    )
    fixed = fixed.replace(
        '      kk: "Бас тартылды. Қадам: {{ step }}"', '      kk: "Бас тартылды."'
    )
    fixed = fixed.replace('      en: "{{ nonsense }}"', '      en: "{{ service }}"')
    fixed = fixed.replace(
        "  - {on: accepted, template: step_overdue, to: [applicant], via: [letter]}\n", ""
    )
    fixed = fixed.replace(
        "  accepted:\n    body:\n", '  accepted:\n    body:\n      ru: "Принято: {{ receipt }}"\n'
    )
    (tmp_path / "every-event.yaml").write_text(
        (ROOT / FIXTURES / "every-event.yaml").read_text("utf-8"), "utf-8"
    )
    path = tmp_path / "warned.yaml"
    path.write_text(fixed, "utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "all valid" in result.stdout
    assert "warning: the SMS of template 'chatty' (kk) needs 3 segments" in result.stderr


def test_rendering_a_language_the_override_lacks_is_one_clear_error() -> None:
    # the file is invalid (load refuses it, and so does every command): its model is run here
    # directly, to show that the renderer still says what is missing
    reglament = load_file(Path(BAD)).reglament
    assert reglament is not None
    engine = Engine(reglament)
    timeline = simulate(engine, MONDAY, "office", data={"data_found": True})
    notice = next(n for n in engine.notices(timeline.case) if n.notification.on is Event.accepted)
    with pytest.raises(UsageError, match=r"^template 'accepted' has no ru body \(it has kk, en\)$"):
        notifications.render(engine, timeline.case, notice, "ru", "letter", timeline=timeline)


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("{{ receipt.__class__ }}", "access to attribute '__class__' of 'str' object is unsafe"),
        ("{{ grounds.append(1) }}", "unsafe"),
        ("{{ range(10**9) | list }}", "range() of more than 100,000 numbers"),
        ("{{ 1 / 0 }}", "ZeroDivisionError"),
        ("{{ service.nope }}", "'str object' has no attribute 'nope'"),
    ],
)
def test_templates_run_in_a_sandbox_and_fail_clearly(source: str, error: str) -> None:
    engine = Engine(load(FIXTURES / "every-event.yaml"))
    timeline = simulate(
        engine, MONDAY, "office", data={"data_found": True}, answers={"review": "refuse"}
    )
    notice = next(n for n in engine.notices(timeline.case) if n.notification.on is Event.refused)
    fact = notifications.facts(engine, timeline.case, notice, timeline=timeline)
    reglament = engine.reglament.model_copy(
        update={"templates": {notice.notification.on.value: Template(body=Text(en=source))}}
    )
    with pytest.raises(UsageError, match="fails: .*" + re.escape(error)):
        notifications.compose(
            reglament,
            notice.notification.on.value,
            fact,
            Language.en,
            Medium.email,
            Recipient.applicant,
        )
