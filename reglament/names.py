"""The closed vocabularies of the format, and the test of a time zone's name, without pydantic.

The command line offers these as choices (``--lang``, ``--medium``, ``--to``, ``--event``) before
anything is loaded, so they live below the models: ``reglament.schemas`` uses and re-exports the
very same classes, and a command that loads no definition (``--help``, ``calendar``) does not
build the models to parse its options.
"""

from __future__ import annotations

from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["Event", "Language", "Medium", "Recipient", "zone"]


class Language(StrEnum):
    kk = "kk"
    ru = "ru"
    en = "en"


class Event(StrEnum):
    accepted = "accepted"
    step_started = "step_started"
    step_completed = "step_completed"
    step_overdue = "step_overdue"
    term_at_risk = "term_at_risk"
    suspended = "suspended"
    resumed = "resumed"
    data_unavailable = "data_unavailable"
    refused = "refused"
    result_ready = "result_ready"


class Recipient(StrEnum):
    applicant = "applicant"
    actor = "actor"
    head = "head"


class Medium(StrEnum):
    sms = "sms"
    email = "email"
    cabinet = "cabinet"
    letter = "letter"


def zone(name: str) -> ZoneInfo:
    """The time zone called ``name``; ``ValueError`` when there is none (tzdata knows them). The
    one test of a zone name, for definitions and saved cases alike."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder, a name too long
        raise ValueError(f"{name!r} is not a known time zone") from None
