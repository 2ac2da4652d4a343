"""Which days are working days in Kazakhstan, 2000–2030, and working-day arithmetic.

The base is the ``holidays`` package's Kazakhstan calendar (the Law "On holidays" as it stood each
year, the weekend-to-next-working-day rule with chaining, religious days that never move, and the
Government's yearly transfers with their worked Saturdays and Sundays). On top of it the bundled
override file and any user files are applied, date by date (see ``overrides.py``).

Everything is precomputed once per calendar into tables indexed by ``date.toordinal() - origin``:
``_after[i]`` is the number of working days up to and including day ``i``, which is also the index
in ``_wdates`` (the ordered working dates) of the first working day strictly after day ``i``. So
"+N working days" is two list look-ups.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reglament.calendar.cache import cached_tables
from reglament.calendar.overrides import (
    BUNDLED_OVERRIDES,
    Override,
    OverrideSet,
    bundled_text,
    load_overrides,
    merge,
    parse_overrides,
)
from reglament.errors import CalendarRangeError, UsageError
from reglament.limits import FIRST_YEAR, LAST_YEAR, shown

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["FIRST_YEAR", "LAST_YEAR", "DayInfo", "WorkCalendar", "default_calendar"]

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_RENAMES = {"Eid al-Adha": "Kurban ait"}


def counts(n: int | npt.ArrayLike, longest: int, what: str, calendar: WorkCalendar) -> Any:
    """``n`` (one count or an array of them) as int64, refused when one is more than
    ``longest``: no deadline of the calendar is that far, and int64 arithmetic would wrap."""
    import numpy as np

    try:
        steps = np.asarray(n, dtype=np.int64)
    except OverflowError:  # past int64, so past any calendar too
        steps = None
    if steps is not None and not (steps.size and int(steps.max()) > longest):
        return steps
    if isinstance(n, int):
        big = shown(n)
    else:
        big = shown(int(steps.max())) if steps is not None else "more than 2**63"
    raise CalendarRangeError(
        f"+{big} {what} falls after the calendar's covered range "
        f"{calendar.first_day.isoformat()}..{calendar.last_day.isoformat()} "
        f"(it holds {longest:,} {what})"
    )


def weekday_name(d: dt.date) -> str:
    """``Tue``: the weekday's name as every message writes it."""
    return _WEEKDAYS[d.weekday()]


def fmt_day(d: dt.date) -> str:
    """``Tue 2015-12-15``: the form used in every message."""
    return f"{weekday_name(d)} {d.isoformat()}"


def fmt_instant(t: dt.datetime | None, *, end: bool = False, time_first: bool = False) -> str:
    """An instant in its own zone as every message writes it: ``Tue 2015-12-15 09:15``, or with
    ``time_first`` ``09:15 on Tue 2015-12-15``; ``—`` for no instant. A due instant (``end``)
    at midnight reads as 24:00 of the day before."""
    if t is None:
        return "—"
    day, time = t.date(), f"{t:%H:%M}"
    if end and t.time() == dt.time():
        day, time = day - dt.timedelta(days=1), "24:00"
    return f"{time} on {fmt_day(day)}" if time_first else f"{fmt_day(day)} {time}"


@dataclass(frozen=True, slots=True)
class DayInfo:
    """What the calendar says about one date, and why."""

    date: dt.date
    working: bool
    reasons: tuple[str, ...]  # empty for an ordinary working weekday
    estimated: bool = False  # the verdict rests on an estimated date (e.g. a future Kurban ait)
    holiday: str = ""  # short name of the holiday behind a day off ("Independence Day"), if any

    def __str__(self) -> str:
        state = "working day" if self.working else "day off"
        why = f": {'; '.join(self.reasons)}" if self.reasons else ""
        est = " [estimated]" if self.estimated else ""
        return f"{fmt_day(self.date)} {state}{why}{est}"


@dataclass(frozen=True, slots=True)
class _Special:
    working: bool
    reasons: tuple[str, ...]
    estimated: bool
    holiday: str
    overridden: bool = False


def _view(first_year: int, last_year: int, *, observed: bool, estimated: bool) -> Any:
    """One reading of the ``holidays`` Kazakhstan calendar (English names, for the explanations).

    ``observed``: with the days off that the weekend rule moves to the next working day.
    ``estimated``: with the package's mark on the names of estimated lunar dates.
    """
    import holidays  # here, not at the top: a process that finds the calendar cached skips it

    return holidays.country_holidays(
        "KZ",
        years=range(first_year, last_year + 1),
        language="en_US",
        observed=observed,
        islamic_show_estimated=estimated,
    )


def _transfers(kz: Any, first_year: int, last_year: int) -> dict[dt.date, dt.date]:
    """The Government's transfers as the package holds them: day off -> the day worked for it.

    ``special_public_holidays`` maps a year to its entries; a transfer is
    ``(month, day, worked month, worked day[, worked year])``, a one-off holiday ``(month, day,
    name)``; a year with one entry holds it bare.
    """
    moved: dict[dt.date, dt.date] = {}
    for year, entries in kz.special_public_holidays.items():
        if not first_year <= year <= last_year:
            continue
        for entry in entries if isinstance(entries[0], tuple) else (entries,):
            if len(entry) < 4:
                continue
            month, mday, worked_month, worked_mday, *worked_year = entry
            worked = dt.date(worked_year[0] if worked_year else year, worked_month, worked_mday)
            moved[dt.date(year, month, mday)] = worked
    return moved


def _why_off(day: dt.date, kz: Any, own_day: Any) -> list[tuple[str, str]]:
    """The holidays behind a day off that is not a transfer, as (name, why): first those whose
    own date it is, then those the weekend rule moved here (named without the package's mark)."""
    before, _, after = kz.tr(kz.observed_label).partition("%s")  # "%s (observed)"
    own = own_day.get_list(day)
    moved_here = (
        n.removeprefix(before).removesuffix(after) for n in kz.get_list(day) if n not in own
    )
    return [(_RENAMES.get(n, n), "holiday") for n in own] + [
        (_RENAMES.get(n, n), "day off moved from the weekend") for n in moved_here
    ]


def _base_specials(
    first_year: int, last_year: int, sources: dict[int, str]
) -> dict[dt.date, _Special]:
    """Every date where the ``holidays`` calendar departs from "Mon–Fri work, Sat–Sun rest".

    What a date is comes from the package's data, never from the wording of its names: the days
    off are its keys, the transfers its ``special_public_holidays`` table, the worked weekend
    days its ``weekend_workdays``; a day off moved from the weekend is one that the reading
    without the weekend rule does not have, and an estimated date is one whose name changes when
    the package is asked to mark estimates. The names are only shown.
    """
    kz = _view(first_year, last_year, observed=True, estimated=False)
    own_day = _view(first_year, last_year, observed=False, estimated=False)
    marked = _view(first_year, last_year, observed=False, estimated=True)
    moved = _transfers(kz, first_year, last_year)
    worked_for = {worked: off for off, worked in moved.items()}

    def source(year: int) -> str:
        return sources.get(year, "Government decree")

    specials: dict[dt.date, _Special] = {}
    for day in sorted(kz.keys()):
        if day in moved:  # the table says what it is; the package's label for it is not read
            reason = f"transferred day off (from {fmt_day(moved[day])}; {source(day.year)})"
            specials[day] = _Special(False, (reason,), False, "transferred day off")
            continue
        names = _why_off(day, kz, own_day)
        reasons = tuple(f"{name} ({why})" for name, why in names)
        estimated = marked.get_list(day) != own_day.get_list(day)
        specials[day] = _Special(False, reasons, estimated, names[0][0])
    for worked in sorted(set(kz.weekend_workdays) | set(worked_for)):
        if not first_year <= worked.year <= last_year or worked in kz:
            continue
        off = worked_for.get(worked)
        pays = (
            f"day off moved to {fmt_day(off)}; {source(off.year)}" if off else source(worked.year)
        )
        kind = ("Saturday", "Sunday")[worked.weekday() - 5] if worked.weekday() >= 5 else "day"
        specials[worked] = _Special(True, (f"working {kind} (transfer: {pays})",), False, "")
    return specials


class WorkCalendar:
    """An immutable working-day calendar over whole years, with precomputed look-up tables."""

    __slots__ = (
        "_after",
        "_before",
        "_cum_est",
        "_fingerprint",
        "_n",
        "_np",
        "_origin",
        "_overrides",
        "_specials",
        "_wdates",
        "_working",
        "first_year",
        "last_year",
        "name",
    )

    first_year: int
    last_year: int
    name: str

    def __init__(
        self,
        specials: dict[dt.date, _Special],
        first_year: int,
        last_year: int,
        overrides: OverrideSet,
        name: str = "Kazakhstan",
    ) -> None:
        self.first_year = first_year
        self.last_year = last_year
        self.name = name
        self._overrides = overrides
        first = dt.date(first_year, 1, 1)
        self._origin = first.toordinal()
        self._n = dt.date(last_year, 12, 31).toordinal() - self._origin + 1
        merged = dict(specials)
        for day, entry in overrides.entries.items():
            if first_year <= day.year <= last_year:
                merged[day] = _special_of(entry)
        self._specials = merged
        working: list[bool] = []
        after: list[int] = []
        cum_est = [0]
        wdates: list[dt.date] = []
        count = 0
        for i in range(self._n):
            day = dt.date.fromordinal(self._origin + i)
            special = merged.get(day)
            is_working = special.working if special else day.weekday() < 5
            if is_working:
                wdates.append(day)
                count += 1
            working.append(is_working)
            after.append(count)
            cum_est.append(cum_est[-1] + (1 if special and special.estimated else 0))
        self._working = working
        self._after = after
        self._wdates = wdates
        # date → (working days up to and including it) - 1, so that the N-th working day after
        # d is ``_wdates[_before[d] + n]``: a dict keyed by the (hash-caching) date saves the
        # ordinal arithmetic and range checks on the scalar hot path.
        first = self.first_day
        self._before = {first + dt.timedelta(days=i): count - 1 for i, count in enumerate(after)}
        self._cum_est = cum_est
        self._np: tuple[Any, ...] | None = None
        self._fingerprint: str | None = None

    # -- construction ---------------------------------------------------------------------------

    @classmethod
    def kazakhstan(cls, user_overrides: Sequence[Path] = ()) -> WorkCalendar:
        """The Kazakh calendar 2000–2030: ``holidays`` + bundled overrides + the user's files."""
        if not user_overrides:
            return default_calendar()
        return _build(tuple(user_overrides))

    @classmethod
    def from_json(cls, payload: dict[str, Any]) -> WorkCalendar:
        """The calendar :meth:`to_json` wrote, whatever ``holidays`` is installed now (the case
        store keeps each calendar its cases were planned on this way); ``ValueError`` (or
        ``TypeError``, ``KeyError``) for a payload of the wrong shape."""
        from reglament.calendar.cache import decode_tables

        specials, overrides = decode_tables(payload["tables"])
        first, last = payload["first_year"], payload["last_year"]
        if not isinstance(first, int) or not isinstance(last, int):
            raise ValueError("bad calendar span")
        return cls(specials, first, last, overrides, str(payload["name"]))

    def to_json(self) -> dict[str, Any]:
        """Every day this calendar departs from Mon–Fri (with why) and its overrides, as JSON."""
        from reglament.calendar.cache import encode_tables

        return {
            "name": self.name,
            "first_year": self.first_year,
            "last_year": self.last_year,
            "tables": encode_tables(self._specials, self._overrides),
        }

    @property
    def fingerprint(self) -> str:
        """A SHA-256 of which days are working days, over the calendar's span: two calendars
        with the same fingerprint give every deadline alike (names and reasons aside)."""
        if self._fingerprint is None:
            digest = hashlib.sha256(f"days off {self.first_year} {self.last_year}\n".encode())
            for day, special in sorted(self._specials.items()):
                if self.covers(day) and special.working != (day.weekday() < 5):
                    digest.update(f"{day.isoformat()} {int(special.working)}\n".encode())
            self._fingerprint = digest.hexdigest()
        return self._fingerprint

    # -- queries ---------------------------------------------------------------------------------

    @property
    def first_day(self) -> dt.date:
        return dt.date.fromordinal(self._origin)

    @property
    def last_day(self) -> dt.date:
        return dt.date.fromordinal(self._origin + self._n - 1)

    @property
    def working_day_count(self) -> int:
        """How many working days the calendar holds (no count of them can go further)."""
        return len(self._wdates)

    @property
    def overrides(self) -> OverrideSet:
        return self._overrides

    def range_error(self, d: dt.date) -> CalendarRangeError:
        return CalendarRangeError(
            f"{d.isoformat()} is outside the calendar's covered range "
            f"{self.first_day.isoformat()}..{self.last_day.isoformat()}"
        )

    def _index(self, d: dt.date) -> int:
        i = d.toordinal() - self._origin
        if 0 <= i < self._n:
            return i
        raise self.range_error(d)

    def covers(self, d: dt.date) -> bool:
        return 0 <= d.toordinal() - self._origin < self._n

    def is_working_day(self, d: dt.date) -> bool:
        return self._working[self._index(d)]

    def day_info(self, d: dt.date) -> DayInfo:
        self._index(d)
        special = self._specials.get(d)
        if special is not None:
            return DayInfo(d, special.working, special.reasons, special.estimated, special.holiday)
        if d.weekday() >= 5:
            return DayInfo(d, False, ("weekend",))
        return DayInfo(d, True, ())

    def is_estimated(self, d: dt.date) -> bool:
        i = self._index(d)
        return self._cum_est[i + 1] > self._cum_est[i]

    def any_estimated(self, a: dt.date, b: dt.date) -> bool:
        """Is an estimated day in ``a..b`` (inclusive, either order)?"""
        i, j = sorted((self._index(a), self._index(b)))
        return self._cum_est[j + 1] > self._cum_est[i]

    def days(self, a: dt.date, b: dt.date) -> Iterator[DayInfo]:
        """Every day from ``a`` to ``b`` inclusive."""
        for o in range(self._index(a) + self._origin, self._index(b) + self._origin + 1):
            yield self.day_info(dt.date.fromordinal(o))

    def days_off(self, a: dt.date, b: dt.date) -> tuple[DayInfo, ...]:
        """The days off from ``a`` to ``b`` inclusive (weekends included)."""
        return tuple(info for info in self.days(a, b) if not info.working)

    # -- arithmetic (the hot path) ---------------------------------------------------------------

    def add_working_days(self, d: dt.date, n: int) -> dt.date:
        """The N-th working day after ``d`` (``d`` itself is not counted: a term defined by a
        period starts the day after the event that opens it, docs/calendar.md).

        ``n == 0`` gives ``d`` if it is a working day, otherwise the next working day.
        """
        if n > 0:
            try:
                return self._wdates[self._before[d] + n]
            except KeyError:  # a datetime (hashes differently), or outside the range
                if type(d) is not dt.date:
                    return self.add_working_days(dt.date(d.year, d.month, d.day), n)
                raise self.range_error(d) from None
            except IndexError:
                raise CalendarRangeError(
                    f"{d.isoformat()} + {shown(n)} working days falls after the calendar's covered range "
                    f"{self.first_day.isoformat()}..{self.last_day.isoformat()}"
                ) from None
        return self._add_slow(d, n)

    def _add_slow(self, d: dt.date, n: int) -> dt.date:
        i = self._index(d)
        if n < 0:
            raise UsageError(f"the number of working days must be 0 or more, got {n}")
        if self._working[i]:
            return d
        return self.add_working_days(d, 1)

    def next_working_day(self, d: dt.date) -> dt.date:
        """The first working day strictly after ``d``."""
        return self.add_working_days(d, 1)

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days after ``a`` up to and including ``b`` (negative if ``b`` < ``a``).

        The inverse of ``add_working_days``: ``working_days_between(d, add_working_days(d, n))``
        is ``n`` for every ``n >= 1``.
        """
        return self._after[self._index(b)] - self._after[self._index(a)]

    def working_days_in(self, a: dt.date, b: dt.date) -> int:
        """Working days from ``a`` to ``b``, both inclusive (as production calendars count)."""
        i, j = self._index(a), self._index(b)
        return self._after[j] - (self._after[i - 1] if i else 0)

    # -- batch ------------------------------------------------------------------------------------

    def _tables(self) -> tuple[Any, ...]:
        if self._np is None:
            import numpy as np

            epoch = dt.date(1970, 1, 1).toordinal()
            wdates = np.array([d.toordinal() - epoch for d in self._wdates], dtype=np.int64)
            self._np = (
                np.array(self._after, dtype=np.int64),
                wdates.astype("datetime64[D]"),
                wdates + epoch,
                np.array(self._working, dtype=np.bool_),
                self._origin - epoch,
            )
        return self._np

    def add_working_days_batch(
        self, starts: npt.ArrayLike, n: int | npt.ArrayLike
    ) -> np.ndarray[Any, Any]:
        """Vectorised ``add_working_days``.

        ``starts`` is an array of ``datetime64[D]`` (the result is ``datetime64[D]``) or of date
        ordinals (``date.toordinal()``; the result is ordinals). ``n`` is one int or an array.
        """
        import numpy as np

        after, wdates64, wdates_ord, working, origin_epoch = self._tables()
        arr = np.asarray(starts)
        if arr.dtype.kind == "M":
            idx = arr.astype("datetime64[D]").view(np.int64) - origin_epoch
            out = wdates64
        elif arr.dtype.kind in "iu":
            idx = arr.astype(np.int64, copy=False) - self._origin
            out = wdates_ord
        else:
            raise UsageError(
                f"starts must be datetime64[D] or integer ordinals, got dtype {arr.dtype}"
            )
        if idx.size == 0:
            empty: np.ndarray[Any, Any] = out[:0]
            return empty
        if idx.min() < 0 or idx.max() >= self._n:
            bad = int(idx.min()) if idx.min() < 0 else int(idx.max())
            raise self.range_error(dt.date.fromordinal(bad + self._origin))
        steps = counts(n, self.working_day_count, "working days", self)
        if steps.size and steps.min() < 0:
            raise UsageError(f"the number of working days must be 0 or more, got {steps.min()}")
        k = after[idx] + steps - 1
        if not steps.all():  # n == 0 somewhere: a working start stays, others go to the next
            k = np.where((steps == 0) & working[idx], k, k + (steps == 0))
        if k.max() >= len(self._wdates):
            worst = int(np.argmax(k))
            start_index = int(np.broadcast_to(idx, k.shape).flat[worst])
            start = dt.date.fromordinal(start_index + self._origin)
            count = int(np.broadcast_to(steps, k.shape).flat[worst])
            raise CalendarRangeError(
                f"{start.isoformat()} + {count} working days falls after the calendar's covered "
                f"range {self.first_day.isoformat()}..{self.last_day.isoformat()}"
            )
        result: np.ndarray[Any, Any] = out[k]
        return result

    def is_working_batch(self, ordinals: npt.ArrayLike) -> np.ndarray[Any, Any]:
        """Vectorised ``is_working_day`` over date ordinals (``date.toordinal()``)."""
        import numpy as np

        idx = np.asarray(ordinals, dtype=np.int64) - self._origin
        if idx.size and (idx.min() < 0 or idx.max() >= self._n):
            bad = int(idx.min()) if idx.min() < 0 else int(idx.max())
            raise self.range_error(dt.date.fromordinal(bad + self._origin))
        result: np.ndarray[Any, Any] = self._tables()[3][idx]
        return result

    def working_days_between_batch(
        self, a: npt.ArrayLike, b: npt.ArrayLike
    ) -> np.ndarray[Any, Any]:
        """Vectorised ``working_days_between`` over date ordinals."""
        import numpy as np

        after = self._tables()[0]
        ia = np.asarray(a, dtype=np.int64) - self._origin
        ib = np.asarray(b, dtype=np.int64) - self._origin
        for idx in (ia, ib):
            if idx.size and (idx.min() < 0 or idx.max() >= self._n):
                bad = int(idx.min()) if idx.min() < 0 else int(idx.max())
                raise self.range_error(dt.date.fromordinal(bad + self._origin))
        result: np.ndarray[Any, Any] = after[ib] - after[ia]
        return result

    # -- production calendar ---------------------------------------------------------------------

    def working_days_per_month(self, year: int) -> list[int]:
        """Working days in each month of ``year`` (a five-day week, as officially published)."""
        counts = []
        for month in range(1, 13):
            first = dt.date(year, month, 1)
            last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
            counts.append(self.working_days_in(first, last))
        return counts

    def overridden(self, d: dt.date) -> Override | None:
        """The override entry that decides ``d``, if any."""
        return self._overrides.entries.get(d)


def _special_of(entry: Override) -> _Special:
    holiday = entry.name if not entry.kind.working else ""
    return _Special(entry.kind.working, (entry.reason(),), entry.estimated, holiday, True)


@functools.lru_cache(maxsize=8)
def _build(user_files: tuple[Path, ...]) -> WorkCalendar:
    bundled, first = _bundled_tables()
    if not user_files:
        return WorkCalendar(first, FIRST_YEAR, LAST_YEAR, bundled)
    merged = merge([bundled, *(load_overrides(path) for path in user_files)])
    specials = _base_specials(FIRST_YEAR, LAST_YEAR, dict(merged.transfer_sources))
    return WorkCalendar(specials, FIRST_YEAR, LAST_YEAR, merged)


def _bundled_tables() -> tuple[OverrideSet, dict[dt.date, _Special]]:
    """The bundled overrides and the ``holidays`` dates under them: from the on-disk cache when
    it holds them for these very sources (``cache.py``), else computed (and cached)."""
    text = bundled_text()

    def build() -> tuple[dict[dt.date, _Special], OverrideSet]:
        bundled = parse_overrides(text, BUNDLED_OVERRIDES)
        return _base_specials(FIRST_YEAR, LAST_YEAR, dict(bundled.transfer_sources)), bundled

    specials, bundled = cached_tables(FIRST_YEAR, LAST_YEAR, text.encode(), build)
    return bundled, specials


def default_calendar() -> WorkCalendar:
    """The shared Kazakh calendar with the bundled overrides only (built once, then cached)."""
    return _build(())
