"""The few helpers every command reads a person's input with: a day, an instant, and the one
did-you-mean (errors.closest) behind every "unknown ..." message."""

from __future__ import annotations

import datetime as dt

import pytest

from reglament.errors import closest, did_you_mean, unknown
from reglament.limits import parse_day, parse_instant


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2015-02-30", "2015-02-30 is an impossible date: February 2015 has 28 days"),
        ("2016-02-30", "2016-02-30 is an impossible date: February 2016 has 29 days"),
        ("2015-13-01", "2015-13-01 is an impossible date: there is no month 13"),
        ("2015-00-10", "2015-00-10 is an impossible date: there is no month 0"),
        ("2015-04-31", "2015-04-31 is an impossible date: April 2015 has 30 days"),
        ("01.02.2025", "'01.02.2025': expected a date YYYY-MM-DD"),
        ("someday", "'someday': expected a date YYYY-MM-DD"),
        ("2015-1-1", "'2015-1-1': expected a date YYYY-MM-DD"),
    ],
)
def test_a_day_that_cannot_be_is_called_impossible(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_day(text)
    assert str(caught.value) == message


def test_days_and_instants_that_can_be() -> None:
    assert parse_day(" 2016-02-29 ") == dt.date(2016, 2, 29)
    assert parse_instant("2015-12-14 17:45") == dt.datetime(2015, 12, 14, 17, 45)  # noqa: DTZ001
    assert parse_instant("2015-12-14T17:45") == dt.datetime(2015, 12, 14, 17, 45)  # noqa: DTZ001
    assert parse_instant("2015-12-14") == dt.datetime(2015, 12, 14)  # noqa: DTZ001
    aware = parse_instant("2015-12-14T17:45+05:00")
    assert aware.utcoffset() == dt.timedelta(hours=5)
    assert parse_instant("2015-12-14T17:45:30Z").tzinfo == dt.UTC


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2015-02-30 10:00", "2015-02-30 is an impossible date: February 2015 has 28 days"),
        ("2015-02-30T10:00", "2015-02-30 is an impossible date: February 2015 has 28 days"),
        ("2015-12-14 25:00", "25:00 is an impossible time of day: from 00:00 to 23:59"),
        ("2015-12-14 10:60", "10:60 is an impossible time of day: from 00:00 to 23:59"),
        ("2015-12-14T10:00+25:00", "+25:00 is an impossible UTC offset: from -23:59 to +23:59"),
        (
            "2015-12-14 10",
            "'2015-12-14 10': expected 'YYYY-MM-DD HH:MM' (or YYYY-MM-DDTHH:MM+05:00)",
        ),
        ("tomorrow", "'tomorrow': expected 'YYYY-MM-DD HH:MM' (or YYYY-MM-DDTHH:MM+05:00)"),
    ],
)
def test_an_instant_that_cannot_be_is_called_impossible(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_instant(text)
    assert str(caught.value) == message


def test_the_one_did_you_mean() -> None:
    assert closest("offise", ["office", "con", "ztmo"]) == "office"
    assert closest("KARAGANDA", ["atyrau", "karaganda"]) == "karaganda"  # case aside
    assert closest("fax", ["office", "con", "ztmo"]) is None
    assert did_you_mean("reveiw", ["register", "review"]) == "; did you mean 'review'?"
    assert did_you_mean("fax", ["office"]) == ""
    assert str(unknown("channel", "offise", ["office", "con"], "for x")) == (
        "unknown channel 'offise' for x; did you mean 'office'? channels: office, con"
    )
    assert (
        str(unknown("variant", "gold", [], "for x"))
        == "unknown variant 'gold' for x; variants: none"
    )
    assert unknown("step", "x", ["a"]).exit_code == 2
