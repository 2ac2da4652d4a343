"""``reglament audit``: formats, --fail-on, --output, exit codes."""

from __future__ import annotations

import json
import os
import platform
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reglament.cli import app

ROOT = Path(__file__).resolve().parents[2]
CLEAN = ROOT / "tests" / "fixtures" / "audit" / "clean.yaml"
WHEELCHAIRS = ROOT / "reglament" / "reglaments" / "karaganda-2015" / "wheelchairs.yaml"
runner = CliRunner()


def test_a_clean_file_exits_0_even_on_notes() -> None:
    result = runner.invoke(app, ["audit", str(CLEAN), "--fail-on", "note"])
    assert result.exit_code == 0, result.output
    assert "1 file(s) audited: 0 errors, 0 warnings, 0 notes." in result.output
    assert "fits; the least margin is 3 working days" in result.output


def test_fail_on_sets_the_threshold() -> None:
    # Karaganda wheelchairs: warnings (no schedules) and notes, no error
    assert runner.invoke(app, ["audit", str(WHEELCHAIRS)]).exit_code == 0
    assert runner.invoke(app, ["audit", str(WHEELCHAIRS), "--fail-on", "warning"]).exit_code == 1


def test_the_bundled_library_fails_on_its_term_overruns() -> None:
    result = runner.invoke(app, ["audit"])
    assert result.exit_code == 1
    assert "RG101 term-overrun" in result.output
    assert "26 file(s) audited: 11 errors" in result.output


@pytest.mark.parametrize("fmt", ["markdown", "json", "sarif"])
def test_formats(fmt: str, tmp_path: Path) -> None:
    target = tmp_path / f"report.{fmt}"
    result = runner.invoke(app, ["audit", str(CLEAN), "--format", fmt, "--output", str(target)])
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    if fmt == "markdown":
        assert text.startswith("# Audit of reglaments")
    else:
        data = json.loads(text)
        if fmt == "json":
            assert data["files"][0]["terms"][0]["paths"][0]["worst"]["gap"] == "3 working days"
        else:
            assert data["version"] == "2.1.0" and data["runs"][0]["results"] == []


def test_invalid_files_are_errors_and_usage_errors_exit_2() -> None:
    bad = ROOT / "tests" / "bad" / "unknown-key.yaml"
    result = runner.invoke(app, ["audit", str(bad)])
    assert result.exit_code == 1
    assert "error RG015 schema: unknown key 'actoin'" in result.output
    missing = runner.invoke(app, ["audit", "no/such/place"])
    assert missing.exit_code == 2 and "no such file or folder" in missing.output
    wrong = runner.invoke(app, ["audit", str(CLEAN), "--fail-on", "fatal"])
    assert wrong.exit_code == 2


def test_html_pages_carry_the_flow_diagram(tmp_path: Path) -> None:
    """Each reglament's page embeds its flow as inline SVG drawn by Graphviz."""
    if shutil.which("dot") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Graphviz's dot is needed under CI (.ci/run installs it)")
        pytest.skip("Graphviz's dot is not installed")
    target = tmp_path / "report"
    result = runner.invoke(app, ["audit", "--format", "html", "--output", str(target)])
    assert result.exit_code in (0, 1), result.output
    page = (target / "karaganda-2015--semey-compensation.html").read_text(encoding="utf-8")
    assert "<svg" in page and "<?xml" not in page
    assert "con-check-data" in page  # a step of the flow, drawn


@pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc's mallopt"
)
def test_audit_keeps_heap_slack_on_glibc() -> None:
    """`audit` asks glibc to keep free heap memory (M_TOP_PAD) rather than fault it back in."""
    from reglament.cli import _roomy_heap

    assert _roomy_heap() is True
