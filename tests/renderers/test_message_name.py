"""``validate`` warns, once per file, when steps a message may name have no ``message_name``
(the message then names them by the act's action); a warning leaves the file valid."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from reglament.cli import app
from reglament.loader import BUNDLED, load, load_file, load_library
from reglament.loader.templates import named_steps

EVERY_EVENT = (
    Path(__file__).resolve().parent.parent / "fixtures" / "notifications" / "every-event.yaml"
)
REVIEW = "    action: {kk: құжаттарды қарайды,"
NAMED = (
    "    message_name: {kk: құжаттарды қарау, ru: рассмотрение документов, en: the review}\n"
    + REVIEW
)


def _copy(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "named.yaml"
    path.write_text(text, "utf-8")
    return path


def test_steps_named_in_messages_are_those_of_the_step_events() -> None:
    # every-event sends step_overdue and term_at_risk for any step: every task and decision
    assert named_steps(load(EVERY_EVENT)) == ["register", "query", "review", "issue"]


def test_one_warning_names_the_steps_without_a_message_name(tmp_path: Path) -> None:
    text = EVERY_EVENT.read_text("utf-8")
    assert text.count(REVIEW) == 1
    path = _copy(tmp_path, text.replace(REVIEW, NAMED))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output  # a warning: still valid
    assert result.stdout.splitlines() == ["1 file(s) checked: all valid (1 reglaments)."]
    warned = [line for line in result.stderr.splitlines() if "message_name" in line]
    assert warned == [
        f"{path}:54:1: warning: 3 step(s) named in notifications have no message_name, so "
        "their messages name them by the act's action: register, query, issue (steps)"
    ]
    document = json.loads(
        CliRunner().invoke(app, ["validate", str(path), "--format", "json"]).stdout
    )
    assert document["ok"] is True
    assert [w["code"] for w in document["warnings"]] == ["message-name"]


def test_no_warning_when_every_named_step_has_one(tmp_path: Path) -> None:
    text = EVERY_EVENT.read_text("utf-8")
    for action in (
        "өтінішті тіркейді",
        "мәліметтерді сұратады",
        "құжаттарды қарайды",
        "анықтаманы береді",
    ):
        text = text.replace(
            f"    action: {{kk: {action},",
            f"    message_name: {{kk: x, ru: x, en: x}}\n    action: {{kk: {action},",
        )
    loaded = load_file(_copy(tmp_path, text))
    assert loaded.ok
    assert [w.code for w in loaded.warnings] == []


def test_a_message_name_replaces_the_action_in_messages(tmp_path: Path) -> None:
    path = _copy(tmp_path, EVERY_EVENT.read_text("utf-8").replace(REVIEW, NAMED))
    command = ["render", "every-event", "--path", str(path), "--event", "step_started"]
    result = CliRunner().invoke(
        app, [*command, "--lang", "ru", "--medium", "cabinet", "--data", "data_found=true"]
    )
    assert result.exit_code == 0, result.output
    assert "Действие: рассмотрение документов" in result.stdout
    assert "рассматривает документы" not in result.stdout


def test_no_bundled_file_has_a_step_without_its_message_name() -> None:
    library = load_library([BUNDLED])
    assert library.ok
    found = [
        (loaded.path.relative_to(BUNDLED), w.message)
        for loaded in library.files
        for w in loaded.warnings
        if w.code == "message-name"
    ]
    # every bundled file gives every step a message may name its message_name
    assert len(library.files) == 26
    assert found == []
