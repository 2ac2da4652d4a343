"""The load test's smoke run (``bench/service_bench.py``, ``python -m bench --only service``),
small and bounded so that the tool cannot rot: 20 locust clients against a live
``reglament serve`` on SQLite (one worker, then two), 15 requests each, mixed reads and step
completions. No 5xx, every answer as expected, and every completion applied once (the store
read back), the repeated keys among them. No figure is asserted: speed is the bench's, not the suite's."""

from __future__ import annotations

import pytest

from bench.databases import sqlite_db
from bench.service_bench import GROUPS, REPEATED, Load, percentile, run


def test_percentile_is_the_nearest_rank() -> None:
    ordered = [float(n) for n in range(1, 101)]
    assert [percentile(ordered, p) for p in (0.5, 0.95, 0.99, 1.0)] == [50.0, 95.0, 99.0, 100.0]
    assert percentile([7.0], 0.99) == 7.0
    assert percentile([], 0.5) == 0.0


@pytest.mark.parametrize("workers", [1, 2])
def test_twenty_clients_on_sqlite(workers: int) -> None:
    """With two workers, the repeated keys and the revisions hold across processes too."""
    load = Load(clients=20, requests=15, pace=0, seconds=15, repeat=0.5, workers=workers)
    with sqlite_db() as url:
        result = run(url, load, "SQLite")
    assert result.wrong == []
    assert set(result.statuses) == {200}
    assert set(result.groups) == {*GROUPS, REPEATED}
    assert result.total == load.clients * load.requests
    assert result.applied == result.groups["step completion"].count > 0
    assert result.repeated == result.groups[REPEATED].count > 0
