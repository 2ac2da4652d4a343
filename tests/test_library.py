"""The bundled library, ``extends``, the condition language, version selection and the CLI."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path

import pytest
from pydantic import BaseModel
from typer.testing import CliRunner

from reglament.cli import app
from reglament.errors import UsageError
from reglament.loader import BUNDLED, Library, load, load_file, load_library
from reglament.schemas import Text
from reglament.schemas.expr import ExprError, parse

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
FIXTURES = ROOT / "tests" / "fixtures"
MINIMAL = FIXTURES / "minimal.yaml"
BUNDLED_FILES = sorted(p for p in BUNDLED.rglob("*.yaml") if not p.name.startswith("_"))


def _id(path: Path) -> str:
    return str(path.relative_to(BUNDLED))


# -- every bundled reglament ---------------------------------------------------------------------


def test_the_library_is_not_empty() -> None:
    assert BUNDLED_FILES


@pytest.mark.parametrize("path", BUNDLED_FILES, ids=_id)
def test_bundled_reglament_is_valid(path: Path) -> None:
    loaded = load_file(path)
    assert [str(p) for p in loaded.problems] == []
    assert loaded.ok


@pytest.mark.parametrize("path", BUNDLED_FILES, ids=_id)
def test_bundled_reglament_cites_its_seed_lines(path: Path) -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"the seed texts are not here ({SEEDS} is absent)")
    reglament = load(path)
    seed = SEEDS / reglament.source.seed
    assert seed.is_file(), f"source.seed {reglament.source.seed!r} is not in {SEEDS}"
    count = len(seed.read_text(encoding="utf-8").splitlines())
    for part in reglament.source.lines.split(","):
        first, _, last = part.strip().partition("-")
        assert 1 <= int(first) <= int(last or first) <= count, (reglament.source.lines, count)


def _texts(value: object) -> list[Text]:
    if isinstance(value, Text):
        return [value]
    if isinstance(value, BaseModel):
        items: Iterable[object] = (getattr(value, name) for name in type(value).model_fields)
    elif isinstance(value, dict):
        items = value.values()
    elif isinstance(value, list | tuple):
        items = value
    else:
        return []
    return [text for item in items for text in _texts(item)]


@pytest.mark.parametrize("path", BUNDLED_FILES, ids=_id)
def test_every_text_has_a_language(path: Path) -> None:
    texts = _texts(load(path))
    assert texts
    assert all(text.languages() for text in texts)


# -- extends --------------------------------------------------------------------------------------


def test_extends_merges_mappings_and_removes_nulls() -> None:
    child = load(FIXTURES / "extends" / "child.yaml")
    base = load(FIXTURES / "extends" / "_base.yaml")
    assert (child.id, child.region) == ("child", "north")  # own value, then the middle base's
    assert child.extends == "_regional.yaml"  # the name of its own base
    assert base.form is not None and child.form is None  # removed by 'form: null'
    assert set(child.variants) == {"standard", "express"}  # mappings merge key by key
    assert child.effective.from_ == dt.date(2021, 1, 1)
    assert child.effective.until == dt.date(2022, 1, 1)
    assert [n.on.value for n in child.notifications] == ["accepted"]  # lists replace whole
    assert child.steps == base.steps  # inherited through two levels


def test_extends_positions_point_into_the_file_that_wrote_the_value() -> None:
    loaded = load_file(FIXTURES / "extends" / "child.yaml")
    assert loaded.document is not None
    assert loaded.document.position(("id",)).line == 3
    own = loaded.document.position(("steps", "register", "actor"))
    assert own.file.endswith("_base.yaml")


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_extends_a_missing_base(tmp_path: Path) -> None:
    child = _write(tmp_path, "child.yaml", "format: 1\nextends: _gone.yaml\n")
    assert [str(p) for p in load_file(child).problems] == [
        f"{child}:2:10: base file '_gone.yaml' not found next to this file"
    ]


def test_extends_a_cycle(tmp_path: Path) -> None:
    _write(tmp_path, "_a.yaml", "extends: _b.yaml\n")
    _write(tmp_path, "_b.yaml", "extends: _a.yaml\n")
    child = _write(tmp_path, "child.yaml", "extends: _a.yaml\n")
    (problem,) = load_file(child).problems
    assert "extends is nested more than 8 deep (a cycle?)" in problem.message


def test_extends_must_name_a_file(tmp_path: Path) -> None:
    child = _write(tmp_path, "child.yaml", "extends: [a, b]\n")
    assert [str(p) for p in load_file(child).problems] == [
        f"{child}:1:10: extends names a base file, e.g. extends: _base.yaml"
    ]


def test_a_bad_base_is_reported_in_the_base(tmp_path: Path) -> None:
    _write(tmp_path, "_base.yaml", "format: 1\nformat: 2\n")
    child = _write(tmp_path, "child.yaml", "extends: _base.yaml\n")
    assert [str(p) for p in load_file(child).problems] == [
        f"{tmp_path / '_base.yaml'}:2:1: duplicate key 'format' (first given at line 1)"
    ]


def test_extends_a_base_in_a_subfolder(tmp_path: Path) -> None:
    text = MINIMAL.read_text("utf-8")
    _write(tmp_path / "bases", "_minimal.yaml", text)
    child = _write(tmp_path, "child.yaml", "extends: bases/_minimal.yaml\nid: child\n")
    loaded = load_file(child)
    assert loaded.ok, [str(p) for p in loaded.problems]
    assert loaded.reglament is not None and loaded.reglament.id == "child"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        # '..' is refused even where it would come back into the folder
        (
            "../here/_base.yaml",
            "base file '../here/_base.yaml' goes up out of this file's folder; extends names a "
            "file in this file's folder or below it, e.g. extends: _base.yaml",
        ),
        ('"_base\\0.yaml"', "the base file's name is refused: the path contains a NUL character"),
        (
            '"_base\\e[31m.yaml"',
            "base file '_base\\x1b[31m.yaml' has a control character in its name",
        ),
        ("~/.bashrc", "base file '~/.bashrc' not found next to this file"),  # no home folder
    ],
)
def test_extends_stays_in_the_files_folder(tmp_path: Path, name: str, message: str) -> None:
    here = tmp_path / "here"
    _write(here, "_base.yaml", MINIMAL.read_text("utf-8"))
    child = _write(here, "child.yaml", f"extends: {name}\n")
    assert [str(p) for p in load_file(child).problems] == [f"{child}:1:10: {message}"]


def test_extends_a_link_that_leads_out_is_refused(tmp_path: Path) -> None:
    outside = _write(tmp_path, "_outside.yaml", MINIMAL.read_text("utf-8"))
    here = tmp_path / "here"
    here.mkdir()
    (here / "_base.yaml").symlink_to(outside)
    (here / "_inside.yaml").symlink_to(_write(here / "real", "_minimal.yaml", outside.read_text()))
    child = _write(here, "child.yaml", "extends: _base.yaml\n")
    assert [str(p) for p in load_file(child).problems] == [
        f"{child}:1:10: base file '_base.yaml' is a link that leads out of this file's folder; "
        "extends names a file in this file's folder or below it, e.g. extends: _base.yaml"
    ]
    inside = _write(here, "inside.yaml", "extends: _inside.yaml\n")
    assert load_file(inside).ok  # a link that stays inside the folder is followed


# -- the condition language -----------------------------------------------------------------------

ALLOWED = [
    ("variant == 'certificate'", {"variant": "certificate"}, True),
    ("variant != 'certificate'", {"variant": "certificate"}, False),
    ("documents_lacking and not data_found", {"documents_lacking": True}, True),
    ("age >= 18 or guardian", {"age": 17, "guardian": False}, False),
    ("channel in ['con', 'portal']", {"channel": "portal"}, True),
    ("channel not in ('con', 'portal')", {"channel": "office"}, True),
    ("0 < children <= 3", {"children": 3}, True),
    ("debt > -1", {"debt": 0}, True),
    ("missing == null", {}, True),
    ("(a or b) and c", {"a": False, "b": True, "c": True}, True),
    ("count > 'text'", {"count": 1}, False),  # incomparable values are simply false
]


@pytest.mark.parametrize(("source", "scope", "value"), ALLOWED)
def test_allowed_conditions(source: str, scope: dict[str, object], value: bool) -> None:
    assert parse(source)(scope) is value


REFUSED = [
    ("__import__('os')", 1, "a function call is not allowed"),
    ("variant.upper == 'X'", 1, "attribute access is not allowed"),
    ("ok and open('f')", 8, "a function call is not allowed"),
    ("data[0] == 1", 1, "indexing is not allowed"),
    ("a + 1 > 2", 1, "arithmetic is not allowed"),
    ("(lambda: 1) == 1", 2, "a lambda is not allowed"),
    ("_secret == 1", 1, "name '_secret' is not allowed"),
    ("x == {'a': 1}", 6, "a mapping is not allowed"),
    ("x if y else z", 1, "an if-expression is not allowed"),
    ("[i for i in x]", 1, "a comprehension is not allowed"),
    ("f'{x}' == 'a'", 1, "an f-string is not allowed"),
    ("(y := 1)", 2, "assignment is not allowed"),
    ("x == b'1'", 6, "constant b'1' is not allowed"),
    ("-x > 1", 1, "unary minus applies to numbers only"),
    ("x is None", 1, "'is' is not allowed in a condition; compare with == or != instead"),
    ("x is not None", 1, "'is not' is not allowed"),
    ("variant == = 'a'", 12, "not a valid condition: invalid syntax"),
    ("   ", 1, "condition is empty"),
    ("a or " * 120 + "a", 1, "characters long; at most 500"),
    ("not " * 40 + "a", 133, "nested deeper than 32 levels"),
]


@pytest.mark.parametrize(("source", "column", "message"), REFUSED)
def test_refused_conditions(source: str, column: int, message: str) -> None:
    with pytest.raises(ExprError) as caught:
        parse(source)
    assert message in str(caught.value)
    assert caught.value.column == column


def test_conditions_never_reach_eval() -> None:
    condition = parse("variant == 'a'")
    assert condition.names == frozenset({"variant"})
    assert condition.compared == (("variant", "a"),)


# -- Library.find: region and date ---------------------------------------------------------------


@pytest.fixture
def versions(tmp_path: Path) -> Library:
    body = MINIMAL.read_text("utf-8")
    periods = {
        "north-2020.yaml": ("north", "from: 2020-01-01\n  until: 2021-01-01"),
        "north-2021.yaml": ("north", "from: 2021-01-01"),
        "south-2020.yaml": ("south", "from: 2020-01-01"),
    }
    for name, (region, period) in periods.items():
        text = body.replace("region: test-region", f"region: {region}")
        _write(tmp_path, name, text.replace("from: 2020-01-01", period))
    library = load_library([tmp_path])
    assert library.ok, [str(p) for p in library.all_problems()]
    return library


def test_find_by_region_and_date(versions: Library) -> None:
    assert versions.find("minimal", "north", dt.date(2020, 12, 31)).path.name == "north-2020.yaml"
    assert versions.find("minimal", "north", dt.date(2021, 1, 1)).path.name == "north-2021.yaml"
    assert versions.find("minimal", "south").path.name == "south-2020.yaml"
    assert [f.path.name for f in versions.versions("minimal", "north")] == [
        "north-2020.yaml",
        "north-2021.yaml",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nope", None, None), "no reglament 'nope'; known: minimal"),
        (
            ("minimal", "east", None),
            "no reglament 'minimal' in region 'east'; it is in: north, south",
        ),
        (
            ("minimal", "norht", None),
            "no reglament 'minimal' in region 'norht'; did you mean 'north'? it is in: north, south",
        ),
        (("minimla", None, None), "no reglament 'minimla'; did you mean 'minimal'? known: minimal"),
        (
            ("minimal", None, dt.date(2025, 1, 1)),
            "'minimal' exists in several regions (north, south); choose one with region=..., "
            "e.g. region='north'",
        ),
        (("minimal", "north", None), "'minimal' has 2 versions; choose one with on=DATE"),
        (
            ("minimal", "north", dt.date(2019, 1, 1)),
            "no version of 'minimal' is in force on 2019-01-01 in north; in force: 2020-01-01 – "
            "2021-01-01 in north, 2021-01-01 – in force in north",
        ),
    ],
)
def test_find_usage_errors(
    versions: Library, args: tuple[str, str | None, dt.date | None], message: str
) -> None:
    with pytest.raises(UsageError) as caught:
        versions.find(*args)
    assert str(caught.value) == message
    assert caught.value.exit_code == 2


def test_regions_are_matched_case_aside(versions: Library) -> None:
    assert versions.find("minimal", "SOUTH").path.name == "south-2020.yaml"
    assert [f.path.name for f in versions.versions("minimal", "North")] == [
        "north-2020.yaml",
        "north-2021.yaml",
    ]


def test_choose_names_a_version_and_why(versions: Library) -> None:
    latest = versions.choose("minimal@North")
    assert (latest.loaded.path.name, latest.on, latest.why) == (
        "north-2021.yaml",
        None,
        "the latest of 2 versions in north",
    )
    dated = versions.choose("minimal@north@2020-06-01")
    assert (dated.loaded.path.name, dated.why) == (
        "north-2020.yaml",
        "in force on 2020-06-01 in north",
    )
    assert versions.choose("minimal", "north", dt.date(2020, 6, 1)) == dated
    by_default = versions.choose("minimal", "north", default_on=dt.date(2020, 6, 1))
    assert by_default.loaded.path.name == "north-2020.yaml"
    assert versions.choose("minimal@south").why == "the only version in south"
    assert versions.choose("minimal@@2020-06-01", "south").loaded.path.name == "south-2020.yaml"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        # several regions: refused whatever the day (the day alone does not name a region)
        (
            ("minimal",),
            "'minimal' exists in several regions (north, south); choose one with region=... or "
            "ID@REGION, e.g. minimal@north",
        ),
        (
            ("minimal@@2021-06-01",),
            "'minimal' exists in several regions (north, south); choose one with region=... or "
            "ID@REGION, e.g. minimal@north",
        ),
        (
            ("minimal@north", "south"),
            "'minimal@north' names the region north, region=... says south: give one",
        ),
        (
            ("minimal@north@2020-06-01", None, dt.date(2021, 6, 1)),
            "'minimal@north@2020-06-01' names the date 2020-06-01, on=... says 2021-06-01: give one",
        ),
        (
            ("minimal@north@2020-02-30",),
            "'minimal@north@2020-02-30': 2020-02-30 is an impossible date: February 2020 has 29 days",
        ),
        (("minimal@north@soon",), "'minimal@north@soon': 'soon': expected a date YYYY-MM-DD"),
        (("a@b@c@d",), "'a@b@c@d': expected ID, ID@REGION or ID@REGION@YYYY-MM-DD"),
        (("@north",), "'@north': expected ID, ID@REGION or ID@REGION@YYYY-MM-DD"),
        (
            ("minimal@sout",),
            "no reglament 'minimal' in region 'sout'; did you mean 'south'? it is in: north, south",
        ),
    ],
)
def test_choose_usage_errors(versions: Library, args: tuple[object, ...], message: str) -> None:
    with pytest.raises(UsageError) as caught:
        versions.choose(*args)  # type: ignore[arg-type]
    assert str(caught.value) == message


# -- the CLI --------------------------------------------------------------------------------------

runner = CliRunner()


def test_cli_validate_the_bundled_library() -> None:
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 0, result.output
    n = len(BUNDLED_FILES)
    assert result.stdout.splitlines() == [f"{n} file(s) checked: all valid ({n} reglaments)."]


def test_cli_validate_json() -> None:
    result = runner.invoke(app, ["validate", "--format", "json"])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["ok"] is True
    assert {f["file"] for f in document["files"]} == {
        str(p.relative_to(ROOT)) for p in BUNDLED_FILES
    }


def test_cli_validate_json_lists_the_problems(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = runner.invoke(app, ["validate", "-f", "json", "tests/bad/undeclared-actor.yaml"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["ok"] is False
    (loaded,) = document["files"]
    assert loaded["problems"] == [
        {
            "file": "tests/bad/undeclared-actor.yaml",
            "line": 77,
            "column": 12,
            "message": "actor 'boss' is not declared (declared: clerk, head)",
            "path": "steps.stamp.actor",
            "code": "undeclared-actor",
        }
    ]


def test_cli_validate_json_folder_problems(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = runner.invoke(app, ["validate", "-f", "json", "tests/bad/empty-folder"])
    assert result.exit_code == 1
    (problem,) = json.loads(result.stdout)["problems"]
    assert (problem["file"], problem["line"], problem["code"]) == (
        "tests/bad/empty-folder",
        0,
        "no-files",
    )


def test_cli_list() -> None:
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0
    assert "semey-compensation" in result.stdout
    assert "2015-10-26 – 2016-05-30 (estimated)" in result.stdout
    as_json = runner.invoke(app, ["list", "--format", "json"])
    assert as_json.exit_code == 0
    assert "semey-compensation" in as_json.stdout
    json.loads(as_json.stdout)


def test_cli_list_warns_about_invalid_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = runner.invoke(app, ["list", "tests/bad/dead-end.yaml"])
    assert result.exit_code == 1
    assert "Run 'reglament validate'" in result.stderr


def test_cli_show_text_and_json() -> None:
    text = runner.invoke(app, ["show", "semey-compensation", "--region", "karaganda"])
    assert text.exit_code == 0, text.output
    assert text.stdout.startswith("semey-compensation (karaganda) — ")
    assert "starts at con-hand-over" in text.stdout
    as_json = runner.invoke(app, ["show", "semey@karaganda", "--on", "2016-01-01", "-f", "json"])
    assert as_json.exit_code == 0
    document = json.loads(as_json.stdout)
    assert (document["id"], document["region"]) == ("semey-compensation", "karaganda")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "nope"], "error: no reglament 'nope'; known: active-employment-referral, "),
        (
            ["show", "prosthetic-orthopedic", "--on", "2016-01-01"],
            "error: 'prosthetic-orthopedic' exists in several regions (karaganda, kyzylorda); "
            "choose one with --region or ID@REGION, e.g. prosthetic-orthopedic@karaganda",
        ),
        (
            ["show", "semey", "-r", "karaganda", "--on", "2020-01-01"],
            "error: no version of 'semey' is in force on 2020-01-01 in karaganda",
        ),
        (
            ["show", "semey@karaganda", "--on", "someday"],
            "error: --on 'someday': expected a date YYYY-MM-DD",
        ),
        (
            ["show", "semey@karaganda", "--on", "2016-02-30"],
            "error: --on 2016-02-30 is an impossible date: February 2016 has 29 days",
        ),
    ],
)
def test_cli_show_usage_errors(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(message)


def test_cli_schema(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["title"] == "Reglament"
    out = tmp_path / "schema.json"
    assert runner.invoke(app, ["schema", "-o", str(out)]).exit_code == 0
    assert out.read_text("utf-8") == result.stdout
    failed = runner.invoke(app, ["schema", "-o", str(tmp_path / "no" / "such" / "dir.json")])
    assert failed.exit_code == 2
    assert "cannot write" in failed.stderr


def test_paths_may_be_given_as_text() -> None:
    """``load`` and ``load_library`` take a path as ``str`` too (it was an AttributeError)."""
    from reglament.loader import load, load_file

    assert load("tests/fixtures/minimal.yaml").id == "minimal"
    assert load_file("tests/fixtures/minimal.yaml").ok
    assert load_library("tests/fixtures/minimal.yaml").ok
    assert load_library(["tests/fixtures/minimal.yaml"]).ok
