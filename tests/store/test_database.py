"""SQLite's durability setting: ``synchronous=NORMAL`` by default, ``?synchronous=full`` on
request (docs/runtime.md, "Durability"), anything else a usage error."""

from __future__ import annotations

from pathlib import Path

import pytest

from reglament.errors import UsageError
from reglament.store import connect, store_url


def _synchronous(url: str) -> int:
    engine = connect(store_url(url))
    try:
        with engine.connect() as connection:
            return int(connection.exec_driver_sql("PRAGMA synchronous").scalar_one())
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("query", "expected"),
    [("", 1), ("?synchronous=normal", 1), ("?synchronous=full", 2), ("?synchronous=FULL", 2)],
)
def test_sqlite_synchronous_is_normal_unless_the_url_says_full(
    tmp_path: Path, query: str, expected: int
) -> None:
    assert _synchronous(f"sqlite:///{tmp_path / 'cases.db'}{query}") == expected


def test_another_synchronous_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(
        UsageError, match=r"bad synchronous='off' in sqlite:///.*: expected normal or full"
    ):
        connect(store_url(f"sqlite:///{tmp_path / 'cases.db'}?synchronous=off"))
