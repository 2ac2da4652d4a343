"""What a case is when the caller does not say: the submission instant, the channel and the
variant a simulated case takes by default, and case data typed from text.

These are the defaults of ``reglament simulate`` and ``render``, kept here so that an embedder
who runs "a typical case" gets the same one. Nothing here is a legal rule: the channel's `when`,
the variants it serves and what a case may start with are asked of :class:`Compiled`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from reglament.engine.runtime import Engine
from reglament.errors import UsageError, unknown
from reglament.schemas import Reglament
from reglament.schemas.reglament import DataType

DEFAULT_HOUR = 10
"""A case submitted on a day without a time is submitted at 10:00, well inside office hours."""


@dataclass(frozen=True, slots=True)
class CaseChoice:
    """The arguments of :meth:`Engine.start`, each as given or chosen by :func:`choose_case`."""

    submitted_at: dt.datetime
    channel: str
    variant: str | None
    data: dict[str, object]
    defaulted: frozenset[str]  # which of "submitted_at", "channel", "variant" were chosen

    def check(self, engine: Engine) -> None:
        """Check the choice as :meth:`Engine.start` will (raises :class:`UsageError`)."""
        engine.compiled.check_start(self.channel, self.variant, self.data)


def choose_case(
    engine: Engine,
    *,
    on: dt.date | None = None,
    submitted_at: dt.datetime | None = None,
    channel: str | None = None,
    variant: str | None = None,
    data: Mapping[str, object] | None = None,
) -> CaseChoice:
    """A case of ``engine``'s version, completed where the caller leaves it open:

    - submitted at ``submitted_at`` (a naive one is read in the reglament's time zone), else at
      10:00 on ``on``, else at 10:00 on the first day the version is in force;
    - through ``channel``, else the first channel with a procedure whose `when` the data satisfy
      (for the given variant, or for some variant it serves), else the first with a procedure;
    - of ``variant``, else the first variant the channel serves and admits, else the first it
      serves (none for a reglament without variants).

    The result is checked as :meth:`Engine.start` checks it, so an unknown channel or variant,
    or one that does not fit, is a :class:`UsageError` naming the allowed ones."""
    found = dict(data or {})
    defaulted = {
        name
        for name, value in (
            ("submitted_at", submitted_at),
            ("channel", channel),
            ("variant", variant),
        )
        if value is None
    }
    chosen_channel = channel if channel is not None else _channel(engine, variant, found)
    chosen_variant = variant
    if variant is None and engine.reglament.variants:
        chosen_variant = _variant(engine, chosen_channel, found)
    choice = CaseChoice(
        _submitted(engine.reglament, submitted_at, on),
        chosen_channel,
        chosen_variant,
        found,
        frozenset(defaulted),
    )
    choice.check(engine)
    return choice


def _submitted(reglament: Reglament, at: dt.datetime | None, on: dt.date | None) -> dt.datetime:
    zone = ZoneInfo(reglament.timezone)
    if at is not None:
        return at if at.tzinfo is not None else at.replace(tzinfo=zone)
    day = on or reglament.effective.from_
    return dt.datetime(day.year, day.month, day.day, DEFAULT_HOUR, tzinfo=zone)


def _channel(engine: Engine, variant: str | None, data: Mapping[str, object]) -> str:
    compiled = engine.compiled
    starts = list(compiled.starts)
    for channel in starts:
        variants = [variant] if variant is not None else compiled.served_variants(channel)
        if any(compiled.admits(channel, data, v) for v in variants):
            return channel
    return next(iter([*starts, *engine.reglament.channels]))


def _variant(engine: Engine, channel: str, data: Mapping[str, object]) -> str | None:
    compiled = engine.compiled
    if channel not in engine.reglament.channels:
        return next(iter(engine.reglament.variants))  # check_start names the channels
    served = [v for v in compiled.served_variants(channel) if v is not None]
    admitted = [v for v in served if compiled.admits(channel, data, v)]
    return next(iter([*admitted, *served, *engine.reglament.variants]))


def arrivals(engine: Engine, first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The span cases arriving from ``first`` to ``last`` (both included) arrive in, for
    :func:`~reglament.engine.batch.simulate_many`: from the start of ``first`` to the end of
    ``last`` in the reglament's time zone."""
    zone = ZoneInfo(engine.reglament.timezone)
    start = dt.datetime(first.year, first.month, first.day, tzinfo=zone)
    end = dt.datetime(last.year, last.month, last.day, tzinfo=zone) + dt.timedelta(days=1)
    return start, end


def parse_data(reglament: Reglament, texts: Mapping[str, str]) -> dict[str, object]:
    """Case data given as text (``--data FIELD=VALUE``), each value read as its declared type:
    ``true``/``false`` for ``bool``, a whole number for ``int``, the text itself otherwise (a
    ``choice`` and a ``date`` are checked by :meth:`Engine.start`). An undeclared field is a
    :class:`UsageError` with the closest declared one."""
    declared = reglament.data
    typed: dict[str, object] = {}
    for key, text in texts.items():
        if key not in declared:
            raise unknown("case data field", key, declared, f"for {reglament.id}")
        typed[key] = _typed(key, text, declared[key].type)
    return typed


def _typed(key: str, text: str, kind: DataType) -> object:
    if kind is DataType.bool:
        if text.lower() not in ("true", "false"):
            raise UsageError(f"case data {key}={text!r}: expected true or false")
        return text.lower() == "true"
    if kind is DataType.int:
        try:
            return int(text)
        except ValueError:
            raise UsageError(f"case data {key}={text!r}: expected a whole number") from None
    return text
