"""A simulated case in every format `simulate --format` offers: the table's colours, the
standalone HTML page (escaped, self-contained, one golden file), the JSON and its published
schema (generated, shipped, current, and met by every golden scenario), the Gantt chart."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner, Result

from reglament.cli import app
from reglament.engine import Engine
from reglament.engine.simulate import simulate as simulate_case
from reglament.loader import load
from reglament.renderers import diagrams, timeline_html
from reglament.schemas.timeline import TIMELINE_SCHEMA_FILE, timeline_schema_text
from tests.engine.test_golden import SCENARIOS

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "timelines"
UPDATE = os.environ.get("REGLAMENT_UPDATE_GOLDEN") == "1"
NASTY = str(ROOT / "tests" / "diagrams" / "nasty.yaml")
RED, YELLOW, GREEN, RESET = "\x1b[31m", "\x1b[33m", "\x1b[32m", "\x1b[0m"

runner = CliRunner()


def simulate(*args: str) -> Result:
    result = runner.invoke(app, ["simulate", *args])
    assert result.exit_code == 0, result.output
    return result


# -- JSON and its schema --------------------------------------------------------------------


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(TIMELINE_SCHEMA_FILE.read_text("utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_the_shipped_timeline_schema_is_up_to_date() -> None:
    assert TIMELINE_SCHEMA_FILE.read_text("utf-8") == timeline_schema_text(), (
        f"{TIMELINE_SCHEMA_FILE.relative_to(ROOT)} is stale: run `make schema` and commit it"
    )
    assert runner.invoke(app, ["schema", "--timeline"]).stdout == timeline_schema_text()


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_golden_scenario_meets_the_schema(name: str, validator: Draft202012Validator) -> None:
    data = json.loads(simulate(*SCENARIOS[name], "--format", "json").stdout)
    assert [e.message for e in validator.iter_errors(data)] == []
    assert data["steps"], "a scenario has steps"


def test_the_schema_is_closed_and_complete(validator: Draft202012Validator) -> None:
    data = json.loads(simulate(*SCENARIOS["semey-before-new-year"], "-f", "json").stdout)
    assert validator.is_valid(data)
    assert not validator.is_valid({**data, "surprise": 1})
    assert not validator.is_valid({k: v for k, v in data.items() if k != "term"})
    step = data["steps"][0]
    assert not validator.is_valid({**data, "steps": [{**step, "start": "yesterday"}]})
    assert not validator.is_valid({**data, "steps": [{**step, "due": 5}]})


# -- the table's colours --------------------------------------------------------------------


def _late_case(*extra: str) -> Result:
    # register may take 30 minutes; it took 2 hours: late
    return simulate(
        "semey-compensation",
        "-v",
        "certificate",
        "-s",
        "2015-11-16 10:00",
        "--actual",
        "register=2h",
        *extra,
    )


def test_no_colour_unless_asked_or_on_a_terminal() -> None:
    assert "\x1b[" not in _late_case().stdout  # CliRunner's stdout is no terminal
    plain = _late_case("--no-color").stdout
    assert "\x1b[" not in plain
    # without colour, a late step is still marked, in words
    (register,) = [line for line in plain.splitlines() if line.startswith("register ")]
    assert register.endswith("[actual, late]")
    assert not any(line.startswith("review ") and "late" in line for line in plain.splitlines())
    markdown = _late_case("--format", "markdown").stdout
    assert "| register |" in markdown and "(actual, late) |" in markdown


def test_colours_mark_late_and_untimed_steps_and_the_verdict() -> None:
    late = _late_case("--color").stdout.splitlines()
    (register,) = [line for line in late if line.startswith(f"{RED}register ")]
    assert register.endswith(f"[actual, late]{RESET}")
    assert not any(line.startswith(f"{RED}review ") for line in late)
    untimed = simulate(
        "semey-compensation", "-v", "compensation", "-s", "2016-03-04 11:00", "--color"
    ).stdout
    assert f"{YELLOW}process " in untimed and f"{YELLOW}ztmo-pay " in untimed
    broken = simulate(*SCENARIOS["atyrau-child-benefit-new-year"], "--color").stdout
    assert f"{RED}ended at issued on Mon 2013-01-21 18:00; legal term" in broken
    met = simulate(*SCENARIOS["guardianship-new-year-after-hours"], "--color").stdout
    assert re.search(rf"{re.escape(GREEN)}ended at .*: met{re.escape(RESET)}", met)


def test_terminal_colour_follows_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("reglament.cli._terminal", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert RED in _late_case().stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in _late_case().stdout
    assert RED in _late_case("--color").stdout
    monkeypatch.setenv("NO_COLOR", "")  # empty: as if unset (no-color.org)
    assert RED in _late_case().stdout


# -- the HTML page --------------------------------------------------------------------------


class _Checker(HTMLParser):
    """Tags balanced (void elements aside); records every tag and attribute."""

    VOID = frozenset({"meta", "br", "hr", "img", "link", "input"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += attrs
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _checked(page: str) -> _Checker:
    checker = _Checker()
    checker.feed(page)
    checker.close()
    assert checker.open == [], f"unclosed: {checker.open}"
    return checker


def test_the_html_page_stands_alone() -> None:
    page = simulate(*SCENARIOS["atyrau-child-benefit-new-year"], "-f", "html").stdout
    assert page.startswith("<!doctype html>\n") and page.endswith("</html>\n")
    checker = _checked(page)
    assert "script" not in checker.tags and "link" not in checker.tags and "img" not in checker.tags
    assert not [a for a in checker.attributes if a[1] and re.search(r"https?:|//", a[1])]
    text = "".join(checker.text)
    assert "legal term 10 working days due Wed 2013-01-16 18:00: BROKEN" in text
    assert 'class="verdict broken"' in page


def test_the_html_page_escapes_every_text() -> None:
    reglament = load(Path(NASTY))
    engine = Engine(reglament)
    at = dt.datetime(2020, 1, 6, 10, 0, tzinfo=ZoneInfo("Asia/Almaty"))
    data = {"kind": "#quot; &amp; #35; ##"}
    timeline = simulate_case(engine, at, "office", "standard", data, {"x": "timeout"})
    hostile = ' (chosen because <script>alert("x")</script> & "quotes" \'too\')'
    page = timeline_html.as_html(timeline, hostile)
    checker = _checked(page)
    assert "script" not in checker.tags
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;" in page
    assert hostile.strip(" ()") in "".join(checker.text)  # shown exactly as written


def test_golden_html_page() -> None:
    """One page kept as a golden file: its look is reviewed as a diff."""
    page = simulate(*SCENARIOS["semey-before-new-year"], "-f", "html").stdout
    path = GOLDEN / "semey-before-new-year.html"
    if UPDATE:
        path.write_text(page, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run 'make golden' and review it"
    assert page == path.read_text(encoding="utf-8")


# -- Gantt and the many-case report ---------------------------------------------------------


def test_gantt_of_one_case() -> None:
    text = simulate(*SCENARIOS["atyrau-child-benefit-new-year"], "-f", "gantt").stdout
    assert text.startswith("gantt\n")
    assert "    review :s3, 2012-12-29 09:10, 2013-01-17 18:00\n" in text
    assert (
        "    weekend, Orthodox Christmas :done, off2, 2013-01-05 00:00, 2013-01-08 00:00\n" in text
    )
    assert "    10 working days (broken) :crit, term, 2012-12-28 17:40, 2013-01-16 18:00\n" in text


def test_gantt_marks_late_and_untimed_steps() -> None:
    late = _late_case("-f", "gantt").stdout
    assert "    register (late) :crit, s1, 2015-11-16 10:00, 2015-11-16 12:00\n" in late
    untimed = simulate(
        "semey-compensation", "-v", "compensation", "-s", "2016-03-04 11:00", "-f", "gantt"
    ).stdout
    assert "process (no time in the act) :active, milestone, s3," in untimed
    assert "ended at paid (at the earliest) :milestone, end," in untimed


@pytest.mark.parametrize("output", ["html", "gantt"])
def test_one_case_formats_refuse_many_cases(output: str) -> None:
    result = runner.invoke(
        app,
        ["simulate", "semey-compensation", "-n", "10", "--from", "2015-11-02", "--to",
         "2015-11-30", "-f", output],
    )  # fmt: skip
    assert result.exit_code == 2
    assert f"--format {output} shows one case" in result.stderr


def test_gantt_defaults_to_the_kazakh_calendar() -> None:
    reglament = load(
        ROOT / "reglament" / "reglaments" / "karaganda-2015" / "semey-compensation.yaml"
    )
    engine = Engine(reglament)
    at = dt.datetime(2015, 12, 14, 17, 45, tzinfo=ZoneInfo("Asia/Almaty"))
    timeline = simulate_case(engine, at, "office", "recognition")
    text = diagrams.mermaid_gantt(timeline)
    assert text == diagrams.mermaid_gantt(timeline, engine.compiled.calendar)
    assert "    Independence Day :done, off1, 2015-12-16 00:00, 2015-12-18 00:00\n" in text
