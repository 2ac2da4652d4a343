"""The threads a service process runs its requests' Python in: two lanes.

FastAPI runs a plain ``def`` operation (and a plain dependency) in anyio's default thread
pool, 40 threads by default. Forty threads of one process share one GIL: a request's thread
that lets the GIL go for the database waits up to the interpreter's switch interval (5 ms)
for it again while another request's thread computes, so under load every request takes
many times its own CPU time, and SQLite's writers in one process meet its lock and sleep in
its busy handler. Measured with ``bench/service_bench.py``'s load (100 clients paced to 200
requests/s, two processes, SQLite), the case read's p99 was 6.6 s with the 40 threads, 151 ms
with 4, 124 ms with 2 and 69 ms with one (docs/service.md, "Threads"; single runs).

- **The quick lane**: anyio's default pool, limited to :data:`QUICK` thread per process (set
  when the app starts, :func:`open_lanes`): the requests that read or write a case, list
  cases, check a token, show the office's sign-in and inbox. Each runs its Python alone, in
  the order the requests came; more processes (``serve --workers N``) use more cores.
- **The heavy lane**: :data:`HEAVY` threads of their own, for the requests whose work is
  long (a reglament's year-long audit, a case's re-audit, an amendment over many cases, an
  uploaded YAML's validation, a diagram drawn by Graphviz, the office's case and reglament
  pages with theirs), so that one of them never holds up the quick lane's queue.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio.to_thread
from anyio import CapacityLimiter

T = TypeVar("T")
QUICK = 1  # threads of the quick lane, per process
HEAVY = 2  # threads of the heavy lane, per process


class Lanes:
    """A process's heavy lane (its limiter made in the app's event loop, on first use)."""

    def __init__(self, heavy: int = HEAVY) -> None:
        self.size = heavy
        self._heavy: CapacityLimiter | None = None

    async def heavy(self, work: Callable[..., T], *args: object) -> T:
        """``work(*args)`` on a thread of the heavy lane."""
        if self._heavy is None:
            self._heavy = CapacityLimiter(self.size)
        return await anyio.to_thread.run_sync(work, *args, limiter=self._heavy)


def open_lanes(quick: int = QUICK) -> None:
    """The quick lane: the running event loop's default thread pool cut to ``quick`` threads
    (called in the app's lifespan, where that loop runs)."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = quick
