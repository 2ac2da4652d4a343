"""The one door for every file a command reads: definitions, their bases, calendar overrides,
saved cases.

- Only regular files are read. The path is checked with ``stat`` before it is opened (a device
  is never opened), then opened with ``O_NONBLOCK`` (a FIFO swapped in meanwhile does not block
  the open) and checked again on the open descriptor, which is what is read.
- At most ``limit`` bytes: ``limit + 1`` are read and never more, whatever the size the file
  claims (``/proc`` files claim 0), so a file that grows or never ends is refused, not read.
- The bytes must be UTF-8 text without NUL; a bad byte is reported at its line and column.
- Names longer than the system allows (255 bytes for one name, 4,095 for a whole path) are
  refused with a sentence before any system call sees them.

A problem with the path (it is missing, not a regular file, too long, not readable) and one with
what the file holds (too large, binary, not UTF-8) are told apart: callers make the first a
usage error (exit 2) and the second an invalid file (exit 1), see :meth:`Refused.error`.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import sys
from pathlib import Path
from typing import Any, Literal

from reglament.errors import DefinitionError, Position, Problem, ReglamentError, UsageError

NAME_MAX = 255  # bytes in one file or folder name (Linux, macOS)
PATH_MAX = 4096  # bytes in a whole path, with the terminating NUL (Linux)
_CHUNK = 1 << 20


class Refused(Exception):
    """A file that is not read, or not used: ``usage`` when the path is at fault."""

    def __init__(self, problem: Problem, *, usage: bool) -> None:
        super().__init__(str(problem))
        self.problem = problem
        self.usage = usage

    def error(self) -> ReglamentError:
        """The error a command reports: a usage error (2) or an invalid file (1)."""
        if self.usage:
            return UsageError(str(self.problem))
        return DefinitionError([self.problem])


def shown(text: str) -> str:
    """A path as messages show it: an over-long one is cut in the middle."""
    return text if len(text) <= 120 else f"{text[:60]}…{text[-40:]} ({len(text):,} characters)"


def name_problem(name: str | os.PathLike[str]) -> str | None:
    """Why the system would refuse this path for its length or its characters, or None."""
    text = os.fspath(name)
    if "\x00" in text:
        return "the path contains a NUL character"
    encoded = os.fsencode(text)
    if len(encoded) >= PATH_MAX:
        return (
            f"the path is {len(encoded):,} bytes long; the system allows at most {PATH_MAX - 1:,}"
        )
    longest = max(encoded.split(b"/"), key=len)
    if len(longest) > NAME_MAX:
        return (
            f"a name in the path is {len(longest):,} bytes long; the system allows at most "
            f"{NAME_MAX} per name"
        )
    return None


Kind = Literal["file", "folder"]


def kind(path: Path, display: str) -> Kind:
    """Whether a path given on the command line is a regular file or a folder; anything else
    (missing, a FIFO, a device, a name too long) is :class:`Refused` as a usage error."""
    mode = _stat(path, display, missing="no such file or folder")
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISREG(mode):
        return "file"
    raise _path_problem(display, f"not a regular file or folder ({_what(mode)})")


def exists(path: Path) -> bool:
    """Whether something is at ``path`` (False for a path the system would refuse)."""
    if name_problem(path) is not None:
        return False
    try:
        path.stat()
    except OSError:
        return False
    return True


def read_text(path: Path, display: str, *, limit: int, what: str, language: str) -> str:
    """The text of a regular file of at most ``limit`` bytes of UTF-8 (a leading BOM dropped).

    ``what`` names the kind of file in messages ("a reglament file"), ``language`` its text
    ("YAML")."""
    mode = _stat(path, display, missing="no such file")
    if not stat.S_ISREG(mode):
        raise _path_problem(display, f"not a regular file ({_what(mode)})")
    data = _read(path, display, limit, what)
    if b"\x00" in data:
        line, column = line_col(data, data.index(b"\x00"))
        raise _content_problem(
            display,
            line,
            column,
            f"binary file (NUL byte); expected UTF-8 {language} text",
            "binary",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = line_col(data, error.start)
        raise _content_problem(
            display,
            line,
            column,
            f"not UTF-8: byte 0x{data[error.start]:02x} starts no valid character ({error.reason}); "
            "save the file as UTF-8",
            "encoding",
        ) from None
    return text.removeprefix("\ufeff")


JSON_DEPTH = (
    64  # nesting refused where the parser gives up (it recurses), at the first level past this
)
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]|[0-9]+')


def read_json(path: Path, display: str, *, limit: int, what: str) -> Any:
    """The value in a JSON file read as :func:`read_text` reads; a syntax error, nesting too deep
    for the parser, a number too long to convert or a string with a lone surrogate escape is
    :class:`Refused` at its line and column."""
    text = read_text(path, display, limit=limit, what=what, language="JSON")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise _content_problem(
            display, error.lineno, error.colno, f"not JSON: {error.msg}", "json-syntax"
        ) from None
    except RecursionError:
        line, column = text_line_col(text, _json_offset(text, digits=None))
        message = f"values are nested more than {JSON_DEPTH} levels deep; refused"
        raise _content_problem(display, line, column, message, "too-deep") from None
    except ValueError:  # an integer longer than Python converts (sys.get_int_max_str_digits())
        digits = sys.get_int_max_str_digits()
        line, column = text_line_col(text, _json_offset(text, digits=digits))
        message = f"a number of more than {digits:,} digits; refused"
        raise _content_problem(display, line, column, message, "type") from None
    if _SURROGATE_ESCAPE.search(text):
        _refuse_lone_surrogates(text, display)
    return value


# JSON may escape half of a UTF-16 pair alone ("\ud800"): Python decodes it to a string that no
# output can encode. Such strings are refused where they are written.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_SURROGATE = re.compile("[\ud800-\udfff]")


def _refuse_lone_surrogates(text: str, display: str) -> None:
    for token in _JSON_STRING.finditer(text):
        if _SURROGATE_ESCAPE.search(token.group()) and _SURROGATE.search(json.loads(token.group())):
            line, column = text_line_col(text, token.start())
            message = (
                "a string with half of a UTF-16 surrogate pair (\\ud800-\\udfff) alone; not text"
            )
            raise _content_problem(display, line, column, message, "encoding")


def _json_offset(text: str, digits: int | None) -> int:
    """Where JSON text first nests deeper than ``JSON_DEPTH`` (``digits`` None) or first has a
    number longer than ``digits``; scanned only after the parser has failed."""
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        first = token.group()[0]
        if first in "[{":
            depth += 1
            if digits is None and depth > JSON_DEPTH:
                return token.start()
        elif first in "]}":
            depth -= 1
        elif first != '"' and digits is not None and len(token.group()) > digits:
            return token.start()
    return 0  # pragma: no cover - the parser failed for the reason looked for


def line_col(data: bytes, offset: int) -> tuple[int, int]:
    """The 1-based line and column (in characters) of a byte offset."""
    before = data[:offset]
    line = before.count(b"\n") + 1
    start = before.rfind(b"\n") + 1
    column = len(before[start:].decode("utf-8", errors="replace")) + 1
    return line, column


def text_line_col(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _stat(path: Path, display: str, *, missing: str) -> int:
    problem = name_problem(path)
    if problem is not None:
        raise _path_problem(shown(display), problem)
    try:
        return path.stat().st_mode
    except OSError as error:
        raise _os_problem(error, display, missing) from None


def _read(path: Path, display: str, limit: int, what: str) -> bytes:
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        raise _os_problem(error, display, "no such file") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # replaced between the stat and the open
            raise _path_problem(display, f"not a regular file ({_what(info.st_mode)})")
        if info.st_size > limit:
            raise _too_large(display, f"{info.st_size:,} bytes", limit, what)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        raise _os_problem(error, display, "no such file") from None
    finally:
        os.close(fd)
    if size > limit:
        raise _too_large(display, f"more than {limit:,} bytes", limit, what)
    return b"".join(chunks)


def _what(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a plain file"  # pragma: no cover - the kinds above are all POSIX has


def _os_problem(error: OSError, display: str, missing: str) -> Refused:
    if error.errno in (errno.ENOENT, errno.ENOTDIR):
        return _path_problem(display, missing)
    if error.errno == errno.ENAMETOOLONG:  # a link that expands past the limit
        return _path_problem(shown(display), "the path is too long for the system")
    return _path_problem(display, f"cannot read: {error.strerror}")


def _path_problem(display: str, message: str) -> Refused:
    return Refused(Problem(Position(display, 0, 0), message, code="unreadable"), usage=True)


def _content_problem(display: str, line: int, column: int, message: str, code: str) -> Refused:
    return Refused(Problem(Position(display, line, column), message, code=code), usage=False)


def _too_large(display: str, size: str, limit: int, what: str) -> Refused:
    return _content_problem(
        display, 1, 1, f"file is {size}; {what} may be at most {limit:,}", "too-large"
    )
