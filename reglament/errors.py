"""Exception types of reglament: one small leaf module, imported by everything else.

The CLI maps each kind to an exit code: ``DefinitionError`` (an invalid reglament or data file)
→ 1, ``UsageError`` (bad arguments, unknown ids, dates outside the covered range) → 2; the case
store's: ``ConflictError`` (a write on a stale revision) → 3, ``MoveError`` (an impossible move on
a stored case) → 4, ``StoreError`` (the database cannot be reached, or its schema is too old or
too new) → 5.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Position:
    """A place in a source file, 1-based like editors show it; line 0 means the whole path."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        if self.line == 0:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in a definition: where, what, and in which part of the document."""

    position: Position
    message: str
    path: str = ""  # e.g. "steps[3].next"; empty for problems of the file as a whole
    code: str = ""  # stable identifier, e.g. "yaml-syntax", "schema", "dangling-target"

    def __str__(self) -> str:
        where = f" ({self.path})" if self.path else ""
        return f"{self.position}: {self.message}{where}"

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.position.file, self.position.line, self.position.column, self.message)


@dataclass(frozen=True, slots=True)
class Arg:
    """A parameter the caller can give, named inside an error's message, with the value given
    or a placeholder (``Arg("on", "DATE")``). A Python caller reads it as the keyword argument
    (``on=DATE``); the command line words it as its own option (``--on DATE``), at its edge
    (:meth:`ReglamentError.worded`). So no message below the CLI names a command-line option."""

    name: str
    value: str = ""  # "": none given (a Python caller reads ``name=...``)

    def __str__(self) -> str:
        return f"{self.name}={self.value or '...'}"


class ReglamentError(Exception):
    """Base of every error this package raises on purpose."""

    exit_code = 1
    parts: tuple[str | Arg, ...] = ()  # the message, when it names the caller's arguments

    def worded(self, option: Callable[[Arg], str]) -> str:
        """The message with each argument it names worded by ``option`` (the CLI's: ``--on
        DATE``); ``str(error)`` words them as Python keyword arguments (``on=DATE``)."""
        if not self.parts:
            return str(self)
        return "".join(part if isinstance(part, str) else option(part) for part in self.parts)


class DefinitionError(ReglamentError):
    """One or more definition files are invalid; carries every problem found."""

    exit_code = 1

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=Problem.sort_key)
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(ReglamentError):
    """The caller asked for something that cannot be done (bad argument, unknown id, range).

    The message is one string, or strings and :class:`Arg` s naming the caller's arguments:
    ``UsageError("choose one with ", Arg("region"), " or ID@REGION")``."""

    exit_code = 2

    def __init__(self, *parts: str | Arg) -> None:
        if any(isinstance(part, Arg) for part in parts):
            self.parts = parts
        super().__init__("".join(str(part) for part in parts))


class CalendarRangeError(UsageError):
    """A date outside the years the calendar covers."""


class ProgramMissing(UsageError):
    """A program this needs is not installed (Graphviz's ``dot`` for SVG, PNG, BPMN): a usage
    error on the command line (exit 2), 503 in the HTTP service (the server lacks it)."""


class NotFoundError(UsageError):
    """Something the caller named by id is not there (a stored case, a token): a usage error
    on the command line (exit 2), 404 in the HTTP service."""


class CaseError(ReglamentError):
    """An impossible move on a case (wrong step, wrong outcome, finished case)."""

    exit_code = 1


class MissingDataError(CaseError):
    """A move that a condition over case data not set would decide: ``fields`` are the data
    needed, read by the outcomes of decision ``step`` (``trigger`` ``None``) or by the routes
    it takes with ``trigger``."""

    def __init__(self, message: str, step: str, trigger: str | None, fields: frozenset[str]):
        super().__init__(message)
        self.step = step
        self.trigger = trigger
        self.fields = fields


class DeliveryError(ReglamentError):
    """A message of the outbox was not delivered (``reglament.runtime.delivery``): ``reason``
    is one line; ``permanent`` when trying again cannot help (the receiver refused it: an HTTP
    4xx, an SMTP 5xx, no address), else the message is tried again later. The delivery loop
    records it on the message; it reaches the command line only as a counted failure."""

    exit_code = 1

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class MoveError(CaseError):
    """An impossible move on a stored case (a step not active, a finished case, an instant
    before the case's last event): the store refuses the command and writes nothing."""

    exit_code = 4


class ConflictError(ReglamentError):
    """A write on a stale revision of a stored case (another writer came first), or a case that
    exists already: nothing was written; read the case again and retry."""

    exit_code = 3


class StaleError(ConflictError):
    """A write on a stale revision of a stored case: the revision the caller read (``--revision``,
    HTTP's ``If-Match``) is no longer the case's (exit 3; HTTP 412)."""


class StoreError(ReglamentError):
    """The case store cannot be used: its database cannot be reached, or its schema is older or
    newer than this version of reglament (``reglament db upgrade``)."""

    exit_code = 5


class CalendarMismatch(StoreError):
    """A process whose calendar (its override files) is not the one the store's cases are
    planned on: it writes nothing until it runs on the store's calendar, or ``reglament cases
    reproject`` moves the store to its calendar."""

    exit_code = 6


def closest(value: str, choices: Iterable[str]) -> str | None:
    """The choice nearest to ``value`` (difflib's ratio, case aside), or ``None`` when none is
    close: the one did-you-mean of the package, for ids, regions, steps, events, channels,
    variants and keys alike."""
    by_folded: dict[str, str] = {}
    for choice in choices:
        by_folded.setdefault(choice.casefold(), choice)
    close = difflib.get_close_matches(value.casefold(), list(by_folded), n=1)
    return by_folded[close[0]] if close else None


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the choice nearest to ``value``, else ``""``."""
    close = closest(value, choices)
    return f"; did you mean {close!r}?" if close is not None else ""


def unknown(what: str, value: str, choices: Iterable[str], where: str = "") -> UsageError:
    """The one shape of "no such thing" for a name the caller gave: ``unknown channel 'offise'
    for semey-compensation; did you mean 'office'? channels: office, con, ztmo``. ``what`` is
    the kind of thing (``channel``), ``where`` what it was looked up in (``for ID``)."""
    listed = list(choices)
    plural = "es" if what.endswith(("s", "sh", "ch")) else "s"
    hint = did_you_mean(value, listed)
    return UsageError(
        f"unknown {what} {value!r}{f' {where}' if where else ''}{hint}{' ' if hint else '; '}"
        f"{what}{plural}: {', '.join(listed) or 'none'}"
    )
