"""The fuzz test's one-line summary at the end of the session: inputs run and how far they got."""

from __future__ import annotations

import pytest

from tests.hostile import exercise


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if exercise.STATS["inputs"]:
        from tests.hostile.test_fuzz import mode

        terminalreporter.write_line(exercise.summary(mode()))
