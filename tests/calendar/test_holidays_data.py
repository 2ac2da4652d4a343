"""The calendar reads the ``holidays`` package's data, not the wording of its names: with every
label the package builds (a transfer's, a moved day's, an estimate's) worded differently, each date
of 2000–2030 gets the same verdict, the same transfer and the same explanation."""

from __future__ import annotations

import datetime as dt

import pytest
from holidays.countries.kazakhstan import Kazakhstan, KazakhstanStaticHolidays

from reglament.calendar.days import FIRST_YEAR, LAST_YEAR, _base_specials, _transfers, _view

SOURCES = {2024: "Government decree of 2023 (test)"}


def test_the_labels_wording_does_not_matter(monkeypatch: pytest.MonkeyPatch) -> None:
    as_shipped = _base_specials(FIRST_YEAR, LAST_YEAR, SOURCES)
    # none of these has a translation: the package shows them as written here
    monkeypatch.setattr(KazakhstanStaticHolidays, "substituted_label", "Shifted rest [%s]")
    monkeypatch.setattr(KazakhstanStaticHolidays, "substituted_date_format", "%Y.%j")
    monkeypatch.setattr(Kazakhstan, "observed_label", "Moved: %s!")
    monkeypatch.setattr(Kazakhstan, "estimated_label", "%s ~ a guess")
    reworded = _view(2024, 2024, observed=True, estimated=True)
    assert "Shifted rest [2024.125]" in reworded.get_list(dt.date(2024, 5, 8))  # really reworded
    assert _base_specials(FIRST_YEAR, LAST_YEAR, SOURCES) == as_shipped


def test_transfers_come_from_the_table() -> None:
    kz = _view(FIRST_YEAR, LAST_YEAR, observed=True, estimated=False)
    moved = _transfers(kz, FIRST_YEAR, LAST_YEAR)
    assert len(moved) == 52
    assert moved[dt.date(2024, 5, 8)] == dt.date(2024, 5, 4)  # Sat 4 May worked for Wed 8 May
    assert moved[dt.date(2014, 1, 3)] == dt.date(2013, 12, 28)  # across the year boundary
    assert moved[dt.date(2020, 5, 8)] == dt.date(2020, 5, 11)  # a moved day off, moved again
    # every worked weekend day the package knows is paid for by one of the table's transfers
    assert set(kz.weekend_workdays) <= set(moved.values())
    # a transfer's date holds nothing else: its explanation (the transfer) leaves nothing out
    assert all(len(kz.get_list(day)) == 1 for day in moved)
