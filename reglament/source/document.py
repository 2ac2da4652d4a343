"""A located YAML tree → plain data plus a map from each path to its position; ``extends``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from reglament.errors import Position, Problem
from reglament.source import files
from reglament.source.yaml_reader import YamlProblem, YMap, YNode, YScalar, YSeq

PathKey = tuple[str | int, ...]
Plain = dict[str, "Plain"] | list["Plain"] | str | int | float | bool | None
MAX_EXTENDS_DEPTH = 8


@dataclass(slots=True)
class Document:
    """Plain data of one definition and where each part of it was written."""

    data: Plain
    values: dict[PathKey, Position] = field(default_factory=dict)  # path → position of the value
    keys: dict[PathKey, Position] = field(default_factory=dict)  # path → position of its key
    quoted: set[PathKey] = field(default_factory=set)  # scalars written in quotes

    def position(self, path: PathKey, *, key: bool = False) -> Position:
        """The position of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            if key and prefix in self.keys:
                return self.keys[prefix]
            if prefix in self.values:
                return self.values[prefix]
        raise KeyError(path)  # pragma: no cover - the root always has a position

    def key_position(self, path: PathKey) -> Position:
        return self.keys.get(path) or self.position(path)


def dotted(path: PathKey) -> str:
    """``("steps", "check", "next", 0, "when")`` → ``steps.check.next[0].when``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def to_document(root: YNode) -> Document:
    document = Document(None)
    document.data = _plain(root, (), document)
    return document


def _plain(node: YNode, path: PathKey, document: Document) -> Plain:
    document.values[path] = node.pos
    if isinstance(node, YScalar):
        if node.quoted:
            document.quoted.add(path)
        return node.value
    if isinstance(node, YSeq):
        return [_plain(item, (*path, index), document) for index, item in enumerate(node.items)]
    assert isinstance(node, YMap)
    result: dict[str, Plain] = {}
    for key, (key_pos, value) in node.entries.items():
        document.keys[(*path, key)] = key_pos
        result[key] = _plain(value, (*path, key), document)
    return result


def resolve_extends(
    root: YNode, path: Path, display: str, read: Callable[[Path, str], YNode], depth: int = 0
) -> YNode:
    """Merge the base named by ``extends`` (relative to ``path``) under ``root``, recursively.

    The base is in ``path``'s folder or below it (see :func:`_base_path`); a base's own base is
    in the base's folder or below, so a chain never leaves the first file's folder.

    Mappings merge key by key (the file's own value wins); a ``null`` value removes the base's
    key; lists and scalars replace the base's value whole.
    """
    if not isinstance(root, YMap) or "extends" not in root.entries:
        return root
    key_pos, target = root.entries["extends"]
    if not isinstance(target, YScalar) or not isinstance(target.value, str) or not target.value:
        raise YamlProblem(
            Problem(
                target.pos, "extends names a base file, e.g. extends: _base.yaml", code="extends"
            )
        )
    if depth >= MAX_EXTENDS_DEPTH:
        raise YamlProblem(
            Problem(
                target.pos,
                f"extends is nested more than {MAX_EXTENDS_DEPTH} deep (a cycle?)",
                code="extends",
            )
        )
    base_path = _base_path(path, target)
    base_display = str(Path(display).parent / target.value)
    try:
        base = read(base_path, base_display)
    except YamlProblem as error:  # the base's path, not its text: say so at the extends line
        if error.problem.code != "unreadable" or error.problem.position.file != base_display:
            raise
        raise _extends_problem(
            target, f"base file {target.value!r}: {error.problem.message}"
        ) from None
    base = resolve_extends(base, base_path, base_display, read, depth + 1)
    if not isinstance(base, YMap):
        raise YamlProblem(Problem(base.pos, "a base file must be a mapping", code="extends"))
    merged = _merge(base, root)
    assert isinstance(merged, YMap)
    # the reglament keeps the name of its own base, not of its base's base
    merged.entries["extends"] = (key_pos, target)
    return merged


_WHERE = "extends names a file in this file's folder or below it, e.g. extends: _base.yaml"


def _base_path(path: Path, target: YScalar) -> Path:
    """The base file ``target`` names, relative to ``path``'s folder and inside it: no absolute
    path, no '..', no link that leads out, no name the system would refuse."""
    name = str(target.value)
    problem = files.name_problem(name)
    if problem is not None:
        raise _extends_problem(target, f"the base file's name is refused: {problem}")
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in name):
        raise _extends_problem(target, f"base file {name!r} has a control character in its name")
    if PurePosixPath(name).is_absolute():
        raise _extends_problem(target, f"base file {name!r} is an absolute path; {_WHERE}")
    if ".." in PurePosixPath(name).parts:
        raise _extends_problem(
            target, f"base file {name!r} goes up out of this file's folder; {_WHERE}"
        )
    base = path.parent / name
    problem = files.name_problem(base)
    if problem is not None:
        raise _extends_problem(target, f"the base file's path is refused: {problem}")
    if not files.exists(base):
        raise _extends_problem(target, f"base file {name!r} not found next to this file")
    try:
        inside = base.resolve().is_relative_to(path.parent.resolve())
    except (OSError, RuntimeError):  # a loop of links
        inside = False
    if not inside:
        raise _extends_problem(
            target, f"base file {name!r} is a link that leads out of this file's folder; {_WHERE}"
        )
    return base


def _extends_problem(target: YScalar, message: str) -> YamlProblem:
    return YamlProblem(Problem(target.pos, message, code="extends"))


def _merge(base: YNode, own: YNode) -> YNode:
    if not (isinstance(base, YMap) and isinstance(own, YMap)):
        return own
    result = YMap(own.pos, dict(base.entries))
    for key, (key_pos, value) in own.entries.items():
        if isinstance(value, YScalar) and value.value is None and key in result.entries:
            del result.entries[key]
        elif key in result.entries:
            result.entries[key] = (key_pos, _merge(result.entries[key][1], value))
        else:
            result.entries[key] = (key_pos, value)
    return result
