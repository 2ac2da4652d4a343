"""The bundled library's audit, computed once for the audit tests."""

from __future__ import annotations

import pytest

from reglament.audit import AuditReport, audit_library
from reglament.loader import load_library


@pytest.fixture(scope="session")
def bundled_audit() -> AuditReport:
    return audit_library(load_library())
