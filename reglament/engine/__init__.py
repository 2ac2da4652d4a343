"""Executing reglaments: compiled versions, cases, the term clock, simulation.

The engine works on models and aware instants only: it never reads files, the terminal or the
wall clock.
"""

from reglament.engine.case import SCHEMA_VERSION, Case, Record, Suspension, Token
from reglament.engine.choice import CaseChoice, arrivals, choose_case, parse_data
from reglament.engine.runtime import Engine, Notice, Status, StepStatus
from reglament.procedure.events import Kind

__all__ = [
    "SCHEMA_VERSION",
    "Case",
    "CaseChoice",
    "Engine",
    "Kind",
    "Notice",
    "Record",
    "Status",
    "StepStatus",
    "Suspension",
    "Token",
    "arrivals",
    "choose_case",
    "parse_data",
]
