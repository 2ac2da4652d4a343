"""XML text → a tree of plain elements that remembers where each one stood.

The only module that imports ``lxml`` to read. XML is read with every door shut:
- the file through the one reader (:mod:`reglament.source.files`): a regular file, at most
  ``MAX_BYTES``, UTF-8 (an encoding declared as anything else is refused);
- a document type declaration (``<!DOCTYPE``) is refused before the parser sees the text: BPMN
  needs none, and it is where entity bombs ("billion laughs") and external entities (a file or
  URL read into the document) live;
- the parser itself is libxml2's with entities left unresolved, no DTD loaded, no network, and
  its default limits kept (``huge_tree=False``: 256 levels of nesting, 10 MB of text in a node),
  so that even a declaration that got past the check could expand and fetch nothing.
Every problem is one :class:`~reglament.errors.Problem` at ``file:line:column``; the elements
come back as :class:`XNode` s (lxml's own objects never leave this module).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from reglament.errors import Position, Problem
from reglament.source import files

MAX_BYTES = 8 * 1024 * 1024  # a drawn process of a few hundred elements with its diagram: < 1 MiB
MAX_DEPTH = 256  # libxml2's own limit without huge_tree

_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "huge_tree": False,
    "load_dtd": False,
    "dtd_validation": False,
    "remove_comments": True,
    "remove_pis": True,
}
_UTF8 = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
# what may stand before the root element: the declaration, comments, processing instructions
_PROLOG_ITEM = re.compile(r"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
_WHERE = re.compile(r", line \d+, column \d+$")
_DECLARED = re.compile(r"""<\?xml\s[^>]*?\bencoding\s*=\s*["']([^"']*)["']""")
# the start tags in document order (what else begins with '<' skipped): the n-th is the n-th
# element; a '<' stands nowhere else in well-formed XML (not in text, not in an attribute value)
_MARKUP = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|</|<([^\s/>!?]+)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class XNode:
    """One element: its name in Clark notation (``{namespace}local``), its attributes (Clark
    names for namespaced ones), its own text (before its first child), its children, and where
    its start tag stands."""

    tag: str
    attrib: dict[str, str]
    text: str
    children: tuple[XNode, ...]
    position: Position
    prefix: str | None = None

    @property
    def namespace(self) -> str:
        return self.tag[1:].partition("}")[0] if self.tag.startswith("{") else ""

    @property
    def local(self) -> str:
        return self.tag.rpartition("}")[2]

    def iter(self) -> Iterator[XNode]:
        """This element and every element inside it, in document order."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))


class XmlProblem(Exception):
    """Reading stopped at the first problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem
        self.usage = False


def read(path: Path, display: str | None = None, *, what: str = "an XML file") -> XNode:
    """Read and parse an XML file into a located tree (``what`` names it in messages)."""
    shown = display if display is not None else str(path)
    try:
        text = files.read_text(path, shown, limit=MAX_BYTES, what=what, language="XML")
    except files.Refused as refused:
        problem = XmlProblem(refused.problem)
        problem.usage = refused.usage
        raise problem from None
    return parse(text, shown)


def parse(text: str, display: str) -> XNode:
    """Parse XML text into a located tree."""
    if not text.strip():
        raise _problem(display, 1, 1, "file is empty; expected XML", "empty")
    _refuse_encoding(text, display)
    _refuse_doctype(text, display)
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as error:
        line, column = error.position
        raise _problem(display, line, column, _syntax_message(error), "xml-syntax") from None
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.doctype:  # refused above, unless that check fails
        raise _problem(display, 1, 1, _DOCTYPE, "doctype")
    return _Builder(text, display).node(root)


_DOCTYPE = (
    "a document type declaration (<!DOCTYPE ...>) is not allowed: its entities could expand "
    "without bound or read other files; BPMN needs none"
)


def _refuse_encoding(text: str, display: str) -> None:
    """Text was read as UTF-8: a declaration that says otherwise would make libxml2 read it
    again in another encoding."""
    declared = _DECLARED.match(text)
    if declared is not None and declared.group(1).lower() not in _UTF8:
        line, column = files.text_line_col(text, declared.start(1))
        message = f"the file declares encoding {declared.group(1)!r}; save it as UTF-8"
        raise _problem(display, line, column, message, "encoding")


def _refuse_doctype(text: str, display: str) -> None:
    """A ``<!DOCTYPE`` can only stand in the prolog, before the root element: look there."""
    offset = 1 if text.startswith("\ufeff") else 0
    while match := _PROLOG_ITEM.match(text, offset):
        offset = match.end()
    if text.startswith("<!DOCTYPE", offset):
        line, column = files.text_line_col(text, offset)
        raise _problem(display, line, column, _DOCTYPE, "doctype")


def _syntax_message(error: etree.XMLSyntaxError) -> str:
    message = _WHERE.sub("", str(error.msg or error).strip())
    if message.startswith("Excessive depth in document"):
        return f"elements are nested more than {MAX_DEPTH} levels deep; refused"
    return f"not well-formed XML: {message}"


class _Builder:
    """lxml elements → :class:`XNode` s, each at the line and column of its start tag (lxml's
    ``sourceline`` is the line where the start tag ends): the start tags are found in the text
    in document order, the n-th for the n-th element."""

    def __init__(self, text: str, display: str) -> None:
        self._display = display
        self._starts = [m.start() for m in _MARKUP.finditer(text) if m.group(1) is not None]
        self._lines = [0] + [m.end() for m in re.finditer("\n", text)]
        self._next = 0

    def node(self, element: etree._Element) -> XNode:
        position = self._position()
        # comments and processing instructions are removed by the parser: only elements remain
        children = tuple(self.node(child) for child in element)
        return XNode(
            tag=str(element.tag),
            attrib={str(key): str(value) for key, value in element.attrib.items()},
            text=element.text or "",
            children=children,
            position=position,
            prefix=element.prefix,
        )

    def _position(self) -> Position:
        index, self._next = self._next, self._next + 1
        if index >= len(self._starts):  # pragma: no cover - one start tag per element
            return Position(self._display, 1, 1)
        offset = self._starts[index]
        line = bisect.bisect_right(self._lines, offset)
        return Position(self._display, line, offset - self._lines[line - 1] + 1)


def _problem(display: str, line: int, column: int, message: str, code: str) -> XmlProblem:
    return XmlProblem(Problem(Position(display, max(line, 1), max(column, 1)), message, code=code))


__all__ = ["MAX_BYTES", "XNode", "XmlProblem", "parse", "read"]
