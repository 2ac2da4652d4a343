"""What an embedder meets through the public API (issue 12, item 7): notices for the case's
channel, the project's own errors from ``Library.find``, messages that name Python arguments
(the CLI words them as its options), and one call to restore a saved case."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from reglament.calendar import SCHEDULES, Clock, default_calendar
from reglament.cli import _option, app
from reglament.engine import Case, Engine, Kind, Record, StepStatus
from reglament.engine.batch import parse_probability, simulate_many
from reglament.engine.simulate import Timeline, simulate
from reglament.errors import Arg, UsageError
from reglament.loader import BUNDLED, Library, load, load_library
from reglament.renderers.notices import event_messages
from reglament.schemas import Event
from reglament.schemas.jsonready import ToDict, json_ready

BENEFIT = Engine(load(BUNDLED / "atyrau-2012" / "child-benefit-under-18.yaml"))
SEMEY = Engine(load(BUNDLED / "karaganda-2015" / "semey-compensation.yaml"))
ATYRAU = ZoneInfo(BENEFIT.reglament.timezone)
ALMATY = ZoneInfo("Asia/Almaty")


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


# -- notices: the case's channel applies -----------------------------------------------------------


def test_notices_of_a_psc_case_leave_out_the_offices_talons() -> None:
    case = BENEFIT.start(dt.datetime(2012, 12, 28, 10, 0, tzinfo=ATYRAU), "con")
    accepted = [n for n in BENEFIT.notices(case) if n.notification.on is Event.accepted]
    assert accepted == []  # the office's and the akim's talons are theirs alone
    office = BENEFIT.start(dt.datetime(2012, 12, 28, 10, 0, tzinfo=ATYRAU), "office")
    talons = [n for n in BENEFIT.notices(office) if n.notification.on is Event.accepted]
    assert [n.notification.channel for n in talons] == ["office"]


def test_notices_of_some_records_of_the_case() -> None:
    case = SEMEY.start(dt.datetime(2015, 12, 14, 17, 45, tzinfo=ALMATY), "office", "certificate")
    SEMEY.complete(case, "register", dt.datetime(2015, 12, 14, 18, 5, tzinfo=ALMATY))
    events = SEMEY.poll(case, dt.datetime(2015, 12, 16, 12, 0, tzinfo=ALMATY))
    assert [n.template for n in SEMEY.notices(case, events)] == ["step_overdue"]
    assert SEMEY.notices(case)[0].record.kind.value == "accepted"


def test_notices_refuse_records_of_another_case_and_a_channel() -> None:
    at = dt.datetime(2015, 12, 14, 10, 0, tzinfo=ALMATY)
    one = SEMEY.start(at, "office", "certificate")
    other = SEMEY.start(at + dt.timedelta(hours=1), "office", "certificate")
    with pytest.raises(
        UsageError, match=r"^accepted at 2015-12-14T11:00:00\+06:00 is not an event"
    ):
        SEMEY.notices(one, other.history)
    with pytest.raises(UsageError, match="takes the channel from the case"):
        SEMEY.notices(one, channel="con")  # type: ignore[call-overload]


def test_the_old_form_still_works_for_one_release_and_warns() -> None:
    case = BENEFIT.start(dt.datetime(2012, 12, 28, 10, 0, tzinfo=ATYRAU), "con")
    with pytest.deprecated_call(match=r"notices\(case, records\)"):
        everything = BENEFIT.notices(case.history)
    assert len([n for n in everything if n.notification.on is Event.accepted]) == 2
    with pytest.deprecated_call():
        scoped = BENEFIT.notices(case.history, "con")
    with pytest.deprecated_call():
        by_keyword = BENEFIT.notices(case.history, channel="con")
    assert scoped == by_keyword == BENEFIT.notices(case)


# -- Library.find: the project's errors, a date string ----------------------------------------------


def test_find_takes_an_iso_date_string(library: Library) -> None:
    found = library.find("unemployed-registration", "zhambyl", on="2018-03-20")
    assert found == library.find("unemployed-registration", "zhambyl", on=dt.date(2018, 3, 20))


@pytest.mark.parametrize(
    ("on", "message"),
    [
        ("2018-02-30", "on: 2018-02-30 is an impossible date: February 2018 has 28 days"),
        ("20.03.2018", "on: '20.03.2018': expected a date YYYY-MM-DD"),
        (
            dt.datetime(2018, 3, 20, 10, 0, tzinfo=ALMATY),
            "on: expected a date (datetime.date) or a date string YYYY-MM-DD, got "
            "datetime.datetime(2018, 3, 20, 10, 0, tzinfo=zoneinfo.ZoneInfo(key='Asia/Almaty'))",
        ),
        (20180320, "on: expected a date (datetime.date) or a date string YYYY-MM-DD, got 20180320"),
    ],
)
def test_find_refuses_what_is_no_date(library: Library, on: object, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        library.find("unemployed-registration", "zhambyl", on=on)  # type: ignore[arg-type]
    assert str(caught.value) == message


# -- messages name Python arguments; the CLI words them as its options ------------------------------


def _refusal(call: object) -> UsageError:
    assert callable(call)
    with pytest.raises(UsageError) as caught:
        call()
    return caught.value


AT = dt.datetime(2016, 1, 1, tzinfo=ALMATY)


def _timeline() -> Timeline:
    return simulate(SEMEY, dt.datetime(2015, 12, 14, 10, tzinfo=ALMATY), "office", "certificate")


SOCIAL = Engine(load(BUNDLED / "karaganda-2015" / "social-assistance-local.yaml"))


@pytest.mark.parametrize(
    ("call", "python", "cli"),
    [
        (
            lambda: load_library().find("prosthetic-orthopedic"),
            "choose one with region=..., e.g. region='karaganda'",
            "choose one with --region, e.g. region='karaganda'",
        ),
        (
            lambda: load_library().choose("prosthetic-orthopedic"),
            "choose one with region=... or ID@REGION",
            "choose one with --region or ID@REGION",
        ),
        (
            lambda: load_library().choose("semey@karaganda", "atyrau"),
            "names the region karaganda, region=... says atyrau: give one",
            "names the region karaganda, --region says atyrau: give one",
        ),
        (
            lambda: SEMEY.start(AT, "ztmo", "certificate"),
            "",  # no argument named: both read the same
            "",
        ),
        (
            lambda: SOCIAL.start(AT, "portal", data={"disabled": False}),
            "set the case data with data=...",
            "set the case data with --data",
        ),
        (
            lambda: event_messages(SEMEY, _timeline(), Event.step_overdue),
            "make one late with actuals=...)",
            "make one late with --actual STEP=DURATION)",
        ),
        (
            lambda: event_messages(SEMEY, _timeline(), Event.refused),
            "choose another path with channel=..., variant=..., answers=... or data=...)",
            "choose another path with --channel, --variant, --answer or --data)",
        ),
        (
            lambda: parse_probability("decide"),
            "probabilities='decide': expected STEP=OUTCOME:P",
            "--probability 'decide': expected STEP=OUTCOME:P",
        ),
        (
            lambda: simulate_many(SEMEY, 0, AT, AT + dt.timedelta(days=9), "office", "certificate"),
            "cases=0: the number of cases must be from 1 to",
            "--cases 0: the number of cases must be from 1 to",
        ),
        (
            lambda: simulate_many(
                SEMEY, 5, AT, AT + dt.timedelta(days=9), "office", "certificate", seed=-1
            ),
            "seed=-1: a seed is a whole number",
            "--seed -1: a seed is a whole number",
        ),
    ],
)
def test_messages_name_python_arguments_and_the_cli_its_options(
    call: object, python: str, cli: str
) -> None:
    error = _refusal(call)
    assert "--" not in str(error)
    assert python in str(error)
    assert cli in error.worded(_option)


def test_an_argument_is_worded_as_its_option() -> None:
    assert str(Arg("on", "DATE")) == "on=DATE"
    assert str(Arg("region")) == "region=..."
    assert _option(Arg("on", "DATE")) == "--on DATE"
    assert _option(Arg("probabilities", "'x'")) == "--probability 'x'"
    assert UsageError("plain").worded(_option) == "plain"


def test_the_cli_still_says_its_options() -> None:
    result = CliRunner().invoke(app, ["show", "semey@karaganda", "--region", "atyrau"])
    assert result.exit_code == 2
    assert result.stderr == (
        "error: 'semey@karaganda' names the region karaganda, --region says atyrau: give one\n"
    )


# -- restoring a saved case: one call ------------------------------------------------------------------


def test_a_saved_case_restores_with_one_call_and_goes_on() -> None:
    case = SEMEY.start(dt.datetime(2015, 12, 14, 17, 45, tzinfo=ALMATY), "office", "certificate")
    SEMEY.complete(case, "register", dt.datetime(2015, 12, 14, 18, 5, tzinfo=ALMATY))
    text = json.dumps(case.to_dict())
    restored = SEMEY.restore(json.loads(text))
    assert restored == case == Case.from_dict(json.loads(text))  # the old way still works
    SEMEY.complete(restored, "review", dt.datetime(2015, 12, 15, 10, 0, tzinfo=ALMATY))
    assert restored.active_steps == ["process"]


def test_restore_checks_the_case_against_the_engine() -> None:
    case = BENEFIT.start(dt.datetime(2012, 12, 28, 10, 0, tzinfo=ATYRAU), "con")
    with pytest.raises(
        UsageError, match=r"^case.reglament: the case is of child-benefit-under-18@"
    ):
        SEMEY.restore(case.to_dict())
    with pytest.raises(UsageError, match=r"^case: expected an object \(a saved case\), got "):
        SEMEY.restore(json.dumps(case.to_dict()))  # type: ignore[arg-type]


# -- to_dict: JSON-ready, the shapes the published documents use ----------------------------------


def _semey_case() -> tuple[Case, list[Record]]:
    case = SEMEY.start(dt.datetime(2015, 12, 14, 17, 45, tzinfo=ALMATY), "office", "certificate")
    SEMEY.complete(case, "register", dt.datetime(2015, 12, 14, 18, 5, tzinfo=ALMATY))
    return case, SEMEY.poll(case, dt.datetime(2015, 12, 16, 12, 0, tzinfo=ALMATY))


def test_status_to_dict_is_json_ready() -> None:
    case, _ = _semey_case()
    status = SEMEY.status(case, dt.datetime(2015, 12, 16, 12, 0, tzinfo=ALMATY))
    document = status.to_dict()
    assert json.loads(json.dumps(document)) == document
    assert document == {
        "at": "2015-12-16T12:00:00+06:00",
        "active": [
            {
                "step": "review",
                "actor": "head",
                "started": "2015-12-14T18:05:00+06:00",
                "due": "2015-12-15T18:30:00+06:00",
                "state": "overdue",
            }
        ],
        "term_due": None,  # the certificate has no term in the act
        "term": "none",
        "finished": False,
        "end": None,
    }


def test_a_record_is_as_the_saved_case_holds_it() -> None:
    case, events = _semey_case()
    # the saved case leaves out a record's empty keys; filled back in, it is the record
    empty = {"step": None, "outcome": None, "detail": "", "by": None, "comment": None}
    saved = case.to_dict()["history"]
    assert [r.to_dict() for r in case.history] == [{**empty, **r} for r in saved]
    assert all(r.get(key, "x") not in (None, "") for r in saved for key in empty)
    assert events[0].to_dict() == {
        "kind": "step_overdue",
        "at": "2015-12-15T18:30:00+06:00",
        "step": "review",
        "outcome": None,
        "detail": events[0].detail,
        "by": None,
        "comment": None,
    }


def test_a_notice_is_as_simulate_format_json_lists_it() -> None:
    result = CliRunner().invoke(
        app,
        ["simulate", "semey-compensation", "--variant", "recognition", "--submitted",
         "2015-12-14 17:45", "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)["notifications"]
    timeline = simulate(
        SEMEY, dt.datetime(2015, 12, 14, 17, 45, tzinfo=ALMATY), "office", "recognition"
    )
    assert [n.to_dict() for n in timeline.notices] == printed
    assert printed[0] == {
        "at": "2015-12-14T17:45:00+06:00",
        "event": "accepted",
        "step": None,
        "to": ["applicant"],
        "via": printed[0]["via"],
        "template": "accepted",
        "outcome": None,
        "detail": "submitted 2015-12-14T17:45:00+06:00",
        "by": None,
        "comment": None,
    }


def test_to_dict_follows_the_fields_so_a_new_one_is_included() -> None:
    @dataclass(frozen=True, slots=True)
    class Later(ToDict):
        at: dt.datetime
        day: dt.date
        kind: Kind
        by: str | None = None
        inner: tuple[StepStatus, ...] = ()

    row = StepStatus("s", None, dt.datetime(2020, 1, 2, 9, tzinfo=ALMATY), None, "untimed")
    later = Later(
        dt.datetime(2020, 1, 2, 9, tzinfo=ALMATY),
        dt.date(2020, 1, 3),
        Kind.resumed,
        "clerk",
        (row,),
    )
    assert later.to_dict() == {
        "at": "2020-01-02T09:00:00+06:00",
        "day": "2020-01-03",
        "kind": "resumed",
        "by": "clerk",
        "inner": [{"step": "s", "actor": None, "started": "2020-01-02T09:00:00+06:00", "due": None, "state": "untimed"}],
    }  # fmt: skip
    with pytest.raises(TypeError, match="no JSON form for object"):
        json_ready(object())


def test_a_deadline_is_as_calendar_add_prints_it() -> None:
    result = CliRunner().invoke(
        app, ["calendar", "add", "2025-03-20", "10", "--unit", "working_days", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    almaty = ZoneInfo("Asia/Almaty")
    clock = Clock(default_calendar(), SCHEDULES["standard"], almaty)
    deadline = clock.add(dt.datetime(2025, 3, 20, tzinfo=almaty), 10, "working_days")
    assert deadline.to_dict() == json.loads(result.stdout)


# -- the public import surface ----------------------------------------------------------------------


def test_the_public_api_imports_from_the_package_itself() -> None:
    """``from reglament import Engine, Case, load, load_library, simulate, Library``: each the
    object its own module defines (``simulate`` the function, not the module
    ``reglament.engine.simulate``), listed in ``__all__`` and ``dir``."""
    import reglament
    import reglament.engine.simulate as simulate_module
    from reglament import Case as RootCase
    from reglament import Engine as RootEngine
    from reglament import Library as RootLibrary
    from reglament import load as root_load
    from reglament import load_library as root_load_library
    from reglament import simulate as root_simulate

    assert sorted(reglament.__all__) == sorted(
        ["Case", "Engine", "Library", "load", "load_library", "simulate"]
    )
    assert (RootEngine, RootCase, RootLibrary) == (Engine, Case, Library)
    assert (root_load, root_load_library, root_simulate) == (load, load_library, simulate)
    assert root_simulate is simulate_module.simulate and callable(root_simulate)
    assert RootLibrary.find is Library.find
    assert set(reglament.__all__) <= set(dir(reglament))
    with pytest.raises(AttributeError, match="module 'reglament' has no attribute 'Engin'"):
        reglament.Engin  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(ImportError):
        from reglament import Engin  # type: ignore[attr-defined]  # noqa: F401


def test_the_package_imports_its_public_api_only_when_asked() -> None:
    """``import reglament.errors`` (or ``import reglament``) stays cheap: neither the engine nor
    the loader comes with it; the first ``from reglament import Engine`` brings the engine, and
    a submodule (``from reglament import calendar``) is still a submodule."""
    import subprocess
    import sys

    program = (
        "import sys, reglament, reglament.errors\n"
        "print(sorted(m for m in sys.modules if m.startswith('reglament')))\n"
        "from reglament import Engine, calendar\n"
        "print('reglament.engine' in sys.modules, 'reglament.loader' in sys.modules)\n"
        "print(calendar.__name__, Engine.__module__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.splitlines() == [
        "['reglament', 'reglament.errors']",
        "True False",
        "reglament.calendar reglament.engine.runtime",
    ]
