"""Term compliance agrees with the engine: the worst moment of every path, simulated, ends and is
due exactly where the audit says."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from reglament.audit import AuditReport, check_terms, window
from reglament.audit.paths import enumerate_paths
from reglament.audit.terms import answers, gap_words
from reglament.calendar import Clock
from reglament.engine import Engine
from reglament.engine.simulate import simulate
from reglament.loader import load

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "fixtures" / "minimal.yaml"
PARALLEL = ROOT / "tests" / "engine" / "data" / "synthetic-parallel.yaml"
UNCOUNTED = ROOT / "tests" / "audit" / "data" / "parallel-uncounted.yaml"


def test_every_worst_moment_equals_the_engine(bundled_audit: AuditReport) -> None:
    checked = 0
    for file in bundled_audit.files:
        assert file.loaded.reglament is not None
        engine = Engine(file.loaded.reglament)
        for check in file.terms:
            for path in check.paths:
                timeline = simulate(
                    engine,
                    path.worst.submitted,
                    check.channel,
                    check.variant,
                    path.data,
                    answers(engine, path.path),
                )
                assert timeline.case.end == path.path.end, (file.display, path.path.describe())
                assert timeline.end == path.worst.end, (file.display, path.path.describe())
                assert timeline.term_due == path.worst.due, (file.display, path.path.describe())
                assert timeline.case.accepted_at == path.worst.accepted
                assert timeline.term_met is (None if check.term is None else path.overrun <= 0)
                checked += 1
    assert checked == 151  # the portal of foreign-labour-permit serves 2 of its 6 variants


@pytest.mark.parametrize("file", [MINIMAL, PARALLEL, UNCOUNTED], ids=lambda p: p.name)
def test_parallel_blocks_and_loops_equal_the_engine(file: Path) -> None:
    engine = Engine(load(file))
    checks = check_terms(engine)
    assert checks
    for check in checks:
        for path in check.paths:
            timeline = simulate(
                engine,
                path.worst.submitted,
                check.channel,
                check.variant,
                path.data,
                answers(engine, path.path),
            )
            assert timeline.end == path.worst.end, path.path.describe()
            assert timeline.term_due == path.worst.due


def test_uncounted_steps_overlapping_in_parallel_branches_stop_the_term_once() -> None:
    """Two branches each run a step not counted in the term (3 working days from the fork, and
    4 from one day after it): the term stands still over their union, 5 working days, as the
    engine joins them (``Engine.stopped_intervals``), not over their sum, 7."""
    engine = Engine(load(UNCOUNTED))
    ((path,),) = [check.paths for check in check_terms(engine)]
    timeline = simulate(engine, path.worst.submitted, "office", None, path.data)
    case = timeline.case
    (stretch,) = engine.stopped_intervals(case, timeline.end)  # the two joined into one
    clock = engine.compiled.channel_clock["office"]
    assert clock.calendar.working_days_between(stretch[0].date(), stretch[1].date()) == 5
    base = clock.add(case.accepted_at, 15, "working_days").due
    assert (
        path.worst.due
        == timeline.term_due
        == clock.closing(clock.calendar.add_working_days(base.date(), 5))
    )


def test_loops_are_followed_once_and_reported() -> None:
    engine = Engine(load(MINIMAL))
    found = enumerate_paths(engine.compiled, "office", "standard")
    assert ("ask", "check") in found.loops
    ends = sorted(p.end for p in found.paths)
    assert ends == ["issued", "refused", "refused"]  # via the parallel block; two ways to a refusal
    fork = next(p for p in found.paths if p.end == "issued")
    assert "prepare [draft | stamp] together" in fork.describe()


def test_data_decided_outcomes_follow_consistent_data() -> None:
    # Kyzylorda Semey registration: "eligible" decides at the executor's step and again at the
    # hand-over; no path may be eligible at one and not at the other.
    from reglament.loader import BUNDLED

    engine = Engine(load(BUNDLED / "kyzylorda-2011" / "semey-registration.yaml"))
    paths = enumerate_paths(engine.compiled, "con", None).paths
    for path in paths:
        outcomes = {m.step: m.outcome for m in path.moves()}
        if outcomes.get("executor-prepare") == "notification":
            assert path.end == "issued", path.describe()
        if outcomes.get("executor-prepare") == "refusal":
            assert path.end == "refused", path.describe()


def test_the_window_is_the_period_in_force_cut_to_a_year() -> None:
    from reglament.loader import BUNDLED

    atyrau = load(BUNDLED / "atyrau-2012" / "wheelchairs.yaml")
    span = window(atyrau)
    assert (span.first, span.until) == (dt.date(2012, 12, 10), dt.date(2013, 6, 21))
    assert span.moments == 193 * 24 * 60
    zhambyl = load(BUNDLED / "zhambyl-2017" / "unemployed-registration.yaml")  # 2017-11-17 .. 2021
    span = window(zhambyl)
    assert (span.first, span.until) == (dt.date(2017, 11, 17), dt.date(2018, 11, 17))
    assert "first twelve months" in span.why


ALMATY = ZoneInfo("Asia/Almaty")


@pytest.mark.parametrize(
    ("unit", "a", "b", "words"),
    [
        (
            "working_days",
            "2025-03-07 18:30",
            "2025-03-11 09:45",
            "45 minutes",
        ),  # Fri → Tue (8 Mar off on Sat → Mon 10)
        ("working_days", "2025-03-05 18:30", "2025-03-07 10:00", "1 working day 1 hour"),
        ("working_days", "2025-03-05 18:30", "2025-03-07 18:30", "2 working days"),
        ("calendar_days", "2025-03-05 18:30", "2025-03-08 18:30", "3 calendar days"),
        ("minutes", "2025-03-05 12:30", "2025-03-05 15:00", "1 hour"),  # lunch 13:00-14:30
    ],
)
def test_gap_words(unit: str, a: str, b: str, words: str) -> None:
    clock = Clock(schedule="standard", zone=ALMATY)

    def position(text: str) -> int:
        return clock.position(dt.datetime.fromisoformat(text).replace(tzinfo=ALMATY))

    from reglament.schemas import Unit

    assert gap_words(clock, Unit(unit), position(a), position(b)) == words


def test_the_batch_positions_are_minutes() -> None:
    from reglament.audit.terms import RESOLUTION, _moments

    clock = Clock(schedule="standard", zone=ALMATY)
    from reglament.audit.terms import Window

    accepted, weights, earliest, in_grid = _moments(
        clock, Window(dt.date(2025, 1, 6), dt.date(2025, 1, 7), "test")
    )
    assert int(weights.sum()) == 24 * 60 and RESOLUTION == 60
    assert np.all(accepted >= earliest) and np.all(np.diff(accepted) > 0)
    # each of the 480 open minutes is accepted at once (the night before 09:00 and the lunch with
    # them); after 18:30 at 09:00 on Wed 8 Jan (7 Jan is Orthodox Christmas)
    assert len(accepted) == 480 + 1
    assert weights[0] == 9 * 60 + 1 and clock.instant(int(earliest[0])).hour == 0
    assert bool(in_grid[0]) and not bool(in_grid[-1])  # 09:00 is a moment; 09:00 of 8 Jan is not
    assert clock.instant(int(accepted[-1])) == dt.datetime(2025, 1, 8, 9, 0, tzinfo=ALMATY)


def test_variants_with_the_same_paths_and_term_share_one_walk() -> None:
    """Zhambyl's active-employment referral serves 8 channel-variant pairs with 2 distinct walks:
    checked together, each pair gets what checking it alone gives, and the pairs that share
    term, paths and data share the walk's results."""
    engine = Engine(
        load(ROOT / "reglament" / "reglaments" / "zhambyl-2017" / "active-employment-referral.yaml")
    )
    together = check_terms(engine)
    alone = [check_terms(engine, [(c.channel, c.variant)])[0] for c in together]
    assert together == alone
    assert len(together) == 8
    assert len({id(c.paths) for c in together}) == 2
    assert len({id(c.paths) for c in alone}) == 8
