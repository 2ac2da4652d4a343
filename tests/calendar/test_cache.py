"""The default calendar's on-disk cache (calendar/cache.py): what it gives back is exactly what is
built from the sources, and a stale, corrupt or unwritable cache is ignored, never an error."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from reglament.calendar import cache
from reglament.calendar.days import (
    FIRST_YEAR,
    LAST_YEAR,
    WorkCalendar,
    _base_specials,
    _bundled_tables,
    _Special,
)
from reglament.calendar.overrides import OverrideSet, bundled_text, load_bundled


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("REGLAMENT_NO_CACHE", raising=False)
    monkeypatch.setenv("REGLAMENT_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def built() -> tuple[dict[dt.date, _Special], OverrideSet]:
    bundled = load_bundled()
    return _base_specials(FIRST_YEAR, LAST_YEAR, dict(bundled.transfer_sources)), bundled


def files(folder: Path) -> list[Path]:
    return sorted(folder.iterdir()) if folder.exists() else []


def test_cached_calendar_is_the_built_one(folder: Path) -> None:
    specials, bundled = built()
    first = _bundled_tables()  # builds and writes
    assert [p.name.startswith("calendar-") for p in files(folder)] == [True]
    second = _bundled_tables()  # reads
    assert first == second == (bundled, specials)
    calendar = WorkCalendar(second[1], FIRST_YEAR, LAST_YEAR, second[0])
    reference = WorkCalendar(specials, FIRST_YEAR, LAST_YEAR, bundled)
    day, last = calendar.first_day, calendar.last_day
    while day <= last:
        assert calendar.day_info(day) == reference.day_info(day)
        assert calendar.is_estimated(day) == reference.is_estimated(day)
        day += dt.timedelta(days=1)
    assert calendar.overrides == reference.overrides


def test_a_read_cache_does_not_build(folder: Path) -> None:
    cache.cached_tables(FIRST_YEAR, LAST_YEAR, b"x", built)

    def refuse() -> tuple[dict[dt.date, _Special], OverrideSet]:
        raise AssertionError("built although cached")

    cache.cached_tables(FIRST_YEAR, LAST_YEAR, b"x", refuse)


def test_other_sources_other_key(folder: Path) -> None:
    text = bundled_text().encode()
    key = cache.cache_key(FIRST_YEAR, LAST_YEAR, text)
    assert key is not None
    assert cache.cache_key(FIRST_YEAR, LAST_YEAR, text + b"\n# edited\n") != key
    assert cache.cache_key(FIRST_YEAR, LAST_YEAR + 1, text) != key


@pytest.mark.parametrize(
    "spoil",
    [
        lambda doc: {**doc, "key": "0" * 64},  # stale: made for other sources
        lambda doc: {**doc, "format": 0},
        lambda doc: {
            **doc,
            "payload": {**doc["payload"], "specials": doc["payload"]["specials"][1:]},
        },
        lambda doc: {**doc, "payload": {**doc["payload"], "transfer_sources": []}, "checksum": ""},
    ],
    ids=["stale-key", "old-format", "edited", "bad-checksum"],
)
def test_a_spoilt_cache_is_rebuilt(folder: Path, spoil: object) -> None:
    tables = built()
    cache.cached_tables(FIRST_YEAR, LAST_YEAR, b"x", built)
    (path,) = files(folder)
    assert callable(spoil)
    path.write_text(json.dumps(spoil(json.loads(path.read_text()))), encoding="utf-8")
    calls = []

    def build() -> tuple[dict[dt.date, _Special], OverrideSet]:
        calls.append(1)
        return tables

    assert cache.cached_tables(FIRST_YEAR, LAST_YEAR, b"x", build) == tables
    assert calls == [1]
    assert cache.cached_tables(FIRST_YEAR, LAST_YEAR, b"x", build) == tables  # written again
    assert calls == [1]


@pytest.mark.parametrize("content", [b"", b"{", b"\xff\xfe", b"[]", b'{"format": 1}', b"null"])
def test_a_corrupt_cache_is_rebuilt(folder: Path, content: bytes) -> None:
    tables = built()
    cache.cached_tables(FIRST_YEAR, LAST_YEAR, b"x", built)
    (path,) = files(folder)
    path.write_bytes(content)
    assert cache.cached_tables(FIRST_YEAR, LAST_YEAR, b"x", built) == tables
    assert json.loads(path.read_text())["key"] == cache.cache_key(FIRST_YEAR, LAST_YEAR, b"x")


def test_an_unwritable_folder_is_no_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("REGLAMENT_CACHE_DIR", str(blocker / "cache"))
    assert cache.cached_tables(FIRST_YEAR, LAST_YEAR, b"x", built) == built()
    assert blocker.read_text() == "not a folder"


def test_the_cache_can_be_turned_off(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGLAMENT_NO_CACHE", "1")
    assert cache.cache_dir() is None
    cache.cached_tables(FIRST_YEAR, LAST_YEAR, b"x", built)
    assert files(folder) == []


def test_no_temporary_file_is_left(folder: Path) -> None:
    cache.cached_tables(FIRST_YEAR, LAST_YEAR, b"x", built)
    cache.cached_tables(FIRST_YEAR, LAST_YEAR, b"y", built)
    assert all(p.suffix == ".json" and not p.name.startswith(".") for p in files(folder))


def test_no_write_past_the_file_size_limit(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A process whose RLIMIT_FSIZE is below the file's size does not try to write it (with
    SIGXFSZ at its default the write would end the process)."""
    monkeypatch.setattr("reglament.calendar.cache.resource.getrlimit", lambda _: (4096, 4096))
    assert cache.cached_tables(FIRST_YEAR, LAST_YEAR, b"x", built) == built()
    assert files(folder) == []
