"""The span of time reglament computes in: the years its working-day calendar covers.

A leaf module, like ``errors``: the calendar builds its tables over these years, and a definition
may not name a day outside them (an effective date, a schedule date) nor a duration longer than
the whole span, since no deadline with it could ever be computed. Both rules read the bounds
here, so they cannot drift apart.
"""

from __future__ import annotations

import datetime as dt

FIRST_YEAR = 2000
LAST_YEAR = 2030
FIRST_DAY = dt.date(FIRST_YEAR, 1, 1)
LAST_DAY = dt.date(LAST_YEAR, 12, 31)
DAYS = (LAST_DAY - FIRST_DAY).days + 1  # 11,323 days
RANGE = f"{FIRST_DAY.isoformat()}..{LAST_DAY.isoformat()}"


def shown(number: int) -> str:
    """A whole number as a message shows it: in full up to 40 digits, else its head and length
    (a 5,000-digit value stays one readable line)."""
    digits = str(number)
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
