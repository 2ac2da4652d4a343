"""Shared fixtures for engine tests: the bundled library, loaded once."""

from __future__ import annotations

import pytest

from reglament.loader import Library, load_library


@pytest.fixture(scope="session")
def library() -> Library:
    lib = load_library()
    assert lib.ok, "\n".join(str(p) for p in lib.all_problems())
    return lib
