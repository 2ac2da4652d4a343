"""YAML text → a tree of plain data that remembers where every key and value stood.

The only module that imports ``yaml``. It is deliberately stricter than ``yaml.safe_load``:
- duplicate keys are errors (not "last one wins");
- only YAML 1.2 core scalars are typed: ``true``/``false`` are booleans, but ``yes``, ``no``,
  ``on``, ``off`` stay strings; dates stay strings (the models parse them);
- no tags but the standard ones (no ``!!python/...``, no custom tags);
- alias expansion is bounded (a "billion laughs" file is refused, not expanded);
- files that are not regular files, too large, binary or not UTF-8 are refused before parsing
  (by :mod:`reglament.source.files`, the one reader of every file a command is given);
- control characters, and the NEL/U+2028/U+2029 that YAML 1.1 counts as line breaks, are refused
  at their own line and column before libyaml sees them (it would say "1:1" and two lines).
Every problem is a :class:`~reglament.errors.Problem` with ``file:line:column``.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.resolver import BaseResolver

from reglament.errors import Position, Problem
from reglament.source import files

MAX_BYTES = 4 * 1024 * 1024
MAX_NODES = 200_000  # after alias expansion; the largest real reglament has a few thousand
MAX_DEPTH = 64  # nesting of mappings and lists; a reglament needs about 10

Scalar = str | int | float | bool | None

_CORE_PREFIX = "tag:yaml.org,2002:"
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class _CoreResolver(BaseResolver):
    """The YAML 1.2 core schema: no yes/no/on/off booleans, no sexagesimals, no timestamps."""


_CoreResolver.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_CoreResolver.add_implicit_resolver(
    _INT, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
_CoreResolver.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
_CoreResolver.add_implicit_resolver(
    _NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)

_SCALAR_TAGS = frozenset((_STR, _INT, _FLOAT, _BOOL, _NULL))
_QUOTES = ("'", '"')
# first character → the implicit resolvers to try, in order (then the wildcard ones): what
# BaseResolver.resolve does for a plain scalar, without its per-call list building
_RESOLVERS = _CoreResolver.yaml_implicit_resolvers
_BY_FIRST = {
    first: tuple(resolvers) + tuple(_RESOLVERS.get(None, ()))
    for first, resolvers in _RESOLVERS.items()
    if first is not None
}
_WILDCARD = tuple(_RESOLVERS.get(None, ()))


def _plain_tag(value: str) -> str:
    """The tag of a plain (unquoted, untagged) scalar under the core schema."""
    for tag, pattern in _BY_FIRST.get(value[:1], _WILDCARD):
        if pattern.match(value):
            return str(tag)
    return _STR


if getattr(yaml, "__with_libyaml__", False):  # pragma: no branch - libyaml is usual
    from yaml.cyaml import CParser  # type: ignore[attr-defined]

    class _Composer(CParser, _CoreResolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _CoreResolver.__init__(self)

else:  # pragma: no cover

    class _Composer(  # type: ignore[no-redef]
        yaml.reader.Reader,
        yaml.scanner.Scanner,
        yaml.parser.Parser,
        yaml.composer.Composer,
        _CoreResolver,
    ):
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            _CoreResolver.__init__(self)


@dataclass(slots=True)
class YNode:
    pos: Position


@dataclass(slots=True)
class YScalar(YNode):
    value: Scalar
    quoted: bool = False


@dataclass(slots=True)
class YMap(YNode):
    # key → (position of the key, value node); insertion order is the file's order
    entries: dict[str, tuple[Position, YNode]] = field(default_factory=dict)


@dataclass(slots=True)
class YSeq(YNode):
    items: list[YNode] = field(default_factory=list)


class YamlProblem(Exception):
    """Reading stopped at the first problem (YAML parsing cannot go on after one)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def read_text(path: Path, display: str) -> str:
    """The file's text, or a :class:`YamlProblem` for files we refuse before parsing (see
    :mod:`reglament.source.files`: regular files only, at most ``MAX_BYTES``, UTF-8)."""
    try:
        return files.read_text(
            path, display, limit=MAX_BYTES, what="a reglament file", language="YAML"
        )
    except files.Refused as refused:
        raise YamlProblem(refused.problem) from None


def is_blank(text: str) -> bool:
    """Whether the text holds no YAML at all (only blank lines and comments)."""
    return not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    )


def parse(text: str, display: str, kind: str = "reglament") -> YNode:
    """Parse one YAML document into a located tree; ``kind`` names what the file holds in
    messages ("a reglament holds plain data only")."""
    if is_blank(text):
        raise _problem(display, 1, 1, f"file is empty; expected a {kind} (a YAML mapping)", "empty")
    _refuse_control_characters(text, display)
    parser = _Composer(text)
    try:
        return _Builder(parser, display, kind).document()
    except yaml.MarkedYAMLError as error:
        raise _syntax_problem(error, display, text) from None
    except yaml.YAMLError as error:  # pragma: no cover - libyaml always marks its errors
        message = " ".join(str(error).split())  # one line, whatever the library says
        raise _problem(display, 1, 1, f"YAML error: {message}", "yaml-syntax") from None
    finally:
        parser.dispose()


def read(path: Path, display: str | None = None) -> YNode:
    """Read and parse a YAML file into a located tree."""
    shown = display if display is not None else str(path)
    return parse(read_text(path, shown), shown)


@dataclass(slots=True)
class _Open:
    """A mapping or list being built: its node, its anchor, and (for a mapping) the pending key."""

    node: YMap | YSeq
    anchor: str | None
    size: int = 1
    key: str | None = None
    key_pos: Position | None = None


class _Builder:
    """Builds the located tree straight from the parser's events, without recursion.

    libyaml's own composer recurses in C (a deeply nested file crashes the interpreter) and
    expands aliases into shared nodes that may contain themselves; here nesting is bounded by
    ``MAX_DEPTH``, an alias to a value still being read is refused, and the values an alias
    brings in count against ``MAX_NODES`` as if it were expanded.
    """

    def __init__(self, parser: _Composer, display: str, kind: str) -> None:
        self.parser = parser
        self.display = display
        self.kind = kind
        self.anchors: dict[str, tuple[YNode, int]] = {}  # anchor → (node, expanded size)
        self.total = 0

    def document(self) -> YNode:
        parser = self.parser
        parser.get_event()  # StreamStart
        parser.get_event()  # DocumentStart (the file is not empty)
        root = self.node()
        parser.get_event()  # DocumentEnd
        if parser.check_event(yaml.DocumentStartEvent):
            raise YamlProblem(
                Problem(
                    self.pos(parser.peek_event()),
                    f"a second YAML document ('---'); a {self.kind} file holds exactly one",
                    code="yaml-syntax",
                )
            )
        return root

    def node(self) -> YNode:
        stack: list[_Open] = []
        get_event = self.parser.get_event
        display = self.display
        while True:
            event: Any = get_event()
            mark = event.start_mark
            pos = Position(display, mark.line + 1, mark.column + 1)
            done: YNode | None = None
            size = 1
            kind = type(event)
            if kind is yaml.ScalarEvent:
                done = self.scalar(event, pos, stack)
                self.total += 1
                if self.total > MAX_NODES:
                    self.count(0, pos)
                if done is None:  # a key: wait for its value
                    continue
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                is_map = kind is yaml.MappingStartEvent
                tag = event.tag
                if tag is not None and tag != "!" and tag != (_MAP if is_map else _SEQ):
                    raise self.tag_problem(str(tag), pos)  # no tag, or "!": a map or list
                if stack and stack[-1].key is None and isinstance(stack[-1].node, YMap):
                    raise YamlProblem(
                        Problem(
                            pos, "a key must be a plain word, not a list or mapping", code="key"
                        )
                    )
                if len(stack) >= MAX_DEPTH:
                    raise YamlProblem(
                        Problem(
                            pos,
                            f"values are nested more than {MAX_DEPTH} levels deep; refused",
                            code="too-deep",
                        )
                    )
                self.count(1, pos)
                stack.append(_Open(YMap(pos) if is_map else YSeq(pos), event.anchor))
                continue
            elif kind is yaml.AliasEvent:
                anchor = str(event.anchor)
                if anchor not in self.anchors:
                    if any(frame.anchor == anchor for frame in stack):
                        raise YamlProblem(
                            Problem(
                                pos,
                                f"alias *{anchor} refers to a value that contains it; refused",
                                code="alias",
                            )
                        )
                    raise YamlProblem(
                        Problem(pos, f"alias *{anchor} names no anchor (&{anchor})", code="alias")
                    )
                done, size = self.anchors[anchor]
                self.count(size, pos)
            else:  # SequenceEnd or MappingEnd
                frame = stack.pop()
                done, size = frame.node, frame.size
                if frame.anchor is not None:
                    self.anchors[frame.anchor] = (done, size)
            if not stack:
                return done
            self.attach(stack[-1], done, size)

    def scalar(self, event: Any, pos: Position, stack: list[_Open]) -> YNode | None:
        """The scalar's node, or None when it is a mapping key (then kept as the pending key)."""
        tag = event.tag
        value = event.value
        if tag is None or tag == "!":  # what the core resolver gives
            tag = _plain_tag(value) if event.implicit[0] else _STR
        top = stack[-1] if stack else None
        if top is not None and top.key is None and isinstance(top.node, YMap):
            key = str(value)
            if key == "<<":
                raise YamlProblem(
                    Problem(
                        pos,
                        "merge keys ('<<') are not supported; use 'extends' or write the keys out",
                        code="key",
                    )
                )
            if tag not in _SCALAR_TAGS:
                raise self.tag_problem(tag, pos)
            entries = top.node.entries
            if key in entries:
                first = entries[key][0]
                raise YamlProblem(
                    Problem(
                        pos,
                        f"duplicate key {key!r} (first given at line {first.line})",
                        code="duplicate-key",
                    )
                )
            top.key, top.key_pos = key, pos
            if event.anchor is not None:  # a key may be reused through its alias
                self.anchors[event.anchor] = (YScalar(pos, key), 1)
            return None
        style = event.style
        result = YScalar(
            pos, value if tag == _STR else _scalar(tag, value, pos, self.kind), style in _QUOTES
        )
        if event.anchor is not None:
            self.anchors[event.anchor] = (result, 1)
        return result

    def attach(self, frame: _Open, node: YNode, size: int) -> None:
        frame.size += size
        if isinstance(frame.node, YSeq):
            frame.node.items.append(node)
            return
        if frame.key is None:  # an alias used as a key
            if not isinstance(node, YScalar):
                raise YamlProblem(
                    Problem(
                        node.pos, "a key must be a plain word, not a list or mapping", code="key"
                    )
                )
            frame.key, frame.key_pos = str(node.value), node.pos
            return
        assert frame.key_pos is not None
        frame.node.entries[frame.key] = (frame.key_pos, node)
        frame.key, frame.key_pos = None, None

    def count(self, size: int, pos: Position) -> None:
        self.total += size
        if self.total > MAX_NODES:
            raise YamlProblem(
                Problem(
                    pos,
                    f"more than {MAX_NODES:,} values after expanding aliases (an alias bomb?); refused",
                    code="alias-bomb",
                )
            )

    def pos(self, event: Any) -> Position:
        mark = event.start_mark
        return Position(self.display, mark.line + 1, mark.column + 1)

    def tag_problem(self, tag: str, pos: Position) -> YamlProblem:
        return YamlProblem(Problem(pos, _tag_message(tag, self.kind), code="tag"))


def _scalar(tag: str, text: str, pos: Position, kind: str) -> Scalar:
    value = str(text)
    if tag == _STR:
        return value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return value.lower() == "true"
    if tag == _INT:
        try:
            return int(value, 0) if value.startswith(("0o", "0x")) else int(value)
        except ValueError:
            raise YamlProblem(Problem(pos, _not_whole(value), code="type")) from None
    if tag == _FLOAT:
        try:
            return float(value.replace(".inf", "inf").replace(".Inf", "inf").replace(".INF", "inf"))
        except ValueError:
            raise YamlProblem(Problem(pos, f"{value!r} is not a number", code="type")) from None
    raise YamlProblem(Problem(pos, _tag_message(str(tag), kind), code="tag"))


def _tag_message(tag: str, kind: str) -> str:
    shown = "!!" + tag.removeprefix(_CORE_PREFIX) if tag.startswith(_CORE_PREFIX) else tag
    return (
        f"tag {shown!r} is not allowed: a {kind} holds plain data only "
        "(mappings, lists, strings, numbers, true/false, null)"
    )


# Characters YAML does not allow in a file (C0 controls but tab and line breaks, DEL, the C1
# controls, surrogates, U+FFFE/U+FFFF), and three it allows but reads as line breaks where
# editors show none (NEL U+0085, U+2028, U+2029): with them, every later position would be off.
_REFUSED_CHARACTER = re.compile(
    "[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_CONTROL_NAMES = (
    "NUL",
    "SOH",
    "STX",
    "ETX",
    "EOT",
    "ENQ",
    "ACK",
    "BEL",
    "BS",
    "HT",
    "LF",
    "VT",
    "FF",
    "CR",
    "SO",
    "SI",
    "DLE",
    "DC1",
    "DC2",
    "DC3",
    "DC4",
    "NAK",
    "SYN",
    "ETB",
    "CAN",
    "EM",
    "SUB",
    "ESC",
    "FS",
    "GS",
    "RS",
    "US",
)
_C1_NAMES = (
    "PAD",
    "HOP",
    "BPH",
    "NBH",
    "IND",
    "NEL",
    "SSA",
    "ESA",
    "HTS",
    "HTJ",
    "VTS",
    "PLD",
    "PLU",
    "RI",
    "SS2",
    "SS3",
    "DCS",
    "PU1",
    "PU2",
    "STS",
    "CCH",
    "MW",
    "SPA",
    "EPA",
    "SOS",
    "SGCI",
    "SCI",
    "CSI",
    "ST",
    "OSC",
    "PM",
    "APC",
)


def _refuse_control_characters(text: str, display: str) -> None:
    found = _REFUSED_CHARACTER.search(text)
    if found is None:
        return
    line, column = files.text_line_col(text, found.start())
    raise _problem(display, line, column, _character_message(ord(found.group())), "yaml-syntax")


def _character_message(code: int) -> str:
    if code in (0x85, 0x2028, 0x2029):
        name = {0x85: "NEL", 0x2028: "line separator", 0x2029: "paragraph separator"}[code]
        return (
            f"character U+{code:04X} ({name}) is not allowed: YAML reads it as a line break "
            "where editors show none; use a real line break or a space"
        )
    if code < 0x20 or 0x7F <= code < 0xA0:
        name = (
            _CONTROL_NAMES[code]
            if code < 0x20
            else "DEL"
            if code == 0x7F
            else _C1_NAMES[code - 0x80]
        )
        return f"control character U+{code:04X} ({name}) is not allowed in YAML; remove it"
    return f"character U+{code:04X} is not allowed in YAML (not a character for text); remove it"


def _syntax_problem(error: yaml.MarkedYAMLError, display: str, text: str) -> YamlProblem:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark is not None else 1
    column = mark.column + 1 if mark is not None else 1
    problem = (error.problem or "invalid YAML").strip()
    lines = text.splitlines()
    at = lines[line - 1][column - 1 : column] if line <= len(lines) else ""
    if at == "\t" or "'\\t'" in problem:
        message = "tab character: YAML indentation must use spaces, not tabs"
    elif "another document" in problem:
        message = "a second YAML document ('---'); a reglament file holds exactly one"
    else:
        context = error.context.strip() if error.context else ""
        started = error.context_mark
        if context and started is not None and started is not mark:
            context += f" that starts at line {started.line + 1}, column {started.column + 1}"
        message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    return _problem(display, line, column, message, "yaml-syntax")


def _not_whole(value: str) -> str:
    """Why an int-tagged scalar is no number Python reads: too many digits, or not digits."""
    limit = sys.get_int_max_str_digits()
    if limit and len(value) > limit and value.lstrip("+-").isdigit():
        return f"'{value[:12]}...' is too large a number ({len(value):,} digits; at most {limit:,})"
    return f"{value!r} is not a whole number"


def _problem(display: str, line: int, column: int, message: str, code: str) -> YamlProblem:
    return YamlProblem(Problem(Position(display, line, column), message, code=code))
