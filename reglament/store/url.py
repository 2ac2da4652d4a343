"""Where the case store lives: ``--db URL``, else ``REGLAMENT_DB``, else a SQLite file under the
user's data directory (``$XDG_DATA_HOME/reglament/cases.db``, ``~/.local/share/reglament/cases.db``
when it is not set).

A URL is ``sqlite:///PATH`` or ``postgresql://USER@HOST/DB`` (``postgres://`` too; the driver is
psycopg 3 whatever the URL says); a text without ``://`` is a SQLite file's path."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from reglament.errors import UsageError

ENV = "REGLAMENT_DB"


def default_path(environ: Mapping[str, str]) -> Path:
    """The SQLite file used when neither ``--db`` nor ``REGLAMENT_DB`` says otherwise."""
    data_home = environ.get("XDG_DATA_HOME", "")
    base = Path(data_home) if Path(data_home).is_absolute() else Path.home() / ".local" / "share"
    return base / "reglament" / "cases.db"


def store_url(given: str | None, environ: Mapping[str, str] | None = None) -> URL:
    """The database the store uses: ``given`` (``--db``), else ``REGLAMENT_DB``, else the default
    file (its folder created). A ``UsageError`` for a URL of another database or none at all."""
    environ = os.environ if environ is None else environ
    text = given or environ.get(ENV, "")
    if not text:
        path = default_path(environ)
        path.parent.mkdir(parents=True, exist_ok=True)
        return URL.create("sqlite", database=str(path))
    if "://" not in text:
        return URL.create("sqlite", database=text)
    try:
        url = make_url(text)
    except ArgumentError:
        expected = "expected sqlite:///PATH or postgresql://..."
        raise UsageError(f"bad database URL {text!r}: {expected}") from None
    backend = url.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite" and url.get_driver_name() in ("pysqlite", ""):
        return url.set(drivername="sqlite")
    raise UsageError(
        f"unsupported database {url.drivername!r} in {shown(url)}: "
        "expected sqlite:///PATH or postgresql://..."
    )


def shown(url: URL) -> str:
    """The URL as a message may show it: without its password."""
    return url.set(drivername=url.get_backend_name()).render_as_string(hide_password=True)
