"""The Jinja sandbox notification templates run in: Jinja2's immutable sandbox, bounded.

A reglament's own templates (``templates:``) are untrusted input. Jinja2's
:class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` keeps them away from Python's internals
(``__class__``, ``__globals__``, ``mro`` …) and from changing a value; :class:`BoundedSandbox`
also bounds what one message may cost, so that no template can hang a send or exhaust memory
(the package's own templates and layouts, trusted, run in Jinja's immutable sandbox without
this counting: :func:`reglament.renderers.notifications.package_environment`):

==================  ====================================================================
``MAX_STEPS``        steps one message may take: each loop iteration, call, operator,
                     comparison, attribute read, filter and piece of output is one step,
                     plus one for each character or item it handles
``MAX_SIZE``         characters or items of any value a template makes (a text, a list,
                     a number's digits): checked *before* an operator, a filter or a
                     method builds it (``'a' * 10**9``, ``'%09999d' % 1``, ``lipsum(10**7)``,
                     ``center(10**9)`` …)
``MAX_WRITTEN``      characters written, in all: what a macro, a ``{% set %}`` block or a
                     ``caller()`` writes counts where it is written and again where its
                     result is
``MAX_DEPTH``        calls nested inside one another (a macro, ``loop()``, ``caller()``
                     that calls itself without end)
``MAX_NESTING``      lists, tuples and dicts nested inside one another
``MAX_RANGE``        numbers in a ``range()`` (Jinja's own sandbox limit)
==================  ====================================================================

The count is of steps, not of seconds: the same template with the same values takes the same
steps every time, pass or fail, on any machine, and nothing here reads a clock (the engine's
rule). It bounds time because each step pays for the size of what it handles: the slowest of
Jinja's filters (``sort``, ``urlize``) take a few microseconds per item, so a message's
``MAX_STEPS`` take well under a second. A template over a limit raises :class:`LimitExceeded`
(a Jinja ``SecurityError``), which says what was exceeded.

How: the operators are intercepted (``intercepted_binops``), calls go through :meth:`call`,
attribute and item reads through :meth:`getattr` / :meth:`getitem`, every filter and test is
wrapped, and :meth:`compile` instruments the parsed template before Jinja compiles it (loops,
output, ``~``, literal lists and dicts, comparisons go through internal filters whose names no
template can write). Constant folding is off, so nothing of a template runs at compile time.
:func:`forbidden_reads` finds, without running it, each attribute a template reads that the
sandbox refuses (``validate`` reports them: such a template would fail at every send).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import math
import re
import string
import types
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from jinja2 import TemplateSyntaxError, nodes, pass_context
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context, LoopContext, Undefined
from jinja2.sandbox import (
    MAX_RANGE,
    ImmutableSandboxedEnvironment,
    SandboxedEscapeFormatter,
    SandboxedFormatter,
)
from jinja2.utils import Namespace, generate_lorem_ipsum
from jinja2.visitor import NodeTransformer
from markupsafe import Markup

__all__ = [
    "MAX_DEPTH",
    "MAX_NESTING",
    "MAX_RANGE",
    "MAX_SIZE",
    "MAX_STEPS",
    "MAX_WRITTEN",
    "BoundedSandbox",
    "Budget",
    "LimitExceeded",
    "bounded",
    "forbidden_reads",
]

MAX_STEPS = 200_000
MAX_SIZE = 100_000
MAX_WRITTEN = 100_000
MAX_DEPTH = 32
MAX_NESTING = 32


class LimitExceeded(SecurityError):
    """A template went over one of the sandbox's limits; the message says which."""


def _too_big(what: str, size: int) -> LimitExceeded:
    return LimitExceeded(f"{what} would make {size:,} characters or items (at most {MAX_SIZE:,})")


# -- the budget of one message ---------------------------------------------------------------------


class _Measured(NamedTuple):
    size: int  # characters or items, every part counted
    nesting: int  # containers inside one another
    fixed: bool  # False when a namespace (which a template may change) is part of it


_ONE = _Measured(1, 0, True)


@dataclass(slots=True)
class Budget:
    """What one message has spent so far: steps, characters written, calls nested. It also
    remembers the size of each list, tuple and dict it has measured (the immutable sandbox
    keeps them from changing; one that holds a namespace is measured again each time), so
    that a value is measured once however often it is used."""

    steps: int = 0
    written: int = 0
    depth: int = 0
    _sizes: dict[int, tuple[object, _Measured]] = field(default_factory=dict)

    def spend(self, size: int = 0) -> None:
        """One step, plus one for each of the ``size`` characters or items handled."""
        self.steps += 1 + size
        if self.steps > MAX_STEPS:
            raise LimitExceeded(
                f"takes more than {MAX_STEPS:,} steps (loop iterations, calls, operations)"
            )

    def write(self, size: int) -> None:
        self.written += size
        if self.written > MAX_WRITTEN:
            raise LimitExceeded(f"writes more than {MAX_WRITTEN:,} characters")
        self.spend(size)

    def size(self, value: object) -> int:
        """How many characters or items ``value`` holds, all its parts counted (a part used
        twice counts twice); raises :class:`LimitExceeded` past ``MAX_SIZE`` or
        ``MAX_NESTING``, having looked at no more than that."""
        return self._measure(value, 0).size

    def _measure(self, value: object, depth: int) -> _Measured:
        """``value`` measured, found at ``depth`` inside the value first measured."""
        if isinstance(value, str | bytes | bytearray):
            return _Measured(len(value), 0, True)
        if isinstance(value, bool | float | complex | Undefined) or value is None:
            return _ONE
        if isinstance(value, int):
            return _Measured(max(1, value.bit_length() // 3), 0, True)  # about its digits
        if isinstance(value, range):
            return _Measured(len(value), 0, True)
        known = self._sizes.get(id(value))
        if known is not None:
            found = known[1]
        else:
            parts = _parts(value)
            if parts is None:
                return _ONE  # an object of the template runtime (a macro, a loop, a cycler)
            found = self._add_up(parts, depth)
            if isinstance(value, Namespace):
                found = found._replace(fixed=False)
            if found.fixed:
                self._sizes[id(value)] = (value, found)
        if depth + found.nesting > MAX_NESTING:
            raise LimitExceeded(f"makes a value nested more than {MAX_NESTING} deep")
        return found

    def _add_up(self, parts: Iterable[object], depth: int) -> _Measured:
        if depth >= MAX_NESTING:
            raise LimitExceeded(f"makes a value nested more than {MAX_NESTING} deep")
        size, nesting, fixed = 0, 0, True
        for part in parts:
            found = self._measure(part, depth + 1)
            size += max(1, found.size)
            nesting = max(nesting, found.nesting + 1)
            fixed = fixed and found.fixed
            if size > MAX_SIZE:
                raise LimitExceeded(f"makes a value of more than {MAX_SIZE:,} characters or items")
        return _Measured(size, nesting, fixed)


def _parts(value: object) -> Iterable[object] | None:
    """The parts of a container, or None for a value that holds nothing of the template's."""
    if isinstance(value, list | tuple | set | frozenset):
        return value
    if isinstance(value, dict):
        return itertools.chain(value.keys(), value.values())
    if isinstance(value, Namespace):
        attrs: dict[str, object] = object.__getattribute__(value, "_Namespace__attrs")
        return itertools.chain(attrs.keys(), attrs.values())
    if isinstance(value, type({}.keys()) | type({}.values()) | type({}.items())):
        return value
    if isinstance(value, Charged):
        return (value.source,)
    return None


_BUDGET: ContextVar[Budget | None] = ContextVar("reglament_template_budget", default=None)


@contextlib.contextmanager
def bounded(budget: Budget | None = None) -> Iterator[Budget]:
    """The budget templates rendered inside this block share: ``budget``, else the one
    already open, else a new one (one message is rendered in one ``bounded()`` block)."""
    current = _BUDGET.get()
    if budget is None and current is not None:
        yield current
        return
    budget = budget or Budget()
    token = _BUDGET.set(budget)
    try:
        yield budget
    finally:
        _BUDGET.reset(token)


def _budget() -> Budget:
    budget = _BUDGET.get()
    if budget is None:
        raise SecurityError("a template was rendered outside reglament's bounded() block")
    return budget


def _checked(value: Any) -> Any:
    """``value``, once its size is paid for and within ``MAX_SIZE``."""
    budget = _budget()
    budget.spend(budget.size(value))
    return value


# -- sizes of what an operation would make, known before it is made ----------------------------------


def _arg(
    args: Sequence[Any], kwargs: Mapping[str, Any], index: int, name: str, default: Any
) -> Any:
    if len(args) > index:
        return args[index]
    return kwargs.get(name, default)


def _count(value: object) -> int:
    """A width or count given to a filter or method, as a number (0 when it is none)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return 0
    return value


_PERCENT = re.compile(
    r"%(?:\((?P<key>[^)]*)\))?[-#0 +]*(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d+))?[hlL]?(?P<kind>.)",
    re.DOTALL,
)


def _number(text: str | None, take: Callable[[], object]) -> int:
    if not text:
        return 0
    if text == "*":
        return _count(take())
    return int(text) if len(text) <= 9 else MAX_SIZE + 1


def percent_size(template: str | bytes, values: object) -> int:
    """At most how many characters ``template % values`` makes: the template, and for each
    ``%`` field its width, its precision and the size of the value it takes."""
    budget = _budget()
    text = template.decode("latin-1") if isinstance(template, bytes) else template
    positional = list(values) if isinstance(values, tuple) else [values]
    mapping = values if isinstance(values, Mapping) else {}
    taken = iter(positional)

    def take() -> object:
        return next(taken, None)

    size = len(text)
    for match in _PERCENT.finditer(text):
        if match["kind"] == "%":
            continue
        width = _number(match["width"], take)
        precision = _number(match["precision"], take)
        if max(width, precision) > MAX_SIZE:
            raise LimitExceeded(
                f"'%' formatting with a width or precision of {max(width, precision):,} "
                f"(at most {MAX_SIZE:,})"
            )
        key = match["key"]
        value = mapping.get(key) if key is not None else take()
        size += width + precision + budget.size(value)
    return size


def _replace_size(text: str | bytes, old: object, new: object, count: object) -> int:
    if not isinstance(old, str | bytes) or not isinstance(new, str | bytes):
        return len(text)
    found = len(text) + 1 if not old else text.count(old)  # type: ignore[arg-type]
    limit = _count(count)
    if isinstance(count, int) and 0 <= limit < found:
        found = limit
    return len(text) + found * max(0, len(new) - len(old))


def _sized(value: Any) -> Any:
    """``value`` as a list when it has no length (a generator): taken item by item, each paid
    for, so that what is joined or summed can be measured before it is."""
    if isinstance(value, Undefined):
        return value
    try:
        len(value)
    except TypeError:
        pass
    else:
        return value
    budget = _budget()
    items = []
    for item in value:
        budget.spend(budget.size(item))
        items.append(item)
        if len(items) > MAX_SIZE:
            raise _too_big("this sequence", len(items))
    return items


def _joined_size(separator: str | bytes, items: Any) -> int:
    if isinstance(items, Undefined):
        return 0
    return _budget().size(items) + len(separator) * max(0, len(items) - 1)


# Methods of a text or a number that may make something much larger than themselves: the
# size each would make, from its object and arguments. Any other method makes at most a few
# times its inputs, which the result's check catches once it is made.
_METHODS: dict[str, Callable[[Any, Sequence[Any], Mapping[str, Any]], int]] = {
    "center": lambda s, a, k: max(len(s), _count(_arg(a, k, 0, "width", 0))),
    "ljust": lambda s, a, k: max(len(s), _count(_arg(a, k, 0, "width", 0))),
    "rjust": lambda s, a, k: max(len(s), _count(_arg(a, k, 0, "width", 0))),
    "zfill": lambda s, a, k: max(len(s), _count(_arg(a, k, 0, "width", 0))),
    "expandtabs": lambda s, a, k: (
        len(s)
        + s.count("\t" if isinstance(s, str) else b"\t") * _count(_arg(a, k, 0, "tabsize", 8))
    ),
    "join": lambda s, a, k: _joined_size(s, _arg(a, k, 0, "iterable", ())),
    "replace": lambda s, a, k: _replace_size(
        s, _arg(a, k, 0, "old", None), _arg(a, k, 1, "new", None), _arg(a, k, 2, "count", -1)
    ),
    "translate": lambda s, a, k: len(s) * max(1, _budget().size(_arg(a, k, 0, "table", None))),
    "to_bytes": lambda s, a, k: _count(_arg(a, k, 0, "length", 1)),
}


def _method_call(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Pay for a method of a text or number and refuse it when it would make more than
    ``MAX_SIZE``; returns the arguments to call it with (a generator to join made a list)."""
    owner = getattr(obj, "__self__", None)
    name = getattr(obj, "__name__", "")
    if not isinstance(owner, str | bytes | bytearray | int) or isinstance(owner, bool):
        return args
    budget = _budget()
    budget.spend(budget.size(owner))
    estimate = _METHODS.get(name)
    if estimate is None:
        return args
    if name == "join" and args:
        args = (_sized(args[0]), *args[1:])
    size = estimate(owner, args, kwargs)
    if size > MAX_SIZE:
        raise _too_big(f"{name}()", size)
    return args


# -- filters, tests and globals, bounded ---------------------------------------------------------------


def _indent_size(text: str, width: object) -> int:
    prefix = len(width) if isinstance(width, str) else _count(width)
    return len(text) + (text.count("\n") + 1) * prefix


def _wordwrap_size(text: str, width: object, wrap: object) -> int:
    # each pair of lines holds more than ``width`` (else they would be one), each paragraph
    # at least one line
    lines = 2 * len(text) // max(1, _count(width)) + text.count("\n") + 2
    return len(text) + lines * (len(wrap) if isinstance(wrap, str) else 1)


def _sum_cost(items: Any, start: object) -> int:
    """Adding up lists (``sum(start=[])``) copies each partial sum: paid for, not sized."""
    if isinstance(start, int | float) or isinstance(items, Undefined):
        return 0
    budget = _budget()
    budget.spend(len(items) * (budget.size(start) + budget.size(items)))
    return 0


# Jinja's filters that may make something much larger than what they are given: the size each
# would make, from its value and arguments (``join`` and ``sum`` are given a list).
_FILTERS: dict[str, Callable[[Any, Sequence[Any], Mapping[str, Any]], int]] = {
    "center": lambda v, a, k: max(len(str(v)), _count(_arg(a, k, 0, "width", 80))),
    "indent": lambda v, a, k: _indent_size(str(v), _arg(a, k, 0, "width", 4)),
    "format": lambda v, a, k: percent_size(str(v), k or tuple(a)),
    "replace": lambda v, a, k: _replace_size(
        str(v),
        str(_arg(a, k, 0, "old", "")),
        str(_arg(a, k, 1, "new", "")),
        _arg(a, k, 2, "count", None),
    ),
    "join": lambda v, a, k: _joined_size(str(_arg(a, k, 0, "d", "")), v),
    "wordwrap": lambda v, a, k: _wordwrap_size(
        str(v), _arg(a, k, 0, "width", 79), _arg(a, k, 2, "wrapstring", None)
    ),
    # each fills its last row up to the count it is given
    "batch": lambda v, a, k: _budget().size(v) + _count(_arg(a, k, 0, "linecount", 0)),
    "slice": lambda v, a, k: _budget().size(v) + _count(_arg(a, k, 0, "slices", 0)),
    "sum": lambda v, a, k: _sum_cost(v, _arg(a, k, 1, "start", 0)),
}


def _filter_check(name: str, value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Refuse a filter call that would make more than ``MAX_SIZE``; returns the value to
    filter (a generator to join or sum made a list)."""
    estimate = _FILTERS.get(name)
    if estimate is None:
        return value
    if name in ("join", "sum"):
        value = _sized(value)
    size = estimate(value, args, kwargs)
    if size > MAX_SIZE:
        raise _too_big(f"the {name} filter", size)
    return value


def _call_with(func: Callable[..., Any], context: Context) -> tuple[Any, ...]:
    """The first argument Jinja passes ``func`` (its context, eval context or environment)."""
    passes = getattr(getattr(func, "jinja_pass_arg", None), "name", None)
    if passes == "context":
        return (context,)
    if passes == "eval_context":
        return (context.eval_ctx,)
    if passes == "environment":
        return (context.environment,)
    return ()


def _bounded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @pass_context
    @functools.wraps(func)
    def bounded_filter(context: Context, value: Any, *args: Any, **kwargs: Any) -> Any:
        budget = _budget()
        budget.spend(budget.size(value) + budget.size(args) + budget.size(kwargs))
        value = _filter_check(name, value, args, kwargs)
        result = func(*_call_with(func, context), value, *args, **kwargs)
        if isinstance(result, Iterator) and not isinstance(result, str):
            return Charged(result)
        return _checked(result)

    return bounded_filter


def _bounded_test(func: Callable[..., Any]) -> Callable[..., Any]:
    @pass_context
    @functools.wraps(func)
    def bounded_test(context: Context, value: Any, *args: Any, **kwargs: Any) -> Any:
        budget = _budget()
        budget.spend(budget.size(value) + budget.size(args) + budget.size(kwargs))
        return func(*_call_with(func, context), value, *args, **kwargs)

    return bounded_test


class Charged:
    """An iterable whose every item is paid for as it is taken (loops, and the generators
    filters such as ``map`` and ``select`` return). It has a length when its source has."""

    __slots__ = ("source",)

    def __init__(self, source: Iterable[Any]) -> None:
        self.source = source

    def __iter__(self) -> Iterator[Any]:
        budget = _budget()
        for item in self.source:
            budget.spend()
            yield item

    def __len__(self) -> int:
        return len(self.source)  # type: ignore[arg-type]  # a TypeError when it has none

    def __bool__(self) -> bool:  # as its source: a generator is true, a list when not empty
        try:
            return len(self) > 0
        except TypeError:
            return True

    def __repr__(self) -> str:
        return repr(self.source)


def bounded_range(*args: int) -> range:
    """``range`` of at most ``MAX_RANGE`` numbers (Jinja's sandbox limit, as its message)."""
    numbers = range(*args)
    try:
        count = len(numbers)
    except OverflowError:
        count = MAX_RANGE + 1
    if count > MAX_RANGE:
        raise LimitExceeded(f"range() of more than {MAX_RANGE:,} numbers")
    return numbers


_LONGEST_WORD = 20  # a lorem ipsum word with its comma and space, at most


def bounded_lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:  # noqa: A002 - Jinja's names
    """Jinja's ``lipsum``, refused when it could write more than ``MAX_SIZE``."""
    paragraphs, words = _count(n), _count(max)
    size = paragraphs * (words * _LONGEST_WORD + len("<p></p>\n\n"))
    if size > MAX_SIZE:
        raise _too_big(f"lipsum({n})", size)
    _budget().spend(size)
    return str(generate_lorem_ipsum(n=n, html=html, min=min, max=max))


# -- str.format, bounded -----------------------------------------------------------------------------

_SPEC = re.compile(r"(?:.?[<>=^])?[-+ ]?z?#?0?(?P<width>\d*)[,_]?(?:\.(?P<precision>\d*))?")


class _BoundedFields:
    """A formatter mixin: each field's width and precision at most ``MAX_SIZE``, and all the
    fields of one call at most ``MAX_SIZE`` characters together."""

    written = 0

    def format_field(self, value: Any, format_spec: str) -> Any:
        match = _SPEC.match(format_spec)
        for number in (match["width"], match["precision"]) if match else ():
            if number and (len(number) > 9 or int(number) > MAX_SIZE):
                raise LimitExceeded(
                    f"format() with a width or precision of {number} (at most {MAX_SIZE:,})"
                )
        _checked(value)
        text = super().format_field(value, format_spec)  # type: ignore[misc]
        self.written += len(text)
        if self.written > MAX_SIZE:
            raise _too_big("format()", self.written)
        return text


class _Formatter(_BoundedFields, SandboxedFormatter):
    pass


class _EscapeFormatter(_BoundedFields, SandboxedEscapeFormatter):
    pass


# -- the environment -------------------------------------------------------------------------------------

EACH = "%each"  # internal filters: '%' cannot begin a filter name a template writes
WRITE = "%write"
CONCAT = "%concat"
VALUE = "%value"
MEASURE = "%measure"


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox with the limits of this module (see its docstring)."""

    intercepted_binops = frozenset(ImmutableSandboxedEnvironment.default_binop_table)

    def __init__(self, **options: Any) -> None:
        super().__init__(optimized=False, **options)
        self.filters = {name: _bounded_filter(name, f) for name, f in self.filters.items()}
        self.tests = {name: _bounded_test(f) for name, f in list(self.tests.items())}  # type: ignore[arg-type]
        self.filters.update(
            {EACH: _each, WRITE: _write, CONCAT: _concat, VALUE: _value, MEASURE: _measure}
        )
        self.globals["range"] = bounded_range
        self.globals["lipsum"] = bounded_lipsum

    def add_filter(self, name: str, func: Callable[..., Any]) -> None:
        """Register a filter of the package's own, bounded like Jinja's."""
        self.filters[name] = _bounded_filter(name, func)

    # compiling: instrument the parsed template; a template nested past Python's limits (its
    # recursion, the blocks and indentation its compiler allows) is a syntax error, not a crash

    def compile(
        self,
        source: str | nodes.Template,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        try:
            tree = self.parse(source, name, filename) if isinstance(source, str) else source
            tree = _Instrument().visit(tree)
            if raw:
                return super().compile(tree, name, filename, True, defer_init)
            return super().compile(tree, name, filename, False, defer_init)
        except (RecursionError, SyntaxError):  # past Python's own limits on nesting
            raise TemplateSyntaxError("the template is nested too deeply", 1, name) from None

    # running

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        budget = _budget()
        budget.spend(budget.size(left) + budget.size(right))
        size = _binop_size(operator, left, right, budget.size)
        if size > MAX_SIZE:
            raise _too_big(f"'{operator}'", size)
        return _checked(self.binop_table[operator](left, right))

    def getattr(self, obj: Any, attribute: str) -> Any:
        _budget().spend()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _budget().spend()
        return super().getitem(obj, argument)

    def call(
        __self,  # Jinja's names: the prefixes keep the others free for keyword arguments
        __context: Context,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        budget = _budget()
        budget.spend(budget.size(args) + budget.size(kwargs))
        if not __self.is_safe_callable(__obj):
            raise SecurityError(f"{__obj!r} is not safely callable")
        if isinstance(__obj, LoopContext) and args:
            args = (Charged(args[0]), *args[1:])
        args = _method_call(__obj, args, kwargs)
        if budget.depth >= MAX_DEPTH:
            raise LimitExceeded(
                f"calls nest more than {MAX_DEPTH} deep (a macro or loop() calling itself?)"
            )
        budget.depth += 1
        try:
            result = __context.call(__obj, *args, **kwargs)
        finally:
            budget.depth -= 1
        return _checked(result)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """Jinja's sandboxed ``str.format``, with each field's width and the result bounded."""
        if not isinstance(value, types.MethodType | types.BuiltinMethodType) or (
            value.__name__ not in ("format", "format_map")
        ):
            return None
        owner = value.__self__
        if not isinstance(owner, str):
            return None
        kind, is_map = type(owner), value.__name__ == "format_map"

        def bounded_format(*args: Any, **kwargs: Any) -> str:
            formatter: SandboxedFormatter = (
                _EscapeFormatter(self, escape=owner.escape)
                if isinstance(owner, Markup)
                else _Formatter(self)
            )
            if not is_map:
                return kind(formatter.vformat(owner, args, kwargs))
            if kwargs or len(args) != 1:
                raise TypeError("format_map() takes exactly one argument")
            return kind(formatter.vformat(owner, (), args[0]))

        return functools.update_wrapper(bounded_format, value)

    # what a template reads that the sandbox refuses, found without running it

    def refuses(self, attribute: str) -> bool:
        """Whether the sandbox refuses ``attribute`` on some kind of value a template holds
        (its own rule, :meth:`is_safe_attribute`, asked of each kind)."""
        return any(
            not self.is_safe_attribute(probe, attribute, getattr(probe, attribute, None))
            for probe in _PROBES
        )


def _binop_size(operator: str, left: Any, right: Any, size: Callable[[object], int]) -> int:
    """At most how many characters or items ``left <operator> right`` makes (0: a number)."""
    sequence = (str, bytes, list, tuple)
    if operator == "*":
        if isinstance(left, sequence) and isinstance(right, int):
            return size(left) * max(0, right)
        if isinstance(right, sequence) and isinstance(left, int):
            return size(right) * max(0, left)
        if isinstance(left, int) and isinstance(right, int):
            return size(left) + size(right)
    elif operator == "+" and isinstance(left, sequence) and isinstance(right, sequence):
        return size(left) + size(right)
    elif operator == "**" and isinstance(left, int) and isinstance(right, int):
        if right > 0 and abs(left) > 1:
            return int(right * math.log10(abs(left))) + 1 if right < 10**9 else MAX_SIZE + 1
    elif operator == "%" and isinstance(left, str | bytes):
        return percent_size(left, right)
    return 0


# -- the instrumentation: internal filters the compiled template calls --------------------------------


@pass_context
def _each(context: Context, iterable: Any) -> Any:
    """What a loop iterates: each item paid for."""
    return iterable if isinstance(iterable, Undefined) else Charged(iterable)


@pass_context
def _write(context: Context, value: Any) -> Any:
    """A piece of output (an expression or the template's text), paid for and counted."""
    budget = _budget()
    budget.size(value)  # refuses a value too large to write before it is made text
    text = value if isinstance(value, str) else str(value)
    budget.write(len(text))
    return text


@pass_context
def _concat(context: Context, parts: list[Any]) -> str:
    """``a ~ b``: each part written as text, the whole at most ``MAX_SIZE``."""
    budget = _budget()
    texts = []
    total = 0
    for part in parts:
        budget.spend(budget.size(part))
        text = part if isinstance(part, str) else str(part)
        total += len(text)
        if total > MAX_SIZE:
            raise _too_big("'~'", total)
        texts.append(text)
    if context.eval_ctx.autoescape and any(isinstance(t, Markup) for t in texts):
        return Markup("").join(texts)  # as Jinja's markup_join: the rest is escaped
    return "".join(texts)


@pass_context
def _value(context: Context, value: Any) -> Any:
    """A list, tuple or dict the template writes out: at most ``MAX_SIZE``."""
    return _checked(value)


@pass_context
def _measure(context: Context, value: Any) -> Any:
    """An operand of a comparison: paid for by its size (comparing reads all of it)."""
    budget = _budget()
    budget.spend(budget.size(value))
    return value


def _wrap(node: nodes.Expr, name: str) -> nodes.Filter:
    return nodes.Filter(node, name, [], [], None, None, lineno=node.lineno)


class _Instrument(NodeTransformer):
    """Routes what a template does that Jinja's sandbox does not intercept through the
    internal filters above."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = _wrap(node.iter, EACH)  # type: ignore[arg-type]  # For.iter is an Expr
        return node

    def visit_Output(self, node: nodes.Output) -> nodes.Node:
        self.generic_visit(node)
        node.nodes = [
            nodes.MarkSafeIfAutoescape(_wrap(nodes.Const(child.data), WRITE), lineno=child.lineno)
            if isinstance(child, nodes.TemplateData)
            else _wrap(child, WRITE)
            for child in node.nodes
        ]
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return _wrap(nodes.List(node.nodes, lineno=node.lineno), CONCAT)

    def visit_List(self, node: nodes.List) -> nodes.Node:
        self.generic_visit(node)
        return _wrap(node, VALUE)

    def visit_Dict(self, node: nodes.Dict) -> nodes.Node:
        self.generic_visit(node)
        return _wrap(node, VALUE)

    def visit_Tuple(self, node: nodes.Tuple) -> nodes.Node:
        self.generic_visit(node)
        return _wrap(node, VALUE) if node.ctx == "load" else node

    def visit_Getitem(self, node: nodes.Getitem) -> nodes.Node:
        self.generic_visit(node)  # a slice is taken in Python, not by the sandbox's getitem
        return _wrap(node, VALUE) if isinstance(node.arg, nodes.Slice) else node

    def visit_Compare(self, node: nodes.Compare) -> nodes.Node:
        self.generic_visit(node)
        node.expr = _wrap(node.expr, MEASURE)
        for operand in node.ops:
            operand.expr = _wrap(operand.expr, MEASURE)
        return node


# -- attributes the sandbox refuses, found in the parsed template -------------------------------------


def _generator() -> Iterator[int]:
    yield 0


# one value of each kind a template can hold: the engine's texts, numbers and lists, the
# lists, dicts and sets it builds (whose changing methods the immutable sandbox refuses: a
# namespace attribute named like one, ns.append, is refused with them), Jinja's functions,
# methods and generators, and a type (whose mro is refused)
_PROBES: tuple[object, ...] = (
    "",
    0,
    0.5,
    [],
    (),
    {},
    set(),
    _generator(),
    bounded_range,
    Budget().spend,
    str,
)


_FIELD_PART = re.compile(r"\.([^.\[]+)|\[([^\]]*)\]")


def _format_fields(template: str) -> list[str]:
    """The attribute and item names the fields of a ``str.format`` template read."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(template) if name]
    except ValueError:
        return []  # not a format template: format() fails at once, whatever it reads
    return [a or b for name in fields for a, b in _FIELD_PART.findall(name)]


def forbidden_reads(tree: nodes.Template, environment: BoundedSandbox) -> list[tuple[int, str]]:
    """(line, attribute) for each attribute ``tree`` reads that the sandbox refuses: ``x.name``,
    ``x['name']``, ``x|attr('name')`` and the fields of a literal ``'{0.name}'.format(...)``."""
    found = {
        (node.lineno, name)
        for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Filter, nodes.Call))
        for name in _read_names(node)
        if environment.refuses(name)
    }
    return sorted(found)


def _read_names(node: nodes.Node) -> list[str]:
    if isinstance(node, nodes.Getattr):
        return [node.attr]
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return [node.arg.value] if isinstance(node.arg.value, str) else []
    if isinstance(node, nodes.Filter) and node.name == "attr" and node.args:
        first = node.args[0]
        return (
            [first.value] if isinstance(first, nodes.Const) and isinstance(first.value, str) else []
        )
    if (
        isinstance(node, nodes.Call)
        and isinstance(node.node, nodes.Getattr)
        and node.node.attr in ("format", "format_map")
        and isinstance(node.node.node, nodes.Const)
        and isinstance(node.node.node.value, str)
    ):
        return _format_fields(node.node.node.value)
    return []
