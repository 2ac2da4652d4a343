"""Golden notifications: what applicants and officials receive, for five bundled reglaments of
four regions, every declared notification in every language its file provides, by each
declared medium (and the acceptance by all four). Each file is what the recipient reads; they
were read and their wording checked by hand. Regenerate after a deliberate change with
``make golden-notifications`` and review the diff before committing.

File names: ``<event>[-<end or step>][.<recipient>].<medium>.<language>.txt`` under
``tests/golden/notifications/<region>-<reglament>/`` (the recipient is named when not the
applicant).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from reglament.engine import Engine
from reglament.engine.simulate import parse_actual, simulate
from reglament.engine.watch import watch
from reglament.loader import BUNDLED, load
from reglament.renderers import notifications
from reglament.schemas import Event, Medium, Notification, Recipient, Reglament

GOLDEN = Path(__file__).parent.parent / "golden" / "notifications"
UPDATE = os.environ.get("REGLAMENT_UPDATE_GOLDEN") == "1"


@dataclass(frozen=True)
class Path_:
    """One simulated case: the channel it is applied through, its variant, data, answers and
    the steps that take longer than allowed."""

    submitted: str
    via: str
    variant: str | None = None
    data: dict[str, object] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)
    late: dict[str, str] = field(default_factory=dict)


SCENARIOS: dict[str, tuple[str, list[Path_]]] = {
    # Karaganda 2015, Semey compensation (kk, en; no overall term: the due date is planned).
    # Submitted after hours on Mon 14 Dec 2015, before Independence Day and New Year (the
    # dates are those of tests/golden/timelines/semey-before-new-year.txt, the review taking
    # three working days instead of one).
    "karaganda-semey-compensation": (
        "karaganda-2015/semey-compensation.yaml",
        [
            Path_("2015-12-14 17:45", "office", "recognition", late={"review": "3wd"}),
            Path_("2015-12-14 17:45", "office", "compensation"),
            Path_("2015-12-14 17:45", "con", "certificate", answers={"con-check-data": "missing"}),
            Path_(
                "2015-12-14 17:45", "con", "certificate", answers={"con-check-package": "deficient"}
            ),
        ],
    ),
    # Atyrau 2012, child benefit (kk, ru, en; a 10-working-day term), submitted Fri 28 Dec
    # 2012 17:40 as tests/golden/timelines/atyrau-child-benefit-new-year.txt; at the PSC the
    # receipt is given when the inspector's first action ends; a defective package is returned.
    "atyrau-child-benefit-under-18": (
        "atyrau-2012/child-benefit-under-18.yaml",
        [
            Path_(
                "2012-12-28 17:40", "office", answers={"review": "granted"}, late={"review": "12wd"}
            ),
            Path_("2012-12-28 17:40", "office", answers={"review": "refused"}),
            Path_("2012-12-28 17:40", "con", data={"package_defective": False}),
            Path_("2012-12-28 17:40", "con", data={"package_defective": True}),
            Path_("2012-12-28 17:40", "akim"),  # the talon again, at the akim
        ],
    ),
    # Kyzylorda 2011, unemployed registration (kk, en): registered, or refused by the data.
    "kyzylorda-unemployed-registration": (
        "kyzylorda-2011/unemployed-registration.yaml",
        [
            Path_("2012-07-02 11:00", "office", data={"eligible": True}, late={"review": "1h"}),
            Path_("2012-07-02 11:00", "office", data={"eligible": False}),
        ],
    ),
    # Zhambyl 2017, jobseeker registration (kk, en), submitted after hours before Nauryz 2020
    # (accepted Thu 26 Mar 09:00); on the portal the results and refusals go to the cabinet.
    "zhambyl-jobseeker-registration": (
        "zhambyl-2017/jobseeker-registration.yaml",
        [
            Path_(
                "2020-03-20 18:45", "office", data={"eligible": True}, late={"office-prepare": "3h"}
            ),
            Path_("2020-03-20 18:45", "office", data={"eligible": False}),
            Path_("2020-03-20 18:45", "portal", data={"eligible": True}),
            Path_("2020-03-20 18:45", "portal", data={"eligible": False}),
            Path_(
                "2020-03-20 18:45",
                "portal",
                data={"eligible": True},
                answers={"portal-check-eds": "not-confirmed"},
            ),
        ],
    ),
    # Karaganda 2015, permits for foreign labour (kk, en): the commission's grant is notified
    # when step 5 ends; the tear-off coupon only at the office, the acceptance status of process
    # 6 on the portal; the portal's two refusals (a refused authorisation is no refusal of the
    # service and sends nothing: docs/format.md, readings).
    "karaganda-foreign-labour-permit": (
        "karaganda-2015/foreign-labour-permit.yaml",
        [
            Path_(
                "2015-11-16 09:30",
                "office",
                "employer-issue",
                answers={"commission-decide": "granted"},
                late={"examine": "7wd"},
            ),
            Path_(
                "2015-11-16 09:30",
                "office",
                "employer-issue",
                answers={"commission-decide": "refused"},
            ),
            Path_("2015-11-16 09:30", "portal", "employer-issue"),
            Path_(
                "2015-11-16 09:30",
                "portal",
                "employer-issue",
                answers={"portal-check-credentials": "incorrect"},
            ),
            Path_(
                "2015-11-16 09:30",
                "portal",
                "employer-issue",
                answers={"portal-check-signature": "invalid"},
            ),
            Path_(
                "2015-11-16 09:30",
                "portal",
                "employer-issue",
                answers={"portal-check-package": "deficient"},
            ),
        ],
    ),
}


def _rendered(file: str, paths: list[Path_]) -> Iterator[tuple[str, str]]:
    """(file name, text) of every golden message of one reglament."""
    reglament = load(BUNDLED / file)
    engine = Engine(reglament)
    zone = ZoneInfo(reglament.timezone)
    seen: set[int] = set()
    for path in paths:
        at = dt.datetime.fromisoformat(path.submitted).replace(tzinfo=zone)
        actuals = {step: parse_actual(text) for step, text in path.late.items()}
        timeline = simulate(engine, at, path.via, path.variant, path.data, path.answers, actuals)
        case = watch(engine, timeline)
        for notice in engine.notices(case):
            n = notice.notification
            index = next(i for i, x in enumerate(reglament.notifications) if x is n)
            if index in seen:
                continue
            seen.add(index)
            media = list(Medium) if n.on is Event.accepted else n.via
            for language in notifications.languages_of(reglament, n):
                for medium in media:
                    for recipient in n.to:
                        message = notifications.render(
                            engine, case, notice, language, medium, recipient, timeline=timeline
                        )
                        name = n.on.value + (f"-{n.end or n.step}" if n.end or n.step else "")
                        if n.channel is not None and _shared(reglament, n):
                            name += f"-at-{n.channel}"  # one per channel (e.g. two talons)
                        if recipient is not Recipient.applicant:
                            name += f".{recipient.value}"
                        yield f"{name}.{medium.value}.{language.value}.txt", message.text + "\n"
    missing = set(range(len(reglament.notifications))) - seen
    assert not missing, f"{file}: notifications {sorted(missing)} are on none of the paths"


def _shared(reglament: Reglament, n: Notification) -> bool:
    """Whether another notification has the same event, step and end (then only its channel
    tells the golden files apart)."""
    return any(
        (x.on, x.step, x.end) == (n.on, n.step, n.end)
        for x in reglament.notifications
        if x is not n
    )


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_golden_notifications(scenario: str) -> None:
    file, paths = SCENARIOS[scenario]
    folder = GOLDEN / scenario
    rendered = dict(_rendered(file, paths))
    assert len(rendered) == len(list(_rendered(file, paths))), "two messages share a file name"
    if UPDATE:
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.txt"):
            if stale.name not in rendered:
                stale.unlink()
        for name, text in rendered.items():
            (folder / name).write_text(text, encoding="utf-8")
    on_disk = sorted(p.name for p in folder.glob("*.txt"))
    assert on_disk == sorted(rendered), "golden files differ: run `make golden-notifications`"
    for name, text in rendered.items():
        assert (folder / name).read_text(encoding="utf-8") == text, (
            f"{scenario}/{name} differs: run `make golden-notifications` and review the diff"
        )


def test_five_reglaments_of_at_least_three_regions() -> None:
    regions = {file.split("-")[0] for file, _ in SCENARIOS.values()}
    assert len(SCENARIOS) == 5 and len(regions) >= 3
