"""Hostile variants of the bundled reglaments, as hypothesis strategies (for ``test_fuzz.py``).

A variant is one bundled file changed in two ways, alone or together:

- structurally: the file is read by the project's own reader into plain data, then keys and
  values are replaced, deleted, duplicated, renamed, swapped, retyped or pointed at other ids,
  numbers and dates are set to edge values, templates are added; the data is written back as
  YAML. Half of the changes keep the value's type (another id, another date, a step copied under
  a new name), so that many variants still validate and reach the engine;
- byte by byte: bits flipped, bytes set, inserted (invalid UTF-8, control characters, YAML
  punctuation) or deleted, lines duplicated or swapped, the file cut short.

A changed base file is loaded through one of the reglaments that extend it, a changed reglament
with its base next to it, so every bundled file is mutated in the place it is used.

Some classes of hostile input are being fixed elsewhere (issue 10): while a class is in
:data:`HELD_BACK`, no variant of it is generated, so that this test fails only on what is new.
``REGLAMENT_FUZZ_CLASSES=all`` (or a comma-separated list of names) turns them on for one run.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from hypothesis import strategies as st

from reglament.loader import BUNDLED
from reglament.renderers.variables import ALL_VARIABLES
from reglament.schemas import Event
from reglament.source.document import PathKey, Plain, to_document
from reglament.source.yaml_reader import read

ROOT = BUNDLED.parent.parent

# Classes of hostile input that other parts of issue 10 fix; generated only when turned on.
CLASSES = {
    "huge-numbers": "durations, limits, terms and days_before no calendar reaches "
    "(10**6 and more, 2**63, 10**30): issue 10, numbers and dates",
    "far-dates": "dates far outside the calendar's 2000-2030 (9999-12-31, 0001-01-01): "
    "issue 10, numbers and dates",
    "hostile-templates": "templates that multiply strings, format huge widths, loop or recurse "
    "without bound, or read attributes the sandbox forbids: issue 10, templates",
    "extends-paths": "extends: changed at all (absolute, '..', over-long names): issue 10, paths",
}
HELD_BACK: frozenset[str] = frozenset()  # every class is fixed on main: all are generated


def enabled_classes() -> frozenset[str]:
    """The held-back classes turned on by ``REGLAMENT_FUZZ_CLASSES`` (``all`` or a list)."""
    chosen = os.environ.get("REGLAMENT_FUZZ_CLASSES", "").strip()
    if chosen == "all":
        return frozenset(CLASSES)
    names = frozenset(n.strip() for n in chosen.split(",") if n.strip())
    unknown = names - set(CLASSES)
    if unknown:
        raise ValueError(f"REGLAMENT_FUZZ_CLASSES: no class {sorted(unknown)}; {sorted(CLASSES)}")
    return names


def generated(name: str) -> bool:
    """Whether variants of the class ``name`` are generated in this run."""
    return name not in HELD_BACK or name in enabled_classes()


# -- the corpus -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Source:
    """One bundled file: its text, its plain data, and the reglaments loaded to exercise it."""

    path: Path  # relative to the bundled folder, e.g. atyrau-2012/_act-base.yaml
    raw: bytes
    data: Plain
    ids: tuple[str, ...]  # the ids it declares (steps, actors, channels ...) and outcome names
    keys: tuple[str, ...]  # every mapping key in it
    loaded_as: tuple[Path, ...]  # itself, or for a base the reglaments that extend it


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def walk(data: Plain, path: PathKey = ()) -> Iterator[tuple[PathKey, Plain]]:
    """Every (path, value) of a plain tree, the root first."""
    yield path, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from walk(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from walk(value, (*path, index))


def _ids(data: Plain) -> tuple[str, ...]:
    found: set[str] = set()
    for path, value in walk(data):
        declares = len(path) == 1 or (len(path) == 3 and path[-1] == "outcomes")
        if declares and isinstance(value, dict):
            found.update(k for k in value if path != ("source",))
    return tuple(sorted(found))


def _keys(data: Plain) -> tuple[str, ...]:
    return tuple(sorted({k for _p, v in walk(data) if isinstance(v, dict) for k in v}))


def _extends(data: Plain) -> str | None:
    if isinstance(data, dict) and isinstance(data.get("extends"), str):
        return str(data["extends"])
    return None


def _reaches(files: dict[Path, Plain], reglament: Path, base: Path) -> bool:
    """Whether ``reglament`` extends ``base``, directly or through other bases."""
    seen = set()
    current: Path | None = reglament
    while current is not None and current not in seen:
        seen.add(current)
        name = _extends(files[current]) if current in files else None
        current = current.parent / name if name else None
        if current == base:
            return True
    return False


@cache
def corpus() -> tuple[Source, ...]:
    """Every bundled YAML file, bases included."""
    files = sorted(BUNDLED.rglob("*.yaml"))
    data = {f: to_document(read(f)).data for f in files}
    reglaments = [f for f in files if not f.name.startswith("_")]
    sources = []
    for f in files:
        loaded_as = [g for g in reglaments if g == f or _reaches(data, g, f)]
        sources.append(
            Source(
                f.relative_to(BUNDLED),
                f.read_bytes(),
                data[f],
                _ids(data[f]) or _keys(data[f]),
                _keys(data[f]),
                tuple(g.relative_to(BUNDLED) for g in loaded_as),
            )
        )
    return tuple(sources)


# -- one variant ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Variant:
    """A changed bundled file and the reglament file to load to exercise it."""

    changed: Path  # relative to the bundled folder
    content: bytes
    load: Path  # relative to the bundled folder: the changed file, or one that extends it
    steps: tuple[str, ...]  # what was done, for the report of a failing example

    def __repr__(self) -> str:
        done = "\n  ".join(self.steps)
        return f"Variant({self.changed} loaded as {self.load}:\n  {done})"


# -- values ---------------------------------------------------------------------------------------

_CONTROL = "".join(chr(c) for c in [*range(1, 32), 127, 0x85, 0x2028, 0x2029, 0x202E, 0xFEFF])
_ODD_TEXTS = [
    "",
    " ",
    "x" * 5000,
    "ы" * 2000,
    "\u202eevil",
    "a\x00b",
    "\x1b[31mred",
    "line\nbreak",
    "line\r\nbreak",
    "quote \" and ' and ` and \\",
    "<script>alert(1)</script>",
    '"]; A -> B; subgraph x {',
    "end\nclick A call alert()",
    "%% comment\n%%{init: {}}%%",
    "{{ receipt }}",
    "{% if %}",
    "variant == 'x' and not",
    "09:00-18:00",
    "00:00-24:00",
    "18:00-09:00",
    "13:00-14:00",
    "mon-sun",
    "sun-mon",
    "1-2, 3",
    "999999999-1",
    "Asia/Almaty",
    "UTC",
    "Etc/GMT+14",
    "Pacific/Kiritimati",
    "America/St_Johns",
]


def _texts() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(_ODD_TEXTS),
        st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40),
        st.text(st.sampled_from(_CONTROL), min_size=1, max_size=8),
    )


def numbers() -> st.SearchStrategy[Plain]:
    small: st.SearchStrategy[Plain] = st.one_of(
        st.sampled_from([0, -1, 1, 2, 3, 7, 24, 59, 60, 61, 365, 366, 1000]),
        st.integers(-100, 2000),
        st.sampled_from([0.5, -0.0, 1e-9, float("inf"), float("-inf"), float("nan")]),
    )
    if not generated("huge-numbers"):
        return small
    huge = st.sampled_from([10**6, 10**9, 2**31, 2**63, 10**30, -(10**30), 1e308])
    return st.one_of(small, huge, st.integers(10**4, 10**40))


def dates() -> st.SearchStrategy[str]:
    near = st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31)).map(dt.date.isoformat)
    wrong = st.sampled_from(["2015-02-30", "2015-13-01", "2015-00-10", "2015-1-1", "2016-02-29"])
    if not generated("far-dates"):
        return st.one_of(near, wrong)
    far = st.sampled_from(["9999-12-31", "0001-01-01", "2099-12-31", "1900-01-01"])
    return st.one_of(near, wrong, far, st.dates().map(dt.date.isoformat))


_HOURS: list[Plain] = [
    "09:00-18:00",
    "00:00-24:00",
    "00:00-00:01",
    "23:59-24:00",
    "08:00-08:01",
    "12:00-11:00",
]
_OPEN: list[Plain] = [
    {"mon-fri": "09:00-18:00"},
    {"mon-sun": "00:00-24:00"},
    {"sat": "09:00-13:00"},
    {"sun": "23:59-24:00"},
    {"mon-fri": "09:00-18:00", "sat-sun": "10:00-10:01"},
    {"fri-mon": "09:00-18:00"},
    {"mon": "09:00-18:00", "mon-tue": "09:00-18:00"},
]
# Values worth trying under some keys, beyond those the bundled files write there.
_KEY_VALUES: dict[str, list[Plain]] = {
    "timezone": [
        "UTC",
        "Asia/Aqtobe",
        "Asia/Qyzylorda",
        "Asia/Kathmandu",
        "America/St_Johns",
        "Etc/GMT+12",
        "Etc/GMT-14",
        "Europe/London",
        "Asia/Almaty ",
        "asia/almaty",
        "localtime",
    ],
    "open": _OPEN,
    "lunch": _HOURS,
    "open_on_days_off": [True, False],
    "counts_toward_term": [True, False],
    "estimated": [True, False],
    "inferred": [True, False],
}


def _scalars(source: Source) -> st.SearchStrategy[Plain]:
    return st.one_of(
        st.sampled_from([None, True, False]),
        numbers(),
        _texts(),
        dates(),
        st.sampled_from(source.ids),
        st.sampled_from([e.value for e in Event]),
    )


def _like(value: Plain, data: Plain) -> list[Plain]:
    """The values in ``data`` of the same type as ``value`` (another text, another step ...)."""
    return [v for _p, v in walk(data) if type(v) is type(value) and v != value]


def _values(source: Source, data: Plain) -> st.SearchStrategy[Plain]:
    """Any value: a scalar, an empty or small container, or a part of the file."""
    parts = [value for _path, value in walk(data)]
    scalar = _scalars(source)
    return st.one_of(
        scalar,
        st.sampled_from([[], {}]),
        st.lists(scalar, max_size=3),
        st.dictionaries(st.sampled_from(source.keys), scalar, max_size=2),
        st.sampled_from(parts).map(copy.deepcopy),
    )


# -- templates ------------------------------------------------------------------------------------

_BENIGN_TEMPLATES = [
    "{{ %s }}",
    "{{ %s | capfirst }}",
    "{{ %s | upper }}",
    "{%% if %s %%}yes{%% else %%}no{%% endif %%}",
    "{%% for x in %s %%}{{ loop.index }}{{ x }}{%% endfor %%}",
    "{{ %s ~ %s }}",
    "{{ %s[0] }}",
    "{{ %s | length }}",
    "{{ %s | default('none') }}",
    "{{ %s",
    "{%% if %s %%}",
    "{{ %s | nosuchfilter }}",
    "{%% set y = %s %%}{{ y }}",
    "{{ %s | join(', ') }}",
    "{{ %s }} {#",
    "{%% raw %%}{{ %s }}",
    "{{ '%s' }}",
]
_HOSTILE_TEMPLATES = [
    "{{ 'a' * 10**9 }}",
    "{{ '%0999999999d' % 1 }}",
    "{{ lipsum(10**7) }}",
    "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}",
    "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    "{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}",
    "{{ receipt.__class__ }}",
    "{{ receipt.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
]


@st.composite
def _template_text(draw: st.DrawFn) -> str:
    pool = list(_BENIGN_TEMPLATES)
    if generated("hostile-templates"):
        pool += [t.replace("%", "%%") for t in _HOSTILE_TEMPLATES]
    shape = draw(st.sampled_from(pool))
    names = st.sampled_from(sorted(ALL_VARIABLES | {"nosuchvariable", "loop", "range"}))
    text = shape % tuple(draw(names) for _ in range(shape.count("%s")))
    return draw(st.sampled_from(["", "Text: ", "{{ receipt }} "])) + text


@st.composite
def _templates(draw: st.DrawFn, source: Source) -> Plain:
    """A ``templates:`` entry named as an event (replacing the built-in one) or as an id."""
    events = [e.value for e in Event]
    name = draw(st.one_of(st.sampled_from(events), st.sampled_from(source.ids)))
    languages = draw(st.lists(st.sampled_from(["kk", "ru", "en"]), min_size=1, max_size=3))
    parts = draw(st.lists(st.sampled_from(["subject", "body", "sms"]), min_size=1, max_size=3))
    if "body" not in parts and draw(st.booleans()):
        parts.append("body")
    return {name: {part: {lang: draw(_template_text()) for lang in languages} for part in parts}}


# -- structural mutations -------------------------------------------------------------------------


def _parent(data: Plain, path: PathKey) -> Plain:
    for part in path[:-1]:
        data = data[part]  # type: ignore[index]
    return data


def _get(data: Plain, path: PathKey) -> Plain:
    for part in path:
        data = data[part]  # type: ignore[index]
    return data


def _set(data: Plain, path: PathKey, value: Plain) -> Plain:
    if not path:
        return value
    _parent(data, path)[path[-1]] = value  # type: ignore[index]
    return data


def _shown(path: PathKey) -> str:
    return ".".join(str(p) for p in path) or "<root>"


def _cut(value: object) -> str:
    shown = repr(value)
    return shown if len(shown) <= 100 else shown[:97] + "..."


Change = tuple[Plain, str] | None  # the changed data and what was done; None: does not apply
Mutation = Callable[[st.DrawFn, Source, Plain, list[PathKey]], Change]


def _pick(draw: st.DrawFn, paths: list[PathKey], data: Plain, test: type | None = None) -> PathKey:
    chosen = [p for p in paths if test is None or isinstance(_get(data, p), test)]
    return draw(st.sampled_from(chosen)) if chosen else ()


def _replace(draw: st.DrawFn, source: Source, data: Plain, paths: list[PathKey]) -> Change:
    path = _pick(draw, paths, data)
    value = draw(_values(source, data))
    return _set(data, path, value), f"replace {_shown(path)} = {_cut(value)}"


def _replace_alike(draw: st.DrawFn, source: Source, data: Plain, paths: list[PathKey]) -> Change:
    """Another value of the same type from the file: another text, another step, another list."""
    path = _pick(draw, paths, data)
    alike = _like(_get(data, path), data)
    if not path or not alike:
        return None
    value = copy.deepcopy(draw(st.sampled_from(alike)))
    return _set(data, path, value), f"replace {_shown(path)} with an alike {_cut(value)}"


@cache
def _by_key() -> dict[str, tuple[Plain, ...]]:
    """The values written under each key anywhere in the bundled files (each once)."""
    found: dict[str, dict[str, Plain]] = {}
    for source in corpus():
        for path, value in walk(source.data):
            if path and isinstance(path[-1], str):
                found.setdefault(path[-1], {}).setdefault(repr(value), value)
    return {key: tuple(values.values()) for key, values in found.items()}


def _schedule(draw: st.DrawFn, source: Source, data: Plain, paths: list[PathKey]) -> Change:
    """Office hours (odd ones too) given to an actor or a channel."""
    owners = [
        (part, name)
        for part in ("actors", "channels")
        if isinstance(data, dict) and isinstance(data.get(part), dict)
        for name, value in data[part].items()  # type: ignore[union-attr]
        if isinstance(value, dict)
    ]
    if not isinstance(data, dict) or not owners:
        return None
    hours: dict[str, Plain] = {"open": draw(st.sampled_from(_OPEN))}
    if draw(st.booleans()):
        hours["lunch"] = draw(st.sampled_from(_HOURS))
    if draw(st.booleans()):
        hours["open_on_days_off"] = True
    schedules = data.setdefault("schedules", {})
    if not isinstance(schedules, dict):
        return None
    schedules["fuzz-hours"] = hours
    part, name = draw(st.sampled_from(owners))
    data[part][name]["schedule"] = "fuzz-hours"  # type: ignore[call-overload,index]
    return data, f"schedule {part}.{name} = {_cut(hours)}"


def _steps(data: Plain) -> dict[str, Plain]:
    steps = data.get("steps") if isinstance(data, dict) else None
    return steps if isinstance(steps, dict) else {}


def _grow(draw: st.DrawFn, source: Source, data: Plain, paths: list[PathKey]) -> Change:
    """A step copied many times in a row before its next (a long route)."""
    steps = _steps(data)
    chained = [
        n for n, v in steps.items() if isinstance(v, dict) and isinstance(v.get("next"), str)
    ]
    if not chained:
        return None
    name = draw(st.sampled_from(chained))
    count = draw(st.sampled_from([2, 30, 250, 1100]))
    step = steps[name]
    assert isinstance(step, dict)
    after = step["next"]
    step["next"] = f"{name}-1"
    for i in range(1, count + 1):
        steps[f"{name}-{i}"] = {
            **copy.deepcopy(step),
            "next": f"{name}-{i + 1}" if i < count else after,
        }
    return data, f"grow {name} by {count} copies in a row"


def _fan(draw: st.DrawFn, source: Source, data: Plain, paths: list[PathKey]) -> Change:
    """A decision given many more outcomes, copies of one of its own (many paths)."""
    steps = _steps(data)
    deciding = [
        v
        for v in steps.values()
        if isinstance(v, dict) and isinstance(v.get("outcomes"), dict) and v["outcomes"]
    ]
    if not deciding:
        return None
    step = draw(st.sampled_from(deciding))
    assert isinstance(step, dict) and isinstance(step["outcomes"], dict)
    name, outcome = draw(st.sampled_from(list(step["outcomes"].items())))
    count = draw(st.sampled_from([3, 30, 300]))
    for i in range(1, count + 1):
        step["outcomes"][f"{name}-{i}"] = copy.deepcopy(outcome)
    return data, f"fan a decision's outcome {name!r} out to {count} more"


def _same_key(draw: st.DrawFn, source: Source, data: Plain, paths: list[PathKey]) -> Change:
    """A value replaced by one written under the same key elsewhere (another unit, another
    step's next, another duration ...), in this file or another bundled one."""
    keyed = [p for p in paths if p and isinstance(p[-1], str)]
    if not keyed:
        return None
    path = draw(st.sampled_from(keyed))
    current = _get(data, path)
    key = str(path[-1])
    others = [v for v in (*_by_key().get(key, ()), *_KEY_VALUES.get(key, ())) if v != current]
    if not others:
        return None
    value = copy.deepcopy(draw(st.sampled_from(others)))
    return _set(data, path, value), f"replace {_shown(path)} with {_cut(value)}"


def _delete(draw: st.DrawFn, source: Source, data: Plain, paths: list[PathKey]) -> Change:
    path = _pick(draw, paths, data)
    if not path:
        return None
    del _parent(data, path)[path[-1]]  # type: ignore[arg-type,union-attr]
    return data, f"delete {_shown(path)}"


def _duplicate(draw: st.DrawFn, source: Source, data: Plain, paths: list[PathKey]) -> Change:
    """A list item twice, or a mapping entry copied under a new or an existing key."""
    path = _pick(draw, paths, data)
    if not path:
        return None
    parent, value = _parent(data, path), copy.deepcopy(_get(data, path))
    if isinstance(parent, list):
        parent.insert(int(path[-1]), value)
        return data, f"duplicate {_shown(path)}"
    assert isinstance(parent, dict)
    new = draw(st.one_of(st.just(f"{path[-1]}-copy"), st.sampled_from(source.ids)))
    parent[new] = value
    return data, f"duplicate {_shown(path)} as {new!r}"


def _rename(draw: st.DrawFn, source: Source, data: Plain, paths: list[PathKey]) -> Change:
    path = _pick(draw, paths, data)
    parent = _parent(data, path) if path else None
    if not isinstance(parent, dict):
        return None
    new: Plain = draw(
        st.one_of(
            st.sampled_from(source.ids),
            st.sampled_from(source.keys),
            st.just(str(path[-1]).upper()),
            _texts(),
            st.sampled_from([0, 1, True, None, 1.5]),
        )
    )
    items = list(parent.items())
    parent.clear()
    for key, item in items:
        parent[new if key == path[-1] else key] = item  # type: ignore[index]
    return data, f"rename {_shown(path)} to {new!r}"


def _swap(draw: st.DrawFn, source: Source, data: Plain, paths: list[PathKey]) -> Change:
    one, other = _pick(draw, paths, data), _pick(draw, paths, data)
    if other[: len(one)] == one or one[: len(other)] == other:
        return None
    a, b = _get(data, one), _get(data, other)
    _set(data, one, b)
    _set(data, other, a)
    return data, f"swap {_shown(one)} and {_shown(other)}"


def _retype(draw: st.DrawFn, source: Source, data: Plain, paths: list[PathKey]) -> Change:
    """The same value in another shape: in a list, in a mapping, as text, as a number ..."""
    path = _pick(draw, paths, data)
    value = _get(data, path)
    shapes: list[Plain] = [[value], {"value": value}, str(value), None]
    if isinstance(value, str | list | dict):
        shapes.append(len(value))
    if isinstance(value, dict):
        shapes.append(list(value.values()))
    if isinstance(value, list) and value:
        shapes.append(value[0])
    new = draw(st.sampled_from(shapes))
    return _set(data, path, new), f"retype {_shown(path)} to {_cut(new)}"


def _number(draw: st.DrawFn, source: Source, data: Plain, paths: list[PathKey]) -> Change:
    path = _pick(draw, paths, data, int)
    if not path:
        return None
    number = draw(numbers())
    return _set(data, path, number), f"number {_shown(path)} = {number!r}"


def _date(draw: st.DrawFn, source: Source, data: Plain, paths: list[PathKey]) -> Change:
    dated = [p for p in paths if isinstance(v := _get(data, p), str) and _DATE.match(v)]
    if not dated:
        return None
    path = draw(st.sampled_from(dated))
    date = draw(dates())
    return _set(data, path, date), f"date {_shown(path)} = {date}"


def _retarget(draw: st.DrawFn, source: Source, data: Plain, paths: list[PathKey]) -> Change:
    """A reference to an id (a step's next, an actor, a variant ...) pointed at another id."""
    named = [p for p in paths if isinstance(v := _get(data, p), str) and v in source.ids]
    if not named:
        return None
    path = draw(st.sampled_from(named))
    name = draw(st.sampled_from(source.ids))
    return _set(data, path, name), f"retarget {_shown(path)} = {name!r}"


def _add_templates(draw: st.DrawFn, source: Source, data: Plain, paths: list[PathKey]) -> Change:
    if not isinstance(data, dict):
        return None
    data["templates"] = draw(_templates(source))
    return data, f"templates: {_cut(data['templates'])}"


# Those that keep the value's type first: hypothesis shrinks towards the first.
MUTATIONS: dict[str, Mutation] = {
    "same-key": _same_key,
    "retarget": _retarget,
    "alike": _replace_alike,
    "number": _number,
    "date": _date,
    "delete": _delete,
    "duplicate": _duplicate,
    "swap": _swap,
    "templates": _add_templates,
    "schedule": _schedule,
    "grow": _grow,
    "fan": _fan,
    "replace": _replace,
    "rename": _rename,
    "retype": _retype,
}


@st.composite
def _mutate_once(draw: st.DrawFn, source: Source, data: Plain) -> tuple[Plain, str]:
    """One structural change of ``data`` (in place where it can be; the result returned)."""
    paths = [p for p, _v in walk(data)]
    if not generated("extends-paths"):
        paths = [p for p in paths if p[:1] != ("extends",)]
    mutation = MUTATIONS[draw(st.sampled_from(list(MUTATIONS)))]
    change = mutation(draw, source, data, paths)
    return change if change is not None else _replace(draw, source, data, paths)  # type: ignore[return-value]


def dump(data: Plain) -> bytes:
    """Plain data as YAML text, the way a person might write it."""
    text: str = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    return text.encode("utf-8")


# -- byte mutations -------------------------------------------------------------------------------

_CHUNKS = [
    b"\xff",
    b"\xfe\xff",
    b"\xc3(",
    b"\xc0\xaf",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xe2\x82",
    b"\xef\xbb\xbf",
    b"\x00",
    b"\t",
    b"\r",
    b"\x1b[2J",
    b"\x7f",
    b"\xc2\x85",
    b"\xe2\x80\xa8",
    b": ",
    b"- ",
    b"? ",
    b"&a ",
    b"*a",
    b"!!python/object:os.system ",
    b"!!binary ",
    b"<<: ",
    b"---\n",
    b"...\n",
    b"%YAML 1.1\n",
    b"{",
    b"}",
    b"[",
    b"]",
    b"|",
    b">",
    b"#",
    b'"',
    b"'",
    b"@",
    b"`",
    b"\n  ",
    b"\\u0000",
]


@st.composite
def _bytes_once(draw: st.DrawFn, content: bytes) -> tuple[bytes, str]:
    at = draw(st.integers(0, len(content)))
    kind = draw(st.sampled_from(["flip", "set", "insert", "delete", "line", "swap-lines", "cut"]))
    lines = content.splitlines(keepends=True)
    if kind == "flip" and at < len(content):
        bit = draw(st.integers(0, 7))
        flipped = bytes([content[at] ^ (1 << bit)])
        return content[:at] + flipped + content[at + 1 :], f"flip bit {bit} of byte {at}"
    if kind == "set" and at < len(content):
        byte = draw(
            st.one_of(st.sampled_from([0, 9, 10, 13, 27, 127, 0x80, 0xFF]), st.integers(0, 255))
        )
        return content[:at] + bytes([byte]) + content[at + 1 :], f"set byte {at} = {byte:#04x}"
    if kind == "delete":
        size = draw(st.integers(1, 64))
        return content[:at] + content[at + size :], f"delete {size} bytes at {at}"
    if kind == "line" and lines:
        i = draw(st.integers(0, len(lines) - 1))
        return b"".join([*lines[: i + 1], lines[i], *lines[i + 1 :]]), f"duplicate line {i + 1}"
    if kind == "swap-lines" and len(lines) > 1:
        i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
        return b"".join(lines), f"swap lines {i + 1} and {j + 1}"
    if kind == "cut":
        return content[:at], f"cut at byte {at}"
    chunk = draw(st.one_of(st.sampled_from(_CHUNKS), st.binary(min_size=1, max_size=8)))
    return content[:at] + chunk + content[at:], f"insert {chunk!r} at byte {at}"


# -- the strategy ---------------------------------------------------------------------------------


@st.composite
def variants(draw: st.DrawFn) -> Variant:
    """One bundled file changed structurally, byte by byte, or both (at least one change)."""
    source = draw(st.sampled_from(corpus()))
    load = draw(st.sampled_from(source.loaded_as))
    # mostly one change, so that many variants still validate and reach the engine
    how = draw(st.sampled_from(["structure", "structure", "bytes", "bytes", "both"]))
    steps: list[str] = []
    content = source.raw
    if how != "bytes":
        data = copy.deepcopy(source.data)
        for _ in range(draw(st.sampled_from([1, 1, 1, 2, 3, 4]))):
            data, step = draw(_mutate_once(source, data))
            steps.append(step)
        content = dump(data)
        steps.append("(written back as YAML)")
    if how != "structure":
        for _ in range(draw(st.sampled_from([1, 1, 2, 3]))):
            content, step = draw(_bytes_once(content))
            steps.append(step)
    return Variant(source.path, content, load, tuple(steps))
