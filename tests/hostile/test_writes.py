"""Writes with --output are atomic: past the file-size limit (``ulimit -f 1``), into a pipe nobody
reads, or with SIGXFSZ at its default, a failed write says so in one line, exits 2 and leaves
nothing behind; an existing target stays as it was. Each runs as a real process (``run()``).
The cases that need no limit are data: ``writes/cases.yaml``."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reglament.cli import app
from tests.hostile.test_cases import ROOT, SECONDS, _limits, run

ONE_BLOCK = 1024  # bytes: what `ulimit -f 1` allows
CLEAN = "tests/fixtures/audit/clean.yaml"  # one small reglament: its reports are a few KiB
OLD = "the previous contents\n"
runner = CliRunner()

FILE_KINDS = [
    pytest.param(["schema"], ONE_BLOCK, id="schema"),
    pytest.param(["schema", "--timeline"], ONE_BLOCK, id="timeline-schema"),
    pytest.param(["diagram", "semey-compensation", "-f", "svg"], ONE_BLOCK, id="svg"),
    pytest.param(["diagram", "semey-compensation", "-f", "png"], ONE_BLOCK, id="png"),
    pytest.param(["diagram", "semey-compensation", "-f", "dot"], ONE_BLOCK, id="dot"),
    pytest.param(["diagram", "semey-compensation", "-f", "mermaid"], ONE_BLOCK, id="mermaid"),
    pytest.param(["audit", CLEAN, "-f", "json"], ONE_BLOCK, id="audit-json"),
    pytest.param(["audit", CLEAN, "-f", "sarif"], ONE_BLOCK, id="audit-sarif"),
    pytest.param(["audit", CLEAN, "-f", "markdown"], 256, id="audit-markdown"),  # 687 bytes
]


def _needs_dot() -> None:
    """SVG, PNG and the HTML report's diagrams are drawn by Graphviz (without it, the HTML
    report warns on stderr, and the one line would be two)."""
    if shutil.which("dot") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Graphviz's dot is needed under CI (.ci/run installs it)")
        pytest.skip("Graphviz's dot is not installed")


def _tree(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` (hidden ones too) with its bytes (``None`` for a folder)."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
    }


def _fails_cleanly(result: subprocess.CompletedProcess[str], path: Path, reason: str) -> None:
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == 2, output
    assert result.stdout == "", output
    assert result.stderr.splitlines() == [f"error: {path}: cannot write: {reason}"]


@pytest.mark.parametrize(("args", "limit"), FILE_KINDS)
def test_past_the_size_limit_an_existing_file_stays_as_it_was(
    tmp_path: Path, args: list[str], limit: int
) -> None:
    if "svg" in args or "png" in args:
        _needs_dot()
    target = tmp_path / "out"
    target.write_text(OLD, encoding="utf-8")
    before = _tree(tmp_path)
    result = run([*args, "-o", str(target)], file_size=limit)
    _fails_cleanly(result, target, "File too large")
    assert _tree(tmp_path) == before  # no temporary file, the old contents intact


@pytest.mark.parametrize(("args", "limit"), FILE_KINDS[:1] + FILE_KINDS[6:7])
def test_past_the_size_limit_no_file_is_created(
    tmp_path: Path, args: list[str], limit: int
) -> None:
    target = tmp_path / "out"
    result = run([*args, "-o", str(target)], file_size=limit)
    _fails_cleanly(result, target, "File too large")
    assert _tree(tmp_path) == {}


def test_past_the_size_limit_no_html_report_folder_is_created(tmp_path: Path) -> None:
    _needs_dot()
    target = tmp_path / "report"
    result = run(["audit", CLEAN, "-f", "html", "-o", str(target)], file_size=ONE_BLOCK)
    _fails_cleanly(result, target, "File too large")
    assert _tree(tmp_path) == {}  # neither the folder nor its staging folder


def test_past_the_size_limit_an_existing_html_report_stays_as_it_was(tmp_path: Path) -> None:
    _needs_dot()
    target = tmp_path / "report"
    target.mkdir()
    (target / "index.html").write_text("<p>the previous index</p>\n", encoding="utf-8")
    (target / "audit--clean.html").write_text("<p>the previous page</p>\n", encoding="utf-8")
    (target / "notes.txt").write_text("not the report's\n", encoding="utf-8")
    before = _tree(tmp_path)
    result = run(["audit", CLEAN, "-f", "html", "-o", str(target)], file_size=ONE_BLOCK)
    _fails_cleanly(result, target, "File too large")
    assert _tree(tmp_path) == before


def test_a_folder_in_the_way_of_a_page_moves_no_page(tmp_path: Path) -> None:
    """Every name is checked before any page moves in: no mix of old and new pages."""
    _needs_dot()
    target = tmp_path / "report"
    (target / "index.html").mkdir(parents=True)
    (target / "audit--clean.html").write_text("<p>the previous page</p>\n", encoding="utf-8")
    before = _tree(tmp_path)
    result = run(["audit", CLEAN, "-f", "html", "-o", str(target)])
    _fails_cleanly(result, target / "index.html", "Is a directory")
    assert _tree(tmp_path) == before


def test_with_sigxfsz_at_its_default_the_write_still_fails_cleanly(tmp_path: Path) -> None:
    """The CLI ignores SIGXFSZ itself: an interpreter that leaves it at its default (the process
    killed at the limit, a temporary file left) gets the same clean failure."""
    target = tmp_path / "schema.json"
    program = (
        "import signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_DFL); "
        "from reglament.cli import main; sys.argv[0] = 'reglament'; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", program, "schema", "-o", str(target)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=SECONDS,
        preexec_fn=_limits(ONE_BLOCK, SECONDS),
        check=False,
    )
    assert result.returncode != -signal.SIGXFSZ, "killed by SIGXFSZ"
    _fails_cleanly(result, target, "File too large")
    assert _tree(tmp_path) == {}


def test_a_named_pipe_nobody_reads_is_an_error_not_a_hang(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    result = run(["schema", "-o", str(pipe)])
    _fails_cleanly(result, pipe, "a named pipe that no process reads")
    assert stat.S_ISFIFO(pipe.stat().st_mode)


def test_a_device_is_written_through_not_replaced() -> None:
    result = runner.invoke(app, ["schema", "-o", os.devnull])
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(Path(os.devnull).stat().st_mode)
    assert stat.S_ISCHR(Path("/dev/full").stat().st_mode)  # writes-class case disk-full


def test_dev_stdout_is_the_standard_output_not_a_file_beside_it() -> None:
    result = run(["schema", "--timeline", "-o", "/dev/stdout"])  # stdout: a pipe
    assert result.returncode == 0, result.stderr
    assert result.stdout == run(["schema", "--timeline"]).stdout


def test_a_replaced_file_keeps_its_permissions_and_a_link_its_target(tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    target.write_text(OLD, encoding="utf-8")
    target.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(target.name)
    result = runner.invoke(app, ["schema", "-o", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and target.read_text("utf-8") == runner.invoke(app, ["schema"]).stdout
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "schema.json"]


def test_a_report_into_an_existing_folder_keeps_the_files_not_its_own(tmp_path: Path) -> None:
    target = tmp_path / "report"
    target.mkdir()
    (target / "notes.txt").write_text("not the report's\n", encoding="utf-8")
    (target / "index.html").write_text("<p>the previous index</p>\n", encoding="utf-8")
    result = runner.invoke(app, ["audit", str(ROOT / CLEAN), "-f", "html", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in target.iterdir()) == [
        "audit--clean.html",
        "index.html",
        "notes.txt",
    ]
    assert (target / "notes.txt").read_text("utf-8") == "not the report's\n"
    assert 'href="audit--clean.html"' in (target / "index.html").read_text("utf-8")
