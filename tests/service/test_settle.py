"""A serving process sets what it loaded aside from the garbage collector's full collections
(``serve.settle``: ``gc.freeze`` once the app is built, before the first request), whether it
serves alone or as one of ``--workers N``: a full collection walking the library's objects
stopped every request of the process for about 100 ms."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from typing import Any

import pytest

from reglament.loader import Library
from reglament.service import serve

LOADED = 50_000  # objects: the bundled library and the app alone are more than this


@pytest.fixture(autouse=True)
def unfrozen() -> Iterator[None]:
    """The test process's own objects given back to the collector afterwards."""
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_one_process_settles_before_it_serves(
    url: str, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    frozen: list[int] = []

    def run(app: Any, *args: Any, **kwargs: Any) -> None:
        frozen.append(gc.get_freeze_count())
        app.state.service.store.close()

    monkeypatch.setattr(serve, "_run", run)
    serve.serve(url, library, "127.0.0.1", 0)
    assert len(frozen) == 1 and frozen[0] > LOADED


def test_each_worker_settles_once_its_app_is_built(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(serve.SETTINGS_ENV, json.dumps({"db": url, "paths": []}))
    assert gc.get_freeze_count() == 0
    app = serve.worker_app()
    assert gc.get_freeze_count() > LOADED
    app.state.service.store.close()
