"""How far reglament computes: the years its working-day calendar covers, and how much one batch
run may ask for.

A leaf module, like ``errors`` (no numpy, no calendar tables), so that every layer and the CLI's
help can read the bounds. The calendar builds its tables over these years, and a definition may
not name a day outside them (an effective date, a schedule date) nor a duration longer than the
whole span, since no deadline with it could ever be computed. Both rules read the bounds here,
so they cannot drift apart.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

FIRST_YEAR = 2000
LAST_YEAR = 2030
FIRST_DAY = dt.date(FIRST_YEAR, 1, 1)
LAST_DAY = dt.date(LAST_YEAR, 12, 31)
DAYS = (LAST_DAY - FIRST_DAY).days + 1  # 11,323 days
RANGE = f"{FIRST_DAY.isoformat()}..{LAST_DAY.isoformat()}"

BYTES_PER_CASE = 100
"""Memory a batch run (``simulate --cases``) needs per case, at its peak: the arrays of the
cases (instants, ends, due instants, paths) and the report's percentiles and counts. Measured
with tracemalloc on the bundled library: 89-97 bytes (docs/simulation.md)."""
MAX_CASES = 5_000_000
"""The most cases one batch run simulates: about 500 MB of arrays (``BYTES_PER_CASE``), so that
with the program itself (~90 MB) a run stays well under 1 GiB."""
MAX_SEED = 2**64 - 1
"""The largest seed: numpy's generator takes any non-negative integer, but a seed is reported
(and typed again to repeat a run) as an unsigned 64-bit number."""


def shown(number: int | str) -> str:
    """A whole number as a message shows it: in full up to 40 digits, else its head and length
    (a 5,000-digit value stays one readable line)."""
    try:
        digits = str(number)
    except ValueError:  # an int past Python's limit for conversion to text (4,300 digits)
        return "a number of thousands of digits"
    if len(digits) <= 40:
        return digits
    return f"{digits[:12]}... ({len(digits)} digits)"


def check_day(day: dt.date) -> dt.date:
    """``day`` itself when the calendar covers it; otherwise a ``ValueError`` naming the range."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"{day.isoformat()} is outside the calendar's range {RANGE}")
    return day


def check_end(day: dt.date) -> dt.date:
    """An exclusive end (``until``): at most the day after the calendar's last."""
    if not FIRST_DAY < day <= LAST_DAY + dt.timedelta(days=1):
        raise ValueError(
            f"{day.isoformat()} is outside the calendar's range {RANGE} (an exclusive end may be "
            f"{(LAST_DAY + dt.timedelta(days=1)).isoformat()} at the latest)"
        )
    return day


# -- days and instants as a person types them (--on, --submitted, ID@REGION@DATE, calendar) ------

_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_TIME = re.compile(r"(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


def _impossible(year: int, month: int, day: int) -> str:
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    last = calendar.monthrange(year, month)[1]
    return f"{calendar.month_name[month]} {year} has {last} days"


def parse_day(text: str) -> dt.date:
    """``YYYY-MM-DD`` as a date; a ``ValueError`` that says which is wrong: the form (``expected
    YYYY-MM-DD``) or the date itself (``2015-02-30 is an impossible date: February 2015 has 28
    days``). The calendar's range is the caller's to check, in its own words."""
    match = _DAY.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r}: expected a date YYYY-MM-DD")
    year, month, day = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        why = _impossible(year, month, day)
        raise ValueError(f"{match.group(0)} is an impossible date: {why}") from None


def parse_instant(text: str) -> dt.datetime:
    """``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM`` or ``YYYY-MM-DDTHH:MM[:SS][±HH:MM]``: naive unless an
    offset is given (the caller puts it in its zone). A date alone is the start of that day. As
    :func:`parse_day`, an impossible date, time or offset is called so, apart from a wrong form."""
    day_text, sep, time_text = text.strip().replace("T", " ", 1).partition(" ")
    clock = _TIME.fullmatch(time_text)
    if _DAY.fullmatch(day_text) is None or (sep and clock is None):
        raise ValueError(f"{text!r}: expected 'YYYY-MM-DD HH:MM' (or YYYY-MM-DDTHH:MM+05:00)")
    day = parse_day(day_text)
    if clock is None:
        return dt.datetime.combine(day, dt.time())  # naive: the caller gives the zone
    hour, minute, second = (int(part or 0) for part in clock.groups()[:3])
    if hour > 23 or minute > 59 or second > 59:
        shown_time = time_text.removesuffix(clock.group(4) or "")
        raise ValueError(f"{shown_time} is an impossible time of day: from 00:00 to 23:59")
    try:
        return dt.datetime.fromisoformat(f"{day_text}T{time_text}")
    except ValueError:
        offset = clock.group(4)
        raise ValueError(f"{offset} is an impossible UTC offset: from -23:59 to +23:59") from None
