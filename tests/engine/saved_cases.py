"""Saved cases from real runs, shared by the saved-case tests and the saved-case fuzzing."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jsonschema import Draft202012Validator

from reglament.engine import Engine
from reglament.loader import BUNDLED, load
from reglament.schemas.case import CASE_SCHEMA_FILE

ZONE = ZoneInfo("Asia/Almaty")
SYNTHETIC = Engine(load(Path(__file__).parent / "fixtures" / "synthetic.yaml"))
SEMEY = Engine(load(BUNDLED / "karaganda-2015" / "semey-compensation.yaml"))


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=ZONE)


def semey_halfway() -> dict[str, Any]:
    """The README's case: a certificate, registered, now at the review."""
    case = SEMEY.start(at("2015-12-14 17:45"), "office", "certificate")
    SEMEY.complete(case, "register", at("2015-12-14 18:05"))
    return case.to_dict()


def synthetic_in_parallel() -> dict[str, Any]:
    """One branch of the parallel block done (a join mark), the term suspended."""
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    SYNTHETIC.complete(case, "register", at("2024-04-01 10:30"))
    SYNTHETIC.complete(case, "check-a", at("2024-04-01 12:00"))
    SYNTHETIC.suspend(case, at("2024-04-01 12:30"), "documents requested")
    return case.to_dict()


def synthetic_waiting() -> dict[str, Any]:
    """At the wait, which the term does not count; a suspension that has ended."""
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": False})
    SYNTHETIC.suspend(case, at("2024-04-01 10:05"), "documents requested")
    SYNTHETIC.resume(case, at("2024-04-02 10:05"))
    for step, when in (("register", "10:30"), ("check-a", "11:00"), ("check-b", "12:00")):
        SYNTHETIC.complete(case, step, at(f"2024-04-02 {when}"))
    return case.to_dict()


def synthetic_finished() -> dict[str, Any]:
    case = SYNTHETIC.start(at("2024-04-01 10:00"), "office", data={"eligible": True})
    for step, when, outcome in (
        ("register", "2024-04-01 10:30", None),
        ("check-a", "2024-04-01 11:00", None),
        ("check-b", "2024-04-01 12:00", None),
        ("documents", "2024-04-02 10:00", "event"),
        ("decide", "2024-04-03 10:00", None),
    ):
        SYNTHETIC.complete(case, step, at(when), outcome)
    assert case.end == "granted"
    return case.to_dict()


def synthetic_at_the_calendars_end() -> dict[str, Any]:
    """Started in the calendar's last week: its next steps fall after 2030-12-31."""
    case = SYNTHETIC.start(at("2030-12-24 10:00"), "office", data={"eligible": True})
    SYNTHETIC.complete(case, "register", at("2030-12-24 10:30"))
    return case.to_dict()


BASES = {
    "semey-halfway": (SEMEY, semey_halfway()),
    "synthetic-in-parallel": (SYNTHETIC, synthetic_in_parallel()),
    "synthetic-waiting": (SYNTHETIC, synthetic_waiting()),
    "synthetic-finished": (SYNTHETIC, synthetic_finished()),
    "synthetic-at-the-calendars-end": (SYNTHETIC, synthetic_at_the_calendars_end()),
}


def case_validator() -> Draft202012Validator:
    """The shipped ``case.schema.json``, checked to be a valid 2020-12 schema."""
    schema = json.loads(CASE_SCHEMA_FILE.read_text("utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
