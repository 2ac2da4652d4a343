"""choose_case and parse_data: the defaults of a simulated case, in the public API."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from reglament.engine import CaseChoice, Engine, choose_case, parse_data
from reglament.errors import UsageError
from reglament.loader import BUNDLED, load

SEMEY = Engine(load(BUNDLED / "karaganda-2015" / "semey-compensation.yaml"))
ORALMAN = Engine(load(BUNDLED / "karaganda-2015" / "oralman-status.yaml"))
LABOUR = Engine(load(BUNDLED / "karaganda-2015" / "foreign-labour-permit.yaml"))
SOCIAL = Engine(load(BUNDLED / "karaganda-2015" / "social-assistance-local.yaml"))
ALMATY = ZoneInfo("Asia/Almaty")


def test_nothing_given_is_10_00_on_the_first_day_through_the_first_channel() -> None:
    choice = choose_case(SEMEY)
    assert choice == CaseChoice(
        dt.datetime(2015, 10, 26, 10, 0, tzinfo=ALMATY),
        "office",
        "recognition",
        {},
        frozenset({"submitted_at", "channel", "variant"}),
    )
    assert choose_case(SEMEY, on=dt.date(2016, 1, 5)).submitted_at == dt.datetime(
        2016, 1, 5, 10, 0, tzinfo=ALMATY
    )


def test_what_is_given_is_kept_and_a_naive_instant_is_in_the_reglaments_zone() -> None:
    naive = dt.datetime(2015, 12, 14, 17, 45)  # noqa: DTZ001
    choice = choose_case(SEMEY, submitted_at=naive, channel="con", variant="certificate")
    assert (choice.submitted_at, choice.channel, choice.variant, choice.defaulted) == (
        dt.datetime(2015, 12, 14, 17, 45, tzinfo=ALMATY),
        "con",
        "certificate",
        frozenset(),
    )
    case = SEMEY.start(choice.submitted_at, choice.channel, choice.variant, choice.data)
    assert case.channel == "con"


def test_the_default_channel_is_one_the_data_may_use() -> None:
    # the PSC takes only first applications: without the data the office is chosen
    assert choose_case(ORALMAN).channel == "office"
    assert choose_case(ORALMAN, data={"first_application": True}).channel == "con"
    # the portal is open to the disabled only
    assert choose_case(SOCIAL, channel="portal", data={"disabled": True}).channel == "portal"
    with pytest.raises(UsageError, match="open only when"):
        choose_case(SOCIAL, channel="portal", data={"disabled": False})


def test_the_default_variant_is_one_the_channel_serves() -> None:
    assert choose_case(LABOUR, channel="portal").variant == "employer-issue"
    assert choose_case(LABOUR, channel="office").variant == next(iter(LABOUR.reglament.variants))
    with pytest.raises(UsageError, match="serves only the variants employer-issue"):
        choose_case(LABOUR, channel="portal", variant="worker-issue")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"channel": "offise"},
            "unknown channel 'offise' for semey-compensation; did you mean 'office'? "
            "channels: office, con, ztmo",
        ),
        (
            {"variant": "certifikate"},
            "unknown variant 'certifikate' for semey-compensation; did you mean 'certificate'? "
            "variants: recognition, certificate, compensation",
        ),
        ({"channel": "ztmo"}, "channel 'ztmo' of semey-compensation has no procedure in the act"),
    ],
)
def test_a_bad_channel_or_variant_is_named_with_the_closest(
    kwargs: dict[str, str], message: str
) -> None:
    with pytest.raises(UsageError) as caught:
        choose_case(SEMEY, **kwargs)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)


def test_case_data_from_text_by_declared_type() -> None:
    reglament = ORALMAN.reglament
    assert parse_data(reglament, {"first_application": "TRUE"}) == {"first_application": True}
    with pytest.raises(UsageError) as caught:
        parse_data(reglament, {"first_aplication": "true"})
    assert str(caught.value) == (
        "unknown case data field 'first_aplication' for oralman-status; did you mean "
        "'first_application'? case data fields: registered_elsewhere, first_application"
    )
    with pytest.raises(
        UsageError, match=r"case data first_application='yes': expected true or false"
    ):
        parse_data(reglament, {"first_application": "yes"})


def test_arrivals_span_whole_days_in_the_reglaments_zone() -> None:
    from reglament.engine import arrivals

    start, end = arrivals(SEMEY, dt.date(2016, 1, 4), dt.date(2016, 1, 8))
    assert (start, end) == (
        dt.datetime(2016, 1, 4, tzinfo=ALMATY),
        dt.datetime(2016, 1, 9, tzinfo=ALMATY),
    )
