"""Fresh, migrated databases for one bench run: a SQLite file on disk, or a schema of its
own in the PostgreSQL database a URL names (``tools/pg-test start``); and the CPU time that
local PostgreSQL cluster spends (:class:`ServerClock`)."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from reglament.store import connect, store_url, upgrade


@contextmanager
def sqlite_db(query: str = "") -> Iterator[str]:
    """A fresh SQLite file (``query``: its URL options), migrated; removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="reglament-store-bench-"))  # /tmp: on the disk here
    try:
        url = f"sqlite:///{folder / 'cases.db'}{query}"
        engine = connect(store_url(url))
        upgrade(engine)
        engine.dispose()
        yield url
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def pg_db(base: str) -> Iterator[str]:
    """A fresh schema in the database ``base`` names, migrated; dropped afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(store_url(base))
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    url = store_url(base)
    query = dict(url.query)
    query["options"] = f"-csearch_path={schema}"
    scoped = url.set(query=query)
    try:
        engine = connect(scoped)
        upgrade(engine)
        engine.dispose()
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


class ServerClock:
    """The CPU seconds a local PostgreSQL cluster has spent (its postmaster, the processes it
    runs and those it reaped: backends, WAL writer, checkpointer), read from ``/proc``: what
    the server spent between two readings, beside what its clients spent."""

    def __init__(self, url: str) -> None:
        engine = create_engine(store_url(url))
        with engine.connect() as connection:
            backend = int(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())
        engine.dispose()
        self.postmaster = _stat(backend)[1]  # a backend's parent
        self.tick = os.sysconf("SC_CLK_TCK")

    def seconds(self) -> float:
        total = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                pid, parent, times = _stat(int(entry.name))
            except OSError:  # it ended meanwhile (its time is in the parent's reaped time)
                continue
            if pid == self.postmaster:
                total += sum(times)  # its own and its reaped children's
            elif parent == self.postmaster:
                total += times[0] + times[1]
        return total / self.tick


def _stat(pid: int) -> tuple[int, int, list[int]]:
    """A process's id, its parent's, and its utime, stime, cutime, cstime in clock ticks."""
    text = (Path("/proc") / str(pid) / "stat").read_text(encoding="ascii", errors="replace")
    fields = text[text.rindex(")") + 2 :].split()
    return pid, int(fields[1]), [int(f) for f in fields[11:15]]
