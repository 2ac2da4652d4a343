"""BPMN files that need the machine or a look inside the reader: an over-size file, a FIFO, a
missing path (made at test time), and the parser's own defences with the DOCTYPE check taken
away. The files themselves: tests/hostile/bpmn/cases.yaml (run as bounded processes)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reglament.cli import app
from reglament.source import xml_reader

HERE = Path(__file__).resolve().parent / "bpmn"
ARGS = ["--id", "drawn", "--region", "karaganda"]


def _fails(args: list[str], exit_code: int) -> list[str]:
    """In-process: the reader opens without blocking, so a FIFO cannot hang the suite."""
    result = CliRunner().invoke(app, args)
    assert "Traceback" not in result.output
    assert result.exit_code == exit_code, result.output
    assert result.stdout == ""
    return result.stderr.splitlines()


def test_a_file_over_the_cap_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "big.bpmn"
    with big.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0"?>\n<!--')
        out.write("x" * xml_reader.MAX_BYTES)
        out.write("-->\n")
    size = big.stat().st_size
    assert _fails(["import-bpmn", str(big), *ARGS], 1) == [
        f"error: {big}:1:1: file is {size:,} bytes; a BPMN file may be at most "
        f"{xml_reader.MAX_BYTES:,}"
    ]


def test_a_fifo_or_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    fifo = tmp_path / "drawn.bpmn"
    os.mkfifo(fifo)
    assert _fails(["import-bpmn", str(fifo), *ARGS], 2) == [
        f"error: {fifo}: not a regular file (a FIFO)"
    ]
    missing = tmp_path / "missing.bpmn"
    assert _fails(["import-bpmn", str(missing), *ARGS], 2) == [f"error: {missing}: no such file"]


@pytest.mark.parametrize("name", ["bomb.bpmn", "external-file.bpmn", "external-url.bpmn"])
def test_the_parser_alone_expands_and_fetches_nothing(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Were the DOCTYPE let through to libxml2, its options (no entities resolved, no DTD
    loaded, no network, its amplification limit kept) still keep the bomb unexpanded and the
    files unread: the document is refused at once (by libxml2 for an entity in an attribute,
    else by the check of the parsed document's DTD)."""
    monkeypatch.setattr(xml_reader, "_refuse_doctype", lambda text, display: None)
    text = (HERE / name).read_text("utf-8")
    started = time.process_time()
    with pytest.raises(xml_reader.XmlProblem) as refused:
        xml_reader.parse(text, name)
    assert time.process_time() - started < 1.0
    assert str(refused.value).startswith(f"{name}:"), refused.value
    assert "root:" not in str(refused.value)  # /etc/passwd was not read into the message
