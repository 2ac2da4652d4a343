"""The published JSON Schema: generated from the models, shipped, and as strict as they are.

Both validators are given the same data: the tree our YAML reader makes (so ``no`` stays a
string, as the models see it). Whatever the models refuse for its shape or vocabulary (unknown
keys, wrong types, unknown words, bad ids and ranges), the schema refuses too; whatever the
models accept, the schema accepts. Checks that need code (a lunch inside opening hours, a time
zone that exists, the condition language, the graph) are beyond a JSON Schema and are the
loader's alone.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from reglament.loader import BUNDLED
from reglament.schemas import Reglament
from reglament.schemas.jsonschema import SCHEMA_FILE, json_schema, json_schema_text
from reglament.source.document import resolve_extends, to_document
from reglament.source.yaml_reader import YamlProblem, read

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "bad"
BUNDLED_FILES = sorted(p for p in BUNDLED.rglob("*.yaml") if not p.name.startswith("_"))
VALID_FIXTURES = [ROOT / "tests" / "fixtures" / "minimal.yaml"]


def _readable(path: Path) -> bool:
    """Whether our YAML reader makes data of it (the rest is refused before any schema)."""
    try:
        read(path)
    except YamlProblem:
        return False
    return True


CORPUS = sorted(p for p in BAD.rglob("*.yaml") if p.name != "expected.yaml" and _readable(p))


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text("utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_the_shipped_schema_is_up_to_date() -> None:
    assert SCHEMA_FILE.read_text("utf-8") == json_schema_text(), (
        f"{SCHEMA_FILE.relative_to(ROOT)} is stale: run `make schema` and commit the result"
    )


def test_the_schema_says_its_dialect() -> None:
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False


def _data(path: Path) -> Any:
    """The document as the loader sees it: a file that extends a base is merged with it first
    (an editor sees the file alone, so it may flag keys the base provides)."""
    tree = read(path)
    with contextlib.suppress(YamlProblem):  # a missing base: the file alone is what there is
        tree = resolve_extends(tree, path, str(path), read)
    return to_document(tree).data


def _id(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", BUNDLED_FILES + VALID_FIXTURES, ids=_id)
def test_valid_definitions_pass_the_schema(path: Path, validator: Draft202012Validator) -> None:
    errors = [e.message for e in validator.iter_errors(_data(path))]
    assert errors == []


# Model checks written in code (validators), which a JSON Schema cannot state.
BEYOND_SCHEMA = {"value_error"}


@pytest.mark.parametrize("path", CORPUS, ids=_id)
def test_the_schema_refuses_what_the_models_refuse(
    path: Path, validator: Draft202012Validator
) -> None:
    data = _data(path)
    schema_errors = [e.message for e in validator.iter_errors(data)]
    try:
        Reglament.model_validate(data)
    except ValidationError as error:
        kinds = {details["type"] for details in error.errors()}
    else:
        kinds = set()
    if kinds - BEYOND_SCHEMA:
        assert schema_errors, f"the models refuse {sorted(kinds)}; the schema accepts"
    elif not kinds:
        assert schema_errors == [], "the models accept it; so must the schema"


def test_the_corpus_exercises_both_sides(validator: Draft202012Validator) -> None:
    refused = {
        "unknown-key.yaml",
        "unknown-top-key.yaml",
        "missing-required-key.yaml",
        "missing-step-key.yaml",
        "missing-kind.yaml",
        "wrong-kind.yaml",
        "wrong-type-int.yaml",
        "wrong-type-float.yaml",
        "wrong-type-list.yaml",
        "wrong-type-mapping.yaml",
        "unknown-unit.yaml",
        "zero-duration.yaml",
        "negative-duration.yaml",
        "yes-no-string.yaml",
        "bad-id.yaml",
        "bad-date.yaml",
        "bad-hours.yaml",
        "not-a-mapping.yaml",
        "bad-key-id.yaml",
    }
    for name in sorted(refused):
        assert list(validator.iter_errors(_data(BAD / name))), name


MODELINE = "# yaml-language-server: $schema="


@pytest.mark.parametrize("path", BUNDLED_FILES, ids=_id)
def test_schema_modelines_point_at_the_schema(path: Path) -> None:
    """A modeline is optional; where a file has one, it must lead the editor to the schema."""
    for line in path.read_text("utf-8").splitlines():
        if line.startswith(MODELINE):
            assert (path.parent / line.removeprefix(MODELINE)).resolve() == SCHEMA_FILE


def test_the_readme_modeline_resolves_from_the_library_folders() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    (line,) = [line for line in readme.splitlines() if line.startswith(MODELINE)]
    example = BUNDLED / "karaganda-2015"
    assert (example / line.removeprefix(MODELINE)).resolve() == SCHEMA_FILE
    assert "reglament schema -o" in readme
