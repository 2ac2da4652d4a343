"""Side files and paths that need the machine: FIFOs, /dev/zero, folders where a file is expected,
over-size files and names longer than the system allows, all made at test time.

Every command that reads a file reads it through ``reglament/loader/files.py``: a path that is
not a regular file is a usage error (exit 2) and is never opened for reading in a way that could
block; a file too large, binary or not UTF-8 is an invalid file (exit 1); each is one line.
"""

from __future__ import annotations

import os
import signal
import stat
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest

from reglament.audit.diff import MAX_CASES, MAX_CASES_BYTES
from reglament.source import files
from reglament.source.yaml_reader import MAX_BYTES
from tests.hostile.test_cases import ROOT, run

OLD = "reglament/reglaments/karaganda-2015/semey-compensation.yaml"
NEW = "tests/fixtures/audit/semey-compensation-2016.yaml"
MINIMAL = ROOT / "tests" / "fixtures" / "minimal.yaml"


def _fails_cleanly(args: list[str], exit_code: int) -> list[str]:
    """Run the command; it exits as said, prints nothing on stdout, no traceback; stderr lines."""
    result = run(args)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == exit_code, output
    return result.stderr.splitlines()


def _reads(path: Path) -> list[tuple[list[str], str]]:
    """Each way a command is given a side file: (args, the message prefix it shows)."""
    return [
        (["calendar", "year", "2030", "--overrides", str(path)], f"error: {path}: "),
        (["diff", OLD, NEW, "--cases", str(path)], f"error: {path}: "),
    ]


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "fifo.yaml"
    os.mkfifo(path)
    yield path


# -- FIFOs never block -----------------------------------------------------------------------------


def test_a_fifo_as_a_side_file_is_a_usage_error_and_never_blocks(fifo: Path) -> None:
    # was: calendar --overrides FIFO and diff --cases FIFO blocked until killed (no writer)
    for args, prefix in _reads(fifo):
        assert _fails_cleanly(args, 2) == [f"{prefix}not a regular file (a FIFO)"]


def test_a_fifo_on_the_command_line_is_a_usage_error(fifo: Path) -> None:
    assert _fails_cleanly(["validate", str(fifo)], 2) == [
        f"error: {fifo}: not a regular file or folder (a FIFO)"
    ]
    assert _fails_cleanly(["diff", str(fifo), NEW], 2) == [
        f"error: {fifo}: not a regular file or folder (a FIFO)"
    ]


def test_a_fifo_as_a_base_file_is_reported_at_the_extends_line(tmp_path: Path, fifo: Path) -> None:
    child = tmp_path / "child.yaml"
    child.write_text("format: 1\nextends: fifo.yaml\n", encoding="utf-8")
    result = run(["validate", str(child)])
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == (
        f"{child}:2:10: base file 'fifo.yaml': not a regular file (a FIFO)"
    )


def test_a_fifo_swapped_in_after_the_check_does_not_block(
    fifo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race: the path passes the ``stat`` check, then is a FIFO when opened. The open is
    non-blocking and the descriptor is checked again, so the reader refuses it at once."""
    regular = MINIMAL.stat()
    real_stat = Path.stat

    def looks_regular(self: Path, **kwargs: bool) -> os.stat_result:
        return regular if self == fifo else real_stat(self, **kwargs)

    def hung(signum: int, frame: FrameType | None) -> None:
        raise AssertionError("opening the FIFO blocked")

    monkeypatch.setattr(Path, "stat", looks_regular)
    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(5)
    try:
        with pytest.raises(files.Refused) as caught:
            files.read_text(fifo, "fifo.yaml", limit=MAX_BYTES, what="a file", language="YAML")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert str(caught.value) == "fifo.yaml: not a regular file (a FIFO)"
    assert caught.value.usage


# -- devices are never read ------------------------------------------------------------------------


def test_dev_zero_is_never_read() -> None:
    # was: calendar --overrides /dev/zero and diff --cases /dev/zero read until out of memory
    zero = Path("/dev/zero")
    for args, prefix in _reads(zero):
        assert _fails_cleanly(args, 2) == [f"{prefix}not a regular file (a character device)"]
    assert _fails_cleanly(["validate", str(zero)], 2) == [
        "error: /dev/zero: not a regular file or folder (a character device)"
    ]


def test_a_link_to_dev_zero_as_a_base_leads_out_of_the_folder(tmp_path: Path) -> None:
    (tmp_path / "_zero.yaml").symlink_to("/dev/zero")
    child = tmp_path / "child.yaml"
    child.write_text("format: 1\nextends: _zero.yaml\n", encoding="utf-8")
    result = run(["validate", str(child)])
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == (
        f"{child}:2:10: base file '_zero.yaml' is a link that leads out of this file's folder; "
        "extends names a file in this file's folder or below it, e.g. extends: _base.yaml"
    )


def test_a_file_that_claims_no_size_is_read_only_up_to_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files in /proc claim 0 bytes; the reader asks for at most ``limit + 1`` bytes in all."""
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a" * 5000)
    real_fstat, real_read = os.fstat, os.read
    asked: list[int] = []

    def claims_nothing(fd: int) -> os.stat_result:
        info = list(real_fstat(fd))
        info[stat.ST_SIZE] = 0
        return os.stat_result(info)

    def counted(fd: int, size: int) -> bytes:
        asked.append(size)
        return real_read(fd, size)

    monkeypatch.setattr(os, "fstat", claims_nothing)
    monkeypatch.setattr(os, "read", counted)
    with pytest.raises(files.Refused) as caught:
        files.read_text(big, "big.yaml", limit=1000, what="a file", language="YAML")
    assert (
        str(caught.value)
        == "big.yaml:1:1: file is more than 1,000 bytes; a file may be at most 1,000"
    )
    assert not caught.value.usage
    assert sum(asked) == 1001


def test_json_surrogate_pairs_and_escaped_backslashes_are_text(tmp_path: Path) -> None:
    """Only half a pair is refused: a whole pair is one character, and an escaped backslash
    before 'ud800' is the text '\\ud800'."""
    path = tmp_path / "ok.json"
    path.write_text('["\\ud83d\\ude00", "\\\\ud800"]', encoding="utf-8")
    value = files.read_json(path, "ok.json", limit=100, what="a file")
    assert value == ["\U0001f600", "\\ud800"]
    path.write_text('[\n "ok",\n  "\\udc00"]', encoding="utf-8")
    with pytest.raises(files.Refused) as caught:
        files.read_json(path, "bad.json", limit=100, what="a file")
    assert str(caught.value) == (
        "bad.json:3:3: a string with half of a UTF-16 surrogate pair (\\ud800-\\udfff) alone; not text"
    )


# -- folders where a file is expected --------------------------------------------------------------


def test_a_folder_as_a_side_file(tmp_path: Path) -> None:
    for args, prefix in _reads(tmp_path):
        assert _fails_cleanly(args, 2) == [f"{prefix}not a regular file (a folder)"]


def test_a_folder_as_a_base_file(tmp_path: Path) -> None:
    (tmp_path / "_base").mkdir()
    child = tmp_path / "child.yaml"
    child.write_text("format: 1\nextends: _base\n", encoding="utf-8")
    result = run(["validate", str(child)])
    assert result.stdout.splitlines()[0] == (
        f"{child}:2:10: base file '_base': not a regular file (a folder)"
    )


def test_a_folder_named_like_a_definition_in_diff(tmp_path: Path) -> None:
    folder = tmp_path / "old.yaml"
    folder.mkdir()
    assert _fails_cleanly(["diff", str(folder), NEW], 2) == [
        f"error: {folder}: a folder; name a file, or ID@REGION@YYYY-MM-DD"
    ]


# -- over-size files -------------------------------------------------------------------------------


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as out:
        out.truncate(size)  # no disk used: the size is checked before a byte is read
    return path


def test_over_size_side_files(tmp_path: Path) -> None:
    overrides = _sparse(tmp_path / "overrides.yaml", MAX_BYTES + 1)
    assert _fails_cleanly(["calendar", "year", "2030", "--overrides", str(overrides)], 1) == [
        f"error: {overrides}:1:1: file is {MAX_BYTES + 1:,} bytes; a calendar override file may "
        f"be at most {MAX_BYTES:,}"
    ]
    cases = _sparse(tmp_path / "cases.json", MAX_CASES_BYTES + 1)
    assert _fails_cleanly(["diff", OLD, NEW, "--cases", str(cases)], 1) == [
        f"error: {cases}:1:1: file is {MAX_CASES_BYTES + 1:,} bytes; a saved-cases file may be "
        f"at most {MAX_CASES_BYTES:,}"
    ]


def test_an_over_size_base_file(tmp_path: Path) -> None:
    _sparse(tmp_path / "_base.yaml", MAX_BYTES + 1)
    child = tmp_path / "child.yaml"
    child.write_text("format: 1\nextends: _base.yaml\n", encoding="utf-8")
    result = run(["validate", str(child)])
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == (
        f"{tmp_path / '_base.yaml'}:1:1: file is {MAX_BYTES + 1:,} bytes; a reglament file may be "
        f"at most {MAX_BYTES:,}"
    )


def test_too_many_saved_cases(tmp_path: Path) -> None:
    """Thousands of tiny items fit the size cap but would each be replayed twice."""
    cases = tmp_path / "cases.json"
    cases.write_text("[" + ", ".join(["{}"] * (MAX_CASES + 1)) + "]", encoding="utf-8")
    assert _fails_cleanly(["diff", OLD, NEW, "--cases", str(cases)], 1) == [
        f"error: {cases}: {MAX_CASES + 1:,} saved cases; at most {MAX_CASES:,} in one file"
    ]


# -- names longer than the system allows -----------------------------------------------------------

LONG = "a" * 300 + ".yaml"  # relative to the repository: the name shown is predictable
LONG_SHOWN = f"{'a' * 60}…{'a' * 35}.yaml (305 characters)"
LONG_NAME = (
    f"{LONG_SHOWN}: a name in the path is 305 bytes long; the system allows at most 255 per name"
)
DEEP = "a/" * 2100 + "x.yaml"  # short names, but a path over PATH_MAX
DEEP_SHOWN = f"{'a/' * 30}…{'a/' * 17}x.yaml (4,206 characters)"
DEEP_PATH = f"{DEEP_SHOWN}: the path is 4,206 bytes long; the system allows at most 4,095"


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "{}"],
        ["list", "{}"],
        ["audit", "{}"],
        ["show", "wheelchairs", "--path", "{}"],
        ["diff", "{}", NEW],
        ["diff", OLD, NEW, "--cases", "{}"],
        ["calendar", "year", "2030", "--overrides", "{}"],
    ],
    ids=lambda args: "-".join(a for a in args if a != "{}" and "/" not in a),
)
def test_over_long_names_on_the_command_line(args: list[str]) -> None:
    # was: OSError: [Errno 36] File name too long (a traceback) for validate, list, audit, show,
    # diff; a whole 300-character name in the one line of --cases and --overrides
    for name, line in ((LONG, LONG_NAME), (DEEP, DEEP_PATH)):
        given = [a.replace("{}", name) for a in args]
        assert _fails_cleanly(given, 2) == [f"error: {line}"]


@pytest.mark.parametrize(
    "args",
    [
        ["schema", "--output", "{}"],
        ["diagram", "wheelchairs", "-r", "atyrau", "--output", "{}"],
        ["audit", OLD, "--format", "json", "--output", "{}"],
        ["audit", OLD, "--format", "html", "--output", "{}"],
    ],
    ids=["schema", "diagram", "audit-json", "audit-html"],
)
def test_over_long_output_names(args: list[str]) -> None:
    """Writes are another part's (atomic writes); here: one line, exit 2, nothing left behind."""
    before = set(ROOT.iterdir())
    for name in (LONG, DEEP):
        lines = _fails_cleanly([a.replace("{}", name) for a in args], 2)
        assert len(lines) == 1 and "too long" in lines[0].lower(), lines
    assert set(ROOT.iterdir()) == before
