"""Saved cases from real runs, mutated (types, values, instants at and past the calendar's ends,
unknown steps, other reglaments and versions), then given to ``Case.from_dict`` and to every
``Engine`` method: nothing but the project's own errors ever escapes.

Also: whatever ``from_dict`` accepts as a document, the published schema accepts too.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reglament.engine import Case, Engine
from reglament.errors import ReglamentError, UsageError
from reglament.schemas.case import read_document
from tests.engine.saved_cases import BASES, SEMEY, SYNTHETIC, case_validator

VALIDATOR = case_validator()
ENGINES = (SEMEY, SYNTHETIC)
Path = tuple[str | int, ...]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)

_EDGES = (dt.date(2000, 1, 1), dt.date(2030, 12, 31))
days = st.one_of(
    st.dates(dt.date(1999, 12, 25), dt.date(2000, 1, 7)),
    st.dates(dt.date(2030, 12, 20), dt.date(2031, 1, 6)),
    st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)),
    st.sampled_from([dt.date(1, 1, 1), dt.date(9999, 12, 31), *_EDGES]),
)
zones = st.one_of(
    st.integers(-12 * 60, 14 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m))),
    st.sampled_from([ZoneInfo("Asia/Almaty"), ZoneInfo("Asia/Aqtobe"), dt.UTC]),
)


def _offset(hours: int) -> dt.tzinfo:
    return dt.timezone(dt.timedelta(hours=hours))


EXTREMES = (  # a step past either end of what datetime can hold, once moved to +05:00
    dt.datetime(9999, 12, 31, 23, 0, tzinfo=_offset(-1)),
    dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=_offset(-12)),
    dt.datetime(1, 1, 1, 0, 0, tzinfo=_offset(14)),
    dt.datetime(2030, 12, 31, 23, 59, 59, tzinfo=ZoneInfo("Asia/Almaty")),
    dt.datetime(2030, 12, 31, 22, 0, tzinfo=_offset(-3)),  # 2031 in Almaty
    dt.datetime(2000, 1, 1, 0, 0, tzinfo=ZoneInfo("Asia/Almaty")),
    dt.datetime(2000, 1, 1, 1, 0, tzinfo=_offset(14)),  # 1999 in Almaty
)


@st.composite
def _combined(draw: st.DrawFn) -> dt.datetime:
    day, time, zone = draw(days), draw(st.times()), draw(zones)
    return dt.datetime.combine(day, time).replace(tzinfo=zone)


def instants() -> st.SearchStrategy[dt.datetime]:
    """Aware instants, many of them near or past either end of the calendar."""
    return st.one_of(st.sampled_from(EXTREMES), _combined())


instant_texts = st.one_of(
    instants().map(lambda t: t.isoformat()),
    instants().map(lambda t: t.isoformat()),
    instants().map(lambda t: t.replace(tzinfo=None).isoformat()),  # naive
    instants().map(lambda t: t.date().isoformat()),
    st.from_regex(
        r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}:[0-9]{2}\Z"
    ),
)


def _paths(node: object, prefix: Path = ()) -> Iterator[Path]:
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


def _at(document: Any, path: Path) -> Any:
    for key in path:
        document = document[key]
    return document


def _step_names(engine: Engine) -> list[str]:
    """Its steps of every kind, another reglament's, and names no reglament has."""
    others = [s for e in ENGINES for s in e.reglament.steps]
    return [*engine.reglament.steps, *others, "revieww", "Review", "", "x" * 300]


def _ids(engine: Engine) -> dict[str, list[str]]:
    r = engine.reglament
    return {
        "reglament": [r.id for r in (e.reglament for e in ENGINES)] + ["nobody"],
        "region": [e.reglament.region for e in ENGINES] + ["atlantis"],
        "version": [e.compiled.version for e in ENGINES] + ["2011-01-01", "2099-12-31"],
        "channel": [*r.channels, "portal"],
        "variant": [*r.variants, "gold"],
        "timezone": ["Asia/Almaty", "Asia/Aqtobe", "UTC", "Asia", "Nowhere/City"],
    }


_STEP_KEYS = {"step", "parallel", "end"}
_INSTANT_KEYS = {
    "submitted_at",
    "accepted_at",
    "base_due",
    "started",
    "due",
    "at",
    "start",
    "end",
    "finished_at",
}


def _targets(document: dict[str, Any], how: str) -> list[Path]:
    """Where a mutation of kind ``how`` applies (any value for the generic kinds)."""
    paths = [p for p in _paths(document) if p]
    if how == "step":
        return [p for p in paths if p[-1] in _STEP_KEYS]
    if how == "instant":
        return [p for p in paths if p[-1] in _INSTANT_KEYS]
    if how == "id":
        return [(key,) for key in _ID_KEYS]
    if how == "number":
        return [p for p in paths if type(_at(document, p)) is int]
    if how == "extra":
        return [p for p in paths if isinstance(_at(document, p), dict)] + [()]
    return paths


_ID_KEYS = ("reglament", "region", "version", "channel", "variant", "timezone")
# Mostly changes that keep the document well formed, so that the engine gets to see them.
_HOW = ("step",) * 4 + ("id", "instant") * 3 + ("number", "join") * 2 + ("value", "drop", "extra")


@st.composite
def mutated(draw: st.DrawFn) -> tuple[Engine, dict[str, Any]]:
    """A saved case of a real run with one to three things changed."""
    name = draw(st.sampled_from(sorted(BASES)))
    engine, base = BASES[name]
    document: dict[str, Any] = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(_HOW))
        if how == "join":
            document["arrived"] = {draw(st.sampled_from(_step_names(engine))): [1, 2, 3]}
            continue
        targets = _targets(document, how)
        if not targets:
            continue
        path = draw(st.sampled_from(targets))
        if how == "extra":
            _at(document, path)[draw(st.text(max_size=8))] = draw(json_values)
            continue
        parent, key = _at(document, path[:-1]), path[-1]
        if how == "drop":
            del parent[key]
        elif how == "value":
            parent[key] = draw(json_values)
        elif how == "instant":
            parent[key] = draw(instant_texts)
        elif how == "step":
            parent[key] = draw(st.sampled_from(_step_names(engine)))
        elif how == "id":
            parent[key] = draw(st.sampled_from(_ids(engine)[str(key)]))
        else:
            parent[key] = draw(st.integers(-3, 2**64) | st.booleans())
    return engine, document


def _only_our_errors(call: Callable[[], object]) -> None:
    with contextlib.suppress(ReglamentError):  # anything else fails the test
        call()


def _every_method(engine: Engine, case: Case, data: st.DataObject) -> None:
    """Every Engine method, with instants near the calendar's ends and steps of either kind."""
    when = data.draw(instants())
    steps = [t.step for t in case.tokens] + _step_names(engine)
    step = data.draw(st.sampled_from(steps))
    outcome = data.draw(st.none() | st.sampled_from(["done", "event", "timeout", "grant", "x"]))
    values: dict[str, object] = data.draw(
        st.dictionaries(st.sampled_from([*engine.reglament.data, "x"]), json_values)
    )
    calls: list[Callable[[], object]] = [
        lambda: engine.allowed(case),
        lambda: engine.status(case, when),
        lambda: engine.term_due(case),
        lambda: engine.term_due(case, when),
        lambda: engine.stopped_intervals(case, when),
        lambda: engine.poll(case, when),
        lambda: engine.notices(case),
        lambda: engine.set_data(case, values),
        lambda: engine.suspend(case, when, "fuzz"),
        lambda: engine.complete(case, step, when, outcome),
        lambda: engine.resume(case, when),
        lambda: engine.complete(case, step, when, outcome),
        lambda: engine.start(when, case.channel, case.variant, values),
        lambda: Case.from_dict(json.loads(json.dumps(case.to_dict())), engine.reglament),
    ]
    for call in data.draw(st.permutations(calls)):
        _only_our_errors(call)


FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _use(engine: Engine, document: dict[str, Any], data: st.DataObject) -> None:
    """The document read alone and against each reglament, then the case (if it is one) given
    to every method of its own engine and of the other one."""
    for reglament in (None, *(e.reglament for e in ENGINES)):
        _only_our_errors(lambda r=reglament: Case.from_dict(document, r))  # type: ignore[misc]
    try:
        case = Case.from_dict(document)
    except UsageError:
        return
    for other in ENGINES:
        if other is not engine:
            _every_method(other, copy.deepcopy(case), data)
    _every_method(engine, case, data)


@FUZZ
@given(mutated(), st.data())
def test_mutated_saved_cases_raise_only_our_errors(
    sample: tuple[Engine, dict[str, Any]], data: st.DataObject
) -> None:
    engine, document = sample
    try:
        read_document(document)
    except UsageError:
        pass
    else:  # what the engine reads as a document, the published schema accepts
        assert [e.message for e in VALIDATOR.iter_errors(document)] == []
    _use(engine, document, data)


@FUZZ
@given(st.sampled_from(sorted(BASES)), st.data())
def test_renamed_steps_raise_only_our_errors(name: str, data: st.DataObject) -> None:
    """A token, a join mark, a history record or the end at a step of another kind, of another
    reglament, or of none."""
    engine, base = BASES[name]
    document = copy.deepcopy(base)
    names = st.sampled_from(_step_names(engine))
    targets = [p for p in _paths(document) if p and p[-1] in _STEP_KEYS and p[0] != "suspensions"]
    for path in data.draw(st.lists(st.sampled_from(targets), min_size=1, max_size=2)):
        _at(document, path[:-1])[path[-1]] = data.draw(names)
    if data.draw(st.booleans()):
        document["arrived"] = {data.draw(names): [1]}
    _use(engine, document, data)


@FUZZ
@given(st.sampled_from(sorted(BASES)), st.data())
def test_moved_instants_raise_only_our_errors(name: str, data: st.DataObject) -> None:
    """Instants of the saved case anywhere near either end of the calendar, or past it."""
    engine, base = BASES[name]
    document = copy.deepcopy(base)
    targets = [
        p for p in _paths(document) if p and p[-1] in _INSTANT_KEYS and _at(document, p) is not None
    ]
    for path in data.draw(st.lists(st.sampled_from(targets), min_size=1, max_size=4)):
        _at(document, path[:-1])[path[-1]] = data.draw(instants()).isoformat()
    _use(engine, document, data)


@FUZZ
@given(st.sampled_from(sorted(BASES)), st.data())
def test_real_cases_moved_at_any_instant_raise_only_our_errors(
    name: str, data: st.DataObject
) -> None:
    engine, document = BASES[name]
    case = Case.from_dict(document, engine.reglament)
    for _ in range(3):
        _every_method(engine, case, data)
