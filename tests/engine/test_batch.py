"""The batch simulator equals the per-case ``simulate()``, case by case, and reports sensibly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from reglament.engine import Engine
from reglament.engine.batch import (
    Probability,
    outcome_shares,
    parse_probability,
    simulate_many,
)
from reglament.engine.simulate import simulate
from reglament.errors import UsageError
from reglament.limits import MAX_CASES
from reglament.loader import BUNDLED, load

ALMATY = ZoneInfo("Asia/Almaty")
DATA = Path(__file__).parent / "data"
SEMEY = Engine(load(BUNDLED / "karaganda-2015" / "semey-compensation.yaml"))
SYNTHETIC = Engine(load(DATA / "synthetic-ten.yaml"))
PARALLEL = Engine(load(DATA / "synthetic-parallel.yaml"))


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=ALMATY)


def check_against_simulate(
    engine: Engine,
    channel: str,
    variant: str | None,
    data: dict[str, object] | None = None,
    cases: int = 120,
    seed: int = 1,
    period: tuple[str, str] = ("2015-11-01", "2016-05-01"),
) -> None:
    outside = not engine.reglament.effective.contains(at(period[0]).date())
    batch = simulate_many(
        engine,
        cases,
        at(period[0]),
        at(period[1]),
        channel,
        variant,
        data,
        seed=seed,
        outside_period=outside,
    )
    assert len(batch) == cases
    assumed = set(batch.report().assumptions)
    for i in range(cases):
        got = batch.case(i)
        want = simulate(
            engine, got.submitted_at, channel, variant, data, got.answers, outside_period=outside
        )
        # the same data assumed on the same path, said in the same words
        assert {a for a in want.assumptions if "--data" in a} <= assumed, i
        assert got.accepted_at == want.case.accepted_at, i
        assert got.end_at == want.end, (i, got)
        assert got.end == want.case.end
        assert got.term_due == want.term_due, (i, got)
        assert got.term_met == want.term_met
        assert got.lower_bound == want.lower_bound


SEMEY_RUNS = [
    (channel, variant)
    for channel in ("office", "con")
    for variant in ("recognition", "certificate", "compensation")
]


@pytest.mark.parametrize(("channel", "variant"), SEMEY_RUNS)
def test_semey_equals_simulate(channel: str, variant: str) -> None:
    check_against_simulate(SEMEY, channel, variant, seed=len(channel) * 10 + len(variant))


SYNTHETIC_RUNS = [
    (channel, variant, urgent)
    for channel in ("office", "con")
    for variant in ("full", "short")
    for urgent in (False, True)
]


@pytest.mark.parametrize(("channel", "variant", "urgent"), SYNTHETIC_RUNS)
def test_synthetic_equals_simulate(channel: str, variant: str, urgent: bool) -> None:
    # Arrivals over 2000-2004 too: Kazakhstan still had summer time then.
    for seed, period in ((3, ("2015-12-01", "2016-04-01")), (4, ("2003-01-01", "2005-01-01"))):
        check_against_simulate(
            SYNTHETIC, channel, variant, {"urgent": urgent}, cases=100, seed=seed, period=period
        )


def test_parallel_block_falls_back_to_simulate() -> None:
    batch = simulate_many(PARALLEL, 50, at("2020-01-01"), at("2020-03-01"), "office", seed=5)
    report = batch.report()
    assert 0 < report.per_case < 50  # only the paths through the block
    check_against_simulate(PARALLEL, "office", None, cases=50, seed=5)


def test_same_seed_same_result_other_seed_differs() -> None:
    args = (SYNTHETIC, 2000, at("2016-01-01"), at("2016-12-01"), "office", "full")
    one, two = simulate_many(*args, seed=42), simulate_many(*args, seed=42)
    assert (one.end == two.end).all() and one.report() == two.report()
    assert one.report() != simulate_many(*args, seed=43).report()
    assert simulate_many(*args[:6]).seed != simulate_many(*args[:6]).seed  # drawn, and said


def test_arrivals_fall_in_office_time_within_the_period() -> None:
    batch = simulate_many(SEMEY, 3000, at("2016-01-01"), at("2016-02-01"), "office", "certificate")
    submitted = [batch.case(i).submitted_at for i in range(0, 3000, 7)]
    assert all(at("2016-01-01") <= t < at("2016-02-01") for t in submitted)
    assert all(batch.clock.is_open(t) for t in submitted)
    assert submitted == sorted(submitted)


def test_probabilities_shape_the_outcomes() -> None:
    given = [Probability("triage", "complex", 0.0), Probability("decide", "refuse", 1.0)]
    batch = simulate_many(
        SYNTHETIC, 500, at("2016-01-01"), at("2016-06-01"), "office", "full", probabilities=given
    )
    report = batch.report()
    assert [(e.name, e.cases) for e in report.ends] == [("refused", 500)]
    assert report.paths == 1
    assert report.shares["triage"] == {"simple": 0.0, "complex": 1.0} or report.shares["triage"][
        "simple"
    ] == pytest.approx(1.0)


def test_report_on_term_and_culprits() -> None:
    # Through the office (15 working days) this path fits once no hand-over loses a working day
    # (docs/calendar.md, the hand-over rule); through the PSC its 20 calendar days break.
    given = [parse_probability("triage=complex:1"), parse_probability("ask-documents=missing:1")]
    batch = simulate_many(
        SYNTHETIC, 400, at("2016-01-01"), at("2016-06-01"), "con", "full", probabilities=given
    )
    report = batch.report()
    assert report.term == "20 calendar days"
    assert 0 < report.broken <= 400
    assert report.broken == sum(c.cases for c in report.culprits)
    assert {c.name for c in report.culprits} <= {
        "hand-over",
        "expertise",
        "ask-documents",
        "wait-documents",
        "decide",
        "refuse",
        "prepare",
        "route",
        "sign",
    }
    wd = report.working_days
    assert wd["p50"] <= wd["p90"] <= wd["p99"] <= wd["max"]
    assert report.calendar_days["p50"] <= report.calendar_days["p90"]
    assert report.lower_bound == 0


def test_semey_compensation_is_a_lower_bound() -> None:
    report = simulate_many(
        SEMEY, 200, at("2016-01-01"), at("2016-03-01"), "office", "compensation", seed=1
    ).report()
    assert report.lower_bound == 200  # by_schedule without dates, and an untimed payment
    assert report.term is None and report.broken == 0 and report.culprits == ()
    assert report.per_case == 0


def test_shares_default_to_equal_and_validate() -> None:
    shares = outcome_shares(SEMEY)
    assert shares == {
        "con-check-data": {"found": 0.5, "missing": 0.5},
        "con-check-package": {"complete": 0.5, "deficient": 0.5},
    }
    shares = outcome_shares(SYNTHETIC, [parse_probability("decide=refuse:20%")])
    assert shares["decide"] == pytest.approx({"grant": 0.8, "refuse": 0.2})
    assert shares["wait-documents"] == {"event": 0.5, "timeout": 0.5}
    assert "route" not in shares  # decided by conditions over the case
    assert outcome_shares(SYNTHETIC, [parse_probability("route=by-con:0.3")])["route"] == (
        pytest.approx({"by-con": 0.3, "at-office": 0.7})
    )


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (["nope=a:0.1"], "no step 'nope'.*steps with outcomes: triage, ask-documents"),
        (["register=done:0.1"], "'register' is a task with nothing to draw"),
        (["decide=maybe:0.1"], "no outcome 'maybe'; allowed: grant, refuse"),
        (
            ["decide=grant:0.7", "decide=refuse:0.5"],
            "'decide' sum to 1.2 \\(grant=0.7, refuse=0.5\\)",
        ),
        (["decide=grant:0.2", "decide=refuse:0.5"], "every outcome of 'decide' is given"),
        (["decide=grant:0.2", "decide=grant:0.5"], "decide=grant is given twice"),
    ],
)
def test_probability_errors(given: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        outcome_shares(SYNTHETIC, [parse_probability(g) for g in given])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("decide", "expected STEP=OUTCOME:P"),
        ("decide=grant:x", "not a number"),
        ("a=b:1.5", "between 0 and 1"),
    ],
)
def test_parse_probability_errors(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_probability(text)


def test_usage_errors() -> None:
    start, end = at("2016-01-01"), at("2016-02-01")
    for cases in (0, -5, MAX_CASES + 1, 10**9):
        with pytest.raises(UsageError, match=f"^cases={cases}: .* from 1 to 5,000,000"):
            simulate_many(SEMEY, cases, start, end, "office", "certificate")
    for seed in (-1, 2**64):
        with pytest.raises(UsageError, match=f"^seed={seed}: .* from 0 to {2**64 - 1}"):
            simulate_many(SEMEY, 5, start, end, "office", "certificate", seed=seed)
    with pytest.raises(UsageError, match="before it starts"):
        simulate_many(SEMEY, 5, end, start, "office", "certificate")
    with pytest.raises(UsageError, match="no procedure"):
        simulate_many(SEMEY, 5, start, end, "ztmo", "certificate")
    with pytest.raises(UsageError, match="never open"):
        simulate_many(
            SEMEY, 5, at("2016-01-02 00:00"), at("2016-01-03 00:00"), "office", "certificate"
        )
    with pytest.raises(UsageError, match="unknown case data"):
        simulate_many(SEMEY, 5, start, end, "office", "certificate", {"x": 1})


def test_the_largest_seed_is_taken() -> None:
    batch = simulate_many(
        SEMEY, 5, at("2016-01-01"), at("2016-02-01"), "office", "certificate", seed=2**64 - 1
    )
    assert batch.report().seed == 2**64 - 1


INSTANT = """
format: 1
id: instant
region: test-region
timezone: Asia/Almaty
title: {en: A service done at once}
source: {act: {number: "1"}, seed: 000_2e4deee796d008ba.txt, lines: 52-183}
effective: {from: 2030-01-01}
provider: {en: the provider}
results: {done: {kind: certificate, text: {en: a certificate}}}
actors: {clerk: {name: {en: clerk}}}
channels: {office: {kind: office, name: {en: the office}, start: issue}}
steps:
  issue: {kind: task, actor: clerk, action: {en: issues it}, duration: {unit: untimed}, next: done}
  done: {kind: end, outcome: result, result: done}
"""


def test_a_period_may_end_with_the_calendar(tmp_path: Path) -> None:
    """--to 2030-12-31 ends at 24:00 of the calendar's last day: arrivals up to it are drawn
    (the period's end was converted as an instant of 2031 and refused)."""
    (tmp_path / "instant.yaml").write_text(INSTANT, encoding="utf-8")
    engine = Engine(load(tmp_path / "instant.yaml"))
    last = at("2030-12-31 00:00")
    batch = simulate_many(engine, 50, last, last + dt.timedelta(days=1), "office", seed=1)
    arrivals = batch.clock.instants(batch.submitted)
    assert {t.date() for t in arrivals} == {dt.date(2030, 12, 31)}


def test_by_schedule_with_known_dates_equals_simulate() -> None:
    reglament = SEMEY.reglament
    payment = reglament.external_schedules["compensation-payment-schedule"]
    dates = [dt.date(2016, 1, 20), dt.date(2016, 2, 19), dt.date(2016, 3, 21)]
    dated = reglament.model_copy(
        update={
            "external_schedules": {
                "compensation-payment-schedule": payment.model_copy(update={"dates": dates})
            }
        }
    )
    engine = Engine(dated)
    check_against_simulate(
        engine, "office", "compensation", cases=150, seed=9, period=("2015-12-01", "2016-04-01")
    )
    report = simulate_many(
        engine, 150, at("2015-12-01"), at("2016-04-01"), "office", "compensation", seed=9
    ).report()
    assert report.lower_bound == 150  # the payment itself stays untimed


def test_progress_counts_every_case() -> None:
    seen: list[int] = []
    simulate_many(
        SEMEY,
        70_000,
        at("2016-01-01"),
        at("2016-02-01"),
        "office",
        "certificate",
        seed=1,
        progress=seen.append,
    )
    assert sum(seen) == 70_000 and len(seen) == 2
