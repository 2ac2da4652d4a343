"""`reglament diagram ID [--format mermaid|dot|svg|png] [--channel C] [--output FILE]` driven
through typer's CliRunner."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from reglament.cli import app
from tests.diagrams.clients import need_graphviz

runner = CliRunner()
NASTY = str(Path(__file__).parent / "nasty.yaml")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run(*args: str) -> Result:
    return runner.invoke(app, ["diagram", *args])


def test_mermaid_is_the_default() -> None:
    result = run("semey-compensation")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(
        '---\ntitle: "semey-compensation (karaganda), version in force from 2015-10-26"\n---\n'
        "flowchart TB\n"
    )


def test_dot_for_one_channel_in_russian() -> None:
    result = run("child-benefit-under-18", "-r", "atyrau", "-c", "akim", "-l", "ru", "-f", "dot")
    assert result.exit_code == 0, result.stderr
    assert "cluster_a_akim" in result.stdout and "label=<аким сельского округа>" in result.stdout
    assert "s_con_accept" not in result.stdout  # the PSC's steps are not on the akim's route


def test_svg_and_png_through_graphviz(tmp_path: Path) -> None:
    need_graphviz()
    svg = run("unemployed-registration", "-r", "zhambyl", "-f", "svg")
    assert svg.exit_code == 0, svg.stderr
    assert svg.stdout.startswith("<?xml") and "</svg>" in svg.stdout
    target = tmp_path / "flow.png"
    png = run("unemployed-registration", "-r", "zhambyl", "-f", "png", "-o", str(target))
    assert png.exit_code == 0, png.stderr
    assert png.stdout == ""
    assert target.read_bytes().startswith(PNG_MAGIC)
    piped = run("unemployed-registration", "-r", "zhambyl", "-f", "png")  # stdout is no terminal
    assert piped.exit_code == 0 and piped.stdout_bytes.startswith(PNG_MAGIC)


def test_png_is_not_written_to_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("reglament.cli._terminal", lambda: True)
    result = run("semey-compensation", "-f", "png")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: PNG is binary: write it with --output FILE or redirect stdout to a file\n"
    )


def test_a_missing_graphviz_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    result = run("semey-compensation", "-f", "svg")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --format svg needs Graphviz's 'dot' program, which is not on PATH; install "
        "Graphviz (e.g. apt-get install graphviz) or use --format dot or mermaid\n"
    )
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("no-such",), "error: no reglament 'no-such'"),
        (
            ("semey-compensation", "-c", "post"),
            "error: unknown channel 'post' for semey-compensation",
        ),
        (("semey-compensation", "-c", "ztmo"), "has no procedure in the act"),
        (("unemployed-registration",), "exists in several regions"),
        (("semey-compensation", "--on", "2020-01-01"), "no version of 'semey-compensation'"),
        (("semey-compensation", "-f", "pdf"), "Invalid value for '--format'"),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_an_unwritable_output_is_a_usage_error(tmp_path: Path) -> None:
    result = run("semey-compensation", "-o", str(tmp_path / "missing" / "flow.mmd"))
    assert result.exit_code == 2
    assert "cannot write" in result.stderr


def test_output_file_and_a_path_of_ones_own(tmp_path: Path) -> None:
    target = tmp_path / "nasty.mmd"
    result = run("nasty", "-p", NASTY, "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert target.read_text("utf-8").startswith("---\ntitle: ")


def test_inline_svgs_warn_once_without_graphviz(monkeypatch: pytest.MonkeyPatch) -> None:
    """The HTML audit report's flows: without Graphviz, no diagram and one warning."""
    from reglament.loader import BUNDLED, load
    from reglament.renderers import diagrams

    reglament = load(BUNDLED / "karaganda-2015" / "semey-compensation.yaml")
    monkeypatch.setattr("reglament.renderers.diagrams.shutil.which", lambda _: None)
    said: list[str] = []
    draw = diagrams.inline_svgs(said.append)
    assert draw(reglament) is None and draw(reglament) is None
    assert len(said) == 1 and said[0] == (
        "diagrams left out of the report: Graphviz's 'dot' program, which is not on PATH; "
        "install Graphviz (e.g. apt-get install graphviz)"
    )
