"""`reglament import-bpmn`: processes as modelers draw them (tests/bpmn/drawn: Camunda Modeler's
with lanes, user, service and receive tasks, a gateway with JUEL conditions, a boundary timer,
an error end, a parallel block with a timer in a branch; bpmn.io's with an event-based gateway,
a sub-process, a message flow, a signal, data objects and an annotation; the bench's real
bench/ten_steps.bpmn) become skeletons whose every empty place `validate` names at its own line,
and which validate once those places are filled."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from reglament.cli import app
from reglament.loader import load_file
from reglament.loader.bpmn import import_bpmn
from reglament.loader.bpmn_map import duration, language, slug
from reglament.source.yaml_writer import Fill, dump

ROOT = Path(__file__).resolve().parents[2]
DRAWN = Path("tests/bpmn/drawn")
CAMUNDA = DRAWN / "camunda.bpmn"
BPMNIO = DRAWN / "bpmnio.bpmn"
TEN = Path("bench/ten_steps.bpmn")


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _run(*args: str) -> Any:
    result = CliRunner().invoke(app, ["import-bpmn", *args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def test_a_camunda_drawing_maps_whole(tmp_path: Path) -> None:
    out = tmp_path / "certificate.yaml"
    result = _run(str(CAMUNDA), "--id", "certificate", "--region", "karaganda", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{CAMUNDA}: skeleton written to {out}: 13 place(s) to fill"
    ]
    steps = import_bpmn(CAMUNDA, "certificate", "karaganda").data["steps"]
    assert list(steps) == [
        "task-accept",
        "task-check",
        "gateway-split",
        "task-bring",
        "gateway-join",
        "task-draft",
        "task-stamp",
        "endevent-refused",
        "task-issue",
        "event-pause",
        "endevent-issued",
    ]
    check = steps["task-check"]  # the task and the gateway after it: one decision
    assert check["kind"] == "decision"
    assert check["title"] == {"ru": "Документы полные?"}
    assert check["action"] == {"ru": "Проверка полноты документов"}
    assert check["outcomes"] == {
        "flow-complete": {
            "label": {"ru": "да"},
            "note": "the drawing's condition: ${documentsComplete}",
            "next": "gateway-split",
        },
        "flow-lacking": {
            "label": {"ru": "нет"},
            "note": "the drawing's condition: ${!documentsComplete}",
            "next": "task-bring",
        },
    }
    assert steps["task-accept"]["next"] == "task-check"  # through the merging gateway
    assert steps["task-bring"] == {
        "kind": "wait",
        "actor": "lane-applicant",
        "event": {"ru": "Услугополучатель приносит недостающие документы"},
        "next": "task-check",
        "limit": {"unit": "calendar_days", "value": 5, "note": "BPMN timer P5D"},
        "on_timeout": "endevent-refused",
    }
    assert steps["gateway-split"] == {
        "kind": "parallel",
        "branches": ["task-draft", "task-stamp"],
        "join": "gateway-join",
    }
    assert steps["event-pause"]["limit"] == {"unit": "hours", "value": 2, "note": "BPMN timer PT2H"}
    assert steps["endevent-refused"]["outcome"] == "refusal"  # its errorCode
    assert isinstance(steps["endevent-issued"]["outcome"], Fill)


def _fill_lines(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), 1) if "# TO FILL:" in line]


@pytest.mark.parametrize(
    ("drawing", "region", "fills"), [(CAMUNDA, "karaganda", 13), (TEN, "zhambyl", 34)]
)
def test_validate_names_each_place_to_fill_at_its_line(
    drawing: Path, region: str, fills: int, tmp_path: Path
) -> None:
    out = tmp_path / "skeleton.yaml"
    assert _run(str(drawing), "--id", "drawn", "--region", region, "-o", str(out)).exit_code == 0
    lines = _fill_lines(out.read_text("utf-8"))
    assert len(lines) == fills
    result = CliRunner().invoke(app, ["validate", str(out)])
    assert result.exit_code == 1
    problems = result.stdout.splitlines()[:-1]
    assert [int(p.split(":")[1]) for p in problems] == lines  # one problem per place, in order
    for problem in problems:  # the key and what was found, never a union's internal tag
        assert re.search(r"\((\w|[.\-\[\]])+\)$", problem), problem
        assert "got nothing (null)" in problem or "nothing (null) is not allowed" in problem
        assert "'one'" not in problem and "'list'" not in problem


_FILLED = {
    "title": {"en": "a service"},
    "act": {"number": "1", "date": "2020-01-01"},
    "seed": "000_2e4deee796d008ba.txt",
    "lines": "52-183",
    "from": "2020-01-01",
    "provider": {"en": "the provider"},
    "results": {"certificate": {"kind": "certificate", "text": {"en": "a certificate"}}},
    "type": "bool",
    "kind": "office",
    "name": {"en": "a name"},
    "duration": {"unit": "working_days", "value": 1},
    "outcome": "other",
}


def _filled(value: Any, key: str = "", actors: tuple[str, ...] = ()) -> Any:
    """The skeleton with each place filled as an analyst would (any valid value)."""
    if isinstance(value, Fill):
        if key == "actors":
            return {"clerk": {"name": {"en": "clerk"}}}
        if key == "actor":
            return actors[0] if actors else "clerk"
        return _FILLED[key]
    if isinstance(value, dict):
        return {k: _filled(v, k, actors) for k, v in value.items()}
    return value


@pytest.mark.parametrize(("drawing", "region"), [(CAMUNDA, "karaganda"), (TEN, "zhambyl")])
def test_the_skeleton_validates_once_its_places_are_filled(
    drawing: Path, region: str, tmp_path: Path
) -> None:
    data = import_bpmn(drawing, "drawn", region).data
    actors = tuple(data["actors"]) if isinstance(data["actors"], dict) else ()
    out = tmp_path / "filled.yaml"
    out.write_text(dump(_filled(data, actors=actors)), encoding="utf-8")
    loaded = load_file(out)
    assert loaded.ok, [str(p) for p in loaded.problems]


def test_what_cannot_be_mapped_is_listed_and_the_rest_still_written(tmp_path: Path) -> None:
    out = tmp_path / "social-help.yaml"
    result = _run(str(BPMNIO), "--id", "social-help", "--region", "zhambyl", "-o", str(out))
    assert result.exit_code == 1
    f = str(BPMNIO)
    assert result.stderr.splitlines() == [
        f"{f}:6:5: a message flow 'Flow_0msg' is not imported: a reglament has one participant; "
        "write what it carries as a notification or a wait",
        f"{f}:29:7: a data output on task 'Құжаттарды қарау' (Activity_0review) is not imported: "
        "a reglament's step runs once and its data are declared under data",
        f"{f}:50:5: a sub-process 'Бағалау' (Activity_0assess) is not imported: a reglament's "
        "steps are one flat procedure; draw its steps in the process",
        f"{f}:55:5: intermediateThrowEvent 'Хабар тарату' (Event_0signal): its signal is not "
        "imported: a reglament's events are messages awaited, time limits and ends",
        f"{f}:66:5: a data object 'Іс' (DataObjectReference_0file) is not imported: the case's "
        "data are declared under data",
        f"{f}:67:5: a data object 'DataObject_0file' is not imported: the case's data are "
        "declared under data",
        f"{f}:68:5: a text annotation 'TextAnnotation_0note' is not imported: write it as a note",
        f"{f}:71:5: an association 'Association_0a' is not imported: it links an annotation or "
        "data",
        f"{f}: skeleton written to {out}: 11 place(s) to fill; 8 element(s) not imported",
    ]
    text = out.read_text("utf-8")
    # the event-based gateway: the message awaited, the timer its limit and its way on
    assert "  gateway-0wait:\n    kind: wait\n" in text
    assert '    limit: {unit: minutes, value: 30, note: "BPMN timer PT30M"}\n' in text
    assert "    on_timeout: event-0late\n" in text
    assert (
        "    next: null  # TO FILL: where the case goes: the drawing leads to subProcess "
        "'Activity_0assess', which is not imported\n"
    ) in text


def test_the_region_is_taken_case_aside() -> None:
    assert import_bpmn(CAMUNDA, "x", "Karaganda").data["region"] == "karaganda"


def test_the_language_of_the_names_can_be_given() -> None:
    told = import_bpmn(BPMNIO, "x", "zhambyl", "kk").data
    assert told["actors"]["lane-0officer"]["name"] == {"kk": "Маман"}  # no Kazakh letter in it
    guessed = import_bpmn(BPMNIO, "x", "zhambyl").data
    assert guessed["actors"]["lane-0officer"]["name"] == {"ru": "Маман"}
    assert [language(w) for w in ("Құжаттар", "Документы", "Documents")] == ["kk", "ru", "en"]


def test_stdout_without_output_and_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    result = _run(str(CAMUNDA), "--id", "certificate", "--region", "karaganda")
    assert result.exit_code == 0
    assert result.stdout.startswith("# A reglament skeleton imported from tests/bpmn/drawn/")
    missing = tmp_path / "no-such-folder" / "out.yaml"
    result = _run(str(CAMUNDA), "--id", "certificate", "--region", "karaganda", "-o", str(missing))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {missing}: cannot write: No such file or directory"
    ]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--id", "Bad Id", "--region", "x"],
            "error: id 'Bad Id' is not a valid id (lower-case letters a-z, digits and '-')",
        ),
        (
            ["--id", "x", "--region", "North Kazakhstan"],
            "error: region 'north kazakhstan' is not a valid id (lower-case letters a-z, digits and '-')",
        ),
    ],
)
def test_an_id_that_is_not_one_is_a_usage_error(args: list[str], message: str) -> None:
    result = _run(str(CAMUNDA), *args)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [message]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P5D", {"unit": "calendar_days", "value": 5, "note": "BPMN timer P5D"}),
        ("P2W", {"unit": "calendar_days", "value": 14, "note": "BPMN timer P2W"}),
        ("PT2H", {"unit": "hours", "value": 2, "note": "BPMN timer PT2H"}),
        ("P1DT2H", {"unit": "hours", "value": 26, "note": "BPMN timer P1DT2H"}),
        ("PT1H30M", {"unit": "minutes", "value": 90, "note": "BPMN timer PT1H30M"}),
        ("10 working_days", {"unit": "working_days", "value": 10}),
        ("P1M", None),  # a month has no fixed length
        ("PT30S", None),
        ("P0D", None),
        ("PT", None),
        ("R3/PT1H", None),  # a cycle
        ("${timeout}", None),
    ],
)
def test_timer_durations(text: str, expected: dict[str, Any] | None) -> None:
    assert duration(text, None) == expected


def test_ids_from_bpmn_ids() -> None:
    assert slug("Activity_0x1abc") == "activity-0x1abc"
    assert slug("s_office_accept") == "s-office-accept"
    assert slug("Құжат") == ""


RG = 'xmlns:rg="https://github.com/reglament/reglament/bpmn/1"'


def test_rg_elements_decode_by_the_one_rule() -> None:
    from reglament.loader import bpmn_rg
    from reglament.source.xml_reader import parse

    step = parse(
        f"""<rg:step {RG} id="check" kind="task" actor="clerk">
          <rg:duration unit="working_days" value="17" counts_toward_term="false">
            <rg:raw><rg:kk>17 (он жеті) жұмыс күні</rg:kk></rg:raw>
          </rg:duration>
          <rg:notes><rg:item kind="unclear"><rg:text>The act says 17 and 15.</rg:text></rg:item></rg:notes>
          <rg:text translated="ru"><rg:kk>мәтін</rg:kk><rg:ru>текст</rg:ru></rg:text>
        </rg:step>""",
        "step.xml",
    )
    assert bpmn_rg.mapping(step) == {
        "id": "check",
        "kind": "task",
        "actor": "clerk",
        "duration": {
            "unit": "working_days",
            "value": 17,
            "counts_toward_term": False,
            "raw": {"kk": "17 (он жеті) жұмыс күні"},
        },
        "notes": [{"kind": "unclear", "text": "The act says 17 and 15."}],
        "text": {"translated": ["ru"], "kk": "мәтін", "ru": "текст"},  # a text, not a string
    }


def test_an_rg_value_of_the_wrong_type_is_refused_at_its_element(tmp_path: Path) -> None:
    drawn = tmp_path / "drawn.bpmn"
    drawn.write_text(
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        f'{RG} id="d">\n'
        '  <bpmn:process id="p">\n'
        '    <bpmn:task id="s_check"><bpmn:extensionElements>\n'
        '      <rg:step id="check" kind="task"><rg:duration unit="hours" value="ten"/></rg:step>\n'
        "    </bpmn:extensionElements></bpmn:task>\n"
        "  </bpmn:process>\n"
        "</bpmn:definitions>\n",
        encoding="utf-8",
    )
    result = _run(str(drawn), "--id", "x", "--region", "karaganda")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {drawn}:4:39: rg attribute value='ten' must be a whole number"
    ]


def test_a_wait_keeps_one_timer_and_lists_its_other_boundary_events(tmp_path: Path) -> None:
    drawn = tmp_path / "drawn.bpmn"
    drawn.write_text(
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">\n'
        '  <bpmn:process id="p">\n'
        '    <bpmn:startEvent id="start"/>\n'
        '    <bpmn:receiveTask id="answer" name="the answer comes"/>\n'
        '    <bpmn:boundaryEvent id="late" attachedToRef="answer">'
        "<bpmn:timerEventDefinition><bpmn:timeDuration>PT4H</bpmn:timeDuration>"
        "</bpmn:timerEventDefinition></bpmn:boundaryEvent>\n"
        '    <bpmn:boundaryEvent id="cancelled" attachedToRef="answer">'
        "<bpmn:messageEventDefinition/></bpmn:boundaryEvent>\n"
        '    <bpmn:endEvent id="done"/>\n'
        '    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="answer"/>\n'
        '    <bpmn:sequenceFlow id="f2" sourceRef="answer" targetRef="done"/>\n'
        '    <bpmn:sequenceFlow id="f3" sourceRef="late" targetRef="done"/>\n'
        '    <bpmn:sequenceFlow id="f4" sourceRef="cancelled" targetRef="done"/>\n'
        "  </bpmn:process>\n"
        "</bpmn:definitions>\n",
        encoding="utf-8",
    )
    skeleton = import_bpmn(drawn, "x", "karaganda")
    wait = skeleton.data["steps"]["answer"]
    assert wait["limit"] == {"unit": "hours", "value": 4, "note": "BPMN timer PT4H"}
    assert (wait["next"], wait["on_timeout"]) == ("done", "done")
    assert [str(p) for p in skeleton.left_out] == [
        f"{drawn}:6:5: boundary message event 'cancelled' on receiveTask 'the answer comes' "
        "(answer) is not imported with its path: a reglament's wait has one time limit and no "
        "other way out"
    ]


def test_drawn_names_come_on_one_line_without_control_characters(tmp_path: Path) -> None:
    drawn = tmp_path / "drawn.bpmn"
    drawn.write_text(
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">\n'
        '  <bpmn:process id="p"><bpmn:startEvent id="s"/>\n'
        '    <bpmn:task id="t" name="Приём&#10;документов\u0085 \u0090(1)\u2028"/>\n'
        '    <bpmn:sequenceFlow id="f" sourceRef="s" targetRef="t"/></bpmn:process>\n'
        "</bpmn:definitions>\n",
        encoding="utf-8",
    )
    out = tmp_path / "drawn.yaml"
    assert _run(str(drawn), "--id", "x", "--region", "karaganda", "-o", str(out)).exit_code == 0
    assert import_bpmn(drawn, "x", "karaganda").data["steps"]["t"]["title"] == {
        "ru": "Приём документов (1)"
    }
    problems = CliRunner().invoke(app, ["validate", str(out)]).stdout
    assert "control character" not in problems and "TO FILL" not in problems
