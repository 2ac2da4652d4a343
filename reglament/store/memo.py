"""The cases a store wrote last, kept in memory as each committed write left them, so that the
next write on one of them need not restore its snapshot (``Engine.restore``: the document read
and checked whole, every instant parsed, about a third of a write's Python).

A kept case is used only when the row read in the write's transaction holds the very snapshot
text this store wrote for it: any other writer's commit (another process, another machine, a
``cases migrate``, a new calendar re-projected) changes the text, and the case is restored from
the row as before. The text is the case (``Case.to_dict()`` as JSON), so a case kept for it is
the case restoring it gives, value for value. An entry is taken out when a write reads it and
put back only when that write has committed: a write that fails or is rolled back (a conflict,
a move refused, the database gone) leaves nothing kept. At most :data:`SIZE` cases are kept, the
least recently written dropped first."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from reglament.engine import Case

SIZE = 1_000  # cases kept per store (a ten-step case is ~20 kB of objects at its end)


class Kept:
    """The cases of the last :data:`SIZE` writes, each with the snapshot text it was saved as."""

    def __init__(self, size: int = SIZE) -> None:
        self._size = size
        self._cases: OrderedDict[str, tuple[str, Case]] = OrderedDict()
        self._lock = threading.Lock()
        self._local = threading.local()  # the writes staged by this thread's transaction

    def take(self, case_id: str, snapshot: str) -> Case | None:
        """The case kept for ``case_id`` if it was saved as ``snapshot``; either way it is no
        longer kept (the write about to run changes it)."""
        with self._lock:
            found = self._cases.pop(case_id, None)
        if found is None or found[0] != snapshot:
            return None
        return found[1]

    def stage(self, case_id: str, snapshot: str, case: Case) -> None:
        """``case``, saved as ``snapshot`` by the transaction running: kept once it commits."""
        staged: list[tuple[str, str, Case]] | None = getattr(self._local, "staged", None)
        if staged is not None:
            staged.append((case_id, snapshot, case))

    @contextmanager
    def committing(self) -> Iterator[None]:
        """Around one transaction: what it staged is kept when the block ends without an
        error (the commit done), dropped otherwise."""
        staged: list[tuple[str, str, Case]] = []
        self._local.staged = staged
        try:
            yield
        finally:
            self._local.staged = None
        with self._lock:
            for case_id, snapshot, case in staged:
                self._cases[case_id] = (snapshot, case)
                self._cases.move_to_end(case_id)
            while len(self._cases) > self._size:
                self._cases.popitem(last=False)
