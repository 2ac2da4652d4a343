"""The condition language of reglaments: a tiny, sandboxed subset of Python expressions.

Conditions decide routes and durations from the case data, e.g.
``variant == 'certificate'`` or ``documents_lacking and not data_found``.

Allowed: names (``variant``, ``channel`` and the fields declared under ``data:``), string, number,
boolean and ``null`` constants, lists of constants, ``== != < <= > >= in not in``, ``and or not``,
parentheses and unary minus. Nothing else: no calls, no attribute access, no subscripts, no
lambdas, no names starting with ``_``. Expressions are parsed with :mod:`ast` and interpreted by
the closures below; nothing is ever passed to ``eval`` or ``compile``.
"""

from __future__ import annotations

import ast
import itertools
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

MAX_LENGTH = 500
MAX_DEPTH = 32

Value = str | int | float | bool | None | tuple[object, ...]
Evaluator = Callable[[Mapping[str, object]], object]


class _Unknown:
    """The value of a name that has not been set, for :meth:`Expr.missing`: a comparison with it
    is unknown, and so are ``and``/``or``/``not`` whose result depends on it."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


def _unknown(value: object) -> bool:
    return value is UNKNOWN or (isinstance(value, tuple) and any(_unknown(v) for v in value))


def _all(values: Iterable[object]) -> object:
    """``and`` in three-valued logic (without unknowns: ``all``)."""
    unknown = False
    for value in values:
        if _unknown(value):
            unknown = True
        elif not value:
            return False
    return UNKNOWN if unknown else True


def _any(values: Iterable[object]) -> object:
    """``or`` in three-valued logic (without unknowns: ``any``)."""
    unknown = False
    for value in values:
        if _unknown(value):
            unknown = True
        elif value:
            return True
    return UNKNOWN if unknown else False


def _not(value: object) -> object:
    return UNKNOWN if _unknown(value) else not value


_COMPARE: dict[type[ast.cmpop], Callable[[object, object], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,  # type: ignore[dict-item]
    ast.LtE: operator.le,  # type: ignore[dict-item]
    ast.Gt: operator.gt,  # type: ignore[dict-item]
    ast.GtE: operator.ge,  # type: ignore[dict-item]
    ast.In: lambda a, b: operator.contains(b, a),  # type: ignore[arg-type]
    ast.NotIn: lambda a, b: not operator.contains(b, a),  # type: ignore[arg-type]
}

ALLOWED = "names, constants, lists, == != < <= > >= in, not in, and, or, not, ( )"


class ExprError(ValueError):
    """A condition that cannot be accepted; ``column`` is 1-based within the expression."""

    def __init__(self, message: str, column: int = 1) -> None:
        super().__init__(message)
        self.column = column


@dataclass(frozen=True, slots=True)
class Expr:
    """A parsed condition: its source text, the names it reads and the constants compared to them."""

    source: str
    names: frozenset[str]
    compared: tuple[tuple[str, str], ...]  # (name, string constant) pairs, e.g. ("variant", "x")
    evaluate: Evaluator

    def __call__(self, scope: Mapping[str, object]) -> bool:
        return bool(self.evaluate(scope))

    def missing(self, scope: Mapping[str, object], unset: frozenset[str]) -> frozenset[str]:
        """The names of ``unset`` this condition reads, when its value for ``scope`` depends on
        them (``and``, ``or`` and ``not`` in three-valued logic: ``False and x`` is false
        whatever ``x`` is); empty when the condition is decided without them."""
        reads = self.names & unset
        if not reads:
            return frozenset()
        value = self.evaluate({**scope, **dict.fromkeys(reads, UNKNOWN)})
        return reads if value is UNKNOWN else frozenset()


def parse(source: str) -> Expr:
    """Parse and check a condition; raise :class:`ExprError` with the column of the problem."""
    if len(source) > MAX_LENGTH:
        raise ExprError(f"condition is {len(source)} characters long; at most {MAX_LENGTH}")
    if not source.strip():
        raise ExprError("condition is empty")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as error:
        raise ExprError(f"not a valid condition: {error.msg}", error.offset or 1) from None
    names: set[str] = set()
    compared: list[tuple[str, str]] = []
    evaluate = _build(tree.body, names, compared, 0)
    return Expr(source, frozenset(names), tuple(compared), evaluate)


def _col(node: ast.AST) -> int:
    return int(getattr(node, "col_offset", 0)) + 1


def _build(
    node: ast.expr, names: set[str], compared: list[tuple[str, str]], depth: int
) -> Evaluator:
    if depth > MAX_DEPTH:
        raise ExprError(f"condition is nested deeper than {MAX_DEPTH} levels", _col(node))
    deeper = depth + 1
    if isinstance(node, ast.Constant):
        value = node.value
        if not isinstance(value, str | int | float | bool) and value is not None:
            raise ExprError(f"constant {value!r} is not allowed", _col(node))
        return lambda _scope: value
    if isinstance(node, ast.Name):
        name = node.id
        if name.startswith("_"):
            raise ExprError(
                f"name {name!r} is not allowed (names may not start with '_')", _col(node)
            )
        names.add(name)
        return lambda scope: scope.get(name)
    if isinstance(node, ast.List | ast.Tuple):
        items = [_build(item, names, compared, deeper) for item in node.elts]
        return lambda scope: tuple(item(scope) for item in items)
    if isinstance(node, ast.BoolOp):
        parts = [_build(value, names, compared, deeper) for value in node.values]
        if isinstance(node.op, ast.And):
            return lambda scope: _all(part(scope) for part in parts)
        return lambda scope: _any(part(scope) for part in parts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = _build(node.operand, names, compared, deeper)
        return lambda scope: _not(inner(scope))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        operand = node.operand
        if isinstance(operand, ast.Constant) and isinstance(operand.value, int | float):
            negative = -operand.value
            return lambda _scope: negative
        raise ExprError("unary minus applies to numbers only", _col(node))
    if isinstance(node, ast.Compare):
        return _build_compare(node, names, compared, deeper)
    kind = type(node).__name__
    raise ExprError(
        f"{_describe(kind)} is not allowed in a condition; allowed: {ALLOWED}", _col(node)
    )


def _build_compare(
    node: ast.Compare, names: set[str], compared: list[tuple[str, str]], depth: int
) -> Evaluator:
    operands = [node.left, *node.comparators]
    for left, right in itertools.pairwise(operands):
        for a, b in ((left, right), (right, left)):
            if isinstance(a, ast.Name):
                for constant in _string_constants(b):
                    compared.append((a.id, constant))
    built = [_build(operand, names, compared, depth) for operand in operands]
    ops = []
    for op in node.ops:
        function = _COMPARE.get(type(op))
        if function is None:  # only ``is`` and ``is not`` are left out
            word = "is not" if isinstance(op, ast.IsNot) else "is"
            raise ExprError(
                f"'{word}' is not allowed in a condition; compare with == or != instead",
                _col(node),
            )
        ops.append(function)

    def compare(scope: Mapping[str, object]) -> object:
        values = [item(scope) for item in built]
        if any(_unknown(value) for value in values):
            return UNKNOWN
        try:
            return all(op(a, b) for op, a, b in zip(ops, values, values[1:], strict=False))
        except TypeError:
            return False

    return compare


def _string_constants(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.List | ast.Tuple):
        return [
            item.value
            for item in node.elts
            if isinstance(item, ast.Constant) and isinstance(item.value, str)
        ]
    return []


def _describe(kind: str) -> str:
    return {
        "Call": "a function call",
        "Attribute": "attribute access",
        "Subscript": "indexing",
        "Lambda": "a lambda",
        "BinOp": "arithmetic",
        "IfExp": "an if-expression",
        "NamedExpr": "assignment",
        "Dict": "a mapping",
        "Set": "a set",
        "ListComp": "a comprehension",
        "GeneratorExp": "a generator",
        "JoinedStr": "an f-string",
        "Starred": "unpacking",
    }.get(kind, kind)
